// The training kernel family: optimizer updates and gradient ops.
#include "kernels/kernels_internal.h"

namespace tfport::kernels {

namespace training {
void RegisterOptimizerKernels(KernelRegistry& r);  // optimizer_kernels.cc: Apply*, ResourceApply*
void RegisterGradKernels(KernelRegistry& r);       // grad_kernels.cc: *Grad, cross entropy
void RegisterConvGradKernels(KernelRegistry& r);   // conv_grad_kernels.cc: Conv2DBackprop*, MaxPoolGrad
}  // namespace training

void RegisterTrainingKernels(KernelRegistry& r) {
  training::RegisterOptimizerKernels(r);
  training::RegisterGradKernels(r);
  training::RegisterConvGradKernels(r);
}

}  // namespace tfport::kernels
