// OpDefs of the random family (TensorFlow 1.x attrs): RandomUniform,
// RandomStandardNormal, TruncatedNormal, RandomUniformInt. All are stateful
// (each run draws new numbers); the output shape is the value of the `shape`
// input when it is a Const, else a vector of unknown dims of its length.
#include <optional>
#include <vector>

#include "graph/ops/ops_internal.h"
#include "tfport/core/tensor_proto.h"
#include "tfport/graph/graph.h"

namespace tfport::graph::internal {
namespace {

// The values of input i when it is a small int32/int64 Const.
std::optional<std::vector<int64_t>> ConstInts(const Node& n, int i) {
  if (i >= n.num_inputs()) return std::nullopt;
  const Node* src = n.input(i).node;
  if (src == nullptr || src->op() != "Const") return std::nullopt;
  const tf::AttrValue* v = FindAttr(src->def(), "value");
  if (v == nullptr || !v->has_tensor()) return std::nullopt;
  Result<Tensor> t = TensorFromProto(v->tensor(), {.max_bytes = 1 << 16});
  if (!t.ok() || t->shape().rank() != 1) return std::nullopt;
  if (t->dtype() == DT_INT32) {
    auto f = t->flat<int32_t>();
    return std::vector<int64_t>(f.begin(), f.end());
  }
  if (t->dtype() == DT_INT64) {
    auto f = t->flat<int64_t>();
    return std::vector<int64_t>(f.begin(), f.end());
  }
  return std::nullopt;
}

void ShapeFromShapeInput(const Node& n, std::vector<Shape>* out) {
  if (auto dims = ConstInts(n, 0)) {
    for (int64_t d : *dims)
      if (d < 0) return;  // the kernel reports it
    (*out)[0] = Shape(*dims);
    return;
  }
  Shape s = n.num_inputs() > 0 ? n.input(0).shape() : Shape::UnknownRank();
  if (!s.unknown_rank() && s.rank() == 1 && s.dim(0) >= 0)
    (*out)[0] = Shape(std::vector<int64_t>(static_cast<size_t>(s.dim(0)), -1));
}

}  // namespace

void RegisterRandomOps(OpRegistry& r) {
  for (const char* op : {"RandomUniform", "RandomStandardNormal", "TruncatedNormal"}) {
    MustRegister(r, OpDefBuilder(op)
                        .Input("shape: T")
                        .SetIsStateful()
                        .Output("output: dtype")
                        .Attr("seed: int = 0")
                        .Attr("seed2: int = 0")
                        .Attr("dtype: {half, bfloat16, float, double}")
                        .Attr("T: {int32, int64}"));
    MustSetShapeFn(r, op, ShapeFromShapeInput);
  }
  MustRegister(r, OpDefBuilder("RandomUniformInt")
                      .Input("shape: T")
                      .Input("minval: Tout")
                      .Input("maxval: Tout")
                      .SetIsStateful()
                      .Output("output: Tout")
                      .Attr("seed: int = 0")
                      .Attr("seed2: int = 0")
                      .Attr("Tout: {int32, int64}")
                      .Attr("T: {int32, int64}"));
  MustSetShapeFn(r, "RandomUniformInt", ShapeFromShapeInput);
}

}  // namespace tfport::graph::internal
