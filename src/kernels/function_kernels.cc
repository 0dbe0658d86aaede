// Kernels of the functional family: calling library functions
// (PartitionedCall, StatefulPartitionedCall) and TF2 control flow whose
// branches and bodies are functions (If, Case, While, Stateless*). They run
// their functions through the function library runtime of the run they are
// part of (OpKernelContext::env().functions).
#include "kernels/kernels_internal.h"
#include "tfport/runtime/function.h"

namespace tfport::kernels {
namespace {

using runtime::FunctionLibraryRuntime;
using runtime::FunctionRef;

FunctionLibraryRuntime& Library(OpKernelContext& ctx) { return *ctx.env().functions; }

// TensorFlow's truth value of a predicate or loop condition: a scalar bool
// as is, other scalars nonzero / non-empty, other tensors non-empty.
Result<bool> ToBool(const Tensor& t) {
  if (t.shape().rank() != 0) return t.num_elements() > 0;
  if (t.dtype() == DT_BOOL) return t.scalar<bool>();
  if (t.dtype() == DT_STRING) return !t.scalar<std::string>().empty();
  bool value = false;
  Status s = DispatchReal(t.dtype(), [&]<typename T>() {
    value = t.scalar<T>() != T(0);
    return OkStatus();
  });
  if (!s.ok())
    return errors::InvalidArgument("cannot take the truth value of a ", DataTypeName(t.dtype()),
                                   " scalar");
  return value;
}

class CallOp final : public OpKernel {
 public:
  explicit CallOp(FunctionRef f) : f_(std::move(f)) {}
  Status Compute(OpKernelContext& ctx) const override {
    TFPORT_ASSIGN_OR_RETURN(const auto* f, f_.Get(ctx.env()));
    return Library(ctx).Call(ctx, *f);
  }

 private:
  FunctionRef f_;
};

class IfOp final : public OpKernel {
 public:
  IfOp(FunctionRef then_branch, FunctionRef else_branch)
      : then_(std::move(then_branch)), else_(std::move(else_branch)) {}
  Status Compute(OpKernelContext& ctx) const override {
    TFPORT_ASSIGN_OR_RETURN(bool cond, ToBool(ctx.input(0)));
    TFPORT_ASSIGN_OR_RETURN(const auto* f, (cond ? then_ : else_).Get(ctx.env()));
    return Library(ctx).Call(ctx, *f, /*first_input=*/1);
  }

 private:
  FunctionRef then_, else_;
};

class CaseOp final : public OpKernel {
 public:
  explicit CaseOp(std::vector<FunctionRef> branches) : branches_(std::move(branches)) {}
  Status Compute(OpKernelContext& ctx) const override {
    const Tensor& index = ctx.input(0);
    if (index.dtype() != DT_INT32 || index.num_elements() != 1)
      return errors::InvalidArgument("branch_index must be an int32 scalar, got ",
                                     index.DebugString());
    // Out-of-range indices run the last branch, TensorFlow's default.
    int32_t b = index.flat<int32_t>()[0];
    if (b < 0 || static_cast<size_t>(b) >= branches_.size()) b = static_cast<int32_t>(branches_.size()) - 1;
    TFPORT_ASSIGN_OR_RETURN(const auto* f, branches_[static_cast<size_t>(b)].Get(ctx.env()));
    return Library(ctx).Call(ctx, *f, /*first_input=*/1);
  }

 private:
  std::vector<FunctionRef> branches_;
};

class WhileOp final : public OpKernel {
 public:
  WhileOp(FunctionRef cond, FunctionRef body) : cond_(std::move(cond)), body_(std::move(body)) {}
  Status Compute(OpKernelContext& ctx) const override {
    FunctionLibraryRuntime& lib = Library(ctx);
    TFPORT_ASSIGN_OR_RETURN(const auto* cond, cond_.Get(ctx.env()));
    TFPORT_ASSIGN_OR_RETURN(const auto* body, body_.Get(ctx.env()));
    std::vector<Tensor> vars, next, pred;
    vars.reserve(static_cast<size_t>(ctx.num_inputs()));
    for (int i = 0; i < ctx.num_inputs(); ++i) vars.push_back(ctx.input(i));
    const int64_t limit = lib.options().max_while_iterations;
    for (int64_t iter = 0;; ++iter) {
      TFPORT_RETURN_IF_ERROR(lib.Run(*cond, ctx.env(), vars, &pred));
      if (pred.size() != 1)
        return errors::InvalidArgument("loop condition ", cond->name(), " returned ", pred.size(),
                                       " values, expected 1");
      TFPORT_ASSIGN_OR_RETURN(bool go_on, ToBool(pred[0]));
      if (!go_on) break;
      if (iter >= limit)
        return errors::ResourceExhausted(
            "While loop ran past the iteration limit of ", limit,
            " (FunctionLibraryOptions.max_while_iterations); body function ", body->name());
      TFPORT_RETURN_IF_ERROR(lib.Run(*body, ctx.env(), vars, &next));
      if (next.size() != vars.size())
        return errors::InvalidArgument("loop body ", body->name(), " returned ", next.size(),
                                       " values for ", vars.size(), " loop variables");
      for (size_t i = 0; i < vars.size(); ++i)
        if (next[i].dtype() != vars[i].dtype())
          return errors::InvalidArgument("loop body ", body->name(), " changed the dtype of loop variable ", i,
                                         " from ", DataTypeName(vars[i].dtype()), " to ",
                                         DataTypeName(next[i].dtype()));
      vars.swap(next);
    }
    for (size_t i = 0; i < vars.size(); ++i) ctx.set_output(static_cast<int>(i), std::move(vars[i]));
    return OkStatus();
  }

 private:
  FunctionRef cond_, body_;
};

}  // namespace

void RegisterFunctionKernels(KernelRegistry& r) {
  for (const char* op : {"PartitionedCall", "StatefulPartitionedCall"})
    MustRegister(r, op, [](const graph::Node& node) -> Result<std::unique_ptr<OpKernel>> {
      TFPORT_ASSIGN_OR_RETURN(FunctionRef f, FunctionRef::FromAttr(node, "f"));
      return std::unique_ptr<OpKernel>(new CallOp(std::move(f)));
    });
  for (const char* op : {"If", "StatelessIf"})
    MustRegister(r, op, [](const graph::Node& node) -> Result<std::unique_ptr<OpKernel>> {
      TFPORT_ASSIGN_OR_RETURN(FunctionRef t, FunctionRef::FromAttr(node, "then_branch"));
      TFPORT_ASSIGN_OR_RETURN(FunctionRef e, FunctionRef::FromAttr(node, "else_branch"));
      return std::unique_ptr<OpKernel>(new IfOp(std::move(t), std::move(e)));
    });
  for (const char* op : {"Case", "StatelessCase"})
    MustRegister(r, op, [](const graph::Node& node) -> Result<std::unique_ptr<OpKernel>> {
      TFPORT_ASSIGN_OR_RETURN(std::vector<FunctionRef> b, FunctionRef::FromListAttr(node, "branches"));
      if (b.empty())
        return errors::InvalidArgument(graph::NodeLocation(node.def()), ": Case has no branches");
      return std::unique_ptr<OpKernel>(new CaseOp(std::move(b)));
    });
  for (const char* op : {"While", "StatelessWhile"})
    MustRegister(r, op, [](const graph::Node& node) -> Result<std::unique_ptr<OpKernel>> {
      TFPORT_ASSIGN_OR_RETURN(FunctionRef c, FunctionRef::FromAttr(node, "cond"));
      TFPORT_ASSIGN_OR_RETURN(FunctionRef b, FunctionRef::FromAttr(node, "body"));
      return std::unique_ptr<OpKernel>(new WhileOp(std::move(c), std::move(b)));
    });
}

}  // namespace tfport::kernels
