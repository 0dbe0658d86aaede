// The random ops (RandomUniform, RandomStandardNormal, TruncatedNormal,
// RandomUniformInt) and the Philox4x32-10 generator behind them.
//
// Independent sources of the expected values:
//   - Philox4x32-10 known-answer vectors: Random123's tests/kat_vectors
//     (D. E. Shaw Research, accompanying Salmon et al., "Parallel Random
//     Numbers: As Easy as 1, 2, 3", SC11); TensorFlow's own Philox tests check
//     the same three vectors.
//   - Graphs written by TensorFlow 1.8 (tensorflow/models reference data, see
//     ../shared/fixtures/CATALOG.md): their variables were initialized by
//     seeded RandomUniform ops and saved to a checkpoint by TensorFlow. We run
//     the initializers and compare bit for bit with that checkpoint (and with
//     results.json). Nothing here compares with values tfport printed.
//   - The bit-to-float conversions are checked on hand-computed values.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "kernels/random/philox.h"
#include "support/fixtures.h"
#include "support/status_matchers.h"
#include "tfport/graph/import.h"
#include "tfport/graph/ops.h"
#include "tfport/io/checkpoint_reader.h"
#include "tfport/io/proto_io.h"
#include "tfport/kernels/kernels.h"

namespace tfport {
namespace {

using kernels::random::Philox4x32;
using tfport::testing::StatusIs;

// ---------------------------------------------------------------- Philox

TEST(RandomPhilox, Random123KnownAnswers) {
  // Random123 tests/kat_vectors, lines "philox4x32 10 <ctr x4> <key x2> <out x4>".
  EXPECT_EQ(Philox4x32::Encrypt({0, 0, 0, 0}, {0, 0}),
            (Philox4x32::Block{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}));
  EXPECT_EQ(Philox4x32::Encrypt({0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff},
                                {0xffffffff, 0xffffffff}),
            (Philox4x32::Block{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}));
  EXPECT_EQ(Philox4x32::Encrypt({0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344},
                                {0xa4093822, 0x299f31d0}),
            (Philox4x32::Block{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}));
}

TEST(RandomPhilox, SeedLayoutAndCounterArithmetic) {
  // TensorFlow's layout: key = seed (low word first), counter words 2,3 = seed2.
  Philox4x32 g = Philox4x32::FromSeeds(0x1122334455667788ull, 0x99aabbccddeeff00ull);
  EXPECT_EQ(g.key(), (Philox4x32::Key{0x55667788, 0x11223344}));
  EXPECT_EQ(g.counter(), (Philox4x32::Block{0, 0, 0xddeeff00, 0x99aabbcc}));
  // Next() returns the block of the current counter, then counts up.
  EXPECT_EQ(g.Next(), Philox4x32::Encrypt({0, 0, 0xddeeff00, 0x99aabbcc}, g.key()));
  EXPECT_EQ(g.counter(), (Philox4x32::Block{1, 0, 0xddeeff00, 0x99aabbcc}));
  // Carries: 0xffffffff + 1 -> next word; a skip of 2^32 + 5.
  Philox4x32 c({0xffffffff, 0xffffffff, 0xffffffff, 0}, {0, 0});
  c.Skip(1);
  EXPECT_EQ(c.counter(), (Philox4x32::Block{0, 0, 0, 1}));
  Philox4x32 d({0xfffffffe, 7, 0, 0}, {0, 0});
  d.Skip((uint64_t{1} << 32) + 5);
  EXPECT_EQ(d.counter(), (Philox4x32::Block{3, 9, 0, 0}));
}

TEST(RandomPhilox, BitsToUnitNumbers) {
  using namespace kernels::random;
  // Low 23 bits / 2^23: 0 -> 0, 2^22 -> 0.5, all ones -> 1 - 2^-23; high bits ignored.
  EXPECT_EQ(BitsToUnitFloat(0), 0.0f);
  EXPECT_EQ(BitsToUnitFloat(0x00400000u), 0.5f);
  EXPECT_EQ(BitsToUnitFloat(0xff400000u), 0.5f);
  EXPECT_EQ(BitsToUnitFloat(0xffffffffu), 1.0f - std::ldexp(1.0f, -23));
  // Double: 20 bits from the first word, 32 from the second: (2^19 * 2^32) / 2^52 = 0.5.
  EXPECT_EQ(BitsToUnitDouble(0x00080000u, 0), 0.5);
  EXPECT_EQ(BitsToUnitDouble(0xfff00000u, 1), std::ldexp(1.0, -52));
  EXPECT_EQ(BitsToUnitDouble(0xffffffffu, 0xffffffffu), 1.0 - std::ldexp(1.0, -52));
  // Half: 10 low bits (512 / 1024 = 0.5); bfloat16: 7 low bits (0x7f / 128).
  EXPECT_EQ(BitsToUnitHalf(0xfffe0200u).ToFloat(), 0.5f);
  EXPECT_EQ(BitsToUnitBFloat16(0xffffff7fu).ToFloat(), 127.0f / 128.0f);
  // Box-Muller at u1 = 0.5, u2 = 0 (angle 0): r = sqrt(-2 ln 0.5) = sqrt(ln 4), (0, r).
  float f0, f1;
  BoxMullerFloat(0x00400000u, 0, &f0, &f1);
  EXPECT_EQ(f0, 0.0f);
  EXPECT_NEAR(f1, std::sqrt(std::log(4.0)), 1e-6);
  // u1 = 0 is clamped to 1e-7: r = sqrt(-2 ln 1e-7) = 5.6777...
  BoxMullerFloat(0, 0, &f0, &f1);
  EXPECT_NEAR(f1, std::sqrt(-2.0 * std::log(1e-7)), 1e-5);
}

// ---------------------------------------------------------------- fixtures

std::string Bits(const Tensor& t) {
  return std::string(static_cast<const char*>(t.data()),
                     t.num_elements() * DataTypeSize(t.dtype()));
}

struct RefData {
  std::unique_ptr<graph::Graph> graph;
  std::unique_ptr<io::CheckpointReader> ckpt;
  std::map<std::string, Tensor> values;  // every checkpoint variable after running all Assigns
};

// Loads <dir>/expected_graph, runs every Assign once (the initializers), and
// fetches the checkpoint's variables.
void LoadAndInitialize(const std::string& dir, RefData* out) {
  tf::GraphDef def;
  Status s = io::ReadBinaryProto(testing::FixturePath(dir + "/expected_graph").string(), &def);
  ASSERT_TRUE(s.ok()) << s.ToString();
  auto g = graph::GraphFromGraphDef(def);
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  out->graph = std::move(*g);
  auto ckpt = io::CheckpointReader::Open(testing::FixturePath(dir + "/model.ckpt").string());
  ASSERT_TRUE(ckpt.ok()) << ckpt.status().ToString();
  out->ckpt = std::move(*ckpt);

  std::vector<std::string> inits;
  for (const graph::Node* n : out->graph->nodes())
    if (n->op() == "Assign") inits.push_back(n->name());
  ASSERT_FALSE(inits.empty());
  auto session = kernels::NewSession(*out->graph);
  std::vector<Tensor> none;
  s = session->Run({}, {}, inits, &none);
  ASSERT_TRUE(s.ok()) << s.ToString();
  std::vector<std::string> names;
  for (const auto& info : out->ckpt->tensors()) names.push_back(info.name);
  auto fetched = session->Run({}, names);
  ASSERT_TRUE(fetched.ok()) << fetched.status().ToString();
  for (size_t i = 0; i < names.size(); ++i) out->values[names[i]] = (*fetched)[i];
}

// The variables whose initial value comes from a RandomUniform node
// (Assign <- ... <- RandomUniform, through the Mul/Add of the Python wrapper).
std::set<std::string> RandomlyInitialized(const graph::Graph& g) {
  std::set<std::string> out;
  for (const graph::Node* n : g.nodes()) {
    if (n->op() != "Assign") continue;
    std::vector<const graph::Node*> stack{n->input(1).node};
    bool random = false;
    while (!stack.empty() && !random) {
      const graph::Node* m = stack.back();
      stack.pop_back();
      if (m->op() == "RandomUniform") random = true;
      for (int i = 0; i < m->num_inputs(); ++i) stack.push_back(m->input(i).node);
    }
    if (random) out.insert(n->input(0).node->name());
  }
  return out;
}

void ExpectMatchesCheckpoint(const RefData& d, const std::set<std::string>& must_match) {
  for (const std::string& name : must_match) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(d.ckpt->HasTensor(name));
    Result<Tensor> want = d.ckpt->GetTensor(name);
    ASSERT_TRUE(want.ok()) << want.status().ToString();
    const Tensor& got = d.values.at(name);
    ASSERT_EQ(got.dtype(), want->dtype());
    ASSERT_EQ(got.shape(), want->shape());
    EXPECT_TRUE(Bits(got) == Bits(*want)) << "values differ from TensorFlow's checkpoint";
  }
}

TEST(RandomFixtures, UniformRandomReproducesTensorFlow) {
  TFPORT_REQUIRE_FIXTURE("tfmodels_refdata_uniform_random/expected_graph");
  RefData d;
  ASSERT_NO_FATAL_FAILURE(LoadAndInitialize("tfmodels_refdata_uniform_random", &d));
  const std::set<std::string> random = RandomlyInitialized(*d.graph);
  EXPECT_EQ(random, (std::set<std::string>{"input_tensor"}));
  ExpectMatchesCheckpoint(d, random);
  // results.json: [0.9872556924819946], the float32 value printed as a double.
  const Tensor& v = d.values.at("input_tensor");
  ASSERT_EQ(v.num_elements(), 1);
  EXPECT_EQ(static_cast<double>(v.flat<float>()[0]), 0.9872556924819946);
}

TEST(RandomFixtures, DenseReproducesTensorFlow) {
  TFPORT_REQUIRE_FIXTURE("tfmodels_refdata_dense/expected_graph");
  RefData d;
  ASSERT_NO_FATAL_FAILURE(LoadAndInitialize("tfmodels_refdata_dense", &d));
  const std::set<std::string> random = RandomlyInitialized(*d.graph);
  EXPECT_EQ(random, (std::set<std::string>{"input_tensor", "dense/kernel", "dense_1/kernel"}));
  ExpectMatchesCheckpoint(d, random);
  // Biases come from zeros; the checkpoint holds the same (nothing trained).
  std::set<std::string> all;
  for (const auto& info : d.ckpt->tensors()) all.insert(info.name);
  ExpectMatchesCheckpoint(d, all);
}

TEST(RandomFixtures, BatchNormInputReproducesTensorFlow) {
  TFPORT_REQUIRE_FIXTURE("tfmodels_refdata_batch_norm/expected_graph");
  RefData d;
  ASSERT_NO_FATAL_FAILURE(LoadAndInitialize("tfmodels_refdata_batch_norm", &d));
  const std::set<std::string> random = RandomlyInitialized(*d.graph);
  EXPECT_EQ(random, (std::set<std::string>{"input_tensor"}));
  ExpectMatchesCheckpoint(d, random);
  // results.json: shape 32x16x16x3, first 0.9722558259963989, last 0.18413543701171875.
  const Tensor& v = d.values.at("input_tensor");
  ASSERT_EQ(v.shape(), (Shape{32, 16, 16, 3}));
  auto f = v.flat<float>();
  EXPECT_EQ(static_cast<double>(f.front()), 0.9722558259963989);
  EXPECT_EQ(static_cast<double>(f.back()), 0.18413543701171875);
}

// ---------------------------------------------------------------- the ops

Tensor Shape32(std::vector<int32_t> dims) {
  const auto n = static_cast<int64_t>(dims.size());
  return Tensor::FromVector<int32_t>(dims, Shape{n});
}

ops::Output RandomOp(graph::Graph& g, const std::string& op, const Tensor& shape, DataType dtype,
                     int64_t seed, int64_t seed2) {
  return ops::Op(g, {.op = op,
                     .inputs = {ops::Const(g, shape)},
                     .attrs = {ops::AttrType("dtype", dtype), ops::AttrInt("seed", seed),
                               ops::AttrInt("seed2", seed2)}});
}

ops::Output UniformInt(graph::Graph& g, const Tensor& shape, const Tensor& lo, const Tensor& hi,
                       int64_t seed, int64_t seed2) {
  return ops::Op(g, {.op = "RandomUniformInt",
                     .inputs = {ops::Const(g, shape), ops::Const(g, lo), ops::Const(g, hi)},
                     .attrs = {ops::AttrInt("seed", seed), ops::AttrInt("seed2", seed2)}});
}

TEST(RandomOps, StaticShapeFromConstShape) {
  graph::Graph g;
  auto u = RandomOp(g, "RandomUniform", Shape32({2, 3}), DT_FLOAT, 1, 2);
  auto i = UniformInt(g, Tensor::FromVector<int64_t>({5}, Shape{1}), Tensor::Scalar<int64_t>(0),
                      Tensor::Scalar<int64_t>(10), 1, 2);
  ASSERT_TRUE(g.status().ok()) << g.status().ToString();
  EXPECT_EQ(u.shape(), (Shape{2, 3}));
  EXPECT_EQ(u.dtype(), DT_FLOAT);
  EXPECT_EQ(i.shape(), (Shape{5}));
  EXPECT_EQ(i.dtype(), DT_INT64);
  EXPECT_TRUE(u.node->op_def()->is_stateful());
}

TEST(RandomOps, UniformIsTheFirstBlocksOfTheSeededStream) {
  // 6 floats = group 0 (counter step 0) and the first half of group 1.
  graph::Graph g;
  auto u = RandomOp(g, "RandomUniform", Shape32({2, 3}), DT_FLOAT, 87654321, 87654321);
  auto session = kernels::NewSession(g);
  auto out = session->Run({}, {u.name()});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  Philox4x32 gen = Philox4x32::FromSeeds(87654321, 87654321);
  auto b0 = gen.Next(), b1 = gen.Next();
  std::vector<float> want;
  for (uint32_t w : b0) want.push_back(kernels::random::BitsToUnitFloat(w));
  want.push_back(kernels::random::BitsToUnitFloat(b1[0]));
  want.push_back(kernels::random::BitsToUnitFloat(b1[1]));
  EXPECT_THAT((*out)[0].flat<float>(), ::testing::ElementsAreArray(want));

  // A second run continues 6 * 256 counter steps later.
  auto again = session->Run({}, {u.name()});
  ASSERT_TRUE(again.ok());
  Philox4x32 next = Philox4x32::FromSeeds(87654321, 87654321);
  next.Skip(6 * 256);
  EXPECT_EQ((*again)[0].flat<float>()[0], kernels::random::BitsToUnitFloat(next.Next()[0]));

  // A new session starts over (the generator belongs to the kernel).
  auto other = kernels::NewSession(g)->Run({}, {u.name()});
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE(Bits((*other)[0]) == Bits((*out)[0]));
}

TEST(RandomOps, ZeroSeedsAreNondeterministic) {
  graph::Graph g;
  auto u = RandomOp(g, "RandomUniform", Shape32({64}), DT_FLOAT, 0, 0);
  auto a = kernels::NewSession(g)->Run({}, {u.name()});
  auto b = kernels::NewSession(g)->Run({}, {u.name()});
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_FALSE(Bits((*a)[0]) == Bits((*b)[0]));
}

TEST(RandomOps, DistributionsHaveTheRightRangeAndMoments) {
  graph::Graph g;
  const int n = 40001;  // odd: exercises the truncated last group
  std::vector<ops::Output> outs;
  for (DataType dt : {DT_FLOAT, DT_DOUBLE, DT_HALF, DT_BFLOAT16}) {
    outs.push_back(RandomOp(g, "RandomUniform", Shape32({n}), dt, 3, 4));
    outs.push_back(RandomOp(g, "RandomStandardNormal", Shape32({n}), dt, 3, 4));
    outs.push_back(RandomOp(g, "TruncatedNormal", Shape32({n}), dt, 3, 4));
  }
  std::vector<std::string> names;
  for (auto& o : outs) names.push_back(o.name());
  auto res = kernels::NewSession(g)->Run({}, names);
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  for (size_t k = 0; k < outs.size(); ++k) {
    SCOPED_TRACE(names[k]);
    const Tensor& t = (*res)[k];
    ASSERT_EQ(t.num_elements(), n);
    double sum = 0, sq = 0, lo = 1e9, hi = -1e9;
    for (int64_t i = 0; i < n; ++i) {
      double v = 0;
      switch (t.dtype()) {
        case DT_FLOAT: v = t.flat<float>()[i]; break;
        case DT_DOUBLE: v = t.flat<double>()[i]; break;
        case DT_HALF: v = t.flat<Half>()[i].ToFloat(); break;
        default: v = t.flat<BFloat16>()[i].ToFloat(); break;
      }
      sum += v;
      sq += v * v;
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
    const double mean = sum / n, var = sq / n - mean * mean;
    switch (k % 3) {
      case 0:  // U[0,1): mean 1/2, variance 1/12
        EXPECT_GE(lo, 0.0);
        EXPECT_LT(hi, 1.0);
        EXPECT_NEAR(mean, 0.5, 0.01);
        EXPECT_NEAR(var, 1.0 / 12, 0.005);
        break;
      case 1:  // N(0,1)
        EXPECT_NEAR(mean, 0.0, 0.02);
        EXPECT_NEAR(var, 1.0, 0.03);
        break;
      case 2:  // N(0,1) truncated to (-2, 2): variance 0.7737
        if (t.dtype() == DT_FLOAT || t.dtype() == DT_DOUBLE) {
          EXPECT_GT(lo, -2.0);
          EXPECT_LT(hi, 2.0);
        } else {  // the cut is made in float; rounding to 16 bits may reach +-2 (as in TF)
          EXPECT_GE(lo, -2.0);
          EXPECT_LE(hi, 2.0);
        }
        EXPECT_NEAR(mean, 0.0, 0.02);
        EXPECT_NEAR(var, 0.7737, 0.03);
        break;
    }
  }
}

TEST(RandomOps, TruncatedNormalGroupsStartAtFixedOffsets) {
  // Group g (4 floats) starts 256 counter steps after group g-1; so element 4
  // of a 5-element tensor is the first kept value of the stream starting at
  // step 256, whatever group 0 consumed.
  graph::Graph g;
  auto t = RandomOp(g, "TruncatedNormal", Shape32({5}), DT_FLOAT, 11, 12);
  auto out = kernels::NewSession(g)->Run({}, {t.name()});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  Philox4x32 gen = Philox4x32::FromSeeds(11, 12);
  gen.Skip(256);
  float want = 0;
  bool found = false;
  while (!found) {
    auto b = gen.Next();
    for (int i = 0; i < 4 && !found; i += 2) {
      float f[2];
      kernels::random::BoxMullerFloat(b[i], b[i + 1], &f[0], &f[1]);
      for (float v : f)
        if (!found && std::fabs(v) < 2.0f) want = v, found = true;
    }
  }
  EXPECT_EQ((*out)[0].flat<float>()[4], want);
}

TEST(RandomOps, UniformIntRangeAndFormula) {
  graph::Graph g;
  auto a = UniformInt(g, Shape32({1000}), Tensor::Scalar<int32_t>(-3), Tensor::Scalar<int32_t>(4), 5, 6);
  auto b = UniformInt(g, Shape32({3}), Tensor::Scalar<int64_t>(-(int64_t{1} << 40)),
                      Tensor::Scalar<int64_t>(int64_t{1} << 40), 5, 6);
  // Full int32 range: lo + bits mod 2^32 - 1.
  auto c = UniformInt(g, Shape32({4}), Tensor::Scalar<int32_t>(INT32_MIN),
                      Tensor::Scalar<int32_t>(INT32_MAX), 5, 6);
  auto res = kernels::NewSession(g)->Run({}, {a.name(), b.name(), c.name()});
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  std::set<int32_t> seen;
  for (int32_t v : (*res)[0].flat<int32_t>()) {
    EXPECT_GE(v, -3);
    EXPECT_LT(v, 4);
    seen.insert(v);
  }
  EXPECT_EQ(seen.size(), 7u);
  // Formula on the stream: int32 uses one word per value, int64 two (low first).
  Philox4x32 gen = Philox4x32::FromSeeds(5, 6);
  auto blk = gen.Next();
  EXPECT_EQ((*res)[0].flat<int32_t>()[0], -3 + static_cast<int32_t>(blk[0] % 7));
  const uint64_t bits = blk[0] | (uint64_t{blk[1]} << 32);
  EXPECT_EQ((*res)[1].flat<int64_t>()[0],
            -(int64_t{1} << 40) + static_cast<int64_t>(bits % (uint64_t{1} << 41)));
  EXPECT_EQ((*res)[2].flat<int32_t>()[0],
            static_cast<int32_t>(0x80000000u + blk[0] % 0xffffffffu));
}

TEST(RandomOps, BadInputsAreErrors) {
  {
    graph::Graph g;
    auto u = RandomOp(g, "RandomUniform", Shape32({2, -1}), DT_FLOAT, 1, 1);
    auto r = kernels::NewSession(g)->Run({}, {u.name()});
    EXPECT_THAT(r, StatusIs(Code::kInvalidArgument, "Dimension -1"));
  }
  {
    graph::Graph g;
    auto u = RandomOp(g, "RandomStandardNormal", Tensor::Scalar<int32_t>(3), DT_FLOAT, 1, 1);
    auto r = kernels::NewSession(g)->Run({}, {u.name()});
    EXPECT_THAT(r, StatusIs(Code::kInvalidArgument, "shape must be a vector"));
  }
  {
    graph::Graph g;  // 2^62 floats: refused before allocating
    auto u = RandomOp(g, "TruncatedNormal", Tensor::FromVector<int64_t>({int64_t{1} << 31, int64_t{1} << 31}, Shape{2}),
                      DT_FLOAT, 1, 1);
    auto r = kernels::NewSession(g)->Run({}, {u.name()});
    EXPECT_FALSE(r.ok());
    EXPECT_THAT(r.status().ToString(), ::testing::HasSubstr("TruncatedNormal"));
  }
  {
    graph::Graph g;
    auto i = UniformInt(g, Shape32({2}), Tensor::Scalar<int32_t>(5), Tensor::Scalar<int32_t>(5), 1, 1);
    auto r = kernels::NewSession(g)->Run({}, {i.name()});
    EXPECT_THAT(r, StatusIs(Code::kInvalidArgument, "Need minval < maxval, got 5 >= 5"));
  }
  {
    graph::Graph g;  // empty output: no range check (as TensorFlow)
    auto i = UniformInt(g, Shape32({0}), Tensor::Scalar<int32_t>(5), Tensor::Scalar<int32_t>(5), 1, 1);
    auto r = kernels::NewSession(g)->Run({}, {i.name()});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ((*r)[0].num_elements(), 0);
  }
  {
    graph::Graph g;
    auto i = UniformInt(g, Shape32({2}), Tensor::FromVector<int32_t>({1, 2}, Shape{2}),
                        Tensor::Scalar<int32_t>(5), 1, 1);
    auto r = kernels::NewSession(g)->Run({}, {i.name()});
    EXPECT_THAT(r, StatusIs(Code::kInvalidArgument, "minval must be 0-D"));
  }
}

}  // namespace
}  // namespace tfport
