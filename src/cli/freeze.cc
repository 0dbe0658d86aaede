// `tfport freeze`: freeze_graph.py — a frozen GraphDef from a .meta +
// checkpoint or from a SavedModel (TF2: call tree inlined, control flow
// optionally lowered), optionally optimized for inference.
#include <CLI/CLI.hpp>

#include <chrono>
#include <iostream>
#include <sstream>

#include "cli/commands.h"
#include "tfport/core/str_util.h"
#include "tfport/freeze/freeze_graph.h"
#include "tfport/freeze/graph_util.h"
#include "tfport/io/file.h"

namespace tfport::cli {
namespace {

struct FreezeCliOptions {
  std::string input_meta_graph, input_checkpoint, saved_model_dir;
  std::string tag_set = "serve", signature_def = "serving_default";
  std::string output_node_names, output, whitelist, blacklist;
  bool as_text = false, optimize = false, lower_control_flow = false, quiet = false;
};

std::vector<std::string> SplitCommas(const std::string& s) { return SplitNonEmpty(s, ','); }

int RunFreeze(const FreezeCliOptions& c) {
  auto fail = [](const Status& s) {
    std::cerr << "tfport freeze: " << s.ToString() << "\n";
    return 1;
  };
  const auto start = std::chrono::steady_clock::now();
  freeze::FreezeGraphOptions o;
  o.input_meta_graph = c.input_meta_graph;
  o.input_checkpoint = c.input_checkpoint;
  o.saved_model_dir = c.saved_model_dir;
  o.tag_set.clear();
  for (const auto& t : SplitCommas(c.tag_set)) o.tag_set.insert(t);
  o.signature_def = c.signature_def;
  std::string names = c.output_node_names;
  names.erase(std::remove(names.begin(), names.end(), ' '), names.end());
  o.output_node_names = SplitCommas(names);
  if (!c.whitelist.empty()) {
    auto v = SplitCommas(c.whitelist);
    o.variable_names_whitelist = std::set<std::string>(v.begin(), v.end());
  }
  if (!c.blacklist.empty()) {
    auto v = SplitCommas(c.blacklist);
    o.variable_names_blacklist = std::set<std::string>(v.begin(), v.end());
  }
  o.optimize = c.optimize;
  o.lower_control_flow = c.lower_control_flow;
  // Progress on stderr, with the time since start, so large models show life.
  if (!c.quiet)
    o.log = [start](const std::string& line) {
      double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::fprintf(stderr, "[%6.2fs] %s\n", t, line.c_str());
    };
  if (c.output.empty()) return fail(errors::InvalidArgument("--output is required"));
  Result<freeze::FreezeGraphResult> r = freeze::FreezeGraph(o);
  if (!r.ok()) return fail(r.status());
  Result<std::string> path =
      freeze::WriteGraph(r->graph_def, io::Dirname(c.output), io::Basename(c.output), c.as_text);
  if (!path.ok()) return fail(path.status());
  if (o.log)
    o.log(StrCat("wrote ", *path, ": ", r->graph_def.node_size(), " nodes, outputs ",
                 StrJoin(r->output_node_names, ",")));
  // What to feed and fetch in the frozen graph, on stdout.
  for (const auto& [list, what] : {std::pair{&r->inputs, "input"}, {&r->outputs, "output"}})
    for (const auto& t : *list)
      std::printf("%s %s%s%s\n", what, t.key.c_str(), t.key.empty() ? "" : " ", t.tensor.c_str());
  return 0;
}

}  // namespace

void AddFreezeCommand(CLI::App& app, int* exit_code) {
  auto opt = std::make_shared<FreezeCliOptions>();
  CLI::App* cmd = app.add_subcommand(
      "freeze", "Freeze variables into constants: .meta + checkpoint or SavedModel -> .pb");
  cmd->add_option("--input_meta_graph", opt->input_meta_graph, "MetaGraphDef file (.meta)");
  cmd->add_option("--input_checkpoint", opt->input_checkpoint,
                  "checkpoint prefix, or a directory with a `checkpoint` file");
  cmd->add_option("--saved_model_dir", opt->saved_model_dir, "SavedModel directory (TF1, or TF2 whose call tree is inlined)");
  cmd->add_option("--tag_set", opt->tag_set, "comma-separated SavedModel tags (default serve)");
  cmd->add_option("--signature_def", opt->signature_def,
                  "signature whose outputs are used when --output_node_names is omitted");
  cmd->add_option("--output_node_names", opt->output_node_names, "comma-separated node names");
  cmd->add_option("--variable_names_whitelist", opt->whitelist, "comma-separated variables to freeze");
  cmd->add_option("--variable_names_blacklist", opt->blacklist, "comma-separated variables to keep");
  cmd->add_option("--output", opt->output, "the frozen GraphDef to write")->required();
  cmd->add_flag("--as_text", opt->as_text, "write text format (.pbtxt)");
  cmd->add_flag("--optimize", opt->optimize,
                "also strip Identity/training nodes, fold constants and batch norms");
  cmd->add_flag("--lower_control_flow", opt->lower_control_flow,
                "TF2 models: lower functional If/Case/While to TF1 Switch/Merge/Enter/Exit/"
                "NextIteration/LoopCond (for OpenCV and TF1 tools), leaving no function library");
  cmd->add_flag("--quiet", opt->quiet, "no progress lines");
  cmd->callback([opt, exit_code] { *exit_code = RunFreeze(*opt); });
}

}  // namespace tfport::cli
