// tfport: the `checkpoint` state file and latest_checkpoint (formats.md §2).
//
// The file is a text-format CheckpointState in the checkpoint directory,
// written atomically ("checkpoint.tmp<hex>" renamed over "checkpoint") in the
// exact layout Python's text_format produces. Paths follow TensorFlow's rules:
// relative paths in the file are relative to the directory holding it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "tfport/core/status.h"
#include "tfport/tf/checkpoint_state.pb.h"

namespace tfport::io {

inline constexpr char kCheckpointStateFilename[] = "checkpoint";

// Reads `dir/latest_filename` as TensorFlow's get_checkpoint_state does:
// relative paths are joined to `dir`, absolute ones kept. Returns nullopt when
// the file does not exist. Errors: DATA_LOSS when it does not parse,
// INVALID_ARGUMENT when model_checkpoint_path is empty or when `dir` is a
// checkpoint prefix rather than a directory (the message suggests the
// directory).
Result<std::optional<tf::CheckpointState>> GetCheckpointState(
    const std::string& dir, const std::string& latest_filename = kCheckpointStateFilename);

// Python's checkpoint_management.latest_checkpoint: the newest prefix listed
// in `dir`'s state file whose files exist (P.index for V2, P or the V1
// pattern's matches), or nullopt (no state file, or files gone). Errors as
// GetCheckpointState.
Result<std::optional<std::string>> LatestCheckpoint(
    const std::string& dir, const std::string& latest_filename = kCheckpointStateFilename);

// True if `prefix` names an existing V2 (P.index) or V1 (P or pattern) checkpoint.
bool CheckpointExists(const std::string& prefix);

// generate_checkpoint_state_proto + update_checkpoint_state: appends
// model_checkpoint_path to all_paths if it is not last; when `save_dir` is
// relative, relative paths are written relative to it; with
// save_relative_paths absolute paths are made relative to save_dir as well.
struct CheckpointStateUpdate {
  std::string save_dir;
  std::string model_checkpoint_path;
  std::vector<std::string> all_model_checkpoint_paths;
  std::vector<double> all_model_checkpoint_timestamps;  // optional, parallel
  std::optional<double> last_preserved_timestamp;
  std::string latest_filename = kCheckpointStateFilename;
  bool save_relative_paths = false;
};
Status UpdateCheckpointState(const CheckpointStateUpdate& update);

// Python text_format rendering of a CheckpointState (one field per line,
// C-escaped strings, doubles as Python's repr).
std::string CheckpointStateToText(const tf::CheckpointState& state);

}  // namespace tfport::io
