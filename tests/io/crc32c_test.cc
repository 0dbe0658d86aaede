// Unit tests for tfport/io/crc32c.h.
//
// Expected values come from:
//  * RFC 3720 (iSCSI) Appendix B.4 CRC-32C test vectors, the same ones
//    leveldb's crc32c_test.cc uses (32 zero bytes, 32 0xFF bytes, 0..31
//    ascending, 31..0 descending);
//  * the standard CRC-32C check value crc32c("123456789") = 0xE3069283
//    (formats.md §1.6; also the "check" field of the Rocksoft/Williams
//    catalogue entry CRC-32/ISCSI);
//  * formats.md §1.6 worked example (float 0.5) and §1.5 (Mask(0));
//  * a bit-at-a-time reference implementation written in this file from the
//    polynomial definition (reflected 0x82F63B78, init/xorout 0xFFFFFFFF),
//    which shares no code with src/io.

#include "tfport/io/crc32c.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace tfport::crc32c {
namespace {

// Textbook bitwise CRC-32C (formats.md §1.6 parameters), continuing `crc`.
uint32_t ReferenceExtend(uint32_t crc, const uint8_t* p, size_t n) {
  uint32_t reg = ~crc;
  for (size_t i = 0; i < n; ++i) {
    reg ^= p[i];
    for (int k = 0; k < 8; ++k) reg = (reg & 1) ? (reg >> 1) ^ 0x82F63B78u : reg >> 1;
  }
  return ~reg;
}

std::vector<uint8_t> RandomBytes(std::mt19937_64& rng, size_t n) {
  std::vector<uint8_t> v(n);
  for (auto& b : v) b = static_cast<uint8_t>(rng());
  return v;
}

TEST(Crc32cTest, StandardCheckValue) {
  // formats.md §1.6 / CRC catalogue: crc32c("123456789") = 0xE3069283.
  const char* s = "123456789";
  EXPECT_EQ(Value(s, 9), 0xE3069283u);
  EXPECT_EQ(ExtendPortable(0, s, 9), 0xE3069283u);
}

TEST(Crc32cTest, Rfc3720Vectors) {
  // RFC 3720 Appendix B.4 (as in leveldb's crc32c_test.cc).
  uint8_t buf[32];

  std::memset(buf, 0, sizeof buf);
  EXPECT_EQ(Value(buf, sizeof buf), 0x8A9136AAu);
  EXPECT_EQ(ExtendPortable(0, buf, sizeof buf), 0x8A9136AAu);

  std::memset(buf, 0xff, sizeof buf);
  EXPECT_EQ(Value(buf, sizeof buf), 0x62A8AB43u);
  EXPECT_EQ(ExtendPortable(0, buf, sizeof buf), 0x62A8AB43u);

  for (int i = 0; i < 32; ++i) buf[i] = static_cast<uint8_t>(i);
  EXPECT_EQ(Value(buf, sizeof buf), 0x46DD794Eu);
  EXPECT_EQ(ExtendPortable(0, buf, sizeof buf), 0x46DD794Eu);

  for (int i = 0; i < 32; ++i) buf[i] = static_cast<uint8_t>(31 - i);
  EXPECT_EQ(Value(buf, sizeof buf), 0x113FDB5Cu);
  EXPECT_EQ(ExtendPortable(0, buf, sizeof buf), 0x113FDB5Cu);
}

TEST(Crc32cTest, ReferenceImplementationAgreesWithPublishedVectors) {
  // Guards the in-test reference itself before it is used as an oracle.
  EXPECT_EQ(ReferenceExtend(0, reinterpret_cast<const uint8_t*>("123456789"), 9), 0xE3069283u);
  uint8_t zeros[32] = {};
  EXPECT_EQ(ReferenceExtend(0, zeros, 32), 0x8A9136AAu);
}

TEST(Crc32cTest, EmptyInput) {
  // CRC of nothing: init 0xFFFFFFFF xor-out 0xFFFFFFFF = 0; Extend is identity.
  EXPECT_EQ(Value(nullptr, 0), 0u);
  EXPECT_EQ(Extend(0xE3069283u, nullptr, 0), 0xE3069283u);
  EXPECT_EQ(ExtendPortable(0x12345678u, nullptr, 0), 0x12345678u);
}

TEST(Crc32cTest, FormatsDocFloatExample) {
  // formats.md §1.6: float 0.5 = bytes 00 00 00 3f; crc32c = 0x26973e52,
  // masked = 0x1f273806 (stored as 35 06 38 27 1f).
  const uint8_t half[4] = {0x00, 0x00, 0x00, 0x3f};
  EXPECT_EQ(Value(half, 4), 0x26973e52u);
  EXPECT_EQ(Mask(0x26973e52u), 0x1f273806u);
  EXPECT_EQ(Unmask(0x1f273806u), 0x26973e52u);
}

TEST(Crc32cTest, MaskOfZero) {
  // formats.md §1.5: the empty tensor's stored crc is Mask(0) = 0xa282ead8.
  EXPECT_EQ(Mask(0), 0xa282ead8u);
  EXPECT_EQ(Unmask(0xa282ead8u), 0u);
}

TEST(Crc32cTest, MaskByHand) {
  // Hand arithmetic: rotr15(0x00008000) = 0x00000001; + 0xa282ead8 = 0xa282ead9.
  EXPECT_EQ(Mask(0x00008000u), 0xa282ead9u);
  // rotr15(0x00000001) = 0x00020000; + 0xa282ead8 = 0xa284ead8.
  EXPECT_EQ(Mask(0x00000001u), 0xa284ead8u);
  // rotr15(0xffffffff) = 0xffffffff; + 0xa282ead8 wraps to 0xa282ead7.
  EXPECT_EQ(Mask(0xffffffffu), 0xa282ead7u);
}

TEST(Crc32cTest, MaskUnmaskRoundTrip) {
  std::mt19937_64 rng(1);
  for (int i = 0; i < 10000; ++i) {
    uint32_t x = static_cast<uint32_t>(rng());
    ASSERT_EQ(Unmask(Mask(x)), x);
    ASSERT_EQ(Mask(Unmask(x)), x);
    ASSERT_NE(Mask(x), x) << "masking must change the value";  // leveldb's MaskTest
  }
  // Masking twice is not the identity (leveldb crc32c_test MaskTest).
  const uint32_t c = Value("foo", 3);
  EXPECT_NE(Mask(Mask(c)), c);
  EXPECT_EQ(Unmask(Unmask(Mask(Mask(c)))), c);
}

TEST(Crc32cTest, ExtendEqualsValueOfConcatenation) {
  // leveldb crc32c_test "Extend": Value("hello world") == Extend(Value("hello "), "world").
  EXPECT_EQ(Value("hello world", 11), Extend(Value("hello ", 6), "world", 5));
}

// Lengths chosen to cross every code path of the SSE4.2 implementation:
// alignment prologue (<8), the 8-byte tail loop, the 3x256-byte short
// three-way loop (768 bytes) and the 3x8192-byte long loop (24576 bytes),
// plus random lengths up to 70000.
std::vector<size_t> InterestingLengths() {
  std::vector<size_t> lengths;
  for (size_t n = 0; n <= 300; ++n) lengths.push_back(n);
  for (size_t base : {768u, 1536u, 2304u, 24576u, 49152u, 24576u + 768u}) {
    for (size_t d = 0; d <= 17; ++d) {
      lengths.push_back(base + d);
      lengths.push_back(base - d);
    }
  }
  lengths.push_back(70000);
  std::mt19937_64 rng(42);
  for (int i = 0; i < 60; ++i) lengths.push_back(rng() % 70001);
  return lengths;
}

TEST(Crc32cTest, AllPathsAgreeWithReference) {
  std::mt19937_64 rng(7);
  const std::vector<uint8_t> data = RandomBytes(rng, 70000 + 16);
  for (size_t n : InterestingLengths()) {
    const uint32_t ref = ReferenceExtend(0, data.data(), n);
    ASSERT_EQ(Value(data.data(), n), ref) << "n=" << n;
    ASSERT_EQ(ExtendPortable(0, data.data(), n), ref) << "n=" << n;
    // A non-zero running CRC.
    ASSERT_EQ(Extend(0xdeadbeefu, data.data(), n), ReferenceExtend(0xdeadbeefu, data.data(), n))
        << "n=" << n;
  }
}

TEST(Crc32cTest, ExtendOverRandomSplits) {
  std::mt19937_64 rng(11);
  const std::vector<uint8_t> data = RandomBytes(rng, 70000);
  for (size_t n : InterestingLengths()) {
    const uint32_t whole = Value(data.data(), n);
    ASSERT_EQ(whole, ExtendPortable(0, data.data(), n)) << "n=" << n;
    for (int trial = 0; trial < 4; ++trial) {
      // Split into up to 5 random pieces.
      std::vector<size_t> cuts = {0, n};
      for (int k = 0; k < 4; ++k) cuts.push_back(n == 0 ? 0 : rng() % (n + 1));
      std::sort(cuts.begin(), cuts.end());
      uint32_t hw = 0, sw = 0;
      for (size_t k = 0; k + 1 < cuts.size(); ++k) {
        hw = Extend(hw, data.data() + cuts[k], cuts[k + 1] - cuts[k]);
        sw = ExtendPortable(sw, data.data() + cuts[k], cuts[k + 1] - cuts[k]);
      }
      ASSERT_EQ(hw, whole) << "n=" << n;
      ASSERT_EQ(sw, whole) << "n=" << n;
    }
  }
}

TEST(Crc32cTest, UnalignedStartPointers) {
  std::mt19937_64 rng(3);
  const std::vector<uint8_t> src = RandomBytes(rng, 30000);
  std::vector<uint8_t> buf(30000 + 64);
  for (size_t n : {size_t{1}, size_t{7}, size_t{8}, size_t{9}, size_t{100}, size_t{769},
                   size_t{3 * 8192 + 13}, size_t{30000}}) {
    const uint32_t ref = ReferenceExtend(0, src.data(), n);
    for (size_t shift = 0; shift < 16; ++shift) {
      std::memcpy(buf.data() + shift, src.data(), n);
      ASSERT_EQ(Value(buf.data() + shift, n), ref) << "n=" << n << " shift=" << shift;
      ASSERT_EQ(ExtendPortable(0, buf.data() + shift, n), ref) << "n=" << n << " shift=" << shift;
    }
  }
}

TEST(Crc32cTest, HardwareFlagIsConsistent) {
  // Whatever the CPU, both entry points give the published check value.
  (void)HardwareAccelerated();
  EXPECT_EQ(Extend(0, "123456789", 9), ExtendPortable(0, "123456789", 9));
}

}  // namespace
}  // namespace tfport::crc32c

namespace tfport {
namespace {

// Combine must agree with checksumming the concatenation directly (the
// definition of the CRC of A ++ B), for lengths across the byte-power table.
TEST(Crc32cCombine, EqualsChecksumOfConcatenation) {
  std::vector<uint8_t> data(300000);
  uint32_t x = 7;
  for (auto& b : data) {
    x = x * 1103515245u + 12345u;
    b = static_cast<uint8_t>(x >> 16);
  }
  for (size_t split : {size_t{0}, size_t{1}, size_t{7}, size_t{4096}, size_t{65537},
                       size_t{299999}, size_t{300000}}) {
    uint32_t a = crc32c::Value(data.data(), split);
    uint32_t b = crc32c::Value(data.data() + split, data.size() - split);
    EXPECT_EQ(crc32c::Combine(a, b, data.size() - split), crc32c::Value(data.data(), data.size()))
        << "split at " << split;
  }
  // RFC 3720 vector split in two: "12345" ++ "6789" -> 0xE3069283.
  EXPECT_EQ(crc32c::Combine(crc32c::Value("12345", 5), crc32c::Value("6789", 4), 4), 0xE3069283u);
}

}  // namespace
}  // namespace tfport
