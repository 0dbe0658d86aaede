#include "tfport/io/file.h"

#include <fcntl.h>
#include <glob.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>

namespace tfport::io {
namespace {

Status ErrnoStatus(const std::string& path, std::string_view what, int err) {
  std::string msg = StrCat(path, ": ", what, ": ", std::strerror(err));
  switch (err) {
    case ENOENT: return Status(Code::kNotFound, msg);
    case EACCES: case EPERM: return Status(Code::kPermissionDenied, msg);
    case ENOSPC: case EDQUOT: return Status(Code::kResourceExhausted, msg);
    case EISDIR: case ENOTDIR: return Status(Code::kFailedPrecondition, msg);
    default: return Status(Code::kUnknown, msg);
  }
}

}  // namespace

Result<std::shared_ptr<MappedFile>> MappedFile::Open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(path, "cannot open", errno);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return ErrnoStatus(path, "cannot stat", err);
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd);
    return errors::FailedPrecondition(path, ": is a directory, not a file");
  }
  uint64_t size = static_cast<uint64_t>(st.st_size);
  uint8_t* data = nullptr;
  if (size > 0) {
    void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      int err = errno;
      ::close(fd);
      return ErrnoStatus(path, "cannot mmap", err);
    }
    data = static_cast<uint8_t*>(p);
  }
  ::close(fd);
  return std::shared_ptr<MappedFile>(new MappedFile(path, data, size));
}

void MappedFile::Prefault(uint64_t offset, uint64_t size) const {
#ifdef MADV_POPULATE_READ
  if (data_ == nullptr || offset >= size_) return;
  const uint64_t page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  uint64_t begin = offset / page * page;
  uint64_t end = std::min(size_, offset + size);
  ::madvise(data_ + begin, end - begin, MADV_POPULATE_READ);
#else
  (void)offset;
  (void)size;
#endif
}

MappedFile::~MappedFile() {
  if (data_ != nullptr) ::munmap(data_, size_);
}

Result<std::string> ReadFileToString(const std::string& path, uint64_t max_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(path, "cannot open", errno);
  struct stat st;
  if (::fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
    ::close(fd);
    return errors::FailedPrecondition(path, ": not a readable regular file");
  }
  uint64_t size = static_cast<uint64_t>(st.st_size);
  if (size > max_bytes) {
    ::close(fd);
    return errors::ResourceExhausted(path, ": file of ", size, " bytes exceeds the limit of ",
                                     max_bytes);
  }
  std::string out(size, '\0');
  uint64_t done = 0;
  while (done < size) {
    ssize_t r = ::read(fd, out.data() + done, size - done);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      int err = r < 0 ? errno : EIO;
      ::close(fd);
      return ErrnoStatus(path, "read failed", err);
    }
    done += static_cast<uint64_t>(r);
  }
  ::close(fd);
  return out;
}

// ---- FileWriter

constexpr size_t kDirectWriteBytes = size_t{256} << 10;

FileWriter::FileWriter(std::string path, int fd, size_t buffer_size)
    : path_(std::move(path)), fd_(fd), buffer_(buffer_size) {}

Result<std::unique_ptr<FileWriter>> FileWriter::Create(const std::string& path,
                                                       size_t buffer_size) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoStatus(path, "cannot create", errno);
  return std::unique_ptr<FileWriter>(new FileWriter(path, fd, std::max<size_t>(buffer_size, 4096)));
}

FileWriter::~FileWriter() {
  if (fd_ >= 0) Close().IgnoreError();
}

Status FileWriter::WriteRaw(const void* data, size_t size) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t w = ::write(fd_, p, std::min<size_t>(size, size_t{1} << 30));
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) return ErrnoStatus(path_, "write failed", errno);
    p += w;
    size -= static_cast<size_t>(w);
  }
  return OkStatus();
}

Status FileWriter::Append(const void* data, size_t size) {
  if (fd_ < 0) return errors::FailedPrecondition(path_, ": write after close");
  written_ += size;
  if (used_ + size <= buffer_.size() && size < kDirectWriteBytes) {
    std::memcpy(buffer_.data() + used_, data, size);
    used_ += size;
    return OkStatus();
  }
  TFPORT_RETURN_IF_ERROR(Flush());
  // Large pieces go straight to the kernel; copying them first costs more
  // than the extra system call.
  if (size >= std::min<size_t>(buffer_.size(), kDirectWriteBytes)) return WriteRaw(data, size);
  std::memcpy(buffer_.data(), data, size);
  used_ = size;
  return OkStatus();
}

Status FileWriter::Flush() {
  if (used_ == 0) return OkStatus();
  Status s = WriteRaw(buffer_.data(), used_);
  used_ = 0;
  return s;
}

Status FileWriter::Sync() {
  TFPORT_RETURN_IF_ERROR(Flush());
  if (::fdatasync(fd_) != 0) return ErrnoStatus(path_, "fdatasync failed", errno);
  return OkStatus();
}

Status FileWriter::Close() {
  if (fd_ < 0) return OkStatus();
  Status s = Flush();
  if (::close(fd_) != 0 && s.ok()) s = ErrnoStatus(path_, "close failed", errno);
  fd_ = -1;
  return s;
}

// ---- AtomicFile

Result<std::unique_ptr<AtomicFile>> AtomicFile::Create(const std::string& path, bool sync,
                                                       std::string_view temp_suffix) {
  std::unique_ptr<AtomicFile> f(new AtomicFile());
  f->path_ = path;
  f->temp_path_ = StrCat(path, temp_suffix, RandomU64());
  f->sync_ = sync;
  TFPORT_ASSIGN_OR_RETURN(f->writer_, FileWriter::Create(f->temp_path_));
  return f;
}

AtomicFile::~AtomicFile() {
  if (!committed_) {
    if (writer_) writer_->Close().IgnoreError();
    ::unlink(temp_path_.c_str());
  }
}

Status AtomicFile::Commit() {
  if (committed_) return OkStatus();
  if (sync_) TFPORT_RETURN_IF_ERROR(writer_->Sync());
  TFPORT_RETURN_IF_ERROR(writer_->Close());
  TFPORT_RETURN_IF_ERROR(RenameFile(temp_path_, path_));
  committed_ = true;
  if (sync_) {
    std::string dir = Dirname(path_);
    TFPORT_RETURN_IF_ERROR(SyncDirectory(dir.empty() ? "." : dir));
  }
  return OkStatus();
}

Status WriteFileAtomic(const std::string& path, std::string_view contents, bool sync,
                       std::string_view temp_suffix) {
  TFPORT_ASSIGN_OR_RETURN(auto file, AtomicFile::Create(path, sync, temp_suffix));
  TFPORT_RETURN_IF_ERROR(file->writer().Append(contents));
  return file->Commit();
}

// ---- small helpers

bool FileExists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

bool IsDirectory(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

Result<uint64_t> FileSize(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return ErrnoStatus(path, "cannot stat", errno);
  return static_cast<uint64_t>(st.st_size);
}

Status RenameFile(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0)
    return ErrnoStatus(from, StrCat("cannot rename to ", to), errno);
  return OkStatus();
}

Status DeleteFile(const std::string& path) {
  if (::unlink(path.c_str()) != 0) return ErrnoStatus(path, "cannot delete", errno);
  return OkStatus();
}

Status CreateDirectories(const std::string& path) {
  if (path.empty()) return OkStatus();
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) return errors::Unknown(path, ": cannot create directory: ", ec.message());
  return OkStatus();
}

Status SyncDirectory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(dir, "cannot open directory", errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return ErrnoStatus(dir, "fsync failed", err);
  return OkStatus();
}

std::vector<std::string> Glob(const std::string& pattern) {
  std::vector<std::string> out;
  glob_t g;
  if (::glob(pattern.c_str(), 0, nullptr, &g) == 0) {
    for (size_t i = 0; i < g.gl_pathc; ++i) out.emplace_back(g.gl_pathv[i]);
  }
  ::globfree(&g);
  std::sort(out.begin(), out.end());
  return out;
}

std::string JoinPath(std::string_view a, std::string_view b) {
  if (a.empty() || IsAbsolutePath(b)) return std::string(b);
  if (a.back() == '/') return StrCat(a, b);
  return StrCat(a, "/", b);
}

std::string Dirname(std::string_view path) {
  size_t pos = path.rfind('/');
  if (pos == std::string_view::npos) return "";
  if (pos == 0) return "/";
  return std::string(path.substr(0, pos));
}

std::string Basename(std::string_view path) {
  size_t pos = path.rfind('/');
  return std::string(pos == std::string_view::npos ? path : path.substr(pos + 1));
}

bool IsAbsolutePath(std::string_view path) { return !path.empty() && path[0] == '/'; }

uint64_t RandomU64() {
  static thread_local std::mt19937_64 rng(std::random_device{}() ^
                                          static_cast<uint64_t>(::getpid()) << 32);
  return rng();
}

}  // namespace tfport::io
