#include "tfport/saver/checkpoint_manager.h"

#include <algorithm>
#include <chrono>

#include "tfport/io/bundle.h"
#include "tfport/io/checkpoint_state.h"
#include "tfport/io/file.h"

namespace tfport::saver {
namespace {

double SystemClock() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

void DeleteIfExists(const std::string& path) {
  if (io::FileExists(path)) (void)io::DeleteFile(path);  // best effort, as TensorFlow
}

}  // namespace

CheckpointManager::CheckpointManager(Checkpoint* checkpoint, std::string directory,
                                     CheckpointManagerOptions options)
    : checkpoint_(checkpoint), directory_(std::move(directory)), options_(std::move(options)) {
  if (!options_.clock) options_.clock = SystemClock;
  prefix_ = io::JoinPath(directory_, options_.checkpoint_name);
  const double now = options_.clock();
  Result<std::optional<tf::CheckpointState>> recovered = io::GetCheckpointState(directory_);
  if (!recovered.ok()) {
    recover_status_ = recovered.status().WithContext("CheckpointManager(", directory_, ")");
    return;
  }
  if (!*recovered) {
    // A second behind now, so that a manager re-created at once does not
    // preserve the checkpoint it is about to write.
    last_preserved_timestamp_ = now - 1.0;
    return;
  }
  const tf::CheckpointState& state = **recovered;
  latest_ = state.model_checkpoint_path();
  last_preserved_timestamp_ = state.last_preserved_timestamp();
  if (now < last_preserved_timestamp_) last_preserved_timestamp_ = now;  // the clock went back
  std::vector<double> times(state.all_model_checkpoint_timestamps().begin(),
                            state.all_model_checkpoint_timestamps().end());
  if (times.empty()) times.assign(static_cast<size_t>(state.all_model_checkpoint_paths_size()), last_preserved_timestamp_);
  for (int i = 0; i < state.all_model_checkpoint_paths_size() && i < static_cast<int>(times.size()); ++i) {
    const double t = std::min(times[static_cast<size_t>(i)], now);
    if (t > last_preserved_timestamp_) maybe_delete_.emplace_back(state.all_model_checkpoint_paths(i), t);
  }
}

std::vector<std::string> CheckpointManager::checkpoints() const {
  std::vector<std::string> out;
  for (const auto& [path, t] : maybe_delete_) out.push_back(path);
  return out;
}

Result<std::string> CheckpointManager::Save(std::optional<int64_t> checkpoint_number) {
  TFPORT_RETURN_IF_ERROR(recover_status_);
  TFPORT_ASSIGN_OR_RETURN(const int64_t counter, checkpoint_->IncrementSaveCounter());
  const std::string path = prefix_ + "-" + std::to_string(checkpoint_number.value_or(counter));
  TFPORT_RETURN_IF_ERROR(checkpoint_->Write(path, {options_.sync}).status());
  const double timestamp = options_.clock();
  // A path saved again moves to the end of the queue.
  std::erase_if(maybe_delete_, [&](const auto& e) { return e.first == path; });
  maybe_delete_.emplace_back(path, timestamp);
  latest_ = path;
  // The state names the new checkpoint before anything is deleted, and is
  // written again once the sweep is done.
  TFPORT_RETURN_IF_ERROR(RecordState());
  Sweep();
  TFPORT_RETURN_IF_ERROR(RecordState());
  return path;
}

void CheckpointManager::Sweep() {
  if (!options_.max_to_keep) return;
  while (maybe_delete_.size() > static_cast<size_t>(std::max(0, *options_.max_to_keep))) {
    auto [path, timestamp] = maybe_delete_.front();
    maybe_delete_.erase(maybe_delete_.begin());
    if (options_.keep_checkpoint_every_n_hours &&
        timestamp - *options_.keep_checkpoint_every_n_hours * 3600.0 >= last_preserved_timestamp_) {
      last_preserved_timestamp_ = timestamp;
      continue;
    }
    DeleteIfExists(io::BundleIndexPath(path));
    for (const std::string& f : io::Glob(path + ".data-\?\?\?\?\?-of-\?\?\?\?\?")) DeleteIfExists(f);
  }
}

Status CheckpointManager::RecordState() const {
  io::CheckpointStateUpdate u;
  u.save_dir = directory_;
  u.model_checkpoint_path = latest_.value_or("");
  for (const auto& [path, t] : maybe_delete_) {
    u.all_model_checkpoint_paths.push_back(path);
    u.all_model_checkpoint_timestamps.push_back(t);
  }
  u.last_preserved_timestamp = last_preserved_timestamp_;
  u.save_relative_paths = true;
  return io::UpdateCheckpointState(u).WithContext("CheckpointManager(", directory_, ")");
}

Result<std::optional<CheckpointLoadStatus>> CheckpointManager::RestoreOrInitialize() {
  TFPORT_RETURN_IF_ERROR(recover_status_);
  if (!latest_) return std::optional<CheckpointLoadStatus>();
  TFPORT_ASSIGN_OR_RETURN(CheckpointLoadStatus status, checkpoint_->Restore(*latest_));
  return std::optional<CheckpointLoadStatus>(std::move(status));
}

}  // namespace tfport::saver
