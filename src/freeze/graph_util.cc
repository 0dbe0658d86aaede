#include "tfport/freeze/graph_util.h"

#include <deque>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include "tfport/core/tensor_proto.h"
#include "tfport/graph/graph.h"
#include "tfport/graph/op_registry.h"
#include "tfport/io/file.h"
#include "tfport/io/proto_io.h"
#include "tfport/runtime/variable.h"

namespace tfport::freeze {

Result<tf::GraphDef> ExtractSubGraph(const tf::GraphDef& graph_def,
                                     const std::vector<std::string>& dest_nodes) {
  std::unordered_map<std::string, int> index;
  for (int i = 0; i < graph_def.node_size(); ++i) index[graph_def.node(i).name()] = i;
  for (const std::string& d : dest_nodes)
    if (!index.count(d)) return errors::InvalidArgument(d, " is not in graph");
  std::vector<bool> keep(static_cast<size_t>(graph_def.node_size()), false);
  std::deque<int> queue;
  for (const std::string& d : dest_nodes) {
    int i = index[d];
    if (!keep[static_cast<size_t>(i)]) {
      keep[static_cast<size_t>(i)] = true;
      queue.push_back(i);
    }
  }
  while (!queue.empty()) {
    const tf::NodeDef& n = graph_def.node(queue.front());
    queue.pop_front();
    for (const std::string& in : n.input()) {
      auto it = index.find(graph::NodeNameOf(in));
      if (it == index.end())
        return errors::InvalidArgument("Node '", n.name(), "': Unknown input node '", in, "'");
      if (!keep[static_cast<size_t>(it->second)]) {
        keep[static_cast<size_t>(it->second)] = true;
        queue.push_back(it->second);
      }
    }
  }
  tf::GraphDef out;
  for (int i = 0; i < graph_def.node_size(); ++i)
    if (keep[static_cast<size_t>(i)]) *out.add_node() = graph_def.node(i);
  if (graph_def.has_library()) *out.mutable_library() = graph_def.library();
  if (graph_def.has_versions()) *out.mutable_versions() = graph_def.versions();
  return out;
}

Result<FrozenGraph> ConvertVariablesToConstants(runtime::Session& session,
                                                const tf::GraphDef& graph_def,
                                                const std::vector<std::string>& output_node_names,
                                                const ConvertOptions& options) {
  TFPORT_ASSIGN_OR_RETURN(tf::GraphDef inference, ExtractSubGraph(graph_def, output_node_names));
  std::unordered_map<std::string, const tf::NodeDef*> by_name;
  for (const auto& n : inference.node()) by_name[n.name()] = &n;

  // A handle passed into a function (TF2's StatefulPartitionedCall) cannot
  // become a constant: the function would receive a tensor where it reads a
  // variable. Say so instead of writing a graph that cannot run.
  for (const auto& n : inference.node()) {
    if (n.op() == "ReadVariableOp" || n.op() == "ResourceGather" || n.op() == "Identity") continue;
    for (const auto& input : n.input()) {
      if (!input.empty() && input[0] == '^') continue;
      auto src = by_name.find(graph::NodeNameOf(input));
      if (src != by_name.end() && src->second->op() == "VarHandleOp")
        return errors::Unimplemented(
            "node ", n.name(), " (", n.op(), ") takes variable ", src->first,
            " as a resource handle (a TF2 function call); freezing graphs whose variables are "
            "read inside functions is not supported yet");
    }
  }

  // Ref variables are fetched; resource variables are read from the
  // session's storage (the value TensorFlow fetches through the variable's
  // "<name>/Read/ReadVariableOp", which TF2 graphs do not always have).
  std::vector<std::string> fetches, variables;
  std::vector<const tf::NodeDef*> resource_variables;
  std::unordered_map<std::string, tf::AttrValue> resource_identity_types;
  for (const auto& n : inference.node()) {
    if (graph::IsVariableOp(n.op())) {
      if (options.whitelist && !options.whitelist->count(n.name())) continue;
      if (options.blacklist && options.blacklist->count(n.name())) continue;
      if (n.op() == "VarHandleOp") {
        resource_variables.push_back(&n);
      } else {
        variables.push_back(n.name());
        fetches.push_back(n.name() + ":0");
      }
    } else if (n.op() == "ReadVariableOp" || n.op() == "ResourceGather") {
      // Identity nodes may sit between the handle and its reads: they take
      // the read's dtype once the handle is a constant.
      if (n.input_size() == 0)
        return errors::InvalidArgument("node ", n.name(), " (", n.op(), ") has no input");
      std::string source = graph::NodeNameOf(n.input(0));
      for (int hops = 0; by_name.count(source) && by_name[source]->op() == "Identity"; ++hops) {
        if (hops > inference.node_size())
          return errors::InvalidArgument("Identity cycle above node ", n.name());
        resource_identity_types[source] = n.attr().at("dtype");
        if (by_name[source]->input_size() == 0) break;
        source = graph::NodeNameOf(by_name[source]->input(0));
      }
      if (!by_name.count(source) || by_name[source]->op() != "VarHandleOp")
        return errors::InvalidArgument(
            "Cannot find the variable that is an input to the ReadVariableOp. (node ", n.name(),
            ")");
    }
  }
  std::vector<Tensor> values;
  if (!fetches.empty()) {
    Status s = session.Run({}, fetches, {}, &values);
    if (!s.ok()) return s.WithContext("reading the variables to freeze");
  }
  for (const tf::NodeDef* n : resource_variables) {
    Result<runtime::VariableCell> cell = runtime::VariableCell::ForNode(session.resources(), *n);
    Result<Tensor> value = cell.ok() ? cell->Read() : Result<Tensor>(cell.status());
    if (!value.ok()) return value.status().WithContext("reading the variables to freeze: variable ", n->name());
    variables.push_back(n->name());
    values.push_back(std::move(*value));
  }
  std::unordered_map<std::string, const Tensor*> value_of;
  for (size_t i = 0; i < variables.size(); ++i) value_of[variables[i]] = &values[i];
  if (options.log) options.log(StrCat("Froze ", values.size(), " variables."));

  FrozenGraph result;
  tf::GraphDef& out = result.graph_def;
  for (const auto& in : inference.node()) {
    tf::NodeDef* node = out.add_node();
    auto v = value_of.find(in.name());
    if (v != value_of.end()) {
      node->set_name(in.name());
      node->set_op("Const");
      const Tensor& t = *v->second;
      if (auto d = in.attr().find("dtype"); d != in.attr().end()) {
        (*node->mutable_attr())["dtype"] = d->second;
      } else {
        (*node->mutable_attr())["dtype"].set_type(BaseType(t.dtype()));
      }
      TensorToProto(t, (*node->mutable_attr())["value"].mutable_tensor(), ProtoEncoding::kPython);
      ++result.converted;
    } else if (auto r = resource_identity_types.find(in.name()); r != resource_identity_types.end()) {
      *node = in;
      (*node->mutable_attr())["T"] = r->second;
    } else if (in.op() == "ReadVariableOp") {
      node->set_op("Identity");
      node->set_name(in.name());
      node->add_input(in.input(0));
      (*node->mutable_attr())["T"] = in.attr().at("dtype");
      if (in.attr().count("_class")) (*node->mutable_attr())["_class"] = in.attr().at("_class");
    } else if (in.op() == "ResourceGather") {
      // GatherV2(params, indices, axis) with a Const axis "<name>/axis".
      tf::NodeDef* axis = node;
      axis->set_op("Const");
      axis->set_name(in.name() + "/axis");
      (*axis->mutable_attr())["dtype"].set_type(DT_INT32);
      TensorToProto(Tensor::Scalar<int32_t>(0), (*axis->mutable_attr())["value"].mutable_tensor());
      tf::NodeDef* gather = out.add_node();
      gather->set_op("GatherV2");
      gather->set_name(in.name());
      gather->add_input(in.input(0));
      gather->add_input(in.input(1));
      gather->add_input(axis->name());
      (*gather->mutable_attr())["Tparams"] = in.attr().at("dtype");
      (*gather->mutable_attr())["Tindices"] = in.attr().at("Tindices");
      (*gather->mutable_attr())["Taxis"].set_type(DT_INT32);
      if (in.attr().count("_class")) (*gather->mutable_attr())["_class"] = in.attr().at("_class");
    } else {
      *node = in;
    }
  }
  if (inference.has_library()) *out.mutable_library() = inference.library();
  if (options.log) options.log(StrCat("Converted ", result.converted, " variables to const ops."));
  return result;
}

tf::GraphDef RemoveTrainingNodes(const tf::GraphDef& graph_def,
                                 const std::vector<std::string>& protected_nodes) {
  const std::unordered_set<std::string> protect(protected_nodes.begin(), protected_nodes.end());
  auto strip_caret = [](const std::string& s) { return !s.empty() && s[0] == '^' ? s.substr(1) : s; };
  // 1. Drop CheckNumerics nodes (and every reference to them).
  std::unordered_set<std::string> removed;
  for (const auto& n : graph_def.node())
    if (n.op() == "CheckNumerics" && !protect.count(n.name())) removed.insert(n.name());
  std::vector<tf::NodeDef> kept;
  for (const auto& n : graph_def.node()) {
    if (removed.count(n.name())) continue;
    tf::NodeDef copy = n;
    copy.clear_input();
    for (const auto& in : n.input())
      if (!removed.count(strip_caret(in))) copy.add_input(in);
    kept.push_back(std::move(copy));
  }
  // 2. Splice out Identity nodes that neither have nor serve as control inputs.
  std::unordered_set<std::string> control_inputs, with_control_inputs;
  for (const auto& n : kept)
    for (const auto& in : n.input())
      if (in.find('^') != std::string::npos) {
        control_inputs.insert(strip_caret(in));
        with_control_inputs.insert(n.name());
      }
  std::unordered_map<std::string, std::string> splice;
  for (const auto& n : kept)
    if (n.op() == "Identity" && !protect.count(n.name()) && !with_control_inputs.count(n.name()) &&
        !control_inputs.count(n.name()) && n.input_size() > 0)
      splice[n.name()] = n.input(0);
  tf::GraphDef out;
  for (const auto& n : kept) {
    if (splice.count(n.name())) continue;
    tf::NodeDef* copy = out.add_node();
    *copy = n;
    copy->clear_input();
    for (std::string in : n.input()) {
      for (size_t hops = 0; splice.count(strip_caret(in)) && hops <= splice.size(); ++hops)
        in = splice[strip_caret(in)];
      copy->add_input(in);
    }
  }
  return out;
}

Result<Shape> TensorShapeFromNodeDefName(const graph::Graph& graph, const std::string& name) {
  const std::string canonical = name.find(':') == std::string::npos ? name + ":0" : name;
  TFPORT_ASSIGN_OR_RETURN(graph::Output t, graph.GetTensorByName(canonical));
  return t.shape();
}

Result<std::string> WriteGraph(const tf::GraphDef& graph_def, const std::string& dir,
                               const std::string& name, bool as_text) {
  if (!dir.empty()) TFPORT_RETURN_IF_ERROR(io::CreateDirectories(dir));
  const std::string path = dir.empty() ? name : io::JoinPath(dir, name);
  TFPORT_RETURN_IF_ERROR(as_text ? io::WriteTextProto(path, graph_def)
                                 : io::WriteBinaryProto(path, graph_def));
  return path;
}

Result<tf::GraphDef> ReadGraph(const std::string& path) {
  tf::GraphDef g;
  TFPORT_RETURN_IF_ERROR(io::ReadProto(path, &g));
  return g;
}

}  // namespace tfport::freeze
