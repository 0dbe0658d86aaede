#include "tfport/saved_model/loader.h"

#include <map>

#include "tfport/saved_model/objects.h"

#include "tfport/core/str_util.h"
#include "tfport/graph/function.h"

#include "tfport/graph/import.h"
#include "tfport/io/checkpoint_state.h"
#include "tfport/io/file.h"
#include "tfport/io/proto_io.h"
#include "tfport/kernels/kernels.h"
#include "tfport/saved_model/constants.h"
#include "tfport/saved_model/objects.h"
#include "tfport/saver/meta_graph.h"
#include "tfport/tf/session_bundle_manifest.pb.h"
#include "tfport/tf/variable.pb.h"

namespace tfport::saved_model {
namespace {

using Feeds = std::vector<std::pair<std::string, Tensor>>;
using BundlePtr = std::unique_ptr<SavedModelBundle>;

void Log(const LoadOptions& o, const std::string& line) {
  if (o.log) o.log(line);
}

// A graph imported from a MetaGraphDef (collections and Saver included).
struct Imported {
  std::unique_ptr<graph::Graph> graph;
  std::unique_ptr<saver::Saver> saver;
};

Result<Imported> ImportGraph(const LoadOptions& options, const tf::MetaGraphDef& meta,
                             const std::string& origin) {
  Imported im;
  im.graph = std::make_unique<graph::Graph>();
  saver::ImportMetaGraphOptions import;
  import.clear_devices = options.clear_devices;
  Result<std::unique_ptr<saver::Saver>> saver = saver::ImportMetaGraph(*im.graph, meta, import);
  if (!saver.ok()) return saver.status().WithContext(origin);
  im.saver = std::move(*saver);
  return im;
}

BundlePtr MakeBundle(const LoadOptions& options, const std::string& origin, tf::MetaGraphDef meta,
                     Imported im) {
  auto session = kernels::NewSession(*im.graph, options.session);
  return std::make_unique<SavedModelBundle>(origin, std::move(meta), std::move(im.graph),
                                            std::move(session), std::move(im.saver));
}

// A TF2 model whose functions use ops tfport cannot run fails at load with
// all of them listed (rather than at the first call that reaches one, or as
// a confusing restore error when it sits in the saver's functions).
Status CheckFunctionKernels(SavedModelBundle& bundle) {
  const graph::Graph& g = bundle.graph();
  if (g.library().function_size() == 0) return OkStatus();
  runtime::FunctionLibraryRuntime& lib = bundle.session().functions();
  auto is_function = [&](const std::string& op) { return lib.Find(op) != nullptr; };
  std::vector<std::string> roots;
  for (const graph::Node* n : g.nodes())
    for (std::string& f : graph::FunctionsCalledBy(n->def(), is_function)) roots.push_back(std::move(f));
  std::vector<std::string> missing = lib.MissingKernels(roots);
  if (missing.empty()) return OkStatus();
  return errors::Unimplemented(bundle.origin(), ": the model's functions use ops tfport does not implement: ",
                               StrJoin(missing, ", "));
}

// A GraphDef (a frozen inference graph: every node is meant to run) that
// uses ops tfport cannot run fails at load with each such op listed once,
// with its first node and how many others use it.
Status CheckGraphKernels(SavedModelBundle& bundle, const runtime::KernelRegistry* kernels) {
  if (kernels == nullptr) kernels = &kernels::DefaultKernels();
  runtime::FunctionLibraryRuntime& lib = bundle.session().functions();
  std::map<std::string, std::pair<std::string, int>> missing;  // op -> (first node, count)
  std::vector<std::string> order;
  for (const graph::Node* n : bundle.graph().nodes()) {
    if (lib.Find(n->op()) != nullptr) continue;  // a function call
    if (n->op_def() != nullptr && kernels->Find(n->op()) != nullptr) continue;
    auto [it, added] = missing.emplace(n->op(), std::make_pair(n->name(), 0));
    if (added) order.push_back(n->op());
    ++it->second.second;
  }
  if (missing.empty()) return OkStatus();
  std::vector<std::string> list;
  for (const std::string& op : order) {
    const auto& [node, count] = missing.at(op);
    list.push_back(StrCat(op, " (node ", node, count > 1 ? StrCat(" and ", count - 1, " more") : "", ")"));
  }
  return errors::Unimplemented(bundle.origin(), ": the graph uses ops tfport does not implement: ",
                               StrJoin(list, ", "));
}

Result<BundlePtr> ImportBundle(const LoadOptions& options, tf::MetaGraphDef meta,
                               const std::string& origin) {
  TFPORT_ASSIGN_OR_RETURN(Imported im, ImportGraph(options, meta, origin));
  BundlePtr bundle = MakeBundle(options, origin, std::move(meta), std::move(im));
  TFPORT_RETURN_IF_ERROR(CheckFunctionKernels(*bundle));
  return bundle;
}

// "name:0" -> "name": init ops are run as targets.
std::string OpNameOf(const std::string& name) {
  std::string node;
  int index = 0;
  if (!graph::ParseTensorName(name, &node, &index).ok()) return name;
  return node;
}

// The op a collection names, requiring exactly one entry ("" when absent).
Result<std::string> SingleOpInCollection(const tf::MetaGraphDef& meta, const char* key,
                                         const std::string& dir) {
  auto it = meta.collection_def().find(key);
  if (it == meta.collection_def().end()) return std::string();
  const auto& nodes = it->second.node_list().value();
  if (nodes.size() != 1)
    return errors::FailedPrecondition("Expected exactly one main op in : ", dir, " (collection '",
                                      key, "' has ", nodes.size(), " entries)");
  return OpNameOf(nodes[0]);
}

// Runs `op` for its effects with `feeds`, naming `what` on failure.
Status RunOp(const SavedModelBundle& bundle, const Feeds& feeds, const std::string& op,
             const std::string& what) {
  if (bundle.graph().FindNode(op) == nullptr)
    return errors::InvalidArgument(bundle.origin(), ": ", what, " '", op,
                                   "' is not in the graph");
  std::vector<Tensor> ignored;
  Status s = bundle.session().Run(feeds, {}, {op}, &ignored);
  if (!s.ok()) return s.WithContext(bundle.origin(), ": running ", what, " '", op, "'");
  return OkStatus();
}

// Feeds every asset tensor with its path under `assets_dir`.
Status AddAssetFeeds(const std::vector<std::pair<std::string, std::string>>& assets,
                     const std::string& assets_dir, const std::string& origin, Feeds* feeds) {
  for (const auto& [tensor, filename] : assets) {
    Result<std::string> path = AssetPath(assets_dir, filename);
    if (!path.ok()) return path.status().WithContext(origin, ": asset tensor ", tensor);
    feeds->emplace_back(tensor, Tensor::Scalar<std::string>(*path));
  }
  return OkStatus();
}

Status Restore(SavedModelBundle& bundle, const std::string& prefix, const Feeds& asset_feeds,
               const LoadOptions& options) {
  bundle.set_variables_path(prefix);
  const tf::SaverDef* def = bundle.meta_graph_def().has_saver_def()
                                ? &bundle.meta_graph_def().saver_def()
                                : (bundle.saver() ? &bundle.saver()->saver_def() : nullptr);
  if (def == nullptr && bundle.meta_graph_def().has_object_graph_def() && io::CheckpointExists(prefix)) {
    // A TF2 export without a SaverDef: restore by object path, as
    // TensorFlow's Python loader always does.
    Log(options, "Restoring SavedModel variables through the object graph.");
    TFPORT_ASSIGN_OR_RETURN(saver::Trackable::Ptr root, ObjectGraphOf(bundle));
    auto status = saver::Checkpoint::ForRoot(root).Restore(prefix);
    if (!status.ok()) return status.status().WithContext(bundle.origin(), ": restoring variables");
    TFPORT_RETURN_IF_ERROR(status->AssertExistingObjectsMatched().WithContext(bundle.origin(), ": restoring variables"));
    bundle.set_variables_restored(true);
    return OkStatus();
  }
  if (def == nullptr) {
    Log(options, "The SavedModel has no Saver and no variables; nothing to restore.");
    return OkStatus();
  }
  Feeds feeds = asset_feeds;
  feeds.emplace_back(def->filename_tensor_name(), Tensor::Scalar<std::string>(prefix));
  Log(options, "Restoring SavedModel bundle.");
  TFPORT_RETURN_IF_ERROR(RunOp(bundle, feeds, def->restore_op_name(),
                               "restoring variables from " + prefix + ": restore op"));
  bundle.set_variables_restored(true);
  return OkStatus();
}

// The `Any`s of a collection unpacked as M.
template <typename M>
Result<std::vector<M>> UnpackCollection(const tf::MetaGraphDef& meta, const char* key) {
  std::vector<M> out;
  auto it = meta.collection_def().find(key);
  if (it == meta.collection_def().end()) return out;
  for (const auto& any : it->second.any_list().value()) {
    M m;
    if (!io::UnpackAny(any, &m))
      return errors::DataLoss("collection '", key, "' holds a '", any.type_url(),
                              "' that does not unpack");
    out.push_back(std::move(m));
  }
  return out;
}

// TensorInfo{name, dtype} for a SessionBundle tensor binding.
tf::TensorInfo InfoFor(const graph::Graph& g, const std::string& name) {
  tf::TensorInfo info;
  info.set_name(name);
  if (Result<graph::Output> t = g.GetTensorByName(name); t.ok()) info.set_dtype(t->dtype());
  return info;
}

tf::SignatureDef FromLegacy(const graph::Graph& g, const tf::serving::Signature& s) {
  tf::SignatureDef def;
  if (s.has_regression_signature()) {
    def.set_method_name(kRegressMethodName);
    (*def.mutable_inputs())[kRegressInputs] = InfoFor(g, s.regression_signature().input().tensor_name());
    (*def.mutable_outputs())[kRegressOutputs] =
        InfoFor(g, s.regression_signature().output().tensor_name());
  } else if (s.has_classification_signature()) {
    const auto& c = s.classification_signature();
    def.set_method_name(kClassifyMethodName);
    (*def.mutable_inputs())[kClassifyInputs] = InfoFor(g, c.input().tensor_name());
    if (!c.classes().tensor_name().empty())
      (*def.mutable_outputs())[kClassifyOutputClasses] = InfoFor(g, c.classes().tensor_name());
    if (!c.scores().tensor_name().empty())
      (*def.mutable_outputs())[kClassifyOutputScores] = InfoFor(g, c.scores().tensor_name());
  }
  return def;
}

// TF Serving's up-conversion of SessionBundle signatures (bundle_shim).
Status ConvertLegacySignatures(const graph::Graph& g, tf::MetaGraphDef* meta) {
  TFPORT_ASSIGN_OR_RETURN(std::vector<tf::serving::Signatures> all,
                          UnpackCollection<tf::serving::Signatures>(*meta, kSessionBundleSignaturesKey));
  if (all.empty()) return OkStatus();
  const tf::serving::Signatures& sigs = all[0];
  auto& out = *meta->mutable_signature_def();
  if (sigs.has_default_signature()) {
    const auto& d = sigs.default_signature();
    if (d.has_regression_signature() || d.has_classification_signature())
      out[kDefaultServingSignatureDefKey] = FromLegacy(g, d);
  }
  const auto& named = sigs.named_signatures();
  auto in = named.find(kPredictInputs), outs = named.find(kPredictOutputs);
  const bool predict = in != named.end() && outs != named.end() &&
                       in->second.has_generic_signature() && outs->second.has_generic_signature();
  if (predict) {
    tf::SignatureDef def;
    def.set_method_name(kPredictMethodName);
    for (const auto& [k, b] : in->second.generic_signature().map())
      (*def.mutable_inputs())[k] = InfoFor(g, b.tensor_name());
    for (const auto& [k, b] : outs->second.generic_signature().map())
      (*def.mutable_outputs())[k] = InfoFor(g, b.tensor_name());
    std::string key = kDefaultServingSignatureDefKey;
    if (out.contains(key)) key += "_from_named";
    out[key] = std::move(def);
  }
  for (const auto& [k, s] : named) {
    if (predict && (k == kPredictInputs || k == kPredictOutputs)) continue;
    if (s.has_regression_signature() || s.has_classification_signature()) out[k] = FromLegacy(g, s);
  }
  return OkStatus();
}

// --restore / .meta checkpoints: a prefix, a V1 pattern, or a directory.
Result<std::string> ResolveCheckpoint(const std::string& where) {
  if (!io::IsDirectory(where)) return where;
  TFPORT_ASSIGN_OR_RETURN(std::optional<std::string> latest, io::LatestCheckpoint(where));
  if (!latest) return errors::NotFound("no checkpoint found in directory ", where);
  return *latest;
}

Status RestoreCheckpoint(SavedModelBundle& bundle, const std::string& checkpoint) {
  if (checkpoint.empty()) return OkStatus();
  Result<std::string> prefix = ResolveCheckpoint(checkpoint);
  if (!prefix.ok()) return prefix.status();
  saver::Saver* saver = bundle.saver();
  std::unique_ptr<saver::Saver> made;
  if (saver == nullptr) {
    // No SaverDef: save/restore every ref variable under its own name.
    std::vector<std::string> vars;
    for (const graph::Node* n : bundle.graph().nodes())
      if (n->op() == "VariableV2" || n->op() == "Variable") vars.push_back(n->name());
    TFPORT_ASSIGN_OR_RETURN(made, saver::Saver::Create(bundle.graph(), {.var_list = vars}));
    saver = made.get();
  }
  bundle.set_variables_path(*prefix);
  TFPORT_RETURN_IF_ERROR(saver->Restore(bundle.session(), *prefix));
  bundle.set_variables_restored(true);
  return OkStatus();
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

Result<BundlePtr> Load(const LoadOptions& options, const TagSet& tags,
                       const std::string& export_dir) {
  Log(options, "Reading SavedModel from: " + export_dir);
  TFPORT_ASSIGN_OR_RETURN(tf::MetaGraphDef meta, ReadMetaGraphDefFromSavedModel(export_dir, tags));
  Log(options, "Reading meta graph with tags " + TagSetString(tags));
  TFPORT_ASSIGN_OR_RETURN(BundlePtr bundle, ImportBundle(options, std::move(meta), export_dir));

  std::vector<std::pair<std::string, std::string>> assets;
  Result<std::vector<tf::AssetFileDef>> defs = GetAssetFileDefs(bundle->meta_graph_def());
  if (!defs.ok()) return defs.status().WithContext(export_dir);
  for (const auto& d : *defs) assets.emplace_back(d.tensor_info().name(), d.filename());
  Feeds asset_feeds;
  TFPORT_RETURN_IF_ERROR(AddAssetFeeds(assets, AssetsDirectory(export_dir), export_dir, &asset_feeds));

  const std::string prefix = VariablesPrefix(export_dir);
  if (io::FileExists(prefix + ".index")) {
    TFPORT_RETURN_IF_ERROR(Restore(*bundle, prefix, asset_feeds, options));
  } else {
    bundle->set_variables_path(prefix);
    Log(options, "The specified SavedModel has no variables; no checkpoints were restored. "
                 "File does not exist: " + prefix + ".index");
  }

  // The init op: the TF2 signature, else the TF1 collections.
  const tf::MetaGraphDef& m = bundle->meta_graph_def();
  std::string init, what;
  if (auto sig = m.signature_def().find(kInitOpSignatureKey); sig != m.signature_def().end()) {
    auto out = sig->second.outputs().find(kInitOpSignatureKey);
    if (out == sig->second.outputs().end())
      return errors::InvalidArgument(export_dir, ": signature '", kInitOpSignatureKey,
                                     "' has no output '", kInitOpSignatureKey, "'");
    init = OpNameOf(out->second.name());
    what = std::string("init op (signature ") + kInitOpSignatureKey + ")";
  }
  for (const char* key : {kMainOpKey, kLegacyInitOpKey}) {
    if (!init.empty()) break;
    TFPORT_ASSIGN_OR_RETURN(init, SingleOpInCollection(m, key, export_dir));
    what = std::string("init op (collection ") + key + ")";
  }
  if (!init.empty()) {
    Log(options, "Running initialization op on SavedModel bundle: " + init);
    TFPORT_RETURN_IF_ERROR(RunOp(*bundle, asset_feeds, init, what));
  }
  Log(options, "SavedModel load for tags " + TagSetString(tags) + ": Status: success.");
  return bundle;
}

Result<BundlePtr> LoadSessionBundle(const LoadOptions& options, const std::string& export_dir) {
  const std::string meta_path = io::JoinPath(export_dir, kSessionBundleMetaGraphFilename);
  Result<tf::MetaGraphDef> meta = saver::ReadMetaGraphFile(meta_path);
  if (!meta.ok()) return meta.status();
  TFPORT_ASSIGN_OR_RETURN(Imported im, ImportGraph(options, *meta, export_dir));
  // Up-convert the legacy signatures into SignatureDefs of the bundle's MetaGraphDef.
  if (Status s = ConvertLegacySignatures(*im.graph, &*meta); !s.ok())
    return s.WithContext(meta_path);
  BundlePtr bundle = MakeBundle(options, export_dir, std::move(*meta), std::move(im));

  TFPORT_ASSIGN_OR_RETURN(
      std::vector<tf::serving::AssetFile> files,
      UnpackCollection<tf::serving::AssetFile>(bundle->meta_graph_def(), kSessionBundleAssetsKey));
  std::vector<std::pair<std::string, std::string>> assets;
  for (const auto& f : files) assets.emplace_back(f.tensor_binding().tensor_name(), f.filename());
  Feeds asset_feeds;
  TFPORT_RETURN_IF_ERROR(AddAssetFeeds(assets, AssetsDirectory(export_dir), export_dir, &asset_feeds));

  // export (V1 file or V2 prefix) or the sharded V1 pattern.
  std::string prefix = io::JoinPath(export_dir, kSessionBundleVariablesFilename);
  if (!io::FileExists(prefix) && !io::FileExists(prefix + ".index"))
    prefix = io::JoinPath(export_dir, kSessionBundleVariablesPattern);
  if (bundle->meta_graph_def().has_saver_def() && !io::CheckpointExists(prefix))
    return errors::NotFound(export_dir, ": SessionBundle has no variables (expected export, "
                            "export.index or export-NNNNN-of-NNNNN)");
  TFPORT_RETURN_IF_ERROR(Restore(*bundle, prefix, asset_feeds, options));

  TFPORT_ASSIGN_OR_RETURN(std::string init, SingleOpInCollection(bundle->meta_graph_def(),
                                                                 kSessionBundleInitOpKey, export_dir));
  if (!init.empty())
    TFPORT_RETURN_IF_ERROR(RunOp(*bundle, asset_feeds, init,
                                 std::string("init op (collection ") + kSessionBundleInitOpKey + ")"));
  return bundle;
}

Result<BundlePtr> LoadSessionBundleOrSavedModel(const LoadOptions& options, const TagSet& tags,
                                                const std::string& export_dir) {
  if (MaybeSavedModelDirectory(export_dir)) return Load(options, tags, export_dir);
  if (MaybeSessionBundleDirectory(export_dir)) return LoadSessionBundle(options, export_dir);
  return errors::NotFound("Specified file path does not appear to contain a:\n"
                          "- Session bundle (should have a file called `export.meta`)\n"
                          "- or, SavedModel bundle (should have a file called `saved_model.pb`)\n"
                          "Specified file path: ", export_dir);
}

Result<BundlePtr> LoadMetaGraph(const LoadOptions& options, tf::MetaGraphDef meta,
                                const std::string& origin, const std::string& checkpoint) {
  TFPORT_ASSIGN_OR_RETURN(BundlePtr bundle, ImportBundle(options, std::move(meta), origin));
  Status s = RestoreCheckpoint(*bundle, checkpoint);
  if (!s.ok()) return s.WithContext(origin, ": restoring ", checkpoint);
  return bundle;
}

Result<BundlePtr> LoadMetaGraph(const LoadOptions& options, const std::string& meta_path,
                                const std::string& checkpoint) {
  Result<tf::MetaGraphDef> meta = saver::ReadMetaGraphFile(meta_path);
  if (!meta.ok()) return meta.status();
  return LoadMetaGraph(options, std::move(*meta), meta_path, checkpoint);
}

Result<BundlePtr> LoadGraphDef(const LoadOptions& options, const std::string& path,
                               const std::string& checkpoint) {
  tf::GraphDef def;
  TFPORT_RETURN_IF_ERROR(io::ReadProto(path, &def));
  tf::MetaGraphDef meta;
  *meta.mutable_graph_def()->mutable_versions() = def.versions();
  if (options.clear_devices)
    for (auto& n : *def.mutable_node()) n.clear_device();
  Result<std::unique_ptr<graph::Graph>> g = graph::GraphFromGraphDef(std::move(def));
  if (!g.ok()) return g.status().WithContext(path);
  auto session = kernels::NewSession(**g, options.session);
  auto bundle = std::make_unique<SavedModelBundle>(path, std::move(meta), std::move(*g),
                                                   std::move(session), nullptr);
  TFPORT_RETURN_IF_ERROR(CheckGraphKernels(*bundle, options.session.kernels));
  TFPORT_RETURN_IF_ERROR(CheckFunctionKernels(*bundle));
  Status s = RestoreCheckpoint(*bundle, checkpoint);
  if (!s.ok()) return s.WithContext(path, ": restoring ", checkpoint);
  return bundle;
}

Result<BundlePtr> LoadModel(const LoadOptions& options, const std::string& path,
                            const TagSet& tags, const std::string& checkpoint) {
  std::string dir = path;
  const std::string base = io::Basename(path);
  if (!io::IsDirectory(path) && (base == kSavedModelFilenamePb || base == kSavedModelFilenamePbTxt))
    dir = io::Dirname(path).empty() ? "." : io::Dirname(path);
  if (io::IsDirectory(dir)) {
    if (!checkpoint.empty())
      return errors::InvalidArgument(dir, ": a SavedModel restores its own variables; a "
                                     "checkpoint (", checkpoint, ") applies only to .meta and "
                                     ".pb models");
    return LoadSessionBundleOrSavedModel(options, tags, dir);
  }
  if (EndsWith(path, ".meta")) return LoadMetaGraph(options, path, checkpoint);
  return LoadGraphDef(options, path, checkpoint);
}

Status RunVariableInitializers(SavedModelBundle& bundle) {
  const graph::Graph& g = bundle.graph();
  std::vector<std::string> inits;
  for (const char* key : {"variables", "local_variables"}) {
    auto it = g.collections().find(key);
    if (it == g.collections().end()) continue;
    for (const auto& bytes : it->second.bytes_list().value()) {
      tf::VariableDef v;
      if (v.ParseFromString(bytes) && g.FindNode(v.initializer_name()))
        inits.push_back(v.initializer_name());
    }
  }
  if (inits.empty()) {
    for (const graph::Node* n : g.nodes())
      if (graph::IsVariableOp(n->op()) && g.FindNode(n->name() + "/Assign"))
        inits.push_back(n->name() + "/Assign");
  }
  if (inits.empty()) return OkStatus();
  std::vector<Tensor> ignored;
  Status s = bundle.session().Run({}, {}, inits, &ignored);
  if (!s.ok()) return bundle.Explain(s, "running the variables' initializers");
  return OkStatus();
}

}  // namespace tfport::saved_model
