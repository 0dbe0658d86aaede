// tfport: SavedModelBuilder — tf.compat.v1.saved_model.Builder in C++.
//
//   auto builder = saved_model::SavedModelBuilder::Create("./test/savemodel");
//   auto sig = saved_model::PredictSignatureDef({{"x", x}}, {{"y", y}});
//   (*builder)->AddMetaGraphAndVariables(*session, g, {"serve"},
//                                        {.signature_def_map = {{"serving_default", *sig}}});
//   (*builder)->Save();   // ./test/savemodel/saved_model.pb, variables/, assets/
//
// The layout and the MetaGraphDef are TensorFlow 1.15's (formats.md §4.9):
// a sharded V2 Saver (the `save` scope, or `save_1`... when the graph has one)
// saves every variable to variables/variables.{index,data-00000-of-00001};
// asset files are copied to assets/ and recorded as AssetFileDefs in the
// `saved_model_assets` collection; the main op goes to the
// `saved_model_main_op` collection.
//
// Everything is written into a temporary directory next to export_dir and
// renamed to export_dir by Save(), so a crash never leaves a half-written
// model under the final name; a builder destroyed without Save() leaves
// nothing behind.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tfport/core/status.h"
#include "tfport/graph/graph.h"
#include "tfport/runtime/session.h"
#include "tfport/saver/saver.h"
#include "tfport/tf/meta_graph.pb.h"
#include "tfport/tf/saved_model.pb.h"

namespace tfport::saved_model {

struct MetaGraphOptions {
  std::map<std::string, tf::SignatureDef> signature_def_map = {};
  // The asset files: scalar string Const tensors whose values are the source
  // paths (TF1's assets_collection, e.g. the ASSET_FILEPATHS collection).
  std::vector<graph::Output> assets_list = {};
  bool clear_devices = false;
  // Op the loader runs after restoring (e.g. a table or asset initializer).
  // legacy_init_op is accepted as TF 1.15 does: as the main op.
  std::string main_op = "";
  std::string legacy_init_op = "";
  // Drop attrs that equal their OpDef default (meta_info_def records it).
  bool strip_default_attrs = false;
  // The Saver to save and restore with; null = a new sharded V2 Saver over
  // every variable of the graph (none when the graph has no variables).
  saver::Saver* saver = nullptr;
};

class SavedModelBuilder {
 public:
  // Errors: ALREADY_EXISTS when export_dir exists and is not an empty
  // directory (TensorFlow's "Export directory already exists, and isn't
  // empty..."); I/O errors naming the path.
  static Result<std::unique_ptr<SavedModelBuilder>> Create(const std::string& export_dir);
  ~SavedModelBuilder();
  SavedModelBuilder(const SavedModelBuilder&) = delete;
  SavedModelBuilder& operator=(const SavedModelBuilder&) = delete;

  // The first MetaGraphDef, with the variables of `session` (which runs
  // `graph`) saved to variables/. Adds the Saver's nodes and the asset and
  // main-op collections to `graph`, as TensorFlow adds them to the default
  // graph. Errors: FAILED_PRECONDITION when called twice; INVALID_ARGUMENT
  // for a signature TensorInfo without name or dtype, an asset tensor that is
  // not a string Const, a main op not in the graph or a graph that already
  // has one.
  Status AddMetaGraphAndVariables(runtime::Session& session, graph::Graph& graph,
                                  const std::vector<std::string>& tags,
                                  const MetaGraphOptions& options = {});

  // A further MetaGraphDef (another tag set) sharing the saved variables.
  // FAILED_PRECONDITION before AddMetaGraphAndVariables.
  Status AddMetaGraph(graph::Graph& graph, const std::vector<std::string>& tags,
                      const MetaGraphOptions& options = {});

  // Writes saved_model.pb (or saved_model.pbtxt) and moves the whole model
  // to export_dir. Returns the path of the written file.
  Result<std::string> Save(bool as_text = false);

  const std::string& export_dir() const { return export_dir_; }
  const tf::SavedModel& saved_model() const { return proto_; }

 private:
  SavedModelBuilder(std::string export_dir, std::string temp_dir)
      : export_dir_(std::move(export_dir)), temp_dir_(std::move(temp_dir)) {}
  Status AddCollections(graph::Graph& graph, const MetaGraphOptions& options);
  // Validates the signatures, adds the collections and returns the Saver to
  // use (the given one, a new sharded one, or null without variables).
  Result<saver::Saver*> PrepareGraph(graph::Graph& graph, const MetaGraphOptions& options);
  Status AddTaggedMetaGraph(graph::Graph& graph, saver::Saver* saver,
                            const std::vector<std::string>& tags, const MetaGraphOptions& options);

  std::string export_dir_, temp_dir_;
  tf::SavedModel proto_;
  bool has_saved_variables_ = false;
  bool saved_ = false;
  std::vector<std::unique_ptr<saver::Saver>> savers_;  // the ones the builder made
};

}  // namespace tfport::saved_model
