// Softmax, LogSoftmax (over the last dimension, numerically stable: the row
// maximum is subtracted before exponentiating) and BiasAdd (NHWC: bias along
// the last dimension; NCHW: along dimension 1).
#include <algorithm>
#include <cmath>
#include <complex>
#include <limits>

#include "kernels/nn/nn_internal.h"

namespace tfport::kernels::nn {
namespace {

template <typename T>
void SoftmaxRows(const T* in, T* out, int64_t rows, int64_t depth, bool log, ThreadPool* pool) {
  ParallelFor(pool, rows, depth * 8, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const T* x = in + r * depth;
      T* y = out + r * depth;
      T mx = -std::numeric_limits<T>::infinity();
      for (int64_t i = 0; i < depth; ++i) mx = std::max(mx, x[i]);
      T sum = 0;
      if (log) {
        for (int64_t i = 0; i < depth; ++i) sum += std::exp(x[i] - mx);
        const T lse = std::log(sum);
        for (int64_t i = 0; i < depth; ++i) y[i] = (x[i] - mx) - lse;
      } else {
        for (int64_t i = 0; i < depth; ++i) {
          y[i] = std::exp(x[i] - mx);
          sum += y[i];
        }
        for (int64_t i = 0; i < depth; ++i) y[i] /= sum;
      }
    }
  });
}

Result<std::unique_ptr<OpKernel>> MakeSoftmax(const graph::Node& node, bool log) {
  TFPORT_ASSIGN_OR_RETURN(DataType dtype, graph::GetTypeAttr(node.def(), "T"));
  if (dtype != DT_FLOAT && dtype != DT_DOUBLE && !IsHalfLike(dtype))
    return runtime::NoKernelFor(node);
  return std::unique_ptr<OpKernel>(new FunctionKernel([=](OpKernelContext& ctx) -> Status {
    const Tensor& logits = ctx.input(0);
    TFPORT_RETURN_IF_ERROR(CheckInputType(logits, dtype, 0));
    const Shape& s = logits.shape();
    if (s.rank() < 1)
      return errors::InvalidArgument("logits must have >= 1 dimension, got ", s.DebugString());
    TFPORT_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, dtype, s));
    const int64_t depth = s.dim(s.rank() - 1);
    if (logits.num_elements() == 0) return OkStatus();
    const int64_t rows = logits.num_elements() / depth;
    ThreadPool* pool = ctx.intra_op_pool();
    if (dtype == DT_DOUBLE) {
      SoftmaxRows(logits.flat<double>().data(), out->flat<double>().data(), rows, depth, log, pool);
    } else if (dtype == DT_FLOAT) {
      SoftmaxRows(logits.flat<float>().data(), out->flat<float>().data(), rows, depth, log, pool);
    } else {
      TFPORT_ASSIGN_OR_RETURN(Tensor xf, ToFloat(logits));
      TFPORT_ASSIGN_OR_RETURN(Tensor yf, Tensor::Allocate(DT_FLOAT, s, false));
      SoftmaxRows(xf.flat<float>().data(), yf.flat<float>().data(), rows, depth, log, pool);
      FromFloat(yf, out);
    }
    return OkStatus();
  }));
}

// out[o, c, i] = value[o, c, i] + bias[c] over a [outer, channels, inner] view.
template <typename T>
void AddBias(const T* v, const T* bias, T* out, int64_t outer, int64_t channels, int64_t inner,
             ThreadPool* pool) {
  ParallelFor(pool, outer, channels * inner, [&](int64_t o0, int64_t o1) {
    for (int64_t o = o0; o < o1; ++o) {
      for (int64_t c = 0; c < channels; ++c) {
        const int64_t base = (o * channels + c) * inner;
        const T b = bias[c];
        for (int64_t i = 0; i < inner; ++i) out[base + i] = v[base + i] + b;
      }
    }
  });
}

Result<std::unique_ptr<OpKernel>> MakeBiasAdd(const graph::Node& node) {
  TFPORT_ASSIGN_OR_RETURN(DataType dtype, graph::GetTypeAttr(node.def(), "T"));
  bool nchw = false;
  if (graph::FindAttr(node.def(), "data_format") != nullptr) {
    Result<std::string> f = graph::GetStringAttr(node.def(), "data_format");
    if (!f.ok()) return f.status();
    if (*f != "NHWC" && *f != "NCHW")
      return errors::InvalidArgument(graph::NodeLocation(node.def()), ": Invalid data format ",
                                     *f);
    nchw = *f == "NCHW";
  }
  // TensorFlow's CPU kernel: every number type except the quantized ones.
  switch (dtype) {
    case DT_QINT8: case DT_QUINT8: case DT_QINT16: case DT_QUINT16: case DT_QINT32:
      return runtime::NoKernelFor(node);
    default:
      break;
  }
  return std::unique_ptr<OpKernel>(new FunctionKernel([=](OpKernelContext& ctx) -> Status {
    const Tensor& value = ctx.input(0);
    const Tensor& bias = ctx.input(1);
    TFPORT_RETURN_IF_ERROR(CheckInputType(value, dtype, 0));
    TFPORT_RETURN_IF_ERROR(CheckInputType(bias, dtype, 1));
    const Shape& vs = value.shape();
    if (vs.rank() < 2)
      return errors::InvalidArgument("Input tensor must be at least 2D: ", vs.DebugString());
    if (bias.shape().rank() != 1)
      return errors::InvalidArgument("Biases must be 1D: ", bias.shape().DebugString());
    const int cdim = nchw ? 1 : vs.rank() - 1;
    const int64_t channels = vs.dim(cdim);
    if (bias.shape().dim(0) != channels)
      return errors::InvalidArgument("Must provide as many biases as the ",
                                     nchw ? "channel" : "last", " dimension of the input tensor: ",
                                     bias.shape().DebugString(), " vs. ", vs.DebugString());
    TFPORT_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, dtype, vs));
    if (value.num_elements() == 0) return OkStatus();
    int64_t outer = 1, inner = 1;
    for (int i = 0; i < cdim; ++i) outer *= vs.dim(i);
    for (int i = cdim + 1; i < vs.rank(); ++i) inner *= vs.dim(i);
    ThreadPool* pool = ctx.intra_op_pool();
    if (IsHalfLike(dtype)) {
      TFPORT_ASSIGN_OR_RETURN(Tensor vf, ToFloat(value));
      TFPORT_ASSIGN_OR_RETURN(Tensor bf, ToFloat(bias));
      TFPORT_ASSIGN_OR_RETURN(Tensor of, Tensor::Allocate(DT_FLOAT, vs, false));
      AddBias(vf.flat<float>().data(), bf.flat<float>().data(), of.flat<float>().data(), outer,
              channels, inner, pool);
      FromFloat(of, out);
      return OkStatus();
    }
    return DispatchNumber(dtype, [&]<typename T>() -> Status {
      if constexpr (std::is_integral_v<T>) {
        // Wrap around like TensorFlow, without signed-overflow UB.
        using U = std::make_unsigned_t<T>;
        const T* v = value.flat<T>().data();
        const T* b = bias.flat<T>().data();
        T* o = out->flat<T>().data();
        ParallelFor(pool, outer, channels * inner, [&](int64_t o0, int64_t o1) {
          for (int64_t oi = o0; oi < o1; ++oi)
            for (int64_t c = 0; c < channels; ++c)
              for (int64_t i = 0; i < inner; ++i) {
                const int64_t at = (oi * channels + c) * inner + i;
                o[at] = static_cast<T>(static_cast<U>(v[at]) + static_cast<U>(b[c]));
              }
        });
      } else {
        AddBias(value.flat<T>().data(), bias.flat<T>().data(), out->flat<T>().data(), outer,
                channels, inner, pool);
      }
      return OkStatus();
    });
  }));
}

}  // namespace

void RegisterSoftmaxKernels(KernelRegistry& r) {
  MustRegister(r, "Softmax", [](const graph::Node& n) { return MakeSoftmax(n, /*log=*/false); });
  MustRegister(r, "LogSoftmax", [](const graph::Node& n) { return MakeSoftmax(n, /*log=*/true); });
  MustRegister(r, "BiasAdd", MakeBiasAdd);
}

}  // namespace tfport::kernels::nn
