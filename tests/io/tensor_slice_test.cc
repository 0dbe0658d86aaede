// Unit tests for tfport/io/tensor_slice.h.
//
// Expected values come from formats.md §1.9: the OrderedCode examples
// (NumIncreasing 0 -> 00, 2 -> 01 02, 300 -> 02 01 2c; SignedNumIncreasing
// 0 -> 80, 5 -> 85, -1 -> 7f, 64 -> c0 40, 100 -> c0 64, 1000 -> c3 e8,
// 8192 -> e0 20 00, -65 -> 3f bf, -100 -> 3f 9c, -8192 -> 20 00), the scalar
// key `00 61 00 01 00` (matches real V1 files) and the `w` [10,5] example;
// other encodings are hand arithmetic from the rule stated there ("n bytes
// cover [-2^(7n-1), 2^(7n-1))", a positive header of n one-bits then a zero,
// negatives the complement), shown next to each case. CopySliceIntoFull is
// checked against naive row-major index arithmetic written in the test.

#include "tfport/io/tensor_slice.h"

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/files.h"
#include "support/status_matchers.h"

#include "tfport/tf/tensor_slice.pb.h"

namespace tfport::io {
namespace {

using tfport::testing::StatusIs;
using tfport::testing::Bytes;


// Key prefix for name "x" and rank 1: NumIncreasing(0) = 00, "x" 00 01,
// NumIncreasing(1) = 01 01.
const std::string kPrefixX1 = Bytes({0x00, 0x78, 0x00, 0x01, 0x01, 0x01});

// The key suffix produced for a rank-1 slice with this start and length.
std::string Suffix(int64_t start, int64_t length) {
  std::string key = EncodeTensorNameSlice("x", TensorSlice({{start, length}}));
  EXPECT_EQ(key.substr(0, kPrefixX1.size()), kPrefixX1);
  return key.substr(kPrefixX1.size());
}

TEST(OrderedCodeTest, ScalarKey) {
  // formats.md §1.9: the scalar "a" encodes as 00 61 00 01 00.
  EXPECT_EQ(EncodeTensorNameSlice("a", TensorSlice()), Bytes({0x00, 0x61, 0x00, 0x01, 0x00}));
}

TEST(OrderedCodeTest, PartitionedExampleKeys) {
  // formats.md §1.9: w [10,5] rows 0-4 and 5-9.
  EXPECT_EQ(EncodeTensorNameSlice("w", TensorSlice({{0, 5}, {0, -1}})),
            Bytes({0x00, 0x77, 0x00, 0x01, 0x01, 0x02, 0x80, 0x85, 0x80, 0x7f}));
  EXPECT_EQ(EncodeTensorNameSlice("w", TensorSlice({{5, 5}, {0, -1}})),
            Bytes({0x00, 0x77, 0x00, 0x01, 0x01, 0x02, 0x85, 0x85, 0x80, 0x7f}));
}

TEST(OrderedCodeTest, NumIncreasingRank) {
  // formats.md §1.9: NumIncreasing(0) = 00, (2) = 01 02, (300) = 02 01 2c.
  EXPECT_EQ(EncodeTensorNameSlice("", TensorSlice()), Bytes({0x00, 0x00, 0x01, 0x00}));
  EXPECT_EQ(EncodeTensorNameSlice("", TensorSlice::Full(2)),
            Bytes({0x00, 0x00, 0x01, 0x01, 0x02, 0x80, 0x7f, 0x80, 0x7f}));
  std::string want = Bytes({0x00, 0x00, 0x01, 0x02, 0x01, 0x2c});
  for (int i = 0; i < 300; ++i) want += Bytes({0x80, 0x7f});  // (0, -1) per dim
  EXPECT_EQ(EncodeTensorNameSlice("", TensorSlice::Full(300)), want);
}

TEST(OrderedCodeTest, StringEscapes) {
  // formats.md §1.9: 0x00 -> 00 ff, 0xff -> ff 00, terminator 00 01.
  EXPECT_EQ(EncodeTensorNameSlice(std::string("a\0b\xff", 4), TensorSlice()),
            Bytes({0x00, 0x61, 0x00, 0xff, 0x62, 0xff, 0x00, 0x00, 0x01, 0x00}));
}

TEST(OrderedCodeTest, SignedNumIncreasingDocExamples) {
  // formats.md §1.9, one value per start/length slot.
  EXPECT_EQ(Suffix(0, 5), Bytes({0x80, 0x85}));
  EXPECT_EQ(Suffix(0, -1), Bytes({0x80, 0x7f}));  // full dimension: start 0, length -1
  EXPECT_EQ(Suffix(64, 100), Bytes({0xc0, 0x40, 0xc0, 0x64}));
  EXPECT_EQ(Suffix(1000, 8192), Bytes({0xc3, 0xe8, 0xe0, 0x20, 0x00}));
  // Negative values cannot occur in valid slices, but the encoder is the
  // plain OrderedCode function applied to (start, length).
  EXPECT_EQ(Suffix(-65, -100), Bytes({0x3f, 0xbf, 0x3f, 0x9c}));
  EXPECT_EQ(Suffix(-8192, 5), Bytes({0x20, 0x00, 0x85}));
  EXPECT_EQ(Suffix(-1, 0), Bytes({0x7f, 0x80}));
}

TEST(OrderedCodeTest, SignedNumIncreasingByHand) {
  // 1 byte covers [-64, 64): 63 -> 0x80^63 = bf; -64 -> 0x80^0xc0 = 40.
  EXPECT_EQ(Suffix(63, -64), Bytes({0xbf, 0x40}));
  // 2 bytes cover [-2^13, 2^13): 8191 = 0x1fff | header 110 (bits 15..13,
  // as in 64 -> c0 40) -> df ff; 3 bytes: 2^20-1 = 0x0fffff | header 1110 (as
  // in 8192 -> e0 20 00) -> ef ff ff.
  EXPECT_EQ(Suffix(8191, (int64_t{1} << 20) - 1), Bytes({0xdf, 0xff, 0xef, 0xff, 0xff}));
  // 4 bytes: 2^20 = 0x00100000 | header 11110 -> f0 10 00 00.
  // Negative 3 bytes: -2^20 = 0xf00000 in 24 bits; header complement 0001 -> 10 00 00.
  EXPECT_EQ(Suffix(int64_t{1} << 20, -(int64_t{1} << 20)),
            Bytes({0xf0, 0x10, 0x00, 0x00, 0x10, 0x00, 0x00}));
  // 10 bytes: INT64_MAX sign-extended to 80 bits 00 00 7f ff.. with header
  // bits (ten ones, a zero) ff c0; INT64_MIN is ff ff 80 00.. xor ff c0.
  EXPECT_EQ(Suffix(std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min()),
            Bytes({0xff, 0xc0, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                   0x00, 0x3f, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}));
}

TEST(OrderedCodeTest, EncodingPreservesOrder) {
  // The point of OrderedCode: keys sort like the numbers they encode.
  std::vector<int64_t> values = {std::numeric_limits<int64_t>::min(), -(int64_t{1} << 40), -8193,
                                 -8192, -65, -64, -1, 0, 1, 63, 64, 8191, 8192,
                                 int64_t{1} << 40, std::numeric_limits<int64_t>::max()};
  for (size_t i = 0; i + 1 < values.size(); ++i)
    EXPECT_LT(Suffix(values[i], 0), Suffix(values[i + 1], 0)) << values[i];
}

// ---------------------------------------------------------------- TensorSlice

TEST(TensorSliceTest, ParseShapeAndSlice) {
  // formats.md §1.9: "d0 d1 ... SLICE", extents "start,length" or "-".
  Shape shape;
  TensorSlice slice;
  ASSERT_TRUE(TensorSlice::ParseShapeAndSlice("10 5 0,5:-", &shape, &slice).ok());
  EXPECT_EQ(shape, Shape({10, 5}));
  ASSERT_EQ(slice.rank(), 2);
  EXPECT_EQ(slice.extents()[0], (TensorSlice::Extent{0, 5}));
  EXPECT_EQ(slice.extents()[1], (TensorSlice::Extent{0, -1}));
  EXPECT_EQ(slice.DebugString(), "0,5:-");
  EXPECT_FALSE(slice.IsFullIn(shape));
  EXPECT_EQ(*slice.SliceShape(shape), Shape({5, 5}));

  ASSERT_TRUE(TensorSlice::ParseShapeAndSlice("", &shape, &slice).ok());
  EXPECT_EQ(shape.rank(), 0);
  EXPECT_EQ(slice.rank(), 0);

  ASSERT_TRUE(TensorSlice::ParseShapeAndSlice("4 0,4", &shape, &slice).ok());
  EXPECT_TRUE(slice.IsFullIn(shape));
}

TEST(TensorSliceTest, ParseShapeAndSliceErrors) {
  Shape shape;
  TensorSlice slice;
  for (const char* bad : {"10 5", "10 5 0,5", "10 5 0,11:-", "10 x 0,5:-", "10 5 0,5:-:-",
                          "10 5 -1,5:-", "10 5 0;5:-", "-3 0,1"}) {
    EXPECT_THAT(TensorSlice::ParseShapeAndSlice(bad, &shape, &slice),
                StatusIs(Code::kInvalidArgument, ""))
        << bad;
  }
}

TEST(TensorSliceTest, ProtoRoundTrip) {
  // formats.md §1.9: a whole dimension is an Extent with neither field set.
  TensorSlice slice({{5, 5}, {0, -1}});
  tf::TensorSliceProto proto;
  slice.ToProto(&proto);
  ASSERT_EQ(proto.extent_size(), 2);
  EXPECT_EQ(proto.extent(0).start(), 5);
  EXPECT_EQ(proto.extent(0).length(), 5);
  EXPECT_EQ(proto.extent(1).has_length_case(), tf::TensorSliceProto::Extent::HAS_LENGTH_NOT_SET);
  // Hand-encoded: extent{start 5 length 5} = 0a 04 08 05 10 05; extent{} = 0a 00.
  EXPECT_EQ(proto.SerializeAsString(), Bytes({0x0a, 0x04, 0x08, 0x05, 0x10, 0x05, 0x0a, 0x00}));
  auto back = TensorSlice::FromProto(proto);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, slice);
}

TEST(TensorSliceTest, FromProtoRejectsNegatives) {
  tf::TensorSliceProto proto;
  auto* e = proto.add_extent();
  e->set_start(-1);
  e->set_length(2);
  EXPECT_THAT(TensorSlice::FromProto(proto), StatusIs(Code::kInvalidArgument, ""));
  e->set_start(0);
  e->set_length(-5);
  EXPECT_THAT(TensorSlice::FromProto(proto), StatusIs(Code::kInvalidArgument, ""));
}

TEST(TensorSliceTest, SliceShapeChecksBounds) {
  EXPECT_THAT(TensorSlice({{8, 3}}).SliceShape(Shape{10}), StatusIs(Code::kInvalidArgument, ""));
  EXPECT_THAT(TensorSlice({{0, 3}}).SliceShape(Shape{10, 2}),
              StatusIs(Code::kInvalidArgument, ""));
  EXPECT_EQ(*TensorSlice({{7, 3}}).SliceShape(Shape{10}), Shape({3}));
  EXPECT_EQ(*TensorSlice::Full(2).SliceShape(Shape{4, 6}), Shape({4, 6}));
  EXPECT_TRUE(TensorSlice::Full(2).IsFullIn(Shape{4, 6}));
  EXPECT_TRUE(TensorSlice({{0, 4}, {0, -1}}).IsFullIn(Shape{4, 6}));
}

// ---------------------------------------------------------------- copy

TEST(CopySliceTest, TwoDimensionalBlock) {
  // full [3,4], part = rows 1..2, cols 1..2 with values 1 2 / 3 4:
  // row-major targets (1,1)=5, (1,2)=6, (2,1)=9, (2,2)=10.
  Tensor full(DT_FLOAT, Shape{3, 4});
  Tensor part = Tensor::FromVector<float>({1, 2, 3, 4}, Shape{2, 2});
  ASSERT_TRUE(CopySliceIntoFull(TensorSlice({{1, 2}, {1, 2}}), part, &full).ok());
  std::vector<float> want(12, 0.0f);
  want[5] = 1;
  want[6] = 2;
  want[9] = 3;
  want[10] = 4;
  EXPECT_EQ(std::vector<float>(full.flat<float>().begin(), full.flat<float>().end()), want);
}

TEST(CopySliceTest, ThreeDimensionalWithFullDimension) {
  // full [2,3,4]; slice (-, 1..2, 2..3); part shape [2,2,2] values 1..8.
  Tensor full(DT_INT32, Shape{2, 3, 4});
  std::vector<int32_t> vals = {1, 2, 3, 4, 5, 6, 7, 8};
  Tensor part = Tensor::FromVector<int32_t>(vals, Shape{2, 2, 2});
  ASSERT_TRUE(CopySliceIntoFull(TensorSlice({{0, -1}, {1, 2}, {2, 2}}), part, &full).ok());
  std::vector<int32_t> want(24, 0);
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j)
      for (int k = 0; k < 2; ++k) want[i * 12 + (1 + j) * 4 + (2 + k)] = vals[i * 4 + j * 2 + k];
  EXPECT_EQ(std::vector<int32_t>(full.flat<int32_t>().begin(), full.flat<int32_t>().end()), want);
}

TEST(CopySliceTest, StringsAndScalars) {
  Tensor full(DT_STRING, Shape{4});
  ASSERT_TRUE(CopySliceIntoFull(TensorSlice({{1, 2}}),
                                Tensor::FromVector<std::string>({"b", "c"}, Shape{2}), &full)
                  .ok());
  EXPECT_EQ(full.flat<std::string>()[0], "");
  EXPECT_EQ(full.flat<std::string>()[1], "b");
  EXPECT_EQ(full.flat<std::string>()[2], "c");

  Tensor scalar(DT_DOUBLE, Shape{});
  ASSERT_TRUE(CopySliceIntoFull(TensorSlice(), Tensor::Scalar<double>(2.5), &scalar).ok());
  EXPECT_EQ(scalar.scalar<double>(), 2.5);

  Tensor empty(DT_FLOAT, Shape{0, 3});
  EXPECT_TRUE(
      CopySliceIntoFull(TensorSlice::Full(2), Tensor(DT_FLOAT, Shape{0, 3}), &empty).ok());
}

TEST(CopySliceTest, Errors) {
  Tensor full(DT_FLOAT, Shape{3, 4});
  EXPECT_THAT(CopySliceIntoFull(TensorSlice({{0, 1}, {0, -1}}),
                                Tensor(DT_INT32, Shape{1, 4}), &full),
              StatusIs(Code::kInvalidArgument, "dtype"));
  EXPECT_THAT(CopySliceIntoFull(TensorSlice({{0, 1}, {0, -1}}),
                                Tensor(DT_FLOAT, Shape{2, 4}), &full),
              StatusIs(Code::kInvalidArgument, ""));
  EXPECT_THAT(CopySliceIntoFull(TensorSlice({{2, 2}, {0, -1}}),
                                Tensor(DT_FLOAT, Shape{2, 4}), &full),
              StatusIs(Code::kInvalidArgument, ""));
}

}  // namespace
}  // namespace tfport::io
