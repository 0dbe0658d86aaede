// Saver: save, restore, retention, import_meta_graph, V1 and sharded
// variants, and errors (issue #4).
//
// Expected values: the seed workflow's numbers are hand arithmetic (b = 1;
// 5*5+1 = 26; 26*2 = 52); file names and the `checkpoint` file contents
// follow formats.md §1.1, §2.1-§2.4; node names and SaverDef fields follow
// formats.md §4.2; error texts are TensorFlow's (saver.py, save_restore_v2_ops.cc).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "support/files.h"
#include "support/status_matchers.h"
#include "support/temp_dir.h"
#include "tfport/graph/ops.h"
#include "tfport/io/bundle.h"
#include "tfport/io/checkpoint_reader.h"
#include "tfport/io/checkpoint_state.h"
#include "tfport/kernels/kernels.h"
#include "tfport/saver/meta_graph.h"
#include "tfport/saver/saver.h"

namespace tfport {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;
using tfport::testing::ListDir;
using tfport::testing::ReadAll;
using tfport::testing::StatusIs;
using tfport::testing::TempDir;

// The seed graph: sum = x*y + b, b = 1 (int32).
struct Seed {
  graph::Graph g;
  ops::Var b;
  graph::Output sum;
  explicit Seed(bool resource = false) {
    auto x = ops::Placeholder(g, DT_INT32, Shape{}, "input_x");
    auto y = ops::Placeholder(g, DT_INT32, Shape{}, "input_y");
    b = ops::Variable(g, Tensor::Scalar<int32_t>(1), "b", {.resource = resource});
    sum = ops::Op(g, {"Add", {ops::Op(g, {"Mul", {x, y}}), b.value}, {}, {}, "sum"});
    ops::GlobalVariablesInitializer(g);
  }
};

std::vector<std::pair<std::string, Tensor>> XY(int x, int y) {
  return {{"input_x:0", Tensor::Scalar<int32_t>(x)}, {"input_y:0", Tensor::Scalar<int32_t>(y)}};
}

Tensor Fetch(runtime::Session& s, const std::string& name) {
  std::vector<Tensor> out;
  Status st = s.Run({}, {name}, {}, &out);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return st.ok() ? out[0] : Tensor();
}

void RunTarget(runtime::Session& s, const std::string& target) {
  std::vector<Tensor> out;
  Status st = s.Run({}, {}, {target}, &out);
  ASSERT_TRUE(st.ok()) << st.ToString();
}

TEST(Saver, SeedWorkflowSaveThenImportMetaGraphInFreshGraph) {
  TempDir dir;
  const std::string save_path = dir.Join("model/model_save");
  {
    Seed s;
    auto saver = saver::Saver::Create(s.g);
    ASSERT_TRUE(saver.ok()) << saver.status().ToString();
    auto session = kernels::NewSession(s.g);
    RunTarget(*session, "init");
    auto path = (*saver)->Save(*session, save_path);
    ASSERT_TRUE(path.ok()) << path.status().ToString();
    EXPECT_EQ(*path, save_path);
  }
  // formats.md §1.1/§2.1: the bundle, the .meta and the state file.
  EXPECT_THAT(ListDir(dir.path() / "model"),
              UnorderedElementsAre("checkpoint", "model_save.data-00000-of-00001",
                                   "model_save.index", "model_save.meta"));
  EXPECT_EQ(ReadAll(dir.Join("model/checkpoint")),
            "model_checkpoint_path: \"" + save_path + "\"\nall_model_checkpoint_paths: \"" +
                save_path + "\"\n");

  // A fresh graph, as a second process would have.
  graph::Graph g;
  auto latest = io::LatestCheckpoint(dir.Join("model"));
  ASSERT_TRUE(latest.ok() && latest->has_value());
  auto saver = saver::ImportMetaGraph(g, **latest + ".meta");
  ASSERT_TRUE(saver.ok()) << saver.status().ToString();
  ASSERT_NE(*saver, nullptr);
  auto session = kernels::NewSession(g);
  ASSERT_TRUE((*saver)->Restore(*session, **latest).ok());
  EXPECT_EQ(Fetch(*session, "b:0").scalar<int32_t>(), 1);
  // Extend the imported graph and run it: (5*5 + 1) * 2 = 52.
  auto sum = g.GetTensorByName("sum:0");
  ASSERT_TRUE(sum.ok());
  ops::Op(g, {"Mul", {*sum, ops::Const(g, int32_t{2})}, {}, {}, "multiply"});
  ASSERT_TRUE(g.status().ok());
  std::vector<Tensor> out;
  ASSERT_TRUE(session->Run(XY(5, 5), {"sum:0", "multiply:0"}, {}, &out).ok());
  EXPECT_EQ(out[0].scalar<int32_t>(), 26);
  EXPECT_EQ(out[1].scalar<int32_t>(), 52);
}

TEST(Saver, SubgraphNodesAndSaverDefMatchTensorFlow) {
  Seed s;
  auto saver = saver::Saver::Create(s.g);
  ASSERT_TRUE(saver.ok()) << saver.status().ToString();
  const tf::SaverDef& def = (*saver)->saver_def();
  // formats.md §4.2 (a): defaults of a TF1 Saver.
  EXPECT_EQ(def.filename_tensor_name(), "save/Const:0");
  EXPECT_EQ(def.save_tensor_name(), "save/control_dependency:0");
  EXPECT_EQ(def.restore_op_name(), "save/restore_all");
  EXPECT_EQ(def.max_to_keep(), 5);
  EXPECT_EQ(def.keep_checkpoint_every_n_hours(), 10000.0f);
  EXPECT_FALSE(def.sharded());
  EXPECT_EQ(def.version(), tf::SaverDef::V2);
  std::vector<std::string> names;
  const tf::GraphDef gd = s.g.ToGraphDef();
  for (const auto& n : gd.node())
    if (n.name().rfind("save/", 0) == 0) names.push_back(n.name() + "=" + n.op());
  EXPECT_THAT(names, ElementsAre("save/filename/input=Const",
                                 "save/filename=PlaceholderWithDefault",
                                 "save/Const=PlaceholderWithDefault",
                                 "save/SaveV2/tensor_names=Const",
                                 "save/SaveV2/shape_and_slices=Const", "save/SaveV2=SaveV2",
                                 "save/control_dependency=Identity",
                                 "save/RestoreV2/tensor_names=Const",
                                 "save/RestoreV2/shape_and_slices=Const",
                                 "save/RestoreV2=RestoreV2", "save/Assign=Assign",
                                 "save/restore_all=NoOp"));
  // A second saver goes to save_1.
  auto second = saver::Saver::Create(s.g);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ((*second)->saver_def().filename_tensor_name(), "save_1/Const:0");
}

TEST(Saver, SaveRunsThroughTheGraphsSaveV2) {
  // Feeding save/Const:0 and fetching the save tensor by hand is a save.
  TempDir dir;
  Seed s;
  auto saver = saver::Saver::Create(s.g);
  ASSERT_TRUE(saver.ok());
  auto session = kernels::NewSession(s.g);
  RunTarget(*session, "init");
  std::vector<Tensor> out;
  ASSERT_TRUE(session
                  ->Run({{"save/Const:0", Tensor::Scalar<std::string>(dir.Join("by_hand"))}},
                        {"save/control_dependency:0"}, {}, &out)
                  .ok());
  EXPECT_EQ(out[0].scalar<std::string>(), dir.Join("by_hand"));
  auto reader = io::CheckpointReader::Open(dir.Join("by_hand"));
  ASSERT_TRUE(reader.ok());
  auto b = (*reader)->GetTensor("b");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->scalar<int32_t>(), 1);
}

TEST(Saver, GlobalStepNamingAndMaxToKeep) {
  TempDir dir;
  Seed s;
  auto saver = saver::Saver::Create(s.g, {.max_to_keep = 2});
  ASSERT_TRUE(saver.ok());
  auto session = kernels::NewSession(s.g);
  RunTarget(*session, "init");
  const std::string prefix = dir.Join("ckpt/model.ckpt");
  for (int step = 1; step <= 5; ++step) {
    auto path = (*saver)->Save(*session, prefix, {.global_step = step * 10});
    ASSERT_TRUE(path.ok()) << path.status().ToString();
    EXPECT_EQ(*path, prefix + "-" + std::to_string(step * 10));
  }
  // Only the last two checkpoints' files remain (formats.md §2.4).
  EXPECT_THAT(ListDir(dir.path() / "ckpt"),
              UnorderedElementsAre("checkpoint", "model.ckpt-40.index",
                                   "model.ckpt-40.data-00000-of-00001", "model.ckpt-40.meta",
                                   "model.ckpt-50.index",
                                   "model.ckpt-50.data-00000-of-00001", "model.ckpt-50.meta"));
  EXPECT_EQ(ReadAll(dir.Join("ckpt/checkpoint")),
            "model_checkpoint_path: \"" + prefix + "-50\"\nall_model_checkpoint_paths: \"" +
                prefix + "-40\"\nall_model_checkpoint_paths: \"" + prefix + "-50\"\n");
  EXPECT_THAT((*saver)->last_checkpoints(), ElementsAre(prefix + "-40", prefix + "-50"));
}

TEST(Saver, PadStepNumberAndRelativeStatePaths) {
  TempDir dir;
  Seed s;
  auto saver = saver::Saver::Create(s.g, {.pad_step_number = true, .save_relative_paths = true});
  ASSERT_TRUE(saver.ok());
  auto session = kernels::NewSession(s.g);
  RunTarget(*session, "init");
  auto path = (*saver)->Save(*session, dir.Join("m/model"), {.global_step = 7});
  ASSERT_TRUE(path.ok());
  EXPECT_EQ(*path, dir.Join("m/model-00000007"));
  EXPECT_EQ(ReadAll(dir.Join("m/checkpoint")),
            "model_checkpoint_path: \"model-00000007\"\n"
            "all_model_checkpoint_paths: \"model-00000007\"\n");
  auto latest = io::LatestCheckpoint(dir.Join("m"));
  ASSERT_TRUE(latest.ok() && latest->has_value());
  EXPECT_EQ(**latest, dir.Join("m/model-00000007"));
}

TEST(Saver, RestoreOverwritesChangedValuesRefAndResource) {
  for (bool resource : {false, true}) {
    SCOPED_TRACE(resource ? "resource" : "ref");
    TempDir dir;
    Seed s(resource);
    auto c = ops::Variable(s.g, Tensor::FromVector<float>({1.5f, -2.25f, 3.0f}, Shape{3}), "c",
                           {.resource = resource});
    ops::GlobalVariablesInitializer(s.g);  // "init_1" covers c too
    auto saver = saver::Saver::Create(s.g);
    ASSERT_TRUE(saver.ok()) << saver.status().ToString();
    auto session = kernels::NewSession(s.g);
    RunTarget(*session, "init_1");
    ASSERT_TRUE((*saver)->Save(*session, dir.Join("x")).ok());
    // Change both variables, then restore.
    graph::Node* set_b = resource ? ops::AssignVariableOp(s.g, s.b.variable, ops::Const(s.g, int32_t{9}))
                                  : ops::Assign(s.g, s.b.variable, ops::Const(s.g, int32_t{9})).node;
    ASSERT_NE(set_b, nullptr);
    RunTarget(*session, set_b->name());
    EXPECT_EQ(Fetch(*session, s.b.value.name()).scalar<int32_t>(), 9);
    ASSERT_TRUE((*saver)->Restore(*session, dir.Join("x")).ok());
    EXPECT_EQ(Fetch(*session, s.b.value.name()).scalar<int32_t>(), 1);
    Tensor cv = Fetch(*session, c.value.name());
    EXPECT_THAT(std::vector<float>(cv.flat<float>().begin(), cv.flat<float>().end()),
                ElementsAre(1.5f, -2.25f, 3.0f));
  }
}

TEST(Saver, VarListRestoresOnlyThoseVariables) {
  TempDir dir;
  Seed s;
  auto c = ops::Variable(s.g, Tensor::Scalar<float>(4.0f), "c");
  ops::GlobalVariablesInitializer(s.g);
  auto session = kernels::NewSession(s.g);
  RunTarget(*session, "init_1");
  auto all = saver::Saver::Create(s.g);
  ASSERT_TRUE(all.ok());
  ASSERT_TRUE((*all)->Save(*session, dir.Join("all")).ok());
  // A saver over c only, and a dict-form saver storing b under "bias".
  auto only_c = saver::Saver::Create(s.g, {.var_list = {"c"}});
  ASSERT_TRUE(only_c.ok());
  auto renamed = saver::Saver::Create(s.g, {.var_map = {{"bias", "b"}}});
  ASSERT_TRUE(renamed.ok());
  ASSERT_TRUE((*renamed)->Save(*session, dir.Join("renamed")).ok());
  auto reader = io::CheckpointReader::Open(dir.Join("renamed"));
  ASSERT_TRUE(reader.ok());
  EXPECT_TRUE((*reader)->HasTensor("bias"));
  EXPECT_FALSE((*reader)->HasTensor("b"));

  RunTarget(*session, ops::Assign(s.g, s.b.variable, ops::Const(s.g, int32_t{7})).node->name());
  RunTarget(*session, ops::Assign(s.g, c.variable, ops::Const(s.g, 8.0f)).node->name());
  ASSERT_TRUE((*only_c)->Restore(*session, dir.Join("all")).ok());
  EXPECT_EQ(Fetch(*session, "c:0").scalar<float>(), 4.0f);
  EXPECT_EQ(Fetch(*session, "b:0").scalar<int32_t>(), 7);  // untouched
  ASSERT_TRUE((*renamed)->Restore(*session, dir.Join("renamed")).ok());
  EXPECT_EQ(Fetch(*session, "b:0").scalar<int32_t>(), 1);
}

TEST(Saver, ShardedV2MergesIntoOnePrefixAndRemovesTempDir) {
  TempDir dir;
  Seed s;
  auto saver = saver::Saver::Create(s.g, {.sharded = true});
  ASSERT_TRUE(saver.ok()) << saver.status().ToString();
  const tf::SaverDef& def = (*saver)->saver_def();
  EXPECT_EQ(def.save_tensor_name(), "save/Identity:0");  // formats.md §4.2 (b)
  EXPECT_TRUE(def.sharded());
  for (const char* n : {"save/StringJoin/inputs_1", "save/StringJoin", "save/num_shards",
                        "save/ShardedFilename/shard", "save/ShardedFilename",
                        "save/MergeV2Checkpoints/checkpoint_prefixes",
                        "save/MergeV2Checkpoints", "save/restore_shard"})
    EXPECT_NE(s.g.FindNode(n), nullptr) << n;
  auto session = kernels::NewSession(s.g);
  RunTarget(*session, "init");
  auto path = (*saver)->Save(*session, dir.Join("d/model"), {.write_state = false});
  ASSERT_TRUE(path.ok()) << path.status().ToString();
  EXPECT_EQ(*path, dir.Join("d/model"));
  EXPECT_THAT(ListDir(dir.path() / "d"),
              UnorderedElementsAre("model.index", "model.data-00000-of-00001", "model.meta"));
  RunTarget(*session, ops::Assign(s.g, s.b.variable, ops::Const(s.g, int32_t{5})).node->name());
  ASSERT_TRUE((*saver)->Restore(*session, dir.Join("d/model")).ok());
  EXPECT_EQ(Fetch(*session, "b:0").scalar<int32_t>(), 1);
}

TEST(Saver, V1FormatUnshardedAndSharded) {
  for (bool sharded : {false, true}) {
    SCOPED_TRACE(sharded ? "sharded" : "single file");
    TempDir dir;
    Seed s;
    auto saver =
        saver::Saver::Create(s.g, {.sharded = sharded, .write_version = tf::SaverDef::V1});
    ASSERT_TRUE(saver.ok()) << saver.status().ToString();
    auto session = kernels::NewSession(s.g);
    RunTarget(*session, "init");
    auto path = (*saver)->Save(*session, dir.Join("v1/model"), {.global_step = 3});
    ASSERT_TRUE(path.ok()) << path.status().ToString();
    // formats.md §2.4: V1 sharded records the ShardedFilespec pattern.
    EXPECT_EQ(*path, sharded ? dir.Join("v1/model-3-\?\?\?\?\?-of-00001") : dir.Join("v1/model-3"));
    EXPECT_THAT(ListDir(dir.path() / "v1"),
                UnorderedElementsAre("checkpoint", sharded ? "model-3-00000-of-00001" : "model-3",
                                     "model-3.meta"));
    auto latest = io::LatestCheckpoint(dir.Join("v1"));
    ASSERT_TRUE(latest.ok() && latest->has_value());
    RunTarget(*session, ops::Assign(s.g, s.b.variable, ops::Const(s.g, int32_t{5})).node->name());
    ASSERT_TRUE((*saver)->Restore(*session, **latest).ok());
    EXPECT_EQ(Fetch(*session, "b:0").scalar<int32_t>(), 1);
    auto reader = io::CheckpointReader::Open(**latest);
    ASSERT_TRUE(reader.ok());
    EXPECT_EQ((*reader)->format(), io::CheckpointFormat::kV1);
  }
}

TEST(Saver, ImportMetaGraphUnderScopeWithClearDevices) {
  TempDir dir;
  {
    Seed s;
    s.g.default_device() = "/device:CPU:0";
    auto d = ops::Variable(s.g, Tensor::Scalar<float>(2.5f), "d");
    (void)d;
    auto saver = saver::Saver::Create(s.g);
    ASSERT_TRUE(saver.ok());
    auto session = kernels::NewSession(s.g);
    ops::GlobalVariablesInitializer(s.g);
    RunTarget(*session, "init_1");
    ASSERT_TRUE((*saver)->Save(*session, dir.Join("m")).ok());
  }
  graph::Graph g;
  auto saver = saver::ImportMetaGraph(g, dir.Join("m.meta"),
                                      {.clear_devices = true, .import_scope = "imported"});
  ASSERT_TRUE(saver.ok()) << saver.status().ToString();
  EXPECT_EQ((*saver)->saver_def().filename_tensor_name(), "imported/save/Const:0");
  ASSERT_NE(g.FindNode("imported/d"), nullptr);
  EXPECT_EQ(g.FindNode("imported/d")->def().device(), "");
  auto vars = ops::GlobalVariables(g);
  ASSERT_EQ(vars.size(), 2u);
  EXPECT_EQ(vars[0].variable_name(), "imported/b:0");
  EXPECT_EQ(vars[1].snapshot_name(), "imported/d/read:0");
  auto session = kernels::NewSession(g);
  ASSERT_TRUE((*saver)->Restore(*session, dir.Join("m")).ok());
  EXPECT_EQ(Fetch(*session, "imported/d:0").scalar<float>(), 2.5f);
}

TEST(Saver, ExportedMetaGraphCarriesShapesOpListAndCollections) {
  Seed s;
  auto saver = saver::Saver::Create(s.g);
  ASSERT_TRUE(saver.ok());
  auto meta = (*saver)->ExportMetaGraph();
  ASSERT_TRUE(meta.ok());
  std::vector<std::string> ops;
  for (const auto& op : meta->meta_info_def().stripped_op_list().op()) ops.push_back(op.name());
  EXPECT_THAT(ops, ElementsAre("Add", "Assign", "Const", "Identity", "Mul", "NoOp", "Placeholder",
                               "PlaceholderWithDefault", "RestoreV2", "SaveV2", "VariableV2"));
  // as_graph_def(add_shapes=True): every node with outputs lists their shapes
  // (TF 1.11's save/SaveV2 and restore_all, which have none, carry no attr).
  for (const auto& n : meta->graph_def().node()) {
    const bool has_outputs = n.op() != "NoOp" && n.op() != "SaveV2";
    EXPECT_EQ(n.attr().count("_output_shapes"), has_outputs ? 1u : 0u) << n.name();
  }
  auto sum = std::find_if(meta->graph_def().node().begin(), meta->graph_def().node().end(),
                          [](const tf::NodeDef& n) { return n.name() == "sum"; });
  ASSERT_NE(sum, meta->graph_def().node().end());
  EXPECT_EQ(sum->attr().at("_output_shapes").list().shape(0).dim_size(), 0);  // scalar
  EXPECT_EQ(meta->saver_def().restore_op_name(), "save/restore_all");
  EXPECT_TRUE(meta->collection_def().count("variables"));
  EXPECT_TRUE(meta->collection_def().count("trainable_variables"));
}

// ---------------------------------------------------------------- errors

TEST(SaverErrors, RestoreFromMissingPath) {
  TempDir dir;
  Seed s;
  auto saver = saver::Saver::Create(s.g);
  ASSERT_TRUE(saver.ok());
  auto session = kernels::NewSession(s.g);
  EXPECT_THAT((*saver)->Restore(*session, dir.Join("nothing")),
              StatusIs(Code::kInvalidArgument,
                       "The passed save_path is not a valid checkpoint: " + dir.Join("nothing")));
}

TEST(SaverErrors, MissingKeyNamesTheKey) {
  TempDir dir;
  Seed s;
  auto c = ops::Variable(s.g, Tensor::Scalar<float>(1.0f), "c");
  (void)c;
  ops::GlobalVariablesInitializer(s.g);
  auto session = kernels::NewSession(s.g);
  RunTarget(*session, "init_1");
  auto only_b = saver::Saver::Create(s.g, {.var_list = {"b"}});
  ASSERT_TRUE(only_b.ok());
  ASSERT_TRUE((*only_b)->Save(*session, dir.Join("b_only")).ok());
  auto both = saver::Saver::Create(s.g);
  ASSERT_TRUE(both.ok());
  EXPECT_THAT((*both)->Restore(*session, dir.Join("b_only")),
              StatusIs(Code::kNotFound, "Key c not found in checkpoint"));
}

TEST(SaverErrors, WrongDtypeAndShapeNameTheTensor) {
  TempDir dir;
  {
    // A checkpoint whose "b" is a float vector.
    auto w = io::BundleWriter::Create(dir.Join("bad"));
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->Add("b", Tensor::FromVector<float>({1, 2}, Shape{2})).ok());
    ASSERT_TRUE((*w)->Finish().ok());
    auto w2 = io::BundleWriter::Create(dir.Join("bad_shape"));
    ASSERT_TRUE(w2.ok());
    ASSERT_TRUE((*w2)->Add("b", Tensor::FromVector<int32_t>({1, 2}, Shape{2})).ok());
    ASSERT_TRUE((*w2)->Finish().ok());
  }
  Seed s;
  auto saver = saver::Saver::Create(s.g);
  ASSERT_TRUE(saver.ok());
  auto session = kernels::NewSession(s.g);
  EXPECT_THAT((*saver)->Restore(*session, dir.Join("bad")),
              StatusIs(Code::kInvalidArgument,
                       "tensor_name = b; expected dtype int32 does not equal original dtype float"));
  EXPECT_THAT((*saver)->Restore(*session, dir.Join("bad_shape")),
              StatusIs(Code::kInvalidArgument, "Assign requires shapes of both tensors to match"));
}

TEST(SaverErrors, DamagedDataFileAndMissingShard) {
  TempDir dir;
  Seed s;
  auto c = ops::Variable(s.g, Tensor::FromVector<float>({1, 2, 3, 4}, Shape{4}), "c");
  (void)c;
  ops::GlobalVariablesInitializer(s.g);
  auto saver = saver::Saver::Create(s.g);
  ASSERT_TRUE(saver.ok());
  auto session = kernels::NewSession(s.g);
  RunTarget(*session, "init_1");
  ASSERT_TRUE((*saver)->Save(*session, dir.Join("m")).ok());
  // The index now points past the end of the (truncated) data file.
  const std::string data = dir.Join("m.data-00000-of-00001");
  std::filesystem::resize_file(data, 6);
  EXPECT_THAT((*saver)->Restore(*session, dir.Join("m")),
              StatusIs(Code::kDataLoss, "m.data-00000-of-00001"));
  std::filesystem::remove(data);
  EXPECT_THAT((*saver)->Restore(*session, dir.Join("m")),
              StatusIs(Code::kNotFound, "m.data-00000-of-00001"));
}

TEST(SaverErrors, SaverDefNamingMissingNodes) {
  Seed s;
  auto saver = saver::Saver::Create(s.g);
  ASSERT_TRUE(saver.ok());
  auto meta = (*saver)->ExportMetaGraph();
  ASSERT_TRUE(meta.ok());
  meta->mutable_saver_def()->set_restore_op_name("save/restore_everything");
  graph::Graph g;
  EXPECT_THAT(saver::ImportMetaGraph(g, *meta),
              StatusIs(Code::kInvalidArgument, "save/restore_everything"));
  meta->mutable_saver_def()->set_filename_tensor_name("nowhere:0");
  graph::Graph g2;
  EXPECT_THAT(saver::ImportMetaGraph(g2, *meta), StatusIs(Code::kInvalidArgument, "nowhere:0"));
}

TEST(SaverErrors, DuplicateKeysAndNoVariables) {
  Seed s;
  EXPECT_THAT(saver::Saver::Create(s.g, {.var_list = {"b", "b"}}),
              StatusIs(Code::kInvalidArgument, "At least two variables have the same name: b"));
  EXPECT_THAT(saver::Saver::Create(s.g, {.var_list = {"sum"}}),
              StatusIs(Code::kInvalidArgument, "'sum' is not a variable"));
  graph::Graph empty;
  EXPECT_THAT(saver::Saver::Create(empty), StatusIs(Code::kInvalidArgument, "No variables to save"));
}

TEST(SaverFiles, MetaGraphFilenameStripsShardSuffix) {
  EXPECT_EQ(saver::MetaGraphFilename("a/model.ckpt-100"), "a/model.ckpt-100.meta");
  EXPECT_EQ(saver::MetaGraphFilename("export-\?\?\?\?\?-of-00002"), "export.meta");
  EXPECT_EQ(saver::MetaGraphFilename("export-00000-of-00001"), "export.meta");
}

}  // namespace
}  // namespace tfport
