// OpDefs of the math family.
#include "graph/ops/ops_internal.h"

namespace tfport::graph::internal {

void RegisterMathOps(OpRegistry& r) { (void)r; }

}  // namespace tfport::graph::internal
