// Data-flow ops through a Session: TensorArrayV3 & co and StackV2 & co, and
// TF1 while loops (dataflow form) that accumulate into a TensorArray.
// Expected values are hand arithmetic; errors are TensorFlow 1.15's texts
// (tensor_array.h / tensor_array_ops.cc / stack.cc), cited per test.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "support/fixtures.h"
#include "support/graph_values.h"
#include "support/status_matchers.h"
#include "tfport/tf/graph.pb.h"
#include "tfport/graph/data_flow_ops.h"
#include "tfport/graph/import.h"
#include "tfport/graph/ops.h"
#include "tfport/kernels/kernels.h"

namespace tfport {
namespace {

using ::testing::ElementsAre;
using graph::Graph;
using graph::Output;
using ::testing::ElementsAreArray;
using tfport::testing::StatusIs;
using tfport::testing::F32s;
using tfport::testing::I32;
using tfport::testing::I32s;
using tfport::testing::I64s;
using tfport::testing::Values;



Result<std::vector<Tensor>> RunGraph(const graph::Graph& g, const std::vector<std::string>& fetches,
                                const std::vector<std::string>& targets = {}) {
  if (!g.status().ok()) return g.status();
  auto session = kernels::NewSession(g);
  std::vector<Tensor> out;
  TFPORT_RETURN_IF_ERROR(session->Run({}, fetches, targets, &out));
  return out;
}

ops::TensorArrayOptions ReadMany() {
  ops::TensorArrayOptions o;
  o.clear_after_read = false;
  return o;
}

// ---------------------------------------------------------------- OpDefs

TEST(DataFlowOps, TensorArrayV3OpDefMatchesTensorFlow) {
  // TF 1.x data_flow_ops.cc: size: int32 -> handle: resource, flow: float;
  // attr defaults element_shape {unknown_rank: true}, dynamic_size false,
  // clear_after_read true, identical_element_shapes false, name ''.
  const tf::OpDef* def = graph::OpRegistry::Global().Find("TensorArrayV3");
  ASSERT_NE(def, nullptr);
  ASSERT_EQ(def->input_arg_size(), 1);
  EXPECT_EQ(def->input_arg(0).type(), DT_INT32);
  ASSERT_EQ(def->output_arg_size(), 2);
  EXPECT_EQ(def->output_arg(0).type(), DT_RESOURCE);
  EXPECT_EQ(def->output_arg(1).type(), DT_FLOAT);
  EXPECT_TRUE(def->is_stateful());
  std::map<std::string, const tf::OpDef::AttrDef*> attrs;
  for (const auto& a : def->attr()) attrs[a.name()] = &a;
  ASSERT_EQ(attrs.size(), 6u);
  EXPECT_TRUE(attrs.at("element_shape")->default_value().shape().unknown_rank());
  EXPECT_FALSE(attrs.at("dynamic_size")->default_value().b());
  EXPECT_TRUE(attrs.at("clear_after_read")->default_value().b());
  EXPECT_FALSE(attrs.at("identical_element_shapes")->default_value().b());
  EXPECT_EQ(attrs.at("tensor_array_name")->default_value().s(), "");
  for (const char* op : {"TensorArrayReadV3", "TensorArrayWriteV3", "TensorArrayGatherV3",
                         "TensorArrayScatterV3", "TensorArraySizeV3", "TensorArrayCloseV3",
                         "TensorArrayConcatV3", "TensorArraySplitV3", "TensorArrayGradV3",
                         "StackV2", "StackPushV2", "StackPopV2", "StackCloseV2"})
    EXPECT_NE(graph::OpRegistry::Global().Find(op), nullptr) << op;
}

TEST(DataFlowOps, StaticShapes) {
  // TF's shape functions: handle Vector(2), flow scalar; Gather is
  // [len(indices)] + element shape; Read uses the handle's element shape
  // when the TensorArray's element_shape is fully defined.
  graph::Graph g;
  ops::TensorArrayOptions o;
  o.element_shape = Shape{2};
  auto ta = ops::TensorArrayV3(g, I32(g, 3), DT_FLOAT, o);
  auto read = ops::TensorArrayReadV3(g, ta.handle, I32(g, 0), ta.flow, DT_FLOAT);
  auto gather = ops::TensorArrayGatherV3(g, ta.handle, I32s(g, {0, 1}), ta.flow, DT_FLOAT);
  auto plain = ops::TensorArrayV3(g, I32(g, 3), DT_FLOAT);
  auto read2 = ops::TensorArrayReadV3(g, plain.handle, I32(g, 0), plain.flow, DT_FLOAT);
  auto stack = ops::StackV2(g, I32(g, -1), DT_FLOAT);
  ASSERT_TRUE(g.status().ok()) << g.status().ToString();
  EXPECT_EQ(ta.handle.node->name(), "TensorArray");
  EXPECT_EQ(ta.handle.shape(), (Shape{2}));
  EXPECT_EQ(ta.flow.shape(), Shape{});
  EXPECT_EQ(read.shape(), (Shape{2}));
  EXPECT_EQ(gather.shape(), (Shape{2, 2}));
  EXPECT_TRUE(read2.shape().unknown_rank());
  EXPECT_EQ(stack.shape(), (Shape{2}));
}

// ---------------------------------------------------------------- round trips

TEST(DataFlowTensorArray, WriteReadSizeGather) {
  graph::Graph g;
  auto ta = ops::TensorArrayV3(g, I32(g, 3), DT_FLOAT, ReadMany());
  auto f0 = ops::TensorArrayWriteV3(g, ta.handle, I32(g, 0), F32s(g, {1, 2}, Shape{2}), ta.flow);
  auto f1 = ops::TensorArrayWriteV3(g, ta.handle, I32(g, 1), F32s(g, {3, 4}, Shape{2}), f0);
  auto f2 = ops::TensorArrayWriteV3(g, ta.handle, I32(g, 2), F32s(g, {5, 6}, Shape{2}), f1);
  ops::TensorArrayReadV3(g, ta.handle, I32(g, 1), f2, DT_FLOAT, "read1");
  ops::TensorArraySizeV3(g, ta.handle, f2, "size");
  ops::TensorArrayGatherV3(g, ta.handle, I32s(g, {2, 0}), f2, DT_FLOAT, Shape::UnknownRank(),
                           "gather");
  auto out = RunGraph(g, {"read1", "size", "gather", "TensorArray:1"});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_THAT(Values<float>((*out)[0]), ElementsAre(3, 4));
  EXPECT_EQ((*out)[1].scalar<int32_t>(), 3);
  EXPECT_EQ((*out)[2].shape(), (Shape{2, 2}));
  EXPECT_THAT(Values<float>((*out)[2]), ElementsAre(5, 6, 1, 2));
  EXPECT_EQ((*out)[3].dtype(), DT_FLOAT);  // the flow: a float scalar
  EXPECT_EQ((*out)[3].shape(), Shape{});
}

TEST(DataFlowTensorArray, ScatterGather) {
  // scatter rows of [[1,2],[3,4],[5,6]] to indices [2,0,1]; gather [0,1,2]
  // gives rows 1, 2, 0 of the input.
  graph::Graph g;
  auto ta = ops::TensorArrayV3(g, I32(g, 3), DT_FLOAT);
  auto f = ops::TensorArrayScatterV3(g, ta.handle, I32s(g, {2, 0, 1}),
                                     F32s(g, {1, 2, 3, 4, 5, 6}, Shape{3, 2}), ta.flow);
  ops::TensorArrayGatherV3(g, ta.handle, I32s(g, {0, 1, 2}), f, DT_FLOAT, Shape{2}, "gather");
  auto out = RunGraph(g, {"gather"});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), (Shape{3, 2}));
  EXPECT_THAT(Values<float>((*out)[0]), ElementsAre(3, 4, 5, 6, 1, 2));
}

TEST(DataFlowTensorArray, SplitConcat) {
  // split [1..6] by lengths [1,3,2] -> [1], [2,3,4], [5,6]; concat gives the
  // input back and lengths [1,3,2].
  graph::Graph g;
  auto ta = ops::TensorArrayV3(g, I32(g, 3), DT_FLOAT, ReadMany());
  auto lengths = ops::Const(g, Tensor::FromVector<int64_t>({1, 3, 2}, Shape{3}));
  auto f = ops::TensorArraySplitV3(g, ta.handle, F32s(g, {1, 2, 3, 4, 5, 6}, Shape{6}), lengths,
                                   ta.flow);
  auto cat = ops::TensorArrayConcatV3(g, ta.handle, f, DT_FLOAT, Shape::UnknownRank(), "concat");
  ops::TensorArrayReadV3(g, ta.handle, I32(g, 1), f, DT_FLOAT, "read1");
  (void)cat;
  auto out = RunGraph(g, {"concat:0", "concat:1", "read1"});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_THAT(Values<float>((*out)[0]), ElementsAre(1, 2, 3, 4, 5, 6));
  EXPECT_EQ((*out)[1].dtype(), DT_INT64);
  EXPECT_THAT(Values<int64_t>((*out)[1]), ElementsAre(1, 3, 2));
  EXPECT_THAT(Values<float>((*out)[2]), ElementsAre(2, 3, 4));
}

TEST(DataFlowTensorArray, StringsAndMatrices) {
  // Elements of any dtype: strings split and concatenated.
  graph::Graph g;
  auto ta = ops::TensorArrayV3(g, I32(g, 2), DT_STRING);
  auto v = ops::Const(g, Tensor::FromVector<std::string>({"a", "bb", "ccc"}, Shape{3}));
  auto lengths = ops::Const(g, Tensor::FromVector<int64_t>({2, 1}, Shape{2}));
  auto f = ops::TensorArraySplitV3(g, ta.handle, v, lengths, ta.flow);
  ops::TensorArrayConcatV3(g, ta.handle, f, DT_STRING, Shape::UnknownRank(), "concat");
  auto out = RunGraph(g, {"concat:0"});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_THAT(Values<std::string>((*out)[0]), ElementsAre("a", "bb", "ccc"));
}

TEST(DataFlowTensorArray, DynamicSizeGrows) {
  // dynamic_size: writing index 4 of a size-1 array grows it to 5.
  graph::Graph g;
  ops::TensorArrayOptions o;
  o.dynamic_size = true;
  o.element_shape = Shape{2};
  auto ta = ops::TensorArrayV3(g, I32(g, 1), DT_FLOAT, o);
  auto f = ops::TensorArrayWriteV3(g, ta.handle, I32(g, 4), F32s(g, {7, 8}, Shape{2}), ta.flow);
  auto size = ops::TensorArraySizeV3(g, ta.handle, f, "size");
  // Scatter also grows a dynamic array (max index 6 -> size 7); it runs
  // after "size" (flows order only TensorArray ops that take them).
  auto f2 = ops::Op(g, {"TensorArrayScatterV3",
                        {ta.handle, I32s(g, {6}), F32s(g, {9, 9}, Shape{1, 2}), f},
                        {},
                        {size.node},
                        ""});
  ops::TensorArraySizeV3(g, ta.handle, f2, "size2");
  // Unwritten indices read as zeros because the element shape [2] is known
  // (TF 1.15 TensorArray::LockedRead).
  ops::TensorArrayGatherV3(g, ta.handle, I32s(g, {0, 4, 6}), f2, DT_FLOAT, Shape::UnknownRank(),
                           "gather");
  auto out = RunGraph(g, {"size", "size2", "gather"});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].scalar<int32_t>(), 5);
  EXPECT_EQ((*out)[1].scalar<int32_t>(), 7);
  EXPECT_THAT(Values<float>((*out)[2]), ElementsAre(0, 0, 7, 8, 9, 9));
}

TEST(DataFlowTensorArray, EmptyGatherNeedsElementShape) {
  // TF: zero elements gather to shape [0] + element_shape when it is fully
  // defined, else Unimplemented.
  graph::Graph g;
  auto ta = ops::TensorArrayV3(g, I32(g, 0), DT_FLOAT);
  ops::TensorArrayGatherV3(g, ta.handle, I32s(g, {}), ta.flow, DT_FLOAT, Shape{3}, "ok");
  ops::TensorArrayGatherV3(g, ta.handle, I32s(g, {}), ta.flow, DT_FLOAT, Shape{-1}, "bad");
  auto out = RunGraph(g, {"ok"});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), (Shape{0, 3}));
  EXPECT_THAT(RunGraph(g, {"bad"}).status(),
              StatusIs(Code::kUnimplemented, "TensorArray has size zero, but element shape [?] "
                                             "is not fully defined."));
}

TEST(DataFlowTensorArray, EachRunHasItsOwnArrays) {
  // Per-Run state: the second run starts from a fresh array (a write of the
  // same index does not fail as "already written").
  graph::Graph g;
  auto ta = ops::TensorArrayV3(g, I32(g, 1), DT_FLOAT);
  auto f = ops::TensorArrayWriteV3(g, ta.handle, I32(g, 0), F32s(g, {1}, Shape{1}), ta.flow);
  ops::TensorArrayReadV3(g, ta.handle, I32(g, 0), f, DT_FLOAT, "read");
  ASSERT_TRUE(g.status().ok());
  auto session = kernels::NewSession(g);
  std::vector<Tensor> out;
  for (int run = 0; run < 3; ++run) {
    ASSERT_TRUE(session->Run({}, {"read"}, {}, &out).ok());
    EXPECT_THAT(Values<float>(out[0]), ElementsAre(1));
  }
}

// ---------------------------------------------------------------- errors

TEST(DataFlowTensorArray, ReadErrors) {
  graph::Graph g;
  auto ta = ops::TensorArrayV3(g, I32(g, 3), DT_FLOAT);
  auto f = ops::TensorArrayWriteV3(g, ta.handle, I32(g, 0), F32s(g, {1}, Shape{1}), ta.flow);
  ops::TensorArrayReadV3(g, ta.handle, I32(g, 1), f, DT_FLOAT, "unwritten");
  ops::TensorArrayReadV3(g, ta.handle, I32(g, 3), f, DT_FLOAT, "out_of_range");
  ops::TensorArrayReadV3(g, ta.handle, I32(g, -1), f, DT_FLOAT, "negative");
  ops::TensorArrayReadV3(g, ta.handle, I32(g, 0), f, DT_INT32, "wrong_dtype");
  auto r1 = ops::TensorArrayReadV3(g, ta.handle, I32(g, 0), f, DT_FLOAT, "first");
  ops::Op(g, {"TensorArrayReadV3", {ta.handle, I32(g, 0), f}, {ops::AttrType("dtype", DT_FLOAT)},
              {r1.node}, "second"});
  ops::TensorArrayReadV3(g, ta.handle, I32s(g, {0}), f, DT_FLOAT, "vector_index");
  // Reading an unwritten index with an unknown element shape (TF 1.15).
  EXPECT_THAT(RunGraph(g, {"unwritten"}).status(),
              StatusIs(Code::kInvalidArgument,
                       "TensorArray TensorArray_0: Could not read from TensorArray index 1.  "
                       "Furthermore, the element shape is not fully defined: <unknown>."));
  EXPECT_THAT(RunGraph(g, {"unwritten"}).status(), StatusIs(Code::kInvalidArgument, "{{node unwritten}}"));
  EXPECT_THAT(RunGraph(g, {"out_of_range"}).status(),
              StatusIs(Code::kInvalidArgument, "Tried to read from index 3 but array size is: 3"));
  EXPECT_THAT(RunGraph(g, {"negative"}).status(),
              StatusIs(Code::kInvalidArgument, "Tried to read from index -1 but array size is: 3"));
  EXPECT_THAT(RunGraph(g, {"wrong_dtype"}).status(),
              StatusIs(Code::kInvalidArgument,
                       "TensorArray dtype is float but Op requested dtype int32."));
  // clear_after_read (default): the second read of an index fails.
  EXPECT_THAT(RunGraph(g, {"second"}).status(),
              StatusIs(Code::kInvalidArgument,
                       "TensorArray TensorArray_0: Could not read index 0 twice because it was "
                       "cleared after a previous read (perhaps try setting clear_after_read = "
                       "false?)."));
  EXPECT_THAT(RunGraph(g, {"vector_index"}).status(),
              StatusIs(Code::kInvalidArgument, "TensorArray index must be scalar, but had shape: [1]"));
}

TEST(DataFlowTensorArray, WriteErrors) {
  graph::Graph g;
  auto ta = ops::TensorArrayV3(g, I32(g, 2), DT_FLOAT);
  auto v = F32s(g, {1}, Shape{1});
  ops::TensorArrayWriteV3(g, ta.handle, I32(g, 2), v, ta.flow, "out_of_range");
  ops::TensorArrayWriteV3(g, ta.handle, I32(g, 0), I32s(g, {1}), ta.flow, "wrong_dtype");
  auto w1 = ops::TensorArrayWriteV3(g, ta.handle, I32(g, 0), v, ta.flow, "w1");
  ops::TensorArrayWriteV3(g, ta.handle, I32(g, 0), v, w1, "twice");
  auto read = ops::TensorArrayReadV3(g, ta.handle, I32(g, 0), w1, DT_FLOAT, "read");
  ops::Op(g, {"TensorArrayWriteV3", {ta.handle, I32(g, 0), v, w1}, {}, {read.node}, "after_read"});
  EXPECT_THAT(RunGraph(g, {"out_of_range"}).status(),
              StatusIs(Code::kInvalidArgument,
                       "TensorArray TensorArray_0: Tried to write to index 2 but array is not "
                       "resizeable and size is: 2"));
  EXPECT_THAT(RunGraph(g, {"wrong_dtype"}).status(),
              StatusIs(Code::kInvalidArgument,
                       "TensorArray dtype is float but Op is trying to write dtype int32."));
  EXPECT_THAT(RunGraph(g, {"twice"}).status(),
              StatusIs(Code::kInvalidArgument,
                       "TensorArray TensorArray_0: Could not write to TensorArray index 0 because "
                       "it has already been written to."));
  EXPECT_THAT(RunGraph(g, {"after_read"}).status(),
              StatusIs(Code::kInvalidArgument,
                       "TensorArray TensorArray_0: Could not write to TensorArray index 0 because "
                       "it has already been read."));
}

TEST(DataFlowTensorArray, ShapeErrors) {
  graph::Graph g;
  ops::TensorArrayOptions o;
  o.element_shape = Shape{2};
  auto fixed = ops::TensorArrayV3(g, I32(g, 2), DT_FLOAT, o, "fixed");
  ops::TensorArrayWriteV3(g, fixed.handle, I32(g, 0), F32s(g, {1, 2, 3}, Shape{3}), fixed.flow,
                          "bad_shape");
  auto ta = ops::TensorArrayV3(g, I32(g, 2), DT_FLOAT, ReadMany(), "free");
  auto f0 = ops::TensorArrayWriteV3(g, ta.handle, I32(g, 0), F32s(g, {1, 2}, Shape{2}), ta.flow);
  auto f1 = ops::TensorArrayWriteV3(g, ta.handle, I32(g, 1), F32s(g, {1, 2, 3}, Shape{3}), f0);
  ops::TensorArrayGatherV3(g, ta.handle, I32s(g, {0, 1}), f1, DT_FLOAT, Shape::UnknownRank(),
                           "inconsistent");
  ops::TensorArrayGatherV3(g, ta.handle, I32s(g, {0}), f1, DT_FLOAT, Shape{5}, "mismatch");
  ops::TensorArrayGatherV3(g, fixed.handle, I32s(g, {0}), fixed.flow, DT_FLOAT, Shape{5}, "merge");
  ops::TensorArrayConcatV3(g, ta.handle, f0, DT_FLOAT, Shape::UnknownRank(), "scalar_concat");
  ops::TensorArraySplitV3(g, ta.handle, F32s(g, {1, 2, 3}, Shape{3}),
                          ops::Const(g, Tensor::FromVector<int64_t>({1, 1}, Shape{2})), ta.flow,
                          "bad_split");
  ops::TensorArrayScatterV3(g, ta.handle, I32s(g, {0, 5}), F32s(g, {1, 2}, Shape{2}), ta.flow,
                            "bad_scatter");
  ops::TensorArrayV3(g, I32(g, -1), DT_FLOAT, {}, "negative_size");
  // TF 1.15 LockedWriteOrAggregate / TensorArrayPackOrGatherOp / Split / Scatter.
  EXPECT_THAT(RunGraph(g, {"bad_shape"}).status(),
              StatusIs(Code::kInvalidArgument,
                       "TensorArray fixed_0: Could not write to TensorArray index 0 because the "
                       "value shape is [3] which is incompatible with the TensorArray's inferred "
                       "element shape: [2] (consider setting infer_shape=False)."));
  EXPECT_THAT(RunGraph(g, {"inconsistent"}).status(),
              StatusIs(Code::kInvalidArgument,
                       "TensorArray has inconsistent shapes.  Index 0 has shape: [2] but index 1 "
                       "has shape: [3]"));
  EXPECT_THAT(RunGraph(g, {"mismatch"}).status(),
              StatusIs(Code::kInvalidArgument,
                       "TensorArray was passed element_shape [5] which does not match the Tensor "
                       "at index 0: [2]"));
  // Gather's element_shape is merged into the array's (PartialTensorShape::MergeWith).
  EXPECT_THAT(RunGraph(g, {"merge"}).status(),
              StatusIs(Code::kInvalidArgument, "Incompatible shapes during merge: [2] vs. [5]"));
  EXPECT_THAT(RunGraph(g, {"bad_split"}).status(),
              StatusIs(Code::kInvalidArgument,
                       "Expected sum of lengths to be equal to values.shape[0], but sum of "
                       "lengths is 2 and value's shape is: [3]"));
  EXPECT_THAT(RunGraph(g, {"bad_scatter"}).status(),
              StatusIs(Code::kInvalidArgument, "Max scatter index must be < array size (5 vs. 2)"));
  EXPECT_THAT(RunGraph(g, {"negative_size"}).status(),
              StatusIs(Code::kInvalidArgument, "Size should be >= 0."));
}

TEST(DataFlowTensorArray, ConcatNeedsVectors) {
  graph::Graph g;
  auto ta = ops::TensorArrayV3(g, I32(g, 1), DT_FLOAT);
  auto f = ops::TensorArrayWriteV3(g, ta.handle, I32(g, 0), ops::Const(g, 1.0f), ta.flow);
  ops::TensorArrayConcatV3(g, ta.handle, f, DT_FLOAT, Shape::UnknownRank(), "concat");
  EXPECT_THAT(RunGraph(g, {"concat:0"}).status(),
              StatusIs(Code::kInvalidArgument,
                       "Concat saw a scalar shape at index 0 but requires at least vectors."));
}

TEST(DataFlowTensorArray, CloseThenUse) {
  graph::Graph g;
  auto ta = ops::TensorArrayV3(g, I32(g, 2), DT_FLOAT);
  auto* close = ops::TensorArrayCloseV3(g, ta.handle, "close");
  ops::Op(g, {"TensorArraySizeV3", {ta.handle, ta.flow}, {}, {close}, "size"});
  EXPECT_THAT(RunGraph(g, {}, {"close"}).status(), StatusIs(Code::kOk, ""));
  EXPECT_THAT(RunGraph(g, {"size"}).status(),
              StatusIs(Code::kInvalidArgument, "TensorArray TensorArray_0 has already been closed."));
}

TEST(DataFlowTensorArray, HandleMustBeATensorArray) {
  // A handle of another resource kind is not found as a TensorArray.
  graph::Graph g;
  auto stack = ops::StackV2(g, I32(g, -1), DT_FLOAT, "", "stack");
  ops::TensorArraySizeV3(g, stack, ops::Const(g, 0.0f), "size");
  EXPECT_THAT(RunGraph(g, {"size"}).status(),
              StatusIs(Code::kNotFound, "Resource _stacks/stack_0/TensorArray does not exist."));
}

// ---------------------------------------------------------------- gradients

TEST(DataFlowTensorArray, GradArrayAggregatesAndReadsZeros) {
  // TensorArrayGradV3 (TF 1.15 TensorArrayGradOp): same size; indices
  // written in the forward array read as zeros of their shape; writes add up.
  graph::Graph g;
  auto ta = ops::TensorArrayV3(g, I32(g, 2), DT_FLOAT);
  auto f0 = ops::TensorArrayWriteV3(g, ta.handle, I32(g, 0), F32s(g, {1, 2}, Shape{2}), ta.flow);
  auto f1 = ops::TensorArrayWriteV3(g, ta.handle, I32(g, 1), F32s(g, {3, 4}, Shape{2}), f0);
  auto grad = ops::TensorArrayGradV3(g, ta.handle, f1, "gradients", "grad");
  auto w0 = ops::TensorArrayWriteV3(g, grad.handle, I32(g, 0), F32s(g, {1, 1}, Shape{2}), grad.flow);
  // The same source names the same gradient array.
  auto again = ops::TensorArrayGradV3(g, ta.handle, w0, "gradients", "grad_again");
  auto w1 = ops::TensorArrayWriteV3(g, again.handle, I32(g, 0), F32s(g, {2, 2}, Shape{2}), again.flow);
  ops::TensorArraySizeV3(g, grad.handle, w1, "size");
  ops::TensorArrayReadV3(g, grad.handle, I32(g, 0), w1, DT_FLOAT, "sum");
  ops::TensorArrayReadV3(g, grad.handle, I32(g, 1), w1, DT_FLOAT, "zeros");
  auto out = RunGraph(g, {"size", "sum", "zeros", "grad:1"});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].scalar<int32_t>(), 2);
  EXPECT_THAT(Values<float>((*out)[1]), ElementsAre(3, 3));  // [1,1] + [2,2]
  EXPECT_THAT(Values<float>((*out)[2]), ElementsAre(0, 0));
  EXPECT_EQ((*out)[3].scalar<float>(), 0.0f);
  // Aggregating writes must agree in shape.
  graph::Graph g2;
  auto ta2 = ops::TensorArrayV3(g2, I32(g2, 1), DT_FLOAT);
  auto g0 = ops::TensorArrayWriteV3(g2, ta2.handle, I32(g2, 0), F32s(g2, {1, 2}, Shape{2}), ta2.flow);
  auto gr = ops::TensorArrayGradV3(g2, ta2.handle, g0, "gradients");
  ops::TensorArrayWriteV3(g2, gr.handle, I32(g2, 0), F32s(g2, {1}, Shape{1}), gr.flow, "bad");
  EXPECT_THAT(RunGraph(g2, {"bad"}).status(),
              StatusIs(Code::kInvalidArgument,
                       "TensorArray TensorArray_0@gradients: Could not aggregate to TensorArray "
                       "index 0 because the existing shape is [2] but the new input shape is [1]."));
}

// ---------------------------------------------------------------- stacks

TEST(DataFlowStack, PushPopLifo) {
  graph::Graph g;
  auto h = ops::StackV2(g, I32(g, -1), DT_FLOAT, "", "stack");
  auto p1 = ops::StackPushV2(g, h, ops::Const(g, 1.0f), false, "push1");
  auto p2 = ops::Op(g, {"StackPushV2", {h, ops::Const(g, 2.0f)}, {}, {p1.node}, "push2"});
  auto pop1 = ops::Op(g, {"StackPopV2", {h}, {ops::AttrType("elem_type", DT_FLOAT)}, {p2.node},
                          "pop1"});
  auto pop2 = ops::Op(g, {"StackPopV2", {h}, {ops::AttrType("elem_type", DT_FLOAT)}, {pop1.node},
                          "pop2"});
  ops::Op(g, {"StackPopV2", {h}, {ops::AttrType("elem_type", DT_FLOAT)}, {pop2.node}, "pop3"});
  auto out = RunGraph(g, {"push2", "pop1", "pop2"});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].scalar<float>(), 2.0f);  // push returns its input
  EXPECT_EQ((*out)[1].scalar<float>(), 2.0f);
  EXPECT_EQ((*out)[2].scalar<float>(), 1.0f);
  // TF stack.cc: "Stack[<name>_<id>] is empty when calling Pop()."
  EXPECT_THAT(RunGraph(g, {"pop3"}).status(),
              StatusIs(Code::kInvalidArgument, "Stack[stack_0] is empty when calling Pop()."));
}

TEST(DataFlowStack, Errors) {
  graph::Graph g;
  auto h = ops::StackV2(g, I32(g, 1), DT_FLOAT, "my_stack", "stack");
  auto p1 = ops::StackPushV2(g, h, ops::Const(g, 1.0f));
  ops::Op(g, {"StackPushV2", {h, ops::Const(g, 2.0f)}, {}, {p1.node}, "overflow"});
  ops::StackPushV2(g, h, ops::Const(g, 1), false, "wrong_type");
  auto* close = ops::StackCloseV2(g, h, "close");
  ops::Op(g, {"StackPushV2", {h, ops::Const(g, 2.0f)}, {}, {close}, "after_close"});
  ops::StackV2(g, I32s(g, {1}), DT_FLOAT, "", "bad_size");
  EXPECT_THAT(RunGraph(g, {"overflow"}).status(),
              StatusIs(Code::kInvalidArgument, "Stack[my_stack_0] overflowed its max_size (1)"));
  // TF prints the DataType enum numbers: DT_FLOAT = 1, DT_INT32 = 3.
  EXPECT_THAT(RunGraph(g, {"wrong_type"}).status(),
              StatusIs(Code::kInvalidArgument, "Must have type 1 but got 3"));
  EXPECT_THAT(RunGraph(g, {"after_close"}).status(),
              StatusIs(Code::kInvalidArgument, "Stack[my_stack_0] has already been closed."));
  EXPECT_THAT(RunGraph(g, {"bad_size"}).status(),
              StatusIs(Code::kInvalidArgument, "Stack size must be a scalar, but had shape: [1]"));
}

// ---------------------------------------------------------------- while loops

// A GraphDef written node by node, as tf.while_loop leaves it in a TF1 graph
// (the Merge's back edge names a NextIteration defined later, so the graph
// is imported rather than built op by op).
class GraphDefWriter {
 public:
  void Add(const std::string& name, const std::string& op, std::vector<std::string> inputs,
           std::vector<ops::Attr> attrs = {}) {
    tf::NodeDef* n = def_.add_node();
    n->set_name(name);
    n->set_op(op);
    for (auto& in : inputs) n->add_input(in);
    for (auto& a : attrs) (*n->mutable_attr())[a.name] = a.value;
  }
  void Const(const std::string& name, const Tensor& value, std::vector<std::string> control = {}) {
    Add(name, "Const", std::move(control),
        {ops::AttrTensor("value", value), ops::AttrType("dtype", value.dtype())});
  }
  void Enter(const std::string& name, const std::string& input, DataType t,
             const std::string& frame, bool is_constant) {
    Add(name, "Enter", {input},
        {ops::AttrType("T", t), ops::AttrString("frame_name", frame),
         ops::AttrBool("is_constant", is_constant), ops::AttrInt("parallel_iterations", 10)});
  }
  // The loop-variable plumbing of one variable: Merge(Enter, NextIteration),
  // Switch(Merge, LoopCond), Identity(Switch:1), Exit(Switch:0), and
  // NextIteration(next). `p` is the loop's name scope ("while/").
  void LoopVar(const std::string& p, const std::string& suffix, const std::string& init,
               DataType t, const std::string& frame) {
    Enter(p + "Enter" + suffix, init, t, frame, false);
    Add(p + "Merge" + suffix, "Merge", {p + "Enter" + suffix, p + "NextIteration" + suffix},
        {ops::AttrType("T", t), ops::AttrInt("N", 2)});
  }
  void LoopVarRest(const std::string& p, const std::string& suffix, const std::string& next,
                   DataType t) {
    Add(p + "Switch" + suffix, "Switch", {p + "Merge" + suffix, p + "LoopCond"},
        {ops::AttrType("T", t)});
    Add(p + "Identity" + suffix, "Identity", {p + "Switch" + suffix + ":1"}, {ops::AttrType("T", t)});
    Add(p + "NextIteration" + suffix, "NextIteration", {next}, {ops::AttrType("T", t)});
    Add(p + "Exit" + suffix, "Exit", {p + "Switch" + suffix}, {ops::AttrType("T", t)});
  }
  std::unique_ptr<graph::Graph> Build() {
    auto g = graph::GraphFromGraphDef(def_);
    EXPECT_TRUE(g.ok()) << g.status().ToString();
    return g.ok() ? std::move(*g) : nullptr;
  }

 private:
  tf::GraphDef def_;
};

// i = 0; while i < n: ta = ta.write(i, x[i] * 2); i += 1 — with x read from
// an input TensorArray filled by TensorArrayScatterV3 (tf.unstack), the form
// dynamic_rnn emits; then stacked with TensorArrayGatherV3.
std::unique_ptr<graph::Graph> TensorArrayLoop(int32_t n, const std::vector<float>& x) {
  const std::string frame = "while/while_context";
  const std::vector<int32_t> range = [&] {
    std::vector<int32_t> r(static_cast<size_t>(n));
    for (int32_t k = 0; k < n; ++k) r[static_cast<size_t>(k)] = k;
    return r;
  }();
  GraphDefWriter w;
  w.Const("x", Tensor::FromVector<float>(x, Shape{static_cast<int64_t>(x.size())}));
  w.Const("n", Tensor::Scalar<int32_t>(n));
  w.Add("input_ta", "TensorArrayV3", {"n"},
        {ops::AttrType("dtype", DT_FLOAT), ops::AttrString("tensor_array_name", "input_ta")});
  w.Const("TensorArrayUnstack/range", Tensor::FromVector<int32_t>(range, Shape{n}));
  w.Add("TensorArrayUnstack/TensorArrayScatter/TensorArrayScatterV3", "TensorArrayScatterV3",
        {"input_ta", "TensorArrayUnstack/range", "x", "input_ta:1"}, {ops::AttrType("T", DT_FLOAT)});
  w.Add("TensorArray", "TensorArrayV3", {"n"},
        {ops::AttrType("dtype", DT_FLOAT), ops::AttrShape("element_shape", Shape{})});
  w.Const("Const", Tensor::Scalar<int32_t>(0));
  // Loop variables: i and the output TensorArray's flow.
  w.LoopVar("while/", "", "Const", DT_INT32, frame);
  w.LoopVar("while/", "_1", "TensorArray:1", DT_FLOAT, frame);
  // Condition: i < n, n captured by a constant Enter.
  w.Enter("while/Less/Enter", "n", DT_INT32, frame, true);
  w.Add("while/Less", "Less", {"while/Merge", "while/Less/Enter"}, {ops::AttrType("T", DT_INT32)});
  w.Add("while/LoopCond", "LoopCond", {"while/Less"});
  // Body: read x[i] from input_ta (handle and flow are loop invariants).
  w.Enter("while/TensorArrayReadV3/Enter", "input_ta", DT_RESOURCE, frame, true);
  w.Enter("while/TensorArrayReadV3/Enter_1",
          "TensorArrayUnstack/TensorArrayScatter/TensorArrayScatterV3", DT_FLOAT, frame, true);
  w.Add("while/TensorArrayReadV3", "TensorArrayReadV3",
        {"while/TensorArrayReadV3/Enter", "while/Identity", "while/TensorArrayReadV3/Enter_1"},
        {ops::AttrType("dtype", DT_FLOAT)});
  // Constants in the body depend on the body's control pivot while/Identity.
  w.Const("while/mul/y", Tensor::Scalar<float>(2.0f), {"^while/Identity"});
  w.Add("while/mul", "Mul", {"while/TensorArrayReadV3", "while/mul/y"},
        {ops::AttrType("T", DT_FLOAT)});
  w.Enter("while/TensorArrayWrite/TensorArrayWriteV3/Enter", "TensorArray", DT_RESOURCE, frame,
          true);
  w.Add("while/TensorArrayWrite/TensorArrayWriteV3", "TensorArrayWriteV3",
        {"while/TensorArrayWrite/TensorArrayWriteV3/Enter", "while/Identity", "while/mul",
         "while/Identity_1"},
        {ops::AttrType("T", DT_FLOAT)});
  w.Const("while/add/y", Tensor::Scalar<int32_t>(1), {"^while/Identity"});
  w.Add("while/add", "Add", {"while/Identity", "while/add/y"}, {ops::AttrType("T", DT_INT32)});
  w.LoopVarRest("while/", "", "while/add", DT_INT32);
  w.LoopVarRest("while/", "_1", "while/TensorArrayWrite/TensorArrayWriteV3", DT_FLOAT);
  // After the loop: ta.stack().
  w.Add("TensorArrayStack/TensorArraySizeV3", "TensorArraySizeV3", {"TensorArray", "while/Exit_1"});
  w.Const("TensorArrayStack/range/start", Tensor::Scalar<int32_t>(0));
  w.Const("TensorArrayStack/range/delta", Tensor::Scalar<int32_t>(1));
  w.Add("TensorArrayStack/range", "Range",
        {"TensorArrayStack/range/start", "TensorArrayStack/TensorArraySizeV3",
         "TensorArrayStack/range/delta"},
        {ops::AttrType("Tidx", DT_INT32)});
  w.Add("TensorArrayStack/TensorArrayGatherV3", "TensorArrayGatherV3",
        {"TensorArray", "TensorArrayStack/range", "while/Exit_1"},
        {ops::AttrType("dtype", DT_FLOAT), ops::AttrShape("element_shape", Shape{})});
  return w.Build();
}

TEST(DataFlowWhileLoop, AccumulatesIntoTensorArray) {
  // x = [1.5, -2, 4] -> [2*1.5, 2*-2, 2*4] = [3, -4, 8]; the loop exits with i = 3.
  auto g = TensorArrayLoop(3, {1.5f, -2.0f, 4.0f});
  ASSERT_NE(g, nullptr);
  auto out = RunGraph(*g, {"TensorArrayStack/TensorArrayGatherV3", "while/Exit",
                           "TensorArrayStack/TensorArraySizeV3"});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), (Shape{3}));
  EXPECT_THAT(Values<float>((*out)[0]), ElementsAre(3.0f, -4.0f, 8.0f));
  EXPECT_EQ((*out)[1].scalar<int32_t>(), 3);
  EXPECT_EQ((*out)[2].scalar<int32_t>(), 3);
  // Static shape of the stacked result: [len(range)] + element_shape [].
  EXPECT_EQ(g->FindNode("TensorArrayStack/TensorArrayGatherV3")->output_shape(0), (Shape{-1}));
}

TEST(DataFlowWhileLoop, ManyIterationsAndRepeatedRuns) {
  // 100 iterations, element k = 2 * k; the session is reused across runs.
  std::vector<float> x(100);
  for (size_t k = 0; k < x.size(); ++k) x[k] = static_cast<float>(k);
  auto g = TensorArrayLoop(100, x);
  ASSERT_NE(g, nullptr);
  auto session = kernels::NewSession(*g);
  std::vector<Tensor> out;
  for (int run = 0; run < 3; ++run) {
    ASSERT_TRUE(session->Run({}, {"TensorArrayStack/TensorArrayGatherV3"}, {}, &out).ok());
    std::vector<float> want(100);
    for (size_t k = 0; k < want.size(); ++k) want[k] = 2.0f * static_cast<float>(k);
    EXPECT_THAT(Values<float>(out[0]), ElementsAreArray(want));
  }
}

TEST(DataFlowWhileLoop, ZeroIterations) {
  // n = 0: the body never runs; the exits carry the initial values and the
  // empty array stacks to shape [0] (element_shape [] is fully defined).
  auto g = TensorArrayLoop(0, {});
  ASSERT_NE(g, nullptr);
  auto out = RunGraph(*g, {"TensorArrayStack/TensorArrayGatherV3", "while/Exit"});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), (Shape{0}));
  EXPECT_EQ((*out)[1].scalar<int32_t>(), 0);
}

TEST(DataFlowWhileLoop, ErrorInsideLoopBody) {
  // The input array holds 2 elements but the loop reads 3: the third read
  // fails, naming the node inside the loop.
  auto g = TensorArrayLoop(3, {1.0f, 2.0f, 3.0f});
  ASSERT_NE(g, nullptr);
  // Shrink the input array: feed-free variant of the same graph with n = 3
  // but an input_ta of size 2 is built by editing the GraphDef.
  tf::GraphDef def = g->ToGraphDef();
  for (auto& node : *def.mutable_node()) {
    if (node.name() == "input_ta") node.set_input(0, "two");
    if (node.name() == "TensorArrayUnstack/range")
      ops::AttrTensor("value", Tensor::FromVector<int32_t>({0, 1}, Shape{2}))
          .value.Swap(&(*node.mutable_attr())["value"]);
    if (node.name() == "x")
      ops::AttrTensor("value", Tensor::FromVector<float>({1, 2}, Shape{2}))
          .value.Swap(&(*node.mutable_attr())["value"]);
  }
  tf::NodeDef* two = def.add_node();
  two->set_name("two");
  two->set_op("Const");
  (*two->mutable_attr())["value"] = ops::AttrTensor("value", Tensor::Scalar<int32_t>(2)).value;
  (*two->mutable_attr())["dtype"] = ops::AttrType("dtype", DT_INT32).value;
  auto g2 = graph::GraphFromGraphDef(def);
  ASSERT_TRUE(g2.ok()) << g2.status().ToString();
  EXPECT_THAT(RunGraph(**g2, {"TensorArrayStack/TensorArrayGatherV3"}).status(),
              StatusIs(Code::kInvalidArgument,
                       "{{node while/TensorArrayReadV3}} (TensorArrayReadV3): Tried to read from "
                       "index 2 but array size is: 2"));
}

TEST(DataFlowWhileLoop, NestedLoops) {
  // acc = 0; i = 0
  // while i < 3:
  //   s = acc; j = 0
  //   while j < 2: s += i + j; j += 1
  //   acc = s; i += 1
  // acc = (0+1) + (1+2) + (2+3) = 9.
  const std::string outer = "while/while_context", inner = "while/while/while_context";
  GraphDefWriter w;
  w.Const("Const", Tensor::Scalar<int32_t>(0));
  w.Const("Const_1", Tensor::Scalar<int32_t>(0));
  w.LoopVar("while/", "", "Const", DT_INT32, outer);
  w.LoopVar("while/", "_1", "Const_1", DT_INT32, outer);
  // Outer condition: i < 3, its constant pivoted on while/Merge.
  w.Const("while/Less/y", Tensor::Scalar<int32_t>(3), {"^while/Merge"});
  w.Add("while/Less", "Less", {"while/Merge", "while/Less/y"}, {ops::AttrType("T", DT_INT32)});
  w.Add("while/LoopCond", "LoopCond", {"while/Less"});
  // Outer body: the inner loop over (j, s).
  w.Const("while/Const", Tensor::Scalar<int32_t>(0), {"^while/Identity"});
  w.LoopVar("while/while/", "", "while/Const", DT_INT32, inner);
  w.LoopVar("while/while/", "_1", "while/Identity_1", DT_INT32, inner);
  w.Const("while/while/Less/y", Tensor::Scalar<int32_t>(2), {"^while/while/Merge"});
  w.Add("while/while/Less", "Less", {"while/while/Merge", "while/while/Less/y"},
        {ops::AttrType("T", DT_INT32)});
  w.Add("while/while/LoopCond", "LoopCond", {"while/while/Less"});
  // Inner body: i (outer loop value) enters the inner frame as a constant.
  w.Enter("while/while/add/Enter", "while/Identity", DT_INT32, inner, true);
  w.Add("while/while/add", "Add", {"while/while/add/Enter", "while/while/Identity"},
        {ops::AttrType("T", DT_INT32)});
  w.Add("while/while/add_1", "Add", {"while/while/Identity_1", "while/while/add"},
        {ops::AttrType("T", DT_INT32)});
  w.Const("while/while/add_2/y", Tensor::Scalar<int32_t>(1), {"^while/while/Identity"});
  w.Add("while/while/add_2", "Add", {"while/while/Identity", "while/while/add_2/y"},
        {ops::AttrType("T", DT_INT32)});
  w.LoopVarRest("while/while/", "", "while/while/add_2", DT_INT32);
  w.LoopVarRest("while/while/", "_1", "while/while/add_1", DT_INT32);
  // Rest of the outer body: i += 1; acc = inner s.
  w.Const("while/add/y", Tensor::Scalar<int32_t>(1), {"^while/Identity"});
  w.Add("while/add", "Add", {"while/Identity", "while/add/y"}, {ops::AttrType("T", DT_INT32)});
  w.LoopVarRest("while/", "", "while/add", DT_INT32);
  w.LoopVarRest("while/", "_1", "while/while/Exit_1", DT_INT32);
  auto g = w.Build();
  ASSERT_NE(g, nullptr);
  auto session = kernels::NewSession(*g);
  std::vector<Tensor> out;
  for (int run = 0; run < 2; ++run) {
    Status s = session->Run({}, {"while/Exit", "while/Exit_1"}, {}, &out);
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(out[0].scalar<int32_t>(), 3);
    EXPECT_EQ(out[1].scalar<int32_t>(), 9);
  }
}

TEST(DataFlowWhileLoop, StackPushedInOneLoopPoppedInAnother) {
  // The pattern of tf.while_loop's gradient: a forward loop pushes i * 10 on
  // a stack for i = 0, 1, 2; a second loop pops three times summing the
  // values: 20 + 10 + 0 = 30, popped in the order 20, 10, 0.
  const std::string f1 = "fwd/while_context", f2 = "bwd/while_context";
  GraphDefWriter w;
  w.Const("max_size", Tensor::Scalar<int32_t>(-1));
  w.Add("stack", "StackV2", {"max_size"}, {ops::AttrType("elem_type", DT_INT32)});
  w.Const("zero", Tensor::Scalar<int32_t>(0));
  // Forward loop over i.
  w.LoopVar("fwd/", "", "zero", DT_INT32, f1);
  w.Const("fwd/Less/y", Tensor::Scalar<int32_t>(3), {"^fwd/Merge"});
  w.Add("fwd/Less", "Less", {"fwd/Merge", "fwd/Less/y"}, {ops::AttrType("T", DT_INT32)});
  w.Add("fwd/LoopCond", "LoopCond", {"fwd/Less"});
  w.Enter("fwd/StackPushV2/Enter", "stack", DT_RESOURCE, f1, true);
  w.Const("fwd/mul/y", Tensor::Scalar<int32_t>(10), {"^fwd/Identity"});
  w.Add("fwd/mul", "Mul", {"fwd/Identity", "fwd/mul/y"}, {ops::AttrType("T", DT_INT32)});
  w.Add("fwd/StackPushV2", "StackPushV2", {"fwd/StackPushV2/Enter", "fwd/mul"},
        {ops::AttrType("T", DT_INT32)});
  w.Const("fwd/add/y", Tensor::Scalar<int32_t>(1), {"^fwd/Identity"});
  // i += 1 only after the push (a control edge keeps iterations in order).
  w.Add("fwd/add", "Add", {"fwd/Identity", "fwd/add/y", "^fwd/StackPushV2"},
        {ops::AttrType("T", DT_INT32)});
  w.LoopVarRest("fwd/", "", "fwd/add", DT_INT32);
  // Backward loop over (k, sum), started by the forward loop's exit.
  w.Add("bwd_start", "Identity", {"zero", "^fwd/Exit"}, {ops::AttrType("T", DT_INT32)});
  w.LoopVar("bwd/", "", "bwd_start", DT_INT32, f2);
  w.LoopVar("bwd/", "_1", "bwd_start", DT_INT32, f2);
  w.Const("bwd/Less/y", Tensor::Scalar<int32_t>(3), {"^bwd/Merge"});
  w.Add("bwd/Less", "Less", {"bwd/Merge", "bwd/Less/y"}, {ops::AttrType("T", DT_INT32)});
  w.Add("bwd/LoopCond", "LoopCond", {"bwd/Less"});
  w.Enter("bwd/StackPopV2/Enter", "stack", DT_RESOURCE, f2, true);
  w.Add("bwd/StackPopV2", "StackPopV2", {"bwd/StackPopV2/Enter", "^bwd/Identity_1"},
        {ops::AttrType("elem_type", DT_INT32)});
  // Each pop times (k + 1) weights the order: 20*1 + 10*2 + 0*3 = 40.
  w.Const("bwd/add/y", Tensor::Scalar<int32_t>(1), {"^bwd/Identity"});
  w.Add("bwd/add", "Add", {"bwd/Identity", "bwd/add/y"}, {ops::AttrType("T", DT_INT32)});
  w.Add("bwd/mul", "Mul", {"bwd/StackPopV2", "bwd/add"}, {ops::AttrType("T", DT_INT32)});
  w.Add("bwd/add_1", "Add", {"bwd/Identity_1", "bwd/mul"}, {ops::AttrType("T", DT_INT32)});
  w.LoopVarRest("bwd/", "", "bwd/add", DT_INT32);
  w.LoopVarRest("bwd/", "_1", "bwd/add_1", DT_INT32);
  auto g = w.Build();
  ASSERT_NE(g, nullptr);
  auto out = RunGraph(*g, {"bwd/Exit_1", "fwd/Exit"});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].scalar<int32_t>(), 40);
  EXPECT_EQ((*out)[1].scalar<int32_t>(), 3);
}

// ---------------------------------------------------------------- fixture

TEST(DataFlowFixture, OcamlLstmRunsItsWhileLoop) {
  // ocaml_lstm/lstm.pb: Keras LSTM(4) (hard_sigmoid gates: clip(0.2 z + 0.5,
  // 0, 1)) unrolled by a TF1 while loop over 2 time steps writing to a
  // TensorArray, then TimeDistributed(Dense(1, sigmoid)). The variables'
  // read tensors are fed with fixed weights (its initializers are random):
  // kernel = 0.1, recurrent_kernel = 0.05, bias (i, f, c, o) = (0.5, 1, -0.3,
  // 0.2), dense W = [0.25, -0.5, 1, 0.75], b = 0.1; x = [[1,2,3],[4,5,6]].
  // By hand (every unit equal, sum(W) = 1.5):
  //   t1: z = 0.6 + bias; c1 = hs(1.1) tanh(0.3) = 0.72 * 0.2913126 = 0.2097451;
  //       h1 = hs(0.8) tanh(c1) = 0.66 * 0.2067225 = 0.1364368;
  //       y1 = sigmoid(1.5 h1 + 0.1) = 0.5755801.
  //   t2: z = 1.5 + 4 * 0.05 * h1 + bias = 1.5272874 + bias;
  //       c2 = hs(2.5272874) c1 + hs(2.0272874) tanh(1.2272874)
  //          = 1 (clipped) * c1 + 0.9054575 * 0.8417907 = 0.9719508;
  //       h2 = hs(1.7272874) tanh(c2) = 0.8454575 * 0.7495603 = 0.6337213;
  //       y2 = sigmoid(1.5 h2 + 0.1) = 0.7408866.
  TFPORT_REQUIRE_FIXTURE("ocaml_lstm/lstm.pb");
  tf::GraphDef def;
  ASSERT_TRUE(def.ParseFromString(
      tfport::testing::ReadFileOrDie(tfport::testing::FixturePath("ocaml_lstm/lstm.pb"))));
  // The graph (producer 21) declares the input with `shape {}`, which
  // TensorFlow reads as an unknown shape for producers <= 21 (Placeholder's
  // shape function); say so explicitly until tfport applies that rule.
  ASSERT_LE(def.versions().producer(), 21);
  for (auto& node : *def.mutable_node())
    if (node.name() == "lstm_1_input")
      (*node.mutable_attr())["shape"].mutable_shape()->set_unknown_rank(true);
  auto g = graph::GraphFromGraphDef(def);
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  auto filled = [](Shape shape, float v) {
    Tensor t(DT_FLOAT, shape);
    for (float& x : t.flat<float>()) x = v;
    return t;
  };
  std::vector<float> bias;
  for (float b : {0.5f, 1.0f, -0.3f, 0.2f}) bias.insert(bias.end(), 4, b);
  auto session = kernels::NewSession(**g);
  std::vector<Tensor> out;
  Status s = session->Run(
      {{"lstm_1_input:0", Tensor::FromVector<float>({1, 2, 3, 4, 5, 6}, Shape{1, 2, 3})},
       {"lstm_1/kernel/read:0", filled(Shape{3, 16}, 0.1f)},
       {"lstm_1/recurrent_kernel/read:0", filled(Shape{4, 16}, 0.05f)},
       {"lstm_1/bias/read:0", Tensor::FromVector<float>(bias, Shape{16})},
       {"time_distributed_1/kernel/read:0",
        Tensor::FromVector<float>({0.25f, -0.5f, 1.0f, 0.75f}, Shape{4, 1})},
       {"time_distributed_1/bias/read:0", Tensor::FromVector<float>({0.1f}, Shape{1})}},
      {"time_distributed_1/Sigmoid:0"}, {}, &out);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_EQ(out[0].num_elements(), 2);
  EXPECT_NEAR(out[0].flat<float>()[0], 0.5755801f, 1e-5);
  EXPECT_NEAR(out[0].flat<float>()[1], 0.7408866f, 1e-5);
}

}  // namespace
}  // namespace tfport
