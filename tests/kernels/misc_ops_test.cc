// Small ops that TensorFlow 1.x graphs in the fixtures use: Assert,
// ScatterUpdate/ScatterAdd/ScatterSub on ref variables, UnsortedSegmentSum,
// ReverseSequence, and the summary OpDefs (ScalarSummary, MergeSummary,
// HistogramSummary: import only). Expected values are hand-computed (each
// test states the arithmetic); message texts follow TensorFlow's kernels.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "support/status_matchers.h"
#include "tfport/graph/import.h"
#include "tfport/graph/op_registry.h"
#include "tfport/graph/ops.h"
#include "tfport/kernels/kernels.h"

namespace tfport {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using tfport::testing::StatusIs;

Tensor I32(const std::vector<int32_t>& v, Shape s) { return Tensor::FromVector<int32_t>(v, std::move(s)); }
Tensor F32(const std::vector<float>& v, Shape s) { return Tensor::FromVector<float>(v, std::move(s)); }

// ---------------------------------------------------------------- Assert

graph::Node* AssertOp(graph::Graph& g, ops::Output cond, std::vector<ops::Output> data, int64_t summarize = 3) {
  std::vector<ops::Output> inputs{cond};
  std::vector<DataType> types;
  for (auto& d : data) {
    inputs.push_back(d);
    types.push_back(d.dtype());
  }
  return ops::AddOp(g, {.op = "Assert",
                        .inputs = inputs,
                        .attrs = {ops::AttrTypes("T", types), ops::AttrInt("summarize", summarize)}});
}

Status RunTarget(graph::Graph& g, graph::Node* target) {
  if (!g.status().ok()) return g.status();
  std::vector<Tensor> out;
  return kernels::NewSession(g)->Run({}, {}, {target->name()}, &out);
}

TEST(MiscAssert, PassesWhenTrue) {
  graph::Graph g;
  graph::Node* a = AssertOp(g, ops::Const(g, true), {ops::Const(g, I32({1, 2}, Shape{2}))});
  EXPECT_TRUE(RunTarget(g, a).ok());
}

TEST(MiscAssert, FailsWithSummarizedData) {
  // summarize = 3: the vector [1 2 3 4] prints "1 2 3..."; the string as is;
  // the 2x2 float matrix nests from the second dim on, first 3 values then
  // "..." inside the open row and once more for the left-out element.
  graph::Graph g;
  graph::Node* a = AssertOp(g, ops::Const(g, false),
                     {ops::Const(g, Tensor::Scalar<std::string>("x must be positive")),
                      ops::Const(g, I32({1, 2, 3, 4}, Shape{4})),
                      ops::Const(g, F32({0.5f, -1.25f, 3, 4}, Shape{2, 2})),
                      ops::Const(g, 0.1f)});
  Status s = RunTarget(g, a);
  EXPECT_THAT(s, StatusIs(Code::kInvalidArgument,
                          "assertion failed: [x must be positive] [1 2 3...] [[0.5 -1.25][3...]...] [0.1]"));
  EXPECT_THAT(s.ToString(), ::testing::HasSubstr("Assert"));  // names the node
}

TEST(MiscAssert, WholeTensorWhenItFitsAndBoolCondition) {
  graph::Graph g;
  graph::Node* a = AssertOp(g, ops::Const(g, false), {ops::Const(g, I32({7, 8}, Shape{2}))}, 5);
  EXPECT_THAT(RunTarget(g, a), StatusIs(Code::kInvalidArgument, "assertion failed: [7 8]"));
  graph::Graph g2;  // condition must be a scalar
  graph::Node* b = AssertOp(g2, ops::Const(g2, Tensor::FromVector<bool>({true, false}, Shape{2})),
                     {ops::Const(g2, 1)});
  EXPECT_THAT(RunTarget(g2, b), StatusIs(Code::kInvalidArgument, "In[0] should be a scalar"));
}

// ---------------------------------------------------------------- Scatter*

Result<Tensor> RunScatter(const std::string& op, const Tensor& indices, const Tensor& updates,
                          int repeat = 1) {
  graph::Graph g;
  // var = [[1, 2], [3, 4], [5, 6]]
  ops::Var v = ops::Variable(g, F32({1, 2, 3, 4, 5, 6}, Shape{3, 2}), "v");
  auto s = ops::Op(g, {.op = op,
                       .inputs = {v.variable, ops::Const(g, indices), ops::Const(g, updates)}});
  if (!g.status().ok()) return g.status();
  auto session = kernels::NewSession(g);
  std::vector<Tensor> out;
  TFPORT_RETURN_IF_ERROR(session->Run({}, {}, {v.initializer->name()}, &out));
  for (int i = 0; i < repeat; ++i) TFPORT_RETURN_IF_ERROR(session->Run({}, {s.name()}, {}, &out));
  TFPORT_ASSIGN_OR_RETURN(std::vector<Tensor> value, session->Run({}, {"v"}));
  return value[0];
}

TEST(MiscScatter, UpdateAddSub) {
  // Update rows 2 and 0: [[10,20],[3,4],[50,60]].
  auto u = RunScatter("ScatterUpdate", I32({2, 0}, Shape{2}), F32({50, 60, 10, 20}, Shape{2, 2}));
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_THAT(u->flat<float>(), ElementsAre(10, 20, 3, 4, 50, 60));
  // Add with a duplicate index: row 1 += [1,1] twice, row 0 += [10,10] -> [[11,12],[5,6],[5,6]].
  auto a = RunScatter("ScatterAdd", I32({1, 0, 1}, Shape{3}), F32({1, 1, 10, 10, 1, 1}, Shape{3, 2}));
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_THAT(a->flat<float>(), ElementsAre(11, 12, 5, 6, 5, 6));
  // Sub run twice, int64 index: row 2 -= [1, 2] twice -> [5-2, 6-4] = [3, 2].
  auto s = RunScatter("ScatterSub", Tensor::FromVector<int64_t>({2}, Shape{1}),
                      F32({1, 2}, Shape{1, 2}), 2);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_THAT(s->flat<float>(), ElementsAre(1, 2, 3, 4, 3, 2));
  // Scalar updates apply to whole rows; scalar index addresses one row:
  // row 1 += 0.5 -> [3.5, 4.5].
  auto sc = RunScatter("ScatterAdd", Tensor::Scalar<int32_t>(1), Tensor::Scalar<float>(0.5f));
  ASSERT_TRUE(sc.ok()) << sc.status().ToString();
  EXPECT_THAT(sc->flat<float>(), ElementsAre(1, 2, 3.5, 4.5, 5, 6));
}

TEST(MiscScatter, Errors) {
  EXPECT_THAT(RunScatter("ScatterAdd", I32({0, 3}, Shape{2}), F32({1, 1, 1, 1}, Shape{2, 2})),
              StatusIs(Code::kInvalidArgument, "indices[1] = 3 is not in [0, 3)"));
  EXPECT_THAT(RunScatter("ScatterUpdate", I32({-1}, Shape{1}), F32({1, 1}, Shape{1, 2})),
              StatusIs(Code::kInvalidArgument, "indices[0] = -1 is not in [0, 3)"));
  EXPECT_THAT(RunScatter("ScatterSub", I32({0}, Shape{1}), F32({1, 1, 1}, Shape{1, 3})),
              StatusIs(Code::kInvalidArgument,
                       "Must have updates.shape = indices.shape + params.shape[1:] or "
                       "updates.shape = [], got updates.shape [1,3], indices.shape [1], "
                       "params.shape [3,2]"));
  // Uninitialized variable.
  graph::Graph g;
  ops::Var v = ops::Variable(g, F32({1, 2}, Shape{2}), "v");
  auto s = ops::Op(g, {.op = "ScatterAdd",
                       .inputs = {v.variable, ops::Const(g, I32({0}, Shape{1})),
                                  ops::Const(g, F32({1}, Shape{1}))}});
  auto r = kernels::NewSession(g)->Run({}, {s.name()});
  EXPECT_THAT(r, StatusIs(Code::kFailedPrecondition, "uninitialized"));
}

TEST(MiscScatter, EarlierReadsAreNotChanged) {
  // Copy-on-write: a value fetched before the scatter keeps its contents.
  graph::Graph g;
  ops::Var v = ops::Variable(g, F32({1, 2}, Shape{2}), "v");
  auto s = ops::Op(g, {.op = "ScatterAdd",
                       .inputs = {v.variable, ops::Const(g, I32({1}, Shape{1})),
                                  ops::Const(g, F32({5}, Shape{1}))}});
  auto session = kernels::NewSession(g);
  std::vector<Tensor> out;
  ASSERT_TRUE(session->Run({}, {}, {v.initializer->name()}, &out).ok());
  auto before = session->Run({}, {v.value.name()});
  ASSERT_TRUE(before.ok());
  ASSERT_TRUE(session->Run({}, {}, {s.node->name()}, &out).ok());
  auto after = session->Run({}, {v.value.name()});
  ASSERT_TRUE(after.ok());
  EXPECT_THAT((*before)[0].flat<float>(), ElementsAre(1, 2));
  EXPECT_THAT((*after)[0].flat<float>(), ElementsAre(1, 7));
}

// ---------------------------------------------------------------- UnsortedSegmentSum

Result<Tensor> SegmentSum(const Tensor& data, const Tensor& ids, const Tensor& num) {
  graph::Graph g;
  auto o = ops::Op(g, {.op = "UnsortedSegmentSum",
                       .inputs = {ops::Const(g, data), ops::Const(g, ids), ops::Const(g, num)}});
  if (!g.status().ok()) return g.status();
  EXPECT_EQ(o.shape().rank() >= 1 ? o.shape().dim(0) : -2,
            num.dtype() == DT_INT32 ? num.flat<int32_t>()[0] : num.flat<int64_t>()[0]);
  TFPORT_ASSIGN_OR_RETURN(std::vector<Tensor> out, kernels::NewSession(g)->Run({}, {o.name()}));
  return out[0];
}

TEST(MiscUnsortedSegmentSum, RowsAndScalars) {
  // data rows [1,2],[3,4],[5,6] with ids [2,0,2], 4 segments:
  // seg0 = [3,4], seg1 = 0, seg2 = [1+5, 2+6] = [6,8], seg3 = 0.
  auto r = SegmentSum(F32({1, 2, 3, 4, 5, 6}, Shape{3, 2}), I32({2, 0, 2}, Shape{3}),
                      Tensor::Scalar<int32_t>(4));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->shape(), (Shape{4, 2}));
  EXPECT_THAT(r->flat<float>(), ElementsAre(3, 4, 0, 0, 6, 8, 0, 0));
  // 2-D ids over a 2x2 int32 matrix, int64 num_segments: [[1,2],[3,4]] with
  // ids [[1,1],[0,1]] -> seg0 = 3, seg1 = 1+2+4 = 7.
  auto m = SegmentSum(I32({1, 2, 3, 4}, Shape{2, 2}), I32({1, 1, 0, 1}, Shape{2, 2}),
                      Tensor::Scalar<int64_t>(2));
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->shape(), (Shape{2}));
  EXPECT_THAT(m->flat<int32_t>(), ElementsAre(3, 7));
}

TEST(MiscUnsortedSegmentSum, Errors) {
  EXPECT_THAT(SegmentSum(F32({1, 2, 3}, Shape{3}), I32({0, 5, 1}, Shape{3}), Tensor::Scalar<int32_t>(2)),
              StatusIs(Code::kInvalidArgument, "segment_ids[1] = 5 is out of range [0, 2)"));
  EXPECT_THAT(SegmentSum(F32({1, 2, 3}, Shape{3}), I32({0, -1, 1}, Shape{3}), Tensor::Scalar<int32_t>(2)),
              StatusIs(Code::kInvalidArgument, "segment_ids[1] = -1 is out of range [0, 2)"));
  EXPECT_THAT(SegmentSum(F32({1, 2, 3}, Shape{3}), I32({0, 1}, Shape{2}), Tensor::Scalar<int32_t>(2)),
              StatusIs(Code::kInvalidArgument,
                       "data.shape = [3] does not start with segment_ids.shape = [2]"));
  EXPECT_THAT(SegmentSum(F32({1}, Shape{1}), I32({0}, Shape{1}), Tensor::Scalar<int32_t>(-1)),
              StatusIs(Code::kInvalidArgument, "must not be negative"));
}

// ---------------------------------------------------------------- ReverseSequence

Result<Tensor> Reverse(const Tensor& input, const Tensor& lens, int64_t seq_dim, int64_t batch_dim) {
  graph::Graph g;
  auto o = ops::Op(g, {.op = "ReverseSequence",
                       .inputs = {ops::Const(g, input), ops::Const(g, lens)},
                       .attrs = {ops::AttrInt("seq_dim", seq_dim), ops::AttrInt("batch_dim", batch_dim)}});
  if (!g.status().ok()) return g.status();
  EXPECT_EQ(o.shape(), input.shape());
  TFPORT_ASSIGN_OR_RETURN(std::vector<Tensor> out, kernels::NewSession(g)->Run({}, {o.name()}));
  return out[0];
}

TEST(MiscReverseSequence, BatchMajorAndTimeMajor) {
  // batch_dim 0, seq_dim 1, x = [[1,2,3,4],[5,6,7,8],[9,10,11,12]], lens [2,4,0]:
  // [[2,1,3,4],[8,7,6,5],[9,10,11,12]].
  auto a = Reverse(I32({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, Shape{3, 4}),
                   Tensor::FromVector<int64_t>({2, 4, 0}, Shape{3}), 1, 0);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_THAT(a->flat<int32_t>(), ElementsAre(2, 1, 3, 4, 8, 7, 6, 5, 9, 10, 11, 12));
  // Time-major with a feature dim: x[t, b, f] = 100t + 10b + f, shape [3, 2, 2],
  // seq_dim 0, batch_dim 1, lens [3, 1] (int32): batch 0 reversed over all 3
  // steps, batch 1 unchanged.
  std::vector<int32_t> x, want;
  for (int t = 0; t < 3; ++t)
    for (int b = 0; b < 2; ++b)
      for (int f = 0; f < 2; ++f) {
        x.push_back(100 * t + 10 * b + f);
        want.push_back(100 * (b == 0 ? 2 - t : t) + 10 * b + f);
      }
  auto tm = Reverse(I32(x, Shape{3, 2, 2}), I32({3, 1}, Shape{2}), 0, 1);
  ASSERT_TRUE(tm.ok()) << tm.status().ToString();
  EXPECT_THAT(tm->flat<int32_t>(), ElementsAreArray(want));
  // Strings move like numbers.
  auto s = Reverse(Tensor::FromVector<std::string>({"a", "b", "c"}, Shape{1, 3}),
                   I32({3}, Shape{1}), 1, 0);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_THAT(s->flat<std::string>(), ElementsAre("c", "b", "a"));
}

TEST(MiscReverseSequence, Errors) {
  const Tensor x = I32({1, 2, 3, 4}, Shape{2, 2});
  EXPECT_THAT(Reverse(x, I32({3, 1}, Shape{2}), 1, 0),
              StatusIs(Code::kInvalidArgument, "seq_lens(0) > input.dims(1)"));
  EXPECT_THAT(Reverse(x, I32({-1, 1}, Shape{2}), 1, 0),
              StatusIs(Code::kInvalidArgument, "seq_lens(0) < 0"));
  EXPECT_THAT(Reverse(x, I32({1}, Shape{1}), 1, 0),
              StatusIs(Code::kInvalidArgument, "len(seq_lens) != input.dims(0), (1 vs. 2)"));
  EXPECT_THAT(Reverse(x, I32({1, 1}, Shape{2}), 1, 1),
              StatusIs(Code::kInvalidArgument, "batch_dim == seq_dim == 1"));
  EXPECT_THAT(Reverse(x, I32({1, 1}, Shape{2}), 2, 0),
              StatusIs(Code::kInvalidArgument, "seq_dim must be < input.dims()"));
}

// ---------------------------------------------------------------- summaries and the checklist

TEST(MiscSummaries, ImportWithScalarOutputs) {
  graph::Graph g;
  auto scalar = ops::Op(g, {.op = "ScalarSummary",
                            .inputs = {ops::Const(g, Tensor::Scalar<std::string>("loss")),
                                       ops::Const(g, 1.5f)}});
  auto hist = ops::Op(g, {.op = "HistogramSummary",
                          .inputs = {ops::Const(g, Tensor::Scalar<std::string>("w")),
                                     ops::Const(g, F32({1, 2}, Shape{2}))}});
  auto merged = ops::Op(g, {.op = "MergeSummary", .inputs = {scalar, hist}});
  ASSERT_TRUE(g.status().ok()) << g.status().ToString();
  EXPECT_EQ(merged.dtype(), DT_STRING);
  EXPECT_EQ(merged.shape(), Shape{});
  EXPECT_EQ(scalar.shape(), Shape{});
  // Round trip through a GraphDef (what importing a TF graph does).
  auto again = graph::GraphFromGraphDef(g.ToGraphDef());
  ASSERT_TRUE(again.ok()) << again.status().ToString();
}

TEST(MiscChecklist, OpDefsAndKernelsExist) {
  // Ops that the fixture graphs use; each needs an OpDef and a CPU kernel.
  const std::vector<std::string> kernels_ops = kernels::DefaultKernels().ListOps();
  for (const char* op : {"Unique", "InvertPermutation", "ConcatOffset", "Sign", "Floor", "OneHot",
                         "LogSoftmax", "Where", "ShapeN", "Squeeze", "Assert", "ScatterAdd",
                         "ScatterSub", "ScatterUpdate", "UnsortedSegmentSum", "ReverseSequence",
                         "RandomUniform", "RandomStandardNormal", "TruncatedNormal",
                         "RandomUniformInt"}) {
    EXPECT_NE(graph::OpRegistry::Global().Find(op), nullptr) << op;
    EXPECT_NE(std::find(kernels_ops.begin(), kernels_ops.end(), op), kernels_ops.end()) << op;
  }
  for (const char* op : {"ScalarSummary", "MergeSummary", "HistogramSummary"})
    EXPECT_NE(graph::OpRegistry::Global().Find(op), nullptr) << op;
}

}  // namespace
}  // namespace tfport
