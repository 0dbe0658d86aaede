#include "tfport/io/checkpoint_reader.h"

#include <algorithm>

#include "tfport/core/tensor_proto.h"
#include "tfport/io/sstable.h"
#include "tfport/tf/saved_tensor_slice.pb.h"

namespace tfport::io {
namespace {

// formats.md §3.2: TF_CHECKPOINT_VERSION = 1, min producer 0.
constexpr int kV1Version = 1;

// Number of values a V1 slice record carries in the field for `dtype`.
int64_t StoredValueCount(const tf::TensorProto& p, DataType dtype) {
  switch (dtype) {
    case DT_FLOAT: return p.float_val_size();
    case DT_DOUBLE: return p.double_val_size();
    case DT_INT32: case DT_UINT8: case DT_INT8: case DT_INT16: case DT_UINT16:
    case DT_QINT8: case DT_QUINT8: case DT_QINT16: case DT_QUINT16: case DT_QINT32:
      return p.int_val_size();
    case DT_INT64: return p.int64_val_size();
    case DT_BOOL: return p.bool_val_size();
    case DT_STRING: return p.string_val_size();
    case DT_COMPLEX64: return p.scomplex_val_size() / 2;
    case DT_COMPLEX128: return p.dcomplex_val_size() / 2;
    case DT_HALF: case DT_BFLOAT16: return p.half_val_size();
    case DT_UINT32: return p.uint32_val_size();
    case DT_UINT64: return p.uint64_val_size();
    default: return -1;
  }
}

}  // namespace

struct V1CheckpointReader::Impl {
  struct SliceRef {
    TensorSlice slice;
    size_t file;
  };
  std::vector<std::unique_ptr<TableReader>> tables;
  std::map<std::string, std::vector<SliceRef>, std::less<>> slices;
  std::map<std::string, size_t, std::less<>> index;  // name -> infos_ position
  uint64_t total_bytes = 0;
  uint64_t max_tensor_bytes = kDefaultMaxTensorBytes;
};

V1CheckpointReader::~V1CheckpointReader() = default;

Result<std::unique_ptr<V1CheckpointReader>> V1CheckpointReader::Open(
    const std::string& file_or_pattern, uint64_t max_tensor_bytes) {
  std::unique_ptr<V1CheckpointReader> r(new V1CheckpointReader());
  r->impl_ = std::make_unique<Impl>();
  r->impl_->max_tensor_bytes = max_tensor_bytes;
  r->files_ = Glob(file_or_pattern);
  if (r->files_.empty() && FileExists(file_or_pattern)) r->files_.push_back(file_or_pattern);
  if (r->files_.empty())
    return errors::NotFound("Unsuccessful TensorSliceReader constructor: Failed to find any "
                            "matching files for ", file_or_pattern);
  for (size_t fi = 0; fi < r->files_.size(); ++fi) {
    const std::string& path = r->files_[fi];
    TFPORT_ASSIGN_OR_RETURN(auto file, MappedFile::Open(path));
    r->impl_->total_bytes += file->size();
    TFPORT_ASSIGN_OR_RETURN(auto table, TableReader::Open(file));
    Result<std::string> meta_bytes = table->Get("");
    if (!meta_bytes.ok()) {
      if (meta_bytes.status().code() == Code::kNotFound)
        return errors::DataLoss(path, ": V1 checkpoint has no metadata record (empty key)");
      return meta_bytes.status();
    }
    tf::SavedTensorSlices sts;
    if (!sts.ParseFromString(*meta_bytes) || !sts.has_meta())
      return errors::DataLoss(path, ": cannot parse the SavedTensorSliceMeta record");
    const auto& v = sts.meta().versions();
    if (v.producer() < 0 || v.min_consumer() > kV1Version)
      return errors::DataLoss(path, ": checkpoint version (producer ", v.producer(),
                              ", min_consumer ", v.min_consumer(), ") is not supported");
    for (const auto& t : sts.meta().tensor()) {
      if (!IsValidDataType(t.type()) || t.type() == DT_RESOURCE || t.type() == DT_VARIANT)
        return errors::DataLoss(path, ": tensor '", t.name(), "' has unsupported dtype ",
                                DataTypeName(t.type()));
      Result<Shape> shape = Shape::FromProto(t.shape());
      if (!shape.ok())
        return errors::DataLoss(path, ": tensor '", t.name(), "': ", shape.status().message());
      auto [it, inserted] = r->impl_->index.emplace(t.name(), r->infos_.size());
      if (inserted) {
        r->infos_.push_back({t.name(), t.type(), *shape});
      } else {
        const CheckpointTensorInfo& prev = r->infos_[it->second];
        if (prev.dtype != t.type() || !(prev.shape == *shape))
          return errors::DataLoss(path, ": tensor '", t.name(),
                                  "' has a different dtype or shape than in ", r->files_[0]);
      }
      for (const auto& sp : t.slice()) {
        Result<TensorSlice> slice = TensorSlice::FromProto(sp);
        Status st = slice.ok() ? slice->SliceShape(*shape).status() : slice.status();
        if (!st.ok()) return errors::DataLoss(path, ": tensor '", t.name(), "': ", st.message());
        r->impl_->slices[t.name()].push_back({*slice, fi});
      }
    }
    r->impl_->tables.push_back(std::move(table));
  }
  std::sort(r->infos_.begin(), r->infos_.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  for (size_t i = 0; i < r->infos_.size(); ++i) r->impl_->index[r->infos_[i].name] = i;
  return r;
}

Result<Tensor> V1CheckpointReader::Lookup(std::string_view name) const {
  auto it = impl_->index.find(name);
  if (it == impl_->index.end())
    return errors::NotFound(files_[0], ": Key ", name, " not found in checkpoint");
  const CheckpointTensorInfo& info = infos_[it->second];
  // Every element costs at least one byte in the files, so a tensor with more
  // elements than the files have bytes cannot be complete.
  if (static_cast<uint64_t>(info.shape.num_elements()) > impl_->total_bytes)
    return errors::DataLoss(files_[0], ": tensor '", name, "' of shape ",
                            info.shape.DebugString(), " is larger than the checkpoint files");
  TFPORT_ASSIGN_OR_RETURN(Tensor full, Tensor::Allocate(info.dtype, info.shape, true,
                                                        impl_->max_tensor_bytes));
  int64_t covered = 0;
  auto sit = impl_->slices.find(name);
  if (sit != impl_->slices.end()) {
    for (const auto& ref : sit->second) {
      const std::string& path = files_[ref.file];
      std::string key = EncodeTensorNameSlice(name, ref.slice);
      Result<std::string> bytes = impl_->tables[ref.file]->Get(key);
      if (!bytes.ok()) {
        if (bytes.status().code() == Code::kNotFound)
          return errors::DataLoss(path, ": tensor '", name, "': slice ", ref.slice.DebugString(),
                                  " has no data record");
        return bytes.status().WithContext("tensor '", name, "'");
      }
      tf::SavedTensorSlices record;
      if (!record.ParseFromString(*bytes) || !record.has_data())
        return errors::DataLoss(path, ": tensor '", name, "': cannot parse its slice record");
      TFPORT_ASSIGN_OR_RETURN(Shape slice_shape, ref.slice.SliceShape(info.shape));
      tf::TensorProto proto = record.data().data();
      const int64_t stored = StoredValueCount(proto, info.dtype);
      if (proto.tensor_content().empty() && stored != slice_shape.num_elements())
        return errors::DataLoss(path, ": tensor '", name, "': slice ", ref.slice.DebugString(),
                                " holds ", stored, " values, expected ",
                                slice_shape.num_elements());
      proto.set_dtype(info.dtype);
      slice_shape.ToProto(proto.mutable_tensor_shape());
      Result<Tensor> part = TensorFromProto(proto);
      if (!part.ok())
        return errors::DataLoss(path, ": tensor '", name, "': ", part.status().message());
      TFPORT_RETURN_IF_ERROR(CopySliceIntoFull(ref.slice, *part, &full));
      covered += part->num_elements();
    }
  }
  if (covered != full.num_elements())
    return errors::DataLoss(files_[0], ": tensor '", name, "': its slices hold ", covered,
                            " elements, the tensor has ", full.num_elements());
  return full;
}

// ---------------------------------------------------------------- unified

CheckpointReader::~CheckpointReader() = default;

Result<std::unique_ptr<CheckpointReader>> CheckpointReader::Open(const std::string& path,
                                                                 BundleReadOptions options) {
  std::unique_ptr<CheckpointReader> r(new CheckpointReader());
  r->path_ = path;
  if (FileExists(BundleIndexPath(path))) {
    r->format_ = CheckpointFormat::kV2;
    TFPORT_ASSIGN_OR_RETURN(r->bundle_, BundleReader::Open(path, options));
    for (const std::string& key : r->bundle_->keys()) {
      const tf::BundleEntryProto& e = r->bundle_->entries().find(key)->second;
      Result<Shape> shape = Shape::FromProto(e.shape());
      r->infos_.push_back({key, e.dtype(), shape.ok() ? *shape : Shape()});
    }
    return r;
  }
  if (IsDirectory(path))
    return errors::InvalidArgument(path, " is a directory, not a checkpoint prefix; use "
                                   "latest_checkpoint('", path, "') to find the newest checkpoint "
                                   "in it");
  Result<std::unique_ptr<V1CheckpointReader>> v1 =
      V1CheckpointReader::Open(path, options.max_tensor_bytes);
  if (!v1.ok()) {
    if (v1.status().code() == Code::kNotFound)
      return errors::NotFound("Unsuccessful TensorSliceReader constructor: Failed to find any "
                              "matching files for ", path, " (neither ", BundleIndexPath(path),
                              " nor a V1 checkpoint file exists)");
    return v1.status();
  }
  r->format_ = CheckpointFormat::kV1;
  r->v1_ = std::move(*v1);
  r->infos_ = r->v1_->tensors();
  return r;
}

bool CheckpointReader::HasTensor(std::string_view name) const {
  return std::any_of(infos_.begin(), infos_.end(), [&](const auto& i) { return i.name == name; });
}

Result<Tensor> CheckpointReader::GetTensor(std::string_view name) const {
  return bundle_ ? bundle_->Lookup(name) : v1_->Lookup(name);
}

std::map<std::string, Shape> CheckpointReader::GetVariableToShapeMap() const {
  std::map<std::string, Shape> out;
  for (const auto& i : infos_) out[i.name] = i.shape;
  return out;
}

std::map<std::string, DataType> CheckpointReader::GetVariableToDtypeMap() const {
  std::map<std::string, DataType> out;
  for (const auto& i : infos_) out[i.name] = i.dtype;
  return out;
}

}  // namespace tfport::io
