// Select (TF1: condition of the same shape, a scalar, or a vector choosing
// rows), SelectV2 (condition, then and else broadcast together), AddN and
// Cast.
#include <bit>
#include <cstring>
#include <limits>

#include "kernels/math/math_internal.h"

namespace tfport::kernels::math {
namespace {

// ---------------------------------------------------------------- Select

// Calls fn.template operator()<E>() with a type of the element's size
// (selection only moves elements) or std::string.
template <typename Fn>
Status DispatchElem(DataType dtype, Fn&& fn) {
  struct Pair { uint64_t a, b; };
  if (dtype == DT_STRING) return fn.template operator()<std::string>();
  if (!IsMemcpyType(dtype))
    return errors::Unimplemented("Select does not support dtype ", DataTypeName(dtype));
  switch (DataTypeSize(dtype)) {
    case 1: return fn.template operator()<uint8_t>();
    case 2: return fn.template operator()<uint16_t>();
    case 4: return fn.template operator()<uint32_t>();
    case 8: return fn.template operator()<uint64_t>();
    case 16: return fn.template operator()<Pair>();
    default: return errors::Unimplemented("Select does not support dtype ", DataTypeName(dtype));
  }
}

template <typename E>
const E* Elems(const Tensor& t) {
  if constexpr (std::is_same_v<E, std::string>) {
    return t.flat<std::string>().data();
  } else {
    return static_cast<const E*>(t.data());
  }
}
template <typename E>
E* Elems(Tensor& t) {
  if constexpr (std::is_same_v<E, std::string>) {
    return t.flat<std::string>().data();
  } else {
    return static_cast<E*>(t.data());
  }
}

// out = cond ? then : else over `plan` (operands: cond, then, else); the
// plan may view cond with extra size-1 dims (batch Select).
Status SelectWithPlan(OpKernelContext& ctx, const BroadcastPlan& plan, const Tensor& cond,
                      const Tensor& then, const Tensor& els) {
  TFPORT_ASSIGN_OR_RETURN(Tensor out, Tensor::Allocate(then.dtype(), plan.out_shape, false));
  const bool* c = cond.flat<bool>().data();
  Status s = DispatchElem(then.dtype(), [&]<typename E>() {
    const E* t = Elems<E>(then);
    const E* e = Elems<E>(els);
    E* __restrict o = Elems<E>(out);
    const int64_t cost = std::is_same_v<E, std::string> ? 8 : 1;
    ParallelRange(ctx, plan.total, cost, [&](int64_t begin, int64_t end) {
      plan.ForEachRun(begin, end, [&](const auto& off, int64_t pos, int64_t n) {
        const bool* cs = c + off[0];
        const E* ts = t + off[1];
        const E* es = e + off[2];
        E* __restrict os = o + pos;
        const auto& b = plan.inner_bcast;
        if (!b[0] && !b[1] && !b[2]) {
          VecFor(n, [&](int64_t i) { os[i] = cs[i] ? ts[i] : es[i]; });
        } else if (b[0] && !b[1] && !b[2]) {
          std::copy(cs[0] ? ts : es, (cs[0] ? ts : es) + n, os);
        } else {
          for (int64_t i = 0; i < n; ++i)
            os[i] = cs[b[0] ? 0 : i] ? ts[b[1] ? 0 : i] : es[b[2] ? 0 : i];
        }
      });
    });
    return OkStatus();
  });
  if (!s.ok()) return s;
  ctx.set_output(0, std::move(out));
  return OkStatus();
}

Status SameShapeError(const OpKernelContext& ctx, const Tensor& a, int i, const Tensor& b) {
  return errors::InvalidArgument("Inputs to operation ", ctx.node().name(), " of type ",
                                 ctx.node().op(), " must have the same size and shape.  Input 0: ",
                                 a.shape().DebugString(), " != input ", i, ": ",
                                 b.shape().DebugString());
}

Status SelectV1(OpKernelContext& ctx) {
  const Tensor& cond = ctx.input(0);
  const Tensor& then = ctx.input(1);
  const Tensor& els = ctx.input(2);
  auto then_else_error = [&] {
    return errors::InvalidArgument("'then' and 'else' must have the same size.  but received: ",
                                   then.shape().DebugString(), " vs. ", els.shape().DebugString());
  };
  if (cond.shape().rank() == 0) {
    if (!(then.shape() == els.shape())) return then_else_error();
    ctx.set_output(0, cond.scalar<bool>() ? then : els);
    return OkStatus();
  }
  if (cond.shape().rank() == 1 && then.shape().rank() != 1) {
    // One condition per row of then/else.
    if (then.shape().rank() == 0)
      return errors::InvalidArgument("'then' must be at least a vector, but saw shape: ",
                                     then.shape().DebugString());
    if (then.shape().dim(0) != cond.num_elements())
      return errors::InvalidArgument(
          "Number of batches of 'then' must match size of 'cond', but saw: ", then.shape().dim(0),
          " vs. ", cond.num_elements());
    if (!(then.shape() == els.shape())) return then_else_error();
    std::vector<int64_t> cond_dims(static_cast<size_t>(then.shape().rank()), 1);
    cond_dims[0] = cond.num_elements();
    BroadcastPlan plan;
    MakeBroadcastPlan({Shape(cond_dims), then.shape(), els.shape()}, &plan);
    return SelectWithPlan(ctx, plan, cond, then, els);
  }
  if (!(cond.shape() == then.shape())) return SameShapeError(ctx, cond, 1, then);
  if (!(cond.shape() == els.shape())) return SameShapeError(ctx, cond, 2, els);
  BroadcastPlan plan;
  MakeBroadcastPlan({cond.shape(), then.shape(), els.shape()}, &plan);
  return SelectWithPlan(ctx, plan, cond, then, els);
}

Status SelectV2(OpKernelContext& ctx) {
  const Tensor& cond = ctx.input(0);
  const Tensor& then = ctx.input(1);
  const Tensor& els = ctx.input(2);
  BroadcastPlan plan;
  if (!MakeBroadcastPlan({cond.shape(), then.shape(), els.shape()}, &plan))
    return errors::InvalidArgument("condition ", cond.shape().DebugString(), ", then ",
                                   then.shape().DebugString(), ", and else ",
                                   els.shape().DebugString(), " must be broadcastable");
  return SelectWithPlan(ctx, plan, cond, then, els);
}

// ---------------------------------------------------------------- AddN

template <typename T>
Status AddN(OpKernelContext& ctx) {
  const int n = ctx.num_inputs();
  const Tensor& first = ctx.input(0);
  for (int i = 1; i < n; ++i)
    if (!(ctx.input(i).shape() == first.shape())) return SameShapeError(ctx, first, i, ctx.input(i));
  if (n == 1) {
    ctx.set_output(0, first);
    return OkStatus();
  }
  TFPORT_ASSIGN_OR_RETURN(Tensor out, Tensor::Allocate(first.dtype(), first.shape(), false));
  T* __restrict o = out.flat<T>().data();
  ParallelRange(ctx, first.num_elements(), n, [&](int64_t begin, int64_t end) {
    const T* a = ctx.input(0).flat<T>().data() + begin;
    const T* b = ctx.input(1).flat<T>().data() + begin;
    T* __restrict os = o + begin;
    VecFor(end - begin, [&](int64_t i) { os[i] = WrapAdd(a[i], b[i]); });
    for (int k = 2; k < n; ++k) {
      const T* c = ctx.input(k).flat<T>().data() + begin;
      VecFor(end - begin, [&](int64_t i) { os[i] = WrapAdd(os[i], c[i]); });
    }
  });
  ctx.set_output(0, std::move(out));
  return OkStatus();
}

// ---------------------------------------------------------------- Cast

// TensorFlow's DataTypeString ("float", not NumPy's "float32").
std::string TfTypeName(DataType t) {
  switch (t) {
    case DT_FLOAT: return "float";
    case DT_DOUBLE: return "double";
    case DT_HALF: return "half";
    default: return std::string(NumpyName(t));
  }
}

// Float to integer as x86-64 (where TensorFlow runs) converts: truncation
// toward zero; NaN and values out of range give the "integer indefinite"
// value of the 32- or 64-bit conversion instruction, then narrowing wraps.
template <typename D, typename F>
D FloatToInt(F v) {
  auto to_i64 = [](F x) -> int64_t {
    return (x >= F(-0x1p63) && x < F(0x1p63)) ? static_cast<int64_t>(x)
                                             : std::numeric_limits<int64_t>::min();
  };
  if constexpr (std::is_same_v<D, uint64_t>) {
    // Values from 2^63 up are converted as v - 2^63 with the top bit flipped.
    if (v >= F(0x1p63)) return static_cast<uint64_t>(to_i64(v - F(0x1p63))) ^ (uint64_t{1} << 63);
    return static_cast<uint64_t>(to_i64(v));
  } else if constexpr (sizeof(D) >= 4 && !std::is_same_v<D, int32_t>) {  // int64, uint32
    return static_cast<D>(to_i64(v));
  } else {
    const int32_t i = (v >= F(-0x1p31) && v < F(0x1p31)) ? static_cast<int32_t>(v)
                                                         : std::numeric_limits<int32_t>::min();
    return static_cast<D>(i);
  }
}

template <typename D, typename S>
D Convert(S s) {
  if constexpr (std::is_same_v<D, bool>) {
    return s != S(0);
  } else if constexpr (std::is_floating_point_v<S> && std::is_integral_v<D>) {
    return FloatToInt<D>(s);
  } else {
    return static_cast<D>(s);
  }
}

// Truncate=true: drop the mantissa bits the narrower float type cannot hold
// before converting, so the conversion truncates instead of rounding.
template <typename S>
S ZeroLowBits(S v, int bits) {
  using U = std::conditional_t<sizeof(S) == 4, uint32_t, uint64_t>;
  return std::bit_cast<S>(std::bit_cast<U>(v) & ~((U{1} << bits) - 1));
}

using CastTypes = ConcatT<RealTypes, Types<bool>>;

template <typename... Ts, typename Fn>
bool ForType(Types<Ts...>, DataType dtype, Fn&& fn) {
  return ((DataTypeOf<Ts>::value == dtype ? (fn.template operator()<Ts>(), true) : false) || ...);
}

bool IsCastType(DataType t) {
  return t == DT_HALF || t == DT_BFLOAT16 || ForType(CastTypes{}, t, []<typename>() {});
}

// Converts n elements at `src` (dtype `st`) to `dst` (dtype `dt`). Half and
// bfloat16 go through float, as Eigen's conversions do.
void CastRange(const void* src, DataType st, void* dst, DataType dt, bool truncate, int64_t n) {
  if (st == DT_HALF || st == DT_BFLOAT16) {
    std::vector<float> f(static_cast<size_t>(n));
    const uint16_t* bits = static_cast<const uint16_t*>(src);
    for (int64_t i = 0; i < n; ++i)
      f[i] = st == DT_HALF ? Half{bits[i]}.ToFloat() : BFloat16{bits[i]}.ToFloat();
    CastRange(f.data(), DT_FLOAT, dst, dt, truncate, n);
    return;
  }
  if (dt == DT_HALF || dt == DT_BFLOAT16) {
    std::vector<float> f(static_cast<size_t>(n));
    ForType(CastTypes{}, st, [&]<typename S>() {
      const S* s = static_cast<const S*>(src);
      for (int64_t i = 0; i < n; ++i) {
        S v = s[i];
        if constexpr (std::is_same_v<S, double>)
          if (truncate) v = ZeroLowBits(v, 29);
        f[i] = Convert<float>(v);
      }
    });
    uint16_t* out = static_cast<uint16_t*>(dst);
    for (int64_t i = 0; i < n; ++i) {
      const float v = truncate ? ZeroLowBits(f[i], dt == DT_HALF ? 13 : 16) : f[i];
      out[i] = dt == DT_HALF ? Half::FromFloat(v).bits : BFloat16::FromFloat(v).bits;
    }
    return;
  }
  ForType(CastTypes{}, st, [&]<typename S>() {
    ForType(CastTypes{}, dt, [&]<typename D>() {
      const S* s = static_cast<const S*>(src);
      D* __restrict d = static_cast<D*>(dst);
      if constexpr (std::is_same_v<S, double> && std::is_same_v<D, float>) {
        if (truncate) {
          VecFor(n, [&](int64_t i) { d[i] = static_cast<float>(ZeroLowBits(s[i], 29)); });
          return;
        }
      }
      VecFor(n, [&](int64_t i) { d[i] = Convert<D>(s[i]); });
    });
  });
}

Result<std::unique_ptr<OpKernel>> MakeCast(const graph::Node& node) {
  TFPORT_ASSIGN_OR_RETURN(DataType src, TypeAttr(node, "SrcT"));
  TFPORT_ASSIGN_OR_RETURN(DataType dst, TypeAttr(node, "DstT"));
  const tf::AttrValue* t = graph::FindAttr(node.def(), "Truncate");
  const bool truncate = t != nullptr && t->b();
  if (src == dst) {
    return std::unique_ptr<OpKernel>(new FunctionKernel([](OpKernelContext& ctx) {
      ctx.set_output(0, ctx.input(0));
      return OkStatus();
    }));
  }
  if (!IsCastType(src) || !IsCastType(dst))
    return errors::Unimplemented(graph::NodeLocation(node.def()), ": Cast ", TfTypeName(src), " to ",
                                 TfTypeName(dst), " is not supported");
  return std::unique_ptr<OpKernel>(new FunctionKernel([=](OpKernelContext& ctx) -> Status {
    const Tensor& in = ctx.input(0);
    TFPORT_ASSIGN_OR_RETURN(Tensor out, Tensor::Allocate(dst, in.shape(), false));
    ParallelRange(ctx, in.num_elements(), 2, [&](int64_t begin, int64_t end) {
      const size_t in_size = DataTypeSize(src), out_size = DataTypeSize(dst);
      CastRange(static_cast<const std::byte*>(in.data()) + begin * in_size, src,
                static_cast<std::byte*>(out.data()) + begin * out_size, dst, truncate, end - begin);
    });
    ctx.set_output(0, std::move(out));
    return OkStatus();
  }));
}

}  // namespace

void RegisterSelectKernels(KernelRegistry& r) {
  MustRegister(r, "Select", Simple(SelectV1));
  MustRegister(r, "SelectV2", Simple(SelectV2));
  MustRegister(r, "AddN", [](const graph::Node& node) -> Result<std::unique_ptr<OpKernel>> {
    TFPORT_ASSIGN_OR_RETURN(DataType dtype, TypeAttr(node));
    return MakeTyped(RealTypes{}, dtype, node, [&]<typename T>() -> std::unique_ptr<OpKernel> {
      return std::make_unique<FunctionKernel>(AddN<T>);
    });
  });
  MustRegister(r, "Cast", MakeCast);
}

}  // namespace tfport::kernels::math
