// OpDefs of the array family (TensorFlow's array_ops.cc, plus Range from
// math_ops.cc and DynamicStitch from data_flow_ops.cc) and their static
// shape functions. Shape functions only state what is certain: a dimension
// that depends on a non-constant input stays -1, and a node whose inputs are
// inconsistent keeps unknown shapes (the kernel reports the error).
#include <algorithm>
#include <optional>

#include "graph/ops/ops_internal.h"
#include "tfport/core/tensor_proto.h"
#include "tfport/graph/graph.h"

namespace tfport::graph::internal {
namespace {

using Dims = std::vector<int64_t>;

Shape In(const Node& n, int i) {
  return i < n.num_inputs() ? n.input(i).shape() : Shape::UnknownRank();
}

Shape UnknownOfRank(int64_t rank) { return Shape(Dims(static_cast<size_t>(rank), -1)); }

// The values of input i when it is a small int32/int64 Const.
std::optional<Dims> ConstInts(const Node& n, int i) {
  if (i >= n.num_inputs()) return std::nullopt;
  const Node* src = n.input(i).node;
  if (src->op() != "Const") return std::nullopt;
  const tf::AttrValue* v = FindAttr(src->def(), "value");
  if (v == nullptr || !v->has_tensor()) return std::nullopt;
  Result<Tensor> t = TensorFromProto(v->tensor(), {.max_bytes = 1 << 16});
  if (!t.ok()) return std::nullopt;
  if (t->dtype() == DT_INT32) {
    auto f = t->flat<int32_t>();
    return Dims(f.begin(), f.end());
  }
  if (t->dtype() == DT_INT64) {
    auto f = t->flat<int64_t>();
    return Dims(f.begin(), f.end());
  }
  return std::nullopt;
}

std::optional<int64_t> ConstScalar(const Node& n, int i) {
  auto v = ConstInts(n, i);
  if (!v || v->size() != 1) return std::nullopt;
  return (*v)[0];
}

// Axis in [-rank, rank) wrapped to [0, rank).
std::optional<int64_t> Wrap(int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank) return std::nullopt;
  return axis < 0 ? axis + rank : axis;
}

// The shape of a 1-D shape-vector input as an output shape: its values
// when constant, else unknown dims of the vector's length.
Shape ShapeFromInput(const Node& n, int i) {
  if (auto dims = ConstInts(n, i)) {
    for (int64_t d : *dims)
      if (d < -1) return Shape::UnknownRank();
    return Shape(*dims);
  }
  Shape s = In(n, i);
  if (!s.unknown_rank() && s.rank() == 1 && s.dim(0) >= 0) return UnknownOfRank(s.dim(0));
  return Shape::UnknownRank();
}

int64_t Mul(int64_t a, int64_t b) { return a < 0 || b < 0 ? -1 : a * b; }

// Merges equal-rank shapes dimension by dimension (first known value wins).
std::optional<Shape> MergeAll(const Node& n, int first, int count) {
  std::optional<Dims> dims;
  for (int i = first; i < first + count; ++i) {
    Shape s = In(n, i);
    if (s.unknown_rank()) continue;
    if (!dims) {
      dims = s.dims();
    } else if (dims->size() != static_cast<size_t>(s.rank())) {
      return std::nullopt;
    } else {
      for (int k = 0; k < s.rank(); ++k)
        if ((*dims)[static_cast<size_t>(k)] < 0) (*dims)[static_cast<size_t>(k)] = s.dim(k);
    }
  }
  if (!dims) return std::nullopt;
  return Shape(*dims);
}

void ShapeOfShape(const Node& n, std::vector<Shape>* out) {
  for (size_t i = 0; i < out->size(); ++i) {
    Shape s = In(n, static_cast<int>(i));
    (*out)[i] = Shape{s.unknown_rank() ? -1 : s.rank()};
  }
}

void Scalar(const Node&, std::vector<Shape>* out) { (*out)[0] = Shape{}; }

void SameAsInput0(const Node& n, std::vector<Shape>* out) { (*out)[0] = In(n, 0); }

void ReshapeShape(const Node& n, std::vector<Shape>* out) {
  Shape target = ShapeFromInput(n, 1);
  if (target.unknown_rank()) return;
  Dims dims = target.dims();
  const Shape in = In(n, 0);
  auto unknown = std::count(dims.begin(), dims.end(), -1);
  if (unknown == 1 && in.IsFullyDefined()) {
    int64_t known = 1;
    for (int64_t d : dims)
      if (d != -1) known *= d;
    const int64_t total = in.num_elements();
    if (known > 0 && total % known == 0) *std::find(dims.begin(), dims.end(), -1) = total / known;
  }
  (*out)[0] = Shape(dims);
}

void ExpandDimsShape(const Node& n, std::vector<Shape>* out) {
  const Shape in = In(n, 0);
  auto dim = ConstScalar(n, 1);
  if (in.unknown_rank() || !dim) return;
  auto pos = Wrap(*dim, in.rank() + 1);
  if (!pos) return;
  Dims dims = in.dims();
  dims.insert(dims.begin() + *pos, 1);
  (*out)[0] = Shape(dims);
}

void SqueezeShape(const Node& n, std::vector<Shape>* out) {
  const Shape in = In(n, 0);
  Result<std::vector<int64_t>> attr = GetIntListAttr(n.def(), "squeeze_dims");
  if (in.unknown_rank() || !attr.ok()) return;
  Dims squeeze;
  for (int64_t d : *attr) {
    auto w = Wrap(d, in.rank());
    if (!w) return;
    squeeze.push_back(*w);
  }
  Dims dims;
  for (int i = 0; i < in.rank(); ++i) {
    const bool listed = std::find(squeeze.begin(), squeeze.end(), i) != squeeze.end();
    const int64_t d = in.dim(i);
    if (listed) {
      if (d != 1 && d != -1) return;  // the kernel will reject it
      continue;
    }
    if (squeeze.empty() && d == -1) return;  // might be a 1
    if (squeeze.empty() && d == 1) continue;
    dims.push_back(d);
  }
  (*out)[0] = Shape(dims);
}

void TransposeShape(const Node& n, std::vector<Shape>* out) {
  const Shape in = In(n, 0);
  auto perm = ConstInts(n, 1);
  if (perm) {
    if (!in.unknown_rank() && static_cast<size_t>(in.rank()) != perm->size()) return;
    Dims dims;
    for (int64_t p : *perm) {
      if (p < 0 || p >= static_cast<int64_t>(perm->size())) return;
      dims.push_back(in.unknown_rank() ? -1 : in.dim(static_cast<int>(p)));
    }
    (*out)[0] = Shape(dims);
  } else if (!in.unknown_rank()) {
    (*out)[0] = UnknownOfRank(in.rank());
  }
}

void ConcatV2Shape(const Node& n, std::vector<Shape>* out) {
  const int num = n.num_inputs() - 1;
  auto merged = MergeAll(n, 0, num);
  if (!merged) return;
  auto axis_value = ConstScalar(n, num);
  auto axis = axis_value ? Wrap(*axis_value, merged->rank()) : std::nullopt;
  if (!axis) {
    (*out)[0] = UnknownOfRank(merged->rank());
    return;
  }
  int64_t sum = 0;
  for (int i = 0; i < num; ++i) {
    Shape s = In(n, i);
    const int64_t d = s.unknown_rank() ? -1 : s.dim(static_cast<int>(*axis));
    sum = d < 0 || sum < 0 ? -1 : sum + d;
  }
  Dims dims = merged->dims();
  dims[static_cast<size_t>(*axis)] = sum;
  (*out)[0] = Shape(dims);
}

void PackShape(const Node& n, std::vector<Shape>* out) {
  auto merged = MergeAll(n, 0, n.num_inputs());
  Result<int64_t> axis_attr = GetIntAttr(n.def(), "axis");
  if (!merged || !axis_attr.ok()) return;
  auto axis = Wrap(*axis_attr, merged->rank() + 1);
  if (!axis) return;
  Dims dims = merged->dims();
  dims.insert(dims.begin() + *axis, n.num_inputs());
  (*out)[0] = Shape(dims);
}

void UnpackShape(const Node& n, std::vector<Shape>* out) {
  const Shape in = In(n, 0);
  Result<int64_t> axis_attr = GetIntAttr(n.def(), "axis");
  if (in.unknown_rank() || !axis_attr.ok()) return;
  auto axis = Wrap(*axis_attr, in.rank());
  if (!axis) return;
  Dims dims = in.dims();
  dims.erase(dims.begin() + *axis);
  for (auto& s : *out) s = Shape(dims);
}

// Split (split_dim first) and SplitV (value first, sizes, split_dim).
void SplitShape(const Node& n, std::vector<Shape>* out) {
  const bool v2 = n.op() == "SplitV";
  const Shape in = In(n, v2 ? 0 : 1);
  if (in.unknown_rank()) return;
  auto dim_value = ConstScalar(n, v2 ? 2 : 0);
  auto axis = dim_value ? Wrap(*dim_value, in.rank()) : std::nullopt;
  if (!axis) {
    for (auto& s : *out) s = UnknownOfRank(in.rank());
    return;
  }
  const auto a = static_cast<size_t>(*axis);
  const int64_t size = in.dims()[a];
  const auto num = static_cast<int64_t>(out->size());
  Dims pieces(out->size(), size >= 0 && size % num == 0 ? size / num : -1);
  if (v2) {
    auto sizes = ConstInts(n, 1);
    if (!sizes || sizes->size() != out->size()) {
      pieces.assign(out->size(), -1);
    } else {
      pieces = *sizes;
      int64_t known = 0;
      for (int64_t s : pieces) known += s == -1 ? 0 : s;
      for (int64_t& s : pieces)
        if (s == -1) s = size >= known ? size - known : -1;
    }
  }
  for (size_t i = 0; i < out->size(); ++i) {
    Dims dims = in.dims();
    dims[a] = pieces[i];
    (*out)[i] = Shape(dims);
  }
}

void SliceShape(const Node& n, std::vector<Shape>* out) {
  const Shape in = In(n, 0);
  auto begin = ConstInts(n, 1);
  auto size = ConstInts(n, 2);
  if (in.unknown_rank()) return;
  if (!begin || !size || begin->size() != size->size() ||
      size->size() != static_cast<size_t>(in.rank())) {
    (*out)[0] = UnknownOfRank(in.rank());
    return;
  }
  Dims dims;
  for (size_t k = 0; k < size->size(); ++k) {
    const int64_t d = in.dims()[k], s = (*size)[k], b = (*begin)[k];
    dims.push_back(s >= 0 ? s : (s == -1 && d >= 0 && b >= 0 && b <= d ? d - b : -1));
  }
  (*out)[0] = Shape(dims);
}

void TileShape(const Node& n, std::vector<Shape>* out) {
  const Shape in = In(n, 0);
  auto mult = ConstInts(n, 1);
  if (in.unknown_rank()) return;
  if (!mult || mult->size() != static_cast<size_t>(in.rank())) {
    (*out)[0] = UnknownOfRank(in.rank());
    return;
  }
  Dims dims;
  for (size_t k = 0; k < mult->size(); ++k) dims.push_back(Mul(in.dims()[k], (*mult)[k]));
  (*out)[0] = Shape(dims);
}

void PadShape(const Node& n, std::vector<Shape>* out) {
  const Shape in = In(n, 0);
  auto pads = ConstInts(n, 1);
  if (!pads) {
    if (!in.unknown_rank()) (*out)[0] = UnknownOfRank(in.rank());
    return;
  }
  if (pads->size() % 2 != 0 || (!in.unknown_rank() && pads->size() != 2 * in.dims().size()))
    return;
  Dims dims;
  for (size_t k = 0; k < pads->size() / 2; ++k) {
    const int64_t d = in.unknown_rank() ? -1 : in.dims()[k];
    dims.push_back(d < 0 ? -1 : d + (*pads)[2 * k] + (*pads)[2 * k + 1]);
  }
  (*out)[0] = Shape(dims);
}

void GatherShape(const Node& n, std::vector<Shape>* out) {
  const Shape params = In(n, 0), indices = In(n, 1);
  std::optional<int64_t> axis = 0;
  if (n.op() == "GatherV2") axis = ConstScalar(n, 2);
  if (params.unknown_rank() || indices.unknown_rank()) return;
  if (axis) axis = Wrap(*axis, params.rank());
  if (!axis) {
    (*out)[0] = UnknownOfRank(params.rank() + indices.rank() - 1);
    return;
  }
  Dims dims(params.dims().begin(), params.dims().begin() + *axis);
  dims.insert(dims.end(), indices.dims().begin(), indices.dims().end());
  dims.insert(dims.end(), params.dims().begin() + *axis + 1, params.dims().end());
  (*out)[0] = Shape(dims);
}

void OneHotShape(const Node& n, std::vector<Shape>* out) {
  const Shape indices = In(n, 0);
  Result<int64_t> axis_attr = GetIntAttr(n.def(), "axis");
  if (indices.unknown_rank() || !axis_attr.ok()) return;
  const int64_t axis = *axis_attr == -1 ? indices.rank() : *axis_attr;
  if (axis < 0 || axis > indices.rank()) return;
  auto depth = ConstScalar(n, 1);
  Dims dims = indices.dims();
  dims.insert(dims.begin() + axis, depth && *depth >= 0 ? *depth : -1);
  (*out)[0] = Shape(dims);
}

void FillShape(const Node& n, std::vector<Shape>* out) { (*out)[0] = ShapeFromInput(n, 0); }

void BroadcastToShape(const Node& n, std::vector<Shape>* out) {
  (*out)[0] = ShapeFromInput(n, 1);
}

void RangeShape(const Node& n, std::vector<Shape>* out) {
  auto start = ConstScalar(n, 0), limit = ConstScalar(n, 1), delta = ConstScalar(n, 2);
  constexpr int64_t kBig = int64_t{1} << 62;  // keeps limit - start from overflowing
  auto small = [&](std::optional<int64_t> v) { return v && *v > -kBig && *v < kBig; };
  if (small(start) && small(limit) && small(delta) &&
      ((*delta > 0 && *limit >= *start) || (*delta < 0 && *limit <= *start))) {
    const int64_t span = *limit - *start;
    (*out)[0] = Shape{span / *delta + (span % *delta != 0)};
  } else {
    (*out)[0] = Shape{-1};
  }
}

void DynamicStitchShape(const Node& n, std::vector<Shape>* out) {
  const int num = n.num_inputs() / 2;
  const Shape indices0 = In(n, 0), data0 = In(n, num);
  if (indices0.unknown_rank() || data0.unknown_rank() || data0.rank() < indices0.rank()) return;
  Dims dims{-1};
  dims.insert(dims.end(), data0.dims().begin() + indices0.rank(), data0.dims().end());
  (*out)[0] = Shape(dims);
}

void WhereShape(const Node& n, std::vector<Shape>* out) {
  const Shape in = In(n, 0);
  (*out)[0] = Shape{-1, in.unknown_rank() ? -1 : in.rank()};
}

void UniqueShape(const Node& n, std::vector<Shape>* out) {
  (*out)[0] = Shape{-1};
  (*out)[1] = In(n, 0);
}

void TwoVectors(const Node&, std::vector<Shape>* out) {
  for (auto& s : *out) s = Shape{-1};
}

void ConcatOffsetShape(const Node& n, std::vector<Shape>* out) {
  for (size_t i = 0; i < out->size(); ++i) (*out)[i] = In(n, static_cast<int>(i) + 1);
}

}  // namespace

void RegisterArrayOps(OpRegistry& r) {
  auto reg = [&](const OpDefBuilder& b, ShapeFn fn) {
    MustRegister(r, b);
    Result<tf::OpDef> def = b.Build();
    if (fn && def.ok()) MustSetShapeFn(r, def->name().c_str(), std::move(fn));
  };
  // ---- shapes
  reg(OpDefBuilder("Shape")
          .Input("input: T")
          .Output("output: out_type")
          .Attr("T: type")
          .Attr("out_type: {int32, int64} = DT_INT32"),
      ShapeOfShape);
  reg(OpDefBuilder("ShapeN")
          .Input("input: N * T")
          .Output("output: N * out_type")
          .Attr("N: int")
          .Attr("T: type")
          .Attr("out_type: {int32, int64} = DT_INT32"),
      ShapeOfShape);
  reg(OpDefBuilder("Size")
          .Input("input: T")
          .Output("output: out_type")
          .Attr("T: type")
          .Attr("out_type: {int32, int64} = DT_INT32"),
      Scalar);
  reg(OpDefBuilder("Rank").Input("input: T").Output("output: int32").Attr("T: type"), Scalar);
  reg(OpDefBuilder("Reshape")
          .Input("tensor: T")
          .Input("shape: Tshape")
          .Output("output: T")
          .Attr("T: type")
          .Attr("Tshape: {int32, int64} = DT_INT32"),
      ReshapeShape);
  reg(OpDefBuilder("Squeeze")
          .Input("input: T")
          .Output("output: T")
          .Attr("T: type")
          .Attr("squeeze_dims: list(int) >= 0 = []"),
      SqueezeShape);
  reg(OpDefBuilder("ExpandDims")
          .Input("input: T")
          .Input("dim: Tdim")
          .Output("output: T")
          .Attr("T: type")
          .Attr("Tdim: {int32, int64} = DT_INT32"),
      ExpandDimsShape);
  reg(OpDefBuilder("Transpose")
          .Input("x: T")
          .Input("perm: Tperm")
          .Output("y: T")
          .Attr("T: type")
          .Attr("Tperm: {int32, int64} = DT_INT32"),
      TransposeShape);
  reg(OpDefBuilder("InvertPermutation")
          .Input("x: T")
          .Output("y: T")
          .Attr("T: {int32, int64} = DT_INT32"),
      SameAsInput0);
  reg(OpDefBuilder("BroadcastTo")
          .Input("input: T")
          .Input("shape: Tidx")
          .Output("output: T")
          .Attr("T: type")
          .Attr("Tidx: {int32, int64} = DT_INT32"),
      BroadcastToShape);
  reg(OpDefBuilder("BroadcastGradientArgs")
          .Input("s0: T")
          .Input("s1: T")
          .Output("r0: T")
          .Output("r1: T")
          .Attr("T: {int32, int64} = DT_INT32"),
      TwoVectors);

  // ---- joining and splitting
  reg(OpDefBuilder("ConcatV2")
          .Input("values: N * T")
          .Input("axis: Tidx")
          .Output("output: T")
          .Attr("N: int >= 2")
          .Attr("T: type")
          .Attr("Tidx: {int32, int64} = DT_INT32"),
      ConcatV2Shape);
  reg(OpDefBuilder("ConcatOffset")
          .Input("concat_dim: int32")
          .Input("shape: N * int32")
          .Output("offset: N * int32")
          .Attr("N: int >= 2"),
      ConcatOffsetShape);
  reg(OpDefBuilder("Split")
          .Input("split_dim: int32")
          .Input("value: T")
          .Output("output: num_split * T")
          .Attr("num_split: int >= 1")
          .Attr("T: type"),
      SplitShape);
  reg(OpDefBuilder("SplitV")
          .Input("value: T")
          .Input("size_splits: Tlen")
          .Input("split_dim: int32")
          .Output("output: num_split * T")
          .Attr("num_split: int >= 1")
          .Attr("T: type")
          .Attr("Tlen: {int32, int64} = DT_INT64"),
      SplitShape);
  reg(OpDefBuilder("Pack")
          .Input("values: N * T")
          .Output("output: T")
          .Attr("N: int >= 1")
          .Attr("T: type")
          .Attr("axis: int = 0"),
      PackShape);
  reg(OpDefBuilder("Unpack")
          .Input("value: T")
          .Output("output: num * T")
          .Attr("num: int >= 0")
          .Attr("T: type")
          .Attr("axis: int = 0"),
      UnpackShape);

  // ---- slicing, tiling, padding
  reg(OpDefBuilder("Slice")
          .Input("input: T")
          .Input("begin: Index")
          .Input("size: Index")
          .Output("output: T")
          .Attr("T: type")
          .Attr("Index: {int32, int64}"),
      SliceShape);
  reg(OpDefBuilder("StridedSlice")
          .Input("input: T")
          .Input("begin: Index")
          .Input("end: Index")
          .Input("strides: Index")
          .Output("output: T")
          .Attr("T: type")
          .Attr("Index: {int32, int64}")
          .Attr("begin_mask: int = 0")
          .Attr("end_mask: int = 0")
          .Attr("ellipsis_mask: int = 0")
          .Attr("new_axis_mask: int = 0")
          .Attr("shrink_axis_mask: int = 0"),
      nullptr);
  reg(OpDefBuilder("Tile")
          .Input("input: T")
          .Input("multiples: Tmultiples")
          .Output("output: T")
          .Attr("T: type")
          .Attr("Tmultiples: {int32, int64} = DT_INT32"),
      TileShape);
  reg(OpDefBuilder("Pad")
          .Input("input: T")
          .Input("paddings: Tpaddings")
          .Output("output: T")
          .Attr("T: type")
          .Attr("Tpaddings: {int32, int64} = DT_INT32"),
      PadShape);
  reg(OpDefBuilder("PadV2")
          .Input("input: T")
          .Input("paddings: Tpaddings")
          .Input("constant_values: T")
          .Output("output: T")
          .Attr("T: type")
          .Attr("Tpaddings: {int32, int64} = DT_INT32"),
      PadShape);

  // ---- generators
  reg(OpDefBuilder("Fill")
          .Input("dims: index_type")
          .Input("value: T")
          .Output("output: T")
          .Attr("T: type")
          .Attr("index_type: {int32, int64} = DT_INT32"),
      FillShape);
  reg(OpDefBuilder("Range")
          .Input("start: Tidx")
          .Input("limit: Tidx")
          .Input("delta: Tidx")
          .Output("output: Tidx")
          .Attr("Tidx: {bfloat16, float, double, int32, int64} = DT_INT32"),
      RangeShape);
  reg(OpDefBuilder("ZerosLike").Input("x: T").Output("y: T").Attr("T: type"), SameAsInput0);
  reg(OpDefBuilder("OnesLike")
          .Input("x: T")
          .Output("y: T")
          .Attr("T: {bfloat16, half, float, double, int8, uint8, int16, uint16, int32, int64, "
                "complex64, complex128, bool}"),
      SameAsInput0);
  reg(OpDefBuilder("OneHot")
          .Input("indices: TI")
          .Input("depth: int32")
          .Input("on_value: T")
          .Input("off_value: T")
          .Attr("axis: int = -1")
          .Output("output: T")
          .Attr("T: type")
          .Attr("TI: {uint8, int32, int64} = DT_INT64"),
      OneHotShape);

  // ---- indexing
  reg(OpDefBuilder("GatherV2")
          .Input("params: Tparams")
          .Input("indices: Tindices")
          .Input("axis: Taxis")
          .Output("output: Tparams")
          .Attr("Tparams: type")
          .Attr("Tindices: {int32, int64}")
          .Attr("Taxis: {int32, int64}"),
      GatherShape);
  reg(OpDefBuilder("Gather")
          .Input("params: Tparams")
          .Input("indices: Tindices")
          .Attr("validate_indices: bool = true")
          .Output("output: Tparams")
          .Attr("Tparams: type")
          .Attr("Tindices: {int32, int64}"),
      GatherShape);
  reg(OpDefBuilder("DynamicStitch")
          .Input("indices: N * int32")
          .Input("data: N * T")
          .Output("merged: T")
          .Attr("N: int >= 1")
          .Attr("T: type"),
      DynamicStitchShape);
  reg(OpDefBuilder("Where")
          .Input("input: T")
          .Attr("T: {numbertype, bool} = DT_BOOL")
          .Output("index: int64"),
      WhereShape);
  reg(OpDefBuilder("Unique")
          .Input("x: T")
          .Output("y: T")
          .Output("idx: out_idx")
          .Attr("T: type")
          .Attr("out_idx: {int32, int64} = DT_INT32"),
      UniqueShape);
  reg(OpDefBuilder("ReverseSequence")
          .Input("input: T")
          .Input("seq_lengths: Tlen")
          .Output("output: T")
          .Attr("seq_dim: int")
          .Attr("batch_dim: int = 0")
          .Attr("T: type")
          .Attr("Tlen: {int32, int64} = DT_INT64"),
      SameAsInput0);
}

}  // namespace tfport::graph::internal
