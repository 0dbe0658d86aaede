// Helper process for saved_model crash_test.cc: exports SavedModels
// DIR/m<first>, DIR/m<first+1>, ... until killed. Usage:
//   saved_model_crash_child DIR FIRST LAST
// Model N's variables hold the value N everywhere, so a model found on disk
// can be checked against its name.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "tfport/graph/ops.h"
#include "tfport/kernels/kernels.h"
#include "tfport/saved_model/builder.h"

using namespace tfport;

// Two 2 MiB variables: an export takes long enough to be interrupted.
constexpr int kVariables = 2;
constexpr int32_t kElements = 1 << 19;

int main(int argc, char** argv) {
  if (argc != 4) return 2;
  const std::string dir = argv[1];
  const int first = std::atoi(argv[2]), last = std::atoi(argv[3]);
  graph::Graph g;
  auto n = ops::Placeholder(g, DT_FLOAT, Shape{}, "n");
  std::vector<graph::Node*> sets;
  for (int i = 0; i < kVariables; ++i) {
    auto v = ops::Variable(g, *Tensor::Allocate(DT_FLOAT, Shape{kElements}), "v" + std::to_string(i));
    auto filled = ops::Op(g, {"Fill", {ops::Const(g, Tensor::FromVector<int32_t>({kElements}, Shape{1})), n}});
    sets.push_back(ops::Assign(g, v.variable, filled).node);
  }
  ops::NoOp(g, sets, "set_all");
  if (!g.status().ok()) return 3;
  auto session = kernels::NewSession(g);
  std::vector<Tensor> out;
  for (int s = first; s <= last; ++s) {
    if (!session->Run({{"n:0", Tensor::Scalar<float>(static_cast<float>(s))}}, {}, {"set_all"}, &out).ok())
      return 4;
    // A fresh graph per export would be closer to real use, but the same
    // graph (the builder adds save/, save_1/, ... scopes) exercises more.
    auto builder = saved_model::SavedModelBuilder::Create(dir + "/m" + std::to_string(s));
    Status st = builder.ok() ? (*builder)->AddMetaGraphAndVariables(*session, g, {"serve"})
                             : builder.status();
    if (st.ok()) st = (*builder)->Save().status();
    if (!st.ok()) {
      std::fprintf(stderr, "%s\n", st.ToString().c_str());
      return 5;
    }
  }
  return 0;
}
