// tfport: building graphs the way TF1 Python does.
//
//   graph::Graph g;
//   auto x = ops::Placeholder(g, DT_INT32, Shape{}, "input_x");
//   auto y = ops::Placeholder(g, DT_INT32, Shape{}, "input_y");
//   auto b = ops::Variable(g, Tensor::Scalar<int32_t>(1), "b");
//   auto sum = ops::Add(g, ops::Mul(g, x, y), b.value, "sum");
//   auto init = ops::GlobalVariablesInitializer(g);
//   TFPORT_RETURN_IF_ERROR(g.status());
//
// Every builder takes the graph first and an optional name last; an empty
// name means the op type (made unique: "Add", "Add_1", ...), a given name is
// made unique inside the current name scope, as tf.Graph does. Attrs not
// given take the OpDef defaults. On error the builder records the error in
// g.status() and returns an invalid Output; later builders that receive an
// invalid Output do nothing.
#pragma once

#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "tfport/core/tensor.h"
#include "tfport/graph/graph.h"

namespace tfport::ops {

using graph::Graph;
using graph::Node;
using graph::Output;

// An attr for the generic builder.
struct Attr {
  std::string name;
  tf::AttrValue value;
};
Attr AttrType(std::string name, DataType t);
Attr AttrInt(std::string name, int64_t v);
Attr AttrFloat(std::string name, float v);
Attr AttrBool(std::string name, bool v);
Attr AttrString(std::string name, std::string v);
Attr AttrShape(std::string name, const Shape& s);
Attr AttrInts(std::string name, const std::vector<int64_t>& v);
Attr AttrTypes(std::string name, const std::vector<DataType>& v);
Attr AttrTensor(std::string name, const Tensor& t);

struct OpSpec {
  std::string op;
  std::vector<Output> inputs = {};       // in OpDef order (list args flattened)
  std::vector<Attr> attrs = {};          // type attrs are inferred from inputs when omitted
  std::vector<Node*> control_inputs = {};
  std::string name = {};                 // "" = op type; "a/b/" = exactly "a/b"
};

// Adds one node: unique name, inferred type attrs ("T" etc. from the input
// dtypes, list lengths "N" from list inputs), default attrs, device.
// Returns the node or nullptr (error recorded in g.status()).
Node* AddOp(Graph& g, OpSpec spec);
// Output 0 of AddOp.
Output Op(Graph& g, OpSpec spec);

// ---- base ops
Output Placeholder(Graph& g, DataType dtype, const Shape& shape = Shape::UnknownRank(),
                   const std::string& name = "");
Output PlaceholderWithDefault(Graph& g, Output input, const Shape& shape,
                              const std::string& name = "");
Output Const(Graph& g, const Tensor& value, const std::string& name = "");
template <typename T>
Output Const(Graph& g, T value, const std::string& name = "") {
  return Const(g, Tensor::Scalar<T>(value), name);
}
Output Identity(Graph& g, Output input, const std::string& name = "");
Node* NoOp(Graph& g, const std::vector<Node*>& control_inputs = {}, const std::string& name = "");
Output StopGradient(Graph& g, Output input, const std::string& name = "");

// tf.group(*ops, name): one NoOp depending on every op.
Node* Group(Graph& g, const std::vector<Node*>& ops, const std::string& name = "group_deps");

// ---- variables (formats.md §6.1)
struct Var {
  Output variable;       // the VariableV2 / VarHandleOp output ("b:0")
  Output value;          // b/read:0 (ref) or b/Read/ReadVariableOp:0 (resource)
  Node* initializer = nullptr;  // b/Assign
  Output initial_value;  // b/initial_value:0
  bool resource = false;
  std::string name() const { return variable.valid() ? variable.node->name() : ""; }
};

struct VariableOptions {
  bool trainable = true;
  bool resource = false;  // VarHandleOp instead of VariableV2
  std::vector<std::string> collections = {};  // default: {"variables"}
};

// tf.Variable(initial_value, name=...): VariableV2 (or VarHandleOp), its
// initial_value Const, Assign (AssignVariableOp) and read Identity
// (ReadVariableOp), registered in the variables / trainable_variables
// collections with a VariableDef.
Var Variable(Graph& g, const Tensor& initial_value, const std::string& name = "",
                       const VariableOptions& options = {});
// Same, with an initial value computed by a graph op.
Var Variable(Graph& g, Output initial_value, const std::string& name = "",
                       const VariableOptions& options = {});

Output Assign(Graph& g, Output ref, Output value, const std::string& name = "");
Output AssignAdd(Graph& g, Output ref, Output value, const std::string& name = "");
Output AssignSub(Graph& g, Output ref, Output value, const std::string& name = "");
Output ReadVariableOp(Graph& g, Output resource, DataType dtype, const std::string& name = "");
Node* AssignVariableOp(Graph& g, Output resource, Output value, const std::string& name = "");

// The variables collections, read back as VariableDefs.
std::vector<tf::VariableDef> GlobalVariables(const Graph& g);
std::vector<tf::VariableDef> TrainableVariables(const Graph& g);

// tf.compat.v1.variables_initializer(vars, name="init"): a NoOp depending on
// each variable's initializer.
Node* VariablesInitializer(Graph& g, const std::vector<tf::VariableDef>& vars,
                           const std::string& name = "init");
Node* GlobalVariablesInitializer(Graph& g);

// ---- control flow builders (TF1 dataflow form)
struct SwitchOutputs {
  Output output_false, output_true;
};
SwitchOutputs Switch(Graph& g, Output data, Output pred, const std::string& name = "");
Output Merge(Graph& g, const std::vector<Output>& inputs, const std::string& name = "");

}  // namespace tfport::ops
