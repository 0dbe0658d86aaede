// tfport: builders for the math ops (tf.math / tf.nn activations, TF1 graph
// mode). Conventions as in ops.h: graph first, optional name last, errors
// recorded in g.status().
//
//   auto y = ops::Relu(g, ops::Add(g, ops::MatMul(...), b));
//   auto mean = ops::Mean(g, y, {0, 1}, /*keep_dims=*/true);
//   auto label = ops::ArgMax(g, logits, 1);
//
// Reductions and arg-reductions take their axes as a graph tensor or as
// constants; constants become an int32 Const named "<op>/reduction_indices"
// ("<op>/dimension" for ArgMax/ArgMin), as TensorFlow's Python wrappers name
// them.
#pragma once

#include <initializer_list>
#include <string>
#include <vector>

#include "tfport/graph/ops.h"

namespace tfport::ops {

// The axes of a reduction: a tensor, one axis (a scalar) or a list (a vector).
class Axes {
 public:
  Axes(Output tensor) : tensor_(tensor), is_tensor_(true) {}      // NOLINT: implicit
  Axes(int64_t axis) : values_{axis}, scalar_(true) {}           // NOLINT
  Axes(int axis) : values_{axis}, scalar_(true) {}               // NOLINT
  Axes(std::initializer_list<int64_t> axes) : values_(axes) {}   // NOLINT
  Axes(std::vector<int64_t> axes) : values_(std::move(axes)) {}  // NOLINT

  // The tensor, or a new int32 Const `name` holding the values.
  Output Get(Graph& g, const std::string& name) const;

 private:
  Output tensor_;
  std::vector<int64_t> values_;
  bool is_tensor_ = false;
  bool scalar_ = false;
};

// ---- elementwise binary (NumPy broadcasting)
Output Add(Graph& g, Output x, Output y, const std::string& name = "");
Output AddV2(Graph& g, Output x, Output y, const std::string& name = "");
Output Sub(Graph& g, Output x, Output y, const std::string& name = "");
Output Mul(Graph& g, Output x, Output y, const std::string& name = "");
Output RealDiv(Graph& g, Output x, Output y, const std::string& name = "");
Output Div(Graph& g, Output x, Output y, const std::string& name = "");
Output DivNoNan(Graph& g, Output x, Output y, const std::string& name = "");
Output FloorDiv(Graph& g, Output x, Output y, const std::string& name = "");
Output FloorMod(Graph& g, Output x, Output y, const std::string& name = "");
Output Maximum(Graph& g, Output x, Output y, const std::string& name = "");
Output Minimum(Graph& g, Output x, Output y, const std::string& name = "");
Output Pow(Graph& g, Output x, Output y, const std::string& name = "");
Output SquaredDifference(Graph& g, Output x, Output y, const std::string& name = "");
Output Equal(Graph& g, Output x, Output y, const std::string& name = "");
Output NotEqual(Graph& g, Output x, Output y, const std::string& name = "");
Output Less(Graph& g, Output x, Output y, const std::string& name = "");
Output LessEqual(Graph& g, Output x, Output y, const std::string& name = "");
Output Greater(Graph& g, Output x, Output y, const std::string& name = "");
Output GreaterEqual(Graph& g, Output x, Output y, const std::string& name = "");
Output LogicalAnd(Graph& g, Output x, Output y, const std::string& name = "");
Output LogicalOr(Graph& g, Output x, Output y, const std::string& name = "");

// Sum of same-shaped tensors (no broadcasting).
Output AddN(Graph& g, const std::vector<Output>& inputs, const std::string& name = "");

// ---- elementwise unary
Output Neg(Graph& g, Output x, const std::string& name = "");
Output Abs(Graph& g, Output x, const std::string& name = "");
Output Sign(Graph& g, Output x, const std::string& name = "");
Output Square(Graph& g, Output x, const std::string& name = "");
Output Sqrt(Graph& g, Output x, const std::string& name = "");
Output Rsqrt(Graph& g, Output x, const std::string& name = "");
Output Reciprocal(Graph& g, Output x, const std::string& name = "");
Output Inv(Graph& g, Output x, const std::string& name = "");
Output Exp(Graph& g, Output x, const std::string& name = "");
Output Log(Graph& g, Output x, const std::string& name = "");
Output Floor(Graph& g, Output x, const std::string& name = "");
Output Ceil(Graph& g, Output x, const std::string& name = "");
Output Round(Graph& g, Output x, const std::string& name = "");
Output Sigmoid(Graph& g, Output x, const std::string& name = "");
Output Tanh(Graph& g, Output x, const std::string& name = "");
Output LogicalNot(Graph& g, Output x, const std::string& name = "");

// ---- activations
Output Relu(Graph& g, Output features, const std::string& name = "");
Output Relu6(Graph& g, Output features, const std::string& name = "");
Output Elu(Graph& g, Output features, const std::string& name = "");
Output Selu(Graph& g, Output features, const std::string& name = "");
Output Softplus(Graph& g, Output features, const std::string& name = "");
Output LeakyRelu(Graph& g, Output features, float alpha = 0.2f, const std::string& name = "");

// ---- selection and conversion
// TF1 Select: condition has the shape of t/e, or is a vector choosing rows,
// or is a scalar.
Output Select(Graph& g, Output condition, Output t, Output e, const std::string& name = "");
// condition, t and e broadcast together.
Output SelectV2(Graph& g, Output condition, Output t, Output e, const std::string& name = "");
Output Cast(Graph& g, Output x, DataType dtype, const std::string& name = "", bool truncate = false);

// ---- reductions
Output Sum(Graph& g, Output input, const Axes& axes, bool keep_dims = false, const std::string& name = "");
Output Mean(Graph& g, Output input, const Axes& axes, bool keep_dims = false, const std::string& name = "");
Output Prod(Graph& g, Output input, const Axes& axes, bool keep_dims = false, const std::string& name = "");
Output Max(Graph& g, Output input, const Axes& axes, bool keep_dims = false, const std::string& name = "");
Output Min(Graph& g, Output input, const Axes& axes, bool keep_dims = false, const std::string& name = "");
Output All(Graph& g, Output input, const Axes& axes, bool keep_dims = false, const std::string& name = "");
Output Any(Graph& g, Output input, const Axes& axes, bool keep_dims = false, const std::string& name = "");

// Index of the largest / smallest value along `axis` (a scalar).
Output ArgMax(Graph& g, Output input, const Axes& axis, DataType output_type = DT_INT64,
              const std::string& name = "");
Output ArgMin(Graph& g, Output input, const Axes& axis, DataType output_type = DT_INT64,
              const std::string& name = "");

}  // namespace tfport::ops
