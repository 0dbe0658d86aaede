#include "tfport/io/tensor_slice.h"

#include <charconv>
#include <cstring>

#include "tfport/tf/tensor_slice.pb.h"

namespace tfport::io {

TensorSlice TensorSlice::Full(int rank) {
  return TensorSlice(std::vector<Extent>(static_cast<size_t>(rank)));
}

Result<TensorSlice> TensorSlice::FromProto(const tf::TensorSliceProto& proto) {
  std::vector<Extent> extents;
  for (int i = 0; i < proto.extent_size(); ++i) {
    const auto& e = proto.extent(i);
    Extent x;
    x.start = e.start();
    x.length = e.has_length_case() == tf::TensorSliceProto::Extent::kLength ? e.length() : -1;
    if (x.start < 0 || x.length < -1)
      return errors::InvalidArgument("slice extent ", i, " has start ", x.start, " and length ",
                                     x.length);
    if (x.length == -1 && x.start != 0)
      return errors::InvalidArgument("slice extent ", i, " covers the whole dimension but starts at ",
                                     x.start);
    extents.push_back(x);
  }
  return TensorSlice(std::move(extents));
}

void TensorSlice::ToProto(tf::TensorSliceProto* proto) const {
  proto->Clear();
  for (const Extent& e : extents_) {
    auto* x = proto->add_extent();
    if (e.length >= 0) {
      x->set_start(e.start);
      x->set_length(e.length);
    }
  }
}

namespace {
bool ParseInt(std::string_view s, int64_t* out) {
  auto r = std::from_chars(s.data(), s.data() + s.size(), *out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}
}  // namespace

Status TensorSlice::ParseShapeAndSlice(std::string_view spec, Shape* full_shape,
                                       TensorSlice* slice) {
  *full_shape = Shape();
  *slice = TensorSlice();
  if (spec.empty()) return OkStatus();
  std::vector<std::string_view> parts;
  size_t pos = 0;
  while (pos <= spec.size()) {
    size_t sp = spec.find(' ', pos);
    if (sp == std::string_view::npos) sp = spec.size();
    parts.push_back(spec.substr(pos, sp - pos));
    pos = sp + 1;
  }
  if (parts.size() < 2)
    return errors::InvalidArgument("shape_and_slice '", spec, "' has no slice part");
  std::vector<int64_t> dims;
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    int64_t d;
    if (!ParseInt(parts[i], &d) || d < 0)
      return errors::InvalidArgument("shape_and_slice '", spec, "': bad dimension '", parts[i], "'");
    dims.push_back(d);
  }
  TFPORT_ASSIGN_OR_RETURN(*full_shape, Shape::FromDims(dims));
  std::vector<Extent> extents;
  std::string_view s = parts.back();
  size_t p = 0;
  while (p <= s.size()) {
    size_t c = s.find(':', p);
    if (c == std::string_view::npos) c = s.size();
    std::string_view item = s.substr(p, c - p);
    Extent e;
    if (item != "-") {
      size_t comma = item.find(',');
      if (comma == std::string_view::npos || !ParseInt(item.substr(0, comma), &e.start) ||
          !ParseInt(item.substr(comma + 1), &e.length) || e.start < 0 || e.length < 0)
        return errors::InvalidArgument("shape_and_slice '", spec, "': bad extent '", item, "'");
    }
    extents.push_back(e);
    p = c + 1;
  }
  *slice = TensorSlice(std::move(extents));
  if (slice->rank() != full_shape->rank())
    return errors::InvalidArgument("shape_and_slice '", spec, "': slice rank ", slice->rank(),
                                   " differs from shape rank ", full_shape->rank());
  return slice->SliceShape(*full_shape).status();
}

bool TensorSlice::IsFullIn(const Shape& full_shape) const {
  if (rank() != full_shape.rank()) return false;
  for (int i = 0; i < rank(); ++i) {
    const Extent& e = extents_[static_cast<size_t>(i)];
    if (e.length != -1 && !(e.start == 0 && e.length == full_shape.dim(i))) return false;
  }
  return true;
}

Result<Shape> TensorSlice::SliceShape(const Shape& full_shape) const {
  if (rank() != full_shape.rank())
    return errors::InvalidArgument("slice ", DebugString(), " has rank ", rank(),
                                   " but the tensor has shape ", full_shape.DebugString());
  std::vector<int64_t> dims;
  for (int i = 0; i < rank(); ++i) {
    const Extent& e = extents_[static_cast<size_t>(i)];
    int64_t d = full_shape.dim(i);
    if (e.length == -1) {
      dims.push_back(d);
      continue;
    }
    if (e.start > d || e.length > d - e.start)
      return errors::InvalidArgument("slice ", DebugString(), " extent ", i,
                                     " lies outside the tensor shape ", full_shape.DebugString());
    dims.push_back(e.length);
  }
  return Shape(std::move(dims));
}

std::string TensorSlice::DebugString() const {
  std::string out;
  for (size_t i = 0; i < extents_.size(); ++i) {
    if (i) out += ":";
    if (extents_[i].length == -1) {
      out += "-";
    } else {
      out += StrCat(extents_[i].start, ",", extents_[i].length);
    }
  }
  return out;
}

// ---- OrderedCode (formats.md §1.9)

namespace {

void AppendNumIncreasing(std::string* out, uint64_t v) {
  unsigned char buf[8];
  int len = 0;
  while (v > 0) {
    buf[len++] = static_cast<unsigned char>(v & 0xff);
    v >>= 8;
  }
  out->push_back(static_cast<char>(len));
  for (int i = len - 1; i >= 0; --i) out->push_back(static_cast<char>(buf[i]));
}

void AppendString(std::string* out, std::string_view s) {
  for (char c : s) {
    if (c == '\0') {
      out->append("\x00\xff", 2);
    } else if (c == '\xff') {
      out->append("\xff\x00", 2);
    } else {
      out->push_back(c);
    }
  }
  out->append("\x00\x01", 2);
}

// Signed numbers: big-endian, sign-extended to n bytes, with the first bits of
// the first byte(s) spelling the length n in unary (n ones then a zero for
// positive numbers, the complement for negative ones).
void AppendSignedNumIncreasing(std::string* out, int64_t v) {
  const uint64_t x = v < 0 ? ~static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  if (x < 64) {  // one byte: 0x80 ^ v
    out->push_back(static_cast<char>(0x80 ^ static_cast<uint8_t>(v)));
    return;
  }
  // Smallest n (bytes) with x < 2^(7n-1); n <= 10.
  int n = 2;
  while (n < 10 && (n * 7 - 1 >= 64 ? false : x >= (uint64_t{1} << (n * 7 - 1)))) ++n;
  unsigned char buf[10];
  // Big-endian sign-extended value in n bytes.
  uint64_t u = static_cast<uint64_t>(v);
  for (int i = n - 1; i >= 0; --i) {
    buf[i] = static_cast<unsigned char>(i >= n - 8 ? (u >> (8 * (n - 1 - i))) & 0xff
                                                   : (v < 0 ? 0xff : 0x00));
  }
  // Length prefix: n one-bits (for positive values) starting at the top bit,
  // followed by a zero bit; negative values get the complement.
  for (int bit = 0; bit < n; ++bit) {
    int byte = bit / 8, shift = 7 - bit % 8;
    if (v >= 0) {
      buf[byte] |= static_cast<unsigned char>(1u << shift);
    } else {
      buf[byte] &= static_cast<unsigned char>(~(1u << shift));
    }
  }
  {
    int byte = n / 8, shift = 7 - n % 8;
    if (v >= 0) {
      buf[byte] &= static_cast<unsigned char>(~(1u << shift));
    } else {
      buf[byte] |= static_cast<unsigned char>(1u << shift);
    }
  }
  out->append(reinterpret_cast<const char*>(buf), static_cast<size_t>(n));
}

}  // namespace

std::string EncodeTensorNameSlice(std::string_view name, const TensorSlice& slice) {
  std::string out;
  AppendNumIncreasing(&out, 0);
  AppendString(&out, name);
  AppendNumIncreasing(&out, static_cast<uint64_t>(slice.rank()));
  for (const auto& e : slice.extents()) {
    AppendSignedNumIncreasing(&out, e.length == -1 ? 0 : e.start);
    AppendSignedNumIncreasing(&out, e.length);
  }
  return out;
}

// ---- slice copy

Status CopySliceIntoFull(const TensorSlice& slice, const Tensor& part, Tensor* full) {
  if (part.dtype() != full->dtype())
    return errors::InvalidArgument("slice dtype ", DataTypeName(part.dtype()),
                                   " differs from the tensor's ", DataTypeName(full->dtype()));
  TFPORT_ASSIGN_OR_RETURN(Shape slice_shape, slice.SliceShape(full->shape()));
  if (!(slice_shape == part.shape()))
    return errors::InvalidArgument("slice ", slice.DebugString(), " should have shape ",
                                   slice_shape.DebugString(), " but its tensor has shape ",
                                   part.shape().DebugString());
  const int rank = full->shape().rank();
  const int64_t n = part.num_elements();
  if (n == 0) return OkStatus();
  // Row-major strides of the full tensor, and the slice's start offset.
  std::vector<int64_t> stride(static_cast<size_t>(rank), 1), start(static_cast<size_t>(rank), 0);
  for (int i = rank - 2; i >= 0; --i) stride[i] = stride[i + 1] * full->shape().dim(i + 1);
  for (int i = 0; i < rank; ++i) {
    const auto& e = slice.extents()[static_cast<size_t>(i)];
    start[static_cast<size_t>(i)] = e.length == -1 ? 0 : e.start;
  }
  // Copy innermost rows of `row` elements at a time.
  const int64_t row = rank == 0 ? 1 : slice_shape.dim(rank - 1);
  const bool strings = full->dtype() == DT_STRING;
  const size_t esize = DataTypeSize(full->dtype());
  std::vector<int64_t> idx(static_cast<size_t>(rank), 0);
  for (int64_t src = 0; src < n; src += row) {
    int64_t dst = 0;
    for (int i = 0; i < rank; ++i) dst += (start[i] + idx[i]) * stride[i];
    if (strings) {
      auto from = part.flat<std::string>();
      auto to = full->flat<std::string>();
      for (int64_t k = 0; k < row; ++k) to[static_cast<size_t>(dst + k)] = from[static_cast<size_t>(src + k)];
    } else {
      std::memcpy(static_cast<char*>(full->data()) + dst * static_cast<int64_t>(esize),
                  static_cast<const char*>(part.data()) + src * static_cast<int64_t>(esize),
                  static_cast<size_t>(row) * esize);
    }
    for (int i = rank - 2; i >= 0; --i) {  // advance the outer index
      if (++idx[i] < slice_shape.dim(i)) break;
      idx[i] = 0;
    }
  }
  return OkStatus();
}

}  // namespace tfport::io
