// Freeze benchmark (issue #5): a graph with 500 MiB of float32 variables
// (20 variables) frozen to one .pb, and that .pb loaded and run once, next to
// the references measured in the same run:
//   ConvertVariablesToConstants + WriteGraph  vs  memcpy / write() of the weights' bytes
//   peak RSS of a fresh freezing process      vs  the weights' size
//   ReadGraph + GraphFromGraphDef + Session::Run once  vs  protobuf's bare
//   parse of the same file (read + ParseFromString)
// Medians of --reps runs after a warm-up; ratios are tfport_time / reference.
//
// usage: freeze_bench [--dir DIR] [--mib 500] [--vars 20] [--reps 3]
//        freeze_bench --freeze-only DIR MIB VARS   (used for the RSS figure)
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "tfport/freeze/graph_util.h"
#include "tfport/graph/import.h"
#include "bench_util.h"
#include "tfport/graph/ops.h"
#include "tfport/io/file.h"
#include "tfport/kernels/kernels.h"

using namespace tfport;
using bench::Check;
using bench::MaxRssKiB;
using bench::MedianOf;
using Clock = std::chrono::steady_clock;

namespace {

// Variables v00..vNN, each summed; "out" = AddN of the sums. Values are
// loaded through placeholders so the graph holds no constants.
struct Model {
  graph::Graph g;
  std::unique_ptr<runtime::Session> session;
  std::vector<Tensor> values;

  Model(int count, int64_t elements) {
    auto [names, vals, sums] = bench::AddSummedVariables(g, count, elements, 7);
    values = std::move(vals);
    ops::Op(g, {"AddN", sums, {}, {}, "out"});
    Check(g.status());
    session = kernels::NewSession(g);
    Check(bench::LoadFedVariables(*session, names, values));
  }
};

void Freeze(Model& m, const std::string& dir) {
  auto frozen = freeze::ConvertVariablesToConstants(*m.session, m.g.ToGraphDef(), {"out"});
  Check(frozen.status());
  Check(freeze::WriteGraph(frozen->graph_def, dir, "frozen.pb").status());
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir = "bench_data";
  int mib = 500, count = 20, reps = 3;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string(); };
    if (a == "--freeze-only") {
      std::string d = next();
      int m = std::atoi(next().c_str()), c = std::atoi(next().c_str());
      Model model(c, static_cast<int64_t>(m) * (1 << 20) / 4 / c);
      model.values.clear();  // the session's variables hold the only copy
      long before = MaxRssKiB();
      Freeze(model, d);
      std::printf("%ld %ld\n", before, MaxRssKiB());
      return 0;
    }
    if (a == "--dir") dir = next();
    else if (a == "--mib") mib = std::atoi(next().c_str());
    else if (a == "--vars") count = std::atoi(next().c_str());
    else if (a == "--reps") reps = std::atoi(next().c_str());
  }
  Check(io::CreateDirectories(dir));
  const int64_t elements = static_cast<int64_t>(mib) * (1 << 20) / 4 / count;
  const size_t bytes = static_cast<size_t>(elements) * 4 * static_cast<size_t>(count);
  std::printf("tfport freeze benchmark: %d float32 variables, %d MiB, median of %d runs\n\n", count,
              mib, reps);
  Model model(count, elements);

  std::vector<char> copy(bytes);
  std::memset(copy.data(), 1, copy.size());
  double t_memcpy = MedianOf(reps, [&] {
    size_t off = 0;
    for (const Tensor& t : model.values) {
      std::memcpy(copy.data() + off, t.data(), t.byte_size());
      off += t.byte_size();
    }
  });
  copy.clear();
  copy.shrink_to_fit();
  const std::string raw = dir + "/raw.bin";
  double t_write = MedianOf(reps, [&] { bench::RawWrite(raw, model.values, false); });
  double t_freeze = MedianOf(reps, [&] { Freeze(model, dir); });
  std::printf("%-42s %7.3f s   memcpy %.3f s (%.2fx)   write() %.3f s (%.2fx)\n",
              "freeze + write .pb:", t_freeze, t_memcpy, t_freeze / t_memcpy, t_write,
              t_freeze / t_write);
  model.values.clear();

  // Peak RSS of a fresh process that builds the model and freezes it.
  std::string cmd = std::string("'") + argv[0] + "' --freeze-only '" + dir + "' " +
                    std::to_string(mib) + " " + std::to_string(count);
  FILE* p = popen(cmd.c_str(), "r");
  long before = 0, peak = 0;
  if (p && std::fscanf(p, "%ld %ld", &before, &peak) == 2)
    std::printf("%-42s %7.2f GiB for %.2f GiB of weights (ratio %.2f; %.2f before freezing)\n",
                "peak RSS, freezing process:", peak / 1048576.0, bytes / 1073741824.0,
                peak * 1024.0 / bytes, before * 1024.0 / bytes);
  if (p) pclose(p);

  // Loading the frozen file and running it once vs protobuf's bare parse.
  const std::string pb = dir + "/frozen.pb";
  // protobuf's best case: parsing straight from the memory-mapped file.
  auto bare_parse = [&] {
    auto file = io::MappedFile::Open(pb);
    Check(file.status());
    tf::GraphDef g;
    if (!g.ParseFromArray((*file)->view().data(), static_cast<int>((*file)->view().size())))
      std::exit(1);
  };
  double t_parse = MedianOf(reps, bare_parse);
  float result = 0;
  double phase[3] = {0, 0, 0};  // parse, build graph, first run (last rep)
  double t_load = MedianOf(reps, [&] {
    auto t0 = Clock::now();
    auto gd = freeze::ReadGraph(pb);
    Check(gd.status());
    auto t1 = Clock::now();
    auto g = graph::GraphFromGraphDef(std::move(*gd));
    Check(g.status());
    auto t2 = Clock::now();
    auto s = kernels::NewSession(**g);
    std::vector<Tensor> out;
    Check(s->Run({}, {"out:0"}, {}, &out));
    result = out[0].scalar<float>();
    auto t3 = Clock::now();
    phase[0] = std::chrono::duration<double>(t1 - t0).count();
    phase[1] = std::chrono::duration<double>(t2 - t1).count();
    phase[2] = std::chrono::duration<double>(t3 - t2).count();
  });
  // Measured again after the load: glibc's malloc adapts its mmap threshold
  // to the 25 MiB strings, so whichever runs first pays for fresh pages.
  t_parse = std::min(t_parse, MedianOf(reps, bare_parse));
  std::printf("%-42s %7.3f s   bare parse %.3f s   ratio %.2f  (out = %.1f)\n",
              "load .pb + build graph + run once:", t_load, t_parse, t_load / t_parse, result);
  std::printf("%-42s parse %.3f s, build graph %.3f s, first run %.3f s (constants decoded, "
              "every weight summed)\n", "  of which:", phase[0], phase[1], phase[2]);
  std::remove(raw.c_str());
  std::remove(pb.c_str());
  return 0;
}
