// OpDefs of the random family.
#include "graph/ops/ops_internal.h"

namespace tfport::graph::internal {

void RegisterRandomOps(OpRegistry& r) { (void)r; }

}  // namespace tfport::graph::internal
