// `tfport ckpt rename` through the real executable: a TF2 checkpoint
// written by TensorFlow renamed to TF1 variable names and inspected; a
// colliding map is refused with the keys named and nothing written.
#include <gtest/gtest.h>

#include <filesystem>

#include "support/cli.h"
#include "support/fixtures.h"
#include "support/temp_dir.h"

namespace tfport {
namespace {

using testing::FixturePath;
using testing::Quote;
using testing::RunTfport;

TEST(CkptCli, RenameToTf1NamesThenInspect) {
  TFPORT_REQUIRE_FIXTURE("amrutha_vqvae_tf2_ckpt/ckpt-1.index");
  testing::TempDir tmp;
  const std::string src = FixturePath("amrutha_vqvae_tf2_ckpt/ckpt-1").string();
  const std::string dst = tmp.Join("tf1/model.ckpt");
  auto r = RunTfport("ckpt rename --map '^(.*)/\\.ATTRIBUTES/VARIABLE_VALUE$=$1' " + Quote(src) + " " +
                     Quote(dst));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("vq_vae/embeddings/.ATTRIBUTES/VARIABLE_VALUE -> vq_vae/embeddings"),
            std::string::npos) << r.out;
  r = RunTfport("inspect " + Quote(dst));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("vq_vae/embeddings  float32 [64,512]"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("_CHECKPOINTABLE_OBJECT_GRAPH"), std::string::npos) << r.out;

  r = RunTfport("ckpt rename --map '^.*$=same' " + Quote(src) + " " + Quote(tmp.Join("bad/c")));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("would both become 'same'"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(tmp.Join("bad/c.index")));
}

}  // namespace
}  // namespace tfport
