// Plan-build fusion and the fast convolution paths.
//
// Every case runs the same graph three ways and compares:
//   - the default kernels (oneDNN convolutions, fusion rules applied when
//     the plan is built: conv + bias/batch-norm/affine + activation as one
//     kernel with the batch norm folded into the filter);
//   - kernels::ReferenceKernels() (the plain loops, no fusion);
//   - a direct double-precision evaluation written in this file from the
//     TensorFlow definitions (NHWC input, HWIO filter; SAME pads
//     max((out-1)*s + (k-1)*d + 1 - in, 0) split with the smaller half
//     first; inference batch norm y = (x - mean) * scale / sqrt(var + eps) + offset).
// Fast and reference must agree to 1e-5 relative (the bound); both
// must match the direct evaluation to float accuracy.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "tfport/graph/import.h"
#include "tfport/graph/math_ops.h"
#include "tfport/graph/nn_ops.h"
#include "tfport/graph/ops.h"
#include "tfport/kernels/kernels.h"
#include "zoo.h"  // bench/models

namespace tfport {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// ---------------------------------------------------------------- direct math

struct ConvSpec {
  int64_t n = 1, h = 7, w = 7, c = 4;  // input
  int64_t kh = 3, kw = 3, oc = 8;       // filter; oc = multiplier for depthwise
  int64_t stride_h = 1, stride_w = 1, dil_h = 1, dil_w = 1;
  std::string padding = "SAME";
  bool depthwise = false;
};

int64_t OutDim(int64_t in, int64_t k, int64_t s, int64_t d, const std::string& padding,
               int64_t* pad_before) {
  const int64_t eff = (k - 1) * d + 1;
  if (padding == "VALID") {
    *pad_before = 0;
    return (in - eff + s) / s;
  }
  const int64_t out = (in + s - 1) / s;
  *pad_before = std::max<int64_t>((out - 1) * s + eff - in, 0) / 2;
  return out;
}

// Direct convolution in double; returns NHWC values and sets out_shape.
std::vector<double> DirectConv(const ConvSpec& p, const std::vector<float>& x,
                               const std::vector<float>& f, std::vector<int64_t>* out_shape) {
  int64_t pt, pl;
  const int64_t oh = OutDim(p.h, p.kh, p.stride_h, p.dil_h, p.padding, &pt);
  const int64_t ow = OutDim(p.w, p.kw, p.stride_w, p.dil_w, p.padding, &pl);
  const int64_t oc = p.depthwise ? p.c * p.oc : p.oc;
  *out_shape = {p.n, oh, ow, oc};
  std::vector<double> out(static_cast<size_t>(p.n * oh * ow * oc), 0.0);
  for (int64_t b = 0; b < p.n; ++b)
    for (int64_t y = 0; y < oh; ++y)
      for (int64_t xo = 0; xo < ow; ++xo)
        for (int64_t o = 0; o < oc; ++o) {
          double sum = 0;
          for (int64_t i = 0; i < p.kh; ++i)
            for (int64_t j = 0; j < p.kw; ++j) {
              const int64_t ih = y * p.stride_h - pt + i * p.dil_h;
              const int64_t iw = xo * p.stride_w - pl + j * p.dil_w;
              if (ih < 0 || ih >= p.h || iw < 0 || iw >= p.w) continue;
              const float* in = &x[static_cast<size_t>(((b * p.h + ih) * p.w + iw) * p.c)];
              if (p.depthwise) {
                const int64_t ch = o / p.oc, m = o % p.oc;
                sum += double(in[ch]) * f[static_cast<size_t>(((i * p.kw + j) * p.c + ch) * p.oc + m)];
              } else {
                for (int64_t ch = 0; ch < p.c; ++ch)
                  sum += double(in[ch]) * f[static_cast<size_t>(((i * p.kw + j) * p.c + ch) * p.oc + o)];
              }
            }
          out[static_cast<size_t>(((b * oh + y) * ow + xo) * oc + o)] = sum;
        }
  return out;
}

std::vector<float> Random(size_t n, std::mt19937& rng, float lo = -1.0f, float hi = 1.0f) {
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (float& e : v) e = d(rng);
  return v;
}

Tensor F32(const std::vector<float>& v, const Shape& s) { return Tensor::FromVector<float>(v, s); }

// ---------------------------------------------------------------- running

struct Runs {
  Tensor fast, reference;
  std::vector<std::string> fused;
  int fast_nodes = 0, reference_nodes = 0;
};

// Runs `fetch` with x fed, on the default kernels and on the reference
// kernels, and records what the default plan fused.
Runs RunBoth(const graph::Graph& g, const std::string& feed, const Tensor& x,
             const std::string& fetch, bool fuse = true) {
  Runs r;
  for (int pass = 0; pass < 2; ++pass) {
    runtime::SessionOptions opt;
    opt.kernels = pass == 0 ? &kernels::DefaultKernels() : &kernels::ReferenceKernels();
    opt.fuse_kernels = fuse;
    auto session = kernels::NewSession(g, opt);
    auto callable = session->MakeCallable({feed}, {fetch}, {});
    EXPECT_TRUE(callable.ok()) << callable.status().ToString();
    if (!callable.ok()) return r;
    std::vector<Tensor> out;
    Status s = session->RunCallable(**callable, {&x, 1}, &out);
    EXPECT_TRUE(s.ok()) << s.ToString();
    if (!s.ok()) return r;
    (pass == 0 ? r.fast : r.reference) = out[0];
    (pass == 0 ? r.fast_nodes : r.reference_nodes) = (*callable)->executor().num_nodes();
    if (pass == 0) r.fused = (*callable)->executor().fused();
  }
  return r;
}

// |a - b| <= tol * max(1, |b|) everywhere.
void ExpectAllClose(const Tensor& got, const std::vector<double>& want, double tol,
                    const char* what) {
  ASSERT_EQ(got.dtype(), DT_FLOAT) << what;
  auto g = got.flat<float>();
  ASSERT_EQ(g.size(), want.size()) << what;
  for (size_t i = 0; i < want.size(); ++i)
    ASSERT_NEAR(g[i], want[i], tol * std::max(1.0, std::abs(want[i]))) << what << " element " << i;
}

std::vector<double> Values(const Tensor& t) {
  auto v = t.flat<float>();
  return std::vector<double>(v.begin(), v.end());
}

// ---------------------------------------------------------------- fusion

struct BatchNorm {
  std::vector<float> scale, offset, mean, var;
  float eps = 0.001f;
};

BatchNorm RandomBatchNorm(int64_t c, std::mt19937& rng) {
  BatchNorm bn;
  bn.scale = Random(static_cast<size_t>(c), rng, 0.5f, 1.5f);
  bn.offset = Random(static_cast<size_t>(c), rng);
  bn.mean = Random(static_cast<size_t>(c), rng, -0.5f, 0.5f);
  bn.var = Random(static_cast<size_t>(c), rng, 0.1f, 2.0f);
  return bn;
}

// conv -> BiasAdd -> FusedBatchNormV3 (inference) -> Relu6, the TF1
// convention of MobileNet / ResNet exports.
void CheckConvBiasBnRelu6(const ConvSpec& p, uint32_t seed) {
  SCOPED_TRACE(::testing::Message() << (p.depthwise ? "depthwise " : "conv ") << p.h << "x" << p.w
                                    << "x" << p.c << " k" << p.kh << "x" << p.kw << " s"
                                    << p.stride_h << " d" << p.dil_h << " " << p.padding);
  std::mt19937 rng(seed);
  const int64_t oc = p.depthwise ? p.c * p.oc : p.oc;
  std::vector<float> x = Random(static_cast<size_t>(p.n * p.h * p.w * p.c), rng);
  std::vector<float> f = Random(static_cast<size_t>(p.kh * p.kw * p.c * p.oc), rng);
  std::vector<float> bias = Random(static_cast<size_t>(oc), rng);
  BatchNorm bn = RandomBatchNorm(oc, rng);

  graph::Graph g;
  auto in = ops::Placeholder(g, DT_FLOAT, Shape{p.n, p.h, p.w, p.c}, "x");
  auto filter = ops::Const(g, F32(f, Shape{p.kh, p.kw, p.c, p.oc}), "w");
  ops::ConvOptions co;
  co.dilations = {1, p.dil_h, p.dil_w, 1};
  const std::vector<int64_t> strides = {1, p.stride_h, p.stride_w, 1};
  auto conv = p.depthwise ? ops::DepthwiseConv2dNative(g, in, filter, strides, p.padding, "conv", co)
                          : ops::Conv2D(g, in, filter, strides, p.padding, "conv", co);
  auto biased = ops::BiasAdd(g, conv, ops::Const(g, F32(bias, Shape{oc})), "NHWC", "bias");
  ops::FusedBatchNormOptions bo;
  bo.is_training = false;
  bo.epsilon = bn.eps;
  auto norm = ops::FusedBatchNorm(g, biased, ops::Const(g, F32(bn.scale, Shape{oc})),
                                  ops::Const(g, F32(bn.offset, Shape{oc})),
                                  ops::Const(g, F32(bn.mean, Shape{oc})),
                                  ops::Const(g, F32(bn.var, Shape{oc})), "bn", bo);
  ops::Relu6(g, norm.y, "act");
  ASSERT_TRUE(g.status().ok()) << g.status().ToString();

  std::vector<int64_t> shape;
  std::vector<double> want = DirectConv(p, x, f, &shape);
  for (size_t i = 0; i < want.size(); ++i) {
    const size_t o = i % static_cast<size_t>(oc);
    double v = want[i] + bias[o];
    v = (v - bn.mean[o]) * bn.scale[o] / std::sqrt(double(bn.var[o]) + bn.eps) + bn.offset[o];
    want[i] = std::clamp(v, 0.0, 6.0);
  }

  Runs r = RunBoth(g, "x:0", F32(x, Shape{p.n, p.h, p.w, p.c}), "act:0");
  EXPECT_EQ(r.fast.shape(), Shape(shape));
  ExpectAllClose(r.fast, Values(r.reference), 1e-5, "fast vs reference");
  ExpectAllClose(r.fast, want, 1e-5, "fast vs direct");
  ExpectAllClose(r.reference, want, 1e-5, "reference vs direct");
  const std::string op = p.depthwise ? "DepthwiseConv2dNative" : "Conv2D";
  EXPECT_THAT(r.fused, ElementsAre("act: " + op + "+BiasAdd+FusedBatchNormV3+Relu6"));
  // The whole chain is one node; the reference plan runs all four.
  EXPECT_EQ(r.fast_nodes, 1);
  EXPECT_EQ(r.reference_nodes, 4);
}

TEST(Fusion, ConvBiasBatchNormRelu6) {
  ConvSpec p;
  CheckConvBiasBnRelu6(p, 1);
  p.h = 9, p.w = 8, p.c = 16, p.oc = 24, p.stride_h = p.stride_w = 2;
  CheckConvBiasBnRelu6(p, 2);
  p.padding = "VALID", p.kh = 1, p.kw = 1, p.stride_h = p.stride_w = 1, p.n = 2;
  CheckConvBiasBnRelu6(p, 3);
  p = ConvSpec{};
  p.h = 10, p.w = 11, p.kh = 3, p.kw = 2, p.dil_h = 2, p.dil_w = 3, p.stride_w = 2;
  CheckConvBiasBnRelu6(p, 4);
  p = ConvSpec{};
  p.padding = "VALID", p.h = 8, p.w = 9, p.kh = 5, p.kw = 3, p.stride_h = 3;
  CheckConvBiasBnRelu6(p, 5);
}

TEST(Fusion, DepthwiseBiasBatchNormRelu6) {
  ConvSpec p;
  p.depthwise = true;
  p.c = 32, p.oc = 1, p.h = p.w = 12;
  CheckConvBiasBnRelu6(p, 11);
  p.stride_h = p.stride_w = 2, p.c = 96;
  CheckConvBiasBnRelu6(p, 12);
  p.oc = 2, p.c = 5, p.padding = "VALID", p.stride_h = p.stride_w = 1, p.dil_h = p.dil_w = 2;
  CheckConvBiasBnRelu6(p, 13);
  p = ConvSpec{};
  p.depthwise = true, p.c = 17, p.oc = 3, p.kh = p.kw = 5, p.stride_h = 2;
  CheckConvBiasBnRelu6(p, 14);
}

// Mul/Add constants in either operand order, a scalar and a [1,1,1,C]
// vector, then Tanh; and a Conv2D whose filter is fed (only additions fold).
TEST(Fusion, AffineChainsAndFedFilter) {
  std::mt19937 rng(21);
  ConvSpec p;
  p.c = 3, p.oc = 5;
  std::vector<float> x = Random(static_cast<size_t>(p.h * p.w * p.c), rng);
  std::vector<float> f = Random(static_cast<size_t>(p.kh * p.kw * p.c * p.oc), rng);
  std::vector<float> m = Random(5, rng), a = Random(5, rng);
  {
    graph::Graph g;
    auto in = ops::Placeholder(g, DT_FLOAT, Shape{1, p.h, p.w, p.c}, "x");
    auto conv = ops::Conv2D(g, in, ops::Const(g, F32(f, Shape{3, 3, 3, 5})), {1, 1, 1, 1}, "SAME", "conv");
    auto s1 = ops::Mul(g, ops::Const(g, F32(m, Shape{1, 1, 1, 5})), conv, "scale");
    auto s2 = ops::AddV2(g, s1, ops::Const(g, F32(a, Shape{5})), "shift");
    auto s3 = ops::Mul(g, s2, ops::Const(g, 0.5f), "half");
    auto y = ops::Tanh(g, s3, "act");
    ASSERT_TRUE(g.status().ok()) << g.status().ToString() << y.name();
    std::vector<int64_t> shape;
    std::vector<double> want = DirectConv(p, x, f, &shape);
    for (size_t i = 0; i < want.size(); ++i)
      want[i] = std::tanh((want[i] * m[i % 5] + a[i % 5]) * 0.5);
    Runs r = RunBoth(g, "x:0", F32(x, Shape{1, p.h, p.w, p.c}), "act:0");
    ExpectAllClose(r.fast, Values(r.reference), 1e-5, "fast vs reference");
    ExpectAllClose(r.fast, want, 1e-5, "fast vs direct");
    EXPECT_THAT(r.fused, ElementsAre("act: Conv2D+Mul+AddV2+Mul+Tanh"));
  }
  {
    // The filter is a placeholder: BiasAdd + Relu fuse (no scaling needed),
    // and the filter stays an input of the fused kernel.
    graph::Graph g;
    auto in = ops::Const(g, F32(x, Shape{1, p.h, p.w, p.c}), "x");
    auto w = ops::Placeholder(g, DT_FLOAT, Shape{3, 3, 3, 5}, "w");
    auto conv = ops::Conv2D(g, in, w, {1, 1, 1, 1}, "SAME", "conv");
    ops::Relu(g, ops::BiasAdd(g, conv, ops::Const(g, F32(a, Shape{5})), "NHWC", "bias"), "act");
    std::vector<int64_t> shape;
    std::vector<double> want = DirectConv(p, x, f, &shape);
    for (size_t i = 0; i < want.size(); ++i) want[i] = std::max(0.0, want[i] + a[i % 5]);
    Runs r = RunBoth(g, "w:0", F32(f, Shape{3, 3, 3, 5}), "act:0");
    ExpectAllClose(r.fast, want, 1e-5, "fast vs direct");
    ExpectAllClose(r.reference, want, 1e-5, "reference vs direct");
    EXPECT_THAT(r.fused, ElementsAre("act: Conv2D+BiasAdd+Relu"));
  }
  {
    // A fed filter cannot absorb a batch norm's scale: the chain stays apart
    // (Relu6 with the batch norm in between is not fused either).
    graph::Graph g;
    auto in = ops::Const(g, F32(x, Shape{1, p.h, p.w, p.c}), "x");
    auto w = ops::Placeholder(g, DT_FLOAT, Shape{3, 3, 3, 5}, "w");
    auto conv = ops::Conv2D(g, in, w, {1, 1, 1, 1}, "SAME", "conv");
    ops::FusedBatchNormOptions bo;
    bo.is_training = false;
    auto c5 = [&](float v) { return ops::Const(g, F32(std::vector<float>(5, v), Shape{5})); };
    auto norm = ops::FusedBatchNorm(g, conv, c5(2.0f), c5(0.25f), c5(0.0f), c5(1.0f), "bn", bo);
    ops::Relu6(g, norm.y, "act");
    std::vector<int64_t> shape;
    std::vector<double> want = DirectConv(p, x, f, &shape);
    for (double& v : want) v = std::clamp(v * 2.0 / std::sqrt(1.0 + 1e-4) + 0.25, 0.0, 6.0);
    Runs r = RunBoth(g, "w:0", F32(f, Shape{3, 3, 3, 5}), "act:0");
    ExpectAllClose(r.fast, want, 1e-5, "fast vs direct");
    EXPECT_THAT(r.fused, IsEmpty());
  }
}

// A producer whose output is also fetched or read twice is not absorbed:
// the values stay observable and correct.
TEST(Fusion, SharedIntermediatesStayNodes) {
  std::mt19937 rng(31);
  ConvSpec p;
  p.c = 2, p.oc = 3;
  std::vector<float> x = Random(static_cast<size_t>(p.h * p.w * p.c), rng);
  std::vector<float> f = Random(static_cast<size_t>(p.kh * p.kw * p.c * p.oc), rng);
  std::vector<float> b = Random(3, rng);
  graph::Graph g;
  auto in = ops::Placeholder(g, DT_FLOAT, Shape{1, p.h, p.w, p.c}, "x");
  auto conv = ops::Conv2D(g, in, ops::Const(g, F32(f, Shape{3, 3, 2, 3})), {1, 1, 1, 1}, "SAME", "conv");
  auto biased = ops::BiasAdd(g, conv, ops::Const(g, F32(b, Shape{3})), "NHWC", "bias");
  auto act = ops::Relu(g, biased, "act");
  ops::AddV2(g, act, biased, "sum");  // reads `bias` a second time
  ASSERT_TRUE(g.status().ok());
  std::vector<int64_t> shape;
  std::vector<double> want = DirectConv(p, x, f, &shape);
  for (size_t i = 0; i < want.size(); ++i) {
    const double v = want[i] + b[i % 3];
    want[i] = std::max(0.0, v) + v;
  }
  Runs r = RunBoth(g, "x:0", F32(x, Shape{1, p.h, p.w, p.c}), "sum:0");
  ExpectAllClose(r.fast, want, 1e-5, "fast vs direct");
  // Conv2D + BiasAdd fuse (the bias output is what is shared); Relu stays.
  EXPECT_THAT(r.fused, ElementsAre("bias: Conv2D+BiasAdd"));
  EXPECT_EQ(r.fast_nodes, 3);
}

TEST(Fusion, OffBySessionOption) {
  std::mt19937 rng(41);
  ConvSpec p;
  std::vector<float> x = Random(static_cast<size_t>(p.h * p.w * p.c), rng);
  std::vector<float> f = Random(static_cast<size_t>(p.kh * p.kw * p.c * p.oc), rng);
  graph::Graph g;
  auto in = ops::Placeholder(g, DT_FLOAT, Shape{1, p.h, p.w, p.c}, "x");
  auto conv = ops::Conv2D(g, in, ops::Const(g, F32(f, Shape{3, 3, 4, 8})), {1, 1, 1, 1}, "SAME", "conv");
  ops::Relu(g, conv, "act");
  std::vector<int64_t> shape;
  std::vector<double> want = DirectConv(p, x, f, &shape);
  for (double& v : want) v = std::max(0.0, v);
  Runs r = RunBoth(g, "x:0", F32(x, Shape{1, p.h, p.w, p.c}), "act:0", /*fuse=*/false);
  EXPECT_THAT(r.fused, IsEmpty());
  EXPECT_EQ(r.fast_nodes, 2);
  ExpectAllClose(r.fast, want, 1e-5, "unfused vs direct");
}

// ---------------------------------------------------------------- oneDNN conv

// Unfused convolutions (fed filter, nothing to fold) run oneDNN's primitive
// on the default kernels and the im2col/loop reference otherwise.
TEST(FastConv, OneDnnAgreesWithReferenceAndDirect) {
  std::vector<ConvSpec> cases;
  ConvSpec p;
  cases.push_back(p);
  p.n = 2, p.h = 13, p.w = 9, p.c = 7, p.oc = 11, p.stride_h = 2, p.stride_w = 3;
  cases.push_back(p);
  p.padding = "VALID", p.dil_h = 2, p.dil_w = 1, p.stride_h = p.stride_w = 1;
  cases.push_back(p);
  p = ConvSpec{};
  p.kh = p.kw = 1, p.c = 64, p.oc = 32, p.h = p.w = 6;
  cases.push_back(p);
  p = ConvSpec{};
  p.kh = 7, p.kw = 7, p.stride_h = p.stride_w = 2, p.c = 3, p.oc = 16, p.h = p.w = 20;
  cases.push_back(p);
  p = ConvSpec{};
  p.depthwise = true, p.c = 24, p.oc = 1, p.h = p.w = 9;
  cases.push_back(p);
  p.oc = 4, p.stride_h = 2, p.padding = "VALID";
  cases.push_back(p);
  std::mt19937 rng(51);
  for (const ConvSpec& c : cases) {
    SCOPED_TRACE(::testing::Message() << (c.depthwise ? "depthwise " : "conv ") << c.h << "x" << c.w
                                      << "x" << c.c << " k" << c.kh << " oc" << c.oc << " "
                                      << c.padding);
    std::vector<float> x = Random(static_cast<size_t>(c.n * c.h * c.w * c.c), rng);
    std::vector<float> f = Random(static_cast<size_t>(c.kh * c.kw * c.c * c.oc), rng);
    for (bool constant_filter : {false, true}) {
      graph::Graph g;
      auto in = ops::Placeholder(g, DT_FLOAT, Shape{c.n, c.h, c.w, c.c}, "x");
      auto fs = Shape{c.kh, c.kw, c.c, c.oc};
      auto w = constant_filter ? ops::Const(g, F32(f, fs), "w")
                               : ops::PlaceholderWithDefault(g, ops::Const(g, F32(f, fs)), fs, "w");
      ops::ConvOptions co;
      co.dilations = {1, c.dil_h, c.dil_w, 1};
      const std::vector<int64_t> s = {1, c.stride_h, c.stride_w, 1};
      if (c.depthwise)
        ops::DepthwiseConv2dNative(g, in, w, s, c.padding, "conv", co);
      else
        ops::Conv2D(g, in, w, s, c.padding, "conv", co);
      ASSERT_TRUE(g.status().ok()) << g.status().ToString();
      std::vector<int64_t> shape;
      std::vector<double> want = DirectConv(c, x, f, &shape);
      Runs r = RunBoth(g, "x:0", F32(x, Shape{c.n, c.h, c.w, c.c}), "conv:0");
      EXPECT_EQ(r.fast.shape(), Shape(shape));
      ExpectAllClose(r.fast, Values(r.reference), 1e-5, "fast vs reference");
      ExpectAllClose(r.fast, want, 1e-5, "fast vs direct");
      // A constant filter gets a kernel with the filter reordered once.
      if (constant_filter)
        EXPECT_THAT(r.fused, ElementsAre(std::string("conv: ") +
                                         (c.depthwise ? "DepthwiseConv2dNative" : "Conv2D")));
      else
        EXPECT_THAT(r.fused, IsEmpty());
    }
  }
}

// One constant filter, several input shapes (one oneDNN primitive each,
// sharing the reordered filter when their layouts agree): every shape
// still gives the direct result.
TEST(FastConv, ConstantFilterAcrossInputShapes) {
  std::mt19937 rng(71);
  ConvSpec p;
  p.c = 16, p.oc = 32;
  std::vector<float> f = Random(static_cast<size_t>(p.kh * p.kw * p.c * p.oc), rng);
  graph::Graph g;
  auto in = ops::Placeholder(g, DT_FLOAT, Shape{-1, -1, -1, p.c}, "x");
  ops::Conv2D(g, in, ops::Const(g, F32(f, Shape{3, 3, 16, 32})), {1, 1, 1, 1}, "SAME", "conv");
  auto session = kernels::NewSession(g);
  for (int64_t n : {1, 3, 1, 2}) {
    for (int64_t h : {7, 12}) {
      ConvSpec q = p;
      q.n = n, q.h = h, q.w = h + 1;
      std::vector<float> x = Random(static_cast<size_t>(q.n * q.h * q.w * q.c), rng);
      std::vector<int64_t> shape;
      std::vector<double> want = DirectConv(q, x, f, &shape);
      auto out = session->Run({{"x:0", F32(x, Shape{q.n, q.h, q.w, q.c})}}, {"conv:0"});
      ASSERT_TRUE(out.ok()) << out.status().ToString();
      EXPECT_EQ((*out)[0].shape(), Shape(shape));
      ExpectAllClose((*out)[0], want, 1e-5, "oneDNN vs direct");
    }
  }
}

// Errors from a fused kernel name the convolution node, as unfused ones do.
TEST(FastConv, FusedErrorsNameTheConvolution) {
  graph::Graph g;
  auto in = ops::Placeholder(g, DT_FLOAT, Shape::UnknownRank(), "x");
  auto conv = ops::Conv2D(g, in, ops::Const(g, F32(std::vector<float>(9 * 2, 0.5f), Shape{3, 3, 2, 1})),
                          {1, 1, 1, 1}, "VALID", "my_conv");
  ops::Relu(g, conv, "act");
  auto session = kernels::NewSession(g);
  // Two channels in the filter, three fed.
  Tensor x(DT_FLOAT, Shape{1, 4, 4, 3});
  auto out = session->Run({{"x:0", x}}, {"act:0"});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().ToString().find("my_conv"), std::string::npos) << out.status().ToString();
}

// ---------------------------------------------------------------- folding

// Stateless ops over constants are computed when the plan is built; the
// plan then runs only what depends on the feed.
TEST(ConstantFolding, StatelessSubgraphsOfConstantsFold) {
  graph::Graph g;
  auto x = ops::Placeholder(g, DT_FLOAT, Shape{2}, "x");
  auto c = ops::Identity(g, ops::Const(g, Tensor::FromVector<float>({1.5f, -2.0f}, Shape{2})), "c");
  auto k = ops::Mul(g, ops::AddV2(g, c, ops::Const(g, 0.5f)), ops::Const(g, 2.0f), "k");  // [4, -3]
  ops::Mul(g, x, k, "y");
  ASSERT_TRUE(g.status().ok());
  Tensor feed = Tensor::FromVector<float>({10.0f, 1.0f}, Shape{2});
  Runs r = RunBoth(g, "x:0", feed, "y:0");
  EXPECT_THAT(r.fast.flat<float>(), ElementsAre(40.0f, -3.0f));
  EXPECT_THAT(r.reference.flat<float>(), ElementsAre(40.0f, -3.0f));
  EXPECT_EQ(r.fast_nodes, 1);  // only y runs per call
}

TEST(ConstantFolding, StatefulAndFedNodesDoNotFold) {
  graph::Graph g;
  auto c = ops::Const(g, Tensor::FromVector<float>({1.0f, 2.0f}, Shape{2}), "c");
  // Feeding a foldable node's output overrides it.
  auto i = ops::Identity(g, c, "i");
  ops::Mul(g, i, ops::Const(g, 3.0f), "y");
  // A random op is stateful: it runs every time.
  auto shape = ops::Const(g, Tensor::FromVector<int32_t>({1000}, Shape{1}));
  ops::Op(g, {"RandomUniform", {shape}, {ops::AttrType("dtype", DT_FLOAT)}, {}, "r"});
  ASSERT_TRUE(g.status().ok()) << g.status().ToString();
  auto session = kernels::NewSession(g);
  auto y = session->Run({{"i:0", Tensor::FromVector<float>({5.0f, 7.0f}, Shape{2})}}, {"y:0"});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_THAT((*y)[0].flat<float>(), ElementsAre(15.0f, 21.0f));
  auto a = session->Run({}, {"r:0"});
  auto b = session->Run({}, {"r:0"});
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE((*a)[0].flat<float>()[0] + (*a)[0].flat<float>()[1],
            (*b)[0].flat<float>()[0] + (*b)[0].flat<float>()[1]);
}

// A folded node that fails leaves the plan as a node, so the error appears
// when it runs and names it, as without folding.
TEST(ConstantFolding, FailingConstantSubgraphReportsAtRun) {
  graph::Graph g;
  auto bad = ops::Op(g, {"Reshape",
                         {ops::Const(g, Tensor::FromVector<float>({1, 2, 3}, Shape{3})),
                          ops::Const(g, Tensor::FromVector<int32_t>({2}, Shape{1}))},
                         {},
                         {},
                         "bad_reshape"});
  ops::Identity(g, bad, "out");
  auto session = kernels::NewSession(g);
  auto out = session->Run({}, {"out:0"});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().ToString().find("bad_reshape"), std::string::npos) << out.status().ToString();
}

// ---------------------------------------------------------------- models

// The benchmark zoo (bench/models: MobileNet v1/v2, ResNet-50, Inception
// blocks) at 64x64, batch 2: the fused oneDNN plan and the reference loops
// give the same logits to 1e-5 of their scale.
TEST(FusionModels, ZooFastAgreesWithReference) {
  for (const bench::ZooModel& m : bench::AllZooModels(64)) {
    SCOPED_TRACE(m.name);
    ASSERT_TRUE(m.status.ok()) << m.status.ToString();
    auto imported = graph::GraphFromGraphDef(m.graph);
    ASSERT_TRUE(imported.ok()) << imported.status().ToString();
    const graph::Graph& g = **imported;
    Tensor x(DT_FLOAT, Shape{2, 64, 64, 3});
    std::mt19937 rng(61);
    std::uniform_real_distribution<float> d(-1.0f, 1.0f);
    for (float& v : x.flat<float>()) v = d(rng);
    Runs r = RunBoth(g, "input:0", x, "logits:0");
    ASSERT_EQ(r.fast.shape(), (Shape{2, 1000}));
    double scale = 0;
    for (float v : r.reference.flat<float>()) scale = std::max(scale, double(std::abs(v)));
    ASSERT_GT(scale, 1e-3);  // not a degenerate all-zero network
    auto fast = r.fast.flat<float>();
    auto ref = r.reference.flat<float>();
    for (size_t i = 0; i < fast.size(); ++i)
      ASSERT_NEAR(fast[i], ref[i], 1e-5 * scale) << i;
    EXPECT_FALSE(r.fused.empty());
    EXPECT_LT(r.fast_nodes, r.reference_nodes);
  }
}

}  // namespace
}  // namespace tfport
