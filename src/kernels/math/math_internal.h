// Internal to the math kernels: the per-file registration functions and the
// helpers they share — compile-time type lists turned into typed kernels at
// kernel creation, NumPy broadcasting plans, splitting work over the intra-op
// pool, and integer arithmetic that wraps instead of overflowing (TensorFlow
// wraps in practice; C++ signed overflow would be undefined).
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "kernels/kernels_internal.h"

namespace tfport::kernels::math {

void RegisterBinaryKernels(KernelRegistry& r);     // binary.cc: Add ... LogicalOr
void RegisterUnaryKernels(KernelRegistry& r);      // unary.cc: Neg ... Softplus
void RegisterSelectKernels(KernelRegistry& r);     // select.cc: Select, SelectV2, AddN, Cast
void RegisterReductionKernels(KernelRegistry& r);  // reduction.cc: Sum ... Any, ArgMax, ArgMin

// ---- type lists
template <typename... Ts>
struct Types {};
template <typename A, typename B>
struct Concat;
template <typename... A, typename... B>
struct Concat<Types<A...>, Types<B...>> {
  using type = Types<A..., B...>;
};
template <typename A, typename B>
using ConcatT = typename Concat<A, B>::type;

using FloatTypes = Types<float, double>;
using SignedTypes = Types<int32_t, int64_t, int8_t, int16_t>;
using UnsignedTypes = Types<uint8_t, uint16_t, uint32_t, uint64_t>;
using IntTypes = ConcatT<SignedTypes, UnsignedTypes>;
using RealTypes = ConcatT<FloatTypes, IntTypes>;
using FloatInt = Types<float, double, int32_t, int64_t>;

// Calls make.template operator()<T>() for the T of `types` whose DataType is
// `dtype`; TensorFlow's "No OpKernel was registered" error when none does.
template <typename... Ts, typename Make>
Result<std::unique_ptr<OpKernel>> MakeTyped(Types<Ts...>, DataType dtype, const graph::Node& node,
                                            Make&& make) {
  std::unique_ptr<OpKernel> k;
  ((DataTypeOf<Ts>::value == dtype ? (k = make.template operator()<Ts>(), true) : false) || ...);
  if (!k) return runtime::NoKernelFor(node);
  return k;
}

// The node's type attr (default "T").
Result<DataType> TypeAttr(const graph::Node& node, const char* name = "T");

// ---- wrapping integer arithmetic (floats pass through)
template <typename T>
using WideUnsigned =
    std::conditional_t<(sizeof(T) < sizeof(unsigned)), unsigned, std::make_unsigned_t<T>>;

template <typename T>
inline T WrapAdd(T a, T b) {
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    return static_cast<T>(static_cast<WideUnsigned<T>>(a) + static_cast<WideUnsigned<T>>(b));
  } else {
    return a + b;
  }
}
template <typename T>
inline T WrapSub(T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    return static_cast<T>(static_cast<WideUnsigned<T>>(a) - static_cast<WideUnsigned<T>>(b));
  } else {
    return a - b;
  }
}
template <typename T>
inline T WrapMul(T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    return static_cast<T>(static_cast<WideUnsigned<T>>(a) * static_cast<WideUnsigned<T>>(b));
  } else {
    return a * b;
  }
}

// NaN-propagating max/min (TensorFlow's Maximum/Minimum and Max/Min
// reductions return NaN when either side is NaN).
template <typename T>
inline bool IsNaN(T v) {
  if constexpr (std::is_floating_point_v<T>) {
    return std::isnan(v);
  } else {
    return false;
  }
}
template <typename T>
inline T MaxNaN(T a, T b) {
  return (a > b || IsNaN(a)) ? a : b;
}
template <typename T>
inline T MinNaN(T a, T b) {
  return (a < b || IsNaN(a)) ? a : b;
}

// body(i) for every i in [0, n), in blocks of fixed size: GCC's default
// cost model at -O2 only vectorizes loops that need no scalar epilogue, so
// the fixed-count inner loop is what gets vectorized. Pointers the body
// writes through should be __restrict-qualified.
template <typename Body>
inline void VecFor(int64_t n, Body&& body) {
  constexpr int kBlock = 16;
  int64_t i = 0;
  for (; i + kBlock <= n; i += kBlock)
    for (int k = 0; k < kBlock; ++k) body(i + k);
  for (; i < n; ++i) body(i);
}

// ---- parallelism
// Elementwise kernels split work above this many elements.
inline constexpr int64_t kParallelMinElements = 64 * 1024;

// Runs fn(begin, end) over [0, n): split across the intra-op pool when
// n * cost (elements times rough per-element cost, 1 = an add) is at least
// kParallelMinElements, inline otherwise.
void ParallelRange(OpKernelContext& ctx, int64_t n, int64_t cost,
                   const std::function<void(int64_t, int64_t)>& fn);

// ---- broadcasting
// NumPy broadcasting of up to 3 operands, with adjacent dimensions that
// broadcast alike merged so the innermost loop is as long as possible. In
// the innermost dimension every operand has stride 0 (broadcast) or 1.
struct BroadcastPlan {
  static constexpr int kMaxInputs = 3;
  Shape out_shape;
  int64_t total = 0;                   // output elements
  int num_inputs = 0;
  std::vector<int64_t> dims;           // merged output dims (at least one)
  std::vector<std::array<int64_t, kMaxInputs>> strides;  // per dim, per operand
  std::array<bool, kMaxInputs> inner_bcast{};            // stride 0 in the innermost dim

  // Calls row(offsets, out_offset, count) for each run of the output range
  // [begin, end) that stays within one innermost row; offsets[k] is the
  // element offset of operand k at the run's first element.
  template <typename Row>
  void ForEachRun(int64_t begin, int64_t end, Row&& row) const;
};

// False when the shapes do not broadcast together.
bool MakeBroadcastPlan(const std::vector<Shape>& shapes, BroadcastPlan* plan);

// "Incompatible shapes: [2,3] vs. [4]" (TensorFlow's BinaryOp wording).
Status IncompatibleShapes(const Shape& a, const Shape& b);

template <typename Row>
void BroadcastPlan::ForEachRun(int64_t begin, int64_t end, Row&& row) const {
  if (begin >= end) return;
  const int outer = static_cast<int>(dims.size()) - 1;
  const int64_t inner = dims.back();
  // Multi-index of the first row over the outer dims, and the operands'
  // offsets at the start of that row.
  std::vector<int64_t> idx(dims.size(), 0);
  std::array<int64_t, kMaxInputs> base{};
  int64_t r = begin / inner;
  for (int d = outer - 1; d >= 0; --d) {
    idx[d] = r % dims[d];
    r /= dims[d];
    for (int k = 0; k < num_inputs; ++k) base[k] += idx[d] * strides[d][k];
  }
  int64_t col = begin % inner;
  for (int64_t pos = begin; pos < end;) {
    const int64_t count = std::min(inner - col, end - pos);
    std::array<int64_t, kMaxInputs> off{};
    for (int k = 0; k < num_inputs; ++k) off[k] = base[k] + (inner_bcast[k] ? 0 : col);
    row(off, pos, count);
    pos += count;
    col = 0;
    for (int d = outer - 1; d >= 0; --d) {  // next row
      if (++idx[d] < dims[d]) {
        for (int k = 0; k < num_inputs; ++k) base[k] += strides[d][k];
        break;
      }
      for (int k = 0; k < num_inputs; ++k) base[k] -= (dims[d] - 1) * strides[d][k];
      idx[d] = 0;
    }
  }
}

}  // namespace tfport::kernels::math
