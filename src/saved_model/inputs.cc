#include "tfport/saved_model/inputs.h"

#include <rapidjson/document.h>

#include <cmath>
#include <limits>
#include <set>

#include "tfport/graph/ops.h"
#include "tfport/io/npy.h"
#include "tfport/kernels/kernels.h"
#include "tfport/tf/example.pb.h"

namespace tfport::saved_model {
namespace {

// Python literal spellings -> JSON: True/False/None, tuples, 'strings',
// "1." and ".5". Characters inside strings are left alone.
std::string PythonToJson(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 8);
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '"' || c == '\'') {  // a string: copy to its closing quote
      out += '"';
      for (++i; i < text.size() && text[i] != c; ++i) {
        if (text[i] == '\\' && i + 1 < text.size()) {
          out += text[i];
          out += text[++i];
        } else if (text[i] == '"') {
          out += "\\\"";
        } else {
          out += text[i];
        }
      }
      out += '"';
      continue;
    }
    auto word = [&](std::string_view w) { return text.substr(i, w.size()) == w; };
    if (word("True")) { out += "true"; i += 3; continue; }
    if (word("False")) { out += "false"; i += 4; continue; }
    if (word("None")) { out += "null"; i += 3; continue; }
    if (c == '(') { out += '['; continue; }
    if (c == ')') {
      // (1,) -> [1]: drop a trailing comma before the closing bracket.
      while (!out.empty() && (out.back() == ' ' || out.back() == ',')) out.pop_back();
      out += ']';
      continue;
    }
    if (c == '.' && (out.empty() || !std::isdigit(static_cast<unsigned char>(out.back()))))
      out += '0';  // ".5" -> "0.5"
    out += c;
    if (c == '.' && (i + 1 >= text.size() || !std::isdigit(static_cast<unsigned char>(text[i + 1]))))
      out += '0';  // "1." -> "1.0"
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

// Stores number `d` (or the exact integer in v) as element i of t.
Status StoreNumber(DataType dtype, Tensor& t, size_t i, const rapidjson::Value& v) {
  const double d = v.GetDouble();
  auto integer = [&]<typename T>() -> Status {
    if (!v.IsInt64() && !v.IsUint64() && !(std::isfinite(d) && std::floor(d) == d))
      return errors::InvalidArgument("element ", i, " = ", d, " is not an integer, but the input "
                                     "is ", NumpyName(dtype));
    if constexpr (std::is_unsigned_v<T>) {
      if (v.IsUint64() ? v.GetUint64() > std::numeric_limits<T>::max()
                       : d < 0 || d > static_cast<double>(std::numeric_limits<T>::max()))
        return errors::InvalidArgument("element ", i, " is out of range for ", NumpyName(dtype));
      t.flat<T>()[i] = v.IsUint64() ? static_cast<T>(v.GetUint64()) : static_cast<T>(d);
    } else {
      if (!v.IsInt64() && (d < -9.2233720368547758e18 || d >= 9.2233720368547758e18))
        return errors::InvalidArgument("element ", i, " is out of range for ", NumpyName(dtype));
      int64_t x = v.IsInt64() ? v.GetInt64() : static_cast<int64_t>(d);
      if (x < std::numeric_limits<T>::lowest() || x > std::numeric_limits<T>::max())
        return errors::InvalidArgument("element ", i, " = ", x, " is out of range for ",
                                       NumpyName(dtype));
      t.flat<T>()[i] = static_cast<T>(x);
    }
    return OkStatus();
  };
  switch (dtype) {
    case DT_FLOAT: t.flat<float>()[i] = static_cast<float>(d); return OkStatus();
    case DT_DOUBLE: t.flat<double>()[i] = d; return OkStatus();
    case DT_HALF: t.flat<Half>()[i] = Half::FromFloat(static_cast<float>(d)); return OkStatus();
    case DT_BFLOAT16:
      t.flat<BFloat16>()[i] = BFloat16::FromFloat(static_cast<float>(d));
      return OkStatus();
    case DT_INT32: return integer.template operator()<int32_t>();
    case DT_INT64: return integer.template operator()<int64_t>();
    case DT_INT16: return integer.template operator()<int16_t>();
    case DT_INT8: return integer.template operator()<int8_t>();
    case DT_UINT8: return integer.template operator()<uint8_t>();
    case DT_UINT16: return integer.template operator()<uint16_t>();
    case DT_UINT32: return integer.template operator()<uint32_t>();
    case DT_UINT64: return integer.template operator()<uint64_t>();
    default:
      return errors::Unimplemented("literal inputs of dtype ", NumpyName(dtype),
                                   " are not supported");
  }
}

Status ParseJson(std::string_view text, rapidjson::Document* doc) {
  const std::string json = PythonToJson(text);
  doc->Parse<rapidjson::kParseNanAndInfFlag>(json.data(), json.size());
  if (doc->HasParseError())
    return errors::InvalidArgument("'", text, "' is not a literal (JSON or Python list syntax)");
  return OkStatus();
}

// "key=value" -> (key, value).
Result<std::pair<std::string, std::string>> SplitSpec(std::string_view spec, const char* flag) {
  size_t eq = spec.find('=');
  if (eq == std::string_view::npos || eq == 0)
    return errors::InvalidArgument(flag, " '", spec, "' is not KEY=VALUE");
  return std::make_pair(std::string(spec.substr(0, eq)), std::string(spec.substr(eq + 1)));
}

}  // namespace

Result<Tensor> TensorFromLiteral(std::string_view text, DataType dtype) {
  rapidjson::Document doc;
  TFPORT_RETURN_IF_ERROR(ParseJson(text, &doc));
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
    } else if (dtype == DT_BOOL) {
      if (!v.IsBool()) return errors::InvalidArgument("element ", i, " is not true/false");
      t.flat<bool>()[i] = v.GetBool();
    } else {
      if (!v.IsNumber()) return errors::InvalidArgument("element ", i, " is not a number");
      TFPORT_RETURN_IF_ERROR(StoreNumber(dtype, t, i, v));
    }
  }
  return t;
}

Result<Tensor> CastTensor(const Tensor& t, DataType dtype) {
  if (t.dtype() == dtype) return t;
  if (t.dtype() == DT_STRING || dtype == DT_STRING)
    return errors::InvalidArgument("cannot convert a ", NumpyName(t.dtype()), " value to ",
                                   NumpyName(dtype));
  // The Cast kernel, so conversions round and saturate exactly as in graphs.
  graph::Graph g;
  auto in = ops::Placeholder(g, t.dtype(), t.shape(), "in");
  ops::Op(g, {"Cast", {in}, {ops::AttrType("DstT", dtype)}, {}, "out"});
  TFPORT_RETURN_IF_ERROR(g.status());
  runtime::SessionOptions options;
  options.inter_op_threads = options.intra_op_threads = 0;
  auto session = kernels::NewSession(g, options);
  std::vector<Tensor> out;
  Status s = session->Run({{"in:0", t}}, {"out:0"}, {}, &out);
  if (!s.ok())
    return errors::InvalidArgument("cannot convert a ", NumpyName(t.dtype()), " value to ",
                                   NumpyName(dtype), ": ", s.message());
  return out[0];
}

Result<Tensor> TensorFromValue(std::string_view value, DataType dtype) {
  if (!value.starts_with("@")) return TensorFromLiteral(value, dtype);
  TFPORT_ASSIGN_OR_RETURN(Tensor t, io::ReadNpy(std::string(value.substr(1))));
  if (dtype == DT_INVALID) return t;
  return CastTensor(t, dtype);
}

Result<Tensor> ExamplesFromJson(std::string_view json) {
  rapidjson::Document doc;
  TFPORT_RETURN_IF_ERROR(ParseJson(json, &doc));
  if (!doc.IsArray())
    return errors::InvalidArgument("tf.Example input must be a list of feature dicts, got '",
                                   json, "'");
  TFPORT_ASSIGN_OR_RETURN(
      Tensor out, Tensor::Allocate(DT_STRING, Shape{static_cast<int64_t>(doc.Size())}));
  for (rapidjson::SizeType r = 0; r < doc.Size(); ++r) {
    const rapidjson::Value& record = doc[r];
    if (!record.IsObject())
      return errors::InvalidArgument("tf.Example input ", r, " is not a dict of features");
    tf::Example example;
    auto& features = *example.mutable_features()->mutable_feature();
    for (const auto& m : record.GetObject()) {
      const std::string name(m.name.GetString(), m.name.GetStringLength());
      const rapidjson::Value& list = m.value;
      if (!list.IsArray())
        return errors::InvalidArgument("feature value must be a list, but ", name, " is not");
      if (list.Empty())
        return errors::InvalidArgument("feature ", name, " of example ", r, " is an empty list");
      tf::Feature& f = features[name];
      const rapidjson::Value& first = list[0];
      for (const auto& v : list.GetArray()) {
        if (first.IsString()) {
          if (!v.IsString())
            return errors::InvalidArgument("feature ", name, " mixes strings and other values");
          f.mutable_bytes_list()->add_value(v.GetString(), v.GetStringLength());
        } else if (first.IsNumber() && !first.IsInt64() && !first.IsUint64()) {
          if (!v.IsNumber())
            return errors::InvalidArgument("feature ", name, " mixes numbers and other values");
          f.mutable_float_list()->add_value(static_cast<float>(v.GetDouble()));
        } else if (first.IsInt64()) {
          if (!v.IsInt64())
            return errors::InvalidArgument("feature ", name, " starts with an integer, so every "
                                           "value must be an int64 integer");
          f.mutable_int64_list()->add_value(v.GetInt64());
        } else {
          return errors::InvalidArgument("feature ", name, ": values of this type are not "
                                         "supported for tf.train.Feature");
        }
      }
    }
    out.flat<std::string>()[r] = example.SerializeAsString();
  }
  return out;
}

Result<std::pair<std::string, Tensor>> ParseFeed(const graph::Graph& graph, std::string_view spec) {
  TFPORT_ASSIGN_OR_RETURN(auto kv, SplitSpec(spec, "--input"));
  Result<graph::Output> t = graph.GetTensorByName(kv.first);
  if (!t.ok()) return t.status().WithContext("--input ", kv.first);
  Result<Tensor> value = TensorFromValue(kv.second, BaseType(t->dtype()));
  if (!value.ok()) return value.status().WithContext("--input ", kv.first);
  return std::make_pair(t->name(), *std::move(value));
}

Result<std::map<std::string, Tensor>> ParseSignatureInputs(
    const Signature& sig, const std::vector<std::string>& inputs,
    const std::vector<std::string>& input_exprs, const std::vector<std::string>& input_examples) {
  std::map<std::string, Tensor> out;
  auto add = [&](const char* flag, const std::string& spec, int kind) -> Status {
    TFPORT_ASSIGN_OR_RETURN(auto kv, SplitSpec(spec, flag));
    const int i = sig.InputIndex(kv.first);
    if (i < 0) {
      std::string keys;
      for (const auto& k : sig.input_keys()) keys += (keys.empty() ? "" : ", ") + k;
      return errors::InvalidArgument(flag, " '", kv.first, "': signature '", sig.key(),
                                     "' has no such input; its inputs are: ", keys);
    }
    if (out.count(kv.first))
      return errors::InvalidArgument(flag, " '", kv.first, "': input given more than once");
    const DataType dtype = sig.input_dtype(i);
    Result<Tensor> t = kind == 0   ? TensorFromValue("@" + kv.second, dtype)
                       : kind == 1 ? TensorFromLiteral(kv.second, dtype)
                                   : ExamplesFromJson(kv.second);
    if (!t.ok()) return t.status().WithContext(flag, " ", kv.first);
    out.emplace(kv.first, *std::move(t));
    return OkStatus();
  };
  for (const auto& s : inputs) TFPORT_RETURN_IF_ERROR(add("--inputs", s, 0));
  for (const auto& s : input_exprs) TFPORT_RETURN_IF_ERROR(add("--input_exprs", s, 1));
  for (const auto& s : input_examples) TFPORT_RETURN_IF_ERROR(add("--input_examples", s, 2));
  return out;
}

}  // namespace tfport::saved_model
