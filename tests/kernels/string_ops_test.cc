// StaticRegexFullMatch / RegexFullMatch, StringFormat, PrintV2 and
// DisableCopyOnRead through a Session. StringFormat's expected strings are
// the examples of TensorFlow's tf.strings.format / tf.print documentation
// and string_format_op_test.py, or derived by hand from the documented rule
// (first and last `summarize` entries of every dimension, "..." between,
// rows on new lines indented by their depth).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <complex>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "support/status_matchers.h"
#include "support/temp_dir.h"
#include "tfport/graph/ops.h"
#include "tfport/kernels/kernels.h"

namespace tfport {
namespace {

using graph::Graph;
using graph::Output;
using ::testing::ElementsAre;
using tfport::testing::StatusIs;

template <typename T>
Output Vec(Graph& g, const std::vector<T>& v, Shape shape = Shape::UnknownRank()) {
  if (shape.unknown_rank()) shape = Shape{static_cast<int64_t>(v.size())};
  return ops::Const(g, Tensor::FromVector<T>(v, std::move(shape)));
}

std::vector<int32_t> Range(int32_t n) {
  std::vector<int32_t> v(static_cast<size_t>(n));
  for (int32_t i = 0; i < n; ++i) v[static_cast<size_t>(i)] = i;
  return v;
}

Result<std::vector<Tensor>> RunGraph(const Graph& g, const std::vector<std::string>& fetches,
                                     const std::vector<std::string>& targets = {}) {
  if (!g.status().ok()) return g.status();
  auto session = kernels::NewSession(g);
  std::vector<Tensor> out;
  TFPORT_RETURN_IF_ERROR(session->Run({}, fetches, targets, &out));
  return out;
}

// tf.strings.format(template, inputs, placeholder="{}", summarize) as a node.
Output Format(Graph& g, const std::string& tmpl, std::vector<Output> inputs,
              int64_t summarize = 3, const std::string& placeholder = "{}") {
  std::vector<DataType> types;
  for (const Output& o : inputs) types.push_back(o.dtype());
  return ops::Op(g, {"StringFormat", std::move(inputs),
                     {ops::AttrTypes("T", types), ops::AttrString("template", tmpl),
                      ops::AttrString("placeholder", placeholder),
                      ops::AttrInt("summarize", summarize)}});
}

// Runs one StringFormat node and returns its string.
std::string Formatted(Graph& g, Output f) {
  auto out = RunGraph(g, {f.name()});
  if (!out.ok()) return "ERROR: " + out.status().ToString();
  return (*out)[0].scalar<std::string>();
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// ---------------------------------------------------------------- OpDefs

TEST(StringOpDefs, MatchTensorFlow) {
  const auto& reg = graph::OpRegistry::Global();
  const tf::OpDef* fmt = reg.Find("StringFormat");
  ASSERT_NE(fmt, nullptr);
  ASSERT_EQ(fmt->input_arg_size(), 1);
  EXPECT_EQ(fmt->input_arg(0).type_list_attr(), "T");
  EXPECT_EQ(fmt->output_arg(0).type(), DT_STRING);
  std::map<std::string, const tf::OpDef::AttrDef*> a;
  for (const auto& x : fmt->attr()) a[x.name()] = &x;
  ASSERT_EQ(a.size(), 4u);
  EXPECT_EQ(a.at("T")->minimum(), 0);
  EXPECT_EQ(a.at("template")->default_value().s(), "%s");
  EXPECT_EQ(a.at("placeholder")->default_value().s(), "%s");
  EXPECT_EQ(a.at("summarize")->default_value().i(), 3);

  const tf::OpDef* print = reg.Find("PrintV2");
  ASSERT_NE(print, nullptr);
  EXPECT_TRUE(print->is_stateful());
  EXPECT_EQ(print->input_arg(0).type(), DT_STRING);
  EXPECT_EQ(print->output_arg_size(), 0);
  std::map<std::string, std::string> defaults;
  for (const auto& x : print->attr()) defaults[x.name()] = x.default_value().s();
  EXPECT_EQ(defaults.at("output_stream"), "stderr");
  EXPECT_EQ(defaults.at("end"), "\n");

  const tf::OpDef* re = reg.Find("StaticRegexFullMatch");
  ASSERT_NE(re, nullptr);
  EXPECT_EQ(re->input_arg(0).type(), DT_STRING);
  EXPECT_EQ(re->output_arg(0).type(), DT_BOOL);
  ASSERT_EQ(re->attr_size(), 1);
  EXPECT_EQ(re->attr(0).name(), "pattern");
  EXPECT_EQ(re->attr(0).type(), "string");

  const tf::OpDef* dcor = reg.Find("DisableCopyOnRead");
  ASSERT_NE(dcor, nullptr);
  ASSERT_EQ(dcor->input_arg_size(), 1);
  EXPECT_EQ(dcor->input_arg(0).type(), DT_RESOURCE);
  EXPECT_EQ(dcor->output_arg_size(), 0);
  EXPECT_EQ(dcor->attr_size(), 0);
}

// ---------------------------------------------------------------- regex

TEST(StaticRegexFullMatch, SaverS3Pattern) {
  // The TF2 saver's check: only names starting with "s3://" match.
  Graph g;
  auto in = Vec<std::string>(g, {"s3://bucket/model", "gs://bucket/model", "/tmp/s3://x", ""});
  auto m = ops::Op(g, {"StaticRegexFullMatch", {in}, {ops::AttrString("pattern", "^s3://.*")}});
  ASSERT_TRUE(g.status().ok()) << g.status().ToString();
  EXPECT_EQ(m.dtype(), DT_BOOL);
  EXPECT_EQ(m.shape(), (Shape{4}));
  auto out = RunGraph(g, {m.name()});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  auto f = (*out)[0].flat<bool>();
  EXPECT_THAT(std::vector<bool>(f.begin(), f.end()), ElementsAre(true, false, false, false));
}

TEST(StaticRegexFullMatch, WholeStringMustMatch) {
  Graph g;
  auto in = ops::Const(g, Tensor::FromVector<std::string>({"s3", "s3x", "xs3"}, Shape{1, 3}));
  auto m = ops::Op(g, {"StaticRegexFullMatch", {in}, {ops::AttrString("pattern", "s3")}});
  auto out = RunGraph(g, {m.name()});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), (Shape{1, 3}));
  auto f = (*out)[0].flat<bool>();
  EXPECT_THAT(std::vector<bool>(f.begin(), f.end()), ElementsAre(true, false, false));
}

TEST(StaticRegexFullMatch, InvalidPatternNamesTheNode) {
  Graph g;
  auto in = Vec<std::string>(g, {"a"});
  ops::Op(g, {"StaticRegexFullMatch", {in}, {ops::AttrString("pattern", "(")}, {}, "bad_re"});
  auto out = RunGraph(g, {"bad_re"});
  EXPECT_THAT(out, StatusIs(Code::kInvalidArgument, "Invalid pattern: (, error: "));
  EXPECT_THAT(out, StatusIs(Code::kInvalidArgument, "{{node bad_re}}"));
}

TEST(RegexFullMatch, SharesTheMatcher) {
  // The pattern is an input here; same full-match rule.
  Graph g;
  auto in = Vec<std::string>(g, {"ab", "abc"});
  auto m = ops::Op(g, {"RegexFullMatch", {in, ops::Const(g, std::string("ab"))}});
  ops::Op(g, {"RegexFullMatch", {in, ops::Const(g, std::string("["))}, {}, {}, "bad"});
  auto out = RunGraph(g, {m.name()});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  auto f = (*out)[0].flat<bool>();
  EXPECT_THAT(std::vector<bool>(f.begin(), f.end()), ElementsAre(true, false));
  EXPECT_THAT(RunGraph(g, {"bad"}), StatusIs(Code::kInvalidArgument, "Invalid pattern: ["));
}

// ---------------------------------------------------------------- StringFormat

TEST(StringFormat, DocumentationExamples) {
  // tf.strings.format docs: tf.range(5) and (tf.range(2), tf.range(1, 4, 2)).
  Graph g;
  auto one = Format(g, "tensor: {}, suffix", {Vec<int32_t>(g, Range(5))});
  auto two =
      Format(g, "a: {}, b: {}, suffix", {Vec<int32_t>(g, Range(2)), Vec<int32_t>(g, {1, 3})});
  EXPECT_EQ(Formatted(g, one), "tensor: [0 1 2 3 4], suffix");
  EXPECT_EQ(Formatted(g, two), "a: [0 1], b: [1 3], suffix");
}

TEST(StringFormat, SummarizesLongDimensions) {
  // tf.print docs: tf.range(10) prints "[0 1 2 ... 7 8 9]" (summarize 3).
  Graph g;
  auto r10 = Vec<int32_t>(g, Range(10));
  auto r6 = Vec<int32_t>(g, Range(6));
  EXPECT_EQ(Formatted(g, Format(g, "{}", {r10})), "[0 1 2 ... 7 8 9]");
  EXPECT_EQ(Formatted(g, Format(g, "{}", {r6}, 3)), "[0 1 2 3 4 5]");   // 6 = 2*3: no "..."
  EXPECT_EQ(Formatted(g, Format(g, "{}", {r6}, 2)), "[0 1 ... 4 5]");
  EXPECT_EQ(Formatted(g, Format(g, "{}", {r6}, 1)), "[0 ... 5]");
  EXPECT_EQ(Formatted(g, Format(g, "{}", {r6}, -1)), "[0 1 2 3 4 5]");  // -1: everything
  EXPECT_EQ(Formatted(g, Format(g, "{}", {Vec<int32_t>(g, Range(5))}, 3)), "[0 1 2 3 4]");
}

TEST(StringFormat, MatricesAndHigherRanks) {
  Graph g;
  auto m2 = Vec<int32_t>(g, Range(4), Shape{2, 2});
  EXPECT_EQ(Formatted(g, Format(g, "{}", {m2})), "[[0 1]\n [2 3]]");
  // 10x10 with summarize 2: rows 0, 1, ..., 8, 9; columns likewise.
  auto m10 = Vec<int32_t>(g, Range(100), Shape{10, 10});
  EXPECT_EQ(Formatted(g, Format(g, "{}", {m10}, 2)),
            "[[0 1 ... 8 9]\n"
            " [10 11 ... 18 19]\n"
            " ...\n"
            " [80 81 ... 88 89]\n"
            " [90 91 ... 98 99]]");
  EXPECT_EQ(Formatted(g, Format(g, "tensor summary: {}", {m10}, 1)),
            "tensor summary: [[0 ... 9]\n ...\n [90 ... 99]]");
  // Rank 3: blocks of the outer dimension are separated by a blank line.
  auto m3 = Vec<int32_t>(g, Range(8), Shape{2, 2, 2});
  EXPECT_EQ(Formatted(g, Format(g, "{}", {m3})), "[[[0 1]\n  [2 3]]\n\n [[4 5]\n  [6 7]]]");
}

TEST(StringFormat, ElementFormatting) {
  Graph g;
  // Scalars print bare; floats with the shortest of 6/9 digits that reads back.
  EXPECT_EQ(Formatted(g, Format(g, "{}", {ops::Const(g, 3.34f)})), "3.34");
  EXPECT_EQ(Formatted(g, Format(g, "{}", {Vec<float>(g, {0.0f, 0.5f, 1.25f, 1e-7f})})),
            "[0 0.5 1.25 1e-07]");
  // 1/3 as float is 0.333333343...: 6 digits ("0.333333") do not read back.
  EXPECT_EQ(Formatted(g, Format(g, "{}", {ops::Const(g, 1.0f / 3.0f)})), "0.333333343");
  EXPECT_EQ(Formatted(g, Format(g, "{}", {ops::Const(g, 0.1)})), "0.1");  // double
  EXPECT_EQ(Formatted(g, Format(g, "{}", {Vec<int64_t>(g, {-5, 12})})), "[-5 12]");
  // bool as 1/0 (TensorFlow's SummarizeValue); strings quoted and escaped.
  EXPECT_EQ(Formatted(g, Format(g, "{}", {Vec<bool>(g, {true, false, true})})), "[1 0 1]");
  EXPECT_EQ(Formatted(g, Format(g, "{}", {Vec<std::string>(g, {"a", "b\n"})})),
            "[\"a\" \"b\\n\"]");
  EXPECT_EQ(Formatted(g, Format(g, "{}", {ops::Const(g, std::string("x"))})), "\"x\"");
  // Complex numbers are not pretty-printed by TensorFlow: "?" per element.
  EXPECT_EQ(Formatted(g, Format(g, "{}", {Vec<std::complex<float>>(g, {{1, 2}, {3, 4}})})),
            "[? ?]");
}

TEST(StringFormat, TemplatesAndPlaceholders) {
  Graph g;
  // No inputs at all.
  EXPECT_EQ(Formatted(g, Format(g, "No tensor.", {})), "No tensor.");
  // The raw op's defaults: template "%s", placeholder "%s".
  auto x = ops::Op(g, {"StringFormat", {ops::Const(g, int32_t{5})}});
  EXPECT_EQ(Formatted(g, x), "5");
  // A custom placeholder.
  EXPECT_EQ(Formatted(g, Format(g, "value=%t%;", {ops::Const(g, int32_t{7})}, 3, "%t%")),
            "value=7;");
  ASSERT_TRUE(g.status().ok()) << g.status().ToString();
}

TEST(StringFormat, PlaceholderCountMustMatchInputs) {
  Graph g;
  auto f = Format(g, "{} {}", {Vec<int32_t>(g, Range(3))});
  auto out = RunGraph(g, {f.name()});
  EXPECT_THAT(out, StatusIs(Code::kInvalidArgument,
                            "num placeholders in template and num inputs must match: 2 vs. 1"));
}

// ---------------------------------------------------------------- PrintV2

Output Print(Graph& g, Output msg, const std::string& stream, const std::string& end = "\n",
             const std::string& name = "print") {
  ops::AddOp(g, {"PrintV2", {msg},
                 {ops::AttrString("output_stream", stream), ops::AttrString("end", end)}, {},
                 name});
  return msg;
}

TEST(PrintV2, AppendsToFileStream) {
  testing::TempDir tmp;
  const std::string path = tmp.Join("printed.txt");
  Graph g;
  Print(g, ops::Const(g, std::string("hello")), "file://" + path);
  Print(g, ops::Const(g, std::string("hi")), "file://" + path, "!", "print_bang");
  ASSERT_TRUE(g.status().ok()) << g.status().ToString();
  auto session = kernels::NewSession(g);
  std::vector<Tensor> out;
  ASSERT_TRUE(session->Run({}, {}, {"print"}, &out).ok());
  ASSERT_TRUE(session->Run({}, {}, {"print"}, &out).ok());
  ASSERT_TRUE(session->Run({}, {}, {"print_bang"}, &out).ok());
  EXPECT_EQ(ReadAll(path), "hello\nhello\nhi!");
}

TEST(PrintV2, WritesToStderrAndStdout) {
  Graph g;
  auto msg = Format(g, "tensors: {}", {Vec<int32_t>(g, Range(10))});  // tf.print's pairing
  Print(g, msg, "stderr", "\n", "to_err");
  Print(g, ops::Const(g, std::string("out line")), "stdout", "\n", "to_out");
  Print(g, ops::Const(g, std::string("warned")), "log(warning)", "\n", "to_log");
  ASSERT_TRUE(g.status().ok()) << g.status().ToString();
  auto session = kernels::NewSession(g);
  std::vector<Tensor> out;
  ::testing::internal::CaptureStderr();
  Status s1 = session->Run({}, {}, {"to_err"}, &out);
  Status s3 = session->Run({}, {}, {"to_log"}, &out);
  std::string err = ::testing::internal::GetCapturedStderr();
  ::testing::internal::CaptureStdout();
  Status s2 = session->Run({}, {}, {"to_out"}, &out);
  std::string sout = ::testing::internal::GetCapturedStdout();
  ASSERT_TRUE(s1.ok()) << s1.ToString();
  ASSERT_TRUE(s2.ok()) << s2.ToString();
  ASSERT_TRUE(s3.ok()) << s3.ToString();
  EXPECT_NE(err.find("tensors: [0 1 2 ... 7 8 9]\n"), std::string::npos) << err;
  EXPECT_NE(err.find("warned\n"), std::string::npos) << err;  // log(...) goes to stderr
  EXPECT_NE(sout.find("out line\n"), std::string::npos) << sout;
}

TEST(PrintV2, Errors) {
  Graph g;
  Print(g, ops::Const(g, std::string("x")), "bogus", "\n", "bad_stream");
  Print(g, Vec<std::string>(g, {"a", "b"}), "stderr", "\n", "not_scalar");
  ASSERT_TRUE(g.status().ok()) << g.status().ToString();
  EXPECT_THAT(RunGraph(g, {}, {"bad_stream"}),
              StatusIs(Code::kInvalidArgument,
                       "Unknown output stream: bogus, Valid streams are: stdout stderr log(info) "
                       "log(warning) log(error)"));
  EXPECT_THAT(RunGraph(g, {}, {"not_scalar"}),
              StatusIs(Code::kInvalidArgument, "Input is expected to be scalar, but got [2]"));
  testing::TempDir tmp;
  Graph g2;
  Print(g2, ops::Const(g2, std::string("x")), "file://" + tmp.Join("no/such/dir/f.txt"));
  EXPECT_THAT(RunGraph(g2, {}, {"print"}), StatusIs(Code::kNotFound, "no/such/dir/f.txt"));
}

// ---------------------------------------------------------------- DisableCopyOnRead

TEST(StringOpsMisc, DisableCopyOnReadKeepsVariableReadable) {
  Graph g;
  ops::VariableOptions opts;
  opts.resource = true;
  ops::Var v = ops::Variable(g, Tensor::FromVector<float>({1.5f, 2.5f}, Shape{2}), "v", opts);
  ops::AddOp(g, {"DisableCopyOnRead", {v.variable}, {}, {}, "disable"});
  ASSERT_TRUE(g.status().ok()) << g.status().ToString();
  auto session = kernels::NewSession(g);
  std::vector<Tensor> out;
  ASSERT_TRUE(session->Run({}, {}, {v.initializer->name()}, &out).ok());
  Status s = session->Run({}, {}, {"disable"}, &out);
  ASSERT_TRUE(s.ok()) << s.ToString();
  s = session->Run({}, {v.value.name()}, {}, &out);
  ASSERT_TRUE(s.ok()) << s.ToString();
  auto f = out[0].flat<float>();
  EXPECT_THAT(std::vector<float>(f.begin(), f.end()), ElementsAre(1.5f, 2.5f));
}

TEST(StringOpsMisc, DisableCopyOnReadOfMissingVariable) {
  // TF resource_variable_ops.cc: FAILED_PRECONDITION naming the variable.
  Graph g;
  auto h = ops::Op(g, {"VarHandleOp", {},
                       {ops::AttrType("dtype", DT_FLOAT), ops::AttrShape("shape", Shape{}),
                        ops::AttrString("shared_name", "w")},
                       {}, "w"});
  ops::AddOp(g, {"DisableCopyOnRead", {h}, {}, {}, "disable"});
  EXPECT_THAT(RunGraph(g, {}, {"disable"}),
              StatusIs(Code::kFailedPrecondition,
                       "Could not find variable w. This could mean that the variable has been "
                       "deleted."));
}

}  // namespace
}  // namespace tfport
