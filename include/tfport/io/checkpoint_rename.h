// tfport: rewriting a V2 checkpoint's keys (TF1 variable names <-> TF2
// object paths), the checkpoint side of migrating a TF1 model to Keras.
//
//   RenameCheckpointKeys("old/model.ckpt", "new/ckpt-1",
//                        {{"^(.*)$", "$1/.ATTRIBUTES/VARIABLE_VALUE"}});
//
// Every tensor is copied under its new key with its bytes unchanged
// (partitioned tensors are written whole). The object graph
// (_CHECKPOINTABLE_OBJECT_GRAPH) follows the target: when every key written
// is an object path ("<path>/.ATTRIBUTES/<attr>") a new graph is built from
// the paths (root, one child per path component, the attribute on the last
// one; optimizer slot keys "<var>/.OPTIMIZER_SLOT/<optimizer>/<slot>/..."
// become slot variables of the optimizer's node); otherwise the target is a
// name-based checkpoint and has none.
// The write is atomic (a crash leaves the destination as it was).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "tfport/core/status.h"

namespace tfport::io {

// ECMAScript regex -> replacement ($1... for groups). For each key the first
// rule whose pattern matches somewhere rewrites it (std::regex_replace of
// every match); keys no rule matches keep their name.
struct RenameRule {
  std::string pattern;
  std::string replacement;
};

struct RenameResult {
  std::vector<std::pair<std::string, std::string>> renamed;  // (old, new), changed keys only
  bool object_graph_written = false;
};

// Errors: INVALID_ARGUMENT for a bad pattern, two keys renamed to one
// ("... and ... would both become ..."), an empty new key or an object path
// with an empty component; the reader's and writer's errors for the files.
Result<RenameResult> RenameCheckpointKeys(const std::string& src_prefix, const std::string& dst_prefix,
                                          const std::vector<RenameRule>& rules);

}  // namespace tfport::io
