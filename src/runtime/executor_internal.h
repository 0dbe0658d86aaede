// Internal to the runtime: the plan an Executor is built into and the pieces
// its two run modes share (executor.cc: dataflow; executor_straight.cc:
// straight-line; executor_plan.cc builds plans; executor_node.cc runs one
// node's kernel).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "tfport/runtime/executor.h"
#include "tfport/runtime/resource_mgr.h"

namespace tfport::runtime {
namespace internal {

enum class Kind : uint8_t { kNormal, kSwitch, kMerge, kEnter, kExit, kNextIteration, kControlTrigger };

struct OutEdge {
  int dst;
  int slot;  // input index of dst
};

// A value travelling along an edge: a tensor, or a ref variable.
struct Entry {
  Tensor value;
  RefVariable* ref = nullptr;
  bool has_value = false;
  // Straight-line runs lend inputs instead of copying them: a tensor that
  // outlives the node's Compute (an argument, a constant, a stored value).
  const Tensor* borrowed = nullptr;

  const Tensor& get() const { return borrowed ? *borrowed : value; }
  static Entry Borrow(const Tensor& t) {
    Entry e;
    e.has_value = true;
    e.borrowed = &t;
    return e;
  }
};

// One node of a plan: its kernel, scheduling data and edges.
struct PlanNode {
  const graph::Node* node = nullptr;
  // Data inputs: the node's own, or a fused kernel's (see FusionRule).
  std::vector<graph::Output> inputs;
  bool fused = false;  // kernel made by a fusion rule
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

// Runs one node's kernel on `inputs` (consumed), filling `outs` (one entry
// per output). Ref inputs are read here; Merge is handled without a kernel
// (merge_slot: the input that arrived). Errors name the node.
Status ComputeNode(const PlanNode& pn, std::vector<Entry>& inputs, int merge_slot,
                   std::vector<Entry>* outs, const RunEnv& env, StepState& step);

// The outputs of a node whose inputs are all known when a plan is built
// (a Const, or a stateless op over constants), computed once by its kernel.
Result<std::vector<Tensor>> EvaluateConstant(const graph::Node& node, const OpKernel& kernel,
                                             std::span<const Tensor* const> inputs);

}  // namespace internal

struct Executor::Plan {
  using Kind = internal::Kind;
  using OutEdge = internal::OutEdge;
  using PNode = internal::PlanNode;
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
  // Kernels made by fusion rules, and what each fused.
  std::vector<std::unique_ptr<OpKernel>> fused_kernels;
  std::vector<std::string> fused;
};

}  // namespace tfport::runtime
