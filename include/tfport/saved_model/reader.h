// tfport: reading SavedModel directories (formats.md §4.7, §4.8 steps 1-2, 4).
//
// These read files only; loader.h builds a session from what they return.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "tfport/core/status.h"
#include "tfport/tf/meta_graph.pb.h"
#include "tfport/tf/saved_model.pb.h"

namespace tfport::saved_model {

// A tag set: order and duplicates do not matter ({"serve"} != {"serve", "gpu"}).
using TagSet = std::set<std::string>;

// <dir>/saved_model.pb if it exists, else <dir>/saved_model.pbtxt. Errors:
// NOT_FOUND "SavedModel file does not exist at: DIR/{saved_model.pbtxt|
// saved_model.pb}"; DATA_LOSS naming the file when it does not parse.
Result<tf::SavedModel> ReadSavedModel(const std::string& export_dir);

// The first MetaGraphDef whose tag set equals `tags`. NOT_FOUND otherwise
// ("Could not find meta graph def matching supplied tags: { gpu } in
// SavedModel DIR, with available tags [{ serve }]...").
Result<const tf::MetaGraphDef*> FindMetaGraphDef(const tf::SavedModel& saved_model,
                                                 const TagSet& tags,
                                                 const std::string& export_dir);

// ReadSavedModel + FindMetaGraphDef.
Result<tf::MetaGraphDef> ReadMetaGraphDefFromSavedModel(const std::string& export_dir,
                                                        const TagSet& tags);

// The tag sets of every MetaGraphDef, in file order.
std::vector<TagSet> TagSets(const tf::SavedModel& saved_model);

// "{ gpu serve }", as TensorFlow writes tag sets in messages.
std::string TagSetString(const TagSet& tags);

// Whether `dir` looks like a SavedModel (has saved_model.pb or .pbtxt).
bool MaybeSavedModelDirectory(const std::string& dir);
// Whether `dir` looks like a TensorFlow Serving SessionBundle (export.meta).
bool MaybeSessionBundleDirectory(const std::string& dir);

// <dir>/variables/variables and <dir>/assets.
std::string VariablesPrefix(const std::string& export_dir);
std::string AssetsDirectory(const std::string& export_dir);

// The asset files a MetaGraphDef refers to: MetaGraphDef.asset_file_def
// (TF2) when non-empty, else the AssetFileDefs packed in the
// `saved_model_assets` collection (TF1). DATA_LOSS when an entry does not
// unpack.
Result<std::vector<tf::AssetFileDef>> GetAssetFileDefs(const tf::MetaGraphDef& meta);

// Where asset `filename` lives: <assets_dir>/<filename>. INVALID_ARGUMENT
// naming the asset when the name is empty, absolute or leaves assets_dir
// ("../x").
Result<std::string> AssetPath(const std::string& assets_dir, const std::string& filename);

}  // namespace tfport::saved_model
