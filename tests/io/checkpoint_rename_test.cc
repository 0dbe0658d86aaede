// Checkpoint key migration (io/checkpoint_rename.h): TF2 object paths <->
// TF1 variable names on real checkpoints written by TensorFlow. Tensor data
// must come back byte-identical; a rebuilt object graph must resolve every
// key along the same object path as the graph TensorFlow wrote.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>

#include "support/fixtures.h"
#include "support/status_matchers.h"
#include "support/temp_dir.h"
#include "tfport/core/str_util.h"
#include "tfport/io/bundle.h"
#include "tfport/io/checkpoint_rename.h"
#include "tfport/tf/trackable_object_graph.pb.h"

namespace tfport {
namespace {

using testing::FixturePath;
using testing::StatusIs;
using testing::TempDir;

const io::RenameRule kToTf1{"^(.*)/\\.ATTRIBUTES/VARIABLE_VALUE$", "$1"};
const io::RenameRule kToTf2{"^(.*)$", "$1/.ATTRIBUTES/VARIABLE_VALUE"};

std::map<std::string, Tensor> ReadAll(const std::string& prefix) {
  std::map<std::string, Tensor> out;
  auto r = io::BundleReader::Open(prefix);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (!r.ok()) return out;
  for (const std::string& k : (*r)->keys()) {
    auto t = (*r)->Lookup(k);
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    if (t.ok()) out.emplace(k, *t);
  }
  return out;
}

// key -> object path, by walking an object graph from its root.
std::map<std::string, std::string> PathsOf(const tf::TrackableObjectGraph& g) {
  std::map<std::string, std::string> out;
  std::vector<std::pair<int, std::string>> stack = {{0, ""}};
  while (!stack.empty()) {
    auto [id, path] = stack.back();
    stack.pop_back();
    const auto& node = g.nodes(id);
    for (const auto& a : node.attributes()) out[a.checkpoint_key()] = path;
    for (const auto& c : node.children())
      stack.emplace_back(c.node_id(), path.empty() ? c.local_name() : path + "/" + c.local_name());
  }
  return out;
}

tf::TrackableObjectGraph ObjectGraph(const std::map<std::string, Tensor>& all) {
  tf::TrackableObjectGraph g;
  auto it = all.find("_CHECKPOINTABLE_OBJECT_GRAPH");
  EXPECT_NE(it, all.end());
  if (it != all.end()) {
    EXPECT_TRUE(g.ParseFromString(it->second.scalar<std::string>()));
  }
  return g;
}

TEST(CheckpointRename, Tf2ToTf1AndBackOnTheVqVaeCheckpoint) {
  const std::string src = "amrutha_vqvae_tf2_ckpt/ckpt-1";
  TFPORT_REQUIRE_FIXTURE("amrutha_vqvae_tf2_ckpt/ckpt-1.index");
  TempDir tmp;
  const std::string tf1 = tmp.Join("tf1/model.ckpt"), tf2 = tmp.Join("tf2/ckpt-1");
  auto r1 = io::RenameCheckpointKeys(FixturePath(src).string(), tf1, {kToTf1});
  ASSERT_TRUE(r1.ok()) << r1.status().ToString();
  EXPECT_FALSE(r1->object_graph_written);
  auto r2 = io::RenameCheckpointKeys(tf1, tf2, {kToTf2});
  ASSERT_TRUE(r2.ok()) << r2.status().ToString();
  EXPECT_TRUE(r2->object_graph_written);

  const auto original = ReadAll(FixturePath(src).string());
  const auto names = ReadAll(tf1);
  const auto back = ReadAll(tf2);
  // TF1 form: the plain variable names, no object graph.
  EXPECT_EQ(names.count("_CHECKPOINTABLE_OBJECT_GRAPH"), 0u);
  ASSERT_TRUE(names.count("decoder/conv1/w"));
  ASSERT_TRUE(names.count("save_counter"));
  EXPECT_TRUE(BitwiseEqual(names.at("decoder/conv1/w"),
                           original.at("decoder/conv1/w/.ATTRIBUTES/VARIABLE_VALUE")));
  // Back in TF2 form: the same keys, every value bit for bit.
  ASSERT_EQ(back.size(), original.size());
  for (const auto& [k, t] : original) {
    if (k == "_CHECKPOINTABLE_OBJECT_GRAPH") continue;
    ASSERT_TRUE(back.count(k)) << k;
    EXPECT_TRUE(BitwiseEqual(back.at(k), t)) << k;
  }
  // The rebuilt graph puts every key at the object path TensorFlow's did.
  const auto theirs = PathsOf(ObjectGraph(original));
  const auto ours = PathsOf(ObjectGraph(back));
  ASSERT_FALSE(theirs.empty());
  for (const auto& [key, path] : theirs) {
    ASSERT_TRUE(ours.count(key)) << key;
    EXPECT_EQ(ours.at(key), path) << key;
  }
}

TEST(CheckpointRename, Tf1ToTf2AndBackIsByteIdentical) {
  const std::string src = "antadlp_save_net_v2/save_net.ckpt";
  TFPORT_REQUIRE_FIXTURE("antadlp_save_net_v2/save_net.ckpt.index");
  TempDir tmp;
  const std::string tf2 = tmp.Join("tf2/ckpt-1"), tf1 = tmp.Join("tf1/save_net.ckpt");
  ASSERT_TRUE(io::RenameCheckpointKeys(FixturePath(src).string(), tf2, {kToTf2}).ok());
  ASSERT_TRUE(io::RenameCheckpointKeys(tf2, tf1, {kToTf1}).ok());
  const auto original = ReadAll(FixturePath(src).string());
  const auto back = ReadAll(tf1);
  ASSERT_FALSE(original.empty());
  ASSERT_EQ(back.size(), original.size());
  for (const auto& [k, t] : original) {
    ASSERT_TRUE(back.count(k)) << k;
    EXPECT_TRUE(BitwiseEqual(back.at(k), t)) << k;
  }
  // The TF2 form in between resolves each variable by its path.
  const auto mid = ReadAll(tf2);
  const auto paths = PathsOf(ObjectGraph(mid));
  for (const auto& [k, t] : original) EXPECT_EQ(paths.at(k + "/.ATTRIBUTES/VARIABLE_VALUE"), k);
}

TEST(CheckpointRename, CollisionsAndBadPatternsAreRefused) {
  TFPORT_REQUIRE_FIXTURE("amrutha_vqvae_tf2_ckpt/ckpt-1.index");
  TempDir tmp;
  const std::string src = FixturePath("amrutha_vqvae_tf2_ckpt/ckpt-1").string();
  EXPECT_THAT(io::RenameCheckpointKeys(src, tmp.Join("x/c"), {{"^decoder/conv[12]/b(.*)$", "decoder/b$1"}})
                  .status(),
              StatusIs(Code::kInvalidArgument, "would both become 'decoder/b/.ATTRIBUTES/VARIABLE_VALUE'"));
  EXPECT_THAT(io::RenameCheckpointKeys(src, tmp.Join("y/c"), {{"(", "x"}}).status(),
              StatusIs(Code::kInvalidArgument, "is not a valid regex"));
  // Nothing was written for either.
  EXPECT_FALSE(std::filesystem::exists(tmp.Join("x/c.index")));
  EXPECT_FALSE(std::filesystem::exists(tmp.Join("y/c.index")));
}

}  // namespace
}  // namespace tfport
