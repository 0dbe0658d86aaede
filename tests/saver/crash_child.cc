// Helper process for saver crash_test.cc: saves checkpoints with increasing
// step numbers until killed. Usage: saver_crash_child DIR FIRST_STEP LAST_STEP
// Every variable holds the step number when step N is saved, so a restored
// checkpoint can be checked against the step in its name.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "tfport/graph/ops.h"
#include "tfport/io/checkpoint_state.h"
#include "tfport/kernels/kernels.h"
#include "tfport/saver/saver.h"

using namespace tfport;

// Four 1 MiB float variables, so a save takes long enough to be interrupted.
constexpr int kVariables = 4;
constexpr int64_t kElements = 1 << 18;

int main(int argc, char** argv) {
  if (argc != 4) return 2;
  const std::string dir = argv[1];
  const int first = std::atoi(argv[2]), last = std::atoi(argv[3]);
  graph::Graph g;
  auto step = ops::Placeholder(g, DT_FLOAT, Shape{}, "step");
  std::vector<graph::Node*> sets;
  for (int i = 0; i < kVariables; ++i) {
    auto v = ops::Variable(g, *Tensor::Allocate(DT_FLOAT, Shape{kElements}), "v" + std::to_string(i));
    auto filled = ops::Op(g, {"Fill", {ops::Const(g, Tensor::FromVector<int32_t>({static_cast<int32_t>(kElements)}, Shape{1})), step}});
    sets.push_back(ops::Assign(g, v.variable, filled).node);
  }
  graph::Node* set_all = ops::NoOp(g, sets, "set_all");
  auto saver = saver::Saver::Create(g, {.max_to_keep = 3});
  if (!g.status().ok() || !saver.ok() || set_all == nullptr) return 3;
  auto state = io::GetCheckpointState(dir);
  if (state.ok() && state->has_value()) {
    std::vector<std::string> kept((*state)->all_model_checkpoint_paths().begin(),
                                  (*state)->all_model_checkpoint_paths().end());
    (*saver)->RecoverLastCheckpoints(kept);
  }
  auto session = kernels::NewSession(g);
  std::vector<Tensor> out;
  for (int s = first; s <= last; ++s) {
    if (!session->Run({{"step:0", Tensor::Scalar<float>(static_cast<float>(s))}}, {}, {"set_all"}, &out).ok())
      return 4;
    auto path = (*saver)->Save(*session, dir + "/model.ckpt", {.global_step = s});
    if (!path.ok()) {
      std::fprintf(stderr, "%s\n", path.status().ToString().c_str());
      return 5;
    }
  }
  return 0;
}
