// tfport: tf.compat.v1.train.export_meta_graph / import_meta_graph.
//
// ExportMetaGraph packs a Graph into a MetaGraphDef the way TF1 does:
// GraphDef with "_output_shapes" on every node, the collections (variables
// as VariableDef bytes, node lists...), an optional SaverDef and a
// MetaInfoDef whose stripped_op_list holds the OpDef of every op used.
//
// ImportMetaGraph adds a MetaGraphDef's graph to a Graph (optionally under
// import_scope, optionally without devices), restores its collections with
// names moved into the scope, and returns a Saver for it: the SaverDef's
// subgraph when the file has one, a new Saver when it only has variables,
// nullptr when it has neither (as Python returns None).
#pragma once

#include <map>
#include <memory>
#include <string>

#include "tfport/graph/graph.h"
#include "tfport/saver/saver.h"
#include "tfport/tf/meta_graph.pb.h"

namespace tfport::saver {

struct ExportMetaGraphOptions {
  const tf::SaverDef* saver_def = nullptr;
  bool clear_devices = false;
  // Remove node attrs equal to their OpDef's default value (and say so in
  // meta_info_def.stripped_default_attrs), as export_meta_graph does.
  bool strip_default_attrs = false;
};

Result<tf::MetaGraphDef> ExportMetaGraph(const graph::Graph& graph,
                                         const ExportMetaGraphOptions& options = {});

// Writes binary (deterministic) or text format, atomically.
Status WriteMetaGraph(const std::string& path, const tf::MetaGraphDef& meta,
                      bool as_text = false);

// Binary, or text when the binary parse fails (read_meta_graph_file).
Result<tf::MetaGraphDef> ReadMetaGraphFile(const std::string& path);

struct ImportMetaGraphOptions {
  bool clear_devices = false;
  std::string import_scope;  // "" = names as in the file
  // Original tensor name -> replacement, as import_graph_def's input_map.
  std::map<std::string, graph::Output> input_map = {};
};

// Errors: those of ImportGraphDef (nothing is added then), and
// INVALID_ARGUMENT when the SaverDef names nodes the graph lacks.
Result<std::unique_ptr<Saver>> ImportMetaGraph(graph::Graph& graph, const tf::MetaGraphDef& meta,
                                               const ImportMetaGraphOptions& options = {});
Result<std::unique_ptr<Saver>> ImportMetaGraph(graph::Graph& graph, const std::string& path,
                                               const ImportMetaGraphOptions& options = {});

}  // namespace tfport::saver
