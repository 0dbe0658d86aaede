#include "kernels/kernels_internal.h"

namespace tfport::kernels {

void RegisterRandomKernels(KernelRegistry& r) { (void)r; }

}  // namespace tfport::kernels
