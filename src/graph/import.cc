#include "tfport/graph/import.h"

#include <set>

namespace tfport::graph {

void Graph::TruncateNodes(size_t keep) {
  while (order_.size() > keep) {
    by_name_.erase(order_.back()->name());
    order_.pop_back();
    storage_.pop_back();
  }
}

namespace {

// "loc:@a" colocation attrs follow renamed nodes.
void RenameColocation(tf::NodeDef* node, const std::map<std::string, std::string>& rename) {
  auto it = node->mutable_attr()->find("_class");
  if (it == node->mutable_attr()->end()) return;
  for (auto& s : *it->second.mutable_list()->mutable_s()) {
    if (!s.starts_with("loc:@")) continue;
    auto r = rename.find(s.substr(5));
    if (r != rename.end()) s = "loc:@" + r->second;
  }
}

}  // namespace

// The import itself; node defs are moved out of graph_def, not copied.
Result<ImportGraphDefResult> ImportGraphDef(Graph* graph, tf::GraphDef&& graph_def,
                                            const ImportGraphDefOptions& options) {
  tf::GraphDef* movable = &graph_def;
  ImportGraphDefResult result;
  // Original names must be unique and valid.
  std::map<std::string, std::string> rename;  // original -> new name
  for (const auto& n : graph_def.node()) {
    if (n.name().empty()) return errors::InvalidArgument("graph_def has a node with an empty name");
    if (rename.count(n.name()))
      return errors::InvalidArgument("Duplicate node name in graph: '", n.name(), "'");
    rename[n.name()] = n.name();
  }

  // Prefix: a unique name scope, like name_scope(name, "import").
  if (!options.prefix.empty()) {
    std::string prefix = options.prefix;
    if (prefix.back() == '/') {
      prefix.pop_back();
    } else {
      std::string saved = graph->current_scope();
      Graph::NameScope root(*graph, "");
      prefix = graph->UniqueName(prefix);
    }
    result.prefix = prefix;
    for (auto& [orig, name] : rename) name = prefix + "/" + orig;
  } else {
    for (auto& [orig, name] : rename)
      if (graph->FindNode(orig) != nullptr || graph->IsNameUsed(orig)) name = graph->UniqueName(orig);
  }

  // Rewrite every node; collect input_map keys actually used.
  std::set<std::string> used_keys;
  std::vector<tf::NodeDef> defs;
  defs.reserve(static_cast<size_t>(graph_def.node_size()));
  for (int i = 0; i < graph_def.node_size(); ++i) {
    const std::string original_name = graph_def.node(i).name();
    tf::NodeDef n = std::move(*movable->mutable_node(i));
    n.set_name(rename.at(original_name));
    for (auto& in : *n.mutable_input()) {
      std::string src;
      int index;
      TFPORT_RETURN_IF_ERROR(ParseTensorName(in, &src, &index));
      std::string key = index < 0 ? "^" + src : (index == 0 ? src + ":0" : in);
      auto mapped = options.input_map.find(key);
      if (mapped == options.input_map.end() && index == 0) mapped = options.input_map.find(src);
      if (mapped != options.input_map.end()) {
        used_keys.insert(mapped->first);
        const Output& o = mapped->second;
        if (!o.valid()) return errors::InvalidArgument("input_map['", mapped->first, "'] is invalid");
        in = index < 0 ? "^" + o.node->name() : (o.index == 0 ? o.node->name() : o.name());
        continue;
      }
      auto r = rename.find(src);
      if (r == rename.end())
        return errors::InvalidArgument("Node '", original_name, "': Unknown input node '", in,
                                       "'");
      in = index < 0 ? "^" + r->second : (index == 0 ? r->second : StrCat(r->second, ":", index));
    }
    RenameColocation(&n, rename);
    defs.push_back(std::move(n));
  }
  std::vector<std::string> unused;
  for (const auto& [key, value] : options.input_map)
    if (!used_keys.count(key)) unused.push_back(key);
  if (!unused.empty()) {
    std::string list;
    for (const auto& k : unused) list += (list.empty() ? "" : ", ") + k;
    return errors::InvalidArgument("Attempted to map inputs that were not found in graph_def: [",
                                   list, "]");
  }

  // Return elements refer to original names.
  for (const std::string& name : options.return_elements) {
    std::string src;
    int index;
    TFPORT_RETURN_IF_ERROR(ParseTensorName(name, &src, &index));
    if (!rename.count(src))
      return errors::InvalidArgument("Requested return_element '", name, "' not found in graph_def.");
  }

  // Functions first: nodes may call them by op name.
  const size_t keep = graph->nodes().size();
  const int keep_functions = graph->library().function_size();
  const int keep_gradients = graph->library().gradient_size();
  for (const auto& f : graph_def.library().function()) {
    bool exists = false;
    for (const auto& g : graph->library().function())
      exists = exists || g.signature().name() == f.signature().name();
    if (!exists) *graph->library().add_function() = f;
  }
  for (const auto& gd : graph_def.library().gradient()) *graph->library().add_gradient() = gd;
  auto rollback = [&] {
    graph->TruncateNodes(keep);
    auto* lib = &graph->library();
    lib->mutable_function()->DeleteSubrange(keep_functions, lib->function_size() - keep_functions);
    lib->mutable_gradient()->DeleteSubrange(keep_gradients, lib->gradient_size() - keep_gradients);
  };

  // Add everything, then resolve edges (inputs may come later, or round a loop).
  struct ProducerScope {
    Graph* g;
    int saved;
    ~ProducerScope() { g->import_producer_ = saved; }
  } producer_scope{graph, graph->import_producer_};
  graph->import_producer_ = graph_def.versions().producer();
  std::vector<Node*> added;
  for (auto& d : defs) {
    Result<Node*> n = graph->AddNodeUnresolved(std::move(d));
    if (!n.ok()) {
      rollback();
      return n.status();
    }
    added.push_back(*n);
  }
  // Resolve in an order where producers come first when possible, so static
  // dtype and shape information flows forward.
  std::set<Node*> pending(added.begin(), added.end());
  bool progress = true;
  while (!pending.empty() && progress) {
    progress = false;
    for (auto it = pending.begin(); it != pending.end();) {
      Node* n = *it;
      bool ready = true;
      for (const auto& in : n->def().input()) {
        std::string src;
        int index;
        (void)ParseTensorName(in, &src, &index);
        Node* s = graph->FindNode(src);
        if (s && s != n && pending.count(s)) {
          ready = false;
          break;
        }
      }
      if (!ready) {
        ++it;
        continue;
      }
      Status st = graph->ResolveNode(n);
      if (!st.ok()) {
        rollback();
        return st;
      }
      it = pending.erase(it);
      progress = true;
    }
  }
  // Cycles (while loops): resolve the rest in file order.
  for (Node* n : added) {
    if (!pending.count(n)) continue;
    Status st = graph->ResolveNode(n);
    if (!st.ok()) {
      rollback();
      return st;
    }
  }


  for (const std::string& name : options.return_elements) {
    std::string src;
    int index;
    (void)ParseTensorName(name, &src, &index);
    Node* n = graph->FindNode(rename.at(src));
    if (name.find(':') == std::string::npos) {
      result.elements.push_back(Output{n, -1});
    } else {
      if (n->num_outputs() >= 0 && index >= n->num_outputs())
        return errors::InvalidArgument("Requested return_element '", name,
                                       "' not found in graph_def.");
      result.elements.push_back(Output{n, index});
    }
  }
  return result;
}

Result<ImportGraphDefResult> ImportGraphDef(Graph* graph, const tf::GraphDef& graph_def,
                                            const ImportGraphDefOptions& options) {
  return ImportGraphDef(graph, tf::GraphDef(graph_def), options);
}

Result<std::unique_ptr<Graph>> GraphFromGraphDef(const tf::GraphDef& graph_def) {
  return GraphFromGraphDef(tf::GraphDef(graph_def));
}

Result<std::unique_ptr<Graph>> GraphFromGraphDef(tf::GraphDef&& graph_def) {
  auto g = std::make_unique<Graph>();
  ImportGraphDefOptions options;
  options.prefix = "";
  tf::VersionDef versions = graph_def.versions();
  const bool has_versions = graph_def.has_versions();
  TFPORT_RETURN_IF_ERROR(ImportGraphDef(g.get(), std::move(graph_def), options).status());
  if (has_versions) g->versions() = versions;
  return g;
}

std::vector<OperationInfo> GetOperations(const Graph& graph) {
  std::vector<OperationInfo> out;
  for (const Node* n : graph.nodes()) {
    OperationInfo info{n->name(), n->op(), n->device(), {}, {}, {}};
    for (const auto& in : n->def().input()) info.inputs.push_back(in);
    for (int i = 0; i < n->num_outputs(); ++i) {
      info.output_types.push_back(n->output_type(i));
      info.output_shapes.push_back(n->output_shape(i));
    }
    out.push_back(std::move(info));
  }
  return out;
}

}  // namespace tfport::graph
