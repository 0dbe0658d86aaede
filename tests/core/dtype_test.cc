// Unit tests for tfport/core/dtype.h.
//
// Sources of expected values:
//  * formats.md §5.6 (DataType enum numbers, *_REF = value + 100) and
//    §1.7.1 (bytes per element of each memcpy dtype).
//  * NumPy's dtype names (numpy.dtype(...).name: float32, float64, int64,
//    bool, complex64, float16; ml_dtypes' bfloat16) and TensorFlow's
//    tf.string.name == "string".
//  * IEEE-754 binary16 (1 sign, 5 exponent bits bias 15, 10 mantissa bits)
//    and bfloat16 (upper 16 bits of binary32) bit patterns derived by hand in
//    the comments.

#include "tfport/core/dtype.h"

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

#include <gtest/gtest.h>

namespace tfport {
namespace {

TEST(DataTypeTest, EnumNumbersMatchSpec) {
  // formats.md §5.6.
  EXPECT_EQ(DT_INVALID, 0);
  EXPECT_EQ(DT_FLOAT, 1);
  EXPECT_EQ(DT_STRING, 7);
  EXPECT_EQ(DT_BOOL, 10);
  EXPECT_EQ(DT_BFLOAT16, 14);
  EXPECT_EQ(DT_HALF, 19);
  EXPECT_EQ(DT_UINT64, 23);
  EXPECT_EQ(DT_FLOAT4_E2M1FN, 33);
  EXPECT_EQ(DT_FLOAT_REF, 101);
  EXPECT_EQ(DT_FLOAT4_E2M1FN_REF, 133);
}

TEST(DataTypeTest, DataTypeName) {
  EXPECT_EQ(DataTypeName(DT_FLOAT), "DT_FLOAT");
  EXPECT_EQ(DataTypeName(DT_FLOAT_REF), "DT_FLOAT_REF");
  EXPECT_EQ(DataTypeName(DT_INT32_REF), "DT_INT32_REF");
  EXPECT_EQ(DataTypeName(DT_STRING), "DT_STRING");
  EXPECT_EQ(DataTypeName(DT_HALF), "DT_HALF");
  EXPECT_EQ(DataTypeName(DT_BFLOAT16), "DT_BFLOAT16");
  EXPECT_EQ(DataTypeName(DT_COMPLEX128), "DT_COMPLEX128");
  EXPECT_EQ(DataTypeName(DT_FLOAT8_E4M3FN), "DT_FLOAT8_E4M3FN");
  EXPECT_EQ(DataTypeName(DT_INVALID), "DT_INVALID");
  // dtype.h: unknown numbers carry the number.
  EXPECT_EQ(DataTypeName(static_cast<DataType>(77)), "DT_<unknown 77>");
}

TEST(DataTypeTest, NumpyName) {
  EXPECT_EQ(NumpyName(DT_FLOAT), "float32");
  EXPECT_EQ(NumpyName(DT_DOUBLE), "float64");
  EXPECT_EQ(NumpyName(DT_INT64), "int64");
  EXPECT_EQ(NumpyName(DT_INT32), "int32");
  EXPECT_EQ(NumpyName(DT_UINT8), "uint8");
  EXPECT_EQ(NumpyName(DT_BOOL), "bool");
  EXPECT_EQ(NumpyName(DT_STRING), "string");
  EXPECT_EQ(NumpyName(DT_HALF), "float16");
  EXPECT_EQ(NumpyName(DT_BFLOAT16), "bfloat16");
  EXPECT_EQ(NumpyName(DT_COMPLEX64), "complex64");
  EXPECT_EQ(NumpyName(DT_COMPLEX128), "complex128");
  // dtype.h: reference types map to their base type.
  EXPECT_EQ(NumpyName(DT_FLOAT_REF), "float32");
  EXPECT_EQ(NumpyName(DT_HALF_REF), "float16");
}

TEST(DataTypeTest, Sizes) {
  // formats.md §1.7.1 table.
  EXPECT_EQ(DataTypeSize(DT_FLOAT), 4u);
  EXPECT_EQ(DataTypeSize(DT_DOUBLE), 8u);
  EXPECT_EQ(DataTypeSize(DT_INT8), 1u);
  EXPECT_EQ(DataTypeSize(DT_UINT8), 1u);
  EXPECT_EQ(DataTypeSize(DT_INT16), 2u);
  EXPECT_EQ(DataTypeSize(DT_UINT16), 2u);
  EXPECT_EQ(DataTypeSize(DT_INT32), 4u);
  EXPECT_EQ(DataTypeSize(DT_UINT32), 4u);
  EXPECT_EQ(DataTypeSize(DT_INT64), 8u);
  EXPECT_EQ(DataTypeSize(DT_UINT64), 8u);
  EXPECT_EQ(DataTypeSize(DT_BOOL), 1u);
  EXPECT_EQ(DataTypeSize(DT_HALF), 2u);
  EXPECT_EQ(DataTypeSize(DT_BFLOAT16), 2u);
  EXPECT_EQ(DataTypeSize(DT_COMPLEX64), 8u);
  EXPECT_EQ(DataTypeSize(DT_COMPLEX128), 16u);
  EXPECT_EQ(DataTypeSize(DT_QINT8), 1u);
  EXPECT_EQ(DataTypeSize(DT_QUINT16), 2u);
  EXPECT_EQ(DataTypeSize(DT_QINT32), 4u);
  EXPECT_EQ(DataTypeSize(DT_FLOAT8_E5M2), 1u);
  EXPECT_EQ(DataTypeSize(DT_INT4), 1u);  // one element per byte
  // dtype.h: 0 for string, resource, variant and invalid.
  EXPECT_EQ(DataTypeSize(DT_STRING), 0u);
  EXPECT_EQ(DataTypeSize(DT_RESOURCE), 0u);
  EXPECT_EQ(DataTypeSize(DT_VARIANT), 0u);
  EXPECT_EQ(DataTypeSize(DT_INVALID), 0u);
  // Storage types must have the element size of their dtype.
  EXPECT_EQ(sizeof(Half), 2u);
  EXPECT_EQ(sizeof(BFloat16), 2u);
  EXPECT_EQ(sizeof(QInt32), 4u);
}

TEST(DataTypeTest, MemcpyAndValidity) {
  EXPECT_TRUE(IsMemcpyType(DT_FLOAT));
  EXPECT_TRUE(IsMemcpyType(DT_BOOL));
  EXPECT_TRUE(IsMemcpyType(DT_COMPLEX128));
  EXPECT_TRUE(IsMemcpyType(DT_BFLOAT16));
  EXPECT_FALSE(IsMemcpyType(DT_STRING));
  EXPECT_FALSE(IsMemcpyType(DT_RESOURCE));
  EXPECT_FALSE(IsMemcpyType(DT_VARIANT));
  EXPECT_FALSE(IsMemcpyType(DT_INVALID));
  EXPECT_FALSE(IsMemcpyType(DT_FLOAT_REF));

  EXPECT_TRUE(IsValidDataType(DT_FLOAT));
  EXPECT_TRUE(IsValidDataType(DT_STRING));
  EXPECT_TRUE(IsValidDataType(DT_FLOAT4_E2M1FN));
  EXPECT_FALSE(IsValidDataType(DT_INVALID));
  EXPECT_FALSE(IsValidDataType(DT_FLOAT_REF));
  EXPECT_FALSE(IsValidDataType(static_cast<DataType>(77)));
}

TEST(DataTypeTest, RefTypes) {
  // formats.md §5.6: reference type = value + 100, for values 1..33.
  EXPECT_FALSE(IsRefType(DT_INVALID));
  EXPECT_FALSE(IsRefType(DT_FLOAT));
  EXPECT_FALSE(IsRefType(DT_FLOAT4_E2M1FN));
  EXPECT_TRUE(IsRefType(DT_FLOAT_REF));
  EXPECT_TRUE(IsRefType(DT_FLOAT4_E2M1FN_REF));
  EXPECT_FALSE(IsRefType(static_cast<DataType>(134)));

  EXPECT_EQ(BaseType(DT_FLOAT_REF), DT_FLOAT);
  EXPECT_EQ(BaseType(DT_STRING_REF), DT_STRING);
  EXPECT_EQ(BaseType(DT_FLOAT), DT_FLOAT);
  EXPECT_EQ(RefType(DT_FLOAT), DT_FLOAT_REF);
  EXPECT_EQ(RefType(DT_HALF), DT_HALF_REF);
  EXPECT_EQ(RefType(DT_INT32_REF), DT_INT32_REF);  // already a ref
  EXPECT_EQ(static_cast<int>(RefType(DT_UINT64)), 23 + 100);
}

TEST(DataTypeTest, DataTypeFromName) {
  struct Case {
    const char* name;
    DataType want;
  };
  // NumPy names, TF's DT_ names and TF's lower-case names (tf.float32.name
  // is "float32", types.proto's DT_FLOAT), per dtype.h.
  const Case cases[] = {
      {"float32", DT_FLOAT},   {"float", DT_FLOAT},       {"DT_FLOAT", DT_FLOAT},
      {"float64", DT_DOUBLE},  {"double", DT_DOUBLE},     {"int64", DT_INT64},
      {"DT_INT64", DT_INT64},  {"bool", DT_BOOL},         {"string", DT_STRING},
      {"float16", DT_HALF},    {"half", DT_HALF},         {"DT_HALF", DT_HALF},
      {"bfloat16", DT_BFLOAT16}, {"complex64", DT_COMPLEX64}, {"uint8", DT_UINT8},
  };
  for (const Case& c : cases) {
    Result<DataType> r = DataTypeFromName(c.name);
    ASSERT_TRUE(r.ok()) << c.name << ": " << r.status().ToString();
    EXPECT_EQ(*r, c.want) << c.name;
  }
  for (const char* bad : {"", "float33", "DT_", "notatype"}) {
    Result<DataType> r = DataTypeFromName(bad);
    EXPECT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument) << bad;
  }
}

TEST(DataTypeTest, DataTypeOfMapsStorageTypes) {
  EXPECT_EQ(DataTypeOf<float>::value, DT_FLOAT);
  EXPECT_EQ(DataTypeOf<Half>::value, DT_HALF);
  EXPECT_EQ(DataTypeOf<BFloat16>::value, DT_BFLOAT16);
  EXPECT_EQ(DataTypeOf<std::complex<double>>::value, DT_COMPLEX128);
  EXPECT_EQ(DataTypeOf<std::string>::value, DT_STRING);
}

// ---- Half (IEEE binary16) -------------------------------------------------

uint16_t H(float f) { return Half::FromFloat(f).bits; }
float HF(uint16_t bits) { return Half{bits}.ToFloat(); }

TEST(HalfTest, ExactValues) {
  // sign|exp(5, bias 15)|mantissa(10):
  EXPECT_EQ(H(0.0f), 0x0000);
  EXPECT_EQ(H(-0.0f), 0x8000);           // sign bit only
  EXPECT_EQ(H(1.0f), 0x3C00);            // exp 15 -> 01111 << 10
  EXPECT_EQ(H(-2.0f), 0xC000);           // sign, exp 16 -> 10000 << 10
  EXPECT_EQ(H(0.5f), 0x3800);            // exp 14 -> 01110 << 10
  EXPECT_EQ(H(1.5f), 0x3E00);            // 0x3C00 | mantissa 0.5*1024=0x200
  EXPECT_EQ(H(65504.0f), 0x7BFF);        // max finite: exp 30, mantissa 1023
  EXPECT_EQ(H(std::ldexp(1.0f, -14)), 0x0400);  // smallest normal
  EXPECT_EQ(H(std::ldexp(1.0f, -24)), 0x0001);  // smallest subnormal
  EXPECT_EQ(H(std::ldexp(1023.0f, -24)), 0x03FF);  // largest subnormal

  EXPECT_EQ(HF(0x3C00), 1.0f);
  EXPECT_EQ(HF(0xC000), -2.0f);
  EXPECT_EQ(HF(0x7BFF), 65504.0f);
  EXPECT_EQ(HF(0x0400), std::ldexp(1.0f, -14));
  EXPECT_EQ(HF(0x0001), std::ldexp(1.0f, -24));
  EXPECT_EQ(HF(0x0003), std::ldexp(3.0f, -24));
  EXPECT_EQ(HF(0x03FF), std::ldexp(1023.0f, -24));
  EXPECT_EQ(HF(0x3555), std::ldexp(1365.0f, -12));  // (1024+341)/1024 * 2^-2
  EXPECT_TRUE(std::signbit(HF(0x8000)));
  EXPECT_EQ(HF(0x8000), 0.0f);
}

TEST(HalfTest, RoundsToNearestEven) {
  // 1/3 = 1.0101..b * 2^-2: mantissa 0.333*1024 = 341.33 -> 341 (0x155);
  // exp 13 -> 0x3400; 0x3400 | 0x155 = 0x3555.
  EXPECT_EQ(H(1.0f / 3.0f), 0x3555);
  // Half ulp at 1.0 is 2^-10. 1 + 2^-11 is a tie between 0x3C00 (even) and
  // 0x3C01 -> 0x3C00. 1 + 3*2^-11 ties 0x3C01/0x3C02 -> even 0x3C02.
  EXPECT_EQ(H(1.0f + std::ldexp(1.0f, -11)), 0x3C00);
  EXPECT_EQ(H(1.0f + std::ldexp(3.0f, -11)), 0x3C02);
  // Just above the tie rounds up.
  EXPECT_EQ(H(1.0f + std::ldexp(1.0f, -11) + std::ldexp(1.0f, -20)), 0x3C01);
  // Mantissa carry into the exponent: 2 - 2^-11 = 1 + 1023.5/1024 is the tie
  // between 0x3FFF (1 + 1023/1024, odd) and 2.0 (0x4000) -> 0x4000.
  EXPECT_EQ(H(2.0f - std::ldexp(1.0f, -11)), 0x4000);
  // 65519 < 65520 = halfway between 65504 and 65536 -> 65504.
  EXPECT_EQ(H(65519.0f), 0x7BFF);
  // 65520 is the tie; 0x7BFF is odd so it rounds up into the inf pattern.
  EXPECT_EQ(H(65520.0f), 0x7C00);
}

TEST(HalfTest, SubnormalRounding) {
  // Units of the smallest subnormal u = 2^-24.
  EXPECT_EQ(H(std::ldexp(1.0f, -25)), 0x0000);  // 0.5u: tie -> even 0
  EXPECT_EQ(H(std::ldexp(3.0f, -26)), 0x0001);  // 0.75u -> 1
  EXPECT_EQ(H(std::ldexp(3.0f, -25)), 0x0002);  // 1.5u: tie 1/2 -> even 2
  EXPECT_EQ(H(std::ldexp(5.0f, -25)), 0x0002);  // 2.5u: tie 2/3 -> even 2
  EXPECT_EQ(H(std::ldexp(1.0f, -30)), 0x0000);  // far below -> 0
  EXPECT_EQ(H(-std::ldexp(1.0f, -30)), 0x8000);  // keeps the sign
  EXPECT_EQ(H(-std::ldexp(1.0f, -24)), 0x8001);
  // Largest subnormal + 0.5u is a tie (1023.5u): 1023 odd -> 1024u = 2^-14,
  // the smallest normal 0x0400.
  EXPECT_EQ(H(std::ldexp(2047.0f, -25)), 0x0400);
  EXPECT_EQ(H(std::numeric_limits<float>::denorm_min()), 0x0000);
}

TEST(HalfTest, InfAndNan) {
  const float inf = std::numeric_limits<float>::infinity();
  EXPECT_EQ(H(inf), 0x7C00);   // exp all ones, mantissa 0
  EXPECT_EQ(H(-inf), 0xFC00);
  EXPECT_EQ(H(1e6f), 0x7C00);  // overflow
  EXPECT_EQ(H(-1e6f), 0xFC00);
  EXPECT_EQ(H(std::numeric_limits<float>::max()), 0x7C00);
  EXPECT_EQ(HF(0x7C00), inf);
  EXPECT_EQ(HF(0xFC00), -inf);

  uint16_t nan = H(std::numeric_limits<float>::quiet_NaN());
  EXPECT_EQ(nan & 0x7C00, 0x7C00);  // exponent all ones
  EXPECT_NE(nan & 0x03FF, 0);       // non-zero mantissa
  EXPECT_TRUE(std::isnan(HF(nan)));
  EXPECT_TRUE(std::isnan(HF(0x7E00)));
  EXPECT_TRUE(std::isnan(HF(0x7C01)));  // signalling pattern is still a nan
  // A nan whose payload lies only in the low float mantissa bits must not
  // become inf.
  uint16_t low_payload = H(std::bit_cast<float>(0x7F800001u));
  EXPECT_EQ(low_payload & 0x7C00, 0x7C00);
  EXPECT_NE(low_payload & 0x03FF, 0);
}

TEST(HalfTest, EveryFiniteAndInfPatternRoundTrips) {
  // Every binary16 value is exactly representable in binary32, so
  // float -> half must return the original pattern.
  for (uint32_t b = 0; b <= 0xFFFF; ++b) {
    uint16_t bits = static_cast<uint16_t>(b);
    bool is_nan = (bits & 0x7C00) == 0x7C00 && (bits & 0x03FF) != 0;
    float f = HF(bits);
    if (is_nan) {
      ASSERT_TRUE(std::isnan(f)) << std::hex << b;
      continue;
    }
    ASSERT_EQ(H(f), bits) << std::hex << b;
  }
}

// ---- BFloat16 -------------------------------------------------------------

uint16_t B(float f) { return BFloat16::FromFloat(f).bits; }
float BF(uint16_t bits) { return BFloat16{bits}.ToFloat(); }

TEST(BFloat16Test, ExactValues) {
  // bfloat16 = upper half of the binary32 pattern.
  EXPECT_EQ(B(1.0f), 0x3F80);   // 0x3F800000
  EXPECT_EQ(B(-2.0f), 0xC000);  // 0xC0000000
  EXPECT_EQ(B(3.0f), 0x4040);   // 0x40400000
  EXPECT_EQ(B(0.5f), 0x3F00);   // 0x3F000000
  EXPECT_EQ(B(0.0f), 0x0000);
  EXPECT_EQ(B(-0.0f), 0x8000);
  EXPECT_EQ(BF(0x3F80), 1.0f);
  EXPECT_EQ(BF(0xC000), -2.0f);
  EXPECT_EQ(BF(0x4049), std::bit_cast<float>(0x40490000u));
  // Smallest bfloat16 subnormal: mantissa lsb at float bit 16 -> 2^-133.
  EXPECT_EQ(BF(0x0001), std::ldexp(1.0f, -133));
  EXPECT_EQ(B(std::ldexp(1.0f, -133)), 0x0001);
  // Smallest normal 2^-126 = 0x00800000 -> 0x0080.
  EXPECT_EQ(B(std::ldexp(1.0f, -126)), 0x0080);
}

TEST(BFloat16Test, RoundsToNearestEven) {
  // pi = 0x40490FDB: low half 0x0FDB < 0x8000 -> truncates to 0x4049.
  EXPECT_EQ(B(std::bit_cast<float>(0x40490FDBu)), 0x4049);
  // bfloat16 ulp at 1.0 is 2^-7. 1 + 2^-8 = 0x3F808000 is a tie -> even
  // 0x3F80; 1 + 3*2^-8 = 0x3F818000 ties 0x3F81/0x3F82 -> even 0x3F82.
  EXPECT_EQ(B(std::bit_cast<float>(0x3F808000u)), 0x3F80);
  EXPECT_EQ(B(std::bit_cast<float>(0x3F818000u)), 0x3F82);
  // Above the tie rounds up; below rounds down.
  EXPECT_EQ(B(std::bit_cast<float>(0x3F808001u)), 0x3F81);
  EXPECT_EQ(B(std::bit_cast<float>(0x3F807FFFu)), 0x3F80);
  // Carry into the exponent: 0x3FFF8000 (tie, 0x3FFF odd) -> 0x4000.
  EXPECT_EQ(B(std::bit_cast<float>(0x3FFF8000u)), 0x4000);
  // Subnormal tie: 0x00018000 -> 0x0001 odd -> 0x0002.
  EXPECT_EQ(B(std::bit_cast<float>(0x00018000u)), 0x0002);
  EXPECT_EQ(B(std::bit_cast<float>(0x00008000u)), 0x0000);  // tie -> even 0
}

TEST(BFloat16Test, InfAndNan) {
  const float inf = std::numeric_limits<float>::infinity();
  EXPECT_EQ(B(inf), 0x7F80);
  EXPECT_EQ(B(-inf), 0xFF80);
  EXPECT_EQ(BF(0x7F80), inf);
  EXPECT_EQ(BF(0xFF80), -inf);
  // FLT_MAX = 0x7F7FFFFF: low half 0xFFFF > tie -> rounds up to inf 0x7F80.
  EXPECT_EQ(B(std::numeric_limits<float>::max()), 0x7F80);

  for (uint32_t pattern : {0x7FC00000u, 0x7F800001u, 0xFFC00000u, 0x7FFFFFFFu}) {
    uint16_t b = B(std::bit_cast<float>(pattern));
    EXPECT_EQ(b & 0x7F80, 0x7F80) << std::hex << pattern;  // exponent all ones
    EXPECT_NE(b & 0x007F, 0) << std::hex << pattern;       // still a nan, not inf
    EXPECT_TRUE(std::isnan(BF(b)));
  }
  EXPECT_TRUE(std::isnan(BF(0x7FC0)));
}

TEST(BFloat16Test, EveryNonNanPatternRoundTrips) {
  for (uint32_t b = 0; b <= 0xFFFF; ++b) {
    uint16_t bits = static_cast<uint16_t>(b);
    bool is_nan = (bits & 0x7F80) == 0x7F80 && (bits & 0x007F) != 0;
    float f = BF(bits);
    // ToFloat is exact: the pattern shifted into the upper half.
    ASSERT_EQ(std::bit_cast<uint32_t>(f), b << 16);
    if (!is_nan) {
      ASSERT_EQ(B(f), bits) << std::hex << b;
    }
  }
}

}  // namespace
}  // namespace tfport
