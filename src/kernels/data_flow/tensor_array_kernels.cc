// TensorArrayV3 and its companions (Write, Read, Gather, Scatter, Concat,
// Split, Size, Close, Grad), with TensorFlow 1.15's semantics and messages:
//
//   * an array lives for one Session::Run in the step's ResourceMgr under
//     ("_tensor_arrays", "<tensor_array_name or node name>_<id>"); its
//     gradient arrays under ("_tensor_array_grads", "<that name>@<source>");
//   * each index is written at most once (gradient arrays instead add
//     repeated writes together) and cannot be written after it was read;
//   * with clear_after_read (the default) an index can be read once;
//   * reading an index that was never written gives zeros when the element
//     shape is fully known, an error otherwise;
//   * dynamic_size arrays grow on writes past the end;
//   * Close empties the array; any later use is an error.
//
// The flow inputs/outputs only sequence operations: writes forward flow_in
// to flow_out, creation ops output 0.
#include <algorithm>
#include <limits>
#include <memory>
#include <mutex>
#include <numeric>
#include <vector>

#include "kernels/data_flow/data_flow_internal.h"

namespace tfport::kernels::data_flow {
namespace {

constexpr char kContainer[] = "_tensor_arrays";
constexpr char kGradContainer[] = "_tensor_array_grads";
constexpr char kTypeName[] = "TensorArray";
// Growth past this many entries is refused rather than exhausting memory
// (TensorFlow has no limit; a real array never comes close).
constexpr int64_t kMaxEntries = int64_t{1} << 24;


// PartialTensorShape::MergeWith.
Status MergeShapes(const Shape& a, const Shape& b, Shape* out) {
  if (a.unknown_rank()) {
    *out = b;
    return OkStatus();
  }
  if (b.unknown_rank()) {
    *out = a;
    return OkStatus();
  }
  auto mismatch = [&] {
    return errors::InvalidArgument("Incompatible shapes during merge: ", a.DebugString(), " vs. ",
                                   b.DebugString());
  };
  if (a.rank() != b.rank()) return mismatch();
  std::vector<int64_t> dims(static_cast<size_t>(a.rank()));
  for (int i = 0; i < a.rank(); ++i) {
    int64_t x = a.dim(i), y = b.dim(i);
    if (x >= 0 && y >= 0 && x != y) return mismatch();
    dims[static_cast<size_t>(i)] = x >= 0 ? x : y;
  }
  *out = Shape(std::move(dims));
  return OkStatus();
}

Shape WithoutDim0(const Shape& s) {
  return Shape(std::vector<int64_t>(s.dims().begin() + 1, s.dims().end()));
}

Shape WithDim0(int64_t n, const Shape& s) {
  std::vector<int64_t> dims{n};
  dims.insert(dims.end(), s.dims().begin(), s.dims().end());
  return Shape(std::move(dims));
}

// sum = a + b elementwise (same dtype and shape), a new tensor.
Result<Tensor> AddTensors(const Tensor& a, const Tensor& b) {
  TFPORT_ASSIGN_OR_RETURN(Tensor sum, Tensor::Allocate(a.dtype(), a.shape(), false));
  Status s = DispatchNumber(a.dtype(), [&]<typename T>() {
    auto x = a.flat<T>();
    auto y = b.flat<T>();
    auto z = sum.flat<T>();
    for (size_t i = 0; i < z.size(); ++i) z[i] = static_cast<T>(x[i] + y[i]);
    return OkStatus();
  });
  if (!s.ok())
    return errors::InvalidArgument("tensor_array::AddToTensor type not supported: ",
                                   TfTypeName(a.dtype()));
  return sum;
}

class TensorArray final : public runtime::ResourceBase {
 public:
  struct Config {
    DataType dtype = DT_INVALID;
    int32_t size = 0;
    Shape element_shape = Shape::UnknownRank();
    bool identical_element_shapes = false;
    bool dynamic_size = false;
    bool multiple_writes_aggregate = false;
    bool is_grad = false;
    int32_t marked_size = -1;
    bool clear_after_read = true;
  };

  TensorArray(std::string name, const Config& c)
      : name_(std::move(name)), dtype_(c.dtype), dynamic_size_(c.dynamic_size),
        aggregate_(c.multiple_writes_aggregate), is_grad_(c.is_grad),
        clear_after_read_(c.clear_after_read), identical_(c.identical_element_shapes),
        marked_size_(c.marked_size), element_shape_(c.element_shape),
        entries_(static_cast<size_t>(c.size)) {}

  std::string DebugString() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return StrCat("TensorArray[", entries_.size(), "]");
  }
  const std::string& name() const { return name_; }
  DataType dtype() const { return dtype_; }
  bool identical_element_shapes() const { return identical_; }

  Status Write(int32_t index, const Tensor& value) {
    std::lock_guard<std::mutex> lock(mu_);
    return LockedWrite(index, value);
  }
  // Writes values[k] to indices[k] in order; stops at the first error.
  Status WriteMany(const std::vector<int32_t>& indices, const std::vector<Tensor>& values) {
    std::lock_guard<std::mutex> lock(mu_);
    for (size_t k = 0; k < indices.size(); ++k) TFPORT_RETURN_IF_ERROR(LockedWrite(indices[k], values[k]));
    return OkStatus();
  }
  Status Read(int32_t index, Tensor* value) {
    std::lock_guard<std::mutex> lock(mu_);
    return LockedRead(index, value);
  }
  Status ReadMany(const std::vector<int32_t>& indices, std::vector<Tensor>* values) {
    std::lock_guard<std::mutex> lock(mu_);
    values->assign(indices.size(), Tensor());
    for (size_t k = 0; k < indices.size(); ++k) TFPORT_RETURN_IF_ERROR(LockedRead(indices[k], &(*values)[k]));
    return OkStatus();
  }

  Status Size(int32_t* size) {
    std::lock_guard<std::mutex> lock(mu_);
    TFPORT_RETURN_IF_ERROR(LockedCheckOpen());
    *size = static_cast<int32_t>(entries_.size());
    return OkStatus();
  }
  Status MarkedSize(int32_t* size) {
    std::lock_guard<std::mutex> lock(mu_);
    TFPORT_RETURN_IF_ERROR(LockedCheckOpen());
    *size = marked_size_;
    return OkStatus();
  }
  Status SetMarkedSize(int32_t size) {
    std::lock_guard<std::mutex> lock(mu_);
    TFPORT_RETURN_IF_ERROR(LockedCheckOpen());
    if (!is_grad_) marked_size_ = size;
    return OkStatus();
  }
  // The number of elements Concat reads: the marked size for a gradient
  // array (the forward array's split/unpack size), else the size.
  Status PackOrConcatSize(int32_t* size) {
    std::lock_guard<std::mutex> lock(mu_);
    TFPORT_RETURN_IF_ERROR(LockedCheckOpen());
    *size = is_grad_ && marked_size_ >= 0 ? marked_size_ : static_cast<int32_t>(entries_.size());
    return OkStatus();
  }

  Shape ElemShape() {
    std::lock_guard<std::mutex> lock(mu_);
    return element_shape_;
  }
  Status SetElemShape(const Shape& candidate) {
    std::lock_guard<std::mutex> lock(mu_);
    Shape merged;
    TFPORT_RETURN_IF_ERROR(MergeShapes(element_shape_, candidate, &merged));
    element_shape_ = merged;
    return OkStatus();
  }

  void DisableDynamicSize() {
    std::lock_guard<std::mutex> lock(mu_);
    dynamic_size_ = false;
  }
  bool HasDynamicSize() {
    std::lock_guard<std::mutex> lock(mu_);
    return dynamic_size_;
  }
  bool GradientsAllowed() {
    std::lock_guard<std::mutex> lock(mu_);
    return !gradients_disallowed_;
  }

  // Marks every index written in `rhs` as written here with the same shape
  // but no value (reads give zeros; aggregating writes replace it).
  // REQUIRES: this array is not yet shared.
  Status CopyShapesFrom(TensorArray& rhs) {
    std::lock_guard<std::mutex> lock(rhs.mu_);
    TFPORT_RETURN_IF_ERROR(LockedCheckOpen());
    TFPORT_RETURN_IF_ERROR(rhs.LockedCheckOpen());
    if (entries_.size() != rhs.entries_.size())
      return errors::InvalidArgument("TensorArray sizes do not match during CopyShapesFrom: ",
                                     name_, " has size ", entries_.size(), " but rhs ", rhs.name_,
                                     " has size ", rhs.entries_.size());
    for (size_t i = 0; i < entries_.size(); ++i) {
      if (!rhs.entries_[i].written) continue;
      entries_[i].shape = rhs.entries_[i].shape;
      entries_[i].written = true;
    }
    return OkStatus();
  }

  void ClearAndMarkClosed() {
    std::lock_guard<std::mutex> lock(mu_);
    entries_.clear();
    closed_ = true;
  }

 private:
  struct Entry {
    Tensor tensor;  // uninitialized: none stored (never written, cleared, or shape only)
    Shape shape;
    bool written = false;
    bool read = false;
    bool cleared = false;
  };

  Status LockedCheckOpen() const {
    if (closed_) return errors::InvalidArgument("TensorArray ", name_, " has already been closed.");
    return OkStatus();
  }

  Status Grow(size_t n) {
    if (n <= entries_.size()) return OkStatus();
    if (static_cast<int64_t>(n) > kMaxEntries)
      return errors::ResourceExhausted("TensorArray ", name_, ": growing to ", n,
                                       " elements exceeds tfport's limit of ", kMaxEntries);
    entries_.resize(n);
    return OkStatus();
  }

  Status LockedWrite(int32_t index, const Tensor& value) {
    TFPORT_RETURN_IF_ERROR(LockedCheckOpen());
    if (index < 0 || (!dynamic_size_ && static_cast<size_t>(index) >= entries_.size()))
      return errors::InvalidArgument("TensorArray ", name_, ": Tried to write to index ", index,
                                     " but array is not resizeable and size is: ",
                                     entries_.size());
    if (dynamic_size_) TFPORT_RETURN_IF_ERROR(Grow(static_cast<size_t>(index) + 1));
    Entry& e = entries_[static_cast<size_t>(index)];
    if (value.dtype() != dtype_)
      return errors::InvalidArgument("TensorArray ", name_, ": Could not write to TensorArray index ",
                                     index, " because the value dtype is ",
                                     TfTypeName(value.dtype()), " but TensorArray dtype is ",
                                     TfTypeName(dtype_), ".");
    if (!element_shape_.IsCompatibleWith(value.shape())) {
      return errors::InvalidArgument(
          "TensorArray ", name_, ": Could not write to TensorArray index ", index,
          " because the value shape is ", value.shape().DebugString(),
          " which is incompatible with the TensorArray's inferred element shape: ",
          element_shape_.DebugString(), " (consider setting infer_shape=False).");
    } else if (identical_ && !element_shape_.IsFullyDefined()) {
      element_shape_ = value.shape();
    }
    if (e.read)
      return errors::InvalidArgument("TensorArray ", name_, ": Could not write to TensorArray index ",
                                     index, " because it has already been read.");
    if (!aggregate_ && e.written)
      return errors::InvalidArgument("TensorArray ", name_, ": Could not write to TensorArray index ",
                                     index, " because it has already been written to.");
    if (e.written) {  // aggregating (gradient) array: add to what is there
      if (!(value.shape() == e.shape))
        return errors::InvalidArgument(
            "TensorArray ", name_, ": Could not aggregate to TensorArray index ", index,
            " because the existing shape is ", e.shape.DebugString(),
            " but the new input shape is ", value.shape().DebugString(), ".");
      if (!e.tensor.initialized() || e.tensor.num_elements() == 0) {
        e.tensor = value;
        return OkStatus();
      }
      TFPORT_ASSIGN_OR_RETURN(Tensor sum, AddTensors(e.tensor, value));
      e.tensor = std::move(sum);
      gradients_disallowed_ = true;
      return OkStatus();
    }
    e.tensor = value;
    e.shape = value.shape();
    e.written = true;
    return OkStatus();
  }

  Status LockedRead(int32_t index, Tensor* value) {
    TFPORT_RETURN_IF_ERROR(LockedCheckOpen());
    if (index < 0 || (!is_grad_ && static_cast<size_t>(index) >= entries_.size()))
      return errors::InvalidArgument("Tried to read from index ", index,
                                     " but array size is: ", entries_.size());
    const auto i = static_cast<size_t>(index);
    if ((is_grad_ && (i >= entries_.size() || !entries_[i].written)) ||
        (!is_grad_ && !entries_[i].written)) {
      // Never written: zeros of the element shape, if that is known.
      Shape shape;
      if (is_grad_ && i < entries_.size() && entries_[i].shape.rank() > 0) {
        shape = entries_[i].shape;
      } else if (!element_shape_.IsFullyDefined()) {
        return errors::InvalidArgument(
            "TensorArray ", name_, ": Could not read from TensorArray index ", index,
            ".  Furthermore, the element shape is not fully defined: ",
            element_shape_.DebugString(),
            ".  It is possible you are working with a resizeable TensorArray and stop_gradients "
            "is not allowing the gradients to be written.  If you set the full element_shape "
            "property on the forward TensorArray, the proper all-zeros tensor will be returned "
            "instead of incurring this error.");
      } else {
        shape = element_shape_;
      }
      if (i >= entries_.size()) {
        const size_t old = entries_.size();
        TFPORT_RETURN_IF_ERROR(Grow(i + 1));
        for (size_t k = old; k <= i; ++k) {
          entries_[k].shape = shape;
          entries_[k].written = true;
        }
      } else {
        entries_[i].shape = shape;
        entries_[i].written = true;
      }
    }
    Entry& e = entries_[i];
    if (e.cleared)
      return errors::InvalidArgument("TensorArray ", name_, ": Could not read index ", index,
                                     " twice because it was cleared after a previous read "
                                     "(perhaps try setting clear_after_read = false?).");
    if (!e.tensor.initialized() || e.tensor.num_elements() == 0) {
      TFPORT_ASSIGN_OR_RETURN(e.tensor, Tensor::Allocate(dtype_, e.shape));
    }
    *value = e.tensor;
    if (clear_after_read_) {
      e.tensor = Tensor();
      e.cleared = true;
    }
    e.read = true;
    return OkStatus();
  }

  const std::string name_;
  const DataType dtype_;
  mutable std::mutex mu_;
  bool closed_ = false;
  bool dynamic_size_;
  const bool aggregate_;
  const bool is_grad_;
  const bool clear_after_read_;
  const bool identical_;
  bool gradients_disallowed_ = false;
  int32_t marked_size_;
  Shape element_shape_;
  std::vector<Entry> entries_;
};

using TensorArrayPtr = std::shared_ptr<TensorArray>;

Result<TensorArrayPtr> GetTensorArray(OpKernelContext& ctx) {
  TFPORT_ASSIGN_OR_RETURN(ResourceHandle h, HandleInput(ctx, 0));
  TensorArrayPtr ta = ctx.step().resources().Lookup<TensorArray>(h.container, h.name);
  if (!ta)
    return errors::NotFound("Resource ", h.container, "/", h.name, "/", kTypeName,
                            " does not exist.");
  return ta;
}

Status CheckReadType(const TensorArray& ta, DataType requested) {
  if (ta.dtype() != requested)
    return errors::InvalidArgument("TensorArray dtype is ", TfTypeName(ta.dtype()),
                                   " but Op requested dtype ", TfTypeName(requested), ".");
  return OkStatus();
}

Status CheckWriteType(const TensorArray& ta, DataType written) {
  if (ta.dtype() != written)
    return errors::InvalidArgument("TensorArray dtype is ", TfTypeName(ta.dtype()),
                                   " but Op is trying to write dtype ", TfTypeName(written), ".");
  return OkStatus();
}

Result<Shape> ShapeAttr(const graph::Node& node, const char* name) {
  const tf::AttrValue* v = graph::FindAttr(node.def(), name);
  if (v == nullptr || !v->has_shape()) return Shape::UnknownRank();
  return Shape::FromProto(v->shape(), /*allow_unknown=*/true);
}

Status ForwardFlow(OpKernelContext& ctx, int flow_input) {
  ctx.set_output(0, ctx.input(flow_input));
  return OkStatus();
}

Status CheckScalarIndex(const Tensor& t) {
  if (t.shape().unknown_rank() || t.shape().rank() != 0 || t.dtype() != DT_INT32)
    return errors::InvalidArgument("TensorArray index must be scalar, but had shape: ",
                                   t.shape().DebugString());
  return OkStatus();
}

Result<std::vector<int32_t>> IndexVector(const Tensor& t) {
  if (t.shape().rank() != 1 || t.dtype() != DT_INT32)
    return errors::InvalidArgument("Expected indices to be a vector, but received shape: ",
                                   t.shape().DebugString());
  auto v = t.flat<int32_t>();
  return std::vector<int32_t>(v.begin(), v.end());
}

// ---------------------------------------------------------------- creation

Result<std::unique_ptr<OpKernel>> MakeTensorArray(const graph::Node& node) {
  TensorArray::Config config;
  TFPORT_ASSIGN_OR_RETURN(config.dtype, graph::GetTypeAttr(node.def(), "dtype"));
  TFPORT_ASSIGN_OR_RETURN(config.element_shape, ShapeAttr(node, "element_shape"));
  TFPORT_ASSIGN_OR_RETURN(config.dynamic_size, graph::GetBoolAttr(node.def(), "dynamic_size"));
  TFPORT_ASSIGN_OR_RETURN(config.clear_after_read,
                          graph::GetBoolAttr(node.def(), "clear_after_read"));
  // Graphs from before TF 1.5 lack identical_element_shapes.
  const tf::AttrValue* identical = graph::FindAttr(node.def(), "identical_element_shapes");
  config.identical_element_shapes = identical != nullptr && identical->b();
  TFPORT_ASSIGN_OR_RETURN(std::string base, graph::GetStringAttr(node.def(), "tensor_array_name"));
  if (base.empty()) base = node.name();
  if (config.dtype == DT_INVALID || IsRefType(config.dtype) || config.dtype == DT_VARIANT)
    return runtime::NoKernelFor(node);
  return std::unique_ptr<OpKernel>(new FunctionKernel([config, base](OpKernelContext& ctx) {
    const Tensor& size_in = ctx.input(0);
    if (size_in.shape().rank() != 0 || size_in.dtype() != DT_INT32)
      return errors::InvalidArgument("TensorArray size must be scalar, but had shape: ",
                                     size_in.shape().DebugString());
    const int32_t size = size_in.scalar<int32_t>();
    if (size < 0) return errors::InvalidArgument("Size should be >= 0.");
    if (size > kMaxEntries)
      return errors::ResourceExhausted("TensorArray size ", size,
                                       " exceeds tfport's limit of ", kMaxEntries, " elements");
    const std::string name = StrCat(base, "_", ctx.step().NewId());
    TensorArray::Config c = config;
    c.size = size;
    auto ta = std::make_shared<TensorArray>(name, c);
    auto stored = ctx.step().resources().LookupOrCreate<TensorArray>(kContainer, name,
                                                                     [&] { return ta; });
    if (stored != ta) return errors::AlreadyExists("Resource ", kContainer, "/", name, " exists");
    ctx.set_output(0, MakeStepHandle(kContainer, name, kTypeName));
    ctx.set_output(1, Tensor::Scalar<float>(0.0f));
    return OkStatus();
  }));
}

Result<std::unique_ptr<OpKernel>> MakeTensorArrayGrad(const graph::Node& node) {
  TFPORT_ASSIGN_OR_RETURN(std::string source, graph::GetStringAttr(node.def(), "source"));
  return std::unique_ptr<OpKernel>(new FunctionKernel([source](OpKernelContext& ctx) {
    TFPORT_ASSIGN_OR_RETURN(ResourceHandle h, HandleInput(ctx, 0));
    if (h.container != kContainer)
      return errors::InvalidArgument("Wrong input container. ", h.container, h.name);
    TFPORT_ASSIGN_OR_RETURN(TensorArrayPtr forward, GetTensorArray(ctx));
    // Once gradients are computed the forward array may no longer grow.
    forward->DisableDynamicSize();
    int32_t size = 0, marked = 0;
    TFPORT_RETURN_IF_ERROR(forward->Size(&size));
    TFPORT_RETURN_IF_ERROR(forward->MarkedSize(&marked));
    if (!forward->GradientsAllowed())
      return errors::InvalidArgument(
          "Unable to create a gradients TensorArray for ", h.name,
          ".  Perhaps you used the multiple_writes_aggregate flag on a previous write?  Gradient "
          "calculation is impossible when multiple writes are performed to the same index.");
    const std::string name = StrCat(h.name, "@", source);
    auto& rm = ctx.step().resources();
    if (!rm.Lookup<TensorArray>(kGradContainer, name)) {
      TensorArray::Config c;
      c.dtype = forward->dtype();
      c.size = size;
      c.element_shape = forward->ElemShape();
      c.identical_element_shapes = forward->identical_element_shapes();
      c.dynamic_size = false;
      c.multiple_writes_aggregate = true;
      c.is_grad = true;
      c.marked_size = marked;
      c.clear_after_read = true;
      auto grad = std::make_shared<TensorArray>(name, c);
      TFPORT_RETURN_IF_ERROR(grad->CopyShapesFrom(*forward));
      if (!rm.LookupOrCreate<TensorArray>(kGradContainer, name, [&] { return grad; }))
        return errors::InvalidArgument("resource ", kGradContainer, "/", name,
                                       " is not a TensorArray");
    }
    ctx.set_output(0, MakeStepHandle(kGradContainer, name, kTypeName));
    ctx.set_output(1, Tensor::Scalar<float>(0.0f));
    return OkStatus();
  }));
}

// ---------------------------------------------------------------- write / read

Status WriteCompute(OpKernelContext& ctx) {
  TFPORT_RETURN_IF_ERROR(ForwardFlow(ctx, 3));
  const Tensor& index = ctx.input(1);
  const Tensor& value = ctx.input(2);
  TFPORT_RETURN_IF_ERROR(CheckScalarIndex(index));
  TFPORT_ASSIGN_OR_RETURN(TensorArrayPtr ta, GetTensorArray(ctx));
  TFPORT_RETURN_IF_ERROR(CheckWriteType(*ta, value.dtype()));
  return ta->Write(index.scalar<int32_t>(), value);
}

Result<std::unique_ptr<OpKernel>> MakeRead(const graph::Node& node) {
  TFPORT_ASSIGN_OR_RETURN(DataType dtype, graph::GetTypeAttr(node.def(), "dtype"));
  return std::unique_ptr<OpKernel>(new FunctionKernel([dtype](OpKernelContext& ctx) {
    const Tensor& index = ctx.input(1);
    TFPORT_RETURN_IF_ERROR(CheckScalarIndex(index));
    TFPORT_ASSIGN_OR_RETURN(TensorArrayPtr ta, GetTensorArray(ctx));
    TFPORT_RETURN_IF_ERROR(CheckReadType(*ta, dtype));
    Tensor value;
    TFPORT_RETURN_IF_ERROR(ta->Read(index.scalar<int32_t>(), &value));
    ctx.set_output(0, std::move(value));
    return OkStatus();
  }));
}

// ---------------------------------------------------------------- gather / scatter

Result<std::unique_ptr<OpKernel>> MakeGather(const graph::Node& node) {
  TFPORT_ASSIGN_OR_RETURN(DataType dtype, graph::GetTypeAttr(node.def(), "dtype"));
  TFPORT_ASSIGN_OR_RETURN(Shape element_shape, ShapeAttr(node, "element_shape"));
  return std::unique_ptr<OpKernel>(new FunctionKernel([dtype, element_shape](OpKernelContext& ctx) {
    TFPORT_ASSIGN_OR_RETURN(TensorArrayPtr ta, GetTensorArray(ctx));
    TFPORT_RETURN_IF_ERROR(CheckReadType(*ta, dtype));
    TFPORT_RETURN_IF_ERROR(ta->SetElemShape(element_shape));
    TFPORT_ASSIGN_OR_RETURN(std::vector<int32_t> indices, IndexVector(ctx.input(1)));
    const auto n = static_cast<int64_t>(indices.size());
    if (n == 0) {
      if (!element_shape.IsFullyDefined())
        return errors::Unimplemented(
            "TensorArray has size zero, but element shape ", element_shape.DebugString(),
            " is not fully defined. Currently only static shapes are supported when packing "
            "zero-size TensorArrays.");
      TFPORT_ASSIGN_OR_RETURN(Tensor* out, ctx.allocate_output(0, dtype, WithDim0(0, element_shape)));
      (void)out;
      return OkStatus();
    }
    std::vector<Tensor> values;
    TFPORT_RETURN_IF_ERROR(ta->ReadMany(indices, &values));
    const Shape& shape0 = values[0].shape();
    if (!element_shape.IsCompatibleWith(shape0))
      return errors::InvalidArgument("TensorArray was passed element_shape ",
                                     element_shape.DebugString(),
                                     " which does not match the Tensor at index 0: ",
                                     shape0.DebugString());
    for (int64_t i = 1; i < n; ++i)
      if (!(values[static_cast<size_t>(i)].shape() == shape0))
        return errors::InvalidArgument(
            "TensorArray has inconsistent shapes.  Index 0 has shape: ", shape0.DebugString(),
            " but index ", i, " has shape: ", values[static_cast<size_t>(i)].shape().DebugString());
    TFPORT_ASSIGN_OR_RETURN(Tensor out, Tensor::Allocate(dtype, WithDim0(n, shape0), false));
    const int64_t per = values[0].num_elements();
    for (int64_t i = 0; i < n; ++i) CopyElements(values[static_cast<size_t>(i)], 0, &out, i * per, per);
    ctx.set_output(0, std::move(out));
    return OkStatus();
  }));
}

Status ScatterCompute(OpKernelContext& ctx) {
  TFPORT_RETURN_IF_ERROR(ForwardFlow(ctx, 3));
  TFPORT_ASSIGN_OR_RETURN(TensorArrayPtr ta, GetTensorArray(ctx));
  const Tensor& value = ctx.input(2);
  TFPORT_RETURN_IF_ERROR(CheckWriteType(*ta, value.dtype()));
  if (value.shape().rank() == 0)
    return errors::InvalidArgument(
        "Input value for unpack must be at least a vector but received shape: ",
        value.shape().DebugString());
  if (value.shape().dim(0) > std::numeric_limits<int32_t>::max())
    return errors::InvalidArgument("tensor dim0 too large to unpack");
  int32_t size = 0;
  TFPORT_RETURN_IF_ERROR(ta->Size(&size));
  const Tensor& indices_t = ctx.input(1);
  if (indices_t.shape().rank() != 1 || indices_t.dtype() != DT_INT32)
    return errors::InvalidArgument("Expected indices to be a vector, but received shape: ",
                                   indices_t.shape().DebugString());
  if (indices_t.num_elements() != value.shape().dim(0))
    return errors::InvalidArgument("Expected len(indices) == values.shape[0], but saw: ",
                                   indices_t.num_elements(), " vs. ", value.shape().dim(0));
  TFPORT_ASSIGN_OR_RETURN(std::vector<int32_t> indices, IndexVector(indices_t));
  const int32_t max_index =
      indices.empty() ? -1 : *std::max_element(indices.begin(), indices.end());
  int64_t array_size = size;
  if (ta->HasDynamicSize() && array_size < int64_t{max_index} + 1) array_size = int64_t{max_index} + 1;
  if (max_index >= array_size)
    return errors::InvalidArgument("Max scatter index must be < array size (", max_index, " vs. ",
                                   array_size, ")");
  const Shape element = WithoutDim0(value.shape());
  const int64_t per = element.num_elements();
  std::vector<Tensor> elements;
  elements.reserve(indices.size());
  for (size_t i = 0; i < indices.size(); ++i) {
    TFPORT_ASSIGN_OR_RETURN(Tensor e, Tensor::Allocate(value.dtype(), element, false));
    CopyElements(value, static_cast<int64_t>(i) * per, &e, 0, per);
    elements.push_back(std::move(e));
  }
  return ta->WriteMany(indices, elements);
}

// ---------------------------------------------------------------- concat / split

Result<std::unique_ptr<OpKernel>> MakeConcat(const graph::Node& node) {
  TFPORT_ASSIGN_OR_RETURN(DataType dtype, graph::GetTypeAttr(node.def(), "dtype"));
  TFPORT_ASSIGN_OR_RETURN(Shape except0, ShapeAttr(node, "element_shape_except0"));
  return std::unique_ptr<OpKernel>(new FunctionKernel([dtype, except0](OpKernelContext& ctx) {
    TFPORT_ASSIGN_OR_RETURN(TensorArrayPtr ta, GetTensorArray(ctx));
    TFPORT_RETURN_IF_ERROR(CheckReadType(*ta, dtype));
    int32_t size = 0;
    TFPORT_RETURN_IF_ERROR(ta->PackOrConcatSize(&size));
    if (size == 0) {
      if (!except0.IsFullyDefined())
        return errors::Unimplemented(
            "TensorArray has size zero, but element_shape_except0 ", except0.DebugString(),
            " is not fully defined. Currently only static shapes are supported when "
            "concatenating zero-size TensorArrays.");
      TFPORT_ASSIGN_OR_RETURN(Tensor* v, ctx.allocate_output(0, dtype, WithDim0(0, except0)));
      TFPORT_ASSIGN_OR_RETURN(Tensor* l, ctx.allocate_output(1, DT_INT64, Shape{0}));
      (void)v;
      (void)l;
      return OkStatus();
    }
    std::vector<int32_t> indices(static_cast<size_t>(size));
    std::iota(indices.begin(), indices.end(), 0);
    std::vector<Tensor> values;
    TFPORT_RETURN_IF_ERROR(ta->ReadMany(indices, &values));
    Tensor lengths(DT_INT64, Shape{static_cast<int64_t>(values.size())});
    auto len = lengths.flat<int64_t>();
    Shape rest;
    int64_t rows = 0;
    for (size_t i = 0; i < values.size(); ++i) {
      const Shape& s = values[i].shape();
      if (s.rank() < 1)
        return errors::InvalidArgument("Concat saw a scalar shape at index ", i,
                                       " but requires at least vectors.  Did you mean to call "
                                       "pack?");
      len[i] = s.dim(0);
      Shape except = WithoutDim0(s);
      if (i == 0) {
        rest = except;
        if (!except0.IsCompatibleWith(rest))
          return errors::InvalidArgument("TensorArray was passed element_shape_except0 ",
                                         except0.DebugString(),
                                         " but index 0 has (excepting dimension 0) shape: ",
                                         except.DebugString(), " which does not match.");
      } else if (!(except == rest)) {
        return errors::InvalidArgument(
            "TensorArray has inconsistent shapes.  Index 0 has (excepting dimension 0) shape: ",
            rest.DebugString(), " but index ", i,
            " has (excepting dimension 0) shape: ", except.DebugString());
      }
      rows += s.dim(0);
    }
    TFPORT_ASSIGN_OR_RETURN(Tensor out, Tensor::Allocate(dtype, WithDim0(rows, rest), false));
    int64_t offset = 0;
    for (const Tensor& v : values) {
      CopyElements(v, 0, &out, offset, v.num_elements());
      offset += v.num_elements();
    }
    ctx.set_output(0, std::move(out));
    ctx.set_output(1, std::move(lengths));
    return OkStatus();
  }));
}

Status SplitCompute(OpKernelContext& ctx) {
  TFPORT_RETURN_IF_ERROR(ForwardFlow(ctx, 3));
  TFPORT_ASSIGN_OR_RETURN(TensorArrayPtr ta, GetTensorArray(ctx));
  const Tensor& value = ctx.input(1);
  const Tensor& lengths_t = ctx.input(2);
  if (lengths_t.shape().rank() != 1 || lengths_t.dtype() != DT_INT64)
    return errors::InvalidArgument("Expected lengths to be a vector, received shape: ",
                                   lengths_t.shape().DebugString());
  if (lengths_t.num_elements() > std::numeric_limits<int32_t>::max())
    return errors::InvalidArgument("Expected lengths to have < max int32 entries");
  auto lengths = lengths_t.flat<int64_t>();
  const auto num = static_cast<int32_t>(lengths.size());
  if (value.shape().rank() < 1)
    return errors::InvalidArgument("Expected value to be at least a vector, but received shape: ",
                                   value.shape().DebugString());
  const int64_t dim0 = value.shape().dim(0);
  int64_t total = 0;
  bool overflow = false;
  for (int64_t l : lengths) {
    if (l < 0)
      return errors::InvalidArgument("TensorArray split lengths must be non-negative, got ", l);
    overflow = overflow || __builtin_add_overflow(total, l, &total);
  }
  if (overflow || total != dim0)
    return errors::InvalidArgument(
        "Expected sum of lengths to be equal to values.shape[0], but sum of lengths is ", total,
        " and value's shape is: ", value.shape().DebugString());
  const int64_t per_row = total == 0 ? 0 : value.num_elements() / total;
  int32_t size = 0;
  TFPORT_RETURN_IF_ERROR(ta->Size(&size));
  if (ta->HasDynamicSize() && size < num) size = num;
  if (size != num)
    return errors::InvalidArgument("TensorArray's size is not equal to the size of lengths (", size,
                                   " vs. ", num,
                                   "), and the TensorArray is not marked as dynamically "
                                   "resizeable");
  TFPORT_RETURN_IF_ERROR(CheckWriteType(*ta, value.dtype()));
  std::vector<Tensor> elements;
  elements.reserve(static_cast<size_t>(num));
  int64_t row = 0;
  for (int32_t i = 0; i < num; ++i) {
    const int64_t len = lengths[static_cast<size_t>(i)];
    std::vector<int64_t> dims = value.shape().dims();
    dims[0] = len;
    TFPORT_ASSIGN_OR_RETURN(Tensor e, Tensor::Allocate(value.dtype(), Shape(std::move(dims)), false));
    CopyElements(value, row * per_row, &e, 0, len * per_row);
    row += len;
    elements.push_back(std::move(e));
  }
  TFPORT_RETURN_IF_ERROR(ta->SetMarkedSize(size));
  std::vector<int32_t> indices(static_cast<size_t>(num));
  std::iota(indices.begin(), indices.end(), 0);
  return ta->WriteMany(indices, elements);
}

// ---------------------------------------------------------------- size / close

Status SizeCompute(OpKernelContext& ctx) {
  TFPORT_ASSIGN_OR_RETURN(TensorArrayPtr ta, GetTensorArray(ctx));
  int32_t size = 0;
  TFPORT_RETURN_IF_ERROR(ta->Size(&size));
  ctx.set_output(0, Tensor::Scalar<int32_t>(size));
  return OkStatus();
}

Status CloseCompute(OpKernelContext& ctx) {
  TFPORT_ASSIGN_OR_RETURN(TensorArrayPtr ta, GetTensorArray(ctx));
  // Emptied and marked closed rather than removed: later uses in this step
  // then fail with "has already been closed", as in TensorFlow.
  ta->ClearAndMarkClosed();
  return OkStatus();
}

}  // namespace

void RegisterTensorArrayKernels(KernelRegistry& r) {
  MustRegister(r, "TensorArrayV3", MakeTensorArray);
  MustRegister(r, "TensorArrayGradV3", MakeTensorArrayGrad);
  MustRegister(r, "TensorArrayWriteV3", Simple(WriteCompute));
  MustRegister(r, "TensorArrayReadV3", MakeRead);
  MustRegister(r, "TensorArrayGatherV3", MakeGather);
  MustRegister(r, "TensorArrayScatterV3", Simple(ScatterCompute));
  MustRegister(r, "TensorArrayConcatV3", MakeConcat);
  MustRegister(r, "TensorArraySplitV3", Simple(SplitCompute));
  MustRegister(r, "TensorArraySizeV3", Simple(SizeCompute));
  MustRegister(r, "TensorArrayCloseV3", Simple(CloseCompute));
}

}  // namespace tfport::kernels::data_flow
