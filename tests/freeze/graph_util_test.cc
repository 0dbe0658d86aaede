// graph_util: convert_variables_to_constants and friends (issue #5).
//
// Expected structure follows TensorFlow 1.15's graph_util_impl.py
// (formats.md §6.4): the subgraph the outputs need, in original order,
// variables as Consts under their own names, ReadVariableOp as Identity, no
// versions field. Numbers are the seed workflow's hand arithmetic
// (10*3+1 = 31, 5*5+1 = 26).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/status_matchers.h"
#include "support/temp_dir.h"
#include "tfport/core/tensor_proto.h"
#include "tfport/freeze/graph_util.h"
#include "tfport/graph/import.h"
#include "tfport/graph/ops.h"
#include "tfport/io/file.h"
#include "tfport/io/proto_io.h"
#include "tfport/kernels/kernels.h"

namespace tfport {
namespace {

using ::testing::ElementsAre;
using tfport::testing::StatusIs;

std::vector<std::string> Names(const tf::GraphDef& g) {
  std::vector<std::string> v;
  for (const auto& n : g.node()) v.push_back(n.name() + "=" + n.op());
  return v;
}

struct Seed {
  graph::Graph g;
  ops::Var b;
  std::unique_ptr<runtime::Session> session;
  explicit Seed(bool resource = false) {
    auto x = ops::Placeholder(g, DT_INT32, Shape{}, "input_x");
    auto y = ops::Placeholder(g, DT_INT32, Shape{}, "input_y");
    b = ops::Variable(g, Tensor::Scalar<int32_t>(1), "b", {.resource = resource});
    ops::Op(g, {"Add", {ops::Op(g, {"Mul", {x, y}}), b.value}, {}, {}, "sum"});
    ops::GlobalVariablesInitializer(g);
    session = kernels::NewSession(g);
    std::vector<Tensor> out;
    EXPECT_TRUE(session->Run({}, {}, {"init"}, &out).ok());
  }
};

int RunSum(const tf::GraphDef& frozen, int x, int y) {
  graph::Graph g;
  graph::ImportGraphDefOptions o;
  o.return_elements = {"input_x:0", "input_y:0", "sum:0"};
  auto r = graph::ImportGraphDef(&g, frozen, o);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (!r.ok()) return -1;
  auto s = kernels::NewSession(g);
  std::vector<Tensor> out;
  Status st = s->Run({{r->elements[0].name(), Tensor::Scalar<int32_t>(x)},
                      {r->elements[1].name(), Tensor::Scalar<int32_t>(y)}},
                     {r->elements[2].name()}, {}, &out);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return st.ok() ? out[0].scalar<int32_t>() : -1;
}

TEST(ConvertVariablesToConstants, SeedGraphFreezesToSixNodes) {
  Seed s;
  std::vector<std::string> log;
  freeze::ConvertOptions o;
  o.log = [&](const std::string& line) { log.push_back(line); };
  auto frozen = freeze::ConvertVariablesToConstants(*s.session, s.g.ToGraphDef(), {"sum"}, o);
  ASSERT_TRUE(frozen.ok()) << frozen.status().ToString();
  EXPECT_EQ(frozen->converted, 1);
  EXPECT_THAT(log, ElementsAre("Froze 1 variables.", "Converted 1 variables to const ops."));
  EXPECT_THAT(Names(frozen->graph_def),
              ElementsAre("input_x=Placeholder", "input_y=Placeholder", "b=Const",
                          "b/read=Identity", "Mul=Mul", "sum=Add"));
  EXPECT_FALSE(frozen->graph_def.has_versions());  // as TensorFlow's frozen graphs
  const tf::NodeDef& b = frozen->graph_def.node(2);
  EXPECT_EQ(b.attr().at("dtype").type(), DT_INT32);
  auto value = TensorFromProto(b.attr().at("value").tensor());
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(value->scalar<int32_t>(), 1);
  EXPECT_EQ(RunSum(frozen->graph_def, 5, 5), 26);
  EXPECT_EQ(RunSum(frozen->graph_def, 10, 3), 31);
}

TEST(ConvertVariablesToConstants, ResourceVariableReadsBecomeIdentity) {
  Seed s(/*resource=*/true);
  auto frozen = freeze::ConvertVariablesToConstants(*s.session, s.g.ToGraphDef(), {"sum"});
  ASSERT_TRUE(frozen.ok()) << frozen.status().ToString();
  EXPECT_EQ(frozen->converted, 1);
  EXPECT_THAT(Names(frozen->graph_def),
              ElementsAre("input_x=Placeholder", "input_y=Placeholder", "b=Const",
                          "b/Read/ReadVariableOp=Identity", "Mul=Mul", "sum=Add"));
  const tf::NodeDef& read = frozen->graph_def.node(3);
  EXPECT_EQ(read.attr().at("T").type(), DT_INT32);
  EXPECT_EQ(frozen->graph_def.node(2).attr().at("dtype").type(), DT_INT32);
  EXPECT_EQ(RunSum(frozen->graph_def, 5, 5), 26);
}

TEST(ConvertVariablesToConstants, BlacklistKeepsTheVariable) {
  Seed s;
  freeze::ConvertOptions o;
  o.blacklist = std::set<std::string>{"b"};
  auto frozen = freeze::ConvertVariablesToConstants(*s.session, s.g.ToGraphDef(), {"sum"}, o);
  ASSERT_TRUE(frozen.ok());
  EXPECT_EQ(frozen->converted, 0);
  EXPECT_EQ(frozen->graph_def.node(2).op(), "VariableV2");
  o.blacklist.reset();
  o.whitelist = std::set<std::string>{"other"};
  frozen = freeze::ConvertVariablesToConstants(*s.session, s.g.ToGraphDef(), {"sum"}, o);
  ASSERT_TRUE(frozen.ok());
  EXPECT_EQ(frozen->converted, 0);
}

TEST(ConvertVariablesToConstants, Errors) {
  Seed s;
  EXPECT_THAT(freeze::ConvertVariablesToConstants(*s.session, s.g.ToGraphDef(), {"total"}),
              StatusIs(Code::kInvalidArgument, "total is not in graph"));
  // An uninitialized variable: the session's error names it.
  Seed t;
  ops::Variable(t.g, Tensor::Scalar<float>(2.0f), "late");
  auto late_sum = ops::Op(t.g, {"Identity", {*t.g.GetTensorByName("late/read:0")}, {}, {}, "out"});
  (void)late_sum;
  EXPECT_THAT(freeze::ConvertVariablesToConstants(*t.session, t.g.ToGraphDef(), {"out"}),
              StatusIs(Code::kFailedPrecondition, "late"));
}

TEST(ExtractSubGraph, FollowsDataAndControlInputsKeepsOrder) {
  tf::GraphDef g;
  auto add = [&](const char* name, std::vector<std::string> inputs) {
    tf::NodeDef* n = g.add_node();
    n->set_name(name);
    n->set_op("NoOp");
    for (auto& i : inputs) n->add_input(i);
  };
  add("a", {});
  add("unused", {});
  add("c", {});
  add("b", {"a:1", "^c"});
  add("d", {"b"});
  g.mutable_versions()->set_producer(27);
  auto sub = freeze::ExtractSubGraph(g, {"d"});
  ASSERT_TRUE(sub.ok());
  EXPECT_THAT(Names(*sub), ElementsAre("a=NoOp", "c=NoOp", "b=NoOp", "d=NoOp"));
  EXPECT_EQ(sub->versions().producer(), 27);
  EXPECT_THAT(freeze::ExtractSubGraph(g, {"e"}), StatusIs(Code::kInvalidArgument, "e is not in graph"));
}

TEST(RemoveTrainingNodes, SplicesIdentityAndDropsCheckNumerics) {
  tf::GraphDef g;
  auto add = [&](const char* name, const char* op, std::vector<std::string> inputs) {
    tf::NodeDef* n = g.add_node();
    n->set_name(name);
    n->set_op(op);
    for (auto& i : inputs) n->add_input(i);
  };
  add("x", "Placeholder", {});
  add("id1", "Identity", {"x"});
  add("id2", "Identity", {"id1"});
  add("check", "CheckNumerics", {"id2"});
  add("dep", "NoOp", {});
  add("kept", "Identity", {"x", "^dep"});  // has a control input: kept
  add("y", "Relu", {"id2", "kept"});
  add("out", "Identity", {"y"});  // protected
  auto out = freeze::RemoveTrainingNodes(g, {"out"});
  EXPECT_THAT(Names(out), ElementsAre("x=Placeholder", "dep=NoOp", "kept=Identity", "y=Relu",
                                      "out=Identity"));
  EXPECT_THAT(std::vector<std::string>(out.node(3).input().begin(), out.node(3).input().end()),
              ElementsAre("x", "kept"));
  // A control input to a removed CheckNumerics disappears with it, and the
  // Identity that had it becomes spliceable (TensorFlow computes the
  // control-input sets after the removal).
  tf::GraphDef h;
  tf::NodeDef* a = h.add_node();
  a->set_name("x");
  a->set_op("Placeholder");
  tf::NodeDef* c = h.add_node();
  c->set_name("check");
  c->set_op("CheckNumerics");
  c->add_input("x");
  tf::NodeDef* i = h.add_node();
  i->set_name("id");
  i->set_op("Identity");
  i->add_input("x");
  i->add_input("^check");
  tf::NodeDef* z = h.add_node();
  z->set_name("z");
  z->set_op("Relu");
  z->add_input("id");
  auto out2 = freeze::RemoveTrainingNodes(h, {"z"});
  EXPECT_THAT(Names(out2), ElementsAre("x=Placeholder", "z=Relu"));
  EXPECT_EQ(out2.node(1).input(0), "x");
}

TEST(GraphUtil, TensorShapeAndWriteReadGraph) {
  Seed s;
  auto shape = freeze::TensorShapeFromNodeDefName(s.g, "input_x");
  ASSERT_TRUE(shape.ok());
  EXPECT_EQ(*shape, Shape{});
  testing::TempDir dir;
  auto frozen = freeze::ConvertVariablesToConstants(*s.session, s.g.ToGraphDef(), {"sum"});
  ASSERT_TRUE(frozen.ok());
  for (bool text : {false, true}) {
    auto path = freeze::WriteGraph(frozen->graph_def, dir.Join("out"), text ? "g.pbtxt" : "g.pb", text);
    ASSERT_TRUE(path.ok());
    auto back = freeze::ReadGraph(*path);
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*io::SerializeDeterministic(*back), *io::SerializeDeterministic(frozen->graph_def));
  }
}

TEST(GraphUtil, GraphOver2GiBIsRefusedAndNothingIsWritten) {
  // protobuf cannot serialize 2 GiB or more; the error comes before any file.
  tf::GraphDef g;
  tf::NodeDef* n = g.add_node();
  n->set_name("huge");
  n->set_op("Const");
  auto* t = (*n->mutable_attr())["value"].mutable_tensor();
  t->set_dtype(DT_FLOAT);
  t->mutable_tensor_content()->resize((size_t{1} << 31) + 16);
  testing::TempDir dir;
  EXPECT_THAT(freeze::WriteGraph(g, dir.path().string(), "huge.pb"),
              StatusIs(Code::kResourceExhausted, "2 GiB"));
  EXPECT_FALSE(io::FileExists(dir.Join("huge.pb")));
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

}  // namespace
}  // namespace tfport
