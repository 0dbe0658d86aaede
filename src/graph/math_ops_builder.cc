// Builders of the math ops (include/tfport/graph/math_ops.h).
#include "tfport/graph/math_ops.h"

namespace tfport::ops {

Output Axes::Get(Graph& g, const std::string& name) const {
  if (is_tensor_) return tensor_;
  std::vector<int32_t> v(values_.begin(), values_.end());
  Tensor t = scalar_ ? Tensor::Scalar<int32_t>(v[0])
                     : Tensor::FromVector<int32_t>(v, Shape{static_cast<int64_t>(v.size())});
  return Const(g, t, name);
}

namespace {

Output Unary(Graph& g, const char* op, Output x, const std::string& name) {
  return Op(g, {op, {x}, {}, {}, name});
}
Output Binary(Graph& g, const char* op, Output x, Output y, const std::string& name) {
  return Op(g, {op, {x, y}, {}, {}, name});
}

// The op takes its name scope's name and its axes Const lives inside it
// ("Sum/reduction_indices"), as in TensorFlow's Python wrappers.
Output WithAxes(Graph& g, const char* op, Output input, const Axes& axes, const char* axes_name,
                std::vector<Attr> attrs, const std::string& name) {
  if (!g.status().ok()) return {};
  Graph::NameScope scope(g, name.empty() ? op : name);
  const std::string base = scope.scope();
  Output a = axes.Get(g, axes_name);
  return Op(g, {op, {input, a}, std::move(attrs), {}, base + "/"});
}

Output Reduce(Graph& g, const char* op, Output input, const Axes& axes, bool keep_dims,
              const std::string& name) {
  return WithAxes(g, op, input, axes, "reduction_indices", {AttrBool("keep_dims", keep_dims)}, name);
}

}  // namespace

#define TFPORT_BINARY(Name)                                                    \
  Output Name(Graph& g, Output x, Output y, const std::string& name) {         \
    return Binary(g, #Name, x, y, name);                                       \
  }
TFPORT_BINARY(Add)
TFPORT_BINARY(AddV2)
TFPORT_BINARY(Sub)
TFPORT_BINARY(Mul)
TFPORT_BINARY(RealDiv)
TFPORT_BINARY(Div)
TFPORT_BINARY(DivNoNan)
TFPORT_BINARY(FloorDiv)
TFPORT_BINARY(FloorMod)
TFPORT_BINARY(Maximum)
TFPORT_BINARY(Minimum)
TFPORT_BINARY(Pow)
TFPORT_BINARY(SquaredDifference)
TFPORT_BINARY(Equal)
TFPORT_BINARY(NotEqual)
TFPORT_BINARY(Less)
TFPORT_BINARY(LessEqual)
TFPORT_BINARY(Greater)
TFPORT_BINARY(GreaterEqual)
TFPORT_BINARY(LogicalAnd)
TFPORT_BINARY(LogicalOr)
#undef TFPORT_BINARY

#define TFPORT_UNARY(Name)                                       \
  Output Name(Graph& g, Output x, const std::string& name) {     \
    return Unary(g, #Name, x, name);                             \
  }
TFPORT_UNARY(Neg)
TFPORT_UNARY(Abs)
TFPORT_UNARY(Sign)
TFPORT_UNARY(Square)
TFPORT_UNARY(Sqrt)
TFPORT_UNARY(Rsqrt)
TFPORT_UNARY(Reciprocal)
TFPORT_UNARY(Inv)
TFPORT_UNARY(Exp)
TFPORT_UNARY(Log)
TFPORT_UNARY(Floor)
TFPORT_UNARY(Ceil)
TFPORT_UNARY(Round)
TFPORT_UNARY(Sigmoid)
TFPORT_UNARY(Tanh)
TFPORT_UNARY(LogicalNot)
TFPORT_UNARY(Relu)
TFPORT_UNARY(Relu6)
TFPORT_UNARY(Elu)
TFPORT_UNARY(Selu)
TFPORT_UNARY(Softplus)
#undef TFPORT_UNARY

Output AddN(Graph& g, const std::vector<Output>& inputs, const std::string& name) {
  return Op(g, {"AddN", inputs, {}, {}, name});
}

Output LeakyRelu(Graph& g, Output features, float alpha, const std::string& name) {
  return Op(g, {"LeakyRelu", {features}, {AttrFloat("alpha", alpha)}, {}, name});
}

Output Select(Graph& g, Output condition, Output t, Output e, const std::string& name) {
  return Op(g, {"Select", {condition, t, e}, {}, {}, name});
}
Output SelectV2(Graph& g, Output condition, Output t, Output e, const std::string& name) {
  return Op(g, {"SelectV2", {condition, t, e}, {}, {}, name});
}

Output Cast(Graph& g, Output x, DataType dtype, const std::string& name, bool truncate) {
  return Op(g, {"Cast", {x}, {AttrType("DstT", dtype), AttrBool("Truncate", truncate)}, {}, name});
}

#define TFPORT_REDUCE(Name)                                                                  \
  Output Name(Graph& g, Output input, const Axes& axes, bool keep_dims, const std::string& name) { \
    return Reduce(g, #Name, input, axes, keep_dims, name);                                   \
  }
TFPORT_REDUCE(Sum)
TFPORT_REDUCE(Mean)
TFPORT_REDUCE(Prod)
TFPORT_REDUCE(Max)
TFPORT_REDUCE(Min)
TFPORT_REDUCE(All)
TFPORT_REDUCE(Any)
#undef TFPORT_REDUCE

Output ArgMax(Graph& g, Output input, const Axes& axis, DataType output_type, const std::string& name) {
  return WithAxes(g, "ArgMax", input, axis, "dimension", {AttrType("output_type", output_type)}, name);
}
Output ArgMin(Graph& g, Output input, const Axes& axis, DataType output_type, const std::string& name) {
  return WithAxes(g, "ArgMin", input, axis, "dimension", {AttrType("output_type", output_type)}, name);
}

}  // namespace tfport::ops
