// Kernels of TF1 dataflow control flow. The executor gives Switch, Merge,
// Enter, Exit and NextIteration their frame and deadness semantics; the
// kernels only move values.
#include "kernels/kernels_internal.h"

namespace tfport::kernels {
namespace {

Status Forward0(OpKernelContext& ctx) {
  if (RefVariable* ref = ctx.input_ref(0)) {
    ctx.set_output_ref(0, ref);
  } else {
    ctx.set_output(0, ctx.input(0));
  }
  return OkStatus();
}

// Switch: output_false (0) or output_true (1) gets the data; the other output
// stays unset and the executor marks it dead.
Status SwitchCompute(OpKernelContext& ctx) {
  const Tensor& pred = ctx.input(1);
  if (pred.dtype() != DT_BOOL || pred.num_elements() != 1 || pred.shape().rank() != 0)
    return errors::InvalidArgument("The second input must be a scalar, but it has shape ",
                                   pred.shape().DebugString());
  int port = pred.scalar<bool>() ? 1 : 0;
  if (RefVariable* ref = ctx.input_ref(0)) {
    ctx.set_output_ref(port, ref);
  } else {
    ctx.set_output(port, ctx.input(0));
  }
  return OkStatus();
}

}  // namespace

void RegisterControlFlowKernels(KernelRegistry& r) {
  for (const char* op : {"Switch", "RefSwitch"}) MustRegister(r, op, Simple(SwitchCompute));
  for (const char* op : {"Enter", "RefEnter", "Exit", "RefExit", "NextIteration",
                         "RefNextIteration", "LoopCond"})
    MustRegister(r, op, Simple(Forward0));
  // Merge is evaluated by the executor itself.
  for (const char* op : {"Merge", "RefMerge"})
    MustRegister(r, op, Simple([](OpKernelContext&) {
                   return errors::Internal("Merge must be run by the executor");
                 }));
  MustRegister(r, "ControlTrigger", Simple([](OpKernelContext&) { return OkStatus(); }));
  MustRegister(r, "Abort", [](const graph::Node& node) -> Result<std::unique_ptr<OpKernel>> {
    Result<std::string> msg = graph::GetStringAttr(node.def(), "error_msg");
    std::string text = msg.ok() ? *msg : "";
    return std::unique_ptr<OpKernel>(new FunctionKernel([text](OpKernelContext&) {
      return errors::Unknown("Abort operation was called: ", text);
    }));
  });
}

}  // namespace tfport::kernels
