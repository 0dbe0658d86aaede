// TF2-style training checkpoints from C++: tf.train.Checkpoint +
// tf.train.CheckpointManager, as in TensorFlow's checkpoint guide.
//
// First run: nothing to restore, "Initializing from scratch.", train a
// linear model y = w x + b for 10 steps saving every 5 (ckpt-1, ckpt-2).
// Second run: restores ckpt-2 by object path, trains on, saves ckpt-3 and
// ckpt-4; max_to_keep = 2 deletes the first two. The files are what
// TensorFlow writes, so
//   ckpt = tf.train.Checkpoint(step=tf.Variable(0, dtype=tf.int64),
//       net=Net())  # net.w, net.b
//   ckpt.restore(tf.train.latest_checkpoint("./tf_ckpts"))
// reads them in Python.
#include <cstdio>

#include "tfport/saver/checkpoint_manager.h"

using tfport::Shape;
using tfport::Tensor;
using tfport::saver::Checkpoint;
using tfport::saver::CheckpointManager;
using tfport::saver::Trackable;

namespace {

void Check(const tfport::Status& s) {
  if (!s.ok()) {
    std::fprintf(stderr, "%s\n", s.ToString().c_str());
    std::exit(1);
  }
}

float Get(const Trackable::Ptr& v) { return v->value()->flat<float>()[0]; }

}  // namespace

int main() {
  auto net = Trackable::Object();
  auto w = net->Track("w", Trackable::Variable("net/w", Tensor::FromVector<float>({0.0f}, Shape{1})));
  auto b = net->Track("b", Trackable::Variable("net/b", Tensor::FromVector<float>({0.0f}, Shape{1})));
  auto step = Trackable::Variable("step", Tensor::Scalar<int64_t>(0));
  Checkpoint ckpt({{"step", step}, {"net", net}});
  tfport::saver::CheckpointManagerOptions options;
  options.max_to_keep = 2;
  CheckpointManager manager(&ckpt, "./tf_ckpts", options);

  auto restored = manager.RestoreOrInitialize();
  Check(restored.status());
  if (*restored) {
    Check((*restored)->AssertConsumed());
    std::printf("Restored from %s\n", manager.latest_checkpoint()->c_str());
  } else {
    std::printf("Initializing from scratch.\n");
  }

  // Data from y = 3x + 1; plain gradient descent on the squared error.
  const float xs[] = {0, 1, 2, 3}, lr = 0.05f;
  for (int i = 0; i < 10; ++i) {
    float gw = 0, gb = 0, loss = 0;
    for (float x : xs) {
      const float err = Get(w) * x + Get(b) - (3 * x + 1);
      gw += 2 * err * x / 4;
      gb += 2 * err / 4;
      loss += err * err / 4;
    }
    Check(w->Assign(Tensor::FromVector<float>({Get(w) - lr * gw}, Shape{1})));
    Check(b->Assign(Tensor::FromVector<float>({Get(b) - lr * gb}, Shape{1})));
    const int64_t s = step->value()->scalar<int64_t>() + 1;
    Check(step->Assign(Tensor::Scalar<int64_t>(s)));
    if (s % 5 == 0) {
      auto path = manager.Save();
      Check(path.status());
      std::printf("Saved checkpoint for step %lld: %s  loss %.4f  w %.4f  b %.4f\n",
                  static_cast<long long>(s), path->c_str(), loss, Get(w), Get(b));
    }
  }
  std::printf("kept:");
  for (const auto& p : manager.checkpoints()) std::printf(" %s", p.c_str());
  std::printf("\n");
  return 0;
}
