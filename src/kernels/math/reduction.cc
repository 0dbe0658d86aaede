// Reductions (Sum, Mean, Prod, Max, Min, All, Any) and ArgMax/ArgMin.
//
// The input's dimensions are simplified first: size-1 dims dropped and
// neighbours that are both reduced or both kept merged, so a reduction is an
// alternation of kept and reduced blocks over contiguous memory. The
// innermost block is either reduced (a row folded into one value with
// several accumulators) or kept (a row folded elementwise into the output),
// both vectorizable. Empty reductions give the reducer's identity: Sum 0,
// Prod 1, Max -inf (lowest for integers), Min +inf (highest), All true,
// Any false, Mean NaN (0 for integers).
#include <limits>
#include <mutex>

#include "kernels/array/array_internal.h"
#include "kernels/math/math_internal.h"

namespace tfport::kernels::math {
namespace {

struct SumR {
  template <typename T>
  static T Identity() { return T(0); }
  template <typename T>
  static T Combine(T a, T b) { return WrapAdd(a, b); }
};
struct ProdR {
  template <typename T>
  static T Identity() { return T(1); }
  template <typename T>
  static T Combine(T a, T b) { return WrapMul(a, b); }
};
struct MaxR {
  template <typename T>
  static T Identity() {
    if constexpr (std::numeric_limits<T>::has_infinity) {
      return -std::numeric_limits<T>::infinity();
    } else {
      return std::numeric_limits<T>::lowest();
    }
  }
  template <typename T>
  static T Combine(T a, T b) { return MaxNaN(a, b); }
};
struct MinR {
  template <typename T>
  static T Identity() {
    if constexpr (std::numeric_limits<T>::has_infinity) {
      return std::numeric_limits<T>::infinity();
    } else {
      return std::numeric_limits<T>::max();
    }
  }
  template <typename T>
  static T Combine(T a, T b) { return MinNaN(a, b); }
};
struct AllR {
  template <typename T>
  static T Identity() { return true; }
  template <typename T>
  static T Combine(T a, T b) { return a && b; }
};
struct AnyR {
  template <typename T>
  static T Identity() { return false; }
  template <typename T>
  static T Combine(T a, T b) { return a || b; }
};

// Folds a contiguous row into one value, with independent accumulators so
// the loop vectorizes.
template <typename R, typename T>
T ReduceRow(const T* x, int64_t n) {
  constexpr int kLanes = 16;
  T acc[kLanes];
  for (int k = 0; k < kLanes; ++k) acc[k] = R::template Identity<T>();
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int k = 0; k < kLanes; ++k) acc[k] = R::Combine(acc[k], x[i + k]);
  T r = R::template Identity<T>();
  for (; i < n; ++i) r = R::Combine(r, x[i]);
  for (int k = 0; k < kLanes; ++k) r = R::Combine(r, acc[k]);
  return r;
}

// The simplified reduction: dims alternate between kept and reduced.
struct Plan {
  std::vector<int64_t> dims;
  std::vector<bool> reduced;
  std::vector<int64_t> in_strides, out_strides;  // out stride 0 on reduced dims
};

// Folds the block described by dims/strides[d..] of `in` into `out`.
template <typename R, typename T>
void ReduceBlock(const Plan& p, const std::vector<int64_t>& dims, size_t d, const T* in, T* out) {
  const int64_t n = dims[d];
  if (d + 1 == dims.size()) {
    if (p.reduced[d]) {
      out[0] = R::Combine(out[0], ReduceRow<R>(in, n));
    } else {
      T* __restrict o = out;
      VecFor(n, [&](int64_t j) { o[j] = R::Combine(o[j], in[j]); });
    }
    return;
  }
  for (int64_t i = 0; i < n; ++i)
    ReduceBlock<R>(p, dims, d + 1, in + i * p.in_strides[d], out + i * p.out_strides[d]);
}

// Reads the reduction indices: TensorFlow's checks and messages.
Status ReducedAxes(const Tensor& axes, int rank, std::vector<bool>* reduced) {
  reduced->assign(static_cast<size_t>(rank), false);
  const int64_t n = axes.num_elements();
  for (int64_t i = 0; i < n; ++i) {
    int64_t a = axes.dtype() == DT_INT32 ? axes.flat<int32_t>()[i] : axes.flat<int64_t>()[i];
    if (a < -rank || a >= rank)
      return errors::InvalidArgument("Invalid reduction dimension (", a, " for input with ", rank,
                                     " dimension(s)");
    if (a < 0) a += rank;
    if ((*reduced)[a])
      return errors::InvalidArgument(
          "Invalid reduction arguments: Axes contains duplicate dimension: ", a);
    (*reduced)[a] = true;
  }
  return OkStatus();
}

template <typename T, typename R, bool kMean>
class ReductionKernel final : public OpKernel {
 public:
  explicit ReductionKernel(bool keep_dims) : keep_dims_(keep_dims) {}

  Status Compute(OpKernelContext& ctx) const override {
    const Tensor& in = ctx.input(0);
    const Tensor& axes = ctx.input(1);
    if (axes.dtype() != DT_INT32 && axes.dtype() != DT_INT64)
      return errors::InvalidArgument("reduction_indices must be int32 or int64, got ",
                                     DataTypeName(axes.dtype()));
    const int rank = in.shape().rank();
    std::vector<bool> reduced;
    TFPORT_RETURN_IF_ERROR(ReducedAxes(axes, rank, &reduced));

    std::vector<int64_t> out_dims;
    Plan p;
    int64_t count = 1;  // input elements per output element
    for (int i = 0; i < rank; ++i) {
      const int64_t n = in.shape().dim(i);
      if (reduced[i]) {
        count *= n;
        if (keep_dims_) out_dims.push_back(1);
      } else {
        out_dims.push_back(n);
      }
      if (n == 1) continue;
      if (!p.dims.empty() && p.reduced.back() == reduced[i]) {
        p.dims.back() *= n;
      } else {
        p.dims.push_back(n);
        p.reduced.push_back(reduced[i]);
      }
    }
    Shape out_shape(std::move(out_dims));
    if (std::find(p.reduced.begin(), p.reduced.end(), true) == p.reduced.end()) {
      // Nothing to fold: the output is the input, reshaped.
      TFPORT_ASSIGN_OR_RETURN(Tensor same, in.Reshaped(out_shape));
      ctx.set_output(0, std::move(same));
      return OkStatus();
    }
    TFPORT_ASSIGN_OR_RETURN(Tensor out, Tensor::Allocate(in.dtype(), out_shape, false));
    const int64_t out_size = out.num_elements();
    T* o = out.flat<T>().data();
    std::fill(o, o + out_size, R::template Identity<T>());
    if (in.num_elements() > 0) Run(ctx, p, in.flat<T>().data(), o, out_size);
    if constexpr (kMean) {
      const T divisor = static_cast<T>(count);
      if constexpr (std::is_integral_v<T>) {
        for (int64_t i = 0; i < out_size; ++i) o[i] = divisor == 0 ? T(0) : static_cast<T>(o[i] / divisor);
      } else {
        for (int64_t i = 0; i < out_size; ++i) o[i] /= divisor;
      }
    }
    ctx.set_output(0, std::move(out));
    return OkStatus();
  }

 private:
  static void Run(OpKernelContext& ctx, Plan& p, const T* in, T* out, int64_t out_size) {
    const size_t m = p.dims.size();
    p.in_strides.assign(m, 0);
    p.out_strides.assign(m, 0);
    int64_t in_stride = 1, out_stride = 1;
    for (size_t d = m; d-- > 0;) {
      p.in_strides[d] = in_stride;
      in_stride *= p.dims[d];
      if (!p.reduced[d]) {
        p.out_strides[d] = out_stride;
        out_stride *= p.dims[d];
      }
    }
    const int64_t total = in_stride;
    ThreadPool* pool = ctx.intra_op_pool();
    const size_t threads = pool ? pool->num_threads() + 1 : 1;
    if (threads == 1 || total < kParallelMinElements) {
      ReduceBlock<R>(p, p.dims, 0, in, out);
      return;
    }
    // Split the largest kept dim when it gives every thread work (outputs
    // are disjoint); otherwise split the largest reduced dim into partial
    // results that are folded together at the end.
    size_t kept = m, red = m;
    for (size_t d = 0; d < m; ++d) {
      size_t& best = p.reduced[d] ? red : kept;
      if (best == m || p.dims[d] > p.dims[best]) best = d;
    }
    const bool by_kept = kept != m && static_cast<size_t>(p.dims[kept]) >= threads;
    const size_t s = by_kept ? kept : red;
    const int64_t per_unit = total / p.dims[s];
    std::mutex mu;
    ParallelRange(ctx, p.dims[s], per_unit, [&](int64_t begin, int64_t end) {
      std::vector<int64_t> dims = p.dims;
      dims[s] = end - begin;
      const T* in_part = in + begin * p.in_strides[s];
      if (by_kept) {
        ReduceBlock<R>(p, dims, 0, in_part, out + begin * p.out_strides[s]);
        return;
      }
      std::unique_ptr<T[]> part(new T[static_cast<size_t>(out_size)]);
      std::fill(part.get(), part.get() + out_size, R::template Identity<T>());
      ReduceBlock<R>(p, dims, 0, in_part, part.get());
      std::lock_guard<std::mutex> lock(mu);
      for (int64_t i = 0; i < out_size; ++i) out[i] = R::Combine(out[i], part[i]);
    });
  }

  bool keep_dims_;
};

template <typename R, bool kMean, typename List>
void RegisterReduction(KernelRegistry& r, const char* op, List types) {
  MustRegister(r, op, [types](const graph::Node& node) -> Result<std::unique_ptr<OpKernel>> {
    TFPORT_ASSIGN_OR_RETURN(bool keep_dims, graph::GetBoolAttr(node.def(), "keep_dims"));
    DataType dtype = DT_BOOL;
    if (graph::FindAttr(node.def(), "T") != nullptr) {
      TFPORT_ASSIGN_OR_RETURN(dtype, TypeAttr(node));
    }
    return MakeTyped(types, dtype, node, [&]<typename T>() -> std::unique_ptr<OpKernel> {
      return std::make_unique<ReductionKernel<T, R, kMean>>(keep_dims);
    });
  });
}

// ---------------------------------------------------------------- ArgMax/ArgMin

// The index of the first maximum (Max) or minimum along `axis`, as
// TensorFlow's sequential reduction finds it: a candidate replaces the best
// so far only when strictly greater (less), starting from the type's lowest
// (highest) value at index 0 — so NaNs are never chosen unless every value
// is NaN, which gives index 0.
template <typename T, bool kMax>
Status ArgReduce(OpKernelContext& ctx, DataType ot) {
  const Tensor& in = ctx.input(0);
  const Tensor& dim = ctx.input(1);
  if (dim.shape().rank() != 0)
    return errors::InvalidArgument("dim must be a scalar, but received tensor of shape: ",
                                   dim.shape().DebugString());
  const int64_t d = dim.dtype() == DT_INT32 ? dim.scalar<int32_t>() : dim.scalar<int64_t>();
  const int rank = in.shape().rank();
  const int64_t axis = d < 0 ? d + rank : d;
  if (axis < 0 || axis >= rank)
    return errors::InvalidArgument("Expected dimension in the range [", -rank, ", ", rank,
                                   "), but got ", d);
  const int64_t n = in.shape().dim(static_cast<int>(axis));
  if (n == 0)
    return errors::InvalidArgument("Reduction axis ", d, " is empty in shape ",
                                   in.shape().DebugString());
  std::vector<int64_t> out_dims = in.shape().dims();
  out_dims.erase(out_dims.begin() + axis);
  int64_t outer = 1, inner = 1;
  for (int i = 0; i < axis; ++i) outer *= in.shape().dim(i);
  for (int i = static_cast<int>(axis) + 1; i < rank; ++i) inner *= in.shape().dim(i);

  TFPORT_ASSIGN_OR_RETURN(Tensor out, Tensor::Allocate(ot, Shape(out_dims), false));
  std::vector<int64_t> idx64;
  int64_t* idx;
  if (ot == DT_INT64) {
    idx = out.flat<int64_t>().data();
  } else {
    idx64.resize(static_cast<size_t>(outer * inner));
    idx = idx64.data();
  }
  const T* x = in.flat<T>().data();
  constexpr T kStart = kMax ? std::numeric_limits<T>::lowest() : std::numeric_limits<T>::max();
  auto better = [](T v, T best) { return kMax ? v > best : v < best; };
  // Work is split over `outer`, or over `inner` when there is one outer row.
  const bool by_outer = outer > 1;
  ParallelRange(ctx, by_outer ? outer : inner, n * (by_outer ? inner : 1), [&](int64_t b, int64_t e) {
    const int64_t o_begin = by_outer ? b : 0, o_end = by_outer ? e : 1;
    const int64_t j_begin = by_outer ? 0 : b, j_end = by_outer ? inner : e;
    const int64_t width = j_end - j_begin;
    std::vector<T> best(static_cast<size_t>(width));
    for (int64_t o = o_begin; o < o_end; ++o) {
      const T* row = x + o * n * inner + j_begin;
      int64_t* __restrict out_row = idx + o * inner + j_begin;
      if (inner == 1) {
        T bv = kStart;
        int64_t bi = 0;
        for (int64_t a = 0; a < n; ++a)
          if (better(row[a], bv)) bv = row[a], bi = a;
        out_row[0] = bi;
        continue;
      }
      std::fill(best.begin(), best.end(), kStart);
      std::fill(out_row, out_row + width, int64_t{0});
      T* __restrict bp = best.data();
      for (int64_t a = 0; a < n; ++a) {
        const T* v = row + a * inner;
        VecFor(width, [&](int64_t j) {
          const bool take = better(v[j], bp[j]);
          bp[j] = take ? v[j] : bp[j];
          out_row[j] = take ? a : out_row[j];
        });
      }
    }
  });
  if (ot == DT_INT32) {
    int32_t* o32 = out.flat<int32_t>().data();
    for (size_t i = 0; i < idx64.size(); ++i) o32[i] = static_cast<int32_t>(idx64[i]);
  }
  ctx.set_output(0, std::move(out));
  return OkStatus();
}

template <bool kMax>
void RegisterArg(KernelRegistry& r, const char* op) {
  MustRegister(r, op, [](const graph::Node& node) -> Result<std::unique_ptr<OpKernel>> {
    TFPORT_ASSIGN_OR_RETURN(DataType dtype, TypeAttr(node));
    TFPORT_ASSIGN_OR_RETURN(DataType ot, TypeAttr(node, "output_type"));
    if (ot != DT_INT32 && ot != DT_INT64) return runtime::NoKernelFor(node);
    return MakeTyped(RealTypes{}, dtype, node, [&]<typename T>() -> std::unique_ptr<OpKernel> {
      return std::make_unique<FunctionKernel>(
          [ot](OpKernelContext& ctx) { return ArgReduce<T, kMax>(ctx, ot); });
    });
  });
}

// ---------------------------------------------------------------- UnsortedSegmentSum

// output[segment_ids[i], ...] += data[i, ...] over the leading dims that
// segment_ids covers; output has num_segments rows (zeros where no id
// points). Ids outside [0, num_segments) are errors, as in TensorFlow 1.x.
template <typename T>
Status UnsortedSegmentSum(OpKernelContext& ctx) {
  const Tensor& data = ctx.input(0);
  const Tensor& ids = ctx.input(1);
  const Tensor& num = ctx.input(2);
  if (num.shape().rank() != 0)
    return errors::InvalidArgument("num_segments should be a scalar, not shape ",
                                   num.shape().DebugString());
  TFPORT_ASSIGN_OR_RETURN(int64_t segments, array::IntScalar(num, "num_segments"));
  if (segments < 0)
    return errors::InvalidArgument("Input num_segments == ", segments, " must not be negative.");
  const Shape& ds = data.shape();
  const Shape& is = ids.shape();
  bool prefix = is.rank() <= ds.rank();
  for (int k = 0; prefix && k < is.rank(); ++k) prefix = is.dim(k) == ds.dim(k);
  if (!prefix)
    return errors::InvalidArgument("data.shape = ", ds.DebugString(),
                                   " does not start with segment_ids.shape = ", is.DebugString());
  TFPORT_ASSIGN_OR_RETURN(std::vector<int64_t> id, array::IntValues(ids, "segment_ids"));
  std::vector<int64_t> dims{segments};
  for (int k = is.rank(); k < ds.rank(); ++k) dims.push_back(ds.dim(k));
  TFPORT_ASSIGN_OR_RETURN(Shape out_shape, array::MakeShape(dims));
  for (size_t i = 0; i < id.size(); ++i)
    if (id[i] < 0 || id[i] >= segments)
      return errors::InvalidArgument("segment_ids", array::IndexString(is, static_cast<int64_t>(i)),
                                     " = ", id[i], " is out of range [0, ", segments, ")");
  TFPORT_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, data.dtype(), out_shape));
  if (id.empty()) return OkStatus();
  const auto inner = static_cast<size_t>(data.num_elements() / static_cast<int64_t>(id.size()));
  auto in = data.flat<T>();
  auto o = out->flat<T>();
  for (size_t i = 0; i < id.size(); ++i) {
    T* dst = o.data() + static_cast<size_t>(id[i]) * inner;
    const T* src = in.data() + i * inner;
    for (size_t k = 0; k < inner; ++k) dst[k] = WrapAdd(dst[k], src[k]);
  }
  return OkStatus();
}

using SegmentTypes = ConcatT<RealTypes, Types<std::complex<float>, std::complex<double>>>;

}  // namespace

void RegisterReductionKernels(KernelRegistry& r) {
  RegisterReduction<SumR, false>(r, "Sum", RealTypes{});
  RegisterReduction<SumR, true>(r, "Mean", RealTypes{});
  RegisterReduction<ProdR, false>(r, "Prod", RealTypes{});
  RegisterReduction<MaxR, false>(r, "Max", RealTypes{});
  RegisterReduction<MinR, false>(r, "Min", RealTypes{});
  RegisterReduction<AllR, false>(r, "All", Types<bool>{});
  RegisterReduction<AnyR, false>(r, "Any", Types<bool>{});
  RegisterArg<true>(r, "ArgMax");
  RegisterArg<false>(r, "ArgMin");
  MustRegister(r, "UnsortedSegmentSum",
               [](const graph::Node& node) -> Result<std::unique_ptr<OpKernel>> {
                 TFPORT_ASSIGN_OR_RETURN(DataType dtype, TypeAttr(node));
                 return MakeTyped(SegmentTypes{}, dtype, node,
                                  [&]<typename T>() -> std::unique_ptr<OpKernel> {
                                    return std::make_unique<FunctionKernel>(UnsortedSegmentSum<T>);
                                  });
               });
}

}  // namespace tfport::kernels::math
