// `tfport run` as a real process over real fixtures; expected values are the
// ones CATALOG.md states, or hand arithmetic.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>

#include "support/cli.h"
#include "support/fixtures.h"
#include "support/temp_dir.h"

namespace tfport {
namespace {

using testing::ParseJson;
using testing::Quote;
using testing::RunTfport;

TEST(RunCli, RustAdditionJsonMatchesTheDocumentedShape) {
  TFPORT_REQUIRE_FIXTURE("rust_addition/model.pb");
  auto r = RunTfport("run " + Quote(testing::FixturePath("rust_addition/model.pb")) +
                     " --input x=2 --input y=40 --output z --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // CATALOG.md rust_addition: feeds 2 and 40, prints 42; the output format is
  // the one issue #3 specifies.
  EXPECT_EQ(r.out, "{\"outputs\":{\"z:0\":{\"dtype\":\"int32\",\"shape\":[],\"values\":42}}}\n");
}

TEST(RunCli, ListInputsAndNpyInputs) {
  TFPORT_REQUIRE_FIXTURE("ocaml_load/load.pb");
  auto r = RunTfport("run " + Quote(testing::FixturePath("ocaml_load/load.pb")) +
                     " --input 'x=[10,20,30]' --output add:0 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto d = ParseJson(r.out);
  // CATALOG.md ocaml_load: y = x + [1,2,3].
  const auto& v = d["outputs"]["add:0"]["values"];
  ASSERT_EQ(v.Size(), 3u);
  EXPECT_EQ(v[0].GetDouble(), 11);
  EXPECT_EQ(v[2].GetDouble(), 33);

  // The same input as a real NumPy file (written by numpy itself).
  testing::TempDir dir;
  std::string npy = dir.Join("x.npy");
  std::string cmd = "/usr/bin/python3 -c \"import numpy; numpy.save('" + npy +
                    "', numpy.array([1.5, 2.5, 3.5], dtype=numpy.float32))\"";
  if (std::system(cmd.c_str()) != 0) GTEST_SKIP() << "numpy (python3-numpy) is not available";
  r = RunTfport("run " + Quote(testing::FixturePath("ocaml_load/load.pb")) + " --input x=@" + npy +
                " --output add --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  d = ParseJson(r.out);
  EXPECT_EQ(d["outputs"]["add:0"]["values"][1].GetDouble(), 4.5);  // 2.5 + 2
}

TEST(RunCli, MetaGraphWithInit) {
  TFPORT_REQUIRE_FIXTURE("serving_bad_half_plus_two/00000123/export.meta");
  auto r = RunTfport("run " +
                     Quote(testing::FixturePath("serving_bad_half_plus_two/00000123/export.meta")) +
                     " --init --input Placeholder=4 --output Add --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // CATALOG.md: y = 0.5*x + 2 -> 4.0 for x = 4.
  EXPECT_EQ(ParseJson(r.out)["outputs"]["Add:0"]["values"].GetDouble(), 4.0);
}

TEST(RunCli, RestoreFromCheckpointPrefixAndDirectory) {
  TFPORT_REQUIRE_FIXTURE("antadlp_save_net_v2/save_net.ckpt.meta");
  const std::string meta = Quote(testing::FixturePath("antadlp_save_net_v2/save_net.ckpt.meta"));
  for (std::string where : {testing::FixturePath("antadlp_save_net_v2/save_net.ckpt").string(),
                            testing::FixturePath("antadlp_save_net_v2").string()}) {
    auto r = RunTfport("run " + meta + " --restore " + Quote(where) + " --output biases --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    // CATALOG.md: biases = [[1, 2, 3]].
    auto d = ParseJson(r.out);
    const auto& v = d["outputs"]["biases:0"]["values"][0];
    ASSERT_EQ(v.Size(), 3u);
    EXPECT_EQ(v[0].GetDouble(), 1.0);
    EXPECT_EQ(v[2].GetDouble(), 3.0);
  }
  auto r = RunTfport("run " + meta + " --restore /nonexistent/ckpt --output biases");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("The passed save_path is not a valid checkpoint: /nonexistent/ckpt"),
            std::string::npos) << r.err;
}

TEST(RunCli, ErrorsGoToStderr) {
  TFPORT_REQUIRE_FIXTURE("rust_addition/model.pb");
  auto r = RunTfport("run " + Quote(testing::FixturePath("rust_addition/model.pb")) +
                     " --input x=2 --output z");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(r.out.empty());
  // TensorFlow's message for the unfed placeholder y.
  EXPECT_NE(r.err.find("You must feed a value for placeholder tensor 'y'"), std::string::npos)
      << r.err;
  r = RunTfport("run " + Quote(testing::FixturePath("rust_addition/model.pb")) +
                " --input x=2.5 --input y=1 --output z");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("not an integer"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace tfport
