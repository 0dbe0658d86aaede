// Internal: the op families. Each function registers the OpDefs of one
// family, written with TensorFlow's REGISTER_OP spec syntax. OpDefs keep the
// attrs TensorFlow 1.x had (attrs added later with defaults are left out) so
// graphs tfport writes load in TensorFlow 1.x and 2.x alike.
#pragma once

#include "tfport/graph/op_registry.h"

namespace tfport::graph::internal {

// Registers or aborts (a spec that does not parse is a bug in tfport).
void MustRegister(OpRegistry& r, const OpDefBuilder& b);

// Registers a shape function or aborts.
void MustSetShapeFn(OpRegistry& r, const char* op, ShapeFn fn);

void RegisterBaseOps(OpRegistry& r);         // base_ops.cc: Const, Identity, Placeholder, NoOp...
void RegisterStateOps(OpRegistry& r);        // state_ops.cc: ref and resource variables
void RegisterControlFlowOps(OpRegistry& r);  // control_flow_ops.cc: Switch, Merge, Enter...
void RegisterMathOps(OpRegistry& r);         // math_ops.cc: elementwise, reductions, MatMul
void RegisterArrayOps(OpRegistry& r);        // array_ops.cc: shapes, slicing, gather...
void RegisterNnOps(OpRegistry& r);           // nn_ops.cc: BiasAdd, Softmax, Conv2D, pooling...
void RegisterDataFlowOps(OpRegistry& r);     // data_flow_ops.cc: TensorArrayV3, stacks
void RegisterIoOps(OpRegistry& r);           // io_ops.cc: SaveV2, RestoreV2, ...
void RegisterTrainingOps(OpRegistry& r);     // training_ops.cc: Apply* optimizers, gradient ops
void RegisterRandomOps(OpRegistry& r);       // random_ops.cc: RandomUniform, TruncatedNormal...
void RegisterFunctionalOps(OpRegistry& r);   // functional_ops.cc: PartitionedCall, If, While, Case
void RegisterListOps(OpRegistry& r);         // list_ops.cc: TensorListReserve, TensorListSetItem...
void RegisterStringOps(OpRegistry& r);       // string_ops.cc: StringFormat, PrintV2, StaticRegexFullMatch...
void RegisterParsingOps(OpRegistry& r);      // parsing_ops.cc: ParseExample, ParseExampleV2, ParseSingleExample

}  // namespace tfport::graph::internal
