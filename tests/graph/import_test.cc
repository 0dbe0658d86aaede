// import_graph_def and Graph naming rules, checked against TensorFlow's
// documented behaviour (formats.md §6.2 unique names, §6.5 import_graph_def).
#include <google/protobuf/text_format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/status_matchers.h"
#include "tfport/graph/import.h"
#include "tfport/graph/ops.h"
#include "tfport/kernels/kernels.h"

namespace tfport::graph {
namespace {

using ::testing::ElementsAre;
using tfport::testing::StatusIs;

tf::GraphDef Parse(const std::string& text) {
  tf::GraphDef g;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &g)) << text;
  return g;
}

// x (Placeholder float) -> y = Identity(x), z = Identity(y) with ^x.
const char* kSmall = R"pb(
  node { name: "z" op: "Identity" input: "y" input: "^x" attr { key: "T" value { type: DT_FLOAT } } }
  node { name: "y" op: "Identity" input: "x" attr { key: "T" value { type: DT_FLOAT } }
         attr { key: "_class" value { list { s: "loc:@x" } } } }
  node { name: "x" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } } }
)pb";

std::vector<std::string> Names(const Graph& g) {
  std::vector<std::string> out;
  for (auto* n : g.nodes()) out.push_back(n->name());
  return out;
}

TEST(ImportGraphDef, PrefixIsAUniqueNameScope) {
  Graph g;
  auto r1 = ImportGraphDef(&g, Parse(kSmall));
  ASSERT_TRUE(r1.ok()) << r1.status().ToString();
  auto r2 = ImportGraphDef(&g, Parse(kSmall));
  ASSERT_TRUE(r2.ok()) << r2.status().ToString();
  // TF: name_scope("import") -> "import", then "import_1".
  EXPECT_EQ(r1->prefix, "import");
  EXPECT_EQ(r2->prefix, "import_1");
  EXPECT_THAT(Names(g), ElementsAre("import/z", "import/y", "import/x", "import_1/z",
                                    "import_1/y", "import_1/x"));
  Node* z = g.FindNode("import_1/z");
  ASSERT_NE(z, nullptr);
  EXPECT_THAT(z->def().input(), ElementsAre("import_1/y", "^import_1/x"));
  // Colocation follows the rename.
  EXPECT_EQ(g.FindNode("import_1/y")->def().attr().at("_class").list().s(0), "loc:@import_1/x");
  // Defaults filled in: Placeholder's shape attr (unknown rank).
  EXPECT_TRUE(g.FindNode("import/x")->def().attr().at("shape").shape().unknown_rank());
}

TEST(ImportGraphDef, ReturnElementsAndInputMap) {
  Graph g;
  auto c = ops::Const(g, 3.0f, "three");
  ImportGraphDefOptions opt;
  opt.input_map["x:0"] = c;
  opt.return_elements = {"z:0", "y", "x:0"};
  auto r = ImportGraphDef(&g, Parse(kSmall), opt);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->elements.size(), 3u);
  EXPECT_EQ(r->elements[0].name(), "import/z:0");
  EXPECT_EQ(r->elements[1].node->name(), "import/y");
  EXPECT_EQ(r->elements[1].index, -1);  // an operation
  // y now reads the mapped constant; the imported x remains.
  EXPECT_THAT(g.FindNode("import/y")->def().input(), ElementsAre("three"));
  auto session = kernels::NewSession(g);
  std::vector<Tensor> out;
  // ^import/x keeps the imported placeholder in the graph: it must be fed.
  EXPECT_THAT(session->Run({}, {"import/z:0"}, {}, &out),
              StatusIs(Code::kInvalidArgument, "You must feed a value for placeholder tensor 'import/x'"));
  // Feeding a placeholder satisfies its control edges too (as in TensorFlow).
  ASSERT_TRUE(session->Run({{"import/x:0", Tensor::Scalar<float>(0)}}, {"import/z:0"}, {}, &out).ok());
  EXPECT_EQ(out[0].scalar<float>(), 3.0f);
}

TEST(ImportGraphDef, ErrorsUseTensorFlowWording) {
  Graph g;
  ImportGraphDefOptions opt;
  opt.input_map["nope:0"] = ops::Const(g, 1.0f);
  EXPECT_THAT(ImportGraphDef(&g, Parse(kSmall), opt).status(),
              StatusIs(Code::kInvalidArgument,
                       "Attempted to map inputs that were not found in graph_def: [nope:0]"));
  ImportGraphDefOptions ret;
  ret.return_elements = {"missing:0"};
  EXPECT_THAT(ImportGraphDef(&g, Parse(kSmall), ret).status(),
              StatusIs(Code::kInvalidArgument,
                       "Requested return_element 'missing:0' not found in graph_def."));
  EXPECT_THAT(ImportGraphDef(&g, Parse(R"pb(node { name: "a" op: "Identity" input: "b"
                                               attr { key: "T" value { type: DT_FLOAT } } })pb"))
                  .status(),
              StatusIs(Code::kInvalidArgument, "Node 'a': Unknown input node 'b'"));
  // Nothing was added by the failed imports (only the Const above).
  EXPECT_EQ(g.num_nodes(), 1);
}

TEST(ImportGraphDef, EmptyPrefixMakesClashingNamesUnique) {
  Graph g;
  ops::Placeholder(g, DT_FLOAT, Shape{}, "x");
  ImportGraphDefOptions opt;
  opt.prefix = "";
  auto r = ImportGraphDef(&g, Parse(kSmall), opt);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  // TF's uniquify_names: the imported "x" becomes "x_1" and y follows it.
  EXPECT_THAT(Names(g), ElementsAre("x", "z", "y", "x_1"));
  EXPECT_THAT(g.FindNode("y")->def().input(), ElementsAre("x_1"));
}

TEST(ImportGraphDef, UnknownOpsPassThroughButCannotRun) {
  Graph g;
  auto r = GraphFromGraphDef(Parse(R"pb(node { name: "m" op: "MyCustomOp" attr { key: "k" value { i: 3 } } })pb"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  tf::GraphDef back = (*r)->ToGraphDef();
  EXPECT_EQ(back.node(0).op(), "MyCustomOp");
  EXPECT_EQ(back.node(0).attr().at("k").i(), 3);
  auto session = kernels::NewSession(**r);
  std::vector<Tensor> out;
  EXPECT_THAT(session->Run({}, {}, {"m"}, &out),
              StatusIs(Code::kNotFound, "Op type not registered 'MyCustomOp'"));
}

TEST(GraphNaming, UniqueNamesFollowTensorFlow) {
  Graph g;
  // formats.md §6.2: Add, Add_1; case-insensitive counting; explicit foo_1
  // then foo twice gives foo, foo_2.
  EXPECT_EQ(g.UniqueName("Add"), "Add");
  EXPECT_EQ(g.UniqueName("Add"), "Add_1");
  EXPECT_EQ(g.UniqueName("add"), "add_2");
  g.MarkNameUsed("foo_1");
  EXPECT_EQ(g.UniqueName("foo"), "foo");
  EXPECT_EQ(g.UniqueName("foo"), "foo_2");
  {
    Graph::NameScope s(g, "s");
    EXPECT_EQ(g.UniqueName("op"), "s/op");
    Graph::NameScope t(g, "t");
    EXPECT_EQ(g.UniqueName("op"), "s/t/op");
  }
  // Scope names count as used names.
  EXPECT_EQ(g.UniqueName("s"), "s_1");
}

TEST(GraphNaming, GetTensorAndOperationByName) {
  Graph g;
  auto x = ops::Placeholder(g, DT_INT32, Shape{2}, "x");
  ASSERT_TRUE(g.status().ok());
  auto t = g.GetTensorByName("x:0");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*t, x);
  EXPECT_EQ(t->dtype(), DT_INT32);
  EXPECT_EQ(t->shape(), (Shape{2}));
  EXPECT_THAT(g.GetTensorByName("x:1").status(), StatusIs(Code::kNotFound, "only has 1 outputs"));
  EXPECT_THAT(g.GetOperationByName("y").status(), StatusIs(Code::kNotFound, "'y'"));
  auto ops_list = GetOperations(g);
  ASSERT_EQ(ops_list.size(), 1u);
  EXPECT_EQ(ops_list[0].output_types[0], DT_INT32);
}

}  // namespace
}  // namespace tfport::graph
