// tfport CLI: JSON output helpers on RapidJSON (one object per command).
#pragma once

#include <string>
#include <string_view>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "tfport/core/tensor.h"

namespace tfport::cli {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer, rapidjson::UTF8<>, rapidjson::UTF8<>,
                                     rapidjson::CrtAllocator, rapidjson::kWriteNanAndInfFlag>;

void Key(JsonWriter& w, std::string_view key);
void String(JsonWriter& w, std::string_view value);
// A JSON string if `bytes` is valid UTF-8, else {"b64": "<base64>"} as
// TensorFlow Serving's REST API encodes binary strings.
void Bytes(JsonWriter& w, std::string_view bytes);
// Shape as a list of ints (-1 unknown), or null for unknown rank.
void ShapeValue(JsonWriter& w, const Shape& shape);
// The tensor's elements nested in its shape (a bare value for scalars).
// float32 uses the shortest decimal that round-trips to the same float;
// NaN/Infinity are written as Python's json module writes them.
void TensorValues(JsonWriter& w, const Tensor& tensor);

}  // namespace tfport::cli
