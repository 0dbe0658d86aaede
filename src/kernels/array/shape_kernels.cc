// Array kernels that reshape or generate: Shape, ShapeN, Size, Rank,
// Reshape, Squeeze, ExpandDims, Fill, ZerosLike, OnesLike, Range,
// InvertPermutation, ConcatOffset, BroadcastGradientArgs.
#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "kernels/array/array_internal.h"
#include "kernels/data_flow/tensor_list.h"

namespace tfport::kernels::array {
namespace {

using graph::GetTypeAttr;

constexpr int64_t kInt32Max = std::numeric_limits<int32_t>::max();

// Shape / ShapeN / Size: out_type is int32 or int64.
Result<DataType> OutType(const graph::Node& node, const char* attr) {
  TFPORT_ASSIGN_OR_RETURN(DataType t, GetTypeAttr(node.def(), attr));
  if (t != DT_INT32 && t != DT_INT64) return runtime::NoKernelFor(node);
  return t;
}

Result<Tensor> ShapeTensor(const Tensor& in, DataType out_type) {
  const auto& dims = in.shape().dims();
  if (out_type == DT_INT32)
    for (size_t i = 0; i < dims.size(); ++i)
      if (dims[i] > kInt32Max)
        return errors::InvalidArgument("Shape output type is 32-bit  but dim ", i, " is ",
                                       dims[i]);
  return IntTensor(out_type, dims);
}

Result<std::unique_ptr<OpKernel>> MakeShapeOp(const graph::Node& node) {
  TFPORT_ASSIGN_OR_RETURN(DataType out, OutType(node, "out_type"));
  return std::unique_ptr<OpKernel>(new FunctionKernel([out](OpKernelContext& ctx) -> Status {
    for (int i = 0; i < ctx.num_inputs(); ++i) {  // Shape: 1 input; ShapeN: N
      TFPORT_ASSIGN_OR_RETURN(Tensor t, ShapeTensor(ctx.input(i), out));
      ctx.set_output(i, std::move(t));
    }
    return OkStatus();
  }));
}

Result<std::unique_ptr<OpKernel>> MakeSize(const graph::Node& node) {
  TFPORT_ASSIGN_OR_RETURN(DataType out, OutType(node, "out_type"));
  return std::unique_ptr<OpKernel>(new FunctionKernel([out](OpKernelContext& ctx) -> Status {
    const int64_t n = ctx.input(0).num_elements();
    if (out == DT_INT32 && n > kInt32Max)
      return errors::InvalidArgument(
          "Number of elements was larger than representable by 32-bit output type");
    ctx.set_output(0, IntTensor(out, {n}, Shape{}));
    return OkStatus();
  }));
}

Status Rank(OpKernelContext& ctx) {
  ctx.set_output(0, Tensor::Scalar<int32_t>(ctx.input(0).shape().rank()));
  return OkStatus();
}

// Output may share the input's buffer: same elements, new shape.
Status SetReshaped(OpKernelContext& ctx, const Shape& shape) {
  TFPORT_ASSIGN_OR_RETURN(Tensor out, ctx.input(0).Reshaped(shape));
  ctx.set_output(0, std::move(out));
  return OkStatus();
}

Status Reshape(OpKernelContext& ctx) {
  const Tensor& input = ctx.input(0);
  const Tensor& sizes = ctx.input(1);
  if (sizes.shape().rank() > 1)
    return errors::InvalidArgument("sizes input must be 1-D, not ", sizes.shape().DebugString());
  TFPORT_ASSIGN_OR_RETURN(std::vector<int64_t> dims, IntValues(sizes, "shape"));
  int unknown = -1;
  int64_t product = 1;
  bool overflow = false;
  for (size_t d = 0; d < dims.size(); ++d) {
    const int64_t size = dims[d];
    if (size == -1) {
      if (unknown != -1)
        return errors::InvalidArgument("Only one input size may be -1, not both ", unknown,
                                       " and ", d);
      unknown = static_cast<int>(d);
    } else if (size < 0) {
      return errors::InvalidArgument("Size ", d, " must be non-negative, not ", size);
    } else if (size != 0 && product > std::numeric_limits<int64_t>::max() / size) {
      overflow = true;
    } else {
      product *= size;
    }
  }
  const int64_t n = input.num_elements();
  if (unknown != -1) {
    if (product == 0)
      return errors::InvalidArgument(
          "Reshape cannot infer the missing input size for an empty tensor unless all "
          "specified input sizes are non-zero");
    if (overflow || n % product != 0)
      return errors::InvalidArgument("Input to reshape is a tensor with ", n,
                                     " values, but the requested shape requires a multiple of ",
                                     product);
    dims[static_cast<size_t>(unknown)] = n / product;
    product = n;
  }
  if (overflow || product != n)
    return errors::InvalidArgument("Input to reshape is a tensor with ", n,
                                   " values, but the requested shape has ",
                                   overflow ? "more than 2**63 - 1" : std::to_string(product));
  return SetReshaped(ctx, Shape(std::move(dims)));
}

Result<std::unique_ptr<OpKernel>> MakeSqueeze(const graph::Node& node) {
  TFPORT_ASSIGN_OR_RETURN(std::vector<int64_t> squeeze,
                          graph::GetIntListAttr(node.def(), "squeeze_dims"));
  return std::unique_ptr<OpKernel>(new FunctionKernel([squeeze](OpKernelContext& ctx) -> Status {
    const Shape& in = ctx.input(0).shape();
    const int rank = in.rank();
    std::set<int64_t> wrapped;
    for (int64_t d : squeeze) {
      if (d < -rank || d >= rank)
        return errors::InvalidArgument("Tried to squeeze dim index ", d, " for tensor with ",
                                       rank, " dimensions.");
      wrapped.insert(d < 0 ? d + rank : d);
    }
    std::vector<int64_t> dims;
    for (int i = 0; i < rank; ++i) {
      const int64_t size = in.dim(i);
      if (wrapped.count(i)) {
        if (size != 1)
          return errors::InvalidArgument("Can not squeeze dim[", i,
                                         "], expected a dimension of 1, got ", size);
      } else if (!(wrapped.empty() && size == 1)) {
        dims.push_back(size);
      }
    }
    return SetReshaped(ctx, Shape(std::move(dims)));
  }));
}

Status ExpandDims(OpKernelContext& ctx) {
  const Shape& in = ctx.input(0).shape();
  if (ctx.input(1).num_elements() != 1)
    return errors::InvalidArgument("'dim' must be a tensor with a single value");
  TFPORT_ASSIGN_OR_RETURN(int64_t dim, IntScalar(ctx.input(1), "dim"));
  const int rank = in.rank();
  if (dim < -1 - rank || dim > rank)
    return errors::InvalidArgument("Tried to expand dim index ", dim, " for tensor with ", rank,
                                   " dimensions.");
  if (dim < 0) dim += rank + 1;
  std::vector<int64_t> dims = in.dims();
  dims.insert(dims.begin() + dim, 1);
  return SetReshaped(ctx, Shape(std::move(dims)));
}

Status Fill(OpKernelContext& ctx) {
  const Tensor& dims_t = ctx.input(0);
  const Tensor& value = ctx.input(1);
  if (dims_t.shape().rank() != 1)
    return errors::InvalidArgument("dims must be a vector, got shape ",
                                   dims_t.shape().DebugString());
  if (value.shape().rank() != 0)
    return errors::InvalidArgument("value must be a scalar, got shape ",
                                   value.shape().DebugString());
  TFPORT_ASSIGN_OR_RETURN(std::vector<int64_t> dims, IntValues(dims_t, "dims"));
  TFPORT_ASSIGN_OR_RETURN(Shape shape, MakeShape(dims));
  TFPORT_ASSIGN_OR_RETURN(Tensor* out, ctx.allocate_output(0, value.dtype(), std::move(shape)));
  FillWith(*out, value);
  return OkStatus();
}

// DT_VARIANT: a scalar TensorList becomes a list of zeros (tensor_list.h).
Result<std::unique_ptr<OpKernel>> MakeZerosLike(const graph::Node& node) {
  TFPORT_ASSIGN_OR_RETURN(DataType t, GetTypeAttr(node.def(), "T"));
  if (!(IsMemcpyType(t) || t == DT_STRING || t == DT_VARIANT)) return runtime::NoKernelFor(node);
  return std::unique_ptr<OpKernel>(new FunctionKernel([](OpKernelContext& ctx) -> Status {
    const Tensor& x = ctx.input(0);
    if (x.dtype() == DT_VARIANT) {
      TFPORT_ASSIGN_OR_RETURN(Tensor zeros, ZerosLikeVariant(x));
      ctx.set_output(0, std::move(zeros));
      return OkStatus();
    }
    return ctx.allocate_output(0, x.dtype(), x.shape()).status();  // zeroed / empty strings
  }));
}

// The value 1 of a numeric or bool dtype, as a scalar tensor.
Result<Tensor> One(DataType dtype) {
  switch (dtype) {
    case DT_BOOL: return Tensor::Scalar<bool>(true);
    case DT_HALF: return Tensor::Scalar<Half>(Half::FromFloat(1.0f));
    case DT_BFLOAT16: return Tensor::Scalar<BFloat16>(BFloat16::FromFloat(1.0f));
    default: break;
  }
  Tensor one;
  Status s = DispatchNumber(dtype, [&]<typename T>() {
    one = Tensor::Scalar<T>(T(1));
    return OkStatus();
  });
  if (!s.ok()) return s;
  return one;
}

Result<std::unique_ptr<OpKernel>> MakeOnesLike(const graph::Node& node) {
  TFPORT_ASSIGN_OR_RETURN(DataType t, GetTypeAttr(node.def(), "T"));
  Result<Tensor> one = One(t);
  if (!one.ok()) return runtime::NoKernelFor(node);
  Tensor value = *one;
  return std::unique_ptr<OpKernel>(new FunctionKernel([value](OpKernelContext& ctx) -> Status {
    const Tensor& x = ctx.input(0);
    TFPORT_ASSIGN_OR_RETURN(Tensor* out, ctx.allocate_output(0, x.dtype(), x.shape()));
    FillWith(*out, value);
    return OkStatus();
  }));
}

// ---- Range

Status CheckRangeArg(const Tensor& t, const char* name) {
  const Shape& s = t.shape();
  if (s.rank() == 0 || (s.rank() == 1 && s.dim(0) == 1)) return OkStatus();
  return errors::InvalidArgument(name, " must be a scalar, not shape ", s.DebugString());
}

template <typename T>
Status RangeImpl(OpKernelContext& ctx) {
  const T start = ctx.input(0).flat<T>()[0];
  const T limit = ctx.input(1).flat<T>()[0];
  const T delta = ctx.input(2).flat<T>()[0];
  if (delta == T(0)) return errors::InvalidArgument("Requires delta != 0: ", delta);
  if (delta > T(0) && start > limit)
    return errors::InvalidArgument("Requires start <= limit when delta > 0: ", start, "/", limit);
  if (delta < T(0) && start < limit)
    return errors::InvalidArgument("Requires start >= limit when delta < 0: ", start, "/", limit);
  int64_t size;
  if constexpr (std::is_integral_v<T>) {
    // |limit - start| and |delta| in unsigned arithmetic cannot overflow.
    using U = std::make_unsigned_t<T>;
    const U span = start <= limit ? U(U(limit) - U(start)) : U(U(start) - U(limit));
    const U step = delta < 0 ? U(U(0) - U(delta)) : U(delta);
    const U count = U(span / step + (span % step != 0));
    if (count > U(std::numeric_limits<int64_t>::max()))
      return errors::InvalidArgument("Requires ((limit - start) / delta) <= ",
                                     std::numeric_limits<int64_t>::max());
    size = static_cast<int64_t>(count);
  } else {
    const T count = std::ceil(std::abs((limit - start) / delta));
    if (!(static_cast<double>(count) <= 9.2e18))  // also catches NaN and infinities
      return errors::InvalidArgument("Requires ((limit - start) / delta) <= ",
                                     std::numeric_limits<int64_t>::max());
    size = static_cast<int64_t>(count);
  }
  TFPORT_ASSIGN_OR_RETURN(Tensor * out,
                          ctx.allocate_output(0, DataTypeOf<T>::value, Shape{size}));
  auto flat = out->flat<T>();
  T val = start;
  for (int64_t i = 0; i < size; ++i) {  // accumulated, as TensorFlow does
    flat[static_cast<size_t>(i)] = val;
    if constexpr (std::is_integral_v<T>) {
      using U = std::make_unsigned_t<T>;
      val = static_cast<T>(U(U(val) + U(delta)));  // wraps harmlessly past the end
    } else {
      val += delta;
    }
  }
  return OkStatus();
}

Result<std::unique_ptr<OpKernel>> MakeRange(const graph::Node& node) {
  TFPORT_ASSIGN_OR_RETURN(DataType t, GetTypeAttr(node.def(), "Tidx"));
  FunctionKernel::Fn fn;
  switch (t) {
    case DT_FLOAT: fn = RangeImpl<float>; break;
    case DT_DOUBLE: fn = RangeImpl<double>; break;
    case DT_INT32: fn = RangeImpl<int32_t>; break;
    case DT_INT64: fn = RangeImpl<int64_t>; break;
    default: return runtime::NoKernelFor(node);
  }
  return std::unique_ptr<OpKernel>(new FunctionKernel([fn](OpKernelContext& ctx) -> Status {
    TFPORT_RETURN_IF_ERROR(CheckRangeArg(ctx.input(0), "start"));
    TFPORT_RETURN_IF_ERROR(CheckRangeArg(ctx.input(1), "limit"));
    TFPORT_RETURN_IF_ERROR(CheckRangeArg(ctx.input(2), "delta"));
    return fn(ctx);
  }));
}

// ---- index bookkeeping ops (int32 / int64)

runtime::KernelFactory IntKernel(FunctionKernel::Fn fn) {
  return [fn](const graph::Node& node) -> Result<std::unique_ptr<OpKernel>> {
    TFPORT_ASSIGN_OR_RETURN(DataType t, GetTypeAttr(node.def(), "T"));
    if (t != DT_INT32 && t != DT_INT64) return runtime::NoKernelFor(node);
    return std::unique_ptr<OpKernel>(new FunctionKernel(fn));
  };
}

Status InvertPermutation(OpKernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  if (x.shape().rank() != 1) return errors::InvalidArgument("invert_permutation expects a 1D vector.");
  TFPORT_ASSIGN_OR_RETURN(std::vector<int64_t> perm, IntValues(x, "x"));
  const auto n = static_cast<int64_t>(perm.size());
  std::vector<int64_t> inv(perm.size(), -1);
  for (int64_t i = 0; i < n; ++i) {
    const int64_t d = perm[static_cast<size_t>(i)];
    if (d < 0 || d >= n) return errors::InvalidArgument(d, " is not between 0 and ", n);
    if (inv[static_cast<size_t>(d)] != -1)
      return errors::InvalidArgument(d, " is duplicated in the input.");
    inv[static_cast<size_t>(d)] = i;
  }
  ctx.set_output(0, IntTensor(x.dtype(), inv));
  return OkStatus();
}

std::string Summarize(const std::vector<int64_t>& v) {
  std::string s;
  for (size_t i = 0; i < v.size() && i < 10; ++i) {
    if (i) s += " ";
    s += std::to_string(v[i]);
  }
  return s + (v.size() > 10 ? "..." : "");
}

Status ConcatOffset(OpKernelContext& ctx) {
  const Tensor& concat_dim = ctx.input(0);
  if (concat_dim.shape().rank() != 0)
    return errors::InvalidArgument("Concat dim tensor should be a scalar integer, but got shape ",
                                   concat_dim.shape().DebugString());
  const int n = ctx.num_inputs() - 1;
  std::vector<std::vector<int64_t>> shapes;
  for (int i = 1; i <= n; ++i) {
    if (ctx.input(i).shape().rank() != 1)
      return errors::InvalidArgument("input ", i, " should be a vector, but got shape ",
                                     ctx.input(i).shape().DebugString());
    TFPORT_ASSIGN_OR_RETURN(std::vector<int64_t> s, IntValues(ctx.input(i), "shape"));
    shapes.push_back(std::move(s));
  }
  const int64_t cdim = concat_dim.scalar<int32_t>();
  const auto dims = static_cast<int64_t>(shapes[0].size());
  const int64_t axis = cdim < 0 ? cdim + dims : cdim;
  if (axis < 0 || axis >= dims)
    return errors::InvalidArgument("Concat dim is out of range: ", cdim, " vs. ", dims);
  int64_t offset = 0;
  for (int i = 0; i < n; ++i) {
    const auto& s = shapes[static_cast<size_t>(i)];
    if (static_cast<int64_t>(s.size()) != dims)
      return errors::InvalidArgument("input ", i, " should contain ", dims,
                                     " elements, but got ", s.size());
    std::vector<int64_t> out(s.size(), 0);
    for (int64_t j = 0; j < dims; ++j) {
      const auto k = static_cast<size_t>(j);
      if (j == axis) {
        out[k] = offset;
        offset += s[k];
      } else if (s[k] != shapes[0][k]) {
        return errors::InvalidArgument("All dimensions except ", axis, " must match. Input ", i,
                                       " has shape [", Summarize(s),
                                       "] and doesn't match input 0 with shape [",
                                       Summarize(shapes[0]), "].");
      }
    }
    ctx.set_output(i, IntTensor(DT_INT32, out));
  }
  return OkStatus();
}

// The reduction indices of TensorFlow's BCast: for each input, the output
// dims it was broadcast along (dims where both are 1 count for both), none
// when the shapes are identical.
Status BroadcastGradientArgs(OpKernelContext& ctx) {
  std::vector<int64_t> s[2];
  for (int i = 0; i < 2; ++i) {
    const Tensor& in = ctx.input(i);
    if (in.shape().rank() != 1)
      return errors::InvalidArgument("In[", i, "] must be a vector.", in.shape().DebugString());
    TFPORT_ASSIGN_OR_RETURN(s[i], IntValues(in, "shape"));
  }
  std::vector<int64_t> r[2];
  if (s[0] != s[1]) {
    const size_t n = std::max(s[0].size(), s[1].size());
    for (size_t j = 0; j < n; ++j) {
      const size_t p0 = n - s[0].size(), p1 = n - s[1].size();  // leading 1s
      const int64_t x = j < p0 ? 1 : s[0][j - p0], y = j < p1 ? 1 : s[1][j - p1];
      const auto dim = static_cast<int64_t>(j);
      if (x == y) {
        if (x == 1) {
          r[0].push_back(dim);
          r[1].push_back(dim);
        }
      } else if (x == 1) {
        r[0].push_back(dim);
      } else if (y == 1) {
        r[1].push_back(dim);
      } else {
        return errors::InvalidArgument("Incompatible shapes: ", Shape(s[0]).DebugString(),
                                       " vs. ", Shape(s[1]).DebugString());
      }
    }
  }
  for (int i = 0; i < 2; ++i) ctx.set_output(i, IntTensor(ctx.input(0).dtype(), r[i]));
  return OkStatus();
}

}  // namespace

void RegisterShapeKernels(KernelRegistry& r) {
  MustRegister(r, "Shape", MakeShapeOp);
  MustRegister(r, "ShapeN", MakeShapeOp);
  MustRegister(r, "Size", MakeSize);
  MustRegister(r, "Rank", Simple(Rank));
  MustRegister(r, "Reshape", CopyKernel(Reshape));
  MustRegister(r, "Squeeze", MakeSqueeze);
  MustRegister(r, "ExpandDims", CopyKernel(ExpandDims));
  MustRegister(r, "Fill", CopyKernel(Fill));
  MustRegister(r, "ZerosLike", MakeZerosLike);
  MustRegister(r, "OnesLike", MakeOnesLike);
  MustRegister(r, "Range", MakeRange);
  MustRegister(r, "InvertPermutation", IntKernel(InvertPermutation));
  MustRegister(r, "ConcatOffset", Simple(ConcatOffset));
  MustRegister(r, "BroadcastGradientArgs", IntKernel(BroadcastGradientArgs));
}

}  // namespace tfport::kernels::array
