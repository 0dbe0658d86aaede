#include "tfport/core/shape.h"

#include "tfport/tf/tensor_shape.pb.h"

namespace tfport {

Shape Shape::UnknownRank() {
  Shape s;
  s.unknown_rank_ = true;
  return s;
}

Result<Shape> Shape::FromDims(std::span<const int64_t> dims, bool allow_unknown) {
  int64_t product = 1;
  bool known = true;
  for (size_t i = 0; i < dims.size(); ++i) {
    int64_t d = dims[i];
    if (d == -1 && allow_unknown) {
      known = false;
      continue;
    }
    if (d < 0)
      return errors::InvalidArgument("shape dimension ", i, " is ", d,
                                     " (dimension must be >= 0)");
    if (d != 0 && product > INT64_MAX / d)
      return errors::InvalidArgument("shape element count overflows int64 at dimension ", i);
    product *= d;
  }
  (void)known;
  return Shape(std::vector<int64_t>(dims.begin(), dims.end()));
}

Result<Shape> Shape::FromProto(const tf::TensorShapeProto& proto, bool allow_unknown) {
  if (proto.unknown_rank()) {
    if (!allow_unknown) return errors::InvalidArgument("shape has unknown rank");
    if (proto.dim_size() > 0)
      return errors::InvalidArgument("shape has unknown rank but lists dimensions");
    return UnknownRank();
  }
  std::vector<int64_t> dims;
  dims.reserve(static_cast<size_t>(proto.dim_size()));
  for (const auto& d : proto.dim()) dims.push_back(d.size());
  Result<Shape> s = FromDims(dims, allow_unknown);
  if (!s.ok()) return s.status();
  return s;
}

void Shape::ToProto(tf::TensorShapeProto* proto) const {
  proto->Clear();
  if (unknown_rank_) {
    proto->set_unknown_rank(true);
    return;
  }
  for (int64_t d : dims_) proto->add_dim()->set_size(d);
}

bool Shape::IsFullyDefined() const {
  if (unknown_rank_) return false;
  for (int64_t d : dims_)
    if (d < 0) return false;
  return true;
}

int64_t Shape::num_elements() const {
  int64_t n = 1;
  for (int64_t d : dims_) n *= d;
  return n;
}

bool Shape::IsCompatibleWith(const Shape& other) const {
  if (unknown_rank() || other.unknown_rank()) return true;
  if (rank() != other.rank()) return false;
  for (int i = 0; i < rank(); ++i)
    if (dim(i) >= 0 && other.dim(i) >= 0 && dim(i) != other.dim(i)) return false;
  return true;
}

std::string Shape::DebugString() const {
  if (unknown_rank_) return "<unknown>";
  std::string out = "[";
  for (size_t i = 0; i < dims_.size(); ++i) {
    if (i) out += ",";
    out += dims_[i] < 0 ? std::string("?") : std::to_string(dims_[i]);
  }
  return out + "]";
}

}  // namespace tfport
