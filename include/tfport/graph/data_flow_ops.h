// tfport: builders for the data_flow ops — TensorArrays (V3) and stacks (V2).
//
//   auto ta = ops::TensorArrayV3(g, ops::Const(g, 3), DT_FLOAT);
//   auto flow = ops::TensorArrayWriteV3(g, ta.handle, ops::Const(g, 0), x, ta.flow);
//   auto all = ops::TensorArrayGatherV3(g, ta.handle, indices, flow, DT_FLOAT);
//
// A TensorArray lives for one Session::Run. Its `flow` tensors carry no data:
// they order operations (each write returns the flow later reads take), as in
// TensorFlow's tf.TensorArray. Conventions as in tfport/graph/ops.h: graph
// first, optional name last (empty: the op type, made unique), errors are
// recorded in g.status().
#pragma once

#include <string>

#include "tfport/graph/ops.h"

namespace tfport::ops {

struct TensorArrayOptions {
  Shape element_shape = Shape::UnknownRank();
  bool dynamic_size = false;
  bool clear_after_read = true;
  bool identical_element_shapes = false;
  std::string tensor_array_name;  // "" = the node's name
};

struct TensorArrayOutputs {
  Output handle;  // DT_RESOURCE
  Output flow;    // DT_FLOAT scalar
};

// TensorArrayV3. An empty name gives "TensorArray" (tf.TensorArray's op name).
TensorArrayOutputs TensorArrayV3(Graph& g, Output size, DataType dtype,
                                 const TensorArrayOptions& options = {},
                                 const std::string& name = "");
// TensorArrayGradV3: the gradient array of `handle` for gradient `source`
// ("gradients", "gradients_1", ...).
TensorArrayOutputs TensorArrayGradV3(Graph& g, Output handle, Output flow_in,
                                     const std::string& source, const std::string& name = "");

// Returns flow_out.
Output TensorArrayWriteV3(Graph& g, Output handle, Output index, Output value, Output flow_in,
                          const std::string& name = "");
Output TensorArrayReadV3(Graph& g, Output handle, Output index, Output flow_in, DataType dtype,
                         const std::string& name = "");
Output TensorArrayGatherV3(Graph& g, Output handle, Output indices, Output flow_in,
                           DataType dtype, const Shape& element_shape = Shape::UnknownRank(),
                           const std::string& name = "");
// Returns flow_out.
Output TensorArrayScatterV3(Graph& g, Output handle, Output indices, Output value, Output flow_in,
                            const std::string& name = "");

struct TensorArrayConcatOutputs {
  Output value;    // elements concatenated along dimension 0
  Output lengths;  // int64 [size]: each element's dimension 0
};
TensorArrayConcatOutputs TensorArrayConcatV3(
    Graph& g, Output handle, Output flow_in, DataType dtype,
    const Shape& element_shape_except0 = Shape::UnknownRank(), const std::string& name = "");
// `lengths` is int64. Returns flow_out.
Output TensorArraySplitV3(Graph& g, Output handle, Output value, Output lengths, Output flow_in,
                          const std::string& name = "");
Output TensorArraySizeV3(Graph& g, Output handle, Output flow_in, const std::string& name = "");
Node* TensorArrayCloseV3(Graph& g, Output handle, const std::string& name = "");

// ---- stacks. max_size < 0: unbounded.
Output StackV2(Graph& g, Output max_size, DataType elem_type, const std::string& stack_name = "",
               const std::string& name = "");
// Returns the pushed value.
Output StackPushV2(Graph& g, Output handle, Output elem, bool swap_memory = false,
                   const std::string& name = "");
Output StackPopV2(Graph& g, Output handle, DataType elem_type, const std::string& name = "");
Node* StackCloseV2(Graph& g, Output handle, const std::string& name = "");

}  // namespace tfport::ops
