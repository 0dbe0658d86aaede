// tfport: model inputs written as text — what `tfport run` and
// `saved_model_cli run` accept on their command lines.
//
//   TensorFromLiteral("[[1, 2], [3, 4]]", DT_FLOAT)      float32 [2,2]
//   ExamplesFromJson(R"([{"x": [1.0]}, {"x": [5.0]}])")   string [2] of tf.Example
//   ParseSignatureInputs(sig, {"x=in.npy"}, {"y=[1,2]"}, {})
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tfport/core/tensor.h"
#include "tfport/graph/graph.h"
#include "tfport/saved_model/bundle.h"

namespace tfport::saved_model {

// A literal typed by `dtype`: a JSON number, boolean, string or nested list
// (5, [[1,2],[3,4]], true, "text"); Python's spellings are accepted too
// (True/False, tuples, 'single-quoted' strings, "1."). Lists must be
// rectangular; integers are range-checked. INVALID_ARGUMENT saying what is
// wrong and where.
Result<Tensor> TensorFromLiteral(std::string_view text, DataType dtype);

// `t` converted to `dtype` (numeric and bool types), as session.run converts
// fed NumPy arrays to the placeholder's dtype. `t` itself when it already has
// that dtype; INVALID_ARGUMENT for strings or unsupported pairs.
Result<Tensor> CastTensor(const Tensor& t, DataType dtype);

// "@file.npy" (the file's dtype, cast to `dtype`) or a literal.
Result<Tensor> TensorFromValue(std::string_view value, DataType dtype);

// saved_model_cli's --input_examples value: a JSON list of feature maps,
// each feature a list of floats (float_list), integers (int64_list) or
// strings (bytes_list), decided by its first element. Returns a DT_STRING
// vector of serialized tf.Example records.
Result<Tensor> ExamplesFromJson(std::string_view json);

// "NAME=VALUE" for a tensor of `graph` (VALUE as in TensorFromValue, typed by
// the tensor's dtype). Returns the canonical tensor name and the value.
Result<std::pair<std::string, Tensor>> ParseFeed(const graph::Graph& graph, std::string_view spec);

// saved_model_cli's three input flags, one "key=value" per entry:
//   inputs          key=file.npy
//   input_exprs     key=<literal>
//   input_examples  key=[{"feature": [values]}, ...]
// typed by the signature's inputs. INVALID_ARGUMENT for a malformed entry, a
// key the signature lacks or given twice.
Result<std::map<std::string, Tensor>> ParseSignatureInputs(
    const Signature& signature, const std::vector<std::string>& inputs,
    const std::vector<std::string>& input_exprs, const std::vector<std::string>& input_examples);

}  // namespace tfport::saved_model
