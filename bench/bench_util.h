// Helpers shared by the benchmark drivers in bench/.
#pragma once

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "tfport/core/status.h"
#include "tfport/core/tensor.h"
#include "tfport/graph/ops.h"
#include "tfport/runtime/session.h"

namespace tfport::bench {

inline void Check(const Status& s) {
  if (!s.ok()) {
    std::fprintf(stderr, "bench: %s\n", s.ToString().c_str());
    std::exit(1);
  }
}

// Median wall time of `reps` runs of f after one warm-up run.
inline double MedianOf(int reps, const std::function<void()>& f) {
  f();
  std::vector<double> t;
  for (int i = 0; i < reps; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    f();
    t.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

// Peak resident set of this process in KiB: VmHWM, which starts afresh at
// exec (getrusage's ru_maxrss keeps the peak of the process that forked us,
// so a child started by a large benchmark would report the parent's size).
// Per-call microseconds of f (median of `reps` rounds of `calls` calls,
// after a warm-up of calls/10).
inline double MedianMicros(int reps, int calls, const std::function<void()>& f) {
  for (int i = 0; i < calls / 10 + 1; ++i) f();
  std::vector<double> per_call;
  for (int r = 0; r < reps; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < calls; ++i) f();
    per_call.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() *
                       1e6 / calls);
  }
  std::sort(per_call.begin(), per_call.end());
  return per_call[per_call.size() / 2];
}

inline long MaxRssKiB() {
  if (FILE* f = std::fopen("/proc/self/status", "r")) {
    char line[256];
    long kib = -1;
    while (std::fgets(line, sizeof line, f))
      if (std::sscanf(line, "VmHWM: %ld kB", &kib) == 1) break;
    std::fclose(f);
    if (kib >= 0) return kib;
  }
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

// The reference "raw write": the tensors' bytes written back to back with
// write(), optionally fdatasync'ed.
inline void RawWrite(const std::string& path, const std::vector<Tensor>& tensors, bool sync) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) std::exit(1);
  for (const Tensor& t : tensors) {
    auto b = t.bytes();
    for (size_t done = 0; done < b.size();) {
      ssize_t w = ::write(fd, b.data() + done, b.size() - done);
      if (w <= 0) std::exit(1);
      done += static_cast<size_t>(w);
    }
  }
  if (sync) ::fdatasync(fd);
  ::close(fd);
}

// A float VariableV2 `name` of `elements` values, loaded through placeholder
// "<name>_in" by Assign "<name>_set", so the graph holds no constants.
inline graph::Output AddFedVariable(graph::Graph& g, const std::string& name, int64_t elements) {
  auto v = ops::Op(g, {"VariableV2", {},
                       {ops::AttrType("dtype", DT_FLOAT), ops::AttrShape("shape", Shape{elements})},
                       {}, name});
  auto in = ops::Placeholder(g, DT_FLOAT, Shape{elements}, name + "_in");
  ops::Assign(g, v, in, name + "_set");
  return v;
}

// Deterministic values in [0, 1) from a linear congruential generator.
inline Tensor RandomFloats(int64_t n, uint32_t* seed) {
  Tensor t(DT_FLOAT, Shape{n});
  for (float& x : t.flat<float>()) {
    *seed = *seed * 1664525u + 1013904223u;
    x = static_cast<float>(*seed >> 8) / 16777216.0f;
  }
  return t;
}

// Runs every "<name>_set" with values[i] fed into "<name>_in".
inline Status LoadFedVariables(runtime::Session& session, const std::vector<std::string>& names,
                               const std::vector<Tensor>& values) {
  std::vector<std::pair<std::string, Tensor>> feeds;
  std::vector<std::string> targets;
  for (size_t i = 0; i < names.size(); ++i) {
    feeds.emplace_back(names[i] + "_in:0", values[i]);
    targets.push_back(names[i] + "_set");
  }
  std::vector<Tensor> out;
  return session.Run(feeds, {}, targets, &out);
}

// `count` fed variables v00, v01, ... of `elements` random floats each, and
// the Sum of each one (to combine into an output).
struct SummedVariables {
  std::vector<std::string> names;
  std::vector<Tensor> values;  // what LoadFedVariables feeds
  std::vector<graph::Output> sums;
};

inline SummedVariables AddSummedVariables(graph::Graph& g, int count, int64_t elements,
                                          uint32_t seed) {
  SummedVariables m;
  for (int i = 0; i < count; ++i) {
    char name[16];
    std::snprintf(name, sizeof name, "v%02d", i);
    auto v = AddFedVariable(g, name, elements);
    m.sums.push_back(ops::Op(g, {"Sum", {v, ops::Const(g, Tensor::FromVector<int32_t>({0}, Shape{1}))}}));
    m.names.push_back(name);
    m.values.push_back(RandomFloats(elements, &seed));
  }
  return m;
}

}  // namespace tfport::bench
