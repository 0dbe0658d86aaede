// `tfport run MODEL`: feeds inputs, runs a graph and prints its outputs.
#include <CLI/CLI.hpp>
#include <rapidjson/document.h>

#include <cmath>
#include <iostream>
#include <limits>

#include "cli/commands.h"
#include "cli/json_writer.h"
#include "tfport/graph/import.h"
#include "tfport/io/checkpoint_state.h"
#include "tfport/io/file.h"
#include "tfport/io/npy.h"
#include "tfport/io/proto_io.h"
#include "tfport/kernels/kernels.h"
#include "tfport/saver/meta_graph.h"
#include "tfport/saver/saver.h"
#include "tfport/tf/meta_graph.pb.h"
#include "tfport/tf/variable.pb.h"

namespace tfport::cli {
namespace {

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// A graph loaded from a file, with the Saver a .meta brings along.
struct LoadedModel {
  std::unique_ptr<graph::Graph> graph = std::make_unique<graph::Graph>();
  std::unique_ptr<saver::Saver> saver;  // may be null
};

// Loads a .pb / .pbtxt GraphDef, or a .meta MetaGraphDef through
// import_meta_graph (collections and Saver included).
Result<LoadedModel> LoadModel(const std::string& path) {
  LoadedModel m;
  if (EndsWith(path, ".meta")) {
    TFPORT_ASSIGN_OR_RETURN(m.saver, saver::ImportMetaGraph(*m.graph, path));
    return m;
  }
  tf::GraphDef def;
  TFPORT_RETURN_IF_ERROR(io::ReadProto(path, &def));
  Result<std::unique_ptr<graph::Graph>> g = graph::GraphFromGraphDef(std::move(def));
  if (!g.ok()) return g.status().WithContext(path);
  m.graph = std::move(*g);
  return m;
}

// --restore: a checkpoint prefix, or a directory with a `checkpoint` file.
Status RestoreVariables(LoadedModel& m, runtime::Session& session, const std::string& where) {
  std::string prefix = where;
  if (io::IsDirectory(where)) {
    TFPORT_ASSIGN_OR_RETURN(std::optional<std::string> latest, io::LatestCheckpoint(where));
    if (!latest) return errors::NotFound("no checkpoint found in directory ", where);
    prefix = *latest;
  }
  if (m.saver == nullptr) {
    // A plain GraphDef: save/restore every variable op under its own name.
    std::vector<std::string> vars;
    for (const graph::Node* n : m.graph->nodes())
      if (n->op() == "VariableV2" || n->op() == "Variable") vars.push_back(n->name());
    TFPORT_ASSIGN_OR_RETURN(m.saver, saver::Saver::Create(*m.graph, {.var_list = vars}));
  }
  return m.saver->Restore(session, prefix);
}

// Initializer ops: the VariableDefs' initializers when the graph has a
// variables collection, else "<var>/Assign" of every variable op.
std::vector<std::string> Initializers(const graph::Graph& g) {
  std::vector<std::string> out;
  for (const char* key : {"variables", "local_variables"}) {
    auto it = g.collections().find(key);
    if (it == g.collections().end()) continue;
    for (const auto& bytes : it->second.bytes_list().value()) {
      tf::VariableDef v;
      if (v.ParseFromString(bytes) && g.FindNode(v.initializer_name()))
        out.push_back(v.initializer_name());
    }
  }
  if (!out.empty()) return out;
  for (const graph::Node* n : g.nodes()) {
    if (n->op() != "VariableV2" && n->op() != "Variable" && n->op() != "VarHandleOp") continue;
    if (g.FindNode(n->name() + "/Assign")) out.push_back(n->name() + "/Assign");
  }
  return out;
}

Status ShapeOf(const rapidjson::Value& v, std::vector<int64_t>* dims, int depth) {
  if (!v.IsArray()) return OkStatus();
  int64_t n = static_cast<int64_t>(v.Size());
  if (static_cast<int>(dims->size()) == depth) dims->push_back(n);
  if ((*dims)[static_cast<size_t>(depth)] != n)
    return errors::InvalidArgument("nested lists are not rectangular at depth ", depth);
  for (const auto& e : v.GetArray()) TFPORT_RETURN_IF_ERROR(ShapeOf(e, dims, depth + 1));
  return OkStatus();
}

Status Flatten(const rapidjson::Value& v, std::vector<const rapidjson::Value*>* out, int depth,
               int rank) {
  if (depth == rank) {
    if (v.IsArray()) return errors::InvalidArgument("nested lists are not rectangular");
    out->push_back(&v);
    return OkStatus();
  }
  if (!v.IsArray()) return errors::InvalidArgument("nested lists are not rectangular");
  for (const auto& e : v.GetArray()) TFPORT_RETURN_IF_ERROR(Flatten(e, out, depth + 1, rank));
  return OkStatus();
}

// A JSON literal typed by dtype: 5, [[1,2],[3,4]], true, "text".
Result<Tensor> TensorFromJson(std::string_view text, DataType dtype) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseNanAndInfFlag>(text.data(), text.size());
  if (doc.HasParseError())
    return errors::InvalidArgument("'", text, "' is not a JSON literal");
  std::vector<int64_t> dims;
  TFPORT_RETURN_IF_ERROR(ShapeOf(doc, &dims, 0));
  TFPORT_ASSIGN_OR_RETURN(Shape shape, Shape::FromDims(dims));
  std::vector<const rapidjson::Value*> values;
  TFPORT_RETURN_IF_ERROR(Flatten(doc, &values, 0, shape.rank()));
  TFPORT_ASSIGN_OR_RETURN(Tensor t, Tensor::Allocate(dtype, shape));
  for (size_t i = 0; i < values.size(); ++i) {
    const rapidjson::Value& v = *values[i];
    if (dtype == DT_STRING) {
      if (!v.IsString()) return errors::InvalidArgument("element ", i, " is not a string");
      t.flat<std::string>()[i] = std::string(v.GetString(), v.GetStringLength());
      continue;
    }
    if (dtype == DT_BOOL) {
      if (!v.IsBool()) return errors::InvalidArgument("element ", i, " is not true/false");
      t.flat<bool>()[i] = v.GetBool();
      continue;
    }
    if (!v.IsNumber()) return errors::InvalidArgument("element ", i, " is not a number");
    double d = v.GetDouble();
    Status s = DispatchNumeric(dtype, t, i, v, d);
    if (!s.ok()) return s;
  }
  return t;
}

}  // namespace

// Stores number `d` (or the exact integer in v) as element i of t.
Status DispatchNumeric(DataType dtype, Tensor& t, size_t i, const rapidjson::Value& v, double d) {
  auto integer = [&]<typename T>() -> Status {
    if (!v.IsInt64() && !v.IsUint64() && !(std::isfinite(d) && std::floor(d) == d))
      return errors::InvalidArgument("element ", i, " = ", d, " is not an integer, but the input "
                                     "is ", NumpyName(dtype));
    if constexpr (std::is_unsigned_v<T>) {
      if (v.IsUint64() ? v.GetUint64() > std::numeric_limits<T>::max() : d < 0 || d > static_cast<double>(std::numeric_limits<T>::max()))
        return errors::InvalidArgument("element ", i, " is out of range for ", NumpyName(dtype));
      t.flat<T>()[i] = v.IsUint64() ? static_cast<T>(v.GetUint64()) : static_cast<T>(d);
    } else {
      int64_t x = v.IsInt64() ? v.GetInt64() : static_cast<int64_t>(d);
      if (x < std::numeric_limits<T>::lowest() || x > std::numeric_limits<T>::max())
        return errors::InvalidArgument("element ", i, " = ", x, " is out of range for ", NumpyName(dtype));
      t.flat<T>()[i] = static_cast<T>(x);
    }
    return OkStatus();
  };
  switch (dtype) {
    case DT_FLOAT: t.flat<float>()[i] = static_cast<float>(d); return OkStatus();
    case DT_DOUBLE: t.flat<double>()[i] = d; return OkStatus();
    case DT_HALF: t.flat<Half>()[i] = Half::FromFloat(static_cast<float>(d)); return OkStatus();
    case DT_BFLOAT16: t.flat<BFloat16>()[i] = BFloat16::FromFloat(static_cast<float>(d)); return OkStatus();
    case DT_INT32: return integer.template operator()<int32_t>();
    case DT_INT64: return integer.template operator()<int64_t>();
    case DT_INT16: return integer.template operator()<int16_t>();
    case DT_INT8: return integer.template operator()<int8_t>();
    case DT_UINT8: return integer.template operator()<uint8_t>();
    case DT_UINT16: return integer.template operator()<uint16_t>();
    case DT_UINT32: return integer.template operator()<uint32_t>();
    case DT_UINT64: return integer.template operator()<uint64_t>();
    default:
      return errors::Unimplemented("JSON inputs of dtype ", NumpyName(dtype), " are not supported");
  }
}

int RunModel(const RunOptions& opt) {
  auto fail = [](const Status& s) {
    std::cerr << "tfport run: " << s.ToString() << "\n";
    return 1;
  };
  Result<LoadedModel> loaded = LoadModel(opt.model);
  if (!loaded.ok()) return fail(loaded.status());
  graph::Graph& g = *loaded->graph;
  auto session = kernels::NewSession(g);
  std::vector<Tensor> ignored;
  if (!opt.restore.empty()) {
    if (Status s = RestoreVariables(*loaded, *session, opt.restore); !s.ok())
      return fail(s.WithContext("--restore ", opt.restore));
  }
  if (opt.init) {
    std::vector<std::string> inits = Initializers(g);
    if (Status s = session->Run({}, {}, inits, &ignored); !s.ok())
      return fail(s.WithContext("running initializers"));
  }
  std::vector<std::pair<std::string, Tensor>> feeds;
  for (const std::string& input : opt.inputs) {
    size_t eq = input.find('=');
    if (eq == std::string::npos)
      return fail(errors::InvalidArgument("--input '", input, "' is not NAME=VALUE"));
    std::string name = input.substr(0, eq), value = input.substr(eq + 1);
    Result<graph::Output> t = g.GetTensorByName(name);
    if (!t.ok()) return fail(t.status().WithContext("--input ", name));
    Result<Tensor> tensor = value.starts_with("@")
                                ? io::ReadNpy(value.substr(1))
                                : TensorFromJson(value, BaseType(t->dtype()));
    if (!tensor.ok()) return fail(tensor.status().WithContext("--input ", name));
    feeds.emplace_back(t->name(), *tensor);
  }
  std::vector<Tensor> outputs;
  if (Status s = session->Run(feeds, opt.outputs, opt.targets, &outputs); !s.ok()) return fail(s);

  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  Key(w, "outputs");
  w.StartObject();
  for (size_t i = 0; i < outputs.size(); ++i) {
    std::string name = opt.outputs[i].find(':') == std::string::npos ? opt.outputs[i] + ":0"
                                                                     : opt.outputs[i];
    Key(w, name);
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
  if (opt.json) {
    std::cout << buf.GetString() << "\n";
    return 0;
  }
  for (size_t i = 0; i < outputs.size(); ++i) {
    rapidjson::StringBuffer vb;
    JsonWriter vw(vb);
    TensorValues(vw, outputs[i]);
    std::cout << opt.outputs[i] << " (" << NumpyName(outputs[i].dtype()) << " "
              << outputs[i].shape().DebugString() << "): " << vb.GetString() << "\n";
  }
  return 0;
}

void AddRunCommand(CLI::App& app, int* exit_code) {
  auto opt = std::make_shared<RunOptions>();
  CLI::App* cmd = app.add_subcommand("run", "Run a GraphDef (.pb/.pbtxt) or MetaGraphDef (.meta)");
  cmd->add_option("model", opt->model, "the .pb, .pbtxt or .meta file")->required();
  cmd->add_option("--input", opt->inputs,
                  "NAME=VALUE: VALUE a JSON literal (5, [[1,2],[3,4]]) or @file.npy; repeatable");
  cmd->add_option("--output", opt->outputs, "tensor (sum:0) or op name (= output 0); repeatable");
  cmd->add_option("--target", opt->targets, "op to run for its effects; repeatable");
  cmd->add_option("--restore", opt->restore, "checkpoint prefix (or directory with a `checkpoint` file) to restore variables from");
  cmd->add_flag("--init", opt->init, "run the variables' initializers first");
  cmd->add_flag("--json", opt->json, "print one JSON object");
  cmd->callback([opt, exit_code] { *exit_code = RunModel(*opt); });
}

}  // namespace tfport::cli
