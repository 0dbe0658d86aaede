#include "tfport/graph/data_flow_ops.h"

namespace tfport::ops {
namespace {

TensorArrayOutputs HandleAndFlow(Node* n) {
  if (n == nullptr) return {};
  return {Output{n, 0}, Output{n, 1}};
}

}  // namespace

TensorArrayOutputs TensorArrayV3(Graph& g, Output size, DataType dtype,
                                 const TensorArrayOptions& options, const std::string& name) {
  return HandleAndFlow(AddOp(
      g, {"TensorArrayV3",
          {size},
          {AttrType("dtype", dtype), AttrShape("element_shape", options.element_shape),
           AttrBool("dynamic_size", options.dynamic_size),
           AttrBool("clear_after_read", options.clear_after_read),
           AttrBool("identical_element_shapes", options.identical_element_shapes),
           AttrString("tensor_array_name", options.tensor_array_name)},
          {},
          name.empty() ? "TensorArray" : name}));
}

TensorArrayOutputs TensorArrayGradV3(Graph& g, Output handle, Output flow_in,
                                     const std::string& source, const std::string& name) {
  return HandleAndFlow(AddOp(
      g, {"TensorArrayGradV3", {handle, flow_in}, {AttrString("source", source)}, {}, name}));
}

Output TensorArrayWriteV3(Graph& g, Output handle, Output index, Output value, Output flow_in,
                          const std::string& name) {
  return Op(g, {"TensorArrayWriteV3", {handle, index, value, flow_in}, {}, {}, name});
}

Output TensorArrayReadV3(Graph& g, Output handle, Output index, Output flow_in, DataType dtype,
                         const std::string& name) {
  return Op(g, {"TensorArrayReadV3", {handle, index, flow_in}, {AttrType("dtype", dtype)}, {},
                name});
}

Output TensorArrayGatherV3(Graph& g, Output handle, Output indices, Output flow_in,
                           DataType dtype, const Shape& element_shape, const std::string& name) {
  return Op(g, {"TensorArrayGatherV3",
                {handle, indices, flow_in},
                {AttrType("dtype", dtype), AttrShape("element_shape", element_shape)},
                {},
                name});
}

Output TensorArrayScatterV3(Graph& g, Output handle, Output indices, Output value, Output flow_in,
                            const std::string& name) {
  return Op(g, {"TensorArrayScatterV3", {handle, indices, value, flow_in}, {}, {}, name});
}

TensorArrayConcatOutputs TensorArrayConcatV3(Graph& g, Output handle, Output flow_in,
                                             DataType dtype, const Shape& element_shape_except0,
                                             const std::string& name) {
  Node* n = AddOp(g, {"TensorArrayConcatV3",
                      {handle, flow_in},
                      {AttrType("dtype", dtype),
                       AttrShape("element_shape_except0", element_shape_except0)},
                      {},
                      name});
  if (n == nullptr) return {};
  return {Output{n, 0}, Output{n, 1}};
}

Output TensorArraySplitV3(Graph& g, Output handle, Output value, Output lengths, Output flow_in,
                          const std::string& name) {
  return Op(g, {"TensorArraySplitV3", {handle, value, lengths, flow_in}, {}, {}, name});
}

Output TensorArraySizeV3(Graph& g, Output handle, Output flow_in, const std::string& name) {
  return Op(g, {"TensorArraySizeV3", {handle, flow_in}, {}, {}, name});
}

Node* TensorArrayCloseV3(Graph& g, Output handle, const std::string& name) {
  return AddOp(g, {"TensorArrayCloseV3", {handle}, {}, {}, name});
}

Output StackV2(Graph& g, Output max_size, DataType elem_type, const std::string& stack_name,
               const std::string& name) {
  return Op(g, {"StackV2",
                {max_size},
                {AttrType("elem_type", elem_type), AttrString("stack_name", stack_name)},
                {},
                name});
}

Output StackPushV2(Graph& g, Output handle, Output elem, bool swap_memory,
                   const std::string& name) {
  return Op(g, {"StackPushV2", {handle, elem}, {AttrBool("swap_memory", swap_memory)}, {}, name});
}

Output StackPopV2(Graph& g, Output handle, DataType elem_type, const std::string& name) {
  return Op(g, {"StackPopV2", {handle}, {AttrType("elem_type", elem_type)}, {}, name});
}

Node* StackCloseV2(Graph& g, Output handle, const std::string& name) {
  return AddOp(g, {"StackCloseV2", {handle}, {}, {}, name});
}

}  // namespace tfport::ops
