#include "kernels/random/philox.h"

#include <math.h>  // sincosf / sincos (glibc), as TensorFlow's Linux build uses

#include <cmath>
#include <cstring>
#include <numbers>
#include <random>

namespace tfport::kernels::random {
namespace {

// Multipliers and key increments of Philox4x32 (the Random123 paper's
// recommended constants; the increments are the golden ratio and sqrt(3)-1
// as 32-bit fractions).
constexpr uint32_t kMul0 = 0xD2511F53u;
constexpr uint32_t kMul1 = 0xCD9E8D57u;
constexpr uint32_t kBump0 = 0x9E3779B9u;
constexpr uint32_t kBump1 = 0xBB67AE85u;
constexpr int kRounds = 10;

}  // namespace

Philox4x32 Philox4x32::FromSeeds(uint64_t seed, uint64_t seed2) {
  Block counter{0, 0, static_cast<uint32_t>(seed2), static_cast<uint32_t>(seed2 >> 32)};
  Key key{static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32)};
  return Philox4x32(counter, key);
}

Philox4x32::Block Philox4x32::Encrypt(Block c, Key k) {
  for (int round = 0; round < kRounds; ++round) {
    if (round > 0) {
      k[0] += kBump0;
      k[1] += kBump1;
    }
    const uint64_t p0 = uint64_t{kMul0} * c[0];
    const uint64_t p1 = uint64_t{kMul1} * c[2];
    const auto hi0 = static_cast<uint32_t>(p0 >> 32), lo0 = static_cast<uint32_t>(p0);
    const auto hi1 = static_cast<uint32_t>(p1 >> 32), lo1 = static_cast<uint32_t>(p1);
    c = Block{hi1 ^ c[1] ^ k[0], lo1, hi0 ^ c[3] ^ k[1], lo0};
  }
  return c;
}

void Philox4x32::Skip(uint64_t n) {
  // 128-bit addition of n, carrying through the four words.
  uint64_t carry = n;
  for (uint32_t& word : counter_) {
    if (carry == 0) break;
    const uint64_t sum = uint64_t{word} + (carry & 0xffffffffu);
    word = static_cast<uint32_t>(sum);
    carry = (carry >> 32) + (sum >> 32);
  }
}

uint64_t NondeterministicSeed() {
  static thread_local std::random_device device;
  return (uint64_t{device()} << 32) ^ device();
}

float BitsToUnitFloat(uint32_t bits) {
  const uint32_t one_to_two = 0x3f800000u | (bits & 0x7fffffu);  // exponent 0, 23 random bits
  float f;
  std::memcpy(&f, &one_to_two, sizeof f);
  return f - 1.0f;
}

double BitsToUnitDouble(uint32_t hi, uint32_t lo) {
  const uint64_t one_to_two =
      (uint64_t{1023} << 52) | (uint64_t{hi & 0xfffffu} << 32) | uint64_t{lo};
  double d;
  std::memcpy(&d, &one_to_two, sizeof d);
  return d - 1.0;
}

// m / 2^10 and m / 2^7 are exact in float and in the 16-bit types, and equal
// the [1, 2) - 1 construction.
Half BitsToUnitHalf(uint32_t bits) {
  return Half::FromFloat(static_cast<float>(bits & 0x3ffu) / 1024.0f);
}

BFloat16 BitsToUnitBFloat16(uint32_t bits) {
  return BFloat16::FromFloat(static_cast<float>(bits & 0x7fu) / 128.0f);
}

void BoxMullerFloat(uint32_t x0, uint32_t x1, float* out0, float* out1) {
  float u = BitsToUnitFloat(x0);
  if (u < 1.0e-7f) u = 1.0e-7f;
  // The angle is formed in double (2*pi is a double constant) and rounded.
  const auto theta =
      static_cast<float>(2.0 * std::numbers::pi * static_cast<double>(BitsToUnitFloat(x1)));
  const float r = std::sqrt(-2.0f * std::log(u));
  float s, c;
  ::sincosf(theta, &s, &c);
  *out0 = s * r;
  *out1 = c * r;
}

void BoxMullerDouble(uint32_t x0, uint32_t x1, uint32_t x2, uint32_t x3, double* out0,
                     double* out1) {
  double u = BitsToUnitDouble(x0, x1);
  if (u < 1.0e-7) u = 1.0e-7;
  const double theta = 2.0 * std::numbers::pi * BitsToUnitDouble(x2, x3);
  const double r = std::sqrt(-2.0 * std::log(u));
  double s, c;
  ::sincos(theta, &s, &c);
  *out0 = s * r;
  *out1 = c * r;
}

}  // namespace tfport::kernels::random
