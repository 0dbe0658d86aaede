// freeze_graph from files (issue #5 acceptance): every TF1 checkpoint
// fixture with a .meta and known behaviour, and every TF1 SavedModel
// fixture, frozen; the frozen graph's outputs equal the unfrozen model's on
// the same inputs, and CATALOG.md's stated values where it has them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "support/fixtures.h"
#include "support/status_matchers.h"
#include "support/temp_dir.h"
#include "tfport/core/tensor_proto.h"
#include "tfport/freeze/freeze_graph.h"
#include "tfport/io/bundle.h"
#include "tfport/io/checkpoint_reader.h"
#include "tfport/graph/import.h"
#include "tfport/kernels/kernels.h"
#include "tfport/saver/meta_graph.h"

namespace tfport {
namespace {

using testing::FixturePath;
using testing::StatusIs;
using Feeds = std::vector<std::pair<std::string, Tensor>>;

bool SameTensor(const Tensor& a, const Tensor& b) {
  if (a.dtype() != b.dtype() || !(a.shape() == b.shape())) return false;
  if (a.dtype() == DT_STRING) return false;
  return a.byte_size() == b.byte_size() && std::memcmp(a.data(), b.data(), a.byte_size()) == 0;
}

std::vector<Tensor> RunFrozen(const tf::GraphDef& frozen, const Feeds& feeds,
                              const std::vector<std::string>& fetches) {
  auto g = graph::GraphFromGraphDef(frozen);
  EXPECT_TRUE(g.ok()) << g.status().ToString();
  if (!g.ok()) return {};
  for (const auto& n : frozen.node())
    EXPECT_TRUE(n.op() != "VariableV2" && n.op() != "Variable" && n.op() != "VarHandleOp")
        << "variable left: " << n.name();
  auto s = kernels::NewSession(**g);
  std::vector<Tensor> out;
  Status st = s->Run(feeds, fetches, {}, &out);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return out;
}

// The unfrozen model: import_meta_graph + restore, then run.
std::vector<Tensor> RunUnfrozen(const tf::MetaGraphDef& meta, const std::string& checkpoint,
                                const Feeds& feeds, const std::vector<std::string>& fetches) {
  graph::Graph g;
  auto saver = saver::ImportMetaGraph(g, meta);
  EXPECT_TRUE(saver.ok()) << saver.status().ToString();
  if (!saver.ok()) return {};
  auto s = kernels::NewSession(g);
  if (*saver) {
    EXPECT_TRUE((*saver)->Restore(*s, checkpoint).ok());
  }
  std::vector<Tensor> out;
  Status st = s->Run(feeds, fetches, {}, &out);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return out;
}

std::vector<float> Floats(const Tensor& t) { return {t.flat<float>().begin(), t.flat<float>().end()}; }

struct MetaCase {
  const char* meta;
  const char* checkpoint;
  const char* output;
  const char* input;
  Tensor value;
  std::vector<float> expected;  // CATALOG.md values, when stated
};

TEST(FreezeGraph, MetaGraphAndCheckpointFixtures) {
  Tensor mnist(DT_DOUBLE, Shape{2, 784});
  for (int64_t i = 0; i < mnist.num_elements(); ++i) mnist.flat<double>()[static_cast<size_t>(i)] = (i % 97) / 96.0;
  const MetaCase cases[] = {
      // CATALOG.md: y = 0.5 * x + 2.
      {"serving_bad_half_plus_two/00000123/export.meta", "serving_bad_half_plus_two/00000123/export",
       "Add", "Placeholder:0", Tensor::FromVector<float>({0, 4}, Shape{2}), {2, 4}},
      {"serving_half_plus_two_v1ckpt/00000123/export.meta",
       "serving_half_plus_two_v1ckpt/00000123/export-\?\?\?\?\?-of-00001", "y", "x:0",
       // x = Identity(ParseExample(...)) has static shape [?, 1] (dense_shapes
       // [[1]]); TensorFlow refuses a [2] feed there, and so does tfport now
       // that ParseExample has its shape function.
       Tensor::FromVector<float>({1, 3}, Shape{2, 1}), {2.5, 3.5}},
      // CATALOG.md: weights = [[1,2,3],[1,2,3]].
      {"antadlp_save_net_v2/save_net.ckpt.meta", "antadlp_save_net_v2/save_net.ckpt", "weights", "", Tensor(),
       {1, 2, 3, 1, 2, 3}},
      {"cppflow_v1_mnist_ckpt/checkpoint/train.ckpt.meta", "cppflow_v1_mnist_ckpt/checkpoint/train.ckpt",
       "prediction", "input:0", mnist, {}},
  };
  for (const MetaCase& c : cases) {
    SCOPED_TRACE(c.meta);
    if (!std::filesystem::exists(FixturePath(c.meta))) GTEST_SKIP() << c.meta << " missing";
    freeze::FreezeGraphOptions o;
    o.input_meta_graph = FixturePath(c.meta).string();
    o.input_checkpoint = FixturePath(c.checkpoint).string();
    o.output_node_names = {c.output};
    auto r = freeze::FreezeGraph(o);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_GE(r->converted, 1);
    Feeds feeds;
    if (*c.input) feeds.emplace_back(c.input, c.value);
    const std::string fetch = std::string(c.output) + ":0";
    auto frozen = RunFrozen(r->graph_def, feeds, {fetch});
    auto meta = saver::ReadMetaGraphFile(o.input_meta_graph);
    ASSERT_TRUE(meta.ok());
    auto unfrozen = RunUnfrozen(*meta, o.input_checkpoint, feeds, {fetch});
    ASSERT_EQ(frozen.size(), 1u);
    ASSERT_EQ(unfrozen.size(), 1u);
    EXPECT_TRUE(SameTensor(frozen[0], unfrozen[0]));
    if (!c.expected.empty()) {
      EXPECT_EQ(Floats(frozen[0]), c.expected);
    }
  }
}

TEST(FreezeGraph, NeuralEncryptionCheckpointFollowsItsFormula) {
  // CATALOG.md: Output = sigmoid(sigmoid(X*Theta_1 + Bias1)*Theta_2 + Bias2).
  // The weights are read from the checkpoint and the formula evaluated here
  // in double precision, independently of the graph.
  const char* meta = "ryanmolina_neural_encryption/checkpoint/encryptor_model-500000.meta";
  const char* ckpt = "ryanmolina_neural_encryption/checkpoint/encryptor_model-500000";
  TFPORT_REQUIRE_FIXTURE(meta);
  freeze::FreezeGraphOptions o;
  o.input_meta_graph = FixturePath(meta).string();
  o.input_checkpoint = FixturePath(ckpt).string();
  o.output_node_names = {"Output"};
  auto r = freeze::FreezeGraph(o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->converted, 4);
  Tensor x(DT_FLOAT, Shape{3, 8});
  for (int64_t i = 0; i < x.num_elements(); ++i) x.flat<float>()[static_cast<size_t>(i)] = (i % 2) ? 1.0f : 0.0f;
  auto got = RunFrozen(r->graph_def, {{"X_input:0", x}}, {"Output:0"});
  ASSERT_EQ(got.size(), 1u);
  auto reader = io::CheckpointReader::Open(FixturePath(ckpt).string());
  ASSERT_TRUE(reader.ok());
  auto t1 = (*reader)->GetTensor("Theta_1"), t2 = (*reader)->GetTensor("Theta_2");
  auto b1 = (*reader)->GetTensor("Bias1"), b2 = (*reader)->GetTensor("Bias2");
  ASSERT_TRUE(t1.ok() && t2.ok() && b1.ok() && b2.ok());
  auto sig = [](double v) { return 1.0 / (1.0 + std::exp(-v)); };
  for (int row = 0; row < 3; ++row) {
    double h[8];
    for (int j = 0; j < 8; ++j) {
      double acc = b1->flat<float>()[static_cast<size_t>(j)];
      for (int k = 0; k < 8; ++k)
        acc += x.flat<float>()[static_cast<size_t>(row * 8 + k)] * t1->flat<float>()[static_cast<size_t>(k * 8 + j)];
      h[j] = sig(acc);
    }
    for (int j = 0; j < 8; ++j) {
      double acc = b2->flat<float>()[static_cast<size_t>(j)];
      for (int k = 0; k < 8; ++k) acc += h[k] * t2->flat<float>()[static_cast<size_t>(k * 8 + j)];
      EXPECT_NEAR(got[0].flat<float>()[static_cast<size_t>(row * 8 + j)], sig(acc), 1e-6);
    }
  }
}

struct SavedModelCase {
  const char* dir;
  std::set<std::string> tags;
  const char* signature;
  const char* input;
  Tensor value;
  std::vector<float> expected;
};

TEST(FreezeGraph, TF1SavedModelFixturesWithSignatureOutputs) {
  const SavedModelCase cases[] = {
      // CATALOG.md: [[1,2,3],[4,5,6],[7,8,9]] -> 0.5x + 2.
      {"serving_matrix_half_plus_two/1", {"serve"}, "serving_default", "x:0",
       Tensor::FromVector<float>({1, 2, 3, 4, 5, 6, 7, 8, 9}, Shape{1, 3, 3}),
       {2.5, 3, 3.5, 4, 4.5, 5, 5.5, 6, 6.5}},
      // y3 = 0.5 * x2 + 3.
      {"serving_saved_model_half_plus_two_cpu/00000123", {"serve"}, "regress_x2_to_y3", "x2:0",
       Tensor::FromVector<float>({2, 4}, Shape{2, 1}), {4, 5}},
      {"tfjava_saved_model_half_plus_two", {"serve"}, "regress_x2_to_y3", "x2:0",
       Tensor::FromVector<float>({2, 4}, Shape{2, 1}), {4, 5}},
      // pred = 0.21396178 * X + 1.0495254 (compared with a tolerance below).
      {"tfonnx_regression_saved_model", {"serve"}, "serving_default", "X:0",
       Tensor::FromVector<float>({1, 2}, Shape{2}), {1.26348718f, 1.47744896f}},
      // z = x + 1.
      {"tfonnx_saved_model_redundant_inputs", {"serve"}, "serving_default", "Placeholder:0",
       Tensor::FromVector<float>({0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, Shape{1, 10}),
       {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}},
      // y_hat = w*x + b with w = -0.85786223, b = 0.
      {"rust_test_regression_model", {"train", "serve"}, "tensorflow/serving/regress", "x:0",
       Tensor::FromVector<float>({2}, Shape{1}), {-1.71572446f}},
      // counter starts at 0.
      {"serving_saved_model_counter/00000123", {"serve"}, "get_counter", "", Tensor(), {0}},
  };
  for (const SavedModelCase& c : cases) {
    SCOPED_TRACE(c.dir);
    if (!std::filesystem::exists(FixturePath(c.dir))) GTEST_SKIP() << c.dir << " missing";
    freeze::FreezeGraphOptions o;
    o.saved_model_dir = FixturePath(c.dir).string();
    o.tag_set = c.tags;
    o.signature_def = c.signature;
    auto r = freeze::FreezeGraph(o);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->output_node_names.size(), 1u);
    Feeds feeds;
    if (*c.input) feeds.emplace_back(c.input, c.value);
    const std::string fetch = r->output_node_names[0] + ":0";
    auto frozen = RunFrozen(r->graph_def, feeds, {fetch});
    auto meta = freeze::ReadSavedModelMetaGraph(o.saved_model_dir, c.tags);
    ASSERT_TRUE(meta.ok());
    auto unfrozen = RunUnfrozen(*meta, o.saved_model_dir + "/variables/variables", feeds, {fetch});
    ASSERT_EQ(frozen.size(), 1u);
    ASSERT_EQ(unfrozen.size(), 1u);
    EXPECT_TRUE(SameTensor(frozen[0], unfrozen[0]));
    auto got = Floats(frozen[0]);
    ASSERT_EQ(got.size(), c.expected.size());
    for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], c.expected[i], 1e-6 * (1 + std::abs(c.expected[i])));
  }
}

TEST(FreezeGraph, RegressionSavedModelEqualsTensorFlowsFrozenGraph) {
  // tfonnx_regression_frozen was frozen by TensorFlow from the same model.
  TFPORT_REQUIRE_FIXTURE("tfonnx_regression_saved_model/saved_model.pb");
  TFPORT_REQUIRE_FIXTURE("tfonnx_regression_frozen/frozen.pb");
  freeze::FreezeGraphOptions o;
  o.saved_model_dir = FixturePath("tfonnx_regression_saved_model").string();
  o.output_node_names = {"pred"};
  auto ours = freeze::FreezeGraph(o);
  ASSERT_TRUE(ours.ok()) << ours.status().ToString();
  auto theirs = freeze::ReadGraph(FixturePath("tfonnx_regression_frozen/frozen.pb").string());
  ASSERT_TRUE(theirs.ok());
  ASSERT_EQ(ours->graph_def.node_size(), theirs->node_size());
  for (int i = 0; i < theirs->node_size(); ++i) {
    tf::NodeDef a = ours->graph_def.node(i), b = theirs->node(i);
    SCOPED_TRACE(b.name());
    // TensorFlow's copy was frozen from a graph without add_shapes.
    a.mutable_attr()->erase("_output_shapes");
    EXPECT_EQ(a.name(), b.name());
    EXPECT_EQ(a.op(), b.op());
    EXPECT_EQ(std::vector<std::string>(a.input().begin(), a.input().end()),
              std::vector<std::string>(b.input().begin(), b.input().end()));
    EXPECT_EQ(a.device(), b.device());
    ASSERT_EQ(a.attr().size(), b.attr().size());
    for (const auto& [k, v] : b.attr()) {
      ASSERT_TRUE(a.attr().count(k)) << k;
      if (v.has_tensor()) {
        auto x = TensorFromProto(a.attr().at(k).tensor()), y = TensorFromProto(v.tensor());
        ASSERT_TRUE(x.ok() && y.ok());
        EXPECT_TRUE(SameTensor(*x, *y)) << k;
      } else {
        EXPECT_EQ(a.attr().at(k).SerializeAsString(), v.SerializeAsString()) << k;
      }
    }
  }
}

TEST(FreezeGraph, Errors) {
  TFPORT_REQUIRE_FIXTURE("antadlp_save_net_v2/save_net.ckpt.meta");
  freeze::FreezeGraphOptions o;
  o.input_meta_graph = FixturePath("antadlp_save_net_v2/save_net.ckpt.meta").string();
  o.input_checkpoint = FixturePath("antadlp_save_net_v2/save_net.ckpt").string();
  EXPECT_THAT(freeze::FreezeGraph(o),
              StatusIs(Code::kInvalidArgument, "You need to supply the name of a node to --output_node_names."));
  o.output_node_names = {"no_such_node"};
  EXPECT_THAT(freeze::FreezeGraph(o), StatusIs(Code::kInvalidArgument, "no_such_node is not in graph"));
  o.output_node_names = {"weights"};
  o.input_checkpoint = "/nonexistent/model.ckpt";
  EXPECT_THAT(freeze::FreezeGraph(o),
              StatusIs(Code::kInvalidArgument, "Input checkpoint '/nonexistent/model.ckpt' doesn't exist!"));
  // A variable missing from the checkpoint: a bundle holding only "biases".
  testing::TempDir dir;
  {
    auto w = io::BundleWriter::Create(dir.Join("partial"));
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->Add("biases", Tensor::FromVector<float>({1, 2, 3}, Shape{1, 3})).ok());
    ASSERT_TRUE((*w)->Finish().ok());
  }
  o.input_checkpoint = dir.Join("partial");
  EXPECT_THAT(freeze::FreezeGraph(o), StatusIs(Code::kNotFound, "Key weights not found in checkpoint"));
  freeze::FreezeGraphOptions sm;
  sm.saved_model_dir = FixturePath("tfonnx_regression_saved_model").string();
  sm.tag_set = {"gpu"};
  EXPECT_THAT(freeze::FreezeGraph(sm),
              StatusIs(Code::kNotFound, "Could not find meta graph def matching supplied tags: { gpu }"));
}

}  // namespace
}  // namespace tfport
