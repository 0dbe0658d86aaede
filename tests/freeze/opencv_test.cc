// OpenCV interop (issue #5 acceptance), with the real OpenCV: Debian's
// python3-opencv runs our frozen .pb files through
// cv2.dnn.readNetFromTensorflow (tests/freeze/opencv_run.py) and its outputs
// must equal tfport's to 1e-4. OpenCV is the independent implementation
// here; scripts/install-deps.sh installs it.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <cstdlib>
#include <random>

#include "support/fixtures.h"
#include "support/temp_dir.h"
#include "tfport/freeze/freeze_graph.h"
#include "tfport/io/proto_io.h"
#include "tfport/freeze/graph_util.h"
#include "tfport/freeze/transforms.h"
#include "tfport/graph/array_ops.h"
#include "tfport/graph/import.h"
#include "tfport/io/file.h"
#include "tfport/graph/math_ops.h"
#include "tfport/graph/nn_ops.h"
#include "tfport/graph/ops.h"
#include "tfport/io/npy.h"
#include "tfport/kernels/kernels.h"

namespace tfport {
namespace {

using testing::FixturePath;

Tensor Random(Shape shape, std::mt19937& rng, float lo, float hi) {
  Tensor t(DT_FLOAT, std::move(shape));
  std::uniform_real_distribution<float> d(lo, hi);
  for (float& v : t.flat<float>()) v = d(rng);
  return t;
}

// Runs opencv_run.py on `pb` in `dir` (input "-" when `named` sets the
// inputs by layer name); returns its exit code (0 ok, 3 import failed).
int RunOpenCVScript(const testing::TempDir& dir, const std::string& pb, const std::string& input,
                    const std::string& layer, const std::string& named, Tensor* output, std::string* err) {
  std::string cmd = std::string("/usr/bin/python3 '") + TFPORT_SOURCE_DIR + "/tests/freeze/opencv_run.py' '" + pb +
                    "' '" + input + "' '" + dir.Join("out.npy") + "' '" + layer + "'" + named + " 2>'" +
                    dir.Join("err.txt") + "'";
  int rc = std::system(cmd.c_str());
  int code = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  if (code == 0) {
    auto out = io::ReadNpy(dir.Join("out.npy"));
    EXPECT_TRUE(out.ok());
    if (out.ok()) *output = *out;
  }
  auto e = io::ReadFileToString(dir.Join("err.txt"));
  if (e.ok()) *err = *e;
  return code;
}

// Runs `pb` with OpenCV on one input (its only input layer).
int RunOpenCV(const std::string& pb, const Tensor& input, Tensor* output, std::string* err,
              const std::string& layer = "") {
  testing::TempDir dir;
  EXPECT_TRUE(io::WriteNpy(dir.Join("in.npy"), input).ok());
  return RunOpenCVScript(dir, pb, dir.Join("in.npy"), layer, "", output, err);
}

// Runs `pb` with OpenCV on inputs set by layer name, fetching `layer`.
int RunOpenCVNamed(const std::string& pb, const std::vector<std::pair<std::string, Tensor>>& inputs,
                   const std::string& layer, Tensor* output, std::string* err) {
  testing::TempDir dir;
  std::string named;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const std::string path = dir.Join("in" + std::to_string(i) + ".npy");
    EXPECT_TRUE(io::WriteNpy(path, inputs[i].second).ok());
    named += " '" + inputs[i].first + "=" + path + "'";
  }
  return RunOpenCVScript(dir, pb, "-", layer, named, output, err);
}

Tensor RunTfport(const tf::GraphDef& gd, const std::string& input, const Tensor& value,
                 const std::string& output,
                 std::vector<std::pair<std::string, Tensor>> extra_feeds = {}) {
  auto g = graph::GraphFromGraphDef(gd);
  EXPECT_TRUE(g.ok()) << g.status().ToString();
  if (!g.ok()) return {};
  auto s = kernels::NewSession(**g);
  std::vector<Tensor> out;
  extra_feeds.emplace_back(input, value);
  Status st = s->Run(extra_feeds, {output}, {}, &out);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return st.ok() ? out[0] : Tensor();
}

void ExpectClose(const Tensor& opencv, const Tensor& ours, double tol = 1e-4) {
  ASSERT_EQ(opencv.num_elements(), ours.num_elements());
  auto a = opencv.flat<float>();
  auto b = ours.flat<float>();
  double worst = 0;
  for (size_t i = 0; i < a.size(); ++i)
    worst = std::max(worst, std::abs(double(a[i]) - b[i]) / (1.0 + std::abs(double(b[i]))));
  EXPECT_LE(worst, tol);
  std::printf("[ opencv ] %lld values, max relative difference %.2e\n",
              static_cast<long long>(a.size()), worst);
}

TEST(OpenCvInterop, CnnBuiltWithTfportFrozenAndOptimized) {
  std::mt19937 rng(5);
  graph::Graph g;
  auto var = [&](const char* name, Shape s, float lo, float hi) {
    return ops::Variable(g, Random(std::move(s), rng, lo, hi), name).value;
  };
  auto x = ops::Placeholder(g, DT_FLOAT, Shape{-1, 32, 32, 3}, "input");
  auto conv = ops::Conv2D(g, x, var("conv1/weights", Shape{3, 3, 3, 8}, -0.5f, 0.5f), {1, 1, 1, 1}, "SAME");
  conv = ops::BiasAdd(g, conv, var("conv1/biases", Shape{8}, -0.1f, 0.1f));
  auto bn = ops::FusedBatchNorm(g, conv, var("bn1/gamma", Shape{8}, 0.5f, 1.5f),
                                var("bn1/beta", Shape{8}, -0.2f, 0.2f),
                                var("bn1/moving_mean", Shape{8}, -0.3f, 0.3f),
                                var("bn1/moving_variance", Shape{8}, 0.5f, 2.0f), "bn1",
                                {.epsilon = 0.001f, .is_training = false});
  auto h = ops::Relu(g, bn.y);
  h = ops::MaxPool(g, h, {1, 2, 2, 1}, {1, 2, 2, 1}, "VALID");                 // 16x16x8
  h = ops::DepthwiseConv2dNative(g, h, var("dw/weights", Shape{3, 3, 8, 1}, -0.5f, 0.5f),
                                 {1, 1, 1, 1}, "SAME");
  h = ops::Relu(g, h);
  h = ops::AvgPool(g, h, {1, 2, 2, 1}, {1, 2, 2, 1}, "VALID");                 // 8x8x8
  h = ops::Reshape(g, h, ops::Const(g, Tensor::FromVector<int32_t>({-1, 512}, Shape{2})));
  h = ops::MatMul(g, h, var("fc/weights", Shape{512, 10}, -0.2f, 0.2f));
  h = ops::BiasAdd(g, h, var("fc/biases", Shape{10}, -0.1f, 0.1f));
  ops::Softmax(g, h, "prob");
  graph::Node* init = ops::GlobalVariablesInitializer(g);
  ASSERT_TRUE(g.status().ok()) << g.status().ToString();
  auto session = kernels::NewSession(g);
  std::vector<Tensor> out;
  ASSERT_TRUE(session->Run({}, {}, {init->name()}, &out).ok());
  Tensor input = Random(Shape{1, 32, 32, 3}, rng, 0.0f, 1.0f);
  ASSERT_TRUE(session->Run({{"input:0", input}}, {"prob:0"}, {}, &out).ok());
  const Tensor unfrozen = out[0];

  auto frozen = freeze::ConvertVariablesToConstants(*session, g.ToGraphDef(), {"prob"});
  ASSERT_TRUE(frozen.ok()) << frozen.status().ToString();
  EXPECT_EQ(frozen->converted, 9);
  auto optimized = freeze::OptimizeForInference(frozen->graph_def, {"input"}, {"prob"});
  ASSERT_TRUE(optimized.ok()) << optimized.status().ToString();
  for (const auto& n : optimized->node()) EXPECT_NE(n.op(), "FusedBatchNorm") << n.name();
  testing::TempDir dir;
  auto pb = freeze::WriteGraph(*optimized, dir.path().string(), "cnn.pb");
  ASSERT_TRUE(pb.ok());
  Tensor ours = RunTfport(*optimized, "input:0", input, "prob:0");
  ExpectClose(ours, unfrozen, 1e-5);  // optimizing keeps the outputs

  Tensor theirs;
  std::string err;
  ASSERT_EQ(RunOpenCV(*pb, input, &theirs, &err), 0) << err;
  ExpectClose(theirs, ours);
  // The plain frozen graph (BatchNorm not folded) loads in OpenCV as well.
  auto plain = freeze::WriteGraph(frozen->graph_def, dir.path().string(), "plain.pb");
  ASSERT_TRUE(plain.ok());
  ASSERT_EQ(RunOpenCV(*plain, input, &theirs, &err), 0) << err;
  ExpectClose(theirs, ours);
}

struct FixtureCase {
  const char* pb;
  const char* input;
  Shape shape;
  const char* output;
  bool needs_optimize;  // OpenCV rejects the file as TensorFlow wrote it
};

TEST(OpenCvInterop, FrozenTf2KerasModels) {
  // TF2 SavedModels frozen by tfport (function calls inlined, variables as
  // constants, --optimize): OpenCV imports them and agrees with tfport.
  struct Case {
    const char* dir;
    Tensor input;
  };
  std::vector<float> ramp(784);
  for (size_t i = 0; i < ramp.size(); ++i) ramp[i] = static_cast<float>(i % 17) / 16.0f;
  const Case cases[] = {
      {"cppflow_load_model", Tensor::FromVector<float>(std::vector<float>(5, 1.0f), Shape{1, 5})},
      {"tfnet_keras_simple_model_from_auto_compile", Tensor::FromVector<float>(ramp, Shape{1, 28, 28, 1})},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.dir);
    if (!std::filesystem::exists(FixturePath(c.dir))) GTEST_SKIP() << c.dir << " missing";
    freeze::FreezeGraphOptions o;
    o.saved_model_dir = FixturePath(c.dir).string();
    o.optimize = true;
    auto frozen = freeze::FreezeGraph(o);
    ASSERT_TRUE(frozen.ok()) << frozen.status().ToString();
    testing::TempDir dir;
    ASSERT_TRUE(io::WriteBinaryProto(dir.Join("frozen.pb"), frozen->graph_def).ok());
    Tensor ours = RunTfport(frozen->graph_def, "serving_default_input_1:0", c.input,
                            frozen->output_node_names[0] + ":0");
    Tensor theirs;
    std::string err;
    ASSERT_EQ(RunOpenCV(dir.Join("frozen.pb"), c.input, &theirs, &err), 0) << err;
    ExpectClose(theirs, ours);
  }
}

TEST(OpenCvInterop, AFrozenTf2ModelWithTwoInputsAndTwoOutputs) {
  // Two towers behind one call: the call's two results become two Identity
  // nodes (no IdentityN, which OpenCV cannot import).
  const char* d = "cppflow_multi_input_output";
  TFPORT_REQUIRE_FIXTURE(d);
  freeze::FreezeGraphOptions o;
  o.saved_model_dir = FixturePath(d).string();
  o.optimize = true;
  auto frozen = freeze::FreezeGraph(o);
  ASSERT_TRUE(frozen.ok()) << frozen.status().ToString();
  for (const auto& n : frozen->graph_def.node()) EXPECT_NE(n.op(), "IdentityN") << n.name();
  ASSERT_EQ(frozen->outputs.size(), 2u);
  testing::TempDir dir;
  ASSERT_TRUE(io::WriteBinaryProto(dir.Join("frozen.pb"), frozen->graph_def).ok());
  std::mt19937 rng(5);
  const std::vector<std::pair<std::string, Tensor>> inputs = {
      {"serving_default_my_input_1", Random(Shape{1, 5}, rng, -1.0f, 1.0f)},
      {"serving_default_my_input_2", Random(Shape{1, 5}, rng, -1.0f, 1.0f)}};
  for (const auto& out : frozen->outputs) {
    SCOPED_TRACE(out.tensor);
    auto g = graph::GraphFromGraphDef(frozen->graph_def);
    ASSERT_TRUE(g.ok());
    auto ours = kernels::NewSession(**g)->Run({{inputs[0].first + ":0", inputs[0].second},
                                               {inputs[1].first + ":0", inputs[1].second}},
                                              {out.tensor});
    ASSERT_TRUE(ours.ok()) << ours.status().ToString();
    // OpenCV drops Identity layers; its layer is the op the Identity reads.
    std::string layer = graph::NodeNameOf(out.tensor);
    for (bool again = true; again;) {
      again = false;
      for (const auto& n : frozen->graph_def.node())
        if (n.name() == layer && n.op() == "Identity") {
          layer = graph::NodeNameOf(n.input(0));
          again = true;
        }
    }
    Tensor theirs;
    std::string err;
    ASSERT_EQ(RunOpenCVNamed(dir.Join("frozen.pb"), inputs, layer, &theirs, &err), 0) << err;
    ExpectClose(theirs, (*ours)[0]);
  }
}

TEST(OpenCvInterop, FrozenFixtures) {
  const FixtureCase cases[] = {
      {"ryanmolina_neural_encryption/frozen_model.pb", "X_input:0", Shape{2, 8}, "Output:0", false},
      {"cppflow_load_frozen_graph/model.pb", "x:0", Shape{3, 5}, "Identity:0", false},
      // OpenCV: "Input layer not found: Reshape/shape" (inputs written as
      // "name:0"); tfport freeze --optimize makes it importable.
      {"utensor_deep_cnn_cifar10/cifar10_cnn.pb", "Placeholder:0", Shape{1, 32, 32, 3},
       "fully_connect_2/logits:0", true},
  };
  std::mt19937 rng(11);
  for (const FixtureCase& c : cases) {
    SCOPED_TRACE(c.pb);
    if (!std::filesystem::exists(FixturePath(c.pb))) GTEST_SKIP() << c.pb << " missing";
    auto gd = freeze::ReadGraph(FixturePath(c.pb).string());
    ASSERT_TRUE(gd.ok());
    Tensor input = Random(c.shape, rng, 0.0f, 1.0f);
    Tensor ours = RunTfport(*gd, c.input, input, c.output);
    Tensor theirs;
    std::string err;
    int code = RunOpenCV(FixturePath(c.pb).string(), input, &theirs, &err);
    if (c.needs_optimize) {
      EXPECT_EQ(code, 3) << "OpenCV now imports " << c.pb << " as is";
      std::string in_node = c.input, out_node = c.output;
      in_node = in_node.substr(0, in_node.find(':'));
      out_node = out_node.substr(0, out_node.find(':'));
      auto optimized = freeze::OptimizeForInference(*gd, {in_node}, {out_node});
      ASSERT_TRUE(optimized.ok()) << optimized.status().ToString();
      ExpectClose(RunTfport(*optimized, c.input, input, c.output), ours, 1e-5);
      testing::TempDir dir;
      auto pb = freeze::WriteGraph(*optimized, dir.path().string(), "opt.pb");
      ASSERT_TRUE(pb.ok());
      code = RunOpenCV(*pb, input, &theirs, &err);
    }
    ASSERT_EQ(code, 0) << err;
    ExpectClose(theirs, ours);
  }
}

TEST(OpenCvInterop, JonykaiCaptchaCnnWithCondBatchNorm) {
  // jonykai_java_frozen: conv + batch norm inside tf.cond(is_train) + dropout
  // conds, eight dense heads. OpenCV imports it as is (it keeps the
  // inference branches); tfport runs it with is_train = false.
  const char* pb = "jonykai_java_frozen/frozen_model.pb";
  TFPORT_REQUIRE_FIXTURE(pb);
  auto gd = freeze::ReadGraph(FixturePath(pb).string());
  ASSERT_TRUE(gd.ok());
  std::mt19937 rng(3);
  Tensor input = Random(Shape{1, 40, 120, 1}, rng, 0.0f, 1.0f);
  Tensor ours = RunTfport(*gd, "input_holder:0", input, "forward_net/transpose:0",
                          {{"is_train:0", Tensor::Scalar<bool>(false)},
                           {"dropout:0", Tensor::Scalar<float>(1.0f)}});
  Tensor theirs;
  std::string err;
  ASSERT_EQ(RunOpenCV(FixturePath(pb).string(), input, &theirs, &err, "forward_net/transpose"), 0)
      << err;
  ExpectClose(theirs, ours);
}

}  // namespace
}  // namespace tfport
