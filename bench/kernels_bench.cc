// Kernel throughput against references measured in the same run:
//   MatMul NxN float through a Session  vs  a direct dnnl_sgemm call on the same data
//   Conv2D of a ResNet-sized 3x3 layer (GFLOP/s, for information)
//   FusedBatchNorm (inference, NHWC) of a MobileNet v2 activation through a
//                                      Session  vs  memcpy of its bytes
//   DepthwiseConv2dNative 3x3 of a MobileNet v2 layer through a Session (fast
//                                      path)  vs  the reference loop on the same data
//   Add / Mul / Relu on 16M floats through a Session with 1 and 2 intra-op threads
//                                      vs  memcpy of the output's bytes on 1 and 2 threads
// Each figure is the median of --reps timed runs after --warmup untimed ones.
// Ratios are reference_time / tfport_time: 1.0 means "as fast as the reference".
//
// usage: kernels_bench [--n 1024] [--elems 16777216] [--reps 15] [--warmup 3]
#include <oneapi/dnnl/dnnl.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "kernels/nn/nn_internal.h"
#include "tfport/graph/nn_ops.h"
#include "tfport/graph/ops.h"
#include "tfport/kernels/kernels.h"

using namespace tfport;

namespace {

int g_reps = 15, g_warmup = 3;

double MedianSeconds(const std::function<void()>& f) {
  for (int i = 0; i < g_warmup; ++i) f();
  std::vector<double> t;
  for (int r = 0; r < g_reps; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    f();
    t.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

// Medians of two functions timed alternately (after warm-up of both).
std::pair<double, double> MedianPair(const std::function<void()>& f, const std::function<void()>& g) {
  for (int i = 0; i < g_warmup; ++i) {
    f();
    g();
  }
  std::vector<double> tf, tg;
  for (int r = 0; r < g_reps; ++r) {
    for (auto [fn, times] : {std::pair{&f, &tf}, std::pair{&g, &tg}}) {
      auto t0 = std::chrono::steady_clock::now();
      (*fn)();
      times->push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
  }
  std::sort(tf.begin(), tf.end());
  std::sort(tg.begin(), tg.end());
  return {tf[tf.size() / 2], tg[tg.size() / 2]};
}

void Check(const Status& s) {
  if (!s.ok()) {
    std::fprintf(stderr, "kernels_bench: %s\n", s.ToString().c_str());
    std::exit(1);
  }
}

// Deterministic values in [-1, 1).
Tensor RandomFloats(Shape shape, uint32_t seed) {
  Tensor t(DT_FLOAT, std::move(shape));
  uint32_t s = seed;
  for (float& v : t.flat<float>()) {
    s = s * 1664525u + 1013904223u;
    v = static_cast<float>(s >> 8) / static_cast<float>(1 << 23) - 1.0f;
  }
  return t;
}

void BenchMatMul(int64_t n) {
  graph::Graph g;
  auto a = ops::Placeholder(g, DT_FLOAT, Shape{n, n}, "a");
  auto b = ops::Placeholder(g, DT_FLOAT, Shape{n, n}, "b");
  ops::Op(g, {"MatMul", {a, b}, {}, {}, "product"});
  Check(g.status());
  auto session = kernels::NewSession(g);
  Tensor ta = RandomFloats(Shape{n, n}, 1), tb = RandomFloats(Shape{n, n}, 2);
  std::vector<Tensor> out;
  const std::vector<std::pair<std::string, Tensor>> feeds = {{"a", ta}, {"b", tb}};
  std::vector<float> c(static_cast<size_t>(n * n));
  const float* pa = ta.flat<float>().data();
  const float* pb = tb.flat<float>().data();
  auto session_run = [&] { Check(session->Run(feeds, {"product"}, {}, &out)); };
  auto direct_run = [&] {
    if (dnnl_sgemm('N', 'N', n, n, n, 1.0f, pa, n, pb, n, 0.0f, c.data(), n) != dnnl_success) {
      std::fprintf(stderr, "kernels_bench: dnnl_sgemm failed\n");
      std::exit(1);
    }
  };
  // Interleaved, so load from other processes affects both sides alike.
  auto [t_session, t_direct] = MedianPair(session_run, direct_run);
  double max_diff = 0;
  auto got = out[0].flat<float>();
  for (size_t i = 0; i < c.size(); ++i) max_diff = std::max(max_diff, double(std::fabs(got[i] - c[i])));
  const double gflop = 2.0 * double(n) * double(n) * double(n) / 1e9;
  std::printf("MatMul %lldx%lld float: session %.3f ms (%.1f GFLOP/s), dnnl_sgemm %.3f ms "
              "(%.1f GFLOP/s), ratio %.3f, max |diff| %.2g\n",
              static_cast<long long>(n), static_cast<long long>(n), t_session * 1e3,
              gflop / t_session, t_direct * 1e3, gflop / t_direct, t_direct / t_session, max_diff);
}

// Conv2D throughput for a ResNet-like layer (im2col + sgemm), as information.
void BenchConv() {
  const int64_t n = 8, h = 56, w = 56, c = 64, oc = 64;
  graph::Graph g;
  auto x = ops::Placeholder(g, DT_FLOAT, Shape{n, h, w, c}, "x");
  auto f = ops::Placeholder(g, DT_FLOAT, Shape{3, 3, c, oc}, "f");
  ops::Op(g, {"Conv2D", {x, f}, {ops::AttrInts("strides", {1, 1, 1, 1}),
                                  ops::AttrString("padding", "SAME")}, {}, "conv"});
  Check(g.status());
  auto session = kernels::NewSession(g);
  const std::vector<std::pair<std::string, Tensor>> feeds = {
      {"x", RandomFloats(Shape{n, h, w, c}, 5)}, {"f", RandomFloats(Shape{3, 3, c, oc}, 6)}};
  std::vector<Tensor> out;
  double t = MedianSeconds([&] { Check(session->Run(feeds, {"conv"}, {}, &out)); });
  const double gflop = 2.0 * n * h * w * oc * 9 * c / 1e9;
  std::printf("Conv2D [8,56,56,64] * [3,3,64,64] SAME: %.3f ms (%.1f GFLOP/s)\n", t * 1e3,
              gflop / t);
}

// MobileNet v2's first expanded depthwise layer, batch 1.
void BenchDepthwise() {
  const int64_t h = 112, w = 112, c = 96;
  graph::Graph g;
  auto x = ops::Placeholder(g, DT_FLOAT, Shape{1, h, w, c}, "x");
  auto f = ops::Placeholder(g, DT_FLOAT, Shape{3, 3, c, 1}, "f");
  ops::Op(g, {"DepthwiseConv2dNative", {x, f}, {ops::AttrInts("strides", {1, 1, 1, 1}),
                                                 ops::AttrString("padding", "SAME")}, {}, "dw"});
  Check(g.status());
  auto session = kernels::NewSession(g);
  const Tensor xv = RandomFloats(Shape{1, h, w, c}, 7), fv = RandomFloats(Shape{3, 3, c, 1}, 8);
  std::vector<Tensor> out;
  const double t = MedianSeconds([&] { Check(session->Run({{"x", xv}, {"f", fv}}, {"dw"}, {}, &out)); });
  kernels::nn::Window2D win;
  win.padding = kernels::nn::Padding::kSame;
  auto geo = kernels::nn::ConvGeometryOf(xv.shape(), fv.shape(), win);
  Check(geo.status());
  std::vector<float> ref(static_cast<size_t>(h * w * c));
  const double t_ref = MedianSeconds([&] {
    kernels::nn::DepthwiseConv2DFloat(*geo, xv.flat<float>().data(), fv.flat<float>().data(), ref.data(),
                                      nullptr, /*reference=*/true);
  });
  std::vector<float> fast(ref.size());
  const double t_fast = MedianSeconds([&] {
    kernels::nn::DepthwiseConv2DFloat(*geo, xv.flat<float>().data(), fv.flat<float>().data(), fast.data(),
                                      nullptr, /*reference=*/false);
  });
  double max_diff = 0;
  for (size_t i = 0; i < ref.size(); ++i)
    max_diff = std::max(max_diff, double(std::abs(ref[i] - out[0].flat<float>()[i])));
  const double gflop = 2.0 * h * w * c * 9 / 1e9;
  std::printf("DepthwiseConv2dNative [1,112,112,96] 3x3 SAME: session %.3f ms (%.1f GFLOP/s); one thread: fast "
              "path %.3f ms, reference loop %.3f ms, ratio %.2f; max |diff| %.2g\n",
              t * 1e3, gflop / t, t_fast * 1e3, t_ref * 1e3, t_ref / t_fast, max_diff);
}

// Inference batch norm over [1,112,112,96], one intra-op thread.
void BenchBatchNorm() {
  const int64_t h = 112, w = 112, c = 96;
  graph::Graph g;
  auto x = ops::Placeholder(g, DT_FLOAT, Shape{1, h, w, c}, "x");
  auto p = [&](const char* name, uint32_t seed) {
    Tensor t = RandomFloats(Shape{c}, seed);
    for (float& v : t.flat<float>()) v = std::abs(v) + 0.5f;
    return ops::Const(g, t, name);
  };
  ops::FusedBatchNormOptions o;
  o.is_training = false;
  auto bn = ops::FusedBatchNorm(g, x, p("scale", 1), p("offset", 2), p("mean", 3), p("var", 4), "bn", o);
  Check(g.status());
  runtime::SessionOptions so;
  so.intra_op_threads = 1;
  auto session = kernels::NewSession(g, so);
  const Tensor xv = RandomFloats(Shape{1, h, w, c}, 9);
  std::vector<Tensor> out;
  const double t = MedianSeconds([&] { Check(session->Run({{"x", xv}}, {bn.y.name()}, {}, &out)); });
  std::vector<float> copy(static_cast<size_t>(h * w * c));
  const double t_copy = MedianSeconds([&] { std::memcpy(copy.data(), xv.flat<float>().data(), copy.size() * 4); });
  std::printf("FusedBatchNorm inference [1,112,112,96] NHWC, 1 thread: %.3f ms, memcpy %.3f ms, memcpy/op %.2f\n",
              t * 1e3, t_copy * 1e3, t_copy / t);
}

// memcpy of `bytes` split over `threads` threads.
void ParallelMemcpy(char* dst, const char* src, size_t bytes, int threads) {
  if (threads <= 1) {
    std::memcpy(dst, src, bytes);
    return;
  }
  std::vector<std::thread> workers;
  const size_t step = (bytes + threads - 1) / threads;
  for (int i = 0; i < threads; ++i) {
    const size_t begin = std::min(bytes, step * i), end = std::min(bytes, begin + step);
    workers.emplace_back([=] { std::memcpy(dst + begin, src + begin, end - begin); });
  }
  for (auto& w : workers) w.join();
}

void BenchElementwise(int64_t elems) {
  Tensor x = RandomFloats(Shape{elems}, 3), y = RandomFloats(Shape{elems}, 4);
  const size_t bytes = static_cast<size_t>(elems) * sizeof(float);
  std::vector<char> src(bytes, 1), dst(bytes, 0);
  for (int threads : {1, 2}) {
    double t_copy = MedianSeconds(
        [&] { ParallelMemcpy(dst.data(), src.data(), bytes, threads); });
    std::printf("memcpy %.0f MiB on %d thread(s): %.3f ms (%.2f GB/s)\n", bytes / 1048576.0,
                threads, t_copy * 1e3, bytes / t_copy / 1e9);
    for (const char* op : {"Add", "Mul", "Relu"}) {
      graph::Graph g;
      auto px = ops::Placeholder(g, DT_FLOAT, Shape{elems}, "x");
      auto py = ops::Placeholder(g, DT_FLOAT, Shape{elems}, "y");
      const bool unary = std::string(op) == "Relu";
      std::vector<ops::Output> inputs = {px};
      if (!unary) inputs.push_back(py);
      ops::Op(g, {op, inputs, {}, {}, "out"});
      if (!g.status().ok()) {
        std::printf("%s: not available (%s)\n", op, g.status().ToString().c_str());
        continue;
      }
      runtime::SessionOptions options;
      options.intra_op_threads = threads - 1;  // the calling thread also works
      auto session = kernels::NewSession(g, options);
      std::vector<std::pair<std::string, Tensor>> feeds = {{"x", x}};
      if (!unary) feeds.push_back({"y", y});
      std::vector<Tensor> out;
      Status first = session->Run(feeds, {"out"}, {}, &out);
      if (!first.ok()) {
        std::printf("%s: not available (%s)\n", op, first.ToString().c_str());
        continue;
      }
      double t = MedianSeconds([&] { Check(session->Run(feeds, {"out"}, {}, &out)); });
      std::printf("%-4s 16M floats, %d thread(s): %.3f ms, memcpy/op ratio %.3f\n", op, threads,
                  t * 1e3, t_copy / t);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  int64_t n = 1024, elems = int64_t{16} << 20;
  for (int i = 1; i + 1 < argc; ++i) {
    std::string a = argv[i];
    if (a == "--n") n = std::atoll(argv[++i]);
    else if (a == "--elems") elems = std::atoll(argv[++i]);
    else if (a == "--reps") g_reps = std::max(1, std::atoi(argv[++i]));
    else if (a == "--warmup") g_warmup = std::max(0, std::atoi(argv[++i]));
  }
  std::printf("hardware threads: %u\n", std::thread::hardware_concurrency());
  BenchMatMul(n);
  BenchConv();
  BenchDepthwise();
  BenchBatchNorm();
  BenchElementwise(elems);
  return 0;
}
