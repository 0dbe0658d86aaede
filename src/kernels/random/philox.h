// Internal: the Philox4x32-10 counter-based generator and the bit-to-number
// conversions TensorFlow's stateful random ops use, so that graphs with fixed
// seeds produce TensorFlow's exact values.
//
// Philox4x32-10 (Salmon, Moraes, Dror, Shaw: "Parallel Random Numbers: As
// Easy as 1, 2, 3", SC11) maps a 128-bit counter and a 64-bit key to 128
// random bits through 10 rounds of multiply/xor, bumping the key by the Weyl
// constants between rounds. TensorFlow's layout (philox_random.h,
// guarded_philox_random.cc):
//   - the op attrs seed/seed2 (both 0: fresh nondeterministic seeds) give
//     key = {low32(seed), high32(seed)} and
//     counter = {0, 0, low32(seed2), high32(seed2)};
//   - each call returns 4 words for the current counter, then adds 1 to the
//     counter (a 128-bit little-endian number, word 0 lowest);
//   - Skip(n) adds n to the counter.
#pragma once

#include <array>
#include <cstdint>

#include "tfport/core/dtype.h"

namespace tfport::kernels::random {

class Philox4x32 {
 public:
  using Block = std::array<uint32_t, 4>;
  using Key = std::array<uint32_t, 2>;

  Philox4x32() = default;
  Philox4x32(const Block& counter, const Key& key) : counter_(counter), key_(key) {}

  // The generator of TensorFlow's GuardedPhiloxRandom for seeds (seed, seed2)
  // (no substitution of zero seeds here).
  static Philox4x32 FromSeeds(uint64_t seed, uint64_t seed2);

  // The bare block function: 10 rounds on (counter, key).
  static Block Encrypt(Block counter, Key key);

  // The block for the current counter; advances the counter by one.
  Block Next() {
    Block out = Encrypt(counter_, key_);
    Skip(1);
    return out;
  }

  // Advances the 128-bit counter by n.
  void Skip(uint64_t n);

  const Block& counter() const { return counter_; }
  const Key& key() const { return key_; }

 private:
  Block counter_{};
  Key key_{};
};

// A fresh 64-bit seed from the operating system (random::New64's role).
uint64_t NondeterministicSeed();

// Uniform numbers in [0, 1) from random bits, as TensorFlow builds them: the
// low mantissa-width bits become the mantissa of a number in [1, 2), from
// which 1 is subtracted (exact). Half and bfloat16 use the low 16 bits of
// a word (10 and 7 mantissa bits).
float BitsToUnitFloat(uint32_t bits);
// hi supplies the upper 20 mantissa bits (its low 20 bits), lo the lower 32.
double BitsToUnitDouble(uint32_t hi, uint32_t lo);
Half BitsToUnitHalf(uint32_t bits);
BFloat16 BitsToUnitBFloat16(uint32_t bits);

// Box-Muller: two standard normals from two words (float) or four words
// (double, two 52-bit uniforms). The first uniform is clamped below at 1e-7
// before the log; results are r*sin(theta), r*cos(theta).
void BoxMullerFloat(uint32_t x0, uint32_t x1, float* out0, float* out1);
void BoxMullerDouble(uint32_t x0, uint32_t x1, uint32_t x2, uint32_t x3, double* out0,
                     double* out1);

}  // namespace tfport::kernels::random
