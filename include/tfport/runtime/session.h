// tfport: Session — runs a Graph with TensorFlow 1 semantics.
//
// Mirrors tf.compat.v1.Session: Run(feeds, fetches, targets) executes the part
// of the graph the fetches and targets need, with feeds replacing any tensor
// (not only placeholders). Variables live in the session (its ResourceMgr).
// The graph may grow after the session is created; new nodes are picked up by
// the next Run. Control flow follows TF1's dataflow rules: Switch/Merge with
// dead-tensor propagation, while loops in frames (Enter/Exit/NextIteration/
// LoopCond, nested), ControlTrigger.
//
// Execution is dependency-driven: cheap nodes run inline on the calling
// thread; expensive ready nodes (big inputs) are handed to the inter-op pool
// so independent branches run in parallel; big kernels may split their work
// on the intra-op pool. Inputs are released as soon as their last consumer
// has run.
//
// Thread-safety: Run may be called concurrently from several threads; adding
// nodes to the graph must not overlap with a Run.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "tfport/core/tensor.h"
#include "tfport/core/thread_pool.h"
#include "tfport/graph/graph.h"
#include "tfport/runtime/kernel.h"
#include "tfport/runtime/resource_mgr.h"

namespace tfport::runtime {

struct SessionOptions {
  // Kernels to run nodes with. Required (kernels::NewSession fills it in).
  const KernelRegistry* kernels = nullptr;
  // Worker threads for independent branches; -1: one per core minus one.
  int inter_op_threads = -1;
  // Worker threads for splitting one kernel; -1: one per core minus one.
  int intra_op_threads = -1;
};

class Session {
 public:
  // `graph` must outlive the session.
  Session(const graph::Graph& graph, SessionOptions options);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // feeds: tensor name ("x:0" or "x") -> value. fetches: tensor names, or op
  // names meaning output 0. targets: op names run for their effects.
  // A node whose op has no kernel fails when it runs (not when it sits in an
  // untaken cond branch). Errors name the node ("{{node NAME}} (Op): ..."): unfed placeholders,
  // uninitialized variables, feeds of the wrong dtype or shape, unknown ops,
  // cycles, names missing from the graph.
  Status Run(const std::vector<std::pair<std::string, Tensor>>& feeds,
             const std::vector<std::string>& fetches, const std::vector<std::string>& targets,
             std::vector<Tensor>* outputs);

  // Fetch-only convenience.
  Result<std::vector<Tensor>> Run(const std::vector<std::pair<std::string, Tensor>>& feeds,
                                  const std::vector<std::string>& fetches);

  const graph::Graph& graph() const { return graph_; }
  ResourceMgr& resources() { return resources_; }
  ThreadPool* intra_op_pool() { return intra_pool_.get(); }
  ThreadPool* inter_op_pool() { return inter_pool_.get(); }

 private:
  struct Plan;
  struct RunState;
  friend struct RunState;
  Result<std::shared_ptr<const Plan>> GetPlan(const std::vector<std::string>& feed_names,
                                              const std::vector<std::string>& fetches,
                                              const std::vector<std::string>& targets);
  Result<const OpKernel*> GetKernel(const graph::Node& node);

  const graph::Graph& graph_;
  SessionOptions options_;
  ResourceMgr resources_;
  std::unique_ptr<ThreadPool> inter_pool_, intra_pool_;
  std::mutex mu_;  // guards the caches below
  std::vector<std::unique_ptr<OpKernel>> kernels_;  // by node id
  std::vector<std::shared_ptr<const Plan>> plans_;  // small LRU of plans
};

}  // namespace tfport::runtime
