#include "zoo.h"

#include <cmath>
#include <random>

#include "tfport/graph/array_ops.h"
#include "tfport/graph/math_ops.h"
#include "tfport/graph/nn_ops.h"
#include "tfport/graph/ops.h"

namespace tfport::bench {
namespace {

using ops::Output;

// Adds layers to one graph and counts their FLOPs at batch 1.
class Builder {
 public:
  explicit Builder(uint32_t seed) : rng_(seed) {}

  graph::Graph& g() { return g_; }

  Output Input(int64_t size) {
    size_ = size;
    return ops::Placeholder(g_, DT_FLOAT, Shape{-1, size, size, 3}, "input");
  }

  // Uniform in [-limit, limit] (He-like scaling keeps activations O(1)).
  Output Weights(const Shape& s, int64_t fan_in) {
    const float limit = std::sqrt(3.0f / static_cast<float>(fan_in));
    std::uniform_real_distribution<float> d(-limit, limit);
    Tensor t(DT_FLOAT, s);
    for (float& v : t.flat<float>()) v = d(rng_);
    return ops::Const(g_, t);
  }
  Output Vector(int64_t n, float lo, float hi) {
    std::uniform_real_distribution<float> d(lo, hi);
    Tensor t(DT_FLOAT, Shape{n});
    for (float& v : t.flat<float>()) v = d(rng_);
    return ops::Const(g_, t);
  }

  // Conv2D (or depthwise when `depthwise`) [+ BiasAdd] + FusedBatchNormV3
  // [+ activation "Relu" / "Relu6" / ""], in a name scope like Keras' layers.
  Output ConvBn(Output x, int64_t k, int64_t out, int64_t stride, const std::string& act,
                const std::string& name, bool depthwise = false, bool bias = false) {
    graph::Graph::NameScope scope(g_, name);
    const Shape in = x.shape();
    const int64_t c = in.dim(3);
    const std::vector<int64_t> strides = {1, stride, stride, 1};
    Output y;
    int64_t channels;
    if (depthwise) {
      y = ops::DepthwiseConv2dNative(g_, x, Weights(Shape{k, k, c, 1}, k * k), strides, "SAME");
      channels = c;
      conv_flops_ += 2.0 * static_cast<double>(OutPixels(in.dim(1), stride) * k * k * c);
    } else {
      y = ops::Conv2D(g_, x, Weights(Shape{k, k, c, out}, k * k * c), strides, "SAME");
      channels = out;
      conv_flops_ += 2.0 * static_cast<double>(OutPixels(in.dim(1), stride) * k * k * c * out);
    }
    if (bias) y = ops::BiasAdd(g_, y, Vector(channels, -0.1f, 0.1f));
    ops::FusedBatchNormOptions bn;
    bn.is_training = false;
    bn.epsilon = 0.001f;
    y = ops::FusedBatchNorm(g_, y, Vector(channels, 0.5f, 1.5f), Vector(channels, -0.2f, 0.2f),
                            Vector(channels, -0.1f, 0.1f), Vector(channels, 0.5f, 1.5f), "bn", bn)
            .y;
    if (act == "Relu") y = ops::Relu(g_, y);
    if (act == "Relu6") y = ops::Relu6(g_, y);
    return y;
  }

  Output MaxPool(Output x, int64_t k, int64_t stride, const std::string& name) {
    return ops::MaxPool(g_, x, {1, k, k, 1}, {1, stride, stride, 1}, "SAME", name);
  }

  // Global average pool, dense 1000, softmax.
  Output Classifier(Output x) {
    const int64_t c = x.shape().dim(3);
    Output pooled = ops::Mean(g_, x, {1, 2}, false, "global_pool");
    Output logits = ops::BiasAdd(g_, ops::MatMul(g_, pooled, Weights(Shape{c, 1000}, c)),
                                 Vector(1000, -0.1f, 0.1f), "NHWC", "logits");
    dense_flops_ += 2.0 * static_cast<double>(c * 1000);
    return ops::Softmax(g_, logits, "probs");
  }

  ZooModel Finish(const std::string& name) {
    ZooModel m;
    m.name = name;
    m.status = g_.status();
    m.graph = g_.ToGraphDef();
    m.image_size = size_;
    m.conv_gflops = conv_flops_ / 1e9;
    m.gflops = (conv_flops_ + dense_flops_) / 1e9;
    return m;
  }

 private:
  static int64_t OutPixels(int64_t in, int64_t stride) {
    const int64_t o = (in + stride - 1) / stride;
    return o * o;
  }

  graph::Graph g_;
  std::mt19937 rng_;
  int64_t size_ = 224;
  double conv_flops_ = 0, dense_flops_ = 0;
};

}  // namespace

ZooModel MobileNetV1(int64_t image_size) {
  Builder b(101);
  Output x = b.Input(image_size);
  x = b.ConvBn(x, 3, 32, 2, "Relu6", "conv1");
  struct Block {
    int64_t out, stride;
  };
  const Block blocks[] = {{64, 1},  {128, 2}, {128, 1}, {256, 2}, {256, 1}, {512, 2},  {512, 1},
                          {512, 1}, {512, 1}, {512, 1}, {512, 1}, {1024, 2}, {1024, 1}};
  int i = 1;
  for (const Block& blk : blocks) {
    const std::string id = std::to_string(i++);
    x = b.ConvBn(x, 3, 0, blk.stride, "Relu6", "conv_dw_" + id, /*depthwise=*/true);
    x = b.ConvBn(x, 1, blk.out, 1, "Relu6", "conv_pw_" + id);
  }
  b.Classifier(x);
  return b.Finish("mobilenet_v1");
}

ZooModel MobileNetV2(int64_t image_size) {
  Builder b(102);
  Output x = b.Input(image_size);
  x = b.ConvBn(x, 3, 32, 2, "Relu6", "Conv1");
  struct Stage {
    int64_t t, c, n, s;
  };
  const Stage stages[] = {{1, 16, 1, 1},  {6, 24, 2, 2},  {6, 32, 3, 2}, {6, 64, 4, 2},
                          {6, 96, 3, 1},  {6, 160, 3, 2}, {6, 320, 1, 1}};
  int id = 0;
  for (const Stage& st : stages) {
    for (int64_t r = 0; r < st.n; ++r, ++id) {
      const std::string name = "block_" + std::to_string(id);
      const int64_t in_c = x.shape().dim(3);
      const int64_t stride = r == 0 ? st.s : 1;
      Output h = x;
      if (st.t != 1) h = b.ConvBn(h, 1, in_c * st.t, 1, "Relu6", name + "_expand");
      h = b.ConvBn(h, 3, 0, stride, "Relu6", name + "_depthwise", /*depthwise=*/true);
      h = b.ConvBn(h, 1, st.c, 1, "", name + "_project");
      if (stride == 1 && in_c == st.c) h = ops::AddV2(b.g(), x, h, name + "_add");
      x = h;
    }
  }
  x = b.ConvBn(x, 1, 1280, 1, "Relu6", "Conv_1");
  b.Classifier(x);
  return b.Finish("mobilenet_v2");
}

ZooModel ResNet50V1(int64_t image_size) {
  Builder b(103);
  Output x = b.Input(image_size);
  x = b.ConvBn(x, 7, 64, 2, "Relu", "conv1", false, /*bias=*/true);
  x = b.MaxPool(x, 3, 2, "pool1");
  const int depth[] = {3, 4, 6, 3};
  for (int stage = 0; stage < 4; ++stage) {
    const int64_t filters = int64_t{64} << stage;
    for (int blk = 0; blk < depth[stage]; ++blk) {
      const std::string name =
          "conv" + std::to_string(stage + 2) + "_block" + std::to_string(blk + 1);
      // Keras ResNet50 (v1): the stride sits in the first 1x1 convolution.
      const int64_t stride = blk == 0 && stage > 0 ? 2 : 1;
      Output h = b.ConvBn(x, 1, filters, stride, "Relu", name + "_1", false, true);
      h = b.ConvBn(h, 3, filters, 1, "Relu", name + "_2", false, true);
      h = b.ConvBn(h, 1, filters * 4, 1, "", name + "_3", false, true);
      Output shortcut = x;
      if (blk == 0) shortcut = b.ConvBn(x, 1, filters * 4, stride, "", name + "_0", false, true);
      x = ops::Relu(b.g(), ops::AddV2(b.g(), shortcut, h, name + "_add"), name + "_out");
    }
  }
  b.Classifier(x);
  return b.Finish("resnet50_v1");
}

ZooModel InceptionBlocks(int64_t image_size) {
  Builder b(104);
  Output x = b.Input(image_size);
  x = b.ConvBn(x, 7, 64, 2, "Relu", "stem_conv1");
  x = b.MaxPool(x, 3, 2, "stem_pool1");
  x = b.ConvBn(x, 1, 64, 1, "Relu", "stem_conv2");
  x = b.ConvBn(x, 3, 192, 1, "Relu", "stem_conv3");
  x = b.MaxPool(x, 3, 2, "stem_pool2");
  // GoogLeNet's 3a, 3b, (pool), 4a: 1x1 | 1x1->3x3 | 1x1->5x5 | pool->1x1.
  struct Mixed {
    int64_t b1, b3r, b3, b5r, b5, bp;
  };
  const Mixed mixed[] = {{64, 96, 128, 16, 32, 32}, {128, 128, 192, 32, 96, 64},
                         {192, 96, 208, 16, 48, 64}};
  for (int i = 0; i < 3; ++i) {
    const Mixed& m = mixed[i];
    const std::string name = "mixed_" + std::to_string(i);
    if (i == 2) x = b.MaxPool(x, 3, 2, "pool_3");
    Output p1 = b.ConvBn(x, 1, m.b1, 1, "Relu", name + "_1x1");
    Output p3 = b.ConvBn(b.ConvBn(x, 1, m.b3r, 1, "Relu", name + "_3x3_reduce"), 3, m.b3, 1,
                         "Relu", name + "_3x3");
    Output p5 = b.ConvBn(b.ConvBn(x, 1, m.b5r, 1, "Relu", name + "_5x5_reduce"), 5, m.b5, 1,
                         "Relu", name + "_5x5");
    Output pp = b.ConvBn(b.MaxPool(x, 3, 1, name + "_pool"), 1, m.bp, 1, "Relu", name + "_pool_proj");
    x = ops::ConcatV2(b.g(), {p1, p3, p5, pp}, ops::Const(b.g(), int32_t{3}), name + "_concat");
  }
  b.Classifier(x);
  return b.Finish("inception_blocks");
}

std::vector<ZooModel> AllZooModels(int64_t image_size) {
  std::vector<ZooModel> v;
  v.push_back(MobileNetV1(image_size));
  v.push_back(MobileNetV2(image_size));
  v.push_back(ResNet50V1(image_size));
  v.push_back(InceptionBlocks(image_size));
  return v;
}

}  // namespace tfport::bench
