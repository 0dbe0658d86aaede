#include "tfport/core/tensor.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <map>
#include <mutex>
#include <cstring>
#include <new>

namespace tfport {
namespace {

constexpr size_t kAlignment = 64;

// Large blocks are kept for reuse after their tensor dies: on these machines
// touching fresh memory costs far more than the work done on it, and graphs
// run repeatedly allocate the same sizes again and again. Blocks are reused
// only at their exact (rounded) size; at most kCacheBytes stay cached.
class BlockCache {
 public:
  static constexpr size_t kMinBlock = size_t{1} << 20;
  static constexpr size_t kCacheBytes = size_t{1} << 30;

  void* Get(size_t bytes) {
    if (bytes < kMinBlock) return nullptr;
    std::lock_guard<std::mutex> lock(mu_);
    auto it = free_.find(bytes);
    if (it == free_.end()) return nullptr;
    void* p = it->second;
    free_.erase(it);
    cached_ -= bytes;
    return p;
  }
  void Put(void* p, size_t bytes) {
    if (bytes >= kMinBlock) {
      std::lock_guard<std::mutex> lock(mu_);
      while (cached_ + bytes > kCacheBytes && !free_.empty()) {  // evict the largest
        auto last = std::prev(free_.end());
        cached_ -= last->first;
        std::free(last->second);
        free_.erase(last);
      }
      if (bytes <= kCacheBytes) {
        free_.emplace(bytes, p);
        cached_ += bytes;
        return;
      }
    }
    std::free(p);
  }
  static BlockCache& Instance() {
    static BlockCache* cache = new BlockCache();  // never destroyed: buffers may outlive main
    return *cache;
  }

 private:
  std::mutex mu_;
  std::multimap<size_t, void*> free_;
  size_t cached_ = 0;
};

class AlignedBuffer final : public TensorBuffer {
 public:
  AlignedBuffer(void* data, size_t size, size_t capacity)
      : TensorBuffer(data, size), capacity_(capacity) {}
  ~AlignedBuffer() override { BlockCache::Instance().Put(data(), capacity_); }

 private:
  size_t capacity_;
};

// Storage of non-trivial elements (DT_STRING, DT_RESOURCE, DT_VARIANT).
template <typename T>
class OwnedObjects final : public TensorBuffer {
 public:
  explicit OwnedObjects(size_t n) : OwnedObjects(std::make_unique<T[]>(n), n) {}

 private:
  OwnedObjects(std::unique_ptr<T[]> s, size_t n)
      : TensorBuffer(s.get(), n * sizeof(T)), objects_(std::move(s)) {}
  std::unique_ptr<T[]> objects_;
};

// Element size used for storage and allocation limits; 0 if unsupported.
size_t StorageSize(DataType dtype) {
  if (dtype == DT_STRING) return sizeof(std::string);
  if (dtype == DT_RESOURCE) return sizeof(ResourceHandle);
  if (dtype == DT_VARIANT) return sizeof(Variant);
  return IsMemcpyType(dtype) ? DataTypeSize(dtype) : 0;
}

bool IsObjectType(DataType dtype) {
  return dtype == DT_STRING || dtype == DT_RESOURCE || dtype == DT_VARIANT;
}

std::shared_ptr<TensorBuffer> AllocateObjects(DataType dtype, size_t n) {
  if (dtype == DT_STRING) return std::make_shared<OwnedObjects<std::string>>(n);
  if (dtype == DT_VARIANT) return std::make_shared<OwnedObjects<Variant>>(n);
  return std::make_shared<OwnedObjects<ResourceHandle>>(n);
}

std::shared_ptr<TensorBuffer> AllocateAligned(size_t bytes, bool zero) {
  size_t rounded = (bytes + kAlignment - 1) / kAlignment * kAlignment;
  if (rounded == 0) rounded = kAlignment;
  void* p = BlockCache::Instance().Get(rounded);
  if (p == nullptr) p = std::aligned_alloc(kAlignment, rounded);
  if (p == nullptr) throw std::bad_alloc();
  if (zero) std::memset(p, 0, rounded);
  return std::make_shared<AlignedBuffer>(p, bytes, rounded);
}

}  // namespace

Tensor::Tensor(DataType dtype, Shape shape)
    : dtype_(dtype), shape_(std::move(shape)), num_elements_(shape_.num_elements()) {
  size_t n = static_cast<size_t>(num_elements_);
  if (IsObjectType(dtype)) {
    buffer_ = AllocateObjects(dtype, n);
  } else if (IsMemcpyType(dtype)) {
    buffer_ = AllocateAligned(n * DataTypeSize(dtype), /*zero=*/true);
  } else {
    std::fprintf(stderr, "tfport: Tensor of unsupported dtype %s\n", DataTypeName(dtype).c_str());
    std::abort();
  }
}

Result<Tensor> Tensor::Allocate(DataType dtype, Shape shape, bool zero, uint64_t max_bytes) {
  if (!shape.IsFullyDefined())
    return errors::InvalidArgument("cannot allocate a tensor of partial shape ",
                                   shape.DebugString());
  const uint64_t elem = StorageSize(dtype);
  if (elem == 0)
    return errors::InvalidArgument("cannot allocate a tensor of dtype ", DataTypeName(dtype));
  uint64_t n = static_cast<uint64_t>(shape.num_elements());
  if (elem != 0 && n > max_bytes / elem)
    return errors::ResourceExhausted("tensor of dtype ", DataTypeName(dtype), " and shape ",
                                     shape.DebugString(), " needs ", n, " elements of ", elem,
                                     " bytes, more than the limit of ", max_bytes, " bytes");
  Tensor t;
  t.dtype_ = dtype;
  t.num_elements_ = static_cast<int64_t>(n);
  t.shape_ = std::move(shape);
  try {
    if (IsObjectType(dtype)) {
      t.buffer_ = AllocateObjects(dtype, static_cast<size_t>(n));
    } else {
      t.buffer_ = AllocateAligned(static_cast<size_t>(n * elem), zero);
    }
  } catch (const std::bad_alloc&) {
    return errors::ResourceExhausted("out of memory allocating ", n * elem, " bytes for a ",
                                     DataTypeName(dtype), " tensor of shape ",
                                     t.shape_.DebugString());
  }
  return t;
}

Result<Tensor> Tensor::FromBuffer(DataType dtype, Shape shape,
                                  std::shared_ptr<TensorBuffer> buffer) {
  if (!IsMemcpyType(dtype))
    return errors::InvalidArgument("FromBuffer needs a fixed-size dtype, got ",
                                   DataTypeName(dtype));
  if (!shape.IsFullyDefined())
    return errors::InvalidArgument("FromBuffer needs a fully defined shape");
  size_t elem = DataTypeSize(dtype);
  uint64_t need = static_cast<uint64_t>(shape.num_elements()) * elem;
  if (buffer == nullptr || buffer->size() != need)
    return errors::InvalidArgument("buffer holds ", buffer ? buffer->size() : 0,
                                   " bytes, tensor needs ", need);
  if (reinterpret_cast<uintptr_t>(buffer->data()) % elem != 0)
    return errors::InvalidArgument("buffer is not aligned to ", elem, " bytes");
  Tensor t;
  t.dtype_ = dtype;
  t.num_elements_ = shape.num_elements();
  t.shape_ = std::move(shape);
  t.buffer_ = std::move(buffer);
  return t;
}

void Tensor::CheckType(DataType expected) const {
  if (expected != dtype_) {
    std::fprintf(stderr, "tfport: tensor of dtype %s accessed as %s\n",
                 DataTypeName(dtype_).c_str(), DataTypeName(expected).c_str());
    std::abort();
  }
}

size_t Tensor::byte_size() const {
  return IsMemcpyType(dtype_) ? static_cast<size_t>(num_elements_) * DataTypeSize(dtype_) : 0;
}

std::span<std::byte> Tensor::bytes() {
  return {static_cast<std::byte*>(data()), byte_size()};
}
std::span<const std::byte> Tensor::bytes() const {
  return {static_cast<const std::byte*>(data()), byte_size()};
}

Tensor Tensor::DeepCopy() const {
  if (!initialized()) return Tensor();
  Tensor t(dtype_, shape_);
  if (dtype_ == DT_STRING) {
    auto src = flat<std::string>();
    std::copy(src.begin(), src.end(), t.flat<std::string>().begin());
  } else if (dtype_ == DT_RESOURCE) {
    auto src = flat<ResourceHandle>();
    std::copy(src.begin(), src.end(), t.flat<ResourceHandle>().begin());
  } else if (dtype_ == DT_VARIANT) {
    auto src = flat<Variant>();
    std::copy(src.begin(), src.end(), t.flat<Variant>().begin());
  } else if (byte_size() > 0) {
    std::memcpy(t.data(), data(), byte_size());
  }
  return t;
}

Result<Tensor> Tensor::Reshaped(Shape shape) const {
  if (!shape.IsFullyDefined() || shape.num_elements() != num_elements_)
    return errors::InvalidArgument("cannot reshape a tensor with ", num_elements_,
                                   " elements to shape ", shape.DebugString());
  Tensor t = *this;
  t.shape_ = std::move(shape);
  return t;
}

namespace {

void AppendValue(const Tensor& t, int64_t i, std::string* out) {
  char buf[64];
  switch (t.dtype()) {
#define NUM(DT, T, FMT, CAST) \
  case DT: std::snprintf(buf, sizeof buf, FMT, CAST(t.flat<T>()[i])); *out += buf; return;
    NUM(DT_FLOAT, float, "%.9g", static_cast<double>)
    NUM(DT_DOUBLE, double, "%.17g", static_cast<double>)
    NUM(DT_INT32, int32_t, "%lld", static_cast<long long>)
    NUM(DT_INT64, int64_t, "%lld", static_cast<long long>)
    NUM(DT_INT16, int16_t, "%lld", static_cast<long long>)
    NUM(DT_INT8, int8_t, "%lld", static_cast<long long>)
    NUM(DT_UINT8, uint8_t, "%llu", static_cast<unsigned long long>)
    NUM(DT_UINT16, uint16_t, "%llu", static_cast<unsigned long long>)
    NUM(DT_UINT32, uint32_t, "%llu", static_cast<unsigned long long>)
    NUM(DT_UINT64, uint64_t, "%llu", static_cast<unsigned long long>)
#undef NUM
    case DT_BOOL: *out += t.flat<bool>()[i] ? "True" : "False"; return;
    case DT_HALF:
      std::snprintf(buf, sizeof buf, "%.5g", static_cast<double>(t.flat<Half>()[i].ToFloat()));
      *out += buf;
      return;
    case DT_BFLOAT16:
      std::snprintf(buf, sizeof buf, "%.4g", static_cast<double>(t.flat<BFloat16>()[i].ToFloat()));
      *out += buf;
      return;
    case DT_STRING: *out += t.flat<std::string>()[i]; return;
    case DT_RESOURCE: *out += "<resource " + t.flat<ResourceHandle>()[i].name + ">"; return;
    case DT_VARIANT: *out += "<" + t.flat<Variant>()[i].DebugString() + ">"; return;
    default: {
      auto b = t.bytes();
      size_t w = DataTypeSize(t.dtype());
      *out += "0x";
      for (size_t k = 0; k < w; ++k) {
        std::snprintf(buf, sizeof buf, "%02x",
                      static_cast<unsigned>(b[static_cast<size_t>(i) * w + w - 1 - k]));
        *out += buf;
      }
    }
  }
}

}  // namespace

std::string Tensor::DebugString(int64_t max_entries) const {
  std::string out = StrCat("Tensor<type: ", NumpyName(dtype_), " shape: ", shape_.DebugString(),
                           " values: ");
  int64_t n = std::min(num_elements_, max_entries);
  for (int64_t i = 0; i < n; ++i) {
    if (i) out += " ";
    AppendValue(*this, i, &out);
  }
  if (n < num_elements_) out += "...";
  return out + ">";
}

bool BitwiseEqual(const Tensor& a, const Tensor& b) {
  if (a.dtype() != b.dtype() || !(a.shape() == b.shape())) return false;
  if (a.dtype() == DT_STRING) {
    auto x = a.flat<std::string>();
    auto y = b.flat<std::string>();
    return std::equal(x.begin(), x.end(), y.begin(), y.end());
  }
  if (a.dtype() == DT_RESOURCE) {
    auto x = a.flat<ResourceHandle>();
    auto y = b.flat<ResourceHandle>();
    return std::equal(x.begin(), x.end(), y.begin(), y.end());
  }
  if (a.dtype() == DT_VARIANT) {  // identity of the shared values
    auto x = a.flat<Variant>();
    auto y = b.flat<Variant>();
    return std::equal(x.begin(), x.end(), y.begin(), y.end());
  }
  return a.byte_size() == b.byte_size() &&
         (a.byte_size() == 0 || std::memcmp(a.data(), b.data(), a.byte_size()) == 0);
}

}  // namespace tfport
