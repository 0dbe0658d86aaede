// Session semantics: variables, feeds/fetches, graph extension, TF1 control
// flow and errors. Expected values are hand arithmetic or TensorFlow's
// documented behaviour, cited per test.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/status_matchers.h"
#include "tfport/graph/ops.h"
#include "tfport/kernels/kernels.h"

namespace tfport {
namespace {

using ::testing::HasSubstr;
using tfport::testing::StatusIs;

TEST(SessionBase, VariableInitializeAndFetchByName) {
  graph::Graph g;
  ops::Variable(g, Tensor::Scalar<int32_t>(1), "b");
  ops::GlobalVariablesInitializer(g);
  ASSERT_TRUE(g.status().ok()) << g.status().ToString();
  // formats.md §6.1: the tf.Variable node quadruple, in this order.
  std::vector<std::string> names;
  for (auto* n : g.nodes()) names.push_back(n->name());
  EXPECT_THAT(names, ::testing::ElementsAre("b/initial_value", "b", "b/Assign", "b/read", "init"));
  auto session = kernels::NewSession(g);
  std::vector<Tensor> out;
  // Reading before the initializer ran: TensorFlow's FailedPrecondition.
  EXPECT_THAT(session->Run({}, {"b/read:0"}, {}, &out),
              StatusIs(Code::kFailedPrecondition, "Attempting to use uninitialized value b"));
  ASSERT_TRUE(session->Run({}, {}, {"init"}, &out).ok());
  ASSERT_TRUE(session->Run({}, {"b:0"}, {}, &out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].scalar<int32_t>(), 1);
}

TEST(SessionBase, FeedAnyTensorAndExtendAfterCreation) {
  graph::Graph g;
  auto x = ops::Placeholder(g, DT_FLOAT, Shape{}, "x");
  auto id = ops::Identity(g, x, "id");
  auto session = kernels::NewSession(g);
  std::vector<Tensor> out;
  ASSERT_TRUE(session->Run({{"x:0", Tensor::Scalar<float>(2.5f)}}, {"id:0"}, {}, &out).ok());
  EXPECT_EQ(out[0].scalar<float>(), 2.5f);
  // Feeding an intermediate tensor replaces it.
  auto id2 = ops::Identity(g, id, "id2");
  ASSERT_TRUE(g.status().ok());
  ASSERT_TRUE(session->Run({{"id:0", Tensor::Scalar<float>(7.0f)}}, {"id2"}, {}, &out).ok());
  EXPECT_EQ(out[0].scalar<float>(), 7.0f);
  (void)id2;
}

TEST(SessionBase, ErrorsNameTheNode) {
  graph::Graph g;
  auto x = ops::Placeholder(g, DT_INT32, Shape{}, "input_x");
  ops::Identity(g, x, "out");
  auto session = kernels::NewSession(g);
  std::vector<Tensor> out;
  // TensorFlow: "You must feed a value for placeholder tensor 'input_x' with dtype int32".
  EXPECT_THAT(session->Run({}, {"out:0"}, {}, &out),
              StatusIs(Code::kInvalidArgument,
                       "You must feed a value for placeholder tensor 'input_x' with dtype int32"));
  EXPECT_THAT(session->Run({{"input_x:0", Tensor::Scalar<float>(1)}}, {"out:0"}, {}, &out),
              StatusIs(Code::kInvalidArgument, "Cannot feed value of dtype DT_FLOAT"));
  EXPECT_THAT(session->Run({{"input_x:0", Tensor::FromVector<int32_t>({1, 2}, Shape{2})}},
                           {"out:0"}, {}, &out),
              StatusIs(Code::kInvalidArgument, "Cannot feed value of shape (2,)"));
  EXPECT_THAT(session->Run({}, {"nope:0"}, {}, &out), StatusIs(Code::kNotFound, "nope"));
}

TEST(SessionBase, SwitchMergeDeadBranch) {
  // tf.cond(pred, lambda: a, lambda: b) in TF1 dataflow form.
  graph::Graph g;
  auto pred = ops::Placeholder(g, DT_BOOL, Shape{}, "pred");
  auto a = ops::Const(g, 1.0f, "a");
  auto b = ops::Const(g, 2.0f, "b");
  auto sa = ops::Switch(g, a, pred, "sa");
  auto sb = ops::Switch(g, b, pred, "sb");
  auto ta = ops::Identity(g, sa.output_true, "true_branch");
  auto fb = ops::Identity(g, sb.output_false, "false_branch");
  ops::Merge(g, {ta, fb}, "merge");
  ASSERT_TRUE(g.status().ok()) << g.status().ToString();
  auto session = kernels::NewSession(g);
  std::vector<Tensor> out;
  ASSERT_TRUE(session->Run({{"pred", Tensor::Scalar<bool>(true)}}, {"merge:0", "merge:1"}, {}, &out).ok());
  EXPECT_EQ(out[0].scalar<float>(), 1.0f);
  EXPECT_EQ(out[1].scalar<int32_t>(), 0);  // value_index: input 0 was taken
  ASSERT_TRUE(session->Run({{"pred", Tensor::Scalar<bool>(false)}}, {"merge:0", "merge:1"}, {}, &out).ok());
  EXPECT_EQ(out[0].scalar<float>(), 2.0f);
  EXPECT_EQ(out[1].scalar<int32_t>(), 1);
  // Fetching the untaken branch: TensorFlow reports the retval has no value.
  EXPECT_THAT(session->Run({{"pred", Tensor::Scalar<bool>(false)}}, {"true_branch:0"}, {}, &out),
              StatusIs(Code::kInvalidArgument, "does not have value"));
}

}  // namespace
}  // namespace tfport
