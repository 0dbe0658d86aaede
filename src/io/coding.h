// Internal: protobuf-style base-128 varints (formats.md §0), as used in table
// footers and string tensor payloads.
#pragma once

#include <cstdint>
#include <string>

namespace tfport::io::internal {

inline void PutVarint64(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

// Decodes one varint from [*p, end), advancing *p. False if truncated or
// longer than 10 bytes.
inline bool GetVarint64(const uint8_t** p, const uint8_t* end, uint64_t* out) {
  uint64_t v = 0;
  for (int shift = 0; shift <= 63 && *p < end; shift += 7) {
    uint8_t b = *(*p)++;
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) {
      *out = v;
      return true;
    }
  }
  return false;
}

}  // namespace tfport::io::internal
