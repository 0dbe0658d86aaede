// Internal: helpers shared by the data_flow kernel files (TensorArrays and
// stacks). Both kinds of object live in the per-Run ResourceMgr
// (ctx.step().resources()) and are addressed by DT_RESOURCE scalars.
#pragma once

#include <cstdint>
#include <string>

#include "kernels/kernels_internal.h"

namespace tfport::kernels::data_flow {

void RegisterTensorArrayKernels(KernelRegistry& r);  // tensor_array_kernels.cc
void RegisterStackKernels(KernelRegistry& r);        // stack_kernels.cc

// TensorFlow's DataTypeString: "float", "double", "int32", "half", ...
std::string TfTypeName(DataType dtype);

// A scalar DT_RESOURCE tensor naming (container, name) in the step's
// resources, marked as per-Run (step_id 0).
Tensor MakeStepHandle(const std::string& container, const std::string& name,
                      const std::string& type_name);

// The handle in input `i`. Errors: INVALID_ARGUMENT unless a DT_RESOURCE
// scalar (or one-element tensor).
Result<ResourceHandle> HandleInput(OpKernelContext& ctx, int i);

// Copies n elements src[src_off...] -> dst[dst_off...]; dst must be a tensor
// the caller allocated (never an input). REQUIRES: same dtype, ranges valid.
void CopyElements(const Tensor& src, int64_t src_off, Tensor* dst, int64_t dst_off, int64_t n);

}  // namespace tfport::kernels::data_flow
