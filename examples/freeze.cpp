// Workflow 2 of the project brief: freeze a graph into one portable .pb and
// load it back, as TF1 Python users write it:
//
//   build x, y, b, sum; initialize; print sum for x=10, y=3 (31)
//   convert_variables_to_constants(sess, graph_def, ["sum"]) -> ./test/test.pb
//   ("Converted 1 variables to const ops.")
//   import_graph_def(return_elements=["input_x:0", "input_y:0", "sum:0"]) in a
//   fresh graph, run the (empty) initializer, print sum for x=5, y=5 (26)
#include <cstdio>

#include "tfport/freeze/graph_util.h"
#include "tfport/graph/import.h"
#include "tfport/graph/ops.h"
#include "tfport/kernels/kernels.h"

using namespace tfport;

namespace {

int Fail(const Status& s) {
  std::fprintf(stderr, "error: %s\n", s.ToString().c_str());
  return 1;
}

}  // namespace

int main() {
  {
    graph::Graph g;
    auto x = ops::Placeholder(g, DT_INT32, Shape{}, "input_x");
    auto y = ops::Placeholder(g, DT_INT32, Shape{}, "input_y");
    auto b = ops::Variable(g, Tensor::Scalar<int32_t>(1), "b");
    ops::Op(g, {"Add", {ops::Op(g, {"Mul", {x, y}}), b.value}, {}, {}, "sum"});
    graph::Node* init = ops::GlobalVariablesInitializer(g);
    if (!g.status().ok()) return Fail(g.status());
    auto session = kernels::NewSession(g);
    std::vector<Tensor> out;
    if (Status s = session->Run({}, {}, {init->name()}, &out); !s.ok()) return Fail(s);
    if (Status s = session->Run({{"input_x:0", Tensor::Scalar<int32_t>(10)},
                                 {"input_y:0", Tensor::Scalar<int32_t>(3)}},
                                {"sum:0"}, {}, &out);
        !s.ok())
      return Fail(s);
    std::printf("sum for x=10, y=3: %d\n", out[0].scalar<int32_t>());

    freeze::ConvertOptions options;
    options.log = [](const std::string& line) { std::printf("%s\n", line.c_str()); };
    auto frozen = freeze::ConvertVariablesToConstants(*session, g.ToGraphDef(), {"sum"}, options);
    if (!frozen.ok()) return Fail(frozen.status());
    auto path = freeze::WriteGraph(frozen->graph_def, "./test", "test.pb");
    if (!path.ok()) return Fail(path.status());
    std::printf("Frozen graph written to %s (%d nodes)\n", path->c_str(),
                frozen->graph_def.node_size());
  }

  // A fresh graph, as another program would have.
  auto graph_def = freeze::ReadGraph("./test/test.pb");
  if (!graph_def.ok()) return Fail(graph_def.status());
  graph::Graph g;
  graph::ImportGraphDefOptions import;
  import.return_elements = {"input_x:0", "input_y:0", "sum:0"};
  auto imported = graph::ImportGraphDef(&g, *graph_def, import);
  if (!imported.ok()) return Fail(imported.status());
  const graph::Output x = imported->elements[0], y = imported->elements[1],
                      sum = imported->elements[2];
  graph::Node* init = ops::GlobalVariablesInitializer(g);  // no variables left: a no-op
  if (!g.status().ok()) return Fail(g.status());
  auto session = kernels::NewSession(g);
  std::vector<Tensor> out;
  if (Status s = session->Run({}, {}, {init->name()}, &out); !s.ok()) return Fail(s);
  if (Status s = session->Run({{x.name(), Tensor::Scalar<int32_t>(5)},
                               {y.name(), Tensor::Scalar<int32_t>(5)}},
                              {sum.name()}, {}, &out);
      !s.ok())
    return Fail(s);
  std::printf("sum for x=5, y=5 from ./test/test.pb: %d\n", out[0].scalar<int32_t>());
  return 0;
}
