// Gradient kernels of elementwise and nn ops:
//  - ReluGrad, Relu6Grad (gradients, features -> backprops);
//  - SigmoidGrad, TanhGrad, RsqrtGrad, SqrtGrad (y, dy -> z, in terms of the
//    forward op's output y; complex types use conj(y) as TensorFlow does);
//  - BiasAddGrad (sum over every dimension but the channel one);
//  - SoftmaxCrossEntropyWithLogits (labels broadcast against logits) and
//    SparseSoftmaxCrossEntropyWithLogits: loss per row and its gradient
//    softmax(logits) - labels.
// half and bfloat16 are computed in float and rounded once at the end.
#include <algorithm>
#include <cmath>
#include <complex>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "kernels/nn/nn_internal.h"

namespace tfport::kernels::training {
namespace {

using graph::NodeLocation;
using nn::CheckInputType;
using nn::FromFloat;
using nn::IsHalfLike;
using nn::ParallelFor;
using nn::ToFloat;

template <typename T>
struct IsComplex : std::false_type {};
template <typename T>
struct IsComplex<std::complex<T>> : std::true_type {};

// The real type underlying T (T itself when T is real).
template <typename T>
struct RealOf {
  using type = T;
};
template <typename T>
struct RealOf<std::complex<T>> {
  using type = T;
};

template <typename T>
T Conj(T x) {
  if constexpr (IsComplex<T>::value) {
    return std::conj(x);
  } else {
    return x;
  }
}

// ---------------------------------------------------------------- elementwise

enum class Grad { kRelu, kRelu6, kSigmoid, kTanh, kRsqrt, kSqrt };

bool IsFloatLike(DataType t) { return t == DT_FLOAT || t == DT_DOUBLE || IsHalfLike(t); }

bool Supports(Grad g, DataType t) {
  if (g == Grad::kRelu || g == Grad::kRelu6) {
    switch (t) {
      case DT_FLOAT: case DT_DOUBLE: case DT_HALF: case DT_BFLOAT16: case DT_INT32:
      case DT_INT64: case DT_UINT8: case DT_INT8: case DT_INT16: case DT_UINT16:
      case DT_UINT32: case DT_UINT64:
        return true;
      default:
        return false;
    }
  }
  return IsFloatLike(t) || t == DT_COMPLEX64 || t == DT_COMPLEX128;
}

// z[i] from a[i] (gradients / y) and b[i] (features / dy).
template <typename T>
void GradRange(Grad g, const T* a, const T* b, T* z, int64_t begin, int64_t end) {
  if constexpr (IsComplex<T>::value || std::is_floating_point_v<T>) {
    using R = typename RealOf<T>::type;
    if constexpr (std::is_floating_point_v<T>) {
      if (g == Grad::kRelu) {
        for (int64_t i = begin; i < end; ++i) z[i] = b[i] > T(0) ? a[i] : T(0);
        return;
      }
      if (g == Grad::kRelu6) {
        for (int64_t i = begin; i < end; ++i)
          z[i] = (b[i] > T(0) && b[i] < T(6)) ? a[i] : T(0);
        return;
      }
    }
    const T one(R(1)), half(R(0.5));
    switch (g) {
      case Grad::kSigmoid:  // d sigmoid = y (1 - y)
        for (int64_t i = begin; i < end; ++i) z[i] = b[i] * Conj(a[i] * (one - a[i]));
        return;
      case Grad::kTanh:  // d tanh = 1 - y^2
        for (int64_t i = begin; i < end; ++i) z[i] = b[i] * Conj(one - a[i] * a[i]);
        return;
      case Grad::kRsqrt:  // y = x^-1/2: dy/dx = -x^-3/2 / 2 = -y^3 / 2
        for (int64_t i = begin; i < end; ++i) {
          const T y = Conj(a[i]);
          z[i] = b[i] * (y * y * y) * -half;
        }
        return;
      case Grad::kSqrt:  // y = x^1/2: dy/dx = 1 / (2 y)
        for (int64_t i = begin; i < end; ++i) z[i] = half * b[i] / Conj(a[i]);
        return;
      default:
        return;
    }
  } else {
    // Integers: only the Relu gradients are registered for them.
    const T six = static_cast<T>(6);
    for (int64_t i = begin; i < end; ++i)
      z[i] = (b[i] > T(0) && (g == Grad::kRelu || b[i] < six)) ? a[i] : T(0);
  }
}

Result<std::unique_ptr<OpKernel>> MakeElementwiseGrad(const graph::Node& node, Grad grad) {
  TFPORT_ASSIGN_OR_RETURN(DataType dtype, graph::GetTypeAttr(node.def(), "T"));
  if (!Supports(grad, dtype)) return runtime::NoKernelFor(node);
  const bool relu = grad == Grad::kRelu || grad == Grad::kRelu6;
  const char* a_name = relu ? "gradients" : "y";
  const char* b_name = relu ? "features" : "dy";
  return std::unique_ptr<OpKernel>(new FunctionKernel([=](OpKernelContext& ctx) -> Status {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    TFPORT_RETURN_IF_ERROR(CheckInputType(a, dtype, 0));
    TFPORT_RETURN_IF_ERROR(CheckInputType(b, dtype, 1));
    if (!(a.shape() == b.shape()))
      return errors::InvalidArgument(a_name, " and ", b_name, " must have the same shape: ",
                                     a.shape().DebugString(), " vs ", b.shape().DebugString());
    TFPORT_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, dtype, a.shape()));
    const int64_t n = a.num_elements();
    if (n == 0) return OkStatus();
    ThreadPool* pool = ctx.intra_op_pool();
    if (IsHalfLike(dtype)) {
      TFPORT_ASSIGN_OR_RETURN(Tensor af, ToFloat(a));
      TFPORT_ASSIGN_OR_RETURN(Tensor bf, ToFloat(b));
      TFPORT_ASSIGN_OR_RETURN(Tensor zf, Tensor::Allocate(DT_FLOAT, a.shape(), false));
      const float* ap = af.flat<float>().data();
      const float* bp = bf.flat<float>().data();
      float* zp = zf.flat<float>().data();
      ParallelFor(pool, n, 4, [&](int64_t s, int64_t e) { GradRange(grad, ap, bp, zp, s, e); });
      FromFloat(zf, out);
      return OkStatus();
    }
    return DispatchNumber(dtype, [&]<typename T>() -> Status {
      const T* ap = a.flat<T>().data();
      const T* bp = b.flat<T>().data();
      T* zp = out->flat<T>().data();
      ParallelFor(pool, n, 4, [&](int64_t s, int64_t e) { GradRange<T>(grad, ap, bp, zp, s, e); });
      return OkStatus();
    });
  }));
}

// ---------------------------------------------------------------- BiasAddGrad

// out[c] = sum over o, i of g[o, c, i] on a [outer, channels, inner] view.
template <typename T, typename Acc>
void SumChannels(const T* g, T* out, int64_t outer, int64_t channels, int64_t inner) {
  std::vector<Acc> acc(static_cast<size_t>(channels), Acc{});
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t c = 0; c < channels; ++c) {
      const T* p = g + (o * channels + c) * inner;
      Acc s{};
      for (int64_t i = 0; i < inner; ++i) s += static_cast<Acc>(p[i]);
      acc[static_cast<size_t>(c)] += s;
    }
  for (int64_t c = 0; c < channels; ++c) out[c] = static_cast<T>(acc[static_cast<size_t>(c)]);
}

Result<std::unique_ptr<OpKernel>> MakeBiasAddGrad(const graph::Node& node) {
  TFPORT_ASSIGN_OR_RETURN(DataType dtype, graph::GetTypeAttr(node.def(), "T"));
  bool nchw = false;
  if (graph::FindAttr(node.def(), "data_format") != nullptr) {
    Result<std::string> f = graph::GetStringAttr(node.def(), "data_format");
    if (!f.ok()) return f.status();
    if (*f != "NHWC" && *f != "NCHW")
      return errors::InvalidArgument(NodeLocation(node.def()), ": Invalid data format ", *f);
    nchw = *f == "NCHW";
  }
  switch (dtype) {
    case DT_FLOAT: case DT_DOUBLE: case DT_HALF: case DT_BFLOAT16: case DT_INT32: case DT_INT64:
    case DT_UINT8: case DT_INT8: case DT_INT16: case DT_UINT16: case DT_UINT32: case DT_UINT64:
    case DT_COMPLEX64: case DT_COMPLEX128:
      break;
    default:
      return runtime::NoKernelFor(node);
  }
  return std::unique_ptr<OpKernel>(new FunctionKernel([=](OpKernelContext& ctx) -> Status {
    const Tensor& g = ctx.input(0);
    TFPORT_RETURN_IF_ERROR(CheckInputType(g, dtype, 0));
    const Shape& s = g.shape();
    if (s.rank() < 2)
      return errors::InvalidArgument("Input tensor must be at least 2D: ", s.DebugString());
    const int cdim = nchw ? 1 : s.rank() - 1;
    const int64_t channels = s.dim(cdim);
    TFPORT_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, dtype, Shape{channels}));
    if (g.num_elements() == 0) return OkStatus();  // zeros
    int64_t outer = 1, inner = 1;
    for (int i = 0; i < cdim; ++i) outer *= s.dim(i);
    for (int i = cdim + 1; i < s.rank(); ++i) inner *= s.dim(i);
    if (IsHalfLike(dtype)) {
      TFPORT_ASSIGN_OR_RETURN(Tensor gf, ToFloat(g));
      TFPORT_ASSIGN_OR_RETURN(Tensor of, Tensor::Allocate(DT_FLOAT, Shape{channels}, false));
      SumChannels<float, double>(gf.flat<float>().data(), of.flat<float>().data(), outer,
                                 channels, inner);
      FromFloat(of, out);
      return OkStatus();
    }
    return DispatchNumber(dtype, [&]<typename T>() -> Status {
      const T* gp = g.flat<T>().data();
      T* op = out->flat<T>().data();
      if constexpr (std::is_same_v<T, float>) {
        SumChannels<T, double>(gp, op, outer, channels, inner);
      } else if constexpr (std::is_same_v<T, std::complex<float>>) {
        SumChannels<T, std::complex<double>>(gp, op, outer, channels, inner);
      } else if constexpr (std::is_integral_v<T>) {
        // Wraps around like TensorFlow, without signed-overflow UB.
        using U = std::make_unsigned_t<T>;
        std::vector<U> acc(static_cast<size_t>(channels), U{0});
        for (int64_t o = 0; o < outer; ++o)
          for (int64_t c = 0; c < channels; ++c)
            for (int64_t i = 0; i < inner; ++i)
              acc[static_cast<size_t>(c)] += static_cast<U>(gp[(o * channels + c) * inner + i]);
        for (int64_t c = 0; c < channels; ++c) op[c] = static_cast<T>(acc[static_cast<size_t>(c)]);
      } else {
        SumChannels<T, T>(gp, op, outer, channels, inner);
      }
      return OkStatus();
    });
  }));
}

// ---------------------------------------------------------------- cross entropy

// One row: loss = sum_j labels_j * (log sum_k exp(x_k - max) - (x_j - max)),
// backprop_j = softmax_j - labels_j. `label_at(j)` gives labels_j.
template <typename T, typename Labels>
void XentRow(const T* x, int64_t x_stride, int64_t classes, Labels label_at, T* loss, T* back) {
  double mx = -std::numeric_limits<double>::infinity();
  for (int64_t j = 0; j < classes; ++j) mx = std::max(mx, static_cast<double>(x[j * x_stride]));
  double sum = 0;
  for (int64_t j = 0; j < classes; ++j) sum += std::exp(static_cast<double>(x[j * x_stride]) - mx);
  const double log_sum = std::log(sum);
  double l = 0;
  for (int64_t j = 0; j < classes; ++j) {
    const double shifted = static_cast<double>(x[j * x_stride]) - mx;
    const double lab = label_at(j);
    if (lab != 0) l += lab * (log_sum - shifted);
    back[j] = static_cast<T>(std::exp(shifted - log_sum) - lab);
  }
  *loss = static_cast<T>(l);
}

Result<std::unique_ptr<OpKernel>> MakeXent(const graph::Node& node) {
  TFPORT_ASSIGN_OR_RETURN(DataType dtype, graph::GetTypeAttr(node.def(), "T"));
  if (!IsFloatLike(dtype)) return runtime::NoKernelFor(node);
  return std::unique_ptr<OpKernel>(new FunctionKernel([=](OpKernelContext& ctx) -> Status {
    TFPORT_RETURN_IF_ERROR(CheckInputType(ctx.input(0), dtype, 0));
    TFPORT_RETURN_IF_ERROR(CheckInputType(ctx.input(1), dtype, 1));
    const Shape& ls = ctx.input(0).shape();
    const Shape& bs = ctx.input(1).shape();
    // NumPy broadcasting of logits against labels; the result must be 2-D.
    const int rank = std::max(ls.rank(), bs.rank());
    std::vector<int64_t> dims(static_cast<size_t>(rank));
    for (int i = 0; i < rank; ++i) {
      const int il = ls.rank() - rank + i, ib = bs.rank() - rank + i;
      const int64_t dl = il >= 0 ? ls.dim(il) : 1, db = ib >= 0 ? bs.dim(ib) : 1;
      if (dl != db && dl != 1 && db != 1)
        return errors::InvalidArgument("logits and labels must be broadcastable: logits_size=",
                                       ls.DebugString(), " labels_size=", bs.DebugString());
      dims[static_cast<size_t>(i)] = dl == 1 ? db : dl;
    }
    if (rank != 2)
      return errors::InvalidArgument(
          "logits and labels must be either 2-dimensional, or broadcasted to be 2-dimensional");
    const int64_t batch = dims[0], classes = dims[1];
    // Strides of each input over the broadcast [batch, classes] index space.
    auto strides = [&](const Shape& s, int64_t* row, int64_t* col) {
      const int64_t d0 = s.rank() == 2 ? s.dim(0) : 1;
      const int64_t d1 = s.rank() >= 1 ? s.dim(s.rank() - 1) : 1;
      *col = d1 == 1 ? 0 : 1;
      *row = d0 == 1 ? 0 : d1;
    };
    int64_t l_row, l_col, b_row, b_col;
    strides(ls, &l_row, &l_col);
    strides(bs, &b_row, &b_col);
    TFPORT_ASSIGN_OR_RETURN(Tensor * loss, ctx.allocate_output(0, dtype, Shape{batch}));
    TFPORT_ASSIGN_OR_RETURN(Tensor * back, ctx.allocate_output(1, dtype, Shape{batch, classes}));
    if (batch == 0 || classes == 0) return OkStatus();
    auto run = [&]<typename T>(const Tensor& x, const Tensor& y, Tensor* lo, Tensor* bp) {
      const T* xp = x.flat<T>().data();
      const T* yp = y.flat<T>().data();
      T* lp = lo->flat<T>().data();
      T* gp = bp->flat<T>().data();
      ParallelFor(ctx.intra_op_pool(), batch, classes * 8, [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r) {
          const T* yr = yp + r * b_row;
          XentRow<T>(xp + r * l_row, l_col, classes,
                     [&](int64_t j) { return static_cast<double>(yr[j * b_col]); }, lp + r,
                     gp + r * classes);
        }
      });
    };
    if (dtype == DT_DOUBLE) {
      run.template operator()<double>(ctx.input(0), ctx.input(1), loss, back);
    } else if (dtype == DT_FLOAT) {
      run.template operator()<float>(ctx.input(0), ctx.input(1), loss, back);
    } else {
      TFPORT_ASSIGN_OR_RETURN(Tensor xf, ToFloat(ctx.input(0)));
      TFPORT_ASSIGN_OR_RETURN(Tensor yf, ToFloat(ctx.input(1)));
      TFPORT_ASSIGN_OR_RETURN(Tensor lf, Tensor::Allocate(DT_FLOAT, Shape{batch}, false));
      TFPORT_ASSIGN_OR_RETURN(Tensor gf, Tensor::Allocate(DT_FLOAT, Shape{batch, classes}, false));
      run.template operator()<float>(xf, yf, &lf, &gf);
      FromFloat(lf, loss);
      FromFloat(gf, back);
    }
    return OkStatus();
  }));
}

Result<std::unique_ptr<OpKernel>> MakeSparseXent(const graph::Node& node) {
  TFPORT_ASSIGN_OR_RETURN(DataType dtype, graph::GetTypeAttr(node.def(), "T"));
  if (!IsFloatLike(dtype)) return runtime::NoKernelFor(node);
  DataType label_type = DT_INT64;
  if (graph::FindAttr(node.def(), "Tlabels") != nullptr) {
    TFPORT_ASSIGN_OR_RETURN(label_type, graph::GetTypeAttr(node.def(), "Tlabels"));
  }
  if (label_type != DT_INT32 && label_type != DT_INT64) return runtime::NoKernelFor(node);
  return std::unique_ptr<OpKernel>(new FunctionKernel([=](OpKernelContext& ctx) -> Status {
    const Tensor& logits = ctx.input(0);
    const Tensor& labels = ctx.input(1);
    TFPORT_RETURN_IF_ERROR(CheckInputType(logits, dtype, 0));
    TFPORT_RETURN_IF_ERROR(CheckInputType(labels, label_type, 1));
    const Shape& ls = logits.shape();
    const Shape& bs = labels.shape();
    if (ls.rank() != 2)
      return errors::InvalidArgument("logits must be 2-D, but got shape ", ls.DebugString());
    if (bs.rank() != 1)
      return errors::InvalidArgument("labels must be 1-D, but got shape ", bs.DebugString());
    if (ls.dim(0) != bs.dim(0))
      return errors::InvalidArgument(
          "logits and labels must have the same first dimension, got logits shape ",
          ls.DebugString(), " and labels shape ", bs.DebugString());
    const int64_t batch = ls.dim(0), classes = ls.dim(1);
    if (classes == 0 && batch > 0)
      return errors::InvalidArgument("Must have at least one class, but got logits shape ",
                                     ls.DebugString());
    std::vector<int64_t> label(static_cast<size_t>(batch));
    for (int64_t r = 0; r < batch; ++r)
      label[static_cast<size_t>(r)] = label_type == DT_INT32
                                          ? labels.flat<int32_t>()[static_cast<size_t>(r)]
                                          : labels.flat<int64_t>()[static_cast<size_t>(r)];
    for (int64_t r = 0; r < batch; ++r) {
      const int64_t y = label[static_cast<size_t>(r)];
      if (y < 0 || y >= classes) {
        std::string all;
        for (int64_t v : label) {
          if (!all.empty()) all += ' ';
          all += std::to_string(v);
        }
        return errors::InvalidArgument("Received a label value of ", y,
                                       " which is outside the valid range of [0, ", classes,
                                       ").  Label values: ", all);
      }
    }
    TFPORT_ASSIGN_OR_RETURN(Tensor * loss, ctx.allocate_output(0, dtype, Shape{batch}));
    TFPORT_ASSIGN_OR_RETURN(Tensor * back, ctx.allocate_output(1, dtype, Shape{batch, classes}));
    if (batch == 0) return OkStatus();
    auto run = [&]<typename T>(const Tensor& x, Tensor* lo, Tensor* bp) {
      const T* xp = x.flat<T>().data();
      T* lp = lo->flat<T>().data();
      T* gp = bp->flat<T>().data();
      ParallelFor(ctx.intra_op_pool(), batch, classes * 8, [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r) {
          const int64_t y = label[static_cast<size_t>(r)];
          XentRow<T>(xp + r * classes, 1, classes,
                     [y](int64_t j) { return j == y ? 1.0 : 0.0; }, lp + r, gp + r * classes);
        }
      });
    };
    if (dtype == DT_DOUBLE) {
      run.template operator()<double>(logits, loss, back);
    } else if (dtype == DT_FLOAT) {
      run.template operator()<float>(logits, loss, back);
    } else {
      TFPORT_ASSIGN_OR_RETURN(Tensor xf, ToFloat(logits));
      TFPORT_ASSIGN_OR_RETURN(Tensor lf, Tensor::Allocate(DT_FLOAT, Shape{batch}, false));
      TFPORT_ASSIGN_OR_RETURN(Tensor gf, Tensor::Allocate(DT_FLOAT, Shape{batch, classes}, false));
      run.template operator()<float>(xf, &lf, &gf);
      FromFloat(lf, loss);
      FromFloat(gf, back);
    }
    return OkStatus();
  }));
}

runtime::KernelFactory GradFactory(Grad g) {
  return [g](const graph::Node& n) { return MakeElementwiseGrad(n, g); };
}

}  // namespace

void RegisterGradKernels(KernelRegistry& r) {
  MustRegister(r, "ReluGrad", GradFactory(Grad::kRelu));
  MustRegister(r, "Relu6Grad", GradFactory(Grad::kRelu6));
  MustRegister(r, "SigmoidGrad", GradFactory(Grad::kSigmoid));
  MustRegister(r, "TanhGrad", GradFactory(Grad::kTanh));
  MustRegister(r, "RsqrtGrad", GradFactory(Grad::kRsqrt));
  MustRegister(r, "SqrtGrad", GradFactory(Grad::kSqrt));
  MustRegister(r, "BiasAddGrad", MakeBiasAddGrad);
  MustRegister(r, "SoftmaxCrossEntropyWithLogits", MakeXent);
  MustRegister(r, "SparseSoftmaxCrossEntropyWithLogits", MakeSparseXent);
}

}  // namespace tfport::kernels::training
