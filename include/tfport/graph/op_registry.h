// tfport: the op registry — what TensorFlow's OpDefs say about each op tfport
// knows: inputs, outputs, attrs with their types, constraints and defaults.
//
// Ops are declared with TensorFlow's REGISTER_OP spec syntax, e.g.
//   OpDefBuilder("MatMul")
//       .Input("a: T").Input("b: T").Output("product: T")
//       .Attr("transpose_a: bool = false").Attr("transpose_b: bool = false")
//       .Attr("T: {bfloat16, half, float, double, int32, int64}")
// and registered from explicit tables (src/graph/ops/*.cc), never from static
// initializers. The registry answers: the OpDef of an op, a NodeDef with its
// missing attrs filled from defaults, and the dtypes of a node's inputs and
// outputs.
//
// Thread-safety: the global registry is built once on first use and is
// read-only afterwards.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tfport/core/dtype.h"
#include "tfport/core/shape.h"
#include "tfport/core/status.h"
#include "tfport/tf/node_def.pb.h"
#include "tfport/tf/op_def.pb.h"

namespace tfport::graph {

class Node;

// Computes a node's static output shapes from its attrs and input shapes.
// REQUIRES: out has one entry per output, each unknown rank on entry; leave
// an entry unknown when it cannot be known statically.
using ShapeFn = std::function<void(const Node& node, std::vector<Shape>* out)>;

class OpDefBuilder {
 public:
  explicit OpDefBuilder(std::string name);
  OpDefBuilder& Input(std::string spec);
  OpDefBuilder& Output(std::string spec);
  OpDefBuilder& Attr(std::string spec);
  OpDefBuilder& SetIsStateful();
  OpDefBuilder& SetIsCommutative();
  OpDefBuilder& SetIsAggregate();
  OpDefBuilder& SetAllowsUninitializedInput();
  OpDefBuilder& ControlOutput(std::string name);

  // Parses the specs into an OpDef. Errors: INVALID_ARGUMENT naming the op
  // and the spec that does not parse.
  Result<tf::OpDef> Build() const;

 private:
  std::string name_;
  std::vector<std::string> inputs_, outputs_, attrs_, control_outputs_;
  bool stateful_ = false, commutative_ = false, aggregate_ = false, uninit_ = false;
};

class OpRegistry {
 public:
  OpRegistry() = default;
  // A registry layered over `fallback`: lookups that miss here go on to it
  // (a function library's signatures as ops, over the global registry).
  explicit OpRegistry(const OpRegistry* fallback) : fallback_(fallback) {}

  // The registry holding every op tfport supports (RegisterAllOps).
  static const OpRegistry& Global();

  // Registers an op. Errors: ALREADY_EXISTS for a duplicate name, or the
  // builder's parse error.
  Status Register(const OpDefBuilder& builder);
  Status Register(tf::OpDef def);

  // Static shape inference for an op (optional; unknown shapes otherwise).
  Status SetShapeFn(std::string_view op, ShapeFn fn);
  const ShapeFn* FindShapeFn(std::string_view op) const;

  // nullptr if the op is unknown.
  const tf::OpDef* Find(std::string_view op) const;
  // NOT_FOUND with TensorFlow's message "Op type not registered 'X' ...".
  Result<const tf::OpDef*> LookUp(std::string_view op) const;
  std::vector<std::string> ListOps() const;

 private:
  const OpRegistry* fallback_ = nullptr;
  std::map<std::string, tf::OpDef, std::less<>> ops_;
  std::map<std::string, ShapeFn, std::less<>> shape_fns_;
};

// Registers the ops of every family (src/graph/ops/*.cc).
void RegisterAllOps(OpRegistry& registry);

// Adds every attr the OpDef declares with a default and the node lacks.
void AddDefaultAttrs(const tf::OpDef& def, tf::NodeDef* node);

// Checks a node against its OpDef: required attrs present, attr values of
// the declared type and inside allowed_values/minimums, input count matching.
// Errors name the node: "{{node NAME}} (OP): ...".
Status ValidateNodeDef(const tf::NodeDef& node, const tf::OpDef& def);

// The dtypes of the node's inputs and outputs (DT_*_REF for ref args),
// resolved through its attrs. REQUIRES: attrs the args refer to are present.
Status InOutTypes(const tf::NodeDef& node, const tf::OpDef& def, std::vector<DataType>* inputs,
                  std::vector<DataType>* outputs);

// Typed attr access with TensorFlow's error text when missing or mistyped.
Result<DataType> GetTypeAttr(const tf::NodeDef& node, std::string_view name);
Result<int64_t> GetIntAttr(const tf::NodeDef& node, std::string_view name);
Result<float> GetFloatAttr(const tf::NodeDef& node, std::string_view name);
Result<bool> GetBoolAttr(const tf::NodeDef& node, std::string_view name);
Result<std::string> GetStringAttr(const tf::NodeDef& node, std::string_view name);
Result<std::vector<int64_t>> GetIntListAttr(const tf::NodeDef& node, std::string_view name);
Result<std::vector<DataType>> GetTypeListAttr(const tf::NodeDef& node, std::string_view name);
const tf::AttrValue* FindAttr(const tf::NodeDef& node, std::string_view name);

// "{{node NAME}} (OP)" — the location marker TensorFlow's tooling looks for.
std::string NodeLocation(const tf::NodeDef& node);

}  // namespace tfport::graph
