// Kernels of ref variables (VariableV2, Assign...) and resource variables
// (VarHandleOp, ReadVariableOp, AssignVariableOp...). Writes replace the
// variable's tensor rather than mutating it, so values read earlier stay
// valid (copy-on-write).
#include <mutex>

#include "kernels/kernels_internal.h"

namespace tfport::kernels {
namespace {

using graph::NodeLocation;
using runtime::RefVariableResource;
using runtime::ResourceVariable;

std::string ShapeString(const Shape& s) { return s.DebugString(); }

// out = a + sign * b elementwise (same shape).
Result<Tensor> AddSameShape(const Tensor& a, const Tensor& b, int sign) {
  if (!(a.shape() == b.shape()))
    return errors::InvalidArgument("Must have the same shape: ", ShapeString(a.shape()), " vs ",
                                   ShapeString(b.shape()));
  if (a.dtype() != b.dtype())
    return errors::InvalidArgument("dtypes differ: ", DataTypeName(a.dtype()), " vs ",
                                   DataTypeName(b.dtype()));
  TFPORT_ASSIGN_OR_RETURN(Tensor out, Tensor::Allocate(a.dtype(), a.shape(), false));
  Status s = DispatchNumber(a.dtype(), [&]<typename T>() {
    auto x = a.flat<T>();
    auto y = b.flat<T>();
    auto z = out.flat<T>();
    for (size_t i = 0; i < z.size(); ++i)
      z[i] = sign > 0 ? static_cast<T>(x[i] + y[i]) : static_cast<T>(x[i] - y[i]);
    return OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

struct VarKey {
  std::string container, name;
};

Result<VarKey> KeyOf(const graph::Node& node) {
  TFPORT_ASSIGN_OR_RETURN(std::string container, graph::GetStringAttr(node.def(), "container"));
  TFPORT_ASSIGN_OR_RETURN(std::string shared, graph::GetStringAttr(node.def(), "shared_name"));
  return VarKey{container, shared.empty() ? node.name() : shared};
}

Result<std::unique_ptr<OpKernel>> MakeVariable(const graph::Node& node) {
  TFPORT_ASSIGN_OR_RETURN(VarKey key, KeyOf(node));
  std::string name = node.name();
  std::optional<Shape> declared;
  if (const tf::AttrValue* a = graph::FindAttr(node.def(), "shape"); a && a->has_shape()) {
    Result<Shape> s = Shape::FromProto(a->shape(), true);
    if (s.ok() && s->IsFullyDefined()) declared = *s;
  }
  return std::unique_ptr<OpKernel>(new FunctionKernel([key, name, declared](OpKernelContext& ctx) {
    auto var = ctx.resources().LookupOrCreate<RefVariableResource>(
        key.container, "ref:" + key.name, [&] {
          auto v = std::make_shared<RefVariableResource>(name);
          v->var.declared_shape = declared;
          return v;
        });
    if (!var) return errors::InvalidArgument("resource '", key.name, "' is not a ref variable");
    ctx.set_output_ref(0, &var->var);
    return OkStatus();
  }));
}

Result<std::unique_ptr<OpKernel>> MakeAssign(const graph::Node& node) {
  TFPORT_ASSIGN_OR_RETURN(bool validate, graph::GetBoolAttr(node.def(), "validate_shape"));
  return std::unique_ptr<OpKernel>(new FunctionKernel([validate](OpKernelContext& ctx) {
    RefVariable* ref = ctx.input_ref(0);
    if (ref == nullptr) return errors::InvalidArgument("input 0 of Assign must be a ref");
    const Tensor& value = ctx.input(1);
    {
      std::lock_guard<std::mutex> lock(ref->mu);
      const std::optional<Shape> lhs =
          ref->initialized ? std::optional<Shape>(ref->value.shape()) : ref->declared_shape;
      if (validate && lhs && !(*lhs == value.shape()))
        return errors::InvalidArgument("Assign requires shapes of both tensors to match. lhs "
                                       "shape= ", ShapeString(*lhs),
                                       " rhs shape= ", ShapeString(value.shape()));
      ref->value = value;
      ref->initialized = true;
    }
    ctx.set_output_ref(0, ref);
    return OkStatus();
  }));
}

runtime::KernelFactory MakeAssignUpdate(int sign) {
  return Simple([sign](OpKernelContext& ctx) {
    RefVariable* ref = ctx.input_ref(0);
    if (ref == nullptr) return errors::InvalidArgument("input 0 must be a ref");
    {
      std::lock_guard<std::mutex> lock(ref->mu);
      if (!ref->initialized)
        return errors::FailedPrecondition("Attempting to use uninitialized value ", ref->name);
      TFPORT_ASSIGN_OR_RETURN(Tensor updated, AddSameShape(ref->value, ctx.input(1), sign));
      ref->value = std::move(updated);
    }
    ctx.set_output_ref(0, ref);
    return OkStatus();
  });
}

Status IsInitialized(OpKernelContext& ctx) {
  RefVariable* ref = ctx.input_ref(0);
  bool init = false;
  if (ref) {
    std::lock_guard<std::mutex> lock(ref->mu);
    init = ref->initialized;
  }
  ctx.set_output(0, Tensor::Scalar<bool>(init));
  return OkStatus();
}

// ---- resource variables

Result<std::unique_ptr<OpKernel>> MakeVarHandle(const graph::Node& node) {
  TFPORT_ASSIGN_OR_RETURN(VarKey key, KeyOf(node));
  Tensor handle(DT_RESOURCE, Shape{});
  auto& h = handle.scalar<ResourceHandle>();
  h.container = key.container;
  h.name = key.name;
  h.type_name = "Var";
  return std::unique_ptr<OpKernel>(new FunctionKernel([handle](OpKernelContext& ctx) {
    ctx.set_output(0, handle);
    return OkStatus();
  }));
}

Result<const ResourceHandle*> HandleOf(const Tensor& t) {
  if (t.dtype() != DT_RESOURCE || t.num_elements() != 1)
    return errors::InvalidArgument("expected a scalar resource handle, got ",
                                   DataTypeName(t.dtype()), " ", t.shape().DebugString());
  return &t.flat<ResourceHandle>()[0];
}

Status NotInitialized(const ResourceHandle& h) {
  return errors::FailedPrecondition(
      "Error while reading resource variable ", h.name, " from Container: ",
      h.container.empty() ? "localhost" : h.container,
      ". This could mean that the variable was uninitialized. Not found: Resource ",
      h.container.empty() ? "localhost" : h.container, "/", h.name, "/Var does not exist.");
}

Result<std::unique_ptr<OpKernel>> MakeReadVariable(const graph::Node& node) {
  TFPORT_ASSIGN_OR_RETURN(DataType dtype, graph::GetTypeAttr(node.def(), "dtype"));
  return std::unique_ptr<OpKernel>(new FunctionKernel([dtype](OpKernelContext& ctx) {
    TFPORT_ASSIGN_OR_RETURN(const ResourceHandle* h, HandleOf(ctx.input(0)));
    auto var = ctx.resources().Lookup<ResourceVariable>(h->container, h->name);
    if (!var) return NotInitialized(*h);
    std::lock_guard<std::mutex> lock(var->mu());
    if (!var->initialized()) return NotInitialized(*h);
    if (var->dtype() != dtype)
      return errors::InvalidArgument("Trying to read variable with wrong dtype. Expected ",
                                     NumpyName(dtype), " got ", NumpyName(var->dtype()));
    ctx.set_output(0, var->value());
    return OkStatus();
  }));
}

Result<std::unique_ptr<OpKernel>> MakeAssignVariable(const graph::Node& node) {
  TFPORT_ASSIGN_OR_RETURN(DataType dtype, graph::GetTypeAttr(node.def(), "dtype"));
  return std::unique_ptr<OpKernel>(new FunctionKernel([dtype](OpKernelContext& ctx) {
    TFPORT_ASSIGN_OR_RETURN(const ResourceHandle* h, HandleOf(ctx.input(0)));
    const Tensor& value = ctx.input(1);
    auto var = ctx.resources().LookupOrCreate<ResourceVariable>(h->container, h->name, [&] {
      return std::make_shared<ResourceVariable>(dtype, value.shape());
    });
    if (!var) return errors::InvalidArgument("resource '", h->name, "' is not a variable");
    std::lock_guard<std::mutex> lock(var->mu());
    if (var->dtype() != dtype)
      return errors::InvalidArgument("Trying to assign variable with wrong dtype. Expected ",
                                     NumpyName(var->dtype()), " got ", NumpyName(dtype));
    var->set_value(value);
    return OkStatus();
  }));
}

runtime::KernelFactory MakeAssignUpdateVariable(int sign) {
  return Simple([sign](OpKernelContext& ctx) {
    TFPORT_ASSIGN_OR_RETURN(const ResourceHandle* h, HandleOf(ctx.input(0)));
    auto var = ctx.resources().Lookup<ResourceVariable>(h->container, h->name);
    if (!var) return NotInitialized(*h);
    std::lock_guard<std::mutex> lock(var->mu());
    if (!var->initialized()) return NotInitialized(*h);
    TFPORT_ASSIGN_OR_RETURN(Tensor updated, AddSameShape(var->value(), ctx.input(1), sign));
    var->set_value(std::move(updated));
    return OkStatus();
  });
}

Status VarIsInitialized(OpKernelContext& ctx) {
  TFPORT_ASSIGN_OR_RETURN(const ResourceHandle* h, HandleOf(ctx.input(0)));
  auto var = ctx.resources().Lookup<ResourceVariable>(h->container, h->name);
  bool init = false;
  if (var) {
    std::lock_guard<std::mutex> lock(var->mu());
    init = var->initialized();
  }
  ctx.set_output(0, Tensor::Scalar<bool>(init));
  return OkStatus();
}

Status DestroyResource(OpKernelContext& ctx) {
  TFPORT_ASSIGN_OR_RETURN(const ResourceHandle* h, HandleOf(ctx.input(0)));
  ctx.resources().Delete(h->container, h->name);
  return OkStatus();
}

}  // namespace

void RegisterStateKernels(KernelRegistry& r) {
  MustRegister(r, "VariableV2", MakeVariable);
  MustRegister(r, "Variable", MakeVariable);
  MustRegister(r, "Assign", MakeAssign);
  MustRegister(r, "AssignAdd", MakeAssignUpdate(+1));
  MustRegister(r, "AssignSub", MakeAssignUpdate(-1));
  MustRegister(r, "IsVariableInitialized", Simple(IsInitialized));
  MustRegister(r, "VarHandleOp", MakeVarHandle);
  MustRegister(r, "ReadVariableOp", MakeReadVariable);
  MustRegister(r, "AssignVariableOp", MakeAssignVariable);
  MustRegister(r, "AssignAddVariableOp", MakeAssignUpdateVariable(+1));
  MustRegister(r, "AssignSubVariableOp", MakeAssignUpdateVariable(-1));
  MustRegister(r, "VarIsInitializedOp", Simple(VarIsInitialized));
  MustRegister(r, "DestroyResourceOp", Simple(DestroyResource));
}

}  // namespace tfport::kernels
