// Bundle I/O benchmark (issue #2): writes and reads a bundle of 128 float32
// tensors (1 GiB by default) and prints each figure next to the reference
// measured in the same run:
//   bundle read (CRC verified, mmap views)  vs  read() of the same bytes from page cache
//   bundle write (with / without fsync)     vs  write() of the same bytes (with / without fsync)
//   CRC32C throughput on one core (SSE4.2 path and portable path)
//   peak RSS of a process that opens the bundle and reads every tensor
// Each timing is the median of --reps runs after one warm-up run. Ratios are
// reference_time / tfport_time, so 1.0 means "as fast as the reference".
//
// usage: bundle_bench [--dir DIR] [--mib 1024] [--tensors 128] [--reps 5] [--keep]
//        bundle_bench --read-only PREFIX      (used internally for the RSS figure)
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "tfport/io/bundle.h"
#include "tfport/io/crc32c.h"
#include "tfport/io/file.h"

using namespace tfport;
using Clock = std::chrono::steady_clock;

namespace {

double Seconds(const std::function<void()>& f) {
  auto t0 = Clock::now();
  f();
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

double MedianOf(int reps, const std::function<void()>& f) {
  f();  // warm-up
  std::vector<double> t;
  for (int i = 0; i < reps; ++i) t.push_back(Seconds(f));
  return Median(t);
}

void Check(const Status& s) {
  if (!s.ok()) {
    std::fprintf(stderr, "bench: %s\n", s.ToString().c_str());
    std::exit(1);
  }
}

void RawWrite(const std::string& path, const std::vector<Tensor>& tensors, bool sync) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  for (const Tensor& t : tensors) {
    auto b = t.bytes();
    size_t done = 0;
    while (done < b.size()) {
      ssize_t w = ::write(fd, b.data() + done, b.size() - done);
      if (w <= 0) std::exit(1);
      done += static_cast<size_t>(w);
    }
  }
  if (sync) ::fdatasync(fd);
  ::close(fd);
}

void RawRead(const std::string& path, std::vector<char>* buffer) {
  int fd = ::open(path.c_str(), O_RDONLY);
  size_t done = 0;
  while (true) {
    ssize_t r = ::read(fd, buffer->data() + done, buffer->size() - done);
    if (r <= 0) break;
    done += static_cast<size_t>(r);
  }
  ::close(fd);
}

uint64_t ReadBundle(const std::string& prefix) {
  auto reader = io::BundleReader::Open(prefix);
  Check(reader.status());
  uint64_t bytes = 0;
  for (const std::string& key : (*reader)->keys()) {
    Result<Tensor> t = (*reader)->Lookup(key);
    Check(t.status());
    bytes += t->byte_size();
  }
  return bytes;
}

long MaxRssKiB() {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir = "bench_data";
  long mib = 1024;
  int num_tensors = 128, reps = 5;
  bool keep = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string(); };
    if (a == "--read-only") {
      uint64_t bytes = ReadBundle(next());
      std::printf("%llu %ld\n", static_cast<unsigned long long>(bytes), MaxRssKiB());
      return 0;
    }
    if (a == "--dir") dir = next();
    else if (a == "--mib") mib = std::atol(next().c_str());
    else if (a == "--tensors") num_tensors = std::atoi(next().c_str());
    else if (a == "--reps") reps = std::atoi(next().c_str());
    else if (a == "--keep") keep = true;
  }
  Check(io::CreateDirectories(dir));
  const uint64_t total = static_cast<uint64_t>(mib) << 20;
  const int64_t per_tensor = static_cast<int64_t>(total / 4 / static_cast<uint64_t>(num_tensors));
  std::printf("tfport bundle benchmark: %d float32 tensors, %.0f MiB, median of %d runs\n",
              num_tensors, total / 1048576.0, reps);
  std::printf("crc32c implementation: %s\n\n",
              io::FileExists("/proc") && crc32c::HardwareAccelerated() ? "SSE4.2 (3-way)"
                                                                       : "portable");

  std::vector<Tensor> tensors;
  uint32_t seed = 12345;
  for (int i = 0; i < num_tensors; ++i) {
    Tensor t(DT_FLOAT, Shape{per_tensor});
    for (float& v : t.flat<float>()) {
      seed = seed * 1664525u + 1013904223u;
      v = static_cast<float>(seed >> 8) / 16777216.0f;
    }
    tensors.push_back(std::move(t));
  }
  const double gib = static_cast<double>(per_tensor) * 4 * num_tensors / (1 << 30);

  // CRC32C on one core: over a 512 KiB buffer that stays in cache (the
  // instruction's speed) and over 256 MiB streamed from memory.
  std::vector<char> crcbuf(size_t{256} << 20, 1);
  volatile uint32_t sink = 0;
  const size_t small = size_t{512} << 10;
  const int loops = 512;
  double crc_cache = MedianOf(reps, [&] {
    for (int i = 0; i < loops; ++i) sink = crc32c::Value(crcbuf.data(), small);
  });
  double crc_sw = MedianOf(reps, [&] {
    for (int i = 0; i < loops / 8; ++i) sink = crc32c::ExtendPortable(0, crcbuf.data(), small);
  });
  double crc_mem = MedianOf(reps, [&] { sink = crc32c::Value(crcbuf.data(), crcbuf.size()); });
  std::printf("%-44s %8.2f GB/s   (from memory %.2f GB/s; portable %.2f GB/s)\n",
              "crc32c, one core, in cache:", small * double(loops) / crc_cache / 1e9,
              crcbuf.size() / crc_mem / 1e9, small * double(loops / 8) / crc_sw / 1e9);
  crcbuf.clear();
  crcbuf.shrink_to_fit();

  const std::string raw = dir + "/raw.bin";
  const std::string prefix = dir + "/bundle";
  for (bool sync : {false, true}) {
    int r = reps;
    double t_raw = MedianOf(r, [&] { RawWrite(raw, tensors, sync); });
    double t_bundle = MedianOf(r, [&] {
      auto w = io::BundleWriter::Create(prefix, io::BundleWriteOptions{.sync = sync});
      Check(w.status());
      for (int i = 0; i < num_tensors; ++i)
        Check((*w)->Add("tensor_" + std::to_string(1000 + i), tensors[static_cast<size_t>(i)]));
      Check((*w)->Finish());
    });
    std::printf("%-44s %8.2f GB/s   raw write() %6.2f GB/s   ratio %.2f\n",
                sync ? "bundle write + fsync:" : "bundle write (page cache):", gib / t_bundle,
                gib / t_raw, t_raw / t_bundle);
  }
  tensors.clear();

  std::vector<char> readbuf(static_cast<size_t>(per_tensor) * 4 * static_cast<size_t>(num_tensors));
  std::memset(readbuf.data(), 0, readbuf.size());  // first touch outside the timing
  double t_plain = MedianOf(reps, [&] { RawRead(raw, &readbuf); });
  double t_read = MedianOf(reps, [&] { ReadBundle(prefix); });
  std::printf("%-44s %8.2f GB/s   read()      %6.2f GB/s   ratio %.2f\n",
              "bundle read, CRC verified (page cache):", gib / t_read, gib / t_plain,
              t_plain / t_read);
  readbuf.clear();
  readbuf.shrink_to_fit();

  // Peak RSS of a fresh process that reads the whole bundle through mmap.
  std::string cmd = std::string("'") + argv[0] + "' --read-only '" + prefix + "'";
  FILE* p = popen(cmd.c_str(), "r");
  unsigned long long bytes = 0;
  long rss = 0;
  if (p && std::fscanf(p, "%llu %ld", &bytes, &rss) == 2) {
    std::printf("%-44s %8.2f GiB   for %.2f GiB of tensors (ratio %.2f)\n",
                "peak RSS, reading every tensor via mmap:", rss / 1048576.0,
                bytes / 1073741824.0, rss * 1024.0 / static_cast<double>(bytes));
  }
  if (p) pclose(p);
  if (!keep) {
    std::remove(raw.c_str());
    for (const auto& f : io::Glob(prefix + ".*")) std::remove(f.c_str());
  }
  return 0;
}
