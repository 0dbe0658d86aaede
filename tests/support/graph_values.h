// Test helpers: constants for graphs built in tests, and tensor values as
// std::vector for matchers.
#pragma once

#include <cstdint>
#include <vector>

#include <gtest/gtest.h>

#include "tfport/core/tensor.h"
#include "tfport/graph/import.h"
#include "tfport/graph/ops.h"
#include "tfport/kernels/kernels.h"

namespace tfport::testing {

template <typename T>
std::vector<T> Values(const Tensor& t) {
  auto f = t.flat<T>();
  return std::vector<T>(f.begin(), f.end());
}

inline graph::Output I32(graph::Graph& g, int32_t v) { return ops::Const(g, v); }
inline graph::Output I32s(graph::Graph& g, const std::vector<int32_t>& v) {
  return ops::Const(g, Tensor::FromVector<int32_t>(v, Shape{static_cast<int64_t>(v.size())}));
}
inline graph::Output I64s(graph::Graph& g, const std::vector<int64_t>& v) {
  return ops::Const(g, Tensor::FromVector<int64_t>(v, Shape{static_cast<int64_t>(v.size())}));
}
inline graph::Output F32s(graph::Graph& g, const std::vector<float>& v, Shape shape) {
  return ops::Const(g, Tensor::FromVector<float>(v, std::move(shape)));
}

// `gd` imported into a fresh graph and run once in a new session; empty
// (with a test failure) on error.
inline std::vector<Tensor> RunGraphDef(const tf::GraphDef& gd,
                                       const std::vector<std::pair<std::string, Tensor>>& feeds,
                                       const std::vector<std::string>& fetches) {
  auto g = graph::GraphFromGraphDef(gd);
  EXPECT_TRUE(g.ok()) << g.status().ToString();
  if (!g.ok()) return {};
  auto out = kernels::NewSession(**g)->Run(feeds, fetches);
  EXPECT_TRUE(out.ok()) << out.status().ToString();
  return out.ok() ? *out : std::vector<Tensor>{};
}

}  // namespace tfport::testing
