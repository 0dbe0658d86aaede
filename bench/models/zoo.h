// Benchmark models written with tfport's graph API, as TensorFlow 1.x /
// tf.keras exports them when frozen: NHWC, Conv2D / DepthwiseConv2dNative
// with BiasAdd where Keras has a bias, FusedBatchNormV3 in inference mode,
// Relu / Relu6, global average pooling as Mean over [1, 2], and a dense
// classifier (MatMul + BiasAdd + Softmax). Weights are random (fixed seed)
// but in realistic ranges, so outputs are not degenerate.
//
// Input "input:0" float [batch, size, size, 3] (batch unknown: -1), output
// "probs:0" [batch, 1000].
#pragma once

#include <string>
#include <vector>

#include "tfport/core/status.h"
#include "tfport/graph/graph.h"

namespace tfport::bench {

struct ZooModel {
  std::string name;          // e.g. "mobilenet_v2"
  Status status;             // the graph builder's; the rest is valid only when ok
  tf::GraphDef graph;
  int64_t image_size = 224;
  double gflops = 0;         // multiply-adds x 2 of the convolutions and MatMuls, batch 1
  double conv_gflops = 0;    // of the convolutions alone
};

// `image_size` other than 224 gives a smaller model of the same layers
// (tests use it to keep the reference kernels quick).
ZooModel MobileNetV1(int64_t image_size = 224);
ZooModel MobileNetV2(int64_t image_size = 224);
ZooModel ResNet50V1(int64_t image_size = 224);
ZooModel InceptionBlocks(int64_t image_size = 224);

std::vector<ZooModel> AllZooModels(int64_t image_size = 224);

}  // namespace tfport::bench
