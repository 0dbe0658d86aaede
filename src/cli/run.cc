// `tfport run`: runs a model and prints its outputs. Models are opened, fed
// and run by the saved_model layer; this file parses flags and prints.
//
//   tfport run MODEL.pb|.pbtxt|.meta [--restore CKPT] [--init]
//              --input NAME=VALUE... --output TENSOR... [--target OP...]
//   tfport run --dir DIR [--tag_set serve] [--signature_def serving_default]
//              [--inputs K=f.npy] [--input_exprs K=[1,2]] [--input_examples K=[{...}]]
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/commands.h"
#include "cli/json_writer.h"
#include "tfport/core/str_util.h"
#include "tfport/saved_model/inputs.h"
#include "tfport/saved_model/loader.h"

namespace tfport::cli {
namespace {

using saved_model::SavedModelBundle;

int Fail(const Status& s) {
  std::cerr << "tfport run: " << s.ToString() << "\n";
  return 1;
}

// {"outputs": {name: {dtype, shape, values}}} or one line per output.
void PrintOutputs(const std::vector<std::string>& names, const std::vector<Tensor>& outputs,
                  bool json) {
  if (json) {
    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    w.StartObject();
    Key(w, "outputs");
    w.StartObject();
    for (size_t i = 0; i < outputs.size(); ++i) {
      Key(w, names[i]);
      w.StartObject();
      Key(w, "dtype");
      String(w, NumpyName(outputs[i].dtype()));
      Key(w, "shape");
      ShapeValue(w, outputs[i].shape());
      Key(w, "values");
      TensorValues(w, outputs[i]);
      w.EndObject();
    }
    w.EndObject();
    w.EndObject();
    std::cout << buf.GetString() << "\n";
    return;
  }
  for (size_t i = 0; i < outputs.size(); ++i) {
    rapidjson::StringBuffer vb;
    JsonWriter vw(vb);
    TensorValues(vw, outputs[i]);
    std::cout << names[i] << " (" << NumpyName(outputs[i].dtype()) << " "
              << outputs[i].shape().DebugString() << "): " << vb.GetString() << "\n";
  }
}

// A signature of a SavedModel / SessionBundle, saved_model_cli style.
int RunSignature(SavedModelBundle& bundle, const RunOptions& opt) {
  Result<const saved_model::Signature*> sig = bundle.GetSignature(opt.signature_def);
  if (!sig.ok()) return Fail(sig.status());
  Result<std::map<std::string, Tensor>> inputs = saved_model::ParseSignatureInputs(
      **sig, opt.sig_inputs, opt.sig_input_exprs, opt.sig_input_examples);
  if (!inputs.ok()) return Fail(inputs.status());
  Result<std::map<std::string, Tensor>> out = bundle.Run(opt.signature_def, *inputs);
  if (!out.ok()) return Fail(out.status());
  std::vector<std::string> names;
  std::vector<Tensor> values;
  for (auto& [k, v] : *out) {
    names.push_back(k);
    values.push_back(v);
  }
  PrintOutputs(names, values, opt.json);
  return 0;
}

// Named tensors of any model's graph.
int RunTensors(SavedModelBundle& bundle, const RunOptions& opt) {
  std::vector<std::pair<std::string, Tensor>> feeds;
  for (const std::string& spec : opt.inputs) {
    Result<std::pair<std::string, Tensor>> feed = saved_model::ParseFeed(bundle.graph(), spec);
    if (!feed.ok()) return Fail(feed.status());
    feeds.push_back(*std::move(feed));
  }
  std::vector<Tensor> outputs;
  Status s = bundle.session().Run(feeds, opt.outputs, opt.targets, &outputs);
  if (!s.ok()) return Fail(bundle.Explain(s, "run"));
  std::vector<std::string> names;
  for (const std::string& o : opt.outputs) names.push_back(o.find(':') == std::string::npos ? o + ":0" : o);
  PrintOutputs(names, outputs, opt.json);
  return 0;
}

}  // namespace

int RunModel(const RunOptions& opt) {
  if (opt.dir.empty() == opt.model.empty())
    return Fail(errors::InvalidArgument("give either MODEL or --dir DIR"));
  const std::vector<std::string> tag_list = SplitNonEmpty(opt.tag_set, ',');
  const saved_model::TagSet tags(tag_list.begin(), tag_list.end());
  saved_model::LoadOptions load;
  Result<std::unique_ptr<SavedModelBundle>> bundle =
      opt.dir.empty() ? saved_model::LoadModel(load, opt.model, tags, opt.restore)
                      : saved_model::LoadSessionBundleOrSavedModel(load, tags, opt.dir);
  if (!bundle.ok()) return Fail(bundle.status());
  if (opt.init) {
    if (Status s = saved_model::RunVariableInitializers(**bundle); !s.ok()) return Fail(s);
  }
  // Signature mode unless graph tensors are named.
  const bool tensors = !opt.inputs.empty() || !opt.outputs.empty() || !opt.targets.empty();
  if (!tensors && (*bundle)->meta_graph_def().signature_def_size() > 0)
    return RunSignature(**bundle, opt);
  if (!opt.sig_inputs.empty() || !opt.sig_input_exprs.empty() || !opt.sig_input_examples.empty())
    return Fail(errors::InvalidArgument(
        "--inputs/--input_exprs/--input_examples feed a signature, and ", (*bundle)->origin(),
        tensors ? " is being run by tensor names (--input/--output)" : " has no signatures"));
  if (opt.outputs.empty() && opt.targets.empty())
    return Fail(errors::InvalidArgument((*bundle)->origin(),
                                        " has no signatures: name tensors with --output"));
  return RunTensors(**bundle, opt);
}

void AddRunCommand(CLI::App& app, int* exit_code) {
  auto opt = std::make_shared<RunOptions>();
  CLI::App* cmd = app.add_subcommand(
      "run", "Run a SavedModel signature, or tensors of a GraphDef (.pb/.pbtxt) or .meta");
  cmd->add_option("model", opt->model,
                  "a .pb, .pbtxt or .meta file, or a SavedModel / SessionBundle directory");
  cmd->add_option("--dir", opt->dir, "SavedModel (or SessionBundle) directory, as saved_model_cli");
  cmd->add_option("--tag_set", opt->tag_set, "tags of the MetaGraphDef, comma-separated");
  cmd->add_option("--signature_def", opt->signature_def, "signature key to run");
  cmd->add_option("--inputs", opt->sig_inputs, "KEY=file.npy for a signature input; ';'-separated")
      ->delimiter(';');
  cmd->add_option("--input_exprs", opt->sig_input_exprs,
                  "KEY=literal ([[1,2]], 5, \"text\") for a signature input; ';'-separated")
      ->delimiter(';');
  cmd->add_option("--input_examples", opt->sig_input_examples,
                  "KEY=[{\"feature\": [values]}, ...]: serialized tf.Examples; ';'-separated")
      ->delimiter(';');
  cmd->add_option("--input", opt->inputs,
                  "NAME=VALUE: VALUE a JSON literal (5, [[1,2],[3,4]]) or @file.npy; repeatable");
  cmd->add_option("--output", opt->outputs, "tensor (sum:0) or op name (= output 0); repeatable");
  cmd->add_option("--target", opt->targets, "op to run for its effects; repeatable");
  cmd->add_option("--restore", opt->restore,
                  "checkpoint prefix (or directory with a `checkpoint` file) to restore a .meta "
                  "or .pb's variables from");
  cmd->add_flag("--init", opt->init, "run the variables' initializers first");
  cmd->add_flag("--json", opt->json, "print one JSON object");
  cmd->callback([opt, exit_code] { *exit_code = RunModel(*opt); });
}

}  // namespace tfport::cli
