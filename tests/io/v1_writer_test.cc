// V1 checkpoint writer (formats.md §3): rewriting TensorFlow's own V1 files
// from their tensors gives their exact bytes.
#include <gtest/gtest.h>

#include "support/files.h"
#include "support/fixtures.h"
#include "support/status_matchers.h"
#include "support/temp_dir.h"
#include "tfport/io/checkpoint_reader.h"
#include "tfport/io/file.h"
#include "tfport/io/sstable.h"
#include "tfport/io/v1_checkpoint_writer.h"

namespace tfport {
namespace {

using testing::FixturePath;
using testing::ReadAll;
using testing::StatusIs;

TEST(V1Writer, RewritesTensorFlowFilesByteForByte) {
  const char* files[] = {"serving_half_plus_two_v1ckpt/00000123/export-00000-of-00001",
                         "serving_bad_half_plus_two/00000123/export", "noahrjohnson_v1_ckpt/model.ckpt"};
  int checked = 0;
  for (const char* rel : files) {
    SCOPED_TRACE(rel);
    if (!std::filesystem::exists(FixturePath(rel))) continue;
    const std::string path = FixturePath(rel).string();
    // Tensor order = the metadata record's order (first added first).
    auto file = io::MappedFile::Open(path);
    ASSERT_TRUE(file.ok());
    auto table = io::TableReader::Open(*file);
    ASSERT_TRUE(table.ok());
    auto meta_bytes = (*table)->Get("");
    ASSERT_TRUE(meta_bytes.ok());
    tf::SavedTensorSlices meta;
    ASSERT_TRUE(meta.ParseFromString(*meta_bytes));
    auto reader = io::V1CheckpointReader::Open(path);
    ASSERT_TRUE(reader.ok()) << reader.status().ToString();
    testing::TempDir dir;
    io::V1CheckpointWriter writer(dir.Join("out"));
    for (const auto& t : meta.meta().tensor()) {
      auto value = (*reader)->Lookup(t.name());
      ASSERT_TRUE(value.ok()) << t.name();
      ASSERT_EQ(t.slice_size(), 1) << "fixture tensor saved in several slices";
      ASSERT_TRUE(writer.Add(t.name(), value->shape(), io::TensorSlice::Full(value->shape().rank()),
                             *value).ok());
    }
    ASSERT_TRUE(writer.Finish().ok());
    EXPECT_TRUE(ReadAll(dir.Join("out")) == ReadAll(path));
    ++checked;
  }
  if (checked == 0) GTEST_SKIP() << "no V1 fixtures in " << testing::FixturesRoot();
}

TEST(V1Writer, RejectsMismatchesAndUnsupportedTypes) {
  testing::TempDir dir;
  io::V1CheckpointWriter w(dir.Join("x"));
  Tensor v = Tensor::FromVector<float>({1, 2, 3}, Shape{3});
  EXPECT_THAT(w.Add("a", Shape{4}, io::TensorSlice::Full(1), v),
              StatusIs(Code::kInvalidArgument, "has shape [4] but the data has shape [3]"));
  ASSERT_TRUE(w.Add("a", Shape{3}, io::TensorSlice::Full(1), v).ok());
  EXPECT_THAT(w.Add("a", Shape{3}, io::TensorSlice::Full(1), v),
              StatusIs(Code::kInvalidArgument, "added twice"));
  Tensor bf(DT_BFLOAT16, Shape{1});
  EXPECT_THAT(w.Add("b", Shape{1}, io::TensorSlice::Full(1), bf),
              StatusIs(Code::kInvalidArgument, "cannot be saved in a V1 checkpoint"));
  // Nothing is written before Finish.
  EXPECT_FALSE(io::FileExists(dir.Join("x")));
  ASSERT_TRUE(w.Finish().ok());
  auto r = io::V1CheckpointReader::Open(dir.Join("x"));
  ASSERT_TRUE(r.ok());
  auto a = (*r)->Lookup("a");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->flat<float>()[2], 3.0f);
}

}  // namespace
}  // namespace tfport
