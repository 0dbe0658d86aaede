// Test support: starting a helper executable of the build tree (the crash
// tests' children) without a shell.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace tfport::testing {

// Starts TFPORT_BINARY_DIR/<name> with `args`; returns its pid, or -1.
pid_t SpawnBuildTreeProgram(const std::string& name, const std::vector<std::string>& args);

}  // namespace tfport::testing
