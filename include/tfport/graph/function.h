// tfport: FunctionDef bodies as graphs (formats.md §5.7).
//
// A FunctionDef is a template: its attrs (`T`, `N`, ...) are bound at each
// call site, and its nodes name their inputs "arg", "node:out_arg:k" or
// "^node". Instantiating one substitutes the attrs, gives each argument an
// _Arg node, translates the inputs to graph tensor names ("node:flat_index"
// through the producing op's OpDef) and builds an ordinary Graph that the
// executor runs.
//
// Also here: which functions a node or a function calls (through func attrs
// such as PartitionedCall's `f`, While's `cond`/`body`, or an op named after a
// library function), used for recursion checks and library-wide validation.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tfport/graph/graph.h"
#include "tfport/tf/function.pb.h"

namespace tfport::graph {

using AttrMap = google::protobuf::Map<std::string, tf::AttrValue>;

struct FunctionBody {
  std::unique_ptr<Graph> graph;
  std::vector<Output> args;         // output 0 of each _Arg node, in order
  std::vector<Output> rets;         // the signature's outputs, in order
  std::vector<Node*> control_rets;  // the signature's control outputs
  std::vector<DataType> arg_types, ret_types;
};

// Builds the body of `fdef` with `attrs` bound. `registry` resolves the body's
// ops; give it a registry that also holds the library's signatures as ops when
// bodies call functions by op name. Argument shapes come from the function's
// "_input_shapes" attr or its arg_attr "_output_shapes" when present.
// Errors (INVALID_ARGUMENT, naming the function and node): an attr
// placeholder with no binding, an input naming no argument or node, an output
// arg the producing op does not have, a list-valued output, a body node that
// does not match its OpDef; NOT_FOUND for ops tfport does not know.
Result<FunctionBody> InstantiateFunction(const tf::FunctionDef& fdef, const AttrMap& attrs,
                                         const OpRegistry* registry);

// The attrs an instantiation of `fdef` binds: each signature attr from the
// call when it gives one, else the attr's default; attrs the signature does
// not declare are dropped.
AttrMap BindFunctionAttrs(const tf::FunctionDef& fdef, const AttrMap& call_attrs);

// The library functions a node calls: the names in its func and list(func)
// attrs, and its op itself when `is_function(op)` says it is a function.
template <typename IsFunction>
std::vector<std::string> FunctionsCalledBy(const tf::NodeDef& node, IsFunction&& is_function) {
  std::vector<std::string> out;
  if (is_function(node.op())) out.push_back(node.op());
  for (const auto& [name, value] : node.attr()) {
    if (value.has_func()) out.push_back(value.func().name());
    if (value.has_list())
      for (const auto& f : value.list().func()) out.push_back(f.name());
  }
  return out;
}

// "f(T=DT_FLOAT, N=2)": how a function and its bound attrs are named in errors.
std::string FunctionInstanceName(std::string_view name, const AttrMap& attrs);

}  // namespace tfport::graph
