#include "tfport/runtime/kernel.h"

#include <algorithm>

namespace tfport::runtime {

using graph::NodeLocation;


Status KernelRegistry::Register(std::string op, KernelFactory factory) {
  if (!factories_.emplace(op, std::move(factory)).second)
    return errors::AlreadyExists("a kernel for op '", op, "' is registered twice");
  return OkStatus();
}

Status KernelRegistry::Replace(const std::string& op, KernelFactory factory) {
  auto it = factories_.find(op);
  if (it == factories_.end())
    return errors::NotFound("cannot replace the kernel of op '", op, "': none is registered");
  it->second = std::move(factory);
  return OkStatus();
}

const KernelFactory* KernelRegistry::Find(std::string_view op) const {
  auto it = factories_.find(op);
  return it == factories_.end() ? nullptr : &it->second;
}

std::vector<std::string> KernelRegistry::ListOps() const {
  std::vector<std::string> out;
  for (const auto& [op, f] : factories_) out.push_back(op);
  return out;
}

Status NoKernelFor(const graph::Node& node, std::string_view detail) {
  std::string attrs;
  std::vector<std::pair<std::string, std::string>> type_attrs;
  for (const auto& [name, value] : node.def().attr())
    if (value.value_case() == tf::AttrValue::kType)
      type_attrs.emplace_back(name, DataTypeName(value.type()));
  std::sort(type_attrs.begin(), type_attrs.end());
  for (const auto& [name, type] : type_attrs) attrs += (attrs.empty() ? "" : "; ") + name + "=" + type;
  return errors::InvalidArgument("No OpKernel was registered to support Op '", node.op(),
                                 "' used by ", NodeLocation(node.def()), " with these attrs: [",
                                 attrs, "]", detail.empty() ? "" : "; ", detail);
}

}  // namespace tfport::runtime
