#include "kernels/kernels_internal.h"

namespace tfport::kernels {

void RegisterArrayKernels(KernelRegistry& r) { (void)r; }

}  // namespace tfport::kernels
