// SSE4.2 CRC-32C: three independent streams hide the instruction's latency;
// their registers are merged with precomputed "advance over N zero bytes"
// tables (the CRC is linear, so crc(A ++ B) = advance(crc(A), |B|) ^ crc0(B)).
// This file alone is compiled with -msse4.2 and only runs when the CPU has it.
#include <cstring>

#include "io/crc32c_internal.h"

#if defined(__x86_64__)
#include <nmmintrin.h>

namespace tfport::crc32c::internal {
namespace {

constexpr size_t kLong = 8192;  // bytes per stream in the long loop
constexpr size_t kShort = 256;  // bytes per stream in the short loop

// Table form of the linear map "advance the register over n zero bytes":
// shift[k][b] is the image of byte b placed at byte position k.
struct ZeroShift {
  uint32_t shift[4][256];

  explicit ZeroShift(size_t n) {
    uint32_t basis[32];
    static const uint8_t zeros[kLong] = {};
    for (int j = 0; j < 32; ++j) basis[j] = RawPortable(uint32_t{1} << j, zeros, n);
    for (int k = 0; k < 4; ++k) {
      for (uint32_t b = 0; b < 256; ++b) {
        uint32_t v = 0;
        for (int bit = 0; bit < 8; ++bit)
          if (b & (1u << bit)) v ^= basis[8 * k + bit];
        shift[k][b] = v;
      }
    }
  }

  uint32_t Apply(uint32_t reg) const {
    return shift[0][reg & 0xff] ^ shift[1][(reg >> 8) & 0xff] ^ shift[2][(reg >> 16) & 0xff] ^
           shift[3][reg >> 24];
  }
};

const ZeroShift& LongShift() {
  static const ZeroShift s(kLong);
  return s;
}
const ZeroShift& ShortShift() {
  static const ZeroShift s(kShort);
  return s;
}

inline uint64_t Load64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

template <size_t kStream>
inline const uint8_t* ThreeWay(uint64_t* reg, const uint8_t* p, size_t* size,
                               const ZeroShift& shift) {
  while (*size >= 3 * kStream) {
    uint64_t c0 = *reg, c1 = 0, c2 = 0;
    const uint8_t* end = p + kStream;
    do {
      c0 = _mm_crc32_u64(c0, Load64(p));
      c1 = _mm_crc32_u64(c1, Load64(p + kStream));
      c2 = _mm_crc32_u64(c2, Load64(p + 2 * kStream));
      p += 8;
    } while (p < end);
    uint32_t r = shift.Apply(static_cast<uint32_t>(c0)) ^ static_cast<uint32_t>(c1);
    r = shift.Apply(r) ^ static_cast<uint32_t>(c2);
    *reg = r;
    p += 2 * kStream;
    *size -= 3 * kStream;
  }
  return p;
}

}  // namespace

uint32_t RawSse42(uint32_t reg32, const uint8_t* p, size_t size) {
  while (size > 0 && (reinterpret_cast<uintptr_t>(p) & 7) != 0) {
    reg32 = _mm_crc32_u8(reg32, *p++);
    --size;
  }
  uint64_t reg = reg32;
  p = ThreeWay<kLong>(&reg, p, &size, LongShift());
  p = ThreeWay<kShort>(&reg, p, &size, ShortShift());
  while (size >= 8) {
    reg = _mm_crc32_u64(reg, Load64(p));
    p += 8;
    size -= 8;
  }
  reg32 = static_cast<uint32_t>(reg);
  while (size-- > 0) reg32 = _mm_crc32_u8(reg32, *p++);
  return reg32;
}

}  // namespace tfport::crc32c::internal
#endif
