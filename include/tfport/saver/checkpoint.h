// tfport: tf.train.Checkpoint — object-based (TF2) checkpoints (formats.md §1.12).
//
//   auto model = saver::Trackable::Object();
//   auto dense = model->Track("dense", saver::Trackable::Object());
//   dense->Track("kernel", saver::Trackable::Variable("dense/kernel", kernel));
//   saver::Checkpoint ckpt({{"model", model}});
//   TFPORT_ASSIGN_OR_RETURN(std::string path, ckpt.Save("/tmp/train/ckpt"));  // ckpt-1
//   ...
//   TFPORT_ASSIGN_OR_RETURN(auto status, ckpt.Restore(path));
//   TFPORT_RETURN_IF_ERROR(status.AssertConsumed());
//
// A checkpoint holds the objects reachable from a root through named edges
// (a tf.Module, a Keras layer, an optimizer) and their variables. Save writes
// what TensorFlow writes: each variable under
// "<path>/.ATTRIBUTES/VARIABLE_VALUE", where <path> joins the escaped edge
// names of the object's first breadth-first path from the root; optimizer
// slots under "<variable path>/.OPTIMIZER_SLOT/<optimizer path>/<slot>/...";
// and the object graph (TrackableObjectGraph: nodes in breadth-first order,
// then slot variables, has_checkpoint_values set) as the string tensor
// `_CHECKPOINTABLE_OBJECT_GRAPH`, written last. Saves are atomic (the
// bundle's data and index are renamed into place, index last).
//
// Restore matches the checkpoint's object graph against the live objects
// from the root by edge name (TensorFlow's restore-on-create, done at once
// because every C++ object already exists) and assigns matched variables.
// What did not match is reported by the CheckpointLoadStatus, with
// TensorFlow's assertions and messages. A checkpoint without an object graph
// (a TF1 Saver checkpoint) is restored by variable name instead, as
// TensorFlow's name-based fallback does.
//
// Thread-safety: a Checkpoint is used by one thread at a time; the variables
// themselves (runtime::VariableCell) may be shared with running sessions.
#pragma once

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tfport/core/status.h"
#include "tfport/core/tensor.h"
#include "tfport/runtime/variable.h"
#include "tfport/tf/trackable_object_graph.pb.h"

namespace tfport::saver {

inline constexpr char kObjectGraphProtoKey[] = "_CHECKPOINTABLE_OBJECT_GRAPH";
inline constexpr char kVariableValueAttribute[] = "VARIABLE_VALUE";

// One object of the dependency graph: a plain object with named children,
// or a variable. Any object can also own optimizer slots.
class Trackable {
 public:
  using Ptr = std::shared_ptr<Trackable>;

  // An object with named dependencies (AutoTrackable, a layer, an optimizer).
  static Ptr Object();
  // A variable named `name` (its full name, e.g. "dense/kernel") holding
  // `initial_value` in a fresh resource variable.
  static Ptr Variable(std::string name, Tensor initial_value);
  // A variable bound to existing storage (a session's variable).
  static Ptr Variable(std::string name, runtime::VariableCell cell);

  // Adds (or replaces) the dependency `local_name`; returns `child`. An
  // edge back to an ancestor (Keras models list themselves as "root") is
  // kept without ownership, so objects never own each other in a cycle.
  Ptr Track(std::string local_name, Ptr child);
  // The dependencies in the order they were added (back edges included
  // while their target lives).
  std::vector<std::pair<std::string, Ptr>> children() const;
  Ptr child(std::string_view local_name) const;
  // The object at "a/b/c" below this one (unescaped names), or null.
  Ptr Find(std::string_view path) const;

  // Optimizer slots: slot `slot_name` of `variable` is `slot`. Slot names
  // keep the order in which they first appear ("m" before "v").
  void AddSlot(const Ptr& variable, std::string slot_name, Ptr slot);
  Ptr slot(const Trackable* variable, std::string_view slot_name) const;
  struct Slot {
    std::weak_ptr<Trackable> variable;
    std::string name;
    Ptr slot;
  };
  const std::vector<Slot>& slots() const { return slots_; }
  const std::vector<std::string>& slot_names() const { return slot_names_; }

  bool is_variable() const { return cell_.has_value(); }
  // The variable's full name (empty for objects).
  const std::string& variable_name() const { return variable_name_; }
  // REQUIRES: is_variable().
  const runtime::VariableCell& cell() const { return *cell_; }
  Result<Tensor> value() const;
  Status Assign(Tensor value) const;

 private:
  Trackable() = default;
  // Whether `target` is `from` or owned below it.
  static bool Reaches(const Trackable* from, const Trackable* target, std::set<const Trackable*>& seen);

  struct Edge {
    std::string name;
    Ptr owned;                   // a dependency
    std::weak_ptr<Trackable> back;  // or an edge back to an ancestor
    Ptr get() const { return owned ? owned : back.lock(); }
  };
  std::vector<Edge> children_;
  std::vector<Slot> slots_;
  std::vector<std::string> slot_names_;
  std::string variable_name_;
  std::optional<runtime::VariableCell> cell_;
};

// "." -> "..", "/" -> ".S": how an edge name appears in a checkpoint key.
std::string EscapeLocalName(std::string_view name);

// The object graph Save writes for `root`, with the bundle key of every
// variable (in node order). Exposed for tools and tests.
struct SerializedObjectGraph {
  tf::TrackableObjectGraph proto;
  std::vector<std::pair<std::string, const Trackable*>> values;  // key -> variable
};
Result<SerializedObjectGraph> SerializeObjectGraph(const Trackable& root);

// What Restore matched; TensorFlow's CheckpointLoadStatus.
class CheckpointLoadStatus {
 public:
  // Every object in the checkpoint that has values was matched, every value
  // was used, and AssertExistingObjectsMatched holds. FAILED_PRECONDITION
  // with TensorFlow's message ("Unresolved object in checkpoint (root).a.b:
  // ...", "Unused attributes in these objects ...") otherwise.
  Status AssertConsumed() const;
  // Every live variable received a value and every matched object was
  // assigned one. FAILED_PRECONDITION ("Found 2 Python objects that were
  // not bound to checkpointed values ...") otherwise.
  Status AssertExistingObjectsMatched() const;
  // Something beyond the root matched.
  Status AssertNontrivialMatch() const;
  // Silences the warning below.
  CheckpointLoadStatus& ExpectPartial() {
    expect_partial_ = true;
    return *this;
  }
  // The lines TensorFlow logs after a partial restore (one per unresolved
  // checkpoint object, then the summary), empty when everything was used or
  // after ExpectPartial().
  std::vector<std::string> Warnings() const;

  const std::string& prefix() const { return prefix_; }
  bool name_based() const { return name_based_; }
  int restored_values() const { return restored_; }
  // "(root).a.b" paths of checkpoint objects with values that matched
  // nothing.
  const std::vector<std::string>& unresolved_checkpoint_objects() const { return unresolved_; }
  // Full names of live variables that got no value.
  const std::vector<std::string>& unmatched_variables() const { return unmatched_variables_; }

 private:
  friend class Checkpoint;
  friend struct RestoreState;
  std::string prefix_;
  bool name_based_ = false;
  bool expect_partial_ = false;
  int restored_ = 0;
  int matched_objects_ = 0;  // the root included
  std::vector<std::string> unresolved_;          // checkpoint objects, with their node text
  std::vector<std::string> unresolved_details_;  // parallel to unresolved_
  std::vector<std::string> unused_attributes_;   // "(root).a (kind): attribute"
  std::vector<std::string> pending_slots_;       // slot restorations with no slot object
  std::vector<std::string> unassigned_;          // matched checkpoint nodes without a value
  std::vector<std::string> unmatched_variables_;
};

struct CheckpointWriteOptions {
  bool sync = false;  // fdatasync before renaming
};

class Checkpoint {
 public:
  // tf.train.Checkpoint(**kwargs): the root's dependencies, sorted by name
  // as Python's keyword arguments are.
  explicit Checkpoint(std::vector<std::pair<std::string, Trackable::Ptr>> kwargs = {});
  // A checkpoint whose root is `root` (tf.train.Checkpoint(root=...) style
  // use, e.g. a model's own object graph).
  static Checkpoint ForRoot(Trackable::Ptr root);

  Trackable& root() const { return *root_; }
  const Trackable::Ptr& root_ptr() const { return root_; }
  // save_counter's value; 0 before the first Save or Restore creates it.
  int64_t save_counter() const;

  // tf.train.Checkpoint.write: writes `prefix` (.index, .data-00000-of-00001)
  // and returns it. No numbering, no `checkpoint` file.
  Result<std::string> Write(const std::string& prefix, const CheckpointWriteOptions& options = {});
  // tf.train.Checkpoint.save: increments save_counter, writes
  // "<file_prefix>-<save_counter>", then points the `checkpoint` file in
  // file_prefix's directory at it (relative path). Returns the path.
  Result<std::string> Save(const std::string& file_prefix, const CheckpointWriteOptions& options = {});

  // tf.train.Checkpoint.restore / read. `path` is a prefix, or a directory
  // whose `checkpoint` file names the latest one. Variables matched by
  // object path are assigned as they are found. Errors: NOT_FOUND for a
  // missing checkpoint; DATA_LOSS for a damaged object graph or value;
  // INVALID_ARGUMENT for a value whose dtype or shape does not fit its
  // variable (naming the key and the variable); nothing is assigned when a
  // value fails to read.
  Result<CheckpointLoadStatus> Restore(const std::string& path);

  // Creates save_counter (an int64 scalar variable, 0) if it does not exist.
  void MaybeCreateSaveCounter();
  // save_counter += 1 (created first if needed); returns the new value.
  Result<int64_t> IncrementSaveCounter();

 private:
  Trackable::Ptr root_;
  Trackable::Ptr save_counter_;
};

// The objects of a checkpoint rebuilt as live objects: every object and
// edge of its object graph, variables holding the checkpoint's values, slots
// attached to their optimizers. For inspecting a checkpoint by path, or for
// restoring it into another structure piece by piece.
Result<Trackable::Ptr> LoadObjects(const std::string& prefix);

}  // namespace tfport::saver
