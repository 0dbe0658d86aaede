#include "tfport/io/proto_io.h"

#include <google/protobuf/any.pb.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/message.h>
#include <google/protobuf/text_format.h>

#include "tfport/io/file.h"

namespace tfport::io {
namespace {

class TextErrors : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, int column, const std::string& message) override {
    if (first.empty()) first = StrCat("line ", line + 1, ", column ", column + 1, ": ", message);
  }
  std::string first;
};

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

constexpr std::string_view kOurPackage = "tfport.tf.";
constexpr std::string_view kTfPackage = "tensorflow.";
constexpr std::string_view kUrlPrefix = "type.googleapis.com/";

}  // namespace

Status ParseBinaryProto(std::string_view bytes, google::protobuf::Message* msg,
                        std::string_view origin) {
  if (bytes.size() > kMaxProtoBytes)
    return errors::ResourceExhausted(origin, ": ", bytes.size(),
                                     " bytes exceed protobuf's 2 GiB message limit");
  google::protobuf::io::CodedInputStream in(reinterpret_cast<const uint8_t*>(bytes.data()),
                                            static_cast<int>(bytes.size()));
  in.SetTotalBytesLimit(static_cast<int>(kMaxProtoBytes));
  in.SetRecursionLimit(1000);
  if (!msg->ParseFromCodedStream(&in) || !in.ConsumedEntireMessage())
    return errors::DataLoss(origin, ": cannot parse as a binary ", msg->GetTypeName());
  return OkStatus();
}

Status ParseTextProto(std::string_view text, google::protobuf::Message* msg,
                      std::string_view origin) {
  if (text.size() > kMaxProtoBytes)
    return errors::ResourceExhausted(origin, ": ", text.size(), " bytes exceed the 2 GiB limit");
  google::protobuf::TextFormat::Parser parser;
  TextErrors errs;
  parser.RecordErrorsTo(&errs);
  google::protobuf::io::ArrayInputStream in(text.data(), static_cast<int>(text.size()));
  if (!parser.Parse(&in, msg))
    return errors::DataLoss(origin, ": cannot parse as a text ", msg->GetTypeName(), ": ",
                            errs.first);
  return OkStatus();
}

Status ReadBinaryProto(const std::string& path, google::protobuf::Message* msg) {
  TFPORT_ASSIGN_OR_RETURN(auto file, MappedFile::Open(path));
  return ParseBinaryProto(file->view(), msg, path);
}

Status ReadTextProto(const std::string& path, google::protobuf::Message* msg) {
  TFPORT_ASSIGN_OR_RETURN(auto file, MappedFile::Open(path));
  return ParseTextProto(file->view(), msg, path);
}

Status ReadProto(const std::string& path, google::protobuf::Message* msg) {
  TFPORT_ASSIGN_OR_RETURN(auto file, MappedFile::Open(path));
  if (EndsWith(path, ".pbtxt") || EndsWith(path, ".txt") || EndsWith(path, ".prototxt"))
    return ParseTextProto(file->view(), msg, path);
  Status binary = ParseBinaryProto(file->view(), msg, path);
  if (binary.ok()) return binary;
  msg->Clear();
  if (ParseTextProto(file->view(), msg, path).ok()) return OkStatus();
  msg->Clear();
  return binary;
}

Result<std::string> SerializeDeterministic(const google::protobuf::Message& msg) {
  size_t size = msg.ByteSizeLong();
  if (size > kMaxProtoBytes)
    return errors::ResourceExhausted(msg.GetTypeName(), " of ", size,
                                     " bytes exceeds protobuf's 2 GiB limit");
  std::string out;
  out.resize(size);
  google::protobuf::io::ArrayOutputStream array(out.data(), static_cast<int>(size));
  google::protobuf::io::CodedOutputStream coded(&array);
  coded.SetSerializationDeterministic(true);
  msg.SerializeWithCachedSizes(&coded);
  if (coded.HadError()) return errors::Internal("serializing ", msg.GetTypeName(), " failed");
  return out;
}

namespace {
// Lets protobuf's CodedOutputStream write straight into a FileWriter.
class FileWriterStream final : public google::protobuf::io::CopyingOutputStream {
 public:
  explicit FileWriterStream(FileWriter& w) : w_(w) {}
  bool Write(const void* buffer, int size) override {
    if (!status_.ok()) return false;
    status_ = w_.Append(buffer, static_cast<size_t>(size));
    return status_.ok();
  }
  const Status& status() const { return status_; }

 private:
  FileWriter& w_;
  Status status_;
};
}  // namespace

Status WriteBinaryProto(const std::string& path, const google::protobuf::Message& msg,
                        bool sync) {
  // Serialized straight into the (temporary) file: no second in-memory copy
  // of large messages such as frozen graphs.
  const size_t size = msg.ByteSizeLong();
  if (size > kMaxProtoBytes)
    return errors::ResourceExhausted(path, ": ", msg.GetTypeName(), " of ", size,
                                     " bytes exceeds protobuf's 2 GiB limit");
  TFPORT_ASSIGN_OR_RETURN(auto file, AtomicFile::Create(path, sync));
  FileWriterStream sink(file->writer());
  {
    google::protobuf::io::CopyingOutputStreamAdaptor adaptor(&sink, 1 << 20);
    google::protobuf::io::CodedOutputStream coded(&adaptor);
    coded.SetSerializationDeterministic(true);
    msg.SerializeWithCachedSizes(&coded);
    coded.Trim();
    if (coded.HadError() || !adaptor.Flush()) {
      if (!sink.status().ok()) return sink.status();
      return errors::Internal(path, ": serializing ", msg.GetTypeName(), " failed");
    }
  }
  return file->Commit();
}

std::string ToTextProto(const google::protobuf::Message& msg) {
  std::string out;
  google::protobuf::TextFormat::Printer printer;
  printer.PrintToString(msg, &out);
  return out;
}

Status WriteTextProto(const std::string& path, const google::protobuf::Message& msg, bool sync) {
  return WriteFileAtomic(path, ToTextProto(msg), sync);
}

std::string TensorFlowTypeName(const google::protobuf::Message& msg) {
  std::string name = msg.GetDescriptor()->full_name();
  if (name.starts_with(kOurPackage)) return StrCat(kTfPackage, name.substr(kOurPackage.size()));
  return name;
}

void PackAny(const google::protobuf::Message& msg, google::protobuf::Any* any) {
  any->set_type_url(StrCat(kUrlPrefix, TensorFlowTypeName(msg)));
  any->set_value(SerializeDeterministic(msg).value());
}

bool UnpackAny(const google::protobuf::Any& any, google::protobuf::Message* msg) {
  std::string_view url = any.type_url();
  size_t slash = url.rfind('/');
  std::string_view type = slash == std::string_view::npos ? url : url.substr(slash + 1);
  if (type != TensorFlowTypeName(*msg) && type != msg->GetDescriptor()->full_name()) return false;
  return msg->ParseFromString(any.value());
}

}  // namespace tfport::io
