#include "tfport/freeze/freeze_graph.h"

#include <functional>
#include <map>
#include <set>

#include "tfport/core/str_util.h"

#include "tfport/freeze/lower_control_flow.h"
#include "tfport/graph/graph.h"
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

namespace {

// IdentityN only forwards its inputs, and TF1 consumers such as OpenCV's
// importer do not know it; inlining leaves one behind each call with several
// results. Consumers are pointed at the forwarded tensors, and an IdentityN
// that is an output becomes one Identity per result (the node's own name for
// result 0, "<name>_<k>" for the others), with `r`'s names updated.
Status SplitIdentityN(tf::GraphDef* gd, FreezeGraphResult* r) {
  struct Forward {
    std::vector<std::string> data, control;
    std::vector<int> types;
  };
  std::map<std::string, Forward> forwards;
  std::set<std::string> taken;
  for (const auto& n : gd->node()) {
    taken.insert(n.name());
    if (n.op() != "IdentityN") continue;
    Forward& f = forwards[n.name()];
    for (const auto& in : n.input()) (in[0] == '^' ? f.control : f.data).push_back(in);
    if (auto t = n.attr().find("T"); t != n.attr().end())
      f.types.assign(t->second.list().type().begin(), t->second.list().type().end());
    if (f.types.size() != f.data.size())
      return errors::InvalidArgument("{{node ", n.name(), "}} (IdentityN) has ", f.data.size(), " inputs and ",
                                     f.types.size(), " types");
  }
  if (forwards.empty()) return OkStatus();
  std::function<Result<std::string>(const std::string&, int)> resolve = [&](const std::string& tensor,
                                                                             int depth) -> Result<std::string> {
    std::string node;
    int index = 0;
    TFPORT_RETURN_IF_ERROR(graph::ParseTensorName(tensor, &node, &index));
    auto f = forwards.find(node);
    if (f == forwards.end()) return tensor;
    if (index < 0 || index >= static_cast<int>(f->second.data.size()) || depth > static_cast<int>(forwards.size()))
      return errors::InvalidArgument("input '", tensor, "' does not name a result of IdentityN ", node);
    return resolve(f->second.data[static_cast<size_t>(index)], depth + 1);
  };
  const std::set<std::string> outputs(r->output_node_names.begin(), r->output_node_names.end());
  std::map<std::string, std::vector<std::string>> split;  // output IdentityN -> its Identity nodes
  tf::GraphDef out;
  *out.mutable_versions() = gd->versions();
  *out.mutable_library() = gd->library();
  for (const auto& n : gd->node()) {
    auto f = forwards.find(n.name());
    if (f != forwards.end()) {
      if (!outputs.count(n.name())) continue;  // its consumers are rewired below
      for (size_t k = 0; k < f->second.data.size(); ++k) {
        std::string name = n.name();
        if (k > 0) {
          name = n.name() + "_" + std::to_string(k);
          for (int j = 1; taken.count(name); ++j) name = n.name() + "_" + std::to_string(k) + "_" + std::to_string(j);
          taken.insert(name);
        }
        tf::NodeDef* id = out.add_node();
        id->set_name(name);
        id->set_op("Identity");
        TFPORT_ASSIGN_OR_RETURN(std::string in, resolve(f->second.data[k], 0));
        id->add_input(in);
        for (const auto& c : f->second.control) id->add_input(c);
        (*id->mutable_attr())["T"].set_type(static_cast<tf::DataType>(f->second.types[k]));
        split[n.name()].push_back(name);
      }
      continue;
    }
    tf::NodeDef* copy = out.add_node();
    *copy = n;
    copy->clear_input();
    for (const auto& in : n.input()) {
      if (in[0] != '^') {
        TFPORT_ASSIGN_OR_RETURN(std::string resolved, resolve(in, 0));
        copy->add_input(resolved);
      } else if (auto g = forwards.find(in.substr(1)); g != forwards.end() && !outputs.count(g->first)) {
        // "after the IdentityN" = after everything it forwards.
        for (const auto& d : g->second.data) copy->add_input("^" + graph::NodeNameOf(d));
        for (const auto& c : g->second.control) copy->add_input(c);
      } else {
        copy->add_input(in);
      }
    }
  }
  *gd = std::move(out);
  std::vector<std::string> names;
  for (const std::string& n : r->output_node_names) {
    auto s = split.find(n);
    if (s == split.end()) {
      names.push_back(n);
    } else {
      names.insert(names.end(), s->second.begin(), s->second.end());
    }
  }
  r->output_node_names = std::move(names);
  for (auto& t : r->outputs) {
    std::string node;
    int index = 0;
    if (!graph::ParseTensorName(t.tensor, &node, &index).ok()) continue;
    if (auto s = split.find(node); s != split.end() && index >= 0 && index < static_cast<int>(s->second.size()))
      t.tensor = s->second[static_cast<size_t>(index)] + ":0";
  }
  return OkStatus();
}

}  // namespace

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
  if (sig == meta.signature_def().end() && result.output_node_names.empty() && !meta.signature_def().empty())
    return errors::NotFound((*bundle)->origin(), " has no signature '", o.signature_def,
                            "' whose outputs to freeze; it has: ", StrJoin((*bundle)->SignatureKeys(), ", "),
                            " (or give --output_node_names)");
  if (sig != meta.signature_def().end()) {
    // By key, as saved_model_cli lists them (protobuf maps have no order).
    const std::map<std::string, tf::TensorInfo> ins(sig->second.inputs().begin(), sig->second.inputs().end()),
        outs(sig->second.outputs().begin(), sig->second.outputs().end());
    for (const auto& [key, info] : ins) {
      result.input_node_names.push_back(graph::NodeNameOf(info.name()));
      result.inputs.push_back({key, info.name()});
    }
    if (result.output_node_names.empty())
      for (const auto& [key, info] : outs) {
        result.output_node_names.push_back(graph::NodeNameOf(info.name()));
        result.outputs.push_back({key, info.name()});
      }
  }
  if (result.outputs.empty())
    for (const std::string& n : result.output_node_names) result.outputs.push_back({"", n + ":0"});
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
    TFPORT_RETURN_IF_ERROR(SplitIdentityN(&inlined, &result).WithContext((*bundle)->origin(), ": freezing"));
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
