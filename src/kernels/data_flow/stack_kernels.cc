// StackV2, StackPushV2, StackPopV2, StackCloseV2: a last-in first-out stack
// of tensors living for one Session::Run under
// ("_stacks", "<stack_name or node name>_<id>"), with TensorFlow's messages.
// tf.while_loop's gradient pushes forward values in the loop and pops them
// in the gradient loop. swap_memory only matters for GPU memory: ignored.
#include <limits>
#include <memory>
#include <mutex>
#include <vector>

#include "kernels/data_flow/data_flow_internal.h"

namespace tfport::kernels::data_flow {
namespace {

constexpr char kContainer[] = "_stacks";
constexpr char kTypeName[] = "Stack";

class Stack final : public runtime::ResourceBase {
 public:
  Stack(DataType elem_type, std::string name, int32_t max_size)
      : elem_type_(elem_type), name_(std::move(name)), max_size_(max_size) {}

  std::string DebugString() const override { return "Stack[" + name_ + "]"; }
  DataType elem_type() const { return elem_type_; }
  const std::string& name() const { return name_; }

  Status Push(const Tensor& value) {
    std::lock_guard<std::mutex> lock(mu_);
    TFPORT_RETURN_IF_ERROR(CheckNotClosed());
    if (max_size_ >= 0 && values_.size() >= static_cast<size_t>(max_size_))
      return errors::InvalidArgument("Stack[", name_, "] overflowed its max_size (", max_size_,
                                     ")");
    values_.push_back(value);
    return OkStatus();
  }

  Status Pop(Tensor* value) {
    std::lock_guard<std::mutex> lock(mu_);
    TFPORT_RETURN_IF_ERROR(CheckNotClosed());
    if (values_.empty())
      return errors::InvalidArgument("Stack[", name_, "] is empty when calling Pop().");
    *value = std::move(values_.back());
    values_.pop_back();
    return OkStatus();
  }

  void Close() {
    std::lock_guard<std::mutex> lock(mu_);
    values_.clear();
    closed_ = true;
  }

 private:
  Status CheckNotClosed() const {
    if (closed_) return errors::InvalidArgument("Stack[", name_, "] has already been closed.");
    return OkStatus();
  }

  const DataType elem_type_;
  const std::string name_;
  const int32_t max_size_;
  std::mutex mu_;
  bool closed_ = false;
  std::vector<Tensor> values_;
};

Result<std::shared_ptr<Stack>> GetStack(OpKernelContext& ctx) {
  TFPORT_ASSIGN_OR_RETURN(ResourceHandle h, HandleInput(ctx, 0));
  auto stack = ctx.step().resources().Lookup<Stack>(h.container, h.name);
  if (!stack)
    return errors::NotFound("Resource ", h.container, "/", h.name, "/", kTypeName,
                            " does not exist.");
  return stack;
}

Result<std::unique_ptr<OpKernel>> MakeStack(const graph::Node& node) {
  TFPORT_ASSIGN_OR_RETURN(DataType elem_type, graph::GetTypeAttr(node.def(), "elem_type"));
  TFPORT_ASSIGN_OR_RETURN(std::string base, graph::GetStringAttr(node.def(), "stack_name"));
  if (base.empty()) base = node.name();
  return std::unique_ptr<OpKernel>(new FunctionKernel([elem_type, base](OpKernelContext& ctx) {
    const Tensor& max_size = ctx.input(0);
    if (max_size.shape().rank() != 0 || max_size.dtype() != DT_INT32)
      return errors::InvalidArgument("Stack size must be a scalar, but had shape: ",
                                     max_size.shape().DebugString());
    // A negative max_size means no limit.
    int32_t size = max_size.scalar<int32_t>();
    if (size < 0) size = std::numeric_limits<int32_t>::max();
    const std::string name = StrCat(base, "_", ctx.step().NewId());
    auto stack = std::make_shared<Stack>(elem_type, name, size);
    auto stored =
        ctx.step().resources().LookupOrCreate<Stack>(kContainer, name, [&] { return stack; });
    if (stored != stack) return errors::AlreadyExists("Resource ", kContainer, "/", name, " exists");
    ctx.set_output(0, MakeStepHandle(kContainer, name, kTypeName));
    return OkStatus();
  }));
}

Status PushCompute(OpKernelContext& ctx) {
  TFPORT_ASSIGN_OR_RETURN(std::shared_ptr<Stack> stack, GetStack(ctx));
  const Tensor& value = ctx.input(1);
  if (value.dtype() != stack->elem_type())
    // TensorFlow prints the DataType enum values here.
    return errors::InvalidArgument("Must have type ", static_cast<int>(stack->elem_type()),
                                   " but got ", static_cast<int>(value.dtype()));
  TFPORT_RETURN_IF_ERROR(stack->Push(value));
  ctx.set_output(0, value);
  return OkStatus();
}

Result<std::unique_ptr<OpKernel>> MakePop(const graph::Node& node) {
  TFPORT_ASSIGN_OR_RETURN(DataType elem_type, graph::GetTypeAttr(node.def(), "elem_type"));
  return std::unique_ptr<OpKernel>(new FunctionKernel([elem_type](OpKernelContext& ctx) {
    TFPORT_ASSIGN_OR_RETURN(std::shared_ptr<Stack> stack, GetStack(ctx));
    // TensorFlow does not check this; a mismatch would emit a tensor of the
    // wrong dtype, so tfport refuses it.
    if (stack->elem_type() != elem_type)
      return errors::InvalidArgument("Stack[", stack->name(), "] holds ",
                                     TfTypeName(stack->elem_type()), " but elem_type is ",
                                     TfTypeName(elem_type));
    Tensor value;
    TFPORT_RETURN_IF_ERROR(stack->Pop(&value));
    ctx.set_output(0, std::move(value));
    return OkStatus();
  }));
}

Status CloseCompute(OpKernelContext& ctx) {
  TFPORT_ASSIGN_OR_RETURN(std::shared_ptr<Stack> stack, GetStack(ctx));
  stack->Close();
  return OkStatus();
}

}  // namespace

void RegisterStackKernels(KernelRegistry& r) {
  MustRegister(r, "StackV2", MakeStack);
  MustRegister(r, "StackPushV2", Simple(PushCompute));
  MustRegister(r, "StackPopV2", MakePop);
  MustRegister(r, "StackCloseV2", Simple(CloseCompute));
}

}  // namespace tfport::kernels::data_flow
