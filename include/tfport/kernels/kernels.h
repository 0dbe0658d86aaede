// tfport: the CPU kernels and the session factory that uses them.
//
//   graph::Graph g;  ... build or import ...
//   auto session = kernels::NewSession(g);
//   TFPORT_RETURN_IF_ERROR(session->Run(feeds, fetches, targets, &outputs));
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tfport/runtime/session.h"

namespace tfport::kernels {

// Every kernel tfport has, registered once on first use.
const runtime::KernelRegistry& DefaultKernels();

// The same kernels with their reference paths where a fast path exists
// (convolutions and float GEMM on tfport's own loops instead of oneDNN) and
// no fusion rules: what tests check the fast paths and fusions against.
const runtime::KernelRegistry& ReferenceKernels();

// A Session over `graph` (which must outlive it) using options.kernels, or
// DefaultKernels() when that is null.
std::unique_ptr<runtime::Session> NewSession(const graph::Graph& graph,
                                             runtime::SessionOptions options = {});

// tf.compat.v1.report_uninitialized_variables(): the names of the global
// variables (VariableDefs in the "variables" collection) that have no value
// yet in `session`. Adds IsVariableInitialized / VarIsInitializedOp nodes under
// "report_uninitialized_variables/" to the graph on first use.
Result<std::vector<std::string>> ReportUninitializedVariables(runtime::Session& session,
                                                             graph::Graph& graph);

}  // namespace tfport::kernels
