// Session::Run overhead (issue #3): the seed graph sum = x * y + b with two
// scalar feeds and one fetch, timed per call (median of repeated batches
// after a warm-up), next to an empty Run (only an Identity of a fed scalar)
// as a floor.
//
// usage: session_bench [--calls 200000] [--reps 7]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "tfport/graph/ops.h"
#include "tfport/kernels/kernels.h"

using namespace tfport;

namespace {

double MedianMicros(int reps, int calls, const std::function<void()>& f) {
  for (int i = 0; i < calls / 10 + 1; ++i) f();  // warm-up
  std::vector<double> per_call;
  for (int r = 0; r < reps; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < calls; ++i) f();
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    per_call.push_back(s * 1e6 / calls);
  }
  std::sort(per_call.begin(), per_call.end());
  return per_call[per_call.size() / 2];
}

void Check(const Status& s) {
  if (!s.ok()) {
    std::fprintf(stderr, "bench: %s\n", s.ToString().c_str());
    std::exit(1);
  }
}

}  // namespace

int main(int argc, char** argv) {
  int calls = 200000, reps = 7;
  for (int i = 1; i + 1 < argc; ++i) {
    std::string a = argv[i];
    if (a == "--calls") calls = std::atoi(argv[++i]);
    else if (a == "--reps") reps = std::atoi(argv[++i]);
  }
  graph::Graph g;
  auto x = ops::Placeholder(g, DT_INT32, Shape{}, "input_x");
  auto y = ops::Placeholder(g, DT_INT32, Shape{}, "input_y");
  auto b = ops::Variable(g, Tensor::Scalar<int32_t>(1), "b");
  auto sum = ops::Op(g, {"Add", {ops::Op(g, {"Mul", {x, y}}), b.value}, {}, {}, "sum"});
  ops::Identity(g, x, "echo");
  ops::GlobalVariablesInitializer(g);
  Check(g.status());
  auto session = kernels::NewSession(g);
  std::vector<Tensor> out;
  Check(session->Run({}, {}, {"init"}, &out));
  const std::vector<std::pair<std::string, Tensor>> feeds = {
      {"input_x:0", Tensor::Scalar<int32_t>(10)}, {"input_y:0", Tensor::Scalar<int32_t>(3)}};
  const std::vector<std::string> fetch = {"sum:0"};
  Check(session->Run(feeds, fetch, {}, &out));
  if (out[0].scalar<int32_t>() != 31) {
    std::fprintf(stderr, "bench: wrong result %d\n", out[0].scalar<int32_t>());
    return 1;
  }
  const std::vector<std::pair<std::string, Tensor>> one_feed = {feeds[0]};
  const std::vector<std::string> echo = {"echo:0"};
  double floor_us = MedianMicros(reps, calls, [&] { (void)session->Run(one_feed, echo, {}, &out); });
  double seed_us = MedianMicros(reps, calls, [&] { (void)session->Run(feeds, fetch, {}, &out); });
  std::printf("tfport Session::Run overhead, median of %d x %d calls\n", reps, calls);
  std::printf("  seed graph (feed x, y; fetch x*y+b): %6.2f us/call   (target <= 2 us)\n", seed_us);
  std::printf("  one Identity (feed 1, fetch 1):      %6.2f us/call\n", floor_us);
  (void)sum;
  return 0;
}
