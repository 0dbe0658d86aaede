#include <cstdio>
#include <cstdlib>

#include "kernels/kernels_internal.h"
#include "tfport/kernels/kernels.h"

namespace tfport::kernels {

void MustRegister(KernelRegistry& r, const std::string& op, runtime::KernelFactory factory) {
  Status s = r.Register(op, std::move(factory));
  if (!s.ok()) {
    std::fprintf(stderr, "tfport: bad kernel registration: %s\n", s.ToString().c_str());
    std::abort();
  }
}

const runtime::KernelRegistry& DefaultKernels() {
  static const KernelRegistry* registry = [] {
    auto* r = new KernelRegistry();
    for (auto fn : {RegisterBaseKernels, RegisterStateKernels, RegisterControlFlowKernels,
                    RegisterMathKernels, RegisterArrayKernels, RegisterNnKernels,
                    RegisterDataFlowKernels, RegisterIoKernels})
      fn(*r);
    return r;
  }();
  return *registry;
}

std::unique_ptr<runtime::Session> NewSession(const graph::Graph& graph,
                                             runtime::SessionOptions options) {
  options.kernels = &DefaultKernels();
  return std::make_unique<runtime::Session>(graph, options);
}

}  // namespace tfport::kernels
