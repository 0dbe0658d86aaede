// OpDefs of TensorFlow 2.x's TensorList family (list_ops.cc there), the ops
// tf.TensorArray and while_v2 accumulators lower to — the subset tfport
// runs: EmptyTensorList, TensorListReserve, TensorListFromTensor, Get/Set/
// PushBack/PopBack, Stack, ConcatV2, Length, ElementShape. Lists travel as
// scalar DT_VARIANT tensors; the kernels are in
// src/kernels/data_flow/list_kernels.cc.
//
// Inputs, outputs and attrs are TensorFlow 2.x's exactly, including
// TensorListSetItem's resize_if_index_out_of_bounds (default false), a
// late TF 2.x addition: NodeDefs built here carry it (defaults are filled
// in), so older TensorFlow versions only load them with the attr stripped.
//
// Shape functions: list handles are scalars. TensorFlow also tracks each
// list's element shape as "handle data" of the variant tensor; tfport does
// not, so item shapes come only from a constant element_shape input.
#include <optional>
#include <vector>

#include "graph/ops/ops_internal.h"
#include "tfport/core/tensor_proto.h"
#include "tfport/graph/graph.h"

namespace tfport::graph::internal {
namespace {

void ScalarOutput0(const Node&, std::vector<Shape>* out) { (*out)[0] = Shape{}; }

// The partial shape a constant element_shape input stands for (a vector with
// -1 for unknown dims; the scalar -1 for an unknown rank), if constant.
std::optional<Shape> ConstElementShape(const Node& n, int i) {
  if (i >= n.num_inputs()) return std::nullopt;
  const Node* src = n.input(i).node;
  if (src == nullptr || src->op() != "Const") return std::nullopt;
  const tf::AttrValue* v = FindAttr(src->def(), "value");
  if (v == nullptr || !v->has_tensor()) return std::nullopt;
  Result<Tensor> t = TensorFromProto(v->tensor(), {.max_bytes = 1 << 16});
  if (!t.ok() || t->shape().rank() > 1) return std::nullopt;
  std::vector<int64_t> dims;
  for (int64_t k = 0; k < t->num_elements(); ++k) {
    int64_t d;
    if (t->dtype() == DT_INT32)
      d = t->flat<int32_t>()[static_cast<size_t>(k)];
    else if (t->dtype() == DT_INT64)
      d = t->flat<int64_t>()[static_cast<size_t>(k)];
    else
      return std::nullopt;
    if (d < -1) return std::nullopt;
    dims.push_back(d);
  }
  if (t->shape().rank() == 0) {
    if (dims[0] == -1) return Shape::UnknownRank();
    return std::nullopt;  // the kernel reports the error
  }
  return Shape(std::move(dims));
}

}  // namespace

void RegisterListOps(OpRegistry& r) {
  MustRegister(r, OpDefBuilder("EmptyTensorList")
                      .Input("element_shape: shape_type")
                      .Input("max_num_elements: int32")
                      .Output("handle: variant")
                      .Attr("element_dtype: type")
                      .Attr("shape_type: {int32, int64}"));
  MustRegister(r, OpDefBuilder("TensorListReserve")
                      .Input("element_shape: shape_type")
                      .Input("num_elements: int32")
                      .Output("handle: variant")
                      .Attr("element_dtype: type")
                      .Attr("shape_type: {int32, int64}"));
  MustRegister(r, OpDefBuilder("TensorListFromTensor")
                      .Input("tensor: element_dtype")
                      .Input("element_shape: shape_type")
                      .Output("output_handle: variant")
                      .Attr("element_dtype: type")
                      .Attr("shape_type: {int32, int64}"));
  MustRegister(r, OpDefBuilder("TensorListSetItem")
                      .Input("input_handle: variant")
                      .Input("index: int32")
                      .Input("item: element_dtype")
                      .Output("output_handle: variant")
                      .Attr("element_dtype: type")
                      .Attr("resize_if_index_out_of_bounds: bool = false"));
  MustRegister(r, OpDefBuilder("TensorListGetItem")
                      .Input("input_handle: variant")
                      .Input("index: int32")
                      .Input("element_shape: int32")
                      .Output("item: element_dtype")
                      .Attr("element_dtype: type"));
  MustRegister(r, OpDefBuilder("TensorListPushBack")
                      .Input("input_handle: variant")
                      .Input("tensor: element_dtype")
                      .Output("output_handle: variant")
                      .Attr("element_dtype: type"));
  MustRegister(r, OpDefBuilder("TensorListPopBack")
                      .Input("input_handle: variant")
                      .Input("element_shape: int32")
                      .Output("output_handle: variant")
                      .Output("tensor: element_dtype")
                      .Attr("element_dtype: type"));
  MustRegister(r, OpDefBuilder("TensorListStack")
                      .Input("input_handle: variant")
                      .Input("element_shape: int32")
                      .Output("tensor: element_dtype")
                      .Attr("element_dtype: type")
                      .Attr("num_elements: int = -1"));
  MustRegister(r, OpDefBuilder("TensorListConcatV2")
                      .Input("input_handle: variant")
                      .Input("element_shape: shape_type")
                      .Input("leading_dims: int64")
                      .Output("tensor: element_dtype")
                      .Output("lengths: int64")
                      .Attr("element_dtype: type")
                      .Attr("shape_type: {int32, int64}"));
  MustRegister(r, OpDefBuilder("TensorListLength")
                      .Input("input_handle: variant")
                      .Output("length: int32"));
  MustRegister(r, OpDefBuilder("TensorListElementShape")
                      .Input("input_handle: variant")
                      .Output("element_shape: shape_type")
                      .Attr("shape_type: {int32, int64}"));

  for (const char* op : {"EmptyTensorList", "TensorListReserve", "TensorListFromTensor",
                         "TensorListSetItem", "TensorListPushBack", "TensorListLength"})
    MustSetShapeFn(r, op, ScalarOutput0);
  MustSetShapeFn(r, "TensorListGetItem", [](const Node& n, std::vector<Shape>* out) {
    if (auto s = ConstElementShape(n, 2)) (*out)[0] = *s;
  });
  MustSetShapeFn(r, "TensorListPopBack", [](const Node& n, std::vector<Shape>* out) {
    (*out)[0] = Shape{};
    if (auto s = ConstElementShape(n, 1)) (*out)[1] = *s;
  });
  MustSetShapeFn(r, "TensorListStack", [](const Node& n, std::vector<Shape>* out) {
    // [num_elements (or ?)] + element_shape, when the element rank is known.
    auto s = ConstElementShape(n, 1);
    if (!s || s->unknown_rank()) return;
    const tf::AttrValue* num = FindAttr(n.def(), "num_elements");
    std::vector<int64_t> dims{num != nullptr && num->i() >= 0 ? num->i() : -1};
    dims.insert(dims.end(), s->dims().begin(), s->dims().end());
    (*out)[0] = Shape(std::move(dims));
  });
  MustSetShapeFn(r, "TensorListConcatV2", [](const Node& n, std::vector<Shape>* out) {
    // [?] + element_shape[1:] when the element rank is known; lengths [?].
    (*out)[1] = Shape{-1};
    auto s = ConstElementShape(n, 1);
    if (!s || s->unknown_rank() || s->rank() < 1) return;
    std::vector<int64_t> dims{-1};
    dims.insert(dims.end(), s->dims().begin() + 1, s->dims().end());
    (*out)[0] = Shape(std::move(dims));
  });
  // TensorListElementShape: a vector of the element rank, or the scalar -1 —
  // unknown without handle data.
}

}  // namespace tfport::graph::internal
