// OpDefs of the nn family (TensorFlow 1.x attrs): MatMul, BatchMatMul,
// BatchMatMulV2, BiasAdd, Softmax, LogSoftmax, Conv2D, DepthwiseConv2dNative,
// MaxPool, AvgPool, FusedBatchNorm{,V2,V3}, with their static shape functions.
//
// Shape functions only state what is certain: a dimension that depends on an
// unknown input dimension, or on attrs that are malformed, stays unknown (-1);
// kernels recheck everything at run time.
#include <string>
#include <vector>

#include "graph/ops/ops_internal.h"
#include "graph/shape_inference.h"
#include "tfport/graph/graph.h"

namespace tfport::graph::internal {
namespace {

Shape InputShape(const Node& n, int i) {
  return i < n.num_inputs() ? n.input(i).shape() : Shape::UnknownRank();
}

// Dimension i of s, or -1 when the rank is unknown or too small.
int64_t DimOr(const Shape& s, int i) {
  if (s.unknown_rank() || i < 0 || i >= s.rank()) return -1;
  return s.dim(i);
}

std::string StringAttrOr(const Node& n, const char* name, const char* fallback) {
  Result<std::string> v = GetStringAttr(n.def(), name);
  return v.ok() ? *v : std::string(fallback);
}

std::vector<int64_t> IntsAttrOr(const Node& n, const char* name, std::vector<int64_t> fallback) {
  Result<std::vector<int64_t>> v = GetIntListAttr(n.def(), name);
  return v.ok() ? *v : fallback;
}

// Output size of one windowed dimension (conv/pool), -1 when unknown or
// invalid: VALID = (in - effective_k + stride) / stride (C division, as
// TensorFlow's GetWindowedOutputSize), SAME = ceil(in / stride).
int64_t WindowedDim(int64_t in, int64_t k, int64_t stride, int64_t dilation, bool same) {
  if (in < 0 || stride <= 0) return -1;
  if (same) return in == 0 ? 0 : (in - 1) / stride + 1;
  int64_t eff = 0;
  if (k < 0 || dilation <= 0 || __builtin_mul_overflow(k - 1, dilation, &eff) ||
      __builtin_add_overflow(eff, 1, &eff))
    return -1;
  int64_t out = (in - eff + stride) / stride;
  return out < 0 ? -1 : out;
}

// Spatial layout of a 4-D tensor in data_format: indices of N, H, W, C.
struct Layout {
  int n, h, w, c;
};
Layout LayoutOf(const std::string& data_format) {
  if (data_format == "NHWC") return {0, 1, 2, 3};
  return {0, 2, 3, 1};  // NCHW (and NCHW_VECT_C's leading dims)
}

Shape MakeNhwcLike(const Layout& l, int64_t n, int64_t h, int64_t w, int64_t c) {
  std::vector<int64_t> dims(4);
  dims[static_cast<size_t>(l.n)] = n;
  dims[static_cast<size_t>(l.h)] = h;
  dims[static_cast<size_t>(l.w)] = w;
  dims[static_cast<size_t>(l.c)] = c;
  return Shape(std::move(dims));
}

void SameAsInput0(const Node& n, std::vector<Shape>* out) { (*out)[0] = InputShape(n, 0); }

void MatMulShape(const Node& n, std::vector<Shape>* out) {
  Shape a = InputShape(n, 0), b = InputShape(n, 1);
  if ((!a.unknown_rank() && a.rank() != 2) || (!b.unknown_rank() && b.rank() != 2)) return;
  Result<bool> ta = GetBoolAttr(n.def(), "transpose_a");
  Result<bool> tb = GetBoolAttr(n.def(), "transpose_b");
  (*out)[0] = Shape{DimOr(a, ta.ok() && *ta ? 1 : 0), DimOr(b, tb.ok() && *tb ? 0 : 1)};
}

// BatchMatMul (v1: equal batch dims) and BatchMatMulV2 (broadcast batch dims).
void BatchMatMulShape(const Node& n, std::vector<Shape>* out, bool broadcast) {
  Shape x = InputShape(n, 0), y = InputShape(n, 1);
  if (x.unknown_rank() || y.unknown_rank() || x.rank() < 2 || y.rank() < 2) return;
  Result<bool> ax = GetBoolAttr(n.def(), "adj_x");
  Result<bool> ay = GetBoolAttr(n.def(), "adj_y");
  int64_t m = x.dim(x.rank() - (ax.ok() && *ax ? 1 : 2));
  int64_t k = y.dim(y.rank() - (ay.ok() && *ay ? 2 : 1));
  Shape xb(std::vector<int64_t>(x.dims().begin(), x.dims().end() - 2));
  Shape yb(std::vector<int64_t>(y.dims().begin(), y.dims().end() - 2));
  Shape batch;
  if (broadcast) {
    batch = BroadcastShapes(xb, yb);
    if (batch.unknown_rank()) return;
  } else {
    if (xb.rank() != yb.rank()) return;
    std::vector<int64_t> dims;
    for (int i = 0; i < xb.rank(); ++i) dims.push_back(xb.dim(i) >= 0 ? xb.dim(i) : yb.dim(i));
    batch = Shape(std::move(dims));
  }
  batch.AddDim(m);
  batch.AddDim(k);
  (*out)[0] = batch;
}

void ConvShape(const Node& n, std::vector<Shape>* out, bool depthwise) {
  Shape in = InputShape(n, 0), f = InputShape(n, 1);
  if ((!in.unknown_rank() && in.rank() != 4) || (!f.unknown_rank() && f.rank() != 4)) return;
  const Layout l = LayoutOf(StringAttrOr(n, "data_format", "NHWC"));
  const bool same = StringAttrOr(n, "padding", "") == "SAME";
  std::vector<int64_t> s = IntsAttrOr(n, "strides", {});
  std::vector<int64_t> d = IntsAttrOr(n, "dilations", {1, 1, 1, 1});
  if (s.size() != 4 || d.size() != 4) return;
  const auto hs = static_cast<size_t>(l.h), ws = static_cast<size_t>(l.w);
  int64_t oc;
  if (depthwise) {
    int64_t c = DimOr(in, l.c) >= 0 ? DimOr(in, l.c) : DimOr(f, 2);
    oc = (c >= 0 && DimOr(f, 3) >= 0) ? c * DimOr(f, 3) : -1;
  } else {
    oc = DimOr(f, 3);
  }
  (*out)[0] = MakeNhwcLike(l, DimOr(in, l.n),
                           WindowedDim(DimOr(in, l.h), DimOr(f, 0), s[hs], d[hs], same),
                           WindowedDim(DimOr(in, l.w), DimOr(f, 1), s[ws], d[ws], same), oc);
}

void PoolShape(const Node& n, std::vector<Shape>* out) {
  Shape in = InputShape(n, 0);
  if (!in.unknown_rank() && in.rank() != 4) return;
  const std::string format = StringAttrOr(n, "data_format", "NHWC");
  if (format == "NCHW_VECT_C") return;
  const Layout l = LayoutOf(format);
  const bool same = StringAttrOr(n, "padding", "") == "SAME";
  std::vector<int64_t> k = IntsAttrOr(n, "ksize", {});
  std::vector<int64_t> s = IntsAttrOr(n, "strides", {});
  if (k.size() != 4 || s.size() != 4) return;
  const auto hs = static_cast<size_t>(l.h), ws = static_cast<size_t>(l.w),
             cs = static_cast<size_t>(l.c);
  if (k[cs] != 1 || s[cs] != 1) return;  // depth pooling: left to the kernel
  (*out)[0] = MakeNhwcLike(l, DimOr(in, l.n), WindowedDim(DimOr(in, l.h), k[hs], s[hs], 1, same),
                           WindowedDim(DimOr(in, l.w), k[ws], s[ws], 1, same), DimOr(in, l.c));
}

// y like x; every statistics output a vector over the channels. V3's
// reserve_space_3 stays unknown, as in TensorFlow.
void FusedBatchNormShape(const Node& n, std::vector<Shape>* out) {
  Shape x = InputShape(n, 0);
  if (!x.unknown_rank() && x.rank() != 4) return;
  const Layout l = LayoutOf(StringAttrOr(n, "data_format", "NHWC"));
  int64_t c = DimOr(x, l.c);
  for (int i = 1; i < 3 && c < 0; ++i) {
    Shape v = InputShape(n, i);
    if (!v.unknown_rank() && v.rank() == 1) c = v.dim(0);
  }
  (*out)[0] = x;
  for (size_t i = 1; i < out->size() && i < 5; ++i) (*out)[i] = Shape{c};
}

}  // namespace

void RegisterNnOps(OpRegistry& r) {
  const char* kMatMulTypes =
      "T: {bfloat16, half, float, double, int32, int64, complex64, complex128}";
  MustRegister(r, OpDefBuilder("MatMul")
                      .Input("a: T")
                      .Input("b: T")
                      .Output("product: T")
                      .Attr("transpose_a: bool = false")
                      .Attr("transpose_b: bool = false")
                      .Attr(kMatMulTypes));
  MustSetShapeFn(r, "MatMul", MatMulShape);
  for (const char* op : {"BatchMatMul", "BatchMatMulV2"}) {
    MustRegister(r, OpDefBuilder(op)
                        .Input("x: T")
                        .Input("y: T")
                        .Output("output: T")
                        .Attr(kMatMulTypes)
                        .Attr("adj_x: bool = false")
                        .Attr("adj_y: bool = false"));
  }
  MustSetShapeFn(r, "BatchMatMul",
                 [](const Node& n, std::vector<Shape>* out) { BatchMatMulShape(n, out, false); });
  MustSetShapeFn(r, "BatchMatMulV2",
                 [](const Node& n, std::vector<Shape>* out) { BatchMatMulShape(n, out, true); });

  MustRegister(r, OpDefBuilder("BiasAdd")
                      .Attr("T: numbertype")
                      .Input("value: T")
                      .Input("bias: T")
                      .Attr("data_format: {'NHWC', 'NCHW'} = 'NHWC'")
                      .Output("output: T"));
  MustSetShapeFn(r, "BiasAdd", SameAsInput0);

  MustRegister(r, OpDefBuilder("Softmax")
                      .Input("logits: T")
                      .Output("softmax: T")
                      .Attr("T: {half, bfloat16, float, double}"));
  MustRegister(r, OpDefBuilder("LogSoftmax")
                      .Input("logits: T")
                      .Output("logsoftmax: T")
                      .Attr("T: {half, bfloat16, float, double}"));
  MustSetShapeFn(r, "Softmax", SameAsInput0);
  MustSetShapeFn(r, "LogSoftmax", SameAsInput0);

  MustRegister(r, OpDefBuilder("Conv2D")
                      .Input("input: T")
                      .Input("filter: T")
                      .Output("output: T")
                      .Attr("T: {half, bfloat16, float, double}")
                      .Attr("strides: list(int)")
                      .Attr("use_cudnn_on_gpu: bool = true")
                      .Attr("padding: {'SAME', 'VALID'}")
                      .Attr("data_format: {'NHWC', 'NCHW'} = 'NHWC'")
                      .Attr("dilations: list(int) = [1, 1, 1, 1]"));
  MustSetShapeFn(r, "Conv2D",
                 [](const Node& n, std::vector<Shape>* out) { ConvShape(n, out, false); });
  MustRegister(r, OpDefBuilder("DepthwiseConv2dNative")
                      .Input("input: T")
                      .Input("filter: T")
                      .Output("output: T")
                      .Attr("T: {half, bfloat16, float, double}")
                      .Attr("strides: list(int)")
                      .Attr("padding: {'SAME', 'VALID'}")
                      .Attr("data_format: {'NHWC', 'NCHW'} = 'NHWC'")
                      .Attr("dilations: list(int) = [1, 1, 1, 1]"));
  MustSetShapeFn(r, "DepthwiseConv2dNative",
                 [](const Node& n, std::vector<Shape>* out) { ConvShape(n, out, true); });

  MustRegister(r, OpDefBuilder("MaxPool")
                      .Attr("T: {half, bfloat16, float, double, int32, int64, uint8, int16, int8, "
                            "uint16, qint8} = DT_FLOAT")
                      .Attr("ksize: list(int) >= 4")
                      .Attr("strides: list(int) >= 4")
                      .Attr("padding: {'SAME', 'VALID'}")
                      .Attr("data_format: {'NHWC', 'NCHW', 'NCHW_VECT_C'} = 'NHWC'")
                      .Input("input: T")
                      .Output("output: T"));
  MustRegister(r, OpDefBuilder("AvgPool")
                      .Input("value: T")
                      .Output("output: T")
                      .Attr("ksize: list(int) >= 4")
                      .Attr("strides: list(int) >= 4")
                      .Attr("padding: {'SAME', 'VALID'}")
                      .Attr("data_format: {'NHWC', 'NCHW'} = 'NHWC'")
                      .Attr("T: {half, bfloat16, float, double}"));
  MustSetShapeFn(r, "MaxPool", PoolShape);
  MustSetShapeFn(r, "AvgPool", PoolShape);

  MustRegister(r, OpDefBuilder("FusedBatchNorm")
                      .Input("x: T")
                      .Input("scale: T")
                      .Input("offset: T")
                      .Input("mean: T")
                      .Input("variance: T")
                      .Output("y: T")
                      .Output("batch_mean: T")
                      .Output("batch_variance: T")
                      .Output("reserve_space_1: T")
                      .Output("reserve_space_2: T")
                      .Attr("T: {float}")
                      .Attr("epsilon: float = 0.0001")
                      .Attr("data_format: {'NHWC', 'NCHW'} = 'NHWC'")
                      .Attr("is_training: bool = true"));
  for (bool v3 : {false, true}) {
    OpDefBuilder b(v3 ? "FusedBatchNormV3" : "FusedBatchNormV2");
    b.Input("x: T")
        .Input("scale: U")
        .Input("offset: U")
        .Input("mean: U")
        .Input("variance: U")
        .Output("y: T")
        .Output("batch_mean: U")
        .Output("batch_variance: U")
        .Output("reserve_space_1: U")
        .Output("reserve_space_2: U");
    if (v3) b.Output("reserve_space_3: U");
    b.Attr("T: {half, bfloat16, float}")
        .Attr("U: {float}")
        .Attr("epsilon: float = 0.0001")
        .Attr("data_format: {'NHWC', 'NCHW'} = 'NHWC'")
        .Attr("is_training: bool = true");
    MustRegister(r, b);
  }
  for (const char* op : {"FusedBatchNorm", "FusedBatchNormV2", "FusedBatchNormV3"})
    MustSetShapeFn(r, op, FusedBatchNormShape);
}

}  // namespace tfport::graph::internal
