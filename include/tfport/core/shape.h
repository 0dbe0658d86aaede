// tfport: tensor shapes (TensorFlow's TensorShape / PartialTensorShape).
//
// A Shape is a list of dimensions, outermost first. In shape metadata (graph
// attrs, signatures) a dimension may be -1 (unknown) and the rank itself may
// be unknown; a Shape that describes real tensor storage is fully defined.
// Shapes built from untrusted bytes go through Shape::FromDims or FromProto,
// which reject negative dimensions and element counts that overflow int64.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <vector>

#include "tfport/core/status.h"

namespace tfport {
namespace tf { class TensorShapeProto; }

class Shape {
 public:
  Shape() = default;  // scalar
  Shape(std::initializer_list<int64_t> dims) : dims_(dims) {}
  explicit Shape(std::vector<int64_t> dims) : dims_(std::move(dims)) {}
  static Shape UnknownRank();

  // Validated constructors for untrusted input: every dim >= 0 (or -1 when
  // allow_unknown) and the element count fits in int64.
  static Result<Shape> FromDims(std::span<const int64_t> dims, bool allow_unknown = false);
  static Result<Shape> FromProto(const tf::TensorShapeProto& proto, bool allow_unknown = false);
  void ToProto(tf::TensorShapeProto* proto) const;

  bool unknown_rank() const { return unknown_rank_; }
  int rank() const { return static_cast<int>(dims_.size()); }  // 0 if unknown rank
  int64_t dim(int i) const { return dims_[static_cast<size_t>(i)]; }
  const std::vector<int64_t>& dims() const { return dims_; }
  bool IsFullyDefined() const;

  // Product of the dimensions. REQUIRES: IsFullyDefined() and the shape was
  // validated (no overflow); 1 for a scalar.
  int64_t num_elements() const;

  void AddDim(int64_t size) { dims_.push_back(size); }

  // "[]", "[2,3]", "[?,3]", "<unknown>".
  std::string DebugString() const;

  // PartialTensorShape::IsCompatibleWith: some fully defined shape fits both
  // (unknown rank fits anything; an unknown dim fits any size).
  bool IsCompatibleWith(const Shape& other) const;

  bool operator==(const Shape& other) const = default;

 private:
  std::vector<int64_t> dims_;
  bool unknown_rank_ = false;
};

}  // namespace tfport
