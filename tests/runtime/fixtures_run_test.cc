// Real TensorFlow graphs from ../shared/fixtures run through the Session; the
// expected values are the ones CATALOG.md states for each fixture.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

#include "support/fixtures.h"
#include "support/status_matchers.h"
#include "tfport/graph/import.h"
#include "tfport/io/proto_io.h"
#include "tfport/kernels/kernels.h"
#include "tfport/tf/meta_graph.pb.h"
#include "tfport/tf/variable.pb.h"

namespace tfport {
namespace {

std::unique_ptr<graph::Graph> LoadGraphDef(const std::string& rel) {
  tf::GraphDef def;
  Status s = io::ReadProto(testing::FixturePath(rel).string(), &def);
  EXPECT_TRUE(s.ok()) << s.ToString();
  auto g = graph::GraphFromGraphDef(def);
  EXPECT_TRUE(g.ok()) << g.status().ToString();
  return g.ok() ? std::move(*g) : std::make_unique<graph::Graph>();
}

// A MetaGraphDef's graph plus the initializer op names of its variables.
std::unique_ptr<graph::Graph> LoadMeta(const std::string& rel, std::vector<std::string>* inits) {
  tf::MetaGraphDef meta;
  Status s = io::ReadProto(testing::FixturePath(rel).string(), &meta);
  EXPECT_TRUE(s.ok()) << s.ToString();
  auto g = graph::GraphFromGraphDef(meta.graph_def());
  EXPECT_TRUE(g.ok()) << g.status().ToString();
  if (!g.ok()) return std::make_unique<graph::Graph>();
  for (const auto& bytes : meta.collection_def().at("variables").bytes_list().value()) {
    tf::VariableDef v;
    EXPECT_TRUE(v.ParseFromString(bytes));
    inits->push_back(v.initializer_name());
  }
  return std::move(*g);
}

// uTensor's .idx files: big-endian IDX arrays (magic 00 00 type ndims).
std::vector<float> ReadIdxFloats(const std::string& rel) {
  std::string bytes = testing::ReadFileOrDie(testing::FixturePath(rel));
  EXPECT_GE(bytes.size(), 4u);
  if (bytes.size() < 4) return {};
  EXPECT_EQ(static_cast<unsigned char>(bytes[2]), 0x0D) << "not a float IDX file";
  int ndims = static_cast<unsigned char>(bytes[3]);
  size_t pos = 4 + 4 * static_cast<size_t>(ndims);
  std::vector<float> out;
  for (; pos + 4 <= bytes.size(); pos += 4) {
    uint32_t bits = (uint32_t(uint8_t(bytes[pos])) << 24) | (uint32_t(uint8_t(bytes[pos + 1])) << 16) |
                    (uint32_t(uint8_t(bytes[pos + 2])) << 8) | uint8_t(bytes[pos + 3]);
    float f;
    std::memcpy(&f, &bits, 4);
    out.push_back(f);
  }
  return out;
}

TEST(FixtureRun, RustAdditionGives42) {
  TFPORT_REQUIRE_FIXTURE("rust_addition/model.pb");
  auto g = LoadGraphDef("rust_addition/model.pb");
  auto s = kernels::NewSession(*g);
  std::vector<Tensor> out;
  // CATALOG.md rust_addition: z = x + y, addition.rs feeds 2 and 40, prints 42.
  ASSERT_TRUE(s->Run({{"x", Tensor::Scalar<int32_t>(2)}, {"y", Tensor::Scalar<int32_t>(40)}},
                     {"z"}, {}, &out).ok());
  EXPECT_EQ(out[0].scalar<int32_t>(), 42);
}

TEST(FixtureRun, OcamlLoadAddsConstant) {
  TFPORT_REQUIRE_FIXTURE("ocaml_load/load.pb");
  for (const char* file : {"ocaml_load/load.pb", "ocaml_load/load.pbtxt"}) {
    auto g = LoadGraphDef(file);
    auto s = kernels::NewSession(*g);
    std::vector<Tensor> out;
    // CATALOG.md ocaml_load: y = x + [1,2,3].
    Status st = s->Run({{"x", Tensor::FromVector<float>({10, 20, 30}, Shape{3})}}, {"add"}, {}, &out);
    ASSERT_TRUE(st.ok()) << st.ToString();
    EXPECT_THAT(std::vector<float>(out[0].flat<float>().begin(), out[0].flat<float>().end()),
                ::testing::ElementsAre(11, 22, 33));
  }
}

TEST(FixtureRun, TfOnnxRegressionFrozen) {
  TFPORT_REQUIRE_FIXTURE("tfonnx_regression_frozen/frozen.pb");
  auto g = LoadGraphDef("tfonnx_regression_frozen/frozen.pb");
  auto s = kernels::NewSession(*g);
  std::vector<Tensor> out;
  // CATALOG.md: X=[5.] -> approx [2.1193342] (pred = 0.21396178*X + 1.0495254).
  Status st = s->Run({{"X:0", Tensor::FromVector<float>({5.0f}, Shape{1})}}, {"pred:0"}, {}, &out);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_NEAR(out[0].flat<float>()[0], 2.1193342, 1e-6);
}

TEST(FixtureRun, UtensorMatmulFloatGraph) {
  TFPORT_REQUIRE_FIXTURE("utensor_matmul/test_matmul.pb");
  auto g = LoadGraphDef("utensor_matmul/test_matmul.pb");
  auto s = kernels::NewSession(*g);
  std::vector<Tensor> out;
  Status st = s->Run({}, {"z"}, {}, &out);
  ASSERT_TRUE(st.ok()) << st.ToString();
  // CATALOG.md utensor_matmul: w = [[1..9]] (3x3), x = ones(3,1)/3 -> [2,5,8];
  // output_z.idx holds the TF result.
  std::vector<float> want = ReadIdxFloats("utensor_matmul/output_z.idx");
  ASSERT_EQ(out[0].num_elements(), 3);
  ASSERT_EQ(want.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_NEAR(out[0].flat<float>()[static_cast<size_t>(i)], 3.0 * i + 2.0, 1e-5);
    EXPECT_NEAR(out[0].flat<float>()[static_cast<size_t>(i)], want[static_cast<size_t>(i)], 1e-6);
  }
}

TEST(FixtureRun, UtensorConvFloatGraph) {
  TFPORT_REQUIRE_FIXTURE("utensor_conv/test_conv.pb");
  auto g = LoadGraphDef("utensor_conv/test_conv.pb");
  auto s = kernels::NewSession(*g);
  std::vector<Tensor> out;
  Status st = s->Run({}, {"out_conv"}, {}, &out);
  ASSERT_TRUE(st.ok()) << st.ToString();
  // CATALOG.md utensor_conv: output_conv.idx = TF's conv2d(x, w, strides 2, VALID).
  std::vector<float> want = ReadIdxFloats("utensor_conv/output_conv.idx");
  ASSERT_EQ(static_cast<size_t>(out[0].num_elements()), want.size());
  for (size_t i = 0; i < want.size(); ++i)
    EXPECT_NEAR(out[0].flat<float>()[i], want[i], 1e-5 * std::max(1.0f, std::fabs(want[i]))) << i;
}

TEST(FixtureRun, RefVariableMetaGraphsAfterInitializers) {
  TFPORT_REQUIRE_FIXTURE("serving_bad_half_plus_two/00000123/export.meta");
  {
    std::vector<std::string> inits;
    auto g = LoadMeta("serving_bad_half_plus_two/00000123/export.meta", &inits);
    auto s = kernels::NewSession(*g);
    std::vector<Tensor> out;
    ASSERT_TRUE(s->Run({}, {}, inits, &out).ok());
    // CATALOG.md: Variable=0.5, Variable_1=2 (y = 0.5*x + 2).
    Status st = s->Run({{"Placeholder:0", Tensor::Scalar<float>(4.0f)}},
                       {"Variable:0", "Variable_1:0", "Add:0"}, {}, &out);
    ASSERT_TRUE(st.ok()) << st.ToString();
    EXPECT_EQ(out[0].scalar<float>(), 0.5f);
    EXPECT_EQ(out[1].scalar<float>(), 2.0f);
    EXPECT_EQ(out[2].scalar<float>(), 4.0f);  // 0.5 * 4 + 2
  }
  {
    std::vector<std::string> inits;
    auto g = LoadMeta("antadlp_save_net_v2/save_net.ckpt.meta", &inits);
    auto s = kernels::NewSession(*g);
    std::vector<Tensor> out;
    ASSERT_TRUE(s->Run({}, {}, inits, &out).ok());
    Status st = s->Run({}, {"weights:0", "biases:0"}, {}, &out);
    ASSERT_TRUE(st.ok()) << st.ToString();
    // CATALOG.md: weights=[[1,2,3],[1,2,3]], biases=[[1,2,3]].
    EXPECT_THAT(std::vector<float>(out[0].flat<float>().begin(), out[0].flat<float>().end()),
                ::testing::ElementsAre(1, 2, 3, 1, 2, 3));
    EXPECT_THAT(std::vector<float>(out[1].flat<float>().begin(), out[1].flat<float>().end()),
                ::testing::ElementsAre(1, 2, 3));
  }
}

}  // namespace
}  // namespace tfport

namespace tfport {
namespace {

// jonykai_java_frozen is a frozen CNN whose batch norms and dropout sit in
// tf.cond(is_train, ...). With is_train=false the inference branch must run:
// batch norm then uses stored moving statistics, so every example's logits
// are independent of the others in the batch and the result is
// deterministic (the training branch normalises with batch statistics and
// draws dropout noise from RandomUniform, which would make the batched and
// single results differ or fail).
TEST(FixtureRun, JonykaiCondTakesTheInferenceBranch) {
  TFPORT_REQUIRE_FIXTURE("jonykai_java_frozen/frozen_model.pb");
  auto g = LoadGraphDef("jonykai_java_frozen/frozen_model.pb");
  auto s = kernels::NewSession(*g);
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  Tensor batch(DT_FLOAT, Shape{2, 40, 120, 1});
  for (float& v : batch.flat<float>()) v = u(rng);
  auto run = [&](const Tensor& images, std::vector<Tensor>* out) {
    return s->Run({{"input_holder:0", images},
                   {"is_train:0", Tensor::Scalar<bool>(false)},
                   {"dropout:0", Tensor::Scalar<float>(1.0f)}},
                  {"forward_net/transpose:0", "digits_prediction:0"}, {}, out);
  };
  std::vector<Tensor> both, again;
  Status st = run(batch, &both);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_TRUE(run(batch, &again).ok());
  EXPECT_TRUE(BitwiseEqual(both[0], again[0]));  // deterministic
  // Which axis of the logits is the batch: the one that is 2 here and 1 below.
  std::vector<Tensor> one;
  Tensor first(DT_FLOAT, Shape{1, 40, 120, 1});
  std::copy_n(batch.flat<float>().begin(), 40 * 120, first.flat<float>().begin());
  ASSERT_TRUE(run(first, &one).ok());
  const Shape& sb = both[0].shape();
  const Shape& s1 = one[0].shape();
  ASSERT_EQ(sb.rank(), s1.rank());
  int batch_axis = -1;
  for (int d = 0; d < sb.rank(); ++d)
    if (sb.dim(d) == 2 && s1.dim(d) == 1) batch_axis = d;
  ASSERT_GE(batch_axis, 0) << sb.DebugString() << " vs " << s1.DebugString();
  // Compare example 0 of the batch with the single run, element by element.
  int64_t outer = 1, inner = 1;
  for (int d = 0; d < batch_axis; ++d) outer *= sb.dim(d);
  for (int d = batch_axis + 1; d < sb.rank(); ++d) inner *= sb.dim(d);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      float b = both[0].flat<float>()[static_cast<size_t>((o * 2) * inner + i)];
      float a = one[0].flat<float>()[static_cast<size_t>(o * inner + i)];
      EXPECT_NEAR(a, b, 1e-4 * std::max(1.0f, std::fabs(a))) << "outer " << o << " inner " << i;
    }
}

}  // namespace
}  // namespace tfport
