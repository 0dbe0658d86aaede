// tf.train.Checkpoint, the saving half: objects, the object graph as
// TensorFlow serializes it, Write and Save. Restoring is in
// checkpoint_restore.cc.
#include "tfport/saver/checkpoint.h"

#include <algorithm>
#include <deque>
#include <map>
#include <set>

#include "tfport/core/str_util.h"
#include "tfport/io/bundle.h"
#include "tfport/io/checkpoint_state.h"
#include "tfport/io/file.h"

namespace tfport::saver {

// ---------------------------------------------------------------- Trackable

Trackable::Ptr Trackable::Object() { return Ptr(new Trackable()); }

Trackable::Ptr Trackable::Variable(std::string name, Tensor initial_value) {
  runtime::VariableCell cell =
      runtime::VariableCell::NewResource(name, initial_value.dtype(), initial_value.shape());
  (void)cell.Assign(std::move(initial_value));  // cannot fail: dtype and shape are its own
  return Variable(std::move(name), std::move(cell));
}

Trackable::Ptr Trackable::Variable(std::string name, runtime::VariableCell cell) {
  Ptr v(new Trackable());
  v->variable_name_ = std::move(name);
  v->cell_ = std::move(cell);
  return v;
}

bool Trackable::Reaches(const Trackable* from, const Trackable* target, std::set<const Trackable*>& seen) {
  if (from == target) return true;
  if (!seen.insert(from).second) return false;
  for (const auto& e : from->children_)
    if (e.owned && Reaches(e.owned.get(), target, seen)) return true;
  return false;
}

Trackable::Ptr Trackable::Track(std::string local_name, Ptr child) {
  if (!child) return child;
  std::set<const Trackable*> seen;
  Edge edge{std::move(local_name), nullptr, {}};
  if (Reaches(child.get(), this, seen))
    edge.back = child;
  else
    edge.owned = child;
  for (Edge& e : children_)
    if (e.name == edge.name) {
      e = std::move(edge);
      return child;
    }
  children_.push_back(std::move(edge));
  return child;
}

std::vector<std::pair<std::string, Trackable::Ptr>> Trackable::children() const {
  std::vector<std::pair<std::string, Ptr>> out;
  out.reserve(children_.size());
  for (const Edge& e : children_)
    if (Ptr p = e.get()) out.emplace_back(e.name, std::move(p));
  return out;
}

Trackable::Ptr Trackable::child(std::string_view local_name) const {
  for (const Edge& e : children_)
    if (e.name == local_name) return e.get();
  return nullptr;
}

Trackable::Ptr Trackable::Find(std::string_view path) const {
  Ptr at;
  const Trackable* node = this;
  for (const std::string& part : StrSplit(path, '/')) {
    if (part.empty()) continue;
    at = node->child(part);
    if (!at) return nullptr;
    node = at.get();
  }
  return at;
}

void Trackable::AddSlot(const Ptr& variable, std::string slot_name, Ptr slot) {
  if (std::find(slot_names_.begin(), slot_names_.end(), slot_name) == slot_names_.end())
    slot_names_.push_back(slot_name);
  for (Slot& s : slots_)
    if (s.variable.lock() == variable && s.name == slot_name) {
      s.slot = std::move(slot);
      return;
    }
  slots_.push_back({variable, std::move(slot_name), std::move(slot)});
}

Trackable::Ptr Trackable::slot(const Trackable* variable, std::string_view slot_name) const {
  for (const Slot& s : slots_)
    if (s.name == slot_name && s.variable.lock().get() == variable) return s.slot;
  return nullptr;
}

Result<Tensor> Trackable::value() const {
  if (!cell_) return errors::InvalidArgument("object is not a variable");
  return cell_->Read();
}

Status Trackable::Assign(Tensor value) const {
  if (!cell_) return errors::InvalidArgument("object is not a variable");
  return cell_->Assign(std::move(value));
}

// ---------------------------------------------------------------- serializing

std::string EscapeLocalName(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (char c : name) {
    if (c == '.')
      out += "..";
    else if (c == '/')
      out += ".S";
    else
      out += c;
  }
  return out;
}

Result<SerializedObjectGraph> SerializeObjectGraph(const Trackable& root) {
  SerializedObjectGraph out;
  std::vector<const Trackable*> nodes{&root};
  std::vector<std::string> paths{""};  // escaped, "/"-joined
  std::map<const Trackable*, int> ids{{&root, 0}};
  auto& proto = out.proto;
  proto.add_nodes();
  // Breadth first: an object's id and path come from the first edge that
  // reaches it.
  for (size_t i = 0; i < nodes.size(); ++i) {
    const Trackable* n = nodes[i];
    for (const auto& [name, child] : n->children()) {
      auto [it, added] = ids.emplace(child.get(), static_cast<int>(nodes.size()));
      if (added) {
        nodes.push_back(child.get());
        paths.push_back(paths[i].empty() ? EscapeLocalName(name)
                                         : paths[i] + "/" + EscapeLocalName(name));
        proto.add_nodes();
      }
      auto* ref = proto.mutable_nodes(static_cast<int>(i))->add_children();
      ref->set_node_id(it->second);
      ref->set_local_name(name);
    }
  }
  // Then the slot variables of every optimizer: slot by slot, and within a
  // slot, variables in node order.
  const size_t reachable = nodes.size();
  for (size_t i = 0; i < reachable; ++i) {
    const Trackable* opt = nodes[i];
    for (const std::string& slot_name : opt->slot_names())
      for (size_t v = 0; v < reachable; ++v) {
        Trackable::Ptr slot = opt->slot(nodes[v], slot_name);
        if (!slot) continue;
        auto [it, added] = ids.emplace(slot.get(), static_cast<int>(nodes.size()));
        if (added) {
          nodes.push_back(slot.get());
          paths.push_back(paths[v] + "/.OPTIMIZER_SLOT/" + paths[i] + "/" + EscapeLocalName(slot_name));
          proto.add_nodes();
        }
        auto* ref = proto.mutable_nodes(static_cast<int>(i))->add_slot_variables();
        ref->set_original_variable_node_id(static_cast<int>(v));
        ref->set_slot_name(slot_name);
        ref->set_slot_variable_node_id(it->second);
      }
  }
  std::set<std::string> keys;
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (!nodes[i]->is_variable()) continue;
    if (i == 0) return errors::InvalidArgument("the checkpoint's root cannot be a variable");
    std::string key = paths[i] + "/.ATTRIBUTES/" + kVariableValueAttribute;
    if (!keys.insert(key).second)
      return errors::InvalidArgument("two variables would be saved under checkpoint key '", key, "'");
    auto* attr = proto.mutable_nodes(static_cast<int>(i))->add_attributes();
    attr->set_name(kVariableValueAttribute);
    attr->set_full_name(nodes[i]->variable_name());
    attr->set_checkpoint_key(key);
    out.values.emplace_back(std::move(key), nodes[i]);
  }
  // has_checkpoint_values: the node, or something it depends on, is saved.
  std::vector<bool> has(nodes.size(), false);
  std::vector<std::vector<int>> parents(nodes.size());
  std::deque<int> pending;
  for (int i = 0; i < proto.nodes_size(); ++i) {
    const auto& n = proto.nodes(i);
    if (n.attributes_size() > 0 || n.slot_variables_size() > 0 || n.has_registered_saver()) {
      has[static_cast<size_t>(i)] = true;
      pending.push_back(i);
    }
    for (const auto& c : n.children()) parents[static_cast<size_t>(c.node_id())].push_back(i);
  }
  while (!pending.empty()) {
    const int i = pending.front();
    pending.pop_front();
    for (int p : parents[static_cast<size_t>(i)])
      if (!has[static_cast<size_t>(p)]) {
        has[static_cast<size_t>(p)] = true;
        pending.push_back(p);
      }
  }
  for (int i = 0; i < proto.nodes_size(); ++i)
    proto.mutable_nodes(i)->mutable_has_checkpoint_values()->set_value(has[static_cast<size_t>(i)]);
  return out;
}

// ---------------------------------------------------------------- Checkpoint

Checkpoint::Checkpoint(std::vector<std::pair<std::string, Trackable::Ptr>> kwargs)
    : root_(Trackable::Object()) {
  std::stable_sort(kwargs.begin(), kwargs.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [name, obj] : kwargs) root_->Track(name, obj);
}

Checkpoint Checkpoint::ForRoot(Trackable::Ptr root) {
  Checkpoint c;
  c.root_ = std::move(root);
  c.save_counter_ = c.root_->child("save_counter");
  return c;
}

void Checkpoint::MaybeCreateSaveCounter() {
  if (save_counter_) return;
  save_counter_ = root_->Track("save_counter", Trackable::Variable("save_counter", Tensor::Scalar<int64_t>(0)));
}

int64_t Checkpoint::save_counter() const {
  if (!save_counter_) return 0;
  Result<Tensor> v = save_counter_->value();
  return v.ok() && v->dtype() == DT_INT64 && v->num_elements() == 1 ? v->scalar<int64_t>() : 0;
}

Result<std::string> Checkpoint::Write(const std::string& prefix, const CheckpointWriteOptions& options) {
  TFPORT_ASSIGN_OR_RETURN(SerializedObjectGraph graph, SerializeObjectGraph(*root_));
  io::BundleWriteOptions bo;
  bo.sync = options.sync;
  TFPORT_ASSIGN_OR_RETURN(std::unique_ptr<io::BundleWriter> writer, io::BundleWriter::Create(prefix, bo));
  for (const auto& [key, var] : graph.values) {
    Result<Tensor> value = var->value();
    if (!value.ok()) return value.status().WithContext("saving ", prefix, ": checkpoint key '", key, "'");
    TFPORT_RETURN_IF_ERROR(writer->Add(key, *value).WithContext("saving ", prefix));
  }
  TFPORT_RETURN_IF_ERROR(
      writer->Add(kObjectGraphProtoKey, Tensor::Scalar<std::string>(graph.proto.SerializeAsString())));
  TFPORT_RETURN_IF_ERROR(writer->Finish());
  return prefix;
}

Result<int64_t> Checkpoint::IncrementSaveCounter() {
  MaybeCreateSaveCounter();
  const int64_t n = save_counter() + 1;
  TFPORT_RETURN_IF_ERROR(save_counter_->Assign(Tensor::Scalar<int64_t>(n)));
  return n;
}

Result<std::string> Checkpoint::Save(const std::string& file_prefix, const CheckpointWriteOptions& options) {
  TFPORT_ASSIGN_OR_RETURN(const int64_t n, IncrementSaveCounter());
  const std::string path = file_prefix + "-" + std::to_string(n);
  TFPORT_RETURN_IF_ERROR(Write(path, options).status());
  io::CheckpointStateUpdate update;
  update.save_dir = io::Dirname(file_prefix);
  update.model_checkpoint_path = path;
  update.all_model_checkpoint_paths = {path};
  update.save_relative_paths = true;
  TFPORT_RETURN_IF_ERROR(io::UpdateCheckpointState(update));
  return path;
}

}  // namespace tfport::saver
