// Deployment transforms (include/tfport/freeze/transforms.h). Every
// transform must leave the requested outputs unchanged: each test runs the
// original GraphDef and the transformed one through a tfport Session on the
// same inputs and compares them, and checks the structure the transform
// promises (folded ops gone, names still resolving, fewer nodes).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>
#include <set>

#include "support/fixtures.h"
#include "tfport/core/tensor_proto.h"
#include "tfport/freeze/graph_util.h"
#include "tfport/freeze/transforms.h"
#include "tfport/graph/array_ops.h"
#include "tfport/graph/import.h"
#include "tfport/graph/math_ops.h"
#include "tfport/graph/nn_ops.h"
#include "tfport/graph/ops.h"
#include "tfport/io/proto_io.h"
#include "tfport/kernels/kernels.h"

namespace tfport {
namespace {

using Feeds = std::vector<std::pair<std::string, Tensor>>;

std::vector<Tensor> RunGraph(const tf::GraphDef& def, const Feeds& feeds,
                             const std::vector<std::string>& fetches) {
  auto g = graph::GraphFromGraphDef(def);
  if (!g.ok()) {
    ADD_FAILURE() << "import: " << g.status().ToString();
    return {};
  }
  auto session = kernels::NewSession(**g);
  std::vector<Tensor> out;
  Status s = session->Run(feeds, fetches, {}, &out);
  if (!s.ok()) ADD_FAILURE() << "run: " << s.ToString();
  return out;
}

// Same dtype and shape; floats within 1e-5 relative (with an absolute floor of
// 1e-6 of the tensor's largest magnitude, for values that cancel to ~0);
// other dtypes bit for bit.
void ExpectAllClose(const std::vector<Tensor>& want, const std::vector<Tensor>& got) {
  ASSERT_EQ(want.size(), got.size());
  for (size_t t = 0; t < want.size(); ++t) {
    const Tensor& a = want[t];
    const Tensor& b = got[t];
    ASSERT_EQ(a.dtype(), b.dtype()) << "output " << t;
    ASSERT_EQ(a.shape(), b.shape()) << "output " << t;
    if (a.dtype() != DT_FLOAT) {
      EXPECT_TRUE(BitwiseEqual(a, b)) << "output " << t;
      continue;
    }
    auto av = a.flat<float>();
    auto bv = b.flat<float>();
    float max_abs = 0;
    for (float v : av) max_abs = std::max(max_abs, std::fabs(v));
    int bad = 0;
    for (size_t i = 0; i < av.size() && bad < 5; ++i) {
      double tol = 1e-5 * std::fabs(av[i]) + 1e-6 * max_abs;
      if (!(std::fabs(static_cast<double>(av[i]) - bv[i]) <= tol)) {
        ++bad;
        ADD_FAILURE() << "output " << t << " element " << i << ": want " << av[i] << " got "
                      << bv[i];
      }
    }
  }
}

int CountOp(const tf::GraphDef& g, const std::string& op) {
  int n = 0;
  for (const auto& node : g.node()) n += node.op() == op;
  return n;
}

const tf::NodeDef* FindNode(const tf::GraphDef& g, const std::string& name) {
  for (const auto& node : g.node())
    if (node.name() == name) return &node;
  return nullptr;
}

Tensor ConstValue(const tf::GraphDef& g, const std::string& name) {
  const tf::NodeDef* n = FindNode(g, name);
  if (n == nullptr || n->op() != "Const") {
    ADD_FAILURE() << name << " is not a Const";
    return {};
  }
  auto t = TensorFromProto(n->attr().at("value").tensor());
  EXPECT_TRUE(t.ok());
  return t.ok() ? *t : Tensor();
}

std::vector<float> Floats(const Tensor& t) {
  auto v = t.flat<float>();
  return {v.begin(), v.end()};
}

Tensor Random(std::mt19937& rng, Shape shape, float lo = -1.0f, float hi = 1.0f) {
  Tensor t(DT_FLOAT, std::move(shape));
  std::uniform_real_distribution<float> u(lo, hi);
  for (float& v : t.flat<float>()) v = u(rng);
  return t;
}

template <typename T>
T Ok(Result<T> r) {
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(*r) : T();
}

// ------------------------------------------------------------ FoldBatchNorms

class FusedBatchNormVersions : public ::testing::TestWithParam<int> {};

// Conv2D -> BiasAdd -> FusedBatchNorm(is_training=false) -> Relu.
TEST_P(FusedBatchNormVersions, Conv2DBiasAddFolds) {
  std::mt19937 rng(1);
  graph::Graph g;
  auto x = ops::Placeholder(g, DT_FLOAT, Shape{2, 6, 6, 3}, "x");
  auto w = ops::Const(g, Random(rng, Shape{3, 3, 3, 4}), "w");
  auto conv = ops::Conv2D(g, x, w, {1, 1, 1, 1}, "SAME", "conv");
  auto b = ops::BiasAdd(g, conv, ops::Const(g, Random(rng, Shape{4}), "b"), "NHWC", "bias");
  ops::FusedBatchNormOptions o;
  o.is_training = false;
  o.epsilon = 0.001f;
  o.version = GetParam();
  auto bn = ops::FusedBatchNorm(g, b, ops::Const(g, Random(rng, Shape{4}, 0.5f, 2.0f), "gamma"),
                                ops::Const(g, Random(rng, Shape{4}), "beta"),
                                ops::Const(g, Random(rng, Shape{4}), "mean"),
                                ops::Const(g, Random(rng, Shape{4}, 0.1f, 3.0f), "var"), "bn", o);
  ops::Relu(g, bn.y, "out");
  ASSERT_TRUE(g.status().ok()) << g.status().ToString();
  tf::GraphDef before = g.ToGraphDef();
  tf::GraphDef after = Ok(freeze::FoldBatchNorms(before));

  Feeds feeds = {{"x:0", Random(rng, Shape{2, 6, 6, 3})}};
  ExpectAllClose(RunGraph(before, feeds, {"out:0", "bn:0"}), RunGraph(after, feeds, {"out:0", "bn:0"}));
  EXPECT_EQ(CountOp(after, "FusedBatchNorm") + CountOp(after, "FusedBatchNormV2") +
                CountOp(after, "FusedBatchNormV3"),
            0);
  ASSERT_NE(FindNode(after, "bn"), nullptr);
  EXPECT_EQ(FindNode(after, "bn")->op(), "BiasAdd");
  EXPECT_EQ(FindNode(after, "bn")->input(0), "conv");
  EXPECT_EQ(FindNode(after, "bias"), nullptr);  // the old BiasAdd is merged
  EXPECT_EQ(CountOp(after, "BiasAdd"), 1);
  // x, w, conv, the folded bias, bn, out (was 11 nodes).
  EXPECT_EQ(before.node_size(), 11);
  EXPECT_EQ(after.node_size(), 6);
}

INSTANTIATE_TEST_SUITE_P(AllVersions, FusedBatchNormVersions, ::testing::Values(1, 2, 3));

// 1x1 conv, one channel, worked by hand:
//   w = 2, b = 1, scale = 3, offset = 0.5, mean = 1, variance = 3, eps = 1
//   s  = 3 / sqrt(3 + 1) = 1.5
//   w' = 2 * 1.5 = 3
//   b' = (1 - 1) * 1.5 + 0.5 = 0.5
//   x = 2: before: conv 4, +1 = 5, (5 - 1) * 1.5 + 0.5 = 6.5; after: 2 * 3 + 0.5 = 6.5.
TEST(FoldBatchNorms, HandCheckedFusedFold) {
  graph::Graph g;
  auto x = ops::Placeholder(g, DT_FLOAT, Shape{1, 1, 1, 1}, "x");
  auto conv = ops::Conv2D(g, x, ops::Const(g, Tensor::FromVector<float>({2}, Shape{1, 1, 1, 1}), "w"),
                          {1, 1, 1, 1}, "VALID", "conv");
  auto b = ops::BiasAdd(g, conv, ops::Const(g, Tensor::FromVector<float>({1}, Shape{1}), "b"));
  ops::FusedBatchNormOptions o;
  o.is_training = false;
  o.epsilon = 1.0f;
  auto one = [&](float v, const char* name) {
    return ops::Const(g, Tensor::FromVector<float>({v}, Shape{1}), name);
  };
  ops::FusedBatchNorm(g, b, one(3, "scale"), one(0.5f, "offset"), one(1, "mean"), one(3, "var"),
                      "bn", o);
  ASSERT_TRUE(g.status().ok());
  tf::GraphDef after = Ok(freeze::FoldBatchNorms(g.ToGraphDef()));
  EXPECT_THAT(Floats(ConstValue(after, "w")), ::testing::ElementsAre(3.0f));
  EXPECT_THAT(Floats(ConstValue(after, FindNode(after, "bn")->input(1))),
              ::testing::ElementsAre(0.5f));
  auto out = RunGraph(after, {{"x", Tensor::FromVector<float>({2}, Shape{1, 1, 1, 1})}}, {"bn"});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].flat<float>()[0], 6.5f);
  auto ref = RunGraph(g.ToGraphDef(), {{"x", Tensor::FromVector<float>({2}, Shape{1, 1, 1, 1})}}, {"bn"});
  ASSERT_EQ(ref.size(), 1u);
  EXPECT_EQ(ref[0].flat<float>()[0], 6.5f);
}

// Depthwise filter [H,W,C,M]: output channel c*M+m is scaled by its own factor.
TEST(FoldBatchNorms, DepthwiseConvFolds) {
  std::mt19937 rng(2);
  graph::Graph g;
  auto x = ops::Placeholder(g, DT_FLOAT, Shape{1, 7, 7, 3}, "x");
  auto dw = ops::DepthwiseConv2dNative(g, x, ops::Const(g, Random(rng, Shape{3, 3, 3, 2}), "dw_w"),
                                       {1, 2, 2, 1}, "SAME", "dw");
  ops::FusedBatchNormOptions o;
  o.is_training = false;
  o.version = 1;
  auto bn = ops::FusedBatchNorm(g, dw, ops::Const(g, Random(rng, Shape{6}, 0.5f, 2.0f)),
                                ops::Const(g, Random(rng, Shape{6})), ops::Const(g, Random(rng, Shape{6})),
                                ops::Const(g, Random(rng, Shape{6}, 0.1f, 2.0f)), "bn", o);
  ops::Relu6(g, bn.y, "out");
  ASSERT_TRUE(g.status().ok()) << g.status().ToString();
  tf::GraphDef before = g.ToGraphDef();
  tf::GraphDef after = Ok(freeze::FoldBatchNorms(before));
  Feeds feeds = {{"x", Random(rng, Shape{1, 7, 7, 3}, -3, 3)}};
  ExpectAllClose(RunGraph(before, feeds, {"out"}), RunGraph(after, feeds, {"out"}));
  EXPECT_EQ(CountOp(after, "FusedBatchNorm"), 0);
  EXPECT_EQ(FindNode(after, "bn")->op(), "BiasAdd");
  EXPECT_LT(after.node_size(), before.node_size());
}

// The batch statistics output is read: folding would lose it, so nothing changes.
TEST(FoldBatchNorms, RefusesWhenBatchStatisticsAreUsed) {
  std::mt19937 rng(3);
  graph::Graph g;
  auto x = ops::Placeholder(g, DT_FLOAT, Shape{1, 4, 4, 2}, "x");
  auto conv = ops::Conv2D(g, x, ops::Const(g, Random(rng, Shape{1, 1, 2, 2})), {1, 1, 1, 1}, "SAME");
  ops::FusedBatchNormOptions o;
  o.is_training = false;
  auto bn = ops::FusedBatchNorm(g, conv, ops::Const(g, Random(rng, Shape{2})),
                                ops::Const(g, Random(rng, Shape{2})), ops::Const(g, Random(rng, Shape{2})),
                                ops::Const(g, Random(rng, Shape{2}, 0.5f, 1.0f)), "bn", o);
  ops::Identity(g, bn.batch_mean, "stats");
  ASSERT_TRUE(g.status().ok());
  tf::GraphDef after = Ok(freeze::FoldBatchNorms(g.ToGraphDef()));
  EXPECT_EQ(CountOp(after, "FusedBatchNormV3"), 1);
  EXPECT_EQ(after.node_size(), g.num_nodes());
}

// Training-mode batch norm uses batch statistics: never folded.
TEST(FoldBatchNorms, RefusesTrainingMode) {
  std::mt19937 rng(4);
  graph::Graph g;
  auto x = ops::Placeholder(g, DT_FLOAT, Shape{1, 4, 4, 2}, "x");
  auto conv = ops::Conv2D(g, x, ops::Const(g, Random(rng, Shape{1, 1, 2, 2})), {1, 1, 1, 1}, "SAME");
  ops::FusedBatchNorm(g, conv, ops::Const(g, Random(rng, Shape{2})), ops::Const(g, Random(rng, Shape{2})),
                      ops::Const(g, Tensor(DT_FLOAT, Shape{0})), ops::Const(g, Tensor(DT_FLOAT, Shape{0})),
                      "bn");
  ASSERT_TRUE(g.status().ok());
  tf::GraphDef after = Ok(freeze::FoldBatchNorms(g.ToGraphDef()));
  EXPECT_EQ(CountOp(after, "FusedBatchNormV3"), 1);
}

// The filter also feeds a second conv: it is duplicated, not changed in place.
TEST(FoldBatchNorms, SharedWeightsAreDuplicated) {
  std::mt19937 rng(5);
  graph::Graph g;
  auto x = ops::Placeholder(g, DT_FLOAT, Shape{1, 5, 5, 2}, "x");
  auto w = ops::Const(g, Random(rng, Shape{3, 3, 2, 3}), "w");
  auto c1 = ops::Conv2D(g, x, w, {1, 1, 1, 1}, "SAME", "c1");
  ops::Conv2D(g, x, w, {1, 1, 1, 1}, "VALID", "c2");
  ops::FusedBatchNormOptions o;
  o.is_training = false;
  ops::FusedBatchNorm(g, c1, ops::Const(g, Random(rng, Shape{3})), ops::Const(g, Random(rng, Shape{3})),
                      ops::Const(g, Random(rng, Shape{3})), ops::Const(g, Random(rng, Shape{3}, 0.5f, 1.0f)),
                      "bn", o);
  ASSERT_TRUE(g.status().ok());
  tf::GraphDef before = g.ToGraphDef();
  tf::GraphDef after = Ok(freeze::FoldBatchNorms(before));
  Feeds feeds = {{"x", Random(rng, Shape{1, 5, 5, 2})}};
  ExpectAllClose(RunGraph(before, feeds, {"bn", "c2"}), RunGraph(after, feeds, {"bn", "c2"}));
  EXPECT_TRUE(BitwiseEqual(ConstValue(before, "w"), ConstValue(after, "w")));
  EXPECT_EQ(FindNode(after, "c1")->input(1), "w/bn_folded");
  EXPECT_EQ(FindNode(after, "c2")->input(1), "w");
}

// MatMul -> [BiasAdd] -> Mul(Const) -> Add/AddV2(Const), weights [in,out] or
// transposed; the Mul goes, the Add becomes a BiasAdd under its name.
struct MulAddCase {
  bool bias_add, transpose_b, add_v2, const_first;
};
class MulAddFold : public ::testing::TestWithParam<MulAddCase> {};

TEST_P(MulAddFold, MatMulMulAddFolds) {
  const MulAddCase c = GetParam();
  std::mt19937 rng(6);
  graph::Graph g;
  auto x = ops::Placeholder(g, DT_FLOAT, Shape{3, 5}, "x");
  auto w = ops::Const(g, Random(rng, c.transpose_b ? Shape{4, 5} : Shape{5, 4}), "w");
  auto y = ops::MatMul(g, x, w, false, c.transpose_b, "mm");
  if (c.bias_add) y = ops::BiasAdd(g, y, ops::Const(g, Random(rng, Shape{4}), "b"), "NHWC", "bias");
  auto scale = ops::Const(g, Random(rng, Shape{4}, 0.5f, 2.0f), "scale");
  auto shift = ops::Const(g, Random(rng, Shape{1, 4}), "shift");  // broadcasts like [4]
  auto mul = c.const_first ? ops::Mul(g, scale, y, "mul") : ops::Mul(g, y, scale, "mul");
  auto add = c.add_v2 ? ops::AddV2(g, mul, shift, "bn") : ops::Add(g, shift, mul, "bn");
  ops::Softmax(g, add, "out");
  ASSERT_TRUE(g.status().ok()) << g.status().ToString();
  tf::GraphDef before = g.ToGraphDef();
  tf::GraphDef after = Ok(freeze::FoldBatchNorms(before));
  Feeds feeds = {{"x", Random(rng, Shape{3, 5}, -2, 2)}};
  ExpectAllClose(RunGraph(before, feeds, {"out", "bn"}), RunGraph(after, feeds, {"out", "bn"}));
  EXPECT_EQ(CountOp(after, "Mul"), 0);
  EXPECT_EQ(CountOp(after, "Add") + CountOp(after, "AddV2"), 0);
  EXPECT_EQ(FindNode(after, "bn")->op(), "BiasAdd");
  EXPECT_EQ(CountOp(after, "BiasAdd"), 1);
  EXPECT_LT(after.node_size(), before.node_size());
}

INSTANTIATE_TEST_SUITE_P(Forms, MulAddFold,
                         ::testing::Values(MulAddCase{false, false, true, false},
                                           MulAddCase{true, false, false, false},
                                           MulAddCase{true, true, true, true},
                                           MulAddCase{false, true, false, true}));

// Worked by hand: x = [1, 1], w = [[2], [3]], y = (x w) * 0.5 + 1 = 3.5.
//   w' = w * 0.5 = [[1], [1.5]], b' = 0 * 0.5 + 1 = 1 -> x w' + b' = 3.5.
TEST(FoldBatchNorms, HandCheckedMulAddFold) {
  graph::Graph g;
  auto x = ops::Placeholder(g, DT_FLOAT, Shape{1, 2}, "x");
  auto mm = ops::MatMul(g, x, ops::Const(g, Tensor::FromVector<float>({2, 3}, Shape{2, 1}), "w"));
  ops::Add(g, ops::Mul(g, mm, ops::Const(g, 0.5f, "s")), ops::Const(g, 1.0f, "t"), "y");
  ASSERT_TRUE(g.status().ok());
  tf::GraphDef after = Ok(freeze::FoldBatchNorms(g.ToGraphDef()));
  EXPECT_THAT(Floats(ConstValue(after, "w")), ::testing::ElementsAre(1.0f, 1.5f));
  EXPECT_THAT(Floats(ConstValue(after, FindNode(after, "y")->input(1))), ::testing::ElementsAre(1.0f));
  auto out = RunGraph(after, {{"x", Tensor::FromVector<float>({1, 1}, Shape{1, 2})}}, {"y"});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].flat<float>()[0], 3.5f);
}

// A scale that is not per-channel (it varies along the batch axis) is refused.
TEST(FoldBatchNorms, RefusesNonChannelScale) {
  std::mt19937 rng(7);
  graph::Graph g;
  auto x = ops::Placeholder(g, DT_FLOAT, Shape{3, 5}, "x");
  auto mm = ops::MatMul(g, x, ops::Const(g, Random(rng, Shape{5, 4})));
  ops::Add(g, ops::Mul(g, mm, ops::Const(g, Random(rng, Shape{3, 1}))), ops::Const(g, Random(rng, Shape{4})),
           "y");
  ASSERT_TRUE(g.status().ok());
  tf::GraphDef after = Ok(freeze::FoldBatchNorms(g.ToGraphDef()));
  EXPECT_EQ(CountOp(after, "Mul"), 1);
  EXPECT_EQ(FindNode(after, "y")->op(), "Add");
}

// ------------------------------------------------------------ FoldConstants

// Shape -> StridedSlice -> Pack -> Reshape (tf.layers.flatten) on a tensor of
// known shape: the shape becomes one Const under the Pack's name.
TEST(FoldConstants, ShapeChainBecomesConst) {
  std::mt19937 rng(8);
  graph::Graph g;
  auto x = ops::Placeholder(g, DT_FLOAT, Shape{2, 3, 4}, "x");
  auto relu = ops::Relu(g, x, "relu");
  auto shape = ops::Shape(g, relu, DT_INT32, "flatten/Shape");
  ops::StridedSliceMasks m;
  m.shrink_axis_mask = 1;
  auto batch = ops::StridedSlice(g, shape, ops::Const(g, Tensor::FromVector<int32_t>({0}, Shape{1})),
                                 ops::Const(g, Tensor::FromVector<int32_t>({1}, Shape{1})),
                                 ops::Const(g, Tensor::FromVector<int32_t>({1}, Shape{1})), m,
                                 "flatten/strided_slice");
  auto packed = ops::Pack(g, {batch, ops::Const(g, int32_t{-1})}, 0, "flatten/Reshape/shape");
  ops::Reshape(g, relu, packed, "flatten/Reshape");
  ASSERT_TRUE(g.status().ok()) << g.status().ToString();
  tf::GraphDef before = g.ToGraphDef();
  tf::GraphDef after = Ok(freeze::FoldConstants(before, {"x"}, {"flatten/Reshape"}));
  Feeds feeds = {{"x", Random(rng, Shape{2, 3, 4})}};
  ExpectAllClose(RunGraph(before, feeds, {"flatten/Reshape"}), RunGraph(after, feeds, {"flatten/Reshape"}));
  EXPECT_EQ(CountOp(after, "Shape"), 0);
  EXPECT_EQ(CountOp(after, "StridedSlice"), 0);
  EXPECT_EQ(CountOp(after, "Pack"), 0);
  Tensor s = ConstValue(after, "flatten/Reshape/shape");
  ASSERT_EQ(s.dtype(), DT_INT32);
  EXPECT_THAT(std::vector<int32_t>(s.flat<int32_t>().begin(), s.flat<int32_t>().end()),
              ::testing::ElementsAre(2, -1));
  EXPECT_EQ(FindNode(after, "flatten/Reshape")->input(1), "flatten/Reshape/shape");
  // x, relu, the shape Const, the Reshape (was 10).
  EXPECT_EQ(after.node_size(), 4);
  // No control edge is needed: nothing here is conditional.
  EXPECT_EQ(FindNode(after, "flatten/Reshape/shape")->input_size(), 0);
}

// With an unknown batch dimension the shape is only known at run time.
TEST(FoldConstants, UnknownShapeStays) {
  graph::Graph g;
  auto x = ops::Placeholder(g, DT_FLOAT, Shape{-1, 3}, "x");
  auto shape = ops::Shape(g, x);
  ops::Reshape(g, x, ops::Pack(g, {ops::Cast(g, ops::Size(g, x), DT_INT32), ops::Const(g, int32_t{1})}),
               "out");
  (void)shape;
  ASSERT_TRUE(g.status().ok()) << g.status().ToString();
  tf::GraphDef before = g.ToGraphDef();
  tf::GraphDef after = Ok(freeze::FoldConstants(before, {"x"}, {"out"}));
  EXPECT_EQ(CountOp(after, "Size"), 1);
  EXPECT_EQ(CountOp(after, "Pack"), 1);
  Feeds feeds = {{"x", Tensor::FromVector<float>({1, 2, 3, 4, 5, 6}, Shape{2, 3})}};
  ExpectAllClose(RunGraph(before, feeds, {"out"}), RunGraph(after, feeds, {"out"}));
}

// Arithmetic on Consts folds to the frontier node; a stateful op
// (ReadVariableOp) and a Const named as an input (it may be fed) do not fold.
TEST(FoldConstants, FoldsArithmeticButNotStatefulOrFedNodes) {
  graph::Graph g;
  auto x = ops::Placeholder(g, DT_FLOAT, Shape{3}, "x");
  auto c = ops::Add(g, ops::Mul(g, ops::Const(g, 2.0f, "two"), ops::Const(g, 3.0f, "three"), "six"),
                    ops::Const(g, 1.0f, "one"), "seven");
  auto y = ops::Mul(g, x, ops::Sqrt(g, c, "sqrt7"), "y");
  auto k = ops::Const(g, 5.0f, "k");  // named in inputs: may be fed
  auto z = ops::Add(g, y, ops::Square(g, k, "k2"), "z");
  // ReadVariableOp is stateful (its value may change between runs).
  ops::VariableOptions resource;
  resource.resource = true;
  auto v = ops::Variable(g, Tensor::FromVector<float>({1, 2, 3}, Shape{3}), "v", resource);
  ops::Mul(g, z, ops::Mul(g, v.value, ops::Const(g, 0.0f, "zero")), "noise");
  ASSERT_TRUE(g.status().ok()) << g.status().ToString();
  tf::GraphDef before = g.ToGraphDef();
  tf::GraphDef after = Ok(freeze::FoldConstants(before, {"x", "k"}, {"z", "noise"}));
  Feeds feeds = {{"x", Tensor::FromVector<float>({1, 2, 3}, Shape{3})}};
  ExpectAllClose(RunGraph(before, feeds, {"z"}), RunGraph(after, feeds, {"z"}));
  // sqrt(2*3+1) became one Const under the frontier's name.
  EXPECT_FLOAT_EQ(ConstValue(after, "sqrt7").flat<float>()[0], std::sqrt(7.0f));
  for (const char* gone : {"six", "seven", "two", "three", "one"}) EXPECT_EQ(FindNode(after, gone), nullptr) << gone;
  EXPECT_EQ(FindNode(after, "k2")->op(), "Square");
  EXPECT_EQ(FindNode(after, v.value.node->name())->op(), "ReadVariableOp");
  EXPECT_EQ(CountOp(after, "Mul"), 3);  // y, noise and the Mul reading the variable
  // A fed k changes z in both graphs alike.
  Feeds fed = {{"x", Tensor::FromVector<float>({1, 2, 3}, Shape{3})}, {"k", Tensor::Scalar<float>(-2)}};
  ExpectAllClose(RunGraph(before, fed, {"z"}), RunGraph(after, fed, {"z"}));
}

// Unpack of a Const has three outputs; the two read by non-constant nodes
// become Consts "<name>/folded_output_<k>" and their readers are rewired.
TEST(FoldConstants, MultiOutputNodeGetsOneConstPerUsedOutput) {
  graph::Graph g;
  auto x = ops::Placeholder(g, DT_FLOAT, Shape{2}, "x");
  auto parts = ops::Unpack(g, ops::Const(g, Tensor::FromVector<float>({1, 2, 3, 4, 5, 6}, Shape{3, 2})), 3, 0,
                           "rows");
  ops::Add(g, ops::Mul(g, x, parts[0], "a"), parts[2], "out");
  ASSERT_TRUE(g.status().ok()) << g.status().ToString();
  tf::GraphDef before = g.ToGraphDef();
  tf::GraphDef after = Ok(freeze::FoldConstants(before, {"x"}, {"out"}));
  EXPECT_EQ(CountOp(after, "Unpack"), 0);
  EXPECT_EQ(FindNode(after, "a")->input(1), "rows/folded_output_0");
  EXPECT_EQ(FindNode(after, "out")->input(1), "rows/folded_output_2");
  EXPECT_THAT(Floats(ConstValue(after, "rows/folded_output_2")), ::testing::ElementsAre(5.0f, 6.0f));
  EXPECT_EQ(FindNode(after, "rows/folded_output_1"), nullptr);
  Feeds feeds = {{"x", Tensor::FromVector<float>({-1, 3}, Shape{2})}};
  ExpectAllClose(RunGraph(before, feeds, {"out"}), RunGraph(after, feeds, {"out"}));
}

// A requested output that is constant becomes a Const under its own name; a
// node of an op tfport has no kernel for is left alone instead of failing.
TEST(FoldConstants, ConstantOutputAndUnknownOp) {
  graph::Graph g;
  ops::Add(g, ops::Const(g, 1.0f), ops::Const(g, 2.0f), "three");
  ASSERT_TRUE(g.status().ok());
  tf::GraphDef def = g.ToGraphDef();
  tf::NodeDef* custom = def.add_node();
  custom->set_name("custom");
  custom->set_op("MyCustomOpWithoutKernel");
  custom->add_input("three");
  tf::GraphDef after = Ok(freeze::FoldConstants(def, {}, {"three", "custom"}));
  EXPECT_EQ(ConstValue(after, "three").flat<float>()[0], 3.0f);
  ASSERT_NE(FindNode(after, "custom"), nullptr);
  EXPECT_EQ(FindNode(after, "custom")->op(), "MyCustomOpWithoutKernel");
  EXPECT_EQ(after.node_size(), 2);
}

// Constants inside a tf.cond branch carry the branch's control edge: the
// folded Const must stay dead when the branch is not taken.
TEST(FoldConstants, ConstantsInCondBranchKeepTheirPivot) {
  graph::Graph g;
  auto x = ops::Placeholder(g, DT_FLOAT, Shape{2}, "x");
  auto pred = ops::Placeholder(g, DT_BOOL, Shape{}, "pred");
  auto sw = ops::Switch(g, pred, pred, "cond/Switch");
  auto pivot_t = ops::Identity(g, sw.output_true, "cond/switch_t");
  auto pivot_f = ops::Identity(g, sw.output_false, "cond/switch_f");
  auto xs = ops::Switch(g, x, pred, "cond/x");
  auto a = ops::Op(g, {.op = "Const",
                       .attrs = {ops::AttrType("dtype", DT_FLOAT), ops::AttrTensor("value", Tensor::Scalar<float>(2))},
                       .control_inputs = {pivot_t.node},
                       .name = "cond/a"});
  auto b = ops::Op(g, {.op = "Const",
                       .attrs = {ops::AttrType("dtype", DT_FLOAT), ops::AttrTensor("value", Tensor::Scalar<float>(3))},
                       .control_inputs = {pivot_t.node},
                       .name = "cond/b"});
  auto t = ops::Mul(g, xs.output_true, ops::Add(g, a, b, "cond/ab"), "cond/t");
  auto f = ops::Neg(g, xs.output_false, "cond/f");
  (void)pivot_f;
  ops::Merge(g, {t, f}, "cond/Merge");
  ASSERT_TRUE(g.status().ok()) << g.status().ToString();
  tf::GraphDef before = g.ToGraphDef();
  tf::GraphDef after = Ok(freeze::FoldConstants(before, {"x", "pred"}, {"cond/Merge"}));
  const tf::NodeDef* ab = FindNode(after, "cond/ab");
  ASSERT_NE(ab, nullptr);
  EXPECT_EQ(ab->op(), "Const");
  EXPECT_THAT(std::vector<std::string>(ab->input().begin(), ab->input().end()),
              ::testing::ElementsAre("^cond/switch_t"));
  for (bool p : {true, false}) {
    Feeds feeds = {{"x", Tensor::FromVector<float>({1, -2}, Shape{2})}, {"pred", Tensor::Scalar<bool>(p)}};
    ExpectAllClose(RunGraph(before, feeds, {"cond/Merge"}), RunGraph(after, feeds, {"cond/Merge"}));
  }
}

// ------------------------------------------------------------ StripTrainingNodes

TEST(StripTrainingNodes, SplicesIdentityStopGradientPreventGradient) {
  std::mt19937 rng(9);
  graph::Graph g;
  auto x = ops::Placeholder(g, DT_FLOAT, Shape{2, 3}, "x");
  auto id = ops::Identity(g, x, "id");
  auto sg = ops::StopGradient(g, id, "sg");
  auto pg = ops::Op(g, {.op = "PreventGradient", .inputs = {sg}, .name = "pg"});
  auto w = ops::Identity(g, ops::Const(g, Random(rng, Shape{3, 2}), "w"), "w/read");
  auto y = ops::Relu(g, ops::MatMul(g, pg, w, false, false, "mm"), "relu");
  ops::Identity(g, y, "out");
  ASSERT_TRUE(g.status().ok()) << g.status().ToString();
  tf::GraphDef before = g.ToGraphDef();
  tf::GraphDef after = Ok(freeze::StripTrainingNodes(before, {"x"}, {"out"}));
  Feeds feeds = {{"x", Random(rng, Shape{2, 3})}};
  ExpectAllClose(RunGraph(before, feeds, {"out"}), RunGraph(after, feeds, {"out"}));
  EXPECT_EQ(CountOp(after, "StopGradient"), 0);
  EXPECT_EQ(CountOp(after, "PreventGradient"), 0);
  EXPECT_EQ(CountOp(after, "Identity"), 1);  // the protected output
  EXPECT_EQ(FindNode(after, "out")->op(), "Identity");
  EXPECT_EQ(FindNode(after, "mm")->input(0), "x");
  EXPECT_EQ(FindNode(after, "mm")->input(1), "w");
  EXPECT_EQ(after.node_size(), 5);  // x, w, mm, relu, out (was 9)
}

// Assert / CheckNumerics are not tfport ops; the graph is written by hand.
// y = Relu(CheckNumerics(Identity(x, ^assert_group))) with the Assert checking
// All(x > 0): after stripping only x -> Relu remains.
TEST(StripTrainingNodes, DropsAssertionsAndCheckNumerics) {
  tf::GraphDef def;
  auto add = [&](const std::string& name, const std::string& op, std::vector<std::string> inputs,
                 std::map<std::string, tf::AttrValue> attrs = {}) {
    tf::NodeDef* n = def.add_node();
    n->set_name(name);
    n->set_op(op);
    for (auto& in : inputs) n->add_input(in);
    for (auto& [k, v] : attrs) (*n->mutable_attr())[k] = v;
  };
  tf::AttrValue t_float, t_bool, shape, zero, axis_value, list;
  t_float.set_type(DT_FLOAT);
  t_bool.set_type(DT_BOOL);
  Shape{3}.ToProto(shape.mutable_shape());
  TensorToProto(Tensor::Scalar<float>(0), zero.mutable_tensor());
  TensorToProto(Tensor::Scalar<int32_t>(0), axis_value.mutable_tensor());
  list.mutable_list()->add_type(DT_FLOAT);
  tf::AttrValue t_int;
  t_int.set_type(DT_INT32);
  add("x", "Placeholder", {}, {{"dtype", t_float}, {"shape", shape}});
  add("zero", "Const", {}, {{"dtype", t_float}, {"value", zero}});
  add("positive", "Greater", {"x", "zero"}, {{"T", t_float}});
  add("axis", "Const", {}, {{"dtype", t_int}, {"value", axis_value}});
  add("all", "All", {"positive", "axis"}, {{"Tidx", t_int}});
  add("assert", "Assert", {"all", "x"}, {{"T", list}});
  add("assert_group", "NoOp", {"^assert"});
  add("checked", "Identity", {"x", "^assert_group"}, {{"T", t_float}});
  add("numerics", "CheckNumerics", {"checked"}, {{"T", t_float}});
  add("y", "Relu", {"numerics"}, {{"T", t_float}});
  tf::GraphDef after = Ok(freeze::StripTrainingNodes(def, {"x"}, {"y"}));
  ASSERT_EQ(after.node_size(), 2) << after.DebugString();
  EXPECT_EQ(after.node(0).name(), "x");
  EXPECT_EQ(after.node(1).name(), "y");
  EXPECT_THAT(std::vector<std::string>(after.node(1).input().begin(), after.node(1).input().end()),
              ::testing::ElementsAre("x"));
  // The stripped graph runs (the original cannot: no Assert kernel) and is Relu.
  auto out = RunGraph(after, {{"x", Tensor::FromVector<float>({-1, 0.5f, 2}, Shape{3})}}, {"y"});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_THAT(Floats(out[0]), ::testing::ElementsAre(0.0f, 0.5f, 2.0f));
}

// ------------------------------------------------------------ RemoveUnusedNodes

TEST(RemoveUnusedNodes, KeepsOutputsNeedsAndInputs) {
  graph::Graph g;
  auto x = ops::Placeholder(g, DT_FLOAT, Shape{2}, "x");
  ops::Placeholder(g, DT_FLOAT, Shape{2}, "unused_input");
  ops::Exp(g, x, "side");
  ops::Neg(g, x, "out");
  ASSERT_TRUE(g.status().ok());
  tf::GraphDef before = g.ToGraphDef();
  tf::GraphDef after = Ok(freeze::RemoveUnusedNodes(before, {"x:0", "unused_input"}, {"out:0"}));
  ASSERT_EQ(after.node_size(), 3);
  EXPECT_EQ(after.node(0).name(), "x");
  EXPECT_EQ(after.node(1).name(), "unused_input");
  EXPECT_EQ(after.node(2).name(), "out");
  Feeds feeds = {{"x", Tensor::FromVector<float>({1, 2}, Shape{2})}};
  ExpectAllClose(RunGraph(before, feeds, {"out"}), RunGraph(after, feeds, {"out"}));

  auto missing = freeze::RemoveUnusedNodes(before, {"x"}, {"nope"});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), Code::kInvalidArgument);
  EXPECT_THAT(missing.status().message(), ::testing::HasSubstr("nope is not in graph"));
  for (auto r : {freeze::OptimizeForInference(before, {"nope_in"}, {"out"}),
                 freeze::FoldConstants(before, {"x"}, {"nope_out"}),
                 freeze::StripTrainingNodes(before, {"x"}, {"nope_out"})}) {
    ASSERT_FALSE(r.ok());
    EXPECT_THAT(r.status().message(), ::testing::HasSubstr("nope_"));
  }
}

TEST(FoldBatchNorms, DanglingInputIsAnErrorNamingTheNode) {
  tf::GraphDef def;
  tf::NodeDef* n = def.add_node();
  n->set_name("a");
  n->set_op("Identity");
  n->add_input("ghost:0");
  auto r = freeze::FoldBatchNorms(def);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), ::testing::HasSubstr("Node 'a': Unknown input node 'ghost:0'"));
}

// ------------------------------------------------------------ OptimizeForInference

// A small network with every pattern: Identity reads, StopGradient, Conv2D +
// BiasAdd + FusedBatchNorm + Relu, DepthwiseConv2dNative + FusedBatchNorm,
// flatten via Shape/StridedSlice/Pack/Reshape, MatMul + the unfused batch norm
// as tf.layers builds it (x * (gamma * rsqrt(var + eps)) + (beta - mean * that)),
// Softmax.
TEST(OptimizeForInference, SyntheticNetwork) {
  std::mt19937 rng(10);
  graph::Graph g;
  auto x = ops::Placeholder(g, DT_FLOAT, Shape{1, 8, 8, 3}, "input");
  auto read = [&](Tensor t, const std::string& name) {
    return ops::Identity(g, ops::Const(g, t, name), name + "/read");
  };
  ops::FusedBatchNormOptions o;
  o.is_training = false;
  auto conv = ops::Conv2D(g, ops::StopGradient(g, x), read(Random(rng, Shape{3, 3, 3, 4}), "conv/w"),
                          {1, 1, 1, 1}, "SAME", "conv/Conv2D");
  auto bias = ops::BiasAdd(g, conv, read(Random(rng, Shape{4}), "conv/b"));
  auto bn1 = ops::FusedBatchNorm(g, bias, read(Random(rng, Shape{4}, 0.5f, 2), "bn1/gamma"),
                                 read(Random(rng, Shape{4}), "bn1/beta"), read(Random(rng, Shape{4}), "bn1/mean"),
                                 read(Random(rng, Shape{4}, 0.2f, 2), "bn1/var"), "bn1/FusedBatchNorm", o);
  auto r1 = ops::Relu(g, bn1.y, "relu1");
  auto dw = ops::DepthwiseConv2dNative(g, r1, read(Random(rng, Shape{3, 3, 4, 1}), "dw/w"), {1, 2, 2, 1},
                                       "SAME", "dw/depthwise");
  o.version = 1;
  auto bn2 = ops::FusedBatchNorm(g, dw, read(Random(rng, Shape{4}, 0.5f, 2), "bn2/gamma"),
                                 read(Random(rng, Shape{4}), "bn2/beta"), read(Random(rng, Shape{4}), "bn2/mean"),
                                 read(Random(rng, Shape{4}, 0.2f, 2), "bn2/var"), "bn2/FusedBatchNorm", o);
  auto r2 = ops::Relu(g, bn2.y, "relu2");
  ops::StridedSliceMasks m;
  m.shrink_axis_mask = 1;
  auto batch = ops::StridedSlice(g, ops::Shape(g, r2, DT_INT32, "flatten/Shape"),
                                 ops::Const(g, Tensor::FromVector<int32_t>({0}, Shape{1})),
                                 ops::Const(g, Tensor::FromVector<int32_t>({1}, Shape{1})),
                                 ops::Const(g, Tensor::FromVector<int32_t>({1}, Shape{1})), m);
  auto flat = ops::Reshape(g, r2, ops::Pack(g, {batch, ops::Const(g, int32_t{-1})}, 0, "flatten/shape"),
                           "flatten/Reshape");
  auto mm = ops::MatMul(g, flat, read(Random(rng, Shape{64, 5}), "fc/w"), false, false, "fc/MatMul");
  // Unfused batch norm: scale = gamma * rsqrt(var + eps), shift = beta - mean * scale.
  auto eps = ops::Const(g, 0.001f, "bn3/eps");
  auto scale = ops::Mul(g, ops::Rsqrt(g, ops::AddV2(g, read(Random(rng, Shape{5}, 0.2f, 2), "bn3/var"), eps)),
                        read(Random(rng, Shape{5}, 0.5f, 2), "bn3/gamma"), "bn3/mul");
  auto shift = ops::Sub(g, read(Random(rng, Shape{5}), "bn3/beta"),
                        ops::Mul(g, read(Random(rng, Shape{5}), "bn3/mean"), scale, "bn3/mul_2"), "bn3/sub");
  auto y = ops::AddV2(g, ops::Mul(g, mm, scale, "bn3/mul_1"), shift, "bn3/add_1");
  ops::Softmax(g, y, "probs");
  ASSERT_TRUE(g.status().ok()) << g.status().ToString();
  tf::GraphDef before = g.ToGraphDef();
  tf::GraphDef after = Ok(freeze::OptimizeForInference(before, {"input"}, {"probs"}));

  Feeds feeds = {{"input", Random(rng, Shape{1, 8, 8, 3})}};
  ExpectAllClose(RunGraph(before, feeds, {"probs", "bn3/add_1"}), RunGraph(after, feeds, {"probs", "bn3/add_1"}));
  for (const char* op : {"FusedBatchNorm", "FusedBatchNormV3", "Identity", "StopGradient", "Mul", "Sub",
                         "AddV2", "Rsqrt", "Shape", "StridedSlice", "Pack"})
    EXPECT_EQ(CountOp(after, op), 0) << op;
  // input, 3 weights, 3 folded biases, conv, BiasAdd(bn1), relu1, depthwise,
  // BiasAdd(bn2), relu2, shape Const, Reshape, MatMul, BiasAdd(bn3), probs.
  EXPECT_EQ(after.node_size(), 18) << [&] {
    std::string s;
    for (const auto& n : after.node()) s += n.name() + " (" + n.op() + ")\n";
    return s;
  }();
  EXPECT_GT(before.node_size(), 50);
  EXPECT_EQ(FindNode(after, "bn1/FusedBatchNorm")->op(), "BiasAdd");
  EXPECT_EQ(FindNode(after, "bn2/FusedBatchNorm")->op(), "BiasAdd");
  EXPECT_EQ(FindNode(after, "bn3/add_1")->op(), "BiasAdd");
}

// ------------------------------------------------------------ real frozen graphs

struct FixtureCase {
  std::string path;
  std::vector<std::string> inputs, outputs;
  std::function<Feeds(const tf::GraphDef&)> feeds;
};

void OptimizeFixture(const FixtureCase& c, int* nodes_before, int* nodes_after, tf::GraphDef* out = nullptr) {
  tf::GraphDef before;
  Status s = io::ReadProto(testing::FixturePath(c.path).string(), &before);
  ASSERT_TRUE(s.ok()) << s.ToString();
  auto r = freeze::OptimizeForInference(before, c.inputs, c.outputs);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  Feeds feeds = c.feeds(before);
  std::vector<std::string> fetches;
  for (const auto& o : c.outputs) fetches.push_back(o + ":0");
  ExpectAllClose(RunGraph(before, feeds, fetches), RunGraph(*r, feeds, fetches));
  // Surviving nodes are copied as they were (no default attrs added, which an
  // older TensorFlow might reject).
  std::map<std::string, const tf::NodeDef*> original;
  for (const auto& n : before.node()) original[n.name()] = &n;
  for (const auto& n : r->node()) {
    auto it = original.find(n.name());
    if (it == original.end() || it->second->op() != n.op() || n.op() == "Const") continue;
    EXPECT_EQ(n.attr_size(), it->second->attr_size()) << n.name();
  }
  *nodes_before = before.node_size();
  *nodes_after = r->node_size();
  std::cout << "[ nodes    ] " << c.path << ": " << *nodes_before << " -> " << *nodes_after << "\n";
  EXPECT_LE(*nodes_after, *nodes_before);
  if (out) *out = std::move(*r);
}

Tensor Fixed(Shape shape, uint32_t seed, float lo = 0.0f, float hi = 1.0f) {
  std::mt19937 rng(seed);
  return Random(rng, std::move(shape), lo, hi);
}

TEST(OptimizeFixtures, UtensorDeepCnnCifar10) {
  TFPORT_REQUIRE_FIXTURE("utensor_deep_cnn_cifar10/cifar10_cnn.pb");
  int b = 0, a = 0;
  OptimizeFixture({"utensor_deep_cnn_cifar10/cifar10_cnn.pb", {"Placeholder"}, {"fully_connect_2/logits", "pred"},
                   [](const tf::GraphDef&) { return Feeds{{"Placeholder:0", Fixed(Shape{2, 32, 32, 3}, 11)}}; }},
                  &b, &a);
}

TEST(OptimizeFixtures, UtensorConvIsAllConstant) {
  TFPORT_REQUIRE_FIXTURE("utensor_conv/test_conv.pb");
  int b = 0, a = 0;
  tf::GraphDef out;
  OptimizeFixture({"utensor_conv/test_conv.pb", {}, {"out_conv"}, [](const tf::GraphDef&) { return Feeds{}; }},
                  &b, &a, &out);
  // x and the filter are Consts: the whole graph is one Const "out_conv".
  EXPECT_EQ(a, 1);
  if (a == 1) {
    EXPECT_EQ(out.node(0).op(), "Const");
  }
}

TEST(OptimizeFixtures, JonykaiFrozenWithCond) {
  TFPORT_REQUIRE_FIXTURE("jonykai_java_frozen/frozen_model.pb");
  int b = 0, a = 0;
  tf::GraphDef out;
  OptimizeFixture({"jonykai_java_frozen/frozen_model.pb",
                   {"input_holder", "is_train", "dropout"},
                   {"digits_prediction", "forward_net/transpose"},
                   [](const tf::GraphDef&) {
                     return Feeds{{"input_holder:0", Fixed(Shape{2, 40, 120, 1}, 12)},
                                  {"is_train:0", Tensor::Scalar<bool>(false)},
                                  {"dropout:0", Tensor::Scalar<float>(1.0f)}};
                   }},
                  &b, &a, &out);
  EXPECT_LT(a, b);
  // Nodes folded inside a cond branch keep a control edge on the branch, so
  // they stay dead when it is not taken.
  tf::GraphDef before = Ok(freeze::ReadGraph(testing::FixturePath("jonykai_java_frozen/frozen_model.pb").string()));
  std::set<std::string> was_const;
  for (const auto& n : before.node())
    if (n.op() == "Const") was_const.insert(n.name());
  int folded_in_cond = 0;
  for (const auto& n : out.node()) {
    if (n.op() != "Const" || was_const.count(n.name()) || n.name().find("/cond/") == std::string::npos) continue;
    ++folded_in_cond;
    ASSERT_GT(n.input_size(), 0) << n.name();
    EXPECT_EQ(n.input(0).substr(0, 1), "^") << n.name();
  }
  EXPECT_GT(folded_in_cond, 0);
}

TEST(OptimizeFixtures, RyanmolinaNeuralEncryption) {
  TFPORT_REQUIRE_FIXTURE("ryanmolina_neural_encryption/frozen_model.pb");
  int b = 0, a = 0;
  OptimizeFixture({"ryanmolina_neural_encryption/frozen_model.pb", {"X_input"}, {"Output"},
                   [](const tf::GraphDef& def) {
                     // X_input has no static shape: feed [3, rows of Theta_1].
                     Tensor theta = ConstValue(def, "Theta_1");
                     return Feeds{{"X_input:0", Fixed(Shape{3, theta.shape().dim(0)}, 13)}};
                   }},
                  &b, &a);
  EXPECT_LT(a, b);
}

TEST(OptimizeFixtures, TfOnnxRegressionFrozen) {
  TFPORT_REQUIRE_FIXTURE("tfonnx_regression_frozen/frozen.pb");
  int b = 0, a = 0;
  OptimizeFixture({"tfonnx_regression_frozen/frozen.pb", {"X"}, {"pred"},
                   [](const tf::GraphDef&) { return Feeds{{"X:0", Tensor::FromVector<float>({5.0f}, Shape{1})}}; }},
                  &b, &a);
  EXPECT_LT(a, b);
}

// A Keras recurrent graph frozen with its Shape/StridedSlice/Tile/ZerosLike
// plumbing; the batch dimension is unknown, so only what does not depend on
// it folds.
TEST(OptimizeFixtures, HelloTfCApiRecurrentGraph) {
  TFPORT_REQUIRE_FIXTURE("hello_tf_c_api_graph/graph.pb");
  int b = 0, a = 0;
  OptimizeFixture({"hello_tf_c_api_graph/graph.pb", {"input_4"}, {"output_node0"},
                   [](const tf::GraphDef&) { return Feeds{{"input_4:0", Fixed(Shape{1, 5, 12}, 15, -1, 1)}}; }},
                  &b, &a);
  EXPECT_LT(a, b);
}

// A TF1 while loop (not frozen, and its RandomUniform initializers cannot run
// here): folding must leave the loop machinery intact and the graph importable.
TEST(OptimizeFixtures, WhileLoopGraphSurvivesFolding) {
  TFPORT_REQUIRE_FIXTURE("ocaml_lstm/lstm.pb");
  tf::GraphDef before;
  ASSERT_TRUE(io::ReadProto(testing::FixturePath("ocaml_lstm/lstm.pb").string(), &before).ok());
  const std::vector<std::string> in = {"lstm_1_input"}, out = {"time_distributed_1/Sigmoid"};
  tf::GraphDef after = Ok(freeze::OptimizeForInference(before, in, out));
  // The loop ops the output needs (an unused Exit goes) are all still there.
  tf::GraphDef needed = Ok(freeze::RemoveUnusedNodes(before, in, out));
  for (const char* op : {"Enter", "Exit", "Merge", "Switch", "NextIteration", "LoopCond"}) {
    EXPECT_GT(CountOp(needed, op), 0) << op;
    EXPECT_EQ(CountOp(after, op), CountOp(needed, op)) << op;
  }
  auto g = graph::GraphFromGraphDef(after);
  EXPECT_TRUE(g.ok()) << g.status().ToString();
  // Folded nodes keep their names: no new node appears.
  std::set<std::string> names;
  for (const auto& n : before.node()) names.insert(n.name());
  for (const auto& n : after.node())
    if (n.op() == "Const" && !names.count(n.name())) ADD_FAILURE() << "unexpected new node " << n.name();
  std::cout << "[ nodes    ] ocaml_lstm/lstm.pb: " << before.node_size() << " -> " << after.node_size() << "\n";
}

// ARM's keyword-spotting DS-CNN: Conv2D/DepthwiseConv2dNative + BiasAdd +
// FusedBatchNorm, the real-world case of the fold. The audio front end has no
// tfport kernels, so the MFCC features are fed at Reshape_1.
TEST(OptimizeFixtures, ArmKwsDsCnnFoldsItsBatchNorms) {
  TFPORT_REQUIRE_FIXTURE("arm_kws_ds_cnn_s/DS_CNN/DS_CNN_S.pb");
  int b = 0, a = 0;
  tf::GraphDef out;
  OptimizeFixture({"arm_kws_ds_cnn_s/DS_CNN/DS_CNN_S.pb", {"Reshape_1"}, {"labels_softmax"},
                   [](const tf::GraphDef&) { return Feeds{{"Reshape_1:0", Fixed(Shape{1, 49, 10, 1}, 14, -5, 5)}}; }},
                  &b, &a, &out);
  EXPECT_EQ(CountOp(out, "FusedBatchNorm"), 0);
  EXPECT_EQ(CountOp(out, "Identity"), 0);
  EXPECT_LT(a, b);
}

}  // namespace
}  // namespace tfport

namespace tfport {
namespace {

TEST(CanonicalizeInputNames, DropsOnlyTheOutputZeroSuffix) {
  tf::GraphDef g;
  tf::NodeDef* n = g.add_node();
  n->set_name("r");
  n->set_op("Reshape");
  for (const char* in : {"x:0", "shape:1", "^ctl", "a:10"}) n->add_input(in);
  tf::GraphDef out = freeze::CanonicalizeInputNames(g);
  EXPECT_EQ(std::vector<std::string>(out.node(0).input().begin(), out.node(0).input().end()),
            (std::vector<std::string>{"x", "shape:1", "^ctl", "a:10"}));
}

}  // namespace
}  // namespace tfport
