// SavedModelBuilder (issue #9): what it writes is checked against a
// TensorFlow-written SavedModel of the same vintage (the TF 1.11
// tfonnx_regression_saved_model fixture), against the layout formats.md §4.7
// / §4.9 describes, and by loading it back.
#include <gmock/gmock.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "support/files.h"
#include "support/fixtures.h"
#include "support/status_matchers.h"
#include "support/temp_dir.h"
#include "tfport/graph/ops.h"
#include "tfport/io/checkpoint_reader.h"
#include "tfport/io/file.h"
#include "tfport/kernels/kernels.h"
#include "tfport/saved_model/builder.h"
#include "tfport/saved_model/constants.h"
#include "tfport/saved_model/loader.h"
#include "tfport/saved_model/signature_def_utils.h"

namespace tfport {
namespace {

namespace fs = std::filesystem;
using saved_model::MetaGraphOptions;
using saved_model::SavedModelBuilder;
using testing::FixturePath;
using testing::StatusIs;

// Relative paths of every file under `root`.
std::set<std::string> FilesUnder(const fs::path& root) {
  std::set<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(root))
    if (e.is_regular_file()) out.insert(fs::relative(e.path(), root).string());
  return out;
}

bool SameProto(const google::protobuf::Message& a, const google::protobuf::Message& b) {
  return google::protobuf::util::MessageDifferencer::Equals(a, b);
}

// The names of the fields a message sets, e.g. {"graph_def", "saver_def"}.
std::set<std::string> SetFields(const google::protobuf::Message& m) {
  std::vector<const google::protobuf::FieldDescriptor*> fields;
  m.GetReflection()->ListFields(m, &fields);
  std::set<std::string> out;
  for (const auto* f : fields) out.insert(f->name());
  return out;
}

// The brief's seed graph: sum = x * y + b with b = 1.
struct Seed {
  graph::Graph g;
  std::unique_ptr<runtime::Session> session;
  graph::Output x, y, sum;
  Seed() {
    x = ops::Placeholder(g, DT_INT32, Shape{}, "input_x");
    y = ops::Placeholder(g, DT_INT32, Shape{}, "input_y");
    auto b = ops::Variable(g, Tensor::Scalar<int32_t>(1), "b");
    sum = ops::Op(g, {"Add", {ops::Op(g, {"Mul", {x, y}}), b.value}, {}, {}, "sum"});
    graph::Node* init = ops::GlobalVariablesInitializer(g);
    EXPECT_TRUE(g.status().ok()) << g.status().ToString();
    session = kernels::NewSession(g);
    std::vector<Tensor> out;
    EXPECT_TRUE(session->Run({}, {}, {init->name()}, &out).ok());
  }
};

TEST(SavedModelBuilder, SeedGraphWritesTensorFlowsLayoutAndLoadsBack) {
  testing::TempDir dir;
  const std::string export_dir = dir.Join("test/savemodel");
  Seed seed;
  auto builder = SavedModelBuilder::Create(export_dir);
  ASSERT_TRUE(builder.ok()) << builder.status().ToString();
  auto sig = saved_model::PredictSignatureDef({{"x", seed.x}, {"y", seed.y}}, {{"sum", seed.sum}});
  ASSERT_TRUE(sig.ok());
  ASSERT_TRUE((*builder)->AddMetaGraphAndVariables(*seed.session, seed.g, {"serve"},
                                                   {.signature_def_map = {{"serving_default", *sig}}})
                  .ok());
  // Nothing is visible at export_dir until Save().
  EXPECT_FALSE(fs::exists(export_dir));
  auto path = (*builder)->Save();
  ASSERT_TRUE(path.ok()) << path.status().ToString();
  EXPECT_EQ(*path, export_dir + "/saved_model.pb");
  // formats.md §4.7: saved_model.pb and the one-shard variables bundle.
  EXPECT_EQ(FilesUnder(export_dir),
            (std::set<std::string>{"saved_model.pb", "variables/variables.index",
                                   "variables/variables.data-00000-of-00001"}));
  EXPECT_EQ(testing::ListDir(dir.Join("test")), (std::set<std::string>{"savemodel"}));
  auto reader = io::CheckpointReader::Open(export_dir + "/variables/variables");
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ((*reader)->GetTensor("b")->scalar<int32_t>(), 1);

  // In a fresh bundle: by tag, restored, signature runs: 5 * 5 + 1 = 26.
  auto b = saved_model::Load({}, {"serve"}, export_dir);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_TRUE((*b)->variables_restored());
  auto out = (*b)->Run("serving_default", {{"x", Tensor::Scalar<int32_t>(5)},
                                           {"y", Tensor::Scalar<int32_t>(5)}});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->at("sum").scalar<int32_t>(), 26);
  EXPECT_TRUE(SameProto((*b)->meta_graph_def().signature_def().at("serving_default"), *sig));
}

TEST(SavedModelBuilder, MatchesTensorFlow111RegressionSavedModel) {
  const char* fixture = "tfonnx_regression_saved_model";
  TFPORT_REQUIRE_FIXTURE(fixture);
  auto theirs_sm = saved_model::ReadSavedModel(FixturePath(fixture).string());
  ASSERT_TRUE(theirs_sm.ok());
  const tf::MetaGraphDef& theirs = theirs_sm->meta_graphs(0);

  // The same model as tfonnx's regression script: pred = X * W + b, with the
  // script's own Saver in the graph before the builder adds its sharded one
  // (TF 1.11's SavedModelBuilder; layout of that vintage).
  graph::Graph g;
  auto X = ops::Placeholder(g, DT_FLOAT, Shape::UnknownRank(), "X");
  auto W = ops::Variable(g, Tensor::Scalar<float>(0.21396178f), "W");
  auto b = ops::Variable(g, Tensor::Scalar<float>(1.0495254f), "b");
  auto pred = ops::Op(g, {"Add", {ops::Op(g, {"Mul", {X, W.value}}), b.value}, {}, {}, "pred"});
  graph::Node* init = ops::GlobalVariablesInitializer(g);
  ASSERT_TRUE(saver::Saver::Create(g, {.tf1_11_layout = true}).ok());  // the script's `save`
  auto saver = saver::Saver::Create(g, {.sharded = true, .tf1_11_layout = true});
  ASSERT_TRUE(saver.ok()) << saver.status().ToString();
  ASSERT_TRUE(g.status().ok());
  auto session = kernels::NewSession(g);
  std::vector<Tensor> ignored;
  ASSERT_TRUE(session->Run({}, {}, {init->name()}, &ignored).ok());

  testing::TempDir dir;
  auto builder = SavedModelBuilder::Create(dir.Join("regression"));
  ASSERT_TRUE(builder.ok());
  auto sig = saved_model::PredictSignatureDef({{"X", X}}, {{"pred", pred}});
  ASSERT_TRUE(sig.ok());
  ASSERT_TRUE((*builder)
                  ->AddMetaGraphAndVariables(*session, g, {"serve"},
                                             {.signature_def_map = {{"serving_default", *sig}},
                                              .saver = saver->get()})
                  .ok());
  ASSERT_TRUE((*builder)->Save().ok());
  auto ours_sm = saved_model::ReadSavedModel(dir.Join("regression"));
  ASSERT_TRUE(ours_sm.ok());
  const tf::MetaGraphDef& ours = ours_sm->meta_graphs(0);

  // Same files.
  EXPECT_EQ(FilesUnder(dir.Join("regression")), FilesUnder(FixturePath(fixture)));
  // Same MetaGraphDef and MetaInfoDef fields.
  EXPECT_EQ(SetFields(ours), SetFields(theirs));
  EXPECT_EQ(SetFields(ours.meta_info_def()), SetFields(theirs.meta_info_def()));
  EXPECT_EQ(ours.meta_info_def().tags(0), "serve");
  // Same collection keys, but for train_op, which the fixture's training
  // script added itself.
  std::set<std::string> their_keys, our_keys;
  for (const auto& [k, v] : theirs.collection_def()) their_keys.insert(k);
  for (const auto& [k, v] : ours.collection_def()) our_keys.insert(k);
  their_keys.erase("train_op");
  EXPECT_EQ(our_keys, their_keys);
  // The same SaverDef, field for field.
  EXPECT_TRUE(SameProto(ours.saver_def(), theirs.saver_def()));
  EXPECT_EQ(ours.saver_def().filename_tensor_name(), "save_1/Const:0");
  // The same save_1 nodes (name and op).
  auto save1 = [](const tf::MetaGraphDef& m) {
    std::set<std::pair<std::string, std::string>> s;
    for (const auto& n : m.graph_def().node())
      if (n.name().starts_with("save_1/")) s.emplace(n.name(), n.op());
    return s;
  };
  EXPECT_EQ(save1(ours), save1(theirs));
  EXPECT_EQ(save1(ours).size(), 20u);
  // The same signature (names, dtypes, unknown-rank shapes, method).
  EXPECT_TRUE(SameProto(ours.signature_def().at("serving_default"),
                        theirs.signature_def().at("serving_default")));

  // Both load and agree: pred(5) = 0.21396178 * 5 + 1.0495254.
  for (std::string where : {dir.Join("regression"), FixturePath(fixture).string()}) {
    auto bundle = saved_model::Load({}, {"serve"}, where);
    ASSERT_TRUE(bundle.ok()) << bundle.status().ToString();
    auto out = (*bundle)->Run("serving_default", {{"X", Tensor::FromVector<float>({5}, Shape{1})}});
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    EXPECT_NEAR(out->at("pred").flat<float>()[0], 0.21396178 * 5 + 1.0495254, 1e-6) << where;
  }
}

TEST(SavedModelBuilder, AssetsAndMainOp) {
  testing::TempDir dir;
  const std::string source = dir.Join("vocab.txt");
  testing::WriteAll(source, "a\nb\n");
  graph::Graph g;
  auto asset = ops::Const(g, Tensor::Scalar<std::string>(source), "asset_path");
  g.AddToCollection("asset_filepaths", asset.name());
  auto holder = ops::Variable(g, Tensor::Scalar<std::string>(""), "vocab_file");
  graph::Node* main_op = ops::Group(g, {ops::Assign(g, holder.variable, asset).node}, "main_op");
  graph::Node* init = ops::GlobalVariablesInitializer(g);
  ASSERT_TRUE(g.status().ok()) << g.status().ToString();
  auto session = kernels::NewSession(g);
  std::vector<Tensor> ignored;
  ASSERT_TRUE(session->Run({}, {}, {init->name()}, &ignored).ok());

  const std::string export_dir = dir.Join("model");
  auto builder = SavedModelBuilder::Create(export_dir);
  ASSERT_TRUE(builder.ok());
  ASSERT_TRUE((*builder)
                  ->AddMetaGraphAndVariables(*session, g, {"serve"},
                                             {.assets_list = {asset}, .main_op = main_op->name()})
                  .ok());
  ASSERT_TRUE((*builder)->Save().ok());
  // formats.md §4.5/§4.9: the file is copied under its base name, recorded as
  // an AssetFileDef (tensor name only) in saved_model_assets, and the main op
  // in saved_model_main_op.
  EXPECT_EQ(testing::ReadAll(export_dir + "/assets/vocab.txt"), "a\nb\n");
  const tf::MetaGraphDef& meta = (*builder)->saved_model().meta_graphs(0);
  auto assets = saved_model::GetAssetFileDefs(meta);
  ASSERT_TRUE(assets.ok());
  ASSERT_EQ(assets->size(), 1u);
  EXPECT_EQ((*assets)[0].filename(), "vocab.txt");
  EXPECT_EQ((*assets)[0].tensor_info().name(), "asset_path:0");
  EXPECT_EQ(meta.collection_def().at("saved_model_assets").any_list().value(0).type_url(),
            "type.googleapis.com/tensorflow.AssetFileDef");
  EXPECT_EQ(meta.collection_def().at("saved_model_main_op").node_list().value(0), "main_op");

  // The loader feeds the asset tensor with the copied file's path when it
  // runs the main op, whatever path the graph's constant held.
  fs::remove(source);
  auto b = saved_model::Load({}, {"serve"}, export_dir);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  auto v = (*b)->session().Run({}, {"vocab_file:0"});
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ((*v)[0].scalar<std::string>(), export_dir + "/assets/vocab.txt");
}

TEST(SavedModelBuilder, SecondTagSetSharesTheVariablesAndTextFormat) {
  testing::TempDir dir;
  Seed seed;
  const std::string export_dir = dir.Join("two");
  auto builder = SavedModelBuilder::Create(export_dir);
  ASSERT_TRUE(builder.ok());
  EXPECT_THAT((*builder)->AddMetaGraph(seed.g, {"serve", "gpu"}),
              StatusIs(Code::kFailedPrecondition, "Please invoke `add_meta_graph_and_variables()` first."));
  ASSERT_TRUE((*builder)->AddMetaGraphAndVariables(*seed.session, seed.g, {"train"}).ok());
  EXPECT_THAT((*builder)->AddMetaGraphAndVariables(*seed.session, seed.g, {"train"}),
              StatusIs(Code::kFailedPrecondition, "Please invoke `add_meta_graph()` instead."));
  ASSERT_TRUE((*builder)->AddMetaGraph(seed.g, {"serve", "gpu"}, {.strip_default_attrs = true}).ok());
  ASSERT_TRUE((*builder)->Save(/*as_text=*/true).ok());
  EXPECT_TRUE(fs::exists(export_dir + "/saved_model.pbtxt"));
  EXPECT_FALSE(fs::exists(export_dir + "/saved_model.pb"));
  for (const saved_model::TagSet& tags : {saved_model::TagSet{"train"}, saved_model::TagSet{"gpu", "serve"}}) {
    auto b = saved_model::Load({}, tags, export_dir);
    ASSERT_TRUE(b.ok()) << b.status().ToString();
    auto v = (*b)->session().Run({}, {"b:0"});
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    EXPECT_EQ((*v)[0].scalar<int32_t>(), 1);
  }
  // strip_default_attrs: Assign's use_locking / validate_shape default to true
  // in its OpDef, so they are gone from the second MetaGraphDef only.
  auto sm = saved_model::ReadSavedModel(export_dir);
  ASSERT_TRUE(sm.ok());
  auto assign_attrs = [](const tf::MetaGraphDef& m) {
    for (const auto& n : m.graph_def().node())
      if (n.name() == "b/Assign") return n.attr().count("use_locking") + n.attr().count("validate_shape");
    return size_t{99};
  };
  EXPECT_FALSE(sm->meta_graphs(0).meta_info_def().stripped_default_attrs());
  EXPECT_TRUE(sm->meta_graphs(1).meta_info_def().stripped_default_attrs());
  EXPECT_EQ(assign_attrs(sm->meta_graphs(0)), 2u);
  EXPECT_EQ(assign_attrs(sm->meta_graphs(1)), 0u);
}

TEST(SavedModelBuilder, GraphWithoutVariablesWritesNoCheckpoint) {
  testing::TempDir dir;
  graph::Graph g;
  auto x = ops::Placeholder(g, DT_FLOAT, Shape{2}, "x");
  auto y = ops::Op(g, {"Add", {x, ops::Const(g, Tensor::FromVector<float>({1, 2}, Shape{2}))}, {}, {}, "y"});
  auto session = kernels::NewSession(g);
  auto builder = SavedModelBuilder::Create(dir.Join("m"));
  ASSERT_TRUE(builder.ok());
  auto sig = saved_model::PredictSignatureDef({{"x", x}}, {{"y", y}});
  ASSERT_TRUE((*builder)->AddMetaGraphAndVariables(*session, g, {"serve"},
                                                   {.signature_def_map = {{"serving_default", *sig}}})
                  .ok());
  ASSERT_TRUE((*builder)->Save().ok());
  // TensorFlow's Saver(allow_empty=True) saves nothing and exports no SaverDef.
  EXPECT_EQ(FilesUnder(dir.Join("m")), (std::set<std::string>{"saved_model.pb"}));
  EXPECT_TRUE(fs::is_directory(dir.Join("m/variables")));
  EXPECT_FALSE((*builder)->saved_model().meta_graphs(0).has_saver_def());
  auto b = saved_model::Load({}, {"serve"}, dir.Join("m"));
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  auto out = (*b)->Run("serving_default", {{"x", Tensor::FromVector<float>({10, 20}, Shape{2})}});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->at("y").flat<float>()[1], 22.0f);
}

TEST(SavedModelBuilder, Errors) {
  testing::TempDir dir;
  Seed seed;
  // An existing non-empty directory is refused (an empty one is fine).
  fs::create_directories(dir.Join("full"));
  testing::WriteAll(dir.Join("full/keep.txt"), "x");
  EXPECT_THAT(SavedModelBuilder::Create(dir.Join("full")),
              StatusIs(Code::kAlreadyExists, "Export directory already exists, and isn't empty"));
  EXPECT_EQ(testing::ReadAll(dir.Join("full/keep.txt")), "x");
  fs::create_directories(dir.Join("empty"));
  {
    auto b = SavedModelBuilder::Create(dir.Join("empty"));
    ASSERT_TRUE(b.ok());
    ASSERT_TRUE((*b)->AddMetaGraphAndVariables(*seed.session, seed.g, {"serve"}).ok());
    ASSERT_TRUE((*b)->Save().ok());
    EXPECT_TRUE(fs::exists(dir.Join("empty/saved_model.pb")));
  }
  // A builder dropped before Save() leaves nothing, not even its temp dir.
  {
    auto b = SavedModelBuilder::Create(dir.Join("dropped"));
    ASSERT_TRUE(b.ok());
    ASSERT_TRUE((*b)->AddMetaGraphAndVariables(*seed.session, seed.g, {"serve"}).ok());
  }
  EXPECT_EQ(testing::ListDir(dir.path()), (std::set<std::string>{"empty", "full"}));

  auto b = SavedModelBuilder::Create(dir.Join("bad"));
  ASSERT_TRUE(b.ok());
  tf::SignatureDef no_dtype;
  (*no_dtype.mutable_inputs())["x"].set_name("input_x:0");
  EXPECT_THAT((*b)->AddMetaGraphAndVariables(*seed.session, seed.g, {"serve"},
                                             {.signature_def_map = {{"s", no_dtype}}}),
              StatusIs(Code::kInvalidArgument, "signature 's': input 'x' must specify a dtype"));
  EXPECT_THAT((*b)->AddMetaGraphAndVariables(*seed.session, seed.g, {"serve"},
                                             {.assets_list = {seed.sum}}),
              StatusIs(Code::kInvalidArgument, "Asset tensor must be of type constant"));
  EXPECT_THAT((*b)->AddMetaGraphAndVariables(*seed.session, seed.g, {"serve"}, {.main_op = "nope"}),
              StatusIs(Code::kInvalidArgument, "main_op 'nope' is not an operation of the graph"));
}

}  // namespace
}  // namespace tfport
