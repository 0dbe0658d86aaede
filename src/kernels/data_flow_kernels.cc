#include "kernels/kernels_internal.h"

namespace tfport::kernels {

void RegisterDataFlowKernels(KernelRegistry& r) { (void)r; }

}  // namespace tfport::kernels
