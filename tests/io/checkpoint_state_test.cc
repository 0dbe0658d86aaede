// Unit tests for tfport/io/checkpoint_state.h.
//
// Expected values come from:
//  * formats.md §2.1: the real two-line `checkpoint` file and the line
//    layout (field-number order, `name: "value"` / `name: number`);
//  * Python's float repr, obtained while writing this test by running
//    `/usr/bin/python3 -c "print(repr(1784015298.994252))"` (and likewise
//    for 1700000000.0 -> 1700000000.0, 0.1 -> 0.1, 1e16 -> 1e+16,
//    123.5 -> 123.5, 1e-05 -> 1e-05, 2.5e-07 -> 2.5e-07,
//    1.7976931348623157e308 -> 1.7976931348623157e+308,
//    1.5e15 -> 1500000000000000.0);
//  * Python's os.path.relpath / os.path.join, run the same way:
//    relpath('train/model.ckpt-10', 'train') = 'model.ckpt-10',
//    relpath('/a/b/ckpt-3', '/a/b') = 'ckpt-3' (formats.md §2.2, §2.3).

#include "tfport/io/checkpoint_state.h"

#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/files.h"
#include "support/status_matchers.h"
#include "support/temp_dir.h"
#include "tfport/io/bundle.h"

namespace tfport::io {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using tfport::testing::TempDir;

using tfport::testing::StatusIs;
using tfport::testing::ReadAll;
using tfport::testing::WriteAll;
using tfport::testing::ListDir;


void MakeBundle(const std::string& prefix) {
  auto w = BundleWriter::Create(prefix);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  ASSERT_TRUE((*w)->Add("v", Tensor::Scalar<float>(1.0f)).ok());
  ASSERT_TRUE((*w)->Finish().ok());
}

// Runs a test body with the working directory set to `dir`.
class ScopedCwd {
 public:
  explicit ScopedCwd(const std::filesystem::path& dir) : old_(std::filesystem::current_path()) {
    std::filesystem::current_path(dir);
  }
  ~ScopedCwd() { std::filesystem::current_path(old_); }

 private:
  std::filesystem::path old_;
};

// ---------------------------------------------------------------- text

TEST(CheckpointStateTextTest, TwoLineRealFile) {
  // formats.md §2.1: real file, exactly these two lines (133 bytes).
  tf::CheckpointState state;
  state.set_model_checkpoint_path("/tmp/bad_half_plus_two/00000123/export");
  state.add_all_model_checkpoint_paths("/tmp/bad_half_plus_two/00000123/export");
  const std::string want =
      "model_checkpoint_path: \"/tmp/bad_half_plus_two/00000123/export\"\n"
      "all_model_checkpoint_paths: \"/tmp/bad_half_plus_two/00000123/export\"\n";
  EXPECT_EQ(want.size(), 133u);
  EXPECT_EQ(CheckpointStateToText(state), want);
}

TEST(CheckpointStateTextTest, TimestampsUsePythonRepr) {
  tf::CheckpointState state;
  state.set_model_checkpoint_path("ckpt-2");
  state.add_all_model_checkpoint_paths("ckpt-1");
  state.add_all_model_checkpoint_paths("ckpt-2");
  for (double t : {1784015298.994252, 1700000000.0, 0.1, 1e16, 123.5, 1e-05, 2.5e-07,
                   1.7976931348623157e308, 1.5e15})
    state.add_all_model_checkpoint_timestamps(t);
  state.set_last_preserved_timestamp(1700000000.0);
  // Field-number order (1, 2, 3, 4), formats.md §2.1; numbers from python3 repr().
  const std::string want =
      "model_checkpoint_path: \"ckpt-2\"\n"
      "all_model_checkpoint_paths: \"ckpt-1\"\n"
      "all_model_checkpoint_paths: \"ckpt-2\"\n"
      "all_model_checkpoint_timestamps: 1784015298.994252\n"
      "all_model_checkpoint_timestamps: 1700000000.0\n"
      "all_model_checkpoint_timestamps: 0.1\n"
      "all_model_checkpoint_timestamps: 1e+16\n"
      "all_model_checkpoint_timestamps: 123.5\n"
      "all_model_checkpoint_timestamps: 1e-05\n"
      "all_model_checkpoint_timestamps: 2.5e-07\n"
      "all_model_checkpoint_timestamps: 1.7976931348623157e+308\n"
      "all_model_checkpoint_timestamps: 1500000000000000.0\n"
      "last_preserved_timestamp: 1700000000.0\n";
  EXPECT_EQ(CheckpointStateToText(state), want);
}

TEST(CheckpointStateTextTest, EscapesStrings) {
  // formats.md §2.1: "strings in double quotes with C escapes". Python's
  // text_encoding.CEscape (as_utf8=False) keeps bytes 32..126, escapes
  // \n \r \t \" \' \\ and writes every other byte as 3-digit octal; "é" is
  // UTF-8 c3 a9 = octal 303 251 (hand conversion).
  tf::CheckpointState state;
  state.set_model_checkpoint_path("a\"b\\c\nd");
  state.add_all_model_checkpoint_paths("it's\t\xc3\xa9\x01");
  EXPECT_EQ(CheckpointStateToText(state),
            "model_checkpoint_path: \"a\\\"b\\\\c\\nd\"\n"
            "all_model_checkpoint_paths: \"it\\'s\\t\\303\\251\\001\"\n");
}

// ---------------------------------------------------------------- update

TEST(CheckpointStateTest, UpdateWithRelativeSaveDirWritesRelativePaths) {
  // formats.md §2.2: saving train/model.ckpt-10 from CWD writes model.ckpt-10.
  TempDir dir;
  std::filesystem::create_directory(dir.path() / "train");
  ScopedCwd cwd(dir.path());
  CheckpointStateUpdate u;
  u.save_dir = "train";
  u.model_checkpoint_path = "train/model.ckpt-10";
  u.all_model_checkpoint_paths = {"train/model.ckpt-5"};
  ASSERT_TRUE(UpdateCheckpointState(u).ok());
  EXPECT_EQ(ReadAll(dir.Join("train/checkpoint")),
            "model_checkpoint_path: \"model.ckpt-10\"\n"
            "all_model_checkpoint_paths: \"model.ckpt-5\"\n"
            "all_model_checkpoint_paths: \"model.ckpt-10\"\n");
}

TEST(CheckpointStateTest, UpdateWithAbsolutePathsKeepsThem) {
  TempDir dir;
  const std::string abs = dir.path().string();
  CheckpointStateUpdate u;
  u.save_dir = abs;
  u.model_checkpoint_path = abs + "/model.ckpt-2";
  u.all_model_checkpoint_paths = {abs + "/model.ckpt-1", abs + "/model.ckpt-2"};  // already last
  ASSERT_TRUE(UpdateCheckpointState(u).ok());
  EXPECT_EQ(ReadAll(dir.Join("checkpoint")),
            "model_checkpoint_path: \"" + abs + "/model.ckpt-2\"\n"
            "all_model_checkpoint_paths: \"" + abs + "/model.ckpt-1\"\n"
            "all_model_checkpoint_paths: \"" + abs + "/model.ckpt-2\"\n");
}

TEST(CheckpointStateTest, SaveRelativePathsConvertsAbsolute) {
  // formats.md §2.2 (CheckpointManager): absolute -> relative to save_dir.
  TempDir dir;
  const std::string abs = dir.path().string();
  CheckpointStateUpdate u;
  u.save_dir = abs;
  u.model_checkpoint_path = abs + "/ckpt-3";
  u.all_model_checkpoint_timestamps = {1700000000.0};
  u.last_preserved_timestamp = 123.5;
  u.save_relative_paths = true;
  ASSERT_TRUE(UpdateCheckpointState(u).ok());
  EXPECT_EQ(ReadAll(dir.Join("checkpoint")),
            "model_checkpoint_path: \"ckpt-3\"\n"
            "all_model_checkpoint_paths: \"ckpt-3\"\n"
            "all_model_checkpoint_timestamps: 1700000000.0\n"
            "last_preserved_timestamp: 123.5\n");
}

TEST(CheckpointStateTest, UpdateIsAtomicAndLeavesNoTempFiles) {
  TempDir dir;
  const std::string abs = dir.path().string();
  for (int step : {1, 2, 3}) {
    CheckpointStateUpdate u;
    u.save_dir = abs;
    u.model_checkpoint_path = abs + "/m-" + std::to_string(step);
    ASSERT_TRUE(UpdateCheckpointState(u).ok());
    EXPECT_EQ(ListDir(dir.path()), std::set<std::string>{"checkpoint"});
  }
  EXPECT_EQ(ReadAll(dir.Join("checkpoint")),
            "model_checkpoint_path: \"" + abs + "/m-3\"\n"
            "all_model_checkpoint_paths: \"" + abs + "/m-3\"\n");
}

TEST(CheckpointStateTest, UpdateCustomLatestFilename) {
  TempDir dir;
  CheckpointStateUpdate u;
  u.save_dir = dir.path().string();
  u.model_checkpoint_path = dir.Join("m");
  u.latest_filename = "my_state";
  ASSERT_TRUE(UpdateCheckpointState(u).ok());
  EXPECT_EQ(ListDir(dir.path()), std::set<std::string>{"my_state"});
  auto st = GetCheckpointState(dir.path().string(), "my_state");
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  ASSERT_TRUE(st->has_value());
  EXPECT_EQ((*st)->model_checkpoint_path(), dir.Join("m"));
}

TEST(CheckpointStateTest, UpdateRejectsStatePathAsCheckpoint) {
  // formats.md §2.2: error if the state file's own path equals the checkpoint path.
  TempDir dir;
  CheckpointStateUpdate u;
  u.save_dir = dir.path().string();
  u.model_checkpoint_path = dir.Join("checkpoint");
  EXPECT_THAT(UpdateCheckpointState(u), StatusIs(Code::kInvalidArgument, ""));
}

// ---------------------------------------------------------------- get / latest

TEST(CheckpointStateTest, GetJoinsRelativePathsToDir) {
  // formats.md §2.3 step 2: relative -> os.path.join(dir, p); absolute kept.
  TempDir dir;
  WriteAll(dir.Join("checkpoint"),
           "model_checkpoint_path: \"model.ckpt-5\"\n"
           "all_model_checkpoint_paths: \"/elsewhere/model.ckpt-1\"\n"
           "all_model_checkpoint_paths: \"model.ckpt-5\"\n"
           "all_model_checkpoint_timestamps: 1784015298.994252\n"
           "all_model_checkpoint_timestamps: 1e+16\n");
  auto st = GetCheckpointState(dir.path().string());
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  ASSERT_TRUE(st->has_value());
  const tf::CheckpointState& s = **st;
  EXPECT_EQ(s.model_checkpoint_path(), dir.Join("model.ckpt-5"));
  EXPECT_THAT(s.all_model_checkpoint_paths(),
              ElementsAre("/elsewhere/model.ckpt-1", dir.Join("model.ckpt-5")));
  EXPECT_THAT(s.all_model_checkpoint_timestamps(), ElementsAre(1784015298.994252, 1e16));
}

TEST(CheckpointStateTest, GetMissingFileIsNullopt) {
  TempDir dir;
  auto st = GetCheckpointState(dir.path().string());
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_FALSE(st->has_value());
}

TEST(CheckpointStateTest, GetGarbageIsDataLoss) {
  TempDir dir;
  WriteAll(dir.Join("checkpoint"), "this is { not a CheckpointState");
  EXPECT_THAT(GetCheckpointState(dir.path().string()),
              StatusIs(Code::kDataLoss, dir.Join("checkpoint")));
}

TEST(CheckpointStateTest, GetEmptyModelPathIsInvalid) {
  // formats.md §2.3 step 1: empty model_checkpoint_path -> ValueError.
  TempDir dir;
  WriteAll(dir.Join("checkpoint"), "all_model_checkpoint_paths: \"x\"\n");
  EXPECT_THAT(GetCheckpointState(dir.path().string()), StatusIs(Code::kInvalidArgument, ""));
}

TEST(CheckpointStateTest, LatestCheckpointRequiresIndex) {
  TempDir dir;
  const std::string d = dir.path().string();
  // No state file.
  auto none = LatestCheckpoint(d);
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_FALSE(none->has_value());

  // State file naming a checkpoint whose files do not exist.
  WriteAll(dir.Join("checkpoint"), "model_checkpoint_path: \"model.ckpt-5\"\n");
  auto missing = LatestCheckpoint(d);
  ASSERT_TRUE(missing.ok()) << missing.status().ToString();
  EXPECT_FALSE(missing->has_value());
  EXPECT_FALSE(CheckpointExists(dir.Join("model.ckpt-5")));

  // Now write the bundle: P.index exists -> P.
  MakeBundle(dir.Join("model.ckpt-5"));
  EXPECT_TRUE(CheckpointExists(dir.Join("model.ckpt-5")));
  auto found = LatestCheckpoint(d);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ(**found, dir.Join("model.ckpt-5"));
}

TEST(CheckpointStateTest, UpdateThenLatestRoundTrip) {
  TempDir dir;
  const std::string d = dir.path().string();
  MakeBundle(dir.Join("model.ckpt-1"));
  MakeBundle(dir.Join("model.ckpt-2"));
  CheckpointStateUpdate u;
  u.save_dir = d;
  u.model_checkpoint_path = dir.Join("model.ckpt-2");
  u.all_model_checkpoint_paths = {dir.Join("model.ckpt-1")};
  u.save_relative_paths = true;
  ASSERT_TRUE(UpdateCheckpointState(u).ok());
  auto latest = LatestCheckpoint(d);
  ASSERT_TRUE(latest.ok()) << latest.status().ToString();
  ASSERT_TRUE(latest->has_value());
  EXPECT_EQ(**latest, dir.Join("model.ckpt-2"));
}

TEST(CheckpointStateTest, PrefixInsteadOfDirectorySuggestsDirectory) {
  TempDir dir;
  const std::string prefix = dir.Join("model.ckpt-5");
  MakeBundle(prefix);
  WriteAll(dir.Join("checkpoint"), "model_checkpoint_path: \"model.ckpt-5\"\n");
  auto latest = LatestCheckpoint(prefix);
  EXPECT_THAT(latest, StatusIs(Code::kInvalidArgument, prefix));
  // The message suggests the directory that holds the state file.
  EXPECT_THAT(latest, StatusIs(Code::kInvalidArgument, "'" + dir.path().string() + "'"));
  EXPECT_THAT(GetCheckpointState(prefix), StatusIs(Code::kInvalidArgument, "directory"));
}

}  // namespace
}  // namespace tfport::io
