// tfport: building and checking SignatureDefs, as
// tf.compat.v1.saved_model.signature_def_utils / utils do.
//
//   auto sig = saved_model::PredictSignatureDef({{"x", x}}, {{"y", y}});
//   builder.AddMetaGraphAndVariables(*session, {"serve"},
//                                    {.signature_def_map = {{"serving_default", *sig}}});
//
// Classification and regression signatures take one string input (serialized
// tf.Example records) under the key "inputs" (formats.md §4.4).
#pragma once

#include <map>
#include <string>

#include "tfport/core/status.h"
#include "tfport/graph/graph.h"
#include "tfport/tf/meta_graph.pb.h"

namespace tfport::saved_model {

// build_tensor_info(tensor): name "op:k", dtype (a ref tensor keeps its
// *_REF dtype, as TF1 writes), static shape (unknown rank when unknown).
tf::TensorInfo BuildTensorInfo(const graph::Output& tensor);
tf::TensorInfo BuildTensorInfo(const std::string& name, DataType dtype, const Shape& shape);

// build_signature_def(inputs, outputs, method_name).
tf::SignatureDef BuildSignatureDef(const std::map<std::string, tf::TensorInfo>& inputs,
                                   const std::map<std::string, tf::TensorInfo>& outputs,
                                   const std::string& method_name);

// predict_signature_def: any keys, any dtypes. INVALID_ARGUMENT when either
// map is empty or holds an invalid Output.
Result<tf::SignatureDef> PredictSignatureDef(const std::map<std::string, graph::Output>& inputs,
                                             const std::map<std::string, graph::Output>& outputs);

// classification_signature_def: examples a string tensor; classes (string)
// and scores (float) each optional (pass an invalid Output), not both.
Result<tf::SignatureDef> ClassificationSignatureDef(const graph::Output& examples,
                                                    const graph::Output& classes,
                                                    const graph::Output& scores);

// regression_signature_def: examples a string tensor, predictions float.
Result<tf::SignatureDef> RegressionSignatureDef(const graph::Output& examples,
                                                const graph::Output& predictions);

// is_valid_signature: whether TensorFlow Serving can serve it — a predict
// signature with inputs and outputs, or a classify/regress signature with
// exactly the standard keys and dtypes.
bool IsValidSignature(const tf::SignatureDef& signature);

// The checks SavedModelBuilder makes before it writes a signature: every
// TensorInfo has a name (or sparse/composite encoding) and a dtype.
// INVALID_ARGUMENT naming the signature key and the input or output.
Status ValidateSignatureDef(const std::string& key, const tf::SignatureDef& signature);

}  // namespace tfport::saved_model
