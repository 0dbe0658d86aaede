// Convolutions on oneDNN's convolution primitive: float NHWC, dense
// (Conv2D) and depthwise (DepthwiseConv2dNative, as a grouped convolution
// with one group per input channel), with an optional per-channel bias and
// activation executed as part of the primitive (post-op).
//
// Tensors stay in TensorFlow's layouts: source and destination are described
// to oneDNN as NHWC, the filter by its strides ([KH,KW,C,OC] seen as
// oihw / goihw). The primitive chooses its own weights layout ("any"), so
// the filter is reordered into it: once per primitive when the filter is a
// constant of the plan, on every call otherwise. Primitives are created per
// input shape and cached; each call gets its own scratchpad, so one kernel
// can run from several threads at once.
#include <omp.h>

#include <oneapi/dnnl/dnnl.hpp>

#include <map>
#include <memory>
#include <mutex>

#include "kernels/nn/nn_internal.h"

namespace tfport::kernels::nn {
namespace {

using dnnl::memory;
using Dims = memory::dims;

dnnl::engine& Engine() {
  static dnnl::engine* engine = new dnnl::engine(dnnl::engine::kind::cpu, 0);
  return *engine;
}

memory::desc Nhwc(int64_t n, int64_t c, int64_t h, int64_t w) {
  return memory::desc(Dims{n, c, h, w}, memory::data_type::f32, memory::format_tag::nhwc);
}

// TensorFlow's filter [KH,KW,C,OC] (dense) or [KH,KW,C,M] (depthwise) as
// oneDNN's oihw / goihw logical dims, by strides.
memory::desc FilterDesc(const ConvGeometry& g, bool depthwise) {
  const int64_t kh = g.k_h, kw = g.k_w, c = g.in_c, oc = g.out_c;
  if (depthwise)  // dims g=C, o=M, i=1, h, w
    return memory::desc(Dims{c, oc, 1, kh, kw}, memory::data_type::f32,
                        Dims{oc, 1, c * oc, kw * c * oc, c * oc});
  return memory::desc(Dims{oc, c, kh, kw}, memory::data_type::f32,
                      Dims{1, oc, kw * c * oc, c * oc});
}

dnnl::algorithm EltwiseOf(Activation a) {
  switch (a) {
    case Activation::kRelu:
    case Activation::kLeakyRelu:
      return dnnl::algorithm::eltwise_relu;
    case Activation::kRelu6:
      return dnnl::algorithm::eltwise_clip;
    case Activation::kElu:
      return dnnl::algorithm::eltwise_elu;
    case Activation::kSigmoid:
      return dnnl::algorithm::eltwise_logistic;
    case Activation::kTanh:
      return dnnl::algorithm::eltwise_tanh;
    case Activation::kNone:
      break;
  }
  return dnnl::algorithm::undef;
}

}  // namespace

struct OneDnnConv::Primitive {
  dnnl::convolution_forward conv;
  memory::desc weights_desc;
  std::optional<memory> weights;  // reordered constant filter
  bool reorder_filter = false;    // the primitive's weights layout differs from TF's
  memory::desc scratchpad_desc;
  size_t scratchpad_bytes = 0;
};

OneDnnConv::OneDnnConv(Window2D win, bool depthwise, std::optional<Tensor> filter,
                       std::optional<Tensor> bias, ActivationSpec act)
    : win_(win), depthwise_(depthwise), filter_(std::move(filter)), bias_(std::move(bias)),
      act_(act) {}

OneDnnConv::~OneDnnConv() = default;

Result<std::shared_ptr<const OneDnnConv::Primitive>> OneDnnConv::Get(const ConvGeometry& g) const {
  const std::vector<int64_t> key = {g.batch, g.in_h, g.in_w, g.in_c, g.k_h, g.k_w, g.out_c};
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = cache_.find(key); it != cache_.end()) return it->second;
  try {
    const int64_t out_c = depthwise_ ? g.in_c * g.out_c : g.out_c;
    const memory::desc src = Nhwc(g.batch, g.in_c, g.in_h, g.in_w);
    const memory::desc dst = Nhwc(g.batch, out_c, g.out_h, g.out_w);
    const memory::desc user_w = FilterDesc(g, depthwise_);
    const memory::desc any_w(user_w.dims(), memory::data_type::f32, memory::format_tag::any);
    const memory::desc bias(Dims{out_c}, memory::data_type::f32, memory::format_tag::a);
    auto pad_after = [](int64_t in, int64_t out, int64_t k, int64_t stride, int64_t dil,
                        int64_t before) {
      const int64_t eff = (k - 1) * dil + 1;
      return std::max<int64_t>(0, (out - 1) * stride + eff - in - before);
    };
    const Dims strides{win_.stride_h, win_.stride_w};
    const Dims dilation{win_.dilation_h - 1, win_.dilation_w - 1};
    const Dims pad_l{g.pad_top, g.pad_left};
    const Dims pad_r{pad_after(g.in_h, g.out_h, g.k_h, win_.stride_h, win_.dilation_h, g.pad_top),
                     pad_after(g.in_w, g.out_w, g.k_w, win_.stride_w, win_.dilation_w, g.pad_left)};
    auto desc = bias_ ? dnnl::convolution_forward::desc(
                            dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
                            src, any_w, bias, dst, strides, dilation, pad_l, pad_r)
                      : dnnl::convolution_forward::desc(
                            dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
                            src, any_w, dst, strides, dilation, pad_l, pad_r);
    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    if (act_.kind != Activation::kNone) {
      dnnl::post_ops ops;
      const float alpha = act_.kind == Activation::kRelu6 ? 0.0f : act_.alpha;
      const float beta = act_.kind == Activation::kRelu6 ? 6.0f : 0.0f;
      ops.append_eltwise(1.0f, EltwiseOf(act_.kind), alpha, beta);
      attr.set_post_ops(ops);
    }
    dnnl::convolution_forward::primitive_desc pd(desc, attr, Engine());
    auto p = std::make_shared<Primitive>();
    p->conv = dnnl::convolution_forward(pd);
    p->weights_desc = pd.weights_desc();
    p->reorder_filter = pd.weights_desc() != user_w;
    p->scratchpad_desc = pd.scratchpad_desc();
    p->scratchpad_bytes = p->scratchpad_desc.get_size();
    if (filter_) {
      // Primitives for other input shapes often pick the same weights
      // layout: they share one reordered copy of the filter.
      for (const auto& entry : cache_)
        if (entry.second->weights && entry.second->weights_desc == p->weights_desc) {
          p->weights = entry.second->weights;
          break;
        }
      memory user(user_w, Engine(), const_cast<float*>(filter_->flat<float>().data()));
      if (!p->weights && p->reorder_filter) {
        memory reordered(p->weights_desc, Engine());
        dnnl::stream s(Engine());
        dnnl::reorder(user, reordered).execute(s, user, reordered);
        s.wait();
        p->weights = reordered;
      } else if (!p->weights) {
        p->weights = user;
      }
    }
    cache_.emplace(key, p);
    return std::shared_ptr<const Primitive>(p);
  } catch (const dnnl::error& e) {
    return errors::Internal("oneDNN could not create a convolution for input [", g.batch, ",",
                            g.in_h, ",", g.in_w, ",", g.in_c, "] and filter [", g.k_h, ",",
                            g.k_w, ",", g.in_c, ",", g.out_c, "]: ", e.what());
  }
}

Status OneDnnConv::Run(const ConvGeometry& g, const float* in, const float* filter, float* out,
                       int threads) const {
  if (g.rows() == 0 || g.out_c == 0 || g.in_c == 0) return OkStatus();
  TFPORT_ASSIGN_OR_RETURN(std::shared_ptr<const Primitive> p, Get(g));
  try {
    const int64_t out_c = depthwise_ ? g.in_c * g.out_c : g.out_c;
    dnnl::engine& eng = Engine();
    memory src(Nhwc(g.batch, g.in_c, g.in_h, g.in_w), eng, const_cast<float*>(in));
    memory dst(Nhwc(g.batch, out_c, g.out_h, g.out_w), eng, out);
    // Per-thread buffers, reused across calls (first touch of memory is slow).
    thread_local std::vector<uint8_t> scratch;
    if (scratch.size() < p->scratchpad_bytes) scratch.resize(p->scratchpad_bytes);
    omp_set_num_threads(std::max(1, threads));
    dnnl::stream stream(eng);
    std::unordered_map<int, memory> args = {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}};
    if (p->scratchpad_bytes > 0)
      args.emplace(DNNL_ARG_SCRATCHPAD, memory(p->scratchpad_desc, eng, scratch.data()));
    if (bias_)
      args.emplace(DNNL_ARG_BIAS,
                   memory(memory::desc(Dims{out_c}, memory::data_type::f32, memory::format_tag::a),
                          eng, const_cast<float*>(bias_->flat<float>().data())));
    thread_local std::vector<float> weights_buffer;
    if (p->weights) {
      args.emplace(DNNL_ARG_WEIGHTS, *p->weights);
    } else {
      memory user(FilterDesc(g, depthwise_), eng, const_cast<float*>(filter));
      if (p->reorder_filter) {
        const size_t n = p->weights_desc.get_size() / sizeof(float) + 1;
        if (weights_buffer.size() < n) weights_buffer.resize(n);
        memory reordered(p->weights_desc, eng, weights_buffer.data());
        dnnl::reorder(user, reordered).execute(stream, user, reordered);
        args.emplace(DNNL_ARG_WEIGHTS, reordered);
      } else {
        args.emplace(DNNL_ARG_WEIGHTS, user);
      }
    }
    p->conv.execute(stream, args);
    stream.wait();
  } catch (const dnnl::error& e) {
    return errors::Internal("oneDNN convolution failed: ", e.what());
  }
  return OkStatus();
}

}  // namespace tfport::kernels::nn
