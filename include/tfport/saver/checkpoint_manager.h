// tfport: tf.train.CheckpointManager — numbered checkpoints of a
// tf.train.Checkpoint in one directory, with retention (formats.md §2.4).
//
//   saver::Checkpoint ckpt({{"model", model}});
//   saver::CheckpointManagerOptions keep;
//   keep.max_to_keep = 3;
//   saver::CheckpointManager manager(&ckpt, "/tmp/train", keep);
//   TFPORT_ASSIGN_OR_RETURN(std::string path, manager.Save());   // /tmp/train/ckpt-1
//
// As TensorFlow's: prefixes are "<directory>/<checkpoint_name>-<N>" with N the
// checkpoint's save_counter after incrementing (or the number given); the
// `checkpoint` file lists the kept checkpoints oldest first with their
// timestamps and last_preserved_timestamp, paths relative to the directory.
// Constructing a manager over an existing directory recovers its state from
// that file. After a save the state file is written (new checkpoint
// included), old checkpoints beyond max_to_keep are deleted unless
// keep_checkpoint_every_n_hours preserves them, and the state file is
// written again without them, so a crash at any point leaves it naming
// checkpoints that exist.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tfport/core/status.h"
#include "tfport/saver/checkpoint.h"

namespace tfport::saver {

struct CheckpointManagerOptions {
  // Checkpoints to keep; nullopt keeps every one (TensorFlow's None).
  std::optional<int> max_to_keep = 5;
  // Checkpoints older than max_to_keep are still kept if at least this many
  // hours passed since the last one kept this way.
  std::optional<double> keep_checkpoint_every_n_hours;
  std::string checkpoint_name = "ckpt";
  // The clock, in seconds since the epoch (time.time()); tests replace it.
  std::function<double()> clock;
  bool sync = false;  // fdatasync checkpoint files before renaming
};

class CheckpointManager {
 public:
  // `checkpoint` must outlive the manager. Reads `directory`'s state file
  // if there is one; a damaged one is an error at the first Save.
  CheckpointManager(Checkpoint* checkpoint, std::string directory, CheckpointManagerOptions options = {});

  // Saves "<directory>/<name>-<N>"; N = `checkpoint_number` if given (the
  // save counter is still incremented), else the incremented save counter.
  Result<std::string> Save(std::optional<int64_t> checkpoint_number = std::nullopt);

  // The newest checkpoint this manager knows of, or nullopt.
  const std::optional<std::string>& latest_checkpoint() const { return latest_; }
  // Kept checkpoints, oldest first.
  std::vector<std::string> checkpoints() const;
  const std::string& directory() const { return directory_; }

  // Restores latest_checkpoint() if there is one (returning its status),
  // otherwise does nothing and returns nullopt (restore_or_initialize).
  Result<std::optional<CheckpointLoadStatus>> RestoreOrInitialize();

 private:
  Status RecordState() const;
  void Sweep();

  Checkpoint* checkpoint_;
  std::string directory_;
  CheckpointManagerOptions options_;
  std::string prefix_;
  std::optional<std::string> latest_;
  std::vector<std::pair<std::string, double>> maybe_delete_;  // ordered, oldest first
  double last_preserved_timestamp_ = 0;
  Status recover_status_;
};

}  // namespace tfport::saver
