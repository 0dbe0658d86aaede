// The TensorList ops through a Session: OpDefs against TensorFlow 2.x's
// list_ops.cc, round trips, TensorFlow's documented behaviour for unset
// elements (zeros when the element shape is known, an error otherwise), the
// immutability of lists, ZerosLike on a list, and the error texts of
// TensorFlow's list_kernels (quoted per test). Expected values are hand
// arithmetic on the small inputs shown.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "kernels/data_flow/tensor_list.h"
#include "support/graph_values.h"
#include "support/status_matchers.h"
#include "tfport/graph/array_ops.h"
#include "tfport/graph/ops.h"
#include "tfport/kernels/kernels.h"

namespace tfport {
namespace {

using graph::Graph;
using graph::Output;
using ::testing::ElementsAre;
using tfport::testing::StatusIs;
using tfport::testing::F32s;
using tfport::testing::I32;
using tfport::testing::I32s;
using tfport::testing::I64s;
using tfport::testing::Values;



// The list builders used below (attrs not given take the OpDef defaults;
// shape_type and element_dtype are inferred from inputs where they appear).
Output Reserve(Graph& g, Output shape, int32_t n, DataType dtype, const std::string& name = "") {
  return ops::Op(g, {"TensorListReserve", {shape, I32(g, n)},
                     {ops::AttrType("element_dtype", dtype)}, {}, name});
}
Output Empty(Graph& g, Output shape, int32_t max, DataType dtype, const std::string& name = "") {
  return ops::Op(g, {"EmptyTensorList", {shape, I32(g, max)},
                     {ops::AttrType("element_dtype", dtype)}, {}, name});
}
Output SetItem(Graph& g, Output list, int32_t i, Output item, const std::string& name = "",
               std::vector<ops::Attr> attrs = {}) {
  return ops::Op(g, {"TensorListSetItem", {list, I32(g, i), item}, std::move(attrs), {}, name});
}
Output GetItem(Graph& g, Output list, int32_t i, Output shape, DataType dtype,
               const std::string& name = "") {
  return ops::Op(g, {"TensorListGetItem", {list, I32(g, i), shape},
                     {ops::AttrType("element_dtype", dtype)}, {}, name});
}
Output Stack(Graph& g, Output list, Output shape, DataType dtype, const std::string& name = "",
             int64_t num_elements = -1) {
  return ops::Op(g, {"TensorListStack", {list, shape},
                     {ops::AttrType("element_dtype", dtype),
                      ops::AttrInt("num_elements", num_elements)},
                     {}, name});
}
Output Length(Graph& g, Output list, const std::string& name = "") {
  return ops::Op(g, {"TensorListLength", {list}, {}, {}, name});
}
Output PushBack(Graph& g, Output list, Output item, const std::string& name = "") {
  return ops::Op(g, {"TensorListPushBack", {list, item}, {}, {}, name});
}
Output FromTensor(Graph& g, Output t, Output shape, const std::string& name = "") {
  return ops::Op(g, {"TensorListFromTensor", {t, shape}, {}, {}, name});
}

// TensorListConcatV2 as node `name` (outputs name:0 tensor, name:1 lengths).
graph::Node* ConcatV2(Graph& g, Output list, Output shape, const std::vector<int64_t>& leading,
                      DataType dtype, const std::string& name) {
  return ops::AddOp(g, {"TensorListConcatV2", {list, shape, I64s(g, leading)},
                        {ops::AttrType("element_dtype", dtype)}, {}, name});
}

Result<std::vector<Tensor>> RunGraph(const Graph& g, const std::vector<std::string>& fetches) {
  if (!g.status().ok()) return g.status();
  auto session = kernels::NewSession(g);
  std::vector<Tensor> out;
  TFPORT_RETURN_IF_ERROR(session->Run({}, fetches, {}, &out));
  return out;
}

// Runs the graph expecting an error; returns it.
Status RunError(const Graph& g, const std::vector<std::string>& fetches) {
  auto out = RunGraph(g, fetches);
  if (out.ok()) return errors::Internal("expected an error, the run succeeded");
  return out.status();
}

const tf::OpDef::AttrDef* FindAttrDef(const tf::OpDef& def, const std::string& name) {
  for (const auto& a : def.attr())
    if (a.name() == name) return &a;
  return nullptr;
}

// ---------------------------------------------------------------- OpDefs

TEST(TensorListOps, OpDefsMatchTensorFlow) {
  // TF 2.x list_ops.cc: handles are variant; element_shape is shape_type
  // (int32/int64) on the constructors and int32 on the readers.
  const auto& reg = graph::OpRegistry::Global();
  struct Expect {
    const char* op;
    std::vector<std::string> inputs, outputs, attrs;
  };
  const std::vector<Expect> expected = {
      {"EmptyTensorList", {"element_shape", "max_num_elements"}, {"handle"},
       {"element_dtype", "shape_type"}},
      {"TensorListReserve", {"element_shape", "num_elements"}, {"handle"},
       {"element_dtype", "shape_type"}},
      {"TensorListFromTensor", {"tensor", "element_shape"}, {"output_handle"},
       {"element_dtype", "shape_type"}},
      {"TensorListSetItem", {"input_handle", "index", "item"}, {"output_handle"},
       {"element_dtype", "resize_if_index_out_of_bounds"}},
      {"TensorListGetItem", {"input_handle", "index", "element_shape"}, {"item"},
       {"element_dtype"}},
      {"TensorListPushBack", {"input_handle", "tensor"}, {"output_handle"}, {"element_dtype"}},
      {"TensorListPopBack", {"input_handle", "element_shape"}, {"output_handle", "tensor"},
       {"element_dtype"}},
      {"TensorListStack", {"input_handle", "element_shape"}, {"tensor"},
       {"element_dtype", "num_elements"}},
      {"TensorListConcatV2", {"input_handle", "element_shape", "leading_dims"},
       {"tensor", "lengths"}, {"element_dtype", "shape_type"}},
      {"TensorListLength", {"input_handle"}, {"length"}, {}},
      {"TensorListElementShape", {"input_handle"}, {"element_shape"}, {"shape_type"}},
  };
  for (const auto& e : expected) {
    const tf::OpDef* def = reg.Find(e.op);
    ASSERT_NE(def, nullptr) << e.op;
    std::vector<std::string> in, out, attrs;
    for (const auto& a : def->input_arg()) in.push_back(a.name());
    for (const auto& a : def->output_arg()) out.push_back(a.name());
    for (const auto& a : def->attr()) attrs.push_back(a.name());
    EXPECT_EQ(in, e.inputs) << e.op;
    EXPECT_EQ(out, e.outputs) << e.op;
    EXPECT_EQ(attrs, e.attrs) << e.op;
    EXPECT_FALSE(def->is_stateful()) << e.op;
  }
  const tf::OpDef* reserve = reg.Find("TensorListReserve");
  EXPECT_EQ(reserve->input_arg(0).type_attr(), "shape_type");
  EXPECT_EQ(reserve->input_arg(1).type(), DT_INT32);
  EXPECT_EQ(reserve->output_arg(0).type(), DT_VARIANT);
  const auto* shape_type = FindAttrDef(*reserve, "shape_type");
  ASSERT_NE(shape_type, nullptr);
  EXPECT_THAT(shape_type->allowed_values().list().type(), ElementsAre(DT_INT32, DT_INT64));
  const tf::OpDef* get = reg.Find("TensorListGetItem");
  EXPECT_EQ(get->input_arg(0).type(), DT_VARIANT);
  EXPECT_EQ(get->input_arg(2).type(), DT_INT32);
  EXPECT_EQ(get->output_arg(0).type_attr(), "element_dtype");
  EXPECT_EQ(FindAttrDef(*reg.Find("TensorListStack"), "num_elements")->default_value().i(), -1);
  EXPECT_FALSE(FindAttrDef(*reg.Find("TensorListSetItem"), "resize_if_index_out_of_bounds")
                   ->default_value()
                   .b());
  EXPECT_EQ(reg.Find("TensorListLength")->output_arg(0).type(), DT_INT32);
}

TEST(TensorListOps, StaticShapes) {
  Graph g;
  auto l = Reserve(g, I32s(g, {2}), 3, DT_FLOAT);
  auto item = GetItem(g, l, 0, I32s(g, {2}), DT_FLOAT);
  auto item_unknown = GetItem(g, l, 0, I32(g, -1), DT_FLOAT);
  auto stacked3 = Stack(g, l, I32s(g, {2}), DT_FLOAT, "", 3);
  auto stacked = Stack(g, l, I32s(g, {-1, 4}), DT_FLOAT);
  graph::Node* pop = ops::AddOp(g, {"TensorListPopBack", {l, I32s(g, {2})},
                             {ops::AttrType("element_dtype", DT_FLOAT)}});
  ASSERT_TRUE(g.status().ok()) << g.status().ToString();
  EXPECT_EQ(l.dtype(), DT_VARIANT);
  EXPECT_EQ(l.shape(), Shape{});
  EXPECT_EQ(item.shape(), (Shape{2}));
  EXPECT_TRUE(item_unknown.shape().unknown_rank());
  EXPECT_EQ(stacked3.shape(), (Shape{3, 2}));   // [num_elements] + element_shape
  EXPECT_EQ(stacked.shape(), (Shape{-1, -1, 4}));  // num_elements -1: unknown leading dim
  EXPECT_EQ(pop->output(0).shape(), Shape{});
  EXPECT_EQ(pop->output(1).shape(), (Shape{2}));
  EXPECT_EQ(Length(g, l).shape(), Shape{});
}

// ---------------------------------------------------------------- round trips

TEST(TensorListOps, ReserveSetGetStack) {
  // A list of 3 float[2] slots; set 0 = [1,2] and 2 = [5,6]. Slot 1 stays
  // unset: GetItem and Stack give zeros for it (element shape [2] known).
  Graph g;
  auto l0 = Reserve(g, I32s(g, {2}), 3, DT_FLOAT, "l0");
  auto l1 = SetItem(g, l0, 0, F32s(g, {1, 2}, Shape{2}), "l1");
  auto l2 = SetItem(g, l1, 2, F32s(g, {5, 6}, Shape{2}), "l2");
  Length(g, l2, "len");
  GetItem(g, l2, 2, I32s(g, {2}), DT_FLOAT, "get2");
  GetItem(g, l2, 1, I32(g, -1), DT_FLOAT, "get1");
  GetItem(g, l1, 2, I32(g, -1), DT_FLOAT, "old_get2");  // l1 is unchanged by l2's SetItem
  Stack(g, l2, I32s(g, {2}), DT_FLOAT, "stack");
  Stack(g, l0, I32(g, -1), DT_FLOAT, "stack0");
  auto out = RunGraph(g, {"len", "get2", "get1", "old_get2", "stack", "stack0"});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].scalar<int32_t>(), 3);
  EXPECT_THAT(Values<float>((*out)[1]), ElementsAre(5, 6));
  EXPECT_EQ((*out)[2].shape(), (Shape{2}));
  EXPECT_THAT(Values<float>((*out)[2]), ElementsAre(0, 0));
  EXPECT_THAT(Values<float>((*out)[3]), ElementsAre(0, 0));
  EXPECT_EQ((*out)[4].shape(), (Shape{3, 2}));
  EXPECT_THAT(Values<float>((*out)[4]), ElementsAre(1, 2, 0, 0, 5, 6));
  EXPECT_EQ((*out)[5].shape(), (Shape{3, 2}));
  EXPECT_THAT(Values<float>((*out)[5]), ElementsAre(0, 0, 0, 0, 0, 0));
}

TEST(TensorListOps, ListsAreImmutableValues) {
  // Fetch the variant tensors themselves: l1 still has slot 1 unset after
  // l2 was derived from it, and the two share the tensor stored in slot 0.
  Graph g;
  auto l0 = Reserve(g, I32(g, -1), 2, DT_INT32, "l0");
  auto l1 = SetItem(g, l0, 0, I32s(g, {7}), "l1");
  SetItem(g, l1, 1, I32s(g, {8, 9}), "l2");
  ops::Identity(g, l1, "l1_copy");  // variants flow through generic kernels
  auto out = RunGraph(g, {"l0", "l1", "l2", "l1_copy"});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  for (const Tensor& t : *out) {
    EXPECT_EQ(t.dtype(), DT_VARIANT);
    EXPECT_EQ(t.shape(), Shape{});
  }
  const kernels::TensorList* a = kernels::TensorListFromTensor((*out)[0]);
  const kernels::TensorList* b = kernels::TensorListFromTensor((*out)[1]);
  const kernels::TensorList* c = kernels::TensorListFromTensor((*out)[2]);
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(a->TypeName(), "tensorflow::TensorList");
  EXPECT_EQ(a->element_dtype, DT_INT32);
  EXPECT_TRUE(a->element_shape.unknown_rank());
  ASSERT_EQ(a->tensors.size(), 2u);
  EXPECT_FALSE(a->tensors[0].initialized());
  ASSERT_EQ(b->tensors.size(), 2u);
  EXPECT_TRUE(b->tensors[0].initialized());
  EXPECT_FALSE(b->tensors[1].initialized());
  ASSERT_EQ(c->tensors.size(), 2u);
  EXPECT_TRUE(c->tensors[0].SharesBufferWith(b->tensors[0]));
  EXPECT_THAT(Values<int32_t>(c->tensors[1]), ElementsAre(8, 9));
  // Identity forwards the very same list value.
  EXPECT_EQ(kernels::TensorListFromTensor((*out)[3]), b);
}

TEST(TensorListOps, FromTensorGetItemStackElementShape) {
  // [[1,2,3],[4,5,6]] -> a list of two float[3] rows.
  Graph g;
  auto t = F32s(g, {1, 2, 3, 4, 5, 6}, Shape{2, 3});
  auto l = FromTensor(g, t, I32s(g, {3}), "l");
  Length(g, l, "len");
  GetItem(g, l, 1, I32(g, -1), DT_FLOAT, "row1");
  Stack(g, l, I32(g, -1), DT_FLOAT, "stack");
  ops::Op(g, {"TensorListElementShape", {l}, {ops::AttrType("shape_type", DT_INT32)}, {}, "es"});
  auto lu = FromTensor(g, t, I64s(g, {-1}), "lu");  // int64 shape with an unknown dim
  ops::Op(g, {"TensorListElementShape", {lu}, {ops::AttrType("shape_type", DT_INT64)}, {},
              "es_unknown_dim"});
  auto lr = FromTensor(g, t, I32(g, -1), "lr");  // unknown rank
  ops::Op(g, {"TensorListElementShape", {lr}, {ops::AttrType("shape_type", DT_INT32)}, {},
              "es_unknown_rank"});
  auto out = RunGraph(g, {"len", "row1", "stack", "es", "es_unknown_dim", "es_unknown_rank"});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].scalar<int32_t>(), 2);
  EXPECT_THAT(Values<float>((*out)[1]), ElementsAre(4, 5, 6));
  EXPECT_EQ((*out)[2].shape(), (Shape{2, 3}));
  EXPECT_THAT(Values<float>((*out)[2]), ElementsAre(1, 2, 3, 4, 5, 6));
  EXPECT_EQ((*out)[3].dtype(), DT_INT32);
  EXPECT_THAT(Values<int32_t>((*out)[3]), ElementsAre(3));
  EXPECT_EQ((*out)[4].dtype(), DT_INT64);
  EXPECT_THAT(Values<int64_t>((*out)[4]), ElementsAre(-1));
  EXPECT_EQ((*out)[5].shape(), Shape{});  // TF: scalar -1 for an unknown rank
  EXPECT_EQ((*out)[5].scalar<int32_t>(), -1);
}

TEST(TensorListOps, FromTensorOfStrings) {
  Graph g;
  auto t = ops::Const(g, Tensor::FromVector<std::string>({"a", "bc", "d", "ef"}, Shape{2, 2}));
  auto l = FromTensor(g, t, I32(g, -1));
  GetItem(g, l, 1, I32(g, -1), DT_STRING, "row1");
  Stack(g, l, I32(g, -1), DT_STRING, "stack");
  auto out = RunGraph(g, {"row1", "stack"});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_THAT(Values<std::string>((*out)[0]), ElementsAre("d", "ef"));
  EXPECT_EQ((*out)[1].shape(), (Shape{2, 2}));
  EXPECT_THAT(Values<std::string>((*out)[1]), ElementsAre("a", "bc", "d", "ef"));
}

TEST(TensorListOps, PushBackPopBack) {
  // Push 7 then 8 onto an empty int32 list: length 2, stack [7,8]; popping
  // gives 8 first, then 7.
  Graph g;
  auto e = Empty(g, I32(g, -1), -1, DT_INT32, "empty");
  auto l1 = PushBack(g, e, I32(g, 7));
  auto l2 = PushBack(g, l1, I32(g, 8), "l2");
  Length(g, l2, "len");
  Stack(g, l2, I32(g, -1), DT_INT32, "stack");
  graph::Node* pop1 = ops::AddOp(g, {"TensorListPopBack", {l2, I32(g, -1)},
                              {ops::AttrType("element_dtype", DT_INT32)}, {}, "pop1"});
  ops::AddOp(g, {"TensorListPopBack", {pop1->output(0), I32(g, -1)},
                 {ops::AttrType("element_dtype", DT_INT32)}, {}, "pop2"});
  Length(g, Output{g.FindNode("pop2"), 0}, "len_after");
  auto out = RunGraph(g, {"len", "stack", "pop1:1", "pop2:1", "len_after"});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].scalar<int32_t>(), 2);
  EXPECT_EQ((*out)[1].shape(), (Shape{2}));
  EXPECT_THAT(Values<int32_t>((*out)[1]), ElementsAre(7, 8));
  EXPECT_EQ((*out)[2].scalar<int32_t>(), 8);
  EXPECT_EQ((*out)[3].scalar<int32_t>(), 7);
  EXPECT_EQ((*out)[4].scalar<int32_t>(), 0);
}

TEST(TensorListOps, PopBackOfUnsetElementGivesZeros) {
  Graph g;
  auto l = Reserve(g, I32s(g, {2}), 1, DT_FLOAT);
  ops::AddOp(g, {"TensorListPopBack", {l, I32(g, -1)},
                 {ops::AttrType("element_dtype", DT_FLOAT)}, {}, "pop"});
  auto out = RunGraph(g, {"pop:1"});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_THAT(Values<float>((*out)[0]), ElementsAre(0, 0));
}

TEST(TensorListOps, UnsetElementShapeInferredFromSetElements) {
  // TF's GetItem: with an unknown element shape, an unset element takes the
  // shape the set elements agree on (here [2]) and reads as zeros.
  Graph g;
  auto l = Reserve(g, I32(g, -1), 2, DT_FLOAT);
  auto l1 = SetItem(g, l, 1, F32s(g, {3, 4}, Shape{2}));
  GetItem(g, l1, 0, I32(g, -1), DT_FLOAT, "get0");
  Stack(g, l1, I32(g, -1), DT_FLOAT, "stack");
  auto out = RunGraph(g, {"get0", "stack"});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), (Shape{2}));
  EXPECT_THAT(Values<float>((*out)[0]), ElementsAre(0, 0));
  EXPECT_EQ((*out)[1].shape(), (Shape{2, 2}));
  EXPECT_THAT(Values<float>((*out)[1]), ElementsAre(0, 0, 3, 4));
}

TEST(TensorListOps, StackUsesElementShapeInputForUnsetElements) {
  // No element set, list shape unknown, but Stack's element_shape [3] is
  // fully defined: two rows of zeros.
  Graph g;
  auto l = Reserve(g, I32(g, -1), 2, DT_FLOAT);
  Stack(g, l, I32s(g, {3}), DT_FLOAT, "stack");
  auto e = Empty(g, I32s(g, {2}), -1, DT_FLOAT);
  Stack(g, e, I32(g, -1), DT_FLOAT, "stack_empty");  // 0 x [2]
  auto out = RunGraph(g, {"stack", "stack_empty"});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), (Shape{2, 3}));
  EXPECT_THAT(Values<float>((*out)[0]), ElementsAre(0, 0, 0, 0, 0, 0));
  EXPECT_EQ((*out)[1].shape(), (Shape{0, 2}));
}

TEST(TensorListOps, SetItemResizeIfIndexOutOfBounds) {
  // resize_if_index_out_of_bounds: setting index 4 of a 2-element list grows
  // it to 5 elements.
  Graph g;
  auto l = Reserve(g, I32(g, -1), 2, DT_INT32);
  auto l1 = SetItem(g, l, 4, I32(g, 9), "",
                    {ops::AttrBool("resize_if_index_out_of_bounds", true)});
  Length(g, l1, "len");
  GetItem(g, l1, 4, I32(g, -1), DT_INT32, "get4");
  auto out = RunGraph(g, {"len", "get4"});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].scalar<int32_t>(), 5);
  EXPECT_EQ((*out)[1].scalar<int32_t>(), 9);
}

TEST(TensorListOps, ZerosLikeOfList) {
  // ZerosLike keeps length, dtype and element shape; set elements become
  // zeros of their own shape, unset ones stay unset.
  Graph g;
  auto l = Reserve(g, I32(g, -1), 2, DT_FLOAT);
  auto l1 = SetItem(g, l, 0, F32s(g, {1, 2, 3}, Shape{3}), "l1");
  auto z = ops::ZerosLike(g, l1, "z");
  Length(g, z, "len");
  GetItem(g, z, 0, I32(g, -1), DT_FLOAT, "z0");
  GetItem(g, l1, 0, I32(g, -1), DT_FLOAT, "l1_0");  // the source keeps its values
  auto out = RunGraph(g, {"z", "len", "z0", "l1_0"});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  const kernels::TensorList* zl = kernels::TensorListFromTensor((*out)[0]);
  ASSERT_NE(zl, nullptr);
  EXPECT_EQ(zl->element_dtype, DT_FLOAT);
  ASSERT_EQ(zl->tensors.size(), 2u);
  EXPECT_TRUE(zl->tensors[0].initialized());
  EXPECT_FALSE(zl->tensors[1].initialized());
  EXPECT_EQ((*out)[1].scalar<int32_t>(), 2);
  EXPECT_THAT(Values<float>((*out)[2]), ElementsAre(0, 0, 0));
  EXPECT_THAT(Values<float>((*out)[3]), ElementsAre(1, 2, 3));
}

TEST(TensorListOps, ZerosLikeVariantErrors) {
  // TF constant_op.cc: only scalar variant tensors.
  EXPECT_THAT(kernels::ZerosLikeVariant(Tensor(DT_VARIANT, Shape{2})),
              StatusIs(Code::kInvalidArgument,
                       "ZerosLike non-scalar Tensor with dtype=DT_VARIANT is not supported."));
  EXPECT_THAT(kernels::ZerosLikeVariant(Tensor(DT_VARIANT, Shape{})),
              StatusIs(Code::kInvalidArgument, "ZerosLike is not supported for variant"));
}

TEST(TensorListOps, ConcatV2JoinsAlongTheFirstDimension) {
  // Elements [1,2], unset, [3] of a list with element shape [?]: the unset
  // one takes its length from leading_dims[1] = 2, i.e. two zeros.
  Graph g;
  auto l = Reserve(g, I32s(g, {-1}), 3, DT_FLOAT);
  auto l1 = SetItem(g, l, 0, F32s(g, {1, 2}, Shape{2}));
  auto l2 = SetItem(g, l1, 2, F32s(g, {3}, Shape{1}));
  ConcatV2(g, l2, I32s(g, {-1}), {0, 2, 0}, DT_FLOAT, "c");
  // [[[1,2],[3,4]],[[5,6],[7,8]]] as a list of two [2,2] elements: rows stack up.
  auto l3 = FromTensor(g, F32s(g, {1, 2, 3, 4, 5, 6, 7, 8}, Shape{2, 2, 2}), I32(g, -1));
  graph::Node* c3 = ConcatV2(g, l3, I32(g, -1), {}, DT_FLOAT, "c3");
  // Every set element has first dim 1, so the unset one gets 1 as well.
  auto l4 = Reserve(g, I32s(g, {-1, 2}), 2, DT_FLOAT);
  auto l5 = SetItem(g, l4, 0, F32s(g, {1, 2}, Shape{1, 2}));
  ConcatV2(g, l5, I32(g, -1), {}, DT_FLOAT, "c5");
  // An empty list with a known row shape: a [0,3] tensor.
  ConcatV2(g, Empty(g, I32s(g, {-1, 3}), -1, DT_FLOAT), I32(g, -1), {}, DT_FLOAT, "c_empty");
  ASSERT_TRUE(g.status().ok()) << g.status().ToString();
  EXPECT_TRUE(c3->output(0).shape().unknown_rank());  // element_shape -1: rank unknown
  EXPECT_EQ(c3->output(1).shape(), (Shape{-1}));
  EXPECT_EQ(g.FindNode("c5")->output(0).shape().unknown_rank(), true);
  auto out = RunGraph(g, {"c:0", "c:1", "c3:0", "c3:1", "c5:0", "c5:1", "c_empty:0", "c_empty:1"});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), (Shape{5}));
  EXPECT_THAT(Values<float>((*out)[0]), ElementsAre(1, 2, 0, 0, 3));
  EXPECT_THAT(Values<int64_t>((*out)[1]), ElementsAre(2, 2, 1));
  EXPECT_EQ((*out)[2].shape(), (Shape{4, 2}));
  EXPECT_THAT(Values<float>((*out)[2]), ElementsAre(1, 2, 3, 4, 5, 6, 7, 8));
  EXPECT_THAT(Values<int64_t>((*out)[3]), ElementsAre(2, 2));
  EXPECT_EQ((*out)[4].shape(), (Shape{2, 2}));
  EXPECT_THAT(Values<float>((*out)[4]), ElementsAre(1, 2, 0, 0));
  EXPECT_THAT(Values<int64_t>((*out)[5]), ElementsAre(1, 1));
  EXPECT_EQ((*out)[6].shape(), (Shape{0, 3}));
  EXPECT_EQ((*out)[7].shape(), (Shape{0}));
}

TEST(TensorListOps, ConcatV2StaticShape) {
  Graph g;
  auto l = Reserve(g, I32s(g, {-1, 2}), 2, DT_FLOAT);
  graph::Node* c = ConcatV2(g, l, I32s(g, {-1, 2}), {}, DT_FLOAT, "c");
  ASSERT_TRUE(g.status().ok()) << g.status().ToString();
  EXPECT_EQ(c->output(0).shape(), (Shape{-1, 2}));
  EXPECT_EQ(c->output(1).shape(), (Shape{-1}));
}

// ---------------------------------------------------------------- errors
// Texts: TF list_kernels.cc / list_kernels.h.

TEST(TensorListErrors, GetItemIndexOutOfRange) {
  Graph g;
  auto l = Reserve(g, I32s(g, {2}), 2, DT_FLOAT);
  GetItem(g, l, 3, I32(g, -1), DT_FLOAT, "get");
  GetItem(g, l, -1, I32(g, -1), DT_FLOAT, "get_neg");
  Status s = RunError(g, {"get"});
  EXPECT_THAT(s, StatusIs(Code::kInvalidArgument,
                          "Trying to access element 3 in a list with 2 elements."));
  EXPECT_THAT(s, StatusIs(Code::kInvalidArgument, "{{node get}}"));  // the runtime names the node
  EXPECT_THAT(RunError(g, {"get_neg"}),
              StatusIs(Code::kInvalidArgument,
                       "Trying to access element -1 in a list with 2 elements."));
}

TEST(TensorListErrors, SetItemIndexOutOfRange) {
  Graph g;
  auto l = Reserve(g, I32s(g, {2}), 2, DT_FLOAT);
  SetItem(g, l, 5, F32s(g, {1, 2}, Shape{2}), "set");
  EXPECT_THAT(RunError(g, {"set"}),
              StatusIs(Code::kInvalidArgument,
                       "Trying to modify element 5 in a list with 2 elements."));
}

TEST(TensorListErrors, DtypeMismatch) {
  Graph g;
  auto l = Reserve(g, I32s(g, {2}), 2, DT_FLOAT);
  GetItem(g, l, 0, I32(g, -1), DT_INT32, "get");
  Stack(g, l, I32(g, -1), DT_DOUBLE, "stack");
  PushBack(g, l, I32s(g, {1, 2}), "push");
  EXPECT_THAT(RunError(g, {"get"}),
              StatusIs(Code::kInvalidArgument,
                       "Invalid data types; op elements int32 but list elements float"));
  EXPECT_THAT(RunError(g, {"stack"}),
              StatusIs(Code::kInvalidArgument,
                       "Invalid data types; op elements double but list elements float"));
  EXPECT_THAT(RunError(g, {"push"}),
              StatusIs(Code::kInvalidArgument,
                       "Invalid data types; op elements int32 but list elements float"));
}

TEST(TensorListErrors, IncompatibleShapes) {
  Graph g;
  auto l = Reserve(g, I32s(g, {2}), 2, DT_FLOAT);
  SetItem(g, l, 0, F32s(g, {1, 2, 3}, Shape{3}), "set");
  PushBack(g, l, F32s(g, {1, 2, 3}, Shape{3}), "push");
  GetItem(g, l, 0, I32s(g, {3}), DT_FLOAT, "get");  // [3] vs the list's [2]
  FromTensor(g, F32s(g, {1, 2, 3, 4, 5, 6}, Shape{2, 3}), I32s(g, {2}), "from");
  EXPECT_THAT(RunError(g, {"set"}),
              StatusIs(Code::kInvalidArgument,
                       "Tried to set a tensor with incompatible shape at a list index. Item "
                       "element shape: [3] list shape: [2]"));
  EXPECT_THAT(RunError(g, {"push"}),
              StatusIs(Code::kInvalidArgument,
                       "Tried to append a tensor with incompatible shape to a list. Op element "
                       "shape: [3] list shape: [2]"));
  EXPECT_THAT(RunError(g, {"get"}),
              StatusIs(Code::kInvalidArgument, "Incompatible shapes during merge: [3] vs. [2]"));
  EXPECT_THAT(RunError(g, {"from"}),
              StatusIs(Code::kInvalidArgument,
                       "Specified a list with shape [2] from a tensor with shape [3]"));
}

TEST(TensorListErrors, UnsetElementWithUnknownShape) {
  Graph g;
  auto l = Reserve(g, I32(g, -1), 2, DT_FLOAT);
  GetItem(g, l, 0, I32(g, -1), DT_FLOAT, "get");
  GetItem(g, l, 0, I32s(g, {-1, 2}), DT_FLOAT, "get_partial");
  Stack(g, l, I32(g, -1), DT_FLOAT, "stack");
  ops::AddOp(g, {"TensorListPopBack", {l, I32(g, -1)},
                 {ops::AttrType("element_dtype", DT_FLOAT)}, {}, "pop"});
  EXPECT_THAT(RunError(g, {"get"}),
              StatusIs(Code::kInvalidArgument,
                       "Trying to read an uninitialized tensor but element_shape is not fully "
                       "defined: <unknown> and no list element is set."));
  EXPECT_THAT(RunError(g, {"get_partial"}),
              StatusIs(Code::kInvalidArgument, "not fully defined: [?,2]"));
  EXPECT_THAT(RunError(g, {"stack"}),
              StatusIs(Code::kInvalidArgument,
                       "Tried to stack list which only contains uninitialized tensors and has a "
                       "non-fully-defined element_shape: <unknown>"));
  EXPECT_THAT(RunError(g, {"pop:1"}),
              StatusIs(Code::kInvalidArgument,
                       "Trying to read an uninitialized tensor but element_shape is not fully "
                       "defined"));
}

TEST(TensorListErrors, StackChecks) {
  Graph g;
  auto l = Reserve(g, I32s(g, {2}), 2, DT_FLOAT);
  Stack(g, l, I32(g, -1), DT_FLOAT, "stack3", /*num_elements=*/3);
  auto e = Empty(g, I32(g, -1), -1, DT_FLOAT);
  Stack(g, e, I32(g, -1), DT_FLOAT, "stack_empty");
  EXPECT_THAT(RunError(g, {"stack3"}),
              StatusIs(Code::kInvalidArgument,
                       "Operation expected a list with 3 elements but got a list with 2 "
                       "elements."));
  EXPECT_THAT(RunError(g, {"stack_empty"}),
              StatusIs(Code::kInvalidArgument,
                       "Tried to stack elements of an empty list with non-fully-defined "
                       "element_shape: <unknown>"));
}

TEST(TensorListErrors, PushIntoFullListAndPopFromEmpty) {
  Graph g;
  auto e = Empty(g, I32(g, -1), 1, DT_INT32);
  auto l1 = PushBack(g, e, I32(g, 1));
  PushBack(g, l1, I32(g, 2), "push2");
  ops::AddOp(g, {"TensorListPopBack", {e, I32(g, -1)},
                 {ops::AttrType("element_dtype", DT_INT32)}, {}, "pop"});
  EXPECT_THAT(RunError(g, {"push2"}),
              StatusIs(Code::kInvalidArgument,
                       "Tried to push item into a full list list size: 1 max_num_elements: 1"));
  EXPECT_THAT(RunError(g, {"pop:1"}),
              StatusIs(Code::kInvalidArgument, "Trying to pop from an empty list."));
}

TEST(TensorListErrors, BadShapeAndSizeInputs) {
  Graph g;
  Reserve(g, I32(g, 5), 2, DT_FLOAT, "scalar_shape");
  Reserve(g, I32s(g, {2}), -1, DT_FLOAT, "negative");
  Reserve(g, I32s(g, {-2}), 1, DT_FLOAT, "bad_dim");
  FromTensor(g, ops::Const(g, 1.0f), I32(g, -1), "from_scalar");
  EXPECT_THAT(RunError(g, {"scalar_shape"}),
              StatusIs(Code::kInvalidArgument,
                       "The only valid scalar shape tensor is the fully unknown shape specified "
                       "as -1."));
  EXPECT_THAT(RunError(g, {"negative"}),
              StatusIs(Code::kInvalidArgument,
                       "The num_elements to reserve must be a non negative number, but got -1"));
  EXPECT_THAT(RunError(g, {"bad_dim"}), StatusIs(Code::kInvalidArgument, "-2"));
  EXPECT_THAT(RunError(g, {"from_scalar"}),
              StatusIs(Code::kInvalidArgument,
                       "Tensor must be at least a vector, but saw shape: []"));
}

TEST(TensorListErrors, ConcatV2Checks) {
  // Set elements of lengths 2 and 1 leave the unset element 1 without a
  // length unless leading_dims gives one.
  Graph g;
  auto l = Reserve(g, I32s(g, {-1}), 3, DT_FLOAT);
  auto l1 = SetItem(g, l, 0, F32s(g, {1, 2}, Shape{2}));
  auto l2 = SetItem(g, l1, 2, F32s(g, {3}, Shape{1}));
  ConcatV2(g, l2, I32(g, -1), {}, DT_FLOAT, "no_leading");
  auto scalars = FromTensor(g, F32s(g, {1, 2}, Shape{2}), I32(g, -1));
  ConcatV2(g, scalars, I32(g, -1), {}, DT_FLOAT, "scalar_elems");
  ConcatV2(g, scalars, I32s(g, {}), {}, DT_FLOAT, "scalar_shape");
  ConcatV2(g, Empty(g, I32(g, -1), -1, DT_FLOAT), I32(g, -1), {}, DT_FLOAT, "empty_unknown");
  ConcatV2(g, l1, I32s(g, {3}), {0, 3}, DT_FLOAT, "bad_first");
  EXPECT_THAT(RunError(g, {"no_leading:0"}),
              StatusIs(Code::kInvalidArgument,
                       "List contains uninitialized tensor at index 1 but leading_dims has only 0 "
                       "elements."));
  EXPECT_THAT(RunError(g, {"scalar_elems:0"}),
              StatusIs(Code::kInvalidArgument,
                       "Concat saw a scalar shape at index 0 but requires at least vectors."));
  EXPECT_THAT(RunError(g, {"scalar_shape:0"}),
              StatusIs(Code::kInvalidArgument,
                       "Concat requires elements to be at least vectors, found scalars instead."));
  EXPECT_THAT(RunError(g, {"empty_unknown:0"}),
              StatusIs(Code::kInvalidArgument,
                       "All except the first dimension must be fully defined when concating an "
                       "empty tensor list. element_shape: <unknown>"));
  EXPECT_THAT(RunError(g, {"bad_first:0"}),
              StatusIs(Code::kInvalidArgument,
                       "First entry of element_shape input does not match the first dim of list "
                       "element at index: 0 Expected: 3 Actual: 2"));
}

TEST(TensorListErrors, InputThatIsNotAList) {
  // Feed variant tensors that hold no list into TensorListLength.
  Graph g;
  auto p = ops::Placeholder(g, DT_VARIANT, Shape::UnknownRank(), "p");
  Length(g, p, "len");
  ASSERT_TRUE(g.status().ok()) << g.status().ToString();
  auto session = kernels::NewSession(g);
  std::vector<Tensor> out;
  Status s = session->Run({{"p:0", Tensor(DT_VARIANT, Shape{})}}, {"len"}, {}, &out);
  EXPECT_THAT(s, StatusIs(Code::kInvalidArgument,
                          "Input handle is not a list. Saw: '<empty variant>'"));
  s = session->Run({{"p:0", Tensor(DT_VARIANT, Shape{2})}}, {"len"}, {}, &out);
  EXPECT_THAT(s, StatusIs(Code::kInvalidArgument, "Input list must be a scalar saw: [2]"));
}

}  // namespace
}  // namespace tfport
