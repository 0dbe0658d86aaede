// tfport: deployment transforms for frozen graphs — what TensorFlow's
// optimize_for_inference and the graph_transforms tool offer (formats.md §6.4).
//
//   TFPORT_ASSIGN_OR_RETURN(tf::GraphDef frozen, freeze::ReadGraph("frozen.pb"));
//   TFPORT_ASSIGN_OR_RETURN(tf::GraphDef small,
//       freeze::OptimizeForInference(frozen, {"input"}, {"softmax"}));
//
// Every transform takes a frozen GraphDef (variables already Consts) and
// returns a new one that computes the same values for the requested outputs
// (up to float rounding where weights are refolded). Names of the requested
// inputs and outputs, and of every node that survives, are kept, so
// "output:0" still resolves; folded nodes are replaced by nodes under the
// same name. `inputs` / `outputs` are node names; "name:k" and "^name" are
// accepted and mean the node. The function library and versions pass
// through untouched.
//
// Errors are INVALID_ARGUMENT naming the node: "<name> is not in graph" for
// an unknown input/output, "Node 'a': Unknown input node 'b'" for a dangling
// edge; FoldConstants also returns graph::GraphFromGraphDef's error for a
// node that does not match its OpDef. Nothing is folded that cannot be
// evaluated, so evaluation itself never fails a transform.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tfport/core/status.h"
#include "tfport/tf/graph.pb.h"

namespace tfport::freeze {

// Removes what only training needs:
//  * CheckNumerics, StopGradient, PreventGradient (and Snapshot) used as data
//    are spliced out like Identity: consumers read their input directly;
//  * control dependencies on assertions (Assert, CheckNumerics, and NoOps
//    that only group assertions) are dropped, and those nodes with them once
//    nothing else refers to them — as are the nodes that only fed them;
//  * then RemoveTrainingNodes (remove_training_nodes) splices the Identity
//    nodes, which dropping the assertion edges may have made spliceable.
// Nodes named in `inputs` / `outputs` are never removed or spliced.
Result<tf::GraphDef> StripTrainingNodes(const tf::GraphDef& graph_def,
                                        const std::vector<std::string>& inputs,
                                        const std::vector<std::string>& outputs);
// The same transform under the graph_transforms name (strip_identity).
inline Result<tf::GraphDef> StripIdentity(const tf::GraphDef& graph_def,
                                          const std::vector<std::string>& inputs,
                                          const std::vector<std::string>& outputs) {
  return StripTrainingNodes(graph_def, inputs, outputs);
}

struct FoldConstantsOptions {
  // A folded result larger than this (and larger than the constants it is
  // computed from) is not materialised; its inputs are folded instead.
  uint64_t max_constant_bytes = uint64_t{16} << 20;
};

// Evaluates every node whose data inputs are all (transitively) constant and
// which is not stateful, not a Placeholder/variable, not a control-flow op,
// not in `inputs`, and has a tfport kernel; Shape/Size/Rank/ShapeN of a
// tensor whose static shape is fully known count as constant too. Each
// maximal constant subgraph's frontier node (one consumed by a non-constant
// node, or a requested output) becomes a Const holding its value under the
// node's name; a frontier node with several outputs gets one Const per
// consumed output ("<name>/folded_output_<k>"). Then the nodes only the
// folded nodes used are dropped. Control dependencies that still matter
// (on stateful nodes, or on nodes inside a cond/while) move to the new Const.
// Nodes whose op has no kernel, or whose evaluation fails, are left as they
// are. Values are computed with a tfport Session.
Result<tf::GraphDef> FoldConstants(const tf::GraphDef& graph_def,
                                   const std::vector<std::string>& inputs,
                                   const std::vector<std::string>& outputs,
                                   const FoldConstantsOptions& options = {});

// Folds inference-mode batch norm into the constant weights of the linear op
// before it (Conv2D with filter [H,W,I,O], DepthwiseConv2dNative with filter
// [H,W,C,M] (channel c*M+m), or MatMul with weights [in,out] or, with
// transpose_b, [out,in]), optionally through a BiasAdd with a Const bias:
//  * FusedBatchNorm / V2 / V3 with is_training=false and Const scale, offset,
//    mean, variance: w' = w * s per output channel with
//    s = scale / sqrt(variance + epsilon), b' = (b - mean) * s + offset;
//  * Mul(linear, Const scale) followed by Add/AddV2(…, Const shift) (the
//    unfused batch norm of tf.layers / Keras once its constants are folded):
//    w' = w * scale, b' = b * scale + shift.
// The last node of the pattern (the batch norm / the Add) becomes
// BiasAdd(linear, b') under its own name; nodes in between are removed.
// Refused (left unchanged): float32 only; outputs 1..5 of a FusedBatchNorm
// consumed; an intermediate (linear op, BiasAdd, Mul) with another consumer;
// data_format mismatch between the linear op, BiasAdd and batch norm;
// per-channel constants of the wrong size or of a shape that broadcasts
// beyond the channel axis. A weight Const used elsewhere is duplicated
// ("<weights>/bn_folded") rather than changed.
Result<tf::GraphDef> FoldBatchNorms(const tf::GraphDef& graph_def);

// Keeps only the nodes `outputs` need and the nodes named in `inputs` (and
// what those need), in their original order (ExtractSubGraph).
Result<tf::GraphDef> RemoveUnusedNodes(const tf::GraphDef& graph_def,
                                       const std::vector<std::string>& inputs,
                                       const std::vector<std::string>& outputs);

// Writes output-0 inputs as "x" instead of "x:0", the form TensorFlow itself
// serializes (OpenCV's importer resolves constants only by that form).
tf::GraphDef CanonicalizeInputNames(const tf::GraphDef& graph_def);

// CanonicalizeInputNames -> StripTrainingNodes -> FoldConstants ->
// FoldBatchNorms -> FoldConstants -> RemoveUnusedNodes.
Result<tf::GraphDef> OptimizeForInference(const tf::GraphDef& graph_def,
                                          const std::vector<std::string>& inputs,
                                          const std::vector<std::string>& outputs);

}  // namespace tfport::freeze
