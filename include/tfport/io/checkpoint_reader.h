// tfport: reading any TensorFlow checkpoint — V2 tensor bundles (formats.md §1)
// and V1 SavedTensorSlices files (§3) — behind one interface, like
// tf.compat.v1.train.NewCheckpointReader.
//
// Open(path) takes what TensorFlow's restore takes: a V2 prefix ("model.ckpt"
// with "model.ckpt.index" beside it), a V1 file ("model.ckpt"), or a V1
// pattern ("export-?????-of-00002"). Tensor names are listed in byte order
// (partitioned tensors under their full name; slice keys hidden).
//
// Thread-safety: const methods may be called concurrently.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tfport/core/tensor.h"
#include "tfport/io/bundle.h"
#include "tfport/io/tensor_slice.h"

namespace tfport::io {

enum class CheckpointFormat { kV2, kV1 };

struct CheckpointTensorInfo {
  std::string name;
  DataType dtype = DT_INVALID;
  Shape shape;
};

// V1 (SavedTensorSlices) reader over one or more table files.
class V1CheckpointReader {
 public:
  // Errors: NOT_FOUND if nothing matches; DATA_LOSS naming the file for a
  // damaged table or metadata record.
  static Result<std::unique_ptr<V1CheckpointReader>> Open(const std::string& file_or_pattern,
                                                          uint64_t max_tensor_bytes =
                                                              kDefaultMaxTensorBytes);
  ~V1CheckpointReader();
  const std::vector<CheckpointTensorInfo>& tensors() const { return infos_; }
  Result<Tensor> Lookup(std::string_view name) const;
  const std::vector<std::string>& files() const { return files_; }

 private:
  struct Impl;
  V1CheckpointReader() = default;
  std::vector<std::string> files_;
  std::vector<CheckpointTensorInfo> infos_;
  std::unique_ptr<Impl> impl_;
};

class CheckpointReader {
 public:
  static Result<std::unique_ptr<CheckpointReader>> Open(const std::string& path,
                                                        BundleReadOptions options = {});
  ~CheckpointReader();

  CheckpointFormat format() const { return format_; }
  const std::string& path() const { return path_; }
  // Sorted by name.
  const std::vector<CheckpointTensorInfo>& tensors() const { return infos_; }
  bool HasTensor(std::string_view name) const;
  // Errors: NOT_FOUND "Key <name> not found in checkpoint"; DATA_LOSS.
  Result<Tensor> GetTensor(std::string_view name) const;
  std::map<std::string, Shape> GetVariableToShapeMap() const;
  std::map<std::string, DataType> GetVariableToDtypeMap() const;

  // The underlying readers (one of them is null).
  const BundleReader* bundle() const { return bundle_.get(); }
  const V1CheckpointReader* v1() const { return v1_.get(); }

 private:
  CheckpointReader() = default;
  CheckpointFormat format_ = CheckpointFormat::kV2;
  std::string path_;
  std::vector<CheckpointTensorInfo> infos_;
  std::unique_ptr<BundleReader> bundle_;
  std::unique_ptr<V1CheckpointReader> v1_;
};

}  // namespace tfport::io
