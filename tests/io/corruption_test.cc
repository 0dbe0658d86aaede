// Damaged copies of the real fixture checkpoints: truncations and single-bit
// flips of every index, data and V1 file. Reading a damaged checkpoint must
// either fail with a clean Status that names the damaged file (at least the
// checkpoint prefix) or, when the damage lies in bytes no checksum covers,
// return exactly the original tensors. It must never crash, hang, or return a
// silently different tensor.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "support/fixtures.h"
#include "support/temp_dir.h"
#include "tfport/core/tensor.h"
#include "tfport/io/bundle.h"
#include "tfport/io/checkpoint_reader.h"
#include "tfport/io/file.h"

namespace tfport {
namespace {

namespace fs = std::filesystem;
using testing::FixturePath;
using testing::FixturesRoot;
using testing::ReadFileOrDie;
using testing::TempDir;

constexpr int kTruncations = 20;
constexpr int kBitFlips = 50;
constexpr uint64_t kMaxIndexBytes = 64 * 1024;

// CATALOG.md kind 2 (V1 checkpoints).
const char* const kV1Files[] = {
    "gknoblau_v1_ckpt_nometa/video_weights.ckpt",
    "noahrjohnson_v1_ckpt/model.ckpt",
    "serving_bad_half_plus_two/00000123/export",
    "serving_half_plus_two_v1ckpt/00000123/export-00000-of-00001",
};

struct Target {
  std::string rel;                 // V2 prefix or V1 file, relative to the fixtures
  std::vector<std::string> files;  // fixture files making it up (absolute)
  std::string open_name;           // basename to open inside the copy directory
};

std::vector<Target> V2Targets() {
  std::vector<Target> out;
  const fs::path root = FixturesRoot();
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file() || it->path().extension() != ".index") continue;
    if (fs::file_size(it->path()) > kMaxIndexBytes) continue;
    const std::string index = it->path().string();
    const std::string prefix = index.substr(0, index.size() - 6);
    auto reader = io::BundleReader::Open(prefix);
    EXPECT_TRUE(reader.ok()) << reader.status().ToString();
    if (!reader.ok()) continue;
    Target t;
    t.rel = fs::relative(prefix, root).generic_string();
    t.files.push_back(index);
    const int n = (*reader)->num_shards();
    for (int s = 0; s < n; ++s) t.files.push_back(io::BundleDataPath(prefix, s, n));
    t.open_name = fs::path(prefix).filename().string();
    out.push_back(std::move(t));
  }
  std::sort(out.begin(), out.end(), [](const Target& a, const Target& b) { return a.rel < b.rel; });
  return out;
}

std::vector<Target> V1Targets() {
  std::vector<Target> out;
  for (const char* rel : kV1Files) {
    const std::string path = FixturePath(rel).string();
    out.push_back({rel, {path}, fs::path(path).filename().string()});
  }
  return out;
}

// FNV-1a, so the mutation positions do not depend on the standard library.
uint64_t Fnv1a(const std::string& s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(out.good()) << "cannot write " << path;
}

struct Reference {
  std::vector<io::CheckpointTensorInfo> infos;
  std::vector<Tensor> tensors;  // deep copies
};

struct Stats {
  int mutations = 0;
  int open_errors = 0;
  int read_errors = 0;
  int identical = 0;
  int error_names_prefix_only = 0;  // clean error naming the prefix, not the exact file
  int failures = 0;
  void Add(const Stats& o) {
    mutations += o.mutations;
    open_errors += o.open_errors;
    read_errors += o.read_errors;
    identical += o.identical;
    error_names_prefix_only += o.error_names_prefix_only;
    failures += o.failures;
  }
};

class Checker {
 public:
  Checker(std::string open_path, const Reference& ref) : open_path_(std::move(open_path)), ref_(ref) {}

  // Opens and reads the (possibly damaged) copy; `mutated` is the damaged file.
  void Run(const std::string& mutated, const std::string& what, Stats* stats) {
    ++stats->mutations;
    auto reader = io::CheckpointReader::Open(open_path_);
    if (!reader.ok()) {
      CheckError(reader.status(), mutated, what, stats);
      ++stats->open_errors;
      return;
    }
    const auto& infos = (*reader)->tensors();
    bool same_list = infos.size() == ref_.infos.size();
    for (size_t i = 0; same_list && i < infos.size(); ++i)
      same_list = infos[i].name == ref_.infos[i].name && infos[i].dtype == ref_.infos[i].dtype &&
                  infos[i].shape == ref_.infos[i].shape;
    if (!same_list) {
      Fail(stats, what, "opened with a different tensor list");
      return;
    }
    bool any_error = false;
    for (size_t i = 0; i < ref_.infos.size(); ++i) {
      auto t = (*reader)->GetTensor(ref_.infos[i].name);
      if (!t.ok()) {
        CheckError(t.status(), mutated, what, stats);
        any_error = true;
        continue;
      }
      if (!BitwiseEqual(*t, ref_.tensors[i]))
        Fail(stats, what, StrCat("tensor '", ref_.infos[i].name, "' read back silently different"));
    }
    ++(any_error ? stats->read_errors : stats->identical);
  }

 private:
  void CheckError(const Status& s, const std::string& mutated, const std::string& what,
                  Stats* stats) {
    if (s.ok()) return;
    if (s.message().find(mutated) != std::string::npos) return;
    if (s.message().find(open_path_) != std::string::npos) {
      ++stats->error_names_prefix_only;
      return;
    }
    Fail(stats, what, StrCat("error does not name ", mutated, " nor ", open_path_, ": ",
                             s.ToString()));
  }
  void Fail(Stats* stats, const std::string& what, const std::string& msg) {
    if (++stats->failures <= 5) ADD_FAILURE() << what << ": " << msg;
  }

  std::string open_path_;
  const Reference& ref_;
};

Stats MutateTarget(const Target& target) {
  Stats stats;
  TempDir tmp;
  std::vector<std::string> originals, copies;
  for (const std::string& f : target.files) {
    originals.push_back(ReadFileOrDie(f));
    copies.push_back(tmp.Join(fs::path(f).filename().string()));
    WriteFile(copies.back(), originals.back());
  }
  const std::string open_path = tmp.Join(target.open_name);
  Reference ref;
  {
    auto reader = io::CheckpointReader::Open(open_path);
    EXPECT_TRUE(reader.ok()) << reader.status().ToString();
    if (!reader.ok()) return stats;
    ref.infos = (*reader)->tensors();
    for (const auto& info : ref.infos) {
      auto t = (*reader)->GetTensor(info.name);
      EXPECT_TRUE(t.ok()) << t.status().ToString();
      if (!t.ok()) return stats;
      ref.tensors.push_back(t->DeepCopy());
    }
  }
  Checker checker(open_path, ref);
  for (size_t fi = 0; fi < copies.size(); ++fi) {
    const std::string& original = originals[fi];
    const std::string& copy = copies[fi];
    const std::string name = fs::path(copy).filename().string();
    const uint64_t size = original.size();
    for (int i = 0; i < kTruncations; ++i) {
      const uint64_t at = size * static_cast<uint64_t>(i) / kTruncations;
      WriteFile(copy, original.substr(0, at));
      checker.Run(copy, StrCat(target.rel, ": ", name, " truncated to ", at, " bytes"), &stats);
    }
    std::mt19937_64 rng(Fnv1a(StrCat(target.rel, "/", name)) ^ 0x5eedf00dull);
    for (int i = 0; i < kBitFlips && size > 0; ++i) {
      const uint64_t pos = rng() % size;
      const int bit = static_cast<int>(rng() % 8);
      std::string bytes = original;
      bytes[pos] = static_cast<char>(bytes[pos] ^ (1 << bit));
      WriteFile(copy, bytes);
      checker.Run(copy, StrCat(target.rel, ": ", name, " bit ", bit, " of byte ", pos, " flipped"),
                  &stats);
    }
    WriteFile(copy, original);
  }
  return stats;
}

void RunAll(const std::vector<Target>& targets, const char* label) {
  Stats total;
  for (const Target& t : targets) {
    SCOPED_TRACE(t.rel);
    Stats s = MutateTarget(t);
    std::cout << "[ corrupt  ] " << t.rel << ": " << s.mutations << " mutations, "
              << s.open_errors << " open errors, " << s.read_errors << " read errors, "
              << s.identical << " identical reads\n";
    total.Add(s);
  }
  std::cout << "[ corrupt  ] " << label << " total (" << targets.size() << " checkpoints): "
            << total.mutations << " mutations -> " << total.open_errors + total.read_errors
            << " clean errors (" << total.open_errors << " at open, " << total.read_errors
            << " at read; " << total.error_names_prefix_only
            << " messages name the prefix, not the damaged file), " << total.identical
            << " identical reads, " << total.failures << " failures\n";
  EXPECT_EQ(total.failures, 0);
  EXPECT_GT(total.open_errors + total.read_errors, 0);
}

TEST(CorruptionV2Bundles, TruncationsAndBitFlipsFailCleanlyOrReadIdentically) {
  TFPORT_REQUIRE_FIXTURE("CATALOG.md");
  const auto targets = V2Targets();
  ASSERT_FALSE(targets.empty());
  RunAll(targets, "V2 bundles");
}

TEST(CorruptionV1Checkpoints, TruncationsAndBitFlipsFailCleanlyOrReadIdentically) {
  TFPORT_REQUIRE_FIXTURE("CATALOG.md");
  for (const char* rel : kV1Files) TFPORT_REQUIRE_FIXTURE(rel);
  RunAll(V1Targets(), "V1 checkpoints");
}

}  // namespace
}  // namespace tfport
