// Array kernels built on StridedCopy: Slice, StridedSlice, Transpose, Tile,
// Pad, PadV2, BroadcastTo, ConcatV2, Pack, Split, SplitV, Unpack.
#include <algorithm>
#include <bit>

#include "kernels/array/array_internal.h"

namespace tfport::kernels::array {
namespace {

std::string Join(const std::vector<int64_t>& v) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) s += ",";
    s += std::to_string(v[i]);
  }
  return s;
}

int64_t Product(const std::vector<int64_t>& dims, size_t begin, size_t end) {
  int64_t p = 1;
  for (size_t i = begin; i < end; ++i) p *= dims[i];
  return p;
}

// Copies the box [begin, begin + dims) of `in`, stepping `steps` (element
// steps per dim, may be negative), into a new tensor of shape `out_shape`
// (same element count as the box).
Status CopyBox(OpKernelContext& ctx, const Tensor& in, const std::vector<int64_t>& begin,
               const std::vector<int64_t>& dims, const std::vector<int64_t>& steps,
               Shape out_shape) {
  TFPORT_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, in.dtype(), std::move(out_shape)));
  const std::vector<int64_t> in_strides = Strides(in.shape());
  CopyPlan p;
  p.dims = dims;
  p.dst_strides = Strides(Shape(dims));
  for (size_t k = 0; k < dims.size(); ++k) {
    // A dim of size <= 1 never steps (and its step may be huge).
    p.src_strides.push_back(dims[k] > 1 ? steps[k] * in_strides[k] : 0);
    p.src_offset += begin[k] * in_strides[k];
  }
  StridedCopy(in, *out, std::move(p), ctx.intra_op_pool());
  return OkStatus();
}

Status Slice(OpKernelContext& ctx) {
  const Tensor& input = ctx.input(0);
  const Tensor& begin_t = ctx.input(1);
  const Tensor& size_in = ctx.input(2);
  const int rank = input.shape().rank();
  if (begin_t.shape().rank() != 1 || size_in.shape().rank() != 1 ||
      begin_t.num_elements() != rank || size_in.num_elements() != rank)
    return errors::InvalidArgument("Expected begin and size arguments to be 1-D tensors of size ",
                                   rank, ", but got shapes ", begin_t.shape().DebugString(),
                                   " and ", size_in.shape().DebugString(), " instead.");
  TFPORT_ASSIGN_OR_RETURN(std::vector<int64_t> begin, IntValues(begin_t, "begin"));
  TFPORT_ASSIGN_OR_RETURN(std::vector<int64_t> size, IntValues(size_in, "size"));
  bool identity = true;
  for (int i = 0; i < rank; ++i) {
    const auto k = static_cast<size_t>(i);
    const int64_t dim = input.shape().dim(i), b = begin[k];
    if (b < 0 || b > dim)
      return errors::InvalidArgument("Expected begin[", i, "] in [0, ", dim, "], but got ", b);
    if (size[k] == -1) size[k] = dim - b;
    if (size[k] < 0 || size[k] > dim - b)
      return errors::InvalidArgument("Expected size[", i, "] in [0, ", dim - b, "], but got ",
                                     size[k]);
    identity = identity && b == 0 && size[k] == dim;
  }
  if (identity) {
    ctx.set_output(0, input);
    return OkStatus();
  }
  return CopyBox(ctx, input, begin, size, std::vector<int64_t>(size.size(), 1), Shape(size));
}

// ---- StridedSlice: TensorFlow's sparse -> dense slice spec.

struct StridedSliceMasks {
  uint64_t begin = 0, end = 0, ellipsis = 0, new_axis = 0, shrink = 0;
};

struct DenseSlice {
  std::vector<int64_t> begin, size, stride;  // per input dim
  std::vector<int64_t> final_dims;
  bool identity = true;  // every input dim taken whole, in order
};

Result<DenseSlice> ComputeStridedSlice(const Shape& in, const std::vector<int64_t>& begin,
                                       const std::vector<int64_t>& end,
                                       const std::vector<int64_t>& strides,
                                       StridedSliceMasks m) {
  constexpr int kNewAxis = -1, kShrink = -2;
  int sparse = static_cast<int>(begin.size());
  if (sparse > 32)
    return errors::InvalidArgument("StridedSlice takes at most 32 slice entries (the masks are ",
                                   "32-bit), got ", sparse);
  if (std::popcount(m.ellipsis) > 1)
    return errors::InvalidArgument("Multiple ellipses in slice spec not allowed");
  bool has_ellipsis = false;
  int add_after_ellipsis = 0;
  for (int i = 0; i < sparse; ++i) {
    if (has_ellipsis && (m.new_axis >> i & 1)) ++add_after_ellipsis;
    if (m.ellipsis >> i & 1) has_ellipsis = true;
  }
  if (!has_ellipsis) m.ellipsis |= uint64_t{1} << sparse++;  // implicit trailing ellipsis

  const int dense = in.rank();
  DenseSlice out;
  std::vector<int64_t> d_begin(static_cast<size_t>(dense)), d_end(d_begin.size()),
      d_stride(d_begin.size());
  uint64_t d_begin_mask = 0, d_end_mask = 0, d_shrink = 0;
  std::vector<int> gather;  // final dims: dense index, kNewAxis or kShrink
  int full = 0;
  for (int i = 0; i < sparse; ++i) {
    if (m.ellipsis >> i & 1) {
      const int next = std::min(dense - (sparse - i) + 1 + add_after_ellipsis, dense);
      for (; full < next; ++full) {
        const auto k = static_cast<size_t>(full);
        d_begin[k] = d_end[k] = 0;
        d_stride[k] = 1;
        d_begin_mask |= uint64_t{1} << full;
        d_end_mask |= uint64_t{1} << full;
        gather.push_back(full);
      }
    } else if (m.new_axis >> i & 1) {
      gather.push_back(kNewAxis);
    } else {
      if (full == dense)
        return errors::InvalidArgument("Index out of range using input dim ", full,
                                       "; input has only ", dense, " dims");
      const auto k = static_cast<size_t>(full), s = static_cast<size_t>(i);
      d_begin[k] = begin[s];
      d_end[k] = end[s];
      d_stride[k] = strides[s];
      d_begin_mask |= (m.begin >> i & 1) << full;
      d_end_mask |= (m.end >> i & 1) << full;
      if (m.shrink >> i & 1) {
        gather.push_back(kShrink);
        d_shrink |= uint64_t{1} << full;
      } else {
        gather.push_back(full);
      }
      ++full;
    }
  }

  for (int i = 0; i < dense; ++i) {
    const auto k = static_cast<size_t>(i);
    const int64_t dim = in.dim(i), stride = d_stride[k];
    if (stride == 0) return errors::InvalidArgument("strides[", i, "] must be non-zero");
    int64_t b, size;
    if (d_shrink >> i & 1) {
      if (stride <= 0)
        return errors::InvalidArgument("only stride 1 allowed on non-range indexing.");
      b = d_begin[k] < 0 ? dim + d_begin[k] : d_begin[k];
      if (b < 0 || b >= dim)
        return errors::InvalidArgument("slice index ", b, " of dimension ", i, " out of bounds.");
      size = 1;
    } else {
      // Masked ends take the whole range in the stride's direction; given
      // ends count from the back when negative and are clamped.
      const int64_t lo = stride > 0 ? 0 : -1, hi = stride > 0 ? dim : dim - 1;
      auto canonical = [&](int64_t x, bool masked, bool is_begin) {
        if (masked) return (stride > 0) == is_begin ? lo : hi;
        const int64_t fwd = x < 0 ? dim + x : x;
        return std::clamp(fwd, lo, hi);
      };
      b = canonical(d_begin[k], d_begin_mask >> i & 1, true);
      const int64_t e = canonical(d_end[k], d_end_mask >> i & 1, false);
      const int64_t interval = e - b;
      size = (interval == 0 || (interval < 0) != (stride < 0))
                 ? 0
                 : interval / stride + (interval % stride != 0);
    }
    out.begin.push_back(b);
    out.size.push_back(size);
    out.stride.push_back(stride);
    out.identity = out.identity && b == 0 && stride == 1 && size == dim;
  }
  for (int g : gather) {
    if (g >= 0) out.final_dims.push_back(out.size[static_cast<size_t>(g)]);
    if (g == kNewAxis) out.final_dims.push_back(1);
  }
  return out;
}

Result<std::unique_ptr<OpKernel>> MakeStridedSlice(const graph::Node& node) {
  TFPORT_ASSIGN_OR_RETURN(DataType t, graph::GetTypeAttr(node.def(), "T"));
  if (!IsCopyable(t)) return runtime::NoKernelFor(node);
  StridedSliceMasks m;
  std::pair<const char*, uint64_t*> attrs[] = {{"begin_mask", &m.begin},
                                                {"end_mask", &m.end},
                                                {"ellipsis_mask", &m.ellipsis},
                                                {"new_axis_mask", &m.new_axis},
                                                {"shrink_axis_mask", &m.shrink}};
  for (auto& [name, dst] : attrs) {
    TFPORT_ASSIGN_OR_RETURN(int64_t v, graph::GetIntAttr(node.def(), name));
    *dst = static_cast<uint32_t>(v);  // TensorFlow reads the masks as int32
  }
  return std::unique_ptr<OpKernel>(new FunctionKernel([m](OpKernelContext& ctx) -> Status {
    const Tensor& input = ctx.input(0);
    const Shape &bs = ctx.input(1).shape(), &es = ctx.input(2).shape(),
                &ss = ctx.input(3).shape();
    if (bs.rank() != 1 || !(bs == es) || !(bs == ss))
      return errors::InvalidArgument(
          "Expected begin, end, and strides to be 1D equal size tensors, but got shapes ",
          bs.DebugString(), ", ", es.DebugString(), ", and ", ss.DebugString(), " instead.");
    TFPORT_ASSIGN_OR_RETURN(std::vector<int64_t> begin, IntValues(ctx.input(1), "begin"));
    TFPORT_ASSIGN_OR_RETURN(std::vector<int64_t> end, IntValues(ctx.input(2), "end"));
    TFPORT_ASSIGN_OR_RETURN(std::vector<int64_t> strides, IntValues(ctx.input(3), "strides"));
    TFPORT_ASSIGN_OR_RETURN(DenseSlice d,
                            ComputeStridedSlice(input.shape(), begin, end, strides, m));
    if (d.identity) {
      TFPORT_ASSIGN_OR_RETURN(Tensor out, input.Reshaped(Shape(d.final_dims)));
      ctx.set_output(0, std::move(out));
      return OkStatus();
    }
    return CopyBox(ctx, input, d.begin, d.size, d.stride, Shape(d.final_dims));
  }));
}

// ---- Transpose, Tile, Pad, BroadcastTo

Status Transpose(OpKernelContext& ctx) {
  const Tensor& input = ctx.input(0);
  const Tensor& perm_t = ctx.input(1);
  if (perm_t.shape().rank() != 1)
    return errors::InvalidArgument("perm must be a vector, not ", perm_t.shape().DebugString());
  TFPORT_ASSIGN_OR_RETURN(std::vector<int64_t> perm, IntValues(perm_t, "perm"));
  const int rank = input.shape().rank();
  if (static_cast<int64_t>(perm.size()) != rank)
    return errors::InvalidArgument("transpose expects a vector of size ", rank,
                                   ". But input(1) is a vector of size ", perm.size());
  std::vector<bool> seen(perm.size());
  bool identity = true;
  for (size_t i = 0; i < perm.size(); ++i) {
    if (perm[i] < 0 || perm[i] >= rank)
      return errors::InvalidArgument(perm[i], " is out of range [0 .. ", rank, ")");
    seen[static_cast<size_t>(perm[i])] = true;
    identity = identity && perm[i] == static_cast<int64_t>(i);
  }
  for (size_t i = 0; i < seen.size(); ++i)
    if (!seen[i])
      return errors::InvalidArgument(i, " is missing from {", Join(perm), "}.");
  if (identity) {
    ctx.set_output(0, input);
    return OkStatus();
  }
  const std::vector<int64_t> in_strides = Strides(input.shape());
  CopyPlan p;
  for (int64_t d : perm) {
    p.dims.push_back(input.shape().dim(static_cast<int>(d)));
    p.src_strides.push_back(in_strides[static_cast<size_t>(d)]);
  }
  p.dst_strides = Strides(Shape(p.dims));
  TFPORT_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, input.dtype(), Shape(p.dims)));
  StridedCopy(input, *out, std::move(p), ctx.intra_op_pool());
  return OkStatus();
}

Status Tile(OpKernelContext& ctx) {
  const Tensor& input = ctx.input(0);
  const Tensor& mult_t = ctx.input(1);
  const int rank = input.shape().rank();
  if (mult_t.shape().rank() != 1 || mult_t.num_elements() != rank)
    return errors::InvalidArgument(
        "Expected multiples argument to be a vector of length ", rank, " but got length ",
        mult_t.shape().rank() == 0 ? 0 : mult_t.shape().dim(0));
  TFPORT_ASSIGN_OR_RETURN(std::vector<int64_t> mult, IntValues(mult_t, "multiples"));
  std::vector<int64_t> out_dims;
  for (int i = 0; i < rank; ++i) {
    const auto k = static_cast<size_t>(i);
    if (mult[k] < 0)
      return errors::InvalidArgument("Expected multiples[", i, "] >= 0, but got ", mult[k]);
    const int64_t d = input.shape().dim(i);
    if (d != 0 && mult[k] > std::numeric_limits<int64_t>::max() / d)
      return errors::InvalidArgument("Tiling ", input.shape().DebugString(), " by [",
                                     Join(mult), "] overflows int64");
    out_dims.push_back(d * mult[k]);
  }
  if (std::all_of(mult.begin(), mult.end(), [](int64_t m) { return m == 1; })) {
    ctx.set_output(0, input);
    return OkStatus();
  }
  TFPORT_ASSIGN_OR_RETURN(Shape out_shape, MakeShape(out_dims));
  // Output index (a_k * d_k + b_k) reads input index b_k: dims [m_k, d_k]
  // with source strides [0, s_k].
  const std::vector<int64_t> in_strides = Strides(input.shape()), out_strides = Strides(out_shape);
  CopyPlan p;
  for (size_t k = 0; k < mult.size(); ++k) {
    const int64_t d = input.shape().dim(static_cast<int>(k));
    p.dims.insert(p.dims.end(), {mult[k], d});
    p.src_strides.insert(p.src_strides.end(), {0, in_strides[k]});
    p.dst_strides.insert(p.dst_strides.end(), {d * out_strides[k], out_strides[k]});
  }
  TFPORT_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, input.dtype(), out_shape));
  StridedCopy(input, *out, std::move(p), ctx.intra_op_pool());
  return OkStatus();
}

Status PadImpl(OpKernelContext& ctx, const Tensor* constant) {
  const Tensor& input = ctx.input(0);
  const Tensor& pad_t = ctx.input(1);
  const int rank = input.shape().rank();
  if (pad_t.shape().rank() != 2 || pad_t.shape().dim(1) != 2)
    return errors::InvalidArgument("paddings must be a matrix with 2 columns: ",
                                   pad_t.shape().DebugString());
  if (pad_t.shape().dim(0) != rank)
    return errors::InvalidArgument("The first dimension of paddings must be the rank of inputs",
                                   pad_t.shape().DebugString(), " ",
                                   input.shape().DebugString());
  if (constant != nullptr && constant->shape().rank() != 0)
    return errors::InvalidArgument("constant_values must be a scalar. Found: ",
                                   constant->shape().DebugString());
  TFPORT_ASSIGN_OR_RETURN(std::vector<int64_t> pads, IntValues(pad_t, "paddings"));
  std::vector<int64_t> out_dims;
  bool identity = true;
  for (int i = 0; i < rank; ++i) {
    const int64_t before = pads[2 * static_cast<size_t>(i)];
    const int64_t after = pads[2 * static_cast<size_t>(i) + 1];
    if (before < 0 || after < 0)
      return errors::InvalidArgument("Paddings must be non-negative: ", before, " ", after);
    const int64_t d = input.shape().dim(i);
    if (before > std::numeric_limits<int64_t>::max() - d - after)
      return errors::InvalidArgument("Padded dimension ", i, " overflows int64");
    out_dims.push_back(before + d + after);
    identity = identity && before == 0 && after == 0;
  }
  if (identity) {
    ctx.set_output(0, input);
    return OkStatus();
  }
  TFPORT_ASSIGN_OR_RETURN(Shape out_shape, MakeShape(out_dims));
  TFPORT_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, input.dtype(), out_shape));
  if (constant != nullptr) FillWith(*out, *constant);  // Pad: allocation is already zero
  const std::vector<int64_t> out_strides = Strides(out_shape);
  int64_t corner = 0;
  for (size_t k = 0; k < out_strides.size(); ++k) corner += pads[2 * k] * out_strides[k];
  StridedCopy(input, *out, IntoBlock(input.shape(), out_strides, corner), ctx.intra_op_pool());
  return OkStatus();
}

Status Pad(OpKernelContext& ctx) { return PadImpl(ctx, nullptr); }
Status PadV2(OpKernelContext& ctx) { return PadImpl(ctx, &ctx.input(2)); }

Status BroadcastTo(OpKernelContext& ctx) {
  const Tensor& input = ctx.input(0);
  const Tensor& shape_t = ctx.input(1);
  if (shape_t.shape().rank() != 1)
    return errors::InvalidArgument("shape must be a vector of {int32,int64}, got shape ",
                                   shape_t.shape().DebugString());
  TFPORT_ASSIGN_OR_RETURN(std::vector<int64_t> dims, IntValues(shape_t, "shape"));
  TFPORT_ASSIGN_OR_RETURN(Shape out_shape, MakeShape(dims));
  const Shape& in = input.shape();
  const int rank = out_shape.rank(), lead = rank - in.rank();
  if (lead < 0)
    return errors::InvalidArgument("Rank of input (", in.rank(),
                                   ") must be no greater than rank of output shape (", rank,
                                   ").");
  const std::vector<int64_t> in_strides = Strides(in);
  CopyPlan p;
  p.dims = dims;
  p.dst_strides = Strides(out_shape);
  bool unable = false;
  for (int i = 0; i < rank; ++i) {
    const int64_t o = dims[static_cast<size_t>(i)];
    const int64_t d = i < lead ? 1 : in.dim(i - lead);
    if (d != o && d != 1 && o != 1)
      return errors::InvalidArgument("Incompatible shapes: ", in.DebugString(), " vs. ",
                                     out_shape.DebugString());
    unable = unable || (d != o && d != 1);
    p.src_strides.push_back(d == 1 ? 0 : in_strides[static_cast<size_t>(i - lead)]);
  }
  if (unable)
    return errors::InvalidArgument("Unable to broadcast tensor of shape ", in.DebugString(),
                                   " to tensor of shape ", out_shape.DebugString());
  if (in == out_shape) {
    ctx.set_output(0, input);
    return OkStatus();
  }
  TFPORT_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, input.dtype(), out_shape));
  StridedCopy(input, *out, std::move(p), ctx.intra_op_pool());
  return OkStatus();
}

// ---- Concatenation and splitting, seen as [outer, row] matrices: each
// piece owns a column range of every row.

// Writes piece i (rows of row_lens[i] elements) side by side into out.
void ConcatRows(OpKernelContext& ctx, const std::vector<const Tensor*>& pieces,
                const std::vector<int64_t>& row_lens, int64_t outer, Tensor& out) {
  int64_t total = 0;
  for (int64_t len : row_lens) total += len;
  int64_t offset = 0;
  for (size_t i = 0; i < pieces.size(); ++i) {
    CopyPlan p{{outer, row_lens[i]}, {row_lens[i], 1}, {total, 1}, 0, offset};
    StridedCopy(*pieces[i], out, std::move(p), ctx.intra_op_pool());
    offset += row_lens[i];
  }
}

Result<int64_t> WrapAxis(int64_t axis, int rank, const char* what) {
  if (axis < -rank || axis >= rank)
    return errors::InvalidArgument(what, " = ", axis, " not in [", -rank, ", ", rank, ")");
  return axis < 0 ? axis + rank : axis;
}

Status ConcatV2(OpKernelContext& ctx) {
  const int n = ctx.num_inputs() - 1;
  const Tensor& axis_t = ctx.input(n);
  if (axis_t.shape().rank() != 0)
    return errors::InvalidArgument("axis tensor should be a scalar integer, but got shape ",
                                   axis_t.shape().DebugString());
  TFPORT_ASSIGN_OR_RETURN(int64_t concat_dim, IntScalar(axis_t, "axis"));
  const Shape& s0 = ctx.input(0).shape();
  const int rank = s0.rank();
  const int64_t axis = concat_dim < 0 ? concat_dim + rank : concat_dim;
  if (axis < 0 || axis >= rank)
    return errors::InvalidArgument("ConcatOp : Expected concatenating dimensions in the range [",
                                   -rank, ", ", rank, "), but got ", concat_dim);
  std::vector<const Tensor*> pieces;
  std::vector<int64_t> row_lens, out_dims = s0.dims();
  out_dims[static_cast<size_t>(axis)] = 0;
  const auto a = static_cast<size_t>(axis);
  for (int i = 0; i < n; ++i) {
    const Shape& s = ctx.input(i).shape();
    if (s.rank() != rank)
      return errors::InvalidArgument(
          "ConcatOp : Ranks of all input tensors should match: shape[0] = ", s0.DebugString(),
          " vs. shape[", i, "] = ", s.DebugString());
    for (int j = 0; j < rank; ++j)
      if (j != axis && s.dim(j) != s0.dim(j))
        return errors::InvalidArgument(
            "ConcatOp : Dimensions of inputs should match: shape[0] = ", s0.DebugString(),
            " vs. shape[", i, "] = ", s.DebugString());
    out_dims[a] += s.dim(static_cast<int>(axis));
    pieces.push_back(&ctx.input(i));
    row_lens.push_back(Product(s.dims(), a, s.dims().size()));
  }
  TFPORT_ASSIGN_OR_RETURN(Shape out_shape, MakeShape(out_dims));
  TFPORT_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, ctx.input(0).dtype(), out_shape));
  ConcatRows(ctx, pieces, row_lens, Product(out_dims, 0, a), *out);
  return OkStatus();
}

Result<std::unique_ptr<OpKernel>> MakePack(const graph::Node& node) {
  TFPORT_ASSIGN_OR_RETURN(DataType t, graph::GetTypeAttr(node.def(), "T"));
  if (!IsCopyable(t)) return runtime::NoKernelFor(node);
  TFPORT_ASSIGN_OR_RETURN(int64_t axis_attr, graph::GetIntAttr(node.def(), "axis"));
  return std::unique_ptr<OpKernel>(new FunctionKernel([axis_attr](OpKernelContext& ctx) -> Status {
    const Shape& s0 = ctx.input(0).shape();
    TFPORT_ASSIGN_OR_RETURN(int64_t axis, WrapAxis(axis_attr, s0.rank() + 1, "axis"));
    std::vector<const Tensor*> pieces;
    for (int i = 0; i < ctx.num_inputs(); ++i) {
      if (!(ctx.input(i).shape() == s0))
        return errors::InvalidArgument("Shapes of all inputs must match: values[0].shape = ",
                                       s0.DebugString(), " != values[", i, "].shape = ",
                                       ctx.input(i).shape().DebugString());
      pieces.push_back(&ctx.input(i));
    }
    const auto a = static_cast<size_t>(axis);
    std::vector<int64_t> out_dims = s0.dims();
    out_dims.insert(out_dims.begin() + axis, ctx.num_inputs());
    TFPORT_ASSIGN_OR_RETURN(Shape out_shape, MakeShape(out_dims));
    TFPORT_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, ctx.input(0).dtype(), out_shape));
    std::vector<int64_t> row_lens(pieces.size(), Product(s0.dims(), a, s0.dims().size()));
    ConcatRows(ctx, pieces, row_lens, Product(s0.dims(), 0, a), *out);
    return OkStatus();
  }));
}

// Output i gets columns [offsets[i], offsets[i] + size of axis piece) of
// `in` seen as [outer, dim(axis) * inner]; `drop_axis` removes the (size 1)
// axis from the output shapes (Unpack).
Status SplitAlong(OpKernelContext& ctx, const Tensor& in, int axis,
                  const std::vector<int64_t>& sizes, bool drop_axis) {
  const auto& dims = in.shape().dims();
  const auto a = static_cast<size_t>(axis);
  const int64_t outer = Product(dims, 0, a), inner = Product(dims, a + 1, dims.size());
  const int64_t row = dims[a] * inner;
  int64_t offset = 0;
  for (size_t i = 0; i < sizes.size(); ++i) {
    std::vector<int64_t> out_dims = dims;
    if (drop_axis) {
      out_dims.erase(out_dims.begin() + axis);
    } else {
      out_dims[a] = sizes[i];
    }
    if (sizes.size() == 1) {  // the whole input: share its buffer
      TFPORT_ASSIGN_OR_RETURN(Tensor whole, in.Reshaped(Shape(out_dims)));
      ctx.set_output(0, std::move(whole));
      return OkStatus();
    }
    TFPORT_ASSIGN_OR_RETURN(Tensor * out,
                            ctx.allocate_output(static_cast<int>(i), in.dtype(), Shape(out_dims)));
    const int64_t len = sizes[i] * inner;
    StridedCopy(in, *out, CopyPlan{{outer, len}, {row, 1}, {len, 1}, offset, 0},
                ctx.intra_op_pool());
    offset += len;
  }
  return OkStatus();
}

// The split axis from an int32 split_dim holding one element.
Result<int> SplitDim(const Tensor& split_dim, const Tensor& input) {
  const int64_t orig = split_dim.flat<int32_t>()[0];
  const int rank = input.shape().rank();
  const int64_t d = orig < 0 ? orig + rank : orig;
  if (d < 0 || d >= rank)
    return errors::InvalidArgument("-input rank(-", rank, ") <= split_dim < input rank (", rank,
                                   "), but got ", orig);
  return static_cast<int>(d);
}

Status Split(OpKernelContext& ctx) {
  const Tensor& input = ctx.input(1);
  if (ctx.input(0).shape().rank() != 0)
    return errors::InvalidArgument("split_dim must be a scalar but has rank ",
                                   ctx.input(0).shape().rank());
  TFPORT_ASSIGN_OR_RETURN(int axis, SplitDim(ctx.input(0), input));
  const int64_t n = ctx.num_outputs(), size = input.shape().dim(axis);
  if (size % n != 0)
    return errors::InvalidArgument(
        "Number of ways to split should evenly divide the split dimension, but got split_dim ",
        axis, " (size = ", size, ") and num_split ", n);
  return SplitAlong(ctx, input, axis, std::vector<int64_t>(static_cast<size_t>(n), size / n),
                    false);
}

Status SplitV(OpKernelContext& ctx) {
  const Tensor& input = ctx.input(0);
  const Tensor& sizes_t = ctx.input(1);
  if (ctx.input(2).num_elements() != 1)
    return errors::InvalidArgument("split_dim_tensor must have exactly one element.");
  TFPORT_ASSIGN_OR_RETURN(int axis, SplitDim(ctx.input(2), input));
  const int n = ctx.num_outputs();
  if (sizes_t.shape().rank() != 1 || sizes_t.num_elements() != n)
    return errors::InvalidArgument(
        "shape of tensor describing  the output must have dimension 1 and the same  number of "
        "elements as the output. Got ",
        sizes_t.shape().rank(), "-D and ", sizes_t.num_elements(), " elements");
  TFPORT_ASSIGN_OR_RETURN(std::vector<int64_t> sizes, IntValues(sizes_t, "size_splits"));
  const int64_t dim = input.shape().dim(axis);
  int neg_one = -1;
  int64_t determined = 0;  // saturates at dim + 1: only "== dim" and "<= dim" matter
  uint64_t sum = 0;        // for the message, wrapping like TensorFlow's int64 sum
  for (int i = 0; i < n; ++i) {
    const int64_t s = sizes[static_cast<size_t>(i)];
    if (s == -1) {
      if (neg_one != -1) return errors::InvalidArgument("There can only be one -1 in the input.");
      neg_one = i;
      continue;
    }
    if (s < 0) return errors::InvalidArgument("Split size at index ", i, " must be >= 0. Got: ", s);
    determined = s > dim - determined ? dim + 1 : determined + s;
    sum += static_cast<uint64_t>(s);
  }
  if (!((neg_one == -1 && determined == dim) || (neg_one >= 0 && determined <= dim)))
    return errors::InvalidArgument(
        "Determined shape must either match input shape along split_dim exactly if fully "
        "specified, or be less than the size of the input along split_dim if not fully "
        "specified.  Got: ",
        static_cast<int64_t>(sum));
  if (neg_one >= 0) sizes[static_cast<size_t>(neg_one)] = dim - determined;
  return SplitAlong(ctx, input, axis, sizes, false);
}

Result<std::unique_ptr<OpKernel>> MakeUnpack(const graph::Node& node) {
  TFPORT_ASSIGN_OR_RETURN(DataType t, graph::GetTypeAttr(node.def(), "T"));
  if (!IsCopyable(t)) return runtime::NoKernelFor(node);
  TFPORT_ASSIGN_OR_RETURN(int64_t axis_attr, graph::GetIntAttr(node.def(), "axis"));
  return std::unique_ptr<OpKernel>(new FunctionKernel([axis_attr](OpKernelContext& ctx) -> Status {
    const Tensor& input = ctx.input(0);
    TFPORT_ASSIGN_OR_RETURN(int64_t axis, WrapAxis(axis_attr, input.shape().rank(), "axis"));
    const int num = ctx.num_outputs();
    if (input.shape().dim(static_cast<int>(axis)) != num)
      return errors::InvalidArgument("Input shape axis ", axis, " must equal ", num,
                                     ", got shape ", input.shape().DebugString());
    return SplitAlong(ctx, input, static_cast<int>(axis),
                      std::vector<int64_t>(static_cast<size_t>(num), 1), true);
  }));
}

// ReverseSequence: for each b along batch_dim, the first seq_lengths[b]
// entries along seq_dim are reversed; the rest are copied unchanged.
Result<std::unique_ptr<OpKernel>> MakeReverseSequence(const graph::Node& node) {
  TFPORT_ASSIGN_OR_RETURN(DataType t, graph::GetTypeAttr(node.def(), "T"));
  if (!IsCopyable(t)) return runtime::NoKernelFor(node);
  TFPORT_ASSIGN_OR_RETURN(int64_t seq_dim, graph::GetIntAttr(node.def(), "seq_dim"));
  TFPORT_ASSIGN_OR_RETURN(int64_t batch_dim, graph::GetIntAttr(node.def(), "batch_dim"));
  return std::unique_ptr<OpKernel>(new FunctionKernel([seq_dim, batch_dim](OpKernelContext& ctx) {
    const Tensor& input = ctx.input(0);
    const Tensor& lens_t = ctx.input(1);
    const Shape& shape = input.shape();
    const int rank = shape.rank();
    if (batch_dim == seq_dim)
      return errors::InvalidArgument("batch_dim == seq_dim == ", seq_dim);
    if (seq_dim < 0 || seq_dim >= rank)
      return errors::InvalidArgument("seq_dim must be < input.dims()", "( ", seq_dim, " vs. ",
                                     rank, ")");
    if (batch_dim < 0 || batch_dim >= rank)
      return errors::InvalidArgument("batch_dim must be < input.dims()", "( ", batch_dim,
                                     " vs. ", rank, ")");
    if (lens_t.shape().rank() != 1)
      return errors::InvalidArgument("seq_lengths must be 1-dim, not ", lens_t.shape().rank());
    TFPORT_ASSIGN_OR_RETURN(std::vector<int64_t> lens, IntValues(lens_t, "seq_lengths"));
    const int sd = static_cast<int>(seq_dim), bd = static_cast<int>(batch_dim);
    if (static_cast<int64_t>(lens.size()) != shape.dim(bd))
      return errors::InvalidArgument("len(seq_lens) != input.dims(", batch_dim, "), (",
                                     lens.size(), " vs. ", shape.dim(bd), ")");
    for (size_t d = 0; d < lens.size(); ++d) {
      if (lens[d] < 0) return errors::InvalidArgument("seq_lens(", d, ") < 0");
      if (lens[d] > shape.dim(sd))
        return errors::InvalidArgument("seq_lens(", d, ") > input.dims(", seq_dim, ")");
    }
    TFPORT_ASSIGN_OR_RETURN(Tensor out, Tensor::Allocate(input.dtype(), shape, false));
    const int64_t n = input.num_elements();
    CopyElements(input, 0, out, 0, n);
    if (n > 0) {
      const std::vector<int64_t> strides = Strides(shape);
      const int last = std::max(sd, bd);
      const int64_t inner = strides[static_cast<size_t>(last)];  // contiguous run
      const int64_t ss = strides[static_cast<size_t>(sd)], bs = strides[static_cast<size_t>(bd)];
      for (int64_t f = 0; f < n; f += inner) {
        const int64_t i_s = (f / ss) % shape.dim(sd);
        const int64_t len = lens[static_cast<size_t>((f / bs) % shape.dim(bd))];
        if (i_s < len) CopyElements(input, f + (len - 1 - 2 * i_s) * ss, out, f, inner);
      }
    }
    ctx.set_output(0, std::move(out));
    return OkStatus();
  }));
}

}  // namespace

void RegisterSliceKernels(KernelRegistry& r) {
  MustRegister(r, "ReverseSequence", MakeReverseSequence);
  MustRegister(r, "Slice", CopyKernel(Slice));
  MustRegister(r, "StridedSlice", MakeStridedSlice);
  MustRegister(r, "Transpose", CopyKernel(Transpose));
  MustRegister(r, "Tile", CopyKernel(Tile));
  MustRegister(r, "Pad", CopyKernel(Pad));
  MustRegister(r, "PadV2", CopyKernel(PadV2));
  MustRegister(r, "BroadcastTo", CopyKernel(BroadcastTo));
  MustRegister(r, "ConcatV2", CopyKernel(ConcatV2));
  MustRegister(r, "Pack", MakePack);
  MustRegister(r, "Split", CopyKernel(Split));
  MustRegister(r, "SplitV", CopyKernel(SplitV));
  MustRegister(r, "Unpack", MakeUnpack);
}

}  // namespace tfport::kernels::array
