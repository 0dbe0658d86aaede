// ParseExample, ParseExampleV2 and ParseSingleExample on records built with
// the generated tf::Example classes. Expected values are hand-derived from
// the records (each test says how) or transcribed from TensorFlow's
// tf.io.parse_example API docs (r2.4, named where used); error texts are
// TensorFlow's (example_proto_fast_parsing.cc, example_parsing_ops.cc).
#include <gmock/gmock.h>
#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "support/fixtures.h"
#include "support/status_matchers.h"
#include "tfport/graph/import.h"
#include "tfport/graph/ops.h"
#include "tfport/io/proto_io.h"
#include "tfport/kernels/kernels.h"
#include "tfport/tf/example.pb.h"
#include "tfport/tf/saved_model.pb.h"

namespace tfport {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using tfport::testing::StatusIs;

// ---------------------------------------------------------------- records

tf::Feature Floats(std::vector<float> v) {
  tf::Feature f;
  for (float x : v) f.mutable_float_list()->add_value(x);
  if (v.empty()) f.mutable_float_list();
  return f;
}
tf::Feature Int64s(std::vector<int64_t> v) {
  tf::Feature f;
  for (int64_t x : v) f.mutable_int64_list()->add_value(x);
  if (v.empty()) f.mutable_int64_list();
  return f;
}
tf::Feature Bytes(std::vector<std::string> v) {
  tf::Feature f;
  for (auto& x : v) f.mutable_bytes_list()->add_value(x);
  if (v.empty()) f.mutable_bytes_list();
  return f;
}

std::string Record(const std::vector<std::pair<std::string, tf::Feature>>& features) {
  tf::Example ex;
  for (const auto& [key, f] : features) (*ex.mutable_features()->mutable_feature())[key] = f;
  return ex.SerializeAsString();
}

Tensor Strings(const std::vector<std::string>& v) {
  return Tensor::FromVector<std::string>(v, Shape{static_cast<int64_t>(v.size())});
}
Tensor EmptyOf(DataType t) { return Tensor(t, Shape{0}); }

tf::AttrValue ShapeList(const std::vector<Shape>& shapes) {
  tf::AttrValue v;
  auto* list = v.mutable_list();
  for (const Shape& s : shapes) s.ToProto(list->add_shape());
  return v;
}
tf::AttrValue StringList(const std::vector<std::string>& items) {
  tf::AttrValue v;
  auto* list = v.mutable_list();
  for (const auto& s : items) list->add_s(s);
  return v;
}

struct Dense {
  std::string key;
  Shape shape;
  Tensor default_value;  // its dtype is the feature's
};
struct Sparse {
  std::string key;
  DataType dtype;
};
struct Ragged {
  std::string key;
  DataType dtype;
  DataType splits = DT_INT64;
};

// Builds the op on a fed `serialized` placeholder and fetches every output
// ("parse:0", "parse:1", ...).
Result<std::vector<Tensor>> RunParse(const std::string& op, const Tensor& serialized,
                                     const std::vector<Sparse>& sparse, const std::vector<Dense>& dense,
                                     const std::vector<Ragged>& ragged = {},
                                     const Tensor& names = EmptyOf(DT_STRING)) {
  graph::Graph g;
  auto ser = ops::Placeholder(g, DT_STRING, Shape::UnknownRank(), "serialized");
  std::vector<ops::Output> inputs{ser};
  std::vector<DataType> sparse_types, dense_types, ragged_types, split_types;
  std::vector<std::string> sparse_keys, dense_keys, ragged_keys;
  std::vector<Shape> shapes;
  for (const auto& s : sparse) sparse_types.push_back(s.dtype), sparse_keys.push_back(s.key);
  for (const auto& d : dense)
    dense_types.push_back(d.default_value.dtype()), dense_keys.push_back(d.key), shapes.push_back(d.shape);
  for (const auto& r : ragged)
    ragged_types.push_back(r.dtype), split_types.push_back(r.splits), ragged_keys.push_back(r.key);
  std::vector<ops::Attr> attrs{ops::AttrTypes("sparse_types", sparse_types),
                               ops::AttrTypes("Tdense", dense_types), {"dense_shapes", ShapeList(shapes)}};
  if (op == "ParseExample") {
    inputs.push_back(ops::Const(g, names));
    for (const auto& k : sparse_keys) inputs.push_back(ops::Const(g, Tensor::Scalar<std::string>(k)));
    for (const auto& k : dense_keys) inputs.push_back(ops::Const(g, Tensor::Scalar<std::string>(k)));
    attrs.push_back(ops::AttrInt("Nsparse", static_cast<int64_t>(sparse.size())));
    attrs.push_back(ops::AttrInt("Ndense", static_cast<int64_t>(dense.size())));
  } else if (op == "ParseExampleV2") {
    inputs.push_back(ops::Const(g, names));
    for (const auto* keys : {&sparse_keys, &dense_keys, &ragged_keys})
      inputs.push_back(ops::Const(g, Strings(*keys)));
    attrs.push_back(ops::AttrInt("num_sparse", static_cast<int64_t>(sparse.size())));
    attrs.push_back(ops::AttrTypes("ragged_value_types", ragged_types));
    attrs.push_back(ops::AttrTypes("ragged_split_types", split_types));
  } else {
    attrs.push_back(ops::AttrInt("num_sparse", static_cast<int64_t>(sparse.size())));
    attrs.push_back({"sparse_keys", StringList(sparse_keys)});
    attrs.push_back({"dense_keys", StringList(dense_keys)});
  }
  for (const auto& d : dense) inputs.push_back(ops::Const(g, d.default_value));
  graph::Node* node = ops::AddOp(g, {.op = op, .inputs = inputs, .attrs = attrs, .name = "parse"});
  if (!g.status().ok()) return g.status();
  std::vector<std::string> fetches;
  for (int i = 0; i < node->num_outputs(); ++i) fetches.push_back("parse:" + std::to_string(i));
  std::vector<Tensor> out;
  // With no outputs the node still runs (as a target), so input checks apply.
  TFPORT_RETURN_IF_ERROR(kernels::NewSession(g)->Run({{"serialized", serialized}}, fetches,
                                                     fetches.empty() ? std::vector<std::string>{"parse"}
                                                                     : std::vector<std::string>{},
                                                     &out));
  return out;
}

#define ASSERT_OK_AND_ASSIGN_OUT(out, expr)                       \
  auto out##_result = (expr);                                     \
  ASSERT_TRUE(out##_result.ok()) << out##_result.status().ToString(); \
  const std::vector<Tensor>& out = *out##_result

// ---------------------------------------------------------------- dense

TEST(ParseExample, DenseFloatInt64StringWithAndWithoutDefaults) {
  // Record 0 has all three features; record 1 only "f", so "i" and "s" take
  // their defaults (7 and "none").
  Tensor batch = Strings({Record({{"f", Floats({1, 2})}, {"i", Int64s({3})}, {"s", Bytes({"a"})}}),
                          Record({{"f", Floats({4, 5})}})});
  ASSERT_OK_AND_ASSIGN_OUT(out, RunParse("ParseExample", batch, {},
                                         {{"f", Shape{2}, EmptyOf(DT_FLOAT)},
                                          {"i", Shape{}, Tensor::Scalar<int64_t>(7)},
                                          {"s", Shape{1}, Strings({"none"})}}));
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].shape(), (Shape{2, 2}));
  EXPECT_THAT(out[0].flat<float>(), ElementsAre(1, 2, 4, 5));
  EXPECT_EQ(out[1].shape(), (Shape{2}));
  EXPECT_THAT(out[1].flat<int64_t>(), ElementsAre(3, 7));
  EXPECT_EQ(out[2].shape(), (Shape{2, 1}));
  EXPECT_THAT(out[2].flat<std::string>(), ElementsAre("a", "none"));
}

TEST(ParseExample, DenseMultiDimensionalAndEmptyKindTakesDefault) {
  // Shape [2,2]: the four values fill one row-major block per record. A
  // feature with no kind set (`value { }`) counts as missing: record 1 gets
  // the default [[9,9],[9,9]].
  tf::Feature no_kind;
  Tensor batch = Strings({Record({{"m", Int64s({1, 2, 3, 4})}}), Record({{"m", no_kind}})});
  ASSERT_OK_AND_ASSIGN_OUT(
      out, RunParse("ParseExample", batch, {},
                    {{"m", Shape{2, 2}, Tensor::FromVector<int64_t>({9, 9, 9, 9}, Shape{2, 2})}}));
  EXPECT_EQ(out[0].shape(), (Shape{2, 2, 2}));
  EXPECT_THAT(out[0].flat<int64_t>(), ElementsAre(1, 2, 3, 4, 9, 9, 9, 9));
}

TEST(ParseExample, MissingRequiredFeature) {
  Tensor batch = Strings({Record({{"other", Floats({1})}})});
  EXPECT_THAT(RunParse("ParseExample", batch, {}, {{"x", Shape{1}, EmptyOf(DT_FLOAT)}}),
              StatusIs(Code::kInvalidArgument,
                       "Name: <unknown>, Feature: x (data type: float) is required but could not "
                       "be found."));
  // An empty record (no features message at all) is missing everything too.
  EXPECT_THAT(RunParse("ParseExample", Strings({""}), {}, {{"x", Shape{1}, EmptyOf(DT_FLOAT)}}),
              StatusIs(Code::kInvalidArgument, "Feature: x (data type: float) is required"));
}

TEST(ParseExample, WrongValueCount) {
  Tensor batch = Strings({Record({{"x", Floats({1, 2})}})});
  EXPECT_THAT(RunParse("ParseExample", batch, {}, {{"x", Shape{1}, EmptyOf(DT_FLOAT)}}),
              StatusIs(Code::kInvalidArgument,
                       "Name: <unknown>, Key: x, Index: 0.  Number of float values != expected.  "
                       "Values size: 2 but output shape: [1]"));
  // Names, when given, replace <unknown>; the index is the record's.
  Tensor two = Strings({Record({{"x", Bytes({"a"})}}), Record({{"x", Bytes({})}})});
  EXPECT_THAT(RunParse("ParseExample", two, {}, {{"x", Shape{}, EmptyOf(DT_STRING)}}, {},
                       Strings({"first", "second"})),
              StatusIs(Code::kInvalidArgument,
                       "Name: second, Key: x, Index: 1.  Number of bytes values != expected.  "
                       "Values size: 0 but output shape: []"));
}

TEST(ParseExample, WrongKind) {
  Tensor batch = Strings({Record({{"x", Floats({1})}}), Record({{"x", Int64s({1})}})});
  EXPECT_THAT(RunParse("ParseExample", batch, {}, {{"x", Shape{1}, EmptyOf(DT_FLOAT)}}),
              StatusIs(Code::kInvalidArgument,
                       "Name: <unknown>, Key: x, Index: 1.  Data types don't match. Data type: "
                       "int64 but expected type: float"));
  EXPECT_THAT(RunParse("ParseExample", batch, {{"x", DT_FLOAT}}, {}),
              StatusIs(Code::kInvalidArgument,
                       "Name: <unknown>, Key: x, Index: 1.  Data types don't match. Expected "
                       "type: float, Actual type: int64"));
}

TEST(ParseExample, UnparsableRecord) {
  // 0x0a = field 1, length-delimited, then a length (5) longer than the rest.
  const std::string bad("\x0a\x05\x0a", 3);
  Tensor batch = Strings({Record({{"x", Floats({1})}}), bad});
  EXPECT_THAT(RunParse("ParseExample", batch, {}, {{"x", Shape{1}, EmptyOf(DT_FLOAT)}}),
              StatusIs(Code::kInvalidArgument, "Could not parse example input, value: '" + bad + "'"));
}

TEST(ParseExample, InputShapeErrors) {
  Tensor batch = Strings({Record({})});
  EXPECT_THAT(RunParse("ParseExample", Tensor::Scalar<std::string>(""), {}, {}),
              StatusIs(Code::kInvalidArgument, "Expected serialized to be a vector, got shape: []"));
  EXPECT_THAT(RunParse("ParseExample", batch, {}, {}, {}, Strings({"a", "b"})),
              StatusIs(Code::kInvalidArgument,
                       "Expected names have the same shape as serialized: name.shape=[2], "
                       "serialized.shape=[1]"));
  EXPECT_THAT(RunParse("ParseExample", batch, {},
                       {{"x", Shape{2}, Tensor::FromVector<float>({1, 2, 3}, Shape{3})}}),
              StatusIs(Code::kInvalidArgument,
                       "def_value[0].shape() == [3] is not compatible with dense_shapes_[0] == [2]"));
}

TEST(ParseExample, UnpackedListsAndConcatenatedRecords) {
  // Hand-encoded, values not packed: Example{features(1): Features{feature(1):
  // entry{key(1): "x", value(2): Feature{float_list(2): FloatList{value(1)
  // fixed32 1.0, value(1) fixed32 2.0}}}}}. 0x0d = field 1, fixed32;
  // 1.0f = 00 00 80 3f, 2.0f = 00 00 00 40 (little endian).
  const std::string floats("\x0d\x00\x00\x80\x3f\x0d\x00\x00\x00\x40", 10);
  const std::string feature = std::string("\x12\x0a", 2) + floats;      // Feature.float_list
  const std::string entry = std::string("\x0a\x01x\x12\x0c", 5) + feature;  // key, value
  const std::string features = std::string("\x0a\x11", 2) + entry;     // Features.feature
  const std::string record = std::string("\x0a\x13", 2) + features;    // Example.features
  // Int64 unpacked: 0x08 = field 1 varint; values 3 and 300 (0xac 0x02).
  const std::string ints("\x08\x03\x08\xac\x02", 5);
  const std::string ifeature = std::string("\x1a\x05", 2) + ints;  // Feature.int64_list
  const std::string ientry = std::string("\x0a\x01y\x12\x07", 5) + ifeature;
  const std::string irecord = std::string("\x0a\x0e\x0a\x0c", 4) + ientry;
  // Two concatenated records parse as one merged record; for a key in both,
  // the later value wins (y = [7, 8] replaces [3, 300]).
  const std::string merged = irecord + Record({{"y", Int64s({7, 8})}});
  ASSERT_OK_AND_ASSIGN_OUT(out, RunParse("ParseExample", Strings({record + irecord, merged}), {},
                                         {{"x", Shape{2}, Tensor::FromVector<float>({0, 0}, Shape{2})},
                                          {"y", Shape{2}, EmptyOf(DT_INT64)}}));
  EXPECT_THAT(out[0].flat<float>(), ElementsAre(1, 2, 0, 0));
  EXPECT_THAT(out[1].flat<int64_t>(), ElementsAre(3, 300, 7, 8));
}

TEST(ParseExample, HugeDenseShapesFailCleanly) {
  // 2^40 * 2^30 elements overflow int64: rejected when the kernel is made.
  EXPECT_THAT(RunParse("ParseExample", Strings({""}), {},
                       {{"x", Shape{int64_t{1} << 40, int64_t{1} << 30}, EmptyOf(DT_FLOAT)}}),
              StatusIs(Code::kInvalidArgument, ""));
  // 2^40 floats per record (4 TiB per record): the records are checked
  // before anything is allocated, so this is an error, not an allocation.
  EXPECT_THAT(RunParse("ParseExample", Strings({Record({{"x", Floats({1})}}), ""}), {},
                       {{"x", Shape{int64_t{1} << 40}, EmptyOf(DT_FLOAT)}}),
              StatusIs(Code::kInvalidArgument, "Values size: 1 but output shape: [1099511627776]"));
}

TEST(ParseExample, VariableLengthDense) {
  // Shape [-1, 2] (FixedLenSequenceFeature of shape [2], allow_missing):
  // record 0 has 2 steps, record 1 none, record 2 one; padded to 2 steps with
  // the scalar default -1.
  Tensor batch = Strings({Record({{"v", Floats({1, 2, 3, 4})}}), Record({}),
                          Record({{"v", Floats({5, 6})}})});
  ASSERT_OK_AND_ASSIGN_OUT(out, RunParse("ParseExample", batch, {},
                                         {{"v", Shape{-1, 2}, Tensor::Scalar<float>(-1)}}));
  EXPECT_EQ(out[0].shape(), (Shape{3, 2, 2}));
  EXPECT_THAT(out[0].flat<float>(), ElementsAre(1, 2, 3, 4, -1, -1, -1, -1, 5, 6, -1, -1));
  EXPECT_THAT(RunParse("ParseExample", Strings({Record({{"v", Floats({1, 2, 3})}})}), {},
                       {{"v", Shape{-1, 2}, Tensor::Scalar<float>(0)}}),
              StatusIs(Code::kInvalidArgument,
                       "Name: <unknown>, Key: v, Index: 0.  Number of float values is not a "
                       "multiple of stride length. Saw 3 values but output shape is: [?,2]"));
  EXPECT_THAT(RunParse("ParseExample", batch, {}, {{"v", Shape{-1, 2}, EmptyOf(DT_FLOAT)}}),
              StatusIs(Code::kInvalidArgument,
                       "dense_shape[0] is a variable length shape: [?,2], therefore def_value[0] "
                       "must contain a single element (the padding element).  But its shape is: [0]"));
}

// ---------------------------------------------------------------- sparse

TEST(ParseExample, SparseDocsExample) {
  // tf.io.parse_example docs (r2.4), the VarLenFeature example: "kw" (string),
  // "dank" (int64), "gps" (float) over two records; "gps" is an empty
  // float_list in record 0 and a Feature with no kind in record 1. Expected:
  // kw indices [[0,0],[0,1],[1,0]] values ["knit","big","emmy"] shape [2,2];
  // dank indices [[1,0]] values [42] shape [2,1]; gps empty with shape [2,0].
  Tensor batch = Strings({Record({{"kw", Bytes({"knit", "big"})}, {"gps", Floats({})}}),
                          Record({{"kw", Bytes({"emmy"})}, {"dank", Int64s({42})},
                                  {"gps", tf::Feature()}})});
  ASSERT_OK_AND_ASSIGN_OUT(out, RunParse("ParseExample", batch,
                                         {{"kw", DT_STRING}, {"dank", DT_INT64}, {"gps", DT_FLOAT}},
                                         {}, {}, Strings({"input0", "input1"})));
  ASSERT_EQ(out.size(), 9u);  // indices x3, values x3, shapes x3
  EXPECT_EQ(out[0].shape(), (Shape{3, 2}));
  EXPECT_THAT(out[0].flat<int64_t>(), ElementsAre(0, 0, 0, 1, 1, 0));
  EXPECT_THAT(out[3].flat<std::string>(), ElementsAre("knit", "big", "emmy"));
  EXPECT_THAT(out[6].flat<int64_t>(), ElementsAre(2, 2));
  EXPECT_THAT(out[1].flat<int64_t>(), ElementsAre(1, 0));
  EXPECT_THAT(out[4].flat<int64_t>(), ElementsAre(42));
  EXPECT_THAT(out[7].flat<int64_t>(), ElementsAre(2, 1));
  EXPECT_EQ(out[2].shape(), (Shape{0, 2}));
  EXPECT_EQ(out[5].shape(), (Shape{0}));
  EXPECT_THAT(out[8].flat<int64_t>(), ElementsAre(2, 0));
}

TEST(ParseExample, SparseAndVarLenDenseDocsFtExample) {
  // tf.io.parse_example docs (r2.4): "ft" = [1.0, 2.0], (none), [3.0] gives
  // SparseTensor(indices=[[0,0],[0,1],[2,0]], values=[1,2,3], dense_shape=(3,2)).
  // As a FixedLenSequenceFeature (shape [], default -1) the docs show only two
  // rows, [[1,2],[3,-1]]; there are three records, so the middle one is a row
  // of padding: [[1,2],[-1,-1],[3,-1]].
  Tensor batch = Strings({Record({{"ft", Floats({1, 2})}}), Record({}), Record({{"ft", Floats({3})}})});
  ASSERT_OK_AND_ASSIGN_OUT(sp, RunParse("ParseExample", batch, {{"ft", DT_FLOAT}}, {}));
  EXPECT_THAT(sp[0].flat<int64_t>(), ElementsAre(0, 0, 0, 1, 2, 0));
  EXPECT_THAT(sp[1].flat<float>(), ElementsAre(1, 2, 3));
  EXPECT_THAT(sp[2].flat<int64_t>(), ElementsAre(3, 2));
  ASSERT_OK_AND_ASSIGN_OUT(de, RunParse("ParseExample", batch, {},
                                        {{"ft", Shape{-1}, Tensor::Scalar<float>(-1)}}));
  EXPECT_EQ(de[0].shape(), (Shape{3, 2}));
  EXPECT_THAT(de[0].flat<float>(), ElementsAre(1, 2, -1, -1, 3, -1));
}

TEST(ParseExample, EmptyBatch) {
  // N = 0: dense [0] + shape, sparse indices [0,2] and shape [0,0].
  ASSERT_OK_AND_ASSIGN_OUT(out, RunParse("ParseExample", EmptyOf(DT_STRING), {{"s", DT_INT64}},
                                         {{"d", Shape{3}, EmptyOf(DT_FLOAT)}}));
  EXPECT_EQ(out[0].shape(), (Shape{0, 2}));
  EXPECT_EQ(out[1].shape(), (Shape{0}));
  EXPECT_THAT(out[2].flat<int64_t>(), ElementsAre(0, 0));
  EXPECT_EQ(out[3].shape(), (Shape{0, 3}));
}

TEST(ParseExample, ManyRecordsKeepOrder) {
  // 1000 records (several chunks when the intra-op pool is used): record e
  // has dense "d" = e and sparse "s" = e % 3 copies of e. Totals:
  // 333 records each of e%3 = 1 and 2 (e < 999), 334 with 0 -> 333 + 666 = 999.
  std::vector<std::string> records;
  for (int e = 0; e < 1000; ++e)
    records.push_back(Record({{"d", Int64s({e})}, {"s", Int64s(std::vector<int64_t>(e % 3, e))}}));
  ASSERT_OK_AND_ASSIGN_OUT(out, RunParse("ParseExample", Strings(records), {{"s", DT_INT64}},
                                         {{"d", Shape{}, EmptyOf(DT_INT64)}}));
  ASSERT_EQ(out[1].num_elements(), 999);
  auto idx = out[0].flat<int64_t>();
  auto val = out[1].flat<int64_t>();
  int64_t k = 0;
  for (int64_t e = 0; e < 1000; ++e) {
    EXPECT_EQ(out[3].flat<int64_t>()[static_cast<size_t>(e)], e);
    for (int64_t j = 0; j < e % 3; ++j, ++k) {
      ASSERT_EQ(idx[static_cast<size_t>(2 * k)], e);
      ASSERT_EQ(idx[static_cast<size_t>(2 * k + 1)], j);
      ASSERT_EQ(val[static_cast<size_t>(k)], e);
    }
  }
  EXPECT_THAT(out[2].flat<int64_t>(), ElementsAre(1000, 2));
}

// ---------------------------------------------------------------- V2

TEST(ParseExampleV2, RaggedDenseAndSparse) {
  // Ragged "r" over [1,2,3], (missing), [4]: values [1,2,3,4], row splits
  // [0,3,3,4]; "t" strings ["a"], [], ["b","c"] with int32 splits [0,1,1,3].
  Tensor batch = Strings({Record({{"r", Int64s({1, 2, 3})}, {"t", Bytes({"a"})}, {"d", Floats({0.5f})}}),
                          Record({{"t", Bytes({})}, {"d", Floats({1.5f})}}),
                          Record({{"r", Int64s({4})}, {"t", Bytes({"b", "c"})}, {"d", Floats({2.5f})},
                                  {"s", Floats({9})}})});
  ASSERT_OK_AND_ASSIGN_OUT(out, RunParse("ParseExampleV2", batch, {{"s", DT_FLOAT}},
                                         {{"d", Shape{}, EmptyOf(DT_FLOAT)}},
                                         {{"r", DT_INT64, DT_INT64}, {"t", DT_STRING, DT_INT32}}));
  ASSERT_EQ(out.size(), 8u);  // 3 sparse, 1 dense, 2 ragged values, 2 ragged splits
  EXPECT_THAT(out[0].flat<int64_t>(), ElementsAre(2, 0));
  EXPECT_THAT(out[1].flat<float>(), ElementsAre(9));
  EXPECT_THAT(out[2].flat<int64_t>(), ElementsAre(3, 1));
  EXPECT_THAT(out[3].flat<float>(), ElementsAre(0.5f, 1.5f, 2.5f));
  EXPECT_THAT(out[4].flat<int64_t>(), ElementsAre(1, 2, 3, 4));
  EXPECT_THAT(out[5].flat<std::string>(), ElementsAre("a", "b", "c"));
  EXPECT_THAT(out[6].flat<int64_t>(), ElementsAre(0, 3, 3, 4));
  EXPECT_EQ(out[7].dtype(), DT_INT32);
  EXPECT_THAT(out[7].flat<int32_t>(), ElementsAre(0, 1, 1, 3));
  EXPECT_THAT(RunParse("ParseExampleV2", batch, {}, {}, {{"r", DT_FLOAT}}),
              StatusIs(Code::kInvalidArgument,
                       "Name: <unknown>, Key: r, Index: 0.  Data types don't match. Expected "
                       "type: float, Actual type: int64"));
}

TEST(ParseExampleV2, ScalarSerializedHasNoBatchDimension) {
  // One record: dense [2] (not [1,2]), sparse indices [n,1] and shape [n],
  // ragged values [n] with empty row splits, variable-length dense unpadded.
  Tensor one = Tensor::Scalar<std::string>(
      Record({{"d", Floats({1, 2})}, {"s", Int64s({5, 6, 7})}, {"r", Bytes({"x"})}, {"v", Int64s({8, 9})}}));
  ASSERT_OK_AND_ASSIGN_OUT(out, RunParse("ParseExampleV2", one, {{"s", DT_INT64}},
                                         {{"d", Shape{2}, EmptyOf(DT_FLOAT)},
                                          {"v", Shape{-1}, Tensor::Scalar<int64_t>(0)}},
                                         {{"r", DT_STRING}}));
  EXPECT_EQ(out[0].shape(), (Shape{3, 1}));
  EXPECT_THAT(out[0].flat<int64_t>(), ElementsAre(0, 1, 2));
  EXPECT_THAT(out[1].flat<int64_t>(), ElementsAre(5, 6, 7));
  EXPECT_THAT(out[2].flat<int64_t>(), ElementsAre(3));
  EXPECT_EQ(out[3].shape(), (Shape{2}));
  EXPECT_THAT(out[3].flat<float>(), ElementsAre(1, 2));
  EXPECT_EQ(out[4].shape(), (Shape{2}));
  EXPECT_THAT(out[4].flat<int64_t>(), ElementsAre(8, 9));
  EXPECT_THAT(out[5].flat<std::string>(), ElementsAre("x"));
  EXPECT_EQ(out[6].shape(), (Shape{0}));
  // Single-record wording (no Name/Index).
  EXPECT_THAT(RunParse("ParseExampleV2", Tensor::Scalar<std::string>(Record({{"d", Int64s({1})}})),
                       {}, {{"d", Shape{}, EmptyOf(DT_FLOAT)}}),
              StatusIs(Code::kInvalidArgument,
                       "Key: d.  Data types don't match. Data type: int64 but expected type: float"));
  EXPECT_THAT(RunParse("ParseExampleV2", Tensor(DT_STRING, Shape{1, 1}), {}, {}),
              StatusIs(Code::kInvalidArgument,
                       "Expected serialized to be a scalar or vector, got shape: [1,1]"));
}

// ---------------------------------------------------------------- ParseSingleExample

TEST(ParseSingleExample, DenseSparseAndErrors) {
  Tensor one = Tensor::Scalar<std::string>(Record({{"age", Int64s({31})}, {"tags", Bytes({"a", "b"})}}));
  ASSERT_OK_AND_ASSIGN_OUT(out, RunParse("ParseSingleExample", one, {{"tags", DT_STRING}, {"ids", DT_INT64}},
                                         {{"age", Shape{}, EmptyOf(DT_INT64)},
                                          {"h", Shape{2}, Tensor::FromVector<float>({1, 2}, Shape{2})}}));
  ASSERT_EQ(out.size(), 8u);
  EXPECT_THAT(out[0].flat<int64_t>(), ElementsAre(0, 1));  // tags indices [2,1]
  EXPECT_EQ(out[1].shape(), (Shape{0, 1}));                // ids missing
  EXPECT_THAT(out[2].flat<std::string>(), ElementsAre("a", "b"));
  EXPECT_THAT(out[4].flat<int64_t>(), ElementsAre(2));
  EXPECT_THAT(out[5].flat<int64_t>(), ElementsAre(0));
  EXPECT_EQ(out[6].shape(), (Shape{}));
  EXPECT_THAT(out[6].flat<int64_t>(), ElementsAre(31));
  EXPECT_THAT(out[7].flat<float>(), ElementsAre(1, 2));  // the default
  EXPECT_THAT(RunParse("ParseSingleExample", one, {}, {{"x", Shape{}, EmptyOf(DT_FLOAT)}}),
              StatusIs(Code::kInvalidArgument,
                       "Feature: x (data type: float) is required but could not be found."));
  EXPECT_THAT(RunParse("ParseSingleExample", one, {}, {{"age", Shape{2}, EmptyOf(DT_INT64)}}),
              StatusIs(Code::kInvalidArgument,
                       "Key: age.  Can't parse serialized Example: Some int64_list slice was not "
                       "parsed."));
  EXPECT_THAT(RunParse("ParseSingleExample", Strings({"", ""}), {}, {}),
              StatusIs(Code::kInvalidArgument, "Expected serialized to be a scalar, got shape: [2]"));
}

// ---------------------------------------------------------------- graphs as TensorFlow writes them

TEST(ParseExample, RegressSignatureNodeDefFromTf1) {
  // The parser TF 1.x's tf.estimator/half_plus_two export puts in front of a
  // regress signature: ParseExample with one required float feature "x" of
  // shape [1] (dense_defaults is an empty float Const of shape [0]).
  const char* text = R"pb(
    node { name: "tf_example" op: "Placeholder"
           attr { key: "dtype" value { type: DT_STRING } }
           attr { key: "shape" value { shape { unknown_rank: true } } } }
    node { name: "ParseExample/Const" op: "Const"
           attr { key: "dtype" value { type: DT_FLOAT } }
           attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape { dim { } } } } } }
    node { name: "ParseExample/ParseExample/names" op: "Const"
           attr { key: "dtype" value { type: DT_STRING } }
           attr { key: "value" value { tensor { dtype: DT_STRING tensor_shape { dim { } } } } } }
    node { name: "ParseExample/ParseExample/dense_keys_0" op: "Const"
           attr { key: "dtype" value { type: DT_STRING } }
           attr { key: "value" value { tensor { dtype: DT_STRING tensor_shape { } string_val: "x" } } } }
    node { name: "ParseExample/ParseExample" op: "ParseExample"
           input: "tf_example" input: "ParseExample/ParseExample/names"
           input: "ParseExample/ParseExample/dense_keys_0" input: "ParseExample/Const"
           attr { key: "Ndense" value { i: 1 } }
           attr { key: "Nsparse" value { i: 0 } }
           attr { key: "Tdense" value { list { type: DT_FLOAT } } }
           attr { key: "dense_shapes" value { list { shape { dim { size: 1 } } } } }
           attr { key: "sparse_types" value { list { } } } }
    versions { producer: 21 }
  )pb";
  tf::GraphDef gd;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &gd));
  auto g = graph::GraphFromGraphDef(gd);
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  const graph::Node* parse = (*g)->FindNode("ParseExample/ParseExample");
  ASSERT_NE(parse, nullptr);
  EXPECT_EQ(parse->output_shape(0), (Shape{-1, 1}));  // [batch] + [1]
  auto out = kernels::NewSession(**g)->Run(
      {{"tf_example:0", Strings({Record({{"x", Floats({2.5f})}}), Record({{"x", Floats({-1})}})})}},
      {"ParseExample/ParseExample:0"});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), (Shape{2, 1}));
  EXPECT_THAT((*out)[0].flat<float>(), ElementsAre(2.5f, -1));
}

TEST(ParseExample, HalfPlusTwoSavedModelParser) {
  const std::string path = "serving_saved_model_half_plus_two_cpu/00000123/saved_model.pb";
  TFPORT_REQUIRE_FIXTURE(path);
  tf::SavedModel sm;
  ASSERT_TRUE(io::ReadBinaryProto(tfport::testing::FixturePath(path).string(), &sm).ok());
  ASSERT_GT(sm.meta_graphs_size(), 0);
  auto g = graph::GraphFromGraphDef(sm.meta_graphs(0).graph_def());
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  // The model's parser reads "x" (required) and "x2" (default [0]).
  auto out = kernels::NewSession(**g)->Run(
      {{"tf_example:0", Strings({Record({{"x", Floats({1})}}), Record({{"x", Floats({5})}})})}},
      {"ParseExample/ParseExample:0", "ParseExample/ParseExample:1"});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), (Shape{2, 1}));
  EXPECT_THAT((*out)[0].flat<float>(), ElementsAre(1, 5));
  EXPECT_THAT((*out)[1].flat<float>(), ElementsAre(0, 0));
}

// ---------------------------------------------------------------- static shapes

TEST(ParseShapes, FromAttrsAndSerialized) {
  graph::Graph g;
  auto vec = ops::Placeholder(g, DT_STRING, Shape{4}, "vec");
  auto scalar = ops::Placeholder(g, DT_STRING, Shape{}, "scalar");
  auto keys = [&](std::vector<std::string> k) { return ops::Const(g, Strings(k)); };
  auto build = [&](ops::Output ser) {
    return ops::AddOp(g, {.op = "ParseExampleV2",
                          .inputs = {ser, keys({}), keys({"s"}), keys({"d"}), keys({"r"}),
                                     ops::Const(g, EmptyOf(DT_FLOAT))},
                          .attrs = {ops::AttrInt("num_sparse", 1), ops::AttrTypes("sparse_types", {DT_INT64}),
                                    ops::AttrTypes("Tdense", {DT_FLOAT}),
                                    {"dense_shapes", ShapeList({Shape{-1, 3}})},
                                    ops::AttrTypes("ragged_value_types", {DT_FLOAT}),
                                    ops::AttrTypes("ragged_split_types", {DT_INT32})}});
  };
  graph::Node* v = build(vec);
  graph::Node* s = build(scalar);
  ASSERT_TRUE(g.status().ok()) << g.status().ToString();
  EXPECT_EQ(v->output_shape(0), (Shape{-1, 2}));
  EXPECT_EQ(v->output_shape(1), (Shape{-1}));
  EXPECT_EQ(v->output_shape(2), (Shape{2}));
  EXPECT_EQ(v->output_shape(3), (Shape{4, -1, 3}));
  EXPECT_EQ(v->output_shape(4), (Shape{-1}));
  EXPECT_EQ(v->output_shape(5), (Shape{5}));
  EXPECT_EQ(s->output_shape(0), (Shape{-1, 1}));
  EXPECT_EQ(s->output_shape(2), (Shape{1}));
  EXPECT_EQ(s->output_shape(3), (Shape{-1, 3}));
  EXPECT_EQ(s->output_shape(5), (Shape{-1}));
}

}  // namespace
}  // namespace tfport
