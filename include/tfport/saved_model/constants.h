// tfport: the names a SavedModel is made of (formats.md §4.4, §4.7, §4.10).
//
// The values are TensorFlow's (tag_constants.py, signature_constants.py,
// constants.py / cc/saved_model/constants.h); programs written against
// TensorFlow's names find them here under the same meaning.
#pragma once

namespace tfport::saved_model {

// ---- tag sets (tf.saved_model.tag_constants)
inline constexpr char kTagServe[] = "serve";
inline constexpr char kTagTrain[] = "train";
inline constexpr char kTagEval[] = "eval";
inline constexpr char kTagGpu[] = "gpu";
inline constexpr char kTagTpu[] = "tpu";

// ---- signatures (tf.saved_model.signature_constants)
inline constexpr char kDefaultServingSignatureDefKey[] = "serving_default";
inline constexpr char kPredictMethodName[] = "tensorflow/serving/predict";
inline constexpr char kPredictInputs[] = "inputs";
inline constexpr char kPredictOutputs[] = "outputs";
inline constexpr char kClassifyMethodName[] = "tensorflow/serving/classify";
inline constexpr char kClassifyInputs[] = "inputs";
inline constexpr char kClassifyOutputClasses[] = "classes";
inline constexpr char kClassifyOutputScores[] = "scores";
inline constexpr char kRegressMethodName[] = "tensorflow/serving/regress";
inline constexpr char kRegressInputs[] = "inputs";
inline constexpr char kRegressOutputs[] = "outputs";
inline constexpr char kSupervisedTrainMethodName[] = "tensorflow/supervised/training";
inline constexpr char kSupervisedEvalMethodName[] = "tensorflow/supervised/eval";
// Signature keys TF2 exports use for the init and train ops; their single
// output names an operation, not a tensor.
inline constexpr char kInitOpSignatureKey[] = "__saved_model_init_op";
inline constexpr char kTrainOpSignatureKey[] = "__saved_model_train_op";

// ---- collections
inline constexpr char kAssetsKey[] = "saved_model_assets";
inline constexpr char kMainOpKey[] = "saved_model_main_op";
inline constexpr char kLegacyInitOpKey[] = "legacy_init_op";
inline constexpr char kTrainOpKey[] = "saved_model_train_op";

// ---- directory layout
inline constexpr char kSavedModelFilenamePb[] = "saved_model.pb";
inline constexpr char kSavedModelFilenamePbTxt[] = "saved_model.pbtxt";
inline constexpr char kAssetsDirectory[] = "assets";
inline constexpr char kExtraAssetsDirectory[] = "assets.extra";
inline constexpr char kVariablesDirectory[] = "variables";
inline constexpr char kVariablesFilename[] = "variables";
inline constexpr char kDebugDirectory[] = "debug";
inline constexpr char kFingerprintFilenamePb[] = "fingerprint.pb";
inline constexpr int kSavedModelSchemaVersion = 1;

// ---- TensorFlow Serving's SessionBundle, the format before SavedModel
inline constexpr char kSessionBundleMetaGraphFilename[] = "export.meta";
inline constexpr char kSessionBundleVariablesFilename[] = "export";
inline constexpr char kSessionBundleVariablesPattern[] = "export-\?\?\?\?\?-of-\?\?\?\?\?";
inline constexpr char kSessionBundleAssetsKey[] = "serving_assets";
inline constexpr char kSessionBundleInitOpKey[] = "serving_init_op";
inline constexpr char kSessionBundleSignaturesKey[] = "serving_signatures";

}  // namespace tfport::saved_model
