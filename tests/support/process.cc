#include "support/process.h"

#include <spawn.h>

extern char** environ;

namespace tfport::testing {

pid_t SpawnBuildTreeProgram(const std::string& name, const std::vector<std::string>& args) {
  std::string exe = std::string(TFPORT_BINARY_DIR) + "/" + name;
  std::vector<std::string> owned = args;
  std::vector<char*> argv = {exe.data()};
  for (std::string& a : owned) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  if (posix_spawn(&pid, exe.c_str(), nullptr, nullptr, argv.data(), environ) != 0) return -1;
  return pid;
}

}  // namespace tfport::testing
