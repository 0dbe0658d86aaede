#include "tfport/saver/saver.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <cstdio>
#include <random>
#include <regex>

#include "tfport/graph/op_registry.h"
#include "tfport/graph/ops.h"
#include "tfport/io/bundle.h"
#include "tfport/io/checkpoint_state.h"
#include "tfport/io/file.h"
#include "tfport/io/proto_io.h"
#include "tfport/saver/meta_graph.h"
#include "tfport/tf/variable.pb.h"

namespace tfport::saver {
namespace {

using graph::Graph;
using graph::Node;
using graph::Output;

double NowSeconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// One variable (or one slice of a partitioned variable) as the saver sees it.
struct Saveable {
  std::string key;   // checkpoint key
  std::string spec;  // shape_and_slice ("" = whole tensor)
  Output handle;     // the VariableV2 (ref) or VarHandleOp (resource) output
  Output value;      // what SaveV2 reads: the ref itself or the read tensor
  DataType dtype = DT_INVALID;
  bool resource = false;
  bool fully_defined = false;  // static shape known (Assign validate_shape)
  std::string device;
};

Result<Saveable> SaveableFor(Graph& g, const std::string& var_name,
                             const tf::VariableDef* def) {
  Node* node = g.FindNode(var_name);
  if (node == nullptr || !graph::IsVariableOp(node->op()))
    return errors::InvalidArgument("Saver: '", var_name, "' is not a variable of the graph");
  Saveable s;
  s.key = var_name;
  s.handle = node->output(0);
  s.resource = node->op() == "VarHandleOp";
  s.device = node->def().device();
  TFPORT_ASSIGN_OR_RETURN(s.dtype, graph::GetTypeAttr(node->def(), "dtype"));
  const tf::AttrValue* shape = graph::FindAttr(node->def(), "shape");
  if (shape && shape->has_shape()) {
    Result<Shape> sh = Shape::FromProto(shape->shape(), true);
    s.fully_defined = sh.ok() && sh->IsFullyDefined();
  }
  if (s.resource) {
    // The read tensor the variable was built with (VariableDef.snapshot_name).
    if (def == nullptr || def->snapshot_name().empty())
      return errors::InvalidArgument("Saver: resource variable '", var_name,
                                     "' is not in the variables collection");
    TFPORT_ASSIGN_OR_RETURN(s.value, g.GetTensorByName(def->snapshot_name()));
  } else {
    s.value = s.handle;
  }
  if (def && def->has_save_slice_info_def()) {
    // A partition of a larger variable: saved under the full name with its
    // slice spec "d0 d1 off,len:off,len" (formats.md §1.9).
    const auto& info = def->save_slice_info_def();
    s.key = info.full_name();
    std::string spec;
    for (int64_t d : info.full_shape()) spec += std::to_string(d) + " ";
    for (int i = 0; i < info.var_offset_size(); ++i) {
      if (i) spec += ":";
      spec += std::to_string(info.var_offset(i)) + "," +
              std::to_string(i < info.var_shape_size() ? info.var_shape(i) : -1);
    }
    s.spec = spec;
  }
  return s;
}

// The variables a Saver covers, sorted by checkpoint key (as Python's
// Saver canonicalizes var_list into a sorted name -> saveable dict).
Result<std::vector<Saveable>> CollectSaveables(Graph& g, const SaverOptions& o) {
  // The variables collection, by variable op name (parsed once).
  const std::vector<tf::VariableDef> defs = ops::GlobalVariables(g);
  std::vector<std::pair<std::string, const tf::VariableDef*>> collection;
  std::map<std::string, const tf::VariableDef*> def_of;
  Status bad_name;  // reported only when the whole collection is saved
  for (const auto& d : defs) {
    std::string node;
    int index;
    if (Status s = graph::ParseTensorName(d.variable_name(), &node, &index); !s.ok()) {
      bad_name = s;
      continue;
    }
    collection.emplace_back(node, &d);
    def_of.emplace(node, &d);
  }
  auto find_def = [&](const std::string& node) -> const tf::VariableDef* {
    auto it = def_of.find(node);
    return it == def_of.end() ? nullptr : it->second;
  };
  std::vector<Saveable> out;
  if (!o.var_map.empty()) {
    for (const auto& [key, var] : o.var_map) {
      TFPORT_ASSIGN_OR_RETURN(Saveable s, SaveableFor(g, var, find_def(var)));
      s.key = key;
      s.spec.clear();
      out.push_back(std::move(s));
    }
  } else if (!o.var_list.empty()) {
    for (const auto& var : o.var_list) {
      std::string node;
      int index;
      TFPORT_RETURN_IF_ERROR(graph::ParseTensorName(var, &node, &index));
      TFPORT_ASSIGN_OR_RETURN(Saveable s, SaveableFor(g, node, find_def(node)));
      out.push_back(std::move(s));
    }
  } else {
    TFPORT_RETURN_IF_ERROR(bad_name);
    for (const auto& [node, d] : collection) {
      TFPORT_ASSIGN_OR_RETURN(Saveable s, SaveableFor(g, node, d));
      out.push_back(std::move(s));
    }
  }
  if (out.empty()) return errors::InvalidArgument("No variables to save");
  std::stable_sort(out.begin(), out.end(), [](const Saveable& a, const Saveable& b) {
    return a.key < b.key || (a.key == b.key && a.spec < b.spec);
  });
  for (size_t i = 1; i < out.size(); ++i)
    if (out[i].key == out[i - 1].key && (out[i].spec.empty() || out[i - 1].spec.empty() ||
                                         out[i].spec == out[i - 1].spec))
      return errors::InvalidArgument("At least two variables have the same name: ", out[i].key);
  return out;
}

ops::Attr ClassAttr(const std::string& node_name) {
  ops::Attr a{"_class", {}};
  a.value.mutable_list()->add_s("loc:@" + node_name);
  return a;
}

Tensor StringVector(const std::vector<std::string>& v) {
  return Tensor::FromVector(v, Shape{static_cast<int64_t>(v.size())});
}

// Builds the subgraph; returns its SaverDef. Mirrors saver.py's
// BaseSaverBuilder._build_internal.
class SubgraphBuilder {
 public:
  SubgraphBuilder(Graph& g, const SaverOptions& o) : g_(g), o_(o) {}

  Result<tf::SaverDef> Build(const std::vector<Saveable>& saveables) {
    Graph::NameScope scope(g_, o_.name.empty() ? "save" : o_.name);
    const bool v1 = o_.write_version != tf::SaverDef::V2;
    Output filename;
    if (o_.tf1_11_layout) {
      filename = ops::Const(g_, Tensor::Scalar<std::string>(o_.filename), "Const");
    } else {
      Output f;
      {
        Graph::NameScope s(g_, "filename");
        const std::string name = s.scope();
        Output default_name = ops::Const(g_, Tensor::Scalar<std::string>(o_.filename), "input");
        f = ops::Op(g_, {"PlaceholderWithDefault", {default_name},
                         {ops::AttrShape("shape", Shape{})}, {}, name + "/"});
      }
      // Python keeps the name "Const" for backward compatibility.
      filename = ops::Op(g_, {"PlaceholderWithDefault", {f}, {ops::AttrShape("shape", Shape{})},
                              {}, "Const"});
    }
    TFPORT_RETURN_IF_ERROR(g_.status());

    tf::SaverDef def;
    def.set_filename_tensor_name(filename.name());
    Output save_tensor;
    Node* restore = nullptr;
    if (o_.sharded) {
      std::vector<std::pair<std::string, std::vector<Saveable>>> per_device;
      for (const Saveable& s : saveables) {
        auto it = std::find_if(per_device.begin(), per_device.end(),
                               [&](const auto& p) { return p.first == s.device; });
        if (it == per_device.end()) {
          per_device.push_back({s.device, {}});
          it = per_device.end() - 1;
        }
        it->second.push_back(s);
      }
      if (!o_.tf1_11_layout)  // TF >= 1.14 pins each shard to its host's CPU
        for (auto& [device, group] : per_device) device = CpuOf(device);
      std::sort(per_device.begin(), per_device.end(),
                [](const auto& a, const auto& b) { return a.first < b.first; });
      save_tensor = v1 ? ShardedSaveV1(filename, per_device) : ShardedSaveV2(filename, per_device);
      std::vector<Node*> shards;
      for (const auto& [device, group] : per_device) {
        std::string saved = g_.default_device();
        g_.default_device() = device;
        shards.push_back(RestoreOps(filename, group, "restore_shard"));
        g_.default_device() = saved;
      }
      restore = Group(shards, "restore_all");
    } else {
      save_tensor = SaveOps(filename, saveables);
      restore = RestoreOps(filename, saveables, "restore_all");
    }
    TFPORT_RETURN_IF_ERROR(g_.status());
    def.set_save_tensor_name(save_tensor.name());
    def.set_restore_op_name(restore->name());
    def.set_max_to_keep(o_.max_to_keep);
    def.set_sharded(o_.sharded);
    def.set_keep_checkpoint_every_n_hours(static_cast<float>(o_.keep_checkpoint_every_n_hours));
    def.set_version(o_.write_version);
    return def;
  }

 private:
  // _AddSaveOps: SaveV2 (or V1 SaveSlices) + control_dependency Identity.
  Output SaveOps(Output filename, const std::vector<Saveable>& saveables) {
    std::vector<std::string> names, specs;
    std::vector<Output> inputs;
    std::vector<DataType> dtypes;
    for (const Saveable& s : saveables) {
      names.push_back(s.key);
      specs.push_back(s.spec);
      inputs.push_back(s.value);
      dtypes.push_back(s.dtype);
    }
    const bool v1 = o_.write_version != tf::SaverDef::V2;
    Node* save;
    {
      Graph::NameScope op_scope(g_, v1 ? "save" : "SaveV2");
      const std::string op_name = op_scope.scope();
      std::vector<Output> all = {filename, ops::Const(g_, StringVector(names), "tensor_names"),
                                 ops::Const(g_, StringVector(specs),
                                            v1 ? "shapes_and_slices" : "shape_and_slices")};
      all.insert(all.end(), inputs.begin(), inputs.end());
      save = ops::AddOp(g_, {v1 ? "SaveSlices" : "SaveV2", all,
                             {ops::AttrTypes(v1 ? "T" : "dtypes", dtypes)}, {}, op_name + "/"});
    }
    if (save == nullptr) return {};
    // control_flow_ops.with_dependencies: Identity colocated with the file name.
    return ops::Op(g_, {"Identity", {filename}, {ClassAttr(filename.node->name())}, {save},
                        "control_dependency"});
  }

  // _AddShardedSaveOpsForV2.
  Output ShardedSaveV2(Output filename,
                       const std::vector<std::pair<std::string, std::vector<Saveable>>>& groups) {
    Output tmp;
    {
      Graph::NameScope s(g_, "StringJoin");
      const std::string name = s.scope();
      Output suffix = ops::Const(g_, Tensor::Scalar<std::string>(TempSuffix()), "inputs_1");
      tmp = ops::Op(g_, {"StringJoin", {filename, suffix}, {}, {}, name + "/"});
    }
    Output num_shards = ops::Const(g_, static_cast<int32_t>(groups.size()), "num_shards");
    std::vector<Output> prefixes, saves;
    std::string last_device;
    int shard = 0;
    for (const auto& [device, group] : groups) {
      std::string saved = g_.default_device();
      g_.default_device() = device;
      Output sharded = ShardedFilename(tmp, shard++, num_shards);
      prefixes.push_back(sharded);
      saves.push_back(SaveOps(sharded, group));
      g_.default_device() = saved;
      last_device = device;
    }
    std::vector<Node*> save_nodes;
    for (const Output& s : saves)
      if (s.valid()) save_nodes.push_back(s.node);
    std::string saved = g_.default_device();
    g_.default_device() = last_device;
    Node* merge;
    {
      Graph::NameScope s(g_, "MergeV2Checkpoints");
      const std::string name = s.scope();
      Output packed = ops::Op(g_, {"Pack", prefixes, {ops::AttrInt("axis", 0)}, save_nodes,
                                   "checkpoint_prefixes"});
      // No control inputs of its own: its Pack input already carries them
      // (Python drops control deps an input created in the same block has).
      merge = ops::AddOp(g_, {"MergeV2Checkpoints", {packed, filename},
                              {ops::AttrBool("delete_old_dirs", true)}, {}, name + "/"});
    }
    std::vector<Node*> deps = save_nodes;
    if (merge) deps.insert(deps.begin(), merge);
    Output result = ops::Op(g_, {"Identity", {filename}, {}, deps, "Identity"});
    g_.default_device() = saved;
    return result;
  }

  // _AddShardedSaveOps for V1: ShardedFilename per device, SaveSlices each,
  // then ShardedFilespec.
  Output ShardedSaveV1(Output filename,
                       const std::vector<std::pair<std::string, std::vector<Saveable>>>& groups) {
    Output num_shards = ops::Const(g_, static_cast<int32_t>(groups.size()), "num_shards");
    std::vector<Node*> saves;
    int shard = 0;
    for (const auto& [device, group] : groups) {
      std::string saved = g_.default_device();
      g_.default_device() = device;
      Output sharded = ShardedFilename(filename, shard++, num_shards);
      Output s = SaveOps(sharded, group);
      if (s.valid()) saves.push_back(s.node);
      g_.default_device() = saved;
    }
    return ops::Op(g_, {"ShardedFilespec", {filename, num_shards}, {}, saves, ""});
  }

  Output ShardedFilename(Output base, int shard, Output num_shards) {
    Graph::NameScope s(g_, "ShardedFilename");
    const std::string name = s.scope();
    Output idx = ops::Const(g_, static_cast<int32_t>(shard), "shard");
    return ops::Op(g_, {"ShardedFilename", {base, idx, num_shards}, {}, {}, name + "/"});
  }

  // _AddRestoreOps: one bulk RestoreV2 (V1: RestoreV2 as well, which reads
  // V1 files), then Assign / Identity + AssignVariableOp per variable.
  Node* RestoreOps(Output filename, const std::vector<Saveable>& saveables,
                   const std::string& group_name) {
    std::vector<std::string> names, specs;
    std::vector<DataType> dtypes;
    for (const Saveable& s : saveables) {
      names.push_back(s.key);
      specs.push_back(s.spec);
      dtypes.push_back(s.dtype);
    }
    Node* restore;
    {
      std::string saved = g_.default_device();
      if (!o_.tf1_11_layout) g_.default_device() = "/device:CPU:0";
      Graph::NameScope s(g_, "RestoreV2");
      const std::string name = s.scope();
      Output n = ops::Const(g_, StringVector(names), "tensor_names");
      Output sp = ops::Const(g_, StringVector(specs), "shape_and_slices");
      restore = ops::AddOp(g_, {"RestoreV2", {filename, n, sp}, {ops::AttrTypes("dtypes", dtypes)},
                                {}, name + "/"});
      g_.default_device() = saved;
    }
    if (restore == nullptr) return nullptr;
    std::vector<Node*> assigns;
    for (size_t i = 0; i < saveables.size(); ++i) {
      const Saveable& s = saveables[i];
      Output restored = restore->output(static_cast<int>(i));
      if (s.resource) {
        std::string saved = g_.default_device();
        if (!s.device.empty()) g_.default_device() = s.device;
        Output copy = ops::Identity(g_, restored, "Identity");
        assigns.push_back(ops::AssignVariableOp(g_, s.handle, copy, "AssignVariableOp"));
        g_.default_device() = saved;
      } else {
        Output a = ops::Op(g_, {"Assign", {s.handle, restored},
                                {ops::AttrBool("use_locking", true),
                                 ops::AttrBool("validate_shape", s.fully_defined)},
                                {}, "Assign"});
        assigns.push_back(a.node);
      }
    }
    return Group(assigns, group_name);
  }

  // control_flow_ops.group: a NoOp, placed on the device its inputs share.
  Node* Group(const std::vector<Node*>& deps, const std::string& name) {
    std::string device;
    for (size_t i = 0; i < deps.size(); ++i) {
      if (deps[i] == nullptr) return nullptr;
      if (i == 0) {
        device = deps[i]->def().device();
      } else if (deps[i]->def().device() != device) {
        device.clear();
        break;
      }
    }
    std::string saved = g_.default_device();
    g_.default_device() = device;
    Node* n = ops::NoOp(g_, deps, name);
    g_.default_device() = saved;
    return n;
  }

  // saveable_object_util.set_cpu0: the same job/task, device CPU:0.
  static std::string CpuOf(const std::string& device) {
    size_t pos = device.find("/device:");
    return (pos == std::string::npos ? device : device.substr(0, pos)) + "/device:CPU:0";
  }

  static std::string TempSuffix() {
    std::random_device rd;
    std::mt19937_64 gen((static_cast<uint64_t>(rd()) << 32) ^ rd() ^
                        static_cast<uint64_t>(NowSeconds() * 1e6));
    char hex[33];
    std::snprintf(hex, sizeof hex, "%016llx%016llx", static_cast<unsigned long long>(gen()),
                  static_cast<unsigned long long>(gen()));
    return std::string("_temp_") + hex + "/part";
  }

  Graph& g_;
  const SaverOptions& o_;
};

Status ExplainRestoreError(const Status& s) {
  if (s.code() == Code::kNotFound)
    return Status(s.code(),
                  StrCat("Restoring from checkpoint failed. This is most likely due to a "
                         "Variable name or other graph key that is missing from the checkpoint. "
                         "Please ensure that you have not altered the graph expected based on "
                         "the checkpoint. Original error:\n\n",
                         s.message()));
  if (s.code() == Code::kInvalidArgument)
    return Status(s.code(),
                  StrCat("Restoring from checkpoint failed. This is most likely due to a "
                         "mismatch between the current graph and the graph from the checkpoint. "
                         "Please ensure that you have not altered the graph expected based on "
                         "the checkpoint. Original error:\n\n",
                         s.message()));
  return s;
}

}  // namespace

// ---------------------------------------------------------------- Saver

Result<std::unique_ptr<Saver>> Saver::Create(Graph& graph, SaverOptions options) {
  if (options.write_version != tf::SaverDef::V1 && options.write_version != tf::SaverDef::V2)
    return errors::InvalidArgument("Saver: write_version must be V1 or V2");
  TFPORT_ASSIGN_OR_RETURN(std::vector<Saveable> saveables, CollectSaveables(graph, options));
  SubgraphBuilder builder(graph, options);
  Result<tf::SaverDef> def = builder.Build(saveables);
  if (!def.ok()) return def.status().WithContext("building the Saver");
  std::unique_ptr<Saver> saver(new Saver(graph, *std::move(def)));
  saver->save_relative_paths_ = options.save_relative_paths;
  saver->pad_step_number_ = options.pad_step_number;
  saver->next_keep_time_ = NowSeconds() + options.keep_checkpoint_every_n_hours * 3600.0;
  return saver;
}

Result<std::unique_ptr<Saver>> Saver::FromSaverDef(Graph& graph, tf::SaverDef def) {
  for (const std::string& t : {def.filename_tensor_name(), def.save_tensor_name()}) {
    Result<Output> out = graph.GetTensorByName(t);
    if (!out.ok())
      return errors::InvalidArgument("SaverDef names tensor '", t,
                                     "', which is not in the graph: ", out.status().message());
  }
  std::string restore = def.restore_op_name();
  if (graph.FindNode(restore) == nullptr)
    return errors::InvalidArgument("SaverDef names restore op '", restore,
                                   "', which is not in the graph");
  std::unique_ptr<Saver> saver(new Saver(graph, std::move(def)));
  saver->next_keep_time_ =
      NowSeconds() + saver->def_.keep_checkpoint_every_n_hours() * 3600.0;
  return saver;
}

Result<std::string> Saver::Save(runtime::Session& session, const std::string& save_path,
                                const SaveOptions& options) {
  std::string checkpoint_file = save_path;
  if (options.global_step) {
    char buf[32];
    std::snprintf(buf, sizeof buf, pad_step_number_ ? "-%08lld" : "-%lld",
                  static_cast<long long>(*options.global_step));
    checkpoint_file += buf;
  }
  const std::string save_dir = io::Dirname(save_path);
  if (options.write_state && io::Basename(save_path) == options.latest_filename)
    return errors::InvalidArgument("'latest_filename' collides with 'save_path': '",
                                   options.latest_filename, "' and '", save_path, "'");
  std::vector<Tensor> out;
  Status s = session.Run({{def_.filename_tensor_name(), Tensor::Scalar<std::string>(checkpoint_file)}},
                         {def_.save_tensor_name()}, {}, &out);
  if (!s.ok()) {
    if (!save_dir.empty() && !io::IsDirectory(save_dir))
      return errors::InvalidArgument("Parent directory of ", save_path,
                                     " doesn't exist, can't save.");
    return s;
  }
  std::string model_checkpoint_path = out[0].scalar<std::string>();

  // .meta before the state file: a state file always names a checkpoint whose
  // files are all in place.
  if (options.write_meta_graph) {
    TFPORT_ASSIGN_OR_RETURN(tf::MetaGraphDef meta, ExportMetaGraph());
    TFPORT_RETURN_IF_ERROR(
        WriteMetaGraph(MetaGraphFilename(checkpoint_file, options.meta_graph_suffix), meta));
  }
  if (options.write_state) {
    RecordLastCheckpoint(model_checkpoint_path);
    io::CheckpointStateUpdate update;
    update.save_dir = save_dir.empty() ? "." : save_dir;
    update.model_checkpoint_path = model_checkpoint_path;
    for (const auto& [p, t] : last_checkpoints_) update.all_model_checkpoint_paths.push_back(p);
    update.latest_filename = options.latest_filename;
    update.save_relative_paths = save_relative_paths_;
    TFPORT_RETURN_IF_ERROR(io::UpdateCheckpointState(update));
    MaybeDeleteOldCheckpoints(options.meta_graph_suffix);
  }
  return model_checkpoint_path;
}

Status Saver::Restore(runtime::Session& session, const std::string& save_path) {
  if (save_path.empty()) return errors::InvalidArgument("Can't load save_path when it is None.");
  if (!io::CheckpointExists(save_path))
    return errors::InvalidArgument("The passed save_path is not a valid checkpoint: ", save_path);
  std::vector<Tensor> out;
  Status s = session.Run({{def_.filename_tensor_name(), Tensor::Scalar<std::string>(save_path)}},
                         {}, {def_.restore_op_name()}, &out);
  if (!s.ok()) return ExplainRestoreError(s);
  return OkStatus();
}

std::vector<std::string> Saver::last_checkpoints() const {
  std::vector<std::string> out;
  for (const auto& [p, t] : last_checkpoints_) out.push_back(p);
  return out;
}

void Saver::RecoverLastCheckpoints(const std::vector<std::string>& paths) {
  const double now = NowSeconds();
  for (const auto& p : paths) last_checkpoints_.push_back({p, now});
}

void Saver::RecordLastCheckpoint(const std::string& path) {
  if (def_.max_to_keep() <= 0) return;
  last_checkpoints_.erase(std::remove_if(last_checkpoints_.begin(), last_checkpoints_.end(),
                                         [&](const auto& e) { return e.first == path; }),
                          last_checkpoints_.end());
  last_checkpoints_.push_back({path, NowSeconds()});
  while (last_checkpoints_.size() > static_cast<size_t>(def_.max_to_keep())) {
    to_delete_.push_back(last_checkpoints_.front());
    last_checkpoints_.erase(last_checkpoints_.begin());
  }
}

void Saver::MaybeDeleteOldCheckpoints(const std::string& meta_graph_suffix) {
  const auto version = def_.version() == tf::SaverDef::V2 ? tf::SaverDef::V2 : tf::SaverDef::V1;
  for (const auto& [path, time] : to_delete_) {
    // keep_checkpoint_every_n_hours: keep one checkpoint per period.
    const double hours = def_.keep_checkpoint_every_n_hours();
    if (hours > 0 && time > next_keep_time_) {
      next_keep_time_ += hours * 3600.0;
      continue;
    }
    RemoveCheckpoint(path, version, meta_graph_suffix);
  }
  to_delete_.clear();
}

Result<tf::MetaGraphDef> Saver::ExportMetaGraph() const {
  ExportMetaGraphOptions options;
  options.saver_def = &def_;
  return saver::ExportMetaGraph(*graph_, options);
}

// ---------------------------------------------------------------- files

std::string MetaGraphFilename(const std::string& checkpoint_path, const std::string& suffix) {
  static const std::regex shard_suffix("-[\\d\\?]+-of-\\d+$");
  return std::regex_replace(checkpoint_path, shard_suffix, "") + "." + suffix;
}

void RemoveCheckpoint(const std::string& prefix, tf::SaverDef::CheckpointFormatVersion version,
                      const std::string& meta_graph_suffix) {
  std::vector<std::string> files;
  if (version == tf::SaverDef::V2) {
    files.push_back(io::BundleIndexPath(prefix));
    for (auto& f : io::Glob(prefix + ".data-\?\?\?\?\?-of-\?\?\?\?\?")) files.push_back(f);
  } else {
    for (auto& f : io::Glob(prefix)) files.push_back(f);
  }
  files.push_back(MetaGraphFilename(prefix, meta_graph_suffix));
  for (const auto& f : files)
    if (io::FileExists(f)) (void)io::DeleteFile(f);  // best effort, as TensorFlow
}

}  // namespace tfport::saver
