// OpDefs of the array family.
#include "graph/ops/ops_internal.h"

namespace tfport::graph::internal {

void RegisterArrayOps(OpRegistry& r) { (void)r; }

}  // namespace tfport::graph::internal
