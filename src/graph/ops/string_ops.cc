// OpDefs of small TensorFlow 2.x ops that tf.function / tf.saved_model
// graphs carry: StaticRegexFullMatch (the TF2 saver's "is this an s3://
// path" test), StringFormat and PrintV2 (tf.strings.format / tf.print), and
// DisableCopyOnRead (resource_variable_ops; emitted when saving variables).
// Inputs, outputs and attrs are TensorFlow 2.x's; the kernels are in
// src/kernels/string_kernels.cc.
#include "graph/ops/ops_internal.h"
#include "tfport/graph/graph.h"

namespace tfport::graph::internal {

void RegisterStringOps(OpRegistry& r) {
  MustRegister(r, OpDefBuilder("StaticRegexFullMatch")
                      .Input("input: string")
                      .Output("output: bool")
                      .Attr("pattern: string"));
  MustRegister(r, OpDefBuilder("StringFormat")
                      .Input("inputs: T")
                      .Output("output: string")
                      .Attr("T: list(type) >= 0")
                      .Attr("template: string = '%s'")
                      .Attr("placeholder: string = '%s'")
                      .Attr("summarize: int = 3"));
  MustRegister(r, OpDefBuilder("PrintV2")
                      .Input("input: string")
                      .Attr("output_stream: string = 'stderr'")
                      .Attr("end: string = '\n'")  // a real newline: specs are not unescaped
                      .SetIsStateful());
  MustRegister(r, OpDefBuilder("DisableCopyOnRead")
                      .Input("resource: resource")
                      .SetIsStateful());

  MustSetShapeFn(r, "StaticRegexFullMatch", [](const Node& n, std::vector<Shape>* out) {
    if (n.num_inputs() > 0) (*out)[0] = n.input(0).shape();
  });
  MustSetShapeFn(r, "StringFormat", [](const Node&, std::vector<Shape>* out) {
    (*out)[0] = Shape{};
  });
}

}  // namespace tfport::graph::internal
