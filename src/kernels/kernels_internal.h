// Internal: kernel families and helpers shared by the kernel files.
//
// Each family file registers its kernels into the registry through one
// function listed here (called from register_all.cc). Kernels never write
// into their input tensors: buffers may be shared with constants, variables
// and memory-mapped checkpoints.
#pragma once

#include <complex>
#include <cstdint>
#include <memory>
#include <string>

#include "tfport/core/tensor.h"
#include "tfport/graph/op_registry.h"
#include "tfport/runtime/kernel.h"
#include "tfport/runtime/resource_mgr.h"

namespace tfport::kernels {

using runtime::FunctionKernel;
using runtime::KernelRegistry;
using runtime::OpKernel;
using runtime::OpKernelContext;
using runtime::RefVariable;

void RegisterBaseKernels(KernelRegistry& r);         // base_kernels.cc
void RegisterStateKernels(KernelRegistry& r);        // state_kernels.cc
void RegisterControlFlowKernels(KernelRegistry& r);  // control_flow_kernels.cc
void RegisterMathKernels(KernelRegistry& r);         // math/*.cc
void RegisterArrayKernels(KernelRegistry& r);        // array/*.cc
void RegisterNnKernels(KernelRegistry& r);           // nn/*.cc
// Swaps the nn kernels that have a fast path for their reference paths.
void UseReferenceNnKernels(KernelRegistry& r);       // nn/nn_kernels.cc
void RegisterDataFlowKernels(KernelRegistry& r);     // data_flow_kernels.cc
void RegisterIoKernels(KernelRegistry& r);           // io_kernels.cc
void RegisterTrainingKernels(KernelRegistry& r);     // training/*.cc
void RegisterRandomKernels(KernelRegistry& r);       // random/*.cc
void RegisterFunctionKernels(KernelRegistry& r);     // function_kernels.cc
void RegisterListKernels(KernelRegistry& r);         // data_flow/list_kernels.cc
void RegisterStringKernels(KernelRegistry& r);       // string_kernels.cc
void RegisterParsingKernels(KernelRegistry& r);      // parsing_kernels.cc

// Registers or aborts (a duplicate is a bug in tfport).
void MustRegister(KernelRegistry& r, const std::string& op, runtime::KernelFactory factory);
// Replaces a registered factory or aborts.
void MustReplace(KernelRegistry& r, const std::string& op, runtime::KernelFactory factory);

// A factory for a kernel with no attrs to parse.
inline runtime::KernelFactory Simple(FunctionKernel::Fn fn) {
  return [fn](const graph::Node&) -> Result<std::unique_ptr<OpKernel>> {
    return std::unique_ptr<OpKernel>(new FunctionKernel(fn));
  };
}

// Calls fn.template operator()<T>() with the C++ type of dtype, for the
// listed families of types; INVALID_ARGUMENT otherwise.
#define TFPORT_KERNEL_CASE(DT, T) \
  case DT:                        \
    return fn.template operator()<T>();

template <typename F>
Status DispatchReal(DataType dtype, F&& fn) {
  switch (dtype) {
    TFPORT_KERNEL_CASE(DT_FLOAT, float)
    TFPORT_KERNEL_CASE(DT_DOUBLE, double)
    TFPORT_KERNEL_CASE(DT_INT32, int32_t)
    TFPORT_KERNEL_CASE(DT_INT64, int64_t)
    TFPORT_KERNEL_CASE(DT_UINT8, uint8_t)
    TFPORT_KERNEL_CASE(DT_INT8, int8_t)
    TFPORT_KERNEL_CASE(DT_INT16, int16_t)
    TFPORT_KERNEL_CASE(DT_UINT16, uint16_t)
    TFPORT_KERNEL_CASE(DT_UINT32, uint32_t)
    TFPORT_KERNEL_CASE(DT_UINT64, uint64_t)
    default:
      return errors::InvalidArgument("dtype ", DataTypeName(dtype), " is not supported here");
  }
}

template <typename F>
Status DispatchNumber(DataType dtype, F&& fn) {
  switch (dtype) {
    TFPORT_KERNEL_CASE(DT_COMPLEX64, std::complex<float>)
    TFPORT_KERNEL_CASE(DT_COMPLEX128, std::complex<double>)
    default:
      return DispatchReal(dtype, std::forward<F>(fn));
  }
}

}  // namespace tfport::kernels
