// Kernels of the data_flow family: TensorArrayV3 & co
// (data_flow/tensor_array_kernels.cc) and StackV2 & co
// (data_flow/stack_kernels.cc), plus their shared helpers.
#include <algorithm>
#include <cstring>

#include "kernels/data_flow/data_flow_internal.h"

namespace tfport::kernels {
namespace data_flow {

std::string TfTypeName(DataType dtype) {
  switch (BaseType(dtype)) {
    case DT_FLOAT: return "float";
    case DT_DOUBLE: return "double";
    case DT_HALF: return "half";
    default: return std::string(NumpyName(dtype));
  }
}

Tensor MakeStepHandle(const std::string& container, const std::string& name,
                      const std::string& type_name) {
  Tensor handle(DT_RESOURCE, Shape{});
  auto& h = handle.scalar<ResourceHandle>();
  h.container = container;
  h.name = name;
  h.type_name = type_name;
  h.step_id = 0;
  return handle;
}

Result<ResourceHandle> HandleInput(OpKernelContext& ctx, int i) {
  const Tensor& t = ctx.input(i);
  if (t.dtype() != DT_RESOURCE || t.num_elements() != 1)
    return errors::InvalidArgument("expected a scalar resource handle as input ", i, ", got ",
                                   DataTypeName(t.dtype()), " ", t.shape().DebugString());
  return t.flat<ResourceHandle>()[0];
}

void CopyElements(const Tensor& src, int64_t src_off, Tensor* dst, int64_t dst_off, int64_t n) {
  if (n <= 0) return;
  const auto so = static_cast<size_t>(src_off), d = static_cast<size_t>(dst_off),
             count = static_cast<size_t>(n);
  if (src.dtype() == DT_STRING) {
    auto in = src.flat<std::string>();
    auto out = dst->flat<std::string>();
    std::copy(in.begin() + so, in.begin() + so + count, out.begin() + d);
  } else if (src.dtype() == DT_RESOURCE) {
    auto in = src.flat<ResourceHandle>();
    auto out = dst->flat<ResourceHandle>();
    std::copy(in.begin() + so, in.begin() + so + count, out.begin() + d);
  } else {
    const size_t size = DataTypeSize(src.dtype());
    std::memcpy(static_cast<char*>(dst->data()) + d * size,
                static_cast<const char*>(src.data()) + so * size, count * size);
  }
}

}  // namespace data_flow

void RegisterDataFlowKernels(KernelRegistry& r) {
  data_flow::RegisterTensorArrayKernels(r);
  data_flow::RegisterStackKernels(r);
}

}  // namespace tfport::kernels
