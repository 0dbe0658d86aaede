// `tfport inspect` run as a real process over real fixtures; the expected
// facts are the ones CATALOG.md states for each fixture.
#include <rapidjson/document.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "support/cli.h"
#include "support/fixtures.h"
#include "support/temp_dir.h"

namespace tfport {
namespace {

using testing::FindByName;
using testing::Quote;
using testing::RunTfport;
using testing::CliRun;

rapidjson::Document Json(const std::string& text) { return testing::ParseJson(text); }
std::string Q(const std::filesystem::path& p) { return Quote(p); }
testing::CliRun Tfport(const std::string& args) { return RunTfport(args); }

TEST(InspectCli, V2CheckpointListsTensorsAndValues) {
  TFPORT_REQUIRE_FIXTURE("antadlp_save_net_v2/save_net.ckpt.index");
  CliRun r = Tfport("inspect --json " + Q(testing::FixturePath("antadlp_save_net_v2")));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto d = Json(r.out);
  EXPECT_STREQ(d["kind"].GetString(), "checkpoint");
  EXPECT_STREQ(d["format"].GetString(), "V2");
  // CATALOG.md antadlp_save_net_v2: weights float[2, 3]; biases float[1, 3].
  ASSERT_EQ(d["tensors"].Size(), 2u);
  const auto* w = FindByName(d["tensors"], "weights");
  ASSERT_NE(w, nullptr);
  EXPECT_STREQ((*w)["dtype"].GetString(), "float32");
  EXPECT_EQ((*w)["shape"][0].GetInt(), 2);
  EXPECT_EQ((*w)["shape"][1].GetInt(), 3);
  const auto* b = FindByName(d["tensors"], "biases");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ((*b)["shape"][0].GetInt(), 1);
  EXPECT_EQ((*b)["shape"][1].GetInt(), 3);

  // CATALOG.md: weights=[[1,2,3],[1,2,3]].
  CliRun t = Tfport("inspect --json --tensor weights " +
                 Q(testing::FixturePath("antadlp_save_net_v2/save_net.ckpt")));
  ASSERT_EQ(t.exit_code, 0) << t.err;
  auto v = Json(t.out);
  const auto& values = v["values"];
  ASSERT_EQ(values.Size(), 2u);
  for (int row = 0; row < 2; ++row) {
    ASSERT_EQ(values[row].Size(), 3u);
    for (int col = 0; col < 3; ++col) EXPECT_EQ(values[row][col].GetDouble(), col + 1.0);
  }
}

TEST(InspectCli, V1CheckpointValues) {
  TFPORT_REQUIRE_FIXTURE("serving_bad_half_plus_two/00000123/export");
  CliRun r = Tfport("inspect --json --all " +
                 Q(testing::FixturePath("serving_bad_half_plus_two/00000123/export")));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto d = Json(r.out);
  EXPECT_STREQ(d["format"].GetString(), "V1");
  // CATALOG.md serving_bad_half_plus_two: Variable=0.5, Variable_1=2.
  const auto* a = FindByName(d["tensors"], "Variable");
  const auto* b = FindByName(d["tensors"], "Variable_1");
  ASSERT_TRUE(a && b);
  EXPECT_EQ((*a)["values"].GetDouble(), 0.5);
  EXPECT_EQ((*b)["values"].GetDouble(), 2.0);
  EXPECT_EQ((*a)["shape"].Size(), 0u);  // float[] scalar
}

TEST(InspectCli, SavedModelSignaturesAndVariables) {
  TFPORT_REQUIRE_FIXTURE("tfonnx_regression_saved_model/saved_model.pb");
  CliRun r = Tfport("inspect --json " + Q(testing::FixturePath("tfonnx_regression_saved_model")));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto d = Json(r.out);
  EXPECT_STREQ(d["kind"].GetString(), "saved_model");
  ASSERT_EQ(d["meta_graphs"].Size(), 1u);
  const auto& mg = d["meta_graphs"][0];
  EXPECT_STREQ(mg["tags"][0].GetString(), "serve");
  // CATALOG.md: meta_info_def 1.11.0; saver_def.version=2 sharded=True.
  EXPECT_STREQ(mg["tensorflow_version"].GetString(), "1.11.0");
  EXPECT_TRUE(mg["saver_def"]["sharded"].GetBool());
  EXPECT_EQ(mg["saver_def"]["version"].GetInt(), 2);
  // CATALOG.md: X:0 -> pred:0 (tfonnx_regression: output `pred`).
  const auto& sig = mg["signatures"]["serving_default"];
  EXPECT_STREQ(sig["inputs"]["X"]["name"].GetString(), "X:0");
  EXPECT_STREQ(sig["outputs"]["pred"]["name"].GetString(), "pred:0");
  // CATALOG.md: variables W float[]; b float[].
  ASSERT_EQ(d["variables"].Size(), 2u);
  EXPECT_NE(FindByName(d["variables"], "W"), nullptr);
  EXPECT_NE(FindByName(d["variables"], "b"), nullptr);

  CliRun t = Tfport("inspect --json --tensor W " +
                 Q(testing::FixturePath("tfonnx_regression_saved_model")));
  ASSERT_EQ(t.exit_code, 0) << t.err;
  // CATALOG.md: W = 0.21396178 (8 significant digits).
  EXPECT_NEAR(Json(t.out)["values"].GetDouble(), 0.21396178, 5e-9);
}

TEST(InspectCli, GraphDefInputsOutputsAndOps) {
  TFPORT_REQUIRE_FIXTURE("rust_addition/model.pb");
  CliRun r = Tfport("inspect --json " + Q(testing::FixturePath("rust_addition/model.pb")));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto d = Json(r.out);
  EXPECT_STREQ(d["kind"].GetString(), "graph");
  // CATALOG.md rust_addition: ops AddV2, Placeholder; z = x + y, int32
  // scalars; GraphDef producer 1882.
  EXPECT_EQ(d["producer"].GetInt(), 1882);
  EXPECT_EQ(d["ops"]["AddV2"].GetInt(), 1);
  EXPECT_EQ(d["ops"]["Placeholder"].GetInt(), 2);
  ASSERT_EQ(d["inputs"].Size(), 2u);
  for (const char* name : {"x:0", "y:0"}) {
    const auto* in = FindByName(d["inputs"], name);
    ASSERT_NE(in, nullptr) << name;
    EXPECT_STREQ((*in)["dtype"].GetString(), "int32");
  }
  ASSERT_EQ(d["outputs"].Size(), 1u);
  EXPECT_STREQ(d["outputs"][0].GetString(), "z");
}

TEST(InspectCli, MetaGraphVariablesAndLegacySaver) {
  TFPORT_REQUIRE_FIXTURE("serving_bad_half_plus_two/00000123/export.meta");
  CliRun r = Tfport("inspect --json " +
                 Q(testing::FixturePath("serving_bad_half_plus_two/00000123/export.meta")));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto d = Json(r.out);
  EXPECT_STREQ(d["kind"].GetString(), "meta_graph");
  // CATALOG.md: saver_def.version=0 (LEGACY); variables Variable, Variable_1
  // float[]; ops include RestoreSlice and SaveSlices.
  EXPECT_EQ(d["saver_def"]["version"].GetInt(), 0);
  const auto& g = d["graph"];
  EXPECT_EQ(g["variables"].Size(), 2u);
  EXPECT_TRUE(g["ops"].HasMember("SaveSlices"));
  EXPECT_TRUE(g["ops"].HasMember("RestoreSlice"));
}

TEST(InspectCli, TextGraphDef) {
  TFPORT_REQUIRE_FIXTURE("ocaml_load/load.pbtxt");
  CliRun r = Tfport("inspect --json " + Q(testing::FixturePath("ocaml_load/load.pbtxt")));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto d = Json(r.out);
  // CATALOG.md ocaml_load: 3-node graph Add, Const, Placeholder; x float[3].
  EXPECT_EQ(d["node_count"].GetInt(), 3);
  EXPECT_EQ(d["ops"]["Add"].GetInt(), 1);
  ASSERT_EQ(d["inputs"].Size(), 1u);
  EXPECT_STREQ(d["inputs"][0]["dtype"].GetString(), "float32");
}

TEST(InspectCli, ErrorsGoToStderrWithExitCode1) {
  testing::TempDir tmp;
  CliRun r = Tfport("inspect " + tmp.Join("no_such_model"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(r.out.empty());
  EXPECT_NE(r.err.find("no_such_model"), std::string::npos) << r.err;

  TFPORT_REQUIRE_FIXTURE("antadlp_save_net_v2/save_net.ckpt.index");
  CliRun k = Tfport("inspect --tensor nope " +
                 Q(testing::FixturePath("antadlp_save_net_v2/save_net.ckpt")));
  EXPECT_EQ(k.exit_code, 1);
  EXPECT_NE(k.err.find("Key nope not found in checkpoint"), std::string::npos) << k.err;
}

}  // namespace
}  // namespace tfport
