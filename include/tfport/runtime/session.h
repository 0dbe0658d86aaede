// tfport: Session — runs a Graph with TensorFlow 1 semantics.
//
// Mirrors tf.compat.v1.Session: Run(feeds, fetches, targets) executes the part
// of the graph the fetches and targets need, with feeds replacing any tensor
// (not only placeholders). Variables live in the session (its ResourceMgr).
// The graph may grow after the session is created; new nodes are picked up by
// the next Run. The work is done by an Executor (runtime/executor.h) prepared
// once per distinct (feeds, fetches, targets); MakeCallable hands such a
// prepared call to the caller, so repeated runs skip name resolution and the
// session's plan cache. Functions of the graph's library run through the
// session's FunctionLibraryRuntime (runtime/function.h).
//
// Thread-safety: Run may be called concurrently from several threads; adding
// nodes to the graph must not overlap with a Run.
#pragma once

#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "tfport/core/tensor.h"
#include "tfport/core/thread_pool.h"
#include "tfport/graph/graph.h"
#include "tfport/runtime/executor.h"
#include "tfport/runtime/function.h"
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
  // Limits for running the graph's functions.
  FunctionLibraryOptions functions;
  // Apply the kernels' fusion rules when plans are built (Executor::fused).
  bool fuse_kernels = true;
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

  // A call prepared once: names resolved, graph pruned and planned. Holds
  // on to the session's kernels: it must not outlive the session.
  class Callable {
   public:
    const std::vector<graph::Output>& feeds() const { return feeds_; }
    const std::vector<std::string>& fetch_names() const { return fetch_names_; }
    // The plan it runs (e.g. Executor::fused() lists the kernels fusion made).
    const Executor& executor() const { return *executor_; }

   private:
    friend class Session;
    uint64_t generation_ = 0;
    std::vector<std::string> feed_names_, fetch_names_, target_names_;
    std::vector<graph::Output> feeds_;
    std::unique_ptr<Executor> executor_;
  };
  // The same name rules and errors as Run.
  Result<std::shared_ptr<const Callable>> MakeCallable(const std::vector<std::string>& feeds,
                                                       const std::vector<std::string>& fetches,
                                                       const std::vector<std::string>& targets);
  // feeds: one tensor per MakeCallable feed, in order (dtype and shape are
  // checked as by Run).
  Status RunCallable(const Callable& callable, std::span<const Tensor> feeds,
                     std::vector<Tensor>* outputs);

  const graph::Graph& graph() const { return graph_; }
  ResourceMgr& resources() { return resources_; }
  ThreadPool* intra_op_pool() { return intra_pool_.get(); }
  ThreadPool* inter_op_pool() { return inter_pool_.get(); }
  FunctionLibraryRuntime& functions() { return *functions_; }
  // What kernels see of this session.
  const RunEnv& env() const { return env_; }

 private:
  Result<std::shared_ptr<const Callable>> GetCallable(const std::vector<std::string>& feed_names,
                                                      const std::vector<std::string>& fetches,
                                                      const std::vector<std::string>& targets);

  const graph::Graph& graph_;
  SessionOptions options_;
  ResourceMgr resources_;
  std::unique_ptr<ThreadPool> inter_pool_, intra_pool_;
  std::unique_ptr<FunctionLibraryRuntime> functions_;
  std::unique_ptr<KernelCache> kernels_;
  RunEnv env_;
  std::mutex mu_;  // guards callables_
  std::vector<std::shared_ptr<const Callable>> callables_;  // small LRU behind Run
};

}  // namespace tfport::runtime
