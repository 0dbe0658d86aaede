// Workflow 1 of the project brief, as TF1 Python users write it:
//
//   first run   build x, y, b, sum; no checkpoint in ./model yet, so
//               initialize; print sum for x=10, y=3 (31); save to
//               ./model/model_save
//   second run  import_meta_graph(./model/model_save.meta) in a fresh graph,
//               restore latest_checkpoint("./model"), print b:0 (1), fetch
//               tensors by name, add multiply(sum, 2) and print it for
//               x=5, y=5 (52)
//
// Run it twice from the same directory (`make demo` does).
#include <cstdio>

#include "tfport/graph/ops.h"
#include "tfport/io/checkpoint_state.h"
#include "tfport/kernels/kernels.h"
#include "tfport/saver/meta_graph.h"
#include "tfport/saver/saver.h"

using namespace tfport;

namespace {

int Fail(const Status& s) {
  std::fprintf(stderr, "error: %s\n", s.ToString().c_str());
  return 1;
}

std::vector<std::pair<std::string, Tensor>> Feed(int x, int y) {
  return {{"input_x:0", Tensor::Scalar<int32_t>(x)}, {"input_y:0", Tensor::Scalar<int32_t>(y)}};
}

int FirstRun() {
  graph::Graph g;
  auto x = ops::Placeholder(g, DT_INT32, Shape{}, "input_x");
  auto y = ops::Placeholder(g, DT_INT32, Shape{}, "input_y");
  auto b = ops::Variable(g, Tensor::Scalar<int32_t>(1), "b");
  auto xy = ops::Op(g, {"Mul", {x, y}});
  ops::Op(g, {"Add", {xy, b.value}, {}, {}, "sum"});
  graph::Node* init = ops::GlobalVariablesInitializer(g);
  auto saver = saver::Saver::Create(g);
  if (!g.status().ok()) return Fail(g.status());
  if (!saver.ok()) return Fail(saver.status());
  auto session = kernels::NewSession(g);

  std::printf("No checkpoint found in ./model: initializing the variables\n");
  std::vector<Tensor> out;
  if (Status s = session->Run({}, {}, {init->name()}, &out); !s.ok()) return Fail(s);
  if (Status s = session->Run(Feed(10, 3), {"sum:0"}, {}, &out); !s.ok()) return Fail(s);
  std::printf("sum for x=10, y=3: %d\n", out[0].scalar<int32_t>());
  auto path = (*saver)->Save(*session, "./model/model_save");
  if (!path.ok()) return Fail(path.status());
  std::printf("Model saved in path: %s\n", path->c_str());
  return 0;
}

int SecondRun(const std::string& checkpoint) {
  graph::Graph g;
  auto saver = saver::ImportMetaGraph(g, saver::MetaGraphFilename(checkpoint));
  if (!saver.ok()) return Fail(saver.status());
  auto session = kernels::NewSession(g);
  if (Status s = (*saver)->Restore(*session, checkpoint); !s.ok()) return Fail(s);
  std::printf("Model restored from %s\n", checkpoint.c_str());

  std::vector<Tensor> out;
  if (Status s = session->Run({}, {"b:0"}, {}, &out); !s.ok()) return Fail(s);
  std::printf("b:0 = %d\n", out[0].scalar<int32_t>());
  // Tensors by name, then a new op on the imported graph.
  auto sum = g.GetTensorByName("sum:0");
  if (!sum.ok()) return Fail(sum.status());
  ops::Op(g, {"Mul", {*sum, ops::Const(g, int32_t{2})}, {}, {}, "multiply"});
  if (!g.status().ok()) return Fail(g.status());
  if (Status s = session->Run(Feed(5, 5), {"multiply:0"}, {}, &out); !s.ok()) return Fail(s);
  std::printf("multiply(sum, 2) for x=5, y=5: %d\n", out[0].scalar<int32_t>());
  return 0;
}

}  // namespace

int main() {
  auto latest = io::LatestCheckpoint("./model");
  if (!latest.ok()) return Fail(latest.status());
  return latest->has_value() ? SecondRun(**latest) : FirstRun();
}
