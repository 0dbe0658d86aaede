// Test helpers: constants for graphs built in tests, and tensor values as
// std::vector for matchers.
#pragma once

#include <cstdint>
#include <vector>

#include "tfport/core/tensor.h"
#include "tfport/graph/ops.h"

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

}  // namespace tfport::testing
