// tfport CLI: one function per subcommand. Each returns the process exit code
// (0 success, 1 error with the message on stderr).
#pragma once

#include <string>
#include <vector>

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

struct RunOptions {
  std::string model;                                // .pb/.pbtxt/.meta or a model directory
  std::vector<std::string> inputs, outputs, targets;  // graph-level NAME=VALUE, tensors, ops
  std::string restore;                              // checkpoint for .meta/.pb
  // SavedModels (saved_model_cli run): --dir, --tag_set, --signature_def and
  // the three input flags, one KEY=VALUE per entry.
  std::string dir, tag_set = "serve", signature_def = "serving_default";
  std::vector<std::string> sig_inputs, sig_input_exprs, sig_input_examples;
  bool init = false;
  bool json = false;
};
void AddRunCommand(CLI::App& app, int* exit_code);

// `tfport ckpt rename`: see src/cli/ckpt.cc.
void AddCkptCommand(CLI::App& app, int* exit_code);

// `tfport freeze`: see src/cli/freeze.cc.
void AddFreezeCommand(CLI::App& app, int* exit_code);
int RunModel(const RunOptions& options);

}  // namespace tfport::cli
