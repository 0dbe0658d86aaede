#include "tfport/io/crc32c.h"

#include <array>
#include <cstring>

#include "io/crc32c_internal.h"

namespace tfport::crc32c {
namespace internal {
namespace {

using Tables = std::array<std::array<uint32_t, 256>, 8>;

constexpr Tables MakeTables() {
  Tables t{};
  for (uint32_t b = 0; b < 256; ++b) {
    uint32_t c = b;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ kPoly : c >> 1;
    t[0][b] = c;
  }
  // t[k][b]: the register after byte b followed by k zero bytes.
  for (int k = 1; k < 8; ++k)
    for (uint32_t b = 0; b < 256; ++b)
      t[k][b] = (t[k - 1][b] >> 8) ^ t[0][t[k - 1][b] & 0xff];
  return t;
}

constexpr Tables kTables = MakeTables();

}  // namespace


uint32_t RawPortable(uint32_t reg, const uint8_t* p, size_t size) {
  const auto& t = kTables;
  while (size > 0 && (reinterpret_cast<uintptr_t>(p) & 7) != 0) {
    reg = (reg >> 8) ^ t[0][(reg ^ *p++) & 0xff];
    --size;
  }
  while (size >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);  // little-endian host
    uint32_t lo = static_cast<uint32_t>(w) ^ reg;
    uint32_t hi = static_cast<uint32_t>(w >> 32);
    reg = t[7][lo & 0xff] ^ t[6][(lo >> 8) & 0xff] ^ t[5][(lo >> 16) & 0xff] ^ t[4][lo >> 24] ^
          t[3][hi & 0xff] ^ t[2][(hi >> 8) & 0xff] ^ t[1][(hi >> 16) & 0xff] ^ t[0][hi >> 24];
    p += 8;
    size -= 8;
  }
  while (size-- > 0) reg = (reg >> 8) ^ t[0][(reg ^ *p++) & 0xff];
  return reg;
}

}  // namespace internal

namespace {

bool DetectSse42() {
#if defined(__x86_64__)
  return __builtin_cpu_supports("sse4.2");
#else
  return false;
#endif
}

const bool kUseSse42 = DetectSse42();

}  // namespace

bool HardwareAccelerated() { return kUseSse42; }

namespace {

// Polynomial arithmetic modulo the CRC polynomial, in the reflected bit order
// the CRC uses (bit 31 is x^0). Appending n zero bytes to a CRC register
// multiplies it by x^(8n), so Combine needs x^(8n) mod P.
uint32_t MultModP(uint32_t a, uint32_t b) {
  uint32_t product = 0;
  for (uint32_t m = 1u << 31; m != 0; m >>= 1) {
    if (a & m) product ^= b;
    b = (b & 1) ? (b >> 1) ^ internal::kPoly : b >> 1;
  }
  return product;
}

// kPow2[k] = x^(2^k) mod P.
struct Powers {
  uint32_t value[64];
  Powers() {
    value[0] = 1u << 30;  // x^1
    for (int k = 1; k < 64; ++k) value[k] = MultModP(value[k - 1], value[k - 1]);
  }
};

// x^(8 * n) mod P.
uint32_t XPow8N(uint64_t n) {
  static const Powers powers;
  uint32_t p = 1u << 31;  // x^0
  for (int k = 3; n != 0; n >>= 1, ++k)
    if (n & 1) p = MultModP(powers.value[k & 63], p);
  return p;
}

}  // namespace

uint32_t Combine(uint32_t crc_a, uint32_t crc_b, uint64_t len_b) {
  // With Shift(r, n) the register after n zero bytes, Value(A ++ B) =
  // Shift(Value(A), |B|) ^ Value(B): the init and final inversions cancel.
  return MultModP(XPow8N(len_b), crc_a) ^ crc_b;
}

uint32_t ExtendPortable(uint32_t crc, const void* data, size_t size) {
  return ~internal::RawPortable(~crc, static_cast<const uint8_t*>(data), size);
}

uint32_t Extend(uint32_t crc, const void* data, size_t size) {
  const auto* p = static_cast<const uint8_t*>(data);
#if defined(__x86_64__)
  if (kUseSse42) return ~internal::RawSse42(~crc, p, size);
#endif
  return ~internal::RawPortable(~crc, p, size);
}

}  // namespace tfport::crc32c
