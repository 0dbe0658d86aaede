// Elementwise unary kernels: Neg ... Round, Sigmoid, Tanh, the activations
// (Relu, Relu6, Elu, Selu, LeakyRelu, Softplus) and LogicalNot.
//
// Formulas follow TensorFlow 1.x's CPU functors: Sign(NaN) = 0, Round rounds
// half to even, Elu/Selu use exp(x) - 1, Softplus switches to x or exp(x)
// beyond log(epsilon) + 2, Relu/Relu6 keep NaN. Integer Neg/Abs/Square wrap.
#include <cmath>

#include "kernels/math/math_internal.h"

namespace tfport::kernels::math {
namespace {

template <int Cost>
struct Traits {
  static constexpr int kCost = Cost;
};

struct NegF : Traits<1> {
  template <typename T>
  T operator()(T x) const { return WrapSub(T(0), x); }
};
struct AbsF : Traits<1> {
  template <typename T>
  T operator()(T x) const {
    if constexpr (std::is_floating_point_v<T>) {
      return std::fabs(x);
    } else {
      return x < 0 ? WrapSub(T(0), x) : x;
    }
  }
};
struct SignF : Traits<1> {
  template <typename T>
  T operator()(T x) const { return static_cast<T>((x > T(0)) - (x < T(0))); }
};
struct SquareF : Traits<1> {
  template <typename T>
  T operator()(T x) const { return WrapMul(x, x); }
};
struct SqrtF : Traits<8> {
  template <typename T>
  T operator()(T x) const { return std::sqrt(x); }
};
struct RsqrtF : Traits<8> {
  template <typename T>
  T operator()(T x) const { return T(1) / std::sqrt(x); }
};
struct ReciprocalF : Traits<4> {
  template <typename T>
  T operator()(T x) const { return T(1) / x; }
};
struct ExpF : Traits<16> {
  template <typename T>
  T operator()(T x) const { return std::exp(x); }
};
struct LogF : Traits<16> {
  template <typename T>
  T operator()(T x) const { return std::log(x); }
};
struct FloorF : Traits<2> {
  template <typename T>
  T operator()(T x) const { return std::floor(x); }
};
struct CeilF : Traits<2> {
  template <typename T>
  T operator()(T x) const { return std::ceil(x); }
};
struct RoundF : Traits<2> {
  template <typename T>
  T operator()(T x) const {
    if constexpr (std::is_floating_point_v<T>) {
      return std::nearbyint(x);  // default rounding mode: half to even
    } else {
      return x;
    }
  }
};
struct SigmoidF : Traits<16> {
  template <typename T>
  T operator()(T x) const { return T(1) / (T(1) + std::exp(-x)); }
};
struct TanhF : Traits<16> {
  template <typename T>
  T operator()(T x) const { return std::tanh(x); }
};
// Written as selects the compiler turns into vector blends; NaN fails both
// comparisons and passes through, as TensorFlow's Relu keeps NaN.
struct ReluF : Traits<1> {
  template <typename T>
  T operator()(T x) const { return x < T(0) ? T(0) : x; }
};
struct Relu6F : Traits<1> {
  template <typename T>
  T operator()(T x) const {
    T y = x < T(0) ? T(0) : x;
    return y > T(6) ? T(6) : y;
  }
};
struct EluF : Traits<16> {
  template <typename T>
  T operator()(T x) const { return x < T(0) ? std::exp(x) - T(1) : x; }
};
struct SeluF : Traits<16> {
  template <typename T>
  T operator()(T x) const {
    const T scale = static_cast<T>(1.0507009873554804934193349852946);
    const T scale_alpha = static_cast<T>(1.7580993408473768599402175208123);
    return x < T(0) ? scale_alpha * (std::exp(x) - T(1)) : scale * x;
  }
};
struct SoftplusF : Traits<16> {
  template <typename T>
  T operator()(T x) const {
    // Below `threshold` exp(x) is softplus(x) to machine precision, above
    // -threshold x is.
    static const T threshold = std::log(std::numeric_limits<T>::epsilon()) + T(2);
    if (x > -threshold) return x;
    const T e = std::exp(x);
    return x < threshold ? e : std::log(e + T(1));
  }
};
struct LeakyReluF : Traits<1> {
  float alpha = 0.2f;
  template <typename T>
  T operator()(T x) const { return x > T(0) ? x : x * static_cast<T>(alpha); }
};
struct LogicalNotF : Traits<1> {
  bool operator()(bool x) const { return !x; }
};

template <typename T, typename F>
class UnaryKernel final : public OpKernel {
 public:
  explicit UnaryKernel(F f) : f_(f) {}

  Status Compute(OpKernelContext& ctx) const override {
    const Tensor& in = ctx.input(0);
    TFPORT_ASSIGN_OR_RETURN(Tensor out, Tensor::Allocate(DataTypeOf<T>::value, in.shape(), false));
    const T* x = in.flat<T>().data();
    T* __restrict y = out.flat<T>().data();
    const F f = f_;
    ParallelRange(ctx, in.num_elements(), F::kCost, [&](int64_t begin, int64_t end) {
      const T* xs = x + begin;
      T* __restrict ys = y + begin;
      VecFor(end - begin, [&](int64_t i) { ys[i] = f(xs[i]); });
    });
    ctx.set_output(0, std::move(out));
    return OkStatus();
  }

 private:
  F f_;
};

// Registers `op` for `types`; make_f(node) builds the functor (attrs).
template <typename F, typename List, typename MakeF>
void Register(KernelRegistry& r, const char* op, List types, MakeF make_f) {
  MustRegister(r, op, [types, make_f](const graph::Node& node) -> Result<std::unique_ptr<OpKernel>> {
    TFPORT_ASSIGN_OR_RETURN(F f, make_f(node));
    TFPORT_ASSIGN_OR_RETURN(DataType dtype, TypeAttr(node));
    return MakeTyped(types, dtype, node, [&]<typename T>() -> std::unique_ptr<OpKernel> {
      return std::make_unique<UnaryKernel<T, F>>(f);
    });
  });
}
template <typename F, typename List>
void Register(KernelRegistry& r, const char* op, List types) {
  Register<F>(r, op, types, [](const graph::Node&) -> Result<F> { return F{}; });
}

}  // namespace

void RegisterUnaryKernels(KernelRegistry& r) {
  using Signed = ConcatT<FloatTypes, Types<int32_t, int64_t, int8_t, int16_t>>;
  Register<NegF>(r, "Neg", Signed{});
  Register<AbsF>(r, "Abs", Signed{});
  Register<SignF>(r, "Sign", FloatInt{});
  Register<SquareF>(r, "Square", FloatInt{});
  Register<RoundF>(r, "Round", FloatInt{});
  Register<SqrtF>(r, "Sqrt", FloatTypes{});
  Register<RsqrtF>(r, "Rsqrt", FloatTypes{});
  Register<ReciprocalF>(r, "Reciprocal", FloatTypes{});
  Register<ReciprocalF>(r, "Inv", FloatTypes{});
  Register<ExpF>(r, "Exp", FloatTypes{});
  Register<LogF>(r, "Log", FloatTypes{});
  Register<FloorF>(r, "Floor", FloatTypes{});
  Register<CeilF>(r, "Ceil", FloatTypes{});
  Register<SigmoidF>(r, "Sigmoid", FloatTypes{});
  Register<TanhF>(r, "Tanh", FloatTypes{});
  Register<ReluF>(r, "Relu", RealTypes{});
  Register<Relu6F>(r, "Relu6", RealTypes{});
  Register<EluF>(r, "Elu", FloatTypes{});
  Register<SeluF>(r, "Selu", FloatTypes{});
  Register<SoftplusF>(r, "Softplus", FloatTypes{});
  Register<LeakyReluF>(r, "LeakyRelu", FloatTypes{}, [](const graph::Node& node) -> Result<LeakyReluF> {
    TFPORT_ASSIGN_OR_RETURN(float alpha, graph::GetFloatAttr(node.def(), "alpha"));
    LeakyReluF f;
    f.alpha = alpha;
    return f;
  });
  MustRegister(r, "LogicalNot", [](const graph::Node&) -> Result<std::unique_ptr<OpKernel>> {
    return std::unique_ptr<OpKernel>(new UnaryKernel<bool, LogicalNotF>(LogicalNotF{}));
  });
}

}  // namespace tfport::kernels::math
