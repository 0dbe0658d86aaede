// `tfport run --dir` (saved_model_cli run) and friends on the TF1 SavedModel
// fixtures, as a real process. Expected values are CATALOG.md's.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "support/cli.h"
#include "support/fixtures.h"
#include "support/temp_dir.h"

namespace tfport {
namespace {

using ::testing::HasSubstr;
using testing::FixturePath;
using testing::ParseJson;
using testing::Quote;
using testing::RunTfport;

std::vector<double> Values(const rapidjson::Value& v) {
  std::vector<double> out;
  if (v.IsNumber()) return {v.GetDouble()};
  for (const auto& e : v.GetArray())
    for (double x : Values(e)) out.push_back(x);
  return out;
}

struct DirCase {
  const char* dir;
  std::string args;
  const char* output;
  std::vector<double> expected;
};

// `tfport run --dir` on one case; its JSON output matches the expectation.
void CheckRunDir(const DirCase& c) {
  auto r = RunTfport("run --dir " + Quote(FixturePath(c.dir)) + " " + c.args + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto d = ParseJson(r.out);
  ASSERT_TRUE(d["outputs"].HasMember(c.output)) << r.out;
  std::vector<double> got = Values(d["outputs"][c.output]["values"]);
  ASSERT_EQ(got.size(), c.expected.size()) << r.out;
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], c.expected[i], 1e-6) << r.out;
}

TEST(SavedModelCli, RunDirOnEveryTF1SavedModelFixture) {
  const std::string hp2 = "serving_saved_model_half_plus_two_cpu/00000123";
  const DirCase cases[] = {
      // y = 0.5x + 2 on [1, 2, 5] (issue #9), predict / regress / classify.
      {hp2.c_str(), "--input_exprs 'x=[[1],[2],[5]]'", "y", {2.5, 3.0, 4.5}},
      {hp2.c_str(), "--signature_def regress_x_to_y --input_examples 'inputs=[{\"x\":[1.0]},{\"x\":[2.0]},{\"x\":[5.0]}]'",
       "outputs", {2.5, 3.0, 4.5}},
      {hp2.c_str(), "--signature_def classify_x_to_y --input_examples 'inputs=[{\"x\":[1.0]},{\"x\":[5.0]}]'",
       "scores", {2.5, 4.5}},
      {"tfjava_saved_model_half_plus_two", "--input_exprs 'x=[[1],[2],[5]]'", "y", {2.5, 3.0, 4.5}},
      // y = 0.5x + 2, matrix input.
      {"serving_matrix_half_plus_two/1", "--input_exprs 'x=[[[1,2,3],[4,5,6],[7,8,9]]]'", "y",
       {2.5, 3, 3.5, 4, 4.5, 5, 5.5, 6, 6.5}},
      // counter starts at 0; incr_counter_by(delta) adds delta.
      {"serving_saved_model_counter/00000123", "--signature_def get_counter", "output", {0}},
      {"serving_saved_model_counter/00000123", "--signature_def incr_counter_by --input_exprs delta=2.5",
       "output", {2.5}},
      // pred = 0.21396178 X + 1.0495254.
      {"tfonnx_regression_saved_model", "--input_exprs X=[5]", "pred", {0.21396178 * 5 + 1.0495254}},
      // y_hat = w x + b, w = -0.85786223, b = 0; tags {train, serve}.
      {"rust_test_regression_model",
       "--tag_set train,serve --signature_def tensorflow/serving/regress --input_exprs 'x=[2];y=[4]'",
       "out", {-0.85786223 * 2}},
      // z = x + 1, y unused.
      {"tfonnx_saved_model_redundant_inputs", "--input_exprs 'x=[[0,1,2,3,4,5,6,7,8,9]]'", "z",
       {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}},
      // The legacy SessionBundle: default regression signature through tf.Example.
      {"serving_half_plus_two_v1ckpt/00000123", "--input_examples 'inputs=[{\"x\":[4.0]}]'", "outputs", {4}},
  };
  for (const DirCase& c : cases) {
    SCOPED_TRACE(std::string(c.dir) + " " + c.args);
    if (!std::filesystem::exists(FixturePath(c.dir))) GTEST_SKIP() << c.dir << " missing";
    CheckRunDir(c);
  }
}

TEST(SavedModelCli, RunDirAndInspectOnEveryTF2SavedModelFixture) {
  const DirCase cases[] = {
      // Catalogue values: y = 0.5x + 2; v = 3; 3 * 3 * 2 (uint8 in, int32 out);
      // output_0 = 2x, output_1 = y; rust regression's stored w.
      {"serving_saved_model_half_plus_two_tf2_cpu/00000123", "--input_exprs 'x=[1.0]'", "y", {2.5}},
      {"serving_saved_model_half_plus_two_tf2_cpu/00000123",
       "--signature_def regress_x_to_y --input_examples 'inputs=[{\"x\":[1.0]},{\"x\":[6.0]}]'",
       "outputs", {2.5, 5}},
      {"tfjs_node_times_three_float", "--input_exprs x=2.0", "output_0", {6}},
      {"tfjs_node_uint8_multiply", "--input_exprs 'x=[3]'", "output_0", {18}},
      {"tfjs_node_model_multi_output", "--input_exprs 'x=3;y=3'", "output_0", {6}},
      {"tfjs_node_model_multi_output", "--input_exprs 'x=3;y=3'", "output_1", {3}},
      {"rust_regression_savedmodel", "--signature_def w", "output", {0.20429754}},
  };
  for (const DirCase& c : cases) {
    SCOPED_TRACE(std::string(c.dir) + " " + c.args);
    if (!std::filesystem::exists(FixturePath(c.dir))) GTEST_SKIP() << c.dir << " missing";
    CheckRunDir(c);
  }
  // The Keras models run (their values are checked against hand computations
  // in tests/saved_model/tf2_test.cc) and every TF2 fixture inspects.
  for (const char* d : {"cppflow_load_model", "cppflow_multi_input_output", "rust_regression_savedmodel",
                        "serving_saved_model_half_plus_two_tf2_cpu/00000123", "tfjs_node_model_multi_output",
                        "tfjs_node_times_three_float", "tfjs_node_uint8_multiply",
                        "tfnet_keras_lstm_from_sequential", "tfnet_keras_simple_model_from_auto_compile"}) {
    SCOPED_TRACE(d);
    if (!std::filesystem::exists(FixturePath(d))) GTEST_SKIP() << d << " missing";
    auto r = RunTfport("inspect " + Quote(FixturePath(d)));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("MetaGraphDef with tag-set: 'serve' contains the following SignatureDefs"),
              std::string::npos) << r.out;
  }
  if (std::filesystem::exists(FixturePath("tfnet_keras_lstm_from_sequential"))) {
    auto r = RunTfport("run --dir " + Quote(FixturePath("tfnet_keras_lstm_from_sequential")) +
                       " --input_exprs 'input_1=[[[1,2,3],[1,2,3],[1,2,3],[1,2,3],[1,2,3]]]' --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto d = ParseJson(r.out);
    std::vector<double> got = Values(d["outputs"]["dense"]["values"]);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_GT(got[0], 0.0);  // a sigmoid output
    EXPECT_LT(got[0], 1.0);
  }
}

TEST(SavedModelCli, FreezeATf2ModelThenRunIt) {
  const char* dir = "tfjs_node_times_three_float";
  TFPORT_REQUIRE_FIXTURE(dir);
  testing::TempDir tmp;
  const auto out = tmp.path() / "frozen.pb";
  auto r = RunTfport("freeze --saved_model_dir " + Quote(FixturePath(dir)) + " --output " + Quote(out));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // What to feed and fetch, by signature key (inspect shows x and output_0).
  EXPECT_EQ(r.out, "input x serving_default_x:0\noutput output_0 StatefulPartitionedCall:0\n");
  // v = 3 (catalogue): 3 * 2 from the frozen graph alone.
  r = RunTfport("run " + Quote(out) + " --input serving_default_x:0=2.0 --output StatefulPartitionedCall:0 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto d = ParseJson(r.out);
  EXPECT_EQ(Values(d["outputs"]["StatefulPartitionedCall:0"]["values"]), std::vector<double>{6.0}) << r.out;
  // --optimize works on the frozen TF2 graph too.
  r = RunTfport("freeze --saved_model_dir " + Quote(FixturePath(dir)) + " --optimize --quiet --output " +
                Quote(tmp.path() / "opt.pb"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = RunTfport("run " + Quote(tmp.path() / "opt.pb") +
                " --input serving_default_x:0=2.0 --output StatefulPartitionedCall:0 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Values(ParseJson(r.out)["outputs"]["StatefulPartitionedCall:0"]["values"]), std::vector<double>{6.0});
  // A signature the model does not have is named, with those it has.
  r = RunTfport("freeze --saved_model_dir " + Quote(FixturePath(dir)) + " --signature_def nope --output " +
                Quote(tmp.path() / "no.pb"));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("has no signature 'nope'"));
  EXPECT_THAT(r.err, HasSubstr("it has: serving_default"));
  EXPECT_FALSE(std::filesystem::exists(tmp.path() / "no.pb"));
}

TEST(SavedModelCli, TfnetExample1RunsAfterInitAndExplainsWithout) {
  const char* dir = "tfnet_example1_saved_model";
  TFPORT_REQUIRE_FIXTURE(dir);
  std::string row;
  for (int i = 0; i < 96; ++i) row += (i ? "," : "") + std::to_string(i % 5);
  const std::string in = " --input_exprs 'fuel=[[" + row + "]];sp=[[" + row + "]]'";
  auto r = RunTfport("run " + Quote(FixturePath(dir)) + in);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("variables/variables.index does not exist"));
  r = RunTfport("run " + Quote(FixturePath(dir)) + " --init --json" + in);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto d = ParseJson(r.out);
  // CATALOG.md: classes int64[-1], probabilities float[-1,2] (a softmax).
  EXPECT_STREQ(d["outputs"]["classes"]["dtype"].GetString(), "int64");
  auto p = Values(d["outputs"]["probabilities"]["values"]);
  ASSERT_EQ(p.size(), 2u);
  EXPECT_NEAR(p[0] + p[1], 1.0, 1e-6);
}

TEST(SavedModelCli, ErrorsNameTheModelAndItem) {
  const char* dir = "serving_saved_model_half_plus_two_cpu/00000123";
  TFPORT_REQUIRE_FIXTURE(dir);
  const std::string m = Quote(FixturePath(dir));
  auto r = RunTfport("run --dir " + m + " --tag_set gpu");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("with available tags [{ serve }]"));
  r = RunTfport("run --dir " + m + " --input_exprs 'nope=[1]'");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("signature 'serving_default' has no such input; its inputs are: x"));
  r = RunTfport("run --dir " + m + " --signature_def nope");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("has no signature 'nope'"));
  r = RunTfport("run");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("give either MODEL or --dir DIR"));
}

TEST(SavedModelCli, InspectAFileInsideASavedModel) {
  const char* dir = "serving_saved_model_half_plus_two_cpu/00000123";
  TFPORT_REQUIRE_FIXTURE(dir);
  auto r = RunTfport("inspect --json " + Quote(FixturePath(dir) / "saved_model.pb"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto d = ParseJson(r.out);
  EXPECT_STREQ(d["kind"].GetString(), "saved_model");
  // CATALOG.md: variables a, b, c, a2, c2.
  EXPECT_EQ(d["variables"].Size(), 5u);
}

TEST(SavedModelCli, OldGraphsTakeAnyShapeForAnEmptyPlaceholderShape) {
  // Producer <= 21 wrote unknown placeholder shapes as empty ones; TensorFlow
  // feeds any shape there (CATALOG.md: ocaml_lstm feeds [1,2,3]; the
  // encryptor's X_input takes rows of 8).
  TFPORT_REQUIRE_FIXTURE("ocaml_lstm/lstm.pb");
  auto r = RunTfport("run " + Quote(FixturePath("ocaml_lstm/lstm.pb")) +
                     " --init --input 'lstm_1_input=[[[1,2,3],[4,5,6]]]' --output time_distributed_1/Sigmoid --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (double v : Values(ParseJson(r.out)["outputs"]["time_distributed_1/Sigmoid:0"]["values"])) {
    EXPECT_GT(v, 0.0);  // a sigmoid
    EXPECT_LT(v, 1.0);
  }
  const char* meta = "ryanmolina_neural_encryption/checkpoint/encryptor_model-500000.meta";
  TFPORT_REQUIRE_FIXTURE(meta);
  r = RunTfport("run " + Quote(FixturePath(meta)) + " --restore " +
                Quote(FixturePath("ryanmolina_neural_encryption/checkpoint")) +
                " --input 'X_input=[[0,1,0,1,0,1,0,1]]' --output Output --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Values(ParseJson(r.out)["outputs"]["Output:0"]["values"]).size(), 8u);
}

}  // namespace
}  // namespace tfport
