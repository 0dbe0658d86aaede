// OpDefs of the parsing family: the tf.Example decoders that classify and
// regress signatures (and tf.io.parse_example / parse_single_example) put
// in a graph: ParseExample (TF 1.x), ParseExampleV2 (TF >= 2.1, adds ragged
// features and a scalar `serialized`) and ParseSingleExample. Specs, attr
// constraints and defaults are TensorFlow's (parsing_ops.cc).
//
// Static shapes follow TensorFlow's shape functions: dense output i is the
// shape of `serialized` (the batch prefix; nothing for a scalar) followed by
// dense_shapes[i]; sparse indices are [?, rank + 1], values [?], dense
// shapes [rank + 1] where rank is that of `serialized`; ragged values are
// [?] and row splits [batch + 1].
#include <algorithm>
#include <string>
#include <vector>

#include "graph/ops/ops_internal.h"
#include "tfport/graph/graph.h"

namespace tfport::graph::internal {
namespace {

Shape InputShape(const Node& n, int i) {
  return i < n.num_inputs() && n.input(i).valid() ? n.input(i).shape() : Shape::UnknownRank();
}

int64_t IntAttrOr(const Node& n, const char* name, int64_t fallback) {
  const tf::AttrValue* v = FindAttr(n.def(), name);
  return v != nullptr && v->value_case() == tf::AttrValue::kI ? v->i() : fallback;
}

int ListLength(const Node& n, const char* name) {
  const tf::AttrValue* v = FindAttr(n.def(), name);
  if (v == nullptr || !v->has_list()) return -1;
  return std::max({v->list().type_size(), v->list().shape_size(), v->list().s_size()});
}

// dense_shapes[i] as a partial shape (unknown rank when absent or invalid).
Shape DenseShape(const Node& n, int i) {
  const tf::AttrValue* v = FindAttr(n.def(), "dense_shapes");
  if (v == nullptr || i >= v->list().shape_size()) return Shape::UnknownRank();
  Result<Shape> s = Shape::FromProto(v->list().shape(i), /*allow_unknown=*/true);
  return s.ok() ? *s : Shape::UnknownRank();
}

// prefix ++ suffix; unknown rank if either is.
Shape Concat(const Shape& prefix, const Shape& suffix) {
  if (prefix.unknown_rank() || suffix.unknown_rank()) return Shape::UnknownRank();
  std::vector<int64_t> dims = prefix.dims();
  dims.insert(dims.end(), suffix.dims().begin(), suffix.dims().end());
  return Shape(std::move(dims));
}

// Fills the outputs of a Parse*Example node. `input` is the shape of
// `serialized` as the op sees it (a vector, or a scalar for the single op).
void ParseShapes(const Node& n, const Shape& input, int num_sparse, int num_dense, int num_ragged,
                 std::vector<Shape>* out) {
  if (num_sparse < 0 || num_dense < 0 || num_ragged < 0) return;
  const size_t needed = static_cast<size_t>(3 * num_sparse + num_dense + 2 * num_ragged);
  if (needed != out->size()) return;  // attrs disagree; the kernel reports it
  const int64_t rank = input.unknown_rank() ? -1 : input.rank() + 1;
  size_t k = 0;
  for (int i = 0; i < num_sparse; ++i) (*out)[k++] = Shape{-1, rank};
  for (int i = 0; i < num_sparse; ++i) (*out)[k++] = Shape{-1};
  for (int i = 0; i < num_sparse; ++i) (*out)[k++] = Shape{rank};
  for (int i = 0; i < num_dense; ++i) (*out)[k++] = Concat(input, DenseShape(n, i));
  int64_t splits = -1;
  if (!input.unknown_rank() && input.rank() == 1 && input.dim(0) >= 0) splits = input.dim(0) + 1;
  for (int i = 0; i < num_ragged; ++i) (*out)[k++] = Shape{-1};
  for (int i = 0; i < num_ragged; ++i) (*out)[k++] = Shape{splits};
}

// A shape for `serialized` once the op's rank requirement is known: the
// input's own shape when it has an allowed rank, else unknown.
Shape SerializedShape(const Node& n, int min_rank, int max_rank) {
  Shape s = InputShape(n, 0);
  if (s.unknown_rank()) return s;
  if (s.rank() < min_rank || s.rank() > max_rank) return Shape::UnknownRank();
  return s;
}

}  // namespace

void RegisterParsingOps(OpRegistry& r) {
  MustRegister(r, OpDefBuilder("ParseExample")
                      .Input("serialized: string")
                      .Input("names: string")
                      .Input("sparse_keys: Nsparse * string")
                      .Input("dense_keys: Ndense * string")
                      .Input("dense_defaults: Tdense")
                      .Output("sparse_indices: Nsparse * int64")
                      .Output("sparse_values: sparse_types")
                      .Output("sparse_shapes: Nsparse * int64")
                      .Output("dense_values: Tdense")
                      .Attr("Nsparse: int >= 0")
                      .Attr("Ndense: int >= 0")
                      .Attr("sparse_types: list({float,int64,string}) >= 0")
                      .Attr("Tdense: list({float,int64,string}) >= 0")
                      .Attr("dense_shapes: list(shape) >= 0"));
  MustSetShapeFn(r, "ParseExample", [](const Node& n, std::vector<Shape>* out) {
    Shape input = SerializedShape(n, 1, 1);
    if (input.unknown_rank()) input = Shape{-1};  // the op requires a vector
    ParseShapes(n, input, static_cast<int>(IntAttrOr(n, "Nsparse", -1)),
                static_cast<int>(IntAttrOr(n, "Ndense", -1)), 0, out);
  });

  MustRegister(r, OpDefBuilder("ParseExampleV2")
                      .Input("serialized: string")
                      .Input("names: string")
                      .Input("sparse_keys: string")
                      .Input("dense_keys: string")
                      .Input("ragged_keys: string")
                      .Input("dense_defaults: Tdense")
                      .Output("sparse_indices: num_sparse * int64")
                      .Output("sparse_values: sparse_types")
                      .Output("sparse_shapes: num_sparse * int64")
                      .Output("dense_values: Tdense")
                      .Output("ragged_values: ragged_value_types")
                      .Output("ragged_row_splits: ragged_split_types")
                      .Attr("Tdense: list({float,int64,string}) >= 0")
                      .Attr("num_sparse: int >= 0")
                      .Attr("sparse_types: list({float,int64,string}) >= 0")
                      .Attr("ragged_value_types: list({float,int64,string}) >= 0")
                      .Attr("ragged_split_types: list({int32,int64}) >= 0")
                      .Attr("dense_shapes: list(shape) >= 0"));
  MustSetShapeFn(r, "ParseExampleV2", [](const Node& n, std::vector<Shape>* out) {
    ParseShapes(n, SerializedShape(n, 0, 1), static_cast<int>(IntAttrOr(n, "num_sparse", -1)),
                ListLength(n, "Tdense"), ListLength(n, "ragged_value_types"), out);
  });

  MustRegister(r, OpDefBuilder("ParseSingleExample")
                      .Input("serialized: string")
                      .Input("dense_defaults: Tdense")
                      .Output("sparse_indices: num_sparse * int64")
                      .Output("sparse_values: sparse_types")
                      .Output("sparse_shapes: num_sparse * int64")
                      .Output("dense_values: Tdense")
                      .Attr("num_sparse: int >= 0")
                      .Attr("sparse_keys: list(string) >= 0")
                      .Attr("dense_keys: list(string) >= 0")
                      .Attr("sparse_types: list({float,int64,string}) >= 0")
                      .Attr("Tdense: list({float,int64,string}) >= 0")
                      .Attr("dense_shapes: list(shape) >= 0"));
  MustSetShapeFn(r, "ParseSingleExample", [](const Node& n, std::vector<Shape>* out) {
    ParseShapes(n, Shape{}, static_cast<int>(IntAttrOr(n, "num_sparse", -1)),
                ListLength(n, "Tdense"), 0, out);
  });
}

}  // namespace tfport::graph::internal
