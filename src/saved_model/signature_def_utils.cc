#include "tfport/saved_model/signature_def_utils.h"

#include "tfport/saved_model/constants.h"

namespace tfport::saved_model {
namespace {

void SetShape(const Shape& shape, tf::TensorShapeProto* proto) {
  proto->Clear();
  if (shape.unknown_rank()) {
    proto->set_unknown_rank(true);
    return;
  }
  for (int i = 0; i < shape.rank(); ++i) proto->add_dim()->set_size(shape.dim(i));
}

bool HasKeys(const google::protobuf::Map<std::string, tf::TensorInfo>& map,
             std::initializer_list<const char*> keys) {
  if (map.size() != keys.size()) return false;
  for (const char* k : keys)
    if (!map.contains(k)) return false;
  return true;
}

bool IsValidPredict(const tf::SignatureDef& s) {
  return s.method_name() == kPredictMethodName && !s.inputs().empty() && !s.outputs().empty();
}

bool IsValidRegression(const tf::SignatureDef& s) {
  return s.method_name() == kRegressMethodName && HasKeys(s.inputs(), {kRegressInputs}) &&
         s.inputs().at(kRegressInputs).dtype() == DT_STRING &&
         HasKeys(s.outputs(), {kRegressOutputs}) &&
         s.outputs().at(kRegressOutputs).dtype() == DT_FLOAT;
}

bool IsValidClassification(const tf::SignatureDef& s) {
  if (s.method_name() != kClassifyMethodName || !HasKeys(s.inputs(), {kClassifyInputs}) ||
      s.inputs().at(kClassifyInputs).dtype() != DT_STRING || s.outputs().empty())
    return false;
  for (const auto& [key, info] : s.outputs()) {
    if (key == kClassifyOutputClasses && info.dtype() != DT_STRING) return false;
    if (key == kClassifyOutputScores && info.dtype() != DT_FLOAT) return false;
    if (key != kClassifyOutputClasses && key != kClassifyOutputScores) return false;
  }
  return true;
}

}  // namespace

tf::TensorInfo BuildTensorInfo(const std::string& name, DataType dtype, const Shape& shape) {
  tf::TensorInfo info;
  info.set_name(name);
  info.set_dtype(dtype);
  SetShape(shape, info.mutable_tensor_shape());
  return info;
}

tf::TensorInfo BuildTensorInfo(const graph::Output& tensor) {
  return BuildTensorInfo(tensor.name(), tensor.dtype(), tensor.shape());
}

tf::SignatureDef BuildSignatureDef(const std::map<std::string, tf::TensorInfo>& inputs,
                                   const std::map<std::string, tf::TensorInfo>& outputs,
                                   const std::string& method_name) {
  tf::SignatureDef s;
  for (const auto& [k, v] : inputs) (*s.mutable_inputs())[k] = v;
  for (const auto& [k, v] : outputs) (*s.mutable_outputs())[k] = v;
  s.set_method_name(method_name);
  return s;
}

Result<tf::SignatureDef> PredictSignatureDef(const std::map<std::string, graph::Output>& inputs,
                                             const std::map<std::string, graph::Output>& outputs) {
  if (inputs.empty()) return errors::InvalidArgument("Prediction `inputs` cannot be None or empty.");
  if (outputs.empty())
    return errors::InvalidArgument("Prediction `outputs` cannot be None or empty.");
  std::map<std::string, tf::TensorInfo> in, out;
  for (const auto& [k, t] : inputs) {
    if (!t.valid()) return errors::InvalidArgument("Prediction input '", k, "' is not a tensor");
    in[k] = BuildTensorInfo(t);
  }
  for (const auto& [k, t] : outputs) {
    if (!t.valid()) return errors::InvalidArgument("Prediction output '", k, "' is not a tensor");
    out[k] = BuildTensorInfo(t);
  }
  return BuildSignatureDef(in, out, kPredictMethodName);
}

Result<tf::SignatureDef> ClassificationSignatureDef(const graph::Output& examples,
                                                    const graph::Output& classes,
                                                    const graph::Output& scores) {
  if (!examples.valid()) return errors::InvalidArgument("Classification `examples` cannot be None.");
  if (BaseType(examples.dtype()) != DT_STRING)
    return errors::InvalidArgument("Classification input tensors must be of type string. Found "
                                   "tensors of type ", DataTypeName(examples.dtype()), ".");
  if (!classes.valid() && !scores.valid())
    return errors::InvalidArgument("Classification `classes` and `scores` cannot both be None.");
  std::map<std::string, tf::TensorInfo> out;
  if (classes.valid()) {
    if (BaseType(classes.dtype()) != DT_STRING)
      return errors::InvalidArgument("Classification classes must be of type string Tensor. "
                                     "Found tensors of type ", DataTypeName(classes.dtype()), ".");
    out[kClassifyOutputClasses] = BuildTensorInfo(classes);
  }
  if (scores.valid()) {
    if (BaseType(scores.dtype()) != DT_FLOAT)
      return errors::InvalidArgument("Classification scores must be a float Tensor. Found "
                                     "tensors of type ", DataTypeName(scores.dtype()), ".");
    out[kClassifyOutputScores] = BuildTensorInfo(scores);
  }
  return BuildSignatureDef({{kClassifyInputs, BuildTensorInfo(examples)}}, out,
                           kClassifyMethodName);
}

Result<tf::SignatureDef> RegressionSignatureDef(const graph::Output& examples,
                                                const graph::Output& predictions) {
  if (!examples.valid()) return errors::InvalidArgument("Regression `examples` cannot be None.");
  if (!predictions.valid())
    return errors::InvalidArgument("Regression `predictions` cannot be None.");
  if (BaseType(examples.dtype()) != DT_STRING)
    return errors::InvalidArgument("Regression input tensors must be of type string. Found "
                                   "tensors with type ", DataTypeName(examples.dtype()), ".");
  if (BaseType(predictions.dtype()) != DT_FLOAT)
    return errors::InvalidArgument("Regression output tensors must be of type float. Found "
                                   "tensors with type ", DataTypeName(predictions.dtype()), ".");
  return BuildSignatureDef({{kRegressInputs, BuildTensorInfo(examples)}},
                           {{kRegressOutputs, BuildTensorInfo(predictions)}}, kRegressMethodName);
}

bool IsValidSignature(const tf::SignatureDef& s) {
  return IsValidClassification(s) || IsValidRegression(s) || IsValidPredict(s);
}

Status ValidateSignatureDef(const std::string& key, const tf::SignatureDef& s) {
  auto check = [&](const char* what, const auto& map) -> Status {
    for (const auto& [name, info] : map) {
      if (info.encoding_case() == tf::TensorInfo::ENCODING_NOT_SET ||
          (info.has_name() && info.name().empty()))
        return errors::InvalidArgument("signature '", key, "': ", what, " '", name,
                                       "' must specify a tensor name (or sparse/composite "
                                       "encoding)");
      if (info.dtype() == DT_INVALID)
        return errors::InvalidArgument("signature '", key, "': ", what, " '", name,
                                       "' must specify a dtype");
    }
    return OkStatus();
  };
  TFPORT_RETURN_IF_ERROR(check("input", s.inputs()));
  return check("output", s.outputs());
}

}  // namespace tfport::saved_model
