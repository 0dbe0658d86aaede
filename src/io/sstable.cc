#include "io/coding.h"
#include "tfport/io/sstable.h"

#include <leveldb/comparator.h>
#include <leveldb/env.h>
#include <leveldb/iterator.h>
#include <leveldb/options.h>
#include <leveldb/table.h>
#include <leveldb/table_builder.h>

namespace tfport::io {
namespace {

using internal::GetVarint64;
using internal::PutVarint64;

constexpr size_t kFooterSize = 48;     // formats.md §1.2.5
constexpr size_t kTrailerSize = 5;     // type byte + masked crc
constexpr uint64_t kTableMagic = 0xdb4775248b80fb57ull;

// leveldb's WritableFile on top of our FileWriter (not owned).
class WriterAdapter final : public leveldb::WritableFile {
 public:
  explicit WriterAdapter(FileWriter* file) : file_(file) {}
  leveldb::Status Append(const leveldb::Slice& data) override {
    return Convert(file_->Append(data.data(), data.size()));
  }
  leveldb::Status Close() override { return leveldb::Status::OK(); }  // caller closes
  leveldb::Status Flush() override { return leveldb::Status::OK(); }
  leveldb::Status Sync() override { return Convert(file_->Sync()); }
  Status last_error() const { return last_error_; }

 private:
  leveldb::Status Convert(Status s) {
    if (s.ok()) return leveldb::Status::OK();
    last_error_ = s;
    return leveldb::Status::IOError(s.message());
  }
  FileWriter* file_;
  Status last_error_;
};

// leveldb's RandomAccessFile over a MappedFile: reads return views into the
// mapping, so uncompressed blocks are never copied.
class MappedAdapter final : public leveldb::RandomAccessFile {
 public:
  explicit MappedAdapter(std::shared_ptr<MappedFile> file) : file_(std::move(file)) {}
  leveldb::Status Read(uint64_t offset, size_t n, leveldb::Slice* result,
                       char* /*scratch*/) const override {
    if (offset > file_->size() || n > file_->size() - offset) {
      *result = leveldb::Slice();
      return leveldb::Status::Corruption(
          StrCat("read @", offset, "+", n, " past the end of the file (", file_->size(),
                 " bytes)"));
    }
    *result = leveldb::Slice(reinterpret_cast<const char*>(file_->data()) + offset, n);
    return leveldb::Status::OK();
  }

 private:
  std::shared_ptr<MappedFile> file_;
};

// Checks the footer ourselves before leveldb sees the file, so that a damaged
// footer can never make leveldb allocate a block larger than the file.
Status ValidateFooter(const MappedFile& file) {
  const uint64_t size = file.size();
  if (size < kFooterSize)
    return errors::DataLoss(file.path(), ": file of ", size,
                            " bytes is too short to be an sstable (needs a 48-byte footer)");
  const uint8_t* footer = file.data() + size - kFooterSize;
  uint64_t magic = 0;
  for (int i = 7; i >= 0; --i) magic = (magic << 8) | footer[40 + i];
  if (magic != kTableMagic)
    return errors::DataLoss(file.path(), " @", size - 8,
                            "+8: not an sstable (bad magic number)");
  const uint8_t* p = footer;
  const uint8_t* end = footer + 40;
  const uint64_t limit = size - kFooterSize;
  const char* names[2] = {"metaindex", "index"};
  for (const char* name : names) {
    uint64_t offset = 0, length = 0;
    if (!GetVarint64(&p, end, &offset) || !GetVarint64(&p, end, &length))
      return errors::DataLoss(file.path(), " @", limit, "+48: footer: bad ", name,
                              " block handle");
    if (offset > limit || length > limit - offset || kTrailerSize > limit - offset - length)
      return errors::DataLoss(file.path(), " @", limit, "+48: footer: ", name, " block @",
                              offset, "+", length, " lies outside the ", limit,
                              " bytes before the footer");
  }
  return OkStatus();
}

Status FromLevelDb(const leveldb::Status& s, const std::string& path) {
  if (s.ok()) return OkStatus();
  return errors::DataLoss(path, ": sstable: ", s.ToString());
}

}  // namespace

// ---- TableBuilder

struct TableBuilder::Rep {
  leveldb::Options options;
  std::unique_ptr<WriterAdapter> adapter;
  std::unique_ptr<leveldb::TableBuilder> builder;
  FileWriter* file = nullptr;
  bool finished = false;
};

TableBuilder::TableBuilder(std::unique_ptr<Rep> rep) : rep_(std::move(rep)) {}
TableBuilder::~TableBuilder() {
  if (rep_->builder && !rep_->finished) rep_->builder->Abandon();
}

std::unique_ptr<TableBuilder> TableBuilder::Create(FileWriter* file,
                                                   const TableWriteOptions& options) {
  auto rep = std::make_unique<Rep>();
  rep->options.comparator = leveldb::BytewiseComparator();
  rep->options.block_size = options.block_size;
  rep->options.block_restart_interval = options.block_restart_interval;
  rep->options.compression = options.snappy ? leveldb::kSnappyCompression
                                            : leveldb::kNoCompression;
  rep->file = file;
  rep->adapter = std::make_unique<WriterAdapter>(file);
  rep->builder = std::make_unique<leveldb::TableBuilder>(rep->options, rep->adapter.get());
  return std::unique_ptr<TableBuilder>(new TableBuilder(std::move(rep)));
}

Status TableBuilder::Add(std::string_view key, std::string_view value) {
  auto& b = *rep_->builder;
  // TensorFlow's builder starts a new block before an entry of at least two
  // block sizes (formats.md §1.2.6, step 2); leveldb's does not, so flush here.
  if (b.NumEntries() > 0 && key.size() + value.size() >= 2 * rep_->options.block_size) b.Flush();
  b.Add(leveldb::Slice(key.data(), key.size()), leveldb::Slice(value.data(), value.size()));
  if (!b.status().ok()) {
    Status s = rep_->adapter->last_error();
    return s.ok() ? FromLevelDb(b.status(), rep_->file->path()) : s;
  }
  return OkStatus();
}

Status TableBuilder::Finish() {
  rep_->finished = true;
  leveldb::Status s = rep_->builder->Finish();
  if (!s.ok()) {
    Status mine = rep_->adapter->last_error();
    return mine.ok() ? FromLevelDb(s, rep_->file->path()) : mine;
  }
  return OkStatus();
}

uint64_t TableBuilder::num_entries() const { return rep_->builder->NumEntries(); }

// ---- TableReader

struct TableReader::Rep {
  std::shared_ptr<MappedFile> file;
  std::unique_ptr<MappedAdapter> adapter;
  leveldb::Options options;
  std::unique_ptr<leveldb::Table> table;
};

TableReader::TableReader(std::unique_ptr<Rep> rep) : rep_(std::move(rep)) {}
TableReader::~TableReader() = default;

const std::string& TableReader::path() const { return rep_->file->path(); }

Result<std::unique_ptr<TableReader>> TableReader::Open(std::shared_ptr<MappedFile> file) {
  TFPORT_RETURN_IF_ERROR(ValidateFooter(*file));
  auto rep = std::make_unique<Rep>();
  rep->file = file;
  rep->adapter = std::make_unique<MappedAdapter>(file);
  rep->options.comparator = leveldb::BytewiseComparator();
  rep->options.paranoid_checks = true;  // verify the index block's checksum
  leveldb::Table* table = nullptr;
  leveldb::Status s;
  try {
    s = leveldb::Table::Open(rep->options, rep->adapter.get(), file->size(), &table);
  } catch (const std::bad_alloc&) {
    return errors::DataLoss(file->path(), ": sstable index block is too large to load");
  }
  if (!s.ok()) return FromLevelDb(s, file->path());
  rep->table.reset(table);
  return std::unique_ptr<TableReader>(new TableReader(std::move(rep)));
}

namespace {

class IteratorImpl final : public TableReader::Iterator {
 public:
  IteratorImpl(leveldb::Iterator* it, const std::string& path) : it_(it), path_(path) {}
  // leveldb's two-level iterator skips a corrupt block and goes on with the
  // next one; our contract (sstable.h) is that iteration stops at the error.
  bool Valid() const override { return error_.ok() && it_->Valid() && it_->status().ok(); }
  void SeekToFirst() override { Guard([&] { it_->SeekToFirst(); }); }
  void Seek(std::string_view t) override {
    Guard([&] { it_->Seek(leveldb::Slice(t.data(), t.size())); });
  }
  void Next() override { Guard([&] { it_->Next(); }); }
  std::string_view key() const override {
    auto k = it_->key();
    return {k.data(), k.size()};
  }
  std::string_view value() const override {
    auto v = it_->value();
    return {v.data(), v.size()};
  }
  Status status() const override {
    if (!error_.ok()) return error_;
    return FromLevelDb(it_->status(), path_);
  }

 private:
  template <typename F>
  void Guard(F f) {
    try {
      f();
    } catch (const std::bad_alloc&) {
      error_ = errors::DataLoss(path_, ": sstable block is too large to load");
    }
  }
  std::unique_ptr<leveldb::Iterator> it_;
  std::string path_;
  Status error_;
};

}  // namespace

std::unique_ptr<TableReader::Iterator> TableReader::NewIterator() const {
  leveldb::ReadOptions ro;
  ro.verify_checksums = true;
  ro.fill_cache = false;
  return std::make_unique<IteratorImpl>(rep_->table->NewIterator(ro), rep_->file->path());
}

Result<std::string> TableReader::Get(std::string_view key) const {
  auto it = NewIterator();
  it->Seek(key);
  if (it->Valid() && it->key() == key) return std::string(it->value());
  TFPORT_RETURN_IF_ERROR(it->status());
  return errors::NotFound(path(), ": key '", key, "' not in table");
}

}  // namespace tfport::io
