// Kernels of the base ops: Const, Identity and friends, Placeholder, NoOp.
#include "kernels/kernels_internal.h"
#include "tfport/core/tensor_proto.h"

namespace tfport::kernels {
namespace {

using graph::NodeLocation;

// Passes every input through (refs stay refs).
Status Forward(OpKernelContext& ctx) {
  for (int i = 0; i < ctx.num_inputs() && i < ctx.num_outputs(); ++i) {
    if (RefVariable* ref = ctx.input_ref(i)) {
      ctx.set_output_ref(i, ref);
    } else {
      ctx.set_output(i, ctx.input(i));
    }
  }
  return OkStatus();
}

Result<std::unique_ptr<OpKernel>> MakeConst(const graph::Node& node) {
  const tf::AttrValue* v = graph::FindAttr(node.def(), "value");
  if (v == nullptr || !v->has_tensor())
    return errors::InvalidArgument(NodeLocation(node.def()), ": Const has no 'value' tensor");
  Result<Tensor> t = TensorFromProto(v->tensor());
  if (!t.ok()) return t.status().WithContext(NodeLocation(node.def()), ": attr 'value'");
  TFPORT_ASSIGN_OR_RETURN(DataType dtype, graph::GetTypeAttr(node.def(), "dtype"));
  if (t->dtype() != dtype)
    return errors::InvalidArgument(NodeLocation(node.def()), ": value has dtype ",
                                   DataTypeName(t->dtype()), " but dtype attr is ",
                                   DataTypeName(dtype));
  Tensor value = *t;
  return std::unique_ptr<OpKernel>(new FunctionKernel([value](OpKernelContext& ctx) {
    ctx.set_output(0, value);
    return OkStatus();
  }));
}

Result<std::unique_ptr<OpKernel>> MakePlaceholder(const graph::Node& node) {
  TFPORT_ASSIGN_OR_RETURN(DataType dtype, graph::GetTypeAttr(node.def(), "dtype"));
  std::string msg = StrCat("You must feed a value for placeholder tensor '", node.name(),
                           "' with dtype ", NumpyName(dtype));
  const tf::AttrValue* shape = graph::FindAttr(node.def(), "shape");
  if (shape && shape->has_shape() && !shape->shape().unknown_rank()) {
    Result<Shape> s = Shape::FromProto(shape->shape(), true);
    if (s.ok()) msg += " and shape " + s->DebugString();
  }
  return std::unique_ptr<OpKernel>(new FunctionKernel([msg](OpKernelContext&) {
    return errors::InvalidArgument(msg);
  }));
}

}  // namespace

void RegisterBaseKernels(KernelRegistry& r) {
  MustRegister(r, "Const", MakeConst);
  for (const char* op : {"Identity", "IdentityN", "Snapshot", "StopGradient", "PreventGradient",
                         "PlaceholderWithDefault"})
    MustRegister(r, op, Simple(Forward));
  MustRegister(r, "Placeholder", MakePlaceholder);
  MustRegister(r, "NoOp", Simple([](OpKernelContext&) { return OkStatus(); }));
}

}  // namespace tfport::kernels
