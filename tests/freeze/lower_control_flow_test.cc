// freeze::LowerControlFlow: functional While / If / Case (and calls inside
// their bodies) rewritten as TF1 Enter/Merge/Switch/Exit/NextIteration/
// LoopCond dataflow. Graphs are hand-written GraphDef text in the form TF 2.x
// serializes tf.function graphs; after lowering no functional node and no
// library function may be left, and the lowered graph, run on its own in a
// fresh session, must give values worked out by hand in the comments (Case's
// out-of-range index taking the last branch and a nonzero integer predicate
// counting as true are TensorFlow's documented semantics).
#include <google/protobuf/text_format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "support/graph_values.h"
#include "support/status_matchers.h"
#include "tfport/freeze/lower_control_flow.h"
#include "tfport/graph/import.h"
#include "tfport/kernels/kernels.h"
#include "tfport/runtime/function.h"

namespace tfport {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using tfport::testing::StatusIs;

// ------------------------------------------------------------ text helpers

std::string Type(const std::string& dt) { return "type: " + dt; }

std::string Attr(const std::string& key, const std::string& value) {
  return "attr { key: '" + key + "' value { " + value + " } } ";
}

std::string Types(const std::vector<std::string>& dts) {
  std::string s = "list { ";
  for (const auto& t : dts) s += "type: " + t + " ";
  return s + "}";
}

std::string Placeholder(const std::string& name, const std::string& dt) {
  return "node { name: '" + name + "' op: 'Placeholder' " + Attr("dtype", Type(dt)) + "}\n";
}

// A scalar Const as a graph node ("node") or a function node ("node_def").
std::string Const(const std::string& kind, const std::string& name, const std::string& dt,
                  const std::string& value) {
  const std::string field = dt == "DT_FLOAT" ? "float_val" : dt == "DT_BOOL" ? "bool_val" : "int_val";
  return kind + " { name: '" + name + "' op: 'Const' " + Attr("dtype", Type(dt)) +
         Attr("value", "tensor { dtype: " + dt + " tensor_shape {} " + field + ": " + value + " }") + "}\n";
}

// A function node: op on inputs, with T (when given).
std::string FNode(const std::string& name, const std::string& op, const std::vector<std::string>& inputs,
                  const std::string& t = "", const std::string& extra = "") {
  std::string s = "node_def { name: '" + name + "' op: '" + op + "' ";
  for (const auto& in : inputs) s += "input: '" + in + "' ";
  if (!t.empty()) s += Attr("T", Type(t));
  return s + extra + "}\n";
}

// A function: signature (name:type pairs), body, rets (output -> tensor).
std::string Function(const std::string& name, const std::vector<std::pair<std::string, std::string>>& in,
                     const std::vector<std::pair<std::string, std::string>>& out, const std::string& body,
                     const std::vector<std::pair<std::string, std::string>>& rets) {
  std::string s = "function { signature { name: '" + name + "' ";
  for (const auto& [n, t] : in) s += "input_arg { name: '" + n + "' type: " + t + " } ";
  for (const auto& [n, t] : out) s += "output_arg { name: '" + n + "' type: " + t + " } ";
  s += "}\n" + body;
  for (const auto& [k, v] : rets) s += "ret { key: '" + k + "' value: '" + v + "' }\n";
  return s + "}\n";
}

std::string While(const std::string& name, const std::string& op, const std::vector<std::string>& inputs,
                  const std::vector<std::string>& types, const std::string& cond, const std::string& body,
                  const std::string& kind = "node") {
  std::string s = kind + " { name: '" + name + "' op: '" + op + "' ";
  for (const auto& in : inputs) s += "input: '" + in + "' ";
  return s + Attr("T", Types(types)) + Attr("cond", "func { name: '" + cond + "' }") +
         Attr("body", "func { name: '" + body + "' }") + Attr("parallel_iterations", "i: 10") + "}\n";
}

std::string If(const std::string& name, const std::string& op, const std::vector<std::string>& inputs,
               const std::string& tcond, const std::vector<std::string>& tin,
               const std::vector<std::string>& tout, const std::string& then_f, const std::string& else_f,
               const std::string& kind = "node") {
  std::string s = kind + " { name: '" + name + "' op: '" + op + "' ";
  for (const auto& in : inputs) s += "input: '" + in + "' ";
  return s + Attr("Tcond", Type(tcond)) + Attr("Tin", Types(tin)) + Attr("Tout", Types(tout)) +
         Attr("then_branch", "func { name: '" + then_f + "' }") +
         Attr("else_branch", "func { name: '" + else_f + "' }") + "}\n";
}

// ------------------------------------------------------------ running

tf::GraphDef ParseGraph(const std::string& text) {
  tf::GraphDef gd;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &gd)) << text;
  return gd;
}

Result<tf::GraphDef> Lower(const tf::GraphDef& gd) {
  TFPORT_ASSIGN_OR_RETURN(std::unique_ptr<graph::Graph> g, graph::GraphFromGraphDef(gd));
  runtime::FunctionLibraryRuntime functions(*g, &kernels::DefaultKernels());
  return freeze::LowerControlFlow(gd, functions);
}

tf::GraphDef LowerOk(const std::string& text) {
  Result<tf::GraphDef> lowered = Lower(ParseGraph(text));
  EXPECT_TRUE(lowered.ok()) << lowered.status().ToString();
  return lowered.ok() ? *lowered : tf::GraphDef();
}

std::multiset<std::string> Ops(const tf::GraphDef& gd) {
  std::multiset<std::string> ops;
  for (const auto& n : gd.node()) ops.insert(n.op());
  return ops;
}

// Nothing functional left: no control-flow or call nodes, no library.
void ExpectLowered(const tf::GraphDef& gd) {
  for (const auto& n : gd.node())
    for (const char* op : {"While", "StatelessWhile", "If", "StatelessIf", "Case", "StatelessCase",
                           "PartitionedCall", "StatefulPartitionedCall"})
      EXPECT_NE(n.op(), op) << n.name();
  EXPECT_EQ(gd.library().function_size(), 0);
}

const tf::NodeDef* FindNode(const tf::GraphDef& gd, const std::string& name) {
  for (const auto& n : gd.node())
    if (n.name() == name) return &n;
  return nullptr;
}

// ------------------------------------------------------------ While

// cond(i, s) = i < 10; body(i, s) = (i + 1, s + i). Both bodies hold a
// Const, which must run in the loop frame.
std::string SumLoopGraph() {
  return Placeholder("i0", "DT_INT32") + Const("node", "zero", "DT_INT32", "0") +
         While("w", "StatelessWhile", {"i0", "zero"}, {"DT_INT32", "DT_INT32"}, "lt10", "sum_body") +
         "node { name: 'twice' op: 'AddV2' input: 'w:1' input: 'w:1' " + Attr("T", Type("DT_INT32")) + "}\n" +
         "node { name: 'after' op: 'Identity' input: 'zero' input: '^w' " + Attr("T", Type("DT_INT32")) + "}\n" +
         "library {\n" +
         Function("lt10", {{"i", "DT_INT32"}, {"s", "DT_INT32"}}, {{"ok", "DT_BOOL"}},
                  Const("node_def", "ten", "DT_INT32", "10") +
                      FNode("lt", "Less", {"i", "ten:output:0"}, "DT_INT32"),
                  {{"ok", "lt:z:0"}}) +
         Function("sum_body", {{"i", "DT_INT32"}, {"s", "DT_INT32"}}, {{"i1", "DT_INT32"}, {"s1", "DT_INT32"}},
                  Const("node_def", "one", "DT_INT32", "1") +
                      FNode("inc", "AddV2", {"i", "one:output:0"}, "DT_INT32") +
                      FNode("acc", "AddV2", {"s", "i"}, "DT_INT32"),
                  {{"i1", "inc:z:0"}, {"s1", "acc:z:0"}}) +
         "}\n";
}

TEST(LowerControlFlow, StatelessWhileSumsItsCounter) {
  tf::GraphDef gd = LowerOk(SumLoopGraph());
  ExpectLowered(gd);
  const auto ops = Ops(gd);
  EXPECT_EQ(ops.count("Enter"), 2u);
  EXPECT_EQ(ops.count("Merge"), 2u);
  EXPECT_EQ(ops.count("Switch"), 2u);
  EXPECT_EQ(ops.count("Exit"), 2u);
  EXPECT_EQ(ops.count("NextIteration"), 2u);
  EXPECT_EQ(ops.count("LoopCond"), 1u);
  for (const auto& n : gd.node())
    if (n.op() == "Enter") {
      EXPECT_EQ(n.attr().at("frame_name").s(), "w");
      EXPECT_FALSE(n.attr().at("is_constant").b());
      EXPECT_EQ(n.attr().at("parallel_iterations").i(), 10);
    }
  // Data consumers read the Exit; control consumers still name the loop.
  const tf::NodeDef* twice = FindNode(gd, "twice");
  ASSERT_NE(twice, nullptr);
  EXPECT_EQ(twice->input(0), "w/Exit_1");
  const tf::NodeDef* after = FindNode(gd, "after");
  ASSERT_NE(after, nullptr);
  EXPECT_EQ(after->input(1), "^w");
  // The bodies' Consts hang off a pivot inside the frame.
  const tf::NodeDef* ten = FindNode(gd, "w/cond/ten");
  const tf::NodeDef* one = FindNode(gd, "w/body/one");
  ASSERT_NE(ten, nullptr);
  ASSERT_NE(one, nullptr);
  EXPECT_THAT(ten->input(), ElementsAre("^w/Merge_0"));
  EXPECT_THAT(one->input(), ElementsAre("^w/Identity_0"));

  // i0 = 0: i = 10, s = 0 + 1 + ... + 9 = 45, twice = 90.
  auto out = testing::RunGraphDef(gd, {{"i0", Tensor::Scalar<int32_t>(0)}}, {"w:0", "w:1", "twice:0", "after:0"});
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0].scalar<int32_t>(), 10);
  EXPECT_EQ(out[1].scalar<int32_t>(), 45);
  EXPECT_EQ(out[2].scalar<int32_t>(), 90);
  EXPECT_EQ(out[3].scalar<int32_t>(), 0);
  // i0 = 3: s = 3 + 4 + ... + 9 = 42.
  out = testing::RunGraphDef(gd, {{"i0", Tensor::Scalar<int32_t>(3)}}, {"w/Exit_1:0", "twice:0"});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].scalar<int32_t>(), 42);
  EXPECT_EQ(out[1].scalar<int32_t>(), 84);
  // i0 = 12: the body never runs.
  out = testing::RunGraphDef(gd, {{"i0", Tensor::Scalar<int32_t>(12)}}, {"w:0", "w:1"});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].scalar<int32_t>(), 12);
  EXPECT_EQ(out[1].scalar<int32_t>(), 0);
}

TEST(LowerControlFlow, TensorListLoopVariablesFlowThroughTheFrame) {
  // A DT_VARIANT loop variable: list[i] = float(i) for i < 4, then stacked.
  const std::string shape =
      "node { name: 'shape' op: 'Const' " + Attr("dtype", Type("DT_INT32")) +
      Attr("value", "tensor { dtype: DT_INT32 tensor_shape { dim { size: 0 } } }") + "}\n";
  const std::string text =
      shape + Const("node", "n", "DT_INT32", "4") + Const("node", "i0", "DT_INT32", "0") +
      "node { name: 'reserve' op: 'TensorListReserve' input: 'shape' input: 'n' " +
      Attr("element_dtype", Type("DT_FLOAT")) + Attr("shape_type", Type("DT_INT32")) + "}\n" +
      While("w", "While", {"i0", "reserve"}, {"DT_INT32", "DT_VARIANT"}, "lt4", "set_body") +
      "node { name: 'stack' op: 'TensorListStack' input: 'w:1' input: 'shape' " +
      Attr("element_dtype", Type("DT_FLOAT")) + Attr("num_elements", "i: 4") + "}\n" +
      "library {\n" +
      Function("lt4", {{"i", "DT_INT32"}, {"l", "DT_VARIANT"}}, {{"ok", "DT_BOOL"}},
               Const("node_def", "four", "DT_INT32", "4") +
                   FNode("lt", "Less", {"i", "four:output:0"}, "DT_INT32"),
               {{"ok", "lt:z:0"}}) +
      Function("set_body", {{"i", "DT_INT32"}, {"l", "DT_VARIANT"}}, {{"i1", "DT_INT32"}, {"l1", "DT_VARIANT"}},
               FNode("f", "Cast", {"i"}, "", Attr("SrcT", Type("DT_INT32")) + Attr("DstT", Type("DT_FLOAT"))) +
                   FNode("set", "TensorListSetItem", {"l", "i", "f:y:0"}, "", Attr("element_dtype", Type("DT_FLOAT"))) +
                   Const("node_def", "one", "DT_INT32", "1") +
                   FNode("inc", "AddV2", {"i", "one:output:0"}, "DT_INT32"),
               {{"i1", "inc:z:0"}, {"l1", "set:output_handle:0"}}) +
      "}\n";
  tf::GraphDef gd = LowerOk(text);
  ExpectLowered(gd);
  auto out = testing::RunGraphDef(gd, {}, {"stack:0"});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_THAT(out[0].flat<float>(), ElementsAre(0, 1, 2, 3));
}

// ------------------------------------------------------------ If

std::string IfFunctions() {
  // then(x) = (2x, 7), else(x) = (x - 1, -7): the second results are pure
  // constants, so only the pivots keep the untaken one from reaching Merge.
  return Function("then_f", {{"x", "DT_FLOAT"}}, {{"a", "DT_FLOAT"}, {"b", "DT_FLOAT"}},
                  Const("node_def", "two", "DT_FLOAT", "2") + FNode("m", "Mul", {"x", "two:output:0"}, "DT_FLOAT") +
                      Const("node_def", "seven", "DT_FLOAT", "7"),
                  {{"a", "m:z:0"}, {"b", "seven:output:0"}}) +
         Function("else_f", {{"x", "DT_FLOAT"}}, {{"a", "DT_FLOAT"}, {"b", "DT_FLOAT"}},
                  Const("node_def", "one", "DT_FLOAT", "1") + FNode("d", "Sub", {"x", "one:output:0"}, "DT_FLOAT") +
                      Const("node_def", "minus7", "DT_FLOAT", "-7"),
                  {{"a", "d:z:0"}, {"b", "minus7:output:0"}});
}

TEST(LowerControlFlow, IfTakesEitherBranch) {
  const std::string text =
      Placeholder("p", "DT_BOOL") + Placeholder("n", "DT_INT32") + Placeholder("x", "DT_FLOAT") +
      If("c", "StatelessIf", {"p", "x"}, "DT_BOOL", {"DT_FLOAT"}, {"DT_FLOAT", "DT_FLOAT"}, "then_f", "else_f") +
      If("ci", "If", {"n", "x"}, "DT_INT32", {"DT_FLOAT"}, {"DT_FLOAT", "DT_FLOAT"}, "then_f", "else_f") +
      "node { name: 'sum' op: 'AddV2' input: 'c:0' input: 'c:1' " + Attr("T", Type("DT_FLOAT")) + "}\n" +
      "library {\n" + IfFunctions() + "}\n";
  tf::GraphDef gd = LowerOk(text);
  ExpectLowered(gd);
  const auto ops = Ops(gd);
  EXPECT_EQ(ops.count("Merge"), 4u);
  EXPECT_EQ(ops.count("Cast"), 1u);  // the int32 predicate's truth value
  const tf::NodeDef* sum = FindNode(gd, "sum");
  ASSERT_NE(sum, nullptr);
  EXPECT_THAT(sum->input(), ElementsAre("c/Merge_0", "c/Merge_1"));
  const tf::NodeDef* seven = FindNode(gd, "c/then/seven");
  ASSERT_NE(seven, nullptr);
  EXPECT_THAT(seven->input(), ElementsAre("^c/pivot_t"));

  const Tensor x = Tensor::Scalar<float>(3);
  // p true: (2 * 3, 7) -> sum 13; p false: (3 - 1, -7) -> sum -5.
  auto out = testing::RunGraphDef(gd, {{"p", Tensor::Scalar<bool>(true)}, {"x", x}, {"n", Tensor::Scalar<int32_t>(5)}},
                 {"c:0", "c:1", "sum:0", "ci:0", "ci:1"});
  ASSERT_EQ(out.size(), 5u);
  EXPECT_EQ(out[0].scalar<float>(), 6);
  EXPECT_EQ(out[1].scalar<float>(), 7);
  EXPECT_EQ(out[2].scalar<float>(), 13);
  EXPECT_EQ(out[3].scalar<float>(), 6);  // 5 is true
  EXPECT_EQ(out[4].scalar<float>(), 7);
  out = testing::RunGraphDef(gd, {{"p", Tensor::Scalar<bool>(false)}, {"x", x}, {"n", Tensor::Scalar<int32_t>(0)}},
            {"c:0", "c:1", "sum:0", "ci:0", "ci:1"});
  ASSERT_EQ(out.size(), 5u);
  EXPECT_EQ(out[0].scalar<float>(), 2);
  EXPECT_EQ(out[1].scalar<float>(), -7);
  EXPECT_EQ(out[2].scalar<float>(), -5);
  EXPECT_EQ(out[3].scalar<float>(), 2);  // 0 is false
  EXPECT_EQ(out[4].scalar<float>(), -7);
}

TEST(LowerControlFlow, CaseRunsTheIndexedBranchAndTheLastOutOfRange) {
  auto branch = [](const std::string& name, const std::string& op, const std::string& k) {
    return Function(name, {{"x", "DT_FLOAT"}}, {{"y", "DT_FLOAT"}},
                    Const("node_def", "k", "DT_FLOAT", k) + FNode("r", op, {"x", "k:output:0"}, "DT_FLOAT"),
                    {{"y", "r:z:0"}});
  };
  const std::string text =
      Placeholder("idx", "DT_INT32") + Placeholder("x", "DT_FLOAT") +
      "node { name: 'case' op: 'StatelessCase' input: 'idx' input: 'x' " + Attr("Tin", Types({"DT_FLOAT"})) +
      Attr("Tout", Types({"DT_FLOAT"})) +
      Attr("branches", "list { func { name: 'b0' } func { name: 'b1' } func { name: 'b2' } }") + "}\n" +
      "library {\n" + branch("b0", "AddV2", "1") + branch("b1", "Mul", "10") + branch("b2", "Sub", "100") + "}\n";
  tf::GraphDef gd = LowerOk(text);
  ExpectLowered(gd);
  // x = 3: b0 = 3 + 1, b1 = 3 * 10, b2 = 3 - 100 (also for 7 and -1).
  const std::map<int32_t, float> expected = {{0, 4}, {1, 30}, {2, -97}, {7, -97}, {-1, -97}};
  for (const auto& [idx, want] : expected) {
    auto out = testing::RunGraphDef(gd, {{"idx", Tensor::Scalar<int32_t>(idx)}, {"x", Tensor::Scalar<float>(3)}}, {"case:0"});
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].scalar<float>(), want) << "index " << idx;
  }
}

// ------------------------------------------------------------ nesting

TEST(LowerControlFlow, IfAndCallInsideAWhileBody) {
  // for i in 0..4: s = (s + 10 if i < 3 else s * 2); i = inc(i), where inc
  // is a PartitionedCall whose Const must land in the loop frame:
  // s = 10, 20, 30, 60, 120.
  const std::string text =
      Const("node", "i0", "DT_INT32", "0") + Const("node", "s0", "DT_FLOAT", "0") +
      While("w", "StatelessWhile", {"i0", "s0"}, {"DT_INT32", "DT_FLOAT"}, "lt5", "body") + "library {\n" +
      Function("lt5", {{"i", "DT_INT32"}, {"s", "DT_FLOAT"}}, {{"ok", "DT_BOOL"}},
               Const("node_def", "five", "DT_INT32", "5") + FNode("lt", "Less", {"i", "five:output:0"}, "DT_INT32"),
               {{"ok", "lt:z:0"}}) +
      Function("body", {{"i", "DT_INT32"}, {"s", "DT_FLOAT"}}, {{"i1", "DT_INT32"}, {"s1", "DT_FLOAT"}},
               FNode("inc", "PartitionedCall", {"i"}, "",
                     Attr("Tin", Types({"DT_INT32"})) + Attr("Tout", Types({"DT_INT32"})) +
                         Attr("f", "func { name: 'inc_f' }")) +
                   Const("node_def", "three", "DT_INT32", "3") +
                   FNode("small", "Less", {"i", "three:output:0"}, "DT_INT32") +
                   If("branch", "StatelessIf", {"small:z:0", "s"}, "DT_BOOL", {"DT_FLOAT"}, {"DT_FLOAT"}, "add10",
                      "double", "node_def"),
               {{"i1", "inc:output:0"}, {"s1", "branch:output:0"}}) +
      Function("inc_f", {{"x", "DT_INT32"}}, {{"y", "DT_INT32"}},
               Const("node_def", "one", "DT_INT32", "1") + FNode("a", "AddV2", {"x", "one:output:0"}, "DT_INT32"),
               {{"y", "a:z:0"}}) +
      Function("add10", {{"x", "DT_FLOAT"}}, {{"y", "DT_FLOAT"}},
               Const("node_def", "ten", "DT_FLOAT", "10") + FNode("a", "AddV2", {"x", "ten:output:0"}, "DT_FLOAT"),
               {{"y", "a:z:0"}}) +
      Function("double", {{"x", "DT_FLOAT"}}, {{"y", "DT_FLOAT"}},
               Const("node_def", "two", "DT_FLOAT", "2") + FNode("m", "Mul", {"x", "two:output:0"}, "DT_FLOAT"),
               {{"y", "m:z:0"}}) +
      "}\n";
  tf::GraphDef gd = LowerOk(text);
  ExpectLowered(gd);
  // The call's Const inherits the body's pivot.
  const tf::NodeDef* one = FindNode(gd, "w/body/inc/one");
  ASSERT_NE(one, nullptr);
  EXPECT_THAT(one->input(), ElementsAre("^w/Identity_0"));
  auto out = testing::RunGraphDef(gd, {}, {"w:0", "w:1"});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].scalar<int32_t>(), 5);
  EXPECT_EQ(out[1].scalar<float>(), 120);
}

TEST(LowerControlFlow, WhileInsideAWhile) {
  // for i in 0..3: for j in 0..i-1: s += j + 1. Inner sums are 0, 1, 3, 6:
  // s = 10. The inner loop's start j = 0 is a Const of the outer body.
  const std::string i3 = "DT_INT32";
  const std::string text =
      Const("node", "i0", i3, "0") + Const("node", "s0", i3, "0") +
      While("outer", "StatelessWhile", {"i0", "s0"}, {i3, i3}, "outer_cond", "outer_body") + "library {\n" +
      Function("outer_cond", {{"i", i3}, {"s", i3}}, {{"ok", "DT_BOOL"}},
               Const("node_def", "four", i3, "4") + FNode("lt", "Less", {"i", "four:output:0"}, i3),
               {{"ok", "lt:z:0"}}) +
      Function("outer_body", {{"i", i3}, {"s", i3}}, {{"i1", i3}, {"s1", i3}},
               Const("node_def", "zero", i3, "0") +
                   While("inner", "StatelessWhile", {"zero:output:0", "i", "s"}, {i3, i3, i3}, "inner_cond",
                         "inner_body", "node_def") +
                   Const("node_def", "one", i3, "1") + FNode("inc", "AddV2", {"i", "one:output:0"}, i3),
               {{"i1", "inc:z:0"}, {"s1", "inner:output:2"}}) +
      Function("inner_cond", {{"j", i3}, {"n", i3}, {"s", i3}}, {{"ok", "DT_BOOL"}},
               FNode("lt", "Less", {"j", "n"}, i3), {{"ok", "lt:z:0"}}) +
      Function("inner_body", {{"j", i3}, {"n", i3}, {"s", i3}}, {{"j1", i3}, {"n1", i3}, {"s1", i3}},
               Const("node_def", "one", i3, "1") + FNode("inc", "AddV2", {"j", "one:output:0"}, i3) +
                   FNode("acc", "AddV2", {"s", "inc:z:0"}, i3),
               {{"j1", "inc:z:0"}, {"n1", "n"}, {"s1", "acc:z:0"}}) +
      "}\n";
  tf::GraphDef gd = LowerOk(text);
  ExpectLowered(gd);
  std::set<std::string> frames;
  for (const auto& n : gd.node())
    if (n.op() == "Enter") frames.insert(n.attr().at("frame_name").s());
  EXPECT_THAT(frames, ElementsAre("outer", "outer/body/inner"));
  auto out = testing::RunGraphDef(gd, {}, {"outer:0", "outer:1"});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].scalar<int32_t>(), 4);
  EXPECT_EQ(out[1].scalar<int32_t>(), 10);
}

TEST(LowerControlFlow, WhileInsideAnIfBranchInsideAWhile) {
  // for k in 0..2: t += (sum_{i<k} i  if k odd  else -1), the then branch
  // being a loop. k = 0: -1; k = 1: 0; k = 2: -1 -> t = -2. The untaken
  // branch's loop gets only dead inputs; it must neither run nor block.
  const std::string i3 = "DT_INT32";
  const std::string text =
      Const("node", "k0", i3, "0") + Const("node", "t0", i3, "0") +
      While("w", "StatelessWhile", {"k0", "t0"}, {i3, i3}, "lt3", "outer_body") + "library {\n" +
      Function("lt3", {{"k", i3}, {"t", i3}}, {{"ok", "DT_BOOL"}},
               Const("node_def", "three", i3, "3") + FNode("lt", "Less", {"k", "three:output:0"}, i3),
               {{"ok", "lt:z:0"}}) +
      Function("outer_body", {{"k", i3}, {"t", i3}}, {{"k1", i3}, {"t1", i3}},
               Const("node_def", "two", i3, "2") + FNode("r", "FloorMod", {"k", "two:output:0"}, i3) +
                   If("odd", "StatelessIf", {"r:z:0", "k"}, i3, {i3}, {i3}, "loop_sum", "minus_one", "node_def") +
                   FNode("acc", "AddV2", {"t", "odd:output:0"}, i3) + Const("node_def", "one", i3, "1") +
                   FNode("inc", "AddV2", {"k", "one:output:0"}, i3),
               {{"k1", "inc:z:0"}, {"t1", "acc:z:0"}}) +
      Function("loop_sum", {{"n", i3}}, {{"s", i3}},
               Const("node_def", "zero", i3, "0") +
                   While("sum", "StatelessWhile", {"zero:output:0", "n", "zero:output:0"}, {i3, i3, i3}, "i_lt_n",
                         "sum_i", "node_def"),
               {{"s", "sum:output:2"}}) +
      Function("minus_one", {{"n", i3}}, {{"s", i3}}, Const("node_def", "m", i3, "-1"), {{"s", "m:output:0"}}) +
      Function("i_lt_n", {{"i", i3}, {"n", i3}, {"s", i3}}, {{"ok", "DT_BOOL"}},
               FNode("lt", "Less", {"i", "n"}, i3), {{"ok", "lt:z:0"}}) +
      Function("sum_i", {{"i", i3}, {"n", i3}, {"s", i3}}, {{"i1", i3}, {"n1", i3}, {"s1", i3}},
               Const("node_def", "one", i3, "1") + FNode("inc", "AddV2", {"i", "one:output:0"}, i3) +
                   FNode("acc", "AddV2", {"s", "i"}, i3),
               {{"i1", "inc:z:0"}, {"n1", "n"}, {"s1", "acc:z:0"}}) +
      "}\n";
  tf::GraphDef gd = LowerOk(text);
  ExpectLowered(gd);
  auto out = testing::RunGraphDef(gd, {}, {"w:0", "w:1"});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].scalar<int32_t>(), 3);
  EXPECT_EQ(out[1].scalar<int32_t>(), -2);
}

// ------------------------------------------------------------ errors

TEST(LowerControlFlow, ErrorsNameTheNodeAndFunction) {
  // A body the library does not have.
  tf::GraphDef gd = ParseGraph(Const("node", "i0", "DT_INT32", "0") +
                               While("loop", "StatelessWhile", {"i0"}, {"DT_INT32"}, "nope_cond", "nope_body"));
  Result<tf::GraphDef> r = Lower(gd);
  EXPECT_THAT(r.status(), StatusIs(Code::kNotFound, "loop"));
  EXPECT_THAT(r.status().message(), HasSubstr("nope_cond"));

  // A string predicate has no Cast to bool.
  gd = ParseGraph(Placeholder("p", "DT_STRING") + Placeholder("x", "DT_FLOAT") +
                  If("sif", "StatelessIf", {"p", "x"}, "DT_STRING", {"DT_FLOAT"}, {"DT_FLOAT", "DT_FLOAT"}, "then_f",
                     "else_f") +
                  "library {\n" + IfFunctions() + "}\n");
  r = Lower(gd);
  EXPECT_THAT(r.status(), StatusIs(Code::kInvalidArgument, "sif"));
  EXPECT_THAT(r.status().message(), HasSubstr("DT_STRING"));

  // Branch results that do not match the node's outputs.
  gd = ParseGraph(Placeholder("p", "DT_BOOL") + Placeholder("x", "DT_FLOAT") +
                  If("one_out", "StatelessIf", {"p", "x"}, "DT_BOOL", {"DT_FLOAT"}, {"DT_FLOAT"}, "then_f", "else_f") +
                  "library {\n" + IfFunctions() + "}\n");
  r = Lower(gd);
  EXPECT_THAT(r.status(), StatusIs(Code::kInvalidArgument, "one_out"));
  EXPECT_THAT(r.status().message(), HasSubstr("then_f"));
}

}  // namespace
}  // namespace tfport
