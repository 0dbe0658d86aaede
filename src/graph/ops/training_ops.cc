// OpDefs of the training family: optimizer updates and gradient ops.
#include "graph/ops/ops_internal.h"

namespace tfport::graph::internal {

void RegisterTrainingOps(OpRegistry& r) { (void)r; }

}  // namespace tfport::graph::internal
