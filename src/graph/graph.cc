#include "tfport/graph/graph.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "graph/shape_inference.h"

namespace tfport::graph {

std::string Output::name() const {
  return node ? StrCat(node->name(), ":", index) : std::string("<invalid>");
}
DataType Output::dtype() const { return node ? node->output_type(index) : DT_INVALID; }
Shape Output::shape() const { return node ? node->output_shape(index) : Shape::UnknownRank(); }

DataType Node::input_type(int i) const {
  return i >= 0 && static_cast<size_t>(i) < input_types_.size() ? input_types_[static_cast<size_t>(i)]
                                                                 : DT_INVALID;
}
DataType Node::output_type(int i) const {
  return i >= 0 && static_cast<size_t>(i) < output_types_.size()
             ? output_types_[static_cast<size_t>(i)]
             : DT_INVALID;
}
Shape Node::output_shape(int i) const {
  return i >= 0 && static_cast<size_t>(i) < output_shapes_.size()
             ? output_shapes_[static_cast<size_t>(i)]
             : Shape::UnknownRank();
}

bool IsVariableOp(std::string_view op) {
  return op == "VariableV2" || op == "Variable" || op == "VarHandleOp";
}

std::string NodeNameOf(std::string_view tensor) {
  if (!tensor.empty() && tensor[0] == '^') tensor.remove_prefix(1);
  return std::string(tensor.substr(0, tensor.find(':')));
}

Status ParseTensorName(std::string_view tensor, std::string* node, int* index) {
  if (!tensor.empty() && tensor[0] == '^') {
    *node = std::string(tensor.substr(1));
    *index = -1;
    return OkStatus();
  }
  size_t colon = tensor.rfind(':');
  if (colon == std::string_view::npos) {
    *node = std::string(tensor);
    *index = 0;
    return OkStatus();
  }
  std::string_view idx = tensor.substr(colon + 1);
  int k = 0;
  auto r = std::from_chars(idx.data(), idx.data() + idx.size(), k);
  if (idx.empty() || r.ec != std::errc() || r.ptr != idx.data() + idx.size() || k < 0)
    return errors::InvalidArgument("The name '", tensor,
                                   "' looks like a Tensor name, but is not a valid one. Tensor "
                                   "names must be of the form \"<op_name>:<output_index>\".");
  *node = std::string(tensor.substr(0, colon));
  *index = k;
  return OkStatus();
}

Graph::Graph(const OpRegistry* registry) : registry_(registry) {
  versions_.set_producer(kGraphDefProducer);
  versions_.set_min_consumer(kGraphDefMinConsumer);
}

Node* Graph::FindNode(std::string_view name) const {
  auto it = by_name_.find(std::string(name));
  return it == by_name_.end() ? nullptr : it->second;
}

Result<Node*> Graph::GetOperationByName(std::string_view name) const {
  if (name.find(':') != std::string_view::npos)
    return errors::InvalidArgument("Name '", name, "' appears to refer to a Tensor, not an Operation");
  if (Node* n = FindNode(name)) return n;
  return errors::NotFound("The name '", name,
                          "' refers to an Operation not in the graph.");
}

Result<Output> Graph::GetTensorByName(std::string_view name) const {
  std::string node_name;
  int index;
  TFPORT_RETURN_IF_ERROR(ParseTensorName(name, &node_name, &index));
  if (index < 0) return errors::InvalidArgument("'", name, "' names a control input, not a tensor");
  Node* n = FindNode(node_name);
  if (n == nullptr)
    return errors::NotFound("The name '", name, "' refers to a Tensor which does not exist. The "
                            "operation, '", node_name, "', does not exist in the graph.");
  if (n->num_outputs() >= 0 && index >= n->num_outputs())
    return errors::NotFound("The name '", name, "' refers to a Tensor which does not exist. The "
                            "operation, '", node_name, "', exists but only has ",
                            n->num_outputs(), " outputs.");
  return Output{n, index};
}

// ---------------------------------------------------------------- naming

namespace {
std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}
}  // namespace

std::string Graph::UniqueName(std::string_view base) {
  std::string name = scope_.empty() ? std::string(base) : StrCat(scope_, "/", base);
  std::string key = Lower(name);
  int i = names_in_use_[key];
  names_in_use_[key] = i + 1;
  if (i == 0) return name;
  // Find the first free "<name>_<j>" with j >= i (formats.md §6.2).
  for (int j = i;; ++j) {
    std::string candidate_key = StrCat(key, "_", j);
    if (names_in_use_.count(candidate_key) == 0 || names_in_use_[candidate_key] == 0) {
      names_in_use_[candidate_key] = 1;
      return StrCat(name, "_", j);
    }
  }
}

void Graph::MarkNameUsed(std::string_view name) {
  std::string key = Lower(name);
  if (names_in_use_[key] == 0) names_in_use_[key] = 1;
}

bool Graph::IsNameUsed(std::string_view name) const {
  auto it = names_in_use_.find(Lower(name));
  return it != names_in_use_.end() && it->second > 0;
}

Graph::NameScope::NameScope(Graph& g, std::string_view name) : g_(g), saved_(g.scope_) {
  if (name.empty()) {
    g_.scope_.clear();
  } else if (name.back() == '/') {
    g_.scope_ = std::string(name.substr(0, name.size() - 1));
  } else {
    g_.scope_ = g_.UniqueName(name);
  }
}

Graph::NameScope::~NameScope() { g_.scope_ = saved_; }

// ---------------------------------------------------------------- nodes

Result<Node*> Graph::AddNodeUnresolved(tf::NodeDef def) {
  if (def.name().empty()) return errors::InvalidArgument("node has an empty name (op ", def.op(), ")");
  if (by_name_.count(def.name()))
    return errors::InvalidArgument("Duplicate node name in graph: '", def.name(), "'");
  Node& n = storage_.emplace_back();
  n.id_ = static_cast<int>(order_.size());
  n.op_def_ = registry_->Find(def.op());
  // A node named after a library function calls it (TF1 Defun style); the
  // function's signature is its OpDef.
  if (n.op_def_ == nullptr)
    for (const auto& f : library_.function())
      if (f.signature().name() == def.op()) n.op_def_ = &f.signature();
  if (n.op_def_) AddDefaultAttrs(*n.op_def_, &def);
  n.def_ = std::move(def);
  order_.push_back(&n);
  by_name_[n.name()] = &n;
  MarkNameUsed(n.name());
  return &n;
}

Status Graph::ResolveNode(Node* n) {
  n->inputs_.clear();
  n->control_inputs_.clear();
  bool seen_control = false;
  for (const std::string& in : n->def_.input()) {
    std::string src_name;
    int index;
    TFPORT_RETURN_IF_ERROR(ParseTensorName(in, &src_name, &index).WithContext(NodeLocation(n->def_)));
    Node* src = FindNode(src_name);
    if (src == nullptr)
      return errors::InvalidArgument("Node '", n->name(), "': Unknown input node '", in, "'");
    if (index < 0) {
      seen_control = true;
      n->control_inputs_.push_back(src);
      continue;
    }
    if (seen_control)
      return errors::InvalidArgument(NodeLocation(n->def_), ": data input '", in,
                                     "' follows a control input");
    if (src->num_outputs_ >= 0 && index >= src->num_outputs_)
      return errors::InvalidArgument("Node '", n->name(), "': Connecting to invalid output ",
                                     index, " of source node ", src_name, " which has ",
                                     src->num_outputs_, " outputs");
    n->inputs_.push_back(Output{src, index});
  }
  if (n->op_def_) {
    TFPORT_RETURN_IF_ERROR(ValidateNodeDef(n->def_, *n->op_def_));
    TFPORT_RETURN_IF_ERROR(InOutTypes(n->def_, *n->op_def_, &n->input_types_, &n->output_types_));
    n->num_outputs_ = static_cast<int>(n->output_types_.size());
    // Input dtypes must match what the producers give (refs may feed non-refs).
    for (size_t i = 0; i < n->inputs_.size(); ++i) {
      DataType got = n->inputs_[i].dtype();
      DataType want = n->input_types_[i];
      if (got == DT_INVALID) continue;  // unknown producer
      bool ok = got == want || (!IsRefType(want) && BaseType(got) == want);
      if (!ok)
        return errors::InvalidArgument(
            "Input ", i, " of node ", n->name(), " was passed ", DataTypeName(got),
            " from ", n->inputs_[i].node->name(), ":", n->inputs_[i].index,
            " incompatible with expected ", DataTypeName(want), ".");
    }
  } else {
    n->num_outputs_ = -1;
  }
  InferShapes(n);
  return OkStatus();
}

void Graph::InferShapes(Node* n) {
  n->output_shapes_.assign(n->num_outputs_ > 0 ? static_cast<size_t>(n->num_outputs_) : 0,
                           Shape::UnknownRank());
  if (n->num_outputs_ <= 0) return;
  if (const ShapeFn* fn = registry_->FindShapeFn(n->op())) {
    (*fn)(*n, &n->output_shapes_);
  } else {
    internal::InferOutputShapes(*n, &n->output_shapes_);
  }
  // GraphDefs up to producer 21 wrote an unknown Placeholder shape as an
  // empty one; TensorFlow reads such a shape as "any shape" (producer 22
  // made the empty shape mean a scalar).
  if (n->op() == "Placeholder" && import_producer_ <= 21 && !n->output_shapes_[0].unknown_rank() &&
      n->output_shapes_[0].rank() == 0)
    n->output_shapes_[0] = Shape::UnknownRank();
}

Result<Node*> Graph::AddNode(tf::NodeDef def) {
  std::string name = def.name();
  TFPORT_ASSIGN_OR_RETURN(Node* n, AddNodeUnresolved(std::move(def)));
  Status s = ResolveNode(n);
  if (!s.ok()) {  // roll back
    by_name_.erase(name);
    order_.pop_back();
    storage_.pop_back();
    return s;
  }
  return n;
}

// ---------------------------------------------------------------- collections

void Graph::AddToCollection(const std::string& key, const std::string& name) {
  collections_[key].mutable_node_list()->add_value(name);
}

void Graph::AddBytesToCollection(const std::string& key, const std::string& bytes) {
  collections_[key].mutable_bytes_list()->add_value(bytes);
}

tf::GraphDef Graph::ToGraphDef(bool add_shapes) const {
  tf::GraphDef g;
  for (const Node* n : order_) {
    tf::NodeDef* d = g.add_node();
    *d = n->def_;
    if (add_shapes && n->num_outputs_ > 0 && !d->attr().count("_output_shapes")) {
      // as_graph_def(add_shapes=True): the static shape of every output
      // (imported nodes keep the shapes they came with).
      tf::AttrValue shapes;
      auto* list = shapes.mutable_list();
      for (int i = 0; i < n->num_outputs_; ++i) n->output_shape(i).ToProto(list->add_shape());
      (*d->mutable_attr())["_output_shapes"] = std::move(shapes);
    }
    // Control inputs sorted by name after the data inputs, as TF >= 1.9.
    auto first_ctrl = std::find_if(d->mutable_input()->begin(), d->mutable_input()->end(),
                                   [](const std::string& s) { return !s.empty() && s[0] == '^'; });
    std::sort(first_ctrl, d->mutable_input()->end());
  }
  if (library_.function_size() || library_.gradient_size()) *g.mutable_library() = library_;
  *g.mutable_versions() = versions_;
  return g;
}

}  // namespace tfport::graph
