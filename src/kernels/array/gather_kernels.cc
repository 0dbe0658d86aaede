// Index-driven array kernels: GatherV2, Gather, OneHot, DynamicStitch,
// Where, Unique.
#include <string_view>
#include <unordered_map>

#include "kernels/array/array_internal.h"

namespace tfport::kernels::array {
namespace {

// out[o, j, :] = params[o, indices[j], :] with params seen as
// [outer, dim(axis), inner].
Status GatherImpl(OpKernelContext& ctx, const Tensor& params, const Tensor& indices,
                  int64_t axis) {
  const Shape& ps = params.shape();
  const int rank = ps.rank();
  if (rank < 1) return errors::InvalidArgument("params must be at least 1 dimensional");
  if (axis < -rank || axis >= rank)
    return errors::InvalidArgument("Expected axis in the range [", -rank, ", ", rank,
                                   "), but got ", axis);
  if (axis < 0) axis += rank;
  TFPORT_ASSIGN_OR_RETURN(std::vector<int64_t> idx, IntValues(indices, "indices"));
  const int64_t dim = ps.dim(static_cast<int>(axis));
  for (size_t j = 0; j < idx.size(); ++j)
    if (idx[j] < 0 || idx[j] >= dim)
      return errors::InvalidArgument("indices", IndexString(indices.shape(), static_cast<int64_t>(j)),
                                     " = ", idx[j], " is not in [0, ", dim, ")");
  std::vector<int64_t> out_dims(ps.dims().begin(), ps.dims().begin() + axis);
  out_dims.insert(out_dims.end(), indices.shape().dims().begin(), indices.shape().dims().end());
  out_dims.insert(out_dims.end(), ps.dims().begin() + axis + 1, ps.dims().end());
  int64_t outer = 1, inner = 1;
  for (int k = 0; k < rank; ++k) {
    if (k < axis) outer *= ps.dim(k);
    if (k > axis) inner *= ps.dim(k);
  }
  TFPORT_ASSIGN_OR_RETURN(Shape out_shape, MakeShape(out_dims));
  TFPORT_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, params.dtype(), out_shape));
  const auto n = static_cast<int64_t>(idx.size());
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t j = 0; j < n; ++j)
      CopyElements(params, (o * dim + idx[static_cast<size_t>(j)]) * inner, *out,
                   (o * n + j) * inner, inner);
  return OkStatus();
}

Status GatherV2(OpKernelContext& ctx) {
  const Tensor& axis_t = ctx.input(2);
  if (axis_t.shape().rank() != 0)
    return errors::InvalidArgument("axis must be scalar, but got ", axis_t.shape().DebugString());
  TFPORT_ASSIGN_OR_RETURN(int64_t axis, IntScalar(axis_t, "axis"));
  return GatherImpl(ctx, ctx.input(0), ctx.input(1), axis);
}

Status Gather(OpKernelContext& ctx) { return GatherImpl(ctx, ctx.input(0), ctx.input(1), 0); }

// ---- OneHot

Result<std::unique_ptr<OpKernel>> MakeOneHot(const graph::Node& node) {
  TFPORT_ASSIGN_OR_RETURN(DataType t, graph::GetTypeAttr(node.def(), "T"));
  TFPORT_ASSIGN_OR_RETURN(DataType ti, graph::GetTypeAttr(node.def(), "TI"));
  if (!IsCopyable(t) || (ti != DT_UINT8 && ti != DT_INT32 && ti != DT_INT64))
    return runtime::NoKernelFor(node);
  TFPORT_ASSIGN_OR_RETURN(int64_t axis_attr, graph::GetIntAttr(node.def(), "axis"));
  return std::unique_ptr<OpKernel>(new FunctionKernel([axis_attr](OpKernelContext& ctx) -> Status {
    const Tensor& indices = ctx.input(0);
    const Tensor& depth_t = ctx.input(1);
    const Tensor& on = ctx.input(2);
    const Tensor& off = ctx.input(3);
    const int out_rank = indices.shape().rank() + 1;
    if (axis_attr != -1 && (axis_attr < 0 || axis_attr >= out_rank))
      return errors::InvalidArgument("Expected axis to be -1 or between [0, ", out_rank,
                                     ").  But received: ", axis_attr);
    for (auto [t, name] : {std::pair{&depth_t, "depth"}, {&on, "on_value"}, {&off, "off_value"}})
      if (t->shape().rank() != 0)
        return errors::InvalidArgument(name, " must be a scalar, but got: ",
                                       t->shape().DebugString());
    const int64_t depth = depth_t.scalar<int32_t>();
    if (depth < 0) return errors::InvalidArgument("depth must be non-negative, got: ", depth);
    const auto axis = static_cast<size_t>(axis_attr == -1 ? out_rank - 1 : axis_attr);
    std::vector<int64_t> idx;
    if (indices.dtype() == DT_UINT8) {
      auto v = indices.flat<uint8_t>();
      idx.assign(v.begin(), v.end());
    } else {
      TFPORT_ASSIGN_OR_RETURN(idx, IntValues(indices, "indices"));
    }
    std::vector<int64_t> dims = indices.shape().dims();
    int64_t prefix = 1, suffix = 1;
    for (size_t k = 0; k < dims.size(); ++k) (k < axis ? prefix : suffix) *= dims[k];
    dims.insert(dims.begin() + static_cast<std::ptrdiff_t>(axis), depth);
    TFPORT_ASSIGN_OR_RETURN(Shape out_shape, MakeShape(dims));
    TFPORT_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, on.dtype(), out_shape));
    FillWith(*out, off);
    // Indices outside [0, depth) leave their row all off_value.
    for (int64_t p = 0; p < prefix; ++p)
      for (int64_t s = 0; s < suffix; ++s) {
        const int64_t d = idx[static_cast<size_t>(p * suffix + s)];
        if (d >= 0 && d < depth) CopyElements(on, 0, *out, (p * depth + d) * suffix + s, 1);
      }
    return OkStatus();
  }));
}

// ---- DynamicStitch

bool StartsWith(const Shape& s, const Shape& prefix) {
  if (s.rank() < prefix.rank()) return false;
  for (int k = 0; k < prefix.rank(); ++k)
    if (s.dim(k) != prefix.dim(k)) return false;
  return true;
}

std::vector<int64_t> DimsFrom(const Shape& s, int from) {
  return std::vector<int64_t>(s.dims().begin() + from, s.dims().end());
}

Status DynamicStitch(OpKernelContext& ctx) {
  const int n = ctx.num_inputs() / 2;
  const Tensor& indices0 = ctx.input(0);
  const Tensor& data0 = ctx.input(n);
  const std::vector<int64_t> slice_dims = DimsFrom(data0.shape(), indices0.shape().rank());
  int64_t max_index = -1;
  for (int i = 0; i < n; ++i) {
    const Tensor& indices = ctx.input(i);
    const Tensor& data = ctx.input(n + i);
    if (!StartsWith(data.shape(), indices.shape()))
      return errors::InvalidArgument("data[", i, "].shape = ", data.shape().DebugString(),
                                     " does not start with indices[", i, "].shape = ",
                                     indices.shape().DebugString());
    if (i > 0 && DimsFrom(data.shape(), indices.shape().rank()) != slice_dims)
      return errors::InvalidArgument(
          "Need data[0].shape[", indices0.shape().rank(), ":] = data[", i, "].shape[",
          indices.shape().rank(), ":], got data[0].shape = ", data0.shape().DebugString(),
          ", data[", i, "].shape = ", data.shape().DebugString(), ", indices[0].shape = ",
          indices0.shape().DebugString(), ", indices[", i,
          "].shape = ", indices.shape().DebugString());
    for (int32_t v : indices.flat<int32_t>()) max_index = std::max<int64_t>(max_index, v);
  }
  std::vector<int64_t> out_dims = slice_dims;
  out_dims.insert(out_dims.begin(), max_index + 1);
  TFPORT_ASSIGN_OR_RETURN(Shape out_shape, MakeShape(out_dims));
  TFPORT_ASSIGN_OR_RETURN(Shape slice_shape, MakeShape(slice_dims));
  const int64_t slice = slice_shape.num_elements();
  TFPORT_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, data0.dtype(), out_shape));
  for (int i = 0; i < n; ++i) {  // later inputs overwrite earlier ones
    auto idx = ctx.input(i).flat<int32_t>();
    for (size_t j = 0; j < idx.size(); ++j) {
      if (idx[j] < 0)
        return errors::InvalidArgument("indices[", j, "] is out of range (indices[", i, "]",
                                       IndexString(ctx.input(i).shape(), static_cast<int64_t>(j)),
                                       " = ", idx[j], ")");
      CopyElements(ctx.input(n + i), static_cast<int64_t>(j) * slice, *out, idx[j] * slice, slice);
    }
  }
  return OkStatus();
}

// ---- Where

template <typename T, typename IsTrue>
void CollectTrue(std::span<const T> v, IsTrue is_true, std::vector<int64_t>* out) {
  for (size_t i = 0; i < v.size(); ++i)
    if (is_true(v[i])) out->push_back(static_cast<int64_t>(i));
}

Result<std::vector<int64_t>> TruePositions(const Tensor& t) {
  std::vector<int64_t> pos;
  auto nonzero = [](const auto& x) { return x.value != 0; };
  auto nonzero_f = [](const auto& x) { return x.ToFloat() != 0.0f; };
  switch (t.dtype()) {
    case DT_BOOL: CollectTrue(t.flat<bool>(), [](bool b) { return b; }, &pos); return pos;
    case DT_HALF: CollectTrue(t.flat<Half>(), nonzero_f, &pos); return pos;
    case DT_BFLOAT16: CollectTrue(t.flat<BFloat16>(), nonzero_f, &pos); return pos;
    case DT_QINT8: CollectTrue(t.flat<QInt8>(), nonzero, &pos); return pos;
    case DT_QUINT8: CollectTrue(t.flat<QUInt8>(), nonzero, &pos); return pos;
    case DT_QINT16: CollectTrue(t.flat<QInt16>(), nonzero, &pos); return pos;
    case DT_QUINT16: CollectTrue(t.flat<QUInt16>(), nonzero, &pos); return pos;
    case DT_QINT32: CollectTrue(t.flat<QInt32>(), nonzero, &pos); return pos;
    default: break;
  }
  Status s = DispatchNumber(t.dtype(), [&]<typename T>() {
    CollectTrue(t.flat<T>(), [](const T& x) { return x != T(0); }, &pos);
    return OkStatus();
  });
  if (!s.ok()) return s;
  return pos;
}

Status Where(OpKernelContext& ctx) {
  const Tensor& input = ctx.input(0);
  TFPORT_ASSIGN_OR_RETURN(std::vector<int64_t> pos, TruePositions(input));
  const int rank = input.shape().rank();
  const auto num_true = static_cast<int64_t>(pos.size());
  TFPORT_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, DT_INT64, Shape{num_true, rank}));
  auto coords = out->flat<int64_t>();
  for (size_t i = 0; i < pos.size(); ++i) {
    int64_t rest = pos[i];
    for (int k = rank; k-- > 0;) {
      coords[i * static_cast<size_t>(rank) + static_cast<size_t>(k)] = rest % input.shape().dim(k);
      rest /= input.shape().dim(k);
    }
  }
  return OkStatus();
}

// ---- Unique

// idx[i] = position of element i's value among the distinct values in
// order of first occurrence; firsts[j] = where distinct value j first occurs.
template <typename K, typename Get>
void UniqueKeys(int64_t n, Get get, std::vector<int64_t>* idx, std::vector<int64_t>* firsts) {
  std::unordered_map<K, int64_t> seen;
  seen.reserve(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    auto [it, inserted] = seen.try_emplace(get(i), static_cast<int64_t>(firsts->size()));
    if (inserted) firsts->push_back(i);
    (*idx)[static_cast<size_t>(i)] = it->second;
  }
}

Status UniqueIndices(const Tensor& x, std::vector<int64_t>* idx, std::vector<int64_t>* firsts) {
  const int64_t n = x.num_elements();
  idx->resize(static_cast<size_t>(n));
  auto at = [](auto span) { return [span](int64_t i) { return span[static_cast<size_t>(i)]; }; };
  auto as_float = [](auto span) {
    return [span](int64_t i) { return span[static_cast<size_t>(i)].ToFloat(); };
  };
  switch (x.dtype()) {
    case DT_STRING: {
      auto v = x.flat<std::string>();
      UniqueKeys<std::string_view>(
          n, [v](int64_t i) { return std::string_view(v[static_cast<size_t>(i)]); }, idx, firsts);
      return OkStatus();
    }
    case DT_BOOL: UniqueKeys<bool>(n, at(x.flat<bool>()), idx, firsts); return OkStatus();
    case DT_HALF: UniqueKeys<float>(n, as_float(x.flat<Half>()), idx, firsts); return OkStatus();
    case DT_BFLOAT16:
      UniqueKeys<float>(n, as_float(x.flat<BFloat16>()), idx, firsts);
      return OkStatus();
    default:
      return DispatchReal(x.dtype(), [&]<typename T>() {
        UniqueKeys<T>(n, at(x.flat<T>()), idx, firsts);
        return OkStatus();
      });
  }
}

Result<std::unique_ptr<OpKernel>> MakeUnique(const graph::Node& node) {
  TFPORT_ASSIGN_OR_RETURN(DataType t, graph::GetTypeAttr(node.def(), "T"));
  TFPORT_ASSIGN_OR_RETURN(DataType out_idx, graph::GetTypeAttr(node.def(), "out_idx"));
  // TensorFlow registers Unique for the real number types, string and bool.
  const bool real = DispatchReal(t, []<typename T>() { return OkStatus(); }).ok();
  if (!(real || t == DT_STRING || t == DT_BOOL || t == DT_HALF || t == DT_BFLOAT16) ||
      (out_idx != DT_INT32 && out_idx != DT_INT64))
    return runtime::NoKernelFor(node);
  return std::unique_ptr<OpKernel>(new FunctionKernel([out_idx](OpKernelContext& ctx) -> Status {
    const Tensor& x = ctx.input(0);
    if (x.shape().rank() != 1) return errors::InvalidArgument("unique expects a 1D vector.");
    if (out_idx == DT_INT32 && x.num_elements() > std::numeric_limits<int32_t>::max())
      return errors::InvalidArgument("unique of ", x.num_elements(),
                                     " elements needs out_idx int64");
    std::vector<int64_t> idx, firsts;
    TFPORT_RETURN_IF_ERROR(UniqueIndices(x, &idx, &firsts));
    TFPORT_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(
                                             0, x.dtype(), Shape{static_cast<int64_t>(firsts.size())}));
    for (size_t j = 0; j < firsts.size(); ++j)
      CopyElements(x, firsts[j], *y, static_cast<int64_t>(j), 1);
    ctx.set_output(1, IntTensor(out_idx, idx, x.shape()));
    return OkStatus();
  }));
}

}  // namespace

void RegisterGatherKernels(KernelRegistry& r) {
  MustRegister(r, "GatherV2", CopyKernel(GatherV2, "Tparams"));
  MustRegister(r, "Gather", CopyKernel(Gather, "Tparams"));
  MustRegister(r, "OneHot", MakeOneHot);
  MustRegister(r, "DynamicStitch", CopyKernel(DynamicStitch));
  MustRegister(r, "Where", Simple(Where));
  MustRegister(r, "Unique", MakeUnique);
}

}  // namespace tfport::kernels::array
