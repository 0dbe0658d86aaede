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

// Op type -> factory. Registration happens in explicit tables
// (kernels/register_all.cc); duplicates are errors.
class KernelRegistry {
 public:
  Status Register(std::string op, KernelFactory factory);
  const KernelFactory* Find(std::string_view op) const;
  std::vector<std::string> ListOps() const;

 private:
  std::map<std::string, KernelFactory, std::less<>> factories_;
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
