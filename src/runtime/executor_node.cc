// Running one node's kernel: the OpKernelContext kernels see, ref inputs,
// Merge, and constant folding at plan-build time.
#include "runtime/executor_internal.h"

namespace tfport::runtime::internal {

using graph::NodeLocation;

namespace {

class Context final : public OpKernelContext {
 public:
  Context(const graph::Node& node, std::vector<Entry>& inputs, std::vector<Entry>& outputs,
          const RunEnv& env, StepState& step)
      : node_(node), inputs_(inputs), outputs_(outputs), env_(env), step_(step) {}

  const graph::Node& node() const override { return node_; }
  int num_inputs() const override { return static_cast<int>(inputs_.size()); }
  const Tensor& input(int i) const override { return inputs_[static_cast<size_t>(i)].get(); }
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

Result<std::vector<Tensor>> EvaluateConstant(const graph::Node& node, const OpKernel& kernel,
                                             std::span<const Tensor* const> inputs) {
  static ResourceMgr no_resources;
  RunEnv env;
  env.resources = &no_resources;
  StepState step;
  std::vector<Entry> in, outputs(static_cast<size_t>(std::max(1, node.num_outputs())));
  for (const Tensor* t : inputs) in.push_back(Entry::Borrow(*t));
  Context ctx(node, in, outputs, env, step);
  TFPORT_RETURN_IF_ERROR(kernel.Compute(ctx));
  std::vector<Tensor> values;
  for (Entry& e : outputs) {
    if (!e.has_value || e.ref != nullptr)
      return errors::Internal("kernel of ", node.name(), " gave no value at plan time");
    values.push_back(e.borrowed ? *e.borrowed : std::move(e.value));
  }
  return values;
}

Status ComputeNode(const PlanNode& pn, std::vector<Entry>& inputs, int merge_slot,
                   std::vector<Entry>* outs, const RunEnv& env, StepState& step) {
  const graph::Node& node = *pn.node;
  if (pn.kernel == nullptr && pn.kind != Kind::kMerge) return pn.kernel_error;
  if (pn.kind == Kind::kMerge) {
    (*outs)[0] = std::move(inputs[0]);
    (*outs)[1].value = Tensor::Scalar<int32_t>(merge_slot);
    (*outs)[1].has_value = true;
    return OkStatus();
  }
  // Non-ref inputs read the variable's current value.
  for (int k = 0; k < static_cast<int>(inputs.size()); ++k) {
    Entry& e = inputs[static_cast<size_t>(k)];
    if (e.ref == nullptr) continue;
    // A fused kernel's inputs are not the node's: they are all read as values.
    if (!pn.fused && IsRefType(node.input_type(k))) {
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
  Context ctx(node, inputs, *outs, env, step);
  Status s = pn.kernel->Compute(ctx);
  if (!s.ok()) {
    if (s.message().find("{{node ") != std::string::npos) return s;
    return s.WithContext(NodeLocation(node.def()));
  }
  // A fused kernel produces only the outputs in use (its rule checked that
  // nothing reads the others).
  if (pn.kind != Kind::kSwitch && !pn.fused) {
    for (size_t o = 0; o < outs->size(); ++o)
      if (!(*outs)[o].has_value)
        return errors::Internal(NodeLocation(node.def()), ": kernel did not produce output ", o);
  }
  return OkStatus();
}

}  // namespace tfport::runtime::internal
