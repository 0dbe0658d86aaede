// The convolution fusion rule (runtime/kernel.h, FusionRule): a float NHWC
// Conv2D or DepthwiseConv2dNative followed by per-channel affine steps and
// an optional activation becomes one oneDNN convolution with bias and a
// post-op, decided when an executor builds its plan.
//
//   conv -> [BiasAdd | Add c | Mul c | FusedBatchNorm (inference)]* -> [act]
//
// Every affine step maps channel o as y = a[o] * x + b[o]; the chain
// composes to one (A, B). A goes into the filter (filter[..., o] * A[o]),
// which therefore must be a constant of the plan, and B becomes the bias;
// a filter that is not constant can still take pure additions (A = 1).
// FusedBatchNorm folds as TensorFlow's inference formula:
// a = scale / sqrt(variance + epsilon), b = offset - mean * a.
// Activations: Relu, Relu6, LeakyRelu, Elu, Sigmoid, Tanh.
#include <cmath>
#include <string>

#include "kernels/nn/nn_internal.h"

namespace tfport::kernels::nn {
namespace {

using graph::Node;
using graph::Output;
using runtime::FusionContext;

bool IsFloat(const Node& n) {
  Result<DataType> t = graph::GetTypeAttr(n.def(), "T");
  return t.ok() && *t == DT_FLOAT;
}

bool IsNhwc(const Node& n) {
  Result<std::string> f = graph::GetStringAttr(n.def(), "data_format");
  return !f.ok() || *f == "NHWC";
}

std::optional<ActivationSpec> ActivationOf(const Node& n) {
  const std::string& op = n.op();
  ActivationSpec a;
  if (op == "Relu") {
    a.kind = Activation::kRelu;
  } else if (op == "Relu6") {
    a.kind = Activation::kRelu6;
  } else if (op == "LeakyRelu") {
    a.kind = Activation::kLeakyRelu;
    Result<float> alpha = graph::GetFloatAttr(n.def(), "alpha");
    a.alpha = alpha.ok() ? *alpha : 0.2f;
  } else if (op == "Elu") {
    a.kind = Activation::kElu;
    a.alpha = 1.0f;
  } else if (op == "Sigmoid") {
    a.kind = Activation::kSigmoid;
  } else if (op == "Tanh") {
    a.kind = Activation::kTanh;
  } else {
    return std::nullopt;
  }
  if (!IsFloat(n)) return std::nullopt;
  return a;
}

// Per-output-channel y = a * x + b, composed over the chain.
struct Affine {
  std::vector<float> a, b;
  bool scales = false;  // some a != 1
  bool any = false;     // some step was folded
};

// A constant operand of an affine step: a float scalar or [channels] vector.
const Tensor* ChannelConstant(const FusionContext& ctx, Output t, int64_t channels) {
  const Tensor* c = ctx.Constant(t);
  if (c == nullptr || c->dtype() != DT_FLOAT) return nullptr;
  const Shape& s = c->shape();
  if (s.rank() == 0) return c;
  // [C], or [1, ..., 1, C] that broadcasts over NHWC without changing the rank.
  if (s.rank() > 4 || s.dim(s.rank() - 1) != channels) return nullptr;
  for (int i = 0; i + 1 < s.rank(); ++i)
    if (s.dim(i) != 1) return nullptr;
  return c;
}

float At(const Tensor& t, int64_t o) {
  auto v = t.flat<float>();
  return v.size() == 1 ? v[0] : v[static_cast<size_t>(o)];
}

// Folds one affine step `n` into `f`; false if `n` is not an affine step of
// this fusion.
bool FoldStep(const Node& n, const FusionContext& ctx, int64_t channels, Affine* f) {
  const std::string& op = n.op();
  if (!IsFloat(n) || n.num_inputs() < 2) return false;
  auto add = [&](const Tensor& c) {
    for (int64_t o = 0; o < channels; ++o) f->b[static_cast<size_t>(o)] += At(c, o);
  };
  if (op == "BiasAdd") {
    if (!IsNhwc(n)) return false;
    const Tensor* c = ctx.Constant(n.input(1));
    if (c == nullptr || c->dtype() != DT_FLOAT || c->shape().rank() != 1 ||
        c->shape().dim(0) != channels)
      return false;
    add(*c);
  } else if (op == "Add" || op == "AddV2" || op == "Mul") {
    // The chain is one operand, a per-channel constant the other.
    const Tensor* c = ChannelConstant(ctx, n.input(1), channels);
    if (c == nullptr) c = ChannelConstant(ctx, n.input(0), channels);
    if (c == nullptr) return false;
    if (op == "Mul") {
      for (int64_t o = 0; o < channels; ++o) {
        const float m = At(*c, o);
        f->a[static_cast<size_t>(o)] *= m;
        f->b[static_cast<size_t>(o)] *= m;
      }
      f->scales = true;
    } else {
      add(*c);
    }
  } else if (op == "FusedBatchNorm" || op == "FusedBatchNormV2" || op == "FusedBatchNormV3") {
    Result<bool> training = graph::GetBoolAttr(n.def(), "is_training");
    Result<float> eps = graph::GetFloatAttr(n.def(), "epsilon");
    if (!training.ok() || *training || !eps.ok() || !IsNhwc(n) || n.num_inputs() < 5) return false;
    // Only the normalized output may be in use.
    for (int k = 1; k < std::max(0, n.num_outputs()); ++k)
      if (ctx.Uses(Output{const_cast<Node*>(&n), k}) != 0) return false;
    const Tensor* p[4];
    for (int i = 0; i < 4; ++i) {
      p[i] = ctx.Constant(n.input(i + 1));
      if (p[i] == nullptr || p[i]->dtype() != DT_FLOAT || p[i]->num_elements() != channels)
        return false;
    }
    for (int64_t o = 0; o < channels; ++o) {
      const auto u = static_cast<size_t>(o);
      const float s = At(*p[0], o) / std::sqrt(At(*p[3], o) + *eps);
      f->a[u] *= s;
      f->b[u] = f->b[u] * s + (At(*p[1], o) - At(*p[2], o) * s);
    }
    f->scales = true;
  } else {
    return false;
  }
  f->any = true;
  return true;
}

class FusedConvKernel final : public OpKernel {
 public:
  FusedConvKernel(std::string conv_location, Window2D win, bool depthwise, Shape filter_shape,
                  std::optional<Tensor> filter, std::optional<Tensor> bias, ActivationSpec act)
      : location_(std::move(conv_location)), win_(win), depthwise_(depthwise),
        filter_shape_(std::move(filter_shape)), constant_filter_(filter.has_value()),
        conv_(win, depthwise, std::move(filter), std::move(bias), act) {}

  Status Compute(OpKernelContext& ctx) const override {
    const Tensor& input = ctx.input(0);
    Status s = [&]() -> Status {
      TFPORT_RETURN_IF_ERROR(CheckInputType(input, DT_FLOAT, 0));
      const Tensor* filter = constant_filter_ ? nullptr : &ctx.input(1);
      if (filter != nullptr) TFPORT_RETURN_IF_ERROR(CheckInputType(*filter, DT_FLOAT, 1));
      TFPORT_ASSIGN_OR_RETURN(
          ConvGeometry g,
          ConvGeometryOf(input.shape(), filter ? filter->shape() : filter_shape_, win_));
      Shape out_shape{g.batch, g.out_h, g.out_w, depthwise_ ? g.in_c * g.out_c : g.out_c};
      TFPORT_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, DT_FLOAT, out_shape));
      if (out->num_elements() == 0) return OkStatus();
      return conv_.Run(g, input.flat<float>().data(),
                       filter ? filter->flat<float>().data() : nullptr, out->flat<float>().data(),
                       IntraOpThreads(ctx.intra_op_pool()));
    }();
    return s.ok() ? s : s.WithContext(location_);
  }

 private:
  std::string location_;
  Window2D win_;
  bool depthwise_;
  Shape filter_shape_;
  bool constant_filter_;
  OneDnnConv conv_;
};

std::optional<runtime::FusedNode> FuseConv(const Node& last, const FusionContext& ctx) {
  // The activation, if the chain ends in one.
  std::optional<ActivationSpec> act = ActivationOf(last);
  std::vector<const Node*> chain;  // from `last` down to the convolution
  chain.push_back(&last);
  Output cur{const_cast<Node*>(&last), 0};
  if (act) {
    cur = last.input(0);
    if (!ctx.Absorbable(cur)) return std::nullopt;
    chain.push_back(cur.node);
  }
  // Down through the affine steps to the convolution; they are folded once
  // the convolution's channel count is known.
  std::vector<const Node*> steps;
  while (cur.node->op() != "Conv2D" && cur.node->op() != "DepthwiseConv2dNative") {
    const Node* n = cur.node;
    const std::string& op = n->op();
    const bool affine = op == "BiasAdd" || op == "Add" || op == "AddV2" || op == "Mul" ||
                        op == "FusedBatchNorm" || op == "FusedBatchNormV2" ||
                        op == "FusedBatchNormV3";
    if (!affine || n->num_inputs() < 2) return std::nullopt;
    steps.push_back(n);
    // The chain operand: input 0, except an Add/Mul whose constant comes first.
    Output next = n->input(0);
    if ((op == "Add" || op == "AddV2" || op == "Mul") && ctx.Constant(next) != nullptr)
      next = n->input(1);
    if (!ctx.Absorbable(next)) return std::nullopt;
    cur = next;
    chain.push_back(cur.node);
    if (steps.size() > 8) return std::nullopt;
  }
  const Node& conv = *cur.node;
  if (cur.index != 0 || !IsFloat(conv)) return std::nullopt;
  Result<Window2D> win = ParseConvAttrs(conv);
  if (!win.ok()) return std::nullopt;
  const bool depthwise = conv.op() == "DepthwiseConv2dNative";
  const Tensor* filter = ctx.Constant(conv.input(1));
  Shape filter_shape = filter ? filter->shape() : conv.input(1).shape();
  if (filter_shape.unknown_rank() || filter_shape.rank() != 4 || !filter_shape.IsFullyDefined())
    return std::nullopt;
  const int64_t channels =
      depthwise ? filter_shape.dim(2) * filter_shape.dim(3) : filter_shape.dim(3);

  Affine f;
  f.a.assign(static_cast<size_t>(channels), 1.0f);
  f.b.assign(static_cast<size_t>(channels), 0.0f);
  for (auto it = steps.rbegin(); it != steps.rend(); ++it) {
    if (!FoldStep(**it, ctx, channels, &f)) return std::nullopt;
  }
  if (f.scales && filter == nullptr) return std::nullopt;
  if (!act && !f.any && filter == nullptr) return std::nullopt;  // nothing to gain

  std::optional<Tensor> folded;
  if (filter != nullptr) {
    Result<Tensor> copy = Tensor::Allocate(DT_FLOAT, filter_shape, false);
    if (!copy.ok()) return std::nullopt;
    auto src = filter->flat<float>();
    auto dst = copy->flat<float>();
    for (size_t i = 0; i < src.size(); ++i)
      dst[i] = src[i] * f.a[i % static_cast<size_t>(channels)];
    folded = std::move(*copy);
  }
  std::optional<Tensor> bias;
  if (f.any) {
    Result<Tensor> b = Tensor::Allocate(DT_FLOAT, Shape{channels}, false);
    if (!b.ok()) return std::nullopt;
    std::copy(f.b.begin(), f.b.end(), b->flat<float>().begin());
    bias = std::move(*b);
  }

  runtime::FusedNode out;
  out.inputs.push_back(conv.input(0));
  if (filter == nullptr) out.inputs.push_back(conv.input(1));
  out.description = conv.op();
  for (auto it = chain.rbegin() + 1; it != chain.rend(); ++it) out.description += "+" + (*it)->op();
  for (size_t i = 1; i < chain.size(); ++i) out.absorbed.push_back(chain[i]);
  out.kernel = std::make_unique<FusedConvKernel>(graph::NodeLocation(conv.def()), *win, depthwise,
                                                 filter_shape, std::move(folded), std::move(bias),
                                                 act.value_or(ActivationSpec{}));
  return out;
}

}  // namespace

void RegisterConvFusion(KernelRegistry& r) { r.AddFusionRule(FuseConv); }

}  // namespace tfport::kernels::nn
