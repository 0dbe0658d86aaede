#include "kernels/kernels_internal.h"

namespace tfport::kernels {

void RegisterNnKernels(KernelRegistry& r) { (void)r; }

}  // namespace tfport::kernels
