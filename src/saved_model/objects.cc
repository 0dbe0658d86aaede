#include "tfport/saved_model/objects.h"

#include "tfport/core/str_util.h"

namespace tfport::saved_model {

std::map<int, std::string> VariableHandleNodes(const tf::SavedObjectGraph& objects) {
  std::map<int, std::string> handle_of;
  std::map<std::string, int> used;
  for (int id = 0; id < objects.nodes_size(); ++id) {
    const auto& node = objects.nodes(id);
    if (!node.has_variable()) continue;
    const std::string& base = node.variable().name();
    const int k = used[base]++;
    handle_of[id] = k == 0 ? base : base + "_" + std::to_string(k);
  }
  return handle_of;
}

namespace {

Result<runtime::VariableCell> CellOf(const SavedModelBundle& bundle, const std::string& node_name) {
  const graph::Node* node = bundle.graph().FindNode(node_name);
  if (node == nullptr)
    return errors::NotFound(bundle.origin(), ": the graph has no variable node '", node_name, "'");
  return runtime::VariableCell::ForNode(bundle.session().resources(), *node);
}

}  // namespace

Result<saver::Trackable::Ptr> ObjectGraphOf(const SavedModelBundle& bundle) {
  if (!bundle.meta_graph_def().has_object_graph_def())
    return errors::InvalidArgument(bundle.origin(),
                                   " has no SavedObjectGraph (a TF1 model); map its variables to object "
                                   "paths with TrackVariables");
  const tf::SavedObjectGraph& objects = bundle.meta_graph_def().object_graph_def();
  const std::map<int, std::string> handles = VariableHandleNodes(objects);
  std::vector<saver::Trackable::Ptr> live(static_cast<size_t>(objects.nodes_size()));
  for (int id = 0; id < objects.nodes_size(); ++id) {
    const auto& node = objects.nodes(id);
    if (node.has_variable() && id != 0) {
      Result<runtime::VariableCell> cell = CellOf(bundle, handles.at(id));
      if (!cell.ok())
        return cell.status().WithContext("variable '", node.variable().name(), "' (object ", id, ")");
      live[static_cast<size_t>(id)] = saver::Trackable::Variable(node.variable().name(), std::move(*cell));
    } else {
      live[static_cast<size_t>(id)] = saver::Trackable::Object();
    }
  }
  const int n = objects.nodes_size();
  auto check = [&](int from, int id) -> Status {
    if (id < 0 || id >= n)
      return errors::DataLoss(bundle.origin(), ": SavedObjectGraph node ", from, " refers to node ", id,
                              " of ", n);
    return OkStatus();
  };
  for (int id = 0; id < n; ++id) {
    const auto& node = objects.nodes(id);
    for (const auto& c : node.children()) {
      TFPORT_RETURN_IF_ERROR(check(id, c.node_id()));
      live[static_cast<size_t>(id)]->Track(c.local_name(), live[static_cast<size_t>(c.node_id())]);
    }
    for (const auto& s : node.slot_variables()) {
      TFPORT_RETURN_IF_ERROR(check(id, s.original_variable_node_id()));
      TFPORT_RETURN_IF_ERROR(check(id, s.slot_variable_node_id()));
      live[static_cast<size_t>(id)]->AddSlot(live[static_cast<size_t>(s.original_variable_node_id())],
                                             s.slot_name(), live[static_cast<size_t>(s.slot_variable_node_id())]);
    }
  }
  if (n == 0) return errors::DataLoss(bundle.origin(), ": the SavedObjectGraph has no root");
  return live[0];
}

Result<saver::Trackable::Ptr> TrackVariables(const SavedModelBundle& bundle,
                                             const std::map<std::string, std::string>& path_to_variable) {
  saver::Trackable::Ptr root = saver::Trackable::Object();
  for (const auto& [path, variable] : path_to_variable) {
    std::vector<std::string> parts;
    for (std::string& p : StrSplit(path, '/'))
      if (!p.empty()) parts.push_back(std::move(p));
    if (parts.empty()) return errors::InvalidArgument("variable '", variable, "' is given an empty object path");
    saver::Trackable::Ptr at = root;
    for (size_t i = 0; i + 1 < parts.size(); ++i) {
      saver::Trackable::Ptr next = at->child(parts[i]);
      if (!next) next = at->Track(parts[i], saver::Trackable::Object());
      if (next->is_variable())
        return errors::InvalidArgument("object path '", path, "' goes through variable '",
                                       next->variable_name(), "'");
      at = next;
    }
    if (at->child(parts.back()))
      return errors::InvalidArgument("two variables are given object path '", path, "'");
    TFPORT_ASSIGN_OR_RETURN(runtime::VariableCell cell, CellOf(bundle, variable));
    at->Track(parts.back(), saver::Trackable::Variable(variable, std::move(cell)));
  }
  return root;
}

}  // namespace tfport::saved_model
