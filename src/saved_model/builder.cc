#include "tfport/saved_model/builder.h"

#include <google/protobuf/any.pb.h>

#include <cstdio>
#include <filesystem>
#include <map>

#include "tfport/core/tensor_proto.h"
#include "tfport/graph/ops.h"
#include "tfport/io/file.h"
#include "tfport/io/proto_io.h"
#include "tfport/saved_model/constants.h"
#include "tfport/saved_model/reader.h"
#include "tfport/saved_model/signature_def_utils.h"
#include "tfport/saver/meta_graph.h"

namespace tfport::saved_model {
namespace {

namespace fs = std::filesystem;

std::string StripTrailingSlashes(std::string p) {
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return p;
}

Status FsError(const std::string& what, const std::string& path, const std::error_code& ec) {
  return errors::Internal(what, " ", path, ": ", ec.message());
}

// The source path a string Const asset tensor holds.
Result<std::string> AssetSourcePath(const graph::Output& tensor) {
  if (!tensor.valid()) return errors::InvalidArgument("asset tensor is not a tensor");
  const tf::NodeDef& def = tensor.node->def();
  if (def.op() != "Const")
    return errors::InvalidArgument("Asset tensor must be of type constant: ", tensor.name(),
                                   " is a ", def.op());
  const tf::AttrValue* value = graph::FindAttr(def, "value");
  if (value == nullptr || !value->has_tensor())
    return errors::InvalidArgument("asset tensor ", tensor.name(), " has no value");
  TFPORT_ASSIGN_OR_RETURN(Tensor t, TensorFromProto(value->tensor()));
  if (t.dtype() != DT_STRING || t.num_elements() != 1)
    return errors::InvalidArgument("asset tensor ", tensor.name(),
                                   " must be a scalar string holding a file path");
  return t.flat<std::string>()[0];
}

bool SameFileContents(const std::string& a, const std::string& b) {
  Result<std::string> x = io::ReadFileToString(a), y = io::ReadFileToString(b);
  return x.ok() && y.ok() && *x == *y;
}

}  // namespace

Result<std::unique_ptr<SavedModelBuilder>> SavedModelBuilder::Create(const std::string& dir) {
  const std::string export_dir = StripTrailingSlashes(dir);
  if (export_dir.empty()) return errors::InvalidArgument("SavedModelBuilder: empty export_dir");
  std::error_code ec;
  if (fs::exists(export_dir, ec)) {
    if (!fs::is_directory(export_dir, ec) || !fs::is_empty(export_dir, ec))
      return errors::AlreadyExists(
          "Export directory already exists, and isn't empty. Please choose a different export "
          "directory, or delete all the contents of the specified directory: ", export_dir);
  }
  std::string parent = io::Dirname(export_dir);
  if (parent.empty()) parent = ".";
  TFPORT_RETURN_IF_ERROR(io::CreateDirectories(parent));
  char suffix[32];
  std::snprintf(suffix, sizeof(suffix), "%016llx",
                static_cast<unsigned long long>(io::RandomU64()));
  const std::string temp =
      io::JoinPath(parent, "." + io::Basename(export_dir) + ".tfport-tmp-" + suffix);
  if (!fs::create_directory(temp, ec)) return FsError("cannot create", temp, ec);
  std::unique_ptr<SavedModelBuilder> b(new SavedModelBuilder(export_dir, temp));
  b->proto_.set_saved_model_schema_version(kSavedModelSchemaVersion);
  return b;
}

SavedModelBuilder::~SavedModelBuilder() {
  if (saved_) return;
  std::error_code ec;
  fs::remove_all(temp_dir_, ec);
}

Status SavedModelBuilder::AddCollections(graph::Graph& graph, const MetaGraphOptions& o) {
  // Assets: copied to assets/ under their base names (a different file with
  // the same name becomes "name_1"), recorded as AssetFileDefs.
  std::map<std::string, std::string> filename_to_source;
  std::vector<std::pair<std::string, std::string>> copies;  // source, file name
  for (const graph::Output& t : o.assets_list) {
    TFPORT_ASSIGN_OR_RETURN(std::string source, AssetSourcePath(t));
    std::string name = io::Basename(source);
    if (name.empty()) return errors::InvalidArgument("asset tensor ", t.name(), " holds '", source,
                                                     "', which is not a file path");
    auto it = filename_to_source.find(name);
    if (it != filename_to_source.end() && it->second != source &&
        !SameFileContents(it->second, source)) {
      std::string unique = name;
      for (int i = 1; filename_to_source.count(unique); ++i) unique = name + "_" + std::to_string(i);
      name = unique;
    }
    if (!io::FileExists(source))
      return errors::NotFound("asset file ", source, " (tensor ", t.name(), ") does not exist");
    if (filename_to_source.emplace(name, source).second) copies.emplace_back(source, name);
    tf::AssetFileDef def;
    def.set_filename(name);
    def.mutable_tensor_info()->set_name(t.name());
    google::protobuf::Any any;
    io::PackAny(def, &any);
    *graph.collections()[kAssetsKey].mutable_any_list()->add_value() = std::move(any);
  }
  if (!copies.empty()) {
    const std::string assets = AssetsDirectory(temp_dir_);
    TFPORT_RETURN_IF_ERROR(io::CreateDirectories(assets));
    for (const auto& [source, name] : copies) {
      const std::string dest = io::JoinPath(assets, name);
      if (io::FileExists(dest)) continue;
      std::error_code ec;
      if (!fs::copy_file(source, dest, ec)) return FsError("cannot copy asset " + source + " to", dest, ec);
    }
  }

  const std::string& main_op = !o.main_op.empty() ? o.main_op : o.legacy_init_op;
  if (!main_op.empty()) {
    if (graph.FindNode(main_op) == nullptr)
      return errors::InvalidArgument("main_op '", main_op, "' is not an operation of the graph");
    for (const char* key : {kMainOpKey, kLegacyInitOpKey}) {
      auto it = graph.collections().find(key);
      if (it != graph.collections().end() && it->second.node_list().value_size() > 0)
        return errors::InvalidArgument("Graph already contains one or more main ops under the "
                                       "collection ", key, ".");
    }
    graph.AddToCollection(kMainOpKey, main_op);
  }
  return OkStatus();
}

Result<saver::Saver*> SavedModelBuilder::PrepareGraph(graph::Graph& graph,
                                                      const MetaGraphOptions& o) {
  for (const auto& [k, sig] : o.signature_def_map) TFPORT_RETURN_IF_ERROR(ValidateSignatureDef(k, sig));
  TFPORT_RETURN_IF_ERROR(AddCollections(graph, o));
  if (o.saver != nullptr || ops::GlobalVariables(graph).empty()) return o.saver;
  TFPORT_ASSIGN_OR_RETURN(std::unique_ptr<saver::Saver> made,
                          saver::Saver::Create(graph, {.sharded = true}));
  savers_.push_back(std::move(made));
  return savers_.back().get();
}

Status SavedModelBuilder::AddTaggedMetaGraph(graph::Graph& graph, saver::Saver* saver,
                                             const std::vector<std::string>& tags,
                                             const MetaGraphOptions& o) {
  saver::ExportMetaGraphOptions e;
  e.saver_def = saver ? &saver->saver_def() : nullptr;
  e.clear_devices = o.clear_devices;
  e.strip_default_attrs = o.strip_default_attrs;
  TFPORT_ASSIGN_OR_RETURN(tf::MetaGraphDef meta, saver::ExportMetaGraph(graph, e));
  for (const auto& t : tags) meta.mutable_meta_info_def()->add_tags(t);
  for (const auto& [k, sig] : o.signature_def_map) (*meta.mutable_signature_def())[k] = sig;
  *proto_.add_meta_graphs() = std::move(meta);
  return OkStatus();
}

Status SavedModelBuilder::AddMetaGraphAndVariables(runtime::Session& session, graph::Graph& graph,
                                                   const std::vector<std::string>& tags,
                                                   const MetaGraphOptions& o) {
  if (saved_) return errors::FailedPrecondition("SavedModelBuilder: Save() was already called");
  if (has_saved_variables_)
    return errors::FailedPrecondition(
        "Graph state including variables and assets has already been saved. Please invoke "
        "`add_meta_graph()` instead.");
  TFPORT_RETURN_IF_ERROR(io::CreateDirectories(io::JoinPath(temp_dir_, kVariablesDirectory)));
  TFPORT_ASSIGN_OR_RETURN(saver::Saver* saver, PrepareGraph(graph, o));
  if (saver) {
    saver::SaveOptions save;
    save.write_meta_graph = false;
    save.write_state = false;
    Result<std::string> written = saver->Save(session, VariablesPrefix(temp_dir_), save);
    if (!written.ok()) return written.status().WithContext("saving the variables of ", export_dir_);
  }
  TFPORT_RETURN_IF_ERROR(AddTaggedMetaGraph(graph, saver, tags, o));
  has_saved_variables_ = true;
  return OkStatus();
}

Status SavedModelBuilder::AddMetaGraph(graph::Graph& graph, const std::vector<std::string>& tags,
                                       const MetaGraphOptions& o) {
  if (saved_) return errors::FailedPrecondition("SavedModelBuilder: Save() was already called");
  if (!has_saved_variables_)
    return errors::FailedPrecondition(
        "Graph state including variables and assets has not been saved yet. Please invoke "
        "`add_meta_graph_and_variables()` first.");
  // A Saver for this graph too: its restore ops read the variables saved
  // by AddMetaGraphAndVariables.
  TFPORT_ASSIGN_OR_RETURN(saver::Saver* saver, PrepareGraph(graph, o));
  return AddTaggedMetaGraph(graph, saver, tags, o);
}

Result<std::string> SavedModelBuilder::Save(bool as_text) {
  if (saved_) return errors::FailedPrecondition("SavedModelBuilder: Save() was already called");
  const char* name = as_text ? kSavedModelFilenamePbTxt : kSavedModelFilenamePb;
  const std::string temp_file = io::JoinPath(temp_dir_, name);
  TFPORT_RETURN_IF_ERROR(as_text ? io::WriteTextProto(temp_file, proto_, /*sync=*/true)
                                 : io::WriteBinaryProto(temp_file, proto_, /*sync=*/true));
  TFPORT_RETURN_IF_ERROR(io::SyncDirectory(temp_dir_));
  // rename(2) replaces an empty directory; anything else at export_dir now
  // (someone wrote there since Create) makes it fail, and nothing is lost.
  std::error_code ec;
  fs::rename(temp_dir_, export_dir_, ec);
  if (ec) return FsError("cannot move the finished model to", export_dir_, ec);
  saved_ = true;
  std::string parent = io::Dirname(export_dir_);
  TFPORT_RETURN_IF_ERROR(io::SyncDirectory(parent.empty() ? "." : parent));
  return io::JoinPath(export_dir_, name);
}

}  // namespace tfport::saved_model
