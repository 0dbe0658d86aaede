// `tfport inspect PATH`: says what a TensorFlow file or directory is and what
// it holds, like inspect_checkpoint / list_variables for checkpoints and
// `saved_model_cli show --all` for SavedModels.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <map>
#include <set>

#include "cli/commands.h"
#include "cli/json_writer.h"
#include "tfport/io/checkpoint_reader.h"
#include "tfport/io/checkpoint_state.h"
#include "tfport/io/file.h"
#include "tfport/io/proto_io.h"
#include "tfport/graph/graph.h"
#include "tfport/saved_model/constants.h"
#include "tfport/saved_model/reader.h"
#include "tfport/tf/graph.pb.h"
#include "tfport/tf/meta_graph.pb.h"
#include "tfport/tf/saved_model.pb.h"

#include <google/protobuf/unknown_field_set.h>

namespace tfport::cli {
namespace {

enum class Kind { kCheckpoint, kGraphDef, kMetaGraph, kSavedModel };

struct Target {
  Kind kind;
  std::string path;  // checkpoint prefix, proto file, or SavedModel directory
  bool text = false;
};

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Strips ".index" or ".data-NNNNN-of-NNNNN" from a bundle file name.
std::string BundlePrefixOf(const std::string& path) {
  if (EndsWith(path, ".index")) return path.substr(0, path.size() - 6);
  size_t pos = path.rfind(".data-");
  if (pos != std::string::npos && path.find("-of-", pos) != std::string::npos)
    return path.substr(0, pos);
  return "";
}

bool HasTableMagic(const std::string& path) {
  Result<std::shared_ptr<io::MappedFile>> f = io::MappedFile::Open(path);
  if (!f.ok() || (*f)->size() < 48) return false;
  static const uint8_t kMagic[8] = {0x57, 0xfb, 0x80, 0x8b, 0x24, 0x75, 0x47, 0xdb};
  return std::equal(kMagic, kMagic + 8, (*f)->data() + (*f)->size() - 8);
}

// Guesses which message a text proto holds from its first field name.
Kind TextKind(const std::string& path) {
  Result<std::string> text = io::ReadFileToString(path, uint64_t{1} << 31);
  if (!text.ok()) return Kind::kGraphDef;
  size_t i = text->find_first_not_of(" \t\r\n");
  std::string_view head = i == std::string::npos ? "" : std::string_view(*text).substr(i, 40);
  if (head.starts_with("saved_model_schema_version") || head.starts_with("meta_graphs"))
    return Kind::kSavedModel;
  if (head.starts_with("meta_info_def") || head.starts_with("graph_def") ||
      head.starts_with("saver_def") || head.starts_with("collection_def"))
    return Kind::kMetaGraph;
  return Kind::kGraphDef;
}

// Binary protos carry no type: a SavedModel has field 1 = small int and
// field 2 = MetaGraphDefs; a MetaGraphDef's field 2 is a GraphDef; a GraphDef
// is a list of field-1 NodeDefs.
Kind BinaryKind(const std::string& path) {
  if (io::Basename(path) == "saved_model.pb") return Kind::kSavedModel;
  if (EndsWith(path, ".meta")) return Kind::kMetaGraph;
  tf::SavedModel sm;
  if (io::ReadBinaryProto(path, &sm).ok() && sm.meta_graphs_size() > 0 &&
      sm.meta_graphs(0).has_graph_def() &&
      sm.GetReflection()->GetUnknownFields(sm).empty())
    return Kind::kSavedModel;
  tf::GraphDef g;
  if (io::ReadBinaryProto(path, &g).ok() && g.node_size() > 0 && !g.node(0).op().empty())
    return Kind::kGraphDef;
  tf::MetaGraphDef m;
  if (io::ReadBinaryProto(path, &m).ok() && m.has_graph_def()) return Kind::kMetaGraph;
  return Kind::kGraphDef;
}

Result<Target> Detect(const std::string& path) {
  // The file inside a SavedModel stands for the SavedModel (its variables are
  // next to it).
  const std::string base = io::Basename(path);
  if ((base == saved_model::kSavedModelFilenamePb || base == saved_model::kSavedModelFilenamePbTxt) &&
      io::FileExists(path) && !io::IsDirectory(path))
    return Target{Kind::kSavedModel, io::Dirname(path).empty() ? "." : io::Dirname(path)};
  if (io::IsDirectory(path)) {
    if (saved_model::MaybeSavedModelDirectory(path)) return Target{Kind::kSavedModel, path};
    TFPORT_ASSIGN_OR_RETURN(auto latest, io::LatestCheckpoint(path));
    if (latest) return Target{Kind::kCheckpoint, *latest};
    std::vector<std::string> indexes = io::Glob(io::JoinPath(path, "*.index"));
    if (indexes.size() == 1) return Target{Kind::kCheckpoint, BundlePrefixOf(indexes[0])};
    if (indexes.size() > 1)
      return errors::InvalidArgument(path, ": holds ", indexes.size(),
                                     " checkpoints and no 'checkpoint' file; name one prefix, "
                                     "e.g. ", BundlePrefixOf(indexes[0]));
    return errors::NotFound(path, ": no SavedModel, checkpoint or 'checkpoint' file in this "
                            "directory");
  }
  if (io::FileExists(io::BundleIndexPath(path))) return Target{Kind::kCheckpoint, path};
  if (!io::FileExists(path)) {
    if (!io::Glob(path).empty()) return Target{Kind::kCheckpoint, path};  // V1 pattern
    return errors::NotFound(path, ": no such file, directory or checkpoint prefix");
  }
  if (std::string prefix = BundlePrefixOf(path); !prefix.empty())
    return Target{Kind::kCheckpoint, prefix};
  if (EndsWith(path, ".pbtxt") || EndsWith(path, ".prototxt") || EndsWith(path, ".txt"))
    return Target{TextKind(path), path, true};
  if (HasTableMagic(path)) return Target{Kind::kCheckpoint, path};  // V1 checkpoint file
  return Target{BinaryKind(path), path};
}

// ------------------------------------------------------------ checkpoints

int InspectCheckpoint(const Target& target, const InspectOptions& opt) {
  Result<std::unique_ptr<io::CheckpointReader>> reader = io::CheckpointReader::Open(target.path);
  if (!reader.ok()) {
    std::cerr << "tfport inspect: " << reader.status().ToString() << "\n";
    return 1;
  }
  const io::CheckpointReader& r = **reader;
  const char* format = r.format() == io::CheckpointFormat::kV2 ? "V2" : "V1";
  std::vector<const io::CheckpointTensorInfo*> selected;
  for (const auto& info : r.tensors())
    if (opt.tensor.empty() || info.name == opt.tensor) selected.push_back(&info);
  if (!opt.tensor.empty() && selected.empty()) {
    std::cerr << "tfport inspect: " << target.path << ": Key " << opt.tensor
              << " not found in checkpoint\n";
    return 1;
  }
  const bool values = opt.all || !opt.tensor.empty();
  std::vector<Tensor> tensors;
  for (const auto* info : selected) {
    if (!values) break;
    Result<Tensor> t = r.GetTensor(info->name);
    if (!t.ok()) {
      std::cerr << "tfport inspect: " << t.status().ToString() << "\n";
      return 1;
    }
    tensors.push_back(*t);
  }
  if (opt.json) {
    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    w.StartObject();
    Key(w, "kind");
    String(w, "checkpoint");
    Key(w, "format");
    String(w, format);
    Key(w, "path");
    String(w, target.path);
    if (r.bundle()) {
      Key(w, "num_shards");
      w.Int(r.bundle()->num_shards());
    }
    Key(w, "tensors");
    w.StartArray();
    for (size_t i = 0; i < selected.size(); ++i) {
      w.StartObject();
      Key(w, "name");
      String(w, selected[i]->name);
      Key(w, "dtype");
      String(w, NumpyName(selected[i]->dtype));
      Key(w, "shape");
      ShapeValue(w, selected[i]->shape);
      if (values) {
        Key(w, "values");
        TensorValues(w, tensors[i]);
      }
      w.EndObject();
    }
    w.EndArray();
    if (!opt.tensor.empty()) {
      Key(w, "name");
      String(w, selected[0]->name);
      Key(w, "dtype");
      String(w, NumpyName(selected[0]->dtype));
      Key(w, "shape");
      ShapeValue(w, selected[0]->shape);
      Key(w, "values");
      TensorValues(w, tensors[0]);
    }
    w.EndObject();
    std::cout << buf.GetString() << "\n";
    return 0;
  }
  std::cout << format << " checkpoint " << target.path << ": " << r.tensors().size()
            << " tensors";
  if (r.bundle()) std::cout << " in " << r.bundle()->num_shards() << " data shard(s)";
  std::cout << "\n";
  for (size_t i = 0; i < selected.size(); ++i) {
    std::cout << "tensor_name:  " << selected[i]->name << "  " << NumpyName(selected[i]->dtype)
              << " " << selected[i]->shape.DebugString() << "\n";
    if (values) {
      rapidjson::StringBuffer buf;
      JsonWriter w(buf);
      TensorValues(w, tensors[i]);
      std::cout << buf.GetString() << "\n";
    }
  }
  return 0;
}

// ------------------------------------------------------------ graphs

struct TensorDesc {
  std::string name;
  DataType dtype = DT_INVALID;
  Shape shape = Shape::UnknownRank();
};

const tf::AttrValue* Attr(const tf::NodeDef& node, const char* name) {
  auto it = node.attr().find(name);
  return it == node.attr().end() ? nullptr : &it->second;
}

TensorDesc Describe(const tf::NodeDef& node, const char* dtype_attr) {
  TensorDesc d{node.name()};
  if (const auto* a = Attr(node, dtype_attr)) d.dtype = a->type();
  if (const auto* a = Attr(node, "shape")) {
    Result<Shape> s = Shape::FromProto(a->shape(), true);
    if (s.ok()) d.shape = *s;
  } else if (const auto* os = Attr(node, "_output_shapes"); os && os->list().shape_size() > 0) {
    Result<Shape> s = Shape::FromProto(os->list().shape(0), true);
    if (s.ok()) d.shape = *s;
  }
  return d;
}


struct GraphSummary {
  int node_count = 0;
  int function_count = 0;
  std::map<std::string, int> ops;
  std::vector<TensorDesc> inputs, variables;
  std::vector<std::string> outputs;
};

GraphSummary Summarize(const tf::GraphDef& g) {
  static const std::set<std::string> kNotOutputs = {
      "NoOp", "Const", "Placeholder", "PlaceholderWithDefault", "VariableV2", "Variable",
      "VarHandleOp", "Assign", "AssignVariableOp", "AssignAdd", "AssignSub", "SaveV2",
      "SaveSlices", "RestoreV2", "RestoreSlice", "MergeV2Checkpoints", "VarIsInitializedOp",
      "IsVariableInitialized", "AssignAddVariableOp", "AssignSubVariableOp"};
  GraphSummary s;
  s.node_count = g.node_size();
  s.function_count = g.library().function_size();
  std::set<std::string> consumed;
  for (const auto& n : g.node()) {
    ++s.ops[n.op()];
    for (const auto& in : n.input()) consumed.insert(graph::NodeNameOf(in));
    if (n.op() == "Placeholder" || n.op() == "PlaceholderWithDefault") {
      if (!n.name().starts_with("save/") && !n.name().starts_with("save_"))
        s.inputs.push_back(Describe(n, "dtype"));
    }
    if (graph::IsVariableOp(n.op())) s.variables.push_back(Describe(n, "dtype"));
  }
  for (const auto& n : g.node()) {
    if (consumed.count(n.name()) || kNotOutputs.count(n.op())) continue;
    if (n.name().starts_with("save/") || n.op().starts_with("Apply") ||
        n.op().starts_with("ResourceApply"))
      continue;
    s.outputs.push_back(n.name());
  }
  return s;
}

void PrintShapeText(const Shape& shape) {
  if (shape.unknown_rank()) {
    std::cout << "unknown_rank";
    return;
  }
  std::cout << "(";
  for (int i = 0; i < shape.rank(); ++i)
    std::cout << (i ? ", " : "") << shape.dim(i);
  if (shape.rank() == 1) std::cout << ",";
  std::cout << ")";
}

void PrintGraphText(const GraphSummary& s, const std::string& indent) {
  std::cout << indent << "nodes: " << s.node_count;
  if (s.function_count) std::cout << " (+" << s.function_count << " library functions)";
  std::cout << "\n" << indent << "ops:";
  std::vector<std::pair<std::string, int>> ops(s.ops.begin(), s.ops.end());
  std::stable_sort(ops.begin(), ops.end(), [](auto& a, auto& b) { return a.second > b.second; });
  for (const auto& [op, n] : ops) std::cout << " " << op << "=" << n;
  std::cout << "\n" << indent << "inputs (placeholders):\n";
  for (const auto& d : s.inputs) {
    std::cout << indent << "  " << d.name << ":0  " << NumpyName(d.dtype) << " ";
    PrintShapeText(d.shape);
    std::cout << "\n";
  }
  std::cout << indent << "likely outputs:";
  for (const auto& o : s.outputs) std::cout << " " << o;
  std::cout << "\n" << indent << "variables:\n";
  for (const auto& d : s.variables) {
    std::cout << indent << "  " << d.name << "  " << NumpyName(d.dtype) << " ";
    PrintShapeText(d.shape);
    std::cout << "\n";
  }
}

void DescList(JsonWriter& w, const std::vector<TensorDesc>& list, bool tensor_names) {
  w.StartArray();
  for (const auto& d : list) {
    w.StartObject();
    Key(w, "name");
    String(w, tensor_names ? d.name + ":0" : d.name);
    Key(w, "dtype");
    String(w, d.dtype == DT_INVALID ? "unknown" : std::string(NumpyName(d.dtype)));
    Key(w, "shape");
    ShapeValue(w, d.shape);
    w.EndObject();
  }
  w.EndArray();
}

void GraphJson(JsonWriter& w, const GraphSummary& s) {
  Key(w, "node_count");
  w.Int(s.node_count);
  Key(w, "function_count");
  w.Int(s.function_count);
  Key(w, "ops");
  w.StartObject();
  for (const auto& [op, n] : s.ops) {
    Key(w, op);
    w.Int(n);
  }
  w.EndObject();
  Key(w, "inputs");
  DescList(w, s.inputs, true);
  Key(w, "outputs");
  w.StartArray();
  for (const auto& o : s.outputs) String(w, o);
  w.EndArray();
  Key(w, "variables");
  DescList(w, s.variables, false);
}

Status LoadProto(const Target& t, google::protobuf::Message* msg) {
  return t.text ? io::ReadTextProto(t.path, msg) : io::ReadBinaryProto(t.path, msg);
}

int Fail(const Status& s) {
  std::cerr << "tfport inspect: " << s.ToString() << "\n";
  return 1;
}

int InspectGraphDef(const Target& t, const InspectOptions& opt) {
  tf::GraphDef g;
  if (Status s = LoadProto(t, &g); !s.ok()) return Fail(s);
  GraphSummary s = Summarize(g);
  if (opt.json) {
    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    w.StartObject();
    Key(w, "kind");
    String(w, "graph");
    Key(w, "format");
    String(w, t.text ? "GraphDef (text)" : "GraphDef");
    Key(w, "path");
    String(w, t.path);
    Key(w, "producer");
    w.Int(g.versions().producer());
    GraphJson(w, s);
    w.EndObject();
    std::cout << buf.GetString() << "\n";
    return 0;
  }
  std::cout << "GraphDef " << t.path << (t.text ? " (text)" : "")
            << ", producer " << g.versions().producer() << "\n";
  PrintGraphText(s, "  ");
  return 0;
}

void SignaturesText(const tf::MetaGraphDef& mg) {
  for (const auto& [key, sig] : std::map(mg.signature_def().begin(), mg.signature_def().end())) {
    std::cout << "\nsignature_def['" << key << "']:\n";
    auto side = [](const char* what, const auto& map) {
      std::cout << "  The given SavedModel SignatureDef contains the following " << what
                << "(s):\n";
      for (const auto& [k, info] : std::map(map.begin(), map.end())) {
        std::cout << "    " << what << "s['" << k << "'] tensor_info:\n"
                  << "        dtype: " << DataTypeName(info.dtype()) << "\n        shape: ";
        Result<Shape> shape = Shape::FromProto(info.tensor_shape(), true);
        PrintShapeText(shape.ok() ? *shape : Shape::UnknownRank());
        std::cout << "\n        name: " << info.name() << "\n";
      }
    };
    side("input", sig.inputs());
    side("output", sig.outputs());
    std::cout << "  Method name is: " << sig.method_name() << "\n";
  }
}

void SignaturesJson(JsonWriter& w, const tf::MetaGraphDef& mg) {
  Key(w, "signatures");
  w.StartObject();
  for (const auto& [key, sig] : std::map(mg.signature_def().begin(), mg.signature_def().end())) {
    Key(w, key);
    w.StartObject();
    Key(w, "method_name");
    String(w, sig.method_name());
    auto side = [&](const char* what, const auto& map) {
      Key(w, what);
      w.StartObject();
      for (const auto& [k, info] : std::map(map.begin(), map.end())) {
        Key(w, k);
        w.StartObject();
        Key(w, "name");
        String(w, info.name());
        Key(w, "dtype");
        String(w, info.dtype() == DT_INVALID ? "unknown" : std::string(NumpyName(info.dtype())));
        Key(w, "shape");
        Result<Shape> shape = Shape::FromProto(info.tensor_shape(), true);
        ShapeValue(w, shape.ok() ? *shape : Shape::UnknownRank());
        w.EndObject();
      }
      w.EndObject();
    };
    side("inputs", sig.inputs());
    side("outputs", sig.outputs());
    w.EndObject();
  }
  w.EndObject();
}

void MetaInfoJson(JsonWriter& w, const tf::MetaGraphDef& mg) {
  Key(w, "tags");
  w.StartArray();
  for (const auto& tag : mg.meta_info_def().tags()) String(w, tag);
  w.EndArray();
  Key(w, "tensorflow_version");
  String(w, mg.meta_info_def().tensorflow_version());
  if (mg.has_saver_def()) {
    const auto& sd = mg.saver_def();
    Key(w, "saver_def");
    w.StartObject();
    Key(w, "filename_tensor_name");
    String(w, sd.filename_tensor_name());
    Key(w, "save_tensor_name");
    String(w, sd.save_tensor_name());
    Key(w, "restore_op_name");
    String(w, sd.restore_op_name());
    Key(w, "sharded");
    w.Bool(sd.sharded());
    Key(w, "version");
    w.Int(sd.version());
    w.EndObject();
  }
  Key(w, "collections");
  w.StartArray();
  for (const auto& [k, v] : std::map(mg.collection_def().begin(), mg.collection_def().end()))
    String(w, k);
  w.EndArray();
  SignaturesJson(w, mg);
  Key(w, "graph");
  w.StartObject();
  GraphJson(w, Summarize(mg.graph_def()));
  w.EndObject();
}

int InspectMetaGraph(const Target& t, const InspectOptions& opt) {
  tf::MetaGraphDef mg;
  if (Status s = LoadProto(t, &mg); !s.ok()) return Fail(s);
  if (opt.json) {
    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    w.StartObject();
    Key(w, "kind");
    String(w, "meta_graph");
    Key(w, "path");
    String(w, t.path);
    MetaInfoJson(w, mg);
    w.EndObject();
    std::cout << buf.GetString() << "\n";
    return 0;
  }
  std::cout << "MetaGraphDef " << t.path << ", TensorFlow "
            << (mg.meta_info_def().tensorflow_version().empty()
                    ? std::string("(not recorded)")
                    : mg.meta_info_def().tensorflow_version())
            << "\n";
  if (mg.has_saver_def()) {
    const auto& sd = mg.saver_def();
    std::cout << "  saver: filename " << sd.filename_tensor_name() << ", save "
              << sd.save_tensor_name() << ", restore " << sd.restore_op_name() << ", version "
              << sd.version() << (sd.sharded() ? ", sharded" : "") << "\n";
  }
  std::cout << "  collections:";
  for (const auto& [k, v] : std::map(mg.collection_def().begin(), mg.collection_def().end()))
    std::cout << " " << k;
  std::cout << "\n";
  PrintGraphText(Summarize(mg.graph_def()), "  ");
  SignaturesText(mg);
  return 0;
}

int InspectSavedModel(const Target& t, const InspectOptions& opt) {
  Result<tf::SavedModel> read = saved_model::ReadSavedModel(t.path);
  if (!read.ok()) return Fail(read.status());
  const tf::SavedModel& sm = *read;
  std::string prefix = saved_model::VariablesPrefix(t.path);
  std::unique_ptr<io::CheckpointReader> vars;
  if (io::FileExists(io::BundleIndexPath(prefix))) {
    Result<std::unique_ptr<io::CheckpointReader>> r = io::CheckpointReader::Open(prefix);
    if (!r.ok()) return Fail(r.status());
    vars = std::move(*r);
  }
  if (!opt.tensor.empty()) {
    if (!vars) return Fail(errors::NotFound(t.path, ": SavedModel has no variables"));
    InspectOptions o = opt;
    return InspectCheckpoint(Target{Kind::kCheckpoint, prefix}, o);
  }
  if (opt.json) {
    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    w.StartObject();
    Key(w, "kind");
    String(w, "saved_model");
    Key(w, "path");
    String(w, t.path);
    Key(w, "meta_graphs");
    w.StartArray();
    for (const auto& mg : sm.meta_graphs()) {
      w.StartObject();
      MetaInfoJson(w, mg);
      w.EndObject();
    }
    w.EndArray();
    Key(w, "variables");
    w.StartArray();
    if (vars) {
      for (const auto& info : vars->tensors()) {
        w.StartObject();
        Key(w, "name");
        String(w, info.name);
        Key(w, "dtype");
        String(w, NumpyName(info.dtype));
        Key(w, "shape");
        ShapeValue(w, info.shape);
        w.EndObject();
      }
    }
    w.EndArray();
    w.EndObject();
    std::cout << buf.GetString() << "\n";
    return 0;
  }
  std::cout << "SavedModel " << t.path << ": " << sm.meta_graphs_size() << " MetaGraphDef(s)\n";
  for (const auto& mg : sm.meta_graphs()) {
    std::string tags;
    for (const auto& tag : mg.meta_info_def().tags()) tags += (tags.empty() ? "" : ", ") + tag;
    std::cout << "\nMetaGraphDef with tag-set: '" << tags
              << "' contains the following SignatureDefs:\n";
    SignaturesText(mg);
  }
  std::cout << "\nvariables (" << (vars ? vars->tensors().size() : 0) << "):\n";
  if (vars)
    for (const auto& info : vars->tensors())
      std::cout << "  " << info.name << "  " << NumpyName(info.dtype) << " "
                << info.shape.DebugString() << "\n";
  return 0;
}

}  // namespace

int RunInspect(const InspectOptions& opt) {
  Result<Target> target = Detect(opt.path);
  if (!target.ok()) return Fail(target.status());
  switch (target->kind) {
    case Kind::kCheckpoint: return InspectCheckpoint(*target, opt);
    case Kind::kGraphDef: return InspectGraphDef(*target, opt);
    case Kind::kMetaGraph: return InspectMetaGraph(*target, opt);
    case Kind::kSavedModel: return InspectSavedModel(*target, opt);
  }
  return 1;
}

void AddInspectCommand(CLI::App& app, int* exit_code) {
  auto opt = std::make_shared<InspectOptions>();
  CLI::App* cmd = app.add_subcommand(
      "inspect", "Show what a checkpoint, GraphDef, MetaGraphDef or SavedModel holds");
  cmd->add_option("path", opt->path,
                  "checkpoint prefix or directory, V1 checkpoint, .meta, .pb/.pbtxt, or "
                  "SavedModel directory")
      ->required();
  cmd->add_option("--tensor", opt->tensor, "print this checkpoint tensor's values");
  cmd->add_flag("--all", opt->all, "print every checkpoint tensor's values");
  cmd->add_flag("--json", opt->json, "print one JSON object");
  cmd->callback([opt, exit_code] { *exit_code = RunInspect(*opt); });
}

}  // namespace tfport::cli
