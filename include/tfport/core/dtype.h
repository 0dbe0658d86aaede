// tfport: TensorFlow data types.
//
// DataType is the protobuf enum from types.proto (values DT_FLOAT = 1 ...,
// reference types DT_*_REF = value + 100), brought into namespace tfport. This
// header adds the facts tfport needs about each type: its element size, its
// TensorFlow name (DT_FLOAT) and NumPy name (float32), whether it is stored as
// raw bytes ("memcpy-able"), and the C++ storage type for typed access.
#pragma once

#include <complex>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "tfport/core/status.h"
#include "tfport/tf/types.pb.h"

namespace tfport {

using DataType = tf::DataType;
using enum tf::DataType;

// 16-bit float storage types: the raw bit pattern, with conversions.
struct Half {
  uint16_t bits = 0;
  static Half FromFloat(float f);
  float ToFloat() const;
};
struct BFloat16 {
  uint16_t bits = 0;
  static BFloat16 FromFloat(float f);  // round to nearest even, as TensorFlow
  float ToFloat() const;
};
// Quantized types are stored as their underlying integer.
struct QInt8 { int8_t value = 0; };
struct QUInt8 { uint8_t value = 0; };
struct QInt16 { int16_t value = 0; };
struct QUInt16 { uint16_t value = 0; };
struct QInt32 { int32_t value = 0; };

// The element of a DT_RESOURCE tensor: which resource a handle names
// (TensorFlow's ResourceHandle). step_id >= 0 marks a per-Run resource.
struct ResourceHandle {
  std::string device, container, name, type_name;
  int64_t step_id = -1;
  bool operator==(const ResourceHandle&) const = default;
};

// The value behind one element of a DT_VARIANT tensor (TensorFlow's
// Variant payloads: TensorList, ...). Values are immutable once shared: an
// op that "changes" one builds a new value.
class VariantValue {
 public:
  virtual ~VariantValue() = default;
  // The type's registered name, e.g. "tensorflow::TensorList".
  virtual std::string TypeName() const = 0;
  virtual std::string DebugString() const = 0;
};

// The element of a DT_VARIANT tensor: a shared handle to an immutable
// VariantValue, or empty (a freshly allocated element). Copying copies the
// handle, never the value.
class Variant {
 public:
  Variant() = default;
  explicit Variant(std::shared_ptr<const VariantValue> value) : value_(std::move(value)) {}

  bool empty() const { return value_ == nullptr; }
  const VariantValue* value() const { return value_.get(); }
  const std::shared_ptr<const VariantValue>& shared_value() const { return value_; }
  // The value as a T, or nullptr if empty or of another type.
  template <typename T>
  const T* get() const {
    return dynamic_cast<const T*>(value_.get());
  }
  // "" when empty.
  std::string TypeName() const { return value_ ? value_->TypeName() : std::string(); }
  // "<empty variant>" when empty.
  std::string DebugString() const {
    return value_ ? value_->DebugString() : std::string("<empty variant>");
  }
  // Identity: the same value object (or both empty).
  bool operator==(const Variant& other) const { return value_ == other.value_; }

 private:
  std::shared_ptr<const VariantValue> value_;
};

// True for DT_*_REF values (101..133).
bool IsRefType(DataType dtype);
// DT_FLOAT_REF -> DT_FLOAT; other values unchanged.
DataType BaseType(DataType dtype);
// DT_FLOAT -> DT_FLOAT_REF.
DataType RefType(DataType dtype);

// True for every non-reference value defined in types.proto except DT_INVALID.
bool IsValidDataType(DataType dtype);

// Stored as a flat array of fixed-size elements whose bytes are the file bytes
// (formats.md §1.7.1): numbers, bool, complex, half/bfloat16, quantized,
// float8 and the sub-byte integer types (one element per byte).
bool IsMemcpyType(DataType dtype);

// Size in bytes of one element of a memcpy type (reference types report
// their base type's size); 0 for string, resource, variant and invalid values.
size_t DataTypeSize(DataType dtype);

// "DT_FLOAT", "DT_INT32_REF", ...; "DT_INVALID" for unknown numbers, with the
// number appended ("DT_<unknown 77>").
std::string DataTypeName(DataType dtype);

// TensorFlow's DataTypeString, used in its error messages: "float",
// "double", "int32", "string", "float_ref"...
std::string DataTypeString(DataType dtype);

// NumPy's spelling: float32, float64, int32, uint8, bool, string (TF prints
// "string" for DT_STRING), complex64, float16, bfloat16, qint8, resource,
// variant, ... Reference types map to their base type.
std::string_view NumpyName(DataType dtype);

// Parses a NumPy or TF name ("float32", "float", "DT_FLOAT") into a DataType.
Result<DataType> DataTypeFromName(std::string_view name);

// Compile-time map from C++ storage type to DataType.
template <typename T> struct DataTypeOf;
#define TFPORT_DTYPE_OF(T, V) \
  template <> struct DataTypeOf<T> { static constexpr DataType value = V; };
TFPORT_DTYPE_OF(float, DT_FLOAT)
TFPORT_DTYPE_OF(double, DT_DOUBLE)
TFPORT_DTYPE_OF(int32_t, DT_INT32)
TFPORT_DTYPE_OF(uint8_t, DT_UINT8)
TFPORT_DTYPE_OF(int16_t, DT_INT16)
TFPORT_DTYPE_OF(int8_t, DT_INT8)
TFPORT_DTYPE_OF(std::string, DT_STRING)
TFPORT_DTYPE_OF(std::complex<float>, DT_COMPLEX64)
TFPORT_DTYPE_OF(int64_t, DT_INT64)
TFPORT_DTYPE_OF(bool, DT_BOOL)
TFPORT_DTYPE_OF(QInt8, DT_QINT8)
TFPORT_DTYPE_OF(QUInt8, DT_QUINT8)
TFPORT_DTYPE_OF(QInt32, DT_QINT32)
TFPORT_DTYPE_OF(BFloat16, DT_BFLOAT16)
TFPORT_DTYPE_OF(QInt16, DT_QINT16)
TFPORT_DTYPE_OF(QUInt16, DT_QUINT16)
TFPORT_DTYPE_OF(uint16_t, DT_UINT16)
TFPORT_DTYPE_OF(std::complex<double>, DT_COMPLEX128)
TFPORT_DTYPE_OF(Half, DT_HALF)
TFPORT_DTYPE_OF(uint32_t, DT_UINT32)
TFPORT_DTYPE_OF(uint64_t, DT_UINT64)
TFPORT_DTYPE_OF(ResourceHandle, DT_RESOURCE)
TFPORT_DTYPE_OF(Variant, DT_VARIANT)
#undef TFPORT_DTYPE_OF

}  // namespace tfport
