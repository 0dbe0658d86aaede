// Acceptance tests over the real TensorFlow-written fixtures in
// ../shared/fixtures (see CATALOG.md there): every file parses as what it is,
// every checkpoint tensor reads with its checksum verified, the values the
// catalogue states are the values we read, bundles rewrite byte for byte, and
// protobuf files round-trip without losing a field.
//
// Every test skips (TFPORT_REQUIRE_FIXTURE) when the fixtures are absent.

#include <gtest/gtest.h>

#include <google/protobuf/any.pb.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/message.h>
#include <google/protobuf/util/message_differencer.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "support/fixtures.h"
#include "support/temp_dir.h"
#include "tfport/core/tensor.h"
#include "tfport/core/tensor_proto.h"
#include "tfport/io/bundle.h"
#include "tfport/io/checkpoint_reader.h"
#include "tfport/io/checkpoint_state.h"
#include "tfport/io/file.h"
#include "tfport/io/proto_io.h"
#include "tfport/io/sstable.h"
#include "tfport/io/tensor_slice.h"
#include "tfport/tf/checkpoint_state.pb.h"
#include "tfport/tf/fingerprint.pb.h"
#include "tfport/tf/graph.pb.h"
#include "tfport/tf/meta_graph.pb.h"
#include "tfport/tf/saved_model.pb.h"
#include "tfport/tf/trackable_object_graph.pb.h"

namespace tfport {
namespace {

namespace fs = std::filesystem;
namespace pb = google::protobuf;
using testing::FixturePath;
using testing::FixturesRoot;
using testing::ReadFileOrDie;
using testing::TempDir;

// Any fixture will do to decide whether the fixtures are present at all.
#define REQUIRE_FIXTURES() TFPORT_REQUIRE_FIXTURE("CATALOG.md")

// ---------------------------------------------------------------- discovery

enum class Role {
  kBundleIndex,      // P.index of a V2 bundle
  kBundleData,       // P.data-NNNNN-of-NNNNN
  kV1Checkpoint,     // SavedTensorSlices table
  kMetaGraph,        // *.meta
  kSavedModel,       // saved_model.pb
  kSavedModelText,   // saved_model.pbtxt
  kGraphDef,         // *.pb, expected_graph
  kGraphDefText,     // *.pbtxt
  kFingerprint,      // fingerprint.pb
  kCheckpointState,  // `checkpoint`
  kSkipped,          // data the formats do not cover (images, audio, arrays, labels)
  kUnknown,
};

// CATALOG.md: the kind-2 fixtures (V1 checkpoints) and their file names.
const std::set<std::string>& V1Files() {
  static const std::set<std::string> files = {
      "gknoblau_v1_ckpt_nometa/video_weights.ckpt",
      "noahrjohnson_v1_ckpt/model.ckpt",
      "serving_bad_half_plus_two/00000123/export",
      "serving_half_plus_two_v1ckpt/00000123/export-00000-of-00001",
  };
  return files;
}

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

Role Classify(const std::string& rel) {
  const std::string name = fs::path(rel).filename().string();
  const std::string ext = fs::path(rel).extension().string();
  static const std::regex data_re(R"(.*\.data-\d{5}-of-\d{5})");
  if (V1Files().count(rel)) return Role::kV1Checkpoint;
  if (name == "checkpoint") return Role::kCheckpointState;
  if (ext == ".index") return Role::kBundleIndex;
  if (std::regex_match(name, data_re)) return Role::kBundleData;
  if (ext == ".meta") return Role::kMetaGraph;
  if (name == "saved_model.pb") return Role::kSavedModel;
  if (name == "saved_model.pbtxt") return Role::kSavedModelText;
  if (name == "fingerprint.pb") return Role::kFingerprint;
  // Keras' own metadata (a keras-internal proto), not a TensorFlow format.
  if (name == "keras_metadata.pb") return Role::kSkipped;
  if (ext == ".pb" || name == "expected_graph") return Role::kGraphDef;
  if (ext == ".pbtxt") return Role::kGraphDefText;
  static const std::set<std::string> skipped_ext = {".png", ".wav", ".npy", ".txt", ".json",
                                                    ".idx"};
  if (skipped_ext.count(ext)) return Role::kSkipped;
  return Role::kUnknown;
}

struct FixtureFile {
  std::string rel;   // relative to FixturesRoot()
  std::string path;  // absolute
  Role role;
};

// Every file in a fixture directory (CATALOG.md and SHA256SUMS at the root
// are not fixtures), sorted by relative path.
const std::vector<FixtureFile>& AllFiles() {
  static const std::vector<FixtureFile> files = [] {
    std::vector<FixtureFile> out;
    const fs::path root = FixturesRoot();
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(root, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (!it->is_regular_file()) continue;
      const std::string rel = fs::relative(it->path(), root).generic_string();
      if (rel.find('/') == std::string::npos) continue;  // root-level metadata
      out.push_back({rel, it->path().string(), Classify(rel)});
    }
    std::sort(out.begin(), out.end(),
              [](const FixtureFile& a, const FixtureFile& b) { return a.rel < b.rel; });
    return out;
  }();
  return files;
}

std::vector<FixtureFile> FilesWithRole(Role role) {
  std::vector<FixtureFile> out;
  for (const FixtureFile& f : AllFiles())
    if (f.role == role) out.push_back(f);
  return out;
}

// V2 prefixes (every *.index minus the suffix), relative and absolute.
struct Bundle {
  std::string rel_prefix;
  std::string prefix;
};
std::vector<Bundle> AllBundles() {
  std::vector<Bundle> out;
  for (const FixtureFile& f : FilesWithRole(Role::kBundleIndex))
    out.push_back({f.rel.substr(0, f.rel.size() - 6), f.path.substr(0, f.path.size() - 6)});
  return out;
}

// Every checkpoint, V2 prefixes and V1 files.
std::vector<std::pair<std::string, std::string>> AllCheckpoints() {
  std::vector<std::pair<std::string, std::string>> out;
  for (const Bundle& b : AllBundles()) out.emplace_back(b.rel_prefix, b.prefix);
  for (const FixtureFile& f : FilesWithRole(Role::kV1Checkpoint)) out.emplace_back(f.rel, f.path);
  return out;
}

// ---------------------------------------------------------------- proto helpers

// Records every message (recursively, Any payloads included) that carries
// unknown fields, i.e. bytes our schema does not describe.
void CollectUnknownFields(const pb::Message& msg, const std::string& where,
                          std::vector<std::string>* out) {
  const pb::Reflection* refl = msg.GetReflection();
  if (!refl->GetUnknownFields(msg).empty())
    out->push_back(StrCat(where, " (", msg.GetTypeName(), ")"));
  if (msg.GetDescriptor()->full_name() == "google.protobuf.Any") {
    const auto* any = dynamic_cast<const pb::Any*>(&msg);
    if (any == nullptr) return;
    std::string type = any->type_url().substr(any->type_url().rfind('/') + 1);
    if (type.rfind("tensorflow.", 0) == 0) type = "tfport.tf." + type.substr(11);
    const pb::Descriptor* desc = pb::DescriptorPool::generated_pool()->FindMessageTypeByName(type);
    if (desc == nullptr) {
      // Payloads of other packages (TF Serving's tensorflow.serving.AssetFile and
      // .Signatures in session-bundle exports) are kept verbatim as bytes; a
      // core TensorFlow type must be one of ours.
      if (type.rfind("tfport.tf.", 0) == 0 && type.find('.', 10) == std::string::npos)
        out->push_back(StrCat(where, ": Any of unknown type ", any->type_url()));
      return;
    }
    std::unique_ptr<pb::Message> inner(
        pb::MessageFactory::generated_factory()->GetPrototype(desc)->New());
    if (!inner->ParseFromString(any->value())) {
      out->push_back(StrCat(where, ": Any payload does not parse as ", type));
      return;
    }
    CollectUnknownFields(*inner, StrCat(where, "<", type, ">"), out);
    return;
  }
  std::vector<const pb::FieldDescriptor*> fields;
  refl->ListFields(msg, &fields);
  for (const pb::FieldDescriptor* f : fields) {
    if (f->cpp_type() != pb::FieldDescriptor::CPPTYPE_MESSAGE) continue;
    if (f->is_repeated()) {
      const int n = refl->FieldSize(msg, f);
      for (int i = 0; i < n; ++i)
        CollectUnknownFields(refl->GetRepeatedMessage(msg, f, i),
                             StrCat(where, ".", f->name(), "[", i, "]"), out);
    } else {
      CollectUnknownFields(refl->GetMessage(msg, f), StrCat(where, ".", f->name()), out);
    }
  }
}

std::vector<std::string> UnknownFields(const pb::Message& msg) {
  std::vector<std::string> out;
  CollectUnknownFields(msg, msg.GetTypeName(), &out);
  return out;
}

// MessageDifferencer logs at INFO level for every Any whose type is not in the
// generated pool under its TensorFlow name; those payloads are then compared
// as bytes, which is what we want. Keep warnings and errors.
void QuietInfoLogs(pb::LogLevel level, const char* file, int line, const std::string& message) {
  if (level == pb::LOGLEVEL_INFO) return;
  std::cerr << "[libprotobuf " << file << ":" << line << "] " << message << "\n";
}

class QuietProtobufInfo {
 public:
  QuietProtobufInfo() : previous_(pb::SetLogHandler(&QuietInfoLogs)) {}
  ~QuietProtobufInfo() { pb::SetLogHandler(previous_); }

 private:
  pb::LogHandler* previous_;
};

std::string Join(const std::vector<std::string>& v, size_t max = 5) {
  std::string s;
  for (size_t i = 0; i < v.size() && i < max; ++i) s += (i ? "; " : "") + v[i];
  if (v.size() > max) s += StrCat("; ... (", v.size(), " in all)");
  return s;
}

// Parses `path` (binary or text) into a fresh message of type M.
template <typename M>
Result<M> Load(const std::string& path, bool text) {
  M msg;
  Status s = text ? io::ReadTextProto(path, &msg) : io::ReadBinaryProto(path, &msg);
  if (!s.ok()) return s;
  return msg;
}

// Parse -> serialize -> parse keeps every field; no unknown fields anywhere.
// Returns whether the deterministic serialization equals the file bytes.
template <typename M>
bool ExpectLosslessRoundTrip(const std::string& path, bool text) {
  SCOPED_TRACE(path);
  Result<M> first = Load<M>(path, text);
  EXPECT_TRUE(first.ok()) << first.status().ToString();
  if (!first.ok()) return false;
  const std::vector<std::string> unknown = UnknownFields(*first);
  EXPECT_TRUE(unknown.empty()) << "unknown fields: " << Join(unknown);

  Result<std::string> bytes = io::SerializeDeterministic(*first);
  EXPECT_TRUE(bytes.ok()) << bytes.status().ToString();
  if (!bytes.ok()) return false;
  M second;
  Status s = io::ParseBinaryProto(*bytes, &second, "re-serialized");
  EXPECT_TRUE(s.ok()) << s.ToString();
  std::string diff;
  pb::util::MessageDifferencer differ;
  differ.ReportDifferencesToString(&diff);
  {
    QuietProtobufInfo quiet;
    EXPECT_TRUE(differ.Compare(*first, second)) << diff.substr(0, 2000);
  }
  Result<std::string> again = io::SerializeDeterministic(second);
  EXPECT_TRUE(again.ok() && *again == *bytes) << "second serialization differs";

  if (text) {
    // And through text format as well.
    M third;
    Status ts = io::ParseTextProto(io::ToTextProto(*first), &third, "re-printed");
    EXPECT_TRUE(ts.ok()) << ts.ToString();
    QuietProtobufInfo quiet;
    EXPECT_TRUE(pb::util::MessageDifferencer::Equals(*first, third)) << "text round trip differs";
    return false;
  }
  const std::string file = ReadFileOrDie(path);
  // Same size even where map entries come out in another order.
  EXPECT_EQ(bytes->size(), file.size()) << "re-serialized size differs from the file";
  return *bytes == file;
}

// ---------------------------------------------------------------- sstable helpers

uint64_t Varint(const std::string& b, size_t* pos) {
  uint64_t v = 0;
  for (int shift = 0; *pos < b.size() && shift <= 63; shift += 7) {
    const uint8_t c = static_cast<uint8_t>(b[(*pos)++]);
    v |= static_cast<uint64_t>(c & 0x7f) << shift;
    if (!(c & 0x80)) return v;
  }
  ADD_FAILURE() << "bad varint";
  return 0;
}

// Compression type bytes of the data blocks of an uncompressed-index table
// (formats.md §1.2): footer -> index block -> data block handles -> trailers.
std::vector<int> DataBlockTypes(const std::string& file) {
  std::vector<int> types;
  if (file.size() < 48) return types;
  size_t pos = file.size() - 48;
  Varint(file, &pos);  // metaindex offset
  Varint(file, &pos);  // metaindex size
  const uint64_t index_off = Varint(file, &pos);
  const uint64_t index_size = Varint(file, &pos);
  EXPECT_EQ(file[index_off + index_size], 0) << "index block itself is compressed";
  const std::string block = file.substr(index_off, index_size);
  uint32_t num_restarts;
  std::memcpy(&num_restarts, block.data() + block.size() - 4, 4);
  const size_t limit = block.size() - 4 * (num_restarts + 1);
  size_t p = 0;
  while (p < limit) {
    Varint(block, &p);  // shared
    const uint64_t non_shared = Varint(block, &p);
    const uint64_t value_len = Varint(block, &p);
    p += non_shared;
    size_t v = p;
    const uint64_t off = Varint(block, &v);
    const uint64_t size = Varint(block, &v);
    types.push_back(static_cast<uint8_t>(file[off + size]));
    p += value_len;
  }
  return types;
}

// Every (key, value) of a table, in order.
std::vector<std::pair<std::string, std::string>> TableEntries(const std::string& path) {
  std::vector<std::pair<std::string, std::string>> out;
  auto file = io::MappedFile::Open(path);
  EXPECT_TRUE(file.ok()) << file.status().ToString();
  if (!file.ok()) return out;
  auto table = io::TableReader::Open(*file);
  EXPECT_TRUE(table.ok()) << table.status().ToString();
  if (!table.ok()) return out;
  auto it = (*table)->NewIterator();
  for (it->SeekToFirst(); it->Valid(); it->Next())
    out.emplace_back(std::string(it->key()), std::string(it->value()));
  EXPECT_TRUE(it->status().ok()) << it->status().ToString();
  return out;
}

// First differing byte, for messages.
std::string FirstDifference(const std::string& a, const std::string& b) {
  size_t i = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
  return StrCat("sizes ", a.size(), " vs ", b.size(), ", first difference at byte ", i);
}

// ---------------------------------------------------------------- checkpoint helpers

std::unique_ptr<io::CheckpointReader> OpenCheckpoint(const std::string& rel) {
  auto r = io::CheckpointReader::Open(FixturePath(rel).string());
  EXPECT_TRUE(r.ok()) << rel << ": " << r.status().ToString();
  if (!r.ok()) return nullptr;
  return std::move(*r);
}

Tensor GetTensor(const io::CheckpointReader& r, const std::string& name) {
  auto t = r.GetTensor(name);
  EXPECT_TRUE(t.ok()) << r.path() << " " << name << ": " << t.status().ToString();
  return t.ok() ? *t : Tensor();
}

template <typename T>
std::vector<T> Values(const Tensor& t) {
  if (t.dtype() != DataTypeOf<T>::value) {
    ADD_FAILURE() << "dtype " << DataTypeName(t.dtype());
    return {};
  }
  auto f = t.flat<T>();
  return std::vector<T>(f.begin(), f.end());
}

float Scalar(const io::CheckpointReader& r, const std::string& name) {
  Tensor t = GetTensor(r, name);
  if (t.dtype() != DT_FLOAT || t.num_elements() != 1) {
    ADD_FAILURE() << name << ": not a one-element float tensor: " << t.DebugString();
    return NAN;
  }
  return t.flat<float>()[0];
}

// ================================================================ 1. discovery and parsing

TEST(FixtureCatalog, EveryFileHasAKnownRoleAndIsListedInSha256Sums) {
  REQUIRE_FIXTURES();
  ASSERT_FALSE(AllFiles().empty());
  std::set<std::string> walked;
  for (const FixtureFile& f : AllFiles()) {
    EXPECT_NE(f.role, Role::kUnknown) << f.rel << ": no role assigned to this fixture file";
    walked.insert(f.rel);
  }
  // SHA256SUMS lists every fixture file; the walk must find exactly those.
  std::set<std::string> listed;
  std::istringstream sums(ReadFileOrDie(FixturePath("SHA256SUMS")));
  for (std::string line; std::getline(sums, line);) {
    if (line.size() < 66) continue;
    std::string rel = line.substr(64);
    rel.erase(0, rel.find_first_not_of(" *"));
    if (rel.rfind("./", 0) == 0) rel = rel.substr(2);
    listed.insert(rel);
  }
  EXPECT_EQ(walked, listed);
}

TEST(FixtureCatalog, IndexTableMatchesDirectories) {
  REQUIRE_FIXTURES();
  // The "Fixture index" table of CATALOG.md: | id | kind | ... | bytes | files |
  const std::string catalog = ReadFileOrDie(FixturePath("CATALOG.md"));
  const size_t begin = catalog.find("## Fixture index");
  const size_t end = catalog.find("## Fixture contents");
  ASSERT_NE(begin, std::string::npos);
  std::istringstream table(catalog.substr(begin, end - begin));
  std::map<std::string, std::pair<uint64_t, size_t>> rows;  // id -> bytes, files
  for (std::string line; std::getline(table, line);) {
    if (line.rfind("| ", 0) != 0 || line.rfind("| id ", 0) == 0) continue;
    std::vector<std::string> cells;
    std::istringstream cs(line.substr(1));
    for (std::string c; std::getline(cs, c, '|');) {
      c.erase(0, c.find_first_not_of(' '));
      c.erase(c.find_last_not_of(' ') + 1);
      cells.push_back(c);
    }
    ASSERT_GE(cells.size(), 8u) << line;
    rows[cells[0]] = {std::stoull(cells[6]), std::stoul(cells[7])};
  }
  std::map<std::string, std::pair<uint64_t, size_t>> dirs;
  for (const FixtureFile& f : AllFiles()) {
    auto& d = dirs[f.rel.substr(0, f.rel.find('/'))];
    d.first += fs::file_size(f.path);
    d.second += 1;
  }
  EXPECT_EQ(rows, dirs) << "CATALOG.md index rows (bytes, files) vs fixture directories";
}

TEST(FixtureParse, EveryV2BundleOpens) {
  REQUIRE_FIXTURES();
  const auto bundles = AllBundles();
  EXPECT_EQ(bundles.size(), 26u);
  for (const Bundle& b : bundles) {
    SCOPED_TRACE(b.rel_prefix);
    auto br = io::BundleReader::Open(b.prefix);
    ASSERT_TRUE(br.ok()) << br.status().ToString();
    EXPECT_FALSE((*br)->keys().empty());
    for (int i = 0; i < (*br)->num_shards(); ++i)
      EXPECT_TRUE(io::FileExists(io::BundleDataPath(b.prefix, i, (*br)->num_shards())));
    auto cr = io::CheckpointReader::Open(b.prefix);
    ASSERT_TRUE(cr.ok()) << cr.status().ToString();
    EXPECT_EQ((*cr)->format(), io::CheckpointFormat::kV2);
    EXPECT_EQ((*cr)->tensors().size(), (*br)->keys().size());
  }
  // Every data file belongs to a bundle whose header counts it.
  for (const FixtureFile& f : FilesWithRole(Role::kBundleData)) {
    const std::string prefix = f.path.substr(0, f.path.rfind(".data-"));
    EXPECT_TRUE(io::FileExists(io::BundleIndexPath(prefix))) << f.rel << " has no index";
    auto br = io::BundleReader::Open(prefix);
    ASSERT_TRUE(br.ok()) << br.status().ToString();
    bool found = false;
    for (int i = 0; i < (*br)->num_shards(); ++i)
      found |= io::BundleDataPath(prefix, i, (*br)->num_shards()) == f.path;
    EXPECT_TRUE(found) << f.rel << " is not a shard named by its index header";
  }
}

TEST(FixtureParse, EveryV1CheckpointOpens) {
  REQUIRE_FIXTURES();
  const auto files = FilesWithRole(Role::kV1Checkpoint);
  EXPECT_EQ(files.size(), V1Files().size());
  for (const FixtureFile& f : files) {
    SCOPED_TRACE(f.rel);
    auto cr = io::CheckpointReader::Open(f.path);
    ASSERT_TRUE(cr.ok()) << cr.status().ToString();
    EXPECT_EQ((*cr)->format(), io::CheckpointFormat::kV1);
    EXPECT_FALSE((*cr)->tensors().empty());
  }
}

TEST(FixtureParse, EveryMetaGraphDef) {
  REQUIRE_FIXTURES();
  const auto files = FilesWithRole(Role::kMetaGraph);
  EXPECT_EQ(files.size(), 12u);
  for (const FixtureFile& f : files) {
    auto m = Load<tf::MetaGraphDef>(f.path, false);
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    EXPECT_GT(m->graph_def().node_size(), 0) << f.rel;
  }
}

TEST(FixtureParse, EverySavedModel) {
  REQUIRE_FIXTURES();
  const auto files = FilesWithRole(Role::kSavedModel);
  EXPECT_EQ(files.size(), 17u);
  for (const FixtureFile& f : files) {
    auto m = Load<tf::SavedModel>(f.path, false);
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    ASSERT_GT(m->meta_graphs_size(), 0) << f.rel;
    EXPECT_GT(m->meta_graphs(0).graph_def().node_size(), 0) << f.rel;
  }
  for (const FixtureFile& f : FilesWithRole(Role::kSavedModelText)) {
    auto m = Load<tf::SavedModel>(f.path, true);
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    ASSERT_GT(m->meta_graphs_size(), 0) << f.rel;
    EXPECT_GT(m->meta_graphs(0).graph_def().node_size(), 0) << f.rel;
  }
}

TEST(FixtureParse, EveryGraphDef) {
  REQUIRE_FIXTURES();
  const auto binary = FilesWithRole(Role::kGraphDef);
  EXPECT_EQ(binary.size(), 23u);
  for (const FixtureFile& f : binary) {
    auto g = Load<tf::GraphDef>(f.path, false);
    ASSERT_TRUE(g.ok()) << g.status().ToString();
    EXPECT_GT(g->node_size(), 0) << f.rel;
    // A non-GraphDef file would almost surely show up as unknown fields.
    EXPECT_TRUE(UnknownFields(*g).empty()) << f.rel << ": " << Join(UnknownFields(*g));
  }
  const auto text = FilesWithRole(Role::kGraphDefText);
  EXPECT_EQ(text.size(), 3u);
  for (const FixtureFile& f : text) {
    auto g = Load<tf::GraphDef>(f.path, true);
    ASSERT_TRUE(g.ok()) << g.status().ToString();
    EXPECT_GT(g->node_size(), 0) << f.rel;
  }
}

TEST(FixtureParse, EveryFingerprint) {
  REQUIRE_FIXTURES();
  const auto files = FilesWithRole(Role::kFingerprint);
  EXPECT_EQ(files.size(), 3u);
  for (const FixtureFile& f : files) {
    auto fp = Load<tf::FingerprintDef>(f.path, false);
    ASSERT_TRUE(fp.ok()) << fp.status().ToString();
    EXPECT_NE(fp->saved_model_checksum(), 0u) << f.rel;
    EXPECT_NE(fp->graph_def_program_hash(), 0u) << f.rel;
    EXPECT_TRUE(UnknownFields(*fp).empty()) << f.rel << ": " << Join(UnknownFields(*fp));
  }
}

TEST(FixtureParse, EveryCheckpointStateFile) {
  REQUIRE_FIXTURES();
  const auto files = FilesWithRole(Role::kCheckpointState);
  EXPECT_EQ(files.size(), 7u);
  for (const FixtureFile& f : files) {
    SCOPED_TRACE(f.rel);
    const std::string dir = fs::path(f.path).parent_path().string();
    auto state = io::GetCheckpointState(dir);
    ASSERT_TRUE(state.ok()) << state.status().ToString();
    ASSERT_TRUE(state->has_value());
    const tf::CheckpointState& cs = **state;
    ASSERT_FALSE(cs.model_checkpoint_path().empty());
    ASSERT_GT(cs.all_model_checkpoint_paths_size(), 0);
    EXPECT_EQ(cs.all_model_checkpoint_paths(cs.all_model_checkpoint_paths_size() - 1),
              cs.model_checkpoint_path());
    // Also parses directly as a text CheckpointState.
    auto direct = Load<tf::CheckpointState>(f.path, true);
    ASSERT_TRUE(direct.ok()) << direct.status().ToString();
    if (f.rel.rfind("serving_bad_half_plus_two/", 0) == 0) {
      // CATALOG.md serving_bad_half_plus_two: "`checkpoint` file holds absolute /tmp paths".
      EXPECT_EQ(cs.model_checkpoint_path(), "/tmp/bad_half_plus_two/00000123/export");
      continue;
    }
    // Relative paths resolve (against the directory) to checkpoints that exist.
    for (const std::string& p : cs.all_model_checkpoint_paths())
      EXPECT_TRUE(io::CheckpointExists(p)) << p;
    auto latest = io::LatestCheckpoint(dir);
    ASSERT_TRUE(latest.ok()) << latest.status().ToString();
    EXPECT_EQ(latest->value_or(""), cs.model_checkpoint_path());
  }
}

// ================================================================ 2. every tensor reads

TEST(FixtureTensors, EveryTensorOfEveryCheckpointReadsWithChecksums) {
  REQUIRE_FIXTURES();
  size_t checkpoints = 0, tensors = 0;
  for (const auto& [rel, path] : AllCheckpoints()) {
    SCOPED_TRACE(rel);
    auto r = io::CheckpointReader::Open(path);  // default options: CRCs verified
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ++checkpoints;
    for (const io::CheckpointTensorInfo& info : (*r)->tensors()) {
      auto t = (*r)->GetTensor(info.name);
      ASSERT_TRUE(t.ok()) << info.name << ": " << t.status().ToString();
      EXPECT_EQ(t->dtype(), info.dtype) << info.name;
      EXPECT_EQ(t->shape(), info.shape) << info.name;
      EXPECT_EQ(t->num_elements(), info.shape.num_elements()) << info.name;
      ++tensors;
    }
  }
  EXPECT_EQ(checkpoints, 30u);
  std::cout << "[ info     ] read " << tensors << " tensors from " << checkpoints
            << " checkpoints\n";
}

// ================================================================ 3. stated values

TEST(FixtureValues, AntadlpSaveNetV2) {
  TFPORT_REQUIRE_FIXTURE("antadlp_save_net_v2/save_net.ckpt.index");
  auto r = OpenCheckpoint("antadlp_save_net_v2/save_net.ckpt");
  ASSERT_TRUE(r);
  // CATALOG.md antadlp_save_net_v2: "weights=[[1,2,3],[1,2,3]], biases=[[1,2,3]]".
  Tensor w = GetTensor(*r, "weights");
  EXPECT_EQ(w.shape(), Shape({2, 3}));
  EXPECT_EQ(Values<float>(w), (std::vector<float>{1, 2, 3, 1, 2, 3}));
  Tensor b = GetTensor(*r, "biases");
  EXPECT_EQ(b.shape(), Shape({1, 3}));
  EXPECT_EQ(Values<float>(b), (std::vector<float>{1, 2, 3}));
}

TEST(FixtureValues, TfonnxRegression) {
  TFPORT_REQUIRE_FIXTURE("tfonnx_regression_saved_model/variables/variables.index");
  auto r = OpenCheckpoint("tfonnx_regression_saved_model/variables/variables");
  ASSERT_TRUE(r);
  // CATALOG.md tfonnx_regression_saved_model: "pred = 0.21396178*X + 1.0495254"
  // (8 significant digits, hence the tolerance).
  EXPECT_NEAR(Scalar(*r, "W"), 0.21396178, 1e-7);
  EXPECT_NEAR(Scalar(*r, "b"), 1.0495254, 1e-7);

  // CATALOG.md tfonnx_regression_frozen: "pred:0 = 0.21396178*X + 1.0495254 (Consts W, b)".
  auto g = Load<tf::GraphDef>(FixturePath("tfonnx_regression_frozen/frozen.pb").string(), false);
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  std::map<std::string, float> consts;
  for (const auto& node : g->node()) {
    if (node.op() != "Const" || !node.attr().count("value")) continue;
    auto t = TensorFromProto(node.attr().at("value").tensor());
    ASSERT_TRUE(t.ok()) << node.name() << ": " << t.status().ToString();
    if (t->dtype() == DT_FLOAT && t->num_elements() == 1) consts[node.name()] = t->flat<float>()[0];
  }
  ASSERT_TRUE(consts.count("W") && consts.count("b"));
  EXPECT_NEAR(consts["W"], 0.21396178, 1e-7);
  EXPECT_NEAR(consts["b"], 1.0495254, 1e-7);
  // Same model: the frozen constants are the checkpoint values, bit for bit.
  EXPECT_EQ(consts["W"], Scalar(*r, "W"));
  EXPECT_EQ(consts["b"], Scalar(*r, "b"));
}

TEST(FixtureValues, ServingHalfPlusTwoFamily) {
  REQUIRE_FIXTURES();
  {
    // CATALOG.md serving_saved_model_half_plus_two_cpu: "y = a*x + b with a=0.5, b=2 ...
    // regress_x_to_y2: y2 = a*x + c (c=3)".
    TFPORT_REQUIRE_FIXTURE("serving_saved_model_half_plus_two_cpu/00000123/variables/variables.index");
    auto r = OpenCheckpoint("serving_saved_model_half_plus_two_cpu/00000123/variables/variables");
    ASSERT_TRUE(r);
    EXPECT_EQ(Scalar(*r, "a"), 0.5f);
    EXPECT_EQ(Scalar(*r, "b"), 2.0f);
    EXPECT_EQ(Scalar(*r, "c"), 3.0f);
  }
  {
    // CATALOG.md serving_saved_model_half_plus_two_tf2_cpu: "serving_default: x float[1] ->
    // y = 0.5*x + 2; regress_x_to_y2 ..." (variables a, b, c as in the TF1 family, c=3).
    auto r = OpenCheckpoint("serving_saved_model_half_plus_two_tf2_cpu/00000123/variables/variables");
    ASSERT_TRUE(r);
    EXPECT_EQ(Scalar(*r, "a/.ATTRIBUTES/VARIABLE_VALUE"), 0.5f);
    EXPECT_EQ(Scalar(*r, "b/.ATTRIBUTES/VARIABLE_VALUE"), 2.0f);
    EXPECT_EQ(Scalar(*r, "c/.ATTRIBUTES/VARIABLE_VALUE"), 3.0f);
  }
  {
    // CATALOG.md tfjava_saved_model_half_plus_two: "checkpoint a=0.5, b=2, c=3".
    auto r = OpenCheckpoint("tfjava_saved_model_half_plus_two/variables/variables");
    ASSERT_TRUE(r);
    EXPECT_EQ(Scalar(*r, "a"), 0.5f);
    EXPECT_EQ(Scalar(*r, "b"), 2.0f);
    EXPECT_EQ(Scalar(*r, "c"), 3.0f);
  }
  {
    // CATALOG.md serving_half_plus_two_v1ckpt: "y = a*x + b with a=0.5, b=2" (V1 checkpoint).
    auto r = OpenCheckpoint("serving_half_plus_two_v1ckpt/00000123/export-00000-of-00001");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->format(), io::CheckpointFormat::kV1);
    EXPECT_EQ(Scalar(*r, "a"), 0.5f);
    EXPECT_EQ(Scalar(*r, "b"), 2.0f);
  }
  {
    // CATALOG.md serving_bad_half_plus_two: "Variable=0.5, Variable_1=2 (y = 0.5*x + 2)".
    auto r = OpenCheckpoint("serving_bad_half_plus_two/00000123/export");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->format(), io::CheckpointFormat::kV1);
    EXPECT_EQ(Scalar(*r, "Variable"), 0.5f);
    EXPECT_EQ(Scalar(*r, "Variable_1"), 2.0f);
  }
  {
    // CATALOG.md serving_saved_model_counter: "counter variable starts at 0.0".
    auto r = OpenCheckpoint("serving_saved_model_counter/00000123/variables/variables");
    ASSERT_TRUE(r);
    EXPECT_EQ(Scalar(*r, "counter"), 0.0f);
  }
}

TEST(FixtureValues, RustRegressionModels) {
  TFPORT_REQUIRE_FIXTURE("rust_regression_savedmodel/variables/variables.index");
  {
    // CATALOG.md rust_regression_savedmodel: "stored w=0.20429754, b=0.0".
    auto r = OpenCheckpoint("rust_regression_savedmodel/variables/variables");
    ASSERT_TRUE(r);
    EXPECT_NEAR(Scalar(*r, "w/.ATTRIBUTES/VARIABLE_VALUE"), 0.20429754, 1e-7);
    EXPECT_EQ(Scalar(*r, "b/.ATTRIBUTES/VARIABLE_VALUE"), 0.0f);
  }
  {
    // CATALOG.md rust_test_regression_model: "stored w=-0.85786223, b=0.0".
    auto r = OpenCheckpoint("rust_test_regression_model/variables/variables");
    ASSERT_TRUE(r);
    EXPECT_NEAR(Scalar(*r, "w"), -0.85786223, 1e-7);
    EXPECT_EQ(Scalar(*r, "b"), 0.0f);
  }
}

TEST(FixtureValues, TfjsNodeModels) {
  TFPORT_REQUIRE_FIXTURE("tfjs_node_times_three_float/variables/variables.index");
  {
    // CATALOG.md tfjs_node_times_three_float: "stored variable v=3.0".
    auto r = OpenCheckpoint("tfjs_node_times_three_float/variables/variables");
    ASSERT_TRUE(r);
    EXPECT_EQ(Scalar(*r, "v/.ATTRIBUTES/VARIABLE_VALUE"), 3.0f);
  }
  {
    // CATALOG.md tfjs_node_uint8_multiply: "stored variables v1=3, v2=2" (int32).
    auto r = OpenCheckpoint("tfjs_node_uint8_multiply/variables/variables");
    ASSERT_TRUE(r);
    EXPECT_EQ(Values<int32_t>(GetTensor(*r, "v1/.ATTRIBUTES/VARIABLE_VALUE")),
              std::vector<int32_t>{3});
    EXPECT_EQ(Values<int32_t>(GetTensor(*r, "v2/.ATTRIBUTES/VARIABLE_VALUE")),
              std::vector<int32_t>{2});
  }
}

TEST(FixtureValues, TfmodelsReferenceData) {
  TFPORT_REQUIRE_FIXTURE("tfmodels_refdata_uniform_random/model.ckpt.index");
  {
    // CATALOG.md tfmodels_refdata_uniform_random: "results.json [0.9872556924819946] = the
    // stored input_tensor value" (a float32 printed as a double: exact).
    auto r = OpenCheckpoint("tfmodels_refdata_uniform_random/model.ckpt");
    ASSERT_TRUE(r);
    Tensor t = GetTensor(*r, "input_tensor");
    EXPECT_EQ(t.shape(), Shape({1, 1}));
    ASSERT_EQ(t.num_elements(), 1);
    EXPECT_EQ(static_cast<double>(t.flat<float>()[0]), 0.9872556924819946);
  }
  {
    // CATALOG.md tfmodels_refdata_dense: "dense(dense(input_tensor,4),1); verified here with
    // numpy from the checkpoint values = 0.47016305".
    auto r = OpenCheckpoint("tfmodels_refdata_dense/model.ckpt");
    ASSERT_TRUE(r);
    auto x = Values<float>(GetTensor(*r, "input_tensor"));    // [1,2]
    auto k0 = Values<float>(GetTensor(*r, "dense/kernel"));   // [2,4]
    auto b0 = Values<float>(GetTensor(*r, "dense/bias"));     // [4]
    auto k1 = Values<float>(GetTensor(*r, "dense_1/kernel")); // [4,1]
    auto b1 = Values<float>(GetTensor(*r, "dense_1/bias"));   // [1]
    ASSERT_TRUE(x.size() == 2 && k0.size() == 8 && b0.size() == 4 && k1.size() == 4 &&
                b1.size() == 1);
    double y = b1[0];
    for (int j = 0; j < 4; ++j) {
      double h = b0[j];
      for (int i = 0; i < 2; ++i) h += double{x[i]} * k0[i * 4 + j];
      y += h * k1[j];
    }
    EXPECT_NEAR(y, 0.47016305, 1e-6);
  }
  {
    // CATALOG.md tfmodels_refdata_batch_norm: "results.json = [shape, first, last, sum] of
    // input_tensor ...: [32,16,16,3,0.97226,0.18414,12374.2, ...]".
    auto r = OpenCheckpoint("tfmodels_refdata_batch_norm/model.ckpt");
    ASSERT_TRUE(r);
    Tensor t = GetTensor(*r, "input_tensor");
    EXPECT_EQ(t.shape(), Shape({32, 16, 16, 3}));
    auto v = Values<float>(t);
    ASSERT_EQ(v.size(), 32u * 16 * 16 * 3);
    EXPECT_NEAR(v.front(), 0.97226, 1e-5);
    EXPECT_NEAR(v.back(), 0.18414, 1e-5);
    double sum = 0;
    for (float f : v) sum += f;
    EXPECT_NEAR(sum, 12374.2, 0.1);
  }
}

// A minimal .npy reader: magic \x93NUMPY, version, header length, a Python dict
// literal with descr / fortran_order / shape, then the raw array.
struct Npy {
  std::string descr;
  bool fortran_order = true;
  std::vector<int64_t> shape;
  std::string data;
};

std::optional<Npy> ParseNpy(const std::string& file) {
  if (file.size() < 10 || file.compare(0, 6, "\x93NUMPY") != 0) return std::nullopt;
  const int major = static_cast<uint8_t>(file[6]);
  size_t header_len, header_start;
  if (major == 1) {
    header_len = static_cast<uint8_t>(file[8]) | (static_cast<uint8_t>(file[9]) << 8);
    header_start = 10;
  } else {
    if (file.size() < 12) return std::nullopt;
    uint32_t n;
    std::memcpy(&n, file.data() + 8, 4);
    header_len = n;
    header_start = 12;
  }
  if (header_start + header_len > file.size()) return std::nullopt;
  const std::string header = file.substr(header_start, header_len);
  Npy npy;
  std::smatch m;
  static const std::regex descr_re(R"('descr'\s*:\s*'([^']*)')");
  static const std::regex fortran_re(R"('fortran_order'\s*:\s*(True|False))");
  static const std::regex shape_re(R"('shape'\s*:\s*\(([^)]*)\))");
  if (!std::regex_search(header, m, descr_re)) return std::nullopt;
  npy.descr = m[1];
  if (!std::regex_search(header, m, fortran_re)) return std::nullopt;
  npy.fortran_order = m[1] == "True";
  if (!std::regex_search(header, m, shape_re)) return std::nullopt;
  std::istringstream dims(m[1].str());
  for (std::string d; std::getline(dims, d, ',');)
    if (d.find_first_not_of(' ') != std::string::npos) npy.shape.push_back(std::stoll(d));
  npy.data = file.substr(header_start + header_len);
  return npy;
}

TEST(FixtureValues, TfnetKerasNpyEqualsCheckpoint) {
  TFPORT_REQUIRE_FIXTURE("tfnet_keras_simple_model_from_auto_compile/kernel1.npy");
  // CATALOG.md tfnet_keras_simple_model_from_auto_compile: "verified here: kernel1.npy ==
  // layer_with_weights-1/kernel [100,10] and bias0.npy == layer_with_weights-0/bias [100],
  // bit-exact".
  auto r = OpenCheckpoint("tfnet_keras_simple_model_from_auto_compile/variables/variables");
  ASSERT_TRUE(r);
  const std::pair<const char*, const char*> pairs[] = {
      {"kernel1.npy", "layer_with_weights-1/kernel/.ATTRIBUTES/VARIABLE_VALUE"},
      {"bias0.npy", "layer_with_weights-0/bias/.ATTRIBUTES/VARIABLE_VALUE"},
  };
  for (const auto& [npy_name, key] : pairs) {
    SCOPED_TRACE(npy_name);
    auto npy = ParseNpy(
        ReadFileOrDie(FixturePath(StrCat("tfnet_keras_simple_model_from_auto_compile/", npy_name))));
    ASSERT_TRUE(npy.has_value());
    EXPECT_EQ(npy->descr, "<f4");
    EXPECT_FALSE(npy->fortran_order);
    Tensor t = GetTensor(*r, key);
    EXPECT_EQ(t.dtype(), DT_FLOAT);
    EXPECT_EQ(t.shape(), Shape(npy->shape));
    ASSERT_EQ(npy->data.size(), t.byte_size());
    EXPECT_EQ(std::memcmp(npy->data.data(), t.data(), t.byte_size()), 0);
  }
}

TEST(FixtureValues, RabbitIrisReadsAcrossTwoShards) {
  TFPORT_REQUIRE_FIXTURE("rabbit_iris_keras_weights_sharded/model.ckpt.index");
  // CATALOG.md rabbit_iris_keras_weights_sharded: "2 data shards (shard 0: object graph
  // only) ...; bundle num_shards=2".
  auto br = io::BundleReader::Open(FixturePath("rabbit_iris_keras_weights_sharded/model.ckpt"));
  ASSERT_TRUE(br.ok()) << br.status().ToString();
  EXPECT_EQ((*br)->num_shards(), 2);
  std::set<int> shards_used;
  for (const std::string& key : (*br)->keys()) {
    auto e = (*br)->entry(key);
    ASSERT_TRUE(e.ok());
    EXPECT_EQ(e->shard_id(), key == "_CHECKPOINTABLE_OBJECT_GRAPH" ? 0 : 1) << key;
    shards_used.insert(e->shard_id());
    auto t = (*br)->Lookup(key);
    EXPECT_TRUE(t.ok()) << key << ": " << t.status().ToString();
  }
  EXPECT_EQ(shards_used, (std::set<int>{0, 1}));
  // Keras Flatten->Dense(128)->Dense(3) on 4 iris features.
  auto k = (*br)->Lookup("layer-1/kernel/.ATTRIBUTES/VARIABLE_VALUE");
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(k->shape(), Shape({4, 128}));
}

TEST(FixtureValues, ObjectGraphsParseAndNameTheirTensors) {
  REQUIRE_FIXTURES();
  // CATALOG.md kind 6 / 4b: TF2 checkpoints carry _CHECKPOINTABLE_OBJECT_GRAPH, a
  // serialized TrackableObjectGraph; its VARIABLE_VALUE attributes name bundle keys.
  size_t graphs = 0;
  for (const Bundle& b : AllBundles()) {
    auto r = io::CheckpointReader::Open(b.prefix);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    if (!(*r)->HasTensor("_CHECKPOINTABLE_OBJECT_GRAPH")) continue;
    SCOPED_TRACE(b.rel_prefix);
    ++graphs;
    Tensor t = GetTensor(**r, "_CHECKPOINTABLE_OBJECT_GRAPH");
    ASSERT_EQ(t.dtype(), DT_STRING);
    ASSERT_EQ(t.num_elements(), 1);
    tf::TrackableObjectGraph graph;
    Status s = io::ParseBinaryProto(t.flat<std::string>()[0], &graph, b.rel_prefix);
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_GT(graph.nodes_size(), 0);
    EXPECT_TRUE(UnknownFields(graph).empty()) << Join(UnknownFields(graph));
    size_t attributes = 0;
    for (const auto& node : graph.nodes())
      for (const auto& attr : node.attributes()) {
        ++attributes;
        EXPECT_TRUE((*r)->HasTensor(attr.checkpoint_key())) << attr.checkpoint_key();
      }
    // Every tensor except the graph itself is some object's attribute.
    EXPECT_EQ(attributes + 1, (*r)->tensors().size());
  }
  EXPECT_EQ(graphs, 12u);
}

struct MetaFact {
  const char* rel;           // .meta, saved_model.pb or saved_model.pbtxt
  const char* tf_version;    // meta_info_def.tensorflow_version
  int saver_version;         // -1: not stated
  int sharded;               // -1: not stated
};

TEST(FixtureValues, MetaGraphFactsFromCatalog) {
  REQUIRE_FIXTURES();
  // CATALOG.md "Fixture index" column "TF version (writer)" and the notes
  // "saver_def.version=N sharded=X" of "Fixture contents".
  const MetaFact facts[] = {
      {"antadlp_save_net_v2/save_net.ckpt.meta", "0.12.1", 2, 0},
      {"cppflow_v1_mnist_ckpt/checkpoint/train.ckpt.meta", "1.15.0", 2, 0},
      {"hsbarker_estimator_mnist_cnn/model.ckpt-20000.meta", "1.5.0", 2, 1},
      {"noahrjohnson_v1_ckpt/model.ckpt.meta", "", 0, 0},
      {"octogonapus_edgetpu_qat/checkpoints.meta", "1.13.1", 2, 0},
      {"ryanmolina_neural_encryption/checkpoint/encryptor_model-500000.meta", "1.0.1", 2, 0},
      {"serving_bad_half_plus_two/00000123/export.meta", "", 0, 0},
      {"serving_half_plus_two_v1ckpt/00000123/export.meta", "0.12.head", 1, 1},
      {"tfnet_meta_char_cnn_untrained/char_cnn_untrained.meta", "1.13.1", -1, -1},
      {"tfnet_meta_kmeans/kmeans.meta", "1.14.0-rc0", -1, -1},
      {"tfnet_meta_word_rnn_untrained/word_rnn_untrained.meta", "1.13.1", -1, -1},
      {"cppflow_load_model/saved_model.pb", "2.2.0", 2, 0},
      {"cppflow_multi_input_output/saved_model.pb", "2.3.0", 2, 0},
      {"petar_dnn_classifier_saved_model_pbtxt/saved_model.pbtxt", "1.2.0", 2, 1},
      {"rust_regression_savedmodel/saved_model.pb", "2.5.0", 2, 0},
      {"rust_test_regression_model/saved_model.pb", "1.2.1", 2, 1},
      {"serving_matrix_half_plus_two/1/saved_model.pb", "1.2.0-rc2", -1, -1},
      {"serving_saved_model_counter/00000123/saved_model.pb", "1.5.0-rc1", 2, 1},
      {"serving_saved_model_half_plus_two_cpu/00000123/saved_model.pb", "1.14.0", 2, 1},
      {"serving_saved_model_half_plus_two_tf2_cpu/00000123/saved_model.pb", "2.14.0", 2, 0},
      {"tfjava_saved_model_half_plus_two/saved_model.pb", "1.1.0-rc2", 2, 1},
      {"tfjs_node_model_multi_output/saved_model.pb", "2.0.0", 2, 0},
      {"tfjs_node_times_three_float/saved_model.pb", "2.0.0-beta1", 2, 0},
      {"tfjs_node_uint8_multiply/saved_model.pb", "2.3.1", 2, 0},
      {"tfnet_example1_saved_model/saved_model.pb", "1.13.1", 2, 1},
      {"tfnet_keras_lstm_from_sequential/saved_model.pb", "2.12.0", 2, 0},
      {"tfnet_keras_simple_model_from_auto_compile/saved_model.pb", "2.11.0", 2, 0},
      {"tfonnx_regression_saved_model/saved_model.pb", "1.11.0", 2, 1},
      {"tfonnx_saved_model_redundant_inputs/saved_model.pb", "1.12.0", -1, -1},
  };
  for (const MetaFact& f : facts) {
    SCOPED_TRACE(f.rel);
    const std::string path = FixturePath(f.rel).string();
    tf::MetaGraphDef meta;
    if (EndsWith(path, ".meta")) {
      auto m = Load<tf::MetaGraphDef>(path, false);
      ASSERT_TRUE(m.ok()) << m.status().ToString();
      meta = *m;
    } else {
      auto sm = Load<tf::SavedModel>(path, EndsWith(path, ".pbtxt"));
      ASSERT_TRUE(sm.ok()) << sm.status().ToString();
      ASSERT_EQ(sm->meta_graphs_size(), 1);
      meta = sm->meta_graphs(0);
    }
    EXPECT_EQ(meta.meta_info_def().tensorflow_version(), f.tf_version);
    if (f.saver_version >= 0) {
      ASSERT_TRUE(meta.has_saver_def());
      EXPECT_EQ(static_cast<int>(meta.saver_def().version()), f.saver_version);
      EXPECT_EQ(meta.saver_def().sharded(), f.sharded == 1);
    }
  }
  // CATALOG.md tfnet_example1_saved_model: "tensorflow_git_version is the literal string
  // "b'v1.13.1-0-g6612da8951'"".
  auto ex1 = Load<tf::SavedModel>(FixturePath("tfnet_example1_saved_model/saved_model.pb").string(),
                                  false);
  ASSERT_TRUE(ex1.ok());
  EXPECT_EQ(ex1->meta_graphs(0).meta_info_def().tensorflow_git_version(),
            "b'v1.13.1-0-g6612da8951'");
  // CATALOG.md rust_test_regression_model: "one MetaGraph with two tags (train, serve)".
  auto rt = Load<tf::SavedModel>(FixturePath("rust_test_regression_model/saved_model.pb").string(),
                                 false);
  ASSERT_TRUE(rt.ok());
  const auto& tags = rt->meta_graphs(0).meta_info_def().tags();
  EXPECT_EQ(std::set<std::string>(tags.begin(), tags.end()),
            (std::set<std::string>{"train", "serve"}));
}

TEST(FixtureValues, GraphDefFactsFromCatalog) {
  REQUIRE_FIXTURES();
  // CATALOG.md "TF version (writer)" column: GraphDef producer numbers, or
  // "no versions field".
  const std::pair<const char*, int> producers[] = {
      {"cppflow_load_frozen_graph/model.pb", 716}, {"rust_addition/model.pb", 1882},
      {"ocaml_load/load.pb", 8},                   {"ocaml_load/load.pbtxt", 8},
      {"ocaml_lstm/lstm.pb", 21},                  {"ocaml_lstm/lstm.pbtxt", 21},
  };
  for (const auto& [rel, producer] : producers) {
    auto g = Load<tf::GraphDef>(FixturePath(rel).string(), EndsWith(rel, ".pbtxt"));
    ASSERT_TRUE(g.ok()) << g.status().ToString();
    EXPECT_EQ(g->versions().producer(), producer) << rel;
  }
  for (const char* rel : {"arm_kws_dnn_s/DNN/DNN_S.pb", "arm_kws_ds_cnn_s/DS_CNN/DS_CNN_S.pb",
                          "hello_tf_c_api_graph/graph.pb", "jonykai_java_frozen/frozen_model.pb",
                          "tfonnx_lstm_frozen/frozen.pb", "tfonnx_regression_frozen/frozen.pb",
                          "utensor_deep_cnn_cifar10/cifar10_cnn.pb"}) {
    auto g = Load<tf::GraphDef>(FixturePath(rel).string(), false);
    ASSERT_TRUE(g.ok()) << g.status().ToString();
    EXPECT_FALSE(g->has_versions()) << rel;
  }
  // CATALOG.md ocaml_load: "add = Const[1,2,3] + x ... Const uses tensor_content"; the
  // binary and text files hold the same graph.
  auto bin = Load<tf::GraphDef>(FixturePath("ocaml_load/load.pb").string(), false);
  auto txt = Load<tf::GraphDef>(FixturePath("ocaml_load/load.pbtxt").string(), true);
  ASSERT_TRUE(bin.ok() && txt.ok());
  EXPECT_TRUE(pb::util::MessageDifferencer::Equals(*bin, *txt));
  for (const auto& node : bin->node()) {
    if (node.name() != "Const") continue;
    auto t = TensorFromProto(node.attr().at("value").tensor());
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    EXPECT_EQ(Values<float>(*t), (std::vector<float>{1, 2, 3}));
  }
}

// ================================================================ 4. byte-identical rewrite

// Rewrites bundle `prefix` with BundleWriter (one writer per original shard,
// merged with MergeBundles when there are several) into `out_prefix`,
// adding tensors in data-file order.
void RewriteBundle(const io::BundleReader& src, const TempDir& tmp, const std::string& out_prefix) {
  const int num_shards = src.num_shards();
  // Slice keys of partitioned tensors -> (full name, slice, full shape).
  struct SliceOf {
    std::string full_name;
    io::TensorSlice slice;
    Shape full_shape;
  };
  std::map<std::string, SliceOf> slice_keys;
  for (const auto& [key, entry] : src.entries()) {
    if (entry.slices_size() == 0) continue;
    auto shape = Shape::FromProto(entry.shape());
    ASSERT_TRUE(shape.ok());
    for (const auto& sp : entry.slices()) {
      auto slice = io::TensorSlice::FromProto(sp);
      ASSERT_TRUE(slice.ok());
      slice_keys[io::EncodeTensorNameSlice(key, *slice)] = {key, *slice, *shape};
    }
  }
  // Data-bearing entries sorted by (shard, offset).
  std::vector<std::pair<std::string, const tf::BundleEntryProto*>> order;
  for (const auto& [key, entry] : src.entries())
    if (entry.slices_size() == 0) order.emplace_back(key, &entry);
  std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
    return std::make_pair(a.second->shard_id(), a.second->offset()) <
           std::make_pair(b.second->shard_id(), b.second->offset());
  });

  std::vector<std::string> shard_prefixes;
  for (int s = 0; s < num_shards; ++s)
    shard_prefixes.push_back(num_shards == 1 ? out_prefix
                                             : tmp.Join(StrCat("shard", s, "/part")));
  std::vector<std::unique_ptr<io::BundleWriter>> writers;
  for (const std::string& p : shard_prefixes) {
    auto w = io::BundleWriter::Create(p);
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    writers.push_back(std::move(*w));
  }
  uint64_t expected_offset[64] = {};
  for (const auto& [key, entry] : order) {
    ASSERT_LT(entry->shard_id(), 64);
    // Densely packed data: our writer will place this tensor where it was.
    EXPECT_EQ(static_cast<uint64_t>(entry->offset()), expected_offset[entry->shard_id()]) << key;
    expected_offset[entry->shard_id()] = entry->offset() + entry->size();
    auto t = src.Lookup(key);
    ASSERT_TRUE(t.ok()) << key << ": " << t.status().ToString();
    io::BundleWriter& w = *writers[entry->shard_id()];
    auto it = slice_keys.find(key);
    Status s = it == slice_keys.end()
                   ? w.Add(key, *t)
                   : w.AddSlice(it->second.full_name, it->second.full_shape, it->second.slice, *t);
    ASSERT_TRUE(s.ok()) << key << ": " << s.ToString();
  }
  for (auto& w : writers) {
    Status s = w->Finish();
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  if (num_shards > 1) {
    Status s = io::MergeBundles(shard_prefixes, out_prefix);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
}

TEST(FixtureRewrite, BundlesRewriteByteIdentically) {
  REQUIRE_FIXTURES();
  // CATALOG.md "Peculiarities": these two have a Snappy-compressed data block in
  // variables.index; everything else is stored uncompressed.
  const std::set<std::string> snappy_expected = {
      "serving_saved_model_half_plus_two_cpu/00000123/variables/variables",
      "serving_saved_model_half_plus_two_tf2_cpu/00000123/variables/variables",
  };
  std::set<std::string> snappy_found;
  size_t identical = 0;
  for (const Bundle& b : AllBundles()) {
    SCOPED_TRACE(b.rel_prefix);
    const std::string index = ReadFileOrDie(io::BundleIndexPath(b.prefix));
    const std::vector<int> types = DataBlockTypes(index);
    ASSERT_FALSE(types.empty());
    const bool compressed = std::any_of(types.begin(), types.end(), [](int t) { return t != 0; });
    if (compressed) snappy_found.insert(b.rel_prefix);

    auto src = io::BundleReader::Open(b.prefix);
    ASSERT_TRUE(src.ok()) << src.status().ToString();
    TempDir tmp;
    const std::string out = tmp.Join("out/" + fs::path(b.prefix).filename().string());
    RewriteBundle(**src, tmp, out);
    if (HasFatalFailure()) return;

    // Same keys and same entry bytes (header included) in the index table.
    EXPECT_EQ(TableEntries(io::BundleIndexPath(out)), TableEntries(io::BundleIndexPath(b.prefix)));
    // Data shards are never compressed: byte-identical in every case.
    const int n = (*src)->num_shards();
    for (int s = 0; s < n; ++s) {
      const std::string a = ReadFileOrDie(io::BundleDataPath(b.prefix, s, n));
      const std::string c = ReadFileOrDie(io::BundleDataPath(out, s, n));
      EXPECT_TRUE(a == c) << "data shard " << s << ": " << FirstDifference(a, c);
    }
    const std::string rewritten = ReadFileOrDie(io::BundleIndexPath(out));
    for (int t : DataBlockTypes(rewritten)) EXPECT_EQ(t, 0) << "our writer compressed a block";
    if (!compressed) {
      EXPECT_TRUE(rewritten == index) << "index: " << FirstDifference(index, rewritten);
      if (rewritten == index) ++identical;
      continue;
    }
    // Snappy original: every tensor reads back bit-identical from the rewrite...
    auto back = io::BundleReader::Open(out);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ((*back)->keys(), (*src)->keys());
    for (const std::string& key : (*src)->keys()) {
      auto x = (*src)->Lookup(key);
      auto y = (*back)->Lookup(key);
      ASSERT_TRUE(x.ok() && y.ok()) << key;
      EXPECT_TRUE(BitwiseEqual(*x, *y)) << key;
    }
    // ...and the same table written with Snappy on reproduces TensorFlow's file.
    const std::string snappy_path = tmp.Join("snappy.index");
    {
      auto w = io::FileWriter::Create(snappy_path);
      ASSERT_TRUE(w.ok());
      io::TableWriteOptions opts;
      opts.snappy = true;
      auto table = io::TableBuilder::Create(w->get(), opts);
      for (const auto& [k, v] : TableEntries(io::BundleIndexPath(out)))
        ASSERT_TRUE(table->Add(k, v).ok());
      ASSERT_TRUE(table->Finish().ok());
      ASSERT_TRUE((*w)->Close().ok());
    }
    const std::string snappy = ReadFileOrDie(snappy_path);
    EXPECT_TRUE(snappy == index) << "snappy index: " << FirstDifference(index, snappy);
  }
  EXPECT_EQ(snappy_found, snappy_expected);
  std::cout << "[ info     ] " << identical << " uncompressed bundles rewritten byte-identically, "
            << snappy_found.size() << " Snappy bundles rewritten uncompressed\n";
}

// ================================================================ 5. lossless proto round trips

TEST(FixtureRoundTrip, GraphDefsMetaGraphsSavedModelsLoseNoField) {
  REQUIRE_FIXTURES();
  size_t files = 0, byte_identical = 0;
  for (const FixtureFile& f : AllFiles()) {
    bool same = false;
    switch (f.role) {
      case Role::kGraphDef: same = ExpectLosslessRoundTrip<tf::GraphDef>(f.path, false); break;
      case Role::kGraphDefText: same = ExpectLosslessRoundTrip<tf::GraphDef>(f.path, true); break;
      case Role::kMetaGraph: same = ExpectLosslessRoundTrip<tf::MetaGraphDef>(f.path, false); break;
      case Role::kSavedModel: same = ExpectLosslessRoundTrip<tf::SavedModel>(f.path, false); break;
      case Role::kSavedModelText:
        same = ExpectLosslessRoundTrip<tf::SavedModel>(f.path, true);
        break;
      case Role::kFingerprint:
        same = ExpectLosslessRoundTrip<tf::FingerprintDef>(f.path, false);
        break;
      default: continue;
    }
    ++files;
    byte_identical += same;
  }
  EXPECT_EQ(files, 59u);
  std::cout << "[ info     ] " << files << " protobuf files round-tripped; " << byte_identical
            << " re-serialize to their exact file bytes\n";
}

}  // namespace
}  // namespace tfport
