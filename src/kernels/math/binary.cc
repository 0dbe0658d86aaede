// Elementwise binary kernels with NumPy broadcasting: arithmetic, Maximum,
// Minimum, Pow, comparisons and logical ops.
//
// Integer semantics follow TensorFlow: Div truncates, FloorDiv rounds toward
// -inf, FloorMod takes the divisor's sign, a zero divisor is the error
// "Integer division by zero", a negative integer exponent is an error, and
// overflow wraps (kMin / -1 == kMin). Float Maximum/Minimum return NaN when
// either side is NaN.
#include <cmath>
#include <string>

#include "kernels/math/math_internal.h"

namespace tfport::kernels::math {
namespace {

enum class Check { kNone, kIntDivisor, kIntExponent };

// Functor traits: which argument check runs before the loop, and a rough
// per-element cost used to decide when to split work across threads.
template <Check C = Check::kNone, int Cost = 1>
struct Traits {
  static constexpr Check kCheck = C;
  static constexpr int kCost = Cost;
};

template <typename T>
constexpr bool kIsInt = std::is_integral_v<T> && !std::is_same_v<T, bool>;

// Truncating integer division; b != 0. kMin / -1 wraps to kMin.
template <typename T>
T IntDiv(T a, T b) {
  if constexpr (std::is_signed_v<T>) {
    if (b == -1) return WrapSub(T(0), a);
  }
  return static_cast<T>(a / b);
}

struct AddF : Traits<> {
  template <typename T>
  T operator()(const T& a, const T& b) const {
    if constexpr (std::is_same_v<T, std::string>) {
      return a + b;
    } else {
      return WrapAdd(a, b);
    }
  }
};
struct SubF : Traits<> {
  template <typename T>
  T operator()(T a, T b) const { return WrapSub(a, b); }
};
struct MulF : Traits<> {
  template <typename T>
  T operator()(T a, T b) const { return WrapMul(a, b); }
};
struct DivF : Traits<Check::kIntDivisor, 4> {
  template <typename T>
  T operator()(T a, T b) const {
    if constexpr (kIsInt<T>) {
      return IntDiv(a, b);
    } else {
      return a / b;
    }
  }
};
struct DivNoNanF : Traits<Check::kNone, 4> {
  template <typename T>
  T operator()(T a, T b) const { return b == T(0) ? T(0) : a / b; }
};
struct FloorDivF : Traits<Check::kIntDivisor, 8> {
  template <typename T>
  T operator()(T a, T b) const {
    if constexpr (kIsInt<T>) {
      if constexpr (std::is_signed_v<T>) {
        if (b == -1) return WrapSub(T(0), a);
        const T q = static_cast<T>(a / b);
        return (a % b != 0 && ((a < 0) != (b < 0))) ? static_cast<T>(q - 1) : q;
      } else {
        return static_cast<T>(a / b);
      }
    } else {
      return std::floor(a / b);
    }
  }
};
struct FloorModF : Traits<Check::kIntDivisor, 8> {
  template <typename T>
  T operator()(T a, T b) const {
    if constexpr (kIsInt<T>) {
      if constexpr (std::is_signed_v<T>) {
        if (b == -1) return T(0);
        const T r = static_cast<T>(a % b);
        return (r != 0 && ((r < 0) != (b < 0))) ? static_cast<T>(r + b) : r;
      } else {
        return static_cast<T>(a % b);
      }
    } else {
      const T r = std::fmod(a, b);
      return (r != 0 && ((b < 0) != (r < 0))) ? r + b : r;
    }
  }
};
struct MaximumF : Traits<> {
  template <typename T>
  T operator()(T a, T b) const { return MaxNaN(a, b); }
};
struct MinimumF : Traits<> {
  template <typename T>
  T operator()(T a, T b) const { return MinNaN(a, b); }
};
struct PowF : Traits<Check::kIntExponent, 16> {
  template <typename T>
  T operator()(T a, T b) const {
    if constexpr (kIsInt<T>) {
      // Exponentiation by squaring, wrapping; b >= 0 (checked).
      T result = 1;
      for (auto e = static_cast<std::make_unsigned_t<T>>(b); e != 0; e >>= 1) {
        if (e & 1) result = WrapMul(result, a);
        a = WrapMul(a, a);
      }
      return result;
    } else {
      return std::pow(a, b);
    }
  }
};
struct SquaredDifferenceF : Traits<> {
  template <typename T>
  T operator()(T a, T b) const {
    const T d = WrapSub(a, b);
    return WrapMul(d, d);
  }
};

#define TFPORT_COMPARE(Name, expr)                                  \
  struct Name : Traits<> {                                          \
    template <typename T>                                           \
    bool operator()(const T& a, const T& b) const { return expr; } \
  };
TFPORT_COMPARE(LessF, a < b)
TFPORT_COMPARE(LessEqualF, a <= b)
TFPORT_COMPARE(GreaterF, a > b)
TFPORT_COMPARE(GreaterEqualF, a >= b)
TFPORT_COMPARE(EqualF, a == b)
TFPORT_COMPARE(NotEqualF, a != b)
TFPORT_COMPARE(LogicalAndF, a && b)
TFPORT_COMPARE(LogicalOrF, a || b)
#undef TFPORT_COMPARE

// z[i] = f(x[i], y[i]) where a broadcast operand repeats its first element.
// Separate loops per case so each one vectorizes.
template <typename T, typename Out, typename F>
void Run(const T* x, bool x_bcast, const T* y, bool y_bcast, Out* __restrict z, int64_t n,
         const F& f) {
  if (x_bcast) {
    const T a = x[0];
    VecFor(n, [&](int64_t i) { z[i] = f(a, y[i]); });
  } else if (y_bcast) {
    const T b = y[0];
    VecFor(n, [&](int64_t i) { z[i] = f(x[i], b); });
  } else {
    VecFor(n, [&](int64_t i) { z[i] = f(x[i], y[i]); });
  }
}

template <typename T, typename F>
class BinaryKernel final : public OpKernel {
 public:
  using Out = decltype(std::declval<F>()(std::declval<T>(), std::declval<T>()));

  Status Compute(OpKernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& y = ctx.input(1);
    // Equal shapes, or a scalar with anything: no broadcast plan needed
    // (most graph arithmetic, and the cost that dominates tiny tensors).
    const bool same = x.shape() == y.shape();
    const bool x_scalar = !same && x.shape().rank() == 0;
    const bool y_scalar = !same && y.shape().rank() == 0;
    BroadcastPlan plan;
    if (!same && !x_scalar && !y_scalar &&
        !MakeBroadcastPlan({x.shape(), y.shape()}, &plan))
      return IncompatibleShapes(x.shape(), y.shape());
    const bool simple = same || x_scalar || y_scalar;
    const int64_t total = simple ? (x_scalar ? y : x).num_elements() : plan.total;
    const T* xp = x.flat<T>().data();
    const T* yp = y.flat<T>().data();
    if constexpr (kIsInt<T> && F::kCheck == Check::kIntDivisor) {
      if (total > 0)
        for (T v : y.flat<T>())
          if (v == 0) return errors::InvalidArgument("Integer division by zero");
    }
    if constexpr (kIsInt<T> && std::is_signed_v<T> && F::kCheck == Check::kIntExponent) {
      if (total > 0)
        for (T v : y.flat<T>())
          if (v < 0) return errors::InvalidArgument("Integers to negative integer powers are not allowed");
    }
    const Shape& out_shape = simple ? (x_scalar ? y : x).shape() : plan.out_shape;
    TFPORT_ASSIGN_OR_RETURN(Tensor out, Tensor::Allocate(DataTypeOf<Out>::value, out_shape, false));
    Out* zp = out.flat<Out>().data();
    const F f;
    if (simple) {
      ParallelRange(ctx, total, F::kCost, [&](int64_t begin, int64_t end) {
        Run(x_scalar ? xp : xp + begin, x_scalar, y_scalar ? yp : yp + begin, y_scalar, zp + begin,
            end - begin, f);
      });
    } else {
      ParallelRange(ctx, total, F::kCost, [&](int64_t begin, int64_t end) {
        plan.ForEachRun(begin, end, [&](const auto& off, int64_t pos, int64_t n) {
          Run(xp + off[0], plan.inner_bcast[0], yp + off[1], plan.inner_bcast[1], zp + pos, n, f);
        });
      });
    }
    ctx.set_output(0, std::move(out));
    return OkStatus();
  }
};

template <typename F, typename List>
void Register(KernelRegistry& r, const char* op, List types) {
  MustRegister(r, op, [types](const graph::Node& node) -> Result<std::unique_ptr<OpKernel>> {
    TFPORT_ASSIGN_OR_RETURN(DataType dtype, TypeAttr(node));
    return MakeTyped(types, dtype, node, [&]<typename T>() -> std::unique_ptr<OpKernel> {
      return std::make_unique<BinaryKernel<T, F>>();
    });
  });
}

}  // namespace

void RegisterBinaryKernels(KernelRegistry& r) {
  using Arith = ConcatT<FloatTypes, Types<int32_t, int64_t, uint8_t, int8_t, int16_t, uint16_t>>;
  Register<AddF>(r, "Add", ConcatT<FloatTypes, Types<int32_t, int64_t, uint8_t, int8_t, int16_t, std::string>>{});
  Register<AddF>(r, "AddV2", ConcatT<FloatTypes, Types<int32_t, int64_t, uint8_t, int8_t, int16_t>>{});
  Register<SubF>(r, "Sub", Arith{});
  Register<MulF>(r, "Mul", Arith{});
  Register<DivF>(r, "Div", Arith{});
  Register<DivF>(r, "RealDiv", FloatTypes{});
  Register<DivNoNanF>(r, "DivNoNan", FloatTypes{});
  Register<FloorDivF>(r, "FloorDiv", Arith{});
  Register<FloorModF>(r, "FloorMod", FloatInt{});
  Register<MaximumF>(r, "Maximum", FloatInt{});
  Register<MinimumF>(r, "Minimum", FloatInt{});
  Register<PowF>(r, "Pow", FloatInt{});
  Register<SquaredDifferenceF>(r, "SquaredDifference", FloatInt{});
  Register<LessF>(r, "Less", RealTypes{});
  Register<LessEqualF>(r, "LessEqual", RealTypes{});
  Register<GreaterF>(r, "Greater", RealTypes{});
  Register<GreaterEqualF>(r, "GreaterEqual", RealTypes{});
  using EqTypes = ConcatT<RealTypes, Types<bool, std::string>>;
  Register<EqualF>(r, "Equal", EqTypes{});
  Register<NotEqualF>(r, "NotEqual", EqTypes{});
  // LogicalAnd/LogicalOr have no T attr: always bool.
  for (auto [op, make] :
       {std::pair<const char*, std::unique_ptr<OpKernel> (*)()>{
            "LogicalAnd", [] { return std::unique_ptr<OpKernel>(new BinaryKernel<bool, LogicalAndF>()); }},
        {"LogicalOr", [] { return std::unique_ptr<OpKernel>(new BinaryKernel<bool, LogicalOrF>()); }}})
    MustRegister(r, op, [make](const graph::Node&) -> Result<std::unique_ptr<OpKernel>> { return make(); });
}

}  // namespace tfport::kernels::math
