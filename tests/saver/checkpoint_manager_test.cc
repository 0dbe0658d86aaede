// tf.train.CheckpointManager semantics (saver/checkpoint_manager.h). The
// expected `checkpoint` files are worked out by hand from TensorFlow's
// documented algorithm (formats.md §2: field order 1-4, Python float repr,
// relative paths; §2.4: numbering, max_to_keep, keep_checkpoint_every_n_hours)
// with a fake clock.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <deque>
#include <filesystem>
#include <fstream>

#include "support/fixtures.h"
#include "support/status_matchers.h"
#include "support/temp_dir.h"
#include "tfport/io/checkpoint_state.h"
#include "tfport/saver/checkpoint_manager.h"

namespace tfport {
namespace {

using saver::Checkpoint;
using saver::CheckpointManager;
using saver::CheckpointManagerOptions;
using saver::Trackable;
using testing::ReadFileOrDie;
using testing::StatusIs;
using testing::TempDir;

// A clock returning the given times in turn.
std::function<double()> Clock(std::deque<double> times) {
  auto q = std::make_shared<std::deque<double>>(std::move(times));
  return [q] {
    double t = q->front();
    if (q->size() > 1) q->pop_front();
    return t;
  };
}

Checkpoint Model(Trackable::Ptr* w_out = nullptr) {
  auto net = Trackable::Object();
  auto w = net->Track("w", Trackable::Variable("net/w", Tensor::FromVector<float>({1, 2, 3}, Shape{3})));
  if (w_out) *w_out = w;
  return Checkpoint({{"net", net}});
}

bool Exists(const TempDir& d, const std::string& ckpt) {
  return std::filesystem::exists(d.Join(ckpt + ".index")) &&
         std::filesystem::exists(d.Join(ckpt + ".data-00000-of-00001"));
}

TEST(CheckpointManager, NumbersKeepsAndRecordsTimestamps) {
  TempDir dir;
  Checkpoint ckpt = Model();
  CheckpointManagerOptions o;
  o.max_to_keep = 2;
  o.clock = Clock({1000.0, 1000.5, 1001.5, 1002.5});
  CheckpointManager manager(&ckpt, dir.path().string(), o);
  EXPECT_FALSE(manager.latest_checkpoint().has_value());
  for (int i = 1; i <= 3; ++i) {
    auto p = manager.Save();
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    EXPECT_EQ(*p, dir.Join("ckpt-" + std::to_string(i)));
  }
  EXPECT_FALSE(Exists(dir, "ckpt-1"));
  EXPECT_FALSE(std::filesystem::exists(dir.Join("ckpt-1.index")));
  EXPECT_TRUE(Exists(dir, "ckpt-2"));
  EXPECT_TRUE(Exists(dir, "ckpt-3"));
  // No existing state: last_preserved_timestamp is the construction time
  // minus one second.
  EXPECT_EQ(ReadFileOrDie(dir.Join("checkpoint")),
            "model_checkpoint_path: \"ckpt-3\"\n"
            "all_model_checkpoint_paths: \"ckpt-2\"\n"
            "all_model_checkpoint_paths: \"ckpt-3\"\n"
            "all_model_checkpoint_timestamps: 1001.5\n"
            "all_model_checkpoint_timestamps: 1002.5\n"
            "last_preserved_timestamp: 999.0\n");
  EXPECT_EQ(manager.checkpoints(), (std::vector<std::string>{dir.Join("ckpt-2"), dir.Join("ckpt-3")}));
  auto latest = io::LatestCheckpoint(dir.path().string());
  ASSERT_TRUE(latest.ok() && latest->has_value());
  EXPECT_EQ(**latest, dir.Join("ckpt-3"));
  EXPECT_EQ(ckpt.save_counter(), 3);
}

TEST(CheckpointManager, KeepCheckpointEveryNHoursPreservesOnePerPeriod) {
  TempDir dir;
  Checkpoint ckpt = Model();
  CheckpointManagerOptions o;
  o.max_to_keep = 1;
  o.keep_checkpoint_every_n_hours = 1.0;
  // Built at t=0 (last preserved: -1); saves at 100, 200, 4000, 8000, 8100, 8200.
  o.clock = Clock({0, 100, 200, 4000, 8000, 8100, 8200});
  CheckpointManager manager(&ckpt, dir.path().string(), o);
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(manager.Save().ok());
  // ckpt-1 (100) and ckpt-2 (200) fall out within the first hour; ckpt-3
  // (4000) is an hour past -1 and is preserved, so is ckpt-4 (8000, an hour
  // past 4000); ckpt-5 (8100) is not.
  EXPECT_FALSE(Exists(dir, "ckpt-1"));
  EXPECT_FALSE(Exists(dir, "ckpt-2"));
  EXPECT_TRUE(Exists(dir, "ckpt-3"));
  EXPECT_TRUE(Exists(dir, "ckpt-4"));
  EXPECT_FALSE(Exists(dir, "ckpt-5"));
  EXPECT_TRUE(Exists(dir, "ckpt-6"));
  EXPECT_EQ(ReadFileOrDie(dir.Join("checkpoint")),
            "model_checkpoint_path: \"ckpt-6\"\n"
            "all_model_checkpoint_paths: \"ckpt-6\"\n"
            "all_model_checkpoint_timestamps: 8200.0\n"
            "last_preserved_timestamp: 8000.0\n");
}

TEST(CheckpointManager, AnExistingDirectoryIsRecoveredAndRewrittenInTensorFlowsLayout) {
  TempDir dir;
  {
    Checkpoint first = Model();
    ASSERT_TRUE(first.Save(dir.Join("ckpt")).ok());  // ckpt-1
    ASSERT_TRUE(first.Save(dir.Join("ckpt")).ok());  // ckpt-2, save_counter 2
  }
  // The state file CheckpointManager(max_to_keep=2) wrote in Python.
  {
    std::ofstream f(dir.Join("checkpoint"));
    f << "model_checkpoint_path: \"ckpt-2\"\n"
         "all_model_checkpoint_paths: \"ckpt-1\"\n"
         "all_model_checkpoint_paths: \"ckpt-2\"\n"
         "all_model_checkpoint_timestamps: 1784015298.994252\n"
         "all_model_checkpoint_timestamps: 1784015301.5\n"
         "last_preserved_timestamp: 1784015297.25\n";
  }
  Trackable::Ptr w;
  Checkpoint ckpt = Model(&w);
  ASSERT_TRUE(w->Assign(Tensor::FromVector<float>({0, 0, 0}, Shape{3})).ok());
  CheckpointManagerOptions o;
  o.max_to_keep = 2;
  o.clock = Clock({1784015400.0, 1784015400.125});
  CheckpointManager manager(&ckpt, dir.path().string(), o);
  ASSERT_TRUE(manager.latest_checkpoint().has_value());
  EXPECT_EQ(*manager.latest_checkpoint(), dir.Join("ckpt-2"));
  auto restored = manager.RestoreOrInitialize();
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  ASSERT_TRUE(restored->has_value());
  EXPECT_TRUE((*restored)->AssertConsumed().ok()) << (*restored)->AssertConsumed().ToString();
  EXPECT_EQ(ckpt.save_counter(), 2);
  EXPECT_EQ(w->value()->flat<float>()[2], 3.0f);
  auto p = manager.Save();
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(*p, dir.Join("ckpt-3"));
  EXPECT_FALSE(Exists(dir, "ckpt-1"));
  EXPECT_EQ(ReadFileOrDie(dir.Join("checkpoint")),
            "model_checkpoint_path: \"ckpt-3\"\n"
            "all_model_checkpoint_paths: \"ckpt-2\"\n"
            "all_model_checkpoint_paths: \"ckpt-3\"\n"
            "all_model_checkpoint_timestamps: 1784015301.5\n"
            "all_model_checkpoint_timestamps: 1784015400.125\n"
            "last_preserved_timestamp: 1784015297.25\n");
}

TEST(CheckpointManager, KeepAllAndExplicitNumbers) {
  TempDir dir;
  Checkpoint ckpt = Model();
  CheckpointManagerOptions o;
  o.max_to_keep = std::nullopt;
  o.checkpoint_name = "model";
  o.clock = Clock({10, 11, 12, 13});
  CheckpointManager manager(&ckpt, dir.path().string(), o);
  ASSERT_TRUE(manager.Save().ok());
  auto p = manager.Save(100);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(*p, dir.Join("model-100"));
  EXPECT_EQ(ckpt.save_counter(), 2);  // incremented even with an explicit number
  ASSERT_TRUE(manager.Save().ok());   // model-3
  EXPECT_TRUE(Exists(dir, "model-1") && Exists(dir, "model-100") && Exists(dir, "model-3"));
  EXPECT_EQ(ReadFileOrDie(dir.Join("checkpoint")),
            "model_checkpoint_path: \"model-3\"\n"
            "all_model_checkpoint_paths: \"model-1\"\n"
            "all_model_checkpoint_paths: \"model-100\"\n"
            "all_model_checkpoint_paths: \"model-3\"\n"
            "all_model_checkpoint_timestamps: 11.0\n"
            "all_model_checkpoint_timestamps: 12.0\n"
            "all_model_checkpoint_timestamps: 13.0\n"
            "last_preserved_timestamp: 9.0\n");
}

TEST(CheckpointManager, ADamagedStateFileIsReportedAtSave) {
  TempDir dir;
  {
    std::ofstream f(dir.Join("checkpoint"));
    f << "model_checkpoint_path: \"ckpt-2\n";  // unterminated string
  }
  Checkpoint ckpt = Model();
  CheckpointManager manager(&ckpt, dir.path().string());
  EXPECT_THAT(manager.Save(), StatusIs(Code::kDataLoss, "checkpoint"));
}

}  // namespace
}  // namespace tfport
