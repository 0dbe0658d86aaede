// Whole-model CPU inference: tfport vs OpenCV's dnn (same frozen .pb) and
// PyTorch (TorchScript, torch.nn equivalents), measured in one run.
//
//   models_bench [--runs N] [--warmup N] [--models a,b] [--batches 1,8]
//                [--threads 1,2] [--dir DIR] [--size S] [--skip opencv,torch]
//
// Writes the zoo's models (bench/models/zoo.h) as frozen GraphDefs to DIR,
// times tfport on each (batch x threads; median of N runs after warm-up),
// then runs bench/models/reference.py on the same files and prints, per
// configuration, milliseconds and ratios reference_ms / tfport_ms (> 1:
// tfport is faster), the GFLOP/s reached and oneDNN's sgemm GFLOP/s on the
// same thread count measured here, and OpenCV's max |difference| from
// tfport on tfport's batch-1 input.
#include <dnnl.h>
#include <omp.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "../bench_util.h"
#include "tfport/io/proto_io.h"
#include "tfport/saved_model/loader.h"
#include "zoo.h"

namespace tfport::bench {
namespace {

struct Args {
  int runs = 30, warmup = 5;
  int64_t size = 224;
  std::vector<std::string> models = {"mobilenet_v1", "mobilenet_v2", "resnet50_v1",
                                     "inception_blocks"};
  std::vector<int> batches = {1, 8}, threads = {1, 2};
  std::string dir = "/tmp/tfport_models_bench";
  std::string skip;
};

std::vector<std::string> SplitComma(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  for (std::string item; std::getline(ss, item, ',');)
    if (!item.empty()) out.push_back(item);
  return out;
}

std::vector<int> Ints(const std::string& s) {
  std::vector<int> out;
  for (const std::string& v : SplitComma(s)) out.push_back(std::atoi(v.c_str()));
  return out;
}

Args ParseArgs(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string k = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "models_bench: %s needs a value\n", k.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (k == "--runs") a.runs = std::atoi(value().c_str());
    else if (k == "--warmup") a.warmup = std::atoi(value().c_str());
    else if (k == "--models") a.models = SplitComma(value());
    else if (k == "--batches") a.batches = Ints(value());
    else if (k == "--threads") a.threads = Ints(value());
    else if (k == "--dir") a.dir = value();
    else if (k == "--size") a.size = std::atoll(value().c_str());
    else if (k == "--skip") a.skip = value();
    else {
      std::fprintf(stderr, "models_bench: unknown argument %s\n", k.c_str());
      std::exit(2);
    }
  }
  return a;
}

struct Timing {
  double median_ms = 0, min_ms = 0;
};

Timing Time(int runs, int warmup, const std::function<void()>& f) {
  for (int i = 0; i < warmup; ++i) f();
  std::vector<double> t;
  for (int i = 0; i < runs; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    f();
    t.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(t.begin(), t.end());
  return {t[t.size() / 2], t.front()};
}

Tensor Uniform(const Shape& s, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(-1.0f, 1.0f);
  Tensor t(DT_FLOAT, s);
  for (float& v : t.flat<float>()) v = d(rng);
  return t;
}

// oneDNN's sgemm on a ResNet-50 3x3 layer's im2col shape (56*56 x 576 x 64),
// on `threads` OpenMP threads: the machine's attainable GFLOP/s.
double SgemmGflops(int threads) {
  const int64_t m = 3136, k = 576, n = 64;
  std::vector<float> a(static_cast<size_t>(m * k), 0.5f), b(static_cast<size_t>(k * n), 0.25f),
      c(static_cast<size_t>(m * n));
  omp_set_num_threads(threads);
  Timing t = Time(30, 5, [&] {
    dnnl_sgemm('N', 'N', m, n, k, 1.0f, a.data(), k, b.data(), n, 0.0f, c.data(), n);
  });
  return 2.0 * double(m * n * k) / (t.median_ms * 1e6);
}

void WriteFloats(const std::string& path, const Tensor& t) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr || std::fwrite(t.flat<float>().data(), sizeof(float), t.flat<float>().size(), f) !=
                          t.flat<float>().size()) {
    std::fprintf(stderr, "models_bench: cannot write %s\n", path.c_str());
    std::exit(1);
  }
  std::fclose(f);
}

std::string Join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& e : v) s += (s.empty() ? "" : ",") + e;
  return s;
}
std::string JoinInts(const std::vector<int>& v) {
  std::vector<std::string> s;
  for (int e : v) s.push_back(std::to_string(e));
  return Join(s);
}

// reference.py's JSON, or an empty document when it could not run.
rapidjson::Document RunReferences(const Args& a, const std::string& script) {
  std::string cmd = "/usr/bin/python3 " + script + " --dir " + a.dir + " --models " +
                    Join(a.models) + " --batches " + JoinInts(a.batches) + " --threads " +
                    JoinInts(a.threads) + " --runs " + std::to_string(a.runs) + " --warmup " +
                    std::to_string(a.warmup) + " --size " + std::to_string(a.size) +
                    (a.skip.empty() ? "" : " --skip " + a.skip);
  std::string out;
  if (FILE* p = popen(cmd.c_str(), "r")) {
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    if (pclose(p) != 0) std::fprintf(stderr, "models_bench: reference.py failed\n");
  }
  rapidjson::Document d;
  d.Parse(out.c_str());
  if (d.HasParseError() || !d.IsObject()) d.SetObject();
  return d;
}

// d[framework][model][key] in ms, or 0.
double RefMs(const rapidjson::Document& d, const char* fw, const std::string& model,
             const std::string& key) {
  if (!d.HasMember(fw) || !d[fw].IsObject()) return 0;
  const auto& m = d[fw];
  if (!m.HasMember(model.c_str()) || !m[model.c_str()].IsObject()) return 0;
  const auto& e = m[model.c_str()];
  if (!e.HasMember(key.c_str()) || !e[key.c_str()].IsNumber()) return 0;
  return e[key.c_str()].GetDouble();
}

int Main(int argc, char** argv) {
  Args a = ParseArgs(argc, argv);
  std::filesystem::create_directories(a.dir);
  const std::string script = std::string(TFPORT_SOURCE_DIR) + "/bench/models/reference.py";

  std::map<int, double> sgemm;
  for (int t : a.threads) sgemm[t] = SgemmGflops(t);

  struct Row {
    std::string model;
    int batch, threads;
    double gflops;
    Timing tfport;
  };
  std::vector<Row> rows;
  std::map<std::string, double> conv_share;
  for (const ZooModel& m : AllZooModels(a.size)) {
    if (std::find(a.models.begin(), a.models.end(), m.name) == a.models.end()) continue;
    Check(m.status);
    const std::string pb = a.dir + "/" + m.name + ".pb";
    Check(io::WriteBinaryProto(pb, m.graph));
    conv_share[m.name] = m.conv_gflops / m.gflops;
    for (int threads : a.threads) {
      saved_model::LoadOptions opt;
      opt.session.intra_op_threads = threads - 1;
      opt.session.inter_op_threads = threads - 1;
      auto t0 = std::chrono::steady_clock::now();
      auto bundle = saved_model::LoadGraphDef(opt, pb);
      Check(bundle.status());
      const double load_ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      runtime::Session& session = (*bundle)->session();
      for (int batch : a.batches) {
        Tensor x = Uniform(Shape{batch, m.image_size, m.image_size, 3}, 7);
        auto callable = session.MakeCallable({"input:0"}, {"probs:0"}, {});
        Check(callable.status());
        std::vector<Tensor> out;
        auto first0 = std::chrono::steady_clock::now();
        Check(session.RunCallable(**callable, {&x, 1}, &out));
        const double first_ms =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - first0).count();
        if (batch == 1 && threads == a.threads.front()) {
          WriteFloats(a.dir + "/" + m.name + ".input.f32", x);
          WriteFloats(a.dir + "/" + m.name + ".output.f32", out[0]);
        }
        Timing t = Time(a.runs, a.warmup, [&] { Check(session.RunCallable(**callable, {&x, 1}, &out)); });
        rows.push_back({m.name, batch, threads, m.gflops * batch, t});
        std::fprintf(stderr, "tfport %-16s batch %d threads %d: load %.0f ms, first run %.1f ms, "
                     "median %.2f ms, min %.2f ms (%zu fused kernels)\n",
                     m.name.c_str(), batch, threads, load_ms, first_ms, t.median_ms, t.min_ms,
                     (*callable)->executor().fused().size());
      }
    }
  }

  rapidjson::Document ref = RunReferences(a, script);
  std::printf("models_bench: %lld x %lld inputs, median of %d runs after %d warm-up runs\n",
              static_cast<long long>(a.size), static_cast<long long>(a.size), a.runs, a.warmup);
  for (int t : a.threads) std::printf("oneDNN sgemm 3136x576x64, %d thread(s): %.1f GFLOP/s\n", t, sgemm[t]);
  if (ref.HasMember("torch_version")) std::printf("PyTorch %s\n", ref["torch_version"].GetString());
  std::printf("%-16s %5s %3s %9s %7s %6s %9s %6s %9s %6s %9s %6s\n", "model", "batch", "thr",
              "tfport", "GFLOP/s", "%sgemm", "opencv", "ratio", "torch", "ratio", "torch-opt",
              "ratio");
  for (const Row& r : rows) {
    const std::string key = std::to_string(r.batch) + "x" + std::to_string(r.threads);
    const double cv = RefMs(ref, "opencv", r.model, key);
    const double th = RefMs(ref, "torch", r.model, key);
    const double to = RefMs(ref, "torch_opt", r.model, key);
    const double gf = r.gflops / r.tfport.median_ms;  // GFLOP / ms * 1e3 / 1e3
    auto ratio = [&](double ms) { return ms > 0 ? ms / r.tfport.median_ms : 0.0; };
    std::printf("%-16s %5d %3d %9.2f %7.1f %5.0f%% %9.2f %6.2f %9.2f %6.2f %9.2f %6.2f\n",
                r.model.c_str(), r.batch, r.threads, r.tfport.median_ms, gf * 1e3,
                100.0 * gf * 1e3 / sgemm[r.threads], cv, ratio(cv), th, ratio(th), to, ratio(to));
  }
  if (ref.HasMember("opencv_check") && ref["opencv_check"].IsObject())
    for (const auto& m : ref["opencv_check"].GetObject())
      std::printf("OpenCV vs tfport, %s batch 1: max |diff| %.3g\n", m.name.GetString(),
                  m.value.GetDouble());
  for (const char* fw : {"opencv", "torch"})
    if (ref.HasMember(fw) && ref[fw].IsObject())
      for (const auto& m : ref[fw].GetObject())
        if (m.value.IsObject() && m.value.HasMember("error"))
          std::printf("%s could not run %s: %s\n", fw, m.name.GetString(),
                      m.value["error"].GetString());
  return 0;
}

}  // namespace
}  // namespace tfport::bench

int main(int argc, char** argv) { return tfport::bench::Main(argc, argv); }
