// Array kernels: the shared element-moving routines and the family's
// registration. The kernels themselves live in shape_kernels.cc (shape
// manipulation and generators), slice_kernels.cc (strided copies: slicing,
// concatenation, transposition, tiling, padding) and gather_kernels.cc
// (index-driven ops).
#include <algorithm>
#include <cstring>
#include <limits>

#include "kernels/array/array_internal.h"

namespace tfport::kernels {
namespace array {
namespace {

enum class Kind { kBytes, kString, kResource };

struct Elem {
  Kind kind;
  size_t size;  // bytes per stored element
};

Elem ElemOf(DataType dtype) {
  if (dtype == DT_STRING) return {Kind::kString, sizeof(std::string)};
  if (dtype == DT_RESOURCE) return {Kind::kResource, sizeof(ResourceHandle)};
  return {Kind::kBytes, DataTypeSize(dtype)};
}

template <typename T>
void AssignRun(const std::byte* src, int64_t ss, std::byte* dst, int64_t ds, int64_t n) {
  const T* s = reinterpret_cast<const T*>(src);
  T* d = reinterpret_cast<T*>(dst);
  for (int64_t i = 0; i < n; ++i) d[i * ds] = s[i * ss];
}

// Fixed-size byte moves; memcpy of a constant size compiles to one load/store.
template <size_t N>
void BytesRun(const std::byte* src, int64_t ss, std::byte* dst, int64_t ds, int64_t n) {
  for (int64_t i = 0; i < n; ++i) std::memcpy(dst + i * ds * N, src + i * ss * N, N);
}

// Moves n elements, src and dst advancing by ss / ds elements.
void CopyRun(const Elem& e, const std::byte* src, int64_t ss, std::byte* dst, int64_t ds,
             int64_t n) {
  switch (e.kind) {
    case Kind::kString:
      return AssignRun<std::string>(src, ss, dst, ds, n);
    case Kind::kResource:
      return AssignRun<ResourceHandle>(src, ss, dst, ds, n);
    case Kind::kBytes:
      break;
  }
  if (ss == 1 && ds == 1) {
    std::memcpy(dst, src, static_cast<size_t>(n) * e.size);
    return;
  }
  switch (e.size) {
    case 1: return BytesRun<1>(src, ss, dst, ds, n);
    case 2: return BytesRun<2>(src, ss, dst, ds, n);
    case 4: return BytesRun<4>(src, ss, dst, ds, n);
    case 8: return BytesRun<8>(src, ss, dst, ds, n);
    case 16: return BytesRun<16>(src, ss, dst, ds, n);
    default: {
      const auto size = static_cast<int64_t>(e.size);
      for (int64_t i = 0; i < n; ++i)
        std::memcpy(dst + i * ds * size, src + i * ss * size, e.size);
    }
  }
}

// Work below this many bytes runs on the calling thread.
constexpr int64_t kParallelBytes = int64_t{1} << 18;
constexpr int64_t kBlockBytes = int64_t{1} << 16;

}  // namespace

bool IsCopyable(DataType dtype) {
  return dtype == DT_STRING || dtype == DT_RESOURCE || IsMemcpyType(dtype);
}

void StridedCopy(const Tensor& src, Tensor& dst, CopyPlan plan, ThreadPool* pool) {
  // Drop unit dims and merge dims that are contiguous in both tensors, so
  // the common cases become a few long runs.
  std::vector<int64_t> dims, ss, ds;
  for (size_t k = plan.dims.size(); k-- > 0;) {
    int64_t d = plan.dims[k];
    if (d == 0) return;
    if (d == 1) continue;
    if (!dims.empty() && plan.src_strides[k] == ss.back() * dims.back() &&
        plan.dst_strides[k] == ds.back() * dims.back()) {
      dims.back() *= d;  // the merged dim keeps the inner one's strides
      continue;
    }
    dims.push_back(d);
    ss.push_back(plan.src_strides[k]);
    ds.push_back(plan.dst_strides[k]);
  }
  std::reverse(dims.begin(), dims.end());
  std::reverse(ss.begin(), ss.end());
  std::reverse(ds.begin(), ds.end());

  const Elem e = ElemOf(src.dtype());
  const auto esize = static_cast<int64_t>(e.size);
  const std::byte* sbase = static_cast<const std::byte*>(src.data()) + plan.src_offset * esize;
  std::byte* dbase = static_cast<std::byte*>(dst.data()) + plan.dst_offset * esize;
  if (dims.empty()) {
    CopyRun(e, sbase, 1, dbase, 1, 1);
    return;
  }
  const size_t outer_rank = dims.size() - 1;
  const int64_t n = dims.back(), inner_ss = ss.back(), inner_ds = ds.back();
  int64_t rows = 1;
  for (size_t k = 0; k < outer_rank; ++k) rows *= dims[k];

  auto run_rows = [&](int64_t begin, int64_t end) {
    std::vector<int64_t> idx(outer_rank);
    int64_t so = 0, dof = 0, rest = begin;
    for (size_t k = outer_rank; k-- > 0;) {
      idx[k] = rest % dims[k];
      rest /= dims[k];
      so += idx[k] * ss[k];
      dof += idx[k] * ds[k];
    }
    for (int64_t r = begin; r < end; ++r) {
      CopyRun(e, sbase + so * esize, inner_ss, dbase + dof * esize, inner_ds, n);
      for (size_t k = outer_rank; k-- > 0;) {  // odometer
        so += ss[k];
        dof += ds[k];
        if (++idx[k] < dims[k]) break;
        so -= ss[k] * dims[k];
        dof -= ds[k] * dims[k];
        idx[k] = 0;
      }
    }
  };
  const int64_t row_bytes = n * esize;
  if (pool != nullptr && rows > 1 && rows * row_bytes >= kParallelBytes) {
    auto min_rows = static_cast<size_t>(std::max<int64_t>(1, kBlockBytes / std::max<int64_t>(1, row_bytes)));
    pool->ParallelForRange(static_cast<size_t>(rows), min_rows, [&](size_t b, size_t en) {
      run_rows(static_cast<int64_t>(b), static_cast<int64_t>(en));
    });
  } else {
    run_rows(0, rows);
  }
}

void CopyElements(const Tensor& src, int64_t src_pos, Tensor& dst, int64_t dst_pos, int64_t n) {
  if (n <= 0) return;
  const Elem e = ElemOf(src.dtype());
  const auto esize = static_cast<int64_t>(e.size);
  CopyRun(e, static_cast<const std::byte*>(src.data()) + src_pos * esize, 1,
          static_cast<std::byte*>(dst.data()) + dst_pos * esize, 1, n);
}

void FillWith(Tensor& dst, const Tensor& scalar) {
  const int64_t n = dst.num_elements();
  if (n == 0) return;
  const Elem e = ElemOf(dst.dtype());
  if (e.kind != Kind::kBytes) {
    // Stride 0 on the source repeats its one element.
    CopyRun(e, static_cast<const std::byte*>(scalar.data()), 0,
            static_cast<std::byte*>(dst.data()), 1, n);
    return;
  }
  // Doubling memcpy: 1, 2, 4, ... copies of the element.
  auto* out = static_cast<std::byte*>(dst.data());
  const size_t total = static_cast<size_t>(n) * e.size;
  std::memcpy(out, scalar.data(), e.size);
  for (size_t done = e.size; done < total; done *= 2)
    std::memcpy(out + done, out, std::min(done, total - done));
}

std::vector<int64_t> Strides(const Shape& shape) {
  std::vector<int64_t> s(static_cast<size_t>(shape.rank()));
  int64_t acc = 1;
  for (int k = shape.rank(); k-- > 0;) {
    s[static_cast<size_t>(k)] = acc;
    acc *= shape.dim(k);
  }
  return s;
}

CopyPlan IntoBlock(const Shape& src_shape, std::vector<int64_t> dst_strides, int64_t dst_offset) {
  CopyPlan p;
  p.dims = src_shape.dims();
  p.src_strides = Strides(src_shape);
  p.dst_strides = std::move(dst_strides);
  p.dst_offset = dst_offset;
  return p;
}

Result<std::vector<int64_t>> IntValues(const Tensor& t, std::string_view what) {
  if (t.dtype() == DT_INT32) {
    auto v = t.flat<int32_t>();
    return std::vector<int64_t>(v.begin(), v.end());
  }
  if (t.dtype() == DT_INT64) {
    auto v = t.flat<int64_t>();
    return std::vector<int64_t>(v.begin(), v.end());
  }
  return errors::InvalidArgument(what, " must be int32 or int64, got ", DataTypeName(t.dtype()));
}

Result<int64_t> IntScalar(const Tensor& t, std::string_view what) {
  if (t.num_elements() != 1)
    return errors::InvalidArgument(what, " must be a scalar, but got shape ",
                                   t.shape().DebugString());
  TFPORT_ASSIGN_OR_RETURN(std::vector<int64_t> v, IntValues(t, what));
  return v[0];
}

Tensor IntTensor(DataType dtype, const std::vector<int64_t>& values, Shape shape) {
  if (shape.unknown_rank()) shape = Shape{static_cast<int64_t>(values.size())};
  Tensor t(dtype, std::move(shape));
  if (dtype == DT_INT32) {
    std::copy(values.begin(), values.end(), t.flat<int32_t>().begin());
  } else {
    std::copy(values.begin(), values.end(), t.flat<int64_t>().begin());
  }
  return t;
}

Result<Shape> MakeShape(const std::vector<int64_t>& dims) {
  int64_t product = 1;
  for (int64_t d : dims) {
    if (d < 0) return errors::InvalidArgument("Dimension ", d, " must be >= 0");
    if (d != 0 && product > std::numeric_limits<int64_t>::max() / d)
      return errors::InvalidArgument("Shape ", Shape(dims).DebugString(),
                                     " would have more than 2**63 - 1 elements");
    product *= d;
  }
  return Shape(dims);
}

std::string IndexString(const Shape& shape, int64_t flat) {
  if (shape.rank() == 0) return "";
  std::vector<int64_t> idx(static_cast<size_t>(shape.rank()));
  for (int k = shape.rank(); k-- > 0;) {
    const int64_t d = std::max<int64_t>(1, shape.dim(k));
    idx[static_cast<size_t>(k)] = flat % d;
    flat /= d;
  }
  std::string out = "[";
  for (size_t k = 0; k < idx.size(); ++k) {
    if (k) out += ",";
    out += std::to_string(idx[k]);
  }
  return out + "]";
}

runtime::KernelFactory CopyKernel(FunctionKernel::Fn fn, const char* attr) {
  return [fn, attr](const graph::Node& node) -> Result<std::unique_ptr<OpKernel>> {
    TFPORT_ASSIGN_OR_RETURN(DataType t, graph::GetTypeAttr(node.def(), attr));
    if (!IsCopyable(t)) return runtime::NoKernelFor(node);
    return std::unique_ptr<OpKernel>(new FunctionKernel(fn));
  };
}

}  // namespace array

void RegisterArrayKernels(KernelRegistry& r) {
  array::RegisterShapeKernels(r);
  array::RegisterSliceKernels(r);
  array::RegisterGatherKernels(r);
}

}  // namespace tfport::kernels
