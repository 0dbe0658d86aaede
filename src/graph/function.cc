#include "tfport/graph/function.h"

#include <algorithm>
#include <map>

#include "tfport/core/str_util.h"
#include "tfport/graph/import.h"

namespace tfport::graph {
namespace {

std::string Where(const tf::FunctionDef& fdef) { return "{{function_node " + fdef.signature().name() + "}}"; }

// Replaces attr placeholders ("$T" in TF's text form) by their bindings,
// also inside func attrs (a call site inside the body passing T on).
Status Substitute(const tf::FunctionDef& fdef, const std::string& node, const AttrMap& attrs,
                  tf::AttrValue* v) {
  if (v->value_case() == tf::AttrValue::kPlaceholder) {
    auto it = attrs.find(v->placeholder());
    if (it == attrs.end()) {
      std::vector<std::string> bound;
      for (const auto& [k, unused] : attrs) bound.push_back(k);
      std::sort(bound.begin(), bound.end());
      return errors::InvalidArgument(Where(fdef), " {{node ", node, "}}: attr placeholder $",
                                     v->placeholder(), " is never bound (the call binds [",
                                     StrJoin(bound, ", "), "])");
    }
    *v = it->second;
    return OkStatus();
  }
  if (v->has_func())
    for (auto& [k, inner] : *v->mutable_func()->mutable_attr())
      TFPORT_RETURN_IF_ERROR(Substitute(fdef, node, attrs, &inner));
  if (v->has_list())
    for (auto& f : *v->mutable_list()->mutable_func())
      for (auto& [k, inner] : *f.mutable_attr()) TFPORT_RETURN_IF_ERROR(Substitute(fdef, node, attrs, &inner));
  return OkStatus();
}

// How many tensors one arg of an op stands for, given the node's attrs.
Result<int> ArgCount(const tf::OpDef::ArgDef& arg, const tf::NodeDef& node) {
  if (!arg.number_attr().empty()) {
    auto it = node.attr().find(arg.number_attr());
    if (it == node.attr().end()) return errors::InvalidArgument("missing attr '", arg.number_attr(), "'");
    return static_cast<int>(it->second.i());
  }
  if (!arg.type_list_attr().empty()) {
    auto it = node.attr().find(arg.type_list_attr());
    if (it == node.attr().end())
      return errors::InvalidArgument("missing attr '", arg.type_list_attr(), "'");
    return it->second.list().type_size();
  }
  return 1;
}

// Resolves an arg's dtypes against bound attrs (one per tensor it stands for).
Result<std::vector<DataType>> ArgTypes(const tf::FunctionDef& fdef, const tf::OpDef::ArgDef& arg,
                                       const AttrMap& attrs) {
  auto attr = [&](const std::string& name) -> Result<const tf::AttrValue*> {
    auto it = attrs.find(name);
    if (it == attrs.end())
      return errors::InvalidArgument(Where(fdef), ": argument '", arg.name(), "' needs attr '",
                                     name, "', which the call does not bind");
    return &it->second;
  };
  std::vector<DataType> out;
  if (!arg.type_list_attr().empty()) {
    TFPORT_ASSIGN_OR_RETURN(const tf::AttrValue* v, attr(arg.type_list_attr()));
    for (int t : v->list().type()) out.push_back(static_cast<DataType>(t));
    return out;
  }
  DataType t = static_cast<DataType>(arg.type());
  if (!arg.type_attr().empty()) {
    TFPORT_ASSIGN_OR_RETURN(const tf::AttrValue* v, attr(arg.type_attr()));
    t = static_cast<DataType>(v->type());
  }
  int n = 1;
  if (!arg.number_attr().empty()) {
    TFPORT_ASSIGN_OR_RETURN(const tf::AttrValue* v, attr(arg.number_attr()));
    n = static_cast<int>(v->i());
  }
  out.assign(static_cast<size_t>(std::max(0, n)), t);
  return out;
}

}  // namespace

AttrMap BindFunctionAttrs(const tf::FunctionDef& fdef, const AttrMap& call_attrs) {
  AttrMap bound;
  for (const auto& a : fdef.signature().attr()) {
    auto it = call_attrs.find(a.name());
    if (it != call_attrs.end()) {
      bound[a.name()] = it->second;
    } else if (a.has_default_value()) {
      bound[a.name()] = a.default_value();
    }
  }
  return bound;
}

std::string FunctionInstanceName(std::string_view name, const AttrMap& attrs) {
  std::vector<std::string> parts;
  for (const auto& [k, v] : attrs) {
    if (!k.empty() && k[0] == '_') continue;
    std::string value;
    if (v.value_case() == tf::AttrValue::kType) value = DataTypeName(static_cast<DataType>(v.type()));
    else if (v.value_case() == tf::AttrValue::kI) value = std::to_string(v.i());
    else if (v.value_case() == tf::AttrValue::kB) value = v.b() ? "true" : "false";
    else if (v.value_case() == tf::AttrValue::kS) value = "\"" + v.s() + "\"";
    else continue;
    parts.push_back(k + "=" + value);
  }
  std::sort(parts.begin(), parts.end());
  return std::string(name) + (parts.empty() ? "" : "(" + StrJoin(parts, ", ") + ")");
}

Result<FunctionBody> InstantiateFunction(const tf::FunctionDef& fdef, const AttrMap& attrs,
                                         const OpRegistry* registry) {
  const tf::OpDef& sig = fdef.signature();
  FunctionBody body;
  tf::GraphDef gd;

  // Names the body uses for its arguments -> graph tensor names.
  std::map<std::string, std::vector<std::string>> arg_tensors;
  std::map<std::string, bool> taken;
  for (const auto& n : fdef.node_def()) taken[n.name()] = true;
  std::vector<Shape> input_shapes;
  if (auto it = fdef.attr().find("_input_shapes"); it != fdef.attr().end())
    for (const auto& s : it->second.list().shape()) {
      Result<Shape> shape = Shape::FromProto(s, /*allow_unknown=*/true);
      input_shapes.push_back(shape.ok() ? *shape : Shape::UnknownRank());
    }
  int index = 0;
  for (const auto& arg : sig.input_arg()) {
    TFPORT_ASSIGN_OR_RETURN(std::vector<DataType> types, ArgTypes(fdef, arg, attrs));
    const bool is_list = !arg.number_attr().empty() || !arg.type_list_attr().empty();
    for (size_t k = 0; k < types.size(); ++k, ++index) {
      std::string name = is_list ? arg.name() + "_" + std::to_string(k) : arg.name();
      while (taken.count(name)) name += "_arg";
      taken[name] = true;
      tf::NodeDef* n = gd.add_node();
      n->set_name(name);
      n->set_op("_Arg");
      (*n->mutable_attr())["T"].set_type(static_cast<tf::DataType>(types[k]));
      (*n->mutable_attr())["index"].set_i(index);
      // The argument's static shape, from whichever record the writer kept.
      const tf::TensorShapeProto* shape = nullptr;
      if (auto a = fdef.arg_attr().find(static_cast<uint32_t>(index)); a != fdef.arg_attr().end())
        if (auto s = a->second.attr().find("_output_shapes");
            s != a->second.attr().end() && s->second.list().shape_size() > 0)
          shape = &s->second.list().shape(0);
      if (shape) {
        *(*n->mutable_attr())["_shape"].mutable_shape() = *shape;
      } else if (static_cast<size_t>(index) < input_shapes.size() &&
                 !input_shapes[static_cast<size_t>(index)].unknown_rank()) {
        input_shapes[static_cast<size_t>(index)].ToProto((*n->mutable_attr())["_shape"].mutable_shape());
      }
      arg_tensors[arg.name()].push_back(name + ":0");
      body.arg_types.push_back(types[k]);
    }
  }

  // Body nodes with attrs bound; their inputs are translated below, once
  // every node's attrs are known.
  std::map<std::string, int> node_index;
  for (const auto& src : fdef.node_def()) {
    tf::NodeDef* n = gd.add_node();
    *n = src;
    n->clear_input();
    n->clear_device();
    for (auto& [k, v] : *n->mutable_attr()) TFPORT_RETURN_IF_ERROR(Substitute(fdef, src.name(), attrs, &v));
    node_index[src.name()] = gd.node_size() - 1;
  }

  // "node:out_arg:k" -> "node:flat", "arg" -> "_Arg:0".
  auto translate = [&](std::string_view ref, const std::string& user) -> Result<std::string> {
    auto fail = [&](auto... why) {
      return errors::InvalidArgument(Where(fdef), " {{node ", user, "}}: input '", ref, "' ",
                                     why...);
    };
    bool control = !ref.empty() && ref[0] == '^';
    if (control) ref.remove_prefix(1);
    std::vector<std::string> parts = StrSplit(ref, ':');
    if (auto a = arg_tensors.find(parts[0]); a != arg_tensors.end()) {
      size_t k = 0;
      if (parts.size() == 2) {
        char* end = nullptr;
        k = std::strtoul(parts[1].c_str(), &end, 10);
        if (end == parts[1].c_str() || *end) return fail("has a bad index");
      } else if (parts.size() > 2) {
        return fail("refers to an argument with an output name");
      }
      if (k >= a->second.size()) return fail("is past the end of argument '", parts[0], "'");
      std::string t = a->second[k];
      return control ? "^" + t.substr(0, t.size() - 2) : t;
    }
    auto it = node_index.find(parts[0]);
    if (it == node_index.end()) return fail("names no argument or node of the function");
    if (control) return "^" + parts[0];
    if (parts.size() == 1) return parts[0];
    if (parts.size() == 2) return std::string(ref);  // already "node:k"
    if (parts.size() != 3) return fail("is malformed");
    const tf::NodeDef& producer = gd.node(it->second);
    const tf::OpDef* op = registry->Find(producer.op());
    if (op == nullptr)
      return errors::NotFound(Where(fdef), " {{node ", producer.name(), "}}: Op type not registered '",
                              producer.op(), "' in binary. tfport does not implement this op yet");
    int flat = 0;
    for (const auto& out : op->output_arg()) {
      Result<int> count = ArgCount(out, producer);
      if (!count.ok()) return fail("cannot be resolved: ", count.status().message());
      if (out.name() == parts[1]) {
        char* end = nullptr;
        long k = std::strtol(parts[2].c_str(), &end, 10);
        if (end == parts[2].c_str() || *end || k < 0 || k >= *count)
          return fail("has index ", parts[2], " but output '", parts[1], "' of ", producer.op(),
                      " has ", *count, " tensors");
        return parts[0] + ":" + std::to_string(flat + k);
      }
      flat += *count;
    }
    return fail("names output '", parts[1], "', which ", producer.op(), " does not have");
  };
  for (const auto& src : fdef.node_def()) {
    tf::NodeDef* n = gd.mutable_node(node_index[src.name()]);
    for (const auto& in : src.input()) {
      TFPORT_ASSIGN_OR_RETURN(std::string t, translate(in, src.name()));
      n->add_input(std::move(t));
    }
    // Control inputs go last in a NodeDef.
    std::stable_partition(n->mutable_input()->begin(), n->mutable_input()->end(),
                          [](const std::string& s) { return s.empty() || s[0] != '^'; });
  }

  // Outputs, translated while the node defs are still at hand.
  std::vector<std::string> ret_names;
  for (const auto& out : sig.output_arg()) {
    if (!out.number_attr().empty() || !out.type_list_attr().empty())
      return errors::Unimplemented(Where(fdef), ": list-valued output '", out.name(), "'");
    auto r = fdef.ret().find(out.name());
    if (r == fdef.ret().end())
      return errors::InvalidArgument(Where(fdef), ": output '", out.name(), "' has no ret entry");
    TFPORT_ASSIGN_OR_RETURN(std::string t, translate(r->second, "ret " + out.name()));
    ret_names.push_back(std::move(t));
  }

  body.graph = std::make_unique<Graph>(registry);
  ImportGraphDefOptions options;
  options.prefix = "";
  Result<ImportGraphDefResult> imported = ImportGraphDef(body.graph.get(), std::move(gd), options);
  if (!imported.ok()) return imported.status().WithContext(Where(fdef));

  for (const auto& arg : sig.input_arg())
    for (const std::string& t : arg_tensors[arg.name()]) {
      TFPORT_ASSIGN_OR_RETURN(Output o, body.graph->GetTensorByName(t));
      body.args.push_back(o);
    }
  for (size_t k = 0; k < ret_names.size(); ++k) {
    const auto& out = sig.output_arg(static_cast<int>(k));
    Result<Output> o = body.graph->GetTensorByName(ret_names[k]);
    if (!o.ok()) return o.status().WithContext(Where(fdef), " output '", out.name(), "'");
    body.rets.push_back(*o);
    TFPORT_ASSIGN_OR_RETURN(std::vector<DataType> types, ArgTypes(fdef, out, attrs));
    body.ret_types.push_back(types.empty() ? DT_INVALID : types[0]);
  }
  for (const std::string& name : sig.control_output()) {
    auto r = fdef.control_ret().find(name);
    if (r == fdef.control_ret().end()) continue;
    Node* n = body.graph->FindNode(r->second);
    if (n == nullptr)
      return errors::InvalidArgument(Where(fdef), ": control output '", name, "' names no node");
    body.control_rets.push_back(n);
  }
  return body;
}

}  // namespace tfport::graph
