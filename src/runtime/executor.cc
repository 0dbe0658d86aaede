#include "tfport/runtime/executor.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <set>
#include <unordered_map>

#include "tfport/runtime/function.h"
#include "tfport/runtime/resource_mgr.h"

namespace tfport::runtime {
namespace {

using graph::NodeLocation;

enum class Kind : uint8_t { kNormal, kSwitch, kMerge, kEnter, kExit, kNextIteration, kControlTrigger };

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

struct OutEdge {
  int dst;
  int slot;  // input index of dst
};

// A value travelling along an edge: a tensor, or a ref variable.
struct Entry {
  Tensor value;
  RefVariable* ref = nullptr;
  bool has_value = false;
};

}  // namespace

// ---------------------------------------------------------------- plan

struct Executor::Plan {
  struct PNode {
    const graph::Node* node = nullptr;
    const OpKernel* kernel = nullptr;
    Status kernel_error;  // why `kernel` is null
    Kind kind = Kind::kNormal;
    int frame = 0;      // static frame id
    int local = 0;      // index within the frame
    int slot_base = 0;  // first input slot within the frame
    int num_data = 0;
    int num_control = 0;
    int initial_pending = 0;
    bool expensive = false;
    int child_frame = -1;  // Enter: the frame it enters
    bool constant_enter = false;
    std::vector<std::vector<OutEdge>> outputs;  // per output index
    std::vector<int> control_out;
    std::vector<int> fetch_slots;  // indices into fetches fed by this node's outputs
  };
  struct Frame {
    std::string name;
    int parent = -1;
    int num_slots = 0;
    std::vector<int> nodes;
  };

  ExecutorSpec spec;
  std::vector<PNode> nodes;
  std::vector<Frame> frames;
  std::vector<int> roots;
  // Straight-line mode, for plans with one frame, no Switch/Merge family
  // and at most one expensive node (nothing worth overlapping): nodes run in
  // `order` on the calling thread, without pending counts or locks.
  bool sequential = false;
  std::vector<int> order;
  struct Source {
    int node;  // plan node, or -1 - k for argument/constant k
    int out;
  };
  std::vector<std::vector<Source>> sources;  // per node, per data input
  std::vector<int> out_base;                 // per node: first slot of its outputs
  std::vector<int> consumers;                // per output slot: data edges reading it
  int num_out_slots = 0;
  // Per argument: the (node, slot) inputs it replaces.
  std::vector<std::vector<OutEdge>> feed_edges;
  // Per result: the producing plan node and output, or -1 with argument index.
  std::vector<std::pair<int, int>> fetch_src;
  std::vector<int> fetch_feed;  // argument (or, past the arguments, constant) index or -1
  // Const nodes evaluated once when the plan is built; delivered like
  // arguments (their feed_edges follow the arguments').
  std::vector<Tensor> constants;
};

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

namespace {
// The value of a Const node, computed by its kernel (defined below).
Result<Tensor> EvaluateConstant(const graph::Node& node, const OpKernel& kernel);
}  // namespace

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
  std::map<std::pair<const graph::Node*, int>, int> fed;
  for (size_t i = 0; i < sp.args.size(); ++i) {
    const graph::Output& t = sp.args[i];
    if (!fed.emplace(std::make_pair(t.node, t.index), static_cast<int>(i)).second)
      return errors::InvalidArgument("tensor '", t.name(), "' is fed more than once");
  }
  // Folding at plan-build time: a Const with no inputs and no control
  // inputs is the same tensor on every run, so it is evaluated here and
  // delivered with the arguments instead of running as a node.
  auto Constant = [&](const graph::Node* n) {
    if (!hoist_constants || n->op() != "Const" || !n->control_inputs().empty()) return false;
    if (fed.count({n, 0})) return true;
    Result<const OpKernel*> k = kernels->Get(*n);
    if (!k.ok()) return false;
    Result<Tensor> v = EvaluateConstant(*n, **k);
    if (!v.ok()) return false;
    fed.emplace(std::make_pair(n, 0), static_cast<int>(sp.args.size() + plan->constants.size()));
    plan->constants.push_back(std::move(*v));
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

  // Nodes, kernels and edges.
  plan->nodes.resize(needed.size());
  for (size_t i = 0; i < needed.size(); ++i) {
    const graph::Node* n = needed[i];
    auto& pn = plan->nodes[i];
    pn.node = n;
    // A node without a kernel fails only if it actually runs, so graphs whose
    // untaken tf.cond branches use unsupported ops still work.
    Result<const OpKernel*> kernel = kernels->Get(*n);
    if (kernel.ok()) {
      pn.kernel = *kernel;
    } else {
      pn.kernel_error = kernel.status();
    }
    pn.kind = KindOf(n->op());
    pn.expensive = IsExpensiveOp(n->op());
    pn.num_data = n->num_inputs();
    pn.num_control = static_cast<int>(n->control_inputs().size());
    pn.outputs.resize(static_cast<size_t>(std::max(0, n->num_outputs())));
    pn.initial_pending = pn.kind == Kind::kMerge
                             ? pn.num_control + (pn.num_data > 0 ? 1 : 0)
                             : pn.num_data + pn.num_control;
  }
  for (size_t i = 0; i < needed.size(); ++i) {
    const graph::Node* n = needed[i];
    for (int k = 0; k < n->num_inputs(); ++k) {
      graph::Output in = n->input(k);
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
      has_plan_input = !fed.count({pn.node->input(k).node, pn.node->input(k).index});
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

// ---------------------------------------------------------------- run state

namespace {

struct IterState {
  std::vector<Entry> slots;
  std::vector<int> pending;
  std::vector<int> dead;
  std::vector<int> merge_slot;  // Merge: live input slot + 1, 0 = none yet
};

struct FrameInst {
  int sframe = 0;
  FrameInst* parent = nullptr;
  int64_t parent_iter = 0;
  std::vector<std::unique_ptr<IterState>> iters;
  struct Invariant {
    int dst, slot;
    Entry entry;
    bool dead;
  };
  std::vector<Invariant> invariants;
  std::vector<int> dead_exits;
  std::map<std::pair<int, int64_t>, FrameInst*> children;
};

struct ReadyItem {
  int node;
  FrameInst* frame;
  int64_t iter;
  bool dead;
  std::vector<Entry> inputs;
  int merge_slot = -1;
};

}  // namespace

struct Executor::RunState {
  using PNode = Plan::PNode;

  const RunEnv& env;
  const Plan& plan;
  std::vector<std::unique_ptr<FrameInst>> frames;  // owns every instance
  StepState step;

  std::mutex mu;
  std::condition_variable done_cv;
  int64_t outstanding = 0;
  bool done = false;
  Status error;
  std::atomic<bool> failed{false};  // error is set; lets nodes skip work without the lock
  std::vector<Entry> fetched;
  std::vector<bool> fetched_set;
  std::vector<FrameInst*> frames_with_dead_exits;

  RunState(const RunEnv& e, const Plan& p) : env(e), plan(p) {
    fetched.resize(p.fetch_src.size());
    fetched_set.assign(p.fetch_src.size(), false);
  }

  IterState* NewIteration(FrameInst* f) {
    const auto& sf = plan.frames[static_cast<size_t>(f->sframe)];
    auto it = std::make_unique<IterState>();
    it->slots.resize(static_cast<size_t>(sf.num_slots));
    it->pending.resize(sf.nodes.size());
    it->dead.assign(sf.nodes.size(), 0);
    it->merge_slot.assign(sf.nodes.size(), 0);
    for (size_t k = 0; k < sf.nodes.size(); ++k)
      it->pending[k] = plan.nodes[static_cast<size_t>(sf.nodes[k])].initial_pending;
    f->iters.push_back(std::move(it));
    return f->iters.back().get();
  }

  FrameInst* NewFrame(int sframe, FrameInst* parent, int64_t parent_iter) {
    auto f = std::make_unique<FrameInst>();
    f->sframe = sframe;
    f->parent = parent;
    f->parent_iter = parent_iter;
    FrameInst* raw = f.get();
    frames.push_back(std::move(f));
    NewIteration(raw);
    return raw;
  }

  // REQUIRES: mu held. Delivers one edge's value into (f, iter).
  void Deliver(int dst, int slot, const Entry& entry, bool dead, FrameInst* f, int64_t iter,
               std::vector<ReadyItem>* ready) {
    const PNode& pn = plan.nodes[static_cast<size_t>(dst)];
    IterState& it = *f->iters[static_cast<size_t>(iter)];
    const size_t local = static_cast<size_t>(pn.local);
    if (pn.kind == Kind::kMerge) {
      if (slot < 0) {
        --it.pending[local];
      } else if (!dead) {
        if (it.merge_slot[local] == 0) {
          it.merge_slot[local] = slot + 1;
          it.slots[static_cast<size_t>(pn.slot_base + slot)] = entry;
          --it.pending[local];
        }
      } else if (++it.dead[local] == pn.num_data && it.merge_slot[local] == 0) {
        --it.pending[local];
      }
      if (it.pending[local] == 0) {
        it.pending[local] = -1;  // fired
        ReadyItem r{dst, f, iter, it.merge_slot[local] == 0, {}, it.merge_slot[local] - 1};
        if (!r.dead) r.inputs.push_back(std::move(it.slots[static_cast<size_t>(pn.slot_base + r.merge_slot)]));
        ready->push_back(std::move(r));
      }
      return;
    }
    if (slot >= 0 && !dead) it.slots[static_cast<size_t>(pn.slot_base + slot)] = entry;
    if (dead) ++it.dead[local];
    if (--it.pending[local] == 0) {
      ReadyItem r{dst, f, iter, it.dead[local] > 0 && pn.kind != Kind::kControlTrigger, {}, -1};
      if (!r.dead) {
        r.inputs.reserve(static_cast<size_t>(pn.num_data));
        for (int k = 0; k < pn.num_data; ++k)
          r.inputs.push_back(std::move(it.slots[static_cast<size_t>(pn.slot_base + k)]));
      }
      ready->push_back(std::move(r));
    }
  }

  FrameInst* Child(FrameInst* f, int64_t iter, int sframe) {
    auto key = std::make_pair(sframe, iter);
    auto it = f->children.find(key);
    if (it != f->children.end()) return it->second;
    FrameInst* c = NewFrame(sframe, f, iter);
    f->children.emplace(key, c);
    return c;
  }

  // REQUIRES: mu held. Sends output `out` (or a control token, out = -1) of
  // `pn` produced in (f, iter) along its edges, applying the frame rules.
  void Propagate(const PNode& pn, FrameInst* f, int64_t iter, int out, const Entry& entry,
                 bool dead, std::vector<ReadyItem>* ready) {
    FrameInst* tf = f;
    int64_t titer = iter;
    bool constant = false;
    switch (pn.kind) {
      case Kind::kEnter:
        tf = Child(f, iter, pn.child_frame);
        titer = 0;
        constant = pn.constant_enter;
        break;
      case Kind::kExit:
        if (dead) {
          if (iter + 1 == static_cast<int64_t>(f->iters.size()) &&
              std::find(f->dead_exits.begin(), f->dead_exits.end(), PlanIndex(pn)) ==
                  f->dead_exits.end()) {
            if (f->dead_exits.empty()) frames_with_dead_exits.push_back(f);
            f->dead_exits.push_back(PlanIndex(pn));
          }
          return;
        }
        tf = f->parent;
        titer = f->parent_iter;
        break;
      case Kind::kNextIteration:
        if (dead) return;  // deadness stops at the back edge
        titer = iter + 1;
        if (titer == static_cast<int64_t>(f->iters.size())) {
          NewIteration(f);
          f->dead_exits.clear();
          for (const auto& inv : f->invariants)
            Deliver(inv.dst, inv.slot, inv.entry, inv.dead, f, titer, ready);
        }
        break;
      default:
        break;
    }
    auto send = [&](int dst, int slot) {
      if (constant && slot >= 0) {
        tf->invariants.push_back({dst, slot, entry, dead});
        for (size_t k = 0; k < tf->iters.size(); ++k)
          Deliver(dst, slot, entry, dead, tf, static_cast<int64_t>(k), ready);
      } else {
        Deliver(dst, slot, entry, dead, tf, titer, ready);
      }
    };
    if (out < 0) {
      for (int d : pn.control_out) send(d, -1);
    } else if (static_cast<size_t>(out) < pn.outputs.size()) {
      for (const auto& e : pn.outputs[static_cast<size_t>(out)]) send(e.dst, e.slot);
    }
  }

  int PlanIndex(const PNode& pn) const { return static_cast<int>(&pn - plan.nodes.data()); }

  bool IsExpensive(const ReadyItem& r) const {
    const PNode& pn = plan.nodes[static_cast<size_t>(r.node)];
    if (r.dead) return false;
    if (pn.expensive) return true;
    int64_t elements = 0;
    for (const auto& e : r.inputs) elements += e.value.num_elements();
    return elements > (int64_t{1} << 16);
  }

  void Schedule(std::vector<ReadyItem>& items, std::deque<ReadyItem>* local) {
    // Nothing may touch `this` once the last item is done (the run may end).
    if (items.empty()) return;
    ThreadPool* pool = env.inter_op_pool;
    for (auto& r : items) {
      if (pool && pool->num_threads() > 0 && IsExpensive(r) && !local->empty()) {
        auto shared = std::make_shared<ReadyItem>(std::move(r));
        pool->Schedule([this, shared] { Execute(std::move(*shared)); });
      } else {
        local->push_back(std::move(r));
      }
    }
  }

  void Execute(ReadyItem first) {
    std::deque<ReadyItem> local;
    local.push_back(std::move(first));
    std::vector<ReadyItem> next;
    while (!local.empty()) {
      ReadyItem item = std::move(local.front());
      local.pop_front();
      next.clear();
      Process(item, &next);
      Schedule(next, &local);
    }
  }

  Status Compute(const PNode& pn, ReadyItem& item, std::vector<Entry>* outs) {
    return ComputeWith(pn, item, outs, env, step);
  }
  static Status ComputeWith(const PNode& pn, ReadyItem& item, std::vector<Entry>* outs,
                            const RunEnv& env, StepState& step);

  Status Finish(std::span<const Tensor> args, std::vector<Tensor>* rets);

  void Process(ReadyItem& item, std::vector<ReadyItem>* next) {
    const PNode& pn = plan.nodes[static_cast<size_t>(item.node)];
    const int num_out = static_cast<int>(pn.outputs.size());
    std::vector<Entry> outs(static_cast<size_t>(std::max(num_out, pn.node->num_outputs())));
    Status s;
    const bool aborted = failed.load(std::memory_order_relaxed);
    if (!aborted && !item.dead) s = Compute(pn, item, &outs);
    item.inputs.clear();  // release inputs before taking the lock

    std::lock_guard<std::mutex> lock(mu);
    if (!s.ok() && error.ok()) {
      error = s;
      failed.store(true, std::memory_order_relaxed);
    }
    if (error.ok()) {
      for (int k : pn.fetch_slots) {
        auto [src, out] = plan.fetch_src[static_cast<size_t>(k)];
        if (!item.dead && outs[static_cast<size_t>(out)].has_value) {
          fetched[static_cast<size_t>(k)] = outs[static_cast<size_t>(out)];
          fetched_set[static_cast<size_t>(k)] = true;
        }
      }
      for (int o = 0; o < num_out; ++o) {
        const Entry& e = outs[static_cast<size_t>(o)];
        bool dead = item.dead || !e.has_value;
        Propagate(pn, item.frame, item.iter, o, e, dead, next);
      }
      Propagate(pn, item.frame, item.iter, -1, Entry{}, item.dead, next);
    }
    outstanding += static_cast<int64_t>(next->size());
    if (--outstanding == 0) {
      // Quiescent: dead exits of finished loops now flow to their parents.
      while (error.ok() && !frames_with_dead_exits.empty() && next->empty()) {
        std::vector<FrameInst*> fs;
        fs.swap(frames_with_dead_exits);
        for (FrameInst* f : fs) {
          std::vector<int> exits;
          exits.swap(f->dead_exits);
          for (int x : exits) {
            const PNode& xn = plan.nodes[static_cast<size_t>(x)];
            for (const auto& edges : xn.outputs)
              for (const auto& e : edges)
                Deliver(e.dst, e.slot, Entry{}, true, f->parent, f->parent_iter, next);
            for (int d : xn.control_out) Deliver(d, -1, Entry{}, true, f->parent, f->parent_iter, next);
          }
        }
        outstanding += static_cast<int64_t>(next->size());
      }
      if (outstanding == 0) {
        done = true;
        done_cv.notify_all();
      }
    }
  }
};

// ---------------------------------------------------------------- kernels' view

namespace {

class Context final : public OpKernelContext {
 public:
  Context(const graph::Node& node, std::vector<Entry>& inputs, std::vector<Entry>& outputs,
          const RunEnv& env, StepState& step)
      : node_(node), inputs_(inputs), outputs_(outputs), env_(env), step_(step) {}

  const graph::Node& node() const override { return node_; }
  int num_inputs() const override { return static_cast<int>(inputs_.size()); }
  const Tensor& input(int i) const override { return inputs_[static_cast<size_t>(i)].value; }
  RefVariable* input_ref(int i) const override { return inputs_[static_cast<size_t>(i)].ref; }
  int num_outputs() const override { return static_cast<int>(outputs_.size()); }
  void set_output(int i, Tensor value) override {
    auto& e = outputs_[static_cast<size_t>(i)];
    e.value = std::move(value);
    e.ref = nullptr;
    e.has_value = true;
  }
  void set_output_ref(int i, RefVariable* ref) override {
    auto& e = outputs_[static_cast<size_t>(i)];
    e.ref = ref;
    e.has_value = true;
    std::lock_guard<std::mutex> lock(ref->mu);
    e.value = ref->value;
  }
  Result<Tensor*> allocate_output(int i, DataType dtype, Shape shape) override {
    TFPORT_ASSIGN_OR_RETURN(Tensor t, Tensor::Allocate(dtype, std::move(shape)));
    set_output(i, std::move(t));
    return &outputs_[static_cast<size_t>(i)].value;
  }
  ResourceMgr& resources() override { return *env_.resources; }
  StepState& step() override { return step_; }
  ThreadPool* intra_op_pool() override { return env_.intra_op_pool; }
  const RunEnv& env() const override { return env_; }

 private:
  const graph::Node& node_;
  std::vector<Entry>& inputs_;
  std::vector<Entry>& outputs_;
  const RunEnv& env_;
  StepState& step_;
};

}  // namespace

namespace {

Result<Tensor> EvaluateConstant(const graph::Node& node, const OpKernel& kernel) {
  static ResourceMgr no_resources;
  RunEnv env;
  env.resources = &no_resources;
  StepState step;
  std::vector<Entry> inputs, outputs(1);
  Context ctx(node, inputs, outputs, env, step);
  TFPORT_RETURN_IF_ERROR(kernel.Compute(ctx));
  if (!outputs[0].has_value || outputs[0].ref != nullptr)
    return errors::Internal("Const kernel of ", node.name(), " gave no value");
  return std::move(outputs[0].value);
}

}  // namespace

Status Executor::RunState::ComputeWith(const PNode& pn, ReadyItem& item, std::vector<Entry>* outs,
                                       const RunEnv& env, StepState& step) {
  const graph::Node& node = *pn.node;
  if (pn.kernel == nullptr && pn.kind != Kind::kMerge) return pn.kernel_error;
  if (pn.kind == Kind::kMerge) {
    (*outs)[0] = std::move(item.inputs[0]);
    (*outs)[1].value = Tensor::Scalar<int32_t>(item.merge_slot);
    (*outs)[1].has_value = true;
    return OkStatus();
  }
  // Non-ref inputs read the variable's current value.
  for (int k = 0; k < static_cast<int>(item.inputs.size()); ++k) {
    Entry& e = item.inputs[static_cast<size_t>(k)];
    if (e.ref == nullptr) continue;
    if (IsRefType(node.input_type(k))) {
      std::lock_guard<std::mutex> lock(e.ref->mu);
      e.value = e.ref->value;
      continue;
    }
    std::lock_guard<std::mutex> lock(e.ref->mu);
    if (!e.ref->initialized && !(node.op_def() && node.op_def()->allows_uninitialized_input()))
      return errors::FailedPrecondition(NodeLocation(node.def()),
                                        ": Attempting to use uninitialized value ", e.ref->name);
    e.value = e.ref->value;
    e.ref = nullptr;
  }
  Context ctx(node, item.inputs, *outs, env, step);
  Status s = pn.kernel->Compute(ctx);
  if (!s.ok()) {
    if (s.message().find("{{node ") != std::string::npos) return s;
    return s.WithContext(NodeLocation(node.def()));
  }
  if (pn.kind != Kind::kSwitch) {
    for (size_t o = 0; o < outs->size(); ++o)
      if (!(*outs)[o].has_value)
        return errors::Internal(NodeLocation(node.def()), ": kernel did not produce output ", o);
  }
  return OkStatus();
}

// ---------------------------------------------------------------- running

Executor::Executor(std::unique_ptr<Plan> plan) : plan_(std::move(plan)) {}
Executor::~Executor() = default;

const ExecutorSpec& Executor::spec() const { return plan_->spec; }

namespace {

// Reusable buffers of straight-line runs, one set per nesting level on each
// thread (a node may run a function, which runs another executor inline).
struct StraightScratch {
  std::vector<Entry> values, outs;
  std::vector<int> remaining;
  std::vector<Entry> inputs;
  std::vector<char> have;
};

class ScratchLease {
 public:
  ScratchLease() {
    if (stack().size() <= depth()) stack().push_back(std::make_unique<StraightScratch>());
    scratch_ = stack()[depth()++].get();
  }
  ~ScratchLease() { --depth(); }
  StraightScratch& operator*() { return *scratch_; }

 private:
  static std::vector<std::unique_ptr<StraightScratch>>& stack() {
    thread_local std::vector<std::unique_ptr<StraightScratch>> s;
    return s;
  }
  static size_t& depth() {
    thread_local size_t d = 0;
    return d;
  }
  StraightScratch* scratch_;
};

}  // namespace

Status Executor::RunStraight(const RunEnv& env, std::span<const Tensor> args,
                             std::vector<Tensor>* rets) const {
  const Plan& plan = *plan_;
  ScratchLease lease;
  StraightScratch& sc = *lease;
  // Released on every exit: no tensor outlives the run in the scratch.
  struct Clear {
    StraightScratch& sc;
    ~Clear() {
      sc.values.clear();
      sc.inputs.clear();
      sc.outs.clear();
    }
  } clear{sc};
  sc.values.resize(static_cast<size_t>(plan.num_out_slots));
  sc.remaining.assign(plan.consumers.begin(), plan.consumers.end());
  const size_t n_rets = plan.spec.rets.size();
  rets->resize(n_rets);
  sc.have.assign(n_rets, 0);
  StepState step;
  ReadyItem item{0, nullptr, 0, false, {}, -1};
  item.inputs.swap(sc.inputs);
  struct Give {
    ReadyItem& item;
    StraightScratch& sc;
    ~Give() {
      item.inputs.clear();
      item.inputs.swap(sc.inputs);
    }
  } give{item, sc};
  for (int i : plan.order) {
    const Plan::PNode& pn = plan.nodes[static_cast<size_t>(i)];
    item.node = i;
    item.inputs.clear();
    for (const auto& src : plan.sources[static_cast<size_t>(i)]) {
      if (src.node < 0) {
        const size_t k = static_cast<size_t>(-1 - src.node);
        item.inputs.push_back(
            Entry{k < args.size() ? args[k] : plan.constants[k - args.size()], nullptr, true});
        continue;
      }
      const size_t at = static_cast<size_t>(plan.out_base[static_cast<size_t>(src.node)] + src.out);
      // The last reader takes the value, so memory is released as early as
      // in dataflow mode.
      if (--sc.remaining[at] == 0) {
        item.inputs.push_back(std::move(sc.values[at]));
      } else {
        item.inputs.push_back(sc.values[at]);
      }
    }
    sc.outs.assign(static_cast<size_t>(std::max<int>(static_cast<int>(pn.outputs.size()),
                                                     pn.node->num_outputs())),
                   Entry{});
    Status s = RunState::ComputeWith(pn, item, &sc.outs, env, step);
    item.inputs.clear();
    if (!s.ok()) return s;
    for (int k : pn.fetch_slots) {
      const Entry& e = sc.outs[static_cast<size_t>(plan.fetch_src[static_cast<size_t>(k)].second)];
      if (e.ref) {
        std::lock_guard<std::mutex> lock(e.ref->mu);
        if (!e.ref->initialized)
          return errors::FailedPrecondition("Attempting to use uninitialized value ", e.ref->name);
        (*rets)[static_cast<size_t>(k)] = e.ref->value;
      } else {
        (*rets)[static_cast<size_t>(k)] = e.value;
      }
      sc.have[static_cast<size_t>(k)] = 1;
    }
    const size_t base = static_cast<size_t>(plan.out_base[static_cast<size_t>(i)]);
    for (size_t o = 0; o < pn.outputs.size(); ++o)
      if (plan.consumers[base + o] > 0) sc.values[base + o] = std::move(sc.outs[o]);
  }
  for (size_t k = 0; k < n_rets; ++k) {
    if (plan.fetch_feed[k] >= 0) {
      const size_t i = static_cast<size_t>(plan.fetch_feed[k]);
      (*rets)[k] = i < args.size() ? args[i] : plan.constants[i - args.size()];
    } else if (!sc.have[k]) {
      return errors::Internal("result ", k, " ('", plan.spec.rets[k].name(), "') was not computed");
    }
  }
  return OkStatus();
}

Status Executor::Run(const RunEnv& env, std::span<const Tensor> args,
                     std::vector<Tensor>* rets) const {
  rets->clear();
  const Plan& plan = *plan_;
  if (args.size() != plan.spec.args.size())
    return errors::InvalidArgument("expected ", plan.spec.args.size(), " arguments, got ",
                                   args.size());
  if (plan.sequential) return RunStraight(env, args, rets);
  RunState state(env, plan);
  std::vector<ReadyItem> ready;
  {
    std::lock_guard<std::mutex> lock(state.mu);
    FrameInst* root = state.NewFrame(0, nullptr, 0);
    for (size_t k = 0; k < plan.feed_edges.size(); ++k) {
      Entry e{k < args.size() ? args[k] : plan.constants[k - args.size()], nullptr, true};
      for (const auto& edge : plan.feed_edges[k]) state.Deliver(edge.dst, edge.slot, e, false, root, 0, &ready);
    }
    for (int r : plan.roots) ready.push_back(ReadyItem{r, root, 0, false, {}, -1});
    state.outstanding = static_cast<int64_t>(ready.size());
    if (state.outstanding == 0) state.done = true;
  }
  if (!ready.empty()) {
    std::deque<ReadyItem> local;
    std::vector<ReadyItem> first;
    first.swap(ready);
    // The caller runs the first item; the rest go through the usual rules.
    ReadyItem head = std::move(first.front());
    first.erase(first.begin());
    state.Schedule(first, &local);
    local.push_front(std::move(head));
    std::vector<ReadyItem> next;
    while (!local.empty()) {
      ReadyItem item = std::move(local.front());
      local.pop_front();
      next.clear();
      state.Process(item, &next);
      state.Schedule(next, &local);
    }
  }
  {
    std::unique_lock<std::mutex> lock(state.mu);
    state.done_cv.wait(lock, [&] { return state.done; });
  }
  return state.Finish(args, rets);
}

Status Executor::RunState::Finish(std::span<const Tensor> args, std::vector<Tensor>* rets) {
  RunState& state = *this;
  if (!state.error.ok()) return state.error;

  rets->reserve(plan.spec.rets.size());
  for (size_t k = 0; k < plan.spec.rets.size(); ++k) {
    if (plan.fetch_feed[k] >= 0) {
      const size_t i = static_cast<size_t>(plan.fetch_feed[k]);
      rets->push_back(i < args.size() ? args[i] : plan.constants[i - args.size()]);
      continue;
    }
    if (!state.fetched_set[k])
      return errors::InvalidArgument("Retval[", k, "] does not have value: '",
                                     plan.spec.rets[k].name(),
                                     "' was not computed (it depends on an untaken tf.cond "
                                     "branch)");
    Entry& e = state.fetched[k];
    if (e.ref) {
      std::lock_guard<std::mutex> lock(e.ref->mu);
      if (!e.ref->initialized)
        return errors::FailedPrecondition("Attempting to use uninitialized value ", e.ref->name);
      rets->push_back(e.ref->value);
    } else {
      rets->push_back(std::move(e.value));
    }
  }
  return OkStatus();
}

}  // namespace tfport::runtime
