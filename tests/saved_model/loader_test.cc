// saved_model::Load on every TF1 SavedModel fixture (issue #9 acceptance):
// each loads with its tags and gives CATALOG.md's values through its
// signatures. Expected values are the catalogue's stated formulas and
// numbers, or hand arithmetic on them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "support/fixtures.h"
#include "support/status_matchers.h"
#include "support/tf_example.h"
#include "support/temp_dir.h"
#include "tfport/saved_model/constants.h"
#include "tfport/saved_model/inputs.h"
#include "tfport/saved_model/loader.h"
#include "tfport/tf/example.pb.h"

namespace tfport {
namespace {

using saved_model::LoadOptions;
using testing::FixturePath;
using ::testing::HasSubstr;
using testing::StatusIs;

std::vector<float> Floats(const Tensor& t) {
  return {t.flat<float>().begin(), t.flat<float>().end()};
}

std::unique_ptr<saved_model::SavedModelBundle> LoadOrDie(const std::string& dir,
                                                         const saved_model::TagSet& tags = {"serve"}) {
  auto b = saved_model::Load({}, tags, FixturePath(dir).string());
  EXPECT_TRUE(b.ok()) << b.status().ToString();
  return b.ok() ? std::move(*b) : nullptr;
}

using testing::FloatExamples;

TEST(Load, HalfPlusTwoFamilyPredictRegressClassify) {
  for (const char* dir : {"serving_saved_model_half_plus_two_cpu/00000123",
                          "tfjava_saved_model_half_plus_two"}) {
    SCOPED_TRACE(dir);
    if (!std::filesystem::exists(FixturePath(dir))) GTEST_SKIP() << dir << " missing";
    auto b = LoadOrDie(dir);
    ASSERT_TRUE(b);
    EXPECT_TRUE(b->variables_restored());
    // CATALOG.md: y = 0.5 * x + 2; issue #9: x = [1, 2, 5] -> [2.5, 3.0, 4.5].
    auto out = b->Run("serving_default",
                      {{"x", Tensor::FromVector<float>({1, 2, 5}, Shape{3, 1})}});
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    EXPECT_EQ(Floats(out->at("y")), (std::vector<float>{2.5, 3.0, 4.5}));
    // regress_x_to_y / classify_x_to_y read x from serialized tf.Examples.
    out = b->Run("regress_x_to_y", {{"inputs", FloatExamples("x", {1, 2, 5})}});
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    EXPECT_EQ(Floats(out->at("outputs")), (std::vector<float>{2.5, 3.0, 4.5}));
    out = b->Run("classify_x_to_y", {{"inputs", FloatExamples("x", {1, 2, 5})}});
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    EXPECT_EQ(Floats(out->at("scores")), (std::vector<float>{2.5, 3.0, 4.5}));
    // regress_x_to_y2: y2 = a*x + c with c = 3.
    out = b->Run("regress_x_to_y2", {{"inputs", FloatExamples("x", {1, 2, 5})}});
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    EXPECT_EQ(Floats(out->at("outputs")), (std::vector<float>{3.5, 4.0, 5.5}));
    // regress_x2_to_y3: y3 = 0.5 * x2 + 3, fed directly.
    out = b->Run("regress_x2_to_y3", {{"inputs", Tensor::FromVector<float>({2, 4}, Shape{2, 1})}});
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    EXPECT_EQ(Floats(out->at("outputs")), (std::vector<float>{4, 5}));
  }
}

TEST(Load, HalfPlusTwoMainOpRunsAfterRestore) {
  const char* dir = "serving_saved_model_half_plus_two_cpu/00000123";
  TFPORT_REQUIRE_FIXTURE(dir);
  auto b = LoadOrDie(dir);
  ASSERT_TRUE(b);
  // The `filename_tensor` variable is not in the checkpoint; only the main op
  // (saved_model_main_op = group_deps = NoOp(^Assign)) gives it a value, the
  // graph's constant Assign/value = "foo.txt".
  auto v = b->session().Run({}, {"filename_tensor:0"});
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ((*v)[0].scalar<std::string>(), "foo.txt");
}

TEST(Load, MatrixHalfPlusTwoWithoutVariables) {
  const char* dir = "serving_matrix_half_plus_two/1";
  TFPORT_REQUIRE_FIXTURE(dir);
  auto b = LoadOrDie(dir);
  ASSERT_TRUE(b);
  EXPECT_FALSE(b->variables_restored());
  // CATALOG.md: [[1,2,3],[4,5,6],[7,8,9]] -> [[2.5,3,3.5],[4,4.5,5],[5.5,6,6.5]].
  auto out = b->Run("serving_default",
                    {{"x", Tensor::FromVector<float>({1, 2, 3, 4, 5, 6, 7, 8, 9}, Shape{1, 3, 3})}});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(Floats(out->at("y")), (std::vector<float>{2.5, 3, 3.5, 4, 4.5, 5, 5.5, 6, 6.5}));
}

TEST(Load, CounterKeepsStateAcrossCallsInOneBundle) {
  const char* dir = "serving_saved_model_counter/00000123";
  TFPORT_REQUIRE_FIXTURE(dir);
  auto b = LoadOrDie(dir);
  ASSERT_TRUE(b);
  auto value = [&](const char* sig, std::map<std::string, Tensor> in = {}) {
    auto out = b->Run(sig, in);
    EXPECT_TRUE(out.ok()) << out.status().ToString();
    return out.ok() ? out->at("output").scalar<float>() : -1.0f;
  };
  // export_counter.py: starts at 0; incr_counter +1; incr_counter_by(delta);
  // reset_counter back to 0.
  EXPECT_EQ(value("get_counter"), 0.0f);
  EXPECT_EQ(value("incr_counter"), 1.0f);
  EXPECT_EQ(value("incr_counter"), 2.0f);
  EXPECT_EQ(value("incr_counter_by", {{"delta", Tensor::Scalar<float>(3.5f)}}), 5.5f);
  EXPECT_EQ(value("get_counter"), 5.5f);
  EXPECT_EQ(value("reset_counter"), 0.0f);
  EXPECT_EQ(value("get_counter"), 0.0f);
}

TEST(Load, RegressionModels) {
  {
    const char* dir = "tfonnx_regression_saved_model";
    TFPORT_REQUIRE_FIXTURE(dir);
    auto b = LoadOrDie(dir);
    ASSERT_TRUE(b);
    // CATALOG.md: pred = 0.21396178*X + 1.0495254; X = 5 -> ~2.1193342.
    auto out = b->Run("serving_default", {{"X", Tensor::FromVector<float>({5}, Shape{1})}});
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    EXPECT_NEAR(out->at("pred").flat<float>()[0], 0.21396178 * 5 + 1.0495254, 1e-6);
  }
  {
    // Two tags on one MetaGraphDef; y_hat = w*x + b, w = -0.85786223, b = 0.
    const char* dir = "rust_test_regression_model";
    TFPORT_REQUIRE_FIXTURE(dir);
    auto b = LoadOrDie(dir, {"serve", "train"});
    ASSERT_TRUE(b);
    auto out = b->Run("tensorflow/serving/regress", {{"x", Tensor::FromVector<float>({2}, Shape{1})},
                                                       {"y", Tensor::FromVector<float>({4}, Shape{1})}});
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    // The output key is "out" (tensor y_hat:0); session.rs checks one element.
    ASSERT_EQ(out->at("out").num_elements(), 1);
    EXPECT_NEAR(out->at("out").flat<float>()[0], -0.85786223f * 2, 1e-6);
    // {serve} alone is not {serve, train}: the error lists what exists.
    auto bad = saved_model::Load({}, {"serve"}, FixturePath(dir).string());
    EXPECT_THAT(bad, StatusIs(Code::kNotFound, "with available tags [{ serve train }]"));
  }
}

TEST(Load, RedundantInputsModelNeedsOnlyTheUsedInput) {
  const char* dir = "tfonnx_saved_model_redundant_inputs";
  TFPORT_REQUIRE_FIXTURE(dir);
  auto b = LoadOrDie(dir);
  ASSERT_TRUE(b);
  std::vector<float> x(10);
  for (int i = 0; i < 10; ++i) x[static_cast<size_t>(i)] = static_cast<float>(i);
  // CATALOG.md: z = x + 1, y unused.
  auto out = b->Run("serving_default", {{"x", Tensor::FromVector<float>(x, Shape{1, 10})}});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(Floats(out->at("z")), (std::vector<float>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
  out = b->Run("serving_default", {{"x", Tensor::FromVector<float>(x, Shape{1, 10})},
                                   {"y", Tensor::FromVector<float>(x, Shape{1, 10})}});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->at("z").flat<float>()[9], 10.0f);
}

TEST(Load, TfnetExample1WithoutVariablesDirectory) {
  const char* dir = "tfnet_example1_saved_model";
  TFPORT_REQUIRE_FIXTURE(dir);
  auto b = LoadOrDie(dir);
  ASSERT_TRUE(b);
  EXPECT_FALSE(b->variables_restored());
  // CATALOG.md: serving_default: fuel, sp float[-1,96] -> classes int64[-1],
  // probabilities float[-1,2].
  auto sig = b->GetSignature("serving_default");
  ASSERT_TRUE(sig.ok()) << sig.status().ToString();
  EXPECT_EQ((*sig)->input_keys(), (std::vector<std::string>{"fuel", "sp"}));
  EXPECT_EQ((*sig)->output_keys(), (std::vector<std::string>{"classes", "probabilities"}));
  EXPECT_EQ((*sig)->input_dtype(0), DT_FLOAT);
  const auto& probs = (*sig)->def().outputs().at("probabilities");
  EXPECT_EQ(probs.dtype(), DT_FLOAT);
  ASSERT_EQ(probs.tensor_shape().dim_size(), 2);
  EXPECT_EQ(probs.tensor_shape().dim(1).size(), 2);
  EXPECT_EQ((*sig)->def().outputs().at("classes").dtype(), DT_INT64);

  Tensor in(DT_FLOAT, Shape{3, 96});
  for (int64_t i = 0; i < in.num_elements(); ++i) in.flat<float>()[static_cast<size_t>(i)] = (i % 7) * 0.25f;
  // The variables were never saved with the model: running says so, naming
  // the variable and the missing file.
  auto out = b->Run("serving_default", {{"fuel", in}, {"sp", in}});
  ASSERT_FALSE(out.ok());
  EXPECT_THAT(out.status().message(), HasSubstr("uninitialized"));
  EXPECT_THAT(out.status().message(), HasSubstr("variables/variables.index does not exist"));
  EXPECT_THAT(out.status().message(), HasSubstr(FixturePath(dir).string()));
  // After running the initializers (random weights) the signature runs:
  // probabilities are a softmax (rows sum to 1) and classes its argmax.
  ASSERT_TRUE(saved_model::RunVariableInitializers(*b).ok());
  out = b->Run("serving_default", {{"fuel", in}, {"sp", in}});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  const Tensor& p = out->at("probabilities");
  const Tensor& c = out->at("classes");
  ASSERT_EQ(p.shape(), (Shape{3, 2}));
  ASSERT_EQ(c.shape(), (Shape{3}));
  for (int r = 0; r < 3; ++r) {
    float p0 = p.flat<float>()[static_cast<size_t>(2 * r)], p1 = p.flat<float>()[static_cast<size_t>(2 * r + 1)];
    EXPECT_NEAR(p0 + p1, 1.0f, 1e-6);
    EXPECT_EQ(c.flat<int64_t>()[static_cast<size_t>(r)], p1 > p0 ? 1 : 0);
  }
}

TEST(Load, TextSavedModelWithoutVariablesLoads) {
  // CATALOG.md: a text-format SavedModel with no variables directory.
  const char* dir = "petar_dnn_classifier_saved_model_pbtxt";
  TFPORT_REQUIRE_FIXTURE(dir);
  auto sm = saved_model::ReadSavedModel(FixturePath(dir).string());
  ASSERT_TRUE(sm.ok()) << sm.status().ToString();
  ASSERT_EQ(sm->meta_graphs_size(), 1);
  saved_model::TagSet tags(sm->meta_graphs(0).meta_info_def().tags().begin(),
                           sm->meta_graphs(0).meta_info_def().tags().end());
  auto b = saved_model::Load({}, tags, FixturePath(dir).string());
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_FALSE((*b)->variables_restored());
  EXPECT_FALSE((*b)->SignatureKeys().empty());
}

TEST(Load, SessionBundleHalfPlusTwoThroughItsTfExampleInput) {
  const char* dir = "serving_half_plus_two_v1ckpt/00000123";
  TFPORT_REQUIRE_FIXTURE(dir);
  auto b = saved_model::LoadSessionBundleOrSavedModel({}, {"serve"}, FixturePath(dir).string());
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  // The default regression signature (tf_example:0 -> Identity:0) becomes
  // serving_default; the named generic inputs/outputs a predict signature.
  EXPECT_EQ((*b)->SignatureKeys(),
            (std::vector<std::string>{"serving_default", "serving_default_from_named"}));
  EXPECT_EQ((*b)->meta_graph_def().signature_def().at("serving_default").method_name(),
            saved_model::kRegressMethodName);
  // CATALOG.md: y = a*x + b with a = 0.5, b = 2.
  auto out = (*b)->Run("serving_default", {{"inputs", FloatExamples("x", {0, 1, 4})}});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(Floats(out->at("outputs")), (std::vector<float>{2, 2.5, 4}));
  out = (*b)->Run("serving_default_from_named",
                  {{"x", Tensor::FromVector<float>({6}, Shape{1, 1})}});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(Floats(out->at("y")), (std::vector<float>{5}));
  // serving_init_op assigned the asset paths to filename1/filename2.
  auto f = (*b)->session().Run({}, {"filename1:0"});
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ((*f)[0].scalar<std::string>(), (FixturePath(dir) / "assets" / "hello1.txt").string());
}

TEST(LoadGraphDef, MissingOpsAreAllListedAtLoad) {
  // uTensor's quantized add (catalogue: QuantizeV2, QuantizedAdd,
  // RequantizationRange, Requantize, Dequantize): every op without a kernel
  // is named at load, not only the first one a run would reach.
  const char* pb = "utensor_quantized_add/test_quant_quantized_add.pb";
  TFPORT_REQUIRE_FIXTURE(pb);
  auto b = saved_model::LoadModel({}, FixturePath(pb).string());
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().code(), Code::kUnimplemented);
  for (const char* op : {"QuantizeV2 (node ", "QuantizedAdd (node z/eightbit)", "RequantizationRange (node ",
                         "Requantize (node ", "Dequantize (node z)"})
    EXPECT_THAT(b.status().message(), HasSubstr(op));
  EXPECT_THAT(b.status().message(), HasSubstr("test_quant_quantized_add.pb"));
  // The float version of the same graph loads.
  EXPECT_TRUE(saved_model::LoadModel({}, FixturePath("utensor_quantized_add/test_quantized_add.pb").string()).ok());
}

}  // namespace
}  // namespace tfport
