// tfport: freeze_graph.py — a frozen GraphDef straight from files.
//
// Two sources, as TensorFlow's tool takes them, both opened through the
// saved_model layer (saved_model/loader.h) with devices cleared:
//  * a MetaGraphDef (.meta) plus a checkpoint (prefix, or a directory with a
//    `checkpoint` file): import_meta_graph, restore (LoadMetaGraph);
//  * a TF1 SavedModel directory loaded as TensorFlow's loader does (Load:
//    the exact tag set, variables, assets, init op). Without
//    output_node_names the outputs of `signature_def` are used.
// TF2 models have their call tree inlined first (and, with
// lower_control_flow, their functional control flow lowered). Then
// convert_variables_to_constants, optionally OptimizeForInference.
#pragma once

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "tfport/freeze/graph_util.h"
#include "tfport/tf/meta_graph.pb.h"

namespace tfport::freeze {

struct FreezeGraphOptions {
  std::string input_meta_graph;   // .meta (binary or text)
  std::string input_checkpoint;   // prefix or directory
  std::string saved_model_dir;    // instead of the two above
  std::set<std::string> tag_set = {"serve"};
  std::string signature_def = "serving_default";
  std::vector<std::string> output_node_names;  // "a,b" already split
  std::optional<std::set<std::string>> variable_names_whitelist;
  std::optional<std::set<std::string>> variable_names_blacklist;
  bool optimize = false;  // OptimizeForInference afterwards
  // TF2 models: after inlining, lower functional If/Case/While to TF1
  // Switch/Merge/Enter/Exit (lower_control_flow.h), leaving no library.
  bool lower_control_flow = false;
  std::function<void(const std::string&)> log;  // progress and TF's log lines
};

struct FreezeGraphResult {
  tf::GraphDef graph_def;
  int converted = 0;
  std::vector<std::string> output_node_names;  // as used
  std::vector<std::string> input_node_names;   // from the signature, when known
  // The frozen graph's tensors to feed and fetch, "name:index", with the
  // signature's key when they come from one ("x", "dense_1"; else empty).
  struct NamedTensor {
    std::string key, tensor;
  };
  std::vector<NamedTensor> inputs, outputs;
};

// Errors: INVALID_ARGUMENT naming what is missing ("Input checkpoint 'x'
// doesn't exist!", "You need to supply the name of a node to
// --output_node_names.", an unknown output node, a tag set not in the
// SavedModel); NOT_FOUND for a signature the model lacks when its outputs
// are needed (listing the signatures there are); restore errors (a variable
// missing from the checkpoint: "Key w not found in checkpoint").
Result<FreezeGraphResult> FreezeGraph(const FreezeGraphOptions& options);

// The MetaGraphDef of a SavedModel directory whose tags equal `tags`: kept
// for existing callers; it is saved_model::ReadMetaGraphDefFromSavedModel.
Result<tf::MetaGraphDef> ReadSavedModelMetaGraph(const std::string& dir,
                                                 const std::set<std::string>& tags);

}  // namespace tfport::freeze
