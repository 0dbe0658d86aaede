// Crash safety of SavedModelBuilder (issue #9): a process exporting
// SavedModels is killed (SIGKILL) at random points; after every kill, every
// directory that has appeared under its final name must load completely,
// with the values that export saved (every element == N for model mN).
// Half-written exports live only in hidden temporary directories.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <random>
#include <set>
#include <thread>

#include "support/process.h"
#include "support/temp_dir.h"
#include "tfport/saved_model/loader.h"

namespace tfport {
namespace {

constexpr int kExports = 40;

pid_t Spawn(const std::string& dir, int first, int last) {
  return testing::SpawnBuildTreeProgram("saved_model_crash_child", {dir, std::to_string(first), std::to_string(last)});
}

void ExpectComplete(const std::string& dir, int n) {
  auto b = saved_model::Load({}, {"serve"}, dir);
  ASSERT_TRUE(b.ok()) << dir << ": " << b.status().ToString();
  auto v = (*b)->session().Run({}, {"v0:0", "v1:0"});
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  for (const Tensor& t : *v)
    for (float x : t.flat<float>()) ASSERT_EQ(x, static_cast<float>(n)) << dir;
}

TEST(SavedModelCrash, KilledMidExportLeavesOnlyCompleteModels) {
  namespace fs = std::filesystem;
  testing::TempDir dir;
  std::mt19937 rng(20261202);
  int next = 1, kills = 0;
  std::set<int> checked;
  double window_us = 40000;  // widened when a round exported nothing
  for (int round = 0; round < 500 && next <= kExports; ++round) {
    pid_t pid = Spawn(dir.path().string(), next, kExports);
    ASSERT_GT(pid, 0) << "cannot start saved_model_crash_child";
    std::this_thread::sleep_for(std::chrono::microseconds(
        std::uniform_int_distribution<int>(0, static_cast<int>(window_us))(rng)));
    if (kill(pid, SIGKILL) == 0) ++kills;
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    if (WIFEXITED(status)) {
      ASSERT_EQ(WEXITSTATUS(status), 0) << "the child failed";
    }
    int highest = 0;
    for (const auto& e : fs::directory_iterator(dir.path())) {
      const std::string name = e.path().filename().string();
      if (name.starts_with(".")) {  // an interrupted export's temporary dir
        fs::remove_all(e.path());
        continue;
      }
      ASSERT_TRUE(name.starts_with("m")) << name;
      const int n = std::stoi(name.substr(1));
      highest = std::max(highest, n);
      if (checked.insert(n).second) ExpectComplete(e.path().string(), n);
    }
    window_us = highest < next ? window_us * 1.5 : std::max(2000.0, window_us * 0.8);
    next = std::max(next, highest + 1);
  }
  EXPECT_EQ(next, kExports + 1);
  EXPECT_EQ(static_cast<int>(checked.size()), kExports);
  EXPECT_GT(kills, 5);
  std::printf("[ crash ] %d kills over %d exports\n", kills, kExports);
}

}  // namespace
}  // namespace tfport
