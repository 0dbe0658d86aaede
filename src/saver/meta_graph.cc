#include "tfport/saver/meta_graph.h"

#include <google/protobuf/util/message_differencer.h>

#include <set>

#include "tfport/graph/import.h"
#include "tfport/graph/op_registry.h"
#include "tfport/io/file.h"
#include "tfport/io/proto_io.h"
#include "tfport/tf/variable.pb.h"

namespace tfport::saver {
namespace {

// The writer identity recorded in MetaInfoDef: the node layout follows
// TensorFlow 1.15, so that is the version tools see; the git version says
// who wrote the file.
constexpr char kTensorflowVersion[] = "1.15.5";
constexpr char kWriterVersion[] = "tfport-0.1.0";

// "scope/" + name for node names, tensor names and "^control" names.
std::string Prepend(const std::string& scope, const std::string& name) {
  if (scope.empty() || name.empty()) return name;
  if (name[0] == '^') return "^" + scope + "/" + name.substr(1);
  return scope + "/" + name;
}

void ScopeVariableDef(const std::string& scope, tf::VariableDef* d) {
  d->set_variable_name(Prepend(scope, d->variable_name()));
  d->set_initializer_name(Prepend(scope, d->initializer_name()));
  d->set_snapshot_name(Prepend(scope, d->snapshot_name()));
  if (!d->initial_value_name().empty())
    d->set_initial_value_name(Prepend(scope, d->initial_value_name()));
  if (d->has_save_slice_info_def()) {
    auto* info = d->mutable_save_slice_info_def();
    info->set_full_name(Prepend(scope, info->full_name()));
  }
}

// Drops the attrs whose value equals the OpDef's default.
void StripDefaultAttrs(const graph::OpRegistry& registry, tf::NodeDef* node) {
  const tf::OpDef* op = registry.Find(node->op());
  if (op == nullptr) return;
  for (const auto& attr : op->attr()) {
    if (!attr.has_default_value()) continue;
    auto it = node->attr().find(attr.name());
    if (it != node->attr().end() &&
        google::protobuf::util::MessageDifferencer::Equals(it->second, attr.default_value()))
      node->mutable_attr()->erase(attr.name());
  }
}

bool IsVariableCollection(const std::string& key) {
  static const std::set<std::string> kKeys = {
      "variables", "trainable_variables", "local_variables", "model_variables",
      "moving_average_variables", "metric_variables", "concatenated_variables",
      "trainable_resource_variables"};
  return kKeys.count(key) > 0;
}

}  // namespace

Result<tf::MetaGraphDef> ExportMetaGraph(const graph::Graph& graph,
                                         const ExportMetaGraphOptions& options) {
  TFPORT_RETURN_IF_ERROR(graph.status());
  tf::MetaGraphDef meta;
  *meta.mutable_graph_def() = graph.ToGraphDef(/*add_shapes=*/true);
  std::set<std::string> used;
  for (auto& n : *meta.mutable_graph_def()->mutable_node()) {
    used.insert(n.op());
    if (options.clear_devices) n.clear_device();
    if (options.strip_default_attrs) StripDefaultAttrs(graph.registry(), &n);
  }
  if (options.strip_default_attrs) meta.mutable_meta_info_def()->set_stripped_default_attrs(true);
  auto* info = meta.mutable_meta_info_def();
  for (const std::string& op : used)  // sorted, as stripped_op_list_for_graph
    if (const tf::OpDef* def = graph.registry().Find(op)) *info->mutable_stripped_op_list()->add_op() = *def;
  info->set_tensorflow_version(kTensorflowVersion);
  info->set_tensorflow_git_version(kWriterVersion);
  if (options.saver_def) *meta.mutable_saver_def() = *options.saver_def;
  for (const auto& [key, coll] : graph.collections()) (*meta.mutable_collection_def())[key] = coll;
  return meta;
}

Status WriteMetaGraph(const std::string& path, const tf::MetaGraphDef& meta, bool as_text) {
  const std::string dir = io::Dirname(path);
  if (!dir.empty()) TFPORT_RETURN_IF_ERROR(io::CreateDirectories(dir));
  return as_text ? io::WriteTextProto(path, meta) : io::WriteBinaryProto(path, meta);
}

Result<tf::MetaGraphDef> ReadMetaGraphFile(const std::string& path) {
  tf::MetaGraphDef meta;
  TFPORT_RETURN_IF_ERROR(io::ReadProto(path, &meta));
  return meta;
}

Result<std::unique_ptr<Saver>> ImportMetaGraph(graph::Graph& graph, const tf::MetaGraphDef& meta,
                                               const ImportMetaGraphOptions& options) {
  tf::GraphDef gd = meta.graph_def();
  if (options.clear_devices)
    for (auto& n : *gd.mutable_node()) n.clear_device();
  graph::ImportGraphDefOptions import;
  import.prefix = options.import_scope;
  import.input_map = options.input_map;
  TFPORT_ASSIGN_OR_RETURN(graph::ImportGraphDefResult imported,
                          graph::ImportGraphDef(&graph, std::move(gd), import));
  const std::string scope = imported.prefix;

  // Collections, with names moved into the import scope.
  for (const auto& [key, coll] : meta.collection_def()) {
    tf::CollectionDef& dest = graph.collections()[key];
    if (coll.has_node_list()) {
      for (const auto& name : coll.node_list().value())
        dest.mutable_node_list()->add_value(Prepend(scope, name));
    } else if (coll.has_bytes_list() && IsVariableCollection(key)) {
      for (const auto& bytes : coll.bytes_list().value()) {
        tf::VariableDef d;
        if (!d.ParseFromString(bytes))
          return errors::DataLoss("collection '", key, "' holds a VariableDef that does not parse");
        ScopeVariableDef(scope, &d);
        dest.mutable_bytes_list()->add_value(d.SerializeAsString());
      }
    } else {
      dest.MergeFrom(coll);
    }
  }

  if (meta.has_saver_def()) {
    tf::SaverDef def = meta.saver_def();
    def.set_filename_tensor_name(Prepend(scope, def.filename_tensor_name()));
    def.set_save_tensor_name(Prepend(scope, def.save_tensor_name()));
    def.set_restore_op_name(Prepend(scope, def.restore_op_name()));
    return Saver::FromSaverDef(graph, std::move(def));
  }
  auto vars = graph.collections().find("variables");
  if (vars == graph.collections().end() || vars->second.bytes_list().value_size() == 0)
    return std::unique_ptr<Saver>();  // nothing to restore: Python returns None
  return Saver::Create(graph);
}

Result<std::unique_ptr<Saver>> ImportMetaGraph(graph::Graph& graph, const std::string& path,
                                               const ImportMetaGraphOptions& options) {
  Result<tf::MetaGraphDef> meta = ReadMetaGraphFile(path);
  if (!meta.ok()) return meta.status();
  Result<std::unique_ptr<Saver>> saver = ImportMetaGraph(graph, *meta, options);
  if (!saver.ok()) return saver.status().WithContext(path);
  return saver;
}

}  // namespace tfport::saver
