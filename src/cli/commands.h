// tfport CLI: one function per subcommand. Each returns the process exit code
// (0 success, 1 error with the message on stderr).
#pragma once

#include <string>

namespace CLI { class App; }

namespace tfport::cli {

struct InspectOptions {
  std::string path;
  std::string tensor;  // --tensor NAME
  bool all = false;    // --all: every tensor's values
  bool json = false;   // --json: one JSON object on stdout
};

// Registers `inspect` on the app; the callback runs it.
void AddInspectCommand(CLI::App& app, int* exit_code);
int RunInspect(const InspectOptions& options);

}  // namespace tfport::cli
