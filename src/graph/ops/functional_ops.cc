// OpDefs of the functional family: calls of library functions
// (PartitionedCall, StatefulPartitionedCall) and TF2 control flow whose
// branches and loop bodies are functions (If, Case, While and their
// Stateless variants). Specs are TensorFlow 2.x's.
#include "graph/ops/ops_internal.h"
#include "tfport/graph/graph.h"

namespace tfport::graph::internal {
namespace {

// Outputs get the shapes of the `output_shapes` attr when it lists one per
// output; otherwise they stay unknown.
void FromOutputShapesAttr(const Node& n, std::vector<Shape>* out) {
  const tf::AttrValue* v = FindAttr(n.def(), "output_shapes");
  if (v == nullptr || v->list().shape_size() != static_cast<int>(out->size())) return;
  for (size_t i = 0; i < out->size(); ++i) {
    Result<Shape> s = Shape::FromProto(v->list().shape(static_cast<int>(i)), /*allow_unknown=*/true);
    if (s.ok()) (*out)[i] = *s;
  }
}

}  // namespace

void RegisterFunctionalOps(OpRegistry& r) {
  for (const char* name : {"PartitionedCall", "StatefulPartitionedCall"}) {
    OpDefBuilder b(name);
    b.Input("args: Tin")
        .Output("output: Tout")
        .Attr("Tin: list(type) >= 0")
        .Attr("Tout: list(type) >= 0")
        .Attr("f: func")
        .Attr("config: string = ''")
        .Attr("config_proto: string = ''")
        .Attr("executor_type: string = ''");
    if (std::string_view(name) == "StatefulPartitionedCall") b.SetIsStateful();
    MustRegister(r, b);
  }
  for (const char* name : {"If", "StatelessIf"}) {
    OpDefBuilder b(name);
    b.Input("cond: Tcond")
        .Input("input: Tin")
        .Output("output: Tout")
        .Attr("Tcond: type")
        .Attr("Tin: list(type) >= 0")
        .Attr("Tout: list(type) >= 0")
        .Attr("then_branch: func")
        .Attr("else_branch: func")
        .Attr("output_shapes: list(shape) = []");
    if (std::string_view(name) == "If") b.SetIsStateful();
    MustRegister(r, b);
    MustSetShapeFn(r, name, FromOutputShapesAttr);
  }
  for (const char* name : {"Case", "StatelessCase"}) {
    OpDefBuilder b(name);
    b.Input("branch_index: int32")
        .Input("input: Tin")
        .Output("output: Tout")
        .Attr("Tin: list(type) >= 0")
        .Attr("Tout: list(type) >= 0")
        .Attr("branches: list(func) >= 1")
        .Attr("output_shapes: list(shape) = []");
    if (std::string_view(name) == "Case") b.SetIsStateful();
    MustRegister(r, b);
    MustSetShapeFn(r, name, FromOutputShapesAttr);
  }
  for (const char* name : {"While", "StatelessWhile"}) {
    OpDefBuilder b(name);
    b.Input("input: T")
        .Output("output: T")
        .Attr("T: list(type) >= 0")
        .Attr("cond: func")
        .Attr("body: func")
        .Attr("output_shapes: list(shape) = []")
        .Attr("parallel_iterations: int = 10");
    if (std::string_view(name) == "While") b.SetIsStateful();
    MustRegister(r, b);
    MustSetShapeFn(r, name, FromOutputShapesAttr);
  }
}

}  // namespace tfport::graph::internal
