// Saver against checkpoints written by TensorFlow 0.12-1.15 (issue #4
// acceptance). Expected values come from the fixtures themselves (the
// stored tensors, read through the checkpoint reader that issue #2 checked
// against CATALOG.md) and from CATALOG.md / results.json for behaviour.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <regex>

#include "support/files.h"
#include "support/fixtures.h"
#include "support/status_matchers.h"
#include "support/temp_dir.h"
#include "tfport/core/tensor_proto.h"
#include "tfport/graph/import.h"
#include "tfport/graph/ops.h"
#include "tfport/io/checkpoint_reader.h"
#include "tfport/io/proto_io.h"
#include "tfport/kernels/kernels.h"
#include "tfport/saver/meta_graph.h"
#include "tfport/saver/saver.h"
#include "tfport/tf/saved_model.pb.h"

namespace tfport {
namespace {

using tfport::testing::FixturePath;
using tfport::testing::ReadAll;
using tfport::testing::TempDir;

bool SameTensor(const Tensor& a, const Tensor& b) {
  if (a.dtype() != b.dtype() || !(a.shape() == b.shape())) return false;
  if (a.dtype() == DT_STRING) {
    auto x = a.flat<std::string>(), y = b.flat<std::string>();
    return std::equal(x.begin(), x.end(), y.begin());
  }
  return a.byte_size() == b.byte_size() && std::memcmp(a.data(), b.data(), a.byte_size()) == 0;
}

struct MetaFixture {
  const char* meta;
  const char* checkpoint;  // what a user passes to restore
  size_t variables;        // size of the variables collection
};

// Every TF1 checkpoint fixture with a .meta (CATALOG.md kinds 1 and 2).
const MetaFixture kMetaFixtures[] = {
    {"antadlp_save_net_v2/save_net.ckpt.meta", "antadlp_save_net_v2/save_net.ckpt", 2},
    {"cppflow_v1_mnist_ckpt/checkpoint/train.ckpt.meta", "cppflow_v1_mnist_ckpt/checkpoint/train.ckpt", 6},
    {"hsbarker_estimator_mnist_cnn/model.ckpt-1.meta", "hsbarker_estimator_mnist_cnn/model.ckpt-1", 0},
    {"hsbarker_estimator_mnist_cnn/model.ckpt-20000.meta", "hsbarker_estimator_mnist_cnn/model.ckpt-20000", 0},
    {"noahrjohnson_v1_ckpt/model.ckpt.meta", "noahrjohnson_v1_ckpt/model.ckpt", 0},
    {"octogonapus_edgetpu_qat/checkpoints.meta", "octogonapus_edgetpu_qat/checkpoints", 0},
    {"ryanmolina_neural_encryption/checkpoint/encryptor_model-500000.meta",
     "ryanmolina_neural_encryption/checkpoint/encryptor_model-500000", 0},
    {"serving_bad_half_plus_two/00000123/export.meta", "serving_bad_half_plus_two/00000123/export", 2},
    {"serving_half_plus_two_v1ckpt/00000123/export.meta",
     "serving_half_plus_two_v1ckpt/00000123/export-\?\?\?\?\?-of-00001", 0},
};

// import_meta_graph + restore, then every variable equals its stored tensor.
void RestoreAndCompare(const MetaFixture& f, graph::Graph& g,
                       std::unique_ptr<runtime::Session>* session_out = nullptr) {
  auto saver = saver::ImportMetaGraph(g, FixturePath(f.meta).string());
  ASSERT_TRUE(saver.ok()) << saver.status().ToString();
  ASSERT_NE(*saver, nullptr);
  auto session = kernels::NewSession(g);
  const std::string ckpt = FixturePath(f.checkpoint).string();
  Status restored = (*saver)->Restore(*session, ckpt);
  ASSERT_TRUE(restored.ok()) << restored.ToString();
  auto reader = io::CheckpointReader::Open(ckpt);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  std::vector<tf::VariableDef> vars = ops::GlobalVariables(g);
  if (f.variables) {
    EXPECT_EQ(vars.size(), f.variables);
  }
  ASSERT_FALSE(vars.empty());
  size_t compared = 0;
  for (const auto& v : vars) {
    if (v.has_save_slice_info_def()) continue;
    std::string node;
    int index;
    ASSERT_TRUE(graph::ParseTensorName(v.variable_name(), &node, &index).ok());
    if (!(*reader)->HasTensor(node)) continue;  // not saved by this Saver (e.g. var_list)
    std::vector<Tensor> out;
    const std::string fetch = v.is_resource() ? v.snapshot_name() : v.variable_name();
    Status s = session->Run({}, {fetch}, {}, &out);
    ASSERT_TRUE(s.ok()) << fetch << ": " << s.ToString();
    auto stored = (*reader)->GetTensor(node);
    ASSERT_TRUE(stored.ok());
    EXPECT_TRUE(SameTensor(out[0], *stored)) << f.checkpoint << " variable " << node;
    ++compared;
  }
  EXPECT_GT(compared, 0u);
  if (session_out) *session_out = std::move(session);
}

TEST(SaverFixtures, ImportMetaGraphRestoreGivesStoredTensors) {
  for (const MetaFixture& f : kMetaFixtures) {
    SCOPED_TRACE(f.meta);
    if (!std::filesystem::exists(FixturePath(f.meta))) {
      GTEST_SKIP() << "fixture " << f.meta << " not found in " << testing::FixturesRoot();
    }
    graph::Graph g;
    RestoreAndCompare(f, g);
  }
}

TEST(SaverFixtures, ImportMetaGraphAcceptsEveryMetaGraphDefFixture) {
  // Every .meta and every MetaGraphDef inside a saved_model.pb (TF 0.12-2.14,
  // including V1 savers, old `Variable` ops and TF2 function-based savers)
  // imports with its collections, and yields a Saver when it has a SaverDef.
  int imported = 0;
  if (!std::filesystem::exists(testing::FixturesRoot())) GTEST_SKIP() << "no fixtures";
  for (const auto& entry : std::filesystem::recursive_directory_iterator(testing::FixturesRoot())) {
    const std::string path = entry.path().string();
    std::vector<tf::MetaGraphDef> metas;
    if (entry.path().extension() == ".meta") {
      auto m = saver::ReadMetaGraphFile(path);
      ASSERT_TRUE(m.ok()) << path << ": " << m.status().ToString();
      metas.push_back(*m);
    } else if (entry.path().filename() == "saved_model.pb") {
      tf::SavedModel sm;
      ASSERT_TRUE(io::ReadBinaryProto(path, &sm).ok()) << path;
      metas.assign(sm.meta_graphs().begin(), sm.meta_graphs().end());
    }
    for (const auto& meta : metas) {
      SCOPED_TRACE(path);
      graph::Graph g;
      saver::ImportMetaGraphOptions options;
      options.clear_devices = true;
      auto saver = saver::ImportMetaGraph(g, meta, options);
      ASSERT_TRUE(saver.ok()) << saver.status().ToString();
      // Without a SaverDef, variables get a new Saver (its save/ nodes), as
      // Python's import_meta_graph does.
      if (meta.has_saver_def()) {
        EXPECT_EQ(static_cast<int>(g.nodes().size()), meta.graph_def().node_size());
      } else {
        EXPECT_GE(static_cast<int>(g.nodes().size()), meta.graph_def().node_size());
      }
      EXPECT_EQ(*saver != nullptr, meta.has_saver_def() || ops::GlobalVariables(g).size() > 0);
      for (const auto& [key, coll] : meta.collection_def()) EXPECT_TRUE(g.collections().count(key)) << key;
      ++imported;
    }
  }
  EXPECT_GE(imported, 20);
  std::printf("[ import ] %d MetaGraphDefs imported\n", imported);
}

TEST(SaverFixtures, SaveNetWeightsAreTheCataloguedValues) {
  TFPORT_REQUIRE_FIXTURE("antadlp_save_net_v2/save_net.ckpt.meta");
  graph::Graph g;
  std::unique_ptr<runtime::Session> session;
  RestoreAndCompare(kMetaFixtures[0], g, &session);
  std::vector<Tensor> out;
  ASSERT_TRUE(session->Run({}, {"weights:0", "biases:0"}, {}, &out).ok());
  // CATALOG.md: weights=[[1,2,3],[1,2,3]], biases=[[1,2,3]].
  EXPECT_THAT(std::vector<float>(out[0].flat<float>().begin(), out[0].flat<float>().end()),
              ::testing::ElementsAre(1, 2, 3, 1, 2, 3));
  EXPECT_EQ(out[0].shape(), (Shape{2, 3}));
  EXPECT_THAT(std::vector<float>(out[1].flat<float>().begin(), out[1].flat<float>().end()),
              ::testing::ElementsAre(1, 2, 3));
}

TEST(SaverFixtures, HalfPlusTwoV1ExportsComputeHalfXPlusTwo) {
  // CATALOG.md: y = 0.5 * x + 2 for both legacy V1 exports.
  struct Case {
    size_t fixture;
    const char* x;
    const char* y;
    Shape shape;
  };
  // x:0 of the second is Identity(ParseExample) with static shape [?, 1].
  for (Case c : {Case{7, "Placeholder:0", "Add:0", Shape{3}}, Case{8, "x:0", "y:0", Shape{3, 1}}}) {
    const MetaFixture& f = kMetaFixtures[c.fixture];
    SCOPED_TRACE(f.meta);
    if (!std::filesystem::exists(FixturePath(f.meta))) GTEST_SKIP() << f.meta << " missing";
    graph::Graph g;
    std::unique_ptr<runtime::Session> session;
    RestoreAndCompare(f, g, &session);
    std::vector<Tensor> out;
    Status s = session->Run({{c.x, Tensor::FromVector<float>({1, 2, 5}, c.shape)}}, {c.y}, {}, &out);
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_THAT(std::vector<float>(out[0].flat<float>().begin(), out[0].flat<float>().end()),
                ::testing::ElementsAre(2.5f, 3.0f, 4.5f));
  }
}

// tfmodels reference data: a GraphDef without collections plus a checkpoint;
// a Saver over the graph's variables restores it and the graph reproduces
// results.json = [shape..., first, last, sum].
std::vector<double> ResultsJson(const std::string& path) {
  std::string text = ReadAll(path);
  std::vector<double> v;
  std::regex number("-?[0-9.]+(e-?[0-9]+)?");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), number); it != std::sregex_iterator(); ++it)
    v.push_back(std::stod(it->str()));
  return v;
}

// numpy.sum of a contiguous float32 array: float32 pairwise summation with
// eight accumulators over blocks of up to 128 elements (numpy's
// pairwise_sum), so results.json sums can be compared exactly when every
// element matches.
float NumpyFloat32Sum(const float* a, int64_t n) {
  if (n < 8) {
    float r = -0.0f;
    for (int64_t i = 0; i < n; ++i) r += a[i];
    return r;
  }
  if (n <= 128) {
    float r[8];
    for (int k = 0; k < 8; ++k) r[k] = a[k];
    int64_t i = 8;
    for (; i < n - (n % 8); i += 8)
      for (int k = 0; k < 8; ++k) r[k] += a[i + k];
    float res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) res += a[i];
    return res;
  }
  int64_t n2 = n / 2;
  n2 -= n2 % 8;
  return NumpyFloat32Sum(a, n2) + NumpyFloat32Sum(a + n2, n - n2);
}

void RunReferenceData(const std::string& id, const std::string& output, size_t results_offset,
                      double sum_tolerance) {
  tf::GraphDef gd;
  ASSERT_TRUE(io::ReadBinaryProto(FixturePath(id + "/expected_graph").string(), &gd).ok());
  auto g = graph::GraphFromGraphDef(gd);
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  std::vector<std::string> vars;
  for (const auto& n : gd.node())
    if (n.op() == "VariableV2") vars.push_back(n.name());
  auto saver = saver::Saver::Create(**g, {.var_list = vars});
  ASSERT_TRUE(saver.ok()) << saver.status().ToString();
  auto session = kernels::NewSession(**g);
  Status s = (*saver)->Restore(*session, FixturePath(id + "/model.ckpt").string());
  ASSERT_TRUE(s.ok()) << s.ToString();
  std::vector<Tensor> out;
  s = session->Run({}, {output}, {}, &out);
  ASSERT_TRUE(s.ok()) << s.ToString();
  std::vector<double> expected = ResultsJson(FixturePath(id + "/results.json").string());
  const Tensor& t = out[0];
  const size_t rank = static_cast<size_t>(t.shape().rank());
  ASSERT_GE(expected.size(), results_offset + rank + 3);
  for (size_t d = 0; d < rank; ++d)
    EXPECT_EQ(t.shape().dim(static_cast<int>(d)), expected[results_offset + d]);
  auto v = t.flat<float>();
  const double sum = NumpyFloat32Sum(v.data(), static_cast<int64_t>(v.size()));
  EXPECT_NEAR(v.front(), expected[results_offset + rank], 1e-5);
  EXPECT_NEAR(v.back(), expected[results_offset + rank + 1], 1e-5);
  EXPECT_NEAR(sum, expected[results_offset + rank + 2], sum_tolerance);
}

TEST(SaverFixtures, ReferenceDataDenseReproducesResultsJson) {
  TFPORT_REQUIRE_FIXTURE("tfmodels_refdata_dense/expected_graph");
  RunReferenceData("tfmodels_refdata_dense", "dense_1/BiasAdd:0", 0, 1e-9);
}

TEST(SaverFixtures, ReferenceDataBatchNormReproducesResultsJson) {
  TFPORT_REQUIRE_FIXTURE("tfmodels_refdata_batch_norm/expected_graph");
  // results.json holds input_tensor's [shape, first, last, sum] (7 numbers),
  // then the batch-norm output's; sums as numpy computes them in float32.
  RunReferenceData("tfmodels_refdata_batch_norm", "input_tensor:0", 0, 1e-9);
  // The normalized output sums to exactly 0 in real arithmetic (beta = 0).
  // TensorFlow's -0.0416 comes from float32 rounding in its batch mean (one
  // ulp of a 8192-element float sum shifts every output by ~1e-6); tfport
  // accumulates in double, so only first/last are compared tightly.
  RunReferenceData("tfmodels_refdata_batch_norm", "batch_normalization/FusedBatchNorm:0", 7, 0.05);
}

TEST(SaverFixtures, ContinueTrainingMnistThenSaveAndRestoreBitForBit) {
  // cppflow_v1_mnist_ckpt: a TF 1.15 training graph (float64 resource
  // variables, GradientDescent train op, cross-entropy "Mean" loss).
  TFPORT_REQUIRE_FIXTURE("cppflow_v1_mnist_ckpt/checkpoint/train.ckpt.meta");
  graph::Graph g;
  std::unique_ptr<runtime::Session> session;
  RestoreAndCompare(kMetaFixtures[1], g, &session);
  // A fixed batch of 8 "images" (smooth patterns in [0, 1]) and labels.
  const int64_t n = 8;
  Tensor x(DT_DOUBLE, Shape{n, 784}), y(DT_DOUBLE, Shape{n, 10});
  auto xs = x.flat<double>();
  auto ys = y.flat<double>();
  std::fill(ys.begin(), ys.end(), 0.0);
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t p = 0; p < 784; ++p)
      xs[static_cast<size_t>(i * 784 + p)] = ((p * (i + 3) + 17 * i) % 256) / 255.0;
    ys[static_cast<size_t>(i * 10 + (i * 3) % 10)] = 1.0;
  }
  const std::vector<std::pair<std::string, Tensor>> feeds = {{"input:0", x}, {"label:0", y}};
  // The graph's own learning rate (0.5) overshoots on this synthetic batch;
  // a smaller one is fed into the float constant each update Casts.
  std::vector<std::pair<std::string, Tensor>> train_feeds = feeds;
  train_feeds.emplace_back("GradientDescent/learning_rate:0", Tensor::Scalar<float>(0.02f));
  auto loss = [&] {
    std::vector<Tensor> out;
    Status s = session->Run(feeds, {"Mean:0"}, {}, &out);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return s.ok() ? out[0].scalar<double>() : 0.0;
  };
  const double before = loss();
  std::vector<Tensor> out;
  for (int step = 0; step < 5; ++step) {
    Status s = session->Run(train_feeds, {}, {"GradientDescent"}, &out);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  const double after = loss();
  EXPECT_LT(after, before) << "training did not reduce the loss";
  std::printf("[ train ] cross-entropy %.6f -> %.6f after 5 steps\n", before, after);

  // Save with the imported Saver; restore in a new graph from our .meta.
  TempDir dir;
  auto meta = saver::ReadMetaGraphFile(FixturePath(kMetaFixtures[1].meta).string());
  ASSERT_TRUE(meta.ok());
  auto saver = saver::Saver::FromSaverDef(g, meta->saver_def());
  ASSERT_TRUE(saver.ok());
  auto path = (*saver)->Save(*session, dir.Join("train.ckpt"), {.global_step = 5});
  ASSERT_TRUE(path.ok()) << path.status().ToString();
  const std::vector<std::string> reads = {
      "dense/kernel/Read/ReadVariableOp:0",   "dense/bias/Read/ReadVariableOp:0",
      "dense_1/kernel/Read/ReadVariableOp:0", "dense_1/bias/Read/ReadVariableOp:0",
      "dense_2/kernel/Read/ReadVariableOp:0", "dense_2/bias/Read/ReadVariableOp:0"};
  std::vector<Tensor> trained;
  ASSERT_TRUE(session->Run({}, reads, {}, &trained).ok());

  graph::Graph g2;
  auto saver2 = saver::ImportMetaGraph(g2, dir.Join("train.ckpt-5.meta"));
  ASSERT_TRUE(saver2.ok()) << saver2.status().ToString();
  auto session2 = kernels::NewSession(g2);
  ASSERT_TRUE((*saver2)->Restore(*session2, *path).ok());
  std::vector<Tensor> restored;
  ASSERT_TRUE(session2->Run({}, reads, {}, &restored).ok());
  for (size_t i = 0; i < reads.size(); ++i)
    EXPECT_TRUE(SameTensor(trained[i], restored[i])) << reads[i];
  // And the restored model gives the trained model's loss.
  ASSERT_TRUE(session2->Run(feeds, {"Mean:0"}, {}, &out).ok());
  EXPECT_EQ(out[0].scalar<double>(), after);
}

// ---------------------------------------------------------------- layout

// The save/restore nodes of `meta` under `scope`, keyed by name, in a form
// that compares op, inputs, device and attrs.
std::map<std::string, tf::NodeDef> SaverNodes(const tf::GraphDef& gd, const std::string& scope) {
  std::map<std::string, tf::NodeDef> out;
  for (const auto& n : gd.node())
    if (n.name().rfind(scope + "/", 0) == 0) out[n.name()] = n;
  return out;
}

void ExpectSameNodes(const std::map<std::string, tf::NodeDef>& ours,
                     const std::map<std::string, tf::NodeDef>& theirs) {
  std::vector<std::string> a, b;
  for (const auto& [k, v] : ours) a.push_back(k);
  for (const auto& [k, v] : theirs) b.push_back(k);
  ASSERT_EQ(a, b);
  static const std::regex temp_suffix("_temp_[0-9a-f]{32}/part");
  for (const auto& [name, mine] : ours) {
    tf::NodeDef x = mine, y = theirs.at(name);
    SCOPED_TRACE(name);
    EXPECT_EQ(x.op(), y.op());
    EXPECT_EQ(x.device(), y.device());
    EXPECT_EQ(std::vector<std::string>(x.input().begin(), x.input().end()),
              std::vector<std::string>(y.input().begin(), y.input().end()));
    // The sharded temp directory is a fresh uuid4 on every Saver.
    if (name.find("StringJoin/inputs_1") != std::string::npos) {
      const std::string v = x.attr().at("value").tensor().string_val(0);
      EXPECT_TRUE(std::regex_match(v, temp_suffix)) << v;
      x.mutable_attr()->erase("value");
      y.mutable_attr()->erase("value");
    }
    std::vector<std::string> xk, yk;
    for (const auto& [k, v] : x.attr()) xk.push_back(k);
    for (const auto& [k, v] : y.attr()) yk.push_back(k);
    std::sort(xk.begin(), xk.end());
    std::sort(yk.begin(), yk.end());
    ASSERT_EQ(xk, yk);
    for (const auto& k : xk) {
      tf::AttrValue xa = x.attr().at(k), ya = y.attr().at(k);
      // Python's tensor protos for a string vector may use either field
      // order; compare the decoded tensors instead of bytes.
      if (xa.has_tensor()) {
        auto xt = TensorFromProto(xa.tensor()), yt = TensorFromProto(ya.tensor());
        ASSERT_TRUE(xt.ok() && yt.ok());
        EXPECT_TRUE(SameTensor(*xt, *yt)) << k;
        continue;
      }
      EXPECT_EQ(xa.SerializeAsString(), ya.SerializeAsString())
          << k << ": ours " << xa.ShortDebugString() << " theirs " << ya.ShortDebugString();
    }
  }
}

TEST(SaverLayout, ResourceVariablesMatchTensorFlow115Fixture) {
  // cppflow_v1_mnist_ckpt: a TF 1.15 Saver over six float64 resource
  // variables. Build the same variables with tfport, add a Saver, compare.
  TFPORT_REQUIRE_FIXTURE("cppflow_v1_mnist_ckpt/checkpoint/train.ckpt.meta");
  auto theirs = saver::ReadMetaGraphFile(
      FixturePath("cppflow_v1_mnist_ckpt/checkpoint/train.ckpt.meta").string());
  ASSERT_TRUE(theirs.ok());
  graph::Graph g;
  const std::pair<const char*, Shape> vars[] = {
      {"dense/kernel", Shape{784, 128}}, {"dense/bias", Shape{128}},
      {"dense_1/kernel", Shape{128, 128}}, {"dense_1/bias", Shape{128}},
      {"dense_2/kernel", Shape{128, 10}}, {"dense_2/bias", Shape{10}}};
  for (const auto& [name, shape] : vars) {
    auto zeros = Tensor::Allocate(DT_DOUBLE, shape);
    ASSERT_TRUE(zeros.ok());
    ops::Variable(g, *zeros, name, {.resource = true});
  }
  ASSERT_TRUE(g.status().ok()) << g.status().ToString();
  auto saver = saver::Saver::Create(g);
  ASSERT_TRUE(saver.ok()) << saver.status().ToString();
  auto ours = (*saver)->ExportMetaGraph();
  ASSERT_TRUE(ours.ok());
  ExpectSameNodes(SaverNodes(ours->graph_def(), "save"), SaverNodes(theirs->graph_def(), "save"));
  EXPECT_EQ(ours->saver_def().SerializeAsString(), theirs->saver_def().SerializeAsString());

  // Restore their checkpoint through our subgraph, save it again: the
  // .index and .data files are TensorFlow's bytes.
  TempDir dir;
  auto session = kernels::NewSession(g);
  const std::string ckpt = FixturePath("cppflow_v1_mnist_ckpt/checkpoint/train.ckpt").string();
  ASSERT_TRUE((*saver)->Restore(*session, ckpt).ok());
  auto path = (*saver)->Save(*session, dir.Join("train.ckpt"));
  ASSERT_TRUE(path.ok()) << path.status().ToString();
  EXPECT_TRUE(ReadAll(dir.Join("train.ckpt.index")) == ReadAll(ckpt + ".index"));
  EXPECT_TRUE(ReadAll(dir.Join("train.ckpt.data-00000-of-00001")) ==
              ReadAll(ckpt + ".data-00000-of-00001"));
}

TEST(SaverLayout, RefVariablesPlainAndShardedMatchTensorFlow111SavedModel) {
  // tfonnx_regression_saved_model (TF 1.11): scalar float VariableV2 W and b,
  // a plain Saver (save/) from the training script and the sharded Saver
  // SavedModelBuilder adds (save_1/), both in the TF <= 1.11 layout.
  TFPORT_REQUIRE_FIXTURE("tfonnx_regression_saved_model/saved_model.pb");
  tf::SavedModel sm;
  ASSERT_TRUE(io::ReadBinaryProto(FixturePath("tfonnx_regression_saved_model/saved_model.pb").string(), &sm).ok());
  const tf::MetaGraphDef& theirs = sm.meta_graphs(0);
  graph::Graph g;
  ops::Variable(g, Tensor::Scalar<float>(0.0f), "W");
  ops::Variable(g, Tensor::Scalar<float>(0.0f), "b");
  auto plain = saver::Saver::Create(g, {.tf1_11_layout = true});
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  auto sharded = saver::Saver::Create(g, {.sharded = true, .tf1_11_layout = true});
  ASSERT_TRUE(sharded.ok()) << sharded.status().ToString();
  auto ours = (*sharded)->ExportMetaGraph();
  ASSERT_TRUE(ours.ok());
  ExpectSameNodes(SaverNodes(ours->graph_def(), "save"), SaverNodes(theirs.graph_def(), "save"));
  ExpectSameNodes(SaverNodes(ours->graph_def(), "save_1"), SaverNodes(theirs.graph_def(), "save_1"));
  EXPECT_EQ(ours->saver_def().SerializeAsString(), theirs.saver_def().SerializeAsString());
  for (const char* key : {"variables", "trainable_variables"}) {
    EXPECT_TRUE(ours->collection_def().count(key)) << key;
    EXPECT_TRUE(theirs.collection_def().count(key)) << key;
  }
  // Their variables collection lists W and b with the same VariableDefs.
  EXPECT_EQ(ours->collection_def().at("variables").SerializeAsString(),
            theirs.collection_def().at("variables").SerializeAsString());

  // Same .index keys, dtypes, shapes and layout: save W=b=value from the
  // fixture's checkpoint and compare the bundle bytes.
  TempDir dir;
  auto session = kernels::NewSession(g);
  const std::string ckpt = FixturePath("tfonnx_regression_saved_model/variables/variables").string();
  ASSERT_TRUE((*sharded)->Restore(*session, ckpt).ok());
  auto path = (*sharded)->Save(*session, dir.Join("variables/variables"), {.write_state = false});
  ASSERT_TRUE(path.ok()) << path.status().ToString();
  EXPECT_TRUE(ReadAll(dir.Join("variables/variables.index")) == ReadAll(ckpt + ".index"));
  EXPECT_TRUE(ReadAll(dir.Join("variables/variables.data-00000-of-00001")) ==
              ReadAll(ckpt + ".data-00000-of-00001"));
}

}  // namespace
}  // namespace tfport
