// MatMul, BatchMatMul and BatchMatMulV2, and the GEMM the nn kernels share.
//
// float runs on oneDNN's dnnl_sgemm; half and bfloat16 are widened to float,
// multiplied there and rounded once; double, int32, int64 and the complex
// types use a blocked reference loop. Integer products wrap around like
// TensorFlow's (computed in unsigned arithmetic, so never undefined).
#include <omp.h>
#include <oneapi/dnnl/dnnl.h>

#include <algorithm>
#include <complex>
#include <type_traits>
#include <vector>

#include "kernels/nn/nn_internal.h"

namespace tfport::kernels::nn {
namespace {

using graph::NodeLocation;

template <typename T>
struct IsComplex : std::false_type {};
template <typename T>
struct IsComplex<std::complex<T>> : std::true_type {};

template <typename T>
T Conj(const T& v) {
  if constexpr (IsComplex<T>::value) {
    return std::conj(v);
  } else {
    return v;
  }
}

// c + a * b, wrapping for integers.
template <typename T>
inline T MulAdd(T c, T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(c) + static_cast<U>(a) * static_cast<U>(b));
  } else {
    return c + a * b;
  }
}

// The reference GEMM: packs op(A) and op(B) row-major, then accumulates
// C row by row, K in blocks so a slab of B stays in cache.
template <typename T>
void GemmRef(bool trans_a, bool trans_b, bool conj, int64_t m, int64_t n, int64_t k, const T* a,
             int64_t lda, const T* b, int64_t ldb, T* c, int64_t ldc, ThreadPool* pool) {
  std::vector<T> pa, pb;
  const T* A = a;
  const T* B = b;
  int64_t sa = lda, sb = ldb;
  if (trans_a) {
    pa.resize(static_cast<size_t>(m * k));
    for (int64_t p = 0; p < k; ++p)
      for (int64_t i = 0; i < m; ++i)
        pa[static_cast<size_t>(i * k + p)] = conj ? Conj(a[p * lda + i]) : a[p * lda + i];
    A = pa.data();
    sa = k;
  }
  if (trans_b) {
    pb.resize(static_cast<size_t>(k * n));
    for (int64_t j = 0; j < n; ++j)
      for (int64_t p = 0; p < k; ++p)
        pb[static_cast<size_t>(p * n + j)] = conj ? Conj(b[j * ldb + p]) : b[j * ldb + p];
    B = pb.data();
    sb = n;
  }
  ParallelFor(pool, m, n * k, [&](int64_t i0, int64_t i1) {
    constexpr int64_t kBlock = 128;
    for (int64_t i = i0; i < i1; ++i) std::fill(c + i * ldc, c + i * ldc + n, T{});
    for (int64_t p0 = 0; p0 < k; p0 += kBlock) {
      const int64_t p1 = std::min(k, p0 + kBlock);
      for (int64_t i = i0; i < i1; ++i) {
        T* crow = c + i * ldc;
        for (int64_t p = p0; p < p1; ++p) {
          const T av = A[i * sa + p];
          const T* brow = B + p * sb;
          for (int64_t j = 0; j < n; ++j) crow[j] = MulAdd(crow[j], av, brow[j]);
        }
      }
    }
  });
}

}  // namespace

template <typename T>
Status Gemm(bool trans_a, bool trans_b, bool conj, int64_t m, int64_t n, int64_t k, const T* a,
            int64_t lda, const T* b, int64_t ldb, T* c, int64_t ldc, ThreadPool* pool,
            bool reference) {
  if (m <= 0 || n <= 0) return OkStatus();
  if (k <= 0) {
    for (int64_t i = 0; i < m; ++i) std::fill(c + i * ldc, c + i * ldc + n, T{});
    return OkStatus();
  }
  if constexpr (std::is_same_v<T, float>) {
    if (reference) {
      GemmRef<T>(trans_a, trans_b, conj, m, n, k, a, lda, b, ldb, c, ldc, pool);
      return OkStatus();
    }
    (void)conj;
    omp_set_num_threads(IntraOpThreads(pool));  // oneDNN threads the call itself
    dnnl_status_t s = dnnl_sgemm(trans_a ? 'T' : 'N', trans_b ? 'T' : 'N', m, n, k, 1.0f, a, lda,
                                 b, ldb, 0.0f, c, ldc);
    if (s != dnnl_success)
      return errors::Internal("dnnl_sgemm failed with status ", static_cast<int>(s), " (M=", m,
                              ", N=", n, ", K=", k, ")");
  } else {
    GemmRef<T>(trans_a, trans_b, conj, m, n, k, a, lda, b, ldb, c, ldc, pool);
  }
  return OkStatus();
}

#define TFPORT_INSTANTIATE_GEMM(T)                                                               \
  template Status Gemm<T>(bool, bool, bool, int64_t, int64_t, int64_t, const T*, int64_t,        \
                          const T*, int64_t, T*, int64_t, ThreadPool*, bool);
TFPORT_INSTANTIATE_GEMM(float)
TFPORT_INSTANTIATE_GEMM(double)
TFPORT_INSTANTIATE_GEMM(int32_t)
TFPORT_INSTANTIATE_GEMM(int64_t)
TFPORT_INSTANTIATE_GEMM(std::complex<float>)
TFPORT_INSTANTIATE_GEMM(std::complex<double>)
#undef TFPORT_INSTANTIATE_GEMM

namespace {

// Calls fn.template operator()<T>() for the dtypes MatMul supports on CPU
// (half and bfloat16 are handled by the callers through float).
template <typename F>
Status DispatchMatMul(DataType dtype, F&& fn) {
  switch (dtype) {
    case DT_FLOAT:
      return fn.template operator()<float>();
    case DT_DOUBLE:
      return fn.template operator()<double>();
    case DT_INT32:
      return fn.template operator()<int32_t>();
    case DT_INT64:
      return fn.template operator()<int64_t>();
    case DT_COMPLEX64:
      return fn.template operator()<std::complex<float>>();
    case DT_COMPLEX128:
      return fn.template operator()<std::complex<double>>();
    default:
      return errors::InvalidArgument("dtype ", DataTypeName(dtype), " is not supported by MatMul");
  }
}

bool MatMulTypeSupported(DataType t) {
  return t == DT_FLOAT || t == DT_DOUBLE || t == DT_INT32 || t == DT_INT64 ||
         t == DT_COMPLEX64 || t == DT_COMPLEX128 || IsHalfLike(t);
}

// One batch of a (batch) matmul: the two operands and the output, all
// row-major, with element offsets per batch.
struct BatchPlan {
  int64_t m = 0, n = 0, k = 0;
  bool trans_a = false, trans_b = false, conj = false;
  bool reference = false;  // the blocked loop for float too
  int64_t lda = 0, ldb = 0;
  std::vector<int64_t> a_offset, b_offset;  // per output batch, in elements
};

template <typename T>
Status RunBatches(const BatchPlan& plan, const T* a, const T* b, T* c, ThreadPool* pool) {
  const auto batches = static_cast<int64_t>(plan.a_offset.size());
  const int64_t out_stride = plan.m * plan.n;
  auto one = [&](int64_t i, ThreadPool* p) {
    return Gemm<T>(plan.trans_a, plan.trans_b, plan.conj, plan.m, plan.n, plan.k,
                   a + plan.a_offset[static_cast<size_t>(i)], plan.lda,
                   b + plan.b_offset[static_cast<size_t>(i)], plan.ldb, c + i * out_stride,
                   plan.n, p, plan.reference);
  };
  if constexpr (!std::is_same_v<T, float>) {
    // Many small matrices: split over batches, each product on one thread.
    if (batches > 1 && pool != nullptr && pool->num_threads() > 0) {
      ParallelFor(pool, batches, plan.m * plan.n * plan.k, [&](int64_t b0, int64_t b1) {
        for (int64_t i = b0; i < b1; ++i) one(i, nullptr).IgnoreError();  // only float can fail
      });
      return OkStatus();
    }
  }
  for (int64_t i = 0; i < batches; ++i) TFPORT_RETURN_IF_ERROR(one(i, pool));
  return OkStatus();
}

// Multiplies per plan into a fresh output of `dtype` and `out_shape`.
Status RunPlan(OpKernelContext& ctx, DataType dtype, const BatchPlan& plan, const Tensor& x,
               const Tensor& y, const Shape& out_shape) {
  TFPORT_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, dtype, out_shape));
  if (out->num_elements() == 0) return OkStatus();
  ThreadPool* pool = ctx.intra_op_pool();
  if (IsHalfLike(dtype)) {
    TFPORT_ASSIGN_OR_RETURN(Tensor xf, ToFloat(x));
    TFPORT_ASSIGN_OR_RETURN(Tensor yf, ToFloat(y));
    TFPORT_ASSIGN_OR_RETURN(Tensor of, Tensor::Allocate(DT_FLOAT, out_shape, false));
    TFPORT_RETURN_IF_ERROR(RunBatches<float>(plan, xf.flat<float>().data(),
                                             yf.flat<float>().data(), of.flat<float>().data(),
                                             pool));
    FromFloat(of, out);
    return OkStatus();
  }
  return DispatchMatMul(dtype, [&]<typename T>() {
    return RunBatches<T>(plan, x.flat<T>().data(), y.flat<T>().data(), out->flat<T>().data(),
                         pool);
  });
}

Result<std::unique_ptr<OpKernel>> MakeMatMul(const graph::Node& node, bool reference) {
  TFPORT_ASSIGN_OR_RETURN(DataType dtype, graph::GetTypeAttr(node.def(), "T"));
  TFPORT_ASSIGN_OR_RETURN(bool ta, graph::GetBoolAttr(node.def(), "transpose_a"));
  TFPORT_ASSIGN_OR_RETURN(bool tb, graph::GetBoolAttr(node.def(), "transpose_b"));
  if (!MatMulTypeSupported(dtype)) return runtime::NoKernelFor(node);
  return std::unique_ptr<OpKernel>(new FunctionKernel([=](OpKernelContext& ctx) -> Status {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    TFPORT_RETURN_IF_ERROR(CheckInputType(a, dtype, 0));
    TFPORT_RETURN_IF_ERROR(CheckInputType(b, dtype, 1));
    if (a.shape().rank() != 2)
      return errors::InvalidArgument("In[0] is not a matrix. Instead it has shape ",
                                     a.shape().DebugString());
    if (b.shape().rank() != 2)
      return errors::InvalidArgument("In[1] is not a matrix. Instead it has shape ",
                                     b.shape().DebugString());
    const int64_t ka = a.shape().dim(ta ? 0 : 1), kb = b.shape().dim(tb ? 1 : 0);
    if (ka != kb)
      return errors::InvalidArgument("Matrix size-incompatible: In[0]: ", a.shape().DebugString(),
                                     ", In[1]: ", b.shape().DebugString());
    BatchPlan plan;
    plan.reference = reference;
    plan.m = a.shape().dim(ta ? 1 : 0);
    plan.n = b.shape().dim(tb ? 0 : 1);
    plan.k = ka;
    plan.trans_a = ta;
    plan.trans_b = tb;
    plan.lda = a.shape().dim(1);
    plan.ldb = b.shape().dim(1);
    plan.a_offset = {0};
    plan.b_offset = {0};
    return RunPlan(ctx, dtype, plan, a, b, Shape{plan.m, plan.n});
  }));
}

// BatchMatMul (v2 = false: equal ranks and batch dims) and BatchMatMulV2
// (NumPy broadcasting of the batch dims).
Result<std::unique_ptr<OpKernel>> MakeBatchMatMul(const graph::Node& node, bool v2,
                                                  bool reference) {
  TFPORT_ASSIGN_OR_RETURN(DataType dtype, graph::GetTypeAttr(node.def(), "T"));
  TFPORT_ASSIGN_OR_RETURN(bool adj_x, graph::GetBoolAttr(node.def(), "adj_x"));
  TFPORT_ASSIGN_OR_RETURN(bool adj_y, graph::GetBoolAttr(node.def(), "adj_y"));
  if (!MatMulTypeSupported(dtype)) return runtime::NoKernelFor(node);
  return std::unique_ptr<OpKernel>(new FunctionKernel([=](OpKernelContext& ctx) -> Status {
    const Tensor& x = ctx.input(0);
    const Tensor& y = ctx.input(1);
    TFPORT_RETURN_IF_ERROR(CheckInputType(x, dtype, 0));
    TFPORT_RETURN_IF_ERROR(CheckInputType(y, dtype, 1));
    const Shape& xs = x.shape();
    const Shape& ys = y.shape();
    if (!v2 && xs.rank() != ys.rank())
      return errors::InvalidArgument("In[0] and In[1] has different ndims: ", xs.DebugString(),
                                     " vs. ", ys.DebugString());
    if (xs.rank() < 2) return errors::InvalidArgument("In[0] ndims must be >= 2: ", xs.rank());
    if (ys.rank() < 2) return errors::InvalidArgument("In[1] ndims must be >= 2: ", ys.rank());
    const int xr = xs.rank(), yr = ys.rank();
    const int64_t kx = xs.dim(adj_x ? xr - 2 : xr - 1);
    const int64_t ky = ys.dim(adj_y ? yr - 1 : yr - 2);
    // Batch dims, right-aligned.
    const int rank = std::max(xr, yr) - 2;
    std::vector<int64_t> out_dims(static_cast<size_t>(rank));
    std::vector<int64_t> xd(static_cast<size_t>(rank), 1), yd(static_cast<size_t>(rank), 1);
    for (int i = 0; i < rank; ++i) {
      int ix = xr - 2 - rank + i, iy = yr - 2 - rank + i;
      xd[static_cast<size_t>(i)] = ix >= 0 ? xs.dim(ix) : 1;
      yd[static_cast<size_t>(i)] = iy >= 0 ? ys.dim(iy) : 1;
      int64_t dx = xd[static_cast<size_t>(i)], dy = yd[static_cast<size_t>(i)];
      if (dx != dy && (!v2 || (dx != 1 && dy != 1))) {
        if (!v2)
          return errors::InvalidArgument("In[0].dim(", i, ") and In[1].dim(", i,
                                         ") must be the same: ", xs.DebugString(), " vs ",
                                         ys.DebugString());
        return errors::InvalidArgument("In[0] and In[1] must have compatible batch dimensions: ",
                                       xs.DebugString(), " vs. ", ys.DebugString());
      }
      out_dims[static_cast<size_t>(i)] = dx == 1 ? dy : dx;
    }
    if (kx != ky)
      return errors::InvalidArgument("Matrix size-incompatible: In[0]: ", xs.DebugString(),
                                     ", In[1]: ", ys.DebugString());
    BatchPlan plan;
    plan.reference = reference;
    plan.m = xs.dim(adj_x ? xr - 1 : xr - 2);
    plan.n = ys.dim(adj_y ? yr - 2 : yr - 1);
    plan.k = kx;
    plan.trans_a = adj_x;
    plan.trans_b = adj_y;
    plan.conj = true;  // adjoint: conjugate transpose for complex types
    plan.lda = xs.dim(xr - 1);
    plan.ldb = ys.dim(yr - 1);
    int64_t batches = 1;
    for (int64_t d : out_dims) batches *= d;
    Shape out_shape(out_dims);
    out_shape.AddDim(plan.m);
    out_shape.AddDim(plan.n);
    if (batches > 0 && plan.m > 0 && plan.n > 0) {
      // Element offset of each output batch in x and y (broadcast dims step 0).
      const int64_t xmat = xs.dim(xr - 2) * xs.dim(xr - 1), ymat = ys.dim(yr - 2) * ys.dim(yr - 1);
      plan.a_offset.resize(static_cast<size_t>(batches));
      plan.b_offset.resize(static_cast<size_t>(batches));
      std::vector<int64_t> idx(static_cast<size_t>(rank), 0);
      for (int64_t bi = 0; bi < batches; ++bi) {
        int64_t xo = 0, yo = 0;
        for (int i = 0; i < rank; ++i) {
          const auto u = static_cast<size_t>(i);
          xo = xo * xd[u] + (xd[u] == 1 ? 0 : idx[u]);
          yo = yo * yd[u] + (yd[u] == 1 ? 0 : idx[u]);
        }
        plan.a_offset[static_cast<size_t>(bi)] = xo * xmat;
        plan.b_offset[static_cast<size_t>(bi)] = yo * ymat;
        for (int i = rank - 1; i >= 0; --i) {  // next index, row-major
          if (++idx[static_cast<size_t>(i)] < out_dims[static_cast<size_t>(i)]) break;
          idx[static_cast<size_t>(i)] = 0;
        }
      }
    }
    return RunPlan(ctx, dtype, plan, x, y, out_shape);
  }));
}

}  // namespace

void RegisterMatMulKernels(KernelRegistry& r, bool reference) {
  auto add = reference ? MustReplace : MustRegister;
  add(r, "MatMul", [=](const graph::Node& n) { return MakeMatMul(n, reference); });
  add(r, "BatchMatMul",
      [=](const graph::Node& n) { return MakeBatchMatMul(n, /*v2=*/false, reference); });
  add(r, "BatchMatMulV2",
      [=](const graph::Node& n) { return MakeBatchMatMul(n, /*v2=*/true, reference); });
}

}  // namespace tfport::kernels::nn
