#include "kernels/kernels_internal.h"

namespace tfport::kernels {

void RegisterMathKernels(KernelRegistry& r) { (void)r; }

}  // namespace tfport::kernels
