// OpDefs of the data_flow family: TensorArrayV3 and its companions, and the
// resource stacks (StackV2...) that tf.while_loop's gradient uses. Specs and
// defaults are TensorFlow 1.x's (data_flow_ops.cc).
//
// Static shapes follow TensorFlow's shape functions: handles are reported as
// 2-vectors (TensorFlow still says Vector(2) for resource handles of these
// ops, although the runtime value is a scalar resource), flows as scalars.
// A TensorArray's element shape reaches Read/Gather through the handle the
// way TensorFlow's handle data does: from a TensorArrayV3 whose element_shape
// is fully defined (or identical_element_shapes is set), through the
// pass-through ops a while loop puts on the handle.
#include <set>
#include <string>

#include "graph/ops/ops_internal.h"
#include "tfport/graph/graph.h"

namespace tfport::graph::internal {
namespace {

Shape InputShape(const Node& n, int i) {
  return i < n.num_inputs() && n.input(i).valid() ? n.input(i).shape() : Shape::UnknownRank();
}

// The element shape carried by a TensorArray handle (TensorFlow's "handle
// shapes and types"), or false when the handle carries none.
bool HandleElementShape(const Node& consumer, Shape* out) {
  static const std::set<std::string> kPassThrough = {
      "Enter", "RefEnter", "Exit", "RefExit", "Identity", "Switch", "RefSwitch",
      "Merge", "RefMerge", "NextIteration", "RefNextIteration", "TensorArrayGradV3"};
  if (consumer.num_inputs() < 1 || !consumer.input(0).valid()) return false;
  const Node* n = consumer.input(0).node;
  for (int hops = 0; hops < 64 && n != nullptr; ++hops) {
    if (n->op() == "TensorArrayV3") {
      const tf::AttrValue* shape = FindAttr(n->def(), "element_shape");
      const tf::AttrValue* identical = FindAttr(n->def(), "identical_element_shapes");
      Shape s = Shape::UnknownRank();
      if (shape != nullptr && shape->has_shape()) {
        Result<Shape> parsed = Shape::FromProto(shape->shape(), /*allow_unknown=*/true);
        if (parsed.ok()) s = *parsed;
      }
      if (!s.IsFullyDefined() && !(identical != nullptr && identical->b())) return false;
      *out = s;
      return true;
    }
    if (!kPassThrough.count(n->op()) || n->num_inputs() < 1 || !n->input(0).valid()) return false;
    n = n->input(0).node;
  }
  return false;
}

// [n] + element (unknown rank if element is), n from a vector's static shape.
Shape PrependDim(const Shape& vector, const Shape& element) {
  if (element.unknown_rank()) return Shape::UnknownRank();
  int64_t n = !vector.unknown_rank() && vector.rank() == 1 ? vector.dim(0) : -1;
  std::vector<int64_t> dims{n};
  dims.insert(dims.end(), element.dims().begin(), element.dims().end());
  return Shape(std::move(dims));
}

Shape ShapeAttr(const Node& n, const char* name) {
  const tf::AttrValue* v = FindAttr(n.def(), name);
  if (v == nullptr || !v->has_shape()) return Shape::UnknownRank();
  Result<Shape> s = Shape::FromProto(v->shape(), /*allow_unknown=*/true);
  return s.ok() ? *s : Shape::UnknownRank();
}

void HandleAndFlow(const Node&, std::vector<Shape>* out) {
  (*out)[0] = Shape{2};
  (*out)[1] = Shape{};
}

void ScalarOut(const Node&, std::vector<Shape>* out) { (*out)[0] = Shape{}; }

}  // namespace

void RegisterDataFlowOps(OpRegistry& r) {
  // ---- TensorArray (V3: resource handles)
  MustRegister(r, OpDefBuilder("TensorArrayV3")
                      .Input("size: int32")
                      .Attr("dtype: type")
                      .Attr("element_shape: shape = { unknown_rank: true }")
                      .Attr("dynamic_size: bool = false")
                      .Attr("clear_after_read: bool = true")
                      .Attr("identical_element_shapes: bool = false")
                      .Attr("tensor_array_name: string = ''")
                      .Output("handle: resource")
                      .Output("flow: float")
                      .SetIsStateful());
  MustRegister(r, OpDefBuilder("TensorArrayGradV3")
                      .Input("handle: resource")
                      .Input("flow_in: float")
                      .Output("grad_handle: resource")
                      .Output("flow_out: float")
                      .Attr("source: string")
                      .SetIsStateful());
  MustRegister(r, OpDefBuilder("TensorArrayWriteV3")
                      .Input("handle: resource")
                      .Input("index: int32")
                      .Input("value: T")
                      .Input("flow_in: float")
                      .Output("flow_out: float")
                      .Attr("T: type"));
  MustRegister(r, OpDefBuilder("TensorArrayReadV3")
                      .Input("handle: resource")
                      .Input("index: int32")
                      .Input("flow_in: float")
                      .Output("value: dtype")
                      .Attr("dtype: type"));
  MustRegister(r, OpDefBuilder("TensorArrayGatherV3")
                      .Input("handle: resource")
                      .Input("indices: int32")
                      .Input("flow_in: float")
                      .Output("value: dtype")
                      .Attr("dtype: type")
                      .Attr("element_shape: shape = { unknown_rank: true }"));
  MustRegister(r, OpDefBuilder("TensorArrayScatterV3")
                      .Input("handle: resource")
                      .Input("indices: int32")
                      .Input("value: T")
                      .Input("flow_in: float")
                      .Output("flow_out: float")
                      .Attr("T: type"));
  MustRegister(r, OpDefBuilder("TensorArrayConcatV3")
                      .Input("handle: resource")
                      .Input("flow_in: float")
                      .Output("value: dtype")
                      .Output("lengths: int64")
                      .Attr("dtype: type")
                      .Attr("element_shape_except0: shape = { unknown_rank: true }"));
  MustRegister(r, OpDefBuilder("TensorArraySplitV3")
                      .Input("handle: resource")
                      .Input("value: T")
                      .Input("lengths: int64")
                      .Input("flow_in: float")
                      .Output("flow_out: float")
                      .Attr("T: type"));
  MustRegister(r, OpDefBuilder("TensorArraySizeV3")
                      .Input("handle: resource")
                      .Input("flow_in: float")
                      .Output("size: int32"));
  MustRegister(r, OpDefBuilder("TensorArrayCloseV3").Input("handle: resource"));

  // ---- stacks (V2: resource handles)
  MustRegister(r, OpDefBuilder("StackV2")
                      .Input("max_size: int32")
                      .Output("handle: resource")
                      .Attr("elem_type: type")
                      .Attr("stack_name: string = ''")
                      .SetIsStateful());
  MustRegister(r, OpDefBuilder("StackPushV2")
                      .Input("handle: resource")
                      .Input("elem: T")
                      .Output("output: T")
                      .Attr("T: type")
                      .Attr("swap_memory: bool = false"));
  MustRegister(r, OpDefBuilder("StackPopV2")
                      .Input("handle: resource")
                      .Output("elem: elem_type")
                      .Attr("elem_type: type"));
  MustRegister(r, OpDefBuilder("StackCloseV2").Input("handle: resource"));

  // ---- shape functions
  MustSetShapeFn(r, "TensorArrayV3", HandleAndFlow);
  MustSetShapeFn(r, "TensorArrayGradV3", HandleAndFlow);
  for (const char* op : {"TensorArrayWriteV3", "TensorArrayScatterV3", "TensorArraySplitV3",
                         "TensorArraySizeV3"})
    MustSetShapeFn(r, op, ScalarOut);
  MustSetShapeFn(r, "TensorArrayReadV3", [](const Node& n, std::vector<Shape>* out) {
    Shape element;
    if (HandleElementShape(n, &element)) (*out)[0] = element;
  });
  MustSetShapeFn(r, "TensorArrayGatherV3", [](const Node& n, std::vector<Shape>* out) {
    Shape element;
    if (!HandleElementShape(n, &element)) element = ShapeAttr(n, "element_shape");
    (*out)[0] = PrependDim(InputShape(n, 1), element);
  });
  MustSetShapeFn(r, "TensorArrayConcatV3", [](const Node&, std::vector<Shape>* out) {
    (*out)[1] = Shape{-1};
  });
  MustSetShapeFn(r, "StackV2", [](const Node&, std::vector<Shape>* out) { (*out)[0] = Shape{2}; });
  MustSetShapeFn(r, "StackPushV2", [](const Node& n, std::vector<Shape>* out) {
    (*out)[0] = InputShape(n, 1);
  });
}

}  // namespace tfport::graph::internal
