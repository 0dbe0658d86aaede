// Conv2D and DepthwiseConv2dNative, NHWC, SAME/VALID, strides, dilations.
//
// Conv2D lowers to GEMM: every output pixel's receptive field is gathered
// into one row of a patch matrix ([kh, kw, c] order, zeros where the window
// hangs over the padding), and the patch matrix times the filter viewed as a
// [kh*kw*c, out_c] matrix is the NHWC output. Rows are processed in chunks
// so the patch buffer stays small; a 1x1 stride-1 convolution multiplies the
// input directly. Depthwise convolution is a direct loop: a reference for
// any channel multiplier, and a register-blocked, vectorizable fast path for
// multiplier 1 (tested against each other). half and bfloat16 are computed
// in float.
#include <algorithm>
#include <memory>

#include "kernels/nn/nn_internal.h"

namespace tfport::kernels::nn {

// Checks strides / dilations / padding / data_format once, when the kernel
// is created (messages as TensorFlow's conv ops).
Result<Window2D> ParseConvAttrs(const graph::Node& node) {
  const std::string loc = graph::NodeLocation(node.def());
  TFPORT_RETURN_IF_ERROR(RequireNhwc(node));
  TFPORT_ASSIGN_OR_RETURN(std::vector<int64_t> strides,
                          graph::GetIntListAttr(node.def(), "strides"));
  std::vector<int64_t> dilations = {1, 1, 1, 1};
  if (graph::FindAttr(node.def(), "dilations") != nullptr) {
    TFPORT_ASSIGN_OR_RETURN(dilations, graph::GetIntListAttr(node.def(), "dilations"));
  }
  if (strides.size() != 4)
    return errors::InvalidArgument(loc, ": Sliding window strides field must specify 4 dimensions");
  if (dilations.size() != 4)
    return errors::InvalidArgument(loc,
                                   ": Sliding window dilations field must specify 4 dimensions");
  if (strides[0] != 1 || strides[3] != 1)
    return errors::Unimplemented(
        loc, ": Current implementation does not yet support strides in the batch and depth "
             "dimensions.");
  if (dilations[0] != 1 || dilations[3] != 1)
    return errors::Unimplemented(
        loc, ": Current implementation does not yet support dilations in the batch and depth "
             "dimensions.");
  if (strides[1] <= 0 || strides[2] <= 0)
    return errors::InvalidArgument(loc, ": Row and column strides should be larger than 0.");
  if (dilations[1] <= 0 || dilations[2] <= 0)
    return errors::InvalidArgument(loc, ": Dilated rates should be larger than 0.");
  Window2D w;
  w.stride_h = strides[1];
  w.stride_w = strides[2];
  w.dilation_h = dilations[1];
  w.dilation_w = dilations[2];
  TFPORT_ASSIGN_OR_RETURN(w.padding, PaddingAttr(node));
  return w;
}

// Shapes of input and filter against each other; fills the geometry.
Result<ConvGeometry> ConvGeometryOf(const Shape& is, const Shape& fs, const Window2D& win) {
  if (is.rank() != 4)
    return errors::InvalidArgument("input must be 4-dimensional", is.DebugString());
  if (fs.rank() != 4)
    return errors::InvalidArgument("filter must be 4-dimensional: ", fs.DebugString());
  if (is.dim(3) != fs.dim(2))
    return errors::InvalidArgument("input and filter must have the same depth: ", is.dim(3),
                                   " vs ", fs.dim(2));
  ConvGeometry g;
  g.win = win;
  g.batch = is.dim(0);
  g.in_h = is.dim(1);
  g.in_w = is.dim(2);
  g.in_c = is.dim(3);
  g.k_h = fs.dim(0);
  g.k_w = fs.dim(1);
  g.out_c = fs.dim(3);
  TFPORT_ASSIGN_OR_RETURN(WindowDim h,
                          ComputeWindow(g.in_h, g.k_h, win.stride_h, win.dilation_h, win.padding));
  TFPORT_ASSIGN_OR_RETURN(WindowDim w,
                          ComputeWindow(g.in_w, g.k_w, win.stride_w, win.dilation_w, win.padding));
  g.out_h = h.out;
  g.out_w = w.out;
  g.pad_top = h.pad_before;
  g.pad_left = w.pad_before;
  return g;
}

namespace {

template <typename T>
Status Conv2DNhwc(const ConvGeometry& g, const T* in, const T* filt, T* out, ThreadPool* pool,
                  bool reference) {
  const int64_t patch = g.k_h * g.k_w * g.in_c;
  const int64_t rows = g.batch * g.out_h * g.out_w;
  if (rows == 0 || g.out_c == 0) return OkStatus();
  const Window2D& w = g.win;
  if (g.k_h == 1 && g.k_w == 1 && w.stride_h == 1 && w.stride_w == 1) {
    // Pointwise: the input already is the patch matrix (no padding possible).
    return Gemm<T>(false, false, false, rows, g.out_c, g.in_c, in, g.in_c, filt, g.out_c, out,
                   g.out_c, pool, reference);
  }
  constexpr int64_t kMaxPatchElements = int64_t{1} << 22;  // 16 MiB of float
  const int64_t chunk = std::clamp<int64_t>(kMaxPatchElements / std::max<int64_t>(patch, 1), 1,
                                            rows);
  std::unique_ptr<T[]> patches(new T[static_cast<size_t>(chunk * patch)]);
  for (int64_t r0 = 0; r0 < rows; r0 += chunk) {
    const int64_t r1 = std::min(rows, r0 + chunk);
    ParallelFor(pool, r1 - r0, patch, [&](int64_t a, int64_t b) {
      for (int64_t r = r0 + a; r < r0 + b; ++r) {
        const int64_t n = r / (g.out_h * g.out_w);
        const int64_t oh = (r / g.out_w) % g.out_h;
        const int64_t ow = r % g.out_w;
        T* dst = patches.get() + (r - r0) * patch;
        for (int64_t kh = 0; kh < g.k_h; ++kh) {
          const int64_t ih = oh * w.stride_h - g.pad_top + kh * w.dilation_h;
          for (int64_t kw = 0; kw < g.k_w; ++kw, dst += g.in_c) {
            const int64_t iw = ow * w.stride_w - g.pad_left + kw * w.dilation_w;
            if (ih < 0 || ih >= g.in_h || iw < 0 || iw >= g.in_w) {
              std::fill(dst, dst + g.in_c, T{});
            } else {
              const T* src = in + ((n * g.in_h + ih) * g.in_w + iw) * g.in_c;
              std::copy(src, src + g.in_c, dst);
            }
          }
        }
      }
    });
    TFPORT_RETURN_IF_ERROR(Gemm<T>(false, false, false, r1 - r0, g.out_c, patch, patches.get(),
                                   patch, filt, g.out_c, out + r0 * g.out_c, g.out_c, pool,
                                   reference));
  }
  return OkStatus();
}

// The reference: out[n, oh, ow, c * mult + m] = sum over the window of
// in[n, ih, iw, c] * filter[kh, kw, c, m].
template <typename T>
void DepthwiseNhwcReference(const ConvGeometry& g, const T* in, const T* filt, T* out, ThreadPool* pool) {
  const int64_t mult = g.out_c;
  const int64_t out_depth = g.in_c * mult;
  const Window2D& w = g.win;
  ParallelFor(pool, g.batch * g.out_h, g.out_w * g.k_h * g.k_w * out_depth,
              [&](int64_t a, int64_t b) {
    for (int64_t row = a; row < b; ++row) {
      const int64_t n = row / g.out_h, oh = row % g.out_h;
      for (int64_t ow = 0; ow < g.out_w; ++ow) {
        T* o = out + ((n * g.out_h + oh) * g.out_w + ow) * out_depth;
        std::fill(o, o + out_depth, T{});
        for (int64_t kh = 0; kh < g.k_h; ++kh) {
          const int64_t ih = oh * w.stride_h - g.pad_top + kh * w.dilation_h;
          if (ih < 0 || ih >= g.in_h) continue;
          for (int64_t kw = 0; kw < g.k_w; ++kw) {
            const int64_t iw = ow * w.stride_w - g.pad_left + kw * w.dilation_w;
            if (iw < 0 || iw >= g.in_w) continue;
            const T* x = in + ((n * g.in_h + ih) * g.in_w + iw) * g.in_c;
            const T* f = filt + (kh * g.k_w + kw) * out_depth;
            for (int64_t c = 0; c < g.in_c; ++c) {
              const T xv = x[c];
              for (int64_t m = 0; m < mult; ++m) o[c * mult + m] += xv * f[c * mult + m];
            }
          }
        }
      }
    }
  });
}

// The fast path for a channel multiplier of 1 (MobileNet's depthwise
// layers): per output pixel, channels in blocks of kBlock accumulated in
// registers over every tap of the window, the channel loop innermost and
// contiguous in input, filter and output so the compiler vectorizes it.
// Taps that fall into the padding are skipped by precomputed ranges.
template <typename T>
void DepthwiseNhwcMult1(const ConvGeometry& g, const T* in, const T* filt, T* out, ThreadPool* pool) {
  constexpr int64_t kBlock = 32;
  const int64_t C = g.in_c;
  const Window2D& w = g.win;
  ParallelFor(pool, g.batch * g.out_h, g.out_w * g.k_h * g.k_w * C, [&](int64_t a, int64_t b) {
    for (int64_t row = a; row < b; ++row) {
      const int64_t n = row / g.out_h, oh = row % g.out_h;
      // Rows of the window inside the input.
      int64_t kh0 = 0, kh1 = g.k_h;
      while (kh0 < kh1 && oh * w.stride_h - g.pad_top + kh0 * w.dilation_h < 0) ++kh0;
      while (kh1 > kh0 && oh * w.stride_h - g.pad_top + (kh1 - 1) * w.dilation_h >= g.in_h) --kh1;
      for (int64_t ow = 0; ow < g.out_w; ++ow) {
        int64_t kw0 = 0, kw1 = g.k_w;
        while (kw0 < kw1 && ow * w.stride_w - g.pad_left + kw0 * w.dilation_w < 0) ++kw0;
        while (kw1 > kw0 && ow * w.stride_w - g.pad_left + (kw1 - 1) * w.dilation_w >= g.in_w) --kw1;
        T* __restrict o = out + ((n * g.out_h + oh) * g.out_w + ow) * C;
        for (int64_t c0 = 0; c0 < C; c0 += kBlock) {
          const int64_t cn = std::min(kBlock, C - c0);
          T acc[kBlock] = {};
          for (int64_t kh = kh0; kh < kh1; ++kh) {
            const int64_t ih = oh * w.stride_h - g.pad_top + kh * w.dilation_h;
            for (int64_t kw = kw0; kw < kw1; ++kw) {
              const int64_t iw = ow * w.stride_w - g.pad_left + kw * w.dilation_w;
              const T* __restrict x = in + ((n * g.in_h + ih) * g.in_w + iw) * C + c0;
              const T* __restrict f = filt + (kh * g.k_w + kw) * C + c0;
              if (cn == kBlock) {
                for (int64_t j = 0; j < kBlock; ++j) acc[j] += x[j] * f[j];
              } else {
                for (int64_t j = 0; j < cn; ++j) acc[j] += x[j] * f[j];
              }
            }
          }
          std::copy(acc, acc + cn, o + c0);
        }
      }
    }
  });
}

template <typename T>
void DepthwiseNhwc(const ConvGeometry& g, const T* in, const T* filt, T* out, ThreadPool* pool,
                   bool reference) {
  if (!reference && g.out_c == 1) return DepthwiseNhwcMult1<T>(g, in, filt, out, pool);
  DepthwiseNhwcReference<T>(g, in, filt, out, pool);
}

}  // namespace

void DepthwiseConv2DFloat(const ConvGeometry& g, const float* in, const float* filter, float* out,
                          ThreadPool* pool, bool reference) {
  DepthwiseNhwc<float>(g, in, filter, out, pool, reference);
}

namespace {

// Conv2D / DepthwiseConv2dNative. float runs on oneDNN's convolution
// primitive unless `reference`; the reference is the patch-matrix GEMM on
// the blocked loop (dense) or the direct loops (depthwise). double, half and
// bfloat16 take the loops (16-bit types in float) with dnnl_sgemm.
class ConvKernel final : public OpKernel {
 public:
  ConvKernel(DataType dtype, Window2D win, bool depthwise, bool reference)
      : dtype_(dtype), win_(win), depthwise_(depthwise), reference_(reference),
        onednn_(win, depthwise, std::nullopt, std::nullopt, ActivationSpec{}) {}

  Status Compute(OpKernelContext& ctx) const override {
    const Tensor& input = ctx.input(0);
    const Tensor& filter = ctx.input(1);
    TFPORT_RETURN_IF_ERROR(CheckInputType(input, dtype_, 0));
    TFPORT_RETURN_IF_ERROR(CheckInputType(filter, dtype_, 1));
    TFPORT_ASSIGN_OR_RETURN(ConvGeometry g, ConvGeometryOf(input.shape(), filter.shape(), win_));
    Shape out_shape{g.batch, g.out_h, g.out_w, depthwise_ ? g.in_c * g.out_c : g.out_c};
    TFPORT_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, dtype_, out_shape));
    if (out->num_elements() == 0) return OkStatus();
    ThreadPool* pool = ctx.intra_op_pool();
    if (dtype_ == DT_FLOAT && !reference_)
      return onednn_.Run(g, input.flat<float>().data(), filter.flat<float>().data(),
                         out->flat<float>().data(), IntraOpThreads(pool));
    auto run = [&]<typename T>(const Tensor& x, const Tensor& f, Tensor* y) -> Status {
      if (depthwise_) {
        DepthwiseNhwc<T>(g, x.flat<T>().data(), f.flat<T>().data(), y->flat<T>().data(), pool,
                         reference_);
        return OkStatus();
      }
      return Conv2DNhwc<T>(g, x.flat<T>().data(), f.flat<T>().data(), y->flat<T>().data(), pool,
                           reference_);
    };
    if (dtype_ == DT_DOUBLE) return run.template operator()<double>(input, filter, out);
    if (dtype_ == DT_FLOAT) return run.template operator()<float>(input, filter, out);
    TFPORT_ASSIGN_OR_RETURN(Tensor xf, ToFloat(input));
    TFPORT_ASSIGN_OR_RETURN(Tensor ff, ToFloat(filter));
    TFPORT_ASSIGN_OR_RETURN(Tensor yf, Tensor::Allocate(DT_FLOAT, out_shape, false));
    TFPORT_RETURN_IF_ERROR(run.template operator()<float>(xf, ff, &yf));
    FromFloat(yf, out);
    return OkStatus();
  }

 private:
  DataType dtype_;
  Window2D win_;
  bool depthwise_, reference_;
  OneDnnConv onednn_;
};

Result<std::unique_ptr<OpKernel>> MakeConv(const graph::Node& node, bool depthwise,
                                           bool reference) {
  TFPORT_ASSIGN_OR_RETURN(DataType dtype, graph::GetTypeAttr(node.def(), "T"));
  if (dtype != DT_FLOAT && dtype != DT_DOUBLE && !IsHalfLike(dtype))
    return runtime::NoKernelFor(node);
  TFPORT_ASSIGN_OR_RETURN(Window2D win, ParseConvAttrs(node));
  return std::unique_ptr<OpKernel>(new ConvKernel(dtype, win, depthwise, reference));
}

}  // namespace

void RegisterConvKernels(KernelRegistry& r, bool reference) {
  auto add = reference ? MustReplace : MustRegister;
  add(r, "Conv2D", [=](const graph::Node& n) { return MakeConv(n, /*depthwise=*/false, reference); });
  add(r, "DepthwiseConv2dNative",
      [=](const graph::Node& n) { return MakeConv(n, /*depthwise=*/true, reference); });
}

}  // namespace tfport::kernels::nn
