// tfport: ResourceMgr — objects addressed by DT_RESOURCE handles (resource
// variables, TensorArrays), keyed like TensorFlow's by (container, name).
//
// Thread-safety: all methods may be called concurrently.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <typeinfo>
#include <utility>

#include "tfport/core/tensor.h"
#include "tfport/runtime/kernel.h"

namespace tfport::runtime {

class ResourceBase {
 public:
  virtual ~ResourceBase() = default;
  virtual std::string DebugString() const = 0;
};

// A resource variable (VarHandleOp): a dtype, a declared shape and a value
// that is replaced (never mutated in place) by writes.
class ResourceVariable final : public ResourceBase {
 public:
  ResourceVariable(DataType dtype, Shape shape) : dtype_(dtype), shape_(std::move(shape)) {}
  std::string DebugString() const override { return "ResourceVariable " + DataTypeName(dtype_); }
  DataType dtype() const { return dtype_; }
  const Shape& declared_shape() const { return shape_; }
  std::mutex& mu() { return mu_; }
  // REQUIRES: mu() held by the caller.
  bool initialized() const { return initialized_; }
  const Tensor& value() const { return value_; }
  void set_value(Tensor t) {
    value_ = std::move(t);
    initialized_ = true;
  }

 private:
  DataType dtype_;
  Shape shape_;
  std::mutex mu_;
  Tensor value_;
  bool initialized_ = false;
};

class ResourceMgr {
 public:
  // The resource under (container, name) if it exists and has type T.
  template <typename T>
  std::shared_ptr<T> Lookup(const std::string& container, const std::string& name) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = resources_.find({container, name});
    if (it == resources_.end()) return nullptr;
    return std::dynamic_pointer_cast<T>(it->second);
  }
  // Returns the existing resource or stores the one `make` creates.
  template <typename T, typename Make>
  std::shared_ptr<T> LookupOrCreate(const std::string& container, const std::string& name,
                                    Make make) {
    std::lock_guard<std::mutex> lock(mu_);
    auto& slot = resources_[{container, name}];
    if (!slot) slot = make();
    return std::dynamic_pointer_cast<T>(slot);
  }
  void Delete(const std::string& container, const std::string& name) {
    std::lock_guard<std::mutex> lock(mu_);
    resources_.erase({container, name});
  }
  void Clear() {
    std::lock_guard<std::mutex> lock(mu_);
    resources_.clear();
  }

 private:
  mutable std::mutex mu_;
  std::map<std::pair<std::string, std::string>, std::shared_ptr<ResourceBase>> resources_;
};

// Per-Run state: a ResourceMgr whose objects die with the step.
class StepState {
 public:
  ResourceMgr& resources() { return resources_; }
  int64_t NewId() {
    std::lock_guard<std::mutex> lock(mu_);
    return next_id_++;
  }

 private:
  std::mutex mu_;
  int64_t next_id_ = 0;
  ResourceMgr resources_;
};

}  // namespace tfport::runtime

namespace tfport::runtime {

// The ResourceMgr entry of a ref variable (VariableV2), keyed by
// (container, shared_name or node name) like TensorFlow's.
class RefVariableResource final : public ResourceBase {
 public:
  explicit RefVariableResource(std::string name) { var.name = std::move(name); }
  std::string DebugString() const override { return "RefVariable " + var.name; }
  RefVariable var;
};

}  // namespace tfport::runtime
