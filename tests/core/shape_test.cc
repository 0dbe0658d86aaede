// Unit tests for tfport/core/shape.h.
//
// Expected values: hand arithmetic (products of dimensions, int64 limits
// INT64_MAX = 2^63 - 1), the DebugString format documented in shape.h, and
// TensorShapeProto semantics from formats.md §5.4 (unknown dim = -1, unknown
// rank = unknown_rank: true with no dims).

#include "tfport/core/shape.h"

#include <cstdint>
#include <limits>
#include <vector>

#include <gtest/gtest.h>

#include "tfport/tf/tensor_shape.pb.h"

namespace tfport {
namespace {

constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();

Result<Shape> Dims(std::vector<int64_t> dims, bool allow_unknown = false) {
  return Shape::FromDims(dims, allow_unknown);
}

TEST(ShapeTest, ScalarDefault) {
  Shape s;
  EXPECT_EQ(s.rank(), 0);
  EXPECT_FALSE(s.unknown_rank());
  EXPECT_TRUE(s.IsFullyDefined());
  EXPECT_EQ(s.num_elements(), 1);  // empty product
  EXPECT_EQ(s.DebugString(), "[]");
}

TEST(ShapeTest, BasicAccessors) {
  Shape s{2, 3, 4};
  EXPECT_EQ(s.rank(), 3);
  EXPECT_EQ(s.dim(0), 2);
  EXPECT_EQ(s.dim(2), 4);
  EXPECT_EQ(s.num_elements(), 24);  // 2*3*4
  EXPECT_EQ(s.DebugString(), "[2,3,4]");
  EXPECT_EQ(Shape({0, 5}).num_elements(), 0);  // 0*5
  EXPECT_EQ(Shape({7}).DebugString(), "[7]");
  s.AddDim(5);
  EXPECT_EQ(s.rank(), 4);
  EXPECT_EQ(s.num_elements(), 120);  // 24*5
  EXPECT_TRUE(Shape({2, 3}) == Shape(std::vector<int64_t>{2, 3}));
  EXPECT_FALSE(Shape({2, 3}) == Shape({3, 2}));
}

TEST(ShapeTest, FromDimsAcceptsValidDims) {
  Result<Shape> s = Dims({2, 3});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(*s, Shape({2, 3}));
  EXPECT_EQ(s->num_elements(), 6);

  Result<Shape> scalar = Dims({});
  ASSERT_TRUE(scalar.ok());
  EXPECT_EQ(scalar->rank(), 0);

  Result<Shape> zero = Dims({0, 10});
  ASSERT_TRUE(zero.ok());
  EXPECT_EQ(zero->num_elements(), 0);
}

TEST(ShapeTest, FromDimsRejectsNegative) {
  for (std::vector<int64_t> dims : std::vector<std::vector<int64_t>>{
           {-1}, {2, -1}, {-2, 3}, {std::numeric_limits<int64_t>::min()}}) {
    Result<Shape> s = Dims(dims);
    EXPECT_FALSE(s.ok());
    EXPECT_EQ(s.status().code(), Code::kInvalidArgument);
  }
}

TEST(ShapeTest, UnknownDimOnlyWithAllowUnknown) {
  EXPECT_FALSE(Dims({-1, 3}).ok());
  Result<Shape> s = Dims({-1, 3}, /*allow_unknown=*/true);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->rank(), 2);
  EXPECT_EQ(s->dim(0), -1);
  EXPECT_FALSE(s->IsFullyDefined());
  EXPECT_EQ(s->DebugString(), "[?,3]");
  // Only -1 means unknown; other negatives stay errors.
  Result<Shape> bad = Dims({-2, 3}, /*allow_unknown=*/true);
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Code::kInvalidArgument);
}

TEST(ShapeTest, FromDimsRejectsElementCountOverflow) {
  // 2^32 * 2^32 = 2^64 > INT64_MAX.
  Result<Shape> a = Dims({int64_t{1} << 32, int64_t{1} << 32});
  EXPECT_FALSE(a.ok());
  EXPECT_EQ(a.status().code(), Code::kInvalidArgument);
  // 2^31 * 2^31 * 2 = 2^63 = INT64_MAX + 1.
  EXPECT_FALSE(Dims({int64_t{1} << 31, int64_t{1} << 31, 2}).ok());
  // INT64_MAX * 2 overflows.
  EXPECT_FALSE(Dims({kInt64Max, 2}).ok());
  // Exactly INT64_MAX elements fits, as does 2^31 * 2^31 = 2^62.
  Result<Shape> max = Dims({kInt64Max});
  ASSERT_TRUE(max.ok());
  EXPECT_EQ(max->num_elements(), kInt64Max);
  Result<Shape> big = Dims({int64_t{1} << 31, int64_t{1} << 31});
  ASSERT_TRUE(big.ok());
  EXPECT_EQ(big->num_elements(), int64_t{1} << 62);
  // (2^63 - 1) = 7 * 7 * 73 * 127 * 337 * 92737 * 649657: the full product
  // fits, even though it is built from several dims.
  Result<Shape> factors = Dims({7 * 7 * 73, 127 * 337, int64_t{92737} * 649657});
  ASSERT_TRUE(factors.ok());
  EXPECT_EQ(factors->num_elements(), kInt64Max);
}

TEST(ShapeTest, UnknownRank) {
  Shape u = Shape::UnknownRank();
  EXPECT_TRUE(u.unknown_rank());
  EXPECT_EQ(u.rank(), 0);
  EXPECT_FALSE(u.IsFullyDefined());
  EXPECT_EQ(u.DebugString(), "<unknown>");
  EXPECT_FALSE(u == Shape());  // unknown rank is not a scalar
}

TEST(ShapeTest, FromProtoKnownDims) {
  tf::TensorShapeProto p;
  p.add_dim()->set_size(4);
  p.add_dim()->set_size(0);  // formats.md §5.4: Dim of size 0 has no fields
  p.add_dim()->set_size(2);
  Result<Shape> s = Shape::FromProto(p);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(*s, Shape({4, 0, 2}));

  tf::TensorShapeProto scalar;  // no dims, unknown_rank false
  Result<Shape> sc = Shape::FromProto(scalar);
  ASSERT_TRUE(sc.ok());
  EXPECT_EQ(*sc, Shape());
}

TEST(ShapeTest, FromProtoRejectsNegativeAndOverflow) {
  tf::TensorShapeProto neg;
  neg.add_dim()->set_size(3);
  neg.add_dim()->set_size(-5);
  EXPECT_EQ(Shape::FromProto(neg).status().code(), Code::kInvalidArgument);

  tf::TensorShapeProto unknown_dim;
  unknown_dim.add_dim()->set_size(-1);
  EXPECT_FALSE(Shape::FromProto(unknown_dim).ok());
  Result<Shape> partial = Shape::FromProto(unknown_dim, /*allow_unknown=*/true);
  ASSERT_TRUE(partial.ok());
  EXPECT_EQ(partial->DebugString(), "[?]");

  tf::TensorShapeProto overflow;
  overflow.add_dim()->set_size(int64_t{1} << 40);
  overflow.add_dim()->set_size(int64_t{1} << 40);  // 2^80
  EXPECT_EQ(Shape::FromProto(overflow).status().code(), Code::kInvalidArgument);
}

TEST(ShapeTest, FromProtoUnknownRank) {
  tf::TensorShapeProto p;
  p.set_unknown_rank(true);
  EXPECT_EQ(Shape::FromProto(p).status().code(), Code::kInvalidArgument);
  Result<Shape> s = Shape::FromProto(p, /*allow_unknown=*/true);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_TRUE(s->unknown_rank());
  EXPECT_EQ(s->DebugString(), "<unknown>");

  // unknown_rank with dims listed is contradictory.
  p.add_dim()->set_size(2);
  EXPECT_FALSE(Shape::FromProto(p, /*allow_unknown=*/true).ok());
}

TEST(ShapeTest, ToProto) {
  tf::TensorShapeProto p;
  Shape({3, -1}).ToProto(&p);
  ASSERT_EQ(p.dim_size(), 2);
  EXPECT_EQ(p.dim(0).size(), 3);
  EXPECT_EQ(p.dim(1).size(), -1);
  EXPECT_FALSE(p.unknown_rank());

  Shape::UnknownRank().ToProto(&p);  // clears the old dims
  EXPECT_TRUE(p.unknown_rank());
  EXPECT_EQ(p.dim_size(), 0);
  // formats.md §5.4: unknown rank serializes as "18 01".
  EXPECT_EQ(p.SerializeAsString(), std::string("\x18\x01", 2));

  Shape().ToProto(&p);
  EXPECT_EQ(p.SerializeAsString(), "");  // scalar: zero bytes

  Shape({2}).ToProto(&p);
  Result<Shape> back = Shape::FromProto(p);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, Shape({2}));
}

}  // namespace
}  // namespace tfport
