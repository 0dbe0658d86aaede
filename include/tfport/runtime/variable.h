// tfport: the storage behind a variable node, reached from outside a run.
//
// A VariableV2 (ref variable) or VarHandleOp (resource variable) node keeps
// its value in the session's ResourceMgr under a key TensorFlow derives from
// the node's `container` and `shared_name` attrs (the node name when
// shared_name is empty). The kernels use VariableKeyOf to find the entry;
// checkpoint code outside a run (saver/checkpoint.h) uses VariableCell to
// read and assign the same entry.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "tfport/core/status.h"
#include "tfport/core/tensor.h"
#include "tfport/graph/graph.h"
#include "tfport/runtime/resource_mgr.h"

namespace tfport::runtime {

struct VariableKey {
  std::string container;
  std::string name;  // shared_name, or the node name
};

// The ResourceMgr key of a VariableV2/Variable/VarHandleOp node.
Result<VariableKey> VariableKeyOf(const tf::NodeDef& node);
inline Result<VariableKey> VariableKeyOf(const graph::Node& node) { return VariableKeyOf(node.def()); }
// The name under which a ref variable is stored ("ref:" + key.name), kept
// apart from resource variables of the same shared name.
std::string RefVariableResourceName(const VariableKey& key);

// One variable's value, shared with the sessions and kernels that use it.
// Copyable handle; all methods are thread-safe.
class VariableCell {
 public:
  // A fresh resource variable not attached to any session.
  static VariableCell NewResource(std::string name, DataType dtype, Shape shape);
  // The session entry of variable node `node` in `resources`, created (not
  // initialized) as the node's kernel would create it. INVALID_ARGUMENT for
  // a node that is not a variable, or whose entry holds another kind.
  static Result<VariableCell> ForNode(ResourceMgr& resources, const tf::NodeDef& node);
  static Result<VariableCell> ForNode(ResourceMgr& resources, const graph::Node& node) {
    return ForNode(resources, node.def());
  }

  const std::string& name() const { return name_; }
  DataType dtype() const { return dtype_; }
  // The declared shape (may be partially known).
  const Shape& shape() const { return shape_; }

  bool initialized() const;
  // FAILED_PRECONDITION naming the variable when it holds no value.
  Result<Tensor> Read() const;
  // Whether `value` may be assigned: INVALID_ARGUMENT when the dtype
  // differs or the shape is incompatible with the declared one (TensorFlow's
  // restore message).
  Status CheckAssignable(const Tensor& value) const;
  // Replaces the value; errors as CheckAssignable.
  Status Assign(Tensor value) const;

 private:
  std::string name_;
  DataType dtype_ = DT_INVALID;
  Shape shape_;
  std::shared_ptr<ResourceVariable> resource_;
  std::shared_ptr<RefVariableResource> ref_;
};

}  // namespace tfport::runtime
