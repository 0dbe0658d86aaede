// Crash safety (issue #4 acceptance): a process saving checkpoints with new
// step numbers is killed (SIGKILL) at random points; after every kill the
// `checkpoint` file must name a checkpoint that restores completely, with
// the values that step saved (every element == the step number).
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <thread>

#include "support/process.h"
#include "support/temp_dir.h"
#include "tfport/graph/ops.h"
#include "tfport/io/checkpoint_state.h"
#include "tfport/kernels/kernels.h"
#include "tfport/saver/saver.h"

namespace tfport {
namespace {

constexpr int kSaves = 100;

pid_t Spawn(const std::string& dir, int first, int last) {
  return testing::SpawnBuildTreeProgram("saver_crash_child", {dir, std::to_string(first), std::to_string(last)});
}

// Restores `path` into a graph like the child's and checks every value.
void ExpectCompleteCheckpoint(const std::string& path, int step) {
  graph::Graph g;
  for (int i = 0; i < 4; ++i)
    ops::Variable(g, *Tensor::Allocate(DT_FLOAT, Shape{1 << 18}), "v" + std::to_string(i));
  auto saver = saver::Saver::Create(g);
  ASSERT_TRUE(saver.ok());
  auto session = kernels::NewSession(g);
  Status s = (*saver)->Restore(*session, path);
  ASSERT_TRUE(s.ok()) << path << ": " << s.ToString();
  std::vector<Tensor> out;
  ASSERT_TRUE(session->Run({}, {"v0:0", "v1:0", "v2:0", "v3:0"}, {}, &out).ok());
  for (const Tensor& t : out)
    for (float x : t.flat<float>()) ASSERT_EQ(x, static_cast<float>(step)) << path;
}

TEST(SaverCrash, KilledMidSaveLeavesARestorableCheckpoint) {
  testing::TempDir dir;
  std::mt19937 rng(20261126);
  int next = 1, kills = 0, last_step = 0;
  // Kill at a random point within a window that widens whenever a round
  // saved nothing (so slow builds, ASan or Debug, still get through all
  // saves) and narrows when rounds make progress (so kills stay frequent).
  double window_us = 40000;
  for (int round = 0; round < 1000 && next <= kSaves; ++round) {
    pid_t pid = Spawn(dir.path().string(), next, kSaves);
    ASSERT_GT(pid, 0) << "cannot start saver_crash_child";
    std::this_thread::sleep_for(std::chrono::microseconds(
        std::uniform_int_distribution<int>(0, static_cast<int>(window_us))(rng)));
    if (kill(pid, SIGKILL) == 0) ++kills;
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    if (WIFEXITED(status)) {
      ASSERT_EQ(WEXITSTATUS(status), 0) << "the child failed";
    }
    auto latest = io::LatestCheckpoint(dir.path().string());
    ASSERT_TRUE(latest.ok()) << latest.status().ToString();
    if (!latest->has_value()) {
      ASSERT_EQ(last_step, 0) << "the state file lost its checkpoint";
      window_us *= 1.5;
      continue;
    }
    const std::string& path = **latest;
    int step = std::stoi(path.substr(path.rfind('-') + 1));
    ASSERT_GE(step, last_step);
    // Aim for a kill every save or two: narrow after progress, widen after none.
    window_us = step == last_step ? window_us * 1.5 : std::max(2000.0, window_us * 0.8);
    ExpectCompleteCheckpoint(path, step);
    last_step = step;
    next = step + 1;
  }
  EXPECT_EQ(last_step, kSaves);
  EXPECT_GT(kills, 10);
  std::printf("[ crash ] %d kills over %d saves\n", kills, kSaves);
}

}  // namespace
}  // namespace tfport
