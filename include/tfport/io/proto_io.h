// tfport: reading and writing protobuf files (GraphDef .pb/.pbtxt, .meta,
// saved_model.pb, fingerprint.pb) with explicit size limits.
//
// Binary parsing accepts messages up to protobuf's 2 GiB hard limit (the
// default total-bytes limit is raised explicitly). Writing is deterministic
// (map entries sorted by key, as TensorFlow 2 writes) and atomic.
#pragma once

#include <string>
#include <string_view>

#include "tfport/core/status.h"

namespace google::protobuf {
class Message;
class Any;
}  // namespace google::protobuf

namespace tfport::io {

// Largest message protobuf can represent (2 GiB - 1).
inline constexpr uint64_t kMaxProtoBytes = 0x7fffffff;

// Parses binary bytes. Errors: DATA_LOSS naming `origin` when the bytes do not
// parse; RESOURCE_EXHAUSTED above 2 GiB.
Status ParseBinaryProto(std::string_view bytes, google::protobuf::Message* msg,
                        std::string_view origin);
// Parses protobuf text format. Errors: DATA_LOSS with the parser's line and
// column.
Status ParseTextProto(std::string_view text, google::protobuf::Message* msg,
                      std::string_view origin);

Status ReadBinaryProto(const std::string& path, google::protobuf::Message* msg);
Status ReadTextProto(const std::string& path, google::protobuf::Message* msg);
// Binary unless the name ends in ".pbtxt"/".txt"/".prototxt" or the binary
// parse fails and the text parse succeeds.
Status ReadProto(const std::string& path, google::protobuf::Message* msg);

// Deterministic binary serialization (sorted maps). Errors: RESOURCE_EXHAUSTED
// if the message is 2 GiB or more.
Result<std::string> SerializeDeterministic(const google::protobuf::Message& msg);
Status WriteBinaryProto(const std::string& path, const google::protobuf::Message& msg,
                        bool sync = false);
std::string ToTextProto(const google::protobuf::Message& msg);
Status WriteTextProto(const std::string& path, const google::protobuf::Message& msg,
                      bool sync = false);

// Any with TensorFlow's type URL: "type.googleapis.com/tensorflow.<Name>"
// (our messages live in package tfport.tf, TensorFlow's in tensorflow).
void PackAny(const google::protobuf::Message& msg, google::protobuf::Any* any);
// Unpacks if the URL names msg's type under either package; false otherwise.
bool UnpackAny(const google::protobuf::Any& any, google::protobuf::Message* msg);
// "tensorflow.AssetFileDef" for tfport.tf.AssetFileDef.
std::string TensorFlowTypeName(const google::protobuf::Message& msg);

}  // namespace tfport::io
