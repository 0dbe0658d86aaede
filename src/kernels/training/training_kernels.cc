#include "kernels/kernels_internal.h"

namespace tfport::kernels {

void RegisterTrainingKernels(KernelRegistry& r) { (void)r; }

}  // namespace tfport::kernels
