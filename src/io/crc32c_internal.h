// Shared pieces of the two CRC-32C implementations.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tfport::crc32c::internal {

// Reflected Castagnoli polynomial.
inline constexpr uint32_t kPoly = 0x82f63b78u;


// Advances a raw (non-inverted) CRC register over `size` bytes.
uint32_t RawPortable(uint32_t reg, const uint8_t* p, size_t size);

// Hardware path; only called when the CPU has SSE4.2.
uint32_t RawSse42(uint32_t reg, const uint8_t* p, size_t size);

}  // namespace tfport::crc32c::internal
