// `tfport ckpt rename`: a checkpoint's keys rewritten by regex rules (TF1
// variable names <-> TF2 object paths), values byte-identical.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>

#include "cli/commands.h"
#include "tfport/io/checkpoint_rename.h"

namespace tfport::cli {
namespace {

struct RenameCliOptions {
  std::vector<std::string> maps;
  std::string src, dst;
  bool quiet = false;
};

int RunRename(const RenameCliOptions& o) {
  std::vector<io::RenameRule> rules;
  for (const std::string& m : o.maps) {
    size_t eq = m.find('=');
    if (eq == std::string::npos || eq == 0) {
      std::fprintf(stderr, "tfport ckpt rename: --map '%s' is not REGEX=REPLACEMENT\n", m.c_str());
      return 1;
    }
    rules.push_back({m.substr(0, eq), m.substr(eq + 1)});
  }
  if (o.src == o.dst) {
    std::fprintf(stderr, "tfport ckpt rename: SRC and DST are the same prefix\n");
    return 1;
  }
  auto r = io::RenameCheckpointKeys(o.src, o.dst, rules);
  if (!r.ok()) {
    std::fprintf(stderr, "tfport ckpt rename: %s\n", r.status().ToString().c_str());
    return 1;
  }
  if (!o.quiet) {
    for (const auto& [from, to] : r->renamed) std::printf("%s -> %s\n", from.c_str(), to.c_str());
    std::printf("wrote %s: %zu keys renamed%s\n", o.dst.c_str(), r->renamed.size(),
                r->object_graph_written ? ", object graph rebuilt" : "");
  }
  return 0;
}

}  // namespace

void AddCkptCommand(CLI::App& app, int* exit_code) {
  CLI::App* ckpt = app.add_subcommand("ckpt", "Checkpoint tools");
  ckpt->require_subcommand(1);
  auto opt = std::make_shared<RenameCliOptions>();
  CLI::App* rename = ckpt->add_subcommand(
      "rename", "Copy a V2 checkpoint with its keys rewritten (TF1 names <-> TF2 object paths)");
  rename->add_option("--map", opt->maps, "REGEX=REPLACEMENT ($1 for groups); first match wins; repeatable")
      ->required();
  rename->add_option("SRC", opt->src, "source checkpoint prefix")->required();
  rename->add_option("DST", opt->dst, "destination checkpoint prefix")->required();
  rename->add_flag("--quiet", opt->quiet, "print nothing on success");
  rename->callback([opt, exit_code] { *exit_code = RunRename(*opt); });
}

}  // namespace tfport::cli
