// Shared by call inlining (inline_functions.cc) and control-flow lowering
// (lower_control_flow.cc): copying an instantiated function body into a flat
// GraphDef under a fresh name prefix, with its arguments replaced by tensors
// of the surrounding graph.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "tfport/core/status.h"
#include "tfport/graph/function.h"
#include "tfport/runtime/function.h"
#include "tfport/tf/graph.pb.h"

namespace tfport::freeze::internal {

// What a copied body computes, in the surrounding graph's names.
struct InlinedBody {
  std::vector<std::string> rets;          // tensor names, in signature order
  std::vector<std::string> control_rets;  // node names
};

// Appends every node of `body` but its _Arg nodes to `out`, renamed
// "<base>/<node>" (or "<base>_<k>/<node>" when that would collide with a name
// in `taken`; the new names are added to `taken`). Argument i becomes the
// tensor `args[i]`. Nodes with no inputs at all get `roots_after` (node names)
// as control inputs, so that they run after, and in the frame of, those
// nodes. Errors name `caller` when the argument count does not match.
Result<InlinedBody> InlineBody(const graph::FunctionBody& body, const std::string& base,
                               const std::vector<std::string>& args,
                               const std::vector<std::string>& roots_after,
                               const std::string& caller, std::set<std::string>* taken,
                               tf::GraphDef* out);

// The body of the function `f` (a func attr of `node`), after CPU
// implementation selection, with its attrs bound. Errors name the node and
// function.
Result<graph::FunctionBody> InstantiateFuncAttr(const tf::NodeDef& node, const tf::NameAttrList& f,
                                                runtime::FunctionLibraryRuntime& functions);

// PartitionedCall, StatefulPartitionedCall or an op named after a library
// function.
bool IsCallOp(const tf::NodeDef& n, const runtime::FunctionLibraryRuntime& functions);

// Replaces the call node `call` by its function's body (InlineBody with base
// `call`); the call's name then belongs to an Identity (one result), IdentityN
// (several) or NoOp (none) of the results, so consumers are unchanged. Body
// nodes with no inputs get the call's control inputs plus `pivots` (node
// names; the pivot of the frame or branch a lowered call sits in).
Status InlineCall(const tf::NodeDef& call, runtime::FunctionLibraryRuntime& functions,
                  const std::vector<std::string>& pivots, std::set<std::string>* taken,
                  tf::GraphDef* out);

// Drops the library functions that no node of `graph_def` reaches (directly or
// through other functions).
void PruneLibrary(tf::GraphDef* graph_def, const runtime::FunctionLibraryRuntime& functions);

}  // namespace tfport::freeze::internal
