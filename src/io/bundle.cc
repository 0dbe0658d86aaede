#include "io/coding.h"
#include "tfport/io/bundle.h"

#include "tfport/core/thread_pool.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <set>

#include "tfport/io/crc32c.h"
#include "tfport/io/sstable.h"

namespace tfport::io {
namespace {

using internal::GetVarint64;
using internal::PutVarint64;

// formats.md §1.4: kTensorBundleVersion = 1, kTensorBundleMinProducer = 0.
constexpr int kBundleVersion = 1;

// CRC of one string length as TensorFlow checksums it: a 4-byte little-endian
// integer, or 8 bytes for lengths above 2^32-1 (formats.md §1.7.2).
uint32_t ExtendWithLength(uint32_t crc, uint64_t len) {
  if (len <= 0xffffffffu) {
    uint32_t v = static_cast<uint32_t>(len);
    return crc32c::Extend(crc, &v, 4);
  }
  return crc32c::Extend(crc, &len, 8);
}

// A view of part of a mapped file that keeps the mapping alive.
class MappedSliceBuffer final : public TensorBuffer {
 public:
  MappedSliceBuffer(std::shared_ptr<MappedFile> file, const uint8_t* data, size_t size)
      : TensorBuffer(const_cast<uint8_t*>(data), size), file_(std::move(file)) {}

 private:
  std::shared_ptr<MappedFile> file_;
};

// CRC32C of bytes [offset, offset+size) of a mapped file. Pages are mapped in
// bulk first (cheaper than a fault per page); large ranges are split across
// threads and the pieces joined with crc32c::Combine.
uint32_t ChecksumMapped(const MappedFile& file, uint64_t offset, uint64_t size) {
  constexpr uint64_t kMinPiece = uint64_t{4} << 20;
  auto piece = [&file](uint64_t off, uint64_t len) {
    if (len >= (uint64_t{64} << 10)) file.Prefault(off, len);
    return crc32c::Value(file.data() + off, len);
  };
  ThreadPool& pool = ThreadPool::Default();
  const uint64_t pieces = std::min<uint64_t>(pool.num_threads() + 1, size / kMinPiece);
  if (pieces <= 1) return piece(offset, size);
  const uint64_t step = size / pieces;
  std::vector<uint32_t> crcs(pieces);
  pool.ParallelFor(pieces, [&](size_t i) {
    crcs[i] = piece(offset + i * step, i + 1 == pieces ? size - i * step : step);
  });
  uint32_t crc = crcs[0];
  for (uint64_t i = 1; i < pieces; ++i)
    crc = crc32c::Combine(crc, crcs[i], i + 1 == pieces ? size - i * step : step);
  return crc;
}

Status CheckHeader(const tf::BundleHeaderProto& header, const std::string& index_path) {
  const auto& v = header.version();
  if (v.producer() < 0 || v.min_consumer() > kBundleVersion)
    return errors::DataLoss(index_path, ": bundle version (producer ", v.producer(),
                            ", min_consumer ", v.min_consumer(), ") is not readable by version ",
                            kBundleVersion);
  for (int bad : v.bad_consumers())
    if (bad == kBundleVersion)
      return errors::DataLoss(index_path, ": bundle lists version ", kBundleVersion,
                              " as a bad consumer");
  if (header.endianness() != tf::BundleHeaderProto::LITTLE)
    return errors::Unimplemented(index_path, ": big-endian tensor bundles are not supported");
  if (header.num_shards() <= 0 || header.num_shards() > 1000000)
    return errors::DataLoss(index_path, ": header has num_shards ", header.num_shards());
  return OkStatus();
}

}  // namespace

std::string BundleIndexPath(std::string_view prefix) { return StrCat(prefix, ".index"); }

std::string BundleDataPath(std::string_view prefix, int shard, int num_shards) {
  char buf[64];
  std::snprintf(buf, sizeof buf, ".data-%05d-of-%05d", shard, num_shards);
  return StrCat(prefix, buf);
}

// ---------------------------------------------------------------- writer

Result<std::unique_ptr<BundleWriter>> BundleWriter::Create(std::string prefix,
                                                           BundleWriteOptions options) {
  if (options.data_alignment < 1)
    return errors::InvalidArgument("data_alignment must be >= 1, got ", options.data_alignment);
  std::unique_ptr<BundleWriter> w(new BundleWriter());
  w->prefix_ = std::move(prefix);
  w->options_ = options;
  TFPORT_RETURN_IF_ERROR(CreateDirectories(Dirname(w->prefix_)));
  TFPORT_ASSIGN_OR_RETURN(w->data_,
                          AtomicFile::Create(BundleDataPath(w->prefix_, 0, 1), options.sync));
  return w;
}

BundleWriter::~BundleWriter() = default;  // AtomicFile removes an uncommitted temp file

Status BundleWriter::AppendData(const Tensor& tensor, tf::BundleEntryProto* entry) {
  FileWriter& out = data_->writer();
  uint64_t size = 0;
  uint32_t crc = 0;
  if (IsMemcpyType(tensor.dtype())) {
    // Checksum and write in cache-sized chunks so each byte is fetched from
    // memory once for both.
    constexpr size_t kChunk = size_t{1} << 20;
    auto bytes = tensor.bytes();
    for (size_t pos = 0; pos < bytes.size(); pos += kChunk) {
      size_t n = std::min(kChunk, bytes.size() - pos);
      crc = crc32c::Extend(crc, bytes.data() + pos, n);
      TFPORT_RETURN_IF_ERROR(out.Append(bytes.data() + pos, n));
    }
    size = bytes.size();
  } else if (tensor.dtype() == DT_STRING) {
    // formats.md §1.7.2: varint64 lengths, masked CRC of the lengths, bytes.
    auto strings = tensor.flat<std::string>();
    std::string head;
    uint32_t length_crc = 0;
    for (const std::string& s : strings) {
      PutVarint64(&head, s.size());
      length_crc = ExtendWithLength(length_crc, s.size());
    }
    uint32_t stored = crc32c::Mask(length_crc);
    char stored_bytes[4];
    std::memcpy(stored_bytes, &stored, 4);
    head.append(stored_bytes, 4);
    crc = crc32c::Extend(length_crc, stored_bytes, 4);
    TFPORT_RETURN_IF_ERROR(out.Append(head));
    size = head.size();
    for (const std::string& s : strings) {
      crc = crc32c::Extend(crc, s.data(), s.size());
      TFPORT_RETURN_IF_ERROR(out.Append(s));
      size += s.size();
    }
  } else {
    return errors::InvalidArgument("cannot save a tensor of dtype ", DataTypeName(tensor.dtype()),
                                   " in a bundle");
  }
  entry->set_shard_id(0);
  entry->set_offset(static_cast<int64_t>(offset_));
  entry->set_size(static_cast<int64_t>(size));
  entry->set_crc32c(crc32c::Mask(crc));
  offset_ += size;
  if (options_.data_alignment > 1) {
    uint64_t a = static_cast<uint64_t>(options_.data_alignment);
    uint64_t pad = (a - offset_ % a) % a;
    static const char zeros[4096] = {};
    for (uint64_t left = pad; left > 0;) {
      uint64_t k = std::min<uint64_t>(left, sizeof zeros);
      TFPORT_RETURN_IF_ERROR(out.Append(zeros, static_cast<size_t>(k)));
      left -= k;
    }
    offset_ += pad;
  }
  return OkStatus();
}

Status BundleWriter::Add(std::string_view key, const Tensor& tensor) {
  if (finished_) return errors::FailedPrecondition(prefix_, ": Add after Finish");
  if (key.empty()) return errors::InvalidArgument(prefix_, ": tensor key must not be empty");
  std::string k(key);
  if (entries_.count(k)) return errors::InvalidArgument(prefix_, ": duplicate tensor key '", key, "'");
  tf::BundleEntryProto entry;
  entry.set_dtype(tensor.dtype());
  tensor.shape().ToProto(entry.mutable_shape());  // always present, even for scalars
  Status s = AppendData(tensor, &entry);
  if (!s.ok()) {
    error_ = s;
    return s.WithContext("tensor '", key, "'");
  }
  entries_.emplace(std::move(k), std::move(entry));
  return OkStatus();
}

Status BundleWriter::AddSlice(std::string_view full_name, const Shape& full_shape,
                              const TensorSlice& slice, const Tensor& slice_tensor) {
  if (slice.IsFullIn(full_shape)) return Add(full_name, slice_tensor);
  TFPORT_ASSIGN_OR_RETURN(Shape slice_shape, slice.SliceShape(full_shape));
  if (!(slice_shape == slice_tensor.shape()))
    return errors::InvalidArgument(prefix_, ": slice ", slice.DebugString(), " of '", full_name,
                                   "' needs shape ", slice_shape.DebugString(), ", got ",
                                   slice_tensor.shape().DebugString());
  std::string name(full_name);
  auto it = entries_.find(name);
  if (it == entries_.end()) {
    tf::BundleEntryProto full;
    full.set_dtype(slice_tensor.dtype());
    full_shape.ToProto(full.mutable_shape());
    it = entries_.emplace(name, std::move(full)).first;
  } else if (it->second.slices_size() == 0 || it->second.dtype() != slice_tensor.dtype()) {
    return errors::InvalidArgument(prefix_, ": '", full_name,
                                   "' was already added as a whole tensor or with another dtype");
  }
  slice.ToProto(it->second.add_slices());
  return Add(EncodeTensorNameSlice(full_name, slice), slice_tensor);
}

namespace {

Status WriteIndex(const std::string& index_path, const tf::BundleHeaderProto& header,
                  const std::map<std::string, tf::BundleEntryProto>& entries, bool sync) {
  TFPORT_ASSIGN_OR_RETURN(auto file, AtomicFile::Create(index_path, sync));
  auto table = TableBuilder::Create(&file->writer());
  TFPORT_RETURN_IF_ERROR(table->Add("", header.SerializeAsString()));
  for (const auto& [key, entry] : entries)
    TFPORT_RETURN_IF_ERROR(table->Add(key, entry.SerializeAsString()));
  TFPORT_RETURN_IF_ERROR(table->Finish());
  return file->Commit();
}

tf::BundleHeaderProto MakeHeader(int num_shards) {
  tf::BundleHeaderProto header;
  header.set_num_shards(num_shards);
  header.set_endianness(tf::BundleHeaderProto::LITTLE);
  header.mutable_version()->set_producer(kBundleVersion);
  return header;
}

}  // namespace

Status BundleWriter::Finish() {
  if (finished_) return errors::FailedPrecondition(prefix_, ": Finish called twice");
  finished_ = true;
  if (!error_.ok()) return error_;
  TFPORT_RETURN_IF_ERROR(data_->Commit());
  return WriteIndex(BundleIndexPath(prefix_), MakeHeader(1), entries_, options_.sync);
}

// ---------------------------------------------------------------- merge

Status MergeBundles(const std::vector<std::string>& src_prefixes, const std::string& dest_prefix,
                    bool delete_old_dirs) {
  if (src_prefixes.empty()) return errors::InvalidArgument("MergeBundles: no source bundles");
  std::map<std::string, tf::BundleEntryProto> merged;
  std::vector<std::pair<std::string, int>> data_files;  // source path, new shard id
  std::string version_bytes;
  int total_shards = 0;
  std::vector<std::unique_ptr<BundleReader>> readers;
  for (const std::string& src : src_prefixes) {
    TFPORT_ASSIGN_OR_RETURN(auto reader, BundleReader::Open(src));
    std::string v = reader->header().version().SerializeAsString();
    if (readers.empty()) {
      version_bytes = v;
    } else if (v != version_bytes) {
      return errors::InvalidArgument("MergeBundles: ", src, " has a different bundle version");
    }
    const int base = total_shards;
    for (int i = 0; i < reader->num_shards(); ++i)
      data_files.emplace_back(BundleDataPath(src, i, reader->num_shards()), base + i);
    total_shards += reader->num_shards();
    for (const auto& [key, entry] : reader->entries()) {
      tf::BundleEntryProto e = entry;
      if (e.slices_size() == 0) e.set_shard_id(base + e.shard_id());
      auto it = merged.find(key);
      if (it == merged.end()) {
        merged.emplace(key, std::move(e));
      } else if (it->second.slices_size() > 0 && e.slices_size() > 0 &&
                 it->second.dtype() == e.dtype() &&
                 it->second.shape().SerializeAsString() == e.shape().SerializeAsString()) {
        for (const auto& s : e.slices()) *it->second.add_slices() = s;
      } else {
        return errors::InvalidArgument("MergeBundles: duplicate tensor key '", key, "' in ", src);
      }
    }
    readers.push_back(std::move(reader));
  }
  readers.clear();  // unmap before renaming
  // As TensorFlow's MergeBundles: the destination directory may not exist yet.
  TFPORT_RETURN_IF_ERROR(CreateDirectories(Dirname(dest_prefix)));
  for (const auto& [path, id] : data_files)
    TFPORT_RETURN_IF_ERROR(RenameFile(path, BundleDataPath(dest_prefix, id, total_shards)));
  tf::BundleHeaderProto header = MakeHeader(total_shards);
  TFPORT_RETURN_IF_ERROR(WriteIndex(BundleIndexPath(dest_prefix), header, merged, false));
  const std::string dest_dir = Dirname(dest_prefix);
  for (const std::string& src : src_prefixes) {
    DeleteFile(BundleIndexPath(src)).IgnoreError();
    if (delete_old_dirs) {
      std::string dir = Dirname(src);
      if (!dir.empty() && dir != dest_dir) ::rmdir(dir.c_str());  // only if empty
    }
  }
  return OkStatus();
}

// ---------------------------------------------------------------- reader

BundleReader::~BundleReader() = default;

Result<std::unique_ptr<BundleReader>> BundleReader::Open(std::string prefix,
                                                         BundleReadOptions options) {
  const std::string index_path = BundleIndexPath(prefix);
  TFPORT_ASSIGN_OR_RETURN(auto file, MappedFile::Open(index_path));
  TFPORT_ASSIGN_OR_RETURN(auto table, TableReader::Open(file));
  std::unique_ptr<BundleReader> r(new BundleReader());
  r->prefix_ = std::move(prefix);
  r->options_ = options;
  auto it = table->NewIterator();
  it->SeekToFirst();
  if (!it->Valid() || !it->key().empty()) {
    TFPORT_RETURN_IF_ERROR(it->status());
    return errors::DataLoss(index_path, ": first entry is not the bundle header (empty key)");
  }
  if (!r->header_.ParseFromArray(it->value().data(), static_cast<int>(it->value().size())))
    return errors::DataLoss(index_path, ": cannot parse the BundleHeaderProto");
  TFPORT_RETURN_IF_ERROR(CheckHeader(r->header_, index_path));
  for (it->Next(); it->Valid(); it->Next()) {
    std::string key(it->key());
    tf::BundleEntryProto entry;
    if (!entry.ParseFromArray(it->value().data(), static_cast<int>(it->value().size())))
      return errors::DataLoss(index_path, ": entry '", key, "': cannot parse BundleEntryProto");
    DataType dtype = entry.dtype();
    if (!IsValidDataType(dtype))
      return errors::DataLoss(index_path, ": entry '", key, "': invalid dtype ",
                              DataTypeName(dtype));
    Result<Shape> shape = Shape::FromProto(entry.shape());
    if (!shape.ok())
      return errors::DataLoss(index_path, ": entry '", key, "': ", shape.status().message());
    if (entry.shard_id() < 0 || entry.shard_id() >= r->header_.num_shards() ||
        entry.offset() < 0 || entry.size() < 0)
      return errors::DataLoss(index_path, ": entry '", key, "': shard ", entry.shard_id(),
                              " offset ", entry.offset(), " size ", entry.size(),
                              " are not valid for a bundle of ", r->header_.num_shards(),
                              " shards");
    for (const auto& sp : entry.slices()) {
      Result<TensorSlice> slice = TensorSlice::FromProto(sp);
      Status st = slice.ok() ? slice->SliceShape(*shape).status() : slice.status();
      if (!st.ok()) return errors::DataLoss(index_path, ": entry '", key, "': ", st.message());
    }
    r->entries_.emplace(std::move(key), std::move(entry));
  }
  TFPORT_RETURN_IF_ERROR(it->status());
  return r;
}

std::vector<std::string> BundleReader::keys() const {
  std::vector<std::string> out;
  for (const auto& [key, entry] : entries_)
    if (!key.empty() && key[0] != '\0') out.push_back(key);
  return out;
}

bool BundleReader::Contains(std::string_view key) const { return entries_.count(key) > 0; }

Result<tf::BundleEntryProto> BundleReader::entry(std::string_view key) const {
  auto it = entries_.find(key);
  if (it == entries_.end())
    return errors::NotFound(prefix_, ": Key ", key, " not found in checkpoint");
  return it->second;
}

Result<std::shared_ptr<MappedFile>> BundleReader::Shard(int id) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (shards_.empty()) shards_.resize(static_cast<size_t>(header_.num_shards()));
  auto& slot = shards_[static_cast<size_t>(id)];
  if (!slot) {
    Result<std::shared_ptr<MappedFile>> f =
        MappedFile::Open(BundleDataPath(prefix_, id, header_.num_shards()));
    if (!f.ok()) return f.status().WithContext(prefix_, ": data shard ", id);
    slot = *f;
  }
  return slot;
}

Result<Tensor> BundleReader::Lookup(std::string_view key) const {
  auto it = entries_.find(key);
  if (it == entries_.end())
    return errors::NotFound(prefix_, ": Key ", key, " not found in checkpoint");
  const tf::BundleEntryProto& entry = it->second;
  if (entry.slices_size() == 0) return ReadEntry(key, entry);

  // Partitioned tensor: assemble it from its slices (formats.md §1.9).
  TFPORT_ASSIGN_OR_RETURN(Shape shape, Shape::FromProto(entry.shape()));
  if (IsMemcpyType(entry.dtype())) {
    // Allocate only what the slices' recorded data can fill.
    uint64_t slice_bytes = 0;
    for (const auto& sp : entry.slices()) {
      Result<TensorSlice> slice = TensorSlice::FromProto(sp);
      auto sit = slice.ok() ? entries_.find(EncodeTensorNameSlice(key, *slice)) : entries_.end();
      if (sit != entries_.end()) slice_bytes += static_cast<uint64_t>(sit->second.size());
    }
    const uint64_t n = static_cast<uint64_t>(shape.num_elements());
    if (n > slice_bytes / DataTypeSize(entry.dtype()))
      return errors::DataLoss(prefix_, ": tensor '", key, "' of shape ", shape.DebugString(),
                              " has more elements than its slices' ", slice_bytes,
                              " recorded bytes can hold");
  }
  if (entry.dtype() == DT_VARIANT || entry.dtype() == DT_RESOURCE)
    return errors::Unimplemented(prefix_, ": tensor '", key, "': reading dtype ",
                                 DataTypeName(entry.dtype()), " is not supported");
  TFPORT_ASSIGN_OR_RETURN(Tensor full, Tensor::Allocate(entry.dtype(), shape, true,
                                                        options_.max_tensor_bytes));
  int64_t covered = 0;
  for (const auto& sp : entry.slices()) {
    TFPORT_ASSIGN_OR_RETURN(TensorSlice slice, TensorSlice::FromProto(sp));
    std::string slice_key = EncodeTensorNameSlice(key, slice);
    auto sit = entries_.find(slice_key);
    if (sit == entries_.end())
      return errors::DataLoss(prefix_, ": tensor '", key, "': slice ", slice.DebugString(),
                              " has no data entry");
    TFPORT_ASSIGN_OR_RETURN(Tensor part, ReadEntry(key, sit->second));
    Status s = CopySliceIntoFull(slice, part, &full);
    if (!s.ok()) return errors::DataLoss(prefix_, ": tensor '", key, "': ", s.message());
    covered += part.num_elements();
  }
  if (covered != full.num_elements())
    return errors::DataLoss(prefix_, ": tensor '", key, "': its slices hold ", covered,
                            " elements, the tensor has ", full.num_elements());
  return full;
}

Result<Tensor> BundleReader::ReadEntry(std::string_view key,
                                       const tf::BundleEntryProto& entry) const {
  TFPORT_ASSIGN_OR_RETURN(auto shard, Shard(entry.shard_id()));
  const uint64_t offset = static_cast<uint64_t>(entry.offset());
  const uint64_t size = static_cast<uint64_t>(entry.size());
  auto where = [&] { return StrCat(shard->path(), " @", offset, "+", size, ": tensor '", key, "'"); };
  if (offset > shard->size() || size > shard->size() - offset)
    return errors::DataLoss(where(), ": extent ends past the end of the shard (", shard->size(),
                            " bytes)");
  const uint8_t* data = shard->data() + offset;
  const DataType dtype = entry.dtype();
  TFPORT_ASSIGN_OR_RETURN(Shape shape, Shape::FromProto(entry.shape()));
  const uint64_t n = static_cast<uint64_t>(shape.num_elements());
  const uint32_t stored_crc = crc32c::Unmask(entry.crc32c());
  auto checksum_error = [&](uint32_t actual) {
    return errors::DataLoss(where(), ": Checksum does not match: stored ", stored_crc,
                            " vs. calculated on the restored bytes ", actual);
  };

  if (IsMemcpyType(dtype)) {
    const size_t esize = DataTypeSize(dtype);
    if (n > size / esize || n * esize != size)
      return errors::DataLoss(where(), ": holds ", size, " bytes but ", DataTypeName(dtype),
                              " shape ", shape.DebugString(), " needs ", n * esize);
    if (size > options_.max_tensor_bytes)
      return errors::ResourceExhausted(where(), ": ", size, " bytes exceed max_tensor_bytes");
    if (options_.verify_checksums) {
      uint32_t actual = ChecksumMapped(*shard, offset, size);
      if (actual != stored_crc) return checksum_error(actual);
    }
    if (reinterpret_cast<uintptr_t>(data) % esize == 0) {
      auto buffer = std::make_shared<MappedSliceBuffer>(shard, data, size);
      return Tensor::FromBuffer(dtype, std::move(shape), std::move(buffer));
    }
    TFPORT_ASSIGN_OR_RETURN(Tensor t, Tensor::Allocate(dtype, std::move(shape), false,
                                                       options_.max_tensor_bytes));
    if (size) std::memcpy(t.data(), data, size);
    return t;
  }

  if (dtype == DT_STRING) {
    // formats.md §1.7.2. Each element takes at least one length byte, so the
    // element count is bounded by the bytes present before we allocate.
    if (size < 4 || n > size - 4)
      return errors::DataLoss(where(), ": ", size, " bytes cannot hold ", n, " strings");
    const uint8_t* p = data;
    const uint8_t* end = data + size;
    std::vector<uint64_t> lengths(n);
    uint32_t length_crc = 0;
    uint64_t total = 0;
    for (uint64_t i = 0; i < n; ++i) {
      if (!GetVarint64(&p, end, &lengths[i]))
        return errors::DataLoss(where(), ": bad length of string ", i);
      total += lengths[i];
      if (total > size) return errors::DataLoss(where(), ": string lengths exceed the entry size");
      length_crc = ExtendWithLength(length_crc, lengths[i]);
    }
    if (end - p < 4) return errors::DataLoss(where(), ": missing string length checksum");
    uint32_t stored_lengths;
    std::memcpy(&stored_lengths, p, 4);
    if (options_.verify_checksums && crc32c::Unmask(stored_lengths) != length_crc)
      return errors::DataLoss(where(), ": string length checksum does not match: stored ",
                              crc32c::Unmask(stored_lengths), " vs. calculated ", length_crc);
    uint32_t crc = crc32c::Extend(length_crc, p, 4);
    p += 4;
    if (static_cast<uint64_t>(end - p) != total)
      return errors::DataLoss(where(), ": string bytes (", total, ") do not fill the entry (",
                              end - p, " bytes left)");
    TFPORT_ASSIGN_OR_RETURN(Tensor t, Tensor::Allocate(DT_STRING, std::move(shape), true,
                                                       options_.max_tensor_bytes));
    auto out = t.flat<std::string>();
    for (uint64_t i = 0; i < n; ++i) {
      out[i].assign(reinterpret_cast<const char*>(p), lengths[i]);
      crc = crc32c::Extend(crc, p, lengths[i]);
      p += lengths[i];
    }
    if (options_.verify_checksums && crc != stored_crc) return checksum_error(crc);
    return t;
  }
  return errors::Unimplemented(where(), ": reading dtype ", DataTypeName(dtype),
                               " is not supported");
}

}  // namespace tfport::io
