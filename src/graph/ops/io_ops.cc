// OpDefs of the io family: the ops a tf.compat.v1.train.Saver puts in the
// graph (formats.md §4.2) — SaveV2/RestoreV2/MergeV2Checkpoints for V2
// bundles, Save/SaveSlices/Restore/RestoreSlice for V1 checkpoints — and the
// string ops that build its file names (ShardedFilename, ShardedFilespec,
// StringJoin, RegexFullMatch). Attrs and constraints are TensorFlow 1.x's, as
// recorded in the stripped_op_list of real MetaGraphDefs.
#include "graph/ops/ops_internal.h"
#include "tfport/graph/graph.h"

namespace tfport::graph::internal {

void RegisterIoOps(OpRegistry& r) {
  MustRegister(r, OpDefBuilder("SaveV2")
                      .Input("prefix: string")
                      .Input("tensor_names: string")
                      .Input("shape_and_slices: string")
                      .Input("tensors: dtypes")
                      .Attr("dtypes: list(type) >= 1")
                      .SetIsStateful());
  MustRegister(r, OpDefBuilder("RestoreV2")
                      .Input("prefix: string")
                      .Input("tensor_names: string")
                      .Input("shape_and_slices: string")
                      .Output("tensors: dtypes")
                      .Attr("dtypes: list(type) >= 1")
                      .SetIsStateful());
  MustRegister(r, OpDefBuilder("MergeV2Checkpoints")
                      .Input("checkpoint_prefixes: string")
                      .Input("destination_prefix: string")
                      .Attr("delete_old_dirs: bool = true")
                      .SetIsStateful());
  MustRegister(r, OpDefBuilder("Save")
                      .Input("filename: string")
                      .Input("tensor_names: string")
                      .Input("data: T")
                      .Attr("T: list(type) >= 1")
                      .SetIsStateful());
  MustRegister(r, OpDefBuilder("SaveSlices")
                      .Input("filename: string")
                      .Input("tensor_names: string")
                      .Input("shapes_and_slices: string")
                      .Input("data: T")
                      .Attr("T: list(type) >= 1")
                      .SetIsStateful());
  MustRegister(r, OpDefBuilder("Restore")
                      .Input("file_pattern: string")
                      .Input("tensor_name: string")
                      .Output("tensor: dt")
                      .Attr("dt: type")
                      .Attr("preferred_shard: int = -1")
                      .SetIsStateful());
  MustRegister(r, OpDefBuilder("RestoreSlice")
                      .Input("file_pattern: string")
                      .Input("tensor_name: string")
                      .Input("shape_and_slice: string")
                      .Output("tensor: dt")
                      .Attr("dt: type")
                      .Attr("preferred_shard: int = -1")
                      .SetIsStateful());
  MustRegister(r, OpDefBuilder("ShardedFilename")
                      .Input("basename: string")
                      .Input("shard: int32")
                      .Input("num_shards: int32")
                      .Output("filename: string"));
  MustRegister(r, OpDefBuilder("ShardedFilespec")
                      .Input("basename: string")
                      .Input("num_shards: int32")
                      .Output("filename: string"));
  MustRegister(r, OpDefBuilder("StringJoin")
                      .Input("inputs: N * string")
                      .Output("output: string")
                      .Attr("N: int >= 1")
                      .Attr("separator: string = ''"));
  MustRegister(r, OpDefBuilder("RegexFullMatch")
                      .Input("input: string")
                      .Input("pattern: string")
                      .Output("output: bool"));

  // Static shapes: file names are scalars; RestoreV2 outputs are unknown.
  auto scalar = [](const Node&, std::vector<Shape>* out) { (*out)[0] = Shape{}; };
  MustSetShapeFn(r, "ShardedFilename", scalar);
  MustSetShapeFn(r, "ShardedFilespec", scalar);
  MustSetShapeFn(r, "StringJoin", [](const Node& n, std::vector<Shape>* out) {
    // Scalars broadcast to the shape of the non-scalar inputs.
    Shape result{};
    for (int i = 0; i < n.num_inputs(); ++i) {
      const Shape& s = n.input(i).shape();
      if (s.unknown_rank()) return;
      if (s.rank() > 0) result = s;
    }
    (*out)[0] = result;
  });
  MustSetShapeFn(r, "RegexFullMatch", [](const Node& n, std::vector<Shape>* out) {
    if (n.num_inputs() > 0) (*out)[0] = n.input(0).shape();
  });
}

}  // namespace tfport::graph::internal
