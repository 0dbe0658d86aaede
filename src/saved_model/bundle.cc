#include "tfport/saved_model/bundle.h"

#include <algorithm>

#include "tfport/saved_model/constants.h"
#include "tfport/saved_model/objects.h"

namespace tfport::saved_model {
namespace {

bool IsSpecialSignature(std::string_view key) {
  return key == kInitOpSignatureKey || key == kTrainOpSignatureKey;
}

std::string JoinKeys(const std::vector<std::string>& keys) {
  std::string s;
  for (const auto& k : keys) s += (s.empty() ? "" : ", ") + k;
  return s.empty() ? "(none)" : s;
}

int IndexOf(const std::vector<std::string>& keys, std::string_view key) {
  auto it = std::lower_bound(keys.begin(), keys.end(), key);
  return it != keys.end() && *it == key ? static_cast<int>(it - keys.begin()) : -1;
}

}  // namespace

int Signature::InputIndex(std::string_view key) const { return IndexOf(input_keys_, key); }
int Signature::OutputIndex(std::string_view key) const { return IndexOf(output_keys_, key); }

Status Signature::Run(const std::vector<Tensor>& inputs, std::vector<Tensor>* outputs) const {
  if (inputs.size() != input_keys_.size())
    return errors::InvalidArgument(bundle_->origin(), ": signature '", key_, "' takes ",
                                   input_keys_.size(), " inputs, got ", inputs.size());
  std::vector<std::pair<std::string, Tensor>> feeds;
  bool all_given = all_inputs_ != nullptr;
  for (size_t i = 0; i < inputs.size() && all_given; ++i)
    all_given = inputs[i].initialized() &&
                (inputs[i].dtype() == input_dtypes_[i] || input_dtypes_[i] == DT_INVALID);
  if (all_given) {
    Status s = bundle_->session().RunCallable(*all_inputs_, inputs, outputs);
    return s.ok() ? s : bundle_->Explain(s, "signature '" + key_ + "'");
  }
  feeds.reserve(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& t = inputs[i];
    if (!t.initialized()) continue;
    if (t.dtype() != input_dtypes_[i] && input_dtypes_[i] != DT_INVALID)
      return errors::InvalidArgument(bundle_->origin(), ": signature '", key_, "' input '",
                                     input_keys_[i], "' (tensor ", feed_names_[i], ") expects ",
                                     NumpyName(input_dtypes_[i]), ", got ", NumpyName(t.dtype()));
    feeds.emplace_back(feed_names_[i], t);
  }
  Status s = bundle_->session().Run(feeds, fetch_names_, {}, outputs);
  if (s.ok()) return OkStatus();
  Status out = bundle_->Explain(s, "signature '" + key_ + "'");
  if (s.message().find("You must feed a value") != std::string::npos &&
      feeds.size() < inputs.size()) {
    std::string missing;
    for (size_t i = 0; i < inputs.size(); ++i)
      if (!inputs[i].initialized()) missing += (missing.empty() ? "" : ", ") + input_keys_[i];
    out = Status(out.code(), out.message() + " (signature inputs not given: " + missing + ")");
  }
  return out;
}

SavedModelBundle::SavedModelBundle(std::string origin, tf::MetaGraphDef meta_graph_def,
                                   std::unique_ptr<graph::Graph> graph,
                                   std::unique_ptr<runtime::Session> session,
                                   std::unique_ptr<saver::Saver> saver)
    : origin_(std::move(origin)),
      meta_(std::move(meta_graph_def)),
      graph_(std::move(graph)),
      session_(std::move(session)),
      saver_(std::move(saver)) {}

SavedModelBundle::~SavedModelBundle() = default;

std::vector<std::string> SavedModelBundle::SignatureKeys() const {
  std::vector<std::string> keys;
  for (const auto& [k, v] : meta_.signature_def())
    if (!IsSpecialSignature(k)) keys.push_back(k);
  std::sort(keys.begin(), keys.end());
  return keys;
}

Result<const Signature*> SavedModelBundle::GetSignature(std::string_view key) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = signatures_.find(key); it != signatures_.end()) return it->second.get();
  auto def = meta_.signature_def().find(std::string(key));
  if (def == meta_.signature_def().end())
    return errors::NotFound(origin_, " has no signature '", key, "'; its signatures are: ",
                            JoinKeys(SignatureKeys()));
  std::unique_ptr<Signature> sig(new Signature());
  sig->bundle_ = this;
  sig->key_ = std::string(key);
  sig->def_ = &def->second;
  auto resolve = [&](const char* what, const auto& map, std::vector<std::string>* keys,
                     std::vector<std::string>* names, std::vector<DataType>* dtypes) -> Status {
    for (const auto& [k, info] : map) keys->push_back(k);
    std::sort(keys->begin(), keys->end());
    for (const std::string& k : *keys) {
      const tf::TensorInfo& info = map.at(k);
      if (!info.has_name())
        return errors::Unimplemented(origin_, ": signature '", key, "' ", what, " '", k,
                                     "' is a sparse or composite tensor, which tfport cannot "
                                     "feed or fetch yet");
      Result<graph::Output> t = graph_->GetTensorByName(info.name());
      if (!t.ok())
        return errors::InvalidArgument(origin_, ": signature '", key, "' ", what, " '", k,
                                       "' names tensor '", info.name(),
                                       "', which is not in the graph");
      names->push_back(t->name());
      if (dtypes) dtypes->push_back(BaseType(t->dtype()));
    }
    return OkStatus();
  };
  TFPORT_RETURN_IF_ERROR(resolve("input", def->second.inputs(), &sig->input_keys_,
                                 &sig->feed_names_, &sig->input_dtypes_));
  TFPORT_RETURN_IF_ERROR(resolve("output", def->second.outputs(), &sig->output_keys_,
                                 &sig->fetch_names_, nullptr));
  // When the graph cannot plan this call, Run goes through Session::Run,
  // which reports the problem.
  auto callable = session_->MakeCallable(sig->feed_names_, sig->fetch_names_, {});
  if (callable.ok()) sig->all_inputs_ = std::move(*callable);
  const Signature* out = sig.get();
  signatures_.emplace(std::string(key), std::move(sig));
  return out;
}

Result<std::map<std::string, Tensor>> SavedModelBundle::Run(
    std::string_view key, const std::map<std::string, Tensor>& inputs) const {
  TFPORT_ASSIGN_OR_RETURN(const Signature* sig, GetSignature(key));
  std::vector<Tensor> in(sig->input_keys().size());
  for (const auto& [k, t] : inputs) {
    int i = sig->InputIndex(k);
    if (i < 0)
      return errors::InvalidArgument(origin_, ": signature '", key, "' has no input '", k,
                                     "'; its inputs are: ", JoinKeys(sig->input_keys()));
    in[static_cast<size_t>(i)] = t;
  }
  std::vector<Tensor> out;
  TFPORT_RETURN_IF_ERROR(sig->Run(in, &out));
  std::map<std::string, Tensor> result;
  for (size_t i = 0; i < out.size(); ++i) result.emplace(sig->output_keys()[i], std::move(out[i]));
  return result;
}

Status SavedModelBundle::Explain(const Status& s, std::string_view what) const {
  Status out = s.WithContext(origin_, ": ", what);
  if (!variables_restored_ && s.code() == Code::kFailedPrecondition &&
      s.message().find("uninitialized") != std::string::npos && !variables_path_.empty())
    return Status(out.code(),
                  out.message() + " (no variables were restored: " + variables_path_ +
                      ".index does not exist, so the model's variables have no values)");
  return out;
}

std::vector<std::string> SavedModelBundle::ConcreteFunctions() const {
  std::vector<std::string> names;
  for (const auto& [name, f] : meta_.object_graph_def().concrete_functions()) names.push_back(name);
  std::sort(names.begin(), names.end());
  return names;
}

Result<std::vector<Tensor>> SavedModelBundle::CallFunction(std::string_view name,
                                                          const std::vector<Tensor>& args) const {
  const tf::SavedObjectGraph& objects = meta_.object_graph_def();
  auto it = objects.concrete_functions().find(std::string(name));
  if (it == objects.concrete_functions().end())
    return errors::NotFound(origin_, " has no concrete function '", name,
                            "'; it has: ", JoinKeys(ConcreteFunctions()));
  const std::map<int, std::string> handle_of = VariableHandleNodes(objects);
  std::vector<std::string> fetches;
  for (int id : it->second.bound_inputs()) {
    if (id < 0 || id >= objects.nodes_size())
      return errors::InvalidArgument(origin_, ": concrete function ", name, " captures object ", id,
                                     ", which the object graph does not have");
    const auto& node = objects.nodes(id);
    if (node.has_variable()) {
      const graph::Node* h = graph_->FindNode(handle_of.at(id));
      if (h == nullptr || h->op() != "VarHandleOp")
        return errors::NotFound(origin_, ": concrete function ", name, " captures variable '",
                                node.variable().name(), "', whose handle the graph lacks");
      fetches.push_back(h->name() + ":0");
    } else if (node.has_constant()) {
      fetches.push_back(node.constant().operation() + ":0");
    } else {
      return errors::Unimplemented(origin_, ": concrete function ", name, " captures object ", id,
                                   " of a kind other than variable or constant");
    }
  }
  std::vector<Tensor> captured;
  if (!fetches.empty()) TFPORT_RETURN_IF_ERROR(session_->Run({}, fetches, {}, &captured));
  runtime::FunctionLibraryRuntime& lib = session_->functions();
  TFPORT_ASSIGN_OR_RETURN(const auto* f, lib.Instantiate(name, {}));
  std::vector<Tensor> all = args;
  all.insert(all.end(), captured.begin(), captured.end());
  std::vector<Tensor> rets;
  Status s = lib.Run(*f, session_->env(), all, &rets);
  if (!s.ok()) return Explain(s, "concrete function '" + std::string(name) + "'");
  return rets;
}

}  // namespace tfport::saved_model
