// OpDefs of the base ops (TensorFlow's array_ops.cc / no_op.cc).
#include "graph/ops/ops_internal.h"

namespace tfport::graph::internal {

void RegisterBaseOps(OpRegistry& r) {
  MustRegister(r, OpDefBuilder("Const").Output("output: dtype").Attr("value: tensor").Attr("dtype: type"));
  MustRegister(r, OpDefBuilder("Identity").Input("input: T").Output("output: T").Attr("T: type"));
  MustRegister(r, OpDefBuilder("IdentityN").Input("input: T").Output("output: T").Attr("T: list(type) >= 1"));
  MustRegister(r, OpDefBuilder("Snapshot").Input("input: T").Output("output: T").Attr("T: type"));
  MustRegister(r, OpDefBuilder("NoOp"));
  MustRegister(r, OpDefBuilder("Placeholder")
                      .Output("output: dtype")
                      .Attr("dtype: type")
                      .Attr("shape: shape = { unknown_rank: true }"));
  MustRegister(r, OpDefBuilder("PlaceholderWithDefault")
                      .Input("input: dtype")
                      .Output("output: dtype")
                      .Attr("dtype: type")
                      .Attr("shape: shape"));
  MustRegister(r, OpDefBuilder("StopGradient").Input("input: T").Output("output: T").Attr("T: type"));
  MustRegister(r, OpDefBuilder("PreventGradient")
                      .Input("input: T")
                      .Output("output: T")
                      .Attr("T: type")
                      .Attr("message: string = ''"));
}

void RegisterStateOps(OpRegistry& r) {
  for (const char* op : {"VariableV2", "Variable"})
    MustRegister(r, OpDefBuilder(op)
                        .Output("ref: Ref(dtype)")
                        .Attr("shape: shape")
                        .Attr("dtype: type")
                        .Attr("container: string = ''")
                        .Attr("shared_name: string = ''")
                        .SetIsStateful());
  MustRegister(r, OpDefBuilder("Assign")
                      .Input("ref: Ref(T)")
                      .Input("value: T")
                      .Output("output_ref: Ref(T)")
                      .Attr("T: type")
                      .Attr("validate_shape: bool = true")
                      .Attr("use_locking: bool = true")
                      .SetAllowsUninitializedInput());
  for (const char* op : {"AssignAdd", "AssignSub"})
    MustRegister(r, OpDefBuilder(op)
                        .Input("ref: Ref(T)")
                        .Input("value: T")
                        .Output("output_ref: Ref(T)")
                        .Attr("T: numbertype")
                        .Attr("use_locking: bool = false"));
  MustRegister(r, OpDefBuilder("IsVariableInitialized")
                      .Input("ref: Ref(dtype)")
                      .Output("is_initialized: bool")
                      .Attr("dtype: type")
                      .SetAllowsUninitializedInput());
  MustRegister(r, OpDefBuilder("VarHandleOp")
                      .Output("resource: resource")
                      .Attr("container: string = ''")
                      .Attr("shared_name: string = ''")
                      .Attr("dtype: type")
                      .Attr("shape: shape")
                      .SetIsStateful());
  MustRegister(r, OpDefBuilder("ReadVariableOp")
                      .Input("resource: resource")
                      .Output("value: dtype")
                      .Attr("dtype: type")
                      .SetIsStateful());
  MustRegister(r, OpDefBuilder("AssignVariableOp")
                      .Input("resource: resource")
                      .Input("value: dtype")
                      .Attr("dtype: type")
                      .SetIsStateful());
  for (const char* op : {"AssignAddVariableOp", "AssignSubVariableOp"})
    MustRegister(r, OpDefBuilder(op)
                        .Input("resource: resource")
                        .Input("value: dtype")
                        .Attr("dtype: type")
                        .SetIsStateful());
  MustRegister(r, OpDefBuilder("VarIsInitializedOp")
                      .Input("resource: resource")
                      .Output("is_initialized: bool")
                      .SetIsStateful());
  MustRegister(r, OpDefBuilder("DestroyResourceOp")
                      .Input("resource: resource")
                      .Attr("ignore_lookup_error: bool = true")
                      .SetIsStateful());
}

void RegisterControlFlowOps(OpRegistry& r) {
  MustRegister(r, OpDefBuilder("Switch")
                      .Input("data: T")
                      .Input("pred: bool")
                      .Output("output_false: T")
                      .Output("output_true: T")
                      .Attr("T: type"));
  MustRegister(r, OpDefBuilder("RefSwitch")
                      .Input("data: Ref(T)")
                      .Input("pred: bool")
                      .Output("output_false: Ref(T)")
                      .Output("output_true: Ref(T)")
                      .Attr("T: type")
                      .SetAllowsUninitializedInput());
  MustRegister(r, OpDefBuilder("Merge")
                      .Input("inputs: N * T")
                      .Output("output: T")
                      .Output("value_index: int32")
                      .Attr("T: type")
                      .Attr("N: int >= 1"));
  MustRegister(r, OpDefBuilder("RefMerge")
                      .Input("inputs: Ref(N * T)")
                      .Output("output: Ref(T)")
                      .Output("value_index: int32")
                      .Attr("T: type")
                      .Attr("N: int >= 1"));
  for (bool ref : {false, true})
    MustRegister(r, OpDefBuilder(ref ? "RefEnter" : "Enter")
                        .Input(ref ? "data: Ref(T)" : "data: T")
                        .Output(ref ? "output: Ref(T)" : "output: T")
                        .Attr("T: type")
                        .Attr("frame_name: string")
                        .Attr("is_constant: bool = false")
                        .Attr("parallel_iterations: int = 10"));
  for (const char* op : {"Exit", "NextIteration"})
    MustRegister(r, OpDefBuilder(op).Input("data: T").Output("output: T").Attr("T: type"));
  for (const char* op : {"RefExit", "RefNextIteration"})
    MustRegister(r, OpDefBuilder(op).Input("data: Ref(T)").Output("output: Ref(T)").Attr("T: type"));
  MustRegister(r, OpDefBuilder("LoopCond").Input("input: bool").Output("output: bool"));
  MustRegister(r, OpDefBuilder("ControlTrigger"));
  MustRegister(r, OpDefBuilder("Abort")
                      .Attr("error_msg: string = ''")
                      .Attr("exit_without_error: bool = false"));
}

}  // namespace tfport::graph::internal
