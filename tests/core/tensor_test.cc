// Unit tests for tfport/core/tensor.h.
//
// Expected values come from the contract in tensor.h (zero-initialised,
// 64-byte aligned owned storage; copies alias; DeepCopy is independent;
// FromBuffer checks size and element alignment) and from hand arithmetic
// shown next to each check (byte sizes = elements * bytes per element from
// formats.md §1.7.1; IEEE-754 bit patterns).

#include "tfport/core/tensor.h"
#include "tfport/core/tensor_proto.h"
#include "tfport/tf/tensor.pb.h"

#include <bit>
#include <cmath>
#include <complex>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace tfport {
namespace {

bool Aligned64(const void* p) { return reinterpret_cast<uintptr_t>(p) % 64 == 0; }

TEST(TensorTest, DefaultIsUninitialized) {
  Tensor t;
  EXPECT_FALSE(t.initialized());
  EXPECT_EQ(t.dtype(), DT_INVALID);
  EXPECT_EQ(t.num_elements(), 0);
  EXPECT_EQ(t.data(), nullptr);
  EXPECT_EQ(t.byte_size(), 0u);
  EXPECT_FALSE(t.SharesBufferWith(Tensor()));
  EXPECT_FALSE(t.DeepCopy().initialized());
}

TEST(TensorTest, ConstructorZeroInitialisesAndAligns) {
  Tensor t(DT_FLOAT, Shape{3, 5});
  EXPECT_TRUE(t.initialized());
  EXPECT_EQ(t.dtype(), DT_FLOAT);
  EXPECT_EQ(t.shape(), Shape({3, 5}));
  EXPECT_EQ(t.num_elements(), 15);      // 3*5
  EXPECT_EQ(t.byte_size(), 60u);        // 15*4
  EXPECT_EQ(t.bytes().size(), 60u);
  EXPECT_TRUE(Aligned64(t.data()));
  for (std::byte b : t.bytes()) ASSERT_EQ(b, std::byte{0});
  for (float f : t.flat<float>()) ASSERT_EQ(f, 0.0f);
}

TEST(TensorTest, AlignmentForManyShapesAndTypes) {
  for (DataType dt : {DT_UINT8, DT_INT16, DT_FLOAT, DT_DOUBLE, DT_COMPLEX128, DT_BOOL}) {
    for (int64_t n : {0, 1, 3, 63, 64, 65, 1000}) {
      Result<Tensor> t = Tensor::Allocate(dt, Shape{n});
      ASSERT_TRUE(t.ok()) << t.status().ToString();
      EXPECT_EQ(t->byte_size(), static_cast<size_t>(n) * DataTypeSize(dt));
      if (n > 0) {
        EXPECT_TRUE(Aligned64(t->data())) << DataTypeName(dt) << " n=" << n;
        for (std::byte b : t->bytes()) ASSERT_EQ(b, std::byte{0});
      }
    }
  }
  Tensor scalar(DT_DOUBLE, Shape{});
  EXPECT_EQ(scalar.num_elements(), 1);
  EXPECT_EQ(scalar.byte_size(), 8u);
  EXPECT_TRUE(Aligned64(scalar.data()));
  EXPECT_EQ(scalar.scalar<double>(), 0.0);
}

TEST(TensorTest, ScalarAndFromVector) {
  Tensor s = Tensor::Scalar<int32_t>(-7);
  EXPECT_EQ(s.dtype(), DT_INT32);
  EXPECT_EQ(s.shape(), Shape());
  EXPECT_EQ(s.scalar<int32_t>(), -7);
  // -7 in two's complement = 0xFFFFFFF9, little-endian bytes F9 FF FF FF.
  ASSERT_EQ(s.bytes().size(), 4u);
  EXPECT_EQ(s.bytes()[0], std::byte{0xF9});
  EXPECT_EQ(s.bytes()[3], std::byte{0xFF});

  Tensor v = Tensor::FromVector<float>({1, 2, 3, 4, 5, 6}, Shape{2, 3});
  EXPECT_EQ(v.num_elements(), 6);
  auto f = v.flat<float>();
  EXPECT_EQ(f[0], 1.0f);
  EXPECT_EQ(f[5], 6.0f);
  // 1.0f = 0x3F800000 -> bytes 00 00 80 3F.
  EXPECT_EQ(v.bytes()[2], std::byte{0x80});
  EXPECT_EQ(v.bytes()[3], std::byte{0x3F});
}

TEST(TensorTest, CopiesAliasTheBuffer) {
  Tensor a(DT_INT64, Shape{4});
  Tensor b = a;  // cheap copy
  EXPECT_TRUE(a.SharesBufferWith(b));
  EXPECT_TRUE(b.SharesBufferWith(a));
  EXPECT_EQ(a.data(), b.data());
  b.flat<int64_t>()[2] = 99;
  EXPECT_EQ(a.flat<int64_t>()[2], 99);

  Tensor c;
  c = a;
  EXPECT_TRUE(c.SharesBufferWith(a));
  Tensor d(DT_INT64, Shape{4});
  EXPECT_FALSE(d.SharesBufferWith(a));
}

TEST(TensorTest, DeepCopyIsIndependent) {
  Tensor a = Tensor::FromVector<int32_t>({1, 2, 3}, Shape{3});
  Tensor b = a.DeepCopy();
  EXPECT_FALSE(b.SharesBufferWith(a));
  EXPECT_NE(b.data(), a.data());
  EXPECT_TRUE(Aligned64(b.data()));
  EXPECT_EQ(b.dtype(), DT_INT32);
  EXPECT_EQ(b.shape(), Shape({3}));
  EXPECT_TRUE(BitwiseEqual(a, b));
  b.flat<int32_t>()[0] = 100;
  EXPECT_EQ(a.flat<int32_t>()[0], 1);
  EXPECT_FALSE(BitwiseEqual(a, b));
}

TEST(TensorTest, StringTensors) {
  Tensor t(DT_STRING, Shape{2, 2});
  EXPECT_EQ(t.num_elements(), 4);
  EXPECT_EQ(t.byte_size(), 0u);  // tensor.h: 0 for strings
  EXPECT_TRUE(t.bytes().empty());
  for (const std::string& s : t.flat<std::string>()) EXPECT_EQ(s, "");
  t.flat<std::string>()[1] = "hello";
  t.flat<std::string>()[3] = std::string("a\0b", 3);

  Tensor alias = t;
  EXPECT_TRUE(alias.SharesBufferWith(t));
  Tensor copy = t.DeepCopy();
  EXPECT_FALSE(copy.SharesBufferWith(t));
  EXPECT_EQ(copy.flat<std::string>()[1], "hello");
  EXPECT_EQ(copy.flat<std::string>()[3], std::string("a\0b", 3));
  EXPECT_TRUE(BitwiseEqual(t, copy));
  copy.flat<std::string>()[1] = "changed";
  EXPECT_EQ(t.flat<std::string>()[1], "hello");
  EXPECT_FALSE(BitwiseEqual(t, copy));

  Tensor s = Tensor::Scalar<std::string>("abc");
  EXPECT_EQ(s.dtype(), DT_STRING);
  EXPECT_EQ(s.scalar<std::string>(), "abc");

  Result<Tensor> r = Tensor::Allocate(DT_STRING, Shape{3});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->flat<std::string>()[2], "");
}

TEST(TensorTest, AllocateChecksMaxBytes) {
  // 1000 floats = 4000 bytes.
  Result<Tensor> over = Tensor::Allocate(DT_FLOAT, Shape{1000}, true, /*max_bytes=*/3999);
  EXPECT_FALSE(over.ok());
  EXPECT_EQ(over.status().code(), Code::kResourceExhausted);
  Result<Tensor> exact = Tensor::Allocate(DT_FLOAT, Shape{1000}, true, /*max_bytes=*/4000);
  ASSERT_TRUE(exact.ok()) << exact.status().ToString();
  EXPECT_EQ(exact->byte_size(), 4000u);

  // 2^40 * 2^20 complex128 = 2^64 * 16 bytes: refused before any allocation,
  // even though elements * size overflows uint64.
  Result<Shape> huge = Shape::FromDims(std::vector<int64_t>{int64_t{1} << 40, int64_t{1} << 20});
  ASSERT_TRUE(huge.ok());
  Result<Tensor> h = Tensor::Allocate(DT_COMPLEX128, *huge, true, /*max_bytes=*/1 << 20);
  EXPECT_EQ(h.status().code(), Code::kResourceExhausted);
  // Default limit is 16 GiB; 2^32 doubles = 32 GiB exceeds it.
  Result<Tensor> d = Tensor::Allocate(DT_DOUBLE, Shape{int64_t{1} << 32});
  EXPECT_EQ(d.status().code(), Code::kResourceExhausted);
  EXPECT_EQ(kDefaultMaxTensorBytes, uint64_t{16} * 1024 * 1024 * 1024);

  // Strings: the limit also applies.
  Result<Tensor> s = Tensor::Allocate(DT_STRING, Shape{1000}, true, /*max_bytes=*/100);
  EXPECT_EQ(s.status().code(), Code::kResourceExhausted);
}

// DT_RESOURCE tensors hold ResourceHandles (the runtime's variable handles).
TEST(TensorTest, ResourceTensorsHoldHandles) {
  Tensor t(DT_RESOURCE, Shape{2});
  t.flat<ResourceHandle>()[1].name = "v";
  Tensor copy = t.DeepCopy();
  EXPECT_EQ(copy.flat<ResourceHandle>()[1].name, "v");
  EXPECT_TRUE(BitwiseEqual(t, copy));
  EXPECT_FALSE(copy.SharesBufferWith(t));
}

TEST(TensorTest, AllocateRejectsBadInputs) {
  Result<Tensor> partial = Tensor::Allocate(DT_FLOAT, Shape{-1, 3});
  EXPECT_EQ(partial.status().code(), Code::kInvalidArgument);
  Result<Tensor> unknown = Tensor::Allocate(DT_FLOAT, Shape::UnknownRank());
  EXPECT_EQ(unknown.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(Tensor::Allocate(DT_INVALID, Shape{1}).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(Tensor::Allocate(DT_FLOAT_REF, Shape{1}).status().code(), Code::kInvalidArgument);
}

TEST(TensorTest, AllocateWithoutZeroStillUsable) {
  Result<Tensor> t = Tensor::Allocate(DT_INT16, Shape{8}, /*zero=*/false);
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(Aligned64(t->data()));
  for (auto& v : t->flat<int16_t>()) v = -2;
  // -2 as int16 = 0xFFFE -> little-endian FE FF.
  EXPECT_EQ(t->bytes()[0], std::byte{0xFE});
  EXPECT_EQ(t->bytes()[1], std::byte{0xFF});
}

// A buffer over memory owned by the test; records its destruction.
class ViewBuffer final : public TensorBuffer {
 public:
  ViewBuffer(void* data, size_t size, bool* destroyed)
      : TensorBuffer(data, size), destroyed_(destroyed) {}
  ~ViewBuffer() override {
    if (destroyed_) *destroyed_ = true;
  }

 private:
  bool* destroyed_;
};

TEST(TensorTest, FromBufferViewsWithoutCopying) {
  alignas(64) float storage[6] = {1, 2, 3, 4, 5, 6};
  bool destroyed = false;
  {
    Tensor t;
    {
      auto buf = std::make_shared<ViewBuffer>(storage, sizeof storage, &destroyed);
      Result<Tensor> r = Tensor::FromBuffer(DT_FLOAT, Shape{2, 3}, buf);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      t = *r;
    }
    EXPECT_FALSE(destroyed);  // the tensor keeps the owner alive
    EXPECT_EQ(t.data(), static_cast<void*>(storage));
    EXPECT_EQ(t.flat<float>()[4], 5.0f);
    storage[4] = 50.0f;
    EXPECT_EQ(t.flat<float>()[4], 50.0f);  // a view, not a copy
    Tensor copy = t.DeepCopy();
    EXPECT_NE(copy.data(), static_cast<void*>(storage));
    EXPECT_TRUE(BitwiseEqual(copy, t));
  }
  EXPECT_TRUE(destroyed);
}

TEST(TensorTest, FromBufferChecksSizeAndAlignment) {
  alignas(64) unsigned char storage[64] = {};
  // 2x3 floats need 24 bytes.
  auto wrong_size = std::make_shared<TensorBuffer>(storage, 20);
  EXPECT_EQ(Tensor::FromBuffer(DT_FLOAT, Shape{2, 3}, wrong_size).status().code(),
            Code::kInvalidArgument);
  auto too_big = std::make_shared<TensorBuffer>(storage, 28);
  EXPECT_EQ(Tensor::FromBuffer(DT_FLOAT, Shape{2, 3}, too_big).status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(Tensor::FromBuffer(DT_FLOAT, Shape{2, 3}, nullptr).status().code(),
            Code::kInvalidArgument);

  // storage + 2 is 2-byte but not 4-byte aligned.
  auto misaligned = std::make_shared<TensorBuffer>(storage + 2, 24);
  EXPECT_EQ(Tensor::FromBuffer(DT_FLOAT, Shape{2, 3}, misaligned).status().code(),
            Code::kInvalidArgument);
  auto half_ok = std::make_shared<TensorBuffer>(storage + 2, 12);  // 6 halves
  EXPECT_TRUE(Tensor::FromBuffer(DT_HALF, Shape{6}, half_ok).ok());
  auto odd = std::make_shared<TensorBuffer>(storage + 1, 6);
  EXPECT_TRUE(Tensor::FromBuffer(DT_UINT8, Shape{6}, odd).ok());  // 1-byte elements
  EXPECT_FALSE(Tensor::FromBuffer(DT_INT16, Shape{3}, odd).ok());
  // double on a 4-byte-but-not-8-byte boundary.
  auto four = std::make_shared<TensorBuffer>(storage + 4, 16);
  EXPECT_FALSE(Tensor::FromBuffer(DT_DOUBLE, Shape{2}, four).ok());

  auto good = std::make_shared<TensorBuffer>(storage, 24);
  EXPECT_EQ(Tensor::FromBuffer(DT_STRING, Shape{1}, good).status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(Tensor::FromBuffer(DT_FLOAT, Shape{-1, 6}, good).status().code(),
            Code::kInvalidArgument);
  Result<Tensor> ok = Tensor::FromBuffer(DT_FLOAT, Shape{2, 3}, good);
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(ok->SharesBufferWith(Tensor(*ok)));
}

TEST(TensorTest, Reshaped) {
  Tensor a = Tensor::FromVector<int32_t>({1, 2, 3, 4, 5, 6}, Shape{2, 3});
  Result<Tensor> b = a.Reshaped(Shape{3, 2});
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(b->shape(), Shape({3, 2}));
  EXPECT_EQ(b->num_elements(), 6);
  EXPECT_TRUE(b->SharesBufferWith(a));
  EXPECT_EQ(b->flat<int32_t>()[5], 6);
  EXPECT_EQ(a.shape(), Shape({2, 3}));  // original unchanged

  Result<Tensor> flat = a.Reshaped(Shape{6});
  ASSERT_TRUE(flat.ok());
  EXPECT_EQ(flat->shape().rank(), 1);

  EXPECT_EQ(a.Reshaped(Shape{4}).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(a.Reshaped(Shape{}).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(a.Reshaped(Shape{-1, 3}).status().code(), Code::kInvalidArgument);

  Tensor s = Tensor::Scalar<float>(2.0f);
  Result<Tensor> one = s.Reshaped(Shape{1, 1});  // 1 element either way
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->flat<float>()[0], 2.0f);
}

TEST(TensorTest, BitwiseEqual) {
  Tensor a = Tensor::FromVector<float>({1, 2, 3}, Shape{3});
  Tensor b = Tensor::FromVector<float>({1, 2, 3}, Shape{3});
  EXPECT_TRUE(BitwiseEqual(a, b));
  EXPECT_TRUE(BitwiseEqual(a, a));

  // Same bytes, different shape.
  Tensor c = Tensor::FromVector<float>({1, 2, 3}, Shape{3, 1});
  EXPECT_FALSE(BitwiseEqual(a, c));
  // Same bits, different dtype: int32 0x3F800000 vs float 1.0.
  Tensor i = Tensor::FromVector<int32_t>({0x3F800000}, Shape{1});
  Tensor f = Tensor::FromVector<float>({1.0f}, Shape{1});
  EXPECT_EQ(std::memcmp(i.data(), f.data(), 4), 0);
  EXPECT_FALSE(BitwiseEqual(i, f));
  // +0.0 and -0.0 compare equal as floats but differ in bits.
  Tensor pz = Tensor::Scalar<float>(0.0f);
  Tensor nz = Tensor::Scalar<float>(-0.0f);
  EXPECT_FALSE(BitwiseEqual(pz, nz));
  // NaN with equal bits is equal (tensor.h).
  float nan = std::numeric_limits<float>::quiet_NaN();
  EXPECT_TRUE(BitwiseEqual(Tensor::Scalar<float>(nan), Tensor::Scalar<float>(nan)));
  // Different NaN payloads differ.
  EXPECT_FALSE(BitwiseEqual(Tensor::Scalar<float>(std::bit_cast<float>(0x7FC00000u)),
                            Tensor::Scalar<float>(std::bit_cast<float>(0x7FC00001u))));
  // Empty tensors of the same dtype/shape are equal.
  EXPECT_TRUE(BitwiseEqual(Tensor(DT_FLOAT, Shape{0, 4}), Tensor(DT_FLOAT, Shape{0, 4})));
  EXPECT_FALSE(BitwiseEqual(Tensor(DT_FLOAT, Shape{0, 4}), Tensor(DT_FLOAT, Shape{4, 0})));
  // Strings compare by value.
  Tensor s1 = Tensor::FromVector<std::string>({"a", "bc"}, Shape{2});
  Tensor s2 = Tensor::FromVector<std::string>({"a", "bc"}, Shape{2});
  Tensor s3 = Tensor::FromVector<std::string>({"a", "bd"}, Shape{2});
  EXPECT_TRUE(BitwiseEqual(s1, s2));
  EXPECT_FALSE(BitwiseEqual(s1, s3));
  // Complex: (1, 2) vs (1, -2).
  Tensor z1 = Tensor::Scalar<std::complex<float>>({1.0f, 2.0f});
  Tensor z2 = Tensor::Scalar<std::complex<float>>({1.0f, -2.0f});
  EXPECT_FALSE(BitwiseEqual(z1, z2));
  EXPECT_TRUE(BitwiseEqual(z1, z1.DeepCopy()));
}

TEST(TensorTest, HalfAndBFloat16Storage) {
  Tensor h = Tensor::FromVector<Half>({Half{0x3C00}, Half{0xC000}}, Shape{2});
  EXPECT_EQ(h.dtype(), DT_HALF);
  EXPECT_EQ(h.byte_size(), 4u);  // 2 elements * 2 bytes
  // 0x3C00 little-endian = 00 3C.
  EXPECT_EQ(h.bytes()[0], std::byte{0x00});
  EXPECT_EQ(h.bytes()[1], std::byte{0x3C});
  EXPECT_EQ(h.flat<Half>()[1].ToFloat(), -2.0f);
  Tensor b = Tensor::Scalar<BFloat16>(BFloat16{0x3F80});
  EXPECT_EQ(b.dtype(), DT_BFLOAT16);
  EXPECT_EQ(b.scalar<BFloat16>().ToFloat(), 1.0f);
}

TEST(TensorTest, DebugStringMentionsTypeAndShape) {
  Tensor t = Tensor::FromVector<int32_t>({1, 2, 3}, Shape{3});
  std::string s = t.DebugString();
  EXPECT_NE(s.find("int32"), std::string::npos) << s;
  EXPECT_NE(s.find("[3]"), std::string::npos) << s;
  // max_entries = 2 of 3 values: output is truncated.
  std::string cut = t.DebugString(2);
  EXPECT_NE(cut.find("..."), std::string::npos) << cut;
}

// ---- DT_VARIANT (tensor.h: one Variant per element, stored like strings)

// A minimal VariantValue for the tests.
class Box final : public VariantValue {
 public:
  explicit Box(int v) : v_(v) {}
  std::string TypeName() const override { return "test::Box"; }
  std::string DebugString() const override { return "Box(" + std::to_string(v_) + ")"; }
  int v() const { return v_; }

 private:
  int v_;
};

Variant MakeBox(int v) { return Variant(std::make_shared<const Box>(v)); }

TEST(TensorTest, VariantDtypeMapping) {
  EXPECT_EQ(DataTypeOf<Variant>::value, DT_VARIANT);
  Variant empty;
  EXPECT_TRUE(empty.empty());
  EXPECT_EQ(empty.value(), nullptr);
  EXPECT_EQ(empty.get<Box>(), nullptr);
  EXPECT_EQ(empty.TypeName(), "");
  Variant b = MakeBox(7);
  ASSERT_NE(b.get<Box>(), nullptr);
  EXPECT_EQ(b.get<Box>()->v(), 7);
  EXPECT_EQ(b.TypeName(), "test::Box");
  EXPECT_EQ(b.DebugString(), "Box(7)");
  Variant alias = b;  // copies the handle
  EXPECT_EQ(alias.value(), b.value());
  EXPECT_TRUE(alias == b);
  EXPECT_FALSE(MakeBox(7) == b);  // identity, not value
}

TEST(TensorTest, VariantTensorsStartEmpty) {
  Tensor t(DT_VARIANT, Shape{2, 3});
  EXPECT_EQ(t.num_elements(), 6);  // 2*3
  EXPECT_EQ(t.byte_size(), 0u);    // not a memcpy type
  EXPECT_TRUE(t.bytes().empty());
  for (const Variant& v : t.flat<Variant>()) EXPECT_TRUE(v.empty());
  Result<Tensor> a = Tensor::Allocate(DT_VARIANT, Shape{4});
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  for (const Variant& v : a->flat<Variant>()) EXPECT_TRUE(v.empty());
  // The byte limit counts sizeof(Variant) per element.
  EXPECT_EQ(Tensor::Allocate(DT_VARIANT, Shape{1000}, true, /*max_bytes=*/100).status().code(),
            Code::kResourceExhausted);
}

TEST(TensorTest, VariantScalarDeepCopyAndEquality) {
  Tensor t = Tensor::Scalar<Variant>(MakeBox(3));
  EXPECT_EQ(t.dtype(), DT_VARIANT);
  EXPECT_EQ(t.shape(), Shape{});
  EXPECT_EQ(t.scalar<Variant>().get<Box>()->v(), 3);

  // DeepCopy copies handles: a new buffer sharing the same immutable values.
  Tensor copy = t.DeepCopy();
  EXPECT_FALSE(copy.SharesBufferWith(t));
  EXPECT_EQ(copy.scalar<Variant>().value(), t.scalar<Variant>().value());
  EXPECT_TRUE(BitwiseEqual(t, copy));

  // Replacing the copy's element leaves the source alone.
  copy.scalar<Variant>() = MakeBox(4);
  EXPECT_EQ(t.scalar<Variant>().get<Box>()->v(), 3);
  EXPECT_FALSE(BitwiseEqual(t, copy));

  // Equal-looking but distinct values are not equal (identity comparison).
  EXPECT_FALSE(BitwiseEqual(Tensor::Scalar<Variant>(MakeBox(3)), t));
  // Two all-empty tensors of one shape are equal; shapes must match.
  EXPECT_TRUE(BitwiseEqual(Tensor(DT_VARIANT, Shape{2}), Tensor(DT_VARIANT, Shape{2})));
  EXPECT_FALSE(BitwiseEqual(Tensor(DT_VARIANT, Shape{2}), Tensor(DT_VARIANT, Shape{1, 2})));
}

TEST(TensorTest, VariantDebugStringShowsValues) {
  Tensor t(DT_VARIANT, Shape{2});
  t.flat<Variant>()[0] = MakeBox(5);
  std::string s = t.DebugString();
  EXPECT_NE(s.find("variant"), std::string::npos) << s;
  EXPECT_NE(s.find("<Box(5)>"), std::string::npos) << s;
  EXPECT_NE(s.find("<<empty variant>>"), std::string::npos) << s;
}

TEST(TensorTest, VariantReshapeKeepsValues) {
  Tensor t(DT_VARIANT, Shape{2});
  t.flat<Variant>()[1] = MakeBox(9);
  Result<Tensor> r = t.Reshaped(Shape{1, 2});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->flat<Variant>()[1].get<Box>()->v(), 9);
  EXPECT_TRUE(r->SharesBufferWith(t));
}

TEST(TensorTest, VariantHasNoProtoForm) {
  tf::TensorProto proto;
  Status s = TensorToProtoChecked(Tensor::Scalar<Variant>(MakeBox(1)), &proto);
  EXPECT_EQ(s.code(), Code::kUnimplemented);
  EXPECT_NE(s.message().find("DT_VARIANT"), std::string::npos) << s.ToString();
  EXPECT_EQ(proto.ByteSizeLong(), 0u);  // left cleared
  Status r = TensorToProtoChecked(Tensor(DT_RESOURCE, Shape{}), &proto);
  EXPECT_EQ(r.code(), Code::kUnimplemented);
  EXPECT_NE(r.message().find("DT_RESOURCE"), std::string::npos) << r.ToString();
  EXPECT_EQ(TensorToProtoChecked(Tensor(), &proto).code(), Code::kInvalidArgument);
  // Ordinary tensors go through unchanged.
  ASSERT_TRUE(TensorToProtoChecked(Tensor::Scalar<float>(2.5f), &proto).ok());
  EXPECT_EQ(proto.dtype(), DT_FLOAT);
  ASSERT_EQ(proto.float_val_size(), 1);
  EXPECT_EQ(proto.float_val(0), 2.5f);
  // The unchecked form does not crash: dtype and shape only.
  TensorToProto(Tensor(DT_VARIANT, Shape{3}), &proto);
  EXPECT_EQ(proto.dtype(), DT_VARIANT);
  EXPECT_EQ(proto.tensor_shape().dim_size(), 1);
  EXPECT_TRUE(proto.tensor_content().empty());
  // And reading one back is refused (tensor_proto.cc: no variant decoding).
  EXPECT_EQ(TensorFromProto(proto).status().code(), Code::kUnimplemented);
}

}  // namespace
}  // namespace tfport
