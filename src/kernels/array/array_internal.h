// Internal: helpers shared by the array kernels (src/kernels/array/*.cc).
//
// Array kernels are type-agnostic: they move elements without looking at
// them. Every element move goes through the routines here, which copy raw
// bytes for memcpy dtypes and assign objects for DT_STRING / DT_RESOURCE, so
// each kernel supports every dtype a Tensor can hold.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "kernels/kernels_internal.h"

namespace tfport::kernels::array {

// True for dtypes the copy routines handle (memcpy types, string, resource).
bool IsCopyable(DataType dtype);

// A strided block move, in elements: for every index (i_0..i_{r-1}) < dims,
//   dst[dst_offset + sum i_k * dst_strides[k]] = src[src_offset + sum i_k * src_strides[k]].
// Strides may be zero (broadcast) or negative (reversed slices).
struct CopyPlan {
  std::vector<int64_t> dims, src_strides, dst_strides;
  int64_t src_offset = 0, dst_offset = 0;
};

// Runs a plan. REQUIRES: src and dst of the same copyable dtype, every
// addressed element inside its tensor. Large copies use `pool` when given.
void StridedCopy(const Tensor& src, Tensor& dst, CopyPlan plan, ThreadPool* pool = nullptr);

// Copies n consecutive elements src[src_pos..] to dst[dst_pos..].
void CopyElements(const Tensor& src, int64_t src_pos, Tensor& dst, int64_t dst_pos, int64_t n);

// Sets every element of dst to the single element of `scalar`.
void FillWith(Tensor& dst, const Tensor& scalar);

// Row-major element strides of a shape.
std::vector<int64_t> Strides(const Shape& shape);

// A plan that copies `src` (whole, contiguous) into the block of `dst` whose
// corner is `dst_offset` (dst laid out with dst_strides).
CopyPlan IntoBlock(const Shape& src_shape, std::vector<int64_t> dst_strides, int64_t dst_offset);

// The values of an int32 or int64 tensor, widened. `what` names the input in
// errors ("multiples").
Result<std::vector<int64_t>> IntValues(const Tensor& t, std::string_view what);
// The single value of an int32/int64 tensor holding one element.
Result<int64_t> IntScalar(const Tensor& t, std::string_view what);

// An int32 or int64 tensor of `values` (a vector unless `shape` is given).
// REQUIRES: dtype is DT_INT32 or DT_INT64 and the values fit.
Tensor IntTensor(DataType dtype, const std::vector<int64_t>& values,
                 Shape shape = Shape::UnknownRank());

// Output shape from untrusted dims, with TensorFlow's wording on failure.
Result<Shape> MakeShape(const std::vector<int64_t>& dims);

// "[1,2]" for a flat index into `shape` ("" for scalars), as TensorFlow
// prints positions of bad indices.
std::string IndexString(const Shape& shape, int64_t flat);

// Factory that checks the node's type attr `attr` is copyable, then builds a
// FunctionKernel around fn.
runtime::KernelFactory CopyKernel(FunctionKernel::Fn fn, const char* attr = "T");

// Family registration (one per file).
void RegisterShapeKernels(KernelRegistry& r);    // shape_kernels.cc
void RegisterSliceKernels(KernelRegistry& r);    // slice_kernels.cc
void RegisterGatherKernels(KernelRegistry& r);   // gather_kernels.cc

}  // namespace tfport::kernels::array
