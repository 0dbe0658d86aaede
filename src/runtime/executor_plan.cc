#include "tfport/runtime/executor.h"

#include <algorithm>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>

#include "runtime/executor_internal.h"
#include "tfport/runtime/function.h"

namespace tfport::runtime {

using namespace internal;

namespace {


Kind KindOf(const std::string& op) {
  if (op == "Switch" || op == "RefSwitch") return Kind::kSwitch;
  if (op == "Merge" || op == "RefMerge") return Kind::kMerge;
  if (op == "Enter" || op == "RefEnter") return Kind::kEnter;
  if (op == "Exit" || op == "RefExit") return Kind::kExit;
  if (op == "NextIteration" || op == "RefNextIteration") return Kind::kNextIteration;
  if (op == "ControlTrigger") return Kind::kControlTrigger;
  return Kind::kNormal;
}

bool IsExpensiveOp(const std::string& op) {
  static const std::set<std::string> kOps = {
      "MatMul", "BatchMatMul", "BatchMatMulV2", "BatchMatMulV3", "Conv2D", "DepthwiseConv2dNative",
      "MaxPool", "AvgPool", "FusedBatchNorm", "FusedBatchNormV2", "FusedBatchNormV3",
      "Conv2DBackpropInput", "Conv2DBackpropFilter"};
  return kOps.count(op) > 0;
}

using FedMap = std::map<std::pair<const graph::Node*, int>, int>;

// Folded results larger than this stay nodes (a Fill or Tile of constants
// would otherwise be stored in the plan).
constexpr size_t kMaxFoldedBytes = size_t{64} << 20;

// Ops constant folding may evaluate when their inputs are constants: known,
// stateless, ordinary dataflow ops over plain tensors.
bool FoldableOp(const graph::Node& n) {
  if (n.op() == "Const") return true;
  const tf::OpDef* def = n.op_def();
  if (def == nullptr || def->is_stateful() || n.num_inputs() == 0 || n.num_outputs() <= 0 ||
      KindOf(n.op()) != Kind::kNormal)
    return false;
  static const std::set<std::string> kNever = {"Placeholder", "PlaceholderV2",
                                               "PlaceholderWithDefault", "_Arg", "_Retval"};
  if (kNever.count(n.op())) return false;
  auto plain = [](DataType t) { return !IsRefType(t) && t != DT_RESOURCE && t != DT_VARIANT; };
  for (int i = 0; i < n.num_inputs(); ++i)
    if (!plain(n.input_type(i))) return false;
  for (int i = 0; i < n.num_outputs(); ++i)
    if (!plain(n.output_type(i))) return false;
  return true;
}

// What fusion rules see of a plan being built: the needed nodes, how often
// each of their outputs is used, and the hoisted constants.
class PlanFusionContext final : public FusionContext {
 public:
  PlanFusionContext(const std::vector<const graph::Node*>& needed, const ExecutorSpec& spec,
                    const FedMap& fed, const std::vector<Tensor>& constants)
      : spec_(spec), fed_(fed), constants_(constants) {
    for (const graph::Node* n : needed) {
      in_plan_.insert(n);
      for (const graph::Output& in : n->inputs()) ++uses_[{in.node, in.index}];
      for (const graph::Node* c : n->control_inputs()) control_sources_.insert(c);
    }
    for (const graph::Output& r : spec.rets) ++uses_[{r.node, r.index}];
    for (const graph::Node* t : spec.targets) control_sources_.insert(t);
  }

  const Tensor* Constant(graph::Output t) const override {
    auto f = fed_.find({t.node, t.index});
    if (f == fed_.end() || f->second < static_cast<int>(spec_.args.size())) return nullptr;
    return &constants_[static_cast<size_t>(f->second) - spec_.args.size()];
  }

  bool Absorbable(graph::Output t) const override {
    const graph::Node* n = t.node;
    if (n == nullptr || !in_plan_.count(n) || taken_.count(n) || control_sources_.count(n) ||
        !n->control_inputs().empty() || KindOf(n->op()) != Kind::kNormal)
      return false;
    for (int k = 0; k < std::max(0, n->num_outputs()); ++k) {
      if (fed_.count({n, k})) return false;
      auto u = uses_.find({n, k});
      const int uses = u == uses_.end() ? 0 : u->second;
      if (uses != (k == t.index ? 1 : 0)) return false;
    }
    return true;
  }

  int Uses(graph::Output t) const override {
    auto u = uses_.find({t.node, t.index});
    return u == uses_.end() ? 0 : u->second;
  }

  bool Taken(const graph::Node* n) const { return taken_.count(n) > 0; }
  void Take(const graph::Node* n) { taken_.insert(n); }

 private:
  const ExecutorSpec& spec_;
  const FedMap& fed_;
  const std::vector<Tensor>& constants_;
  std::set<const graph::Node*> in_plan_, control_sources_, taken_;
  std::map<std::pair<const graph::Node*, int>, int> uses_;
};

// Offers every needed node to the fusion rules, consumers first (the
// needed list is a preorder from the results, so a node's only consumer
// comes before it), and drops the absorbed nodes from `needed`.
std::unordered_map<const graph::Node*, FusedNode> Fuse(const std::vector<FusionRule>& rules,
                                                       std::vector<const graph::Node*>* needed,
                                                       const ExecutorSpec& spec, const FedMap& fed,
                                                       const std::vector<Tensor>& constants) {
  std::unordered_map<const graph::Node*, FusedNode> fused;
  PlanFusionContext ctx(*needed, spec, fed, constants);
  for (const graph::Node* n : *needed) {
    if (ctx.Taken(n) || KindOf(n->op()) != Kind::kNormal) continue;
    for (const FusionRule& rule : rules) {
      std::optional<FusedNode> f = rule(*n, ctx);
      if (!f || f->kernel == nullptr) continue;
      bool ok = true;
      for (const graph::Node* a : f->absorbed) ok = ok && a != n && !ctx.Taken(a);
      if (!ok) continue;
      for (const graph::Node* a : f->absorbed) ctx.Take(a);
      ctx.Take(n);
      fused.emplace(n, std::move(*f));
      break;
    }
  }
  if (!fused.empty()) {
    std::vector<const graph::Node*> kept;
    for (const graph::Node* n : *needed)
      if (fused.count(n) || !ctx.Taken(n)) kept.push_back(n);
    *needed = std::move(kept);
  }
  return fused;
}

}  // namespace

using graph::NodeLocation;

Result<const OpKernel*> KernelCache::Get(const graph::Node& node) {
  std::lock_guard<std::mutex> lock(mu_);
  if (kernels_.size() <= static_cast<size_t>(node.id())) kernels_.resize(static_cast<size_t>(node.id()) + 1);
  auto& slot = kernels_[static_cast<size_t>(node.id())];
  if (slot) return slot.get();
  if (node.op_def() == nullptr)
    return errors::NotFound(NodeLocation(node.def()), ": Op type not registered '", node.op(),
                            "' in binary. tfport does not implement this op yet");
  const KernelFactory* factory = registry_ ? registry_->Find(node.op()) : nullptr;
  if (factory == nullptr && functions_ != nullptr && functions_->Find(node.op()) != nullptr) {
    TFPORT_ASSIGN_OR_RETURN(slot, functions_->MakeCallKernel(node));
    return slot.get();
  }
  if (factory == nullptr) return NoKernelFor(node);
  Result<std::unique_ptr<OpKernel>> k = (*factory)(node);
  if (!k.ok()) return k.status();
  slot = std::move(*k);
  return slot.get();
}


Result<std::unique_ptr<Executor>> Executor::Create(const graph::Graph& graph, KernelCache* kernels,
                                                  ExecutorSpec spec) {
  return Create(graph, kernels, std::move(spec), /*hoist_constants=*/true);
}

Result<std::unique_ptr<Executor>> Executor::Create(const graph::Graph& graph, KernelCache* kernels,
                                                  ExecutorSpec spec, bool hoist_constants) {
  const ExecutorSpec original = hoist_constants ? spec : ExecutorSpec{};
  auto plan = std::make_unique<Plan>();
  plan->spec = std::move(spec);
  const ExecutorSpec& sp = plan->spec;

  // Arguments.
  FedMap fed;
  for (size_t i = 0; i < sp.args.size(); ++i) {
    const graph::Output& t = sp.args[i];
    if (!fed.emplace(std::make_pair(t.node, t.index), static_cast<int>(i)).second)
      return errors::InvalidArgument("tensor '", t.name(), "' is fed more than once");
  }
  // Constant folding at plan-build time: a Const without control inputs,
  // and a stateless op whose inputs are all such constants, give the same
  // tensors on every run, so they are evaluated here and delivered with the
  // arguments instead of running as nodes.
  const int num_args = static_cast<int>(sp.args.size());
  std::unordered_map<const graph::Node*, bool> foldable;
  std::function<bool(const graph::Node*)> Constant = [&](const graph::Node* n) -> bool {
    if (!hoist_constants || !n->control_inputs().empty()) return false;
    if (auto m = foldable.find(n); m != foldable.end()) return m->second;
    foldable[n] = false;  // until proven (also stops cycles)
    if (!FoldableOp(*n)) return false;
    for (int k = 0; k < n->num_outputs(); ++k)
      if (fed.count({n, k})) return false;  // fed by the caller
    std::vector<const Tensor*> inputs;
    std::vector<int> input_ids;
    for (const graph::Output& in : n->inputs()) {
      auto f = fed.find({in.node, in.index});
      if (f == fed.end() && Constant(in.node)) f = fed.find({in.node, in.index});
      if (f == fed.end() || f->second < num_args) return false;
      input_ids.push_back(f->second - num_args);
    }
    for (int id : input_ids) inputs.push_back(&plan->constants[static_cast<size_t>(id)]);
    Result<const OpKernel*> k = kernels->Get(*n);
    if (!k.ok()) return false;
    Result<std::vector<Tensor>> v = EvaluateConstant(*n, **k, inputs);
    if (!v.ok() || static_cast<int>(v->size()) != n->num_outputs()) return false;
    size_t bytes = 0;
    for (const Tensor& t : *v) bytes += t.byte_size();
    if (n->op() != "Const" && bytes > kMaxFoldedBytes) return false;
    for (int o = 0; o < n->num_outputs(); ++o) {
      fed.emplace(std::make_pair(n, o), num_args + static_cast<int>(plan->constants.size()));
      plan->constants.push_back(std::move((*v)[static_cast<size_t>(o)]));
    }
    foldable[n] = true;
    return true;
  };

  // Needed nodes: backwards from results and targets, not past arguments.
  std::vector<const graph::Node*> stack;
  for (const graph::Output& t : sp.rets)
    if (!fed.count({t.node, t.index})) stack.push_back(t.node);
  for (const graph::Node* n : sp.targets) stack.push_back(n);
  // As in TensorFlow, feeding a Placeholder (or a function's _Arg) also
  // satisfies the control edges that leave it.
  auto FedPlaceholder = [&](const graph::Node* n) {
    return (n->op() == "Placeholder" || n->op() == "_Arg") && fed.count({n, 0}) > 0;
  };
  std::unordered_map<const graph::Node*, int> index;
  std::vector<const graph::Node*> needed;
  while (!stack.empty()) {
    const graph::Node* n = stack.back();
    stack.pop_back();
    if (index.count(n)) continue;
    index[n] = static_cast<int>(needed.size());
    needed.push_back(n);
    for (const auto& in : n->inputs())
      if (!fed.count({in.node, in.index}) && !index.count(in.node) && !Constant(in.node))
        stack.push_back(in.node);
    for (const graph::Node* c : n->control_inputs())
      if (!index.count(c) && !FedPlaceholder(c)) stack.push_back(c);
  }
  plan->feed_edges.resize(sp.args.size() + plan->constants.size());

  // Fusion: chains of nodes replaced by one kernel, decided here once.
  std::unordered_map<const graph::Node*, FusedNode> fused;
  if (kernels->fuse() && kernels->registry() != nullptr &&
      !kernels->registry()->fusion_rules().empty()) {
    fused = Fuse(kernels->registry()->fusion_rules(), &needed, sp, fed, plan->constants);
    index.clear();
    for (size_t i = 0; i < needed.size(); ++i) index[needed[i]] = static_cast<int>(i);
  }

  // Nodes, kernels and edges.
  plan->nodes.resize(needed.size());
  for (size_t i = 0; i < needed.size(); ++i) {
    const graph::Node* n = needed[i];
    auto& pn = plan->nodes[i];
    pn.node = n;
    // A node without a kernel fails only if it actually runs, so graphs whose
    // untaken tf.cond branches use unsupported ops still work.
    pn.inputs = n->inputs();
    pn.kind = KindOf(n->op());
    pn.expensive = IsExpensiveOp(n->op());
    if (auto f = fused.find(n); f != fused.end()) {
      pn.inputs = f->second.inputs;
      pn.fused = true;
      pn.kernel = f->second.kernel.get();
      for (const graph::Node* a : f->second.absorbed) pn.expensive |= IsExpensiveOp(a->op());
      plan->fused.push_back(n->name() + ": " + f->second.description);
      plan->fused_kernels.push_back(std::move(f->second.kernel));
    } else {
      Result<const OpKernel*> kernel = kernels->Get(*n);
      if (kernel.ok()) {
        pn.kernel = *kernel;
      } else {
        pn.kernel_error = kernel.status();
      }
    }
    pn.num_data = static_cast<int>(pn.inputs.size());
    pn.num_control = static_cast<int>(n->control_inputs().size());
    pn.outputs.resize(static_cast<size_t>(std::max(0, n->num_outputs())));
    pn.initial_pending = pn.kind == Kind::kMerge
                             ? pn.num_control + (pn.num_data > 0 ? 1 : 0)
                             : pn.num_data + pn.num_control;
  }
  for (size_t i = 0; i < needed.size(); ++i) {
    const graph::Node* n = needed[i];
    const std::vector<graph::Output>& inputs = plan->nodes[i].inputs;
    for (int k = 0; k < static_cast<int>(inputs.size()); ++k) {
      const graph::Output& in = inputs[static_cast<size_t>(k)];
      auto f = fed.find({in.node, in.index});
      if (f != fed.end()) {
        plan->feed_edges[static_cast<size_t>(f->second)].push_back({static_cast<int>(i), k});
        continue;
      }
      auto& src = plan->nodes[static_cast<size_t>(index.at(in.node))];
      if (static_cast<size_t>(in.index) >= src.outputs.size()) src.outputs.resize(static_cast<size_t>(in.index) + 1);
      src.outputs[static_cast<size_t>(in.index)].push_back({static_cast<int>(i), k});
    }
    for (const graph::Node* c : n->control_inputs()) {
      if (FedPlaceholder(c)) {
        plan->feed_edges[static_cast<size_t>(fed.at({c, 0}))].push_back({static_cast<int>(i), -1});
      } else {
        plan->nodes[static_cast<size_t>(index.at(c))].control_out.push_back(static_cast<int>(i));
      }
    }
  }

  // Cycle check (Kahn), ignoring NextIteration back edges.
  {
    std::vector<int> indeg(needed.size(), 0);
    auto for_each_succ = [&](size_t i, auto fn) {
      const auto& pn = plan->nodes[i];
      if (pn.kind == Kind::kNextIteration) return;
      for (const auto& edges : pn.outputs)
        for (const auto& e : edges) fn(e.dst);
      for (int d : pn.control_out) fn(d);
    };
    for (size_t i = 0; i < needed.size(); ++i) for_each_succ(i, [&](int d) { ++indeg[static_cast<size_t>(d)]; });
    std::vector<int> q;
    for (size_t i = 0; i < needed.size(); ++i)
      if (indeg[i] == 0) q.push_back(static_cast<int>(i));
    size_t seen = 0;
    while (!q.empty()) {
      int i = q.back();
      q.pop_back();
      ++seen;
      plan->order.push_back(i);
      for_each_succ(static_cast<size_t>(i), [&](int d) {
        if (--indeg[static_cast<size_t>(d)] == 0) q.push_back(d);
      });
    }
    if (seen != needed.size()) {
      std::string names;
      int shown = 0;
      for (size_t i = 0; i < needed.size() && shown < 5; ++i)
        if (indeg[i] > 0) {
          names += (shown++ ? ", " : "") + needed[i]->name();
        }
      return errors::InvalidArgument("Graph is invalid, contains a cycle with ",
                                     needed.size() - seen, " nodes, including: ", names);
    }
  }

  // Frames: breadth-first from the nodes with no inputs, following the
  // Enter (into a child frame) and Exit (back to the parent) rules.
  plan->frames.push_back(Plan::Frame{"", -1, 0, {}});
  std::map<std::pair<int, std::string>, int> frame_ids;
  std::vector<int> frame_of(needed.size(), -1);
  std::deque<int> bfs;
  auto assign = [&](int node, int frame) -> Status {
    int& f = frame_of[static_cast<size_t>(node)];
    if (f == -1) {
      f = frame;
      bfs.push_back(node);
    } else if (f != frame) {
      return errors::InvalidArgument(NodeLocation(needed[static_cast<size_t>(node)]->def()),
                                     ": inputs come from different while-loop frames");
    }
    return OkStatus();
  };
  for (size_t i = 0; i < needed.size(); ++i) {
    const auto& pn = plan->nodes[i];
    bool has_plan_input = false;
    for (const graph::Node* c : pn.node->control_inputs()) has_plan_input |= !FedPlaceholder(c);
    for (int k = 0; k < pn.num_data && !has_plan_input; ++k)
      has_plan_input = !fed.count({pn.inputs[static_cast<size_t>(k)].node,
                                   pn.inputs[static_cast<size_t>(k)].index});
    if (!has_plan_input) TFPORT_RETURN_IF_ERROR(assign(static_cast<int>(i), 0));
  }
  while (!bfs.empty()) {
    int i = bfs.front();
    bfs.pop_front();
    auto& pn = plan->nodes[static_cast<size_t>(i)];
    int f = frame_of[static_cast<size_t>(i)];
    int out_frame = f;
    if (pn.kind == Kind::kEnter) {
      Result<std::string> name = graph::GetStringAttr(pn.node->def(), "frame_name");
      if (!name.ok()) return name.status();
      auto key = std::make_pair(f, *name);
      auto it = frame_ids.find(key);
      if (it == frame_ids.end()) {
        it = frame_ids.emplace(key, static_cast<int>(plan->frames.size())).first;
        plan->frames.push_back(Plan::Frame{*name, f, 0, {}});
      }
      out_frame = it->second;
      pn.child_frame = out_frame;
      Result<bool> constant = graph::GetBoolAttr(pn.node->def(), "is_constant");
      pn.constant_enter = constant.ok() && *constant;
    } else if (pn.kind == Kind::kExit) {
      out_frame = plan->frames[static_cast<size_t>(f)].parent;
      if (out_frame < 0)
        return errors::InvalidArgument(NodeLocation(pn.node->def()),
                                       ": Exit node is not inside a while loop");
    }
    for (const auto& edges : pn.outputs)
      for (const auto& e : edges) TFPORT_RETURN_IF_ERROR(assign(e.dst, out_frame));
    for (int d : pn.control_out) TFPORT_RETURN_IF_ERROR(assign(d, out_frame));
  }
  for (size_t i = 0; i < needed.size(); ++i) {
    auto& pn = plan->nodes[i];
    if (frame_of[i] < 0)
      return errors::InvalidArgument(NodeLocation(pn.node->def()),
                                     ": node can never run (it is only reachable through a cycle)");
    pn.frame = frame_of[i];
    auto& fr = plan->frames[static_cast<size_t>(pn.frame)];
    pn.local = static_cast<int>(fr.nodes.size());
    pn.slot_base = fr.num_slots;
    fr.num_slots += pn.num_data;
    fr.nodes.push_back(static_cast<int>(i));
    if (pn.frame == 0 && pn.initial_pending == 0) plan->roots.push_back(static_cast<int>(i));
  }
  for (size_t k = 0; k < plan->feed_edges.size(); ++k)
    for (const auto& e : plan->feed_edges[k])
      if (plan->nodes[static_cast<size_t>(e.dst)].frame != 0) {
        // A constant read straight from inside a loop frame: plan without
        // folding, where it runs as a node of that frame.
        if (k >= sp.args.size()) return Create(graph, kernels, original, false);
        return errors::Unimplemented("feeding '", sp.args[k].name(),
                                     "', which is consumed inside a while loop");
      }

  // Results.
  for (size_t k = 0; k < sp.rets.size(); ++k) {
    const graph::Output& t = sp.rets[k];
    auto f = fed.find({t.node, t.index});
    if (f != fed.end()) {
      plan->fetch_src.emplace_back(-1, t.index);
      plan->fetch_feed.push_back(f->second);
      continue;
    }
    int i = index.at(t.node);
    // An Exit's output belongs to the frame around its loop.
    const auto& src = plan->nodes[static_cast<size_t>(i)];
    const int out_frame =
        src.kind == Kind::kExit ? plan->frames[static_cast<size_t>(src.frame)].parent : src.frame;
    if (out_frame != 0)
      return errors::Unimplemented("fetching '", t.name(), "', a tensor inside a while loop");
    plan->fetch_src.emplace_back(i, t.index);
    plan->fetch_feed.push_back(-1);
    plan->nodes[static_cast<size_t>(i)].fetch_slots.push_back(static_cast<int>(k));
  }

  int expensive = 0;
  bool simple = plan->frames.size() == 1;
  for (const auto& pn : plan->nodes) {
    // Nodes the dataflow mode would likely hand to another thread: known
    // expensive ops, and ops whose static output is big.
    bool big = false;
    if (pn.node->num_outputs() > 0) {
      const Shape out = pn.node->output_shape(0);
      big = !out.unknown_rank() && out.IsFullyDefined() && out.num_elements() > (int64_t{1} << 16);
    }
    expensive += pn.expensive || big ? 1 : 0;
    simple = simple && pn.kind == Kind::kNormal;
  }
  if (simple && expensive <= 1) {
    Plan& pl = *plan;
    pl.sequential = true;
    pl.sources.resize(pl.nodes.size());
    pl.out_base.resize(pl.nodes.size());
    for (size_t i = 0; i < pl.nodes.size(); ++i) {
      pl.sources[i].assign(static_cast<size_t>(pl.nodes[i].num_data), Plan::Source{0, 0});
      pl.out_base[i] = pl.num_out_slots;
      pl.num_out_slots += static_cast<int>(pl.nodes[i].outputs.size());
    }
    pl.consumers.assign(static_cast<size_t>(pl.num_out_slots), 0);
    for (size_t i = 0; i < pl.nodes.size(); ++i)
      for (size_t o = 0; o < pl.nodes[i].outputs.size(); ++o)
        for (const auto& e : pl.nodes[i].outputs[o]) {
          pl.sources[static_cast<size_t>(e.dst)][static_cast<size_t>(e.slot)] = {static_cast<int>(i), static_cast<int>(o)};
          ++pl.consumers[static_cast<size_t>(pl.out_base[i]) + o];
        }
    for (size_t k = 0; k < pl.feed_edges.size(); ++k)
      for (const auto& e : pl.feed_edges[k])
        if (e.slot >= 0)
          pl.sources[static_cast<size_t>(e.dst)][static_cast<size_t>(e.slot)] = {-1 - static_cast<int>(k), 0};
  }
  return std::unique_ptr<Executor>(new Executor(std::move(plan)));
}

}  // namespace tfport::runtime
