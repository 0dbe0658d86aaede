// SavedModel benchmark (issue #9), each figure next to a reference measured
// in the same run:
//   saved_model::Load of a SavedModel with 500 MiB of float32 variables
//     (read saved_model.pb + import + restore + init)  vs  read() of its
//     variables data file into a reused buffer (page cache warm for both);
//     then the same with every restored value summed vs read() + sum
//   peak RSS of a fresh process that loads it        vs  the variables' size
//   one Signature::Run on half_plus_two (and Run by input map)  vs  the
//     Session::Run of the same feed and fetch
// Medians of --reps runs after a warm-up.
//
// usage: saved_model_bench [--dir DIR] [--mib 500] [--vars 20] [--reps 5] [--calls 100000]
//        saved_model_bench --load-only DIR        (used for the RSS figure)
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "bench_util.h"
#include "tfport/io/file.h"
#include "tfport/kernels/kernels.h"
#include "tfport/saved_model/builder.h"
#include "tfport/saved_model/loader.h"
#include "tfport/saved_model/signature_def_utils.h"

using namespace tfport;
using bench::Check;
using bench::MaxRssKiB;
using bench::MedianMicros;
using bench::MedianOf;

namespace {

// Variables v00..vNN (values fed in through placeholders, so the graph holds
// no constants) and "out" = the sum of all of them, as the signature output.
void Export(const std::string& dir, int count, int64_t elements) {
  graph::Graph g;
  auto [names, values, sums] = bench::AddSummedVariables(g, count, elements, 11);
  auto scale = ops::Placeholder(g, DT_FLOAT, Shape{}, "scale");
  auto out = ops::Op(g, {"Mul", {ops::Op(g, {"AddN", sums}), scale}, {}, {}, "out"});
  auto saver = saver::Saver::Create(g, {.var_list = names, .sharded = true});
  Check(saver.status());
  Check(g.status());
  auto session = kernels::NewSession(g);
  Check(bench::LoadFedVariables(*session, names, values));
  auto sig = saved_model::PredictSignatureDef({{"scale", scale}}, {{"out", out}});
  Check(sig.status());
  std::filesystem::remove_all(dir);
  auto builder = saved_model::SavedModelBuilder::Create(dir);
  Check(builder.status());
  Check((*builder)->AddMetaGraphAndVariables(
      *session, g, {"serve"},
      {.signature_def_map = {{"serving_default", *sig}}, .saver = saver->get()}));
  Check((*builder)->Save().status());
}

std::unique_ptr<saved_model::SavedModelBundle> LoadAndRun(const std::string& dir, float* result) {
  auto b = saved_model::Load({}, {"serve"}, dir);
  Check(b.status());
  auto out = (*b)->Run("serving_default", {{"scale", Tensor::Scalar<float>(1.0f)}});
  Check(out.status());
  *result = out->at("out").scalar<float>();
  return std::move(*b);
}

// read() of a whole file into `buf` (resized once).
size_t ReadInto(const std::string& path, std::vector<char>& buf) {
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) std::exit(1);
  size_t n = 0;
  for (;;) {
    if (n == buf.size()) buf.resize(buf.size() ? buf.size() * 2 : 1 << 20);
    ssize_t r = ::read(fd, buf.data() + n, buf.size() - n);
    if (r < 0) std::exit(1);
    if (r == 0) break;
    n += static_cast<size_t>(r);
  }
  ::close(fd);
  return n;
}

// Sum in float with 16 independent accumulators (what a vectorized Sum
// kernel does), so the reference is not slowed by a serial FP dependency.
double SumFloats(const float* p, size_t n) {
  float acc[16] = {};
  size_t i = 0;
  for (; i + 16 <= n; i += 16)
    for (int k = 0; k < 16; ++k) acc[k] += p[i + static_cast<size_t>(k)];
  double s = 0;
  for (float a : acc) s += a;
  for (; i < n; ++i) s += p[i];
  return s;
}

void HalfPlusTwo(int reps, int calls) {
  const std::string dir =
      std::string(TFPORT_SOURCE_DIR) + "/../shared/fixtures/serving_saved_model_half_plus_two_cpu/00000123";
  if (!io::IsDirectory(dir)) {
    std::printf("half_plus_two fixture not found at %s: call overhead not measured\n", dir.c_str());
    return;
  }
  auto b = saved_model::Load({}, {"serve"}, dir);
  Check(b.status());
  auto sig = (*b)->GetSignature("serving_default");
  Check(sig.status());
  const Tensor x = Tensor::FromVector<float>({3}, Shape{1, 1});
  std::vector<Tensor> in = {x}, out;
  Check((*sig)->Run(in, &out));
  if (out[0].flat<float>()[0] != 3.5f) std::exit(1);  // 0.5 * 3 + 2
  const std::vector<std::pair<std::string, Tensor>> feeds = {{"x:0", x}};
  const std::vector<std::string> fetches = {"y:0"};
  const std::map<std::string, Tensor> by_key = {{"x", x}};
  // Interleaved rounds, so drift of the machine affects all three alike.
  double t_sig = 1e9, t_map = 1e9, t_session = 1e9;
  for (int round = 0; round < 3; ++round) {
    t_session = std::min(t_session, MedianMicros(reps, calls, [&] {
      (void)(*b)->session().Run(feeds, fetches, {}, &out);
    }));
    t_sig = std::min(t_sig, MedianMicros(reps, calls, [&] { (void)(*sig)->Run(in, &out); }));
    t_map = std::min(t_map, MedianMicros(reps, calls, [&] { (void)(*b)->Run("serving_default", by_key); }));
  }
  std::printf("%-44s %6.2f us/call   Run(key, map) %.2f us/call   Session::Run %.2f us/call "
              "(target <= 3 us)\n", "half_plus_two Signature::Run:", t_sig, t_map, t_session);
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir = "bench_data/saved_model";
  int mib = 500, count = 20, reps = 5, calls = 100000;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string(); };
    if (a == "--load-only") {
      std::string d = next();
      long before = MaxRssKiB();
      float result = 0;
      auto b = LoadAndRun(d, &result);
      std::printf("%ld %ld\n", before, MaxRssKiB());
      return 0;
    }
    if (a == "--dir") dir = next();
    else if (a == "--mib") mib = std::atoi(next().c_str());
    else if (a == "--vars") count = std::atoi(next().c_str());
    else if (a == "--reps") reps = std::atoi(next().c_str());
    else if (a == "--calls") calls = std::atoi(next().c_str());
  }
  const int64_t elements = static_cast<int64_t>(mib) * (1 << 20) / 4 / count;
  const size_t bytes = static_cast<size_t>(elements) * 4 * static_cast<size_t>(count);
  std::printf("tfport SavedModel benchmark: %d float32 variables, %d MiB, median of %d runs\n\n",
              count, mib, reps);
  Check(io::CreateDirectories(io::Dirname(dir).empty() ? "." : io::Dirname(dir)));
  Export(dir, count, elements);
  const std::string data = dir + "/variables/variables.data-00000-of-00001";

  std::vector<char> buf;
  double t_read = MedianOf(reps, [&] { ReadInto(data, buf); });
  float result = 0;
  double t_load = MedianOf(reps, [&] { Check(saved_model::Load({}, {"serve"}, dir).status()); });
  std::printf("%-44s %7.3f s   read() of the data file %.3f s   ratio %.2fx (target <= 1.3x)\n",
              "Load (read + import + restore + init):", t_load, t_read, t_load / t_read);

  // Restored numeric tensors may be views of the mapped data file, so also
  // compare with every value touched on both sides.
  double sink = 0;
  double t_read_sum = MedianOf(reps, [&] {
    size_t n = ReadInto(data, buf);
    sink += SumFloats(reinterpret_cast<const float*>(buf.data()), n / 4);
  });
  double t_load_sum = MedianOf(reps, [&] {
    auto b = LoadAndRun(dir, &result);  // the signature sums every variable
  });
  std::printf("%-44s %7.3f s   read() + sum %.3f s   ratio %.2fx   (out = %.1f)\n",
              "Load + run (sums every restored value):", t_load_sum, t_read_sum,
              t_load_sum / t_read_sum, result);
  buf.clear();
  buf.shrink_to_fit();

  std::string cmd = std::string("'") + argv[0] + "' --load-only '" + dir + "'";
  FILE* p = popen(cmd.c_str(), "r");
  long before = 0, peak = 0;
  if (p && std::fscanf(p, "%ld %ld", &before, &peak) == 2)
    std::printf("%-44s %7.2f GiB for %.2f GiB of variables (ratio %.2f, target <= 1.3; "
                "%.2f of that before loading)\n", "peak RSS, loading process:", peak / 1048576.0,
                bytes / 1073741824.0, peak * 1024.0 / bytes, before * 1024.0 / bytes);
  if (p) pclose(p);

  HalfPlusTwo(reps, calls);
  std::filesystem::remove_all(dir);
  (void)sink;
  return 0;
}
