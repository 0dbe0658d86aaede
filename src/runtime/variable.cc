#include "tfport/runtime/variable.h"

#include <mutex>

#include "tfport/graph/op_registry.h"

namespace tfport::runtime {
Result<VariableKey> VariableKeyOf(const tf::NodeDef& node) {
  // Both attrs default to "" (a NodeDef written without defaults lacks them).
  auto attr = [&](const char* name) -> Result<std::string> {
    const tf::AttrValue* a = graph::FindAttr(node, name);
    if (a == nullptr) return std::string();
    if (a->value_case() != tf::AttrValue::kS)
      return errors::InvalidArgument("{{node ", node.name(), "}}: attr '", name, "' is not a string");
    return a->s();
  };
  TFPORT_ASSIGN_OR_RETURN(std::string container, attr("container"));
  TFPORT_ASSIGN_OR_RETURN(std::string shared, attr("shared_name"));
  return VariableKey{container, shared.empty() ? node.name() : shared};
}

std::string RefVariableResourceName(const VariableKey& key) { return "ref:" + key.name; }

VariableCell VariableCell::NewResource(std::string name, DataType dtype, Shape shape) {
  VariableCell cell;
  cell.name_ = std::move(name);
  cell.dtype_ = dtype;
  cell.shape_ = shape;
  cell.resource_ = std::make_shared<ResourceVariable>(dtype, std::move(shape));
  return cell;
}

Result<VariableCell> VariableCell::ForNode(ResourceMgr& resources, const tf::NodeDef& node) {
  const bool ref = node.op() != "VarHandleOp";
  if (!graph::IsVariableOp(node.op()))
    return errors::InvalidArgument("node '", node.name(), "' (", node.op(), ") is not a variable");
  TFPORT_ASSIGN_OR_RETURN(VariableKey key, VariableKeyOf(node));
  VariableCell cell;
  cell.name_ = node.name();
  TFPORT_ASSIGN_OR_RETURN(cell.dtype_, graph::GetTypeAttr(node, "dtype"));
  cell.shape_ = Shape::UnknownRank();
  if (const tf::AttrValue* a = graph::FindAttr(node, "shape"); a && a->has_shape()) {
    Result<Shape> s = Shape::FromProto(a->shape(), /*allow_unknown=*/true);
    if (!s.ok()) return s.status().WithContext("variable '", node.name(), "'");
    cell.shape_ = *s;
  }
  if (ref) {
    std::optional<Shape> declared;
    if (cell.shape_.IsFullyDefined()) declared = cell.shape_;
    cell.ref_ = resources.LookupOrCreate<RefVariableResource>(
        key.container, RefVariableResourceName(key), [&] {
          auto v = std::make_shared<RefVariableResource>(node.name());
          v->var.declared_shape = declared;
          return v;
        });
    if (!cell.ref_)
      return errors::InvalidArgument("resource '", key.name, "' of node '", node.name(),
                                     "' is not a ref variable");
  } else {
    cell.resource_ = resources.LookupOrCreate<ResourceVariable>(
        key.container, key.name,
        [&] { return std::make_shared<ResourceVariable>(cell.dtype_, cell.shape_); });
    if (!cell.resource_)
      return errors::InvalidArgument("resource '", key.name, "' of node '", node.name(),
                                     "' is not a resource variable");
  }
  return cell;
}

bool VariableCell::initialized() const {
  if (resource_) {
    std::lock_guard<std::mutex> lock(resource_->mu());
    return resource_->initialized();
  }
  if (ref_) {
    std::lock_guard<std::mutex> lock(ref_->var.mu);
    return ref_->var.initialized;
  }
  return false;
}

Result<Tensor> VariableCell::Read() const {
  if (resource_) {
    std::lock_guard<std::mutex> lock(resource_->mu());
    if (resource_->initialized()) return resource_->value();
  } else if (ref_) {
    std::lock_guard<std::mutex> lock(ref_->var.mu);
    if (ref_->var.initialized) return ref_->var.value;
  }
  return errors::FailedPrecondition("Attempting to use uninitialized value ", name_);
}

Status VariableCell::CheckAssignable(const Tensor& value) const {
  if (value.dtype() != dtype_)
    return errors::InvalidArgument("variable ", name_, " has dtype ", DataTypeName(dtype_),
                                   ", the value to assign is ", DataTypeName(value.dtype()));
  if (!shape_.IsCompatibleWith(value.shape()))
    return errors::InvalidArgument("Received incompatible tensor with shape ",
                                   value.shape().DebugString(),
                                   " when attempting to restore variable with shape ",
                                   shape_.DebugString(), " and name ", name_, ".");
  return OkStatus();
}

Status VariableCell::Assign(Tensor value) const {
  TFPORT_RETURN_IF_ERROR(CheckAssignable(value));
  if (resource_) {
    std::lock_guard<std::mutex> lock(resource_->mu());
    resource_->set_value(std::move(value));
  } else if (ref_) {
    std::lock_guard<std::mutex> lock(ref_->var.mu);
    ref_->var.value = std::move(value);
    ref_->var.initialized = true;
  } else {
    return errors::Internal("variable ", name_, " has no storage");
  }
  return OkStatus();
}

}  // namespace tfport::runtime
