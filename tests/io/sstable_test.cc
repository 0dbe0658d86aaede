// Unit tests for tfport/io/sstable.h.
//
// Expected values come from:
//  * formats.md §1.13: the 151-byte hex dump of the real TF 1.9 file
//    saved_model_half_plus_two_gpu/00000123/variables/variables.index,
//    transcribed below byte by byte;
//  * formats.md §1.2.1/§1.2.2/§1.2.5: the empty block bytes
//    `00 00 00 00 01 00 00 00`, its trailer `00 c0 f2 a1 b0`, footer layout
//    and magic `57 fb 80 8b 24 75 47 db`;
//  * a std::map model (leveldb's table_test Harness idea): whatever is
//    written must be read back in std::map order (bytewise, unsigned).

#include "tfport/io/sstable.h"

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/files.h"
#include "support/format_examples.h"
#include "support/status_matchers.h"
#include "support/temp_dir.h"
#include "tfport/io/file.h"

namespace tfport::io {
namespace {

using ::testing::HasSubstr;
using tfport::testing::TempDir;

using tfport::testing::StatusIs;
using tfport::testing::HalfPlusTwoIndexBytes;
using tfport::testing::ReadAll;
using tfport::testing::WriteAll;
using tfport::testing::Bytes;



void WriteTable(const std::string& path, const std::map<std::string, std::string>& kv,
                const TableWriteOptions& options = {}) {
  auto file = FileWriter::Create(path);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  auto builder = TableBuilder::Create(file->get(), options);
  for (const auto& [k, v] : kv) ASSERT_TRUE(builder->Add(k, v).ok());
  EXPECT_EQ(builder->num_entries(), kv.size());
  ASSERT_TRUE(builder->Finish().ok());
  ASSERT_TRUE((*file)->Close().ok());
}

Result<std::unique_ptr<TableReader>> OpenTable(const std::string& path) {
  TFPORT_ASSIGN_OR_RETURN(auto file, MappedFile::Open(path));
  return TableReader::Open(std::move(file));
}

// Everything the iterator yields, in order; stops at the first error.
std::vector<std::pair<std::string, std::string>> Scan(const TableReader& table, Status* status) {
  std::vector<std::pair<std::string, std::string>> out;
  auto it = table.NewIterator();
  for (it->SeekToFirst(); it->Valid(); it->Next())
    out.emplace_back(std::string(it->key()), std::string(it->value()));
  *status = it->status();
  return out;
}

// ---------------------------------------------------------------- exact bytes


// The key/value pairs of that file, read off the same dump.
std::map<std::string, std::string> HalfPlusTwoEntries() {
  return {
      {"", Bytes({0x08, 0x01, 0x1a, 0x02, 0x08, 0x01})},
      {"a", Bytes({0x08, 0x01, 0x12, 0x00, 0x28, 0x04, 0x35, 0x06, 0x38, 0x27, 0x1f})},
      {"b", Bytes({0x08, 0x01, 0x12, 0x00, 0x20, 0x04, 0x28, 0x04, 0x35, 0x10, 0xfd, 0x78, 0x4f})},
      {"c", Bytes({0x08, 0x01, 0x12, 0x00, 0x20, 0x08, 0x28, 0x04, 0x35, 0xef, 0xd6, 0x82, 0xc3})},
  };
}

TEST(SstableTest, TranscriptionIs151Bytes) {
  // formats.md §1.13: "151 bytes"; the footer starts at 0x67 = 103.
  EXPECT_EQ(HalfPlusTwoIndexBytes().size(), 151u);
}

TEST(SstableTest, BuilderReproducesHalfPlusTwoIndexByteForByte) {
  TempDir dir;
  const std::string path = dir.Join("variables.index");
  WriteTable(path, HalfPlusTwoEntries());  // default options = TF's bundle writer
  const std::string got = ReadAll(path);
  const std::string want = HalfPlusTwoIndexBytes();
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i)
    EXPECT_EQ(static_cast<uint8_t>(got[i]), static_cast<uint8_t>(want[i])) << "byte " << i;
}

TEST(SstableTest, ReaderReadsHalfPlusTwoIndex) {
  TempDir dir;
  const std::string path = dir.Join("variables.index");
  WriteAll(path, HalfPlusTwoIndexBytes());
  auto table = OpenTable(path);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  Status st;
  auto rows = Scan(**table, &st);
  ASSERT_TRUE(st.ok()) << st.ToString();
  auto want = HalfPlusTwoEntries();
  ASSERT_EQ(rows.size(), want.size());
  size_t i = 0;
  for (const auto& [k, v] : want) {
    EXPECT_EQ(rows[i].first, k);
    EXPECT_EQ(rows[i].second, v);
    ++i;
  }
  auto b = (*table)->Get("b");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*b, want["b"]);
  EXPECT_EQ((*table)->path(), path);
}

TEST(SstableTest, EmptyTableBytes) {
  // formats.md §1.2.6: an empty table is the metaindex block, an empty index
  // block and the footer. Each empty block is `00 00 00 00 01 00 00 00` plus
  // trailer `00 c0 f2 a1 b0` (§1.2.2), i.e. 13 bytes at offsets 0 and 13; the
  // footer holds handles (0,8) and (13,8), zero padding and the magic.
  TempDir dir;
  const std::string path = dir.Join("empty.table");
  WriteTable(path, {});
  std::string want;
  const std::string empty_block =
      Bytes({0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0xc0, 0xf2, 0xa1, 0xb0});
  want += empty_block;
  want += empty_block;
  want += Bytes({0x00, 0x08, 0x0d, 0x08});
  want.append(36, '\0');
  want += Bytes({0x57, 0xfb, 0x80, 0x8b, 0x24, 0x75, 0x47, 0xdb});
  EXPECT_EQ(ReadAll(path), want);

  auto table = OpenTable(path);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  auto it = (*table)->NewIterator();
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().ok());
  it->Seek("");
  EXPECT_FALSE(it->Valid());
  EXPECT_THAT((*table)->Get(""), StatusIs(Code::kNotFound, ""));
  EXPECT_THAT((*table)->Get("x"), StatusIs(Code::kNotFound, ""));
}

// ---------------------------------------------------------------- model-based

std::string RandomString(std::mt19937_64& rng, size_t max_len, bool compressible) {
  std::string s(rng() % (max_len + 1), '\0');
  for (auto& c : s) {
    // Few distinct bytes (including 0x00 and 0xff) make shared prefixes and
    // bytewise-ordering corner cases common.
    static const unsigned char alphabet[] = {0x00, 0x01, 'a', 'b', 'z', 0x7f, 0x80, 0xfe, 0xff};
    c = compressible ? 'x' : static_cast<char>(alphabet[rng() % sizeof alphabet]);
  }
  return s;
}

std::map<std::string, std::string> RandomModel(std::mt19937_64& rng, int n, size_t block_size,
                                               bool compressible_values) {
  std::map<std::string, std::string> model;
  for (int i = 0; i < n; ++i) {
    std::string key = RandomString(rng, 12, false);
    std::string value;
    if (rng() % 50 == 0) {
      // Larger than 2*block_size: exercises the "flush before a huge entry" rule (§1.2.6 step 2).
      value = std::string(2 * block_size + rng() % 100, compressible_values ? 'y' : 'v');
    } else if (compressible_values) {
      value = std::string(rng() % 200, static_cast<char>('a' + rng() % 3));
    } else {
      value = RandomString(rng, 200, false);
    }
    model[key] = value;
  }
  return model;
}

void CheckAgainstModel(const TableReader& table, const std::map<std::string, std::string>& model,
                       std::mt19937_64& rng) {
  // Full scan.
  Status st;
  auto rows = Scan(table, &st);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(rows.size(), model.size());
  size_t i = 0;
  for (const auto& [k, v] : model) {
    ASSERT_EQ(rows[i].first, k) << "row " << i;
    ASSERT_EQ(rows[i].second, v) << "row " << i;
    ++i;
  }
  // Get of every present key.
  for (const auto& [k, v] : model) {
    auto got = table.Get(k);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    ASSERT_EQ(*got, v);
  }
  // Seek to random targets (present or absent) and walk a few steps.
  auto it = table.NewIterator();
  for (int trial = 0; trial < 300; ++trial) {
    std::string target = RandomString(rng, 12, false);
    it->Seek(target);
    auto m = model.lower_bound(target);
    for (int step = 0; step < 3; ++step) {
      if (m == model.end()) {
        ASSERT_FALSE(it->Valid());
        break;
      }
      ASSERT_TRUE(it->Valid());
      ASSERT_EQ(it->key(), m->first);
      ASSERT_EQ(it->value(), m->second);
      it->Next();
      ++m;
    }
    ASSERT_TRUE(it->status().ok());
    // Get of an absent key is NOT_FOUND.
    if (!model.count(target)) {
      ASSERT_THAT(table.Get(target), StatusIs(Code::kNotFound, ""));
    }
  }
}

TEST(SstableTest, ModelBasedTinyBlocks) {
  TempDir dir;
  std::mt19937_64 rng(2024);
  int round = 0;
  for (size_t block_size : {64u, 100u, 256u, 1024u}) {
    for (int restart : {1, 2, 16}) {
      auto model = RandomModel(rng, 300, block_size, false);
      const std::string path = dir.Join("t" + std::to_string(round++));
      WriteTable(path, model, TableWriteOptions{.block_size = block_size,
                                                .block_restart_interval = restart});
      auto table = OpenTable(path);
      ASSERT_TRUE(table.ok()) << table.status().ToString();
      SCOPED_TRACE(::testing::Message() << "block_size=" << block_size << " restart=" << restart);
      CheckAgainstModel(**table, model, rng);
    }
  }
}

TEST(SstableTest, ModelBasedSnappy) {
  TempDir dir;
  std::mt19937_64 rng(99);
  for (size_t block_size : {64u, 512u, 4096u}) {
    auto model = RandomModel(rng, 300, block_size, /*compressible_values=*/true);
    const std::string raw = dir.Join("raw" + std::to_string(block_size));
    const std::string snappy = dir.Join("snappy" + std::to_string(block_size));
    WriteTable(raw, model, TableWriteOptions{.block_size = block_size});
    WriteTable(snappy, model, TableWriteOptions{.block_size = block_size, .snappy = true});
    // Compressed blocks must really be there: repetitive values shrink a lot.
    EXPECT_LT(ReadAll(snappy).size(), ReadAll(raw).size() / 2) << "block_size=" << block_size;
    auto table = OpenTable(snappy);
    ASSERT_TRUE(table.ok()) << table.status().ToString();
    CheckAgainstModel(**table, model, rng);
  }
}

TEST(SstableTest, SingleLargeEntryAndEmptyValues) {
  TempDir dir;
  std::map<std::string, std::string> model = {
      {"", ""}, {"k", std::string(100000, 'q')}, {"l", ""}, {std::string(1, '\xff'), "last"}};
  const std::string path = dir.Join("t");
  WriteTable(path, model, TableWriteOptions{.block_size = 128});
  auto table = OpenTable(path);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  std::mt19937_64 rng(5);
  CheckAgainstModel(**table, model, rng);
}

// ---------------------------------------------------------------- errors

TEST(SstableTest, RejectsFileShorterThanFooter) {
  TempDir dir;
  for (size_t n : {0u, 1u, 47u}) {
    const std::string path = dir.Join("short" + std::to_string(n));
    WriteAll(path, HalfPlusTwoIndexBytes().substr(151 - n));  // the last n bytes
    EXPECT_THAT(OpenTable(path), StatusIs(Code::kDataLoss, path)) << "n=" << n;
  }
}

TEST(SstableTest, RejectsBadMagic) {
  TempDir dir;
  const std::string path = dir.Join("bad_magic.index");
  std::string bytes = HalfPlusTwoIndexBytes();
  bytes[150] ^= 0x01;  // last magic byte
  WriteAll(path, bytes);
  auto r = OpenTable(path);
  EXPECT_THAT(r, StatusIs(Code::kDataLoss, "bad magic"));
  EXPECT_THAT(r, StatusIs(Code::kDataLoss, path));
}

TEST(SstableTest, RejectsFooterHandleOutOfRange) {
  TempDir dir;
  // Index handle moved to offset 5000 (varint 88 27), far past the 103 bytes
  // before the footer.
  {
    const std::string path = dir.Join("far_index.index");
    std::string bytes = HalfPlusTwoIndexBytes().substr(0, 103);
    std::string footer = Bytes({0x47, 0x08, 0x88, 0x27, 0x0e});
    footer.append(40 - footer.size(), '\0');
    footer += Bytes({0x57, 0xfb, 0x80, 0x8b, 0x24, 0x75, 0x47, 0xdb});
    WriteAll(path, bytes + footer);
    EXPECT_THAT(OpenTable(path), StatusIs(Code::kDataLoss, path));
  }
  // Index block size so large it overlaps the footer (84 + 100 > 103).
  {
    const std::string path = dir.Join("long_index.index");
    std::string bytes = HalfPlusTwoIndexBytes();
    bytes[103 + 3] = 0x64;  // index size 14 -> 100
    WriteAll(path, bytes);
    EXPECT_THAT(OpenTable(path), StatusIs(Code::kDataLoss, path));
  }
  // Metaindex handle with a huge varint offset.
  {
    const std::string path = dir.Join("huge_meta.index");
    std::string bytes = HalfPlusTwoIndexBytes().substr(0, 103);
    std::string footer = Bytes({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
                                0x08, 0x54, 0x0e});
    footer.append(40 - footer.size(), '\0');
    footer += Bytes({0x57, 0xfb, 0x80, 0x8b, 0x24, 0x75, 0x47, 0xdb});
    WriteAll(path, bytes + footer);
    EXPECT_THAT(OpenTable(path), StatusIs(Code::kDataLoss, path));
  }
}

TEST(SstableTest, CorruptIndexBlockFailsOpen) {
  TempDir dir;
  const std::string path = dir.Join("bad_index.index");
  std::string bytes = HalfPlusTwoIndexBytes();
  bytes[0x54 + 3] ^= 0x01;  // index key "d" -> "e": index block CRC no longer matches
  WriteAll(path, bytes);
  EXPECT_THAT(OpenTable(path), StatusIs(Code::kDataLoss, path));
}

TEST(SstableTest, FlippedDataBlockByteIsDataLossOnGetAndIteration) {
  TempDir dir;
  const std::string path = dir.Join("flipped.index");
  std::string bytes = HalfPlusTwoIndexBytes();
  bytes[0x10] ^= 0x40;  // inside key "a"'s value, in the only data block [0,66)
  WriteAll(path, bytes);
  auto table = OpenTable(path);  // the index block is intact
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  for (const char* key : {"", "a", "c"}) {
    EXPECT_THAT((*table)->Get(key), StatusIs(Code::kDataLoss, path)) << key;
  }
  Status st;
  auto rows = Scan(**table, &st);
  EXPECT_TRUE(rows.empty());
  EXPECT_THAT(st, StatusIs(Code::kDataLoss, path));
}

TEST(SstableTest, CorruptBlockAmongManyStopsIteration) {
  // Many small blocks; damage one in the middle. Get of a key in that block
  // is DATA_LOSS; a scan must report the error and (iterator contract in
  // sstable.h) not be Valid() once the error is set.
  TempDir dir;
  std::map<std::string, std::string> model;
  for (int i = 0; i < 200; ++i) {
    char key[16];
    std::snprintf(key, sizeof key, "key%05d", i);
    model[key] = std::string(20, static_cast<char>('a' + i % 26));
  }
  const std::string path = dir.Join("many.index");
  WriteTable(path, model, TableWriteOptions{.block_size = 128});
  std::string bytes = ReadAll(path);
  // Find a run of 20 identical value bytes (several keys have
  // one) in a data block after the first third of the file and damage it.
  const std::string value100 = std::string(20, static_cast<char>('a' + 100 % 26));
  size_t pos = bytes.find(value100, bytes.size() / 3);
  ASSERT_NE(pos, std::string::npos);
  bytes[pos + 5] ^= 0x01;
  WriteAll(path, bytes);

  auto table = OpenTable(path);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  // Some key in the damaged block fails; no key returns a wrong value.
  int failures = 0;
  for (const auto& [k, v] : model) {
    auto got = (*table)->Get(k);
    if (got.ok()) {
      EXPECT_EQ(*got, v) << k;
    } else {
      EXPECT_THAT(got, StatusIs(Code::kDataLoss, path)) << k;
      ++failures;
    }
  }
  EXPECT_GT(failures, 0);

  auto it = (*table)->NewIterator();
  size_t seen = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    ASSERT_TRUE(it->status().ok()) << "Valid() while status is " << it->status().ToString();
    ++seen;
  }
  EXPECT_LT(seen, model.size());
  EXPECT_THAT(it->status(), StatusIs(Code::kDataLoss, path));
}

TEST(SstableTest, TruncatedTablesNeverCrash) {
  TempDir dir;
  const std::string full = HalfPlusTwoIndexBytes();
  for (size_t n = 0; n < full.size(); ++n) {
    const std::string path = dir.Join("trunc");
    WriteAll(path, full.substr(0, n));
    auto table = OpenTable(path);
    EXPECT_THAT(table, StatusIs(Code::kDataLoss, path)) << "n=" << n;
  }
}

}  // namespace
}  // namespace tfport::io
