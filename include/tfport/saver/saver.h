// tfport: tf.compat.v1.train.Saver — checkpoints of a graph's variables.
//
//   graph::Graph g;  ... variables ...
//   TFPORT_ASSIGN_OR_RETURN(auto saver, saver::Saver::Create(g));
//   auto session = kernels::NewSession(g);
//   ... run the initializer ...
//   TFPORT_ASSIGN_OR_RETURN(std::string path, saver->Save(*session, "model/model_save"));
//   TFPORT_RETURN_IF_ERROR(saver->Restore(*session, path));
//
// Create adds the save/restore subgraph TensorFlow 1.x's Saver adds, node for
// node (formats.md §4.2): a `save` name scope ("save_1"... for further
// savers) holding the filename PlaceholderWithDefault pair, SaveV2 (or the V1
// SaveSlices) fed by the variables, RestoreV2 and one Assign /
// AssignVariableOp per variable, grouped by `restore_all`, plus the sharded
// variant (StringJoin, ShardedFilename, MergeV2Checkpoints). Its SaverDef
// points at these nodes, so MetaGraphs tfport writes load in TensorFlow.
//
// Save and Restore run that subgraph through the Session, exactly as Python
// does: they feed the prefix into `filename_tensor_name` and fetch
// `save_tensor_name` or run `restore_op_name`. A Saver built from a SaverDef
// (ImportMetaGraph) therefore drives savers written by any TensorFlow
// version, V1 (SaveSlices/RestoreSlice) and V2 alike.
//
// Save writes, in this order: the bundle (data, then index), the `.meta`,
// then the `checkpoint` state file, each atomically (temp file + rename), and
// only then deletes checkpoints beyond max_to_keep. A crash at any point
// leaves the state file naming a complete checkpoint.
//
// Thread-safety: a Saver is used by one thread at a time.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tfport/core/status.h"
#include "tfport/graph/graph.h"
#include "tfport/runtime/session.h"
#include "tfport/tf/meta_graph.pb.h"
#include "tfport/tf/saver.pb.h"

namespace tfport::saver {

struct SaverOptions {
  // The variables to save, by variable op name ("b", "dense/kernel"); each is
  // saved under its op name. Empty (and var_map empty) = every variable in the
  // graph's `variables` collection (plus `saveable_objects` is not supported).
  std::vector<std::string> var_list = {};
  // Alternatively checkpoint key -> variable op name, as Python's dict form.
  std::map<std::string, std::string> var_map = {};
  int max_to_keep = 5;  // 0: keep every checkpoint (state lists the last only)
  double keep_checkpoint_every_n_hours = 10000.0;
  bool sharded = false;
  tf::SaverDef::CheckpointFormatVersion write_version = tf::SaverDef::V2;
  bool pad_step_number = false;       // "%s-%08d" instead of "%s-%d"
  bool save_relative_paths = false;   // relative paths in the state file
  std::string filename = "model";     // default value of the filename tensor
  std::string name = "save";          // name scope of the subgraph
  // TensorFlow <= 1.11 layout: `save/Const` is a plain Const (no
  // save/filename PlaceholderWithDefault pair) and RestoreV2 has no device.
  bool tf1_11_layout = false;
};

struct SaveOptions {
  std::optional<int64_t> global_step = {};
  std::string latest_filename = "checkpoint";
  std::string meta_graph_suffix = "meta";
  bool write_meta_graph = true;
  bool write_state = true;  // false for SavedModel variables: no `checkpoint` file
};

class Saver {
 public:
  // Adds the save/restore subgraph for `options`' variables to `graph`.
  // Errors: INVALID_ARGUMENT for an unknown variable, two variables with the
  // same checkpoint key ("At least two variables have the same name: b"), or
  // no variables at all ("No variables to save").
  static Result<std::unique_ptr<Saver>> Create(graph::Graph& graph, SaverOptions options = {});

  // A Saver driving an existing subgraph (Saver(saver_def=...)). Errors:
  // INVALID_ARGUMENT when a name in the SaverDef is not in the graph.
  static Result<std::unique_ptr<Saver>> FromSaverDef(graph::Graph& graph, tf::SaverDef def);

  const tf::SaverDef& saver_def() const { return def_; }
  graph::Graph& graph() const { return *graph_; }

  // Saves to `save_path` (+ "-<step>") and returns the checkpoint path the
  // save tensor reports (the prefix for V2).
  Result<std::string> Save(runtime::Session& session, const std::string& save_path,
                           const SaveOptions& options = {});

  // Restores every variable of this saver from `save_path`. Errors:
  // INVALID_ARGUMENT "The passed save_path is not a valid checkpoint: P" when
  // P has no files; otherwise the restore op's error (NOT_FOUND "Key b not
  // found in checkpoint", a dtype or shape mismatch, DATA_LOSS), prefixed by
  // TensorFlow's "Restoring from checkpoint failed..." explanation.
  Status Restore(runtime::Session& session, const std::string& save_path);

  // Checkpoints this saver wrote and still keeps, oldest first.
  std::vector<std::string> last_checkpoints() const;
  // Takes over paths (e.g. from a state file) as kept checkpoints.
  void RecoverLastCheckpoints(const std::vector<std::string>& paths);

  // The MetaGraphDef Save writes next to a checkpoint: the graph with
  // shapes, its collections, this SaverDef and the stripped op list.
  Result<tf::MetaGraphDef> ExportMetaGraph() const;

 private:
  Saver(graph::Graph& graph, tf::SaverDef def) : graph_(&graph), def_(std::move(def)) {}
  void RecordLastCheckpoint(const std::string& path);
  void MaybeDeleteOldCheckpoints(const std::string& meta_graph_suffix);

  graph::Graph* graph_;
  tf::SaverDef def_;
  bool save_relative_paths_ = false;
  bool pad_step_number_ = false;
  std::vector<std::pair<std::string, double>> last_checkpoints_;  // path, time
  std::vector<std::pair<std::string, double>> to_delete_;
  double next_keep_time_ = 0;
};

// "prefix-1234" -> "prefix.meta"; a trailing "-00000-of-00002" shard suffix
// is removed first (checkpoint_management.meta_graph_filename).
std::string MetaGraphFilename(const std::string& checkpoint_path,
                              const std::string& suffix = "meta");

// Deletes every file of a checkpoint (V2: P.index and P.data-*; V1: P) and
// its .meta; missing files are ignored.
void RemoveCheckpoint(const std::string& prefix, tf::SaverDef::CheckpointFormatVersion version,
                      const std::string& meta_graph_suffix = "meta");

}  // namespace tfport::saver
