// The executor's straight-line mode (Plan::sequential): nodes in
// topological order on the calling thread, no pending counts, no locks.
#include <memory>

#include "runtime/executor_internal.h"

namespace tfport::runtime {

using namespace internal;

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
  std::vector<Entry>& inputs = sc.inputs;
  for (int i : plan.order) {
    const Plan::PNode& pn = plan.nodes[static_cast<size_t>(i)];
    inputs.clear();
    for (const auto& src : plan.sources[static_cast<size_t>(i)]) {
      if (src.node < 0) {
        const size_t k = static_cast<size_t>(-1 - src.node);
        inputs.push_back(Entry::Borrow(k < args.size() ? args[k] : plan.constants[k - args.size()]));
        continue;
      }
      const size_t at = static_cast<size_t>(plan.out_base[static_cast<size_t>(src.node)] + src.out);
      --sc.remaining[at];
      // A ref entry is read (and rewritten) by ComputeNode: it gets a copy.
      inputs.push_back(sc.values[at].ref ? sc.values[at] : Entry::Borrow(sc.values[at].value));
    }
    sc.outs.assign(static_cast<size_t>(std::max<int>(static_cast<int>(pn.outputs.size()),
                                                     pn.node->num_outputs())),
                   Entry{});
    Status s = ComputeNode(pn, inputs, -1, &sc.outs, env, step);
    inputs.clear();
    if (!s.ok()) return s;
    // Values whose last reader has run are released now.
    for (const auto& src : plan.sources[static_cast<size_t>(i)]) {
      if (src.node < 0) continue;
      const size_t at = static_cast<size_t>(plan.out_base[static_cast<size_t>(src.node)] + src.out);
      if (sc.remaining[at] == 0) sc.values[at] = Entry{};
    }
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

}  // namespace tfport::runtime
