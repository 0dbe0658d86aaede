// tfport: files on local disk — memory-mapped reading, buffered writing and
// atomic replacement (write a temporary name, then rename over the target).
//
// Every error names the path. All writes tfport makes go through FileWriter,
// usually via AtomicFile, so a crash never leaves a half-written file under a
// final name.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tfport/core/status.h"

namespace tfport::io {

// A read-only view of a whole file, memory-mapped private copy-on-write (so
// tensors viewing it may even be written to without touching the file).
// Thread-safety: immutable after Open; share it with std::shared_ptr.
class MappedFile {
 public:
  // Errors: NOT_FOUND, PERMISSION_DENIED, or UNKNOWN with the OS message.
  static Result<std::shared_ptr<MappedFile>> Open(const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const std::string& path() const { return path_; }
  const uint8_t* data() const { return data_; }
  uint64_t size() const { return size_; }
  // Asks the kernel to map [offset, offset+size) now, in one call, instead of
  // page by page on first touch. A hint only: errors are ignored.
  void Prefault(uint64_t offset, uint64_t size) const;
  std::string_view view() const {
    return {reinterpret_cast<const char*>(data_), static_cast<size_t>(size_)};
  }

 private:
  MappedFile(std::string path, uint8_t* data, uint64_t size)
      : path_(std::move(path)), data_(data), size_(size) {}
  std::string path_;
  uint8_t* data_;
  uint64_t size_;
};

// Reads a whole file. max_bytes guards against unexpectedly large inputs
// (RESOURCE_EXHAUSTED naming the file).
Result<std::string> ReadFileToString(const std::string& path,
                                     uint64_t max_bytes = uint64_t{1} << 33);

// Sequential writer with an internal buffer. Close() must be called and its
// Status checked; the destructor closes silently.
class FileWriter {
 public:
  // Creates or truncates `path`.
  static Result<std::unique_ptr<FileWriter>> Create(const std::string& path,
                                                    size_t buffer_size = size_t{8} << 20);
  ~FileWriter();

  Status Append(const void* data, size_t size);
  Status Append(std::string_view s) { return Append(s.data(), s.size()); }
  Status Flush();
  Status Sync();   // Flush + fdatasync
  Status Close();  // Flush + close (no sync)
  uint64_t bytes_written() const { return written_; }
  const std::string& path() const { return path_; }

 private:
  FileWriter(std::string path, int fd, size_t buffer_size);
  Status WriteRaw(const void* data, size_t size);
  std::string path_;
  int fd_;
  std::vector<char> buffer_;
  size_t used_ = 0;
  uint64_t written_ = 0;
};

// A file written under a temporary name "<path><temp_suffix><random>" and
// renamed to `path` by Commit(). Without a successful Commit() the temporary
// file is removed. With sync, the data is fdatasync'ed before the rename and
// the directory after it.
class AtomicFile {
 public:
  // temp_suffix: TensorFlow uses ".tempstate" for bundles (formats.md §1.10)
  // and ".tmp" for the `checkpoint` file (§2.1).
  static Result<std::unique_ptr<AtomicFile>> Create(const std::string& path, bool sync,
                                                    std::string_view temp_suffix = ".tempstate");
  ~AtomicFile();

  FileWriter& writer() { return *writer_; }
  const std::string& temp_path() const { return temp_path_; }
  const std::string& path() const { return path_; }
  Status Commit();

 private:
  AtomicFile() = default;
  std::string path_, temp_path_;
  bool sync_ = false, committed_ = false;
  std::unique_ptr<FileWriter> writer_;
};

// Writes `contents` to `path` atomically.
Status WriteFileAtomic(const std::string& path, std::string_view contents, bool sync = false,
                       std::string_view temp_suffix = ".tempstate");

bool FileExists(const std::string& path);
bool IsDirectory(const std::string& path);
Result<uint64_t> FileSize(const std::string& path);
Status RenameFile(const std::string& from, const std::string& to);
Status DeleteFile(const std::string& path);
Status CreateDirectories(const std::string& path);
Status SyncDirectory(const std::string& dir);

// Paths matching a shell pattern (`*`, `?`, `[...]`), sorted. No match → empty.
std::vector<std::string> Glob(const std::string& pattern);

// Path helpers with Python's os.path semantics.
std::string JoinPath(std::string_view a, std::string_view b);
std::string Dirname(std::string_view path);   // "a/b" -> "a", "b" -> ""
std::string Basename(std::string_view path);  // "a/b" -> "b"
bool IsAbsolutePath(std::string_view path);

// A random 64-bit number for temporary names.
uint64_t RandomU64();

}  // namespace tfport::io
