// tf.train.Checkpoint, the restoring half: matching a checkpoint's object
// graph to live objects, the load status and its assertions, LoadObjects.
#include <google/protobuf/text_format.h>

#include <deque>
#include <map>
#include <set>

#include "tfport/core/str_util.h"
#include "tfport/io/bundle.h"
#include "tfport/io/checkpoint_state.h"
#include "tfport/io/file.h"
#include "tfport/saver/checkpoint.h"

namespace tfport::saver {
namespace {

using Graph = tf::TrackableObjectGraph;

Result<std::string> ResolvePath(const std::string& path) {
  if (!io::IsDirectory(path)) return path;
  TFPORT_ASSIGN_OR_RETURN(std::optional<std::string> latest, io::LatestCheckpoint(path));
  if (!latest) return errors::NotFound("no checkpoint found in directory ", path);
  return *latest;
}

Result<Graph> ReadObjectGraph(const io::BundleReader& reader) {
  TFPORT_ASSIGN_OR_RETURN(Tensor t, reader.Lookup(kObjectGraphProtoKey));
  Graph g;
  if (t.dtype() != DT_STRING || t.num_elements() != 1 || !g.ParseFromString(t.flat<std::string>()[0]))
    return errors::DataLoss(reader.prefix(), ": ", kObjectGraphProtoKey,
                            " is not a serialized TrackableObjectGraph");
  const int n = g.nodes_size();
  if (n == 0) return errors::DataLoss(reader.prefix(), ": the object graph has no root");
  auto bad = [&](int from, int id) {
    return errors::DataLoss(reader.prefix(), ": object graph node ", from, " refers to node ", id,
                            " of ", n);
  };
  for (int i = 0; i < n; ++i) {
    for (const auto& c : g.nodes(i).children())
      if (c.node_id() < 0 || c.node_id() >= n) return bad(i, c.node_id());
    for (const auto& s : g.nodes(i).slot_variables()) {
      if (s.original_variable_node_id() < 0 || s.original_variable_node_id() >= n)
        return bad(i, s.original_variable_node_id());
      if (s.slot_variable_node_id() < 0 || s.slot_variable_node_id() >= n)
        return bad(i, s.slot_variable_node_id());
    }
  }
  return g;
}

// TensorFlow's pretty names of checkpoint nodes: "(root).a.b", slots as
// "<variable>'s state 'm' for <optimizer>".
std::vector<std::string> PrettyNames(const Graph& g) {
  std::vector<std::string> names(static_cast<size_t>(g.nodes_size()));
  names[0] = "(root)";
  std::deque<int> queue{0};
  std::vector<bool> seen(names.size(), false);
  seen[0] = true;
  while (!queue.empty()) {
    const int i = queue.front();
    queue.pop_front();
    for (const auto& c : g.nodes(i).children())
      if (!seen[static_cast<size_t>(c.node_id())]) {
        seen[static_cast<size_t>(c.node_id())] = true;
        names[static_cast<size_t>(c.node_id())] = names[static_cast<size_t>(i)] + "." + c.local_name();
        queue.push_back(c.node_id());
      }
  }
  for (int i = 0; i < g.nodes_size(); ++i)
    for (const auto& s : g.nodes(i).slot_variables()) {
      auto& name = names[static_cast<size_t>(s.slot_variable_node_id())];
      if (name.empty())
        name = names[static_cast<size_t>(s.original_variable_node_id())] + "'s state '" + s.slot_name() +
               "' for " + names[static_cast<size_t>(i)];
    }
  for (size_t i = 0; i < names.size(); ++i)
    if (names[i].empty()) names[i] = "(unreachable node " + std::to_string(i) + ")";
  return names;
}

std::string NodeText(const tf::TrackableObjectGraph::TrackableObject& node) {
  std::string text;
  google::protobuf::TextFormat::PrintToString(node, &text);
  return text;
}

// Live variables reachable from `root` (children, then slots), with a name
// for messages.
std::vector<const Trackable*> LiveVariables(const Trackable& root) {
  std::vector<const Trackable*> order{&root}, vars;
  std::set<const Trackable*> seen{&root};
  for (size_t i = 0; i < order.size(); ++i) {
    for (const auto& [name, c] : order[i]->children())
      if (seen.insert(c.get()).second) order.push_back(c.get());
    for (const auto& s : order[i]->slots())
      if (s.slot && seen.insert(s.slot.get()).second) order.push_back(s.slot.get());
  }
  for (const Trackable* t : order)
    if (t->is_variable()) vars.push_back(t);
  return vars;
}

std::string VariableLabel(const Trackable* v) { return "<Variable '" + v->variable_name() + "'>"; }

struct Assignment {
  const Trackable* variable;
  std::string key;
  Tensor value;
};

// Reads every value, checks it against its variable, then assigns them all:
// a bad value leaves every variable as it was.
Status AssignAll(std::vector<Assignment>& todo, const std::string& prefix) {
  for (const Assignment& a : todo) {
    Status s = a.variable->cell().CheckAssignable(a.value);
    if (!s.ok()) return s.WithContext(prefix, ": restoring checkpoint key '", a.key, "'");
  }
  for (Assignment& a : todo) {
    Status s = a.variable->Assign(std::move(a.value));
    if (!s.ok()) return s.WithContext(prefix, ": restoring checkpoint key '", a.key, "'");
  }
  return OkStatus();
}

}  // namespace

// The matching itself; a friend of CheckpointLoadStatus.
struct RestoreState {
  static Result<CheckpointLoadStatus> ObjectBased(const Trackable::Ptr& root, const io::BundleReader& reader,
                                                  const Graph& g) {
    CheckpointLoadStatus status;
    status.prefix_ = reader.prefix();
    const size_t n = static_cast<size_t>(g.nodes_size());
    std::vector<Trackable::Ptr> match(n);
    match[0] = root;
    std::map<const Trackable*, int> matched_id{{root.get(), 0}};
    std::deque<int> queue{0};
    auto visit = [&](int id, Trackable::Ptr obj) {
      if (match[static_cast<size_t>(id)] || !obj || matched_id.count(obj.get())) return;
      match[static_cast<size_t>(id)] = obj;
      matched_id[obj.get()] = id;
      queue.push_back(id);
    };
    // Children by name, breadth first; then the slots of matched optimizers
    // (created when the optimizer does not have them yet, as TensorFlow's
    // eager restore does), which may lead to more children.
    std::set<std::pair<int, int>> slots_done;
    std::set<int> created;  // slot nodes made from their checkpoint value (already holding it)
    for (bool progress = true; progress;) {
      progress = false;
      while (!queue.empty()) {
        const int id = queue.front();
        queue.pop_front();
        for (const auto& c : g.nodes(id).children())
          visit(c.node_id(), match[static_cast<size_t>(id)]->child(c.local_name()));
      }
      for (int i = 0; i < g.nodes_size(); ++i) {
        const Trackable::Ptr& opt = match[static_cast<size_t>(i)];
        if (!opt) continue;
        for (int k = 0; k < g.nodes(i).slot_variables_size(); ++k) {
          const auto& ref = g.nodes(i).slot_variables(k);
          const Trackable::Ptr& var = match[static_cast<size_t>(ref.original_variable_node_id())];
          if (!var || !slots_done.insert({i, k}).second) continue;
          Trackable::Ptr slot = opt->slot(var.get(), ref.slot_name());
          const auto& node = g.nodes(ref.slot_variable_node_id());
          if (!slot && var->is_variable() && node.attributes_size() == 1 &&
              node.attributes(0).name() == kVariableValueAttribute) {
            Result<Tensor> value = reader.Lookup(node.attributes(0).checkpoint_key());
            if (!value.ok()) return value.status();
            slot = Trackable::Variable(node.attributes(0).full_name(), *value);
            opt->AddSlot(var, ref.slot_name(), slot);
            created.insert(ref.slot_variable_node_id());
          }
          visit(ref.slot_variable_node_id(), slot);
          progress = true;
        }
      }
    }
    const std::vector<std::string> names = PrettyNames(g);
    std::vector<Assignment> todo;
    std::set<const Trackable*> restored;
    for (size_t i = 0; i < n; ++i) {
      const auto& node = g.nodes(static_cast<int>(i));
      const Trackable::Ptr& obj = match[i];
      if (obj) ++status.matched_objects_;
      if (!obj) {
        if (node.attributes_size() > 0) {
          status.unresolved_.push_back(names[i]);
          status.unresolved_details_.push_back(NodeText(node));
        }
        continue;
      }
      bool assigned = false;
      for (const auto& attr : node.attributes()) {
        if (obj->is_variable() && attr.name() == kVariableValueAttribute && !assigned &&
            created.count(static_cast<int>(i))) {
          restored.insert(obj.get());  // read (and checked) when it was created
          ++status.restored_;
          assigned = true;
        } else if (obj->is_variable() && attr.name() == kVariableValueAttribute && !assigned) {
          Result<Tensor> value = reader.Lookup(attr.checkpoint_key());
          if (!value.ok()) return value.status();
          todo.push_back({obj.get(), attr.checkpoint_key(), std::move(*value)});
          restored.insert(obj.get());
          assigned = true;
        } else {
          status.unused_attributes_.push_back(names[i] + " (" +
                                              (obj->is_variable() ? VariableLabel(obj.get()) : "object") +
                                              "): " + attr.name());
        }
      }
      if (obj->is_variable() && !assigned) status.unassigned_.push_back(NodeText(node));
    }
    TFPORT_RETURN_IF_ERROR(AssignAll(todo, reader.prefix()));
    status.restored_ += static_cast<int>(todo.size());
    for (const Trackable* v : LiveVariables(*root))
      if (!restored.count(v)) status.unmatched_variables_.push_back(VariableLabel(v));
    return status;
  }

  static Result<CheckpointLoadStatus> NameBased(const Trackable& root, const io::BundleReader& reader) {
    CheckpointLoadStatus status;
    status.prefix_ = reader.prefix();
    status.name_based_ = true;
    std::vector<Assignment> todo;
    for (const Trackable* v : LiveVariables(root)) {
      if (!reader.Contains(v->variable_name())) {
        status.unmatched_variables_.push_back(VariableLabel(v));
        continue;
      }
      TFPORT_ASSIGN_OR_RETURN(Tensor value, reader.Lookup(v->variable_name()));
      todo.push_back({v, v->variable_name(), std::move(value)});
    }
    TFPORT_RETURN_IF_ERROR(AssignAll(todo, reader.prefix()));
    status.restored_ = static_cast<int>(todo.size());
    status.matched_objects_ = 1 + status.restored_;
    return status;
  }
};

Result<CheckpointLoadStatus> Checkpoint::Restore(const std::string& path) {
  TFPORT_ASSIGN_OR_RETURN(std::string prefix, ResolvePath(path));
  TFPORT_ASSIGN_OR_RETURN(std::unique_ptr<io::BundleReader> reader, io::BundleReader::Open(prefix));
  if (!reader->Contains(kObjectGraphProtoKey)) return RestoreState::NameBased(*root_, *reader);
  TFPORT_ASSIGN_OR_RETURN(Graph g, ReadObjectGraph(*reader));
  // save_counter is created before matching when the checkpoint has one,
  // so it is restored with the rest.
  for (const auto& c : g.nodes(0).children())
    if (c.local_name() == "save_counter" && !root_->child("save_counter")) MaybeCreateSaveCounter();
  if (!save_counter_) save_counter_ = root_->child("save_counter");
  return RestoreState::ObjectBased(root_, *reader, g);
}

// ---------------------------------------------------------------- status

Status CheckpointLoadStatus::AssertExistingObjectsMatched() const {
  if (!unassigned_.empty())
    return errors::FailedPrecondition("Object ", unassigned_.front(), " not assigned a value from checkpoint.");
  if (!unmatched_variables_.empty()) {
    const size_t total = unmatched_variables_.size(), shown = std::min<size_t>(10, total);
    std::vector<std::string> list(unmatched_variables_.begin(), unmatched_variables_.begin() + static_cast<long>(shown));
    return errors::FailedPrecondition("Found ", total,
                                      " Python objects that were not bound to checkpointed values, likely "
                                      "due to changes in the Python program. Showing ",
                                      shown, " of ", total, " unmatched objects: [", StrJoin(list, ", "),
                                      "] (checkpoint ", prefix_, ")");
  }
  return OkStatus();
}

Status CheckpointLoadStatus::AssertConsumed() const {
  if (name_based_) {
    if (!unmatched_variables_.empty())
      return errors::FailedPrecondition("Some objects had attributes which were not restored: ",
                                        StrJoin(unmatched_variables_, ", "), " (checkpoint ", prefix_, ")");
    return OkStatus();
  }
  TFPORT_RETURN_IF_ERROR(AssertExistingObjectsMatched());
  if (!unresolved_.empty())
    return errors::FailedPrecondition("Unresolved object in checkpoint ", unresolved_.front(), ": ",
                                      unresolved_details_.front(), "(", unresolved_.size(),
                                      " unresolved in ", prefix_, ": ", StrJoin(unresolved_, ", "), ")");
  if (!unused_attributes_.empty())
    return errors::FailedPrecondition(
        "Unused attributes in these objects (the attributes exist in the checkpoint but were not "
        "restored):\n",
        StrJoin(unused_attributes_, "\n"));
  return OkStatus();
}

Status CheckpointLoadStatus::AssertNontrivialMatch() const {
  if (matched_objects_ <= 1)
    return errors::FailedPrecondition(
        "Nothing except the root object matched a checkpointed value. Typically this means that the "
        "checkpoint does not match the Python program. (checkpoint ",
        prefix_, ")");
  return OkStatus();
}

std::vector<std::string> CheckpointLoadStatus::Warnings() const {
  std::vector<std::string> lines;
  if (expect_partial_) return lines;
  for (const std::string& u : unresolved_) lines.push_back("Unresolved object in checkpoint: " + u);
  for (const std::string& u : unused_attributes_) lines.push_back("Unused attribute in checkpoint: " + u);
  if (!lines.empty())
    lines.push_back(
        "A checkpoint was restored (e.g. tf.train.Checkpoint.restore or tf.keras.Model.load_weights) but "
        "not all checkpointed values were used. See above for specific issues. Use expect_partial() on "
        "the load status object, e.g. tf.train.Checkpoint.restore(...).expect_partial(), to silence "
        "these warnings, or use assert_consumed() to make the check explicit.");
  return lines;
}

// ---------------------------------------------------------------- LoadObjects

Result<Trackable::Ptr> LoadObjects(const std::string& path) {
  TFPORT_ASSIGN_OR_RETURN(std::string prefix, ResolvePath(path));
  TFPORT_ASSIGN_OR_RETURN(std::unique_ptr<io::BundleReader> reader, io::BundleReader::Open(prefix));
  if (!reader->Contains(kObjectGraphProtoKey))
    return errors::InvalidArgument(prefix, " has no object graph (", kObjectGraphProtoKey,
                                   "); it is a name-based (TF1) checkpoint");
  TFPORT_ASSIGN_OR_RETURN(Graph g, ReadObjectGraph(*reader));
  std::vector<Trackable::Ptr> objects(static_cast<size_t>(g.nodes_size()));
  for (int i = 0; i < g.nodes_size(); ++i) {
    const auto& node = g.nodes(i);
    for (const auto& attr : node.attributes())
      if (attr.name() == kVariableValueAttribute && i != 0) {
        Result<Tensor> value = reader->Lookup(attr.checkpoint_key());
        if (!value.ok()) return value.status().WithContext(prefix, ": object ", i);
        objects[static_cast<size_t>(i)] = Trackable::Variable(attr.full_name(), std::move(*value));
        break;
      }
    if (!objects[static_cast<size_t>(i)]) objects[static_cast<size_t>(i)] = Trackable::Object();
  }
  for (int i = 0; i < g.nodes_size(); ++i) {
    const Trackable::Ptr& obj = objects[static_cast<size_t>(i)];
    for (const auto& c : g.nodes(i).children()) obj->Track(c.local_name(), objects[static_cast<size_t>(c.node_id())]);
    for (const auto& s : g.nodes(i).slot_variables())
      obj->AddSlot(objects[static_cast<size_t>(s.original_variable_node_id())], s.slot_name(),
                   objects[static_cast<size_t>(s.slot_variable_node_id())]);
  }
  return objects[0];
}

}  // namespace tfport::saver
