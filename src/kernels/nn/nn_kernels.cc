// The nn kernel family: registration and the helpers the nn files share.
#include <algorithm>

#include "kernels/nn/nn_internal.h"

namespace tfport::kernels {

namespace nn {

bool IsHalfLike(DataType dtype) { return dtype == DT_HALF || dtype == DT_BFLOAT16; }

Result<Tensor> ToFloat(const Tensor& t) {
  if (t.dtype() == DT_FLOAT) return t;
  TFPORT_ASSIGN_OR_RETURN(Tensor f, Tensor::Allocate(DT_FLOAT, t.shape(), false));
  auto out = f.flat<float>();
  if (t.dtype() == DT_HALF) {
    auto in = t.flat<Half>();
    for (size_t i = 0; i < in.size(); ++i) out[i] = in[i].ToFloat();
  } else if (t.dtype() == DT_BFLOAT16) {
    auto in = t.flat<BFloat16>();
    for (size_t i = 0; i < in.size(); ++i) out[i] = in[i].ToFloat();
  } else {
    return errors::InvalidArgument("cannot convert ", DataTypeName(t.dtype()), " to float");
  }
  return f;
}

void FromFloat(const Tensor& f, Tensor* out) {
  auto in = f.flat<float>();
  if (out->dtype() == DT_HALF) {
    auto o = out->flat<Half>();
    for (size_t i = 0; i < o.size() && i < in.size(); ++i) o[i] = Half::FromFloat(in[i]);
  } else if (out->dtype() == DT_BFLOAT16) {
    auto o = out->flat<BFloat16>();
    for (size_t i = 0; i < o.size() && i < in.size(); ++i) o[i] = BFloat16::FromFloat(in[i]);
  } else if (out->dtype() == DT_FLOAT) {
    auto o = out->flat<float>();
    std::copy(in.begin(), in.begin() + static_cast<ptrdiff_t>(std::min(in.size(), o.size())),
              o.begin());
  }
}

Status CheckInputType(const Tensor& t, DataType want, int i) {
  if (t.dtype() == want) return OkStatus();
  return errors::InvalidArgument("input ", i, " has dtype ", DataTypeName(t.dtype()),
                                 " but the node expects ", DataTypeName(want));
}

int IntraOpThreads(const ThreadPool* pool) {
  return pool == nullptr ? 1 : static_cast<int>(pool->num_threads()) + 1;
}

void ParallelFor(ThreadPool* pool, int64_t n, int64_t cost_per_item,
                 const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  constexpr int64_t kMinShardCost = int64_t{1} << 15;
  const int64_t cost = std::max<int64_t>(cost_per_item, 1);
  if (pool == nullptr || pool->num_threads() == 0 || n == 1 || n * cost < 2 * kMinShardCost) {
    fn(0, n);
    return;
  }
  const auto min_block = static_cast<size_t>(std::max<int64_t>(1, kMinShardCost / cost));
  pool->ParallelForRange(static_cast<size_t>(n), min_block, [&](size_t begin, size_t end) {
    fn(static_cast<int64_t>(begin), static_cast<int64_t>(end));
  });
}

Result<WindowDim> ComputeWindow(int64_t in, int64_t k, int64_t stride, int64_t dilation,
                                Padding padding) {
  if (stride <= 0) return errors::InvalidArgument("Stride must be > 0, but got ", stride);
  if (dilation < 1) return errors::InvalidArgument("Dilation rate must be >= 1, but got ", dilation);
  int64_t eff = 0;  // (k - 1) * dilation + 1, checked: attrs and shapes are untrusted
  if (__builtin_mul_overflow(k - 1, dilation, &eff) || __builtin_add_overflow(eff, 1, &eff))
    return errors::InvalidArgument("effective filter size overflows: filter size ", k,
                                   ", dilation ", dilation);
  WindowDim d;
  if (padding == Padding::kValid) {
    d.out = (in - eff + stride) / stride;  // in >= 0 and eff, stride > 0: no overflow
    d.pad_before = 0;
  } else {
    d.out = in == 0 ? 0 : (in - 1) / stride + 1;  // ceil(in / stride)
    // (out - 1) * stride < in, so only the + eff can overflow.
    int64_t pad_total = 0;
    if (__builtin_add_overflow((d.out - 1) * stride - in, eff, &pad_total))
      return errors::InvalidArgument("padding overflows: filter size ", k, ", dilation ",
                                     dilation);
    d.pad_before = std::max<int64_t>(pad_total, 0) / 2;
  }
  if (d.out < 0)
    return errors::InvalidArgument("Computed output size would be negative: ", d.out,
                                   " [input_size: ", in, ", effective_filter_size: ", eff,
                                   ", stride: ", stride, "]");
  return d;
}

Result<Padding> PaddingAttr(const graph::Node& node) {
  TFPORT_ASSIGN_OR_RETURN(std::string p, graph::GetStringAttr(node.def(), "padding"));
  if (p == "SAME") return Padding::kSame;
  if (p == "VALID") return Padding::kValid;
  return errors::InvalidArgument(graph::NodeLocation(node.def()), ": padding '", p,
                                 "' is not supported (SAME or VALID)");
}

Status RequireNhwc(const graph::Node& node) {
  Result<std::string> f = graph::GetStringAttr(node.def(), "data_format");
  if (!f.ok() || *f == "NHWC") return OkStatus();  // missing: the NHWC default
  return errors::Unimplemented(graph::NodeLocation(node.def()), ": ", node.op(),
                               " only supports NHWC on CPU, got data_format=", *f);
}

}  // namespace nn

void RegisterNnKernels(KernelRegistry& r) {
  nn::RegisterMatMulKernels(r, /*reference=*/false);
  nn::RegisterConvKernels(r, /*reference=*/false);
  nn::RegisterPoolingKernels(r);
  nn::RegisterBatchNormKernels(r);
  nn::RegisterSoftmaxKernels(r);
  nn::RegisterConvFusion(r);
}

void UseReferenceNnKernels(KernelRegistry& r) {
  nn::RegisterMatMulKernels(r, /*reference=*/true);
  nn::RegisterConvKernels(r, /*reference=*/true);
}

}  // namespace tfport::kernels
