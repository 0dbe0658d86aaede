// OpDefs of the nn family.
#include "graph/ops/ops_internal.h"

namespace tfport::graph::internal {

void RegisterNnOps(OpRegistry& r) { (void)r; }

}  // namespace tfport::graph::internal
