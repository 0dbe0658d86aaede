#include "tfport/io/checkpoint_state.h"

#include <cmath>
#include <cstdio>
#include <filesystem>

#include "tfport/core/str_util.h"
#include "tfport/io/bundle.h"
#include "tfport/io/file.h"
#include "tfport/io/proto_io.h"

namespace tfport::io {
namespace {

// Python's repr(float): the shortest string that round-trips, with ".0" for
// integral values and "inf"/"nan" spelled as text_format does.
std::string PyFloat(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[40];
  for (int prec = 1; prec <= 17; ++prec) {
    std::snprintf(buf, sizeof buf, "%.*g", prec, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  std::string s = buf;
  // Python switches to exponent notation only for exponents < -4 or >= 16.
  if (s.find('e') != std::string::npos) {
    int exp10 = static_cast<int>(std::floor(std::log10(std::fabs(v))));
    if (exp10 >= -4 && exp10 < 16) {
      std::snprintf(buf, sizeof buf, "%.17f", v);
      s = buf;
      // Trim to the shortest round-tripping decimal.
      while (s.size() > 1 && s.back() == '0') s.pop_back();
      std::string best = s;
      for (size_t cut = s.size(); cut > s.find('.') + 1; --cut) {
        std::string t = s.substr(0, cut);
        if (std::strtod(t.c_str(), nullptr) == v) best = t;
      }
      s = best;
    } else {
      // Python writes e.g. 1e+16 as "1e+16": keep printf's form, trim "e+0X".
      size_t e = s.find('e');
      std::string mant = s.substr(0, e), ex = s.substr(e + 1);
      char sign = ex[0];
      std::string digits = ex.substr(1);
      while (digits.size() > 2 && digits[0] == '0') digits.erase(0, 1);
      s = mant + "e" + sign + digits;
      return s;
    }
  }
  if (s.find('.') == std::string::npos && s.find('e') == std::string::npos) s += ".0";
  if (!s.empty() && s.back() == '.') s += "0";
  return s;
}

std::string RelPath(const std::string& path, const std::string& base) {
  std::error_code ec;
  auto rel = std::filesystem::path(path).lexically_proximate(base.empty() ? "." : base);
  return rel.string();
}

Status PrefixInsteadOfDirectory(const std::string& dir) {
  if (IsDirectory(dir) || dir.empty()) return OkStatus();
  bool looks_like_prefix = FileExists(BundleIndexPath(dir)) || !Glob(dir + ".data-*").empty() ||
                           FileExists(dir + ".meta") || FileExists(dir);
  if (!looks_like_prefix) return OkStatus();
  std::string parent = Dirname(dir);
  return errors::InvalidArgument(
      "'", dir, "' is a checkpoint prefix, not a directory: latest_checkpoint and "
      "get_checkpoint_state take the directory that holds the 'checkpoint' file; try '",
      parent.empty() ? "." : parent, "'");
}

}  // namespace

std::string CheckpointStateToText(const tf::CheckpointState& state) {
  std::string out;
  if (!state.model_checkpoint_path().empty())
    out += "model_checkpoint_path: \"" + CEscape(state.model_checkpoint_path()) + "\"\n";
  for (const auto& p : state.all_model_checkpoint_paths())
    out += "all_model_checkpoint_paths: \"" + CEscape(p) + "\"\n";
  for (double t : state.all_model_checkpoint_timestamps())
    out += "all_model_checkpoint_timestamps: " + PyFloat(t) + "\n";
  if (state.last_preserved_timestamp() != 0)
    out += "last_preserved_timestamp: " + PyFloat(state.last_preserved_timestamp()) + "\n";
  return out;
}

Result<std::optional<tf::CheckpointState>> GetCheckpointState(const std::string& dir,
                                                              const std::string& latest_filename) {
  TFPORT_RETURN_IF_ERROR(PrefixInsteadOfDirectory(dir));
  const std::string path = JoinPath(dir, latest_filename);
  if (!FileExists(path)) return std::optional<tf::CheckpointState>();
  TFPORT_ASSIGN_OR_RETURN(std::string text, ReadFileToString(path, uint64_t{64} << 20));
  tf::CheckpointState state;
  TFPORT_RETURN_IF_ERROR(ParseTextProto(text, &state, path));
  if (state.model_checkpoint_path().empty())
    return errors::InvalidArgument("Invalid checkpoint state loaded from ", path,
                                   ": model_checkpoint_path is empty");
  auto fix = [&](std::string* p) {
    if (!IsAbsolutePath(*p)) *p = JoinPath(dir, *p);
  };
  fix(state.mutable_model_checkpoint_path());
  for (auto& p : *state.mutable_all_model_checkpoint_paths()) fix(&p);
  return std::optional<tf::CheckpointState>(std::move(state));
}

bool CheckpointExists(const std::string& prefix) {
  return FileExists(BundleIndexPath(prefix)) || !Glob(prefix).empty() ||
         (FileExists(prefix) && !IsDirectory(prefix));
}

Result<std::optional<std::string>> LatestCheckpoint(const std::string& dir,
                                                    const std::string& latest_filename) {
  TFPORT_ASSIGN_OR_RETURN(auto state, GetCheckpointState(dir, latest_filename));
  if (!state) return std::optional<std::string>();
  const std::string& p = state->model_checkpoint_path();
  if (CheckpointExists(p)) return std::optional<std::string>(p);
  return std::optional<std::string>();
}

Status UpdateCheckpointState(const CheckpointStateUpdate& u) {
  tf::CheckpointState state;
  std::vector<std::string> all = u.all_model_checkpoint_paths;
  if (all.empty() || all.back() != u.model_checkpoint_path) all.push_back(u.model_checkpoint_path);
  std::string model = u.model_checkpoint_path;
  auto convert = [&](std::string p) {
    if (u.save_relative_paths && IsAbsolutePath(p)) return RelPath(p, u.save_dir);
    if (!IsAbsolutePath(u.save_dir) && !IsAbsolutePath(p)) return RelPath(p, u.save_dir);
    return p;
  };
  state.set_model_checkpoint_path(convert(model));
  for (const auto& p : all) state.add_all_model_checkpoint_paths(convert(p));
  for (double t : u.all_model_checkpoint_timestamps) state.add_all_model_checkpoint_timestamps(t);
  if (u.last_preserved_timestamp) state.set_last_preserved_timestamp(*u.last_preserved_timestamp);
  const std::string path = JoinPath(u.save_dir, u.latest_filename);
  if (path == state.model_checkpoint_path() || path == model)
    return errors::InvalidArgument("Save path '", model,
                                   "' conflicts with path used for checkpoint state. Please use a "
                                   "different save path.");
  return WriteFileAtomic(path, CheckpointStateToText(state), /*sync=*/false, ".tmp");
}

}  // namespace tfport::io
