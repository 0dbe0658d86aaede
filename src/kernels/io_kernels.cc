#include "kernels/kernels_internal.h"

namespace tfport::kernels {

void RegisterIoKernels(KernelRegistry& r) { (void)r; }

}  // namespace tfport::kernels
