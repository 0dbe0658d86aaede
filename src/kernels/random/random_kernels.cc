// Kernels of TensorFlow's stateful random ops: RandomUniform,
// RandomStandardNormal, TruncatedNormal and RandomUniformInt, producing
// TensorFlow's exact numbers for the same (seed, seed2) attrs.
//
// How TensorFlow fills an output (core/kernels/random_op.cc), reproduced here:
//   - each kernel owns one generator (philox.h) seeded from the attrs; a run
//     producing n values takes the generator's current state and moves the
//     shared state on by n * 256 counter steps, so the next run (or a
//     concurrent one) continues from there;
//   - the output is produced in groups of G values (4 for 32-bit and 16-bit
//     types, 2 for 64-bit ones). For uniform, normal and int distributions
//     group g is made from counter step g of that state's stream (one Philox
//     block per group); the last group is truncated;
//   - truncated normals consume a variable number of words, so group g starts
//     from the state advanced by g * G * 256 / 4 steps and reads the words of
//     successive blocks one at a time, drawing Box-Muller pairs and keeping
//     values with |x| < 2 until G are kept.
// Because each group's start is fixed, filling shards in parallel gives the
// same values as the sequential fill.
#include <array>
#include <cmath>
#include <mutex>
#include <type_traits>

#include "kernels/array/array_internal.h"
#include "kernels/kernels_internal.h"
#include "kernels/random/philox.h"

namespace tfport::kernels {
namespace {

using random::Philox4x32;

// Counter steps TensorFlow reserves per output value.
constexpr uint64_t kStepsPerOutput = 256;

// ---- distributions: G values from a generator positioned at a group start

template <typename T>
struct Uniform;
template <>
struct Uniform<float> {
  static constexpr int kGroup = 4;
  void operator()(Philox4x32& gen, float* out) const {
    const auto b = gen.Next();
    for (int i = 0; i < 4; ++i) out[i] = random::BitsToUnitFloat(b[static_cast<size_t>(i)]);
  }
};
template <>
struct Uniform<double> {
  static constexpr int kGroup = 2;
  void operator()(Philox4x32& gen, double* out) const {
    const auto b = gen.Next();
    out[0] = random::BitsToUnitDouble(b[0], b[1]);
    out[1] = random::BitsToUnitDouble(b[2], b[3]);
  }
};
template <>
struct Uniform<Half> {
  static constexpr int kGroup = 4;
  void operator()(Philox4x32& gen, Half* out) const {
    const auto b = gen.Next();
    for (int i = 0; i < 4; ++i) out[i] = random::BitsToUnitHalf(b[static_cast<size_t>(i)]);
  }
};
template <>
struct Uniform<BFloat16> {
  static constexpr int kGroup = 4;
  void operator()(Philox4x32& gen, BFloat16* out) const {
    const auto b = gen.Next();
    for (int i = 0; i < 4; ++i) out[i] = random::BitsToUnitBFloat16(b[static_cast<size_t>(i)]);
  }
};

// float -> T for the 16-bit types (normals are computed in float).
template <typename T>
T FromFloat(float f) {
  if constexpr (std::is_same_v<T, float>) {
    return f;
  } else {
    return T::FromFloat(f);
  }
}

template <typename T>
struct Normal {  // float, Half, BFloat16
  static constexpr int kGroup = 4;
  void operator()(Philox4x32& gen, T* out) const {
    const auto b = gen.Next();
    float f[4];
    random::BoxMullerFloat(b[0], b[1], &f[0], &f[1]);
    random::BoxMullerFloat(b[2], b[3], &f[2], &f[3]);
    for (int i = 0; i < 4; ++i) out[i] = FromFloat<T>(f[i]);
  }
};
template <>
struct Normal<double> {
  static constexpr int kGroup = 2;
  void operator()(Philox4x32& gen, double* out) const {
    const auto b = gen.Next();
    random::BoxMullerDouble(b[0], b[1], b[2], b[3], &out[0], &out[1]);
  }
};

// lo + bits % (hi - lo), with the range and the sum in unsigned arithmetic
// (hi - lo may not fit the signed type).
template <typename T>
struct UniformInt {
  using U = std::make_unsigned_t<T>;
  static constexpr int kGroup = sizeof(T) == 4 ? 4 : 2;
  T lo;
  U range;
  void operator()(Philox4x32& gen, T* out) const {
    const auto b = gen.Next();
    for (int i = 0; i < kGroup; ++i) {
      U bits;
      if constexpr (sizeof(T) == 4) {
        bits = b[static_cast<size_t>(i)];
      } else {
        bits = uint64_t{b[static_cast<size_t>(2 * i)]} |
               (uint64_t{b[static_cast<size_t>(2 * i + 1)]} << 32);
      }
      out[i] = static_cast<T>(static_cast<U>(static_cast<U>(lo) + bits % range));
    }
  }
};

// Hands out the words of successive blocks one at a time.
class WordStream {
 public:
  explicit WordStream(Philox4x32& gen) : gen_(gen) {}
  uint32_t operator()() {
    if (used_ == 4) {
      block_ = gen_.Next();
      used_ = 0;
    }
    return block_[static_cast<size_t>(used_++)];
  }

 private:
  Philox4x32& gen_;
  Philox4x32::Block block_{};
  int used_ = 4;
};

template <typename T>
struct TruncatedNormal {  // float, Half, BFloat16
  static constexpr int kGroup = 4;
  void operator()(Philox4x32& gen, T* out) const {
    WordStream words(gen);
    int kept = 0;
    for (;;) {
      const uint32_t x0 = words();
      const uint32_t x1 = words();
      float f[2];
      random::BoxMullerFloat(x0, x1, &f[0], &f[1]);
      for (float v : f) {
        if (std::fabs(v) < 2.0f) {
          out[kept++] = FromFloat<T>(v);
          if (kept == kGroup) return;
        }
      }
    }
  }
};
template <>
struct TruncatedNormal<double> {
  static constexpr int kGroup = 2;
  void operator()(Philox4x32& gen, double* out) const {
    WordStream words(gen);
    int kept = 0;
    for (;;) {
      const uint32_t x0 = words(), x1 = words(), x2 = words(), x3 = words();
      double d[2];
      random::BoxMullerDouble(x0, x1, x2, x3, &d[0], &d[1]);
      for (double v : d) {
        if (std::fabs(v) < 2.0) {
          out[kept++] = v;
          if (kept == kGroup) return;
        }
      }
    }
  }
};

template <typename D>
constexpr bool kVariableSamples = false;
template <typename T>
constexpr bool kVariableSamples<TruncatedNormal<T>> = true;

// Fills groups [begin, end) of out (n values) from `base`, the state the run
// reserved.
template <typename T, typename D>
void FillGroups(const D& dist, const Philox4x32& base, T* out, int64_t n, int64_t begin,
                int64_t end) {
  constexpr int G = D::kGroup;
  constexpr uint64_t kSkipPerGroup = G * kStepsPerOutput / 4;
  Philox4x32 gen = base;
  if constexpr (!kVariableSamples<D>) gen.Skip(static_cast<uint64_t>(begin));
  for (int64_t g = begin; g < end; ++g) {
    if constexpr (kVariableSamples<D>) {
      gen = base;
      gen.Skip(static_cast<uint64_t>(g) * kSkipPerGroup);
    }
    const int64_t offset = g * G;
    if (n - offset >= G) {
      dist(gen, out + offset);
    } else {
      T tail[G];
      dist(gen, tail);
      std::copy(tail, tail + (n - offset), out + offset);
    }
  }
}

template <typename T, typename D>
void Fill(OpKernelContext& ctx, const D& dist, const Philox4x32& base, T* out, int64_t n) {
  constexpr int G = D::kGroup;
  const int64_t groups = (n + G - 1) / G;
  ThreadPool* pool = ctx.intra_op_pool();
  constexpr int64_t kMinGroupsPerShard = 4096;
  if (pool == nullptr || pool->num_threads() == 0 || groups < 2 * kMinGroupsPerShard) {
    FillGroups<T>(dist, base, out, n, 0, groups);
    return;
  }
  pool->ParallelForRange(static_cast<size_t>(groups), kMinGroupsPerShard,
                         [&](size_t begin, size_t end) {
                           FillGroups<T>(dist, base, out, n, static_cast<int64_t>(begin),
                                         static_cast<int64_t>(end));
                         });
}

// The output shape from the 1-D int32/int64 `shape` input.
Result<Shape> OutputShape(const Tensor& shape) {
  if (shape.shape().rank() != 1 || (shape.dtype() != DT_INT32 && shape.dtype() != DT_INT64))
    return errors::InvalidArgument("shape must be a vector of {int32,int64}, got shape ",
                                   shape.shape().DebugString());
  TFPORT_ASSIGN_OR_RETURN(std::vector<int64_t> dims, array::IntValues(shape, "shape"));
  return array::MakeShape(dims);
}

// A kernel owning the per-node generator (GuardedPhiloxRandom's role).
class RandomKernel : public OpKernel {
 public:
  RandomKernel(int64_t seed, int64_t seed2) {
    auto s = static_cast<uint64_t>(seed), s2 = static_cast<uint64_t>(seed2);
    if (s == 0 && s2 == 0) {
      s = random::NondeterministicSeed();
      s2 = random::NondeterministicSeed();
    }
    gen_ = Philox4x32::FromSeeds(s, s2);
  }

 protected:
  // The state for a run producing n values; moves the shared state past it.
  Philox4x32 Reserve(int64_t n) const {
    std::lock_guard<std::mutex> lock(mu_);
    Philox4x32 local = gen_;
    gen_.Skip(static_cast<uint64_t>(n) * kStepsPerOutput);
    return local;
  }

 private:
  mutable std::mutex mu_;
  mutable Philox4x32 gen_;
};

enum class Kind { kUniform, kNormal, kTruncatedNormal };

class FloatRandomKernel final : public RandomKernel {
 public:
  FloatRandomKernel(int64_t seed, int64_t seed2, DataType dtype, Kind kind)
      : RandomKernel(seed, seed2), dtype_(dtype), kind_(kind) {}

  Status Compute(OpKernelContext& ctx) const override {
    TFPORT_ASSIGN_OR_RETURN(Shape shape, OutputShape(ctx.input(0)));
    TFPORT_ASSIGN_OR_RETURN(Tensor* out, ctx.allocate_output(0, dtype_, shape));
    const int64_t n = out->num_elements();
    const Philox4x32 base = Reserve(n);
    switch (dtype_) {
      case DT_FLOAT:
        return Run<float>(ctx, base, *out);
      case DT_DOUBLE:
        return Run<double>(ctx, base, *out);
      case DT_HALF:
        return Run<Half>(ctx, base, *out);
      case DT_BFLOAT16:
        return Run<BFloat16>(ctx, base, *out);
      default:
        return errors::Internal("unexpected dtype ", DataTypeName(dtype_));
    }
  }

 private:
  template <typename T>
  Status Run(OpKernelContext& ctx, const Philox4x32& base, Tensor& out) const {
    T* data = out.flat<T>().data();
    const int64_t n = out.num_elements();
    switch (kind_) {
      case Kind::kUniform:
        Fill<T>(ctx, Uniform<T>{}, base, data, n);
        break;
      case Kind::kNormal:
        Fill<T>(ctx, Normal<T>{}, base, data, n);
        break;
      case Kind::kTruncatedNormal:
        Fill<T>(ctx, TruncatedNormal<T>{}, base, data, n);
        break;
    }
    return OkStatus();
  }

  DataType dtype_;
  Kind kind_;
};

class UniformIntKernel final : public RandomKernel {
 public:
  UniformIntKernel(int64_t seed, int64_t seed2, DataType dtype)
      : RandomKernel(seed, seed2), dtype_(dtype) {}

  Status Compute(OpKernelContext& ctx) const override {
    const Tensor& minval = ctx.input(1);
    const Tensor& maxval = ctx.input(2);
    if (minval.shape().rank() != 0)
      return errors::InvalidArgument("minval must be 0-D, got shape ", minval.shape().DebugString());
    if (maxval.shape().rank() != 0)
      return errors::InvalidArgument("maxval must be 0-D, got shape ", maxval.shape().DebugString());
    if (minval.dtype() != dtype_ || maxval.dtype() != dtype_)
      return errors::InvalidArgument("minval and maxval must be ", DataTypeName(dtype_));
    TFPORT_ASSIGN_OR_RETURN(Shape shape, OutputShape(ctx.input(0)));
    TFPORT_ASSIGN_OR_RETURN(Tensor* out, ctx.allocate_output(0, dtype_, shape));
    if (out->num_elements() == 0) return OkStatus();  // before the range check, as TF
    if (dtype_ == DT_INT32) return Run<int32_t>(ctx, minval, maxval, *out);
    return Run<int64_t>(ctx, minval, maxval, *out);
  }

 private:
  template <typename T>
  Status Run(OpKernelContext& ctx, const Tensor& minval, const Tensor& maxval, Tensor& out) const {
    using U = std::make_unsigned_t<T>;
    const T lo = minval.scalar<T>(), hi = maxval.scalar<T>();
    if (!(lo < hi)) return errors::InvalidArgument("Need minval < maxval, got ", lo, " >= ", hi);
    const int64_t n = out.num_elements();
    const Philox4x32 base = Reserve(n);
    UniformInt<T> dist{lo, static_cast<U>(static_cast<U>(hi) - static_cast<U>(lo))};
    Fill<T>(ctx, dist, base, out.flat<T>().data(), n);
    return OkStatus();
  }

  DataType dtype_;
};

struct Seeds {
  int64_t seed, seed2;
};
Result<Seeds> SeedsOf(const graph::Node& node) {
  TFPORT_ASSIGN_OR_RETURN(int64_t seed, graph::GetIntAttr(node.def(), "seed"));
  TFPORT_ASSIGN_OR_RETURN(int64_t seed2, graph::GetIntAttr(node.def(), "seed2"));
  return Seeds{seed, seed2};
}

runtime::KernelFactory MakeFloatRandom(Kind kind) {
  return [kind](const graph::Node& node) -> Result<std::unique_ptr<OpKernel>> {
    TFPORT_ASSIGN_OR_RETURN(Seeds s, SeedsOf(node));
    TFPORT_ASSIGN_OR_RETURN(DataType dtype, graph::GetTypeAttr(node.def(), "dtype"));
    if (dtype != DT_FLOAT && dtype != DT_DOUBLE && dtype != DT_HALF && dtype != DT_BFLOAT16)
      return runtime::NoKernelFor(node);
    return std::unique_ptr<OpKernel>(new FloatRandomKernel(s.seed, s.seed2, dtype, kind));
  };
}

Result<std::unique_ptr<OpKernel>> MakeUniformInt(const graph::Node& node) {
  TFPORT_ASSIGN_OR_RETURN(Seeds s, SeedsOf(node));
  TFPORT_ASSIGN_OR_RETURN(DataType dtype, graph::GetTypeAttr(node.def(), "Tout"));
  if (dtype != DT_INT32 && dtype != DT_INT64) return runtime::NoKernelFor(node);
  return std::unique_ptr<OpKernel>(new UniformIntKernel(s.seed, s.seed2, dtype));
}

}  // namespace

void RegisterRandomKernels(KernelRegistry& r) {
  MustRegister(r, "RandomUniform", MakeFloatRandom(Kind::kUniform));
  MustRegister(r, "RandomStandardNormal", MakeFloatRandom(Kind::kNormal));
  MustRegister(r, "TruncatedNormal", MakeFloatRandom(Kind::kTruncatedNormal));
  MustRegister(r, "RandomUniformInt", MakeUniformInt);
}

}  // namespace tfport::kernels
