#include "tfport/freeze/freeze_graph.h"

#include "tfport/freeze/transforms.h"
#include "tfport/io/checkpoint_state.h"
#include "tfport/io/file.h"
#include "tfport/io/proto_io.h"
#include "tfport/kernels/kernels.h"
#include "tfport/saver/meta_graph.h"
#include "tfport/tf/saved_model.pb.h"

namespace tfport::freeze {
namespace {

std::string TagsString(const std::set<std::string>& tags) {
  std::string s = "{ ";
  for (const auto& t : tags) s += t + " ";
  return s + "}";
}

std::string NodeOf(const std::string& tensor) {
  size_t colon = tensor.rfind(':');
  return colon == std::string::npos ? tensor : tensor.substr(0, colon);
}

// Runs the SavedModel's init op (main_op, else legacy_init_op), if any.
Status RunInitOp(const tf::MetaGraphDef& meta, runtime::Session& session) {
  for (const char* key : {"saved_model_main_op", "legacy_init_op"}) {
    auto it = meta.collection_def().find(key);
    if (it == meta.collection_def().end() || it->second.node_list().value_size() == 0) continue;
    std::vector<Tensor> out;
    return session.Run({}, {}, {it->second.node_list().value(0)}, &out);
  }
  return OkStatus();
}

}  // namespace

Result<tf::MetaGraphDef> ReadSavedModelMetaGraph(const std::string& dir,
                                                 const std::set<std::string>& tags) {
  tf::SavedModel sm;
  const std::string pb = io::JoinPath(dir, "saved_model.pb");
  const std::string pbtxt = io::JoinPath(dir, "saved_model.pbtxt");
  if (io::FileExists(pb)) {
    TFPORT_RETURN_IF_ERROR(io::ReadBinaryProto(pb, &sm));
  } else if (io::FileExists(pbtxt)) {
    TFPORT_RETURN_IF_ERROR(io::ReadTextProto(pbtxt, &sm));
  } else {
    return errors::NotFound("SavedModel file does not exist at: ", dir,
                            "/{saved_model.pbtxt|saved_model.pb}");
  }
  for (const auto& mg : sm.meta_graphs()) {
    std::set<std::string> have(mg.meta_info_def().tags().begin(), mg.meta_info_def().tags().end());
    if (have == tags) return mg;
  }
  return errors::NotFound("Could not find meta graph def matching supplied tags: ",
                          TagsString(tags),
                          ". To inspect available tag-sets in the SavedModel, please use the "
                          "SavedModel CLI: `saved_model_cli`");
}

Result<FreezeGraphResult> FreezeGraph(const FreezeGraphOptions& o) {
  auto log = [&](const std::string& s) {
    if (o.log) o.log(s);
  };
  tf::MetaGraphDef meta;
  std::string checkpoint;
  if (!o.saved_model_dir.empty()) {
    TFPORT_ASSIGN_OR_RETURN(meta, ReadSavedModelMetaGraph(o.saved_model_dir, o.tag_set));
    checkpoint = io::JoinPath(io::JoinPath(o.saved_model_dir, "variables"), "variables");
  } else {
    if (o.input_meta_graph.empty())
      return errors::InvalidArgument("give --input_meta_graph with --input_checkpoint, or --saved_model_dir");
    TFPORT_ASSIGN_OR_RETURN(meta, saver::ReadMetaGraphFile(o.input_meta_graph));
    checkpoint = o.input_checkpoint;
    if (!checkpoint.empty() && io::IsDirectory(checkpoint)) {
      TFPORT_ASSIGN_OR_RETURN(std::optional<std::string> latest, io::LatestCheckpoint(checkpoint));
      if (!latest) return errors::InvalidArgument("no checkpoint found in directory ", checkpoint);
      checkpoint = *latest;
    }
    if (checkpoint.empty() || !io::CheckpointExists(checkpoint))
      return errors::InvalidArgument("Input checkpoint '", checkpoint, "' doesn't exist!");
  }

  FreezeGraphResult result;
  result.output_node_names = o.output_node_names;
  auto sig = meta.signature_def().find(o.signature_def);
  if (sig != meta.signature_def().end()) {
    for (const auto& [key, info] : sig->second.inputs()) result.input_node_names.push_back(NodeOf(info.name()));
    if (result.output_node_names.empty())
      for (const auto& [key, info] : sig->second.outputs())
        result.output_node_names.push_back(NodeOf(info.name()));
  }
  if (result.output_node_names.empty())
    return errors::InvalidArgument("You need to supply the name of a node to --output_node_names.");

  log("importing the graph (" + std::to_string(meta.graph_def().node_size()) + " nodes)");
  graph::Graph g;
  saver::ImportMetaGraphOptions import;
  import.clear_devices = true;
  TFPORT_ASSIGN_OR_RETURN(std::unique_ptr<saver::Saver> saver, saver::ImportMetaGraph(g, meta, import));
  auto session = kernels::NewSession(g);
  if (saver) {
    log("restoring variables from " + checkpoint);
    TFPORT_RETURN_IF_ERROR(saver->Restore(*session, checkpoint));
  }
  if (!o.saved_model_dir.empty()) TFPORT_RETURN_IF_ERROR(RunInitOp(meta, *session));

  ConvertOptions convert;
  convert.whitelist = o.variable_names_whitelist;
  convert.blacklist = o.variable_names_blacklist;
  convert.log = o.log;
  TFPORT_ASSIGN_OR_RETURN(FrozenGraph frozen,
                          ConvertVariablesToConstants(*session, meta.graph_def(),
                                                      result.output_node_names, convert));
  result.converted = frozen.converted;
  result.graph_def = std::move(frozen.graph_def);
  if (o.optimize) {
    log("optimizing for inference");
    TFPORT_ASSIGN_OR_RETURN(result.graph_def,
                            OptimizeForInference(result.graph_def, result.input_node_names,
                                                 result.output_node_names));
  }
  return result;
}

}  // namespace tfport::freeze
