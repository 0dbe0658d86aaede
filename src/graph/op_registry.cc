#include "tfport/graph/op_registry.h"

#include <google/protobuf/text_format.h>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace tfport::graph {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> SplitList(std::string_view s) {
  std::vector<std::string_view> out;
  s = Trim(s);
  if (s.empty()) return out;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == ',') {
      out.push_back(Trim(s.substr(start, i - start)));
      start = i + 1;
    }
  }
  return out;
}

// TensorFlow's named dtype sets (types.h: kNumberTypes, kRealNumberTypes...).
const std::vector<DataType>* NamedTypeSet(std::string_view name) {
  static const std::vector<DataType> kNumber = {
      DT_FLOAT, DT_DOUBLE, DT_INT32, DT_UINT8, DT_INT16, DT_INT8, DT_COMPLEX64, DT_INT64,
      DT_QINT8, DT_QUINT8, DT_QINT32, DT_BFLOAT16, DT_QINT16, DT_QUINT16, DT_UINT16,
      DT_COMPLEX128, DT_HALF, DT_UINT32, DT_UINT64};
  static const std::vector<DataType> kRealNumber = {
      DT_FLOAT, DT_DOUBLE, DT_INT32, DT_UINT8, DT_INT16, DT_INT8, DT_INT64, DT_BFLOAT16,
      DT_UINT16, DT_HALF, DT_UINT32, DT_UINT64};
  static const std::vector<DataType> kQuantized = {DT_QINT8, DT_QUINT8, DT_QINT32, DT_QINT16,
                                                   DT_QUINT16};
  if (name == "numbertype") return &kNumber;
  if (name == "realnumbertype") return &kRealNumber;
  if (name == "quantizedtype") return &kQuantized;
  return nullptr;
}

Result<DataType> ParseTypeName(std::string_view name) {
  if (name == "resource") return DT_RESOURCE;
  if (name == "variant") return DT_VARIANT;
  return DataTypeFromName(name);
}

Status ParseDefault(const std::string& type, std::string_view text, tf::AttrValue* out) {
  text = Trim(text);
  auto bad = [&] { return errors::InvalidArgument("bad default '", text, "' for ", type); };
  auto parse_int = [](std::string_view t, int64_t* v) {
    auto r = std::from_chars(t.data(), t.data() + t.size(), *v);
    return r.ec == std::errc() && r.ptr == t.data() + t.size();
  };
  auto parse_string = [](std::string_view t, std::string* v) {
    if (t.size() < 2 || (t.front() != '\'' && t.front() != '"') || t.back() != t.front())
      return false;
    *v = std::string(t.substr(1, t.size() - 2));
    return true;
  };
  if (type.starts_with("list(")) {
    auto* list = out->mutable_list();
    if (text.size() < 2 || text.front() != '[' || text.back() != ']') return bad();
    std::string inner = type.substr(5, type.size() - 6);
    for (std::string_view item : SplitList(text.substr(1, text.size() - 2))) {
      if (inner == "int") {
        int64_t v;
        if (!parse_int(item, &v)) return bad();
        list->add_i(v);
      } else if (inner == "float") {
        list->add_f(std::stof(std::string(item)));
      } else if (inner == "string") {
        std::string v;
        if (!parse_string(item, &v)) return bad();
        list->add_s(v);
      } else if (inner == "type") {
        TFPORT_ASSIGN_OR_RETURN(DataType t, ParseTypeName(item));
        list->add_type(t);
      } else if (inner == "bool") {
        list->add_b(item == "true");
      } else {
        return bad();
      }
    }
    return OkStatus();
  }
  if (type == "int") {
    int64_t v;
    if (!parse_int(text, &v)) return bad();
    out->set_i(v);
  } else if (type == "float") {
    out->set_f(std::stof(std::string(text)));
  } else if (type == "bool") {
    if (text != "true" && text != "false") return bad();
    out->set_b(text == "true");
  } else if (type == "string") {
    std::string v;
    if (!parse_string(text, &v)) return bad();
    out->set_s(v);
  } else if (type == "type") {
    TFPORT_ASSIGN_OR_RETURN(DataType t, ParseTypeName(text));
    out->set_type(t);
  } else if (type == "shape") {
    if (!google::protobuf::TextFormat::ParseFromString(
            std::string(text.substr(1, text.size() - 2)), out->mutable_shape()))
      return bad();
  } else {
    return bad();
  }
  return OkStatus();
}

Status ParseAttr(std::string_view spec, tf::OpDef::AttrDef* attr) {
  size_t colon = spec.find(':');
  if (colon == std::string_view::npos) return errors::InvalidArgument("missing ':'");
  attr->set_name(std::string(Trim(spec.substr(0, colon))));
  std::string_view rest = Trim(spec.substr(colon + 1));
  std::string_view deflt;
  size_t eq = rest.find('=');
  // '=' inside ">=" is not a default.
  while (eq != std::string_view::npos && eq > 0 && rest[eq - 1] == '>') eq = rest.find('=', eq + 1);
  if (eq != std::string_view::npos) {
    deflt = Trim(rest.substr(eq + 1));
    rest = Trim(rest.substr(0, eq));
  }
  size_t ge = rest.find(">=");
  if (ge != std::string_view::npos) {
    int64_t min = 0;
    std::string_view m = Trim(rest.substr(ge + 2));
    auto r = std::from_chars(m.data(), m.data() + m.size(), min);
    if (r.ec != std::errc()) return errors::InvalidArgument("bad minimum '", m, "'");
    attr->set_has_minimum(true);
    attr->set_minimum(min);
    rest = Trim(rest.substr(0, ge));
  }
  bool is_list = false;
  if (rest.starts_with("list(") && rest.ends_with(")")) {
    is_list = true;
    rest = Trim(rest.substr(5, rest.size() - 6));
  }
  std::string type;
  if (rest.starts_with("{")) {
    if (!rest.ends_with("}")) return errors::InvalidArgument("unterminated '{'");
    auto items = SplitList(rest.substr(1, rest.size() - 2));
    bool strings = !items.empty() && (items[0].front() == '\'' || items[0].front() == '"');
    type = strings ? "string" : "type";
    auto* allowed = attr->mutable_allowed_values()->mutable_list();
    for (std::string_view item : items) {
      if (strings) {
        allowed->add_s(std::string(item.substr(1, item.size() - 2)));
      } else if (const auto* set = NamedTypeSet(item)) {
        for (DataType t : *set) allowed->add_type(t);
      } else {
        TFPORT_ASSIGN_OR_RETURN(DataType t, ParseTypeName(item));
        allowed->add_type(t);
      }
    }
  } else if (const auto* set = NamedTypeSet(rest)) {
    type = "type";
    for (DataType t : *set) attr->mutable_allowed_values()->mutable_list()->add_type(t);
  } else {
    static const char* kTypes[] = {"type", "int", "float", "bool", "string", "shape", "tensor",
                                   "func"};
    if (std::find(std::begin(kTypes), std::end(kTypes), rest) == std::end(kTypes))
      return errors::InvalidArgument("unknown attr type '", rest, "'");
    type = std::string(rest);
  }
  if (is_list) type = "list(" + type + ")";
  attr->set_type(type);
  if (!deflt.empty()) TFPORT_RETURN_IF_ERROR(ParseDefault(type, deflt, attr->mutable_default_value()));
  return OkStatus();
}

Status ParseArg(std::string_view spec, const tf::OpDef& def, tf::OpDef::ArgDef* arg) {
  size_t colon = spec.find(':');
  if (colon == std::string_view::npos) return errors::InvalidArgument("missing ':'");
  arg->set_name(std::string(Trim(spec.substr(0, colon))));
  std::string_view type = Trim(spec.substr(colon + 1));
  if (type.starts_with("Ref(") && type.ends_with(")")) {
    arg->set_is_ref(true);
    type = Trim(type.substr(4, type.size() - 5));
  }
  size_t star = type.find('*');
  if (star != std::string_view::npos) {
    arg->set_number_attr(std::string(Trim(type.substr(0, star))));
    type = Trim(type.substr(star + 1));
  }
  for (const auto& a : def.attr()) {
    if (a.name() != type) continue;
    if (a.type() == "type") {
      arg->set_type_attr(a.name());
    } else if (a.type() == "list(type)") {
      arg->set_type_list_attr(a.name());
    } else {
      return errors::InvalidArgument("attr '", a.name(), "' is not a type");
    }
    return OkStatus();
  }
  TFPORT_ASSIGN_OR_RETURN(DataType t, ParseTypeName(type));
  arg->set_type(t);
  return OkStatus();
}

}  // namespace

// ---------------------------------------------------------------- builder

OpDefBuilder::OpDefBuilder(std::string name) : name_(std::move(name)) {}
OpDefBuilder& OpDefBuilder::Input(std::string spec) { inputs_.push_back(std::move(spec)); return *this; }
OpDefBuilder& OpDefBuilder::Output(std::string spec) { outputs_.push_back(std::move(spec)); return *this; }
OpDefBuilder& OpDefBuilder::Attr(std::string spec) { attrs_.push_back(std::move(spec)); return *this; }
OpDefBuilder& OpDefBuilder::SetIsStateful() { stateful_ = true; return *this; }
OpDefBuilder& OpDefBuilder::SetIsCommutative() { commutative_ = true; return *this; }
OpDefBuilder& OpDefBuilder::SetIsAggregate() { aggregate_ = true; return *this; }
OpDefBuilder& OpDefBuilder::SetAllowsUninitializedInput() { uninit_ = true; return *this; }
OpDefBuilder& OpDefBuilder::ControlOutput(std::string name) {
  control_outputs_.push_back(std::move(name));
  return *this;
}

Result<tf::OpDef> OpDefBuilder::Build() const {
  tf::OpDef def;
  def.set_name(name_);
  for (const auto& spec : attrs_) {
    Status s = ParseAttr(spec, def.add_attr());
    if (!s.ok()) return s.WithContext("op ", name_, ": attr '", spec, "'");
  }
  for (const auto& spec : inputs_) {
    Status s = ParseArg(spec, def, def.add_input_arg());
    if (!s.ok()) return s.WithContext("op ", name_, ": input '", spec, "'");
  }
  for (const auto& spec : outputs_) {
    Status s = ParseArg(spec, def, def.add_output_arg());
    if (!s.ok()) return s.WithContext("op ", name_, ": output '", spec, "'");
  }
  for (const auto& c : control_outputs_) def.add_control_output(c);
  def.set_is_stateful(stateful_);
  def.set_is_commutative(commutative_);
  def.set_is_aggregate(aggregate_);
  def.set_allows_uninitialized_input(uninit_);
  return def;
}

// ---------------------------------------------------------------- registry

const OpRegistry& OpRegistry::Global() {
  static const OpRegistry* registry = [] {
    auto* r = new OpRegistry();
    RegisterAllOps(*r);
    return r;
  }();
  return *registry;
}

Status OpRegistry::Register(const OpDefBuilder& builder) {
  TFPORT_ASSIGN_OR_RETURN(tf::OpDef def, builder.Build());
  return Register(std::move(def));
}

Status OpRegistry::Register(tf::OpDef def) {
  std::string name = def.name();
  if (!ops_.emplace(name, std::move(def)).second)
    return errors::AlreadyExists("op '", name, "' is registered twice");
  return OkStatus();
}

Status OpRegistry::SetShapeFn(std::string_view op, ShapeFn fn) {
  if (Find(op) == nullptr) return errors::NotFound("shape function for unregistered op '", op, "'");
  shape_fns_[std::string(op)] = std::move(fn);
  return OkStatus();
}

const ShapeFn* OpRegistry::FindShapeFn(std::string_view op) const {
  auto it = shape_fns_.find(op);
  if (it != shape_fns_.end()) return &it->second;
  return fallback_ && ops_.find(op) == ops_.end() ? fallback_->FindShapeFn(op) : nullptr;
}

const tf::OpDef* OpRegistry::Find(std::string_view op) const {
  auto it = ops_.find(op);
  if (it != ops_.end()) return &it->second;
  return fallback_ ? fallback_->Find(op) : nullptr;
}

Result<const tf::OpDef*> OpRegistry::LookUp(std::string_view op) const {
  if (const tf::OpDef* def = Find(op)) return def;
  return errors::NotFound("Op type not registered '", op,
                          "' in binary. tfport does not implement this op yet");
}

std::vector<std::string> OpRegistry::ListOps() const {
  std::vector<std::string> out;
  if (fallback_) out = fallback_->ListOps();
  for (const auto& [name, def] : ops_) out.push_back(name);
  return out;
}

// ---------------------------------------------------------------- node helpers

std::string NodeLocation(const tf::NodeDef& node) {
  return StrCat("{{node ", node.name(), "}} (", node.op(), ")");
}

const tf::AttrValue* FindAttr(const tf::NodeDef& node, std::string_view name) {
  auto it = node.attr().find(std::string(name));
  return it == node.attr().end() ? nullptr : &it->second;
}

void AddDefaultAttrs(const tf::OpDef& def, tf::NodeDef* node) {
  for (const auto& a : def.attr()) {
    if (a.has_default_value() && !node->attr().contains(a.name()))
      (*node->mutable_attr())[a.name()] = a.default_value();
  }
}

namespace {

Result<const tf::AttrValue*> Need(const tf::NodeDef& node, std::string_view name,
                                  tf::AttrValue::ValueCase want, const char* type) {
  const tf::AttrValue* v = FindAttr(node, name);
  if (v == nullptr)
    return errors::InvalidArgument(NodeLocation(node), ": NodeDef missing attr '", name, "'");
  if (v->value_case() != want)
    return errors::InvalidArgument(NodeLocation(node), ": attr '", name, "' is not of type ",
                                   type);
  return v;
}

bool MatchesType(const tf::AttrValue& v, const std::string& type) {
  using VC = tf::AttrValue::ValueCase;
  if (type.starts_with("list(")) return v.value_case() == VC::kList;
  if (type == "type") return v.value_case() == VC::kType;
  if (type == "int") return v.value_case() == VC::kI;
  if (type == "float") return v.value_case() == VC::kF;
  if (type == "bool") return v.value_case() == VC::kB;
  if (type == "string") return v.value_case() == VC::kS;
  if (type == "shape") return v.value_case() == VC::kShape;
  if (type == "tensor") return v.value_case() == VC::kTensor;
  if (type == "func") return v.value_case() == VC::kFunc;
  return true;
}

Status AppendArgTypes(const tf::NodeDef& node, const tf::OpDef::ArgDef& arg,
                      std::vector<DataType>* out) {
  std::vector<DataType> types;
  if (!arg.type_list_attr().empty()) {
    TFPORT_ASSIGN_OR_RETURN(types, GetTypeListAttr(node, arg.type_list_attr()));
  } else {
    DataType t = arg.type();
    if (!arg.type_attr().empty()) {
      TFPORT_ASSIGN_OR_RETURN(t, GetTypeAttr(node, arg.type_attr()));
    }
    int64_t n = 1;
    if (!arg.number_attr().empty()) {
      TFPORT_ASSIGN_OR_RETURN(n, GetIntAttr(node, arg.number_attr()));
      if (n < 0 || n > 100000)
        return errors::InvalidArgument(NodeLocation(node), ": attr '", arg.number_attr(),
                                       "' = ", n, " is out of range");
    }
    types.assign(static_cast<size_t>(n), t);
  }
  for (DataType t : types) out->push_back(arg.is_ref() ? RefType(t) : t);
  return OkStatus();
}

}  // namespace

Status InOutTypes(const tf::NodeDef& node, const tf::OpDef& def, std::vector<DataType>* inputs,
                  std::vector<DataType>* outputs) {
  if (inputs) {
    inputs->clear();
    for (const auto& arg : def.input_arg()) TFPORT_RETURN_IF_ERROR(AppendArgTypes(node, arg, inputs));
  }
  if (outputs) {
    outputs->clear();
    for (const auto& arg : def.output_arg())
      TFPORT_RETURN_IF_ERROR(AppendArgTypes(node, arg, outputs));
  }
  return OkStatus();
}

Status ValidateNodeDef(const tf::NodeDef& node, const tf::OpDef& def) {
  for (const auto& a : def.attr()) {
    const tf::AttrValue* v = FindAttr(node, a.name());
    if (v == nullptr) {
      if (a.has_default_value()) continue;
      return errors::InvalidArgument(NodeLocation(node), ": NodeDef missing attr '", a.name(),
                                     "' from Op<name=", def.name(), ">");
    }
    if (!MatchesType(*v, a.type()))
      return errors::InvalidArgument(NodeLocation(node), ": attr '", a.name(),
                                     "' should be of type ", a.type());
    if (a.has_allowed_values()) {
      const auto& allowed = a.allowed_values().list();
      if (a.type() == "type" && allowed.type_size() > 0 &&
          std::find(allowed.type().begin(), allowed.type().end(), v->type()) ==
              allowed.type().end())
        return errors::InvalidArgument(NodeLocation(node), ": value for attr '", a.name(),
                                       "' of ", DataTypeName(v->type()),
                                       " is not in the list of allowed values");
      if (a.type() == "string" && allowed.s_size() > 0 &&
          std::find(allowed.s().begin(), allowed.s().end(), v->s()) == allowed.s().end())
        return errors::InvalidArgument(NodeLocation(node), ": value for attr '", a.name(),
                                       "' of \"", v->s(), "\" is not in the list of allowed values");
    }
    if (a.has_minimum()) {
      int64_t value = a.type() == "int" ? v->i()
                      : a.type().starts_with("list(") ? std::max({v->list().i_size(),
                                                                  v->list().type_size(),
                                                                  v->list().s_size(),
                                                                  v->list().f_size(),
                                                                  v->list().shape_size(),
                                                                  v->list().func_size()})
                                                      : a.minimum();
      if (value < a.minimum())
        return errors::InvalidArgument(NodeLocation(node), ": value for attr '", a.name(), "' ",
                                       value, " must be at least minimum ", a.minimum());
    }
  }
  std::vector<DataType> in;
  TFPORT_RETURN_IF_ERROR(InOutTypes(node, def, &in, nullptr));
  int data_inputs = 0;
  for (const auto& i : node.input())
    if (i.empty() || i[0] != '^') ++data_inputs;
  if (static_cast<size_t>(data_inputs) != in.size())
    return errors::InvalidArgument(NodeLocation(node), ": expected ", in.size(),
                                   " data inputs, got ", data_inputs);
  return OkStatus();
}

Result<DataType> GetTypeAttr(const tf::NodeDef& node, std::string_view name) {
  TFPORT_ASSIGN_OR_RETURN(const tf::AttrValue* v,
                          Need(node, name, tf::AttrValue::kType, "type"));
  return v->type();
}
Result<int64_t> GetIntAttr(const tf::NodeDef& node, std::string_view name) {
  TFPORT_ASSIGN_OR_RETURN(const tf::AttrValue* v, Need(node, name, tf::AttrValue::kI, "int"));
  return v->i();
}
Result<float> GetFloatAttr(const tf::NodeDef& node, std::string_view name) {
  TFPORT_ASSIGN_OR_RETURN(const tf::AttrValue* v, Need(node, name, tf::AttrValue::kF, "float"));
  return v->f();
}
Result<bool> GetBoolAttr(const tf::NodeDef& node, std::string_view name) {
  TFPORT_ASSIGN_OR_RETURN(const tf::AttrValue* v, Need(node, name, tf::AttrValue::kB, "bool"));
  return v->b();
}
Result<std::string> GetStringAttr(const tf::NodeDef& node, std::string_view name) {
  TFPORT_ASSIGN_OR_RETURN(const tf::AttrValue* v, Need(node, name, tf::AttrValue::kS, "string"));
  return v->s();
}
Result<std::vector<int64_t>> GetIntListAttr(const tf::NodeDef& node, std::string_view name) {
  const tf::AttrValue* v = FindAttr(node, name);
  if (v == nullptr)
    return errors::InvalidArgument(NodeLocation(node), ": NodeDef missing attr '", name, "'");
  return std::vector<int64_t>(v->list().i().begin(), v->list().i().end());
}
Result<std::vector<DataType>> GetTypeListAttr(const tf::NodeDef& node, std::string_view name) {
  const tf::AttrValue* v = FindAttr(node, name);
  if (v == nullptr)
    return errors::InvalidArgument(NodeLocation(node), ": NodeDef missing attr '", name, "'");
  std::vector<DataType> out;
  for (int t : v->list().type()) out.push_back(static_cast<DataType>(t));
  return out;
}

}  // namespace tfport::graph
