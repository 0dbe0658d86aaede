// The seed program of the project brief, as a test (issue #3 acceptance):
// int32 placeholders input_x, input_y, variable b = 1, sum = x*y + b.
// Expected numbers are hand arithmetic: 10*3+1 = 31; (5*5+1)*2 = 52.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "support/status_matchers.h"
#include "tfport/graph/import.h"
#include "tfport/graph/ops.h"
#include "tfport/kernels/kernels.h"

namespace tfport {
namespace {

using ::testing::ElementsAre;
using tfport::testing::StatusIs;

struct Seed {
  graph::Graph g;
  ops::Var b;
  graph::Output sum;
  Seed() {
    auto x = ops::Placeholder(g, DT_INT32, Shape{}, "input_x");
    auto y = ops::Placeholder(g, DT_INT32, Shape{}, "input_y");
    b = ops::Variable(g, Tensor::Scalar<int32_t>(1), "b");
    sum = ops::Op(g, {"Add", {ops::Op(g, {"Mul", {x, y}}), b.value}, {}, {}, "sum"});
  }
};

std::vector<std::pair<std::string, Tensor>> XY(int x, int y) {
  return {{"input_x:0", Tensor::Scalar<int32_t>(x)}, {"input_y:0", Tensor::Scalar<int32_t>(y)}};
}

TEST(SeedFlow, RunFetchVariableExtendGraph) {
  Seed s;
  ops::GlobalVariablesInitializer(s.g);
  ASSERT_TRUE(s.g.status().ok()) << s.g.status().ToString();
  auto session = kernels::NewSession(s.g);
  std::vector<Tensor> out;
  ASSERT_TRUE(session->Run({}, {}, {"init"}, &out).ok());
  ASSERT_TRUE(session->Run(XY(10, 3), {"sum:0"}, {}, &out).ok());
  EXPECT_EQ(out[0].scalar<int32_t>(), 31);
  ASSERT_TRUE(session->Run({}, {"b:0"}, {}, &out).ok());
  EXPECT_EQ(out[0].scalar<int32_t>(), 1);
  // A new op added after the session exists.
  ops::Op(s.g, {"Mul", {s.sum, ops::Const(s.g, int32_t{2})}, {}, {}, "multiply"});
  ASSERT_TRUE(s.g.status().ok()) << s.g.status().ToString();
  ASSERT_TRUE(session->Run(XY(5, 5), {"multiply:0"}, {}, &out).ok());
  EXPECT_EQ(out[0].scalar<int32_t>(), 52);
}

TEST(SeedFlow, InitOpHasOneControlInputPerInitializer) {
  Seed s;
  auto c = ops::Variable(s.g, Tensor::Scalar<float>(2.0f), "c");
  graph::Node* init = ops::GlobalVariablesInitializer(s.g);
  ASSERT_NE(init, nullptr);
  // formats.md §6.3: NoOp "init" with ^v/Assign per variable, sorted by name.
  EXPECT_EQ(init->name(), "init");
  EXPECT_EQ(init->op(), "NoOp");
  tf::GraphDef def = s.g.ToGraphDef();
  EXPECT_THAT(def.node(def.node_size() - 1).input(), ElementsAre("^b/Assign", "^c/Assign"));
  (void)c;
}

TEST(SeedFlow, VariablesInitializerListAndReport) {
  Seed s;
  auto c = ops::Variable(s.g, Tensor::Scalar<float>(2.0f), "c", {.resource = true});
  ASSERT_TRUE(s.g.status().ok()) << s.g.status().ToString();
  auto session = kernels::NewSession(s.g);
  auto report = kernels::ReportUninitializedVariables(*session, s.g);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_THAT(*report, ElementsAre("b", "c"));
  // Initialize only c.
  graph::Node* init_c = ops::VariablesInitializer(s.g, {ops::GlobalVariables(s.g)[1]}, "init_c");
  ASSERT_NE(init_c, nullptr);
  std::vector<Tensor> out;
  ASSERT_TRUE(session->Run({}, {}, {"init_c"}, &out).ok());
  report = kernels::ReportUninitializedVariables(*session, s.g);
  ASSERT_TRUE(report.ok());
  EXPECT_THAT(*report, ElementsAre("b"));
  ASSERT_TRUE(session->Run({}, {c.value.name()}, {}, &out).ok());
  EXPECT_EQ(out[0].scalar<float>(), 2.0f);
  // Reading b before initialization fails with TensorFlow's message.
  EXPECT_THAT(session->Run(XY(1, 1), {"sum:0"}, {}, &out),
              StatusIs(Code::kFailedPrecondition, "Attempting to use uninitialized value b"));
}

TEST(SeedFlow, ConcurrentRunsOnOneSession) {
  Seed s;
  ops::GlobalVariablesInitializer(s.g);
  auto session = kernels::NewSession(s.g);
  std::vector<Tensor> out;
  ASSERT_TRUE(session->Run({}, {}, {"init"}, &out).ok());
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        std::vector<Tensor> o;
        Status st = session->Run(XY(t, i), {"sum:0"}, {}, &o);
        if (!st.ok() || o[0].scalar<int32_t>() != t * i + 1) ++wrong;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
}

TEST(SeedFlow, CycleWithoutLoopIsAnError) {
  tf::GraphDef def;
  auto* a = def.add_node();
  a->set_name("a");
  a->set_op("Identity");
  a->add_input("b");
  (*a->mutable_attr())["T"].set_type(DT_FLOAT);
  auto* b = def.add_node();
  b->set_name("b");
  b->set_op("Identity");
  b->add_input("a");
  (*b->mutable_attr())["T"].set_type(DT_FLOAT);
  auto g = graph::GraphFromGraphDef(def);
  ASSERT_TRUE(g.ok()) << g.status().ToString();  // graphs may hold cycles (loops)
  auto session = kernels::NewSession(**g);
  std::vector<Tensor> out;
  EXPECT_THAT(session->Run({}, {"a:0"}, {}, &out),
              StatusIs(Code::kInvalidArgument, "Graph is invalid, contains a cycle"));
}

}  // namespace
}  // namespace tfport
