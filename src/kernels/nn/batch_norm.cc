// FusedBatchNorm, FusedBatchNormV2, FusedBatchNormV3 (NHWC and NCHW).
//
// Inference (is_training = false):
//   y = (x - mean) * scale / sqrt(variance + epsilon) + offset
//   batch_mean, reserve_space_1 = mean; batch_variance, reserve_space_2 = variance.
// Training: mean and variance are the batch statistics over N, H, W (the
// mean / variance inputs are ignored); y uses the biased variance;
// batch_variance is the unbiased one (n / (n - 1)), reserve_space_1/2 the
// mean and biased variance. An empty x gives NaN statistics. V3's
// reserve_space_3 is a scalar 0, as TensorFlow's CPU kernel writes it.
// Statistics are accumulated in double, elementwise math is float.
#include <cmath>
#include <limits>
#include <vector>

#include "kernels/nn/nn_internal.h"

namespace tfport::kernels::nn {
namespace {

using graph::NodeLocation;

struct BatchNormAttrs {
  DataType t = DT_FLOAT;  // x and y
  DataType u = DT_FLOAT;  // scale, offset, mean, variance and statistics
  float epsilon = 1e-4f;
  bool nchw = false;
  bool is_training = true;
  bool v3 = false;
};

Status CheckVector(const Tensor& t, const char* what) {
  if (t.shape().rank() != 1)
    return errors::InvalidArgument(what, " must be 1-dimensional", t.shape().DebugString());
  return OkStatus();
}

Status Compute(OpKernelContext& ctx, const BatchNormAttrs& a) {
  const Tensor& x_in = ctx.input(0);
  const Tensor& scale = ctx.input(1);
  const Tensor& offset = ctx.input(2);
  const Tensor& est_mean = ctx.input(3);
  const Tensor& est_var = ctx.input(4);
  TFPORT_RETURN_IF_ERROR(CheckInputType(x_in, a.t, 0));
  for (int i = 1; i < 5; ++i) TFPORT_RETURN_IF_ERROR(CheckInputType(ctx.input(i), a.u, i));
  const Shape& xs = x_in.shape();
  if (xs.rank() != 4)
    return errors::InvalidArgument("input must be 4-dimensional", xs.DebugString());
  TFPORT_RETURN_IF_ERROR(CheckVector(scale, "scale"));
  TFPORT_RETURN_IF_ERROR(CheckVector(offset, "offset"));
  TFPORT_RETURN_IF_ERROR(CheckVector(est_mean, "estimated_mean"));
  TFPORT_RETURN_IF_ERROR(CheckVector(est_var, "estimated_variance"));
  const int64_t channels = xs.dim(a.nchw ? 1 : 3);
  auto check_count = [&](const Tensor& t, const std::string& what) -> Status {
    if (t.num_elements() != channels)
      return errors::InvalidArgument(what, " must have the same number of elements as the "
                                     "channels of x, got ", t.num_elements(), " and ", channels);
    return OkStatus();
  };
  TFPORT_RETURN_IF_ERROR(check_count(scale, "scale"));
  TFPORT_RETURN_IF_ERROR(check_count(offset, "offset"));
  if (!a.is_training) {
    TFPORT_RETURN_IF_ERROR(check_count(est_mean, "When is_training=false, mean"));
    TFPORT_RETURN_IF_ERROR(check_count(est_var, "When is_training=false, variance"));
  }

  // View x as [outer, channels, inner].
  const int64_t outer = a.nchw ? xs.dim(0) : xs.dim(0) * xs.dim(1) * xs.dim(2);
  const int64_t inner = a.nchw ? xs.dim(2) * xs.dim(3) : 1;
  const int64_t count = outer * inner;
  TFPORT_ASSIGN_OR_RETURN(Tensor x, ToFloat(x_in));
  const float* xv = x.flat<float>().data();
  const auto sc = scale.flat<float>();
  const auto off = offset.flat<float>();
  const auto cidx = static_cast<size_t>(channels);

  std::vector<float> mean(cidx), var(cidx), unbiased(cidx);
  if (a.is_training) {
    if (count == 0) {
      const float nan = std::numeric_limits<float>::quiet_NaN();
      std::fill(mean.begin(), mean.end(), nan);
      std::fill(var.begin(), var.end(), nan);
      std::fill(unbiased.begin(), unbiased.end(), nan);
    } else {
      std::vector<double> sum(cidx, 0.0), sq(cidx, 0.0);
      for (int64_t o = 0; o < outer; ++o)
        for (int64_t c = 0; c < channels; ++c) {
          const float* p = xv + (o * channels + c) * inner;
          for (int64_t i = 0; i < inner; ++i) sum[static_cast<size_t>(c)] += p[i];
        }
      for (size_t c = 0; c < cidx; ++c) sum[c] /= static_cast<double>(count);
      for (int64_t o = 0; o < outer; ++o)
        for (int64_t c = 0; c < channels; ++c) {
          const float* p = xv + (o * channels + c) * inner;
          const double m = sum[static_cast<size_t>(c)];
          for (int64_t i = 0; i < inner; ++i) sq[static_cast<size_t>(c)] += (p[i] - m) * (p[i] - m);
        }
      const double adjust =
          static_cast<double>(count) / static_cast<double>(count > 1 ? count - 1 : 1);
      for (size_t c = 0; c < cidx; ++c) {
        const double v = sq[c] / static_cast<double>(count);
        mean[c] = static_cast<float>(sum[c]);
        var[c] = static_cast<float>(v);
        unbiased[c] = static_cast<float>(v * adjust);
      }
    }
  } else {
    const auto m = est_mean.flat<float>();
    const auto v = est_var.flat<float>();
    std::copy(m.begin(), m.end(), mean.begin());
    std::copy(v.begin(), v.end(), var.begin());
  }

  // y = (x - mean) * (scale / sqrt(var + epsilon)) + offset
  std::vector<float> factor(cidx);
  for (size_t c = 0; c < cidx; ++c) factor[c] = sc[c] / std::sqrt(var[c] + a.epsilon);
  TFPORT_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, a.t, xs));
  Tensor yf = *y;
  if (a.t != DT_FLOAT) {
    TFPORT_ASSIGN_OR_RETURN(yf, Tensor::Allocate(DT_FLOAT, xs, false));
  }
  float* yv = yf.flat<float>().data();
  ParallelFor(ctx.intra_op_pool(), outer, channels * inner * 2, [&](int64_t o0, int64_t o1) {
    if (inner == 1) {
      // NHWC: channels are the contiguous, vectorizable loop (same arithmetic).
      const float *mp = mean.data(), *fp = factor.data(), *op = off.data();
      for (int64_t o = o0; o < o1; ++o) {
        const float* __restrict x = xv + o * channels;
        float* __restrict yo = yv + o * channels;
        for (int64_t c = 0; c < channels; ++c) yo[c] = (x[c] - mp[c]) * fp[c] + op[c];
      }
      return;
    }
    for (int64_t o = o0; o < o1; ++o)
      for (int64_t c = 0; c < channels; ++c) {
        const auto ci = static_cast<size_t>(c);
        const int64_t base = (o * channels + c) * inner;
        for (int64_t i = 0; i < inner; ++i)
          yv[base + i] = (xv[base + i] - mean[ci]) * factor[ci] + off[ci];
      }
  });
  if (a.t != DT_FLOAT) FromFloat(yf, y);

  auto vector_output = [&](int i, const std::vector<float>& v) -> Status {
    TFPORT_ASSIGN_OR_RETURN(Tensor * t, ctx.allocate_output(i, DT_FLOAT, Shape{channels}));
    std::copy(v.begin(), v.end(), t->flat<float>().begin());
    return OkStatus();
  };
  if (a.is_training) {
    TFPORT_RETURN_IF_ERROR(vector_output(1, mean));
    TFPORT_RETURN_IF_ERROR(vector_output(2, unbiased));
    TFPORT_RETURN_IF_ERROR(vector_output(3, mean));
    TFPORT_RETURN_IF_ERROR(vector_output(4, var));
  } else {
    // Tensors are immutable once produced, so the inputs pass through.
    ctx.set_output(1, est_mean);
    ctx.set_output(2, est_var);
    ctx.set_output(3, est_mean);
    ctx.set_output(4, est_var);
  }
  if (a.v3) {
    TFPORT_ASSIGN_OR_RETURN(Tensor * r3, ctx.allocate_output(5, DT_FLOAT, Shape{}));
    (void)r3;  // allocate_output zero-fills
  }
  return OkStatus();
}

Result<std::unique_ptr<OpKernel>> MakeFusedBatchNorm(const graph::Node& node, int version) {
  BatchNormAttrs a;
  a.v3 = version == 3;
  TFPORT_ASSIGN_OR_RETURN(a.t, graph::GetTypeAttr(node.def(), "T"));
  if (version > 1) {
    TFPORT_ASSIGN_OR_RETURN(a.u, graph::GetTypeAttr(node.def(), "U"));
  } else {
    a.u = a.t;
  }
  if ((a.t != DT_FLOAT && !IsHalfLike(a.t)) || a.u != DT_FLOAT) return runtime::NoKernelFor(node);
  TFPORT_ASSIGN_OR_RETURN(a.epsilon, graph::GetFloatAttr(node.def(), "epsilon"));
  TFPORT_ASSIGN_OR_RETURN(a.is_training, graph::GetBoolAttr(node.def(), "is_training"));
  Result<std::string> format = graph::GetStringAttr(node.def(), "data_format");
  if (!format.ok()) return format.status();
  if (*format != "NHWC" && *format != "NCHW")
    return errors::InvalidArgument(NodeLocation(node.def()), ": Invalid data format ", *format);
  a.nchw = *format == "NCHW";
  return std::unique_ptr<OpKernel>(
      new FunctionKernel([a](OpKernelContext& ctx) { return Compute(ctx, a); }));
}

}  // namespace

void RegisterBatchNormKernels(KernelRegistry& r) {
  MustRegister(r, "FusedBatchNorm", [](const graph::Node& n) { return MakeFusedBatchNorm(n, 1); });
  MustRegister(r, "FusedBatchNormV2",
               [](const graph::Node& n) { return MakeFusedBatchNorm(n, 2); });
  MustRegister(r, "FusedBatchNormV3",
               [](const graph::Node& n) { return MakeFusedBatchNorm(n, 3); });
}

}  // namespace tfport::kernels::nn
