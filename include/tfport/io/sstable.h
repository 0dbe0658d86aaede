// tfport: the sorted string table TensorFlow uses for `.index` files and V1
// checkpoints (formats.md §1.2), on top of Debian's leveldb table API.
//
// The on-disk format is LevelDB's (same block layout, masked CRC32C trailers,
// footer magic 0xdb4775248b80fb57). The writer is configured as TensorFlow's
// tensor-bundle writer is: 256 KiB blocks, restart interval 16, no
// compression, so its output is byte-identical to TensorFlow's. The reader
// verifies every block checksum and accepts uncompressed and Snappy blocks.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "tfport/core/status.h"
#include "tfport/io/file.h"

namespace tfport::io {

struct TableWriteOptions {
  size_t block_size = 262144;  // measured on uncompressed bytes
  int block_restart_interval = 16;
  bool snappy = false;  // TensorFlow's bundle writer never compresses
};

// Writes a table to a FileWriter the caller owns (and closes).
class TableBuilder {
 public:
  static std::unique_ptr<TableBuilder> Create(FileWriter* file,
                                              const TableWriteOptions& options = {});
  ~TableBuilder();

  // REQUIRES: key > every key added before (bytewise); not finished.
  Status Add(std::string_view key, std::string_view value);
  // Writes the last data block, the metaindex and index blocks and the footer.
  Status Finish();
  uint64_t num_entries() const;

 private:
  struct Rep;
  explicit TableBuilder(std::unique_ptr<Rep> rep);
  std::unique_ptr<Rep> rep_;
};

// Reads a table from a memory-mapped file.
// Thread-safety: Get and NewIterator may be called concurrently; each
// iterator is used by one thread.
class TableReader {
 public:
  // Validates the footer (magic, handles inside the file) and the index
  // block checksum. Errors: DATA_LOSS naming the file and byte offset.
  static Result<std::unique_ptr<TableReader>> Open(std::shared_ptr<MappedFile> file);
  ~TableReader();

  class Iterator {
   public:
    virtual ~Iterator() = default;
    virtual bool Valid() const = 0;
    virtual void SeekToFirst() = 0;
    virtual void Seek(std::string_view target) = 0;  // first key >= target
    virtual void Next() = 0;
    // REQUIRES: Valid(). Views stay valid until the iterator moves.
    virtual std::string_view key() const = 0;
    virtual std::string_view value() const = 0;
    // Non-OK after a corrupt block was met (then Valid() is false).
    virtual Status status() const = 0;
  };
  std::unique_ptr<Iterator> NewIterator() const;

  // The value stored under exactly `key`; NOT_FOUND if absent.
  Result<std::string> Get(std::string_view key) const;

  const std::string& path() const;

 private:
  struct Rep;
  explicit TableReader(std::unique_ptr<Rep> rep);
  std::unique_ptr<Rep> rep_;
};

}  // namespace tfport::io
