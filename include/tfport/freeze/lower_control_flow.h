// tfport: lowering TF2 functional control flow to TF1 dataflow control flow
// (TensorFlow's lower_if_op / lower_while_op / lower_case_op passes), for
// consumers such as OpenCV's importer and TF1 tooling that know Switch and
// Merge but not functions.
//
//   auto flat = freeze::InlineFunctionCalls(graph_def, {"out"}, functions);
//   auto lowered = freeze::LowerControlFlow(*flat, functions);
//   // no If/While/Case/call nodes left, an empty library (unless other ops
//   // still take functions).
//
// While / StatelessWhile node `w`, for each loop variable i:
//   w/Enter_i (frame "w") -> w/Merge_i(Enter_i, NextIteration_i)
//   cond inlined as "w/cond/..." on the Merges -> w/LoopCond
//   w/Switch_i(Merge_i, LoopCond): :0 -> w/Exit_i, :1 -> w/Identity_i
//   body inlined as "w/body/..." on the Identities -> w/NextIteration_i
// If / StatelessIf node `c`: every input switched on the predicate
// (c/Switch_j), then_branch inlined as "c/then/..." on the :1 outputs and
// else_branch as "c/else/..." on the :0 outputs, results joined by c/Merge_k.
// Case / StatelessCase node `c`: branch k < n-1 runs when the index equals k,
// the last one otherwise (out-of-range indices), each on its own Switches
// c/Switch_k_j, the results joined by c/Merge_j of n inputs.
//
// Nodes of an inlined body that have no inputs (Consts) get a control input
// from a pivot of their frame or branch (w/Merge_0, w/Identity_0,
// Identity(Switch(pred, pred))), so they run there and only when it is
// live. Consumers of "w:i" / "c:k" are rewired to the Exit / Merge; the node's
// own name stays on an Identity (one result) or IdentityN of them, which
// control consumers ("^w") and fetches keep using. Calls met on the way
// (inside bodies) are inlined as InlineFunctionCalls does; nesting lowers
// recursively. The function library keeps only functions still referenced.
//
// Predicates: a DT_BOOL predicate is used as is; other numeric ones go
// through Cast to bool (TensorFlow's truth value of a scalar). Errors name the
// node and function: INVALID_ARGUMENT for malformed nodes (missing attrs,
// argument counts, a non-numeric predicate), NOT_FOUND for unknown functions.
#pragma once

#include "tfport/core/status.h"
#include "tfport/runtime/function.h"
#include "tfport/tf/graph.pb.h"

namespace tfport::freeze {

Result<tf::GraphDef> LowerControlFlow(const tf::GraphDef& graph_def,
                                      runtime::FunctionLibraryRuntime& functions);

}  // namespace tfport::freeze
