// tfport: the kernel interface — how an op is computed on the CPU.
//
// A kernel is created once per node when an executor first needs it
// (KernelFactory: parse and check attrs, reject unsupported dtypes) and its
// Compute() is then called for every execution of the node, possibly from
// several threads at once for concurrent runs, so Compute must
// not mutate the kernel without its own locking.
//
// Values flowing between nodes are Tensors; outputs of ref type (VariableV2
// and friends) carry a RefVariable, TensorFlow's mutable tensor slot.
// Resource ops address objects in the session's ResourceMgr through
// DT_RESOURCE tensors holding ResourceHandles.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tfport/core/tensor.h"
#include "tfport/core/thread_pool.h"
#include "tfport/graph/graph.h"

namespace tfport::runtime {

class FunctionLibraryRuntime;
class ResourceMgr;
class StepState;

// What one run of an executor works with. Function calls pass it on to the
// functions they run, one call level deeper.
struct RunEnv {
  ResourceMgr* resources = nullptr;       // variables and other session state
  ThreadPool* inter_op_pool = nullptr;    // independent branches; may be null
  ThreadPool* intra_op_pool = nullptr;    // splitting one kernel; may be null
  FunctionLibraryRuntime* functions = nullptr;  // null: no function library
  int call_depth = 0;                     // function calls around this run
};


// The storage of a ref variable (VariableV2): a tensor slot shared by every
// node that takes the variable by reference. Readers copy the Tensor handle
// under the lock; writers replace it (copy-on-write), so a value read earlier
// is never changed underneath its reader.
struct RefVariable {
  std::string name;  // the variable node's name, for error messages
  std::mutex mu;
  Tensor value;
  bool initialized = false;
  // The VariableV2 "shape" attr when fully defined: an Assign with
  // validate_shape checks against it even before the first assignment.
  std::optional<Shape> declared_shape;
};

class OpKernelContext {
 public:
  virtual ~OpKernelContext() = default;

  virtual const graph::Node& node() const = 0;
  virtual int num_inputs() const = 0;
  // The value of input i (for a ref input: the variable's current value).
  // REQUIRES: the input is not a ref to an uninitialized variable.
  virtual const Tensor& input(int i) const = 0;
  // The variable behind a ref input, or nullptr if input i is not a ref.
  virtual RefVariable* input_ref(int i) const = 0;
  virtual int num_outputs() const = 0;
  virtual void set_output(int i, Tensor value) = 0;
  // Forwards a ref (Identity/Assign on refs, RefSwitch...).
  virtual void set_output_ref(int i, RefVariable* ref) = 0;
  // Allocates output i (zeroed) and returns it for writing.
  virtual Result<Tensor*> allocate_output(int i, DataType dtype, Shape shape) = 0;

  virtual ResourceMgr& resources() = 0;
  // State that lives for one Session::Run (TensorArrays, stacks).
  virtual StepState& step() = 0;
  // Threads for parallelising one big kernel; may be null (run inline).
  virtual ThreadPool* intra_op_pool() = 0;
  // The run this kernel is part of: call kernels (PartitionedCall, If,
  // While...) run functions through env().functions with it.
  virtual const RunEnv& env() const = 0;
};

class OpKernel {
 public:
  virtual ~OpKernel() = default;
  virtual Status Compute(OpKernelContext& ctx) const = 0;
};

// Creates the kernel for a node. Errors name the node; an unsupported dtype
// gives TensorFlow's "No OpKernel was registered to support Op ..." text.
using KernelFactory = std::function<Result<std::unique_ptr<OpKernel>>(const graph::Node& node)>;

// ---- fusion at plan-build time
// When an executor builds its plan, fusion rules may replace a chain of
// nodes (e.g. Conv2D -> BiasAdd -> Relu) by one kernel. A rule is offered
// each node of the plan as the last node of a pattern, consumers before
// producers, and walks up through its inputs with a FusionContext. The
// graph is never rewritten: the fused kernel takes the place of the last
// node (its outputs are the last node's), and the absorbed producers leave
// the plan.
class FusionContext {
 public:
  virtual ~FusionContext() = default;
  // The value of `t` if it is a constant of the plan (a Const without
  // control inputs, not fed), else null. Valid while the plan is built.
  virtual const Tensor* Constant(graph::Output t) const = 0;
  // True if the node producing `t` may be absorbed into a consumer: `t` is
  // its only output in use, read by exactly one input of one plan node, not
  // fetched or fed, and the node has no control edges in or out and is not
  // already part of another fusion.
  virtual bool Absorbable(graph::Output t) const = 0;
  // How many plan inputs and results read `t`.
  virtual int Uses(graph::Output t) const = 0;
};

struct FusedNode {
  std::unique_ptr<OpKernel> kernel;
  std::vector<graph::Output> inputs;         // data inputs of the fused node
  // Producers it replaces (each Absorbable); may be empty when the rule only
  // gives `last` a specialised kernel (e.g. a convolution with a constant filter).
  std::vector<const graph::Node*> absorbed;
  std::string description;                   // e.g. "Conv2D+FusedBatchNorm+Relu6"
};

// Returns the fused replacement for `last`, or nullopt to leave it as is.
// A rule never fails: anything it cannot fuse runs unfused, and the
// ordinary kernels report errors when they run.
using FusionRule =
    std::function<std::optional<FusedNode>(const graph::Node& last, const FusionContext& ctx)>;

// Op type -> factory, plus the fusion rules. Registration happens in
// explicit tables (kernels/register_all.cc); duplicates are errors.
class KernelRegistry {
 public:
  Status Register(std::string op, KernelFactory factory);
  // Swaps the factory of a registered op (NOT_FOUND otherwise); used to
  // build a registry whose kernels take their reference paths.
  Status Replace(const std::string& op, KernelFactory factory);
  const KernelFactory* Find(std::string_view op) const;
  std::vector<std::string> ListOps() const;

  void AddFusionRule(FusionRule rule) { fusion_rules_.push_back(std::move(rule)); }
  const std::vector<FusionRule>& fusion_rules() const { return fusion_rules_; }
  void ClearFusionRules() { fusion_rules_.clear(); }

 private:
  std::map<std::string, KernelFactory, std::less<>> factories_;
  std::vector<FusionRule> fusion_rules_;
};

// "No OpKernel was registered to support Op 'X' used by {{node N}} with
// these attrs: [T=DT_STRING]".
Status NoKernelFor(const graph::Node& node, std::string_view detail = "");

// Convenience for kernels whose Compute is a plain function.
class FunctionKernel final : public OpKernel {
 public:
  using Fn = std::function<Status(OpKernelContext&)>;
  explicit FunctionKernel(Fn fn) : fn_(std::move(fn)) {}
  Status Compute(OpKernelContext& ctx) const override { return fn_(ctx); }

 private:
  Fn fn_;
};

}  // namespace tfport::runtime
