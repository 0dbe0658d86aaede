#include "tfport/core/tensor_proto.h"

#include <bit>
#include <cstring>

#include "tfport/tf/tensor.pb.h"

namespace tfport {
static_assert(std::endian::native == std::endian::little,
              "tfport assumes a little-endian host (TensorProto bytes are little-endian)");

namespace {

// Which typed field holds the values of a dtype (formats.md §5.5).
enum class Field { kFloat, kDouble, kInt, kInt64, kUint32, kUint64, kBool, kString,
                   kSComplex, kDComplex, kHalf, kFloat8, kNone };

Field FieldFor(DataType dtype) {
  switch (dtype) {
    case DT_FLOAT: return Field::kFloat;
    case DT_DOUBLE: return Field::kDouble;
    case DT_INT32: case DT_INT16: case DT_INT8: case DT_UINT8: case DT_UINT16:
    case DT_QINT8: case DT_QUINT8: case DT_QINT16: case DT_QUINT16: case DT_QINT32:
    case DT_INT4: case DT_UINT4: case DT_INT2: case DT_UINT2:
      return Field::kInt;
    case DT_INT64: return Field::kInt64;
    case DT_UINT32: return Field::kUint32;
    case DT_UINT64: return Field::kUint64;
    case DT_BOOL: return Field::kBool;
    case DT_STRING: return Field::kString;
    case DT_COMPLEX64: return Field::kSComplex;
    case DT_COMPLEX128: return Field::kDComplex;
    case DT_HALF: case DT_BFLOAT16: return Field::kHalf;
    case DT_FLOAT8_E5M2: case DT_FLOAT8_E4M3FN: case DT_FLOAT8_E4M3FNUZ:
    case DT_FLOAT8_E4M3B11FNUZ: case DT_FLOAT8_E5M2FNUZ: case DT_FLOAT4_E2M1FN:
      return Field::kFloat8;
    default: return Field::kNone;
  }
}

// Stores integer `v` into element i of a memcpy tensor whose element is
// `size` bytes (truncating, as TensorFlow's static_cast does).
void StoreInt(std::byte* base, size_t size, int64_t i, int64_t v) {
  uint64_t u = static_cast<uint64_t>(v);
  std::memcpy(base + static_cast<size_t>(i) * size, &u, size);  // little-endian low bytes
}

// Copies m values with the broadcast rule: first n, or all m then the last
// one repeated; m == 0 leaves the zero-initialised tensor as is.
template <typename Get, typename Put>
void Broadcast(int64_t n, int64_t m, Get get, Put put) {
  if (m == 0) return;
  int64_t k = std::min(n, m);
  for (int64_t i = 0; i < k; ++i) put(i, get(i));
  if (m < n) {
    auto last = get(m - 1);
    for (int64_t i = m; i < n; ++i) put(i, last);
  }
}

Status DecodeStringList(const std::string& content, std::span<std::string> out) {
  const auto* p = reinterpret_cast<const uint8_t*>(content.data());
  const auto* end = p + content.size();
  std::vector<uint64_t> lengths(out.size());
  for (size_t i = 0; i < out.size(); ++i) {
    uint64_t v = 0;
    int shift = 0;
    while (true) {
      if (p == end || shift > 28)
        return errors::InvalidArgument("string tensor_content: bad length of element ", i);
      uint8_t b = *p++;
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) break;
      shift += 7;
    }
    lengths[i] = v;
  }
  for (size_t i = 0; i < out.size(); ++i) {
    if (static_cast<uint64_t>(end - p) < lengths[i])
      return errors::InvalidArgument("string tensor_content: element ", i, " of ", lengths[i],
                                     " bytes runs past the end");
    out[i].assign(reinterpret_cast<const char*>(p), lengths[i]);
    p += lengths[i];
  }
  if (p != end)
    return errors::InvalidArgument("string tensor_content has ", end - p, " trailing bytes");
  return OkStatus();
}

}  // namespace

Result<Tensor> TensorFromProto(const tf::TensorProto& proto, const TensorFromProtoOptions& options) {
  DataType dtype = proto.dtype();
  if (!IsValidDataType(dtype))
    return errors::InvalidArgument("TensorProto has invalid dtype ", DataTypeName(dtype));
  if (dtype == DT_RESOURCE || dtype == DT_VARIANT)
    return errors::Unimplemented("TensorProto of dtype ", DataTypeName(dtype),
                                 " is not supported");
  TFPORT_ASSIGN_OR_RETURN(Shape shape, Shape::FromProto(proto.tensor_shape()));
  const int64_t n = shape.num_elements();

  if (!proto.tensor_content().empty()) {
    const std::string& content = proto.tensor_content();
    if (dtype == DT_STRING) {
      // Each element needs at least one length byte.
      if (static_cast<uint64_t>(n) > content.size())
        return errors::InvalidArgument("string tensor_content of ", content.size(),
                                       " bytes cannot hold ", n, " elements");
      TFPORT_ASSIGN_OR_RETURN(Tensor t, Tensor::Allocate(dtype, shape, true, options.max_bytes));
      TFPORT_RETURN_IF_ERROR(DecodeStringList(content, t.flat<std::string>()));
      return t;
    }
    uint64_t need = static_cast<uint64_t>(n) * DataTypeSize(dtype);
    if (content.size() != need)
      return errors::InvalidArgument("tensor_content holds ", content.size(),
                                     " bytes but dtype ", DataTypeName(dtype), " and shape ",
                                     shape.DebugString(), " need ", need);
    TFPORT_ASSIGN_OR_RETURN(Tensor t, Tensor::Allocate(dtype, shape, false, options.max_bytes));
    if (need) std::memcpy(t.data(), content.data(), need);
    if (dtype == DT_BOOL) {
      for (std::byte& b : t.bytes())
        if (static_cast<uint8_t>(b) > 1)
          return errors::InvalidArgument("bool tensor_content holds byte ",
                                         static_cast<int>(b), ", not 0 or 1");
    }
    return t;
  }

  TFPORT_ASSIGN_OR_RETURN(Tensor t, Tensor::Allocate(dtype, shape, true, options.max_bytes));
  auto* base = static_cast<std::byte*>(t.data());
  const size_t size = DataTypeSize(dtype);
  switch (FieldFor(dtype)) {
    case Field::kFloat: {
      auto out = t.flat<float>();
      Broadcast(n, proto.float_val_size(), [&](int64_t i) { return proto.float_val(static_cast<int>(i)); },
                [&](int64_t i, float v) { out[static_cast<size_t>(i)] = v; });
      break;
    }
    case Field::kDouble: {
      auto out = t.flat<double>();
      Broadcast(n, proto.double_val_size(), [&](int64_t i) { return proto.double_val(static_cast<int>(i)); },
                [&](int64_t i, double v) { out[static_cast<size_t>(i)] = v; });
      break;
    }
    case Field::kInt:
      Broadcast(n, proto.int_val_size(), [&](int64_t i) { return int64_t{proto.int_val(static_cast<int>(i))}; },
                [&](int64_t i, int64_t v) { StoreInt(base, size, i, v); });
      break;
    case Field::kInt64:
      Broadcast(n, proto.int64_val_size(), [&](int64_t i) { return proto.int64_val(static_cast<int>(i)); },
                [&](int64_t i, int64_t v) { StoreInt(base, size, i, v); });
      break;
    case Field::kUint32:
      Broadcast(n, proto.uint32_val_size(), [&](int64_t i) { return int64_t{proto.uint32_val(static_cast<int>(i))}; },
                [&](int64_t i, int64_t v) { StoreInt(base, size, i, v); });
      break;
    case Field::kUint64:
      Broadcast(n, proto.uint64_val_size(),
                [&](int64_t i) { return static_cast<int64_t>(proto.uint64_val(static_cast<int>(i))); },
                [&](int64_t i, int64_t v) { StoreInt(base, size, i, v); });
      break;
    case Field::kBool: {
      auto out = t.flat<bool>();
      Broadcast(n, proto.bool_val_size(), [&](int64_t i) { return proto.bool_val(static_cast<int>(i)); },
                [&](int64_t i, bool v) { out[static_cast<size_t>(i)] = v; });
      break;
    }
    case Field::kString: {
      auto out = t.flat<std::string>();
      Broadcast(n, proto.string_val_size(),
                [&](int64_t i) -> const std::string& { return proto.string_val(static_cast<int>(i)); },
                [&](int64_t i, const std::string& v) { out[static_cast<size_t>(i)] = v; });
      break;
    }
    case Field::kSComplex: {
      if (proto.scomplex_val_size() % 2)
        return errors::InvalidArgument("scomplex_val has an odd number of values");
      auto out = t.flat<std::complex<float>>();
      Broadcast(n, proto.scomplex_val_size() / 2,
                [&](int64_t i) {
                  int k = static_cast<int>(2 * i);
                  return std::complex<float>(proto.scomplex_val(k), proto.scomplex_val(k + 1));
                },
                [&](int64_t i, std::complex<float> v) { out[static_cast<size_t>(i)] = v; });
      break;
    }
    case Field::kDComplex: {
      if (proto.dcomplex_val_size() % 2)
        return errors::InvalidArgument("dcomplex_val has an odd number of values");
      auto out = t.flat<std::complex<double>>();
      Broadcast(n, proto.dcomplex_val_size() / 2,
                [&](int64_t i) {
                  int k = static_cast<int>(2 * i);
                  return std::complex<double>(proto.dcomplex_val(k), proto.dcomplex_val(k + 1));
                },
                [&](int64_t i, std::complex<double> v) { out[static_cast<size_t>(i)] = v; });
      break;
    }
    case Field::kHalf:
      Broadcast(n, proto.half_val_size(), [&](int64_t i) { return int64_t{proto.half_val(static_cast<int>(i))}; },
                [&](int64_t i, int64_t v) { StoreInt(base, 2, i, v); });
      break;
    case Field::kFloat8: {
      const std::string& v = proto.float8_val();
      Broadcast(n, static_cast<int64_t>(v.size()), [&](int64_t i) { return v[static_cast<size_t>(i)]; },
                [&](int64_t i, char c) { base[i] = static_cast<std::byte>(c); });
      break;
    }
    case Field::kNone:
      return errors::Unimplemented("no value field for dtype ", DataTypeName(dtype));
  }
  return t;
}

namespace {

bool InPythonContentSet(DataType dtype) {
  switch (dtype) {
    case DT_FLOAT: case DT_DOUBLE: case DT_INT32: case DT_UINT8: case DT_INT16: case DT_INT8:
    case DT_INT64: case DT_QINT8: case DT_QUINT8: case DT_QINT16: case DT_QUINT16:
    case DT_QINT32: case DT_UINT32: case DT_UINT64: case DT_HALF: case DT_BFLOAT16:
    case DT_FLOAT8_E5M2: case DT_FLOAT8_E4M3FN:
      return true;
    default:
      return false;
  }
}

int64_t LoadInt(const std::byte* base, DataType dtype, int64_t i) {
  size_t size = DataTypeSize(dtype);
  const std::byte* p = base + static_cast<size_t>(i) * size;
  switch (dtype) {
    case DT_INT8: case DT_QINT8: case DT_INT4: case DT_INT2: return static_cast<int8_t>(*p);
    case DT_INT16: case DT_QINT16: { int16_t v; std::memcpy(&v, p, 2); return v; }
    case DT_INT32: case DT_QINT32: { int32_t v; std::memcpy(&v, p, 4); return v; }
    case DT_UINT16: case DT_QUINT16: { uint16_t v; std::memcpy(&v, p, 2); return v; }
    case DT_INT64: { int64_t v; std::memcpy(&v, p, 8); return v; }
    case DT_UINT32: { uint32_t v; std::memcpy(&v, p, 4); return v; }
    case DT_UINT64: { uint64_t v; std::memcpy(&v, p, 8); return static_cast<int64_t>(v); }
    default: return static_cast<uint8_t>(*p);
  }
}

}  // namespace

void TensorToProto(const Tensor& tensor, tf::TensorProto* proto, ProtoEncoding encoding) {
  proto->Clear();
  DataType dtype = tensor.dtype();
  proto->set_dtype(dtype);
  tensor.shape().ToProto(proto->mutable_tensor_shape());
  const int64_t n = tensor.num_elements();
  bool content = dtype != DT_STRING && IsMemcpyType(dtype) &&
                 (encoding == ProtoEncoding::kTensorContent ||
                  (encoding == ProtoEncoding::kPython && n > 1 && InPythonContentSet(dtype)));
  if (content) {
    auto b = tensor.bytes();
    proto->set_tensor_content(reinterpret_cast<const char*>(b.data()), b.size());
    return;
  }
  const auto* base = static_cast<const std::byte*>(tensor.data());
  switch (FieldFor(dtype)) {
    case Field::kFloat:
      for (float v : tensor.flat<float>()) proto->add_float_val(v);
      break;
    case Field::kDouble:
      for (double v : tensor.flat<double>()) proto->add_double_val(v);
      break;
    case Field::kInt:
      for (int64_t i = 0; i < n; ++i) proto->add_int_val(static_cast<int32_t>(LoadInt(base, dtype, i)));
      break;
    case Field::kInt64:
      for (int64_t i = 0; i < n; ++i) proto->add_int64_val(LoadInt(base, dtype, i));
      break;
    case Field::kUint32:
      for (int64_t i = 0; i < n; ++i) proto->add_uint32_val(static_cast<uint32_t>(LoadInt(base, dtype, i)));
      break;
    case Field::kUint64:
      for (int64_t i = 0; i < n; ++i) proto->add_uint64_val(static_cast<uint64_t>(LoadInt(base, dtype, i)));
      break;
    case Field::kBool:
      for (bool v : tensor.flat<bool>()) proto->add_bool_val(v);
      break;
    case Field::kString:
      for (const std::string& v : tensor.flat<std::string>()) proto->add_string_val(v);
      break;
    case Field::kSComplex:
      for (auto v : tensor.flat<std::complex<float>>()) {
        proto->add_scomplex_val(v.real());
        proto->add_scomplex_val(v.imag());
      }
      break;
    case Field::kDComplex:
      for (auto v : tensor.flat<std::complex<double>>()) {
        proto->add_dcomplex_val(v.real());
        proto->add_dcomplex_val(v.imag());
      }
      break;
    case Field::kHalf:
      for (int64_t i = 0; i < n; ++i) {
        uint16_t bits;
        std::memcpy(&bits, base + 2 * i, 2);
        proto->add_half_val(bits);
      }
      break;
    case Field::kFloat8:
      proto->set_float8_val(reinterpret_cast<const char*>(base), static_cast<size_t>(n));
      break;
    case Field::kNone:
      break;
  }
}

Status TensorToProtoChecked(const Tensor& tensor, tf::TensorProto* proto,
                            ProtoEncoding encoding) {
  DataType dtype = tensor.dtype();
  if (dtype == DT_VARIANT || dtype == DT_RESOURCE) {
    proto->Clear();
    return errors::Unimplemented("cannot serialise a ", DataTypeName(dtype), " tensor of shape ",
                                 tensor.shape().DebugString(),
                                 " to a TensorProto: tfport does not encode ",
                                 dtype == DT_VARIANT ? "variant values (TensorList, ...)"
                                                     : "resource handles");
  }
  if (!tensor.initialized() || !IsValidDataType(dtype)) {
    proto->Clear();
    return errors::InvalidArgument("cannot serialise a tensor of dtype ", DataTypeName(dtype),
                                   " to a TensorProto");
  }
  TensorToProto(tensor, proto, encoding);
  return OkStatus();
}

}  // namespace tfport
