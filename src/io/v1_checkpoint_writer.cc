#include "tfport/io/v1_checkpoint_writer.h"

#include "tfport/core/tensor_proto.h"
#include "tfport/io/file.h"
#include "tfport/io/sstable.h"

namespace tfport::io {
namespace {

// The checkpoint format version V1 writers record (TF_CHECKPOINT_VERSION).
constexpr int kV1Producer = 1;

bool StorableInV1(DataType t) {
  switch (t) {
    case DT_FLOAT: case DT_DOUBLE: case DT_INT32: case DT_INT64: case DT_UINT8:
    case DT_INT8: case DT_INT16: case DT_BOOL: case DT_STRING: case DT_COMPLEX64:
    case DT_COMPLEX128: case DT_HALF: case DT_QINT8: case DT_QUINT8: case DT_QINT32:
      return true;
    default:
      return false;
  }
}

}  // namespace

Status V1CheckpointWriter::Add(std::string_view name, const Shape& full_shape,
                               const TensorSlice& slice, const Tensor& data) {
  const std::string key_name(name);
  if (key_name.empty()) return errors::InvalidArgument(path_, ": empty tensor name");
  if (!StorableInV1(data.dtype()))
    return errors::InvalidArgument(path_, ": tensor '", key_name, "': dtype ",
                                   DataTypeName(data.dtype()),
                                   " cannot be saved in a V1 checkpoint");
  Result<Shape> slice_shape = slice.SliceShape(full_shape);
  if (!slice_shape.ok())
    return slice_shape.status().WithContext(path_, ": tensor '", key_name, "'");
  if (!(*slice_shape == data.shape()))
    return errors::InvalidArgument(path_, ": tensor '", key_name, "': slice ",
                                   slice.DebugString(), " has shape ",
                                   slice_shape->DebugString(), " but the data has shape ",
                                   data.shape().DebugString());
  auto [it, inserted] = meta_index_.emplace(key_name, meta_.tensor_size());
  tf::SavedSliceMeta* m;
  if (inserted) {
    m = meta_.add_tensor();
    m->set_name(key_name);
    full_shape.ToProto(m->mutable_shape());
    m->set_type(data.dtype());
  } else {
    m = meta_.mutable_tensor(static_cast<int>(it->second));
    Result<Shape> prev = Shape::FromProto(m->shape());
    if (m->type() != data.dtype() || !prev.ok() || !(*prev == full_shape))
      return errors::InvalidArgument(path_, ": tensor '", key_name,
                                     "' was added before with a different dtype or shape");
  }
  std::string key = EncodeTensorNameSlice(key_name, slice);
  if (records_.count(key))
    return errors::InvalidArgument(path_, ": slice ", slice.DebugString(), " of tensor '",
                                   key_name, "' was added twice");
  slice.ToProto(m->add_slice());

  tf::SavedTensorSlices record;
  tf::SavedSlice* s = record.mutable_data();
  s->set_name(key_name);
  slice.ToProto(s->mutable_slice());
  TensorToProto(data, s->mutable_data(), ProtoEncoding::kTypedField);
  s->mutable_data()->clear_dtype();
  s->mutable_data()->clear_tensor_shape();
  std::string bytes;
  if (!record.SerializeToString(&bytes))
    return errors::InvalidArgument(path_, ": tensor '", key_name,
                                   "' is too large for a V1 checkpoint record (2 GiB limit)");
  records_.emplace(std::move(key), std::move(bytes));
  return OkStatus();
}

Status V1CheckpointWriter::Finish() {
  tf::SavedTensorSlices header;
  *header.mutable_meta() = meta_;
  header.mutable_meta()->mutable_versions()->set_producer(kV1Producer);
  std::string header_bytes;
  if (!header.SerializeToString(&header_bytes))
    return errors::InvalidArgument(path_, ": checkpoint metadata is too large");
  std::string dir = Dirname(path_);
  if (!dir.empty()) TFPORT_RETURN_IF_ERROR(CreateDirectories(dir));
  TFPORT_ASSIGN_OR_RETURN(auto file, AtomicFile::Create(path_, /*sync=*/false));
  auto table = TableBuilder::Create(&file->writer());
  TFPORT_RETURN_IF_ERROR(table->Add("", header_bytes));
  for (const auto& [key, value] : records_) TFPORT_RETURN_IF_ERROR(table->Add(key, value));
  TFPORT_RETURN_IF_ERROR(table->Finish());
  return file->Commit();
}

}  // namespace tfport::io
