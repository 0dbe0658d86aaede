// Unit tests for tfport/io/proto_io.h.
//
// Expected values come from:
//  * the protobuf wire format (tag = field_number << 3 | wire_type; varint
//    and length-delimited encodings), hand-encoded next to each check, with
//    field numbers from formats.md Appendix A (NodeDef name 1, op 2, attr 5;
//    AttrValue i 3; map entries key 1, value 2);
//  * formats.md §4.5 / style.md §2.10: Any type URLs use TensorFlow's package
//    "tensorflow", i.e. "type.googleapis.com/tensorflow.AssetFileDef".

#include "tfport/io/proto_io.h"

#include <google/protobuf/any.pb.h>
#include <google/protobuf/util/message_differencer.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/files.h"
#include "support/status_matchers.h"
#include "support/temp_dir.h"
#include "tfport/tf/graph.pb.h"
#include "tfport/tf/meta_graph.pb.h"
#include "tfport/tf/node_def.pb.h"

namespace tfport::io {
namespace {

using ::testing::HasSubstr;
using tfport::testing::TempDir;
using google::protobuf::util::MessageDifferencer;

using tfport::testing::StatusIs;
using tfport::testing::ReadAll;
using tfport::testing::WriteAll;
using tfport::testing::Bytes;


tf::GraphDef SampleGraph() {
  tf::GraphDef g;
  auto* x = g.add_node();
  x->set_name("x");
  x->set_op("Placeholder");
  (*x->mutable_attr())["dtype"].set_type(tf::DT_FLOAT);
  auto* y = g.add_node();
  y->set_name("y");
  y->set_op("Identity");
  y->add_input("x");
  y->set_device("/cpu:0");
  (*y->mutable_attr())["T"].set_type(tf::DT_FLOAT);
  (*y->mutable_attr())["note"].set_s(std::string("bytes\0\xff", 7));
  (*y->mutable_attr())["k"].set_i(-5);
  (*y->mutable_attr())["f"].set_f(0.25f);
  g.mutable_versions()->set_producer(1234);
  return g;
}

TEST(ProtoIoTest, BinaryRoundTrip) {
  TempDir dir;
  const std::string path = dir.Join("graph.pb");
  const tf::GraphDef g = SampleGraph();
  ASSERT_TRUE(WriteBinaryProto(path, g).ok());
  // Only the final file exists (atomic write).
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()),
                          std::filesystem::directory_iterator()),
            1);
  tf::GraphDef back;
  ASSERT_TRUE(ReadBinaryProto(path, &back).ok());
  EXPECT_TRUE(MessageDifferencer::Equals(g, back));
  tf::GraphDef auto_detected;
  ASSERT_TRUE(ReadProto(path, &auto_detected).ok());
  EXPECT_TRUE(MessageDifferencer::Equals(g, auto_detected));
  // The file holds a valid binary encoding that protobuf itself parses.
  tf::GraphDef direct;
  ASSERT_TRUE(direct.ParseFromString(ReadAll(path)));
  EXPECT_TRUE(MessageDifferencer::Equals(g, direct));
}

TEST(ProtoIoTest, TextRoundTripAndAutoDetect) {
  TempDir dir;
  const tf::GraphDef g = SampleGraph();
  const std::string pbtxt = dir.Join("graph.pbtxt");
  ASSERT_TRUE(WriteTextProto(pbtxt, g).ok());
  EXPECT_THAT(ReadAll(pbtxt), HasSubstr("name: \"x\""));
  tf::GraphDef back;
  ASSERT_TRUE(ReadProto(pbtxt, &back).ok());  // by extension
  EXPECT_TRUE(MessageDifferencer::Equals(g, back));
  tf::GraphDef back2;
  ASSERT_TRUE(ReadTextProto(pbtxt, &back2).ok());
  EXPECT_TRUE(MessageDifferencer::Equals(g, back2));

  // Text content under a binary-looking name: binary parse fails, text wins.
  const std::string odd = dir.Join("graph.pb");
  WriteAll(odd, ToTextProto(g));
  tf::GraphDef back3;
  ASSERT_TRUE(ReadProto(odd, &back3).ok());
  EXPECT_TRUE(MessageDifferencer::Equals(g, back3));
}

TEST(ProtoIoTest, HandWrittenTextParses) {
  TempDir dir;
  const std::string path = dir.Join("g.pbtxt");
  WriteAll(path,
           "node {\n  name: \"c\"\n  op: \"Const\"\n  attr { key: \"value\" value { i: 3 } }\n}\n"
           "versions { producer: 27 }\n");
  tf::GraphDef g;
  ASSERT_TRUE(ReadProto(path, &g).ok());
  ASSERT_EQ(g.node_size(), 1);
  EXPECT_EQ(g.node(0).name(), "c");
  EXPECT_EQ(g.node(0).attr().at("value").i(), 3);
  EXPECT_EQ(g.versions().producer(), 27);
}

TEST(ProtoIoTest, GarbageIsDataLossNamingTheFile) {
  TempDir dir;
  // 0a 05 'a' 'b': field 1 length-delimited, 5 bytes announced, 2 present.
  // ff ff ff ff ff ff ff ff ff ff: a varint tag longer than 64 bits.
  for (const std::string& garbage :
       {Bytes({0x0a, 0x05, 0x61, 0x62}), Bytes({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                                0xff, 0xff, 0x01})}) {
    const std::string path = dir.Join("bad.pb");
    WriteAll(path, garbage);
    tf::GraphDef g;
    EXPECT_THAT(ReadProto(path, &g), StatusIs(Code::kDataLoss, path));
    EXPECT_THAT(ReadBinaryProto(path, &g), StatusIs(Code::kDataLoss, path));
  }
  const std::string txt = dir.Join("bad.pbtxt");
  WriteAll(txt, "node {\n  name: \"x\"\n  bogus_field: 1\n}\n");
  tf::GraphDef g;
  auto st = ReadProto(txt, &g);
  EXPECT_THAT(st, StatusIs(Code::kDataLoss, txt));
  EXPECT_THAT(st, StatusIs(Code::kDataLoss, "line 3"));  // the parser's location
}

TEST(ProtoIoTest, MissingFile) {
  TempDir dir;
  tf::GraphDef g;
  EXPECT_THAT(ReadProto(dir.Join("none.pb"), &g), StatusIs(Code::kNotFound, "none.pb"));
}

TEST(ProtoIoTest, ParseBinaryProtoNamesOrigin) {
  tf::GraphDef g;
  EXPECT_THAT(ParseBinaryProto(Bytes({0x0a, 0x05}), &g, "my-origin"),
              StatusIs(Code::kDataLoss, "my-origin"));
  EXPECT_TRUE(ParseBinaryProto("", &g, "empty").ok());  // empty = default message
}

TEST(ProtoIoTest, PackAnyUsesTensorFlowTypeUrl) {
  tf::AssetFileDef asset;
  asset.set_filename("vocab.txt");
  asset.mutable_tensor_info()->set_name("Const:0");
  google::protobuf::Any any;
  PackAny(asset, &any);
  EXPECT_EQ(any.type_url(), "type.googleapis.com/tensorflow.AssetFileDef");
  EXPECT_EQ(TensorFlowTypeName(asset), "tensorflow.AssetFileDef");

  tf::AssetFileDef back;
  ASSERT_TRUE(UnpackAny(any, &back));
  EXPECT_TRUE(MessageDifferencer::Equals(asset, back));

  // A URL written by TensorFlow itself (same string) is accepted as well as
  // our own package name; another type is refused.
  google::protobuf::Any tf_any;
  tf_any.set_type_url("type.googleapis.com/tensorflow.AssetFileDef");
  tf_any.set_value(asset.SerializeAsString());
  tf::AssetFileDef back2;
  EXPECT_TRUE(UnpackAny(tf_any, &back2));
  EXPECT_EQ(back2.filename(), "vocab.txt");
  tf::GraphDef wrong;
  EXPECT_FALSE(UnpackAny(tf_any, &wrong));
}

TEST(ProtoIoTest, SerializeDeterministicSortsMapKeys) {
  // NodeDef{name "n", op "C", attr {a: i 1, b: i 2, c: i 3}} hand-encoded:
  //   0a 01 6e            name (field 1) "n"
  //   12 01 43            op (field 2) "C"
  //   2a 07 0a 01 61 12 02 18 01   attr entry: key "a", value AttrValue{i (field 3) 1}
  //   2a 07 0a 01 62 12 02 18 02
  //   2a 07 0a 01 63 12 02 18 03
  const std::string want =
      Bytes({0x0a, 0x01, 0x6e, 0x12, 0x01, 0x43,
             0x2a, 0x07, 0x0a, 0x01, 0x61, 0x12, 0x02, 0x18, 0x01,
             0x2a, 0x07, 0x0a, 0x01, 0x62, 0x12, 0x02, 0x18, 0x02,
             0x2a, 0x07, 0x0a, 0x01, 0x63, 0x12, 0x02, 0x18, 0x03});
  tf::NodeDef sorted, reversed;
  for (auto* n : {&sorted, &reversed}) {
    n->set_name("n");
    n->set_op("C");
  }
  (*sorted.mutable_attr())["a"].set_i(1);
  (*sorted.mutable_attr())["b"].set_i(2);
  (*sorted.mutable_attr())["c"].set_i(3);
  (*reversed.mutable_attr())["c"].set_i(3);
  (*reversed.mutable_attr())["b"].set_i(2);
  (*reversed.mutable_attr())["a"].set_i(1);
  auto s1 = SerializeDeterministic(sorted);
  auto s2 = SerializeDeterministic(reversed);
  ASSERT_TRUE(s1.ok() && s2.ok());
  EXPECT_EQ(*s1, want);
  EXPECT_EQ(*s2, want);
}

TEST(ProtoIoTest, SerializeDeterministicManyKeys) {
  // With many keys the hash map order differs from sorted order; the output
  // must still list "k000".."k199" in increasing byte order.
  tf::NodeDef n;
  for (int i = 199; i >= 0; --i) {
    char key[8];
    std::snprintf(key, sizeof key, "k%03d", i);
    (*n.mutable_attr())[key].set_i(i);
  }
  auto bytes = SerializeDeterministic(n);
  ASSERT_TRUE(bytes.ok());
  size_t last = 0;
  for (int i = 0; i < 200; ++i) {
    char key[8];
    std::snprintf(key, sizeof key, "k%03d", i);
    size_t pos = bytes->find(key);
    ASSERT_NE(pos, std::string::npos) << key;
    if (i > 0) {
      ASSERT_GT(pos, last) << key;
    }
    last = pos;
  }
  // And writing to disk uses the same bytes.
  TempDir dir;
  ASSERT_TRUE(WriteBinaryProto(dir.Join("n.pb"), n).ok());
  EXPECT_EQ(ReadAll(dir.Join("n.pb")), *bytes);
}

}  // namespace
}  // namespace tfport::io

namespace tfport::io {
namespace {

// Protobuf's old default total-bytes limit was 64 MiB; TensorFlow raises it to
// the 2 GiB hard limit so large frozen graphs load. A 96 MiB GraphDef must
// therefore parse (its only Const holds 96 MiB of tensor_content).
TEST(ProtoIoTest, BinaryAbove64MiBParses) {
  TempDir dir;
  tf::GraphDef g;
  tf::NodeDef* n = g.add_node();
  n->set_name("big");
  n->set_op("Const");
  const size_t bytes = size_t{96} << 20;
  auto& tensor = *(*n->mutable_attr())["value"].mutable_tensor();
  tensor.set_dtype(tf::DT_FLOAT);
  tensor.mutable_tensor_shape()->add_dim()->set_size(static_cast<int64_t>(bytes / 4));
  tensor.mutable_tensor_content()->assign(bytes, '\x01');
  const std::string path = dir.Join("big.pb");
  ASSERT_TRUE(WriteBinaryProto(path, g).ok());
  tf::GraphDef back;
  Status s = ReadBinaryProto(path, &back);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_EQ(back.node_size(), 1);
  EXPECT_EQ(back.node(0).attr().at("value").tensor().tensor_content().size(), bytes);
}

}  // namespace
}  // namespace tfport::io
