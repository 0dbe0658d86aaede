// tfport: Executor — runs one prepared slice of a Graph with TensorFlow's
// dataflow rules.
//
// An Executor is built once for a fixed set of arguments (tensors whose value
// the caller supplies), results (tensors it returns) and targets (nodes run
// for their effects). Building resolves every name, prunes the graph to what
// the results and targets need, checks for cycles and assigns while-loop
// frames; running takes arguments and returns results by position, so a run
// does no string matching and takes no lock shared with other runs.
//
// Const nodes without control inputs are evaluated once when the executor
// is built and delivered like arguments (folding at plan-build time), and
// the kernel registry's fusion rules may replace chains of nodes by one
// kernel (runtime/kernel.h, FusionRule), e.g. a convolution with its bias,
// batch normalization and activation. Executor::fused() lists them.
//
// Both Session::Run (TF1 feeds and fetches) and the function library runtime
// (the body of a FunctionDef, arguments = its _Arg nodes) run on it.
//
// Execution is dependency-driven: cheap nodes run inline on the calling
// thread; expensive ready nodes are handed to the inter-op pool so independent
// branches overlap; kernels may split work on the intra-op pool. Control flow
// follows TF1: Switch/Merge with dead-tensor propagation, while loops in frames
// (Enter/Exit/NextIteration/LoopCond, nested), ControlTrigger.
//
// Thread-safety: Run may be called concurrently; the graph must not grow
// while an executor over it is being built.
#pragma once

#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "tfport/core/tensor.h"
#include "tfport/graph/graph.h"
#include "tfport/runtime/kernel.h"

namespace tfport::runtime {

// The kernels of one graph's nodes, created on first use (one per node) and
// shared by every executor over that graph. Nodes whose op is a function of
// `functions`' library get a call kernel.
class KernelCache {
 public:
  // `fuse`: executors over this cache apply the registry's fusion rules.
  explicit KernelCache(const KernelRegistry* registry, FunctionLibraryRuntime* functions = nullptr,
                       bool fuse = true)
      : registry_(registry), functions_(functions), fuse_(fuse) {}
  KernelCache(const KernelCache&) = delete;
  KernelCache& operator=(const KernelCache&) = delete;

  // Errors: NOT_FOUND "Op type not registered" for an unknown op; TF's "No
  // OpKernel was registered" text when the op has no CPU kernel.
  Result<const OpKernel*> Get(const graph::Node& node);

  const KernelRegistry* registry() const { return registry_; }
  bool fuse() const { return fuse_; }

 private:
  const KernelRegistry* registry_;
  FunctionLibraryRuntime* functions_;
  bool fuse_;
  std::mutex mu_;
  std::vector<std::unique_ptr<OpKernel>> kernels_;  // by node id
};

struct ExecutorSpec {
  std::vector<graph::Output> args;          // supplied by the caller, by position
  std::vector<graph::Output> rets;          // returned, by position
  std::vector<const graph::Node*> targets;  // run for their effects
};

class Executor {
 public:
  // Errors: INVALID_ARGUMENT for a tensor given as argument twice, a cycle, a
  // node reachable only through a cycle, mixed while-loop frames;
  // UNIMPLEMENTED for arguments consumed or results produced inside a loop.
  // A node without a kernel fails only when it runs. `graph` and `kernels`
  // must outlive the executor.
  static Result<std::unique_ptr<Executor>> Create(const graph::Graph& graph, KernelCache* kernels,
                                                  ExecutorSpec spec);
  ~Executor();
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  // REQUIRES: args.size() == spec().args.size(); env.resources set.
  // Arguments are not checked against the graph's dtypes (callers do that).
  // rets is cleared first, then filled with one tensor per result.
  Status Run(const RunEnv& env, std::span<const Tensor> args, std::vector<Tensor>* rets) const;

  const ExecutorSpec& spec() const;
  // The fusions applied when the plan was built: "<last node>: <description>".
  std::vector<std::string> fused() const;
  // Nodes the plan runs per call, and values folded into it (constants and
  // what was computed from them) when it was built.
  int num_nodes() const;
  int num_constants() const;

 private:
  struct Plan;
  struct RunState;
  static Result<std::unique_ptr<Executor>> Create(const graph::Graph& graph, KernelCache* kernels,
                                                  ExecutorSpec spec, bool hoist_constants);
  explicit Executor(std::unique_ptr<Plan> plan);
  // Plans without control flow and with at most one expensive node run
  // straight through on the calling thread.
  Status RunStraight(const RunEnv& env, std::span<const Tensor> args,
                     std::vector<Tensor>* rets) const;
  std::unique_ptr<Plan> plan_;
};

}  // namespace tfport::runtime
