// Unit tests for tfport/io/bundle.h (BundleWriter, BundleReader, MergeBundles).
//
// Expected values come from:
//  * formats.md §1.4 (header bytes `08 01 1a 02 08 01`), §1.5 (entry
//    encoding, Mask(0) for empty tensors), §1.7 (data file = concatenation in
//    Add order), §1.7.2 (string layout and CRC chain), §1.8 (alignment
//    padding), §1.9 (slice keys `00 77 00 01 01 02 80 85 80 7f` /
//    `... 85 85 80 7f`), §1.11 (merge naming) and §1.13 (the real 151-byte
//    half_plus_two index and its 12-byte data file);
//  * IEEE-754 / two's complement bit patterns written out by hand;
//  * crc32c::Value / Mask, which crc32c_test.cc checks against RFC 3720.

#include "tfport/io/bundle.h"

#include <complex>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/files.h"
#include "support/format_examples.h"
#include "support/status_matchers.h"
#include "support/temp_dir.h"
#include "tfport/io/crc32c.h"
#include "tfport/io/file.h"
#include "tfport/io/sstable.h"
#include "tfport/tf/tensor_slice.pb.h"

namespace tfport::io {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using tfport::testing::TempDir;

using tfport::testing::StatusIs;
using tfport::testing::ReadAll;
using tfport::testing::WriteAll;
using tfport::testing::ListDir;
using tfport::testing::Bytes;

std::string Le32(uint32_t v) {
  return Bytes({static_cast<int>(v & 0xff), static_cast<int>((v >> 8) & 0xff),
                static_cast<int>((v >> 16) & 0xff), static_cast<int>(v >> 24)});
}



std::string RawIndexValue(const std::string& prefix, std::string_view key) {
  auto file = MappedFile::Open(BundleIndexPath(prefix));
  EXPECT_TRUE(file.ok()) << file.status().ToString();
  if (!file.ok()) return "";
  auto table = TableReader::Open(*file);
  EXPECT_TRUE(table.ok()) << table.status().ToString();
  if (!table.ok()) return "";
  auto v = (*table)->Get(key);
  EXPECT_TRUE(v.ok()) << v.status().ToString();
  return v.ok() ? *v : "";
}

std::unique_ptr<BundleWriter> NewWriter(const std::string& prefix, BundleWriteOptions opt = {}) {
  auto w = BundleWriter::Create(prefix, opt);
  EXPECT_TRUE(w.ok()) << w.status().ToString();
  return w.ok() ? std::move(*w) : nullptr;
}

std::unique_ptr<BundleReader> OpenReader(const std::string& prefix) {
  auto r = BundleReader::Open(prefix);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(*r) : nullptr;
}

Tensor Strings(std::vector<std::string> values, Shape shape) {
  return Tensor::FromVector<std::string>(values, std::move(shape));
}

// ---------------------------------------------------------------- names

TEST(BundleTest, FileNames) {
  // formats.md §1.1: "%s.data-%05d-of-%05d", at least 5 digits.
  EXPECT_EQ(BundleIndexPath("/m/variables/variables"), "/m/variables/variables.index");
  EXPECT_EQ(BundleDataPath("/m/v", 0, 1), "/m/v.data-00000-of-00001");
  EXPECT_EQ(BundleDataPath("p", 1, 2), "p.data-00001-of-00002");
  EXPECT_EQ(BundleDataPath("p", 3, 100000), "p.data-00003-of-100000");
}

// ---------------------------------------------------------------- exact bytes

TEST(BundleTest, HalfPlusTwoIsByteIdentical) {
  // formats.md §1.13: a = 0.5, b = 2.0, c = 3.0 (float scalars), written by
  // TF 1.9. Our writer must produce the same 151-byte index and 12-byte data.
  TempDir dir;
  const std::string prefix = dir.Join("variables");
  auto w = NewWriter(prefix);
  ASSERT_TRUE(w->Add("a", Tensor::Scalar<float>(0.5f)).ok());
  ASSERT_TRUE(w->Add("b", Tensor::Scalar<float>(2.0f)).ok());
  ASSERT_TRUE(w->Add("c", Tensor::Scalar<float>(3.0f)).ok());
  ASSERT_TRUE(w->Finish().ok());

  EXPECT_EQ(ReadAll(BundleDataPath(prefix, 0, 1)),
            Bytes({0x00, 0x00, 0x00, 0x3f, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x40, 0x40}));

  // formats.md §1.13: the whole 151-byte index.
  EXPECT_EQ(ReadAll(BundleIndexPath(prefix)), tfport::testing::HalfPlusTwoIndexBytes());

  auto r = OpenReader(prefix);
  ASSERT_TRUE(r);
  EXPECT_THAT(r->keys(), ElementsAre("a", "b", "c"));
  EXPECT_EQ(r->num_shards(), 1);
  auto b = r->Lookup("b");
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(b->dtype(), DT_FLOAT);
  EXPECT_EQ(b->shape(), Shape{});
  EXPECT_EQ(b->scalar<float>(), 2.0f);
}

TEST(BundleTest, HeaderBytes) {
  // formats.md §1.4: num_shards 1, version{producer 1} = `08 01 1a 02 08 01`.
  TempDir dir;
  const std::string prefix = dir.Join("ckpt");
  auto w = NewWriter(prefix);
  ASSERT_TRUE(w->Add("x", Tensor::Scalar<int32_t>(1)).ok());
  ASSERT_TRUE(w->Finish().ok());
  EXPECT_EQ(RawIndexValue(prefix, ""), Bytes({0x08, 0x01, 0x1a, 0x02, 0x08, 0x01}));
}

TEST(BundleTest, ScalarFloatEntryEncoding) {
  // formats.md §1.5: key at offset 4 = `08 01 12 00 20 04 28 04 35 <crc LE>`;
  // first tensor (offset 0) omits field 4. CRCs from §1.6 (0.5 ->
  // masked 0x1f273806) and §1.5 (2.0 -> masked 0x4f78fd10).
  TempDir dir;
  const std::string prefix = dir.Join("ckpt");
  auto w = NewWriter(prefix);
  ASSERT_TRUE(w->Add("second", Tensor::Scalar<float>(2.0f)).ok());  // offset 0
  ASSERT_TRUE(w->Add("first", Tensor::Scalar<float>(0.5f)).ok());   // offset 4
  ASSERT_TRUE(w->Finish().ok());
  EXPECT_EQ(RawIndexValue(prefix, "second"),
            Bytes({0x08, 0x01, 0x12, 0x00, 0x28, 0x04, 0x35}) + Le32(0x4f78fd10));
  EXPECT_EQ(RawIndexValue(prefix, "first"),
            Bytes({0x08, 0x01, 0x12, 0x00, 0x20, 0x04, 0x28, 0x04, 0x35}) + Le32(0x1f273806));
}

TEST(BundleTest, EntryEncodingOfShapesAndEmptyTensor) {
  // formats.md §1.5: dims carry size only; a dim of size 0 is an empty Dim
  // message; an empty tensor has no offset/size fields (0) and crc Mask(0) =
  // 0xa282ead8. Hand-encoded: shape [0,3] = 12 06 | 12 00 | 12 02 08 03.
  TempDir dir;
  const std::string prefix = dir.Join("ckpt");
  auto w = NewWriter(prefix);
  ASSERT_TRUE(w->Add("e", Tensor(DT_FLOAT, Shape{0, 3})).ok());
  ASSERT_TRUE(w->Finish().ok());
  EXPECT_EQ(RawIndexValue(prefix, "e"),
            Bytes({0x08, 0x01, 0x12, 0x06, 0x12, 0x00, 0x12, 0x02, 0x08, 0x03, 0x35}) +
                Le32(0xa282ead8));
}

TEST(BundleTest, DataFileIsConcatenationInAddOrder) {
  // formats.md §1.7: tensors in Add order (not key order), densely packed.
  TempDir dir;
  const std::string prefix = dir.Join("ckpt");
  auto w = NewWriter(prefix);
  ASSERT_TRUE(w->Add("z", Tensor::FromVector<int32_t>({1, -1}, Shape{2})).ok());
  ASSERT_TRUE(w->Add("a", Tensor::FromVector<uint8_t>({1, 2, 3}, Shape{3})).ok());
  ASSERT_TRUE(w->Add("m", Tensor::Scalar<float>(1.0f)).ok());
  ASSERT_TRUE(w->Add("h", Tensor::FromVector<Half>({Half{0x3c00}}, Shape{1})).ok());
  ASSERT_TRUE(w->Finish().ok());
  // int32 1 = 01 00 00 00, -1 = ff ff ff ff; uint8 01 02 03; float 1.0 =
  // 0x3f800000 LE = 00 00 80 3f; half 1.0 = 0x3c00 LE = 00 3c.
  const std::string want = Bytes({0x01, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0x01, 0x02,
                                  0x03, 0x00, 0x00, 0x80, 0x3f, 0x00, 0x3c});
  EXPECT_EQ(ReadAll(BundleDataPath(prefix, 0, 1)), want);

  auto r = OpenReader(prefix);
  ASSERT_TRUE(r);
  const std::pair<const char*, std::pair<int64_t, int64_t>> extents[] = {
      {"z", {0, 8}}, {"a", {8, 3}}, {"m", {11, 4}}, {"h", {15, 2}}};
  for (const auto& [key, ext] : extents) {
    auto e = r->entry(key);
    ASSERT_TRUE(e.ok());
    EXPECT_EQ(e->shard_id(), 0) << key;
    EXPECT_EQ(e->offset(), ext.first) << key;
    EXPECT_EQ(e->size(), ext.second) << key;
    EXPECT_EQ(e->crc32c(),
              crc32c::Mask(crc32c::Value(want.data() + ext.first, static_cast<size_t>(ext.second))))
        << key;
  }
}

// ---------------------------------------------------------------- round trip

TEST(BundleTest, RoundTripManyDtypes) {
  TempDir dir;
  const std::string prefix = dir.Join("sub/dir/model.ckpt-7");  // directory is created
  std::vector<std::pair<std::string, Tensor>> tensors = {
      {"f32", Tensor::FromVector<float>({1.5f, -0.0f, 3.25f, 1e30f, -7.f, 0.1f}, Shape{2, 3})},
      {"f32_scalar", Tensor::Scalar<float>(42.0f)},
      {"f64", Tensor::FromVector<double>({3.141592653589793, -1e-300}, Shape{2})},
      {"i8", Tensor::FromVector<int8_t>({-128, 0, 127}, Shape{3})},
      {"u8", Tensor::FromVector<uint8_t>({0, 128, 255}, Shape{3})},
      {"i16", Tensor::FromVector<int16_t>({-32768, 1, 32767}, Shape{3})},
      {"u16", Tensor::FromVector<uint16_t>({0, 65535}, Shape{2})},
      {"i32", Tensor::FromVector<int32_t>({std::numeric_limits<int32_t>::min(), 0, 7}, Shape{3})},
      {"u32", Tensor::FromVector<uint32_t>({0xffffffffu, 1}, Shape{2})},
      {"i64", Tensor::FromVector<int64_t>({std::numeric_limits<int64_t>::min(), -1, 5}, Shape{3})},
      {"i64_scalar", Tensor::Scalar<int64_t>(1000)},
      {"u64", Tensor::FromVector<uint64_t>({~uint64_t{0}, 2}, Shape{2, 1})},
      {"bool", Tensor::FromVector<bool>({true, false, true}, Shape{3})},
      // IEEE binary16: 1.0 = 0x3c00, -2.0 = 0xc000, 65504 = 0x7bff.
      {"half", Tensor::FromVector<Half>({Half{0x3c00}, Half{0xc000}, Half{0x7bff}}, Shape{3})},
      // bfloat16 = top half of float32: 1.0 = 0x3f80, -0.5 = 0xbf00.
      {"bf16", Tensor::FromVector<BFloat16>({BFloat16{0x3f80}, BFloat16{0xbf00}}, Shape{2})},
      {"c64", Tensor::FromVector<std::complex<float>>({{1.f, -2.f}, {0.5f, 3.f}}, Shape{2})},
      {"c128", Tensor::FromVector<std::complex<double>>({{1e100, -1e-100}}, Shape{1})},
      {"qi8", Tensor::FromVector<QInt8>({QInt8{-3}, QInt8{4}}, Shape{2})},
      {"qu8", Tensor::FromVector<QUInt8>({QUInt8{250}}, Shape{1})},
      {"qi16", Tensor::FromVector<QInt16>({QInt16{-300}}, Shape{1})},
      {"qu16", Tensor::FromVector<QUInt16>({QUInt16{60000}}, Shape{1})},
      {"qi32", Tensor::FromVector<QInt32>({QInt32{-100000}}, Shape{1})},
      {"str", Strings({"hello", "", std::string("w\0rld\xff", 6), std::string(200, 'x')},
                      Shape{2, 2})},
      {"str_scalar", Tensor::Scalar<std::string>("")},
      {"str_empty", Tensor(DT_STRING, Shape{0})},
      {"f32_empty", Tensor(DT_FLOAT, Shape{0, 3})},
      {"f64_empty", Tensor(DT_DOUBLE, Shape{4, 0})},
      {"nested/name/.ATTRIBUTES/VARIABLE_VALUE", Tensor::Scalar<int32_t>(-9)},
  };

  auto w = NewWriter(prefix);
  ASSERT_TRUE(w);
  for (const auto& [k, t] : tensors) ASSERT_TRUE(w->Add(k, t).ok()) << k;
  ASSERT_TRUE(w->Finish().ok());

  auto r = OpenReader(prefix);
  ASSERT_TRUE(r);
  std::set<std::string> want_keys;
  for (const auto& [k, t] : tensors) want_keys.insert(k);
  const std::vector<std::string> keys = r->keys();
  EXPECT_EQ(std::set<std::string>(keys.begin(), keys.end()), want_keys);
  EXPECT_TRUE(std::is_sorted(keys.begin(), keys.end()));
  for (const auto& [k, t] : tensors) {
    EXPECT_TRUE(r->Contains(k)) << k;
    auto got = r->Lookup(k);
    ASSERT_TRUE(got.ok()) << k << ": " << got.status().ToString();
    EXPECT_EQ(got->dtype(), t.dtype()) << k;
    EXPECT_EQ(got->shape(), t.shape()) << k;
    EXPECT_TRUE(BitwiseEqual(*got, t)) << k << ": " << got->DebugString();
  }
  // Spot checks on values, independent of BitwiseEqual.
  EXPECT_EQ(r->Lookup("i8")->flat<int8_t>()[0], -128);
  EXPECT_EQ(r->Lookup("half")->flat<Half>()[2].bits, 0x7bff);
  EXPECT_EQ(r->Lookup("str")->flat<std::string>()[2], std::string("w\0rld\xff", 6));
  EXPECT_EQ(r->Lookup("c64")->flat<std::complex<float>>()[0], std::complex<float>(1.f, -2.f));
}

TEST(BundleTest, StringTensorLayoutAndCrc) {
  // formats.md §1.7.2: varint64 lengths, masked CRC of the lengths as 4-byte
  // LE uint32, then the bytes. Entry crc = Mask(Extend(Extend(C1, stored 4
  // bytes), strings...)). Lengths 2, 0, 300: varints 02 00 ac 02 (300 =
  // 0b10_0101100 -> 0xac 0x02).
  TempDir dir;
  const std::string prefix = dir.Join("ckpt");
  const std::string long_str(300, 'q');
  auto w = NewWriter(prefix);
  ASSERT_TRUE(w->Add("s", Strings({"ab", "", long_str}, Shape{3})).ok());
  ASSERT_TRUE(w->Finish().ok());

  const std::string lengths_le = Le32(2) + Le32(0) + Le32(300);  // 02000000 00000000 2c010000
  const uint32_t c1 = crc32c::Value(lengths_le.data(), lengths_le.size());
  const std::string stored = Le32(crc32c::Mask(c1));
  const std::string want = Bytes({0x02, 0x00, 0xac, 0x02}) + stored + "ab" + long_str;
  EXPECT_EQ(ReadAll(BundleDataPath(prefix, 0, 1)), want);

  uint32_t c2 = crc32c::Extend(c1, stored.data(), 4);
  c2 = crc32c::Extend(c2, "ab", 2);
  c2 = crc32c::Extend(c2, long_str.data(), long_str.size());

  auto r = OpenReader(prefix);
  ASSERT_TRUE(r);
  auto e = r->entry("s");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->dtype(), DT_STRING);
  EXPECT_EQ(e->size(), 4 + 4 + 2 + 300);  // varint bytes + 4 + sum of lengths
  EXPECT_EQ(e->crc32c(), crc32c::Mask(c2));
  auto t = r->Lookup("s");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->flat<std::string>()[0], "ab");
  EXPECT_EQ(t->flat<std::string>()[1], "");
  EXPECT_EQ(t->flat<std::string>()[2], long_str);
}

TEST(BundleTest, EmptyStringTensorLayout) {
  // No elements: no varints, the masked CRC of nothing (Mask(0) =
  // 0xa282ead8, §1.5) as the length checksum, no bytes.
  TempDir dir;
  const std::string prefix = dir.Join("ckpt");
  auto w = NewWriter(prefix);
  ASSERT_TRUE(w->Add("s", Tensor(DT_STRING, Shape{0})).ok());
  ASSERT_TRUE(w->Finish().ok());
  EXPECT_EQ(ReadAll(BundleDataPath(prefix, 0, 1)), Le32(0xa282ead8));
  auto r = OpenReader(prefix);
  ASSERT_TRUE(r);
  auto t = r->Lookup("s");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->num_elements(), 0);
}

TEST(BundleTest, NumericLookupViewsTheMappedShard) {
  TempDir dir;
  const std::string prefix = dir.Join("ckpt");
  auto w = NewWriter(prefix);
  ASSERT_TRUE(w->Add("w", Tensor::FromVector<float>({1, 2, 3, 4}, Shape{2, 2})).ok());
  ASSERT_TRUE(w->Finish().ok());
  auto r = OpenReader(prefix);
  ASSERT_TRUE(r);
  auto t1 = r->Lookup("w");
  auto t2 = r->Lookup("w");
  ASSERT_TRUE(t1.ok() && t2.ok());
  // Both views point at the same bytes of the one mapping (a copy would
  // allocate separately).
  EXPECT_EQ(t1->data(), t2->data());
  r.reset();  // the tensor keeps the mapping alive
  EXPECT_THAT(std::vector<float>(t1->flat<float>().begin(), t1->flat<float>().end()),
              ElementsAre(1, 2, 3, 4));
  // The mapping is private copy-on-write: writing through the tensor must not
  // change the file.
  t1->flat<float>()[0] = 99.0f;
  auto r2 = OpenReader(prefix);
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->Lookup("w")->flat<float>()[0], 1.0f);
}

TEST(BundleTest, MisalignedDataIsCopied) {
  // int8 of 1 byte puts the float at offset 1 and the double at 13.
  TempDir dir;
  const std::string prefix = dir.Join("ckpt");
  auto w = NewWriter(prefix);
  ASSERT_TRUE(w->Add("a_byte", Tensor::FromVector<int8_t>({5}, Shape{1})).ok());
  ASSERT_TRUE(w->Add("b_float", Tensor::FromVector<float>({1.5f, -2.5f, 8.0f}, Shape{3})).ok());
  ASSERT_TRUE(w->Add("c_double", Tensor::FromVector<double>({0.25, -1e10}, Shape{2})).ok());
  ASSERT_TRUE(w->Finish().ok());
  auto r = OpenReader(prefix);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->entry("b_float")->offset(), 1);
  EXPECT_EQ(r->entry("c_double")->offset(), 13);  // 1 + 3*4
  auto f = r->Lookup("b_float");
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(reinterpret_cast<uintptr_t>(f->data()) % alignof(float), 0u);
  EXPECT_THAT(std::vector<float>(f->flat<float>().begin(), f->flat<float>().end()),
              ElementsAre(1.5f, -2.5f, 8.0f));
  auto d = r->Lookup("c_double");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(reinterpret_cast<uintptr_t>(d->data()) % alignof(double), 0u);
  EXPECT_EQ(d->flat<double>()[0], 0.25);
  EXPECT_EQ(d->flat<double>()[1], -1e10);
}

TEST(BundleTest, DataAlignmentPads) {
  // formats.md §1.8: zero padding after each tensor (also the last) so the
  // next offset is a multiple of the alignment; not counted in size.
  TempDir dir;
  const std::string prefix = dir.Join("ckpt");
  auto w = NewWriter(prefix, BundleWriteOptions{.data_alignment = 8});
  ASSERT_TRUE(w->Add("a", Tensor::FromVector<int8_t>({7}, Shape{1})).ok());
  ASSERT_TRUE(w->Add("b", Tensor::Scalar<float>(1.0f)).ok());
  ASSERT_TRUE(w->Add("c", Tensor::FromVector<int64_t>({-2}, Shape{1})).ok());
  ASSERT_TRUE(w->Finish().ok());
  std::string want = Bytes({0x07, 0, 0, 0, 0, 0, 0, 0,                        // a + 7 pad
                            0x00, 0x00, 0x80, 0x3f, 0, 0, 0, 0,                 // b + 4 pad
                            0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff});  // c, no pad
  EXPECT_EQ(ReadAll(BundleDataPath(prefix, 0, 1)), want);
  auto r = OpenReader(prefix);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->entry("b")->offset(), 8);
  EXPECT_EQ(r->entry("b")->size(), 4);
  EXPECT_EQ(r->entry("c")->offset(), 16);
  EXPECT_EQ(r->Lookup("b")->scalar<float>(), 1.0f);
  EXPECT_EQ(r->Lookup("c")->flat<int64_t>()[0], -2);

  // A 3-byte tensor last is padded up to the alignment too.
  const std::string prefix2 = dir.Join("ckpt2");
  auto w2 = NewWriter(prefix2, BundleWriteOptions{.data_alignment = 4});
  ASSERT_TRUE(w2->Add("x", Tensor::FromVector<uint8_t>({1, 2, 3}, Shape{3})).ok());
  ASSERT_TRUE(w2->Finish().ok());
  EXPECT_EQ(ReadAll(BundleDataPath(prefix2, 0, 1)), Bytes({1, 2, 3, 0}));
}

TEST(BundleTest, InvalidAlignmentRejected) {
  TempDir dir;
  EXPECT_THAT(BundleWriter::Create(dir.Join("p"), BundleWriteOptions{.data_alignment = 0}),
              StatusIs(Code::kInvalidArgument, "data_alignment"));
}

// ---------------------------------------------------------------- slices

Tensor Rows(int64_t first_row, int64_t rows) {
  // w[r][c] = 10*r + c, rows [first_row, first_row+rows) of a [10,5] matrix.
  std::vector<float> v;
  for (int64_t r = first_row; r < first_row + rows; ++r)
    for (int64_t c = 0; c < 5; ++c) v.push_back(static_cast<float>(10 * r + c));
  return Tensor::FromVector<float>(v, Shape{rows, 5});
}

void CheckFullW(const Tensor& t) {
  ASSERT_EQ(t.shape(), Shape({10, 5}));
  for (int64_t r = 0; r < 10; ++r)
    for (int64_t c = 0; c < 5; ++c)
      ASSERT_EQ(t.flat<float>()[static_cast<size_t>(r * 5 + c)], static_cast<float>(10 * r + c));
}

TEST(BundleTest, AddSlicePartitionedTensor) {
  TempDir dir;
  const std::string prefix = dir.Join("ckpt");
  auto w = NewWriter(prefix);
  const TensorSlice top({{0, 5}, {0, -1}});
  const TensorSlice bottom({{5, 5}, {0, -1}});
  ASSERT_TRUE(w->AddSlice("w", Shape{10, 5}, top, Rows(0, 5)).ok());
  ASSERT_TRUE(w->AddSlice("w", Shape{10, 5}, bottom, Rows(5, 5)).ok());
  ASSERT_TRUE(w->Finish().ok());

  auto r = OpenReader(prefix);
  ASSERT_TRUE(r);
  // formats.md §1.9 example: the two slice keys, then "w".
  std::vector<std::string> all;
  for (const auto& [k, e] : r->entries()) all.push_back(k);
  const std::string key_top = Bytes({0x00, 0x77, 0x00, 0x01, 0x01, 0x02, 0x80, 0x85, 0x80, 0x7f});
  const std::string key_bottom =
      Bytes({0x00, 0x77, 0x00, 0x01, 0x01, 0x02, 0x85, 0x85, 0x80, 0x7f});
  EXPECT_THAT(all, ElementsAre(key_top, key_bottom, "w"));
  EXPECT_THAT(r->keys(), ElementsAre("w"));

  // Full entry: dtype, full shape, two slices; no data fields (§1.9 step 2).
  auto full = r->entry("w");
  ASSERT_TRUE(full.ok());
  EXPECT_EQ(full->dtype(), DT_FLOAT);
  EXPECT_EQ(full->shape().dim_size(), 2);
  EXPECT_EQ(full->size(), 0);
  EXPECT_EQ(full->crc32c(), 0u);
  ASSERT_EQ(full->slices_size(), 2);
  const auto& s0 = full->slices(0);
  ASSERT_EQ(s0.extent_size(), 2);
  EXPECT_EQ(s0.extent(0).start(), 0);
  EXPECT_EQ(s0.extent(0).length(), 5);
  EXPECT_EQ(s0.extent(1).has_length_case(), tf::TensorSliceProto::Extent::HAS_LENGTH_NOT_SET);
  EXPECT_EQ(full->slices(1).extent(0).start(), 5);
  // Slice entries carry the slice's own shape.
  auto part = r->entry(key_bottom);
  ASSERT_TRUE(part.ok());
  EXPECT_EQ(part->shape().dim(0).size(), 5);
  EXPECT_EQ(part->shape().dim(1).size(), 5);
  EXPECT_EQ(part->offset(), 100);  // 25 floats before it

  auto t = r->Lookup("w");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  CheckFullW(*t);
}

TEST(BundleTest, AddSliceCoveringWholeTensorIsPlainAdd) {
  TempDir dir;
  const std::string prefix = dir.Join("ckpt");
  auto w = NewWriter(prefix);
  ASSERT_TRUE(w->AddSlice("w", Shape{10, 5}, TensorSlice({{0, 10}, {0, -1}}), Rows(0, 10)).ok());
  ASSERT_TRUE(w->Finish().ok());
  auto r = OpenReader(prefix);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->entries().size(), 1u);
  EXPECT_EQ(r->entry("w")->slices_size(), 0);
  CheckFullW(*r->Lookup("w"));
}

TEST(BundleTest, AddSliceShapeMismatchRejected) {
  TempDir dir;
  auto w = NewWriter(dir.Join("ckpt"));
  EXPECT_THAT(w->AddSlice("w", Shape{10, 5}, TensorSlice({{0, 5}, {0, -1}}), Rows(0, 4)),
              StatusIs(Code::kInvalidArgument, "w"));
}

// ---------------------------------------------------------------- merge

TEST(BundleTest, MergeBundlesTwoParts) {
  TempDir dir;
  // formats.md §1.11: parts under "<P>_temp_<hex>/part-0000i-of-00002".
  const std::string tmp = dir.Join("model_temp_0123abcd");
  const std::string part0 = tmp + "/part-00000-of-00002";
  const std::string part1 = tmp + "/part-00001-of-00002";
  const std::string dest = dir.Join("model");
  {
    auto w = NewWriter(part0);
    ASSERT_TRUE(w->Add("a", Tensor::FromVector<float>({1, 2}, Shape{2})).ok());
    ASSERT_TRUE(w->Add("c", Tensor::Scalar<int32_t>(3)).ok());
    ASSERT_TRUE(w->AddSlice("w", Shape{10, 5}, TensorSlice({{0, 5}, {0, -1}}), Rows(0, 5)).ok());
    ASSERT_TRUE(w->Finish().ok());
  }
  {
    auto w = NewWriter(part1);
    ASSERT_TRUE(w->Add("b", Strings({"x", ""}, Shape{2})).ok());
    ASSERT_TRUE(w->Add("d", Tensor::Scalar<double>(4.5)).ok());
    ASSERT_TRUE(w->AddSlice("w", Shape{10, 5}, TensorSlice({{5, 5}, {0, -1}}), Rows(5, 5)).ok());
    ASSERT_TRUE(w->Finish().ok());
  }
  const std::string data0 = ReadAll(BundleDataPath(part0, 0, 1));
  const std::string data1 = ReadAll(BundleDataPath(part1, 0, 1));

  ASSERT_TRUE(MergeBundles({part0, part1}, dest).ok());

  // Data files renamed to dest.data-0000K-of-00002 unchanged; part indexes
  // gone; the now-empty temp directory removed (delete_old_dirs).
  EXPECT_EQ(ListDir(dir.path()), (std::set<std::string>{"model.index", "model.data-00000-of-00002",
                                                        "model.data-00001-of-00002"}));
  EXPECT_EQ(ReadAll(BundleDataPath(dest, 0, 2)), data0);
  EXPECT_EQ(ReadAll(BundleDataPath(dest, 1, 2)), data1);

  // Header: num_shards 2, version{producer 1} -> 08 02 1a 02 08 01.
  EXPECT_EQ(RawIndexValue(dest, ""), Bytes({0x08, 0x02, 0x1a, 0x02, 0x08, 0x01}));

  auto r = OpenReader(dest);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->num_shards(), 2);
  EXPECT_THAT(r->keys(), ElementsAre("a", "b", "c", "d", "w"));
  EXPECT_EQ(r->entry("a")->shard_id(), 0);
  EXPECT_EQ(r->entry("c")->shard_id(), 0);
  EXPECT_EQ(r->entry("b")->shard_id(), 1);
  EXPECT_EQ(r->entry("d")->shard_id(), 1);
  EXPECT_EQ(r->entry("w")->slices_size(), 2);  // slices concatenated
  EXPECT_EQ(r->Lookup("a")->flat<float>()[1], 2.0f);
  EXPECT_EQ(r->Lookup("b")->flat<std::string>()[0], "x");
  EXPECT_EQ(r->Lookup("c")->scalar<int32_t>(), 3);
  EXPECT_EQ(r->Lookup("d")->scalar<double>(), 4.5);
  auto wt = r->Lookup("w");
  ASSERT_TRUE(wt.ok()) << wt.status().ToString();
  CheckFullW(*wt);
}

TEST(BundleTest, MergeBundlesIntoSameDirectoryKeepsIt) {
  TempDir dir;
  const std::string part0 = dir.Join("part-00000-of-00002");
  const std::string part1 = dir.Join("part-00001-of-00002");
  for (const auto& p : {part0, part1}) {
    auto w = NewWriter(p);
    ASSERT_TRUE(w->Add(p == part0 ? "x" : "y", Tensor::Scalar<int32_t>(1)).ok());
    ASSERT_TRUE(w->Finish().ok());
  }
  ASSERT_TRUE(MergeBundles({part0, part1}, dir.Join("m")).ok());
  EXPECT_EQ(ListDir(dir.path()), (std::set<std::string>{"m.index", "m.data-00000-of-00002",
                                                        "m.data-00001-of-00002"}));
}

TEST(BundleTest, MergeBundlesDuplicateKeyRejected) {
  TempDir dir;
  const std::string part0 = dir.Join("t/part-00000-of-00002");
  const std::string part1 = dir.Join("t/part-00001-of-00002");
  for (const auto& p : {part0, part1}) {
    auto w = NewWriter(p);
    ASSERT_TRUE(w->Add("same", Tensor::Scalar<int32_t>(1)).ok());
    ASSERT_TRUE(w->Finish().ok());
  }
  EXPECT_THAT(MergeBundles({part0, part1}, dir.Join("m")),
              StatusIs(Code::kInvalidArgument, "same"));
}

// ---------------------------------------------------------------- errors

class BundleErrorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    prefix_ = dir_.Join("model.ckpt");
    auto w = NewWriter(prefix_);
    ASSERT_TRUE(w->Add("f", Tensor::FromVector<float>({1, 2, 3, 4}, Shape{4})).ok());
    ASSERT_TRUE(w->Add("s", Strings({"abc", "de"}, Shape{2})).ok());
    ASSERT_TRUE(w->Finish().ok());
    data_path_ = BundleDataPath(prefix_, 0, 1);
  }
  TempDir dir_;
  std::string prefix_, data_path_;
};

TEST_F(BundleErrorTest, MissingKey) {
  auto r = OpenReader(prefix_);
  ASSERT_TRUE(r);
  EXPECT_THAT(r->Lookup("x"), StatusIs(Code::kNotFound, "Key x not found in checkpoint"));
  EXPECT_THAT(r->entry("x"), StatusIs(Code::kNotFound, "Key x not found in checkpoint"));
  EXPECT_FALSE(r->Contains("x"));
}

TEST_F(BundleErrorTest, MissingIndex) {
  EXPECT_THAT(BundleReader::Open(dir_.Join("nope")), StatusIs(Code::kNotFound, "nope.index"));
}

TEST_F(BundleErrorTest, MissingDataShard) {
  std::filesystem::remove(data_path_);
  // Data shards are mapped on first use (bundle.h), so Open succeeds.
  auto r = OpenReader(prefix_);
  ASSERT_TRUE(r);
  auto t = r->Lookup("f");
  EXPECT_FALSE(t.ok());
  EXPECT_THAT(t.status().message(), HasSubstr(data_path_));
}

TEST_F(BundleErrorTest, FlippedNumericByte) {
  std::string data = ReadAll(data_path_);
  data[5] ^= 0x01;  // inside f's second float
  WriteAll(data_path_, data);
  auto r = OpenReader(prefix_);
  ASSERT_TRUE(r);
  auto t = r->Lookup("f");
  EXPECT_THAT(t, StatusIs(Code::kDataLoss, "Checksum does not match"));
  EXPECT_THAT(t, StatusIs(Code::kDataLoss, data_path_));
  EXPECT_TRUE(r->Lookup("s").ok());  // other tensors unaffected
}

TEST_F(BundleErrorTest, FlippedStringBytes) {
  // s starts at 16: varints 03 02 (16,17), length checksum (18..21), "abcde" (22..26).
  const std::string original = ReadAll(data_path_);
  ASSERT_EQ(original.size(), 27u);
  for (size_t pos : {size_t{18}, size_t{20}, size_t{22}, size_t{26}}) {
    std::string data = original;
    data[pos] ^= 0x20;
    WriteAll(data_path_, data);
    auto r = OpenReader(prefix_);
    ASSERT_TRUE(r);
    EXPECT_THAT(r->Lookup("s"), StatusIs(Code::kDataLoss, data_path_)) << pos;
  }
  std::string data = original;
  data[24] ^= 0x20;  // a string byte: the entry checksum catches it
  WriteAll(data_path_, data);
  auto r = OpenReader(prefix_);
  ASSERT_TRUE(r);
  EXPECT_THAT(r->Lookup("s"), StatusIs(Code::kDataLoss, "Checksum does not match"));
}

TEST_F(BundleErrorTest, TruncatedDataFile) {
  std::string data = ReadAll(data_path_);
  for (size_t n : {size_t{0}, size_t{3}, size_t{16}, size_t{20}, size_t{26}}) {
    WriteAll(data_path_, data.substr(0, n));
    auto r = OpenReader(prefix_);
    ASSERT_TRUE(r);
    EXPECT_THAT(r->Lookup("s"), StatusIs(Code::kDataLoss, data_path_)) << n;
    if (n < 16) {
      EXPECT_THAT(r->Lookup("f"), StatusIs(Code::kDataLoss, data_path_)) << n;
    }
  }
}

TEST_F(BundleErrorTest, DuplicateAndEmptyKeyRejected) {
  auto w = NewWriter(dir_.Join("other"));
  ASSERT_TRUE(w->Add("k", Tensor::Scalar<float>(1)).ok());
  EXPECT_THAT(w->Add("k", Tensor::Scalar<float>(2)), StatusIs(Code::kInvalidArgument, "k"));
  EXPECT_THAT(w->Add("", Tensor::Scalar<float>(2)), StatusIs(Code::kInvalidArgument, ""));
}

TEST(BundleFilesTest, NoTempFilesAfterFinish) {
  TempDir dir;
  const std::string prefix = dir.Join("model.ckpt-1");
  auto w = NewWriter(prefix);
  ASSERT_TRUE(w->Add("a", Tensor::Scalar<float>(1)).ok());
  // formats.md §1.10: while writing, only temporary names exist.
  for (const auto& name : ListDir(dir.path()))
    EXPECT_NE(name.find(".tempstate"), std::string::npos) << name;
  ASSERT_TRUE(w->Finish().ok());
  EXPECT_EQ(ListDir(dir.path()),
            (std::set<std::string>{"model.ckpt-1.index", "model.ckpt-1.data-00000-of-00001"}));
}

TEST(BundleFilesTest, WriterDestroyedWithoutFinishLeavesNothing) {
  TempDir dir;
  const std::string prefix = dir.Join("model.ckpt-2");
  {
    auto w = NewWriter(prefix);
    ASSERT_TRUE(w->Add("a", Tensor::FromVector<float>({1, 2}, Shape{2})).ok());
  }
  EXPECT_FALSE(std::filesystem::exists(BundleIndexPath(prefix)));
  EXPECT_FALSE(std::filesystem::exists(BundleDataPath(prefix, 0, 1)));
  EXPECT_TRUE(ListDir(dir.path()).empty());
  EXPECT_THAT(BundleReader::Open(prefix), StatusIs(Code::kNotFound, ""));
}

TEST(BundleFilesTest, FinishTwiceAndAddAfterFinish) {
  TempDir dir;
  auto w = NewWriter(dir.Join("p"));
  ASSERT_TRUE(w->Add("a", Tensor::Scalar<float>(1)).ok());
  ASSERT_TRUE(w->Finish().ok());
  EXPECT_FALSE(w->Finish().ok());
  EXPECT_FALSE(w->Add("b", Tensor::Scalar<float>(1)).ok());
}

TEST(BundleFilesTest, OnlyEmptyTensors) {
  // Data file of 0 bytes (nothing to map) must still read.
  TempDir dir;
  const std::string prefix = dir.Join("p");
  auto w = NewWriter(prefix);
  ASSERT_TRUE(w->Add("e", Tensor(DT_FLOAT, Shape{0})).ok());
  ASSERT_TRUE(w->Finish().ok());
  EXPECT_EQ(std::filesystem::file_size(BundleDataPath(prefix, 0, 1)), 0u);
  auto r = OpenReader(prefix);
  ASSERT_TRUE(r);
  auto t = r->Lookup("e");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->num_elements(), 0);
  EXPECT_EQ(t->shape(), Shape{0});
}

}  // namespace
}  // namespace tfport::io
