// Inlining TF2 function calls into one flat GraphDef, the first step of
// freezing a TF2 SavedModel (convert_variables_to_constants_v2): every call
// node reachable from the outputs is replaced by its function's body
// (graph/function.h instantiates it with the call's attrs, after CPU
// implementation selection), until no call is left.
#include <map>
#include <set>

#include "tfport/core/str_util.h"
#include "tfport/freeze/graph_util.h"
#include "tfport/graph/function.h"

namespace tfport::freeze {
namespace {

bool IsCallOp(const tf::NodeDef& n, const runtime::FunctionLibraryRuntime& lib) {
  return n.op() == "PartitionedCall" || n.op() == "StatefulPartitionedCall" ||
         lib.Find(n.op()) != nullptr;
}

// One call node `call` replaced by the nodes of `body`, prefixed "<call>/";
// the call's name now belongs to an Identity (one result) or IdentityN of
// the body's results, so its consumers are unchanged.
Status InlineOne(const tf::NodeDef& call, const graph::FunctionBody& body,
                 const std::set<std::string>& taken, tf::GraphDef* out) {
  auto collides = [&](const std::string& prefix) {
    for (const graph::Node* n : body.graph->nodes())
      if (taken.count(prefix + n->name())) return true;
    return false;
  };
  std::string prefix = call.name() + "/";
  for (int k = 1; collides(prefix); ++k) prefix = call.name() + "_" + std::to_string(k) + "/";
  // The call's data inputs, by argument index.
  std::vector<std::string> data_inputs, control_inputs;
  for (const auto& in : call.input()) (in[0] == '^' ? control_inputs : data_inputs).push_back(in);
  std::map<std::string, std::string> arg_tensor;  // "_Arg node name" -> the call's input
  for (size_t i = 0; i < body.args.size(); ++i) {
    if (i >= data_inputs.size())
      return errors::InvalidArgument("{{node ", call.name(), "}} passes ", data_inputs.size(),
                                     " arguments to a function taking ", body.args.size());
    arg_tensor[body.args[i].node->name()] = data_inputs[i];
  }
  auto rename = [&](const std::string& in) -> std::string {
    const bool control = !in.empty() && in[0] == '^';
    std::string node;
    int index = 0;
    (void)graph::ParseTensorName(control ? in.substr(1) : in, &node, &index);
    if (auto a = arg_tensor.find(node); a != arg_tensor.end())
      return control ? "^" + graph::NodeNameOf(a->second) : a->second;
    if (control) return "^" + prefix + node;
    return index == 0 ? prefix + node : prefix + node + ":" + std::to_string(index);
  };
  tf::GraphDef body_def = body.graph->ToGraphDef();
  for (auto& n : *body_def.mutable_node()) {
    if (n.op() == "_Arg") continue;
    tf::NodeDef* copy = out->add_node();
    *copy = std::move(n);
    copy->set_name(prefix + copy->name());
    for (auto& in : *copy->mutable_input()) in = rename(in);
    // The call's control inputs order the whole body.
    if (copy->input_size() == 0)
      for (const auto& c : control_inputs) copy->add_input(c);
  }
  tf::NodeDef* results = out->add_node();
  results->set_name(call.name());
  if (body.rets.empty()) {
    results->set_op("NoOp");
  } else if (body.rets.size() == 1) {
    // One result: a plain Identity (what OpenCV's importer understands).
    results->set_op("Identity");
    results->add_input(rename(body.rets[0].name()));
    (*results->mutable_attr())["T"].set_type(static_cast<tf::DataType>(body.rets[0].dtype()));
  } else {
    results->set_op("IdentityN");
    auto* types = (*results->mutable_attr())["T"].mutable_list();
    for (const graph::Output& r : body.rets) {
      results->add_input(rename(r.name()));
      types->add_type(static_cast<tf::DataType>(r.dtype()));
    }
  }
  for (const auto& c : control_inputs) results->add_input(c);
  return OkStatus();
}

}  // namespace

Result<tf::GraphDef> InlineFunctionCalls(const tf::GraphDef& graph_def,
                                         const std::vector<std::string>& output_node_names,
                                         runtime::FunctionLibraryRuntime& functions) {
  TFPORT_ASSIGN_OR_RETURN(tf::GraphDef current, ExtractSubGraph(graph_def, output_node_names));
  for (int round = 0;; ++round) {
    if (round > functions.options().max_call_depth)
      return errors::InvalidArgument("function calls nest deeper than ",
                                     functions.options().max_call_depth, " while inlining");
    bool any = false;
    std::set<std::string> taken;
    for (const auto& n : current.node()) taken.insert(n.name());
    tf::GraphDef next;
    *next.mutable_versions() = current.versions();
    *next.mutable_library() = current.library();
    for (const auto& n : current.node()) {
      if (!IsCallOp(n, functions)) {
        *next.add_node() = n;
        continue;
      }
      any = true;
      std::string name = n.op();
      graph::AttrMap attrs(n.attr().begin(), n.attr().end());
      if (n.op() == "PartitionedCall" || n.op() == "StatefulPartitionedCall") {
        auto f = n.attr().find("f");
        if (f == n.attr().end() || !f->second.has_func())
          return errors::InvalidArgument("{{node ", n.name(), "}} (", n.op(), ") has no function attr 'f'");
        name = f->second.func().name();
        attrs = graph::AttrMap(f->second.func().attr().begin(), f->second.func().attr().end());
      }
      const std::string selected = functions.SelectImplementation(name);
      const tf::FunctionDef* fdef = functions.Find(selected);
      if (fdef == nullptr)
        return errors::NotFound("{{node ", n.name(), "}} calls function '", name,
                                "', which the library does not have");
      Result<graph::FunctionBody> body = graph::InstantiateFunction(
          *fdef, graph::BindFunctionAttrs(*fdef, attrs), &functions.registry());
      if (!body.ok()) return body.status().WithContext("inlining {{node ", n.name(), "}}");
      TFPORT_RETURN_IF_ERROR(InlineOne(n, *body, taken, &next));
    }
    TFPORT_ASSIGN_OR_RETURN(current, ExtractSubGraph(next, output_node_names));
    if (!any) break;
  }
  // Keep the functions the flat graph still calls (functional control flow).
  auto is_function = [&](const std::string& op) { return functions.Find(op) != nullptr; };
  std::set<std::string> keep;
  std::vector<std::string> stack;
  for (const auto& n : current.node())
    for (std::string& f : graph::FunctionsCalledBy(n, is_function)) stack.push_back(std::move(f));
  while (!stack.empty()) {
    std::string f = functions.SelectImplementation(stack.back());
    stack.pop_back();
    if (!keep.insert(f).second) continue;
    if (const tf::FunctionDef* def = functions.Find(f))
      for (const auto& n : def->node_def())
        for (std::string& g : graph::FunctionsCalledBy(n, is_function)) stack.push_back(std::move(g));
  }
  tf::FunctionDefLibrary library;
  for (const auto& f : current.library().function())
    if (keep.count(f.signature().name())) *library.add_function() = f;
  *current.mutable_library() = std::move(library);
  return current;
}

}  // namespace tfport::freeze
