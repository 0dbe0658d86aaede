// signature_def_utils and the text inputs of `tfport run`. Expected values
// come from TensorFlow's documented behaviour (signature_def_utils,
// saved_model_cli's --input_exprs / --input_examples) and hand arithmetic;
// tf.Example records are decoded with protobuf itself.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/fixtures.h"
#include "support/status_matchers.h"
#include "support/temp_dir.h"
#include "tfport/graph/ops.h"
#include "tfport/io/npy.h"
#include "tfport/saved_model/constants.h"
#include "tfport/saved_model/inputs.h"
#include "tfport/saved_model/loader.h"
#include "tfport/saved_model/signature_def_utils.h"
#include "tfport/tf/example.pb.h"

namespace tfport {
namespace {

using testing::FixturePath;
using testing::StatusIs;
namespace sm = saved_model;

TEST(SignatureDefUtils, PredictClassifyRegressAsTensorFlowBuildsThem) {
  graph::Graph g;
  auto examples = ops::Placeholder(g, DT_STRING, Shape{-1}, "tf_example");
  auto x = ops::Placeholder(g, DT_FLOAT, Shape{-1, 1}, "x");
  auto classes = ops::Placeholder(g, DT_STRING, Shape{-1, 3}, "classes");
  auto ints = ops::Placeholder(g, DT_INT32, Shape{}, "i");
  ASSERT_TRUE(g.status().ok());

  // build_tensor_info: name, dtype, shape (dims; -1 for unknown).
  tf::TensorInfo info = sm::BuildTensorInfo(x);
  EXPECT_EQ(info.name(), "x:0");
  EXPECT_EQ(info.dtype(), DT_FLOAT);
  ASSERT_EQ(info.tensor_shape().dim_size(), 2);
  EXPECT_EQ(info.tensor_shape().dim(0).size(), -1);
  EXPECT_EQ(info.tensor_shape().dim(1).size(), 1);

  auto predict = sm::PredictSignatureDef({{"x", x}}, {{"y", x}});
  ASSERT_TRUE(predict.ok());
  EXPECT_EQ(predict->method_name(), "tensorflow/serving/predict");
  EXPECT_TRUE(sm::IsValidSignature(*predict));
  EXPECT_THAT(sm::PredictSignatureDef({}, {{"y", x}}),
              StatusIs(Code::kInvalidArgument, "Prediction `inputs` cannot be None or empty."));

  // regression: inputs "inputs" (string), outputs "outputs" (float).
  auto regress = sm::RegressionSignatureDef(examples, x);
  ASSERT_TRUE(regress.ok());
  EXPECT_EQ(regress->method_name(), "tensorflow/serving/regress");
  EXPECT_EQ(regress->inputs().at("inputs").name(), "tf_example:0");
  EXPECT_EQ(regress->outputs().at("outputs").name(), "x:0");
  EXPECT_TRUE(sm::IsValidSignature(*regress));
  EXPECT_THAT(sm::RegressionSignatureDef(x, x),
              StatusIs(Code::kInvalidArgument, "Regression input tensors must be of type string"));
  EXPECT_THAT(sm::RegressionSignatureDef(examples, ints),
              StatusIs(Code::kInvalidArgument, "Regression output tensors must be of type float"));

  // classification: "classes" (string) and/or "scores" (float).
  auto classify = sm::ClassificationSignatureDef(examples, classes, x);
  ASSERT_TRUE(classify.ok());
  EXPECT_EQ(classify->method_name(), "tensorflow/serving/classify");
  EXPECT_EQ(classify->outputs().size(), 2u);
  EXPECT_TRUE(sm::IsValidSignature(*classify));
  auto scores_only = sm::ClassificationSignatureDef(examples, {}, x);
  ASSERT_TRUE(scores_only.ok());
  EXPECT_EQ(scores_only->outputs().count("classes"), 0u);
  EXPECT_THAT(sm::ClassificationSignatureDef(examples, {}, {}),
              StatusIs(Code::kInvalidArgument, "cannot both be None"));
  EXPECT_THAT(sm::ClassificationSignatureDef(examples, x, {}),
              StatusIs(Code::kInvalidArgument, "classes must be of type string"));
}

TEST(SignatureDefUtils, IsValidSignatureRules) {
  // is_valid_signature: predict needs inputs and outputs; regress exactly
  // {inputs: string} -> {outputs: float}; classify {inputs: string} ->
  // a non-empty subset of {classes: string, scores: float}.
  auto info = [](DataType d) { return sm::BuildTensorInfo("t:0", d, Shape{-1}); };
  EXPECT_FALSE(sm::IsValidSignature(sm::BuildSignatureDef({}, {{"y", info(DT_FLOAT)}}, sm::kPredictMethodName)));
  EXPECT_FALSE(sm::IsValidSignature(
      sm::BuildSignatureDef({{"x", info(DT_FLOAT)}}, {{"y", info(DT_FLOAT)}}, "tensorflow/serving/other")));
  EXPECT_FALSE(sm::IsValidSignature(sm::BuildSignatureDef(
      {{"inputs", info(DT_FLOAT)}}, {{"outputs", info(DT_FLOAT)}}, sm::kRegressMethodName)));
  EXPECT_FALSE(sm::IsValidSignature(sm::BuildSignatureDef(
      {{"inputs", info(DT_STRING)}}, {{"outputs", info(DT_DOUBLE)}}, sm::kRegressMethodName)));
  EXPECT_FALSE(sm::IsValidSignature(sm::BuildSignatureDef(
      {{"inputs", info(DT_STRING)}}, {{"labels", info(DT_STRING)}}, sm::kClassifyMethodName)));
  EXPECT_FALSE(sm::IsValidSignature(sm::BuildSignatureDef(
      {{"inputs", info(DT_STRING)}}, {{"scores", info(DT_INT64)}}, sm::kClassifyMethodName)));
  EXPECT_TRUE(sm::IsValidSignature(sm::BuildSignatureDef(
      {{"inputs", info(DT_STRING)}}, {{"classes", info(DT_STRING)}}, sm::kClassifyMethodName)));
}

TEST(Inputs, LiteralsInJsonAndPythonSpelling) {
  auto t = sm::TensorFromLiteral("[[1, 2], [3, 4]]", DT_FLOAT);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->shape(), (Shape{2, 2}));
  EXPECT_EQ(t->flat<float>()[3], 4.0f);
  t = sm::TensorFromLiteral("((1., .5), (-.25, 2,))", DT_DOUBLE);  // Python tuples and floats
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->shape(), (Shape{2, 2}));
  EXPECT_EQ(t->flat<double>()[1], 0.5);
  EXPECT_EQ(t->flat<double>()[2], -0.25);
  t = sm::TensorFromLiteral("[True, False]", DT_BOOL);
  ASSERT_TRUE(t.ok());
  EXPECT_FALSE(t->flat<bool>()[1]);
  t = sm::TensorFromLiteral("['a b', \"c\"]", DT_STRING);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->flat<std::string>()[0], "a b");
  EXPECT_THAT(sm::TensorFromLiteral("[[1, 2], [3]]", DT_INT32),
              StatusIs(Code::kInvalidArgument, "not rectangular"));
  EXPECT_THAT(sm::TensorFromLiteral("[300]", DT_UINT8), StatusIs(Code::kInvalidArgument, "out of range"));
  EXPECT_THAT(sm::TensorFromLiteral("[1.5]", DT_INT64), StatusIs(Code::kInvalidArgument, "not an integer"));
}

TEST(Inputs, NpyIsCastToTheInputsDtypeAsSessionRunDoes) {
  testing::TempDir dir;
  Tensor d = Tensor::FromVector<double>({1.5, -2.25, 3}, Shape{3});
  ASSERT_TRUE(io::WriteNpy(dir.Join("x.npy"), d).ok());
  auto t = sm::TensorFromValue("@" + dir.Join("x.npy"), DT_FLOAT);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->dtype(), DT_FLOAT);
  EXPECT_EQ(t->flat<float>()[1], -2.25f);
  // Cast truncates toward zero for integers, as tf.cast does.
  t = sm::CastTensor(d, DT_INT32);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->flat<int32_t>()[0], 1);
  EXPECT_EQ(t->flat<int32_t>()[1], -2);
  EXPECT_THAT(sm::CastTensor(d, DT_STRING), StatusIs(Code::kInvalidArgument, "cannot convert"));
}

TEST(Inputs, ExamplesFromJsonAsSavedModelCli) {
  auto t = sm::ExamplesFromJson(R"([{"x": [1.0, 2], "id": [26], "name": ["a", "b"]}, {"x": [5.0]}])");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  ASSERT_EQ(t->shape(), (Shape{2}));
  tf::Example e;
  ASSERT_TRUE(e.ParseFromString(t->flat<std::string>()[0]));
  const auto& f = e.features().feature();
  ASSERT_EQ(f.at("x").float_list().value_size(), 2);  // first element a float: float_list
  EXPECT_EQ(f.at("x").float_list().value(1), 2.0f);
  EXPECT_EQ(f.at("id").int64_list().value(0), 26);   // integers: int64_list
  EXPECT_EQ(f.at("name").bytes_list().value(1), "b");  // strings: bytes_list
  ASSERT_TRUE(e.ParseFromString(t->flat<std::string>()[1]));
  EXPECT_EQ(e.features().feature().at("x").float_list().value(0), 5.0f);
  EXPECT_THAT(sm::ExamplesFromJson(R"({"x": [1.0]})"), StatusIs(Code::kInvalidArgument, "list of feature dicts"));
  EXPECT_THAT(sm::ExamplesFromJson(R"([{"x": 1.0}])"), StatusIs(Code::kInvalidArgument, "must be a list"));
  EXPECT_THAT(sm::ExamplesFromJson(R"([{"x": [1, 2.5]}])"), StatusIs(Code::kInvalidArgument, "int64"));
}

TEST(Inputs, SignatureInputsTypedByTheSignature) {
  const char* dir = "serving_saved_model_half_plus_two_cpu/00000123";
  TFPORT_REQUIRE_FIXTURE(dir);
  auto b = sm::Load({}, {"serve"}, FixturePath(dir).string());
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  auto sig = (*b)->GetSignature("serving_default");
  ASSERT_TRUE(sig.ok());
  // x is float32, so the integer literal becomes floats.
  auto in = sm::ParseSignatureInputs(**sig, {}, {"x=[[1],[2],[5]]"}, {});
  ASSERT_TRUE(in.ok()) << in.status().ToString();
  EXPECT_EQ(in->at("x").dtype(), DT_FLOAT);
  EXPECT_THAT(sm::ParseSignatureInputs(**sig, {}, {"z=[1]"}, {}),
              StatusIs(Code::kInvalidArgument, "--input_exprs 'z': signature 'serving_default' has no "
                                               "such input; its inputs are: x"));
  EXPECT_THAT(sm::ParseSignatureInputs(**sig, {}, {"x=[1]", "x=[2]"}, {}),
              StatusIs(Code::kInvalidArgument, "given more than once"));
  EXPECT_THAT(sm::ParseSignatureInputs(**sig, {}, {"x"}, {}),
              StatusIs(Code::kInvalidArgument, "is not KEY=VALUE"));
  EXPECT_THAT(sm::ParseSignatureInputs(**sig, {"x=/nonexistent.npy"}, {}, {}),
              StatusIs(Code::kNotFound, "/nonexistent.npy"));
}

}  // namespace
}  // namespace tfport
