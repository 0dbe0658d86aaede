// tfport: CRC-32C (Castagnoli) and TensorFlow's CRC masking (formats.md §1.6).
//
// Value(data) is the standard CRC-32C (check value crc32c("123456789") =
// 0xE3069283). Extend(crc, data) continues a CRC over more bytes, so
// Extend(Value(a), b) == Value(a ++ b). Every CRC TensorFlow stores on disk is
// masked: Mask rotates right by 15 bits and adds 0xa282ead8.
//
// On x86-64 CPUs with SSE4.2 the CRC instruction is used on three interleaved
// streams; elsewhere a portable slicing-by-8 table is used. The choice is made
// once at run time.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tfport::crc32c {

uint32_t Extend(uint32_t crc, const void* data, size_t size);
inline uint32_t Value(const void* data, size_t size) { return Extend(0, data, size); }

// CRC of A ++ B from Value(A), Value(B) and B's length (so pieces of a buffer
// can be checksummed in parallel and joined). O(log len_b).
uint32_t Combine(uint32_t crc_a, uint32_t crc_b, uint64_t len_b);

// The portable implementation, exposed for tests and benchmarks.
uint32_t ExtendPortable(uint32_t crc, const void* data, size_t size);
// True when Extend uses the SSE4.2 instruction.
bool HardwareAccelerated();

inline constexpr uint32_t kMaskDelta = 0xa282ead8u;

inline uint32_t Mask(uint32_t crc) {
  return ((crc >> 15) | (crc << 17)) + kMaskDelta;
}
inline uint32_t Unmask(uint32_t masked) {
  uint32_t rot = masked - kMaskDelta;
  return (rot >> 17) | (rot << 15);
}

}  // namespace tfport::crc32c
