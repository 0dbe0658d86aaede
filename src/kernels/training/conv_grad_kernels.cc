// Gradients of convolution and pooling, NHWC, SAME/VALID, strides,
// dilations: Conv2DBackpropInput, Conv2DBackpropFilter, MaxPoolGrad.
//
// Both convolution gradients go through the same patch matrix Conv2D uses
// (one row per output pixel, [kh, kw, c] columns, zeros in the padding):
//   d_patches = d_out [rows, oc] * filter^T [oc, kh*kw*c], scattered back
//               onto the input positions (Conv2DBackpropInput);
//   d_filter  = patches^T [kh*kw*c, rows] * d_out [rows, oc]
//               (Conv2DBackpropFilter).
// Rows are processed in chunks so the patch buffer stays small. MaxPoolGrad
// routes each output gradient to the first maximum of its window (scanning
// rows, then columns), as TensorFlow's CPU kernel does. half and bfloat16 are
// computed in float.
#include <algorithm>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "kernels/nn/nn_internal.h"

namespace tfport::kernels::training {
namespace {

using graph::NodeLocation;
using nn::CheckInputType;
using nn::ComputeWindow;
using nn::FromFloat;
using nn::IsHalfLike;
using nn::ToFloat;
using nn::Window2D;
using nn::WindowDim;


using ConvDims = nn::ConvGeometry;

// The 4 dims held by a sizes input (int32 or int64 vector of 4 non-negative values).
Result<std::vector<int64_t>> SizesOf(const Tensor& t, const char* what) {
  if (t.dtype() != DT_INT32 && t.dtype() != DT_INT64)
    return errors::InvalidArgument(what, " must be int32 or int64, got ", DataTypeName(t.dtype()));
  if (t.shape().rank() != 1)
    return errors::InvalidArgument(what, " input must be 1-dim, not ", t.shape().rank());
  if (t.num_elements() != 4)
    return errors::InvalidArgument(what, " must have 4 elements, got ", t.num_elements());
  std::vector<int64_t> dims;
  for (size_t i = 0; i < 4; ++i) {
    const int64_t d = t.dtype() == DT_INT32 ? t.flat<int32_t>()[i] : t.flat<int64_t>()[i];
    if (d < 0) return errors::InvalidArgument(what, " has a negative dimension: ", d);
    dims.push_back(d);
  }
  TFPORT_RETURN_IF_ERROR(Shape::FromDims(dims).status());
  return dims;
}

// Checks input [N,H,W,C], filter [KH,KW,C,OC] and out_backprop against each other.
Result<ConvDims> Dims(const char* op, const Shape& in, const Shape& filter, const Shape& dy,
                      const Window2D& win) {
  if (dy.rank() != 4)
    return errors::InvalidArgument(op, ": out_backprop must be 4-dimensional", dy.DebugString());
  Result<ConvDims> dims = nn::ConvGeometryOf(in, filter, win);
  if (!dims.ok()) return dims.status().WithContext(op);
  ConvDims& d = *dims;
  const Shape want{d.batch, d.out_h, d.out_w, d.out_c};
  if (!(dy == want))
    return errors::InvalidArgument(op, ": out_backprop has shape ", dy.DebugString(),
                                   " but the convolution of input ", in.DebugString(),
                                   " with filter ", filter.DebugString(), " gives ",
                                   want.DebugString());
  // The patch matrix's element count must fit in int64.
  int64_t unused = 0;
  if (__builtin_mul_overflow(d.patch(), std::max<int64_t>(d.out_c, 1), &unused))
    return errors::InvalidArgument(op, ": filter too large");
  return d;
}

// Calls fn(r, kh, kw, ih, iw) for every in-bounds tap of every output row r
// in [r0, r1) (ih/iw: the input position the tap reads).
template <typename Fn>
void ForEachTap(const ConvDims& d, int64_t r0, int64_t r1, Fn fn) {
  const Window2D& w = d.win;
  for (int64_t r = r0; r < r1; ++r) {
    const int64_t oh = (r / d.out_w) % d.out_h;
    const int64_t ow = r % d.out_w;
    for (int64_t kh = 0; kh < d.k_h; ++kh) {
      const int64_t ih = oh * w.stride_h - d.pad_top + kh * w.dilation_h;
      for (int64_t kw = 0; kw < d.k_w; ++kw) {
        const int64_t iw = ow * w.stride_w - d.pad_left + kw * w.dilation_w;
        fn(r, kh, kw, ih, iw, ih >= 0 && ih < d.in_h && iw >= 0 && iw < d.in_w);
      }
    }
  }
}

int64_t ChunkRows(const ConvDims& d) {
  constexpr int64_t kMaxPatchElements = int64_t{1} << 22;
  return std::clamp<int64_t>(kMaxPatchElements / std::max<int64_t>(d.patch(), 1), 1,
                             std::max<int64_t>(d.rows(), 1));
}

// dx (zeroed on entry) from dy and the filter.
template <typename T>
Status BackpropInput(const ConvDims& d, const T* filter, const T* dy, T* dx, ThreadPool* pool) {
  const int64_t patch = d.patch(), rows = d.rows();
  if (rows == 0 || patch == 0 || d.out_c == 0) return OkStatus();
  const int64_t chunk = ChunkRows(d);
  std::unique_ptr<T[]> cols(new T[static_cast<size_t>(chunk * patch)]);
  for (int64_t r0 = 0; r0 < rows; r0 += chunk) {
    const int64_t r1 = std::min(rows, r0 + chunk);
    // cols[r, :] = dy[r, :] * filter^T, filter viewed as [patch, oc].
    TFPORT_RETURN_IF_ERROR(nn::Gemm<T>(false, true, false, r1 - r0, patch, d.out_c,
                                       dy + r0 * d.out_c, d.out_c, filter, d.out_c, cols.get(),
                                       patch, pool));
    ForEachTap(d, r0, r1, [&](int64_t r, int64_t kh, int64_t kw, int64_t ih, int64_t iw, bool in) {
      if (!in) return;
      const int64_t n = r / (d.out_h * d.out_w);
      const T* src = cols.get() + (r - r0) * patch + (kh * d.k_w + kw) * d.in_c;
      T* dst = dx + ((n * d.in_h + ih) * d.in_w + iw) * d.in_c;
      for (int64_t c = 0; c < d.in_c; ++c) dst[c] += src[c];
    });
  }
  return OkStatus();
}

// dfilter (zeroed on entry) from the input and dy.
template <typename T>
Status BackpropFilter(const ConvDims& d, const T* x, const T* dy, T* dfilter, ThreadPool* pool) {
  const int64_t patch = d.patch(), rows = d.rows();
  if (rows == 0 || patch == 0 || d.out_c == 0) return OkStatus();
  const int64_t chunk = ChunkRows(d);
  std::unique_ptr<T[]> cols(new T[static_cast<size_t>(chunk * patch)]);
  std::unique_ptr<T[]> partial;
  if (chunk < rows) partial.reset(new T[static_cast<size_t>(patch * d.out_c)]);
  for (int64_t r0 = 0; r0 < rows; r0 += chunk) {
    const int64_t r1 = std::min(rows, r0 + chunk);
    ForEachTap(d, r0, r1, [&](int64_t r, int64_t kh, int64_t kw, int64_t ih, int64_t iw, bool in) {
      T* dst = cols.get() + (r - r0) * patch + (kh * d.k_w + kw) * d.in_c;
      if (!in) {
        std::fill(dst, dst + d.in_c, T{});
        return;
      }
      const int64_t n = r / (d.out_h * d.out_w);
      const T* src = x + ((n * d.in_h + ih) * d.in_w + iw) * d.in_c;
      std::copy(src, src + d.in_c, dst);
    });
    T* target = r0 == 0 ? dfilter : partial.get();
    TFPORT_RETURN_IF_ERROR(nn::Gemm<T>(true, false, false, patch, d.out_c, r1 - r0, cols.get(),
                                       patch, dy + r0 * d.out_c, d.out_c, target, d.out_c, pool));
    if (target != dfilter)
      for (int64_t i = 0; i < patch * d.out_c; ++i) dfilter[i] += target[i];
  }
  return OkStatus();
}

Result<std::unique_ptr<OpKernel>> MakeConvGrad(const graph::Node& node, bool filter_grad) {
  TFPORT_ASSIGN_OR_RETURN(DataType dtype, graph::GetTypeAttr(node.def(), "T"));
  if (dtype != DT_FLOAT && dtype != DT_DOUBLE && !IsHalfLike(dtype))
    return runtime::NoKernelFor(node);
  TFPORT_ASSIGN_OR_RETURN(Window2D win, nn::ParseConvAttrs(node));
  const char* op = filter_grad ? "Conv2DBackpropFilter" : "Conv2DBackpropInput";
  return std::unique_ptr<OpKernel>(new FunctionKernel([=](OpKernelContext& ctx) -> Status {
    // Conv2DBackpropInput: (input_sizes, filter, out_backprop);
    // Conv2DBackpropFilter: (input, filter_sizes, out_backprop).
    const Tensor& sizes = ctx.input(filter_grad ? 1 : 0);
    const Tensor& tensor = ctx.input(filter_grad ? 0 : 1);
    const Tensor& dy = ctx.input(2);
    TFPORT_RETURN_IF_ERROR(CheckInputType(tensor, dtype, filter_grad ? 0 : 1));
    TFPORT_RETURN_IF_ERROR(CheckInputType(dy, dtype, 2));
    TFPORT_ASSIGN_OR_RETURN(std::vector<int64_t> sz,
                            SizesOf(sizes, filter_grad ? "filter_sizes" : "input_sizes"));
    const Shape out_shape(sz);
    const Shape& in_shape = filter_grad ? tensor.shape() : out_shape;
    const Shape& filter_shape = filter_grad ? out_shape : tensor.shape();
    TFPORT_ASSIGN_OR_RETURN(ConvDims d, Dims(op, in_shape, filter_shape, dy.shape(), win));
    TFPORT_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, dtype, out_shape));
    if (out->num_elements() == 0) return OkStatus();
    ThreadPool* pool = ctx.intra_op_pool();
    auto run = [&]<typename T>(const Tensor& t, const Tensor& g, Tensor* o) -> Status {
      if (filter_grad)
        return BackpropFilter<T>(d, t.flat<T>().data(), g.flat<T>().data(), o->flat<T>().data(),
                                 pool);
      return BackpropInput<T>(d, t.flat<T>().data(), g.flat<T>().data(), o->flat<T>().data(),
                              pool);
    };
    if (dtype == DT_DOUBLE) return run.template operator()<double>(tensor, dy, out);
    if (dtype == DT_FLOAT) return run.template operator()<float>(tensor, dy, out);
    TFPORT_ASSIGN_OR_RETURN(Tensor tf32, ToFloat(tensor));
    TFPORT_ASSIGN_OR_RETURN(Tensor gf32, ToFloat(dy));
    TFPORT_ASSIGN_OR_RETURN(Tensor of32, Tensor::Allocate(DT_FLOAT, out_shape, true));
    TFPORT_RETURN_IF_ERROR(run.template operator()<float>(tf32, gf32, &of32));
    FromFloat(of32, out);
    return OkStatus();
  }));
}

// ---------------------------------------------------------------- MaxPoolGrad

struct PoolDims {
  int64_t batch, in_h, in_w, depth, out_h, out_w, pad_top, pad_left;
};

// dx (zeroed) += grad routed to the first maximum of each window. Batches
// are independent, so they are split over the pool.
template <typename T>
void MaxPoolBackward(const PoolDims& g, const Window2D& w, const T* x, const T* grad, T* dx,
                     ThreadPool* pool) {
  nn::ParallelFor(pool, g.batch, g.out_h * g.out_w * w.k_h * w.k_w * g.depth,
                  [&](int64_t b0, int64_t b1) {
    for (int64_t n = b0; n < b1; ++n) {
      for (int64_t oh = 0; oh < g.out_h; ++oh) {
        const int64_t hs = oh * w.stride_h - g.pad_top;
        const int64_t h0 = std::max<int64_t>(hs, 0), h1 = std::min(hs + w.k_h, g.in_h);
        for (int64_t ow = 0; ow < g.out_w; ++ow) {
          const int64_t ws = ow * w.stride_w - g.pad_left;
          const int64_t w0 = std::max<int64_t>(ws, 0), w1 = std::min(ws + w.k_w, g.in_w);
          if (h0 >= h1 || w0 >= w1) continue;
          const T* gp = grad + ((n * g.out_h + oh) * g.out_w + ow) * g.depth;
          for (int64_t c = 0; c < g.depth; ++c) {
            // The first element strictly greater than everything before it;
            // the window's first element when none is (all NaN or lowest).
            int64_t best = (h0 * g.in_w + w0) * g.depth + c;
            T best_v = std::numeric_limits<T>::lowest();
            bool found = false;
            for (int64_t ih = h0; ih < h1; ++ih)
              for (int64_t iw = w0; iw < w1; ++iw) {
                const int64_t at = (ih * g.in_w + iw) * g.depth + c;
                const T v = x[n * g.in_h * g.in_w * g.depth + at];
                if (v > best_v || (!found && v == best_v)) {
                  best_v = v;
                  best = at;
                  found = true;
                }
              }
            dx[n * g.in_h * g.in_w * g.depth + best] += gp[c];
          }
        }
      }
    }
  });
}

Result<std::unique_ptr<OpKernel>> MakeMaxPoolGrad(const graph::Node& node) {
  TFPORT_ASSIGN_OR_RETURN(DataType dtype, graph::GetTypeAttr(node.def(), "T"));
  bool supported = dtype == DT_FLOAT || dtype == DT_DOUBLE || IsHalfLike(dtype);
  for (DataType t : {DT_INT32, DT_INT64, DT_UINT8, DT_INT16, DT_INT8, DT_UINT16, DT_UINT32,
                     DT_UINT64})
    supported = supported || dtype == t;
  if (!supported) return runtime::NoKernelFor(node);
  TFPORT_ASSIGN_OR_RETURN(Window2D win, nn::ParsePoolAttrs(node));
  return std::unique_ptr<OpKernel>(new FunctionKernel([=](OpKernelContext& ctx) -> Status {
    const Tensor& x = ctx.input(0);
    const Tensor& y = ctx.input(1);
    const Tensor& grad = ctx.input(2);
    for (int i = 0; i < 3; ++i) TFPORT_RETURN_IF_ERROR(CheckInputType(ctx.input(i), dtype, i));
    const Shape& s = x.shape();
    if (s.rank() != 4)
      return errors::InvalidArgument("orig_input must be 4-dimensional", s.DebugString());
    if (y.shape().rank() != 4)
      return errors::InvalidArgument("orig_output must be 4-dimensional", y.shape().DebugString());
    if (grad.shape().rank() != 4)
      return errors::InvalidArgument("grad must be 4-dimensional", grad.shape().DebugString());
    TFPORT_ASSIGN_OR_RETURN(WindowDim h,
                            ComputeWindow(s.dim(1), win.k_h, win.stride_h, 1, win.padding));
    TFPORT_ASSIGN_OR_RETURN(WindowDim w,
                            ComputeWindow(s.dim(2), win.k_w, win.stride_w, 1, win.padding));
    PoolDims g{s.dim(0), s.dim(1), s.dim(2), s.dim(3), h.out, w.out, h.pad_before, w.pad_before};
    const Shape want{g.batch, g.out_h, g.out_w, g.depth};
    if (!(y.shape() == want))
      return errors::InvalidArgument("Expected orig_output shape to be ", want.DebugString(),
                                     ", but got ", y.shape().DebugString());
    if (!(grad.shape() == want))
      return errors::InvalidArgument("Expected grad shape to be ", want.DebugString(),
                                     ", but got ", grad.shape().DebugString());
    TFPORT_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, dtype, s));
    if (out->num_elements() == 0 || grad.num_elements() == 0) return OkStatus();
    ThreadPool* pool = ctx.intra_op_pool();
    if (IsHalfLike(dtype)) {
      TFPORT_ASSIGN_OR_RETURN(Tensor xf, ToFloat(x));
      TFPORT_ASSIGN_OR_RETURN(Tensor gf, ToFloat(grad));
      TFPORT_ASSIGN_OR_RETURN(Tensor of, Tensor::Allocate(DT_FLOAT, s, true));
      MaxPoolBackward<float>(g, win, xf.flat<float>().data(), gf.flat<float>().data(),
                             of.flat<float>().data(), pool);
      FromFloat(of, out);
      return OkStatus();
    }
    return DispatchReal(dtype, [&]<typename T>() -> Status {
      MaxPoolBackward<T>(g, win, x.flat<T>().data(), grad.flat<T>().data(),
                         out->flat<T>().data(), pool);
      return OkStatus();
    });
  }));
}

}  // namespace

void RegisterConvGradKernels(KernelRegistry& r) {
  MustRegister(r, "Conv2DBackpropInput",
               [](const graph::Node& n) { return MakeConvGrad(n, /*filter_grad=*/false); });
  MustRegister(r, "Conv2DBackpropFilter",
               [](const graph::Node& n) { return MakeConvGrad(n, /*filter_grad=*/true); });
  MustRegister(r, "MaxPoolGrad", MakeMaxPoolGrad);
}

}  // namespace tfport::kernels::training
