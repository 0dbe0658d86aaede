#include "tfport/saved_model/reader.h"

#include "tfport/io/file.h"
#include "tfport/io/proto_io.h"
#include "tfport/saved_model/constants.h"

namespace tfport::saved_model {

Result<tf::SavedModel> ReadSavedModel(const std::string& export_dir) {
  tf::SavedModel sm;
  const std::string pb = io::JoinPath(export_dir, kSavedModelFilenamePb);
  const std::string pbtxt = io::JoinPath(export_dir, kSavedModelFilenamePbTxt);
  if (io::FileExists(pb)) {
    TFPORT_RETURN_IF_ERROR(io::ReadBinaryProto(pb, &sm));
  } else if (io::FileExists(pbtxt)) {
    TFPORT_RETURN_IF_ERROR(io::ReadTextProto(pbtxt, &sm));
  } else {
    return errors::NotFound("SavedModel file does not exist at: ", export_dir,
                            "/{saved_model.pbtxt|saved_model.pb}");
  }
  return sm;
}

std::vector<TagSet> TagSets(const tf::SavedModel& saved_model) {
  std::vector<TagSet> out;
  for (const auto& mg : saved_model.meta_graphs())
    out.emplace_back(mg.meta_info_def().tags().begin(), mg.meta_info_def().tags().end());
  return out;
}

std::string TagSetString(const TagSet& tags) {
  std::string s = "{ ";
  for (const auto& t : tags) s += t + " ";
  return s + "}";
}

namespace {

// Index of the first MetaGraphDef tagged exactly `tags`.
Result<int> FindMetaGraphIndex(const tf::SavedModel& saved_model, const TagSet& tags,
                               const std::string& export_dir) {
  std::vector<TagSet> have = TagSets(saved_model);
  for (size_t i = 0; i < have.size(); ++i)
    if (have[i] == tags) return static_cast<int>(i);
  std::string available;
  for (const TagSet& t : have) available += (available.empty() ? "" : ", ") + TagSetString(t);
  return errors::NotFound("Could not find meta graph def matching supplied tags: ",
                          TagSetString(tags), " in SavedModel ", export_dir,
                          ", with available tags [", available,
                          "]. To inspect available tag-sets in the SavedModel, please use the "
                          "SavedModel CLI: `saved_model_cli` (or `tfport inspect`)");
}

}  // namespace

Result<const tf::MetaGraphDef*> FindMetaGraphDef(const tf::SavedModel& saved_model,
                                                 const TagSet& tags,
                                                 const std::string& export_dir) {
  TFPORT_ASSIGN_OR_RETURN(int i, FindMetaGraphIndex(saved_model, tags, export_dir));
  return &saved_model.meta_graphs(i);
}

Result<tf::MetaGraphDef> ReadMetaGraphDefFromSavedModel(const std::string& export_dir,
                                                        const TagSet& tags) {
  TFPORT_ASSIGN_OR_RETURN(tf::SavedModel sm, ReadSavedModel(export_dir));
  TFPORT_ASSIGN_OR_RETURN(int i, FindMetaGraphIndex(sm, tags, export_dir));
  // Move the chosen graph out instead of copying its (possibly large) constants.
  return std::move(*sm.mutable_meta_graphs(i));
}

bool MaybeSavedModelDirectory(const std::string& dir) {
  return io::FileExists(io::JoinPath(dir, kSavedModelFilenamePb)) ||
         io::FileExists(io::JoinPath(dir, kSavedModelFilenamePbTxt));
}

bool MaybeSessionBundleDirectory(const std::string& dir) {
  return io::FileExists(io::JoinPath(dir, kSessionBundleMetaGraphFilename));
}

std::string VariablesPrefix(const std::string& export_dir) {
  return io::JoinPath(io::JoinPath(export_dir, kVariablesDirectory), kVariablesFilename);
}

std::string AssetsDirectory(const std::string& export_dir) {
  return io::JoinPath(export_dir, kAssetsDirectory);
}

Result<std::vector<tf::AssetFileDef>> GetAssetFileDefs(const tf::MetaGraphDef& meta) {
  if (meta.asset_file_def_size() > 0)
    return std::vector<tf::AssetFileDef>(meta.asset_file_def().begin(), meta.asset_file_def().end());
  std::vector<tf::AssetFileDef> out;
  auto it = meta.collection_def().find(kAssetsKey);
  if (it == meta.collection_def().end()) return out;
  for (const auto& any : it->second.any_list().value()) {
    tf::AssetFileDef def;
    if (!io::UnpackAny(any, &def))
      return errors::DataLoss("collection '", kAssetsKey, "' holds a '", any.type_url(),
                              "' that is not an AssetFileDef");
    out.push_back(std::move(def));
  }
  return out;
}

Result<std::string> AssetPath(const std::string& assets_dir, const std::string& filename) {
  if (filename.empty()) return errors::InvalidArgument("asset has an empty file name");
  if (io::IsAbsolutePath(filename))
    return errors::InvalidArgument("asset '", filename, "' is an absolute path; asset names are "
                                   "relative to ", assets_dir);
  // Walk the components: ".." may never climb above the assets directory.
  int depth = 0;
  size_t start = 0;
  while (start <= filename.size()) {
    size_t slash = filename.find('/', start);
    if (slash == std::string::npos) slash = filename.size();
    std::string_view part(filename.data() + start, slash - start);
    if (part == "..") {
      if (--depth < 0)
        return errors::InvalidArgument("asset '", filename, "' leaves the assets directory ",
                                       assets_dir);
    } else if (!part.empty() && part != ".") {
      ++depth;
    }
    start = slash + 1;
  }
  return io::JoinPath(assets_dir, filename);
}

}  // namespace tfport::saved_model
