#include "tfport/io/npy.h"

#include <cstring>

#include "tfport/io/file.h"

namespace tfport::io {
namespace {

struct NpyType {
  const char* descr;
  DataType dtype;
};
constexpr NpyType kTypes[] = {
    {"<f4", DT_FLOAT},  {"<f8", DT_DOUBLE}, {"<i4", DT_INT32},  {"<i8", DT_INT64},
    {"|u1", DT_UINT8},  {"|i1", DT_INT8},   {"<i2", DT_INT16},  {"<u2", DT_UINT16},
    {"<u4", DT_UINT32}, {"<u8", DT_UINT64}, {"|b1", DT_BOOL},   {"<f2", DT_HALF},
    {"<c8", DT_COMPLEX64}, {"<c16", DT_COMPLEX128},
};

// Value of `key` in the header dict text, e.g. 'descr': '<f4'.
std::string_view DictValue(std::string_view header, std::string_view key) {
  std::string quoted = StrCat("'", key, "'");
  size_t k = header.find(quoted);
  if (k == std::string_view::npos) return {};
  size_t colon = header.find(':', k + quoted.size());
  if (colon == std::string_view::npos) return {};
  size_t start = header.find_first_not_of(' ', colon + 1);
  if (start == std::string_view::npos) return {};
  if (header[start] == '\'') {
    size_t end = header.find('\'', start + 1);
    return end == std::string_view::npos ? std::string_view{} : header.substr(start + 1, end - start - 1);
  }
  if (header[start] == '(') {
    size_t end = header.find(')', start);
    return end == std::string_view::npos ? std::string_view{} : header.substr(start, end - start + 1);
  }
  size_t end = header.find_first_of(",}", start);
  return header.substr(start, end - start);
}

}  // namespace

Result<Tensor> ParseNpy(std::string_view bytes, std::string_view origin) {
  if (bytes.size() < 10 || bytes.substr(0, 6) != "\x93NUMPY")
    return errors::DataLoss(origin, ": not a .npy file (bad magic)");
  const int major = static_cast<unsigned char>(bytes[6]);
  size_t header_len, header_start;
  if (major == 1) {
    header_len = static_cast<unsigned char>(bytes[8]) | static_cast<size_t>(static_cast<unsigned char>(bytes[9])) << 8;
    header_start = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) return errors::DataLoss(origin, ": truncated .npy header");
    uint32_t len;
    std::memcpy(&len, bytes.data() + 8, 4);
    header_len = len;
    header_start = 12;
  } else {
    return errors::Unimplemented(origin, ": .npy format version ", major, " is not supported");
  }
  if (header_start + header_len > bytes.size())
    return errors::DataLoss(origin, ": .npy header of ", header_len, " bytes runs past the end");
  std::string_view header = bytes.substr(header_start, header_len);
  std::string_view descr = DictValue(header, "descr");
  std::string_view fortran = DictValue(header, "fortran_order");
  std::string_view shape_text = DictValue(header, "shape");
  DataType dtype = DT_INVALID;
  for (const auto& t : kTypes)
    if (descr == t.descr || (descr.size() == 3 && descr[0] == '=' && descr.substr(1) == std::string_view(t.descr).substr(1)))
      dtype = t.dtype;
  if (dtype == DT_INVALID)
    return errors::Unimplemented(origin, ": .npy dtype '", descr, "' is not supported");
  if (fortran.starts_with("True"))
    return errors::Unimplemented(origin, ": Fortran-order .npy arrays are not supported");
  if (shape_text.size() < 2) return errors::DataLoss(origin, ": .npy header has no shape");
  std::vector<int64_t> dims;
  std::string_view inner = shape_text.substr(1, shape_text.size() - 2);
  size_t pos = 0;
  while (pos < inner.size()) {
    size_t comma = inner.find(',', pos);
    std::string_view item = inner.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
    size_t b = item.find_first_not_of(' ');
    if (b != std::string_view::npos) {
      item = item.substr(b);
      size_t e = item.find_last_not_of(' ');
      item = item.substr(0, e + 1);
      int64_t d = 0;
      for (char c : item) {
        if (c < '0' || c > '9' || d > (INT64_MAX - 9) / 10)
          return errors::DataLoss(origin, ": bad .npy shape ", shape_text);
        d = d * 10 + (c - '0');
      }
      dims.push_back(d);
    }
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  Result<Shape> shape = Shape::FromDims(dims);
  if (!shape.ok()) return errors::DataLoss(origin, ": ", shape.status().message());
  const size_t data_start = header_start + header_len;
  const uint64_t n = static_cast<uint64_t>(shape->num_elements());
  const uint64_t need = n * DataTypeSize(dtype);
  if (n > (bytes.size() - data_start) / DataTypeSize(dtype) || bytes.size() - data_start != need)
    return errors::DataLoss(origin, ": .npy data holds ", bytes.size() - data_start,
                            " bytes, shape ", shape->DebugString(), " of ", NumpyName(dtype),
                            " needs ", need);
  TFPORT_ASSIGN_OR_RETURN(Tensor t, Tensor::Allocate(dtype, *shape, false));
  if (need) std::memcpy(t.data(), bytes.data() + data_start, need);
  if (dtype == DT_BOOL)
    for (std::byte b : t.bytes())
      if (static_cast<uint8_t>(b) > 1) return errors::DataLoss(origin, ": bool .npy value is not 0 or 1");
  return t;
}

Result<Tensor> ReadNpy(const std::string& path) {
  TFPORT_ASSIGN_OR_RETURN(auto file, MappedFile::Open(path));
  return ParseNpy(file->view(), path);
}

Status WriteNpy(const std::string& path, const Tensor& tensor) {
  const char* descr = nullptr;
  for (const auto& t : kTypes)
    if (t.dtype == tensor.dtype()) descr = t.descr;
  if (descr == nullptr)
    return errors::Unimplemented("cannot write dtype ", DataTypeName(tensor.dtype()), " to .npy");
  std::string shape = "(";
  for (int i = 0; i < tensor.shape().rank(); ++i) shape += StrCat(tensor.shape().dim(i), ", ");
  if (tensor.shape().rank() > 1) shape.resize(shape.size() - 2);
  if (tensor.shape().rank() == 1) shape.pop_back();
  shape += ")";
  std::string header = StrCat("{'descr': '", descr, "', 'fortran_order': False, 'shape': ", shape, ", }");
  // Pad with spaces so data starts at a multiple of 64, ending in '\n'.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header.push_back('\n');
  std::string out = "\x93NUMPY";
  out.push_back(1);
  out.push_back(0);
  out.push_back(static_cast<char>(header.size() & 0xff));
  out.push_back(static_cast<char>(header.size() >> 8));
  out += header;
  auto b = tensor.bytes();
  out.append(reinterpret_cast<const char*>(b.data()), b.size());
  return WriteFileAtomic(path, out);
}

}  // namespace tfport::io
