// tfport: slices of partitioned tensors (formats.md §1.9, §3.2).
//
// A TensorSlice names, per dimension of a full tensor, a start and a length
// (length -1 = the whole dimension). Slices key partitioned entries in V2
// bundles and every record of a V1 checkpoint, through TensorFlow's
// OrderedCode encoding of (name, slice).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tfport/core/shape.h"
#include "tfport/core/status.h"
#include "tfport/core/tensor.h"

namespace tfport {
namespace tf { class TensorSliceProto; }

namespace io {

class TensorSlice {
 public:
  struct Extent {
    int64_t start = 0;
    int64_t length = -1;  // -1: the whole dimension
    bool operator==(const Extent&) const = default;
  };

  TensorSlice() = default;
  // A slice covering every dimension of a rank-`rank` tensor.
  static TensorSlice Full(int rank);
  explicit TensorSlice(std::vector<Extent> extents) : extents_(std::move(extents)) {}

  // Errors: INVALID_ARGUMENT for negative starts or lengths other than -1.
  static Result<TensorSlice> FromProto(const tf::TensorSliceProto& proto);
  void ToProto(tf::TensorSliceProto* proto) const;

  // Parses "d0 d1 ... SLICE" as SaveV2 receives it in shape_and_slices
  // ("" = whole tensor). SLICE is "start,length:-:...". Outputs the full shape.
  static Status ParseShapeAndSlice(std::string_view spec, Shape* full_shape, TensorSlice* slice);

  int rank() const { return static_cast<int>(extents_.size()); }
  const std::vector<Extent>& extents() const { return extents_; }
  bool IsFullIn(const Shape& full_shape) const;

  // The slice's own shape within `full_shape`. Errors: INVALID_ARGUMENT when
  // ranks differ or an extent lies outside the full dimension.
  Result<Shape> SliceShape(const Shape& full_shape) const;

  // "0,5:-" as in shape_and_slices strings.
  std::string DebugString() const;

  bool operator==(const TensorSlice&) const = default;

 private:
  std::vector<Extent> extents_;
};

// The table key of a slice: OrderedCode(0, name, rank, start/length...).
std::string EncodeTensorNameSlice(std::string_view name, const TensorSlice& slice);

// Copies `part` (the tensor of `slice`) into its place in `full`.
// REQUIRES: same dtype; part's shape == slice.SliceShape(full.shape()).
Status CopySliceIntoFull(const TensorSlice& slice, const Tensor& part, Tensor* full);

}  // namespace io
}  // namespace tfport
