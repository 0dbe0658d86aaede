#include "tfport/freeze/transforms.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "tfport/core/tensor_proto.h"
#include "tfport/freeze/graph_util.h"
#include "tfport/graph/import.h"
#include "tfport/graph/op_registry.h"
#include "tfport/kernels/kernels.h"

namespace tfport::freeze {
namespace {

// ---------------------------------------------------------------- names

struct InputRef {
  std::string node;
  int index = 0;  // -1 for a control input
};

InputRef ParseInput(const std::string& input) {
  InputRef r;
  if (!input.empty() && input[0] == '^') {
    r.node = input.substr(1);
    r.index = -1;
    return r;
  }
  r.node = input;
  size_t colon = input.rfind(':');
  if (colon != std::string::npos) {
    const std::string digits = input.substr(colon + 1);
    if (!digits.empty() && std::all_of(digits.begin(), digits.end(), ::isdigit)) {
      r.node = input.substr(0, colon);
      r.index = std::stoi(digits);
    }
  }
  return r;
}


bool IsControl(const std::string& input) { return !input.empty() && input[0] == '^'; }

std::unordered_map<std::string, int> IndexByName(const tf::GraphDef& g) {
  std::unordered_map<std::string, int> index;
  for (int i = 0; i < g.node_size(); ++i) index.emplace(g.node(i).name(), i);
  return index;
}

// Every requested name must be a node of the graph; every edge must resolve.
Status CheckGraph(const tf::GraphDef& g, const std::vector<std::string>& inputs,
                  const std::vector<std::string>& outputs) {
  auto index = IndexByName(g);
  for (const auto* list : {&inputs, &outputs})
    for (const std::string& name : *list)
      if (!index.count(graph::NodeNameOf(name))) return errors::InvalidArgument(graph::NodeNameOf(name), " is not in graph");
  for (const auto& n : g.node())
    for (const auto& in : n.input())
      if (!index.count(graph::NodeNameOf(in)))
        return errors::InvalidArgument("Node '", n.name(), "': Unknown input node '", in, "'");
  return OkStatus();
}

std::set<std::string> CleanNames(const std::vector<std::string>& a,
                                 const std::vector<std::string>& b = {}) {
  std::set<std::string> out;
  for (const auto& s : a) out.insert(graph::NodeNameOf(s));
  for (const auto& s : b) out.insert(graph::NodeNameOf(s));
  return out;
}

// A name "<base>", "<base>_1", ... not in `used`; marks it used.
std::string UniqueName(const std::string& base, std::unordered_set<std::string>* used) {
  std::string name = base;
  for (int k = 1; used->count(name); ++k) name = StrCat(base, "_", k);
  used->insert(name);
  return name;
}

void CopyGraphExtras(const tf::GraphDef& from, tf::GraphDef* to) {
  if (from.has_library()) *to->mutable_library() = from.library();
  if (from.has_versions()) *to->mutable_versions() = from.versions();
}

tf::NodeDef MakeConst(const std::string& name, const Tensor& value, const std::string& device) {
  tf::NodeDef n;
  n.set_name(name);
  n.set_op("Const");
  if (!device.empty()) n.set_device(device);
  (*n.mutable_attr())["dtype"].set_type(BaseType(value.dtype()));
  TensorToProto(value, (*n.mutable_attr())["value"].mutable_tensor(), ProtoEncoding::kPython);
  return n;
}

// Removes, repeatedly, nodes that lost every consumer: a node is dropped when
// `may_drop` allows it, it had at least one consumer in `before`, and none of
// those consumers survives in `nodes`.
void DropOrphans(const tf::GraphDef& before, std::vector<tf::NodeDef>* nodes,
                 const std::function<bool(const tf::NodeDef&)>& may_drop) {
  std::unordered_set<std::string> had_consumer;
  for (const auto& n : before.node())
    for (const auto& in : n.input()) had_consumer.insert(graph::NodeNameOf(in));
  for (bool changed = true; changed;) {
    changed = false;
    std::unordered_set<std::string> consumed;
    for (const auto& n : *nodes)
      for (const auto& in : n.input()) consumed.insert(graph::NodeNameOf(in));
    std::vector<tf::NodeDef> kept;
    kept.reserve(nodes->size());
    for (auto& n : *nodes) {
      if (had_consumer.count(n.name()) && !consumed.count(n.name()) && may_drop(n)) {
        changed = true;
        continue;
      }
      kept.push_back(std::move(n));
    }
    *nodes = std::move(kept);
  }
}

// ---------------------------------------------------------------- strip

bool IsPassThroughTrainingOp(const std::string& op) {
  return op == "CheckNumerics" || op == "StopGradient" || op == "PreventGradient" ||
         op == "Snapshot";
}

}  // namespace

Result<tf::GraphDef> StripTrainingNodes(const tf::GraphDef& graph_def,
                                        const std::vector<std::string>& inputs,
                                        const std::vector<std::string>& outputs) {
  TFPORT_RETURN_IF_ERROR(CheckGraph(graph_def, inputs, outputs));
  const std::set<std::string> protect = CleanNames(inputs, outputs);

  // 1. Assertions: Assert and CheckNumerics nodes, and NoOps whose every
  //    input is a control edge from an assertion (tf.group of asserts).
  std::unordered_set<std::string> assertion;
  for (const auto& n : graph_def.node())
    if ((n.op() == "Assert" || n.op() == "CheckNumerics") && !protect.count(n.name()))
      assertion.insert(n.name());
  for (bool grew = true; grew;) {
    grew = false;
    for (const auto& n : graph_def.node()) {
      if (n.op() != "NoOp" || assertion.count(n.name()) || protect.count(n.name()) ||
          n.input_size() == 0)
        continue;
      bool only_asserts = std::all_of(n.input().begin(), n.input().end(), [&](const std::string& in) {
        return IsControl(in) && assertion.count(graph::NodeNameOf(in));
      });
      if (only_asserts) {
        assertion.insert(n.name());
        grew = true;
      }
    }
  }

  // 2. Drop control edges from assertions; turn pass-through training ops
  //    into Identity so remove_training_nodes splices them.
  std::unordered_set<std::string> data_consumed;
  for (const auto& n : graph_def.node())
    for (const auto& in : n.input())
      if (!IsControl(in)) data_consumed.insert(graph::NodeNameOf(in));
  std::vector<tf::NodeDef> nodes;
  for (const auto& n : graph_def.node()) {
    // An assertion nobody reads as data goes; a CheckNumerics read as data
    // stays (as an Identity).
    if (assertion.count(n.name()) && !data_consumed.count(n.name())) continue;
    tf::NodeDef copy = n;
    copy.clear_input();
    for (const auto& in : n.input())
      if (!(IsControl(in) && assertion.count(graph::NodeNameOf(in)))) copy.add_input(in);
    if (IsPassThroughTrainingOp(n.op()) && !protect.count(n.name())) {
      copy.set_op("Identity");
      google::protobuf::Map<std::string, tf::AttrValue> attrs;
      for (const auto& [key, value] : n.attr())
        if (key == "T" || (!key.empty() && key[0] == '_')) attrs[key] = value;
      *copy.mutable_attr() = attrs;
    }
    nodes.push_back(std::move(copy));
  }
  // Nodes that only computed what an assertion checked go too.
  DropOrphans(graph_def, &nodes, [&](const tf::NodeDef& n) { return !protect.count(n.name()); });

  tf::GraphDef stripped;
  for (auto& n : nodes) *stripped.add_node() = std::move(n);
  CopyGraphExtras(graph_def, &stripped);
  // 3. TensorFlow's remove_training_nodes: splice Identity nodes.
  tf::GraphDef out = RemoveTrainingNodes(
      stripped, std::vector<std::string>(protect.begin(), protect.end()));
  CopyGraphExtras(graph_def, &out);
  return out;
}

// ---------------------------------------------------------------- fold constants

namespace {

bool IsControlFlowOp(const std::string& op) {
  static const std::unordered_set<std::string> kOps = {
      "Switch", "RefSwitch", "Merge", "RefMerge", "Enter", "RefEnter", "Exit", "RefExit",
      "NextIteration", "RefNextIteration", "LoopCond", "ControlTrigger", "_SwitchN"};
  return kOps.count(op) > 0;
}

bool NeverFold(const std::string& op) {
  static const std::unordered_set<std::string> kOps = {
      "Placeholder", "PlaceholderV2", "PlaceholderWithDefault", "Variable", "VariableV2",
      "VarHandleOp", "TemporaryVariable", "NoOp", "FakeParam", "_Recv", "_Send", "_Arg",
      "_Retval", "HostConst"};
  return kOps.count(op) > 0 || IsControlFlowOp(op);
}

bool IsShapeOp(const std::string& op) { return op == "Shape" || op == "Size" || op == "Rank"; }

bool PlainDtype(DataType t) {
  return !IsRefType(t) && t != DT_RESOURCE && t != DT_VARIANT && t != DT_INVALID;
}

uint64_t ConstBytes(const tf::NodeDef& n) {
  auto it = n.attr().find("value");
  if (it == n.attr().end() || !it->second.has_tensor()) return 0;
  const tf::TensorProto& p = it->second.tensor();
  uint64_t elements = 1;
  for (const auto& d : p.tensor_shape().dim()) elements *= static_cast<uint64_t>(std::max<int64_t>(d.size(), 0));
  DataType t = static_cast<DataType>(p.dtype());
  return IsMemcpyType(t) ? elements * DataTypeSize(t) : p.ByteSizeLong();
}

// The value Shape/Size/Rank produce for a tensor of static shape `s`.
std::optional<Tensor> ShapeOpValue(const graph::Node& node, const Shape& s) {
  const std::string& op = node.op();
  if (op == "Rank") {
    if (s.unknown_rank()) return std::nullopt;
    return Tensor::Scalar<int32_t>(s.rank());
  }
  if (s.unknown_rank() || !s.IsFullyDefined()) return std::nullopt;
  DataType out = node.output_type(0);
  if (op == "Size") {
    if (out == DT_INT64) return Tensor::Scalar<int64_t>(s.num_elements());
    if (s.num_elements() > INT32_MAX) return std::nullopt;
    return Tensor::Scalar<int32_t>(static_cast<int32_t>(s.num_elements()));
  }
  if (out == DT_INT64) return Tensor::FromVector<int64_t>(s.dims(), Shape{s.rank()});
  std::vector<int32_t> dims;
  for (int64_t d : s.dims()) {
    if (d > INT32_MAX) return std::nullopt;
    dims.push_back(static_cast<int32_t>(d));
  }
  return Tensor::FromVector<int32_t>(dims, Shape{s.rank()});
}

// "{{node NAME}}" in an error message -> NAME.
std::optional<std::string> NodeInError(const std::string& message) {
  static const std::regex kNode(R"(\{\{node ([^}]+)\}\})");
  std::smatch m;
  if (std::regex_search(message, m, kNode)) return m[1].str();
  return std::nullopt;
}

struct FoldPlan {
  std::vector<char> foldable;     // by node id: value known without feeds
  std::vector<char> materialize;  // Shape/Size/Rank computed from a static shape
  std::vector<std::set<std::string>> anchors;  // control deps to carry
  std::vector<char> frontier;
  std::vector<std::set<int>> used_outputs;  // of a frontier node, by non-folded consumers
  std::vector<char> control_used;           // frontier node used as a control input
};

}  // namespace

Result<tf::GraphDef> FoldConstants(const tf::GraphDef& graph_def,
                                   const std::vector<std::string>& inputs,
                                   const std::vector<std::string>& outputs,
                                   const FoldConstantsOptions& options) {
  TFPORT_RETURN_IF_ERROR(CheckGraph(graph_def, inputs, outputs));
  const std::set<std::string> input_set = CleanNames(inputs);
  const std::set<std::string> output_set = CleanNames(outputs);
  TFPORT_ASSIGN_OR_RETURN(std::unique_ptr<graph::Graph> g, graph::GraphFromGraphDef(graph_def));
  const auto& gnodes = g->nodes();
  const size_t n = gnodes.size();
  auto id = [&](const graph::Node* node) { return static_cast<size_t>(node->id()); };
  std::vector<const graph::Node*> by_id(n, nullptr);
  for (const graph::Node* node : gnodes) by_id.at(id(node)) = node;

  // Consumers (data: (consumer, output index); control: consumer) and a
  // topological order (nodes on cycles never enter it, so never fold).
  std::vector<std::vector<std::pair<size_t, int>>> data_out(n);
  std::vector<std::vector<size_t>> control_out(n);
  std::vector<int> pending(n, 0);
  for (const graph::Node* node : gnodes) {
    for (const graph::Output& in : node->inputs()) {
      data_out[id(in.node)].push_back({id(node), in.index});
      ++pending[id(node)];
    }
    for (const graph::Node* c : node->control_inputs()) {
      control_out[id(c)].push_back(id(node));
      ++pending[id(node)];
    }
  }
  std::vector<size_t> topo;
  {
    std::deque<size_t> ready;
    for (const graph::Node* node : gnodes)
      if (pending[id(node)] == 0) ready.push_back(id(node));
    while (!ready.empty()) {
      size_t i = ready.front();
      ready.pop_front();
      topo.push_back(i);
      auto done = [&](size_t d) {
        if (--pending[d] == 0) ready.push_back(d);
      };
      for (auto [d, k] : data_out[i]) done(d);
      for (size_t d : control_out[i]) done(d);
    }
  }
  // Nodes downstream of control flow may be dead or live in a loop frame: a
  // control dependency on them has to survive folding.
  std::vector<char> tainted(n, 0);
  {
    std::deque<size_t> queue;
    for (const graph::Node* node : gnodes)
      if (IsControlFlowOp(node->op())) {
        tainted[id(node)] = 1;
        queue.push_back(id(node));
      }
    while (!queue.empty()) {
      size_t i = queue.front();
      queue.pop_front();
      auto mark = [&](size_t d) {
        if (!tainted[d]) {
          tainted[d] = 1;
          queue.push_back(d);
        }
      };
      for (auto [d, k] : data_out[i]) mark(d);
      for (size_t d : control_out[i]) mark(d);
    }
  }
  auto keep_anchor = [&](const graph::Node* a) {
    return tainted[id(a)] || (a->op_def() != nullptr && a->op_def()->is_stateful());
  };
  const runtime::KernelRegistry& kernel_registry = kernels::DefaultKernels();

  std::vector<char> excluded(n, 0);  // failed to evaluate or too big
  std::map<std::pair<std::string, int>, Tensor> values;  // evaluated frontier outputs

  auto plan_folding = [&]() {
    FoldPlan p;
    p.foldable.assign(n, 0);
    p.materialize.assign(n, 0);
    p.anchors.assign(n, {});
    p.frontier.assign(n, 0);
    p.used_outputs.assign(n, {});
    p.control_used.assign(n, 0);
    for (size_t i : topo) {
      const graph::Node* node = by_id[i];
      if (excluded[i] || input_set.count(node->name())) continue;
      const std::string& op = node->op();
      bool is_const = op == "Const";
      if (!is_const) {
        if (NeverFold(op) || node->op_def() == nullptr || node->op_def()->is_stateful() ||
            kernel_registry.Find(op) == nullptr || node->num_outputs() < 1)
          continue;
        if (node->num_outputs() > 1 && output_set.count(node->name())) continue;
      }
      bool types_ok = true;
      for (int k = 0; k < node->num_outputs(); ++k) types_ok &= PlainDtype(node->output_type(k));
      for (int k = 0; k < node->num_inputs(); ++k) types_ok &= PlainDtype(node->input_type(k));
      if (!types_ok) continue;
      std::set<std::string> anchors;
      bool all_inputs_constant = true;
      for (const graph::Output& in : node->inputs()) {
        if (p.foldable[id(in.node)]) {
          anchors.insert(p.anchors[id(in.node)].begin(), p.anchors[id(in.node)].end());
        } else {
          all_inputs_constant = false;
        }
      }
      bool materialize = false;
      if (!all_inputs_constant) {
        // Shape/Size/Rank of a tensor whose static shape is known. A Switch
        // output is dead or alive per branch, which a control edge from the
        // Switch cannot express: those stay.
        if (!IsShapeOp(op) || node->num_inputs() != 1) continue;
        const graph::Output in = node->input(0);
        const std::string& src_op = in.node->op();
        if (src_op == "Switch" || src_op == "RefSwitch") continue;
        if (input_set.count(in.node->name()) && src_op != "Placeholder" &&
            src_op != "PlaceholderWithDefault")
          continue;
        if (!ShapeOpValue(*node, in.shape()).has_value()) continue;
        materialize = true;
        if (keep_anchor(in.node)) anchors.insert(in.node->name());
      }
      for (const graph::Node* c : node->control_inputs()) {
        if (p.foldable[id(c)]) {
          anchors.insert(p.anchors[id(c)].begin(), p.anchors[id(c)].end());
        } else if (keep_anchor(c)) {
          anchors.insert(c->name());
        }
      }
      p.foldable[i] = 1;
      p.materialize[i] = materialize;
      p.anchors[i] = std::move(anchors);
    }
    for (size_t i = 0; i < n; ++i) {
      const graph::Node* node = by_id[i];
      if (!p.foldable[i] || node->op() == "Const") continue;
      bool frontier = output_set.count(node->name()) > 0 ||
                      (data_out[i].empty() && control_out[i].empty());
      for (auto [d, k] : data_out[i])
        if (!p.foldable[d]) {
          frontier = true;
          p.used_outputs[i].insert(k);
        }
      for (size_t d : control_out[i])
        if (!p.foldable[d]) {
          frontier = true;
          p.control_used[i] = 1;
        }
      if (!frontier) continue;
      p.frontier[i] = 1;
      if (node->num_outputs() == 1) p.used_outputs[i] = {0};
    }
    return p;
  };

  // The constant part of the graph, with control edges removed and
  // materialised shapes as Consts, for evaluation.
  auto eval_graph = [&](const FoldPlan& p) -> Result<std::unique_ptr<graph::Graph>> {
    tf::GraphDef def;
    for (const graph::Node* node : gnodes) {
      size_t i = id(node);
      if (!p.foldable[i]) continue;
      if (p.materialize[i]) {
        *def.add_node() = MakeConst(node->name(), *ShapeOpValue(*node, node->input(0).shape()), "");
        continue;
      }
      tf::NodeDef copy = node->def();
      copy.clear_input();
      for (const auto& in : node->def().input())
        if (!IsControl(in)) copy.add_input(in);
      copy.clear_device();
      *def.add_node() = std::move(copy);
    }
    CopyGraphExtras(graph_def, &def);
    return graph::GraphFromGraphDef(std::move(def));
  };

  // Bytes of the Consts a node is computed from (an upper bound).
  std::vector<uint64_t> source_bytes(n, 0);
  for (size_t i : topo) {
    const graph::Node* node = by_id[i];
    if (node->op() == "Const") source_bytes[i] = ConstBytes(node->def());
    for (const graph::Output& in : node->inputs()) source_bytes[i] += source_bytes[id(in.node)];
  }

  FoldPlan plan;
  for (size_t round = 0;; ++round) {
    if (round > n + 1) return errors::Internal("FoldConstants did not converge");
    plan = plan_folding();
    std::vector<std::string> fetches;
    std::vector<size_t> fetch_node;
    for (size_t i = 0; i < n; ++i) {
      if (!plan.frontier[i]) continue;
      for (int k : plan.used_outputs[i]) {
        if (values.count({by_id[i]->name(), k})) continue;
        fetches.push_back(StrCat(by_id[i]->name(), ":", k));
        fetch_node.push_back(i);
      }
    }
    bool changed = false;
    if (!fetches.empty()) {
      TFPORT_ASSIGN_OR_RETURN(std::unique_ptr<graph::Graph> eg, eval_graph(plan));
      auto session = kernels::NewSession(*eg);
      std::vector<Tensor> got;
      Status s = session->Run({}, fetches, {}, &got);
      auto record = [&](size_t f, const Tensor& t) {
        size_t i = fetch_node[f];
        uint64_t bytes = IsMemcpyType(t.dtype()) ? t.byte_size() : 0;
        if (bytes > options.max_constant_bytes && bytes > source_bytes[i]) {
          excluded[i] = 1;
          changed = true;
          return;
        }
        const std::string& fetch = fetches[f];
        values[{by_id[i]->name(), ParseInput(fetch).index}] = t;
      };
      if (s.ok()) {
        for (size_t f = 0; f < fetches.size(); ++f) record(f, got[f]);
      } else {
        // One at a time; a node that cannot be evaluated (no kernel for its
        // dtype, a failing computation) stays as it is.
        for (size_t f = 0; f < fetches.size(); ++f) {
          std::vector<Tensor> one;
          Status s1 = session->Run({}, {fetches[f]}, {}, &one);
          if (s1.ok()) {
            record(f, one[0]);
            continue;
          }
          size_t bad = fetch_node[f];
          if (auto culprit = NodeInError(s1.message())) {
            if (const graph::Node* c = g->FindNode(*culprit); c && plan.foldable[id(c)] &&
                                                              c->op() != "Const")
              bad = id(c);
          }
          excluded[bad] = 1;
          changed = true;
        }
      }
    }
    if (!changed) break;
  }

  // Emit: frontier nodes become Consts, the constant nodes behind them go.
  std::unordered_set<std::string> used_names;
  for (const auto& node : graph_def.node()) used_names.insert(node.name());
  std::map<std::pair<std::string, int>, std::string> renamed;  // multi-output frontier
  std::unordered_map<std::string, std::vector<std::string>> control_replacement;
  for (size_t i = 0; i < n; ++i) {
    if (!plan.frontier[i] || by_id[i]->num_outputs() == 1) continue;
    for (int k : plan.used_outputs[i])
      renamed[{by_id[i]->name(), k}] =
          UniqueName(StrCat(by_id[i]->name(), "/folded_output_", k), &used_names);
    std::vector<std::string> repl;
    for (const auto& a : plan.anchors[i]) repl.push_back("^" + a);
    control_replacement[by_id[i]->name()] = repl;
  }
  std::vector<tf::NodeDef> nodes;
  // In the GraphDef's order, copying the original NodeDefs (import added
  // default attrs an older TensorFlow might not know).
  for (const tf::NodeDef& def : graph_def.node()) {
    const graph::Node* node = g->FindNode(def.name());
    if (node == nullptr) return errors::Internal("node ", def.name(), " lost in import");
    size_t i = id(node);
    if (plan.frontier[i]) {
      std::vector<std::string> controls;
      for (const auto& a : plan.anchors[i]) controls.push_back("^" + a);
      for (int k : plan.used_outputs[i]) {
        const std::string name =
            node->num_outputs() == 1 ? node->name() : renamed.at({node->name(), k});
        tf::NodeDef c = MakeConst(name, values.at({node->name(), k}), def.device());
        for (const auto& ctl : controls) c.add_input(ctl);
        nodes.push_back(std::move(c));
      }
      continue;
    }
    if (plan.foldable[i] && node->op() != "Const") continue;  // interior
    tf::NodeDef copy = def;
    copy.clear_input();
    std::set<std::string> seen_controls;
    for (const auto& in : def.input()) {
      InputRef r = ParseInput(in);
      if (r.index >= 0) {
        auto it = renamed.find({r.node, r.index});
        copy.add_input(it != renamed.end() ? it->second : in);
        continue;
      }
      auto repl = control_replacement.find(r.node);
      for (const std::string& c : repl != control_replacement.end()
                                      ? repl->second
                                      : std::vector<std::string>{in})
        if (seen_controls.insert(c).second) copy.add_input(c);
    }
    nodes.push_back(std::move(copy));
  }
  // Consts (and nothing else) that only the folded nodes read.
  DropOrphans(graph_def, &nodes, [&](const tf::NodeDef& node) {
    return node.op() == "Const" && !input_set.count(node.name()) && !output_set.count(node.name());
  });
  tf::GraphDef out;
  for (auto& node : nodes) *out.add_node() = std::move(node);
  CopyGraphExtras(graph_def, &out);
  return out;
}

// ---------------------------------------------------------------- batch norms

namespace {

class BatchNormFolder {
 public:
  explicit BatchNormFolder(const tf::GraphDef& g) {
    for (const auto& n : g.node()) nodes_.push_back(n);
    for (const auto& n : g.node()) used_names_.insert(n.name());
  }

  // One pass over the graph; true if something was folded.
  bool Pass() {
    Reindex();
    touched_.clear();
    bool changed = false;
    for (size_t i = 0; i < nodes_.size(); ++i) {
      if (removed_.count(nodes_[i].name()) || touched_.count(nodes_[i].name())) continue;
      const std::string& op = nodes_[i].op();
      if (op == "FusedBatchNorm" || op == "FusedBatchNormV2" || op == "FusedBatchNormV3")
        changed |= FoldFused(i);
      else if (op == "Add" || op == "AddV2")
        changed |= FoldMulAdd(i);
    }
    FlushPending();
    Compact();
    return changed;
  }

  std::vector<tf::NodeDef>& nodes() { return nodes_; }

 private:
  struct Linear {
    size_t lin = 0;                 // Conv2D / DepthwiseConv2dNative / MatMul
    std::optional<size_t> bias_add;  // BiasAdd between it and the batch norm
    Tensor weights;
    std::vector<float> bias;        // zeros without a BiasAdd
    int64_t channels = 0;
    int out_rank = 0;
    std::string data_format = "NHWC";
  };

  void Reindex() {
    index_.clear();
    consumers_.clear();
    for (size_t i = 0; i < nodes_.size(); ++i) index_[nodes_[i].name()] = i;
    for (size_t i = 0; i < nodes_.size(); ++i)
      for (const auto& in : nodes_[i].input()) consumers_[graph::NodeNameOf(in)].push_back({i, in});
  }

  void Compact() {
    std::vector<tf::NodeDef> kept;
    for (auto& n : nodes_)
      if (!removed_.count(n.name())) kept.push_back(std::move(n));
    nodes_ = std::move(kept);
    removed_.clear();
  }

  const tf::NodeDef* Find(const std::string& name) const {
    auto it = index_.find(name);
    return it == index_.end() ? nullptr : &nodes_[it->second];
  }

  static std::string Attr(const tf::NodeDef& n, const char* key, const char* fallback) {
    auto it = n.attr().find(key);
    return it == n.attr().end() ? fallback : it->second.s();
  }
  static bool IsFloat(const tf::NodeDef& n, const char* key = "T") {
    auto it = n.attr().find(key);
    return it != n.attr().end() && it->second.type() == DT_FLOAT;
  }

  // The node feeding data input `k` through output 0, or nullopt.
  std::optional<size_t> Producer(const tf::NodeDef& n, int k) const {
    int seen = 0;
    for (const auto& in : n.input()) {
      if (IsControl(in)) continue;
      if (seen++ != k) continue;
      InputRef r = ParseInput(in);
      if (r.index != 0) return std::nullopt;
      auto it = index_.find(r.node);
      if (it == index_.end()) return std::nullopt;
      return it->second;
    }
    return std::nullopt;
  }

  // Number of consumers (data or control) of a node.
  size_t ConsumerCount(const std::string& name) const {
    auto it = consumers_.find(name);
    return it == consumers_.end() ? 0 : it->second.size();
  }
  bool OnlyConsumerIs(const std::string& name, size_t consumer) const {
    auto it = consumers_.find(name);
    if (it == consumers_.end() || it->second.size() != 1) return false;
    return it->second[0].first == consumer && !IsControl(it->second[0].second);
  }

  // A float Const reached from data input `k` (through Identity nodes).
  std::optional<Tensor> ConstInput(const tf::NodeDef& n, int k) const {
    std::optional<size_t> p = Producer(n, k);
    for (int hops = 0; p && hops < 64; ++hops) {
      const tf::NodeDef& src = nodes_[*p];
      if (removed_.count(src.name())) return std::nullopt;
      if (src.op() == "Const") {
        auto it = src.attr().find("value");
        if (it == src.attr().end()) return std::nullopt;
        auto t = TensorFromProto(it->second.tensor());
        if (!t.ok() || t->dtype() != DT_FLOAT) return std::nullopt;
        return *t;
      }
      if (src.op() != "Identity") return std::nullopt;
      p = Producer(src, 0);
    }
    return std::nullopt;
  }

  // Per-channel values of a Const that broadcasts along the last axis only:
  // a scalar, or shape [1, ..., 1, C] of rank <= max_rank.
  static std::optional<std::vector<float>> ChannelValues(const Tensor& t, int64_t channels,
                                                         int max_rank) {
    const Shape& s = t.shape();
    if (s.rank() > max_rank) return std::nullopt;
    auto v = t.flat<float>();
    if (t.num_elements() == 1 && std::all_of(s.dims().begin(), s.dims().end(),
                                             [](int64_t d) { return d == 1; }))
      return std::vector<float>(static_cast<size_t>(channels), v[0]);
    if (s.rank() == 0 || s.dim(s.rank() - 1) != channels) return std::nullopt;
    for (int d = 0; d + 1 < s.rank(); ++d)
      if (s.dim(d) != 1) return std::nullopt;
    return std::vector<float>(v.begin(), v.end());
  }

  // Matches [BiasAdd(] linear(x, Const w) [, Const b)] ending at node `p`,
  // whose only consumer is `consumer`.
  std::optional<Linear> MatchLinear(size_t p, size_t consumer) const {
    Linear m;
    if (!OnlyConsumerIs(nodes_[p].name(), consumer)) return std::nullopt;
    size_t lin = p;
    std::optional<Tensor> bias;
    if (nodes_[p].op() == "BiasAdd") {
      if (!IsFloat(nodes_[p])) return std::nullopt;
      bias = ConstInput(nodes_[p], 1);
      auto x = Producer(nodes_[p], 0);
      if (!bias || !x || !OnlyConsumerIs(nodes_[*x].name(), p)) return std::nullopt;
      m.bias_add = p;
      lin = *x;
    }
    const tf::NodeDef& L = nodes_[lin];
    if (removed_.count(L.name()) || touched_.count(L.name()) || !IsFloat(L)) return std::nullopt;
    std::optional<Tensor> w = ConstInput(L, 1);
    if (!w) return std::nullopt;
    const Shape& ws = w->shape();
    if (L.op() == "Conv2D" || L.op() == "DepthwiseConv2dNative") {
      if (ws.rank() != 4) return std::nullopt;
      m.data_format = Attr(L, "data_format", "NHWC");
      if (m.data_format != "NHWC" && m.data_format != "NCHW") return std::nullopt;
      m.channels = L.op() == "Conv2D" ? ws.dim(3) : ws.dim(2) * ws.dim(3);
      m.out_rank = 4;
    } else if (L.op() == "MatMul") {
      if (ws.rank() != 2) return std::nullopt;
      auto tb = L.attr().find("transpose_b");
      bool transpose_b = tb != L.attr().end() && tb->second.b();
      m.channels = transpose_b ? ws.dim(0) : ws.dim(1);
      m.out_rank = 2;
    } else {
      return std::nullopt;
    }
    if (m.bias_add) {
      if (Attr(nodes_[p], "data_format", "NHWC") != m.data_format) return std::nullopt;
      if (bias->shape().rank() != 1 || bias->num_elements() != m.channels) return std::nullopt;
      auto b = bias->flat<float>();
      m.bias.assign(b.begin(), b.end());
    } else {
      m.bias.assign(static_cast<size_t>(m.channels), 0.0f);
    }
    m.lin = lin;
    m.weights = w->DeepCopy();
    return m;
  }

  // Scales output channel c of the linear op's weights by scale[c].
  void ScaleWeights(Linear& m, const std::vector<double>& scale) {
    const tf::NodeDef& L = nodes_[m.lin];
    auto w = m.weights.flat<float>();
    const Shape& ws = m.weights.shape();
    bool transpose_b = L.op() == "MatMul" && L.attr().count("transpose_b") &&
                       L.attr().at("transpose_b").b();
    if (transpose_b) {  // [out, in]
      int64_t in = ws.dim(1);
      for (int64_t o = 0; o < ws.dim(0); ++o)
        for (int64_t k = 0; k < in; ++k)
          w[static_cast<size_t>(o * in + k)] =
              static_cast<float>(w[static_cast<size_t>(o * in + k)] * scale[static_cast<size_t>(o)]);
    } else {
      // Conv2D [H,W,I,O], MatMul [in,out]: the channel is the last index.
      // DepthwiseConv2dNative [H,W,C,M]: channel c*M+m is the flattened pair
      // of the last two indices — also the position modulo C*M.
      const size_t c = static_cast<size_t>(m.channels);
      for (size_t k = 0; k < w.size(); ++k) w[k] = static_cast<float>(w[k] * scale[k % c]);
    }
  }

  // Writes the scaled weights: in place when the Const feeds only this op,
  // else as a new Const the op reads instead.
  void WriteWeights(const Linear& m) {
    tf::NodeDef& L = nodes_[m.lin];
    int data_k = -1, pos = -1;
    for (int j = 0; j < L.input_size(); ++j)
      if (!IsControl(L.input(j)) && ++data_k == 1) pos = j;
    auto src = Producer(L, 1);
    if (src && nodes_[*src].op() == "Const" && ConsumerCount(nodes_[*src].name()) == 1) {
      tf::NodeDef& c = nodes_[*src];
      TensorToProto(m.weights, (*c.mutable_attr())["value"].mutable_tensor(),
                    ProtoEncoding::kPython);
      touched_.insert(c.name());
      return;
    }
    const std::string base = graph::NodeNameOf(L.input(pos));
    tf::NodeDef c = MakeConst(UniqueName(base + "/bn_folded", &used_names_), m.weights, L.device());
    L.set_input(pos, c.name());
    pending_.push_back({m.lin, std::move(c)});
  }

  // Replaces node `last` by BiasAdd(linear, bias) under its own name, keeping
  // the control inputs of every node the pattern removes.
  void Emit(size_t last, Linear& m, const std::vector<float>& bias,
            const std::vector<size_t>& removed) {
    WriteWeights(m);
    tf::NodeDef& dst = nodes_[last];
    std::vector<std::string> controls;
    for (size_t r : removed)
      for (const auto& in : nodes_[r].input())
        if (IsControl(in)) controls.push_back(in);
    for (const auto& in : dst.input())
      if (IsControl(in)) controls.push_back(in);
    tf::NodeDef b = MakeConst(UniqueName(dst.name() + "/folded_bias", &used_names_),
                              Tensor::FromVector<float>(bias, Shape{m.channels}), dst.device());
    tf::NodeDef add;
    add.set_name(dst.name());
    add.set_op("BiasAdd");
    add.set_device(dst.device());
    add.add_input(nodes_[m.lin].name());
    add.add_input(b.name());
    std::set<std::string> seen;
    for (const auto& c : controls)
      if (seen.insert(c).second) add.add_input(c);
    (*add.mutable_attr())["T"].set_type(DT_FLOAT);
    (*add.mutable_attr())["data_format"].set_s(m.data_format);
    for (size_t r : removed) removed_.insert(nodes_[r].name());
    touched_.insert(nodes_[m.lin].name());
    touched_.insert(add.name());
    // New Consts go before their readers (the order is cosmetic).
    pending_.push_back({last, std::move(b)});
    dst = std::move(add);
  }

  bool FoldFused(size_t i) {
    const tf::NodeDef& bn = nodes_[i];
    if (!IsFloat(bn)) return false;
    auto training = bn.attr().find("is_training");
    if (training == bn.attr().end() || training->second.b()) return false;  // default: true
    // Outputs 1..5 (batch statistics, reserve spaces) must be unused.
    if (auto it = consumers_.find(bn.name()); it != consumers_.end())
      for (const auto& [c, in] : it->second)
        if (!IsControl(in) && ParseInput(in).index != 0) return false;
    auto x = Producer(bn, 0);
    auto scale = ConstInput(bn, 1), offset = ConstInput(bn, 2), mean = ConstInput(bn, 3),
         var = ConstInput(bn, 4);
    if (!x || !scale || !offset || !mean || !var) return false;
    if (touched_.count(nodes_[*x].name())) return false;
    std::optional<Linear> m = MatchLinear(*x, i);
    if (!m) return false;
    const std::string format = Attr(bn, "data_format", "NHWC");
    if (format != m->data_format) return false;
    const size_t c = static_cast<size_t>(m->channels);
    for (const Tensor* t : {&*scale, &*offset, &*mean, &*var})
      if (t->shape().rank() != 1 || static_cast<size_t>(t->num_elements()) != c) return false;
    double eps = 1e-4;
    if (auto e = bn.attr().find("epsilon"); e != bn.attr().end()) eps = e->second.f();
    std::vector<double> s(c);
    std::vector<float> bias(c);
    for (size_t k = 0; k < c; ++k) {
      s[k] = scale->flat<float>()[k] / std::sqrt(static_cast<double>(var->flat<float>()[k]) + eps);
      bias[k] = static_cast<float>((m->bias[k] - static_cast<double>(mean->flat<float>()[k])) * s[k] +
                                   offset->flat<float>()[k]);
    }
    ScaleWeights(*m, s);
    std::vector<size_t> removed;
    if (m->bias_add) removed.push_back(*m->bias_add);
    Emit(i, *m, bias, removed);
    return true;
  }

  bool FoldMulAdd(size_t i) {
    const tf::NodeDef& add = nodes_[i];
    if (!IsFloat(add)) return false;
    for (int mul_k = 0; mul_k < 2; ++mul_k) {
      auto mul = Producer(add, mul_k);
      auto shift = ConstInput(add, 1 - mul_k);
      if (!mul || !shift || nodes_[*mul].op() != "Mul" || !IsFloat(nodes_[*mul])) continue;
      if (touched_.count(nodes_[*mul].name()) || !OnlyConsumerIs(nodes_[*mul].name(), i)) continue;
      for (int x_k = 0; x_k < 2; ++x_k) {
        auto x = Producer(nodes_[*mul], x_k);
        auto scale = ConstInput(nodes_[*mul], 1 - x_k);
        if (!x || !scale || touched_.count(nodes_[*x].name())) continue;
        std::optional<Linear> m = MatchLinear(*x, *mul);
        // Channels must be the last axis.
        if (!m || m->data_format != "NHWC") continue;
        auto sv = ChannelValues(*scale, m->channels, m->out_rank);
        auto bv = ChannelValues(*shift, m->channels, m->out_rank);
        if (!sv || !bv) continue;
        const size_t c = static_cast<size_t>(m->channels);
        std::vector<double> s(sv->begin(), sv->end());
        std::vector<float> bias(c);
        for (size_t k = 0; k < c; ++k)
          bias[k] = static_cast<float>(static_cast<double>(m->bias[k]) * s[k] + (*bv)[k]);
        ScaleWeights(*m, s);
        std::vector<size_t> removed = {*mul};
        if (m->bias_add) removed.push_back(*m->bias_add);
        Emit(i, *m, bias, removed);
        return true;
      }
    }
    return false;
  }

 public:
  // Inserts the Consts made during a pass before the nodes they belong to.
  void FlushPending() {
    if (pending_.empty()) return;
    std::map<std::string, std::vector<tf::NodeDef>> before;
    for (auto& [pos, node] : pending_) before[nodes_[pos].name()].push_back(std::move(node));
    pending_.clear();
    std::vector<tf::NodeDef> out;
    for (auto& n : nodes_) {
      auto it = before.find(n.name());
      if (it != before.end())
        for (auto& c : it->second) out.push_back(std::move(c));
      out.push_back(std::move(n));
    }
    nodes_ = std::move(out);
  }

 private:
  std::vector<tf::NodeDef> nodes_;
  std::unordered_map<std::string, size_t> index_;
  std::unordered_map<std::string, std::vector<std::pair<size_t, std::string>>> consumers_;
  std::unordered_set<std::string> used_names_, removed_, touched_;
  std::vector<std::pair<size_t, tf::NodeDef>> pending_;
};

}  // namespace

Result<tf::GraphDef> FoldBatchNorms(const tf::GraphDef& graph_def) {
  TFPORT_RETURN_IF_ERROR(CheckGraph(graph_def, {}, {}));
  BatchNormFolder folder(graph_def);
  for (int pass = 0; pass < 64 && folder.Pass(); ++pass) {
  }
  std::vector<tf::NodeDef>& nodes = folder.nodes();
  // The batch norms' parameters, old biases and weights nobody reads now.
  DropOrphans(graph_def, &nodes, [](const tf::NodeDef& n) {
    return n.op() == "Const" || n.op() == "Identity";
  });
  tf::GraphDef out;
  for (auto& n : nodes) *out.add_node() = std::move(n);
  CopyGraphExtras(graph_def, &out);
  return out;
}

// ---------------------------------------------------------------- remove unused

Result<tf::GraphDef> RemoveUnusedNodes(const tf::GraphDef& graph_def,
                                       const std::vector<std::string>& inputs,
                                       const std::vector<std::string>& outputs) {
  TFPORT_RETURN_IF_ERROR(CheckGraph(graph_def, inputs, outputs));
  std::vector<std::string> dest;
  std::set<std::string> seen;
  for (const auto* list : {&outputs, &inputs})
    for (const auto& name : *list)
      if (seen.insert(graph::NodeNameOf(name)).second) dest.push_back(graph::NodeNameOf(name));
  return ExtractSubGraph(graph_def, dest);
}

tf::GraphDef CanonicalizeInputNames(const tf::GraphDef& graph_def) {
  tf::GraphDef out = graph_def;
  for (auto& n : *out.mutable_node())
    for (auto& in : *n.mutable_input())
      if (in.size() > 2 && in.compare(in.size() - 2, 2, ":0") == 0 && in[0] != '^')
        in.resize(in.size() - 2);
  return out;
}

Result<tf::GraphDef> OptimizeForInference(const tf::GraphDef& graph_def,
                                          const std::vector<std::string>& inputs,
                                          const std::vector<std::string>& outputs) {
  TFPORT_ASSIGN_OR_RETURN(tf::GraphDef g,
                          StripTrainingNodes(CanonicalizeInputNames(graph_def), inputs, outputs));
  TFPORT_ASSIGN_OR_RETURN(g, FoldConstants(g, inputs, outputs));
  TFPORT_ASSIGN_OR_RETURN(g, FoldBatchNorms(g));
  TFPORT_ASSIGN_OR_RETURN(g, FoldConstants(g, inputs, outputs));
  return RemoveUnusedNodes(g, inputs, outputs);
}

}  // namespace tfport::freeze
