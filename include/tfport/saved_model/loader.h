// tfport: opening models — SavedModels as TensorFlow's LoadSavedModel does,
// TensorFlow Serving's older SessionBundles, MetaGraphDefs with checkpoints
// and plain GraphDefs. This is the one place of tfport that turns model files
// into a running session: freezing, the CLI, the C API and the server all
// come through here.
//
//   saved_model::LoadOptions options;
//   auto bundle = saved_model::Load(options, {"serve"}, "/models/half_plus_two/123");
//   if (!bundle.ok()) ... // e.g. NOT_FOUND listing the tag sets the model has
//
// Load follows formats.md §4.8: saved_model.pb, else saved_model.pbtxt; the
// first MetaGraphDef whose tag set equals `tags`; the graph imported with its
// collections; variables restored by feeding <dir>/variables/variables to the
// SaverDef's filename tensor and running its restore op (skipped, as in
// TensorFlow, when variables/variables.index does not exist); every asset
// tensor fed <dir>/assets/<file>; then the init op — the
// `__saved_model_init_op` signature, else the `saved_model_main_op`
// collection, else `legacy_init_op` — run with the same asset feeds.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "tfport/runtime/session.h"
#include "tfport/saved_model/bundle.h"
#include "tfport/saved_model/reader.h"

namespace tfport::saved_model {

struct LoadOptions {
  // Thread counts (`kernels` is filled in by the loader).
  runtime::SessionOptions session = {};
  // Drop node devices while importing (freeze_graph does; devices are only
  // placement hints for tfport, which runs everything on the CPU).
  bool clear_devices = false;
  // Progress and TensorFlow's informational log lines ("Restoring
  // SavedModel bundle.", "The specified SavedModel has no variables...").
  std::function<void(const std::string&)> log = {};
};

// A SavedModel directory. Errors, each naming the directory: NOT_FOUND for
// a missing saved_model.pb[txt] or tag set (listing the tag sets present);
// INVALID_ARGUMENT for an asset path outside assets/ or an init-op
// collection with more than one entry; restore errors ("Key w not found in
// checkpoint", dtype/shape mismatches, DATA_LOSS) with the variables path.
Result<std::unique_ptr<SavedModelBundle>> Load(const LoadOptions& options, const TagSet& tags,
                                               const std::string& export_dir);

// A TensorFlow Serving SessionBundle (export.meta + export[-?????-of-?????]):
// restored through its SaverDef, `serving_init_op` run with the
// `serving_assets` fed, and its `serving_signatures` up-converted to
// SignatureDefs as TF Serving's bundle shim does (default regression or
// classification -> "serving_default"; named "inputs"/"outputs" generic
// signatures -> a predict signature).
Result<std::unique_ptr<SavedModelBundle>> LoadSessionBundle(const LoadOptions& options,
                                                            const std::string& export_dir);

// A SavedModel if the directory holds one, else a SessionBundle (as TF
// Serving's LoadSessionBundleOrSavedModelBundle).
Result<std::unique_ptr<SavedModelBundle>> LoadSessionBundleOrSavedModel(
    const LoadOptions& options, const TagSet& tags, const std::string& export_dir);

// A MetaGraphDef (.meta, binary or text) imported with its collections and
// Saver, its variables restored from `checkpoint` (a prefix, V1 file or
// pattern, or a directory with a `checkpoint` file) unless that is empty.
// Errors: INVALID_ARGUMENT "The passed save_path is not a valid checkpoint"
// and the restore op's errors, naming the .meta.
Result<std::unique_ptr<SavedModelBundle>> LoadMetaGraph(const LoadOptions& options,
                                                        const std::string& meta_path,
                                                        const std::string& checkpoint = "");
Result<std::unique_ptr<SavedModelBundle>> LoadMetaGraph(const LoadOptions& options,
                                                        tf::MetaGraphDef meta,
                                                        const std::string& origin,
                                                        const std::string& checkpoint = "");

// A GraphDef (.pb, or text .pbtxt). With a checkpoint, every ref variable op
// (VariableV2/Variable) is restored under its own name. The bundle's
// MetaGraphDef carries only the versions (graph().ToGraphDef() gives the
// graph), so a large frozen graph is held once, not twice. UNIMPLEMENTED,
// listing every op tfport cannot run with its first node, when the graph
// uses any (a frozen graph runs all of its nodes).
Result<std::unique_ptr<SavedModelBundle>> LoadGraphDef(const LoadOptions& options,
                                                       const std::string& path,
                                                       const std::string& checkpoint = "");

// Any of the above, chosen by what `path` is: a SavedModel directory (or its
// saved_model.pb[txt]), a SessionBundle directory, a `.meta`, else a
// GraphDef. `tags` applies to SavedModels, `checkpoint` to .meta/.pb.
Result<std::unique_ptr<SavedModelBundle>> LoadModel(const LoadOptions& options,
                                                    const std::string& path,
                                                    const TagSet& tags = {"serve"},
                                                    const std::string& checkpoint = "");

// Runs the initializers of the model's variables (the VariableDefs of the
// `variables` and `local_variables` collections, or "<v>/Assign" of every
// variable op when there are none), as `sess.run(global_variables_initializer())`.
Status RunVariableInitializers(SavedModelBundle& bundle);

}  // namespace tfport::saved_model
