// tfport: builders for the nn ops (MatMul, convolution, pooling, batch norm,
// softmax, bias), following ops.h's conventions: graph first, optional name,
// errors recorded in g.status(), type attrs inferred from the inputs.
//
//   auto y = ops::Conv2D(g, x, w, {1, 2, 2, 1}, "SAME");
//   auto z = ops::Softmax(g, ops::BiasAdd(g, ops::MatMul(g, h, w2), b));
#pragma once

#include <string>
#include <vector>

#include "tfport/graph/ops.h"

namespace tfport::ops {

// tf.linalg.matmul on two matrices (MatMul).
Output MatMul(Graph& g, Output a, Output b, bool transpose_a = false, bool transpose_b = false,
              const std::string& name = "");
// tf.linalg.matmul on batches: BatchMatMulV2 (broadcasting batch dims);
// adj_* take the conjugate transpose.
Output BatchMatMul(Graph& g, Output x, Output y, bool adj_x = false, bool adj_y = false,
                   const std::string& name = "");

// tf.nn.bias_add: data_format "NHWC" (bias on the last dimension) or "NCHW"
// (bias on dimension 1).
Output BiasAdd(Graph& g, Output value, Output bias, const std::string& data_format = "NHWC",
               const std::string& name = "");

Output Softmax(Graph& g, Output logits, const std::string& name = "");
Output LogSoftmax(Graph& g, Output logits, const std::string& name = "");

struct ConvOptions {
  std::string data_format = "NHWC";
  std::vector<int64_t> dilations = {1, 1, 1, 1};
};

// tf.nn.conv2d: input [N, H, W, C], filter [KH, KW, C, OC], strides of
// length 4, padding "SAME" or "VALID".
Output Conv2D(Graph& g, Output input, Output filter, const std::vector<int64_t>& strides,
              const std::string& padding, const std::string& name = "",
              const ConvOptions& options = {});
// tf.nn.depthwise_conv2d_native: filter [KH, KW, C, multiplier].
Output DepthwiseConv2dNative(Graph& g, Output input, Output filter,
                             const std::vector<int64_t>& strides, const std::string& padding,
                             const std::string& name = "", const ConvOptions& options = {});

// tf.nn.max_pool / tf.nn.avg_pool: ksize and strides of length 4.
Output MaxPool(Graph& g, Output input, const std::vector<int64_t>& ksize,
               const std::vector<int64_t>& strides, const std::string& padding,
               const std::string& name = "", const std::string& data_format = "NHWC");
Output AvgPool(Graph& g, Output input, const std::vector<int64_t>& ksize,
               const std::vector<int64_t>& strides, const std::string& padding,
               const std::string& name = "", const std::string& data_format = "NHWC");

struct FusedBatchNormOptions {
  float epsilon = 0.0001f;  // the OpDef default
  bool is_training = true;  // the OpDef default
  std::string data_format = "NHWC";
  int version = 3;  // 1: FusedBatchNorm, 2: FusedBatchNormV2, 3: FusedBatchNormV3
};
struct FusedBatchNormOutputs {
  Output y, batch_mean, batch_variance, reserve_space_1, reserve_space_2;
  Output reserve_space_3;  // V3 only
};
// The FusedBatchNorm op of the chosen version; in training mode TensorFlow's
// Python passes empty mean / variance tensors, any 1-D tensor is accepted.
FusedBatchNormOutputs FusedBatchNorm(Graph& g, Output x, Output scale, Output offset, Output mean,
                                     Output variance, const std::string& name = "",
                                     const FusedBatchNormOptions& options = {});

}  // namespace tfport::ops
