// tfport: tf.import_graph_def — adding a GraphDef's nodes to a Graph.
//
// Semantics follow TensorFlow (formats.md §6.5): every imported node is
// renamed "<prefix>/<name>" where the prefix is made unique like a name scope
// ("import", "import_1", ...); with an empty prefix clashing names are made
// unique instead ("x" -> "x_1") and references follow. input_map rewires
// consumers of an imported tensor (or control input "^op") to an existing
// tensor; return_elements picks tensors ("name:k") and operations ("name")
// by their original names. Missing attrs get their OpDef defaults; ops tfport
// does not know are kept (they cannot run). Functions in the library are
// added unprefixed. Nodes may appear in any order and may form while-loop
// cycles. On error nothing is added.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tfport/graph/graph.h"

namespace tfport::graph {

struct ImportGraphDefOptions {
  // Python's `name` argument: "import" by default; "" imports without prefix.
  std::string prefix = "import";
  // Original tensor name ("x:0", "x", or "^x" for a control input) -> an
  // existing tensor of the graph (for "^x" only .node is used).
  std::map<std::string, Output> input_map;
  std::vector<std::string> return_elements;
};

struct ImportGraphDefResult {
  // One per return_elements entry, in order: tensors as (node, index);
  // operations as (node, -1).
  std::vector<Output> elements;
  // The prefix actually used ("import_1" when "import" was taken).
  std::string prefix;
};

// Errors: INVALID_ARGUMENT for bad names, dangling inputs ("Node 'a':
// Unknown input node 'b'"), unused input_map keys ("Attempted to map inputs
// that were not found in graph_def: [x:0]"), unknown return elements
// ("Requested return_element 'x:0' not found in graph_def."), or nodes that
// do not match their OpDef.
Result<ImportGraphDefResult> ImportGraphDef(Graph* graph, const tf::GraphDef& graph_def,
                                            const ImportGraphDefOptions& options = {});
// The same, moving the node defs out of `graph_def` (large frozen constants
// are not copied); graph_def's nodes are left empty.
Result<ImportGraphDefResult> ImportGraphDef(Graph* graph, tf::GraphDef&& graph_def,
                                            const ImportGraphDefOptions& options = {});

// A new graph holding exactly `graph_def` (no prefix; versions copied).
Result<std::unique_ptr<Graph>> GraphFromGraphDef(const tf::GraphDef& graph_def);
Result<std::unique_ptr<Graph>> GraphFromGraphDef(tf::GraphDef&& graph_def);

// Operation name -> output dtypes and static shapes, as Graph.get_operations()
// shows them.
struct OperationInfo {
  std::string name, op, device;
  std::vector<std::string> inputs;
  std::vector<DataType> output_types;
  std::vector<Shape> output_shapes;
};
std::vector<OperationInfo> GetOperations(const Graph& graph);

}  // namespace tfport::graph
