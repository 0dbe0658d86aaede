#include "graph/shape_inference.h"

#include <functional>
#include <set>
#include <string>
#include <unordered_map>

#include "tfport/graph/graph.h"

namespace tfport::graph::internal {
namespace {

Shape AttrShape(const Node& n, const char* name) {
  const tf::AttrValue* v = FindAttr(n.def(), name);
  if (v == nullptr || !v->has_shape()) return Shape::UnknownRank();
  Result<Shape> s = Shape::FromProto(v->shape(), /*allow_unknown=*/true);
  return s.ok() ? *s : Shape::UnknownRank();
}

Shape InputShape(const Node& n, int i) {
  return i < n.num_inputs() ? n.input(i).shape() : Shape::UnknownRank();
}

using ShapeFn = std::function<void(const Node&, std::vector<Shape>*)>;

void SameAsInput0(const Node& n, std::vector<Shape>* out) {
  for (auto& s : *out) s = InputShape(n, 0);
}

void Broadcast01(const Node& n, std::vector<Shape>* out) {
  (*out)[0] = BroadcastShapes(InputShape(n, 0), InputShape(n, 1));
}

const std::unordered_map<std::string, ShapeFn>& Table() {
  static const auto* table = [] {
    auto* t = new std::unordered_map<std::string, ShapeFn>();
    auto& m = *t;
    for (const char* op : {"Placeholder", "VariableV2", "Variable"})
      m[op] = [](const Node& n, std::vector<Shape>* out) { (*out)[0] = AttrShape(n, "shape"); };
    m["PlaceholderWithDefault"] = [](const Node& n, std::vector<Shape>* out) {
      (*out)[0] = AttrShape(n, "shape");
    };
    // A function argument: the shape its instantiation recorded, if any.
    m["_Arg"] = [](const Node& n, std::vector<Shape>* out) { (*out)[0] = AttrShape(n, "_shape"); };
    m["VarHandleOp"] = [](const Node&, std::vector<Shape>* out) { (*out)[0] = Shape{}; };
    m["Const"] = [](const Node& n, std::vector<Shape>* out) {
      const tf::AttrValue* v = FindAttr(n.def(), "value");
      if (v && v->has_tensor()) {
        Result<Shape> s = Shape::FromProto(v->tensor().tensor_shape());
        if (s.ok()) (*out)[0] = *s;
      }
    };
    for (const char* op :
         {"Identity", "StopGradient", "PreventGradient", "Neg", "Abs", "Sign", "Square", "Sqrt",
          "Rsqrt", "Reciprocal", "Inv", "Exp", "Log", "Floor", "Ceil", "Round", "Sigmoid", "Tanh",
          "Relu", "Relu6", "Elu", "Selu", "LeakyRelu", "Softplus", "LogicalNot", "Cast",
          "Softmax", "LogSoftmax", "BiasAdd", "Assign", "AssignAdd",
          "AssignSub", "Snapshot", "CheckNumerics", "Enter", "Exit", "NextIteration",
          "LoopCond", "RefIdentity", "ReluGrad", "SigmoidGrad", "TanhGrad"})
      m[op] = SameAsInput0;
    for (const char* op :
         {"Add", "AddV2", "Sub", "Mul", "RealDiv", "Div", "DivNoNan", "FloorDiv", "FloorMod",
          "Maximum", "Minimum", "Pow", "SquaredDifference", "Equal", "NotEqual", "Less",
          "LessEqual", "Greater", "GreaterEqual", "LogicalAnd", "LogicalOr"})
      m[op] = Broadcast01;
    m["MatMul"] = [](const Node& n, std::vector<Shape>* out) {
      Shape a = InputShape(n, 0), b = InputShape(n, 1);
      if (a.unknown_rank() || b.unknown_rank() || a.rank() != 2 || b.rank() != 2) return;
      Result<bool> ta = GetBoolAttr(n.def(), "transpose_a");
      Result<bool> tb = GetBoolAttr(n.def(), "transpose_b");
      (*out)[0] = Shape{a.dim(ta.ok() && *ta ? 1 : 0), b.dim(tb.ok() && *tb ? 0 : 1)};
    };
    m["Switch"] = m["RefSwitch"] = SameAsInput0;
    return t;
  }();
  return *table;
}

}  // namespace

Shape BroadcastShapes(const Shape& a, const Shape& b) {
  if (a.unknown_rank() || b.unknown_rank()) return Shape::UnknownRank();
  int rank = std::max(a.rank(), b.rank());
  std::vector<int64_t> dims(static_cast<size_t>(rank));
  for (int i = 0; i < rank; ++i) {
    int ia = a.rank() - rank + i, ib = b.rank() - rank + i;
    int64_t da = ia >= 0 ? a.dim(ia) : 1, db = ib >= 0 ? b.dim(ib) : 1;
    int64_t d;
    if (da == 1) {
      d = db;
    } else if (db == 1) {
      d = da;
    } else if (da == -1 || db == -1) {
      d = da == -1 ? db : da;
    } else if (da == db) {
      d = da;
    } else {
      return Shape::UnknownRank();  // incompatible: the kernel will report it
    }
    dims[static_cast<size_t>(i)] = d;
  }
  return Shape(std::move(dims));
}

void InferOutputShapes(const Node& node, std::vector<Shape>* out) {
  const auto& table = Table();
  auto it = table.find(node.op());
  if (it != table.end()) it->second(node, out);
}

}  // namespace tfport::graph::internal
