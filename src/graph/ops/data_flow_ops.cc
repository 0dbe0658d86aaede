// OpDefs of the data_flow family.
#include "graph/ops/ops_internal.h"

namespace tfport::graph::internal {

void RegisterDataFlowOps(OpRegistry& r) { (void)r; }

}  // namespace tfport::graph::internal
