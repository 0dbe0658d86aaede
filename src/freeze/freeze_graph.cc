#include "tfport/freeze/freeze_graph.h"

#include "tfport/core/str_util.h"

#include "tfport/freeze/lower_control_flow.h"
#include "tfport/freeze/transforms.h"
#include "tfport/io/checkpoint_state.h"
#include "tfport/io/file.h"
#include "tfport/saved_model/loader.h"

namespace tfport::freeze {
namespace {

// freeze_graph.py's checks on the checkpoint argument, before anything loads.
Result<std::string> CheckedCheckpoint(const std::string& where) {
  std::string checkpoint = where;
  if (!checkpoint.empty() && io::IsDirectory(checkpoint)) {
    TFPORT_ASSIGN_OR_RETURN(std::optional<std::string> latest, io::LatestCheckpoint(checkpoint));
    if (!latest) return errors::InvalidArgument("no checkpoint found in directory ", checkpoint);
    checkpoint = *latest;
  }
  if (checkpoint.empty() || !io::CheckpointExists(checkpoint))
    return errors::InvalidArgument("Input checkpoint '", checkpoint, "' doesn't exist!");
  return checkpoint;
}

}  // namespace

Result<tf::MetaGraphDef> ReadSavedModelMetaGraph(const std::string& dir,
                                                 const std::set<std::string>& tags) {
  return saved_model::ReadMetaGraphDefFromSavedModel(dir, tags);
}

Result<FreezeGraphResult> FreezeGraph(const FreezeGraphOptions& o) {
  auto log = [&](const std::string& s) {
    if (o.log) o.log(s);
  };
  saved_model::LoadOptions load;
  load.clear_devices = true;
  load.log = o.log;
  auto open = [&]() -> Result<std::unique_ptr<saved_model::SavedModelBundle>> {
    if (!o.saved_model_dir.empty()) return saved_model::Load(load, o.tag_set, o.saved_model_dir);
    if (o.input_meta_graph.empty())
      return errors::InvalidArgument("give --input_meta_graph with --input_checkpoint, or --saved_model_dir");
    TFPORT_ASSIGN_OR_RETURN(std::string checkpoint, CheckedCheckpoint(o.input_checkpoint));
    log("importing " + o.input_meta_graph + " and restoring variables from " + checkpoint);
    return saved_model::LoadMetaGraph(load, o.input_meta_graph, checkpoint);
  };
  Result<std::unique_ptr<saved_model::SavedModelBundle>> bundle = open();
  if (!bundle.ok()) return bundle.status();
  const tf::MetaGraphDef& meta = (*bundle)->meta_graph_def();

  FreezeGraphResult result;
  result.output_node_names = o.output_node_names;
  auto sig = meta.signature_def().find(o.signature_def);
  if (sig != meta.signature_def().end()) {
    for (const auto& [key, info] : sig->second.inputs()) result.input_node_names.push_back(graph::NodeNameOf(info.name()));
    if (result.output_node_names.empty())
      for (const auto& [key, info] : sig->second.outputs())
        result.output_node_names.push_back(graph::NodeNameOf(info.name()));
  }
  if (result.output_node_names.empty())
    return errors::InvalidArgument("You need to supply the name of a node to --output_node_names.");

  ConvertOptions convert;
  convert.whitelist = o.variable_names_whitelist;
  convert.blacklist = o.variable_names_blacklist;
  convert.log = o.log;
  // TF2 models: their computation sits in functions; flatten the call tree
  // first (convert_variables_to_constants_v2), then freeze as in TF1.
  const tf::GraphDef* source = &meta.graph_def();
  tf::GraphDef inlined;
  if (source->library().function_size() > 0) {
    log("inlining the function calls behind " + StrJoin(result.output_node_names, ", "));
    Result<tf::GraphDef> flat = InlineFunctionCalls(*source, result.output_node_names,
                                                    (*bundle)->session().functions());
    if (!flat.ok()) return (*bundle)->Explain(flat.status(), "freezing");
    inlined = std::move(*flat);
    if (o.lower_control_flow) {
      log("lowering functional control flow to Switch/Merge/Enter/Exit");
      Result<tf::GraphDef> lowered = LowerControlFlow(inlined, (*bundle)->session().functions());
      if (!lowered.ok()) return (*bundle)->Explain(lowered.status(), "freezing");
      inlined = std::move(*lowered);
    }
    source = &inlined;
  }
  Result<FrozenGraph> frozen = ConvertVariablesToConstants(
      (*bundle)->session(), *source, result.output_node_names, convert);
  if (!frozen.ok()) return (*bundle)->Explain(frozen.status(), "freezing");
  result.converted = frozen->converted;
  result.graph_def = std::move(frozen->graph_def);
  if (o.optimize) {
    log("optimizing for inference");
    TFPORT_ASSIGN_OR_RETURN(result.graph_def,
                            OptimizeForInference(result.graph_def, result.input_node_names,
                                                 result.output_node_names));
  }
  return result;
}

}  // namespace tfport::freeze
