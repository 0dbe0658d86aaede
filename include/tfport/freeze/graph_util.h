// tfport: tf.compat.v1.graph_util — freezing a graph into one portable
// GraphDef (formats.md §6.4).
//
//   auto frozen = freeze::ConvertVariablesToConstants(*session, graph.ToGraphDef(), {"sum"});
//   // frozen->graph_def: the nodes "sum" needs, VariableV2/VarHandleOp
//   // replaced by Const nodes holding the session's current values.
//   freeze::WriteGraph(frozen->graph_def, "./test", "test.pb");
//
// The functions follow TensorFlow 1.15's graph_util_impl.py node for node:
// extract_sub_graph keeps the nodes reachable from the outputs (data and
// control inputs) in their original order; variables become Consts under
// their own names (so "input_x:0" / "sum:0" still resolve); ReadVariableOp
// becomes Identity, Identity chains between a VarHandleOp and its reads get
// the read's dtype, ResourceGather becomes GatherV2; the result keeps the
// function library and, like TensorFlow's, carries no versions field.
#pragma once

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "tfport/core/shape.h"
#include "tfport/core/status.h"
#include "tfport/graph/graph.h"
#include "tfport/runtime/function.h"
#include "tfport/runtime/session.h"
#include "tfport/tf/graph.pb.h"

namespace tfport::freeze {

// extract_sub_graph. Errors: INVALID_ARGUMENT "<name> is not in graph" for an
// unknown destination node.
Result<tf::GraphDef> ExtractSubGraph(const tf::GraphDef& graph_def,
                                     const std::vector<std::string>& dest_nodes);

// TF2 graphs: replaces every call node reachable from `output_node_names`
// (PartitionedCall, StatefulPartitionedCall, an op named after a library
// function) by its function's body, recursively, with the CPU
// implementation chosen. A call node's name is kept by an Identity (one
// result) or IdentityN of the body's results, so tensor names such as "StatefulPartitionedCall:0" stay
// valid. The result is pruned to the outputs and keeps only the library
// functions still called (by functional While/If). Errors name the node.
Result<tf::GraphDef> InlineFunctionCalls(const tf::GraphDef& graph_def,
                                         const std::vector<std::string>& output_node_names,
                                         runtime::FunctionLibraryRuntime& functions);

struct ConvertOptions {
  std::optional<std::set<std::string>> whitelist;  // variable op names to convert
  std::optional<std::set<std::string>> blacklist;  // variable op names to keep
  // Receives TensorFlow's log lines ("Froze 1 variables.", "Converted 1
  // variables to const ops."); default: none.
  std::function<void(const std::string&)> log;
};

struct FrozenGraph {
  tf::GraphDef graph_def;
  int converted = 0;  // variables replaced by constants
};

// convert_variables_to_constants: reads every variable the outputs depend on
// from `session` (which runs the graph `graph_def` was taken from). Errors:
// those of ExtractSubGraph; FAILED_PRECONDITION for an uninitialized variable
// (the session's error); INVALID_ARGUMENT "Cannot find the variable that is
// an input to the ReadVariableOp." for a read not fed by a VarHandleOp.
Result<FrozenGraph> ConvertVariablesToConstants(runtime::Session& session,
                                                const tf::GraphDef& graph_def,
                                                const std::vector<std::string>& output_node_names,
                                                const ConvertOptions& options = {});

// remove_training_nodes: drops CheckNumerics and splices out Identity nodes
// (except protected ones, ones with control inputs and ones used as control
// inputs).
tf::GraphDef RemoveTrainingNodes(const tf::GraphDef& graph_def,
                                 const std::vector<std::string>& protected_nodes = {});

// tensor_shape_from_node_def_name: the static shape of "name" or "name:k".
Result<Shape> TensorShapeFromNodeDefName(const graph::Graph& graph, const std::string& name);

// write_graph: writes dir/name (binary, or text when as_text) atomically,
// creating dir; returns the path.
Result<std::string> WriteGraph(const tf::GraphDef& graph_def, const std::string& dir,
                               const std::string& name, bool as_text = false);

// Reads a binary .pb or text .pbtxt GraphDef.
Result<tf::GraphDef> ReadGraph(const std::string& path);

}  // namespace tfport::freeze
