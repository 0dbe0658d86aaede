// tfport: builders for the array ops (tf.shape, tf.reshape, tf.concat,
// tf.strided_slice, tf.gather, ...), one per op, as TensorFlow's C++ ops::
// wrappers. Tensor inputs are Outputs (use ops::Const for constant ones);
// attrs not given take the OpDef defaults. Conventions as in ops.h: the
// graph first, an optional name last, errors recorded in g.status().
//
// Note: inside namespace tfport::ops, `Shape` names the builder below; spell
// the shape type tfport::Shape there.
#pragma once

#include <string>
#include <vector>

#include "tfport/graph/ops.h"

namespace tfport::ops {

// ---- shapes
Output Shape(Graph& g, Output input, DataType out_type = DT_INT32, const std::string& name = "");
std::vector<Output> ShapeN(Graph& g, const std::vector<Output>& inputs,
                           DataType out_type = DT_INT32, const std::string& name = "");
Output Size(Graph& g, Output input, DataType out_type = DT_INT32, const std::string& name = "");
Output Rank(Graph& g, Output input, const std::string& name = "");
Output Reshape(Graph& g, Output tensor, Output shape, const std::string& name = "");
// squeeze_dims empty: remove every dimension of size 1.
Output Squeeze(Graph& g, Output input, const std::vector<int64_t>& squeeze_dims = {},
               const std::string& name = "");
Output ExpandDims(Graph& g, Output input, Output dim, const std::string& name = "");
Output Transpose(Graph& g, Output x, Output perm, const std::string& name = "");
Output InvertPermutation(Graph& g, Output x, const std::string& name = "");
Output BroadcastTo(Graph& g, Output input, Output shape, const std::string& name = "");
struct BroadcastGradientArgsOutputs {
  Output r0, r1;
};
BroadcastGradientArgsOutputs BroadcastGradientArgs(Graph& g, Output s0, Output s1,
                                                   const std::string& name = "");

// ---- joining and splitting
Output ConcatV2(Graph& g, const std::vector<Output>& values, Output axis,
                const std::string& name = "");
std::vector<Output> ConcatOffset(Graph& g, Output concat_dim, const std::vector<Output>& shapes,
                                 const std::string& name = "");
// Split's axis input comes first, as in the op (tf.split builds SplitV or
// Split depending on num_or_size_splits).
std::vector<Output> Split(Graph& g, Output axis, Output value, int64_t num_split,
                          const std::string& name = "");
std::vector<Output> SplitV(Graph& g, Output value, Output size_splits, Output axis,
                           int64_t num_split, const std::string& name = "");
Output Pack(Graph& g, const std::vector<Output>& values, int64_t axis = 0,
            const std::string& name = "");
std::vector<Output> Unpack(Graph& g, Output value, int64_t num, int64_t axis = 0,
                           const std::string& name = "");

// ---- slicing, tiling, padding
Output Slice(Graph& g, Output input, Output begin, Output size, const std::string& name = "");
struct StridedSliceMasks {
  int64_t begin_mask = 0, end_mask = 0, ellipsis_mask = 0, new_axis_mask = 0,
          shrink_axis_mask = 0;
};
Output StridedSlice(Graph& g, Output input, Output begin, Output end, Output strides,
                    const StridedSliceMasks& masks = {}, const std::string& name = "");
Output Tile(Graph& g, Output input, Output multiples, const std::string& name = "");
Output Pad(Graph& g, Output input, Output paddings, const std::string& name = "");
Output PadV2(Graph& g, Output input, Output paddings, Output constant_values,
             const std::string& name = "");

// ---- generators
Output Fill(Graph& g, Output dims, Output value, const std::string& name = "");
Output Range(Graph& g, Output start, Output limit, Output delta, const std::string& name = "");
Output ZerosLike(Graph& g, Output x, const std::string& name = "");
Output OnesLike(Graph& g, Output x, const std::string& name = "");
Output OneHot(Graph& g, Output indices, Output depth, Output on_value, Output off_value,
              int64_t axis = -1, const std::string& name = "");

// ---- indexing
Output GatherV2(Graph& g, Output params, Output indices, Output axis,
                const std::string& name = "");
Output Gather(Graph& g, Output params, Output indices, bool validate_indices = true,
              const std::string& name = "");
// indices[i] (int32) places the rows of data[i].
Output DynamicStitch(Graph& g, const std::vector<Output>& indices,
                     const std::vector<Output>& data, const std::string& name = "");
// Coordinates of the true (non-zero) elements: int64 [num_true, rank].
Output Where(Graph& g, Output input, const std::string& name = "");
struct UniqueOutputs {
  Output y, idx;
};
UniqueOutputs Unique(Graph& g, Output x, DataType out_idx = DT_INT32,
                     const std::string& name = "");

}  // namespace tfport::ops
