#include "tfport/runtime/executor.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>

#include "runtime/executor_internal.h"

namespace tfport::runtime {

using namespace internal;

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
    return ComputeNode(pn, item.inputs, item.merge_slot, outs, env, step);
  }

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

// ---------------------------------------------------------------- running

Executor::Executor(std::unique_ptr<Plan> plan) : plan_(std::move(plan)) {}
Executor::~Executor() = default;

const ExecutorSpec& Executor::spec() const { return plan_->spec; }

std::vector<std::string> Executor::fused() const { return plan_->fused; }
int Executor::num_nodes() const { return static_cast<int>(plan_->nodes.size()); }
int Executor::num_constants() const { return static_cast<int>(plan_->constants.size()); }

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
