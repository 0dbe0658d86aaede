// tfport: a loaded model's variables as checkpointable objects, so that
// tf.train.Checkpoint files (saver/checkpoint.h) restore into them.
//
//   auto bundle = saved_model::Load({}, {"serve"}, "/models/keras/1");
//   auto root = saved_model::ObjectGraphOf(**bundle);          // TF2 object paths
//   auto status = saver::Checkpoint::ForRoot(*root).Restore("/train/ckpt-7");
//   TFPORT_RETURN_IF_ERROR(status->AssertExistingObjectsMatched());
//
// For a TF1 graph (no object graph), a name map says which object path each
// variable takes:
//   auto root = saved_model::TrackVariables(**bundle, {{"dense/kernel", "dense/kernel"},
//                                                      {"dense/bias", "dense/bias"}});
#pragma once

#include <map>
#include <string>

#include "tfport/saved_model/bundle.h"
#include "tfport/saver/checkpoint.h"
#include "tfport/tf/saved_object_graph.pb.h"

namespace tfport::saved_model {

// The GraphDef node of each SavedObjectGraph variable's handle, by object
// id: TensorFlow names the handles after the variables in object order,
// made unique as tf.Graph does ("count", "count_1", ...).
std::map<int, std::string> VariableHandleNodes(const tf::SavedObjectGraph& objects);

// The SavedObjectGraph of a TF2 SavedModel as Trackables: the same objects
// and named edges (so paths are the checkpoint's paths), variables bound to
// the bundle session's variables, optimizer slots attached. Restoring a
// checkpoint into it assigns the model's variables. INVALID_ARGUMENT for a
// model without an object graph (a TF1 SavedModel: use TrackVariables);
// NOT_FOUND when a variable's handle is missing from the graph.
Result<saver::Trackable::Ptr> ObjectGraphOf(const SavedModelBundle& bundle);

// Objects over a graph's variables: each entry of `path_to_variable` puts
// the variable node named by the value ("dense/kernel", a VariableV2 or
// VarHandleOp) at object path key ("model/layer_with_weights-0/kernel",
// unescaped, "/"-separated), creating plain objects along the way.
// NOT_FOUND naming the node when it is missing; INVALID_ARGUMENT when it is
// not a variable or two entries claim one path.
Result<saver::Trackable::Ptr> TrackVariables(const SavedModelBundle& bundle,
                                             const std::map<std::string, std::string>& path_to_variable);

}  // namespace tfport::saved_model
