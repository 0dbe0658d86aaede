// Writes the seed model's variables as a TensorFlow V2 checkpoint, the way
// tf.compat.v1.train.Saver().save(sess, "<prefix>", global_step=1) lays them
// out: "<prefix>-1.index", "<prefix>-1.data-00000-of-00001" and the
// `checkpoint` state file. Until the Saver lands this uses the bundle writer
// directly.
//
// usage: write_checkpoint PREFIX
#include <cstdio>

#include "tfport/io/bundle.h"
#include "tfport/io/checkpoint_state.h"
#include "tfport/io/file.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s PREFIX\n", argv[0]);
    return 2;
  }
  using namespace tfport;
  const std::string prefix = std::string(argv[1]) + "-1";
  auto writer = io::BundleWriter::Create(prefix);
  if (!writer.ok()) {
    std::fprintf(stderr, "%s\n", writer.status().ToString().c_str());
    return 1;
  }
  // The seed graph's variable b = 1 (int32) and a small float matrix.
  Status s = (*writer)->Add("b", Tensor::Scalar<int32_t>(1));
  if (s.ok())
    s = (*writer)->Add("dense/kernel",
                       Tensor::FromVector<float>({0.5f, -1.0f, 2.0f, 0.25f}, Shape{2, 2}));
  if (s.ok()) s = (*writer)->Add("global_step", Tensor::Scalar<int64_t>(1));
  if (s.ok()) s = (*writer)->Finish();
  if (s.ok()) {
    io::CheckpointStateUpdate update;
    update.save_dir = io::Dirname(prefix);
    update.model_checkpoint_path = prefix;
    s = io::UpdateCheckpointState(update);
  }
  if (!s.ok()) {
    std::fprintf(stderr, "%s\n", s.ToString().c_str());
    return 1;
  }
  std::printf("wrote %s.index, %s.data-00000-of-00001 and %s/checkpoint\n", prefix.c_str(),
              prefix.c_str(), io::Dirname(prefix).c_str());
  return 0;
}
