// The TensorList kernels of TensorFlow 2.x (list_kernels.cc / list_kernels.h
// there): EmptyTensorList, TensorListReserve, TensorListFromTensor,
// TensorListSetItem, TensorListGetItem, TensorListPushBack,
// TensorListPopBack, TensorListStack, TensorListConcatV2, TensorListLength,
// TensorListElementShape, with TensorFlow's semantics and error texts:
//
//   * element_shape inputs are int32/int64 tensors: a vector whose -1
//     entries are unknown dims, or the scalar -1 for an unknown rank;
//   * an op's element_shape input is merged with the list's element shape;
//   * reading an unset element (GetItem, PopBack, Stack) gives zeros when the
//     merged element shape is fully defined — for GetItem/Stack after also
//     merging in the shapes of the set elements — and an error otherwise;
//   * lists are never modified in place (tensor_list.h): each op that
//     changes one outputs a new TensorList sharing the element tensors.
//
// TensorFlow forwards an input list it holds the only reference to and
// mutates it; tfport always builds a new list, which costs one copy of the
// vector of handles per op.
#include <algorithm>
#include <cstring>
#include <limits>
#include <memory>
#include <utility>
#include <vector>

#include "kernels/data_flow/tensor_list.h"
#include "kernels/kernels_internal.h"

namespace tfport::kernels {

std::string TensorList::DebugString() const {
  return StrCat("TensorList<dtype: ", DataTypeString(element_dtype),
                " element_shape: ", element_shape.DebugString(), " length: ", tensors.size(),
                ">");
}

Tensor TensorListToTensor(TensorList list) {
  return Tensor::Scalar<Variant>(Variant(std::make_shared<const TensorList>(std::move(list))));
}

const TensorList* TensorListFromTensor(const Tensor& t) {
  if (t.dtype() != DT_VARIANT || t.num_elements() != 1 || t.shape().rank() != 0) return nullptr;
  return t.scalar<Variant>().get<TensorList>();
}

namespace {

// Growth beyond this many elements is refused rather than exhausting memory
// (TensorFlow has no limit; the same bound as tfport's TensorArrays).
constexpr int64_t kMaxElements = int64_t{1} << 24;

// ---- partial shapes (PartialTensorShape::MergeWith)

Status Merge(const Shape& a, const Shape& b, Shape* out) {
  if (a.unknown_rank()) {
    *out = b;
    return OkStatus();
  }
  if (b.unknown_rank()) {
    *out = a;
    return OkStatus();
  }
  if (!a.IsCompatibleWith(b))
    return errors::InvalidArgument("Incompatible shapes during merge: ", a.DebugString(), " vs. ",
                                   b.DebugString());
  std::vector<int64_t> dims(static_cast<size_t>(a.rank()));
  for (int i = 0; i < a.rank(); ++i)
    dims[static_cast<size_t>(i)] = a.dim(i) >= 0 ? a.dim(i) : b.dim(i);
  *out = Shape(std::move(dims));
  return OkStatus();
}

// TensorShapeFromTensor: a shape tensor -> a partial shape.
Result<Shape> ShapeFromTensor(const Tensor& t) {
  if (t.dtype() != DT_INT32 && t.dtype() != DT_INT64)
    return errors::InvalidArgument("Expected an int32 or int64 shape tensor; found ",
                                   DataTypeString(t.dtype()));
  auto value = [&](int64_t i) -> int64_t {
    return t.dtype() == DT_INT32 ? t.flat<int32_t>()[static_cast<size_t>(i)]
                                 : t.flat<int64_t>()[static_cast<size_t>(i)];
  };
  if (t.shape().rank() == 0) {
    if (value(0) == -1) return Shape::UnknownRank();
    return errors::InvalidArgument(
        "The only valid scalar shape tensor is the fully unknown shape specified as -1.");
  }
  if (t.shape().rank() != 1)
    return errors::InvalidArgument("Shape tensor must be a scalar or a vector, got shape ",
                                   t.shape().DebugString());
  std::vector<int64_t> dims(static_cast<size_t>(t.num_elements()));
  for (int64_t i = 0; i < t.num_elements(); ++i) {
    int64_t d = value(i);
    if (d < -1) return errors::InvalidArgument("Dimension ", d, " must be >= -1");
    dims[static_cast<size_t>(i)] = d;
  }
  return Shape(std::move(dims));
}

// GetElementShapeFromInput: input `i` merged with the list's element shape.
Result<Shape> ElementShapeFromInput(OpKernelContext& ctx, const TensorList& list, int i) {
  TFPORT_ASSIGN_OR_RETURN(Shape given, ShapeFromTensor(ctx.input(i)));
  Shape merged;
  TFPORT_RETURN_IF_ERROR(Merge(given, list.element_shape, &merged));
  return merged;
}

// Merges the shapes of the list's set elements into `shape` when the list's
// own element shape leaves something open (every set element then has to
// agree on the open parts).
Status MergeSetElementShapes(const TensorList& list, Shape* shape) {
  if (list.element_shape.IsFullyDefined()) return OkStatus();
  for (const Tensor& t : list.tensors) {
    if (!t.initialized()) continue;
    Shape merged;
    TFPORT_RETURN_IF_ERROR(Merge(*shape, t.shape(), &merged));
    *shape = std::move(merged);
  }
  return OkStatus();
}

// ---- inputs

Result<const TensorList*> InputList(OpKernelContext& ctx, int i) {
  const Tensor& t = ctx.input(i);
  if (t.shape().rank() != 0)
    return errors::InvalidArgument("Input list must be a scalar saw: ", t.shape().DebugString());
  if (t.dtype() != DT_VARIANT)
    return errors::InvalidArgument("Input handle is not a list. Saw a ",
                                   DataTypeString(t.dtype()), " tensor");
  const Variant& v = t.scalar<Variant>();
  const TensorList* list = v.get<TensorList>();
  if (list == nullptr)
    return errors::InvalidArgument("Input handle is not a list. Saw: '", v.DebugString(), "'");
  return list;
}

Status CheckListDtype(DataType op_dtype, const TensorList& list) {
  if (op_dtype != list.element_dtype)
    return errors::InvalidArgument("Invalid data types; op elements ", DataTypeString(op_dtype),
                                   " but list elements ", DataTypeString(list.element_dtype));
  return OkStatus();
}

// A scalar int32 input (index, num_elements, max_num_elements).
Result<int32_t> ScalarInt32(OpKernelContext& ctx, int i, const char* what) {
  const Tensor& t = ctx.input(i);
  if (t.dtype() != DT_INT32 || t.shape().rank() != 0)
    return errors::InvalidArgument(what, " expected to be a scalar but got shape: ",
                                   t.shape().DebugString());
  return t.scalar<int32_t>();
}

// ---- element data

// Zeros of `shape` (empty strings / variants for object dtypes).
Result<Tensor> Zeros(DataType dtype, const Shape& shape) {
  return Tensor::Allocate(dtype, shape, /*zero=*/true);
}

// dst[dst_off .. dst_off+n) = src[src_off .. src_off+n), for every dtype a
// list can hold. REQUIRES: same dtype, ranges inside; dst is a tensor the
// kernel allocated (never an input).
void CopyRange(const Tensor& src, int64_t src_off, Tensor* dst, int64_t dst_off, int64_t n) {
  if (n <= 0) return;
  const auto so = static_cast<size_t>(src_off), d = static_cast<size_t>(dst_off),
             count = static_cast<size_t>(n);
  auto objects = [&]<typename T>() {
    auto in = src.flat<T>().subspan(so, count);
    std::copy(in.begin(), in.end(), dst->flat<T>().subspan(d, count).begin());
  };
  switch (src.dtype()) {
    case DT_STRING: objects.template operator()<std::string>(); return;
    case DT_RESOURCE: objects.template operator()<ResourceHandle>(); return;
    case DT_VARIANT: objects.template operator()<Variant>(); return;
    default: {
      const size_t size = DataTypeSize(src.dtype());
      std::memcpy(static_cast<char*>(dst->data()) + d * size,
                  static_cast<const char*>(src.data()) + so * size, count * size);
    }
  }
}

// Row i (along the outermost dimension) of `t` as a new tensor.
Result<Tensor> Row(const Tensor& t, int64_t i, const Shape& row_shape) {
  TFPORT_ASSIGN_OR_RETURN(Tensor row, Tensor::Allocate(t.dtype(), row_shape, /*zero=*/false));
  const int64_t n = row.num_elements();
  CopyRange(t, i * n, &row, 0, n);
  return row;
}

// ---- kernel factories

// Element dtypes a list can hold: any valid non-reference dtype.
Result<DataType> ElementDtype(const graph::Node& node) {
  TFPORT_ASSIGN_OR_RETURN(DataType t, graph::GetTypeAttr(node.def(), "element_dtype"));
  if (!IsValidDataType(t)) return runtime::NoKernelFor(node);
  return t;
}

template <typename Fn>
Result<std::unique_ptr<OpKernel>> Kernel(Fn fn) {
  return std::unique_ptr<OpKernel>(new FunctionKernel(std::move(fn)));
}

Result<std::unique_ptr<OpKernel>> MakeEmptyTensorList(const graph::Node& node) {
  TFPORT_ASSIGN_OR_RETURN(DataType dtype, ElementDtype(node));
  return Kernel([dtype](OpKernelContext& ctx) -> Status {
    TFPORT_ASSIGN_OR_RETURN(int32_t max, ScalarInt32(ctx, 1, "max_num_elements"));
    if (max < -1)
      return errors::InvalidArgument("max_num_elements must be -1 (unlimited) or >= 0, got ",
                                     max);
    TensorList list;
    list.element_dtype = dtype;
    list.max_num_elements = max;
    TFPORT_ASSIGN_OR_RETURN(list.element_shape, ShapeFromTensor(ctx.input(0)));
    ctx.set_output(0, TensorListToTensor(std::move(list)));
    return OkStatus();
  });
}

Result<std::unique_ptr<OpKernel>> MakeTensorListReserve(const graph::Node& node) {
  TFPORT_ASSIGN_OR_RETURN(DataType dtype, ElementDtype(node));
  return Kernel([dtype](OpKernelContext& ctx) -> Status {
    TensorList list;
    TFPORT_ASSIGN_OR_RETURN(list.element_shape, ShapeFromTensor(ctx.input(0)));
    TFPORT_ASSIGN_OR_RETURN(int32_t n, ScalarInt32(ctx, 1, "num_elements"));
    if (n < 0)
      return errors::InvalidArgument(
          "The num_elements to reserve must be a non negative number, but got ", n);
    if (n > kMaxElements)
      return errors::ResourceExhausted("TensorListReserve of ", n,
                                       " elements exceeds tfport's limit of ", kMaxElements);
    list.element_dtype = dtype;
    list.tensors.resize(static_cast<size_t>(n));
    ctx.set_output(0, TensorListToTensor(std::move(list)));
    return OkStatus();
  });
}

Result<std::unique_ptr<OpKernel>> MakeTensorListFromTensor(const graph::Node& node) {
  TFPORT_ASSIGN_OR_RETURN(DataType dtype, ElementDtype(node));
  return Kernel([dtype](OpKernelContext& ctx) -> Status {
    const Tensor& t = ctx.input(0);
    TFPORT_ASSIGN_OR_RETURN(Shape element_shape, ShapeFromTensor(ctx.input(1)));
    if (t.shape().rank() < 1)
      return errors::InvalidArgument("Tensor must be at least a vector, but saw shape: ",
                                     t.shape().DebugString());
    Shape row_shape(std::vector<int64_t>(t.shape().dims().begin() + 1, t.shape().dims().end()));
    if (!element_shape.IsCompatibleWith(row_shape))
      return errors::InvalidArgument("Specified a list with shape ", element_shape.DebugString(),
                                     " from a tensor with shape ", row_shape.DebugString());
    const int64_t rows = t.shape().dim(0);
    if (rows > kMaxElements)
      return errors::ResourceExhausted("TensorListFromTensor of ", rows,
                                       " elements exceeds tfport's limit of ", kMaxElements);
    TensorList list;
    list.element_dtype = dtype;
    list.element_shape = element_shape;
    list.tensors.reserve(static_cast<size_t>(rows));
    for (int64_t i = 0; i < rows; ++i) {
      TFPORT_ASSIGN_OR_RETURN(Tensor row, Row(t, i, row_shape));
      list.tensors.push_back(std::move(row));
    }
    ctx.set_output(0, TensorListToTensor(std::move(list)));
    return OkStatus();
  });
}

Result<std::unique_ptr<OpKernel>> MakeTensorListSetItem(const graph::Node& node) {
  TFPORT_ASSIGN_OR_RETURN(DataType dtype, ElementDtype(node));
  bool resize = false;
  constexpr const char* kResize = "resize_if_index_out_of_bounds";
  if (graph::FindAttr(node.def(), kResize) != nullptr) {  // NodeDefs without defaults lack it
    TFPORT_ASSIGN_OR_RETURN(resize, graph::GetBoolAttr(node.def(), kResize));
  }
  return Kernel([dtype, resize](OpKernelContext& ctx) -> Status {
    TFPORT_ASSIGN_OR_RETURN(const TensorList* l, InputList(ctx, 0));
    TFPORT_RETURN_IF_ERROR(CheckListDtype(dtype, *l));
    TFPORT_ASSIGN_OR_RETURN(int32_t index, ScalarInt32(ctx, 1, "index"));
    const auto size = static_cast<int64_t>(l->tensors.size());
    if (index < 0 || (!resize && index >= size))
      return errors::InvalidArgument("Trying to modify element ", index, " in a list with ", size,
                                     " elements.");
    if (index >= kMaxElements)
      return errors::ResourceExhausted("TensorListSetItem: growing to ", int64_t{index} + 1,
                                       " elements exceeds tfport's limit of ", kMaxElements);
    const Tensor& value = ctx.input(2);
    if (value.dtype() != dtype)
      return errors::InvalidArgument("Invalid data types; op elements ", DataTypeString(dtype),
                                     " but item is ", DataTypeString(value.dtype()));
    if (!l->element_shape.IsCompatibleWith(value.shape()))
      return errors::InvalidArgument(
          "Tried to set a tensor with incompatible shape at a list index. Item element shape: ",
          value.shape().DebugString(), " list shape: ", l->element_shape.DebugString());
    TensorList out = *l;
    if (index >= size) out.tensors.resize(static_cast<size_t>(index) + 1);
    out.tensors[static_cast<size_t>(index)] = value;
    ctx.set_output(0, TensorListToTensor(std::move(out)));
    return OkStatus();
  });
}

Result<std::unique_ptr<OpKernel>> MakeTensorListGetItem(const graph::Node& node) {
  TFPORT_ASSIGN_OR_RETURN(DataType dtype, ElementDtype(node));
  return Kernel([dtype](OpKernelContext& ctx) -> Status {
    TFPORT_ASSIGN_OR_RETURN(const TensorList* l, InputList(ctx, 0));
    TFPORT_RETURN_IF_ERROR(CheckListDtype(dtype, *l));
    TFPORT_ASSIGN_OR_RETURN(int32_t index, ScalarInt32(ctx, 1, "index"));
    const auto size = static_cast<int64_t>(l->tensors.size());
    if (index < 0 || index >= size)
      return errors::InvalidArgument("Trying to access element ", index, " in a list with ", size,
                                     " elements.");
    const Tensor& item = l->tensors[static_cast<size_t>(index)];
    if (item.initialized()) {
      ctx.set_output(0, item);
      return OkStatus();
    }
    TFPORT_ASSIGN_OR_RETURN(Shape shape, ElementShapeFromInput(ctx, *l, 2));
    TFPORT_RETURN_IF_ERROR(MergeSetElementShapes(*l, &shape));
    if (!shape.IsFullyDefined())
      return errors::InvalidArgument(
          "Trying to read an uninitialized tensor but element_shape is not fully defined: ",
          shape.DebugString(), " and no list element is set.");
    TFPORT_ASSIGN_OR_RETURN(Tensor zeros, Zeros(dtype, shape));
    ctx.set_output(0, std::move(zeros));
    return OkStatus();
  });
}

Result<std::unique_ptr<OpKernel>> MakeTensorListPushBack(const graph::Node& node) {
  TFPORT_ASSIGN_OR_RETURN(DataType dtype, ElementDtype(node));
  return Kernel([dtype](OpKernelContext& ctx) -> Status {
    const Tensor& value = ctx.input(1);
    if (value.dtype() != dtype)
      return errors::InvalidArgument("Invalid data types; list elements ", DataTypeString(dtype),
                                     " but tried to append ", DataTypeString(value.dtype()));
    TFPORT_ASSIGN_OR_RETURN(const TensorList* l, InputList(ctx, 0));
    if (!l->element_shape.IsCompatibleWith(value.shape()))
      return errors::InvalidArgument(
          "Tried to append a tensor with incompatible shape to a list. Op element shape: ",
          value.shape().DebugString(), " list shape: ", l->element_shape.DebugString());
    TFPORT_RETURN_IF_ERROR(CheckListDtype(dtype, *l));
    const auto size = static_cast<int64_t>(l->tensors.size());
    if (l->max_num_elements != -1 && size >= l->max_num_elements)
      return errors::InvalidArgument("Tried to push item into a full list list size: ", size,
                                     " max_num_elements: ", l->max_num_elements);
    if (size >= kMaxElements)
      return errors::ResourceExhausted("TensorListPushBack: growing past ", kMaxElements,
                                       " elements exceeds tfport's limit");
    TensorList out = *l;
    out.tensors.push_back(value);
    ctx.set_output(0, TensorListToTensor(std::move(out)));
    return OkStatus();
  });
}

Result<std::unique_ptr<OpKernel>> MakeTensorListPopBack(const graph::Node& node) {
  TFPORT_ASSIGN_OR_RETURN(DataType dtype, ElementDtype(node));
  return Kernel([dtype](OpKernelContext& ctx) -> Status {
    TFPORT_ASSIGN_OR_RETURN(const TensorList* l, InputList(ctx, 0));
    TFPORT_RETURN_IF_ERROR(CheckListDtype(dtype, *l));
    if (l->tensors.empty()) return errors::InvalidArgument("Trying to pop from an empty list.");
    const Tensor& back = l->tensors.back();
    Tensor item = back;
    if (!back.initialized()) {
      TFPORT_ASSIGN_OR_RETURN(Shape shape, ElementShapeFromInput(ctx, *l, 1));
      if (!shape.IsFullyDefined())
        return errors::InvalidArgument(
            "Trying to read an uninitialized tensor but element_shape is not fully defined: ",
            shape.DebugString());
      TFPORT_ASSIGN_OR_RETURN(item, Zeros(dtype, shape));
    }
    TensorList out = *l;
    out.tensors.pop_back();
    ctx.set_output(0, TensorListToTensor(std::move(out)));
    ctx.set_output(1, std::move(item));
    return OkStatus();
  });
}

Result<std::unique_ptr<OpKernel>> MakeTensorListStack(const graph::Node& node) {
  TFPORT_ASSIGN_OR_RETURN(DataType dtype, ElementDtype(node));
  TFPORT_ASSIGN_OR_RETURN(int64_t num_elements, graph::GetIntAttr(node.def(), "num_elements"));
  return Kernel([dtype, num_elements](OpKernelContext& ctx) -> Status {
    TFPORT_ASSIGN_OR_RETURN(const TensorList* l, InputList(ctx, 0));
    TFPORT_RETURN_IF_ERROR(CheckListDtype(dtype, *l));
    const auto size = static_cast<int64_t>(l->tensors.size());
    if (num_elements != -1 && size != num_elements)
      return errors::InvalidArgument("Operation expected a list with ", num_elements,
                                     " elements but got a list with ", size, " elements.");
    TFPORT_ASSIGN_OR_RETURN(Shape shape, ElementShapeFromInput(ctx, *l, 1));
    if (!shape.IsFullyDefined() && l->tensors.empty())
      return errors::InvalidArgument(
          "Tried to stack elements of an empty list with non-fully-defined element_shape: ",
          shape.DebugString());
    TFPORT_RETURN_IF_ERROR(MergeSetElementShapes(*l, &shape));
    if (!shape.IsFullyDefined())
      return errors::InvalidArgument(
          "Tried to stack list which only contains uninitialized tensors and has a "
          "non-fully-defined element_shape: ",
          shape.DebugString());
    std::vector<int64_t> dims{size};
    dims.insert(dims.end(), shape.dims().begin(), shape.dims().end());
    TFPORT_ASSIGN_OR_RETURN(Shape out_shape, Shape::FromDims(dims));
    // Unset elements stay the zeros the allocation starts with.
    TFPORT_ASSIGN_OR_RETURN(Tensor* out, ctx.allocate_output(0, dtype, out_shape));
    const int64_t per = shape.num_elements();
    for (int64_t i = 0; i < size; ++i) {
      const Tensor& t = l->tensors[static_cast<size_t>(i)];
      if (!t.initialized()) continue;
      // Set elements were checked against (merged into) `shape` above.
      if (!(t.shape() == shape))
        return errors::InvalidArgument("Incompatible shapes during merge: ",
                                       shape.DebugString(), " vs. ", t.shape().DebugString());
      CopyRange(t, 0, out, i * per, per);
    }
    return OkStatus();
  });
}

// TensorListConcatV2: the elements joined along their first dimension, and
// each element's length in it. Unset elements count as zeros of the
// element shape with their length from `leading_dims` (or the first dim
// every set element shares).
Result<std::unique_ptr<OpKernel>> MakeTensorListConcatV2(const graph::Node& node) {
  TFPORT_ASSIGN_OR_RETURN(DataType dtype, ElementDtype(node));
  return Kernel([dtype](OpKernelContext& ctx) -> Status {
    TFPORT_ASSIGN_OR_RETURN(const TensorList* l, InputList(ctx, 0));
    TFPORT_RETURN_IF_ERROR(CheckListDtype(dtype, *l));
    TFPORT_ASSIGN_OR_RETURN(Shape shape, ElementShapeFromInput(ctx, *l, 1));
    if (!shape.unknown_rank() && shape.rank() < 1)
      return errors::InvalidArgument(
          "Concat requires elements to be at least vectors, found scalars instead.");
    int64_t first_dim = shape.unknown_rank() ? -1 : shape.dim(0);
    Shape rest = shape.unknown_rank()
                     ? Shape::UnknownRank()
                     : Shape(std::vector<int64_t>(shape.dims().begin() + 1, shape.dims().end()));
    if (l->tensors.empty() && !rest.IsFullyDefined())
      return errors::InvalidArgument(
          "All except the first dimension must be fully defined when concating an empty tensor "
          "list. element_shape: ",
          rest.DebugString());
    if (!l->element_shape.IsFullyDefined()) {
      // Check the set elements against the shape and find their common
      // leading dimension, if any.
      bool same_first = first_dim == -1;
      int64_t inferred = first_dim;
      for (size_t i = 0; i < l->tensors.size(); ++i) {
        const Tensor& t = l->tensors[i];
        if (!t.initialized()) continue;
        if (t.shape().rank() < 1)
          return errors::InvalidArgument("Concat saw a scalar shape at index ", i,
                                         " but requires at least vectors.");
        Shape t_rest(std::vector<int64_t>(t.shape().dims().begin() + 1, t.shape().dims().end()));
        Shape merged;
        TFPORT_RETURN_IF_ERROR(Merge(rest, t_rest, &merged));
        rest = std::move(merged);
        const int64_t d0 = t.shape().dim(0);
        if (first_dim != -1 && first_dim != d0)
          return errors::InvalidArgument(
              "First entry of element_shape input does not match the first dim of list element "
              "at index: ",
              i, " Expected: ", first_dim, " Actual: ", d0);
        if (same_first) {
          if (inferred == -1) {
            inferred = d0;
          } else if (inferred != d0) {
            inferred = -1;
            same_first = false;
          }
        }
      }
      first_dim = inferred;
    }
    if (!rest.IsFullyDefined())
      return errors::InvalidArgument(
          "Trying to concat list with only uninitialized tensors but "
          "element_shape_except_first_dim_ is not fully defined: ",
          rest.DebugString());
    const Tensor& leading = ctx.input(2);
    if (leading.dtype() != DT_INT64 || leading.shape().rank() > 1)
      return errors::InvalidArgument("leading_dims must be an int64 vector, got shape ",
                                     leading.shape().DebugString());
    const auto size = static_cast<int64_t>(l->tensors.size());
    Tensor lengths(DT_INT64, Shape{size});
    int64_t total = 0;
    for (int64_t i = 0; i < size; ++i) {
      const Tensor& t = l->tensors[static_cast<size_t>(i)];
      int64_t dim;
      if (t.initialized()) {
        dim = t.shape().dim(0);
      } else if (i >= leading.num_elements() && first_dim != -1) {
        dim = first_dim;
      } else {
        if (i >= leading.num_elements())
          return errors::InvalidArgument("List contains uninitialized tensor at index ", i,
                                         " but leading_dims has only ", leading.num_elements(),
                                         " elements.");
        dim = leading.flat<int64_t>()[static_cast<size_t>(i)];
        if (dim < 0)
          return errors::InvalidArgument("leading_dims[", i, "] = ", dim, " is negative");
      }
      if (dim > std::numeric_limits<int64_t>::max() - total)
        return errors::InvalidArgument("TensorListConcatV2: the element lengths overflow int64");
      lengths.flat<int64_t>()[static_cast<size_t>(i)] = dim;
      total += dim;
    }
    std::vector<int64_t> dims{total};
    dims.insert(dims.end(), rest.dims().begin(), rest.dims().end());
    TFPORT_ASSIGN_OR_RETURN(Shape out_shape, Shape::FromDims(dims));
    TFPORT_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, dtype, out_shape));
    const int64_t per_row = rest.num_elements();
    int64_t row = 0;
    for (int64_t i = 0; i < size; ++i) {
      const Tensor& t = l->tensors[static_cast<size_t>(i)];
      const int64_t dim = lengths.flat<int64_t>()[static_cast<size_t>(i)];
      if (t.initialized()) {  // unset elements stay the allocation's zeros
        Shape t_rest(std::vector<int64_t>(t.shape().dims().begin() + 1, t.shape().dims().end()));
        if (!(t_rest == rest))
          return errors::InvalidArgument("Incompatible shapes during merge: ", rest.DebugString(),
                                         " vs. ", t_rest.DebugString());
        CopyRange(t, 0, out, row * per_row, t.num_elements());
      }
      row += dim;
    }
    ctx.set_output(1, std::move(lengths));
    return OkStatus();
  });
}

Status TensorListLength(OpKernelContext& ctx) {
  TFPORT_ASSIGN_OR_RETURN(const TensorList* l, InputList(ctx, 0));
  ctx.set_output(0, Tensor::Scalar<int32_t>(static_cast<int32_t>(l->tensors.size())));
  return OkStatus();
}

Result<std::unique_ptr<OpKernel>> MakeTensorListElementShape(const graph::Node& node) {
  TFPORT_ASSIGN_OR_RETURN(DataType out_type, graph::GetTypeAttr(node.def(), "shape_type"));
  if (out_type != DT_INT32 && out_type != DT_INT64) return runtime::NoKernelFor(node);
  return Kernel([out_type](OpKernelContext& ctx) -> Status {
    TFPORT_ASSIGN_OR_RETURN(const TensorList* l, InputList(ctx, 0));
    const Shape& s = l->element_shape;
    // Unknown rank: the scalar -1; else the dims with -1 for unknown ones.
    const Shape out_shape = s.unknown_rank() ? Shape{} : Shape{s.rank()};
    TFPORT_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, out_type, out_shape));
    for (int64_t i = 0; i < out->num_elements(); ++i) {
      const int64_t d = s.unknown_rank() ? -1 : s.dim(static_cast<int>(i));
      if (out_type == DT_INT32)
        out->flat<int32_t>()[static_cast<size_t>(i)] = static_cast<int32_t>(d);
      else
        out->flat<int64_t>()[static_cast<size_t>(i)] = d;
    }
    return OkStatus();
  });
}

}  // namespace

Result<Tensor> ZerosLikeVariant(const Tensor& t) {
  if (t.shape().rank() != 0)
    return errors::InvalidArgument(
        "ZerosLike non-scalar Tensor with dtype=DT_VARIANT is not supported.");
  const Variant& v = t.scalar<Variant>();
  const TensorList* l = v.get<TensorList>();
  if (l == nullptr)
    return errors::InvalidArgument("ZerosLike is not supported for variant value '",
                                   v.DebugString(), "' (type '", v.TypeName(),
                                   "'); tfport supports TensorList");
  TensorList out;
  out.element_dtype = l->element_dtype;
  out.element_shape = l->element_shape;
  out.tensors.reserve(l->tensors.size());
  for (const Tensor& e : l->tensors) {
    if (!e.initialized()) {
      out.tensors.emplace_back();
      continue;
    }
    if (e.dtype() == DT_VARIANT) {  // a list of lists: zeros all the way down
      Tensor z(DT_VARIANT, e.shape());
      for (int64_t k = 0; k < e.num_elements(); ++k) {
        const Variant& inner = e.flat<Variant>()[static_cast<size_t>(k)];
        if (inner.empty()) continue;
        TFPORT_ASSIGN_OR_RETURN(Tensor zi, ZerosLikeVariant(Tensor::Scalar<Variant>(inner)));
        z.flat<Variant>()[static_cast<size_t>(k)] = zi.scalar<Variant>();
      }
      out.tensors.push_back(std::move(z));
      continue;
    }
    TFPORT_ASSIGN_OR_RETURN(Tensor z, Zeros(e.dtype(), e.shape()));
    out.tensors.push_back(std::move(z));
  }
  return TensorListToTensor(std::move(out));
}

void RegisterListKernels(KernelRegistry& r) {
  MustRegister(r, "EmptyTensorList", MakeEmptyTensorList);
  MustRegister(r, "TensorListReserve", MakeTensorListReserve);
  MustRegister(r, "TensorListFromTensor", MakeTensorListFromTensor);
  MustRegister(r, "TensorListSetItem", MakeTensorListSetItem);
  MustRegister(r, "TensorListGetItem", MakeTensorListGetItem);
  MustRegister(r, "TensorListPushBack", MakeTensorListPushBack);
  MustRegister(r, "TensorListPopBack", MakeTensorListPopBack);
  MustRegister(r, "TensorListStack", MakeTensorListStack);
  MustRegister(r, "TensorListConcatV2", MakeTensorListConcatV2);
  MustRegister(r, "TensorListLength", Simple(TensorListLength));
  MustRegister(r, "TensorListElementShape", MakeTensorListElementShape);
}

}  // namespace tfport::kernels
