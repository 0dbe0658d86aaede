// tf.train.Checkpoint in C++ (saver/checkpoint.h) against the TF2
// checkpoints TensorFlow wrote: the VQ-VAE tf.train.Checkpoint, a Keras
// ModelCheckpoint with Adam slots, and Keras save_weights in two shards
// (fixture CATALOG.md). Expected structure, keys, shapes and values come from
// those files and the catalogue; save_counter and the `checkpoint` file
// follow TensorFlow's documented behaviour.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <string>

#include "support/fixtures.h"
#include "support/status_matchers.h"
#include "support/temp_dir.h"
#include "tfport/io/bundle.h"
#include "tfport/io/checkpoint_rename.h"
#include "tfport/io/checkpoint_state.h"
#include "tfport/saver/checkpoint.h"

namespace tfport {
namespace {

using saver::Checkpoint;
using saver::Trackable;
using testing::FixturePath;
using testing::ReadFileOrDie;
using testing::StatusIs;
using testing::TempDir;
using ::testing::HasSubstr;

constexpr char kVqVae[] = "amrutha_vqvae_tf2_ckpt";
constexpr char kKeras[] = "neginkanani_keras_cp_ckpt";
constexpr char kSharded[] = "rabbit_iris_keras_weights_sharded";

std::string Prefix(const char* fixture, const char* name) { return FixturePath(fixture).string() + "/" + name; }

tf::TrackableObjectGraph ObjectGraphIn(const std::string& prefix) {
  tf::TrackableObjectGraph g;
  auto r = io::BundleReader::Open(prefix);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (!r.ok()) return g;
  auto t = (*r)->Lookup(saver::kObjectGraphProtoKey);
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  if (t.ok()) {
    EXPECT_TRUE(g.ParseFromString(t->flat<std::string>()[0]));
  }
  return g;
}

Tensor Key(const std::string& prefix, const std::string& key) {
  auto r = io::BundleReader::Open(prefix);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  auto t = (*r)->Lookup(key);
  EXPECT_TRUE(t.ok()) << key << ": " << t.status().ToString();
  return t.ok() ? *t : Tensor();
}

bool SameBytes(const Tensor& a, const Tensor& b) {
  if (a.dtype() != b.dtype() || a.shape() != b.shape()) return false;
  if (a.dtype() == DT_STRING) return a.flat<std::string>()[0] == b.flat<std::string>()[0];
  auto x = a.bytes(), y = b.bytes();
  return x.size() == y.size() && std::memcmp(x.data(), y.data(), x.size()) == 0;
}

Tensor Zeros(Shape shape) { return Tensor(DT_FLOAT, std::move(shape)); }

// The VQ-VAE's objects as its Python program builds them (catalogue:
// encoder/decoder conv1..3 with w and b, vq_vae/embeddings [64, 512]; the
// shapes the catalogue elides follow from the entries' byte sizes; the
// variables' own names, "decoder/dec_1/w", are the object graph's
// full_name fields).
struct VqVae {
  Trackable::Ptr encoder = Trackable::Object(), decoder = Trackable::Object(), vq = Trackable::Object();
  std::map<std::string, Trackable::Ptr> vars;  // object path -> variable

  explicit VqVae(const std::function<Tensor(const std::string& path, Shape)>& value) {
    const struct {
      const char* part;
      Trackable::Ptr* obj;
      const char* prefix;
      Shape w[3];
      int64_t b[3];
    } parts[] = {{"decoder", &decoder, "dec", {{3, 3, 64, 128}, {4, 4, 64, 128}, {4, 4, 3, 64}}, {128, 64, 3}},
                 {"encoder", &encoder, "enc", {{4, 4, 3, 64}, {4, 4, 64, 128}, {3, 3, 128, 128}}, {64, 128, 128}}};
    for (const auto& p : parts)
      for (int i = 0; i < 3; ++i) {
        auto conv = (*p.obj)->Track("conv" + std::to_string(i + 1), Trackable::Object());
        const std::string path = std::string(p.part) + "/conv" + std::to_string(i + 1);
        const std::string name = std::string(p.part) + "/" + p.prefix + "_" + std::to_string(i + 1);
        vars[path + "/w"] = conv->Track("w", Trackable::Variable(name + "/w", value(path + "/w", p.w[i])));
        vars[path + "/b"] = conv->Track("b", Trackable::Variable(name + "/b", value(path + "/b", Shape{p.b[i]})));
      }
    vars["vq_vae/embeddings"] = vq->Track(
        "embeddings", Trackable::Variable("vector_quantizer/embeddings", value("vq_vae/embeddings", Shape{64, 512})));
  }
  Checkpoint MakeCheckpoint() const { return Checkpoint({{"vq_vae", vq}, {"encoder", encoder}, {"decoder", decoder}}); }
};

std::string ValueKey(const std::string& path) { return path + "/.ATTRIBUTES/VARIABLE_VALUE"; }

TEST(Checkpoint, AVqVaeBuiltInCppSavesTheBytesTensorFlowWrote) {
  TFPORT_REQUIRE_FIXTURE(kVqVae);
  const std::string fixture = Prefix(kVqVae, "ckpt-1");
  // The weights are the fixture's; everything else (objects, names, order
  // of the object graph, save_counter, keys, offsets, checksums) is ours.
  VqVae model([&](const std::string& path, Shape) { return Key(fixture, ValueKey(path)); });
  Checkpoint ckpt = model.MakeCheckpoint();
  TempDir dir;
  auto path = ckpt.Save(dir.Join("ckpt"));
  ASSERT_TRUE(path.ok()) << path.status().ToString();
  EXPECT_EQ(*path, dir.Join("ckpt-1"));
  EXPECT_EQ(ckpt.save_counter(), 1);
  EXPECT_EQ(ReadFileOrDie(dir.Join("ckpt-1.index")), ReadFileOrDie(fixture + ".index"));
  EXPECT_EQ(ReadFileOrDie(dir.Join("ckpt-1.data-00000-of-00001")),
            ReadFileOrDie(fixture + ".data-00000-of-00001"));
  // tf.train.Checkpoint.save points the state file at it, relative.
  EXPECT_EQ(ReadFileOrDie(dir.Join("checkpoint")),
            "model_checkpoint_path: \"ckpt-1\"\nall_model_checkpoint_paths: \"ckpt-1\"\n");
  auto second = ckpt.Save(dir.Join("ckpt"));
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*second, dir.Join("ckpt-2"));
  EXPECT_EQ(Key(*second, "save_counter/.ATTRIBUTES/VARIABLE_VALUE").scalar<int64_t>(), 2);
  auto latest = io::LatestCheckpoint(dir.path().string());
  ASSERT_TRUE(latest.ok() && latest->has_value());
  EXPECT_EQ(**latest, dir.Join("ckpt-2"));
}

TEST(Checkpoint, EveryTf2FixtureReloadsAndRewritesAsTensorFlowWroteIt) {
  // LoadObjects rebuilds the objects (DAG edges, Keras' "root" self edge,
  // optimizer slots), Write serializes them again: the object graph must be
  // TensorFlow's proto and every tensor the same bytes.
  for (auto [fixture, name] : {std::pair{kVqVae, "ckpt-1"}, {kKeras, "cp.ckpt"}, {kSharded, "model.ckpt"}}) {
    SCOPED_TRACE(fixture);
    if (!std::filesystem::exists(FixturePath(fixture))) GTEST_SKIP() << "fixture " << fixture << " not found";
    const std::string prefix = Prefix(fixture, name);
    auto root = saver::LoadObjects(prefix);
    ASSERT_TRUE(root.ok()) << root.status().ToString();
    TempDir dir;
    ASSERT_TRUE(Checkpoint::ForRoot(*root).Write(dir.Join("copy")).ok());
    const tf::TrackableObjectGraph theirs = ObjectGraphIn(prefix);
    tf::TrackableObjectGraph ours = ObjectGraphIn(dir.Join("copy"));
    // TensorFlow before 2.10 did not write has_checkpoint_values.
    if (!theirs.nodes(0).has_has_checkpoint_values())
      for (auto& n : *ours.mutable_nodes()) n.clear_has_checkpoint_values();
    EXPECT_EQ(ours.SerializeAsString(), theirs.SerializeAsString())
        << "ours:\n" << ours.DebugString().substr(0, 2000) << "\ntheirs:\n" << theirs.DebugString().substr(0, 2000);
    auto a = io::BundleReader::Open(prefix);
    auto b = io::BundleReader::Open(dir.Join("copy"));
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ((*a)->keys(), (*b)->keys());
    for (const std::string& k : (*a)->keys()) {
      if (k == saver::kObjectGraphProtoKey) continue;
      EXPECT_TRUE(SameBytes(*(*a)->Lookup(k), *(*b)->Lookup(k))) << k;
    }
  }
  // Single-shard bundles come out byte for byte.
  if (std::filesystem::exists(FixturePath(kKeras))) {
    auto root = saver::LoadObjects(Prefix(kKeras, "cp.ckpt"));
    ASSERT_TRUE(root.ok());
    TempDir dir;
    ASSERT_TRUE(Checkpoint::ForRoot(*root).Write(dir.Join("cp.ckpt")).ok());
    EXPECT_EQ(ReadFileOrDie(dir.Join("cp.ckpt.index")), ReadFileOrDie(Prefix(kKeras, "cp.ckpt.index")));
    EXPECT_EQ(ReadFileOrDie(dir.Join("cp.ckpt.data-00000-of-00001")),
              ReadFileOrDie(Prefix(kKeras, "cp.ckpt.data-00000-of-00001")));
  }
}

TEST(Checkpoint, RestoresTheVqVaeByObjectPath) {
  TFPORT_REQUIRE_FIXTURE(kVqVae);
  const std::string fixture = Prefix(kVqVae, "ckpt-1");
  VqVae model([](const std::string&, Shape s) { return Zeros(std::move(s)); });
  Checkpoint ckpt = model.MakeCheckpoint();
  // A directory restores its latest checkpoint; this fixture has no state
  // file, so the prefix is given.
  auto status = ckpt.Restore(fixture);
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  EXPECT_TRUE(status->AssertConsumed().ok()) << status->AssertConsumed().ToString();
  EXPECT_TRUE(status->AssertExistingObjectsMatched().ok());
  EXPECT_TRUE(status->Warnings().empty());
  EXPECT_EQ(status->restored_values(), 14);  // 12 conv weights, the embeddings, save_counter
  EXPECT_EQ(ckpt.save_counter(), 1);             // catalogue: save_counter=1
  for (const auto& [path, var] : model.vars) {
    auto v = var->value();
    ASSERT_TRUE(v.ok()) << path;
    EXPECT_TRUE(SameBytes(*v, Key(fixture, ValueKey(path)))) << path;
  }
  // Find walks the same paths.
  EXPECT_EQ(ckpt.root().Find("decoder/conv2/w"), model.vars["decoder/conv2/w"]);
}

// Keras' Dense 47-7-5-5-1 as the model's objects, without the optimizer.
Trackable::Ptr KerasDense(std::vector<Trackable::Ptr>* kernels = nullptr) {
  auto model = Trackable::Object();
  const int64_t widths[] = {47, 7, 5, 5, 1};
  for (int i = 0; i < 4; ++i) {
    auto layer = model->Track("layer_with_weights-" + std::to_string(i), Trackable::Object());
    model->Track("layer-" + std::to_string(i), layer);
    const std::string name = i == 0 ? "dense" : "dense_" + std::to_string(i);
    auto k = layer->Track("kernel", Trackable::Variable(name + "/kernel", Zeros(Shape{widths[i], widths[i + 1]})));
    layer->Track("bias", Trackable::Variable(name + "/bias", Zeros(Shape{widths[i + 1]})));
    if (kernels) kernels->push_back(k);
  }
  return model;
}

TEST(Checkpoint, AKerasCheckpointRestoredWithoutTheOptimizerIsPartial) {
  TFPORT_REQUIRE_FIXTURE(kKeras);
  const std::string fixture = Prefix(kKeras, "cp.ckpt");
  Checkpoint ckpt = Checkpoint::ForRoot(KerasDense());
  auto status = ckpt.Restore(fixture);
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  // Every live variable got its value ...
  EXPECT_TRUE(status->AssertExistingObjectsMatched().ok()) << status->AssertExistingObjectsMatched().ToString();
  EXPECT_TRUE(SameBytes(*ckpt.root().Find("layer-2/kernel")->value(),
                        Key(fixture, "layer_with_weights-2/kernel/.ATTRIBUTES/VARIABLE_VALUE")));
  // ... but the optimizer's values were not used, as TensorFlow reports.
  EXPECT_THAT(status->AssertConsumed(),
              StatusIs(Code::kFailedPrecondition, "Unresolved object in checkpoint (root).optimizer.iter"));
  const auto warnings = status->Warnings();
  ASSERT_FALSE(warnings.empty());
  EXPECT_EQ(warnings.front(), "Unresolved object in checkpoint: (root).optimizer.iter");
  EXPECT_THAT(warnings.back(), HasSubstr("expect_partial()"));
  EXPECT_TRUE(status->ExpectPartial().Warnings().empty());
}

TEST(Checkpoint, AnOptimizerGetsItsSlotsFromTheCheckpoint) {
  TFPORT_REQUIRE_FIXTURE(kKeras);
  const std::string fixture = Prefix(kKeras, "cp.ckpt");
  std::vector<Trackable::Ptr> kernels;
  auto model = KerasDense(&kernels);
  auto adam = model->Track("optimizer", Trackable::Object());
  for (const char* hyper : {"iter", "beta_1", "beta_2", "decay", "learning_rate"}) {
    const bool is_iter = std::string(hyper) == "iter";
    adam->Track(hyper, Trackable::Variable(std::string("Adam/") + hyper,
                                           is_iter ? Tensor::Scalar<int64_t>(0) : Tensor::Scalar<float>(0)));
  }
  auto status = Checkpoint::ForRoot(model).Restore(fixture);
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  EXPECT_TRUE(status->AssertConsumed().ok()) << status->AssertConsumed().ToString();
  // Slots m and v of all 8 variables, created with the checkpoint's values.
  EXPECT_EQ(adam->slots().size(), 16u);
  EXPECT_EQ(adam->slot_names(), (std::vector<std::string>{"m", "v"}));
  auto m = adam->slot(kernels[0].get(), "m");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->variable_name(), "Adam/dense/kernel/m");
  EXPECT_TRUE(SameBytes(*m->value(),
                        Key(fixture, "layer_with_weights-0/kernel/.OPTIMIZER_SLOT/optimizer/m/.ATTRIBUTES/VARIABLE_VALUE")));
  EXPECT_GT(adam->Find("iter")->value()->scalar<int64_t>(), 0);  // Keras counted its steps
}

TEST(Checkpoint, AKerasCheckpointMigratedToTf1NamesAndBackKeepsItsSlots) {
  // ckpt rename rebuilds the object graph from the keys, optimizer slots
  // included; the result restores into the Keras objects like the original.
  TFPORT_REQUIRE_FIXTURE(kKeras);
  const std::string fixture = Prefix(kKeras, "cp.ckpt");
  TempDir tmp;
  ASSERT_TRUE(io::RenameCheckpointKeys(fixture, tmp.Join("tf1/model.ckpt"),
                                       {{"^(.*)/\\.ATTRIBUTES/VARIABLE_VALUE$", "$1"}})
                  .ok());
  auto back = io::RenameCheckpointKeys(tmp.Join("tf1/model.ckpt"), tmp.Join("tf2/ckpt"),
                                       {{"^(.*)$", "$1/.ATTRIBUTES/VARIABLE_VALUE"}});
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE(back->object_graph_written);
  std::vector<Trackable::Ptr> kernels;
  auto model = KerasDense(&kernels);
  auto adam = model->Track("optimizer", Trackable::Object());
  for (const char* hyper : {"iter", "beta_1", "beta_2", "decay", "learning_rate"})
    adam->Track(hyper, Trackable::Variable(std::string("Adam/") + hyper, std::string(hyper) == "iter"
                                                                             ? Tensor::Scalar<int64_t>(0)
                                                                             : Tensor::Scalar<float>(0)));
  auto status = Checkpoint::ForRoot(model).Restore(tmp.Join("tf2/ckpt"));
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  EXPECT_TRUE(status->AssertConsumed().ok()) << status->AssertConsumed().ToString();
  EXPECT_EQ(adam->slots().size(), 16u);
  auto v = adam->slot(kernels[3].get(), "v");
  ASSERT_TRUE(v);
  EXPECT_TRUE(SameBytes(*v->value(),
                        Key(fixture, "layer_with_weights-3/kernel/.OPTIMIZER_SLOT/optimizer/v/.ATTRIBUTES/VARIABLE_VALUE")));
}

TEST(Checkpoint, ShardedKerasWeightsRestore) {
  TFPORT_REQUIRE_FIXTURE(kSharded);
  const std::string fixture = Prefix(kSharded, "model.ckpt");
  // Flatten -> Dense(128) -> Dense(3), catalogue shapes.
  auto model = Trackable::Object();
  auto d1 = model->Track("layer-1", Trackable::Object());
  auto d2 = model->Track("layer-2", Trackable::Object());
  d1->Track("kernel", Trackable::Variable("dense/kernel", Zeros(Shape{4, 128})));
  d1->Track("bias", Trackable::Variable("dense/bias", Zeros(Shape{128})));
  d2->Track("kernel", Trackable::Variable("dense_1/kernel", Zeros(Shape{128, 3})));
  d2->Track("bias", Trackable::Variable("dense_1/bias", Zeros(Shape{3})));
  // The directory's `checkpoint` file names model.ckpt.
  auto status = Checkpoint::ForRoot(model).Restore(FixturePath(kSharded).string());
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  EXPECT_TRUE(status->AssertExistingObjectsMatched().ok());
  EXPECT_TRUE(status->AssertNontrivialMatch().ok());
  EXPECT_TRUE(SameBytes(*model->Find("layer-2/kernel")->value(),
                        Key(fixture, "layer-2/kernel/.ATTRIBUTES/VARIABLE_VALUE")));
}

TEST(Checkpoint, MismatchesAreReportedAndNothingIsHalfRestored) {
  TFPORT_REQUIRE_FIXTURE(kVqVae);
  const std::string fixture = Prefix(kVqVae, "ckpt-1");
  {
    // An object the checkpoint does not have.
    VqVae model([](const std::string&, Shape s) { return Zeros(std::move(s)); });
    Checkpoint ckpt = model.MakeCheckpoint();
    model.decoder->Track("conv4", Trackable::Object())->Track("w", Trackable::Variable("decoder/dec_4/w", Zeros(Shape{2})));
    auto status = ckpt.Restore(fixture);
    ASSERT_TRUE(status.ok());
    EXPECT_THAT(status->AssertExistingObjectsMatched(),
                StatusIs(Code::kFailedPrecondition, "Found 1 Python objects that were not bound to checkpointed values"));
    EXPECT_THAT(status->AssertConsumed(), StatusIs(Code::kFailedPrecondition, "decoder/dec_4/w"));
  }
  {
    // A model built with other names matches nothing but the root.
    auto other = Trackable::Object();
    other->Track("net", Trackable::Object())->Track("w", Trackable::Variable("w", Zeros(Shape{2})));
    auto status = Checkpoint({{"model", other}}).Restore(fixture);
    ASSERT_TRUE(status.ok());
    EXPECT_THAT(status->AssertConsumed(), StatusIs(Code::kFailedPrecondition, "'w'"));
    // save_counter is created and restored; the 12 conv weights and the
    // embeddings are not.
    EXPECT_EQ(status->unresolved_checkpoint_objects().size(), 13u);
  }
  {
    // A wrong shape fails the restore, naming key and variable, and leaves
    // every variable as it was.
    VqVae model([](const std::string& path, Shape s) {
      return path == "encoder/conv3/b" ? Zeros(Shape{65}) : Zeros(std::move(s));
    });
    Checkpoint ckpt = model.MakeCheckpoint();
    auto status = ckpt.Restore(fixture);
    EXPECT_THAT(status, StatusIs(Code::kInvalidArgument, "Received incompatible tensor with shape [128]"));
    EXPECT_THAT(status, StatusIs(Code::kInvalidArgument, "encoder/conv3/b/.ATTRIBUTES/VARIABLE_VALUE"));
    auto w = model.vars["decoder/conv1/w"]->value();
    ASSERT_TRUE(w.ok());
    EXPECT_EQ(w->flat<float>()[0], 0.0f);
  }
  // A checkpoint that is not there.
  EXPECT_THAT(Checkpoint().Restore("/nonexistent/ckpt-3"), StatusIs(Code::kNotFound, "/nonexistent/ckpt-3"));
}

TEST(Checkpoint, ATf1CheckpointRestoresByVariableName) {
  // No object graph: TensorFlow falls back to matching variable names
  // (half_plus_two's a = 0.5, b = 2, c = 3; formats.md §1.13).
  const char* dir = "serving_saved_model_half_plus_two_cpu/00000123/variables/variables";
  TFPORT_REQUIRE_FIXTURE(std::string(dir) + ".index");
  auto a = Trackable::Variable("a", Tensor::Scalar<float>(0));
  auto b = Trackable::Variable("b", Tensor::Scalar<float>(0));
  auto extra = Trackable::Variable("not_in_checkpoint", Tensor::Scalar<float>(7));
  Checkpoint ckpt({{"a", a}, {"b", b}, {"x", extra}});
  auto status = ckpt.Restore(FixturePath(dir).string());
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  EXPECT_TRUE(status->name_based());
  EXPECT_EQ(a->value()->scalar<float>(), 0.5f);
  EXPECT_EQ(b->value()->scalar<float>(), 2.0f);
  EXPECT_THAT(status->AssertConsumed(), StatusIs(Code::kFailedPrecondition, "not_in_checkpoint"));
}

TEST(Checkpoint, HandBuiltGraphHasTensorFlowsShape) {
  // Slot ordering and key escaping, by hand: an object named "a.b/c" and an
  // optimizer with slots m, v of two variables.
  auto root = Trackable::Object();
  auto layer = root->Track("a.b/c", Trackable::Object());
  auto k = layer->Track("k", Trackable::Variable("k", Tensor::Scalar<float>(1)));
  auto q = layer->Track("q", Trackable::Variable("q", Tensor::Scalar<float>(2)));
  auto opt = root->Track("opt", Trackable::Object());
  for (const char* s : {"m", "v"})
    for (const auto& var : {k, q})
      opt->AddSlot(var, s, Trackable::Variable(var->variable_name() + "/" + s, Tensor::Scalar<float>(0)));
  auto g = saver::SerializeObjectGraph(*root);
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  std::vector<std::string> keys;
  for (const auto& [key, v] : g->values) keys.push_back(key);
  EXPECT_EQ(keys, (std::vector<std::string>{
                      "a..b.Sc/k/.ATTRIBUTES/VARIABLE_VALUE", "a..b.Sc/q/.ATTRIBUTES/VARIABLE_VALUE",
                      "a..b.Sc/k/.OPTIMIZER_SLOT/opt/m/.ATTRIBUTES/VARIABLE_VALUE",
                      "a..b.Sc/q/.OPTIMIZER_SLOT/opt/m/.ATTRIBUTES/VARIABLE_VALUE",
                      "a..b.Sc/k/.OPTIMIZER_SLOT/opt/v/.ATTRIBUTES/VARIABLE_VALUE",
                      "a..b.Sc/q/.OPTIMIZER_SLOT/opt/v/.ATTRIBUTES/VARIABLE_VALUE"}));
  // Nodes: root, layer, opt, k, q, then slots 5..8; the optimizer lists them.
  ASSERT_EQ(g->proto.nodes_size(), 9);
  EXPECT_EQ(g->proto.nodes(1).children(0).local_name(), "k");  // unescaped in the proto
  EXPECT_EQ(g->proto.nodes(0).children(0).local_name(), "a.b/c");
  ASSERT_EQ(g->proto.nodes(2).slot_variables_size(), 4);
  EXPECT_EQ(g->proto.nodes(2).slot_variables(1).original_variable_node_id(), 4);
  EXPECT_EQ(g->proto.nodes(2).slot_variables(1).slot_variable_node_id(), 6);
  EXPECT_TRUE(g->proto.nodes(2).has_checkpoint_values().value());
  // An object with nothing saved below it says so.
  root->Track("empty", Trackable::Object());
  auto g2 = saver::SerializeObjectGraph(*root);
  ASSERT_TRUE(g2.ok());
  EXPECT_TRUE(g2->proto.nodes(3).has_has_checkpoint_values());
  EXPECT_FALSE(g2->proto.nodes(3).has_checkpoint_values().value());
}

}  // namespace
}  // namespace tfport
