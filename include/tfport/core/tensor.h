// tfport: Tensor, a typed n-dimensional array with shared storage.
//
// Mirrors TensorFlow's tensorflow::Tensor: a dtype, a shape and a reference
// to a buffer. Copying a Tensor is cheap and aliases the same bytes (use
// DeepCopy() for an independent copy). Owned storage is 64-byte aligned and
// zero-initialised unless asked otherwise. A Tensor can also view bytes owned
// by someone else (for example a memory-mapped checkpoint shard) without
// copying; the TensorBuffer keeps that owner alive.
//
// DT_STRING tensors hold one std::string per element, DT_RESOURCE tensors one
// ResourceHandle and DT_VARIANT tensors one Variant (a shared handle to an
// immutable VariantValue such as a TensorList; freshly allocated elements are
// empty). Variant tensors exist only at run time: they have no TensorProto
// form (see tensor_proto.h).
//
// Thread-safety: const methods may be called concurrently; writes through
// flat<T>() on a shared buffer must be synchronised by the caller.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "tfport/core/dtype.h"
#include "tfport/core/shape.h"
#include "tfport/core/status.h"

namespace tfport {

// Storage of a tensor's elements. Subclasses own (or keep alive) the memory.
class TensorBuffer {
 public:
  TensorBuffer(void* data, size_t size) : data_(data), size_(size) {}
  virtual ~TensorBuffer() = default;
  TensorBuffer(const TensorBuffer&) = delete;
  TensorBuffer& operator=(const TensorBuffer&) = delete;

  void* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  void* data_;
  size_t size_;
};

// Default ceiling for one tensor allocated from file contents (16 GiB).
inline constexpr uint64_t kDefaultMaxTensorBytes = uint64_t{16} << 30;

class Tensor {
 public:
  Tensor() = default;  // DT_INVALID, no elements

  // Allocates zero-initialised storage for a memcpy type, DT_STRING,
  // DT_RESOURCE or DT_VARIANT (empty strings / handles / variants).
  // REQUIRES: shape fully defined and validated; dtype supported. Aborts on
  // allocation failure like operator new; use Allocate() for sizes that come
  // from untrusted input.
  Tensor(DataType dtype, Shape shape);

  // Checked allocation: INVALID_ARGUMENT for unsupported dtypes or partial
  // shapes, RESOURCE_EXHAUSTED when the byte size exceeds max_bytes or memory
  // runs out. `zero` = false leaves numeric storage uninitialised (for callers
  // that overwrite every byte).
  static Result<Tensor> Allocate(DataType dtype, Shape shape, bool zero = true,
                                 uint64_t max_bytes = kDefaultMaxTensorBytes);

  // Wraps existing storage without copying. REQUIRES: memcpy dtype,
  // buffer->size() == num_elements * DataTypeSize(dtype), buffer->data()
  // aligned to the element size (checked; INVALID_ARGUMENT otherwise).
  static Result<Tensor> FromBuffer(DataType dtype, Shape shape,
                                   std::shared_ptr<TensorBuffer> buffer);

  template <typename T>
  static Tensor Scalar(T value) {
    Tensor t(DataTypeOf<T>::value, Shape{});
    t.flat<T>()[0] = std::move(value);
    return t;
  }
  // REQUIRES: values.size() == shape.num_elements().
  template <typename T>
  static Tensor FromVector(const std::vector<T>& values, Shape shape) {
    Tensor t(DataTypeOf<T>::value, std::move(shape));
    auto out = t.flat<T>();
    for (size_t i = 0; i < values.size() && i < out.size(); ++i) out[i] = values[i];
    return t;
  }

  DataType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  int64_t num_elements() const { return num_elements_; }
  bool initialized() const { return dtype_ != DT_INVALID; }

  // Typed element access, row-major. REQUIRES: DataTypeOf<T> == dtype().
  template <typename T>
  std::span<T> flat() {
    CheckType(DataTypeOf<T>::value);
    return {static_cast<T*>(data()), static_cast<size_t>(num_elements_)};
  }
  template <typename T>
  std::span<const T> flat() const {
    CheckType(DataTypeOf<T>::value);
    return {static_cast<const T*>(data()), static_cast<size_t>(num_elements_)};
  }
  template <typename T>
  T& scalar() { return flat<T>()[0]; }
  template <typename T>
  const T& scalar() const { return flat<T>()[0]; }

  // Raw element bytes of a memcpy type (empty span for string, resource and
  // variant tensors).
  std::span<std::byte> bytes();
  std::span<const std::byte> bytes() const;
  size_t byte_size() const;  // num_elements * DataTypeSize (0 for strings)

  void* data() const { return buffer_ ? buffer_->data() : nullptr; }
  const std::shared_ptr<TensorBuffer>& buffer() const { return buffer_; }
  bool SharesBufferWith(const Tensor& other) const {
    return buffer_ != nullptr && buffer_ == other.buffer_;
  }

  // An independent copy with owned, 64-byte aligned storage. Variant
  // elements are copied as handles: the copy shares the immutable values.
  Tensor DeepCopy() const;

  // Same shape; returns INVALID_ARGUMENT if element counts differ.
  Result<Tensor> Reshaped(Shape shape) const;

  // "Tensor<type: float shape: [2,3] values: [[1 2 3]...]>"-style summary with
  // at most max_entries values.
  std::string DebugString(int64_t max_entries = 10) const;

 private:
  void CheckType(DataType expected) const;

  DataType dtype_ = DT_INVALID;
  Shape shape_;
  int64_t num_elements_ = 0;
  std::shared_ptr<TensorBuffer> buffer_;
};

// Same dtype, shape and element bytes (strings and resource handles compared
// by value; variants by identity: equal when each element holds the very same
// VariantValue object, or both are empty — so a DeepCopy is equal to its
// source, but two separately built equal-looking lists are not). NaNs with
// equal bits compare equal.
bool BitwiseEqual(const Tensor& a, const Tensor& b);

}  // namespace tfport
