// Builders of the array ops (include/tfport/graph/array_ops.h).
#include "tfport/graph/array_ops.h"

namespace tfport::ops {
namespace {

// Every output of a node (none if building failed).
std::vector<Output> Outputs(Node* n) {
  std::vector<Output> out;
  if (n != nullptr)
    for (int i = 0; i < n->num_outputs(); ++i) out.push_back(n->output(i));
  return out;
}

std::vector<Output> Cat(std::vector<Output> a, const std::vector<Output>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

}  // namespace

Output Shape(Graph& g, Output input, DataType out_type, const std::string& name) {
  return Op(g, {"Shape", {input}, {AttrType("out_type", out_type)}, {}, name});
}
std::vector<Output> ShapeN(Graph& g, const std::vector<Output>& inputs, DataType out_type,
                           const std::string& name) {
  return Outputs(AddOp(g, {"ShapeN", inputs, {AttrType("out_type", out_type)}, {}, name}));
}
Output Size(Graph& g, Output input, DataType out_type, const std::string& name) {
  return Op(g, {"Size", {input}, {AttrType("out_type", out_type)}, {}, name});
}
Output Rank(Graph& g, Output input, const std::string& name) {
  return Op(g, {"Rank", {input}, {}, {}, name});
}
Output Reshape(Graph& g, Output tensor, Output shape, const std::string& name) {
  return Op(g, {"Reshape", {tensor, shape}, {}, {}, name});
}
Output Squeeze(Graph& g, Output input, const std::vector<int64_t>& squeeze_dims,
               const std::string& name) {
  return Op(g, {"Squeeze", {input}, {AttrInts("squeeze_dims", squeeze_dims)}, {}, name});
}
Output ExpandDims(Graph& g, Output input, Output dim, const std::string& name) {
  return Op(g, {"ExpandDims", {input, dim}, {}, {}, name});
}
Output Transpose(Graph& g, Output x, Output perm, const std::string& name) {
  return Op(g, {"Transpose", {x, perm}, {}, {}, name});
}
Output InvertPermutation(Graph& g, Output x, const std::string& name) {
  return Op(g, {"InvertPermutation", {x}, {}, {}, name});
}
Output BroadcastTo(Graph& g, Output input, Output shape, const std::string& name) {
  return Op(g, {"BroadcastTo", {input, shape}, {}, {}, name});
}
BroadcastGradientArgsOutputs BroadcastGradientArgs(Graph& g, Output s0, Output s1,
                                                   const std::string& name) {
  Node* n = AddOp(g, {"BroadcastGradientArgs", {s0, s1}, {}, {}, name});
  if (n == nullptr) return {};
  return {n->output(0), n->output(1)};
}

Output ConcatV2(Graph& g, const std::vector<Output>& values, Output axis,
                const std::string& name) {
  return Op(g, {"ConcatV2", Cat(values, {axis}), {}, {}, name});
}
std::vector<Output> ConcatOffset(Graph& g, Output concat_dim, const std::vector<Output>& shapes,
                                 const std::string& name) {
  return Outputs(AddOp(g, {"ConcatOffset", Cat({concat_dim}, shapes), {}, {}, name}));
}
std::vector<Output> Split(Graph& g, Output axis, Output value, int64_t num_split,
                          const std::string& name) {
  return Outputs(
      AddOp(g, {"Split", {axis, value}, {AttrInt("num_split", num_split)}, {}, name}));
}
std::vector<Output> SplitV(Graph& g, Output value, Output size_splits, Output axis,
                           int64_t num_split, const std::string& name) {
  return Outputs(AddOp(
      g, {"SplitV", {value, size_splits, axis}, {AttrInt("num_split", num_split)}, {}, name}));
}
Output Pack(Graph& g, const std::vector<Output>& values, int64_t axis, const std::string& name) {
  return Op(g, {"Pack", values, {AttrInt("axis", axis)}, {}, name});
}
std::vector<Output> Unpack(Graph& g, Output value, int64_t num, int64_t axis,
                           const std::string& name) {
  return Outputs(
      AddOp(g, {"Unpack", {value}, {AttrInt("num", num), AttrInt("axis", axis)}, {}, name}));
}

Output Slice(Graph& g, Output input, Output begin, Output size, const std::string& name) {
  return Op(g, {"Slice", {input, begin, size}, {}, {}, name});
}
Output StridedSlice(Graph& g, Output input, Output begin, Output end, Output strides,
                    const StridedSliceMasks& m, const std::string& name) {
  return Op(g, {"StridedSlice",
                {input, begin, end, strides},
                {AttrInt("begin_mask", m.begin_mask), AttrInt("end_mask", m.end_mask),
                 AttrInt("ellipsis_mask", m.ellipsis_mask),
                 AttrInt("new_axis_mask", m.new_axis_mask),
                 AttrInt("shrink_axis_mask", m.shrink_axis_mask)},
                {},
                name});
}
Output Tile(Graph& g, Output input, Output multiples, const std::string& name) {
  return Op(g, {"Tile", {input, multiples}, {}, {}, name});
}
Output Pad(Graph& g, Output input, Output paddings, const std::string& name) {
  return Op(g, {"Pad", {input, paddings}, {}, {}, name});
}
Output PadV2(Graph& g, Output input, Output paddings, Output constant_values,
             const std::string& name) {
  return Op(g, {"PadV2", {input, paddings, constant_values}, {}, {}, name});
}

Output Fill(Graph& g, Output dims, Output value, const std::string& name) {
  return Op(g, {"Fill", {dims, value}, {}, {}, name});
}
Output Range(Graph& g, Output start, Output limit, Output delta, const std::string& name) {
  return Op(g, {"Range", {start, limit, delta}, {}, {}, name});
}
Output ZerosLike(Graph& g, Output x, const std::string& name) {
  return Op(g, {"ZerosLike", {x}, {}, {}, name});
}
Output OnesLike(Graph& g, Output x, const std::string& name) {
  return Op(g, {"OnesLike", {x}, {}, {}, name});
}
Output OneHot(Graph& g, Output indices, Output depth, Output on_value, Output off_value,
              int64_t axis, const std::string& name) {
  return Op(g, {"OneHot", {indices, depth, on_value, off_value}, {AttrInt("axis", axis)}, {},
                name});
}

Output GatherV2(Graph& g, Output params, Output indices, Output axis, const std::string& name) {
  return Op(g, {"GatherV2", {params, indices, axis}, {}, {}, name});
}
Output Gather(Graph& g, Output params, Output indices, bool validate_indices,
              const std::string& name) {
  return Op(g, {"Gather", {params, indices}, {AttrBool("validate_indices", validate_indices)},
                {}, name});
}
Output DynamicStitch(Graph& g, const std::vector<Output>& indices,
                     const std::vector<Output>& data, const std::string& name) {
  // Two list inputs: AddOp cannot split them, so N and T are given here.
  std::vector<Attr> attrs = {AttrInt("N", static_cast<int64_t>(indices.size()))};
  if (!data.empty() && data[0].valid()) attrs.push_back(AttrType("T", BaseType(data[0].dtype())));
  return Op(g, {"DynamicStitch", Cat(indices, data), std::move(attrs), {}, name});
}
Output Where(Graph& g, Output input, const std::string& name) {
  return Op(g, {"Where", {input}, {}, {}, name});
}
UniqueOutputs Unique(Graph& g, Output x, DataType out_idx, const std::string& name) {
  Node* n = AddOp(g, {"Unique", {x}, {AttrType("out_idx", out_idx)}, {}, name});
  if (n == nullptr) return {};
  return {n->output(0), n->output(1)};
}

}  // namespace tfport::ops
