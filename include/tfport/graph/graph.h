// tfport: Graph and Node, the in-memory form of a TensorFlow GraphDef.
//
// Mirrors tf.Graph (TF1): nodes in creation order, each keeping its NodeDef
// (so attrs and ops tfport does not know pass through untouched), resolved
// data and control edges, output dtypes from the op registry and static
// shapes where shape inference knows them; TensorFlow's unique-name rules and
// name scopes; collections; the function library and versions of the
// GraphDef it came from.
//
// Building ops (include/tfport/graph/ops.h) follows TensorFlow's C++ Scope
// convention: a failed op records the first error in the graph's status()
// and returns an invalid Output, so a chain of builder calls needs one check.
//
// Thread-safety: a Graph may be read concurrently (a Session running it);
// adding nodes must not overlap with other calls on the same graph.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tfport/core/shape.h"
#include "tfport/core/status.h"
#include "tfport/graph/op_registry.h"
#include "tfport/tf/graph.pb.h"
#include "tfport/tf/meta_graph.pb.h"

namespace tfport::graph {

class Node;

// The GraphDef producer version tfport writes: TF 1.12's (formats.md §5.1),
// old enough for every TF ≥ 1.12 to accept, new enough for the ops we emit.
inline constexpr int kGraphDefProducer = 27;
inline constexpr int kGraphDefMinConsumer = 0;

// A tensor endpoint: output `index` of `node` ("name:index").
struct Output {
  Node* node = nullptr;
  int index = 0;

  bool valid() const { return node != nullptr; }
  std::string name() const;  // "sum:0"
  DataType dtype() const;    // DT_INVALID if unknown
  Shape shape() const;       // unknown rank if unknown
  bool operator==(const Output&) const = default;
};

class Node {
 public:
  int id() const { return id_; }
  const std::string& name() const { return def_.name(); }
  const std::string& op() const { return def_.op(); }
  const std::string& device() const { return def_.device(); }
  const tf::NodeDef& def() const { return def_; }
  const tf::OpDef* op_def() const { return op_def_; }  // nullptr: unknown op

  int num_inputs() const { return static_cast<int>(inputs_.size()); }
  Output input(int i) const { return inputs_[static_cast<size_t>(i)]; }
  const std::vector<Output>& inputs() const { return inputs_; }
  const std::vector<Node*>& control_inputs() const { return control_inputs_; }
  DataType input_type(int i) const;

  // -1 when the op is unknown (its outputs cannot be counted).
  int num_outputs() const { return num_outputs_; }
  DataType output_type(int i) const;
  Shape output_shape(int i) const;
  Output output(int i) { return {this, i}; }

 private:
  friend class Graph;
  int id_ = 0;
  tf::NodeDef def_;
  const tf::OpDef* op_def_ = nullptr;
  std::vector<Output> inputs_;
  std::vector<Node*> control_inputs_;
  std::vector<DataType> input_types_, output_types_;
  std::vector<Shape> output_shapes_;
  int num_outputs_ = -1;
};

class Graph {
 public:
  explicit Graph(const OpRegistry* registry = &OpRegistry::Global());
  Graph(const Graph&) = delete;
  Graph& operator=(const Graph&) = delete;

  const OpRegistry& registry() const { return *registry_; }

  // Adds a node whose inputs already exist. Fills default attrs, checks the
  // node against its OpDef, resolves edges, infers output dtypes and shapes.
  // Nodes of unregistered ops are kept as they are (they cannot be run).
  // Errors: INVALID_ARGUMENT for a duplicate name, a missing input node or
  // output index, a node that does not match its OpDef.
  Result<Node*> AddNode(tf::NodeDef def);

  Node* FindNode(std::string_view name) const;
  // "name:k" or "name" (= output 0). Errors: NOT_FOUND / INVALID_ARGUMENT
  // with TensorFlow's wording.
  Result<Output> GetTensorByName(std::string_view name) const;
  Result<Node*> GetOperationByName(std::string_view name) const;
  const std::vector<Node*>& nodes() const { return order_; }
  int num_nodes() const { return static_cast<int>(order_.size()); }
  // Increases with every added node; sessions use it to notice extension.
  uint64_t generation() const { return order_.size(); }

  // ---- naming (formats.md §6.2)
  // scope + "/" + base, made unique the way Graph.unique_name does.
  std::string UniqueName(std::string_view base);
  // Marks a name as used (for names chosen explicitly).
  void MarkNameUsed(std::string_view name);
  bool IsNameUsed(std::string_view name) const;
  const std::string& current_scope() const { return scope_; }

  // RAII name scope, like `with tf.name_scope(name):`. A name ending in '/'
  // re-enters that scope verbatim; "" resets to the root.
  class NameScope {
   public:
    NameScope(Graph& g, std::string_view name);
    ~NameScope();
    const std::string& scope() const { return g_.scope_; }

   private:
    Graph& g_;
    std::string saved_;
  };

  // Device for nodes built while set (like `with tf.device(...)`); "" = none.
  std::string& default_device() { return device_; }

  // ---- builder error state
  const Status& status() const { return status_; }
  void RecordError(const Status& s) {
    if (status_.ok() && !s.ok()) status_ = s;
  }

  // ---- collections (GraphKeys), exported into MetaGraphDef.collection_def
  std::map<std::string, tf::CollectionDef>& collections() { return collections_; }
  const std::map<std::string, tf::CollectionDef>& collections() const { return collections_; }
  void AddToCollection(const std::string& key, const std::string& node_or_tensor_name);
  void AddBytesToCollection(const std::string& key, const std::string& bytes);

  // ---- GraphDef I/O
  tf::VersionDef& versions() { return versions_; }
  tf::FunctionDefLibrary& library() { return library_; }
  const tf::FunctionDefLibrary& library() const { return library_; }
  // Nodes in creation order; control inputs sorted by name as TF ≥ 1.9
  // writes them; versions and library included.
  // add_shapes: set each node's "_output_shapes" attr to its static output
  // shapes, as TF1's as_graph_def(add_shapes=True) (used in MetaGraphs).
  tf::GraphDef ToGraphDef(bool add_shapes = false) const;

 private:
  friend Result<struct ImportGraphDefResult> ImportGraphDef(Graph*, tf::GraphDef&&,
                                                           const struct ImportGraphDefOptions&);
  // Removes the nodes added after the first `keep` (import rollback).
  void TruncateNodes(size_t keep);
  Result<Node*> AddNodeUnresolved(tf::NodeDef def);
  Status ResolveNode(Node* node);
  void InferShapes(Node* node);

  const OpRegistry* registry_;
  // Producer version of the GraphDef being imported (shape rules changed
  // with it: before 21 a Placeholder's empty shape meant "unknown").
  int import_producer_ = kGraphDefProducer;
  std::deque<Node> storage_;
  std::vector<Node*> order_;
  std::unordered_map<std::string, Node*> by_name_;
  std::unordered_map<std::string, int> names_in_use_;  // lower-cased
  std::string scope_;
  std::string device_;
  Status status_;
  std::map<std::string, tf::CollectionDef> collections_;
  tf::VersionDef versions_;
  tf::FunctionDefLibrary library_;
};

// Whether `op` holds a variable: the ref ops Variable/VariableV2 or the
// resource op VarHandleOp.
bool IsVariableOp(std::string_view op);

// Splits "name:k" into ("name", k); "name" gives k = 0; "^name" gives k = -1.
// Errors: INVALID_ARGUMENT for a malformed index.
Status ParseTensorName(std::string_view tensor, std::string* node, int* index);

// The node a tensor or input name refers to: "a:1", "^a", "a" and a
// FunctionDef input "a:out:0" all give "a" (node names never hold ':').
std::string NodeNameOf(std::string_view tensor);


}  // namespace tfport::graph
