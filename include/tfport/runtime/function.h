// tfport: the function library runtime — instantiating and running the
// FunctionDefs of a graph's library (TF2 tf.function bodies, functional
// control flow branches, SavedModel signatures and saver functions).
//
// Instantiate(name, attrs) binds a function's attrs, builds its body graph
// (graph/function.h) and an Executor for it, once per distinct (name, attrs);
// Run executes it on the caller's RunEnv (same variables and thread pools),
// one call level deeper. As in TensorFlow, a body runs what its outputs and
// control outputs need plus every stateful node in it.
//
// Implementation selection: when a function carries `api_implements` and an
// `api_preferred_device` other than CPU, and another library function
// implements the same API for CPU (Keras' CudnnRNN LSTM vs its generic one),
// the CPU one is used.
//
// Limits (FunctionLibraryOptions) turn hostile libraries into errors naming
// the function: recursion (detected statically, before anything runs), call
// depth, While iterations, library size.
//
// Thread-safety: every method may be called concurrently. The graph's library
// may grow between runs (import_meta_graph) but not during one.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tfport/graph/function.h"
#include "tfport/graph/graph.h"
#include "tfport/runtime/executor.h"
#include "tfport/runtime/kernel.h"

namespace tfport::runtime {

struct FunctionLibraryOptions {
  // While/StatelessWhile loops stop with an error after this many iterations.
  int64_t max_while_iterations = int64_t{1} << 31;
  // Nested calls (a function calling a function ...) deeper than this fail.
  int max_call_depth = 100;
  // A graph whose function library serializes to more bytes fails to
  // instantiate anything.
  uint64_t max_library_bytes = uint64_t{1} << 30;
};

class FunctionLibraryRuntime {
 public:
  // An instantiated function: its body and the executor that runs it.
  class Function {
   public:
    const std::string& name() const { return name_; }  // "f(T=DT_FLOAT)"
    const std::string& function_name() const { return function_name_; }
    const std::vector<DataType>& arg_types() const { return body_.arg_types; }
    const std::vector<DataType>& ret_types() const { return body_.ret_types; }
    const graph::Graph& body() const { return *body_.graph; }

   private:
    friend class FunctionLibraryRuntime;
    std::string name_, function_name_;
    graph::FunctionBody body_;
    std::unique_ptr<KernelCache> kernels_;
    std::unique_ptr<Executor> executor_;
  };

  // `graph`'s library is the one served; `graph` must outlive the runtime.
  FunctionLibraryRuntime(const graph::Graph& graph, const KernelRegistry* kernels,
                         FunctionLibraryOptions options = {});
  ~FunctionLibraryRuntime();
  FunctionLibraryRuntime(const FunctionLibraryRuntime&) = delete;
  FunctionLibraryRuntime& operator=(const FunctionLibraryRuntime&) = delete;

  const FunctionLibraryOptions& options() const { return options_; }

  // The library function called `name`, or nullptr.
  const tf::FunctionDef* Find(std::string_view name) const;
  // `name`, or the CPU implementation of the same api_implements.
  std::string SelectImplementation(std::string_view name) const;

  // Errors name the function: NOT_FOUND for an unknown name; INVALID_ARGUMENT
  // for recursion ("calls itself: f -> g -> f"), unbound attr placeholders and
  // malformed bodies; RESOURCE_EXHAUSTED for a library over the size limit.
  Result<const Function*> Instantiate(std::string_view name, const graph::AttrMap& attrs);

  // Runs `f` with `env` (one call level deeper). Checks the argument count and
  // dtypes. Errors from the body are prefixed "{{function_node NAME}}".
  Status Run(const Function& f, const RunEnv& env, std::span<const Tensor> args,
             std::vector<Tensor>* rets);

  // Runs `f` on a kernel's inputs [first_input, num_inputs) and sets the
  // kernel's outputs to its results.
  Status Call(OpKernelContext& ctx, const Function& f, int first_input = 0);

  // The kernel for a node whose op is a library function (TF 1 Defun and
  // early TF 2 graphs call functions by op name).
  Result<std::unique_ptr<OpKernel>> MakeCallKernel(const graph::Node& node);

  // Every op in the functions `roots` reach (after implementation selection)
  // that has no kernel, as "Op (in function F, node N)"; empty if all run.
  std::vector<std::string> MissingKernels(const std::vector<std::string>& roots);

  // The registry body graphs resolve ops with: the global one plus the
  // library's signatures.
  const graph::OpRegistry& registry();

 private:
  void IndexLibrary() const;  // REQUIRES: mu_ held
  Status CheckLimitsLocked();
  Status CheckRecursion(const std::string& name);

  const graph::Graph& graph_;
  const KernelRegistry* kernels_;
  FunctionLibraryOptions options_;

  // Recursive: instantiating builds kernels, which may look functions up.
  mutable std::recursive_mutex mu_;
  mutable int indexed_size_ = -1;
  mutable std::map<std::string, const tf::FunctionDef*, std::less<>> by_name_;
  mutable std::map<std::string, std::string, std::less<>> preferred_;  // name -> CPU implementation
  std::unique_ptr<graph::OpRegistry> registry_;
  int registry_size_ = -1;
  int size_checked_ = -1;
  Status size_status_;
  std::set<std::string> non_recursive_;
  std::map<std::string, std::unique_ptr<Function>> instances_;  // by cache key
};

// A function a kernel calls, instantiated on its first run and remembered.
// For kernels whose function comes from a func attr (PartitionedCall's `f`,
// If's branches, While's cond and body).
class FunctionRef {
 public:
  FunctionRef() = default;
  FunctionRef(std::string name, graph::AttrMap attrs)
      : name_(std::move(name)), attrs_(std::move(attrs)) {}
  // From a func attr of `node`. Errors name the node and attr.
  static Result<FunctionRef> FromAttr(const graph::Node& node, std::string_view attr);
  static Result<std::vector<FunctionRef>> FromListAttr(const graph::Node& node, std::string_view attr);

  const std::string& name() const { return name_; }
  // FAILED_PRECONDITION when the run has no function library.
  Result<const FunctionLibraryRuntime::Function*> Get(const RunEnv& env) const;

 private:
  std::string name_;
  graph::AttrMap attrs_;
  std::unique_ptr<std::mutex> mu_ = std::make_unique<std::mutex>();
  mutable FunctionLibraryRuntime* owner_ = nullptr;
  mutable const FunctionLibraryRuntime::Function* function_ = nullptr;
};

}  // namespace tfport::runtime
