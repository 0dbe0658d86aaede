// Workflow 3 of the project brief, as TF1 Python users write it:
//
//   first run   build x, y, b, sum; initialize; print sum for x=10, y=3 (31);
//               SavedModelBuilder("./test/savemodel"), add_meta_graph_and_variables
//               with tag "serve" and a predict signature, save()
//   second run  in a fresh process: loader.load(["serve"], "./test/savemodel")
//               (variables restored: b = 1), run the global variables
//               initializer (b back to its initial value 1), list every
//               operation with its outputs, print sum for x=5, y=5 (26)
//
// Run it twice from the same directory (`make demo` does).
#include <cstdio>

#include "tfport/graph/import.h"
#include "tfport/graph/ops.h"
#include "tfport/io/file.h"
#include "tfport/kernels/kernels.h"
#include "tfport/saved_model/builder.h"
#include "tfport/saved_model/loader.h"
#include "tfport/saved_model/signature_def_utils.h"

using namespace tfport;

namespace {

constexpr char kExportDir[] = "./test/savemodel";

int Fail(const Status& s) {
  std::fprintf(stderr, "error: %s\n", s.ToString().c_str());
  return 1;
}

int Export() {
  graph::Graph g;
  auto x = ops::Placeholder(g, DT_INT32, Shape{}, "input_x");
  auto y = ops::Placeholder(g, DT_INT32, Shape{}, "input_y");
  auto b = ops::Variable(g, Tensor::Scalar<int32_t>(1), "b");
  auto sum = ops::Op(g, {"Add", {ops::Op(g, {"Mul", {x, y}}), b.value}, {}, {}, "sum"});
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

  auto builder = saved_model::SavedModelBuilder::Create(kExportDir);
  if (!builder.ok()) return Fail(builder.status());
  auto signature = saved_model::PredictSignatureDef({{"x", x}, {"y", y}}, {{"sum", sum}});
  if (!signature.ok()) return Fail(signature.status());
  saved_model::MetaGraphOptions options;
  options.signature_def_map = {{"serving_default", *signature}};
  if (Status s = (*builder)->AddMetaGraphAndVariables(*session, g, {"serve"}, options); !s.ok())
    return Fail(s);
  auto path = (*builder)->Save();
  if (!path.ok()) return Fail(path.status());
  std::printf("SavedModel written: %s\n", path->c_str());
  return 0;
}

int Reload() {
  saved_model::LoadOptions options;
  options.log = [](const std::string& line) { std::printf("  loader: %s\n", line.c_str()); };
  auto bundle = saved_model::Load(options, {"serve"}, kExportDir);
  if (!bundle.ok()) return Fail(bundle.status());
  graph::Graph& g = (*bundle)->graph();
  runtime::Session& session = (*bundle)->session();
  auto b = session.Run({}, {"b:0"});
  if (!b.ok()) return Fail(b.status());
  std::printf("b restored from variables/: %d\n", (*b)[0].scalar<int32_t>());

  graph::Node* init = ops::GlobalVariablesInitializer(g);
  if (!g.status().ok()) return Fail(g.status());
  std::vector<Tensor> out;
  if (Status s = session.Run({}, {}, {init->name()}, &out); !s.ok()) return Fail(s);
  b = session.Run({}, {"b:0"});
  if (!b.ok()) return Fail(b.status());
  std::printf("b after the initializer: %d\n", (*b)[0].scalar<int32_t>());

  std::printf("operations:\n");
  for (const graph::OperationInfo& op : graph::GetOperations(g)) {
    std::printf("  %s (%s)", op.name.c_str(), op.op.c_str());
    for (size_t i = 0; i < op.output_types.size(); ++i)
      std::printf(" %s:%zu %s %s", op.name.c_str(), i, std::string(NumpyName(op.output_types[i])).c_str(),
                  op.output_shapes[i].DebugString().c_str());
    std::printf("\n");
  }
  if (Status s = session.Run({{"input_x:0", Tensor::Scalar<int32_t>(5)},
                              {"input_y:0", Tensor::Scalar<int32_t>(5)}},
                             {"sum:0"}, {}, &out);
      !s.ok())
    return Fail(s);
  std::printf("sum for x=5, y=5: %d\n", out[0].scalar<int32_t>());
  // The same through the signature, by input key.
  auto sig = (*bundle)->Run("serving_default", {{"x", Tensor::Scalar<int32_t>(5)},
                                                {"y", Tensor::Scalar<int32_t>(5)}});
  if (!sig.ok()) return Fail(sig.status());
  std::printf("signature serving_default(x=5, y=5): sum = %d\n", sig->at("sum").scalar<int32_t>());
  return 0;
}

}  // namespace

int main() { return io::IsDirectory(kExportDir) ? Reload() : Export(); }
