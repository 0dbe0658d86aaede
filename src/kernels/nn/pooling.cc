// MaxPool and AvgPool, NHWC, SAME/VALID. Padding never takes part in a
// window: MaxPool ignores it and AvgPool divides by the number of input
// elements inside the window, as TensorFlow does.
#include <algorithm>
#include <limits>

#include "kernels/nn/nn_internal.h"

namespace tfport::kernels::nn {
// ksize / strides / padding / data_format of MaxPool, AvgPool and MaxPoolGrad.
Result<Window2D> ParsePoolAttrs(const graph::Node& node) {
  const std::string loc = graph::NodeLocation(node.def());
  TFPORT_RETURN_IF_ERROR(RequireNhwc(node));
  TFPORT_ASSIGN_OR_RETURN(std::vector<int64_t> ksize, graph::GetIntListAttr(node.def(), "ksize"));
  TFPORT_ASSIGN_OR_RETURN(std::vector<int64_t> strides,
                          graph::GetIntListAttr(node.def(), "strides"));
  if (ksize.size() != 4)
    return errors::InvalidArgument(loc, ": Sliding window ksize field must specify 4 dimensions");
  if (strides.size() != 4)
    return errors::InvalidArgument(loc, ": Sliding window stride field must specify 4 dimensions");
  if (ksize[0] != 1 || strides[0] != 1)
    return errors::Unimplemented(loc, ": Pooling is not yet supported on the batch dimension.");
  if (ksize[3] != 1 || strides[3] != 1)
    return errors::Unimplemented(loc, ": ", node.op(),
                                 " across the depth dimension is not supported by tfport");
  for (int i = 1; i < 3; ++i) {
    if (ksize[static_cast<size_t>(i)] <= 0)
      return errors::InvalidArgument(loc, ": Sliding window ksize for dimension ", i,
                                     " was zero or negative.");
    if (strides[static_cast<size_t>(i)] <= 0)
      return errors::InvalidArgument(loc, ": Sliding window stride for dimension ", i,
                                     " was zero or negative.");
  }
  Window2D w;
  w.k_h = ksize[1];
  w.k_w = ksize[2];
  w.stride_h = strides[1];
  w.stride_w = strides[2];
  TFPORT_ASSIGN_OR_RETURN(w.padding, PaddingAttr(node));
  return w;
}

namespace {

using graph::NodeLocation;


struct PoolGeometry {
  int64_t batch, in_h, in_w, depth, out_h, out_w, pad_top, pad_left;
};

// The identity of max: -inf for floating types (so a window of -inf gives -inf).
template <typename T>
T Lowest() {
  if constexpr (std::numeric_limits<T>::has_infinity) {
    return -std::numeric_limits<T>::infinity();
  } else {
    return std::numeric_limits<T>::lowest();
  }
}

template <typename T>
void Pool(const PoolGeometry& g, const Window2D& w, bool max, const T* in, T* out,
          ThreadPool* pool) {
  ParallelFor(pool, g.batch * g.out_h, g.out_w * w.k_h * w.k_w * g.depth,
              [&](int64_t a, int64_t b) {
    for (int64_t row = a; row < b; ++row) {
      const int64_t n = row / g.out_h, oh = row % g.out_h;
      const int64_t hs = oh * w.stride_h - g.pad_top;
      const int64_t h0 = std::max<int64_t>(hs, 0), h1 = std::min(hs + w.k_h, g.in_h);
      for (int64_t ow = 0; ow < g.out_w; ++ow) {
        const int64_t ws = ow * w.stride_w - g.pad_left;
        const int64_t w0 = std::max<int64_t>(ws, 0), w1 = std::min(ws + w.k_w, g.in_w);
        T* o = out + ((n * g.out_h + oh) * g.out_w + ow) * g.depth;
        std::fill(o, o + g.depth, max ? Lowest<T>() : T{});
        for (int64_t ih = h0; ih < h1; ++ih) {
          for (int64_t iw = w0; iw < w1; ++iw) {
            const T* x = in + ((n * g.in_h + ih) * g.in_w + iw) * g.depth;
            if (max) {
              for (int64_t c = 0; c < g.depth; ++c) o[c] = x[c] > o[c] ? x[c] : o[c];
            } else {
              for (int64_t c = 0; c < g.depth; ++c) o[c] += x[c];
            }
          }
        }
        if (!max) {
          const int64_t count = std::max<int64_t>(h1 - h0, 0) * std::max<int64_t>(w1 - w0, 0);
          if (count > 0)
            for (int64_t c = 0; c < g.depth; ++c) o[c] /= static_cast<T>(count);
        }
      }
    }
  });
}

Result<std::unique_ptr<OpKernel>> MakePool(const graph::Node& node, bool max) {
  TFPORT_ASSIGN_OR_RETURN(DataType dtype, graph::GetTypeAttr(node.def(), "T"));
  bool supported = dtype == DT_FLOAT || dtype == DT_DOUBLE || IsHalfLike(dtype);
  if (max) {
    for (DataType t : {DT_INT32, DT_INT64, DT_UINT8, DT_INT16, DT_INT8, DT_UINT16})
      supported = supported || dtype == t;
  }
  if (!supported) return runtime::NoKernelFor(node);
  TFPORT_ASSIGN_OR_RETURN(Window2D win, ParsePoolAttrs(node));
  return std::unique_ptr<OpKernel>(new FunctionKernel([=](OpKernelContext& ctx) -> Status {
    const Tensor& input = ctx.input(0);
    TFPORT_RETURN_IF_ERROR(CheckInputType(input, dtype, 0));
    const Shape& s = input.shape();
    if (s.rank() != 4)
      return errors::InvalidArgument("input must be 4-dimensional", s.DebugString());
    TFPORT_ASSIGN_OR_RETURN(WindowDim h, ComputeWindow(s.dim(1), win.k_h, win.stride_h, 1,
                                                       win.padding));
    TFPORT_ASSIGN_OR_RETURN(WindowDim w, ComputeWindow(s.dim(2), win.k_w, win.stride_w, 1,
                                                       win.padding));
    PoolGeometry g{s.dim(0), s.dim(1), s.dim(2), s.dim(3), h.out, w.out, h.pad_before,
                   w.pad_before};
    Shape out_shape{g.batch, g.out_h, g.out_w, g.depth};
    TFPORT_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, dtype, out_shape));
    if (out->num_elements() == 0) return OkStatus();
    ThreadPool* pool = ctx.intra_op_pool();
    if (IsHalfLike(dtype)) {
      TFPORT_ASSIGN_OR_RETURN(Tensor xf, ToFloat(input));
      TFPORT_ASSIGN_OR_RETURN(Tensor yf, Tensor::Allocate(DT_FLOAT, out_shape, false));
      Pool<float>(g, win, max, xf.flat<float>().data(), yf.flat<float>().data(), pool);
      FromFloat(yf, out);
      return OkStatus();
    }
    return DispatchReal(dtype, [&]<typename T>() {
      Pool<T>(g, win, max, input.flat<T>().data(), out->flat<T>().data(), pool);
      return OkStatus();
    });
  }));
}

}  // namespace

void RegisterPoolingKernels(KernelRegistry& r) {
  MustRegister(r, "MaxPool", [](const graph::Node& n) { return MakePool(n, /*max=*/true); });
  MustRegister(r, "AvgPool", [](const graph::Node& n) { return MakePool(n, /*max=*/false); });
}

}  // namespace tfport::kernels::nn
