// Inlining TF2 function calls into one flat GraphDef, the first step of
// freezing a TF2 SavedModel (convert_variables_to_constants_v2): every call
// node reachable from the outputs is replaced by its function's body
// (graph/function.h instantiates it with the call's attrs, after CPU
// implementation selection), until no call is left.
#include <map>
#include <set>

#include "freeze/inline_body.h"
#include "tfport/core/str_util.h"
#include "tfport/freeze/graph_util.h"
#include "tfport/graph/function.h"

namespace tfport::freeze {
namespace internal {

Result<InlinedBody> InlineBody(const graph::FunctionBody& body, const std::string& base,
                               const std::vector<std::string>& args,
                               const std::vector<std::string>& roots_after,
                               const std::string& caller, std::set<std::string>* taken,
                               tf::GraphDef* out) {
  if (args.size() != body.args.size())
    return errors::InvalidArgument("{{node ", caller, "}} passes ", args.size(),
                                   " arguments to a function taking ", body.args.size());
  auto collides = [&](const std::string& prefix) {
    for (const graph::Node* n : body.graph->nodes())
      if (taken->count(prefix + n->name())) return true;
    return false;
  };
  std::string prefix = base + "/";
  for (int k = 1; collides(prefix); ++k) prefix = base + "_" + std::to_string(k) + "/";
  std::map<std::string, std::string> arg_tensor;  // "_Arg node name" -> the caller's tensor
  for (size_t i = 0; i < body.args.size(); ++i) arg_tensor[body.args[i].node->name()] = args[i];
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
    taken->insert(copy->name());
    for (auto& in : *copy->mutable_input()) in = rename(in);
    // TF1 loops inside the body get frames of their own per copy.
    if (copy->op() == "Enter" || copy->op() == "RefEnter")
      if (auto f = copy->mutable_attr()->find("frame_name"); f != copy->mutable_attr()->end())
        f->second.set_s(prefix + f->second.s());
    if (copy->input_size() == 0)
      for (const auto& r : roots_after) copy->add_input("^" + r);
  }
  InlinedBody result;
  for (const graph::Output& r : body.rets) result.rets.push_back(rename(r.name()));
  for (const graph::Node* c : body.control_rets) result.control_rets.push_back(prefix + c->name());
  return result;
}

Result<graph::FunctionBody> InstantiateFuncAttr(const tf::NodeDef& node, const tf::NameAttrList& f,
                                                runtime::FunctionLibraryRuntime& functions) {
  const std::string selected = functions.SelectImplementation(f.name());
  const tf::FunctionDef* fdef = functions.Find(selected);
  if (fdef == nullptr)
    return errors::NotFound("{{node ", node.name(), "}} (", node.op(), ") calls function '", f.name(),
                            "', which the library does not have");
  graph::AttrMap attrs(f.attr().begin(), f.attr().end());
  Result<graph::FunctionBody> body = graph::InstantiateFunction(
      *fdef, graph::BindFunctionAttrs(*fdef, attrs), &functions.registry());
  if (!body.ok())
    return body.status().WithContext(StrCat("inlining function '", selected, "' of {{node ", node.name(), "}}"));
  return body;
}

bool IsCallOp(const tf::NodeDef& n, const runtime::FunctionLibraryRuntime& functions) {
  return n.op() == "PartitionedCall" || n.op() == "StatefulPartitionedCall" ||
         functions.Find(n.op()) != nullptr;
}

Status InlineCall(const tf::NodeDef& call, runtime::FunctionLibraryRuntime& functions,
                  const std::vector<std::string>& pivots, std::set<std::string>* taken,
                  tf::GraphDef* out) {
  tf::NameAttrList f;
  if (call.op() == "PartitionedCall" || call.op() == "StatefulPartitionedCall") {
    auto attr = call.attr().find("f");
    if (attr == call.attr().end() || !attr->second.has_func())
      return errors::InvalidArgument("{{node ", call.name(), "}} (", call.op(), ") has no function attr 'f'");
    f = attr->second.func();
  } else {
    f.set_name(call.op());
    *f.mutable_attr() = call.attr();
  }
  TFPORT_ASSIGN_OR_RETURN(graph::FunctionBody body, InstantiateFuncAttr(call, f, functions));
  std::vector<std::string> data_inputs, control_inputs;
  for (const auto& in : call.input())
    (in[0] == '^' ? control_inputs : data_inputs).push_back(in);
  if (data_inputs.size() < body.args.size())
    return errors::InvalidArgument("{{node ", call.name(), "}} passes ", data_inputs.size(),
                                   " arguments to function '", f.name(), "' taking ", body.args.size());
  data_inputs.resize(body.args.size());
  // The call's control inputs order the whole body.
  std::vector<std::string> after = pivots;
  for (const auto& c : control_inputs) after.push_back(c.substr(1));
  TFPORT_ASSIGN_OR_RETURN(InlinedBody inlined,
                          InlineBody(body, call.name(), data_inputs, after, call.name(), taken, out));
  tf::NodeDef* results = out->add_node();
  results->set_name(call.name());
  if (inlined.rets.empty()) {
    results->set_op("NoOp");
  } else if (inlined.rets.size() == 1) {
    // One result: a plain Identity (what OpenCV's importer understands).
    results->set_op("Identity");
    results->add_input(inlined.rets[0]);
    (*results->mutable_attr())["T"].set_type(static_cast<tf::DataType>(body.ret_types[0]));
  } else {
    results->set_op("IdentityN");
    auto* types = (*results->mutable_attr())["T"].mutable_list();
    for (size_t i = 0; i < inlined.rets.size(); ++i) {
      results->add_input(inlined.rets[i]);
      types->add_type(static_cast<tf::DataType>(body.ret_types[i]));
    }
  }
  for (const auto& c : control_inputs) results->add_input(c);
  if (results->input_size() == 0)
    for (const auto& p : pivots) results->add_input("^" + p);
  return OkStatus();
}

void PruneLibrary(tf::GraphDef* graph_def, const runtime::FunctionLibraryRuntime& functions) {
  auto is_function = [&](const std::string& op) { return functions.Find(op) != nullptr; };
  std::set<std::string> keep;
  std::vector<std::string> stack;
  for (const auto& n : graph_def->node())
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
  for (const auto& f : graph_def->library().function())
    if (keep.count(f.signature().name())) *library.add_function() = f;
  *graph_def->mutable_library() = std::move(library);
}

}  // namespace internal

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
      if (!internal::IsCallOp(n, functions)) {
        *next.add_node() = n;
        continue;
      }
      any = true;
      TFPORT_RETURN_IF_ERROR(internal::InlineCall(n, functions, {}, &taken, &next));
    }
    TFPORT_ASSIGN_OR_RETURN(current, ExtractSubGraph(next, output_node_names));
    if (!any) break;
  }
  // Keep the functions the flat graph still calls (functional control flow).
  internal::PruneLibrary(&current, functions);
  return current;
}

}  // namespace tfport::freeze
