// tfport: SavedModelBundle — a loaded model: its graph, a session holding the
// restored variables, the MetaGraphDef it came from and its signatures.
//
//   auto bundle = saved_model::Load({}, {"serve"}, "/models/half_plus_two/123");
//   auto out = (*bundle)->Run("serving_default", {{"x", Tensor::FromVector<float>({1, 2}, Shape{2, 1})}});
//   // (*out)["y"] = [[2.5], [3]]
//
// Every loader of this layer (SavedModel, SessionBundle, .meta + checkpoint,
// GraphDef) returns one, so the CLI, freezing, the C API and the server see
// models the same way. A signature is resolved once (names, dtypes, graph
// lookups) and cached; Run then only feeds and fetches.
//
// Thread-safety: Run and GetSignature may be called concurrently; the graph
// may grow (AddNode, builders) only while nothing runs.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "tfport/core/status.h"
#include "tfport/core/tensor.h"
#include "tfport/graph/graph.h"
#include "tfport/runtime/session.h"
#include "tfport/saver/saver.h"
#include "tfport/tf/meta_graph.pb.h"

namespace tfport::saved_model {

class SavedModelBundle;

// One SignatureDef, resolved against the graph.
class Signature {
 public:
  const std::string& key() const { return key_; }
  const tf::SignatureDef& def() const { return *def_; }
  // Keys in sorted order; Run takes and returns tensors in this order.
  const std::vector<std::string>& input_keys() const { return input_keys_; }
  const std::vector<std::string>& output_keys() const { return output_keys_; }
  // Index of an input or output key, or -1.
  int InputIndex(std::string_view key) const;
  int OutputIndex(std::string_view key) const;
  // The dtype an input must have (the graph tensor's, without _REF).
  DataType input_dtype(int i) const { return input_dtypes_[static_cast<size_t>(i)]; }
  const std::string& input_tensor(int i) const { return feed_names_[static_cast<size_t>(i)]; }
  const std::string& output_tensor(int i) const { return fetch_names_[static_cast<size_t>(i)]; }

  // inputs[i] feeds input_keys()[i]; a default-constructed Tensor leaves that
  // input unfed (fine when the graph does not need it). outputs receives one
  // tensor per output key. Errors name the model, signature and input.
  Status Run(const std::vector<Tensor>& inputs, std::vector<Tensor>* outputs) const;

 private:
  friend class SavedModelBundle;
  Signature() = default;
  const SavedModelBundle* bundle_ = nullptr;
  std::string key_;
  const tf::SignatureDef* def_ = nullptr;
  std::vector<std::string> input_keys_, output_keys_;
  std::vector<std::string> feed_names_, fetch_names_;
  std::vector<DataType> input_dtypes_;
  // Prepared once for the common case of every input given.
  std::shared_ptr<const runtime::Session::Callable> all_inputs_;
};

class SavedModelBundle {
 public:
  // `origin` names the model in messages (a directory or file). `graph` must
  // be the graph `session` runs.
  SavedModelBundle(std::string origin, tf::MetaGraphDef meta_graph_def,
                   std::unique_ptr<graph::Graph> graph, std::unique_ptr<runtime::Session> session,
                   std::unique_ptr<saver::Saver> saver);
  ~SavedModelBundle();
  SavedModelBundle(const SavedModelBundle&) = delete;
  SavedModelBundle& operator=(const SavedModelBundle&) = delete;

  const std::string& origin() const { return origin_; }
  const tf::MetaGraphDef& meta_graph_def() const { return meta_; }
  graph::Graph& graph() const { return *graph_; }
  runtime::Session& session() const { return *session_; }
  // The model's Saver (its SaverDef, or one made for its variables); null
  // when the model has neither.
  saver::Saver* saver() const { return saver_.get(); }

  // Keys of the callable signatures, sorted (the init/train op entries of
  // TF2 exports are left out).
  std::vector<std::string> SignatureKeys() const;
  // A resolved signature, cached. NOT_FOUND when the key is absent (listing
  // the keys there are); INVALID_ARGUMENT when the SignatureDef names a
  // tensor the graph lacks.
  Result<const Signature*> GetSignature(std::string_view key) const;

  // Runs signature `key` on inputs by key; returns every output by key.
  // INVALID_ARGUMENT for a key the signature lacks or a tensor of the wrong
  // dtype.
  Result<std::map<std::string, Tensor>> Run(std::string_view key,
                                            const std::map<std::string, Tensor>& inputs) const;

  // TF2 SavedModels: the concrete functions of the SavedObjectGraph (every
  // tf.function trace the model kept, signatures or not), sorted.
  std::vector<std::string> ConcreteFunctions() const;
  // Calls concrete function `name` with `args` (its own arguments, in
  // order); the variables and constants it captured (bound_inputs) are
  // passed for the caller. NOT_FOUND for an unknown name; UNIMPLEMENTED for
  // captures other than variables and constants.
  Result<std::vector<Tensor>> CallFunction(std::string_view name,
                                           const std::vector<Tensor>& args) const;

  // Whether variables were restored from a checkpoint at load time (false for
  // a SavedModel without variables/, or a GraphDef). Errors about
  // uninitialized variables say so.
  bool variables_restored() const { return variables_restored_; }
  void set_variables_restored(bool v) { variables_restored_ = v; }
  // The file the variables came from, or that was expected.
  const std::string& variables_path() const { return variables_path_; }
  void set_variables_path(std::string p) { variables_path_ = std::move(p); }

  // Adds "<origin>: ..." context to a session error, explaining an
  // uninitialized variable when the model had no checkpoint to restore.
  Status Explain(const Status& s, std::string_view what) const;

 private:
  std::string origin_;
  tf::MetaGraphDef meta_;
  // Destruction order: the session (which refers to the graph) goes first.
  std::unique_ptr<graph::Graph> graph_;
  std::unique_ptr<runtime::Session> session_;
  std::unique_ptr<saver::Saver> saver_;
  bool variables_restored_ = false;
  std::string variables_path_;
  mutable std::mutex mu_;
  mutable std::map<std::string, std::unique_ptr<Signature>, std::less<>> signatures_;
};

}  // namespace tfport::saved_model
