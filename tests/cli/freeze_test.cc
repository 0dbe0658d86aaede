// `tfport freeze` (issue #5): freeze_graph.py's command line.
// Expected values: CATALOG.md (tfonnx regression: X=5 -> 2.1193342;
// half_plus_two: y = 0.5x + 2); for the Keras LSTM, which has none there,
// the unfrozen SavedModel run through `tfport run --dir`.
#include <gtest/gtest.h>

#include <set>

#include "support/cli.h"
#include "support/fixtures.h"
#include "support/temp_dir.h"
#include "tfport/freeze/graph_util.h"
#include "tfport/io/file.h"

namespace tfport {
namespace {

using testing::ParseJson;
using testing::Quote;
using testing::RunTfport;

TEST(FreezeCli, SavedModelWithSignatureOutputsThenRun) {
  TFPORT_REQUIRE_FIXTURE("tfonnx_regression_saved_model/saved_model.pb");
  testing::TempDir dir;
  const std::string out = dir.Join("frozen/regression.pb");
  auto r = RunTfport("freeze --saved_model_dir " +
                     Quote(testing::FixturePath("tfonnx_regression_saved_model")) +
                     " --output " + Quote(out));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("Converted 2 variables to const ops."), std::string::npos) << r.err;
  r = RunTfport("run " + Quote(out) + " --input X=[5] --output pred --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NEAR(ParseJson(r.out)["outputs"]["pred:0"]["values"][0].GetDouble(), 2.1193342, 1e-6);
}

TEST(FreezeCli, MetaGraphAndCheckpointDirectoryOptimizedAsText) {
  TFPORT_REQUIRE_FIXTURE("serving_bad_half_plus_two/00000123/export.meta");
  testing::TempDir dir;
  const std::string out = dir.Join("half.pbtxt");
  auto r = RunTfport(
      "freeze --input_meta_graph " +
      Quote(testing::FixturePath("serving_bad_half_plus_two/00000123/export.meta")) +
      " --input_checkpoint " + Quote(testing::FixturePath("serving_bad_half_plus_two/00000123/export")) +
      " --output_node_names Add --optimize --as_text --output " + Quote(out));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(io::ReadFileToString(out)->find("node {"), std::string::npos);
  r = RunTfport("run " + Quote(out) + " --input Placeholder=[0,4] --output Add --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto d = ParseJson(r.out);
  EXPECT_EQ(d["outputs"]["Add:0"]["values"][0].GetDouble(), 2.0);
  EXPECT_EQ(d["outputs"]["Add:0"]["values"][1].GetDouble(), 4.0);
}

TEST(FreezeCli, UnknownOutputNodeWritesNothing) {
  TFPORT_REQUIRE_FIXTURE("tfonnx_regression_saved_model/saved_model.pb");
  testing::TempDir dir;
  const std::string out = dir.Join("x.pb");
  auto r = RunTfport("freeze --saved_model_dir " +
                     Quote(testing::FixturePath("tfonnx_regression_saved_model")) +
                     " --output_node_names nope --output " + Quote(out));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("nope is not in graph"), std::string::npos) << r.err;
  EXPECT_FALSE(io::FileExists(out));
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

TEST(FreezeCli, LowerControlFlowTurnsTheLstmLoopIntoTf1ControlFlow) {
  const char* model = "tfnet_keras_lstm_from_sequential";
  TFPORT_REQUIRE_FIXTURE(model);
  testing::TempDir dir;
  const std::string out = dir.Join("lstm.pb");
  auto r = RunTfport("freeze --saved_model_dir " + Quote(testing::FixturePath(model)) +
                     " --lower_control_flow --output " + Quote(out));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("lowering functional control flow"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("outputs StatefulPartitionedCall"), std::string::npos) << r.err;
  auto gd = freeze::ReadGraph(out);
  ASSERT_TRUE(gd.ok()) << gd.status().ToString();
  std::set<std::string> ops;
  for (const auto& n : gd->node()) ops.insert(n.op());
  for (const char* op : {"StatelessWhile", "While", "StatefulPartitionedCall", "PartitionedCall"})
    EXPECT_FALSE(ops.count(op)) << op;
  for (const char* op : {"Enter", "Exit", "Merge", "Switch", "NextIteration", "LoopCond"})
    EXPECT_TRUE(ops.count(op)) << op;
  EXPECT_EQ(gd->library().function_size(), 0);

  const std::string x = "[[[1,2,3],[0.5,-1,2],[0,0,1],[-2,1,0.25],[3,-0.5,1]]]";
  r = RunTfport("run " + Quote(out) + " --input 'serving_default_input_1:0=" + x +
                "' --output StatefulPartitionedCall:0 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto frozen = ParseJson(r.out);
  r = RunTfport("run --dir " + Quote(testing::FixturePath(model)) + " --input_exprs 'input_1=" + x + "' --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto saved = ParseJson(r.out);
  const auto& got = frozen["outputs"]["StatefulPartitionedCall:0"]["values"];
  const auto& want = saved["outputs"]["dense"]["values"];
  ASSERT_TRUE(got.IsArray() && want.IsArray());
  ASSERT_EQ(got.Size(), 1u);
  ASSERT_EQ(want.Size(), 1u);
  EXPECT_NEAR(got[0][0].GetDouble(), want[0][0].GetDouble(), 1e-5);
}

}  // namespace
}  // namespace tfport
