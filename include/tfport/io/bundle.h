// tfport: tensor bundles, TensorFlow's V2 checkpoint format (formats.md §1).
//
// A bundle with prefix P is "P.index" (an SSTable of BundleEntryProto values,
// with a BundleHeaderProto under the empty key) plus data shards
// "P.data-00000-of-0000N" holding the raw tensor bytes.
//
// BundleWriter produces the bytes TensorFlow's BundleWriter produces: data in
// the order tensors are added, the index with keys in byte order, entries
// encoded field by field as TensorFlow encodes them, no compression. Files are
// written under temporary names and renamed (data first, index last), so a
// present index always means complete data.
//
// BundleReader verifies checksums on every lookup and hands out numeric
// tensors that view the memory-mapped data shard when the bytes are aligned
// for the element type (a copy otherwise).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "tfport/core/tensor.h"
#include "tfport/io/file.h"
#include "tfport/io/tensor_slice.h"
#include "tfport/tf/tensor_bundle.pb.h"

namespace tfport::io {

// "P.index" and "P.data-%05d-of-%05d" (formats.md §1.1).
std::string BundleIndexPath(std::string_view prefix);
std::string BundleDataPath(std::string_view prefix, int shard, int num_shards);

struct BundleWriteOptions {
  bool sync = false;  // fdatasync the files (and directory) before renaming
  // Zero bytes appended after each tensor so the next offset is a multiple of
  // this. TensorFlow's SaveV2 uses 1 (densely packed).
  int data_alignment = 1;
};

// Not thread-safe.
class BundleWriter {
 public:
  // Creates the prefix's directory if needed and opens the temporary data file.
  static Result<std::unique_ptr<BundleWriter>> Create(std::string prefix,
                                                      BundleWriteOptions options = {});
  ~BundleWriter();  // without Finish(), removes the temporary files

  // Appends a whole tensor under `key`. Errors: INVALID_ARGUMENT for an empty
  // or duplicate key or an unsupported dtype (resource/variant).
  Status Add(std::string_view key, const Tensor& tensor);

  // Appends one slice of a partitioned tensor (formats.md §1.9): the full
  // entry `full_name` records the slice, the data goes under the slice key.
  Status AddSlice(std::string_view full_name, const Shape& full_shape, const TensorSlice& slice,
                  const Tensor& slice_tensor);

  // Renames the data file into place, then writes and renames the index.
  Status Finish();

  const std::string& prefix() const { return prefix_; }

 private:
  BundleWriter() = default;
  Status AppendData(const Tensor& tensor, tf::BundleEntryProto* entry);

  std::string prefix_;
  BundleWriteOptions options_;
  std::unique_ptr<AtomicFile> data_;
  std::map<std::string, tf::BundleEntryProto> entries_;
  uint64_t offset_ = 0;
  bool finished_ = false;
  Status error_;
};

// Merges single-writer bundles into one multi-shard bundle at `dest_prefix`,
// as TensorFlow's MergeV2Checkpoints does (formats.md §1.11): data files are
// renamed to "dest.data-K-of-N", the merged index is written, the source
// indexes are deleted (and, with delete_old_dirs, their directories when
// empty and different from dest's).
Status MergeBundles(const std::vector<std::string>& src_prefixes, const std::string& dest_prefix,
                    bool delete_old_dirs = true);

struct BundleReadOptions {
  bool verify_checksums = true;  // turn off only for benchmarks
  uint64_t max_tensor_bytes = kDefaultMaxTensorBytes;
};

// Thread-safety: all const methods may be called concurrently.
class BundleReader {
 public:
  // Reads "P.index", its header (version check) and every entry; data shards
  // are mapped on first use. Errors: NOT_FOUND if the index is missing,
  // DATA_LOSS for a damaged index (naming the file), UNIMPLEMENTED for a
  // big-endian bundle.
  static Result<std::unique_ptr<BundleReader>> Open(std::string prefix,
                                                    BundleReadOptions options = {});
  ~BundleReader();

  const std::string& prefix() const { return prefix_; }
  const tf::BundleHeaderProto& header() const { return header_; }
  int num_shards() const { return header_.num_shards(); }

  // Tensor names in byte order, without the header key and the internal
  // slice keys of partitioned tensors.
  std::vector<std::string> keys() const;
  bool Contains(std::string_view key) const;
  // The raw entry (for slice keys too); NOT_FOUND if absent.
  Result<tf::BundleEntryProto> entry(std::string_view key) const;
  // Every entry in key order, including slice keys (not the header).
  const std::map<std::string, tf::BundleEntryProto, std::less<>>& entries() const {
    return entries_;
  }

  // Reads a tensor, assembling partitioned tensors from their slices.
  // Errors: NOT_FOUND "Key <k> not found in checkpoint"; DATA_LOSS naming the
  // data file, byte range and key on a checksum mismatch or truncated shard.
  Result<Tensor> Lookup(std::string_view key) const;

 private:
  BundleReader() = default;
  Result<Tensor> ReadEntry(std::string_view key, const tf::BundleEntryProto& entry) const;
  Result<std::shared_ptr<MappedFile>> Shard(int id) const;

  std::string prefix_;
  BundleReadOptions options_;
  tf::BundleHeaderProto header_;
  std::map<std::string, tf::BundleEntryProto, std::less<>> entries_;
  mutable std::mutex mu_;
  mutable std::vector<std::shared_ptr<MappedFile>> shards_;
};

}  // namespace tfport::io
