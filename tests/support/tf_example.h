// Test helper: serialized tf.Examples built with protobuf.
#pragma once

#include <string>
#include <vector>

#include "tfport/core/tensor.h"
#include "tfport/tf/example.pb.h"

namespace tfport::testing {

// A string vector of tf.Examples, one float feature each.
inline Tensor FloatExamples(const std::string& feature, const std::vector<float>& values) {
  Tensor t(DT_STRING, Shape{static_cast<int64_t>(values.size())});
  for (size_t i = 0; i < values.size(); ++i) {
    tf::Example e;
    (*e.mutable_features()->mutable_feature())[feature].mutable_float_list()->add_value(values[i]);
    t.flat<std::string>()[i] = e.SerializeAsString();
  }
  return t;
}

}  // namespace tfport::testing
