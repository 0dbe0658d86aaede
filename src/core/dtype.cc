#include "tfport/core/dtype.h"

#include <bit>
#include <cctype>
#include <cstring>

namespace tfport {
namespace {

struct TypeInfo {
  DataType dtype;
  const char* tf_name;  // without the DT_ prefix
  const char* numpy_name;
  size_t size;  // 0 = not a memcpy type
};

// One row per non-reference DataType (formats.md §5.6, §1.7.1).
constexpr TypeInfo kTypes[] = {
    {DT_FLOAT, "FLOAT", "float32", 4},
    {DT_DOUBLE, "DOUBLE", "float64", 8},
    {DT_INT32, "INT32", "int32", 4},
    {DT_UINT8, "UINT8", "uint8", 1},
    {DT_INT16, "INT16", "int16", 2},
    {DT_INT8, "INT8", "int8", 1},
    {DT_STRING, "STRING", "string", 0},
    {DT_COMPLEX64, "COMPLEX64", "complex64", 8},
    {DT_INT64, "INT64", "int64", 8},
    {DT_BOOL, "BOOL", "bool", 1},
    {DT_QINT8, "QINT8", "qint8", 1},
    {DT_QUINT8, "QUINT8", "quint8", 1},
    {DT_QINT32, "QINT32", "qint32", 4},
    {DT_BFLOAT16, "BFLOAT16", "bfloat16", 2},
    {DT_QINT16, "QINT16", "qint16", 2},
    {DT_QUINT16, "QUINT16", "quint16", 2},
    {DT_UINT16, "UINT16", "uint16", 2},
    {DT_COMPLEX128, "COMPLEX128", "complex128", 16},
    {DT_HALF, "HALF", "float16", 2},
    {DT_RESOURCE, "RESOURCE", "resource", 0},
    {DT_VARIANT, "VARIANT", "variant", 0},
    {DT_UINT32, "UINT32", "uint32", 4},
    {DT_UINT64, "UINT64", "uint64", 8},
    {DT_FLOAT8_E5M2, "FLOAT8_E5M2", "float8_e5m2", 1},
    {DT_FLOAT8_E4M3FN, "FLOAT8_E4M3FN", "float8_e4m3fn", 1},
    {DT_FLOAT8_E4M3FNUZ, "FLOAT8_E4M3FNUZ", "float8_e4m3fnuz", 1},
    {DT_FLOAT8_E4M3B11FNUZ, "FLOAT8_E4M3B11FNUZ", "float8_e4m3b11fnuz", 1},
    {DT_FLOAT8_E5M2FNUZ, "FLOAT8_E5M2FNUZ", "float8_e5m2fnuz", 1},
    {DT_INT4, "INT4", "int4", 1},
    {DT_UINT4, "UINT4", "uint4", 1},
    {DT_INT2, "INT2", "int2", 1},
    {DT_UINT2, "UINT2", "uint2", 1},
    {DT_FLOAT4_E2M1FN, "FLOAT4_E2M1FN", "float4_e2m1fn", 1},
};

const TypeInfo* Find(DataType dtype) {
  DataType base = BaseType(dtype);
  for (const TypeInfo& t : kTypes)
    if (t.dtype == base) return &t;
  return nullptr;
}

}  // namespace

bool IsRefType(DataType dtype) { return dtype > 100 && dtype <= 133; }
DataType BaseType(DataType dtype) {
  return IsRefType(dtype) ? static_cast<DataType>(dtype - 100) : dtype;
}
DataType RefType(DataType dtype) {
  return IsRefType(dtype) ? dtype : static_cast<DataType>(dtype + 100);
}

bool IsValidDataType(DataType dtype) {
  return !IsRefType(dtype) && Find(dtype) != nullptr;
}

bool IsMemcpyType(DataType dtype) {
  const TypeInfo* t = IsRefType(dtype) ? nullptr : Find(dtype);
  return t != nullptr && t->size > 0;
}

size_t DataTypeSize(DataType dtype) {
  const TypeInfo* t = Find(dtype);
  return t ? t->size : 0;
}

std::string DataTypeName(DataType dtype) {
  const TypeInfo* t = Find(dtype);
  if (t == nullptr) {
    if (dtype == DT_INVALID) return "DT_INVALID";
    return StrCat("DT_<unknown ", static_cast<int>(dtype), ">");
  }
  return StrCat("DT_", t->tf_name, IsRefType(dtype) ? "_REF" : "");
}

std::string_view NumpyName(DataType dtype) {
  const TypeInfo* t = Find(dtype);
  return t ? std::string_view(t->numpy_name) : std::string_view("invalid");
}

Result<DataType> DataTypeFromName(std::string_view name) {
  std::string_view n = name;
  if (n.starts_with("DT_")) n.remove_prefix(3);
  for (const TypeInfo& t : kTypes) {
    if (n == t.numpy_name) return t.dtype;
    std::string_view tf_name = t.tf_name;
    if (n.size() == tf_name.size()) {
      bool same = true;
      for (size_t i = 0; i < n.size() && same; ++i)
        same = std::toupper(static_cast<unsigned char>(n[i])) == tf_name[i];
      if (same) return t.dtype;
    }
  }
  if (n == "half") return DT_HALF;
  if (n == "str" || n == "bytes" || n == "object") return DT_STRING;
  return errors::InvalidArgument("unknown dtype name '", name, "'");
}

// IEEE binary16 <-> binary32, round to nearest even (own implementation of the
// standard bit manipulation).
Half Half::FromFloat(float f) {
  uint32_t x = std::bit_cast<uint32_t>(f);
  uint32_t sign = (x >> 16) & 0x8000u;
  uint32_t exp = (x >> 23) & 0xffu;
  uint32_t man = x & 0x7fffffu;
  Half h;
  if (exp == 0xff) {  // inf or nan
    h.bits = static_cast<uint16_t>(sign | 0x7c00u | (man ? 0x200u | (man >> 13) : 0u));
    return h;
  }
  int e = static_cast<int>(exp) - 127 + 15;
  if (e >= 31) {  // overflow -> inf
    h.bits = static_cast<uint16_t>(sign | 0x7c00u);
    return h;
  }
  if (e <= 0) {  // subnormal or zero
    if (e < -10) {
      h.bits = static_cast<uint16_t>(sign);
      return h;
    }
    man |= 0x800000u;
    int shift = 14 - e;
    uint32_t half_man = man >> shift;
    uint32_t rem = man & ((1u << shift) - 1);
    uint32_t halfway = 1u << (shift - 1);
    if (rem > halfway || (rem == halfway && (half_man & 1u))) ++half_man;
    h.bits = static_cast<uint16_t>(sign | half_man);
    return h;
  }
  uint32_t half_man = man >> 13;
  uint32_t rem = man & 0x1fffu;
  uint32_t out = sign | (static_cast<uint32_t>(e) << 10) | half_man;
  if (rem > 0x1000u || (rem == 0x1000u && (half_man & 1u))) ++out;  // may carry into exp
  h.bits = static_cast<uint16_t>(out);
  return h;
}

float Half::ToFloat() const {
  uint32_t sign = static_cast<uint32_t>(bits & 0x8000u) << 16;
  uint32_t exp = (bits >> 10) & 0x1fu;
  uint32_t man = bits & 0x3ffu;
  uint32_t out;
  if (exp == 0x1f) {
    out = sign | 0x7f800000u | (man << 13);
  } else if (exp == 0) {
    if (man == 0) {
      out = sign;
    } else {  // subnormal: normalise
      int e = -1;
      do {
        ++e;
        man <<= 1;
      } while ((man & 0x400u) == 0);
      out = sign | (static_cast<uint32_t>(127 - 15 - e) << 23) | ((man & 0x3ffu) << 13);
    }
  } else {
    out = sign | ((exp + 127 - 15) << 23) | (man << 13);
  }
  return std::bit_cast<float>(out);
}

BFloat16 BFloat16::FromFloat(float f) {
  uint32_t x = std::bit_cast<uint32_t>(f);
  BFloat16 b;
  if ((x & 0x7fffffffu) > 0x7f800000u) {  // nan: keep it a quiet nan
    b.bits = static_cast<uint16_t>((x >> 16) | 0x40u);
    return b;
  }
  uint32_t rounding = 0x7fffu + ((x >> 16) & 1u);
  b.bits = static_cast<uint16_t>((x + rounding) >> 16);
  return b;
}

float BFloat16::ToFloat() const {
  return std::bit_cast<float>(static_cast<uint32_t>(bits) << 16);
}

std::string DataTypeString(DataType dtype) {
  std::string name = DataTypeName(dtype);
  if (name.rfind("DT_", 0) == 0) name = name.substr(3);
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

}  // namespace tfport
