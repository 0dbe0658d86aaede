// tfport: conversions between Tensor and TensorProto (formats.md §5.5).
//
// Reading accepts every representation TensorFlow accepts: tensor_content
// (raw little-endian bytes, or the varint-length list for DT_STRING), the typed
// *_val field of the dtype (half_val for half and bfloat16), and the broadcast
// rule (fewer values than elements: the last value repeats; none: zeros).
// Writing offers TensorFlow's two C++ forms and Python's make_tensor_proto
// choice.
#pragma once

#include "tfport/core/tensor.h"

namespace tfport {
namespace tf { class TensorProto; }

struct TensorFromProtoOptions {
  // Ceiling on the decoded tensor's size: a tiny proto may legitimately
  // broadcast one value over a huge shape. Default: 16 GiB.
  uint64_t max_bytes = kDefaultMaxTensorBytes;
};

// Integer values wider than the dtype are truncated, as TensorFlow's
// static_cast does. Errors: INVALID_ARGUMENT for an invalid dtype or shape, a
// tensor_content of the wrong length, a malformed string list, or a bool byte
// other than 0/1;
// RESOURCE_EXHAUSTED above options.max_bytes.
Result<Tensor> TensorFromProto(const tf::TensorProto& proto,
                               const TensorFromProtoOptions& options = {});

enum class ProtoEncoding {
  kTypedField,     // Tensor::AsProtoField: every value in the typed field
  kTensorContent,  // Tensor::AsProtoTensorContent: raw bytes (strings: typed)
  kPython,         // tensor_util.make_tensor_proto: tensor_content when the
                   // dtype is in Python's set and there is more than 1 element
};

// REQUIRES: tensor has a TensorProto form (not DT_VARIANT / DT_RESOURCE /
// DT_INVALID); for those only dtype and shape are written. Callers that may
// see such tensors use TensorToProtoChecked.
void TensorToProto(const Tensor& tensor, tf::TensorProto* proto,
                   ProtoEncoding encoding = ProtoEncoding::kPython);

// TensorToProto that refuses tensors without a TensorProto form: UNIMPLEMENTED
// naming DT_VARIANT or DT_RESOURCE (their run-time objects — TensorLists,
// resource handles — are not serialised by tfport), INVALID_ARGUMENT for an
// uninitialized tensor. `proto` is left cleared on error.
Status TensorToProtoChecked(const Tensor& tensor, tf::TensorProto* proto,
                            ProtoEncoding encoding = ProtoEncoding::kPython);

}  // namespace tfport
