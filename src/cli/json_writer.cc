#include "cli/json_writer.h"

#include <charconv>
#include <cmath>
#include <complex>
#include <cstring>

namespace tfport::cli {
namespace {

bool IsUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t extra;
    if (c < 0x80) {
      extra = 0;
    } else if ((c >> 5) == 6) {
      extra = 1;
    } else if ((c >> 4) == 14) {
      extra = 2;
    } else if ((c >> 3) == 30) {
      extra = 3;
    } else {
      return false;
    }
    if (i + extra >= s.size() && extra > 0) return false;
    for (size_t k = 1; k <= extra; ++k)
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 2) return false;
    i += extra + 1;
  }
  return true;
}

std::string Base64(std::string_view in) {
  static const char* kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (uint32_t(uint8_t(in[i])) << 16) | (uint32_t(uint8_t(in[i + 1])) << 8) |
                 uint8_t(in[i + 2]);
    for (int k = 3; k >= 0; --k) out.push_back(kAlphabet[(v >> (6 * k)) & 63]);
  }
  if (i < in.size()) {
    uint32_t v = uint32_t(uint8_t(in[i])) << 16;
    if (i + 1 < in.size()) v |= uint32_t(uint8_t(in[i + 1])) << 8;
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(i + 1 < in.size() ? kAlphabet[(v >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

template <typename F>
void Real(JsonWriter& w, F v) {
  if (std::isnan(v)) {
    w.RawValue("NaN", 3, rapidjson::kNumberType);
    return;
  }
  if (std::isinf(v)) {
    const char* s = v > 0 ? "Infinity" : "-Infinity";
    w.RawValue(s, std::strlen(s), rapidjson::kNumberType);
    return;
  }
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v);  // shortest round-trip form
  std::string_view text(buf, static_cast<size_t>(r.ptr - buf));
  std::string s(text);
  if (s.find_first_of(".eE") == std::string::npos) s += ".0";
  w.RawValue(s.data(), s.size(), rapidjson::kNumberType);
}

void Element(JsonWriter& w, const Tensor& t, int64_t i) {
  const size_t k = static_cast<size_t>(i);
  switch (t.dtype()) {
    case DT_FLOAT: Real(w, t.flat<float>()[k]); return;
    case DT_DOUBLE: Real(w, t.flat<double>()[k]); return;
    case DT_HALF: Real(w, t.flat<Half>()[k].ToFloat()); return;
    case DT_BFLOAT16: Real(w, t.flat<BFloat16>()[k].ToFloat()); return;
    case DT_INT32: w.Int(t.flat<int32_t>()[k]); return;
    case DT_INT64: w.Int64(t.flat<int64_t>()[k]); return;
    case DT_INT16: w.Int(t.flat<int16_t>()[k]); return;
    case DT_INT8: w.Int(t.flat<int8_t>()[k]); return;
    case DT_UINT8: w.Uint(t.flat<uint8_t>()[k]); return;
    case DT_UINT16: w.Uint(t.flat<uint16_t>()[k]); return;
    case DT_UINT32: w.Uint(t.flat<uint32_t>()[k]); return;
    case DT_UINT64: w.Uint64(t.flat<uint64_t>()[k]); return;
    case DT_QINT8: w.Int(t.flat<QInt8>()[k].value); return;
    case DT_QUINT8: w.Uint(t.flat<QUInt8>()[k].value); return;
    case DT_QINT16: w.Int(t.flat<QInt16>()[k].value); return;
    case DT_QUINT16: w.Uint(t.flat<QUInt16>()[k].value); return;
    case DT_QINT32: w.Int(t.flat<QInt32>()[k].value); return;
    case DT_BOOL: w.Bool(t.flat<bool>()[k]); return;
    case DT_STRING: Bytes(w, t.flat<std::string>()[k]); return;
    case DT_COMPLEX64: {
      auto v = t.flat<std::complex<float>>()[k];
      w.StartArray();
      Real(w, v.real());
      Real(w, v.imag());
      w.EndArray();
      return;
    }
    case DT_COMPLEX128: {
      auto v = t.flat<std::complex<double>>()[k];
      w.StartArray();
      Real(w, v.real());
      Real(w, v.imag());
      w.EndArray();
      return;
    }
    default:  // float8 / sub-byte types: the raw byte
      w.Uint(static_cast<unsigned>(t.bytes()[k]));
  }
}

void Nested(JsonWriter& w, const Tensor& t, int dim, int64_t* next) {
  if (dim == t.shape().rank()) {
    Element(w, t, (*next)++);
    return;
  }
  w.StartArray();
  for (int64_t i = 0; i < t.shape().dim(dim); ++i) Nested(w, t, dim + 1, next);
  w.EndArray();
}

}  // namespace

void Key(JsonWriter& w, std::string_view key) {
  w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
}

void String(JsonWriter& w, std::string_view value) {
  w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

void Bytes(JsonWriter& w, std::string_view bytes) {
  if (IsUtf8(bytes)) {
    String(w, bytes);
    return;
  }
  w.StartObject();
  Key(w, "b64");
  String(w, Base64(bytes));
  w.EndObject();
}

void ShapeValue(JsonWriter& w, const Shape& shape) {
  if (shape.unknown_rank()) {
    w.Null();
    return;
  }
  w.StartArray();
  for (int64_t d : shape.dims()) w.Int64(d);
  w.EndArray();
}

void TensorValues(JsonWriter& w, const Tensor& tensor) {
  int64_t next = 0;
  Nested(w, tensor, 0, &next);
}

}  // namespace tfport::cli
