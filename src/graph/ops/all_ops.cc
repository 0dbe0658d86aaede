#include "graph/ops/ops_internal.h"

#include <cstdio>
#include <cstdlib>

namespace tfport::graph {

void RegisterAllOps(OpRegistry& registry) {
  using namespace internal;
  for (auto fn : {RegisterBaseOps, RegisterStateOps, RegisterControlFlowOps, RegisterMathOps,
                  RegisterArrayOps, RegisterNnOps, RegisterDataFlowOps, RegisterIoOps, RegisterTrainingOps,
                  RegisterRandomOps, RegisterParsingOps, RegisterFunctionalOps, RegisterListOps,
                  RegisterStringOps})
    fn(registry);
}

namespace internal {
// Used by the family files: a spec that does not parse is a bug in tfport.
void MustRegister(OpRegistry& r, const OpDefBuilder& b) {
  Status s = r.Register(b);
  if (!s.ok()) {
    std::fprintf(stderr, "tfport: bad op registration: %s\n", s.ToString().c_str());
    std::abort();
  }
}
void MustSetShapeFn(OpRegistry& r, const char* op, ShapeFn fn) {
  Status s = r.SetShapeFn(op, std::move(fn));
  if (!s.ok()) {
    std::fprintf(stderr, "tfport: bad shape function registration: %s\n", s.ToString().c_str());
    std::abort();
  }
}
}  // namespace internal

}  // namespace tfport::graph
