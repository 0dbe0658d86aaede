// tfport: the CPU kernels and the session factory that uses them.
//
//   graph::Graph g;  ... build or import ...
//   auto session = kernels::NewSession(g);
//   TFPORT_RETURN_IF_ERROR(session->Run(feeds, fetches, targets, &outputs));
#pragma once

#include <memory>

#include "tfport/runtime/session.h"

namespace tfport::kernels {

// Every kernel tfport has, registered once on first use.
const runtime::KernelRegistry& DefaultKernels();

// A Session over `graph` (which must outlive it) using DefaultKernels().
std::unique_ptr<runtime::Session> NewSession(const graph::Graph& graph,
                                             runtime::SessionOptions options = {});

}  // namespace tfport::kernels
