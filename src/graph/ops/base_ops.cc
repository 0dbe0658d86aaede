// OpDefs of the base ops (TensorFlow's array_ops.cc / no_op.cc / logging_ops.cc),
// the ref and resource variable ops (state_ops.cc, resource_variable_ops.cc)
// and control flow.
#include "graph/ops/ops_internal.h"
#include "tfport/graph/graph.h"

namespace tfport::graph::internal {
namespace {

void ScalarOutputs(const Node&, std::vector<Shape>* out) {
  for (auto& s : *out) s = Shape{};
}

void LikeInput0(const Node& n, std::vector<Shape>* out) {
  (*out)[0] = n.num_inputs() > 0 ? n.input(0).shape() : Shape::UnknownRank();
}

}  // namespace

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
  // An argument of an instantiated function body (graph/function.h); its
  // value comes from the caller. "_shape" (optional) is its static shape.
  MustRegister(r, OpDefBuilder("_Arg").Output("output: T").Attr("T: type").Attr("index: int >= 0"));
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

  // ---- logging_ops.cc: Assert; summaries import (no kernels: tfport writes no event files)
  MustRegister(r, OpDefBuilder("Assert")
                      .Input("condition: bool")
                      .Input("data: T")
                      .SetIsStateful()
                      .Attr("T: list(type)")
                      .Attr("summarize: int = 3"));
  MustRegister(r, OpDefBuilder("ScalarSummary")
                      .Input("tags: string")
                      .Input("values: T")
                      .Output("summary: string")
                      .Attr("T: realnumbertype"));
  MustRegister(r, OpDefBuilder("HistogramSummary")
                      .Input("tag: string")
                      .Input("values: T")
                      .Output("summary: string")
                      .Attr("T: realnumbertype = DT_FLOAT"));
  MustRegister(r, OpDefBuilder("MergeSummary")
                      .Input("inputs: N * string")
                      .Output("summary: string")
                      .Attr("N: int >= 1"));
  for (const char* op : {"ScalarSummary", "HistogramSummary", "MergeSummary"})
    MustSetShapeFn(r, op, ScalarOutputs);
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
  // Scatter*: ref[indices[i], ...] (op)= updates[i, ...].
  MustRegister(r, OpDefBuilder("ScatterUpdate")
                      .Input("ref: Ref(T)")
                      .Input("indices: Tindices")
                      .Input("updates: T")
                      .Output("output_ref: Ref(T)")
                      .Attr("T: type")
                      .Attr("Tindices: {int32, int64}")
                      .Attr("use_locking: bool = true"));
  for (const char* op : {"ScatterAdd", "ScatterSub"})
    MustRegister(r, OpDefBuilder(op)
                        .Input("ref: Ref(T)")
                        .Input("indices: Tindices")
                        .Input("updates: T")
                        .Output("output_ref: Ref(T)")
                        .Attr("T: numbertype")
                        .Attr("Tindices: {int32, int64}")
                        .Attr("use_locking: bool = false"));
  for (const char* op : {"ScatterUpdate", "ScatterAdd", "ScatterSub"})
    MustSetShapeFn(r, op, LikeInput0);
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
