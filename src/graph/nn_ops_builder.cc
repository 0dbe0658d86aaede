// Builders of the nn ops (include/tfport/graph/nn_ops.h).
#include "tfport/graph/nn_ops.h"

namespace tfport::ops {

Output MatMul(Graph& g, Output a, Output b, bool transpose_a, bool transpose_b,
              const std::string& name) {
  return Op(g, {"MatMul",
                {a, b},
                {AttrBool("transpose_a", transpose_a), AttrBool("transpose_b", transpose_b)},
                {},
                name});
}

Output BatchMatMul(Graph& g, Output x, Output y, bool adj_x, bool adj_y, const std::string& name) {
  return Op(g, {"BatchMatMulV2", {x, y}, {AttrBool("adj_x", adj_x), AttrBool("adj_y", adj_y)}, {},
                name});
}

Output BiasAdd(Graph& g, Output value, Output bias, const std::string& data_format,
               const std::string& name) {
  return Op(g, {"BiasAdd", {value, bias}, {AttrString("data_format", data_format)}, {}, name});
}

Output Softmax(Graph& g, Output logits, const std::string& name) {
  return Op(g, {"Softmax", {logits}, {}, {}, name});
}

Output LogSoftmax(Graph& g, Output logits, const std::string& name) {
  return Op(g, {"LogSoftmax", {logits}, {}, {}, name});
}

namespace {

Output Conv(Graph& g, const char* op, Output input, Output filter,
            const std::vector<int64_t>& strides, const std::string& padding,
            const std::string& name, const ConvOptions& options) {
  return Op(g, {op,
                {input, filter},
                {AttrInts("strides", strides), AttrString("padding", padding),
                 AttrString("data_format", options.data_format),
                 AttrInts("dilations", options.dilations)},
                {},
                name});
}

Output Pool(Graph& g, const char* op, Output input, const std::vector<int64_t>& ksize,
            const std::vector<int64_t>& strides, const std::string& padding,
            const std::string& name, const std::string& data_format) {
  return Op(g, {op,
                {input},
                {AttrInts("ksize", ksize), AttrInts("strides", strides),
                 AttrString("padding", padding), AttrString("data_format", data_format)},
                {},
                name});
}

}  // namespace

Output Conv2D(Graph& g, Output input, Output filter, const std::vector<int64_t>& strides,
              const std::string& padding, const std::string& name, const ConvOptions& options) {
  return Conv(g, "Conv2D", input, filter, strides, padding, name, options);
}

Output DepthwiseConv2dNative(Graph& g, Output input, Output filter,
                             const std::vector<int64_t>& strides, const std::string& padding,
                             const std::string& name, const ConvOptions& options) {
  return Conv(g, "DepthwiseConv2dNative", input, filter, strides, padding, name, options);
}

Output MaxPool(Graph& g, Output input, const std::vector<int64_t>& ksize,
               const std::vector<int64_t>& strides, const std::string& padding,
               const std::string& name, const std::string& data_format) {
  return Pool(g, "MaxPool", input, ksize, strides, padding, name, data_format);
}

Output AvgPool(Graph& g, Output input, const std::vector<int64_t>& ksize,
               const std::vector<int64_t>& strides, const std::string& padding,
               const std::string& name, const std::string& data_format) {
  return Pool(g, "AvgPool", input, ksize, strides, padding, name, data_format);
}

FusedBatchNormOutputs FusedBatchNorm(Graph& g, Output x, Output scale, Output offset, Output mean,
                                     Output variance, const std::string& name,
                                     const FusedBatchNormOptions& options) {
  FusedBatchNormOutputs out;
  const char* op = options.version == 1   ? "FusedBatchNorm"
                   : options.version == 2 ? "FusedBatchNormV2"
                                          : "FusedBatchNormV3";
  if (options.version < 1 || options.version > 3) {
    g.RecordError(errors::InvalidArgument("FusedBatchNorm version must be 1, 2 or 3, got ",
                                          options.version));
    return out;
  }
  Node* n = AddOp(g, {op,
                      {x, scale, offset, mean, variance},
                      {AttrFloat("epsilon", options.epsilon),
                       AttrBool("is_training", options.is_training),
                       AttrString("data_format", options.data_format)},
                      {},
                      name});
  if (n == nullptr) return out;
  out.y = n->output(0);
  out.batch_mean = n->output(1);
  out.batch_variance = n->output(2);
  out.reserve_space_1 = n->output(3);
  out.reserve_space_2 = n->output(4);
  if (options.version == 3) out.reserve_space_3 = n->output(5);
  return out;
}

}  // namespace tfport::ops
