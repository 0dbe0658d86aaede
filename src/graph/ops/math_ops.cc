// OpDefs of the math family (TensorFlow 1.x math_ops.cc and the activations of
// nn_ops.cc): elementwise arithmetic and comparisons, Select, Cast,
// reductions, ArgMax/ArgMin. Elementwise shapes come from the shared table in
// shape_inference.cc; the shape functions here cover the ops with attrs or
// constant inputs (reductions, arg-reductions) and Select/SelectV2/AddN.
#include <algorithm>
#include <optional>

#include "graph/ops/ops_internal.h"
#include "graph/shape_inference.h"
#include "tfport/core/tensor_proto.h"
#include "tfport/graph/graph.h"

namespace tfport::graph::internal {
namespace {

// TF 1.x macro families of math_ops.cc.
constexpr const char* kUnary = "T: {bfloat16, half, float, double, int32, int64, complex64, complex128}";
constexpr const char* kUnaryReal = "T: {bfloat16, half, float, double}";
constexpr const char* kUnaryComplex = "T: {bfloat16, half, float, double, complex64, complex128}";
constexpr const char* kBinaryMore =
    "T: {bfloat16, half, float, double, uint8, int8, uint16, int16, int32, int64, complex64, "
    "complex128}";
constexpr const char* kFloatTypes = "T: {half, bfloat16, float, double}";

OpDefBuilder UnaryOp(const char* name, const char* type_attr) {
  return std::move(OpDefBuilder(name).Input("x: T").Output("y: T").Attr(type_attr));
}
OpDefBuilder BinaryOp(const char* name, const char* type_attr) {
  return std::move(OpDefBuilder(name).Input("x: T").Input("y: T").Output("z: T").Attr(type_attr));
}
OpDefBuilder Activation(const char* name, const char* type_attr) {
  return std::move(OpDefBuilder(name).Input("features: T").Output("activations: T").Attr(type_attr));
}

// The value of a Const input as int64s, or nullopt when not a known constant.
std::optional<std::vector<int64_t>> ConstInts(const Node& n, int input) {
  if (input >= n.num_inputs()) return std::nullopt;
  const Node* src = n.input(input).node;
  if (src == nullptr || src->op() != "Const") return std::nullopt;
  const tf::AttrValue* v = FindAttr(src->def(), "value");
  if (v == nullptr || !v->has_tensor()) return std::nullopt;
  Result<Tensor> t = TensorFromProto(v->tensor());
  if (!t.ok()) return std::nullopt;
  std::vector<int64_t> out;
  if (t->dtype() == DT_INT32) {
    for (int32_t x : t->flat<int32_t>()) out.push_back(x);
  } else if (t->dtype() == DT_INT64) {
    for (int64_t x : t->flat<int64_t>()) out.push_back(x);
  } else {
    return std::nullopt;
  }
  return out;
}

Shape InShape(const Node& n, int i) {
  return i < n.num_inputs() ? n.input(i).shape() : Shape::UnknownRank();
}

// UnsortedSegmentSum: [num_segments] + data.shape[rank(segment_ids):].
void UnsortedSegmentShape(const Node& n, std::vector<Shape>* out) {
  const Shape data = InShape(n, 0), ids = InShape(n, 1);
  if (data.unknown_rank() || ids.unknown_rank() || ids.rank() > data.rank()) return;
  int64_t segments = -1;
  if (auto v = ConstInts(n, 2); v && v->size() == 1 && (*v)[0] >= 0) segments = (*v)[0];
  std::vector<int64_t> dims{segments};
  for (int i = ids.rank(); i < data.rank(); ++i) dims.push_back(data.dim(i));
  (*out)[0] = Shape(dims);
}

// Sum, Mean, ... : input shape without (or with 1 for) the reduced axes.
void ReductionShape(const Node& n, std::vector<Shape>* out) {
  Shape in = InShape(n, 0);
  Result<bool> keep = GetBoolAttr(n.def(), "keep_dims");
  const bool keep_dims = keep.ok() && *keep;
  std::optional<std::vector<int64_t>> axes = ConstInts(n, 1);
  if (in.unknown_rank()) return;
  if (!axes) {
    if (keep_dims) (*out)[0] = Shape(std::vector<int64_t>(static_cast<size_t>(in.rank()), -1));
    return;
  }
  std::vector<bool> reduced(static_cast<size_t>(in.rank()), false);
  for (int64_t a : *axes) {
    if (a < -in.rank() || a >= in.rank()) return;  // the kernel reports it
    reduced[static_cast<size_t>(a < 0 ? a + in.rank() : a)] = true;
  }
  std::vector<int64_t> dims;
  for (int i = 0; i < in.rank(); ++i) {
    if (!reduced[static_cast<size_t>(i)]) {
      dims.push_back(in.dim(i));
    } else if (keep_dims) {
      dims.push_back(1);
    }
  }
  (*out)[0] = Shape(std::move(dims));
}

void ArgReductionShape(const Node& n, std::vector<Shape>* out) {
  Shape in = InShape(n, 0);
  if (in.unknown_rank() || in.rank() == 0) return;
  std::optional<std::vector<int64_t>> axis = ConstInts(n, 1);
  if (!axis || axis->size() != 1) {
    (*out)[0] = Shape(std::vector<int64_t>(static_cast<size_t>(in.rank() - 1), -1));
    return;
  }
  int64_t a = (*axis)[0];
  if (a < -in.rank() || a >= in.rank()) return;
  if (a < 0) a += in.rank();
  std::vector<int64_t> dims = in.dims();
  dims.erase(dims.begin() + a);
  (*out)[0] = Shape(std::move(dims));
}

// The most defined of several shapes that must be equal.
Shape MergeSame(const Node& n, int first, int last) {
  Shape best = Shape::UnknownRank();
  for (int i = first; i < last; ++i) {
    Shape s = InShape(n, i);
    if (s.unknown_rank()) continue;
    if (best.unknown_rank() || (s.IsFullyDefined() && !best.IsFullyDefined())) best = s;
  }
  return best;
}

void SelectShape(const Node& n, std::vector<Shape>* out) { (*out)[0] = MergeSame(n, 1, 3); }

void SelectV2Shape(const Node& n, std::vector<Shape>* out) {
  (*out)[0] = BroadcastShapes(InShape(n, 0), BroadcastShapes(InShape(n, 1), InShape(n, 2)));
}

void AddNShape(const Node& n, std::vector<Shape>* out) {
  (*out)[0] = MergeSame(n, 0, n.num_inputs());
}

}  // namespace

void RegisterMathOps(OpRegistry& r) {
  // ---- elementwise unary
  for (const char* op : {"Neg", "Inv", "Reciprocal", "Square", "Sign", "Round"})
    MustRegister(r, UnaryOp(op, kUnary));
  for (const char* op : {"Sqrt", "Rsqrt", "Exp", "Log", "Tanh", "Sigmoid"})
    MustRegister(r, UnaryOp(op, kUnaryComplex));
  for (const char* op : {"Floor", "Ceil"}) MustRegister(r, UnaryOp(op, kUnaryReal));
  MustRegister(r, UnaryOp("Abs", "T: {bfloat16, half, float, double, int8, int16, int32, int64}"));

  // ---- activations (TF's nn_ops.cc)
  for (const char* op : {"Relu", "Relu6"})
    MustRegister(r, Activation(op, "T: {realnumbertype, qint8}"));
  for (const char* op : {"Elu", "Selu"}) MustRegister(r, Activation(op, kFloatTypes));
  MustRegister(r, Activation("Softplus", "T: realnumbertype"));
  MustRegister(r, Activation("LeakyRelu", "T: {half, bfloat16, float, double} = DT_FLOAT")
                      .Attr("alpha: float = 0.2"));

  // ---- elementwise binary
  MustRegister(r, BinaryOp("Add",
                           "T: {bfloat16, half, float, double, uint8, int8, int16, int32, int64, "
                           "complex64, complex128, string}"));
  MustRegister(r, BinaryOp("AddV2",
                           "T: {bfloat16, half, float, double, uint8, int8, int16, int32, int64, "
                           "complex64, complex128}")
                      .SetIsAggregate()
                      .SetIsCommutative());
  MustRegister(r, BinaryOp("Mul", kBinaryMore).SetIsCommutative());
  for (const char* op : {"Sub", "Div", "RealDiv", "FloorDiv"}) MustRegister(r, BinaryOp(op, kBinaryMore));
  MustRegister(r, BinaryOp("DivNoNan", "T: {half, float, double, complex64, complex128}"));
  MustRegister(r, BinaryOp("FloorMod", "T: {int32, int64, bfloat16, half, float, double}"));
  for (const char* op : {"Maximum", "Minimum"})
    MustRegister(r, BinaryOp(op, "T: {bfloat16, half, float, double, int32, int64}"));
  MustRegister(r, BinaryOp("Pow",
                           "T: {bfloat16, float, half, double, int32, int64, complex64, complex128}"));
  MustRegister(r, BinaryOp("SquaredDifference",
                           "T: {bfloat16, half, float, double, int32, int64, complex64, complex128}")
                      .SetIsCommutative());
  MustRegister(r, OpDefBuilder("AddN")
                      .Input("inputs: N * T")
                      .Output("sum: T")
                      .Attr("N: int >= 1")
                      .Attr("T: {numbertype, variant}")
                      .SetIsCommutative()
                      .SetIsAggregate());

  // ---- comparisons and logic
  for (const char* op : {"Less", "LessEqual", "Greater", "GreaterEqual"})
    MustRegister(r, OpDefBuilder(op).Input("x: T").Input("y: T").Output("z: bool").Attr(
                        "T: realnumbertype"));
  for (const char* op : {"Equal", "NotEqual"})
    MustRegister(r, OpDefBuilder(op)
                        .Input("x: T")
                        .Input("y: T")
                        .Output("z: bool")
                        .Attr("T: {bfloat16, half, float, double, uint8, int8, int16, int32, "
                              "int64, complex64, quint8, qint8, qint32, string, bool, complex128}")
                        .SetIsCommutative());
  MustRegister(r, OpDefBuilder("LogicalNot").Input("x: bool").Output("y: bool"));
  for (const char* op : {"LogicalAnd", "LogicalOr"})
    MustRegister(r, OpDefBuilder(op).Input("x: bool").Input("y: bool").Output("z: bool").SetIsCommutative());

  for (const char* op : {"Select", "SelectV2"})
    MustRegister(r, OpDefBuilder(op)
                        .Input("condition: bool")
                        .Input("t: T")
                        .Input("e: T")
                        .Output("output: T")
                        .Attr("T: type"));
  MustRegister(r, OpDefBuilder("Cast")
                      .Input("x: SrcT")
                      .Output("y: DstT")
                      .Attr("SrcT: type")
                      .Attr("DstT: type")
                      .Attr("Truncate: bool = false"));

  // ---- reductions
  for (const char* op : {"Sum", "Mean", "Prod", "Max", "Min"})
    MustRegister(r, OpDefBuilder(op)
                        .Input("input: T")
                        .Input("reduction_indices: Tidx")
                        .Output("output: T")
                        .Attr("keep_dims: bool = false")
                        .Attr("T: numbertype")
                        .Attr("Tidx: {int32, int64} = DT_INT32"));
  for (const char* op : {"All", "Any"})
    MustRegister(r, OpDefBuilder(op)
                        .Input("input: bool")
                        .Input("reduction_indices: Tidx")
                        .Output("output: bool")
                        .Attr("keep_dims: bool = false")
                        .Attr("Tidx: {int32, int64} = DT_INT32"));
  for (const char* op : {"ArgMax", "ArgMin"})
    MustRegister(r, OpDefBuilder(op)
                        .Input("input: T")
                        .Input("dimension: Tidx")
                        .Output("output: output_type")
                        .Attr("T: numbertype")
                        .Attr("Tidx: {int32, int64} = DT_INT32")
                        .Attr("output_type: {int32, int64} = DT_INT64"));

  for (const char* op : {"Sum", "Mean", "Prod", "Max", "Min", "All", "Any"})
    MustSetShapeFn(r, op, ReductionShape);
  for (const char* op : {"ArgMax", "ArgMin"}) MustSetShapeFn(r, op, ArgReductionShape);
  MustSetShapeFn(r, "Select", SelectShape);
  MustSetShapeFn(r, "SelectV2", SelectV2Shape);
  MustSetShapeFn(r, "AddN", AddNShape);

  MustRegister(r, OpDefBuilder("UnsortedSegmentSum")
                      .Input("data: T")
                      .Input("segment_ids: Tindices")
                      .Input("num_segments: Tnumsegments")
                      .Output("output: T")
                      .Attr("T: numbertype")
                      .Attr("Tindices: {int32, int64}")
                      .Attr("Tnumsegments: {int32, int64} = DT_INT32"));
  MustSetShapeFn(r, "UnsortedSegmentSum", UnsortedSegmentShape);
}

}  // namespace tfport::graph::internal
