// tfport CLI: one function per subcommand. Each returns the process exit code
// (0 success, 1 error with the message on stderr).
#pragma once

#include <string>
#include <vector>

#include <rapidjson/fwd.h>

#include "tfport/core/tensor.h"

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

// Stores a JSON number as element i of a numeric tensor (range-checked).
Status DispatchNumeric(DataType dtype, Tensor& t, size_t i, const rapidjson::Value& v, double d);

struct RunOptions {
  std::string model;
  std::vector<std::string> inputs, outputs, targets;
  std::string restore;
  bool init = false;
  bool json = false;
};
void AddRunCommand(CLI::App& app, int* exit_code);

// `tfport freeze`: see src/cli/freeze.cc.
void AddFreezeCommand(CLI::App& app, int* exit_code);
int RunModel(const RunOptions& options);

}  // namespace tfport::cli
