// OpDefs of the io family.
#include "graph/ops/ops_internal.h"

namespace tfport::graph::internal {

void RegisterIoOps(OpRegistry& r) { (void)r; }

}  // namespace tfport::graph::internal
