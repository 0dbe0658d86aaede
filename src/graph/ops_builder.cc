#include <algorithm>

#include "tfport/core/tensor_proto.h"
#include "tfport/graph/ops.h"
#include "tfport/tf/variable.pb.h"

namespace tfport::ops {

Attr AttrType(std::string name, DataType t) {
  Attr a{std::move(name), {}};
  a.value.set_type(t);
  return a;
}
Attr AttrInt(std::string name, int64_t v) {
  Attr a{std::move(name), {}};
  a.value.set_i(v);
  return a;
}
Attr AttrFloat(std::string name, float v) {
  Attr a{std::move(name), {}};
  a.value.set_f(v);
  return a;
}
Attr AttrBool(std::string name, bool v) {
  Attr a{std::move(name), {}};
  a.value.set_b(v);
  return a;
}
Attr AttrString(std::string name, std::string v) {
  Attr a{std::move(name), {}};
  a.value.set_s(std::move(v));
  return a;
}
Attr AttrShape(std::string name, const Shape& s) {
  Attr a{std::move(name), {}};
  s.ToProto(a.value.mutable_shape());
  return a;
}
Attr AttrInts(std::string name, const std::vector<int64_t>& v) {
  Attr a{std::move(name), {}};
  auto* list = a.value.mutable_list();
  for (int64_t x : v) list->add_i(x);
  return a;
}
Attr AttrTypes(std::string name, const std::vector<DataType>& v) {
  Attr a{std::move(name), {}};
  auto* list = a.value.mutable_list();
  for (DataType t : v) list->add_type(t);
  return a;
}
Attr AttrTensor(std::string name, const Tensor& t) {
  Attr a{std::move(name), {}};
  TensorToProto(t, a.value.mutable_tensor(), ProtoEncoding::kPython);
  return a;
}

namespace {

bool HasAttr(const OpSpec& spec, const std::string& name) {
  return std::any_of(spec.attrs.begin(), spec.attrs.end(),
                     [&](const Attr& a) { return a.name == name; });
}

// Fills type attrs ("T"), list lengths ("N") and type lists from the inputs.
Status InferAttrs(const tf::OpDef& def, OpSpec* spec) {
  // How many inputs each arg takes: single args take 1; one list arg takes
  // the rest (or its "N" when given).
  int lists = 0;
  for (const auto& arg : def.input_arg())
    if (!arg.number_attr().empty() || !arg.type_list_attr().empty()) ++lists;
  if (lists > 1) return OkStatus();  // caller must give every attr
  const int total = static_cast<int>(spec->inputs.size());
  const int singles = def.input_arg_size() - lists;
  int pos = 0;
  for (const auto& arg : def.input_arg()) {
    bool is_list = !arg.number_attr().empty() || !arg.type_list_attr().empty();
    int count = is_list ? total - singles : 1;
    if (count < 0 || pos + count > total)
      return errors::InvalidArgument("op ", def.name(), " expects ", def.input_arg_size(),
                                     " input args, got ", total, " inputs");
    if (!arg.number_attr().empty() && !HasAttr(*spec, arg.number_attr()))
      spec->attrs.push_back(AttrInt(arg.number_attr(), count));
    if (!arg.type_attr().empty() && !HasAttr(*spec, arg.type_attr()) && count > 0)
      spec->attrs.push_back(AttrType(arg.type_attr(), BaseType(spec->inputs[pos].dtype())));
    if (!arg.type_list_attr().empty() && !HasAttr(*spec, arg.type_list_attr())) {
      std::vector<DataType> types;
      for (int k = 0; k < count; ++k) types.push_back(BaseType(spec->inputs[pos + k].dtype()));
      spec->attrs.push_back(AttrTypes(arg.type_list_attr(), types));
    }
    pos += count;
  }
  return OkStatus();
}

// _class: ["loc:@var"] on ops TensorFlow colocates with a variable: those
// taking it by reference (Assign & co) and the `read` Identity of a ref.
void ColocateWithRefInput(const tf::OpDef& op, const OpSpec& spec, tf::NodeDef* def) {
  if (spec.inputs.empty() || !IsRefType(spec.inputs[0].dtype())) return;
  bool by_ref = op.input_arg_size() > 0 && op.input_arg(0).is_ref();
  if (!by_ref && spec.op != "Identity") return;
  (*def->mutable_attr())["_class"].mutable_list()->add_s("loc:@" + spec.inputs[0].node->name());
}

}  // namespace

Node* AddOp(Graph& g, OpSpec spec) {
  if (!g.status().ok()) return nullptr;
  for (const Output& in : spec.inputs)
    if (!in.valid()) {
      g.RecordError(errors::InvalidArgument("building ", spec.op, ": an input is invalid"));
      return nullptr;
    }
  Result<const tf::OpDef*> def = g.registry().LookUp(spec.op);
  if (!def.ok()) {
    g.RecordError(def.status());
    return nullptr;
  }
  Status s = InferAttrs(**def, &spec);
  if (!s.ok()) {
    g.RecordError(s);
    return nullptr;
  }
  tf::NodeDef node;
  // A name ending in '/' is a scope's own name, used verbatim (as
  // tf.Variable names its op after its name scope).
  if (!spec.name.empty() && spec.name.back() == '/') {
    node.set_name(spec.name.substr(0, spec.name.size() - 1));
  } else {
    node.set_name(g.UniqueName(spec.name.empty() ? spec.op : spec.name));
  }
  node.set_op(spec.op);
  node.set_device(g.default_device());
  for (const Output& in : spec.inputs)
    node.add_input(in.index == 0 ? in.node->name() : in.name());
  for (const Node* c : spec.control_inputs) node.add_input("^" + c->name());
  for (auto& a : spec.attrs) (*node.mutable_attr())[a.name] = std::move(a.value);
  ColocateWithRefInput(**def, spec, &node);
  Result<Node*> n = g.AddNode(std::move(node));
  if (!n.ok()) {
    g.RecordError(n.status());
    return nullptr;
  }
  return *n;
}

Output Op(Graph& g, OpSpec spec) {
  Node* n = AddOp(g, std::move(spec));
  return n ? Output{n, 0} : Output{};
}

// ---------------------------------------------------------------- base ops

Output Placeholder(Graph& g, DataType dtype, const Shape& shape, const std::string& name) {
  return Op(g, {"Placeholder", {}, {AttrType("dtype", dtype), AttrShape("shape", shape)}, {}, name});
}

Output PlaceholderWithDefault(Graph& g, Output input, const Shape& shape,
                              const std::string& name) {
  return Op(g, {"PlaceholderWithDefault", {input}, {AttrShape("shape", shape)}, {}, name});
}

Output Const(Graph& g, const Tensor& value, const std::string& name) {
  return Op(g, {"Const", {}, {AttrTensor("value", value), AttrType("dtype", value.dtype())}, {},
                name});
}

Output Identity(Graph& g, Output input, const std::string& name) {
  return Op(g, {"Identity", {input}, {}, {}, name});
}

Node* NoOp(Graph& g, const std::vector<Node*>& control_inputs, const std::string& name) {
  return AddOp(g, {"NoOp", {}, {}, control_inputs, name});
}

Output StopGradient(Graph& g, Output input, const std::string& name) {
  return Op(g, {"StopGradient", {input}, {}, {}, name});
}

Node* Group(Graph& g, const std::vector<Node*>& ops, const std::string& name) {
  return NoOp(g, ops, name);
}

// ---------------------------------------------------------------- variables

Output Assign(Graph& g, Output ref, Output value, const std::string& name) {
  return Op(g, {"Assign", {ref, value}, {}, {}, name});
}
Output AssignAdd(Graph& g, Output ref, Output value, const std::string& name) {
  return Op(g, {"AssignAdd", {ref, value}, {}, {}, name});
}
Output AssignSub(Graph& g, Output ref, Output value, const std::string& name) {
  return Op(g, {"AssignSub", {ref, value}, {}, {}, name});
}
Output ReadVariableOp(Graph& g, Output resource, DataType dtype, const std::string& name) {
  return Op(g, {"ReadVariableOp", {resource}, {AttrType("dtype", dtype)}, {}, name});
}
Node* AssignVariableOp(Graph& g, Output resource, Output value, const std::string& name) {
  return AddOp(g, {"AssignVariableOp", {resource, value}, {AttrType("dtype", value.dtype())}, {},
                   name});
}

namespace {

Var MakeVariable(Graph& g, const Tensor* init_tensor, Output init_output,
                      const std::string& name, const VariableOptions& options) {
  Var v;
  v.resource = options.resource;
  if (!g.status().ok()) return v;
  Graph::NameScope scope(g, name.empty() ? "Variable" : name);
  const std::string base = scope.scope();
  v.initial_value = init_tensor ? Const(g, *init_tensor, "initial_value")
                                : Identity(g, init_output, "initial_value");
  if (!v.initial_value.valid()) return v;
  const DataType dtype = BaseType(v.initial_value.dtype());
  const Shape shape = v.initial_value.shape();
  // The variable op takes the scope's own name.
  if (options.resource) {
    v.variable = Op(g, {"VarHandleOp", {},
                        {AttrType("dtype", dtype), AttrShape("shape", shape),
                         AttrString("shared_name", base)}, {}, base + "/"});
  } else {
    v.variable = Op(g, {"VariableV2", {},
                        {AttrType("dtype", dtype), AttrShape("shape", shape)}, {}, base + "/"});
  }
  if (!v.variable.valid()) return v;
  tf::VariableDef def;
  def.set_variable_name(v.variable.name());
  def.set_initial_value_name(v.initial_value.name());
  def.set_trainable(options.trainable);
  if (options.resource) {
    {
      Graph::NameScope s(g, "IsInitialized");
      Op(g, {"VarIsInitializedOp", {v.variable}, {}, {}, ""});
    }
    v.initializer = AssignVariableOp(g, v.variable, v.initial_value, "Assign");
    {
      Graph::NameScope s(g, "Read");
      v.value = ReadVariableOp(g, v.variable, dtype, "");
    }
    def.set_is_resource(true);
  } else {
    Output assign = Assign(g, v.variable, v.initial_value, "Assign");
    v.initializer = assign.node;
    v.value = Identity(g, v.variable, "read");  // colocated with the variable
  }
  if (!g.status().ok() || !v.initializer || !v.value.valid()) return v;
  def.set_initializer_name(v.initializer->name());
  def.set_snapshot_name(v.value.name());
  std::string bytes = def.SerializeAsString();
  std::vector<std::string> collections = options.collections;
  if (collections.empty()) collections.push_back("variables");
  for (const auto& c : collections) g.AddBytesToCollection(c, bytes);
  if (options.trainable) g.AddBytesToCollection("trainable_variables", bytes);
  return v;
}

}  // namespace

Var Variable(Graph& g, const Tensor& initial_value, const std::string& name,
                  const VariableOptions& options) {
  return MakeVariable(g, &initial_value, Output{}, name, options);
}

Var Variable(Graph& g, Output initial_value, const std::string& name,
                  const VariableOptions& options) {
  return MakeVariable(g, nullptr, initial_value, name, options);
}

namespace {
std::vector<tf::VariableDef> ReadCollection(const Graph& g, const std::string& key) {
  std::vector<tf::VariableDef> out;
  auto it = g.collections().find(key);
  if (it == g.collections().end()) return out;
  for (const auto& bytes : it->second.bytes_list().value()) {
    tf::VariableDef d;
    if (d.ParseFromString(bytes)) out.push_back(std::move(d));
  }
  return out;
}
}  // namespace

std::vector<tf::VariableDef> GlobalVariables(const Graph& g) { return ReadCollection(g, "variables"); }
std::vector<tf::VariableDef> TrainableVariables(const Graph& g) {
  return ReadCollection(g, "trainable_variables");
}

Node* VariablesInitializer(Graph& g, const std::vector<tf::VariableDef>& vars,
                           const std::string& name) {
  std::vector<Node*> inits;
  for (const auto& v : vars) {
    Node* n = g.FindNode(v.initializer_name());
    if (n == nullptr) {
      g.RecordError(errors::NotFound("initializer '", v.initializer_name(), "' of variable ",
                                     v.variable_name(), " is not in the graph"));
      return nullptr;
    }
    inits.push_back(n);
  }
  return NoOp(g, inits, name);
}

Node* GlobalVariablesInitializer(Graph& g) { return VariablesInitializer(g, GlobalVariables(g)); }

// ---------------------------------------------------------------- control flow

SwitchOutputs Switch(Graph& g, Output data, Output pred, const std::string& name) {
  Node* n = AddOp(g, {IsRefType(data.dtype()) ? "RefSwitch" : "Switch", {data, pred}, {}, {}, name});
  if (n == nullptr) return {};
  return {Output{n, 0}, Output{n, 1}};
}

Output Merge(Graph& g, const std::vector<Output>& inputs, const std::string& name) {
  return Op(g, {"Merge", inputs, {}, {}, name});
}

}  // namespace tfport::ops
