// TF2 / Keras SavedModels (function libraries, StatefulPartitionedCall,
// object-graph checkpoints) loaded and run through their signatures.
// Expected values come from the fixture catalogue (documented results and
// stored variable values) or are computed in the test by hand from the
// weights in the model's own checkpoint (read with the checkpoint reader,
// not through the graph): Dense layers, and an LSTM written out in the test
// from Keras' documented equations (gates i, f, c, o; tanh / sigmoid).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <iterator>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "support/fixtures.h"
#include "support/saved_model_copy.h"
#include "support/temp_dir.h"
#include "tfport/io/proto_io.h"
#include "support/status_matchers.h"
#include "support/tf_example.h"
#include "tfport/io/bundle.h"
#include "tfport/io/checkpoint_reader.h"
#include "tfport/saved_model/loader.h"
#include "tfport/tf/example.pb.h"

namespace tfport {
namespace {

using ::testing::ElementsAre;
using ::testing::FloatNear;
using ::testing::HasSubstr;
using testing::FixturePath;
using testing::StatusIs;

std::unique_ptr<saved_model::SavedModelBundle> LoadOrDie(const std::string& dir) {
  auto b = saved_model::Load({}, {"serve"}, FixturePath(dir).string());
  EXPECT_TRUE(b.ok()) << b.status().ToString();
  return b.ok() ? std::move(*b) : nullptr;
}

// A checkpoint tensor of the model's own variables/ (object-graph keys).
std::vector<float> Weights(const std::string& dir, const std::string& object_path) {
  auto r = io::CheckpointReader::Open(FixturePath(dir + "/variables/variables").string());
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (!r.ok()) return {};
  auto t = (*r)->GetTensor(object_path + "/.ATTRIBUTES/VARIABLE_VALUE");
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  if (!t.ok()) return {};
  auto f = t->flat<float>();
  return {f.begin(), f.end()};
}

// y = act(x W + b) for one row; W is [in, out] row-major.
std::vector<float> Dense(const std::vector<float>& x, const std::vector<float>& w,
                         const std::vector<float>& b, float (*act)(float)) {
  const size_t out = b.size(), in = x.size();
  std::vector<float> y(out);
  for (size_t j = 0; j < out; ++j) {
    double s = b[j];
    for (size_t i = 0; i < in; ++i) s += double(x[i]) * w[i * out + j];
    y[j] = act(static_cast<float>(s));
  }
  return y;
}
float Relu(float v) { return v > 0 ? v : 0; }
float Sigmoid(float v) { return 1.0f / (1.0f + std::exp(-v)); }
float Linear(float v) { return v; }

using testing::FloatExamples;

TEST(Tf2SavedModel, HalfPlusTwoEverySignature) {
  const std::string dir = "serving_saved_model_half_plus_two_tf2_cpu/00000123";
  TFPORT_REQUIRE_FIXTURE(dir);
  auto b = LoadOrDie(dir);
  ASSERT_NE(b, nullptr);
  EXPECT_TRUE(b->variables_restored());
  // a = 0.5, b = 2, c = 3 (catalogue; saved_model_half_plus_two.py).
  auto out = b->Run("serving_default", {{"x", Tensor::FromVector<float>({4}, Shape{1})}});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_THAT(out->at("y").flat<float>(), ElementsAre(4.0f));  // 0.5*4 + 2
  out = b->Run("regress_x_to_y", {{"inputs", FloatExamples("x", {1, 6})}});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_THAT(out->at("outputs").flat<float>(), ElementsAre(2.5f, 5.0f));  // a*x + b
  out = b->Run("regress_x_to_y2", {{"inputs", FloatExamples("x", {1, 6})}});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_THAT(out->at("outputs").flat<float>(), ElementsAre(3.5f, 6.0f));  // a*x + c
  // The x2 signatures take the float itself, not a tf.Example.
  out = b->Run("regress_x2_to_y3", {{"inputs", Tensor::FromVector<float>({2}, Shape{1})}});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_THAT(out->at("outputs").flat<float>(), ElementsAre(4.0f));  // a*x2 + c
  out = b->Run("classify_x_to_y", {{"inputs", FloatExamples("x", {0})}});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_THAT(out->at("scores").flat<float>(), ElementsAre(2.0f));
  // The object graph's concrete functions are listed and callable: the
  // predict function captures a and b.
  std::vector<std::string> fns = b->ConcreteFunctions();
  EXPECT_THAT(fns, ::testing::Contains("__inference_predict_235"));
  auto r = b->CallFunction("__inference_predict_235", {Tensor::FromVector<float>({10}, Shape{1})});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_THAT((*r)[0].flat<float>(), ElementsAre(7.0f));  // 0.5*10 + 2
  EXPECT_THAT(b->CallFunction("no_such_fn", {}).status(), StatusIs(Code::kNotFound, "no_such_fn"));
}

TEST(Tf2SavedModel, TfjsNodeModels) {
  for (const char* d : {"tfjs_node_times_three_float", "tfjs_node_uint8_multiply",
                        "tfjs_node_model_multi_output"})
    TFPORT_REQUIRE_FIXTURE(d);
  auto three = LoadOrDie("tfjs_node_times_three_float");
  ASSERT_NE(three, nullptr);
  // Scalar signature input; the C API does not check fed shapes, but our
  // signature path is Python's, so feed the declared scalar.
  auto out = three->Run("serving_default", {{"x", Tensor::Scalar<float>(2)}});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->at("output_0").scalar<float>(), 6.0f);  // v = 3

  auto u8 = LoadOrDie("tfjs_node_uint8_multiply");
  ASSERT_NE(u8, nullptr);
  out = u8->Run("serving_default", {{"x", Tensor::FromVector<uint8_t>({3}, Shape{1})}});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->at("output_0").dtype(), DT_INT32);
  EXPECT_THAT(out->at("output_0").flat<int32_t>(), ElementsAre(18));  // 3 * 3 * 2

  auto multi = LoadOrDie("tfjs_node_model_multi_output");
  ASSERT_NE(multi, nullptr);
  std::vector<int32_t> x = {1, 2, 3};
  std::vector<int32_t> got0, got1;
  for (int32_t v : x) {
    out = multi->Run("serving_default", {{"x", Tensor::Scalar<int32_t>(v)}, {"y", Tensor::Scalar<int32_t>(v)}});
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    got0.push_back(out->at("output_0").scalar<int32_t>());
    got1.push_back(out->at("output_1").scalar<int32_t>());
  }
  EXPECT_THAT(got0, ElementsAre(2, 4, 6));  // catalogue: x=[1,2,3] -> [2,4,6]
  EXPECT_THAT(got1, ElementsAre(1, 2, 3));
}

TEST(Tf2SavedModel, CppflowKerasModelsMatchHandComputation) {
  const std::string one = "cppflow_load_model", two = "cppflow_multi_input_output";
  TFPORT_REQUIRE_FIXTURE(one);
  TFPORT_REQUIRE_FIXTURE(two);
  // load_model: Dense(5, relu) -> Dense(1, sigmoid); main.cpp feeds ones.
  auto b = LoadOrDie(one);
  ASSERT_NE(b, nullptr);
  std::vector<float> x(5, 1.0f);
  auto out = b->Run("serving_default", {{"input_1", Tensor::FromVector<float>(x, Shape{1, 5})}});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  auto h = Dense(x, Weights(one, "layer_with_weights-0/kernel"), Weights(one, "layer_with_weights-0/bias"), Relu);
  auto y = Dense(h, Weights(one, "layer_with_weights-1/kernel"), Weights(one, "layer_with_weights-1/bias"), Sigmoid);
  EXPECT_THAT(out->at("dense_1").flat<float>(), ElementsAre(FloatNear(y[0], 1e-6)));

  // multi_input_output: two Dense(5, relu) -> Dense(1, sigmoid) towers;
  // main.cpp feeds ones and -ones.
  auto m = LoadOrDie(two);
  ASSERT_NE(m, nullptr);
  std::vector<float> x1(5, 1.0f), x2(5, -1.0f);
  out = m->Run("serving_default", {{"my_input_1", Tensor::FromVector<float>(x1, Shape{1, 5})},
                                   {"my_input_2", Tensor::FromVector<float>(x2, Shape{1, 5})}});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  auto w = [&](int layer, const char* what) {
    return Weights(two, "layer_with_weights-" + std::to_string(layer) + "/" + what);
  };
  auto y1 = Dense(Dense(x1, w(0, "kernel"), w(0, "bias"), Relu), w(2, "kernel"), w(2, "bias"), Sigmoid);
  auto y2 = Dense(Dense(x2, w(1, "kernel"), w(1, "bias"), Relu), w(3, "kernel"), w(3, "bias"), Sigmoid);
  EXPECT_THAT(out->at("my_outputs_1").flat<float>(), ElementsAre(FloatNear(y1[0], 1e-6)));
  EXPECT_THAT(out->at("my_outputs_2").flat<float>(), ElementsAre(FloatNear(y2[0], 1e-6)));
}

TEST(Tf2SavedModel, RustRegressionReadsAndTrains) {
  const std::string dir = "rust_regression_savedmodel";
  TFPORT_REQUIRE_FIXTURE(dir);
  auto b = LoadOrDie(dir);
  ASSERT_NE(b, nullptr);
  auto w = b->Run("w", {});
  auto bias = b->Run("b", {});
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  ASSERT_TRUE(bias.ok()) << bias.status().ToString();
  // Catalogue: stored w = 0.20429754, b = 0.
  const float w0 = w->at("output").flat<float>()[0];
  EXPECT_FLOAT_EQ(w0, 0.20429754f);
  EXPECT_EQ(bias->at("output").flat<float>()[0], 0.0f);
  // train(x, y): loss = mean((w x + b - y)^2), then SGD(0.5) updates w and b.
  std::vector<float> x = {1, 2}, y = {3, 5};
  auto loss = b->Run("train", {{"x", Tensor::FromVector<float>(x, Shape{2})},
                               {"y", Tensor::FromVector<float>(y, Shape{2})}});
  ASSERT_TRUE(loss.ok()) << loss.status().ToString();
  double l = 0, dw = 0, db = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    double e = w0 * x[i] - y[i];
    l += e * e / 2;
    dw += 2 * e * x[i] / 2;
    db += 2 * e / 2;
  }
  EXPECT_NEAR(loss->at("loss").scalar<float>(), l, 1e-5 * l);
  w = b->Run("w", {});
  bias = b->Run("b", {});
  ASSERT_TRUE(w.ok() && bias.ok());
  EXPECT_NEAR(w->at("output").flat<float>()[0], w0 - 0.5 * dw, 1e-5);
  EXPECT_NEAR(bias->at("output").flat<float>()[0], -0.5 * db, 1e-5);
}

TEST(Tf2SavedModel, TfNetKerasDenseModel) {
  const std::string dir = "tfnet_keras_simple_model_from_auto_compile";
  TFPORT_REQUIRE_FIXTURE(dir);
  auto b = LoadOrDie(dir);
  ASSERT_NE(b, nullptr);
  // Flatten -> Dense(100, relu) -> Dense(10) -> Softmax over an input ramp.
  std::vector<float> x(784);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i % 17) / 16.0f;
  auto out = b->Run("serving_default", {{"input_1", Tensor::FromVector<float>(x, Shape{1, 28, 28, 1})}});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  auto h = Dense(x, Weights(dir, "layer_with_weights-0/kernel"), Weights(dir, "layer_with_weights-0/bias"), Relu);
  auto z = Dense(h, Weights(dir, "layer_with_weights-1/kernel"), Weights(dir, "layer_with_weights-1/bias"), Linear);
  double mx = *std::max_element(z.begin(), z.end()), sum = 0;
  for (float v : z) sum += std::exp(v - mx);
  auto got = out->at("softmax").flat<float>();
  ASSERT_EQ(got.size(), 10u);
  for (size_t j = 0; j < 10; ++j) EXPECT_NEAR(got[j], std::exp(z[j] - mx) / sum, 1e-5) << j;
}

TEST(Tf2SavedModel, KerasLstmMatchesReferenceLstm) {
  const std::string dir = "tfnet_keras_lstm_from_sequential";
  TFPORT_REQUIRE_FIXTURE(dir);
  auto b = LoadOrDie(dir);
  ASSERT_NE(b, nullptr);
  // LSTM(32) over 5 steps of 3 features, then Dense(1, sigmoid)
  // (keras_metadata.pb). Keras packs the gates as [i, f, c, o].
  const std::vector<float> W = Weights(dir, "variables/0");  // [3, 128]
  const std::vector<float> U = Weights(dir, "variables/1");  // [32, 128]
  const std::vector<float> B = Weights(dir, "variables/2");  // [128]
  const std::vector<float> Wd = Weights(dir, "layer_with_weights-1/kernel");
  const std::vector<float> Bd = Weights(dir, "layer_with_weights-1/bias");
  ASSERT_EQ(W.size(), 3u * 128);
  ASSERT_EQ(U.size(), 32u * 128);
  const int T = 5, F = 3, H = 32, N = 2;
  std::vector<float> input(N * T * F);
  for (size_t i = 0; i < input.size(); ++i) input[i] = std::sin(0.7f * static_cast<float>(i)) * 1.5f;
  auto out = b->Run("serving_default", {{"input_1", Tensor::FromVector<float>(input, Shape{N, T, F})}});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  auto got = out->at("dense").flat<float>();
  ASSERT_EQ(got.size(), static_cast<size_t>(N));
  for (int n = 0; n < N; ++n) {
    std::vector<double> h(H, 0), c(H, 0);
    for (int t = 0; t < T; ++t) {
      std::vector<double> z(4 * H);
      for (int j = 0; j < 4 * H; ++j) {
        double s = B[j];
        for (int f = 0; f < F; ++f) s += input[(n * T + t) * F + f] * double(W[f * 4 * H + j]);
        for (int k = 0; k < H; ++k) s += h[k] * U[k * 4 * H + j];
        z[j] = s;
      }
      auto sig = [](double v) { return 1 / (1 + std::exp(-v)); };
      for (int k = 0; k < H; ++k) {
        double i = sig(z[k]), fg = sig(z[H + k]), g = std::tanh(z[2 * H + k]), o = sig(z[3 * H + k]);
        c[k] = fg * c[k] + i * g;
        h[k] = o * std::tanh(c[k]);
      }
    }
    double s = Bd[0];
    for (int k = 0; k < H; ++k) s += h[k] * Wd[k];
    EXPECT_NEAR(got[n], 1 / (1 + std::exp(-s)), 1e-5) << "batch row " << n;
  }
}

using testing::EditedSavedModelCopy;

TEST(Tf2SavedModel, UnknownOpsInFunctionsFailAtLoadWithTheirFunctions) {
  const std::string fixture = "serving_saved_model_half_plus_two_tf2_cpu/00000123";
  TFPORT_REQUIRE_FIXTURE(fixture);
  testing::TempDir tmp;
  // Two ops no one implements, in the predict function and the restore
  // function (which runs during Load).
  const std::string dir = EditedSavedModelCopy(tmp, fixture, [](tf::MetaGraphDef* m) {
    for (auto& f : *m->mutable_graph_def()->mutable_library()->mutable_function()) {
      for (auto& n : *f.mutable_node_def()) {
        if (f.signature().name() == "__inference_predict_235" && n.op() == "Mul") n.set_op("FancyMul");
        if (f.signature().name().starts_with("__inference__traced_restore") && n.op() == "RestoreV2")
          n.set_op("RestoreV9");
      }
    }
  });
  auto b = saved_model::Load({}, {"serve"}, dir);
  ASSERT_FALSE(b.ok());
  EXPECT_THAT(b.status(), StatusIs(Code::kUnimplemented, "ops tfport does not implement"));
  EXPECT_THAT(b.status().message(), HasSubstr("FancyMul (in function __inference_predict_235, node "));
  EXPECT_THAT(b.status().message(), HasSubstr("RestoreV9 (in function __inference__traced_restore"));
}

TEST(Tf2SavedModel, ARestoreFailureNamesTheFunctionAndNode) {
  const std::string fixture = "serving_saved_model_half_plus_two_tf2_cpu/00000123";
  TFPORT_REQUIRE_FIXTURE(fixture);
  testing::TempDir tmp;
  const std::string dir = EditedSavedModelCopy(tmp, fixture, [](tf::MetaGraphDef*) {});
  // Flip one byte of the variables' data: RestoreV2's CRC check fails inside
  // the restore function.
  const std::string data = dir + "/variables/variables.data-00000-of-00001";
  std::string bytes;
  {
    std::ifstream in(data, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  ASSERT_FALSE(bytes.empty());
  bytes[0] = static_cast<char>(bytes[0] ^ 0x40);
  {
    std::ofstream out(data, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  auto b = saved_model::Load({}, {"serve"}, dir);
  ASSERT_FALSE(b.ok());
  EXPECT_THAT(b.status().message(), HasSubstr("{{function_node __inference__traced_restore"));
  EXPECT_THAT(b.status().message(), HasSubstr("{{node RestoreV2}}"));
  EXPECT_THAT(b.status().message(), ::testing::Not(HasSubstr("missing")));
}

TEST(Tf2SavedModel, ObjectGraphCheckpointInThreeShardsRestores) {
  // The half_plus_two_tf2 variables rewritten as a 3-shard bundle (one
  // tensor per shard plus the object graph), merged the way
  // MergeV2Checkpoints does: the restore function reads every shard.
  const std::string fixture = "serving_saved_model_half_plus_two_tf2_cpu/00000123";
  TFPORT_REQUIRE_FIXTURE(fixture);
  testing::TempDir tmp;
  const std::string dir = EditedSavedModelCopy(tmp, fixture, [](tf::MetaGraphDef*) {});
  const std::string prefix = dir + "/variables/variables";
  auto reader = io::CheckpointReader::Open(prefix);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  std::vector<std::pair<std::string, Tensor>> all;
  for (const auto& info : (*reader)->tensors()) {
    auto t = (*reader)->GetTensor(info.name);
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    all.emplace_back(info.name, *t);
  }
  reader->reset();
  for (const auto& e : std::filesystem::directory_iterator(dir + "/variables"))
    std::filesystem::remove(e.path());
  std::vector<std::string> parts;
  for (int shard = 0; shard < 3; ++shard) {
    parts.push_back(dir + "/variables/part-" + std::to_string(shard));
    auto w = io::BundleWriter::Create(parts.back());
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    for (size_t i = static_cast<size_t>(shard); i < all.size(); i += 3)
      ASSERT_TRUE((*w)->Add(all[i].first, all[i].second).ok());
    ASSERT_TRUE((*w)->Finish().ok());
  }
  ASSERT_TRUE(io::MergeBundles(parts, prefix).ok());
  ASSERT_TRUE(std::filesystem::exists(prefix + ".data-00002-of-00003"));
  auto b = saved_model::Load({}, {"serve"}, dir);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  auto out = (*b)->Run("regress_x_to_y2", {{"inputs", FloatExamples("x", {4})}});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_THAT(out->at("outputs").flat<float>(), ElementsAre(5.0f));  // 0.5*4 + c (3)
}

TEST(Tf2SavedModel, EveryTf2FixtureLoads) {
  for (const char* d : {"cppflow_load_model", "cppflow_multi_input_output", "rust_regression_savedmodel",
                        "serving_saved_model_half_plus_two_tf2_cpu/00000123", "tfjs_node_model_multi_output",
                        "tfjs_node_times_three_float", "tfjs_node_uint8_multiply",
                        "tfnet_keras_lstm_from_sequential", "tfnet_keras_simple_model_from_auto_compile"}) {
    SCOPED_TRACE(d);
    if (!std::filesystem::exists(FixturePath(d))) {
      GTEST_SKIP() << "fixture missing: " << d;
    }
    auto b = LoadOrDie(d);
    ASSERT_NE(b, nullptr);
    EXPECT_TRUE(b->variables_restored());
    EXPECT_FALSE(b->SignatureKeys().empty());
    EXPECT_FALSE(b->ConcreteFunctions().empty());
    for (const std::string& key : b->SignatureKeys()) EXPECT_TRUE(b->GetSignature(key).ok()) << key;
  }
}

}  // namespace
}  // namespace tfport
