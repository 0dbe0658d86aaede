// Internal to the nn kernels: the per-file registration functions and the
// helpers they share (16-bit float conversion, window geometry for
// convolution and pooling, GEMM, splitting work over the intra-op pool).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "kernels/kernels_internal.h"

namespace tfport::kernels::nn {

// `reference`: replace the registered fast kernels by their reference paths.
void RegisterMatMulKernels(KernelRegistry& r, bool reference);  // matmul.cc: MatMul, BatchMatMul{,V2}
void RegisterConvKernels(KernelRegistry& r, bool reference);    // conv.cc: Conv2D, DepthwiseConv2dNative
// fused_conv.cc: the fusion rule for convolutions with bias, batch norm, activation.
void RegisterConvFusion(KernelRegistry& r);
void RegisterPoolingKernels(KernelRegistry& r);    // pooling.cc: MaxPool, AvgPool
void RegisterBatchNormKernels(KernelRegistry& r);  // batch_norm.cc: FusedBatchNorm{,V2,V3}
void RegisterSoftmaxKernels(KernelRegistry& r);    // softmax.cc: Softmax, LogSoftmax, BiasAdd

// ---- 16-bit floats: computed in float and rounded once at the end.
bool IsHalfLike(DataType dtype);  // DT_HALF or DT_BFLOAT16
// A float copy of a half/bfloat16 tensor; a float tensor is returned as is.
Result<Tensor> ToFloat(const Tensor& t);
// Writes the float tensor `f` into `out` (same element count; dtype half,
// bfloat16 or float).
void FromFloat(const Tensor& f, Tensor* out);

// ---- kernel plumbing
// INVALID_ARGUMENT unless `t` has dtype `want` (input `i` of the op).
Status CheckInputType(const Tensor& t, DataType want, int i);

// Runs fn(begin, end) over [0, n) on `pool` (the intra-op pool; may be
// null) when the work (n * cost_per_item, in rough flops) is worth
// splitting, inline otherwise.
void ParallelFor(ThreadPool* pool, int64_t n, int64_t cost_per_item,
                 const std::function<void(int64_t, int64_t)>& fn);

// ---- convolution / pooling geometry
enum class Padding { kValid, kSame };

// Parsed and checked "strides" / "dilations" / "ksize" style attrs.
struct Window2D {
  int64_t stride_h = 1, stride_w = 1;
  int64_t dilation_h = 1, dilation_w = 1;
  int64_t k_h = 1, k_w = 1;  // pooling only (convolutions take them from the filter)
  Padding padding = Padding::kValid;
};

// One spatial dimension: output size and the padding before the first element.
struct WindowDim {
  int64_t out = 0;
  int64_t pad_before = 0;
};
// TensorFlow's GetWindowedOutputSize: VALID out = (in - eff + stride) / stride
// (truncating, so a window one larger than the input gives 0), SAME out =
// ceil(in / stride), pad_total = max((out-1)*stride + eff - in, 0),
// pad_before = pad_total / 2, where eff = (k-1)*dilation + 1. Errors:
// "Computed output size would be negative: ..." as TensorFlow.
Result<WindowDim> ComputeWindow(int64_t in, int64_t k, int64_t stride, int64_t dilation,
                                Padding padding);

// Reads the "padding" attr ('SAME' or 'VALID').
Result<Padding> PaddingAttr(const graph::Node& node);
// Reads data_format and rejects anything but NHWC with UNIMPLEMENTED
// ("<op> only supports NHWC on CPU, got data_format=NCHW").
Status RequireNhwc(const graph::Node& node);

// Sizes of an NHWC 2-D convolution (Conv2D, DepthwiseConv2dNative and the
// convolution gradients).
struct ConvGeometry {
  int64_t batch = 0, in_h = 0, in_w = 0, in_c = 0;
  int64_t k_h = 0, k_w = 0, out_c = 0;  // out_c: Conv2D filters / depthwise multiplier
  int64_t out_h = 0, out_w = 0;
  int64_t pad_top = 0, pad_left = 0;
  Window2D win;
  int64_t patch() const { return k_h * k_w * in_c; }     // im2col row length
  int64_t rows() const { return batch * out_h * out_w; }  // output pixels
};
// Input [N,H,W,C] and filter [KH,KW,C,OC] checked against each other
// (TensorFlow's messages), output size and padding from `win`. conv.cc.
Result<ConvGeometry> ConvGeometryOf(const Shape& input, const Shape& filter, const Window2D& win);

// DepthwiseConv2dNative on float NHWC data (filter [KH,KW,C,mult]): the fast
// path when the multiplier is 1 unless `reference`, the reference loop
// otherwise. Exposed so tests check one against the other. conv.cc.
void DepthwiseConv2DFloat(const ConvGeometry& g, const float* in, const float* filter, float* out,
                          ThreadPool* pool, bool reference);

// The strides / dilations / padding / data_format attrs of a 2-D convolution
// (Conv2D, DepthwiseConv2dNative and their gradients), checked with
// TensorFlow's messages when the kernel is created. conv.cc.
Result<Window2D> ParseConvAttrs(const graph::Node& node);
// The same for pooling (MaxPool, AvgPool, MaxPoolGrad). pooling.cc.
Result<Window2D> ParsePoolAttrs(const graph::Node& node);

// ---- convolution on oneDNN (conv_onednn.cc)
// Activations a convolution can end with (fused as a oneDNN post-op).
enum class Activation { kNone, kRelu, kRelu6, kLeakyRelu, kElu, kSigmoid, kTanh };
struct ActivationSpec {
  Activation kind = Activation::kNone;
  float alpha = 0.0f;  // LeakyRelu's slope; Elu's 1
};

// A float NHWC convolution, dense or depthwise (filter [KH,KW,C,M], output
// channel c*M+m), on oneDNN's convolution primitive with an optional
// per-output-channel bias and activation. A filter given here is a constant
// and is reordered once per primitive; otherwise Run takes it per call.
// Primitives are made per input shape and cached. Thread-safe.
class OneDnnConv {
 public:
  OneDnnConv(Window2D win, bool depthwise, std::optional<Tensor> filter,
             std::optional<Tensor> bias, ActivationSpec act);
  ~OneDnnConv();
  OneDnnConv(const OneDnnConv&) = delete;
  OneDnnConv& operator=(const OneDnnConv&) = delete;

  // `filter` is ignored when the filter was given at construction.
  // `threads`: how many threads oneDNN may use (its OpenMP team).
  Status Run(const ConvGeometry& g, const float* in, const float* filter, float* out,
             int threads) const;

 private:
  struct Primitive;
  Result<std::shared_ptr<const Primitive>> Get(const ConvGeometry& g) const;
  Window2D win_;
  bool depthwise_;
  std::optional<Tensor> filter_, bias_;
  ActivationSpec act_;
  mutable std::mutex mu_;
  mutable std::map<std::vector<int64_t>, std::shared_ptr<const Primitive>> cache_;
};

// Threads a kernel may use on `pool` (the intra-op pool): its workers plus
// the calling thread.
int IntraOpThreads(const ThreadPool* pool);

// ---- GEMM, row-major: C[M,N] = op(A) * op(B) (C is overwritten).
// op(X) is X, X^T (trans) or the conjugate transpose (trans && conj).
// lda/ldb/ldc are the row strides of A, B, C as stored.
// float goes to oneDNN's dnnl_sgemm; every other type runs a blocked loop,
// split over rows on `pool` when given. REQUIRES: M, N, K >= 0. Defined in
// matmul.cc for float, double, int32, int64, complex64 and complex128.
// `reference`: float also runs the blocked loop (to check oneDNN against).
template <typename T>
Status Gemm(bool trans_a, bool trans_b, bool conj, int64_t m, int64_t n, int64_t k, const T* a,
            int64_t lda, const T* b, int64_t ldb, T* c, int64_t ldc, ThreadPool* pool,
            bool reference = false);

}  // namespace tfport::kernels::nn
