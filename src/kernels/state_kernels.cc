// Kernels of ref variables (VariableV2, Assign...) and resource variables
// (VarHandleOp, ReadVariableOp, AssignVariableOp...). Writes replace the
// variable's tensor rather than mutating it, so values read earlier stay
// valid (copy-on-write).
#include <mutex>
#include <type_traits>

#include "kernels/array/array_internal.h"
#include "kernels/kernels_internal.h"
#include "tfport/runtime/variable.h"

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

Result<std::unique_ptr<OpKernel>> MakeVariable(const graph::Node& node) {
  TFPORT_ASSIGN_OR_RETURN(runtime::VariableKey key, runtime::VariableKeyOf(node));
  std::string name = node.name();
  std::optional<Shape> declared;
  if (const tf::AttrValue* a = graph::FindAttr(node.def(), "shape"); a && a->has_shape()) {
    Result<Shape> s = Shape::FromProto(a->shape(), true);
    if (s.ok() && s->IsFullyDefined()) declared = *s;
  }
  return std::unique_ptr<OpKernel>(new FunctionKernel([key, name, declared](OpKernelContext& ctx) {
    auto var = ctx.resources().LookupOrCreate<RefVariableResource>(
        key.container, runtime::RefVariableResourceName(key), [&] {
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

// ---- ScatterUpdate / ScatterAdd / ScatterSub on ref variables:
// ref[indices[i], ...] = / += / -= updates[i, ...], duplicates applied in
// order. updates has shape indices.shape + ref.shape[1:], or is a scalar
// applied to every addressed row. The variable gets a new tensor (copy-on-
// write); use_locking is moot because every write holds the variable's lock.

enum class ScatterKind { kUpdate, kAdd, kSub };

template <typename T>
T ScatterCombine(T a, T b, ScatterKind kind) {
  if constexpr (std::is_integral_v<T>) {
    using U = std::make_unsigned_t<T>;
    const U x = static_cast<U>(a), y = static_cast<U>(b);
    return static_cast<T>(kind == ScatterKind::kAdd ? static_cast<U>(x + y) : static_cast<U>(x - y));
  } else {
    return kind == ScatterKind::kAdd ? a + b : a - b;
  }
}

// Applies the scatter to `out` (a private copy of the variable's value).
Status ApplyScatter(Tensor& out, const std::vector<int64_t>& rows, const Tensor& updates,
                    ScatterKind kind) {
  const int64_t first = out.shape().dim(0);
  const int64_t inner = first == 0 ? 0 : out.num_elements() / first;
  const bool scalar = updates.shape().rank() == 0;
  if (kind == ScatterKind::kUpdate) {
    for (size_t i = 0; i < rows.size(); ++i) {
      const int64_t dst = rows[i] * inner;
      if (scalar) {
        for (int64_t k = 0; k < inner; ++k) array::CopyElements(updates, 0, out, dst + k, 1);
      } else {
        array::CopyElements(updates, static_cast<int64_t>(i) * inner, out, dst, inner);
      }
    }
    return OkStatus();
  }
  return DispatchNumber(out.dtype(), [&]<typename T>() {
    auto o = out.flat<T>();
    auto u = updates.flat<T>();
    for (size_t i = 0; i < rows.size(); ++i) {
      const auto dst = static_cast<size_t>(rows[i] * inner);
      const size_t src = scalar ? 0 : i * static_cast<size_t>(inner);
      for (size_t k = 0; k < static_cast<size_t>(inner); ++k)
        o[dst + k] = ScatterCombine(o[dst + k], u[scalar ? 0 : src + k], kind);
    }
    return OkStatus();
  });
}

runtime::KernelFactory MakeScatter(ScatterKind kind) {
  return [kind](const graph::Node& node) -> Result<std::unique_ptr<OpKernel>> {
    TFPORT_ASSIGN_OR_RETURN(DataType dtype, graph::GetTypeAttr(node.def(), "T"));
    if (!array::IsCopyable(dtype)) return runtime::NoKernelFor(node);
    if (kind != ScatterKind::kUpdate) {
      Status ok = DispatchNumber(dtype, []<typename T>() { return OkStatus(); });
      if (!ok.ok()) return runtime::NoKernelFor(node);
    }
    return std::unique_ptr<OpKernel>(new FunctionKernel([kind](OpKernelContext& ctx) {
      RefVariable* ref = ctx.input_ref(0);
      if (ref == nullptr) return errors::InvalidArgument("input 0 must be a ref");
      const Tensor& indices = ctx.input(1);
      const Tensor& updates = ctx.input(2);
      if (indices.dtype() != DT_INT32 && indices.dtype() != DT_INT64)
        return errors::InvalidArgument("indices must be int32 or int64, got ",
                                       DataTypeName(indices.dtype()));
      TFPORT_ASSIGN_OR_RETURN(std::vector<int64_t> rows, array::IntValues(indices, "indices"));
      {
        std::lock_guard<std::mutex> lock(ref->mu);
        if (!ref->initialized)
          return errors::FailedPrecondition("Attempting to use uninitialized value ", ref->name);
        const Tensor& params = ref->value;
        if (params.shape().rank() < 1)
          return errors::InvalidArgument("params must be at least 1-D, got shape ",
                                         params.shape().DebugString());
        if (updates.dtype() != params.dtype())
          return errors::InvalidArgument("updates has dtype ", DataTypeName(updates.dtype()),
                                         " but the variable has ", DataTypeName(params.dtype()));
        std::vector<int64_t> want = indices.shape().dims();
        for (int k = 1; k < params.shape().rank(); ++k) want.push_back(params.shape().dim(k));
        if (updates.shape().rank() != 0 && !(updates.shape() == Shape(want)))
          return errors::InvalidArgument(
              "Must have updates.shape = indices.shape + params.shape[1:] or updates.shape = [], "
              "got updates.shape ", updates.shape().DebugString(), ", indices.shape ",
              indices.shape().DebugString(), ", params.shape ", params.shape().DebugString());
        const int64_t first = params.shape().dim(0);
        for (size_t i = 0; i < rows.size(); ++i)
          if (rows[i] < 0 || rows[i] >= first)
            return errors::InvalidArgument(
                "indices", array::IndexString(indices.shape(), static_cast<int64_t>(i)), " = ",
                rows[i], " is not in [0, ", first, ")");
        TFPORT_ASSIGN_OR_RETURN(Tensor out, Tensor::Allocate(params.dtype(), params.shape(), false));
        array::CopyElements(params, 0, out, 0, params.num_elements());
        TFPORT_RETURN_IF_ERROR(ApplyScatter(out, rows, updates, kind));
        ref->value = std::move(out);
      }
      ctx.set_output_ref(0, ref);
      return OkStatus();
    }));
  };
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
  TFPORT_ASSIGN_OR_RETURN(runtime::VariableKey key, runtime::VariableKeyOf(node));
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
  MustRegister(r, "ScatterUpdate", MakeScatter(ScatterKind::kUpdate));
  MustRegister(r, "ScatterAdd", MakeScatter(ScatterKind::kAdd));
  MustRegister(r, "ScatterSub", MakeScatter(ScatterKind::kSub));
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
