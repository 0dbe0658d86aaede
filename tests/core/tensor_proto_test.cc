// Unit tests for tfport/core/tensor_proto.h.
//
// Sources of expected values:
//  * formats.md §5.5: tensor_content is the raw little-endian row-major
//    element bytes and must be exactly n * sizeof(T) bytes; for DT_STRING it
//    is varint32 lengths followed by the bytes; typed field per dtype
//    (half/bfloat16 -> half_val holding the 16-bit pattern); broadcast rule
//    (0 < m < n: last value repeats; m = 0: zeros); Python's
//    make_tensor_proto uses tensor_content only for dtypes in its set and
//    size > 1 (bool, complex, string never).
//  * formats.md §1.7.1: bool is 0x00/0x01; newer TF rejects other bytes.
//  * Little-endian IEEE-754 / two's-complement byte patterns written out by
//    hand in the comments (float 1.0 = 0x3F800000, -2.0 = 0xC0000000,
//    double 1.0 = 0x3FF0000000000000, half 1.0 = 0x3C00, bfloat16 1.0 =
//    0x3F80).
//  * Protobuf wire format (tag = field << 3 | wire type) for the one
//    serialized-bytes check.

#include "tfport/core/tensor_proto.h"

#include <complex>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tfport/tf/tensor.pb.h"

namespace tfport {
namespace {

using Bytes = std::vector<uint8_t>;

std::string Raw(const Bytes& b) { return std::string(b.begin(), b.end()); }

tf::TensorProto MakeProto(DataType dtype, std::vector<int64_t> dims) {
  tf::TensorProto p;
  p.set_dtype(dtype);
  auto* shape = p.mutable_tensor_shape();
  for (int64_t d : dims) shape->add_dim()->set_size(d);
  return p;
}

Tensor Decode(const tf::TensorProto& p) {
  Result<Tensor> r = TensorFromProto(p);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : Tensor();
}

Code DecodeError(const tf::TensorProto& p) {
  Result<Tensor> r = TensorFromProto(p);
  return r.ok() ? Code::kOk : r.status().code();
}

// ---- tensor_content --------------------------------------------------------

TEST(TensorFromProtoTest, ContentFloat) {
  tf::TensorProto p = MakeProto(DT_FLOAT, {2});
  // 1.0f = 0x3F800000, -2.0f = 0xC0000000, little-endian.
  p.set_tensor_content(Raw({0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0}));
  Tensor t = Decode(p);
  ASSERT_EQ(t.dtype(), DT_FLOAT);
  EXPECT_EQ(t.shape(), Shape({2}));
  EXPECT_EQ(t.flat<float>()[0], 1.0f);
  EXPECT_EQ(t.flat<float>()[1], -2.0f);
}

TEST(TensorFromProtoTest, ContentInt32TwoByTwo) {
  tf::TensorProto p = MakeProto(DT_INT32, {2, 2});
  // 258 = 0x00000102 -> 02 01 00 00; -1 -> FF FF FF FF; 0; 0x7FFFFFFF.
  p.set_tensor_content(Raw({0x02, 0x01, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF,
                            0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0x7F}));
  Tensor t = Decode(p);
  ASSERT_EQ(t.dtype(), DT_INT32);
  EXPECT_EQ(t.shape(), Shape({2, 2}));
  auto v = t.flat<int32_t>();
  EXPECT_EQ(v[0], 258);
  EXPECT_EQ(v[1], -1);
  EXPECT_EQ(v[2], 0);
  EXPECT_EQ(v[3], 2147483647);
}

TEST(TensorFromProtoTest, ContentInt64DoubleInt16) {
  tf::TensorProto i64 = MakeProto(DT_INT64, {});  // scalar
  i64.set_tensor_content(Raw({0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01}));
  EXPECT_EQ(Decode(i64).scalar<int64_t>(), int64_t{0x0102030405060708});

  tf::TensorProto d = MakeProto(DT_DOUBLE, {1});
  // 1.0 = 0x3FF0000000000000.
  d.set_tensor_content(Raw({0, 0, 0, 0, 0, 0, 0xF0, 0x3F}));
  EXPECT_EQ(Decode(d).flat<double>()[0], 1.0);

  tf::TensorProto i16 = MakeProto(DT_INT16, {2});
  // -2 = 0xFFFE -> FE FF; 0x1234 -> 34 12.
  i16.set_tensor_content(Raw({0xFE, 0xFF, 0x34, 0x12}));
  Tensor t = Decode(i16);
  EXPECT_EQ(t.flat<int16_t>()[0], -2);
  EXPECT_EQ(t.flat<int16_t>()[1], 0x1234);
}

TEST(TensorFromProtoTest, ContentHalfBFloat16ComplexBool) {
  tf::TensorProto h = MakeProto(DT_HALF, {2});
  // half 1.0 = 0x3C00 -> 00 3C; half 65504 = 0x7BFF -> FF 7B.
  h.set_tensor_content(Raw({0x00, 0x3C, 0xFF, 0x7B}));
  Tensor ht = Decode(h);
  EXPECT_EQ(ht.flat<Half>()[0].bits, 0x3C00);
  EXPECT_EQ(ht.flat<Half>()[1].ToFloat(), 65504.0f);

  tf::TensorProto b = MakeProto(DT_BFLOAT16, {1});
  b.set_tensor_content(Raw({0x80, 0x3F}));  // 0x3F80 = 1.0
  EXPECT_EQ(Decode(b).flat<BFloat16>()[0].ToFloat(), 1.0f);

  tf::TensorProto c = MakeProto(DT_COMPLEX64, {1});
  // (1, -2): real 0x3F800000 then imaginary 0xC0000000.
  c.set_tensor_content(Raw({0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0}));
  EXPECT_EQ(Decode(c).flat<std::complex<float>>()[0], std::complex<float>(1.0f, -2.0f));

  tf::TensorProto bl = MakeProto(DT_BOOL, {3});
  bl.set_tensor_content(Raw({0x01, 0x00, 0x01}));
  Tensor bt = Decode(bl);
  EXPECT_TRUE(bt.flat<bool>()[0]);
  EXPECT_FALSE(bt.flat<bool>()[1]);
  EXPECT_TRUE(bt.flat<bool>()[2]);
}

TEST(TensorFromProtoTest, ContentString) {
  tf::TensorProto p = MakeProto(DT_STRING, {3});
  // varint lengths 2, 0, 3 then "ab" "" "xyz".
  p.set_tensor_content(std::string("\x02\x00\x03" "abxyz", 8));
  Tensor t = Decode(p);
  ASSERT_EQ(t.dtype(), DT_STRING);
  auto s = t.flat<std::string>();
  EXPECT_EQ(s[0], "ab");
  EXPECT_EQ(s[1], "");
  EXPECT_EQ(s[2], "xyz");

  // A 200-byte string: varint(200) = C8 01 (200 = 0b1_1001000 -> 0x48|0x80, 0x01).
  tf::TensorProto long_p = MakeProto(DT_STRING, {});
  long_p.set_tensor_content(std::string("\xC8\x01", 2) + std::string(200, 'q'));
  Tensor lt = Decode(long_p);
  EXPECT_EQ(lt.scalar<std::string>(), std::string(200, 'q'));
}

TEST(TensorFromProtoTest, ContentWrongLengthIsError) {
  tf::TensorProto p = MakeProto(DT_FLOAT, {2});  // needs 2*4 = 8 bytes
  p.set_tensor_content(Raw({0, 0, 0x80, 0x3F, 0, 0, 0}));  // 7
  EXPECT_EQ(DecodeError(p), Code::kInvalidArgument);
  p.set_tensor_content(std::string(9, '\0'));  // 9
  EXPECT_EQ(DecodeError(p), Code::kInvalidArgument);
  p.set_tensor_content(std::string(4, '\0'));  // one element's worth
  EXPECT_EQ(DecodeError(p), Code::kInvalidArgument);

  tf::TensorProto d = MakeProto(DT_DOUBLE, {3});  // needs 24
  d.set_tensor_content(std::string(12, '\0'));
  EXPECT_EQ(DecodeError(d), Code::kInvalidArgument);
}

TEST(TensorFromProtoTest, BadStringListIsError) {
  tf::TensorProto p = MakeProto(DT_STRING, {1});
  p.set_tensor_content(std::string("\x05" "ab", 3));  // length 5, only 2 bytes
  EXPECT_EQ(DecodeError(p), Code::kInvalidArgument);
  p.set_tensor_content(std::string("\x01" "abc", 4));  // 2 trailing bytes
  EXPECT_EQ(DecodeError(p), Code::kInvalidArgument);
  p.set_tensor_content(std::string("\x80", 1));  // truncated varint
  EXPECT_EQ(DecodeError(p), Code::kInvalidArgument);

  tf::TensorProto two = MakeProto(DT_STRING, {2});
  two.set_tensor_content(std::string("\x01", 1));  // one length for 2 elements
  EXPECT_EQ(DecodeError(two), Code::kInvalidArgument);
  // varint longer than 5 bytes is not a varint32.
  two.set_tensor_content(std::string("\xFF\xFF\xFF\xFF\xFF\xFF\x01\x00", 8));
  EXPECT_EQ(DecodeError(two), Code::kInvalidArgument);
}

TEST(TensorFromProtoTest, BoolContentByteTwoIsError) {
  tf::TensorProto p = MakeProto(DT_BOOL, {2});
  p.set_tensor_content(Raw({0x01, 0x02}));  // formats.md §1.7.1: only 00/01
  EXPECT_EQ(DecodeError(p), Code::kInvalidArgument);
  p.set_tensor_content(Raw({0xFF, 0x00}));
  EXPECT_EQ(DecodeError(p), Code::kInvalidArgument);
}

// ---- typed fields ---------------------------------------------------------

TEST(TensorFromProtoTest, FloatAndDoubleVal) {
  tf::TensorProto f = MakeProto(DT_FLOAT, {2});
  f.add_float_val(1.5f);
  f.add_float_val(-0.25f);
  Tensor ft = Decode(f);
  EXPECT_EQ(ft.flat<float>()[0], 1.5f);
  EXPECT_EQ(ft.flat<float>()[1], -0.25f);

  tf::TensorProto d = MakeProto(DT_DOUBLE, {});
  d.add_double_val(0.1);
  EXPECT_EQ(Decode(d).scalar<double>(), 0.1);
}

TEST(TensorFromProtoTest, IntValForSmallIntegerTypes) {
  tf::TensorProto i8 = MakeProto(DT_INT8, {2});
  i8.add_int_val(-128);
  i8.add_int_val(127);
  Tensor t8 = Decode(i8);
  EXPECT_EQ(t8.flat<int8_t>()[0], -128);
  EXPECT_EQ(t8.flat<int8_t>()[1], 127);

  tf::TensorProto u8 = MakeProto(DT_UINT8, {2});
  u8.add_int_val(255);
  u8.add_int_val(7);
  Tensor tu8 = Decode(u8);
  EXPECT_EQ(tu8.flat<uint8_t>()[0], 255);
  EXPECT_EQ(tu8.flat<uint8_t>()[1], 7);

  tf::TensorProto i16 = MakeProto(DT_INT16, {2});
  i16.add_int_val(-32768);
  i16.add_int_val(300);
  Tensor t16 = Decode(i16);
  EXPECT_EQ(t16.flat<int16_t>()[0], -32768);
  EXPECT_EQ(t16.flat<int16_t>()[1], 300);

  tf::TensorProto i32 = MakeProto(DT_INT32, {3});
  i32.add_int_val(std::numeric_limits<int32_t>::min());
  i32.add_int_val(-1);
  i32.add_int_val(123456789);
  Tensor t32 = Decode(i32);
  EXPECT_EQ(t32.flat<int32_t>()[0], std::numeric_limits<int32_t>::min());
  EXPECT_EQ(t32.flat<int32_t>()[1], -1);
  EXPECT_EQ(t32.flat<int32_t>()[2], 123456789);

  tf::TensorProto u16 = MakeProto(DT_UINT16, {1});  // §5.5: uint16 -> int_val
  u16.add_int_val(65535);
  EXPECT_EQ(Decode(u16).flat<uint16_t>()[0], 65535);
}

TEST(TensorFromProtoTest, Int64Uint32Uint64Val) {
  tf::TensorProto i64 = MakeProto(DT_INT64, {2});
  i64.add_int64_val(std::numeric_limits<int64_t>::min());
  i64.add_int64_val(int64_t{1} << 40);
  Tensor t = Decode(i64);
  EXPECT_EQ(t.flat<int64_t>()[0], std::numeric_limits<int64_t>::min());
  EXPECT_EQ(t.flat<int64_t>()[1], int64_t{1099511627776});  // 2^40

  tf::TensorProto u32 = MakeProto(DT_UINT32, {2});
  u32.add_uint32_val(4294967295u);  // 2^32 - 1
  u32.add_uint32_val(1);
  Tensor tu32 = Decode(u32);
  EXPECT_EQ(tu32.flat<uint32_t>()[0], 4294967295u);
  EXPECT_EQ(tu32.flat<uint32_t>()[1], 1u);

  tf::TensorProto u64 = MakeProto(DT_UINT64, {2});
  u64.add_uint64_val(18446744073709551615ull);  // 2^64 - 1
  u64.add_uint64_val(uint64_t{1} << 63);
  Tensor tu64 = Decode(u64);
  EXPECT_EQ(tu64.flat<uint64_t>()[0], 18446744073709551615ull);
  EXPECT_EQ(tu64.flat<uint64_t>()[1], 9223372036854775808ull);
}

TEST(TensorFromProtoTest, BoolAndStringVal) {
  tf::TensorProto b = MakeProto(DT_BOOL, {3});
  b.add_bool_val(true);
  b.add_bool_val(false);
  b.add_bool_val(true);
  Tensor bt = Decode(b);
  EXPECT_TRUE(bt.flat<bool>()[0]);
  EXPECT_FALSE(bt.flat<bool>()[1]);
  EXPECT_TRUE(bt.flat<bool>()[2]);

  tf::TensorProto s = MakeProto(DT_STRING, {2});
  s.add_string_val("kernel");
  s.add_string_val(std::string("\0\xff", 2));  // arbitrary bytes
  Tensor st = Decode(s);
  EXPECT_EQ(st.flat<std::string>()[0], "kernel");
  EXPECT_EQ(st.flat<std::string>()[1], std::string("\0\xff", 2));
}

TEST(TensorFromProtoTest, ComplexVal) {
  tf::TensorProto c = MakeProto(DT_COMPLEX64, {2});
  // (re, im) pairs: (1, 2), (-3, 0.5).
  for (float v : {1.0f, 2.0f, -3.0f, 0.5f}) c.add_scomplex_val(v);
  Tensor ct = Decode(c);
  EXPECT_EQ(ct.flat<std::complex<float>>()[0], std::complex<float>(1, 2));
  EXPECT_EQ(ct.flat<std::complex<float>>()[1], std::complex<float>(-3, 0.5f));

  tf::TensorProto d = MakeProto(DT_COMPLEX128, {1});
  d.add_dcomplex_val(0.25);
  d.add_dcomplex_val(-8.0);
  EXPECT_EQ(Decode(d).flat<std::complex<double>>()[0], std::complex<double>(0.25, -8.0));

  tf::TensorProto odd = MakeProto(DT_COMPLEX64, {1});
  odd.add_scomplex_val(1.0f);  // half a pair
  EXPECT_EQ(DecodeError(odd), Code::kInvalidArgument);
}

TEST(TensorFromProtoTest, HalfValForHalfAndBFloat16) {
  tf::TensorProto h = MakeProto(DT_HALF, {3});
  h.add_half_val(15360);   // 0x3C00 = half 1.0 (formats.md §5.5)
  h.add_half_val(0xC000);  // half -2.0
  h.add_half_val(0x0001);  // smallest subnormal 2^-24
  Tensor ht = Decode(h);
  EXPECT_EQ(ht.flat<Half>()[0].bits, 0x3C00);
  EXPECT_EQ(ht.flat<Half>()[0].ToFloat(), 1.0f);
  EXPECT_EQ(ht.flat<Half>()[1].ToFloat(), -2.0f);
  EXPECT_EQ(ht.flat<Half>()[2].bits, 0x0001);

  tf::TensorProto b = MakeProto(DT_BFLOAT16, {2});
  b.add_half_val(16256);   // 0x3F80 = bfloat16 1.0 (formats.md §5.5)
  b.add_half_val(0xC000);  // bfloat16 -2.0 (0xC0000000 >> 16)
  Tensor bt = Decode(b);
  EXPECT_EQ(bt.flat<BFloat16>()[0].bits, 0x3F80);
  EXPECT_EQ(bt.flat<BFloat16>()[0].ToFloat(), 1.0f);
  EXPECT_EQ(bt.flat<BFloat16>()[1].ToFloat(), -2.0f);
}

// ---- broadcast rule -------------------------------------------------------

TEST(TensorFromProtoTest, BroadcastOneValueOverShape) {
  tf::TensorProto p = MakeProto(DT_FLOAT, {3, 2});
  p.add_float_val(7.0f);
  Tensor t = Decode(p);
  ASSERT_EQ(t.num_elements(), 6);  // 3*2
  for (float v : t.flat<float>()) EXPECT_EQ(v, 7.0f);
}

TEST(TensorFromProtoTest, BroadcastLastValueRepeats) {
  tf::TensorProto p = MakeProto(DT_INT32, {5});
  p.add_int_val(1);
  p.add_int_val(2);
  Tensor t = Decode(p);
  // §5.5: copy 1, 2 then fill with the last value: 1 2 2 2 2.
  std::vector<int32_t> got(t.flat<int32_t>().begin(), t.flat<int32_t>().end());
  EXPECT_EQ(got, (std::vector<int32_t>{1, 2, 2, 2, 2}));

  tf::TensorProto s = MakeProto(DT_STRING, {3});
  s.add_string_val("a");
  s.add_string_val("b");
  Tensor st = Decode(s);
  EXPECT_EQ(st.flat<std::string>()[2], "b");

  tf::TensorProto h = MakeProto(DT_HALF, {3});
  h.add_half_val(0x3C00);
  Tensor ht = Decode(h);
  EXPECT_EQ(ht.flat<Half>()[2].bits, 0x3C00);

  tf::TensorProto c = MakeProto(DT_COMPLEX64, {2});
  c.add_scomplex_val(1.0f);
  c.add_scomplex_val(-1.0f);
  Tensor ct = Decode(c);
  EXPECT_EQ(ct.flat<std::complex<float>>()[1], std::complex<float>(1, -1));
}

TEST(TensorFromProtoTest, BroadcastNoValuesGivesZeros) {
  // (Tensors are named: a range-for over a temporary's span would dangle.)
  Tensor f = Decode(MakeProto(DT_FLOAT, {4}));
  ASSERT_EQ(f.num_elements(), 4);
  for (float v : f.flat<float>()) EXPECT_EQ(v, 0.0f);
  Tensor i = Decode(MakeProto(DT_INT64, {2, 2}));
  ASSERT_EQ(i.num_elements(), 4);
  for (int64_t v : i.flat<int64_t>()) EXPECT_EQ(v, 0);
  Tensor s = Decode(MakeProto(DT_STRING, {2}));
  ASSERT_EQ(s.num_elements(), 2);
  for (const std::string& v : s.flat<std::string>()) EXPECT_EQ(v, "");
  Tensor b = Decode(MakeProto(DT_BOOL, {3}));
  ASSERT_EQ(b.num_elements(), 3);
  for (bool v : b.flat<bool>()) EXPECT_FALSE(v);
  Tensor h = Decode(MakeProto(DT_HALF, {2}));
  for (Half v : h.flat<Half>()) EXPECT_EQ(v.bits, 0);
}

TEST(TensorFromProtoTest, MoreValuesThanElementsTakesFirst) {
  tf::TensorProto p = MakeProto(DT_FLOAT, {2});
  for (float v : {1.0f, 2.0f, 3.0f}) p.add_float_val(v);
  Tensor t = Decode(p);
  EXPECT_EQ(t.flat<float>()[0], 1.0f);
  EXPECT_EQ(t.flat<float>()[1], 2.0f);
}

TEST(TensorFromProtoTest, BroadcastRespectsMaxBytes) {
  tf::TensorProto p = MakeProto(DT_FLOAT, {1000});  // 4000 bytes
  p.add_float_val(1.0f);
  TensorFromProtoOptions small;
  small.max_bytes = 100;
  Result<Tensor> r = TensorFromProto(p, small);
  EXPECT_EQ(r.status().code(), Code::kResourceExhausted);
  small.max_bytes = 4000;
  EXPECT_TRUE(TensorFromProto(p, small).ok());
}

// ---- other errors ---------------------------------------------------------

TEST(TensorFromProtoTest, InvalidDtypeAndShapeAreErrors) {
  tf::TensorProto invalid = MakeProto(DT_INVALID, {1});
  EXPECT_EQ(DecodeError(invalid), Code::kInvalidArgument);
  tf::TensorProto ref = MakeProto(DT_FLOAT_REF, {1});  // never in stored tensors
  EXPECT_EQ(DecodeError(ref), Code::kInvalidArgument);
  tf::TensorProto unknown = MakeProto(static_cast<DataType>(77), {1});
  EXPECT_EQ(DecodeError(unknown), Code::kInvalidArgument);

  tf::TensorProto neg = MakeProto(DT_FLOAT, {2, -3});
  neg.add_float_val(1.0f);
  EXPECT_EQ(DecodeError(neg), Code::kInvalidArgument);
  tf::TensorProto minus_one = MakeProto(DT_FLOAT, {-1});
  EXPECT_EQ(DecodeError(minus_one), Code::kInvalidArgument);
  tf::TensorProto unknown_rank = MakeProto(DT_FLOAT, {});
  unknown_rank.mutable_tensor_shape()->set_unknown_rank(true);
  EXPECT_EQ(DecodeError(unknown_rank), Code::kInvalidArgument);
  tf::TensorProto overflow = MakeProto(DT_FLOAT, {int64_t{1} << 40, int64_t{1} << 40});
  EXPECT_EQ(DecodeError(overflow), Code::kInvalidArgument);
}

// ---- Tensor -> TensorProto --------------------------------------------------

TEST(TensorToProtoTest, PythonUsesContentForMultiElementFloat) {
  Tensor t = Tensor::FromVector<float>({1.0f, -2.0f, 0.5f}, Shape{3});
  tf::TensorProto p;
  TensorToProto(t, &p, ProtoEncoding::kPython);
  EXPECT_EQ(p.dtype(), DT_FLOAT);
  ASSERT_EQ(p.tensor_shape().dim_size(), 1);
  EXPECT_EQ(p.tensor_shape().dim(0).size(), 3);
  // 1.0 = 3F800000, -2.0 = C0000000, 0.5 = 3F000000, little-endian.
  EXPECT_EQ(p.tensor_content(), Raw({0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0,
                                     0x00, 0x00, 0x00, 0x3F}));
  EXPECT_EQ(p.float_val_size(), 0);
}

TEST(TensorToProtoTest, PythonScalarFloatUsesFloatVal) {
  tf::TensorProto p;
  TensorToProto(Tensor::Scalar<float>(0.5f), &p, ProtoEncoding::kPython);
  EXPECT_TRUE(p.tensor_content().empty());
  ASSERT_EQ(p.float_val_size(), 1);
  EXPECT_EQ(p.float_val(0), 0.5f);
  EXPECT_EQ(p.tensor_shape().dim_size(), 0);
  // formats.md §5.5 observed `dtype: DT_FLOAT, tensor_shape {}, float_val: 0.5`.
  // Wire bytes: 08 01 (dtype=1) | 12 00 (empty shape) | 2A 04 (field 5 packed,
  // 4 bytes) 00 00 00 3F (0.5 = 0x3F000000).
  EXPECT_EQ(p.SerializeAsString(),
            Raw({0x08, 0x01, 0x12, 0x00, 0x2A, 0x04, 0x00, 0x00, 0x00, 0x3F}));

  // One element of rank 1 is still "size 1" -> typed field.
  tf::TensorProto one;
  TensorToProto(Tensor::FromVector<float>({3.0f}, Shape{1}), &one, ProtoEncoding::kPython);
  EXPECT_TRUE(one.tensor_content().empty());
  EXPECT_EQ(one.float_val_size(), 1);
}

TEST(TensorToProtoTest, PythonNeverUsesContentForBoolComplexString) {
  tf::TensorProto b;
  TensorToProto(Tensor::FromVector<bool>({true, false, true}, Shape{3}), &b,
                ProtoEncoding::kPython);
  EXPECT_TRUE(b.tensor_content().empty());
  ASSERT_EQ(b.bool_val_size(), 3);
  EXPECT_TRUE(b.bool_val(0));
  EXPECT_FALSE(b.bool_val(1));

  tf::TensorProto c;
  TensorToProto(Tensor::FromVector<std::complex<float>>({{1, 2}, {3, 4}}, Shape{2}), &c,
                ProtoEncoding::kPython);
  EXPECT_TRUE(c.tensor_content().empty());
  ASSERT_EQ(c.scomplex_val_size(), 4);  // re, im, re, im
  EXPECT_EQ(c.scomplex_val(0), 1.0f);
  EXPECT_EQ(c.scomplex_val(3), 4.0f);

  tf::TensorProto s;
  TensorToProto(Tensor::FromVector<std::string>({"a", "bc"}, Shape{2}), &s,
                ProtoEncoding::kPython);
  EXPECT_TRUE(s.tensor_content().empty());
  ASSERT_EQ(s.string_val_size(), 2);
  EXPECT_EQ(s.string_val(1), "bc");
}

TEST(TensorToProtoTest, PythonSetMembership) {
  // In the set (formats.md §5.5): int64, half, bfloat16, uint32, qint8.
  tf::TensorProto p;
  TensorToProto(Tensor::FromVector<int64_t>({1, 2}, Shape{2}), &p, ProtoEncoding::kPython);
  EXPECT_EQ(p.tensor_content().size(), 16u);  // 2*8
  TensorToProto(Tensor::FromVector<Half>({Half{0x3C00}, Half{0xC000}}, Shape{2}), &p,
                ProtoEncoding::kPython);
  EXPECT_EQ(p.tensor_content(), Raw({0x00, 0x3C, 0x00, 0xC0}));
  EXPECT_EQ(p.half_val_size(), 0);
  TensorToProto(Tensor::FromVector<BFloat16>({BFloat16{0x3F80}, BFloat16{0x4040}}, Shape{2}),
                &p, ProtoEncoding::kPython);
  EXPECT_EQ(p.tensor_content(), Raw({0x80, 0x3F, 0x40, 0x40}));
  TensorToProto(Tensor::FromVector<uint32_t>({1, 2}, Shape{2}), &p, ProtoEncoding::kPython);
  EXPECT_EQ(p.tensor_content().size(), 8u);
  // uint16 is not in Python's set -> int_val.
  TensorToProto(Tensor::FromVector<uint16_t>({65535, 2}, Shape{2}), &p,
                ProtoEncoding::kPython);
  EXPECT_TRUE(p.tensor_content().empty());
  ASSERT_EQ(p.int_val_size(), 2);
  EXPECT_EQ(p.int_val(0), 65535);
  // complex128 is not in the set either.
  TensorToProto(Tensor::FromVector<std::complex<double>>({{1, 2}, {3, 4}}, Shape{2}), &p,
                ProtoEncoding::kPython);
  EXPECT_TRUE(p.tensor_content().empty());
  EXPECT_EQ(p.dcomplex_val_size(), 4);
}

TEST(TensorToProtoTest, TypedFieldEncoding) {
  tf::TensorProto p;
  TensorToProto(Tensor::FromVector<float>({1, 2, 3}, Shape{3}), &p,
                ProtoEncoding::kTypedField);
  EXPECT_TRUE(p.tensor_content().empty());
  ASSERT_EQ(p.float_val_size(), 3);
  EXPECT_EQ(p.float_val(2), 3.0f);

  TensorToProto(Tensor::FromVector<int8_t>({-1, 127}, Shape{2}), &p,
                ProtoEncoding::kTypedField);
  ASSERT_EQ(p.int_val_size(), 2);
  EXPECT_EQ(p.int_val(0), -1);  // sign-extended, not 255
  EXPECT_EQ(p.int_val(1), 127);

  TensorToProto(Tensor::FromVector<uint8_t>({255}, Shape{1}), &p, ProtoEncoding::kTypedField);
  ASSERT_EQ(p.int_val_size(), 1);
  EXPECT_EQ(p.int_val(0), 255);  // zero-extended

  TensorToProto(Tensor::FromVector<int16_t>({-32768}, Shape{1}), &p,
                ProtoEncoding::kTypedField);
  EXPECT_EQ(p.int_val(0), -32768);

  TensorToProto(Tensor::FromVector<int64_t>({-5, int64_t{1} << 40}, Shape{2}), &p,
                ProtoEncoding::kTypedField);
  ASSERT_EQ(p.int64_val_size(), 2);
  EXPECT_EQ(p.int64_val(1), int64_t{1} << 40);

  TensorToProto(Tensor::FromVector<uint64_t>({18446744073709551615ull}, Shape{1}), &p,
                ProtoEncoding::kTypedField);
  ASSERT_EQ(p.uint64_val_size(), 1);
  EXPECT_EQ(p.uint64_val(0), 18446744073709551615ull);

  TensorToProto(Tensor::FromVector<uint32_t>({4294967295u}, Shape{1}), &p,
                ProtoEncoding::kTypedField);
  ASSERT_EQ(p.uint32_val_size(), 1);
  EXPECT_EQ(p.uint32_val(0), 4294967295u);

  // half_val carries the 16-bit pattern zero-extended (§5.5): 0xC000 = 49152.
  TensorToProto(Tensor::FromVector<Half>({Half{0x3C00}, Half{0xC000}}, Shape{2}), &p,
                ProtoEncoding::kTypedField);
  ASSERT_EQ(p.half_val_size(), 2);
  EXPECT_EQ(p.half_val(0), 15360);
  EXPECT_EQ(p.half_val(1), 49152);
  TensorToProto(Tensor::Scalar<BFloat16>(BFloat16{0x3F80}), &p, ProtoEncoding::kTypedField);
  ASSERT_EQ(p.half_val_size(), 1);
  EXPECT_EQ(p.half_val(0), 16256);
  EXPECT_EQ(p.dtype(), DT_BFLOAT16);

  TensorToProto(Tensor::FromVector<std::string>({"x", ""}, Shape{2}), &p,
                ProtoEncoding::kTypedField);
  ASSERT_EQ(p.string_val_size(), 2);
  EXPECT_EQ(p.string_val(0), "x");
}

TEST(TensorToProtoTest, TensorContentEncoding) {
  tf::TensorProto p;
  // Even a scalar and a bool go to tensor_content (AsProtoTensorContent).
  TensorToProto(Tensor::Scalar<float>(1.0f), &p, ProtoEncoding::kTensorContent);
  EXPECT_EQ(p.tensor_content(), Raw({0x00, 0x00, 0x80, 0x3F}));
  EXPECT_EQ(p.float_val_size(), 0);

  TensorToProto(Tensor::FromVector<bool>({true, false}, Shape{2}), &p,
                ProtoEncoding::kTensorContent);
  EXPECT_EQ(p.tensor_content(), Raw({0x01, 0x00}));
  EXPECT_EQ(p.bool_val_size(), 0);

  TensorToProto(Tensor::Scalar<std::complex<float>>({1.0f, -2.0f}), &p,
                ProtoEncoding::kTensorContent);
  EXPECT_EQ(p.tensor_content(), Raw({0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0}));

  // Reusing a proto clears the previous contents.
  TensorToProto(Tensor::FromVector<float>({1, 2}, Shape{2}), &p, ProtoEncoding::kTypedField);
  EXPECT_TRUE(p.tensor_content().empty());
  EXPECT_EQ(p.scomplex_val_size(), 0);
}

TEST(TensorToProtoTest, ShapeIsWritten) {
  tf::TensorProto p;
  TensorToProto(Tensor(DT_INT32, Shape{2, 0, 3}), &p);
  EXPECT_EQ(p.dtype(), DT_INT32);
  ASSERT_EQ(p.tensor_shape().dim_size(), 3);
  EXPECT_EQ(p.tensor_shape().dim(0).size(), 2);
  EXPECT_EQ(p.tensor_shape().dim(1).size(), 0);
  EXPECT_EQ(p.tensor_shape().dim(2).size(), 3);
  EXPECT_FALSE(p.tensor_shape().unknown_rank());
}

// ---- round trips ------------------------------------------------------------

std::vector<Tensor> RoundTripTensors() {
  std::vector<Tensor> ts;
  ts.push_back(Tensor::FromVector<float>({1.0f, -0.0f, 3.5f, 1e-40f, 1e30f, -7.0f}, Shape{2, 3}));
  ts.push_back(Tensor::Scalar<float>(0.5f));
  ts.push_back(Tensor::FromVector<double>({0.1, -2.0}, Shape{2}));
  ts.push_back(Tensor::FromVector<int8_t>({-128, 0, 127}, Shape{3}));
  ts.push_back(Tensor::FromVector<uint8_t>({0, 128, 255}, Shape{3}));
  ts.push_back(Tensor::FromVector<int16_t>({-32768, 32767}, Shape{2}));
  ts.push_back(Tensor::FromVector<uint16_t>({0, 65535}, Shape{2}));
  ts.push_back(Tensor::FromVector<int32_t>({std::numeric_limits<int32_t>::min(), 42}, Shape{2}));
  ts.push_back(Tensor::FromVector<int64_t>({std::numeric_limits<int64_t>::min(), 1}, Shape{1, 2}));
  ts.push_back(Tensor::FromVector<uint32_t>({4294967295u, 0}, Shape{2}));
  ts.push_back(Tensor::FromVector<uint64_t>({18446744073709551615ull, 5}, Shape{2}));
  ts.push_back(Tensor::FromVector<bool>({true, false, true}, Shape{3}));
  ts.push_back(Tensor::FromVector<std::complex<float>>({{1, -1}, {0.5f, 2}}, Shape{2}));
  ts.push_back(Tensor::FromVector<std::complex<double>>({{1, -1}}, Shape{1}));
  ts.push_back(Tensor::FromVector<Half>({Half{0x3C00}, Half{0x7BFF}, Half{0x0001}}, Shape{3}));
  ts.push_back(Tensor::FromVector<BFloat16>({BFloat16{0x3F80}, BFloat16{0xFF80}}, Shape{2}));
  ts.push_back(Tensor::FromVector<std::string>({"", "abc", std::string(300, 'z')}, Shape{3}));
  ts.push_back(Tensor::Scalar<std::string>("s"));
  ts.push_back(Tensor(DT_FLOAT, Shape{0, 3}));
  return ts;
}

TEST(TensorProtoRoundTripTest, AllEncodings) {
  for (ProtoEncoding enc :
       {ProtoEncoding::kPython, ProtoEncoding::kTypedField, ProtoEncoding::kTensorContent}) {
    for (const Tensor& t : RoundTripTensors()) {
      tf::TensorProto p;
      TensorToProto(t, &p, enc);
      // Also through the wire, as a file would carry it.
      tf::TensorProto parsed;
      ASSERT_TRUE(parsed.ParseFromString(p.SerializeAsString()));
      Result<Tensor> back = TensorFromProto(parsed);
      ASSERT_TRUE(back.ok()) << DataTypeName(t.dtype()) << " encoding "
                             << static_cast<int>(enc) << ": " << back.status().ToString();
      EXPECT_TRUE(BitwiseEqual(t, *back))
          << DataTypeName(t.dtype()) << " encoding " << static_cast<int>(enc);
    }
  }
}

TEST(TensorProtoRoundTripTest, ProtoToTensorToProto) {
  // A hand-written typed proto survives decode + kTypedField encode unchanged.
  tf::TensorProto p = MakeProto(DT_INT32, {2});
  p.add_int_val(-3);
  p.add_int_val(9);
  Tensor t = Decode(p);
  tf::TensorProto q;
  TensorToProto(t, &q, ProtoEncoding::kTypedField);
  EXPECT_EQ(q.SerializeAsString(), p.SerializeAsString());
}

}  // namespace
}  // namespace tfport
