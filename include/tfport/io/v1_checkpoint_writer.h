// tfport: writing V1 checkpoints ("SavedTensorSlices" tables, formats.md §3),
// what TensorFlow's SaveSlices / Save ops write for Saver(write_version=V1).
//
// One table file holds every added slice: the empty key carries a
// SavedTensorSliceMeta listing tensors in the order first added, every other
// key is EncodeTensorNameSlice(name, slice) with a SavedSlice whose TensorProto
// has only the typed value field. The file is written under a temporary name
// and renamed on Finish, so a present file is always complete.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tfport/core/tensor.h"
#include "tfport/io/tensor_slice.h"
#include "tfport/tf/saved_tensor_slice.pb.h"

namespace tfport::io {

// Not thread-safe.
class V1CheckpointWriter {
 public:
  explicit V1CheckpointWriter(std::string path) : path_(std::move(path)) {}

  // Adds one slice of tensor `name` (a whole tensor: TensorSlice::Full).
  // Errors: INVALID_ARGUMENT for a dtype V1 cannot store (bfloat16, resource,
  // variant...), a slice that does not fit full_shape, a tensor whose shape
  // is not the slice's, a dtype or shape differing from an earlier slice of
  // the same name, or a slice added twice.
  Status Add(std::string_view name, const Shape& full_shape, const TensorSlice& slice,
             const Tensor& data);

  // Writes the table to "<path>.tempstate<random>" and renames it to path.
  Status Finish();

  const std::string& path() const { return path_; }

 private:
  std::string path_;
  tf::SavedTensorSliceMeta meta_;
  std::map<std::string, size_t> meta_index_;   // name -> meta_.tensor index
  std::map<std::string, std::string> records_;  // table key -> SavedTensorSlices bytes
};

}  // namespace tfport::io
