// Differential test against an independent implementation: every case is run
// through tfport's Session and through TensorFlow.js's CPU backend
// (tests/tfjs/run_ops.js, npm @tensorflow/tfjs-core + tfjs-backend-cpu) and
// the results must agree. Inputs are random (fixed seed) and include
// broadcasting, empty tensors, NaN/Inf and integer edge values.
//
// TensorFlow.js has no int64, so cases use float32, int32 and bool.
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <limits>
#include <random>

#include "support/cli.h"
#include "support/fixtures.h"
#include "support/temp_dir.h"
#include "tfport/graph/ops.h"
#include "tfport/kernels/kernels.h"


namespace tfport {
namespace {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

struct Case {
  std::string op;
  std::vector<Tensor> inputs;
  std::vector<ops::Attr> attrs;  // for tfport
  std::string js_attrs = "{}";   // for tfjs (JSON object)
  double rtol = 1e-5, atol = 1e-6;
};

// ---------------------------------------------------------------- random data

class Gen {
 public:
  explicit Gen(uint32_t seed) : rng_(seed) {}
  int Int(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool Coin(double p = 0.5) { return std::bernoulli_distribution(p)(rng_); }

  Shape RandomShape(int max_rank = 4, int max_dim = 4, bool allow_empty = true) {
    std::vector<int64_t> dims(static_cast<size_t>(Int(0, max_rank)));
    for (auto& d : dims) d = Int(allow_empty && Coin(0.1) ? 0 : 1, max_dim);
    return Shape(dims);
  }
  // A shape that broadcasts against s: trailing dims kept, some set to 1,
  // leading dims dropped.
  Shape BroadcastPartner(const Shape& s) {
    std::vector<int64_t> dims(s.dims().begin() + Int(0, s.rank()), s.dims().end());
    for (auto& d : dims)
      if (Coin(0.3)) d = 1;
    return Shape(dims);
  }
  Tensor Floats(const Shape& s, bool specials = true, float lo = -5, float hi = 5) {
    Tensor t(DT_FLOAT, s);
    for (float& v : t.flat<float>()) {
      if (specials && Coin(0.08)) {
        const float sp[] = {std::numeric_limits<float>::quiet_NaN(),
                            std::numeric_limits<float>::infinity(),
                            -std::numeric_limits<float>::infinity(), -0.0f, 0.0f, 1e30f, -1e-30f};
        v = sp[Int(0, 6)];
      } else {
        v = std::uniform_real_distribution<float>(lo, hi)(rng_);
      }
    }
    return t;
  }
  Tensor Ints(const Shape& s, bool edges = true, int lo = -20, int hi = 20, bool nonzero = false) {
    Tensor t(DT_INT32, s);
    for (int32_t& v : t.flat<int32_t>()) {
      if (edges && Coin(0.08)) {
        const int32_t sp[] = {std::numeric_limits<int32_t>::max(),
                              std::numeric_limits<int32_t>::min() + 1, 0, -1, 1};
        v = sp[Int(0, 4)];
      } else {
        v = Int(lo, hi);
      }
      if (nonzero && v == 0) v = 1;
    }
    return t;
  }
  Tensor Bools(const Shape& s) {
    Tensor t(DT_BOOL, s);
    for (bool& v : t.flat<bool>()) v = Coin();
    return t;
  }
  std::mt19937& rng() { return rng_; }

 private:
  std::mt19937 rng_;
};

// ---------------------------------------------------------------- JSON

void WriteValue(JsonWriter& w, const Tensor& t, size_t i) {
  switch (t.dtype()) {
    case DT_FLOAT: {
      float v = t.flat<float>()[i];
      if (std::isnan(v)) {
        w.String("NaN");
      } else if (std::isinf(v)) {
        w.String(v > 0 ? "Infinity" : "-Infinity");
      } else {
        w.Double(static_cast<double>(v));
      }
      return;
    }
    case DT_INT32: w.Int(t.flat<int32_t>()[i]); return;
    case DT_BOOL: w.Bool(t.flat<bool>()[i]); return;
    default: w.Null();
  }
}

void WriteTensor(JsonWriter& w, const Tensor& t) {
  w.StartObject();
  w.Key("dtype");
  w.String(t.dtype() == DT_FLOAT ? "float32" : t.dtype() == DT_INT32 ? "int32" : "bool");
  w.Key("shape");
  w.StartArray();
  for (int64_t d : t.shape().dims()) w.Int64(d);
  w.EndArray();
  w.Key("values");
  w.StartArray();
  for (size_t i = 0; i < static_cast<size_t>(t.num_elements()); ++i) WriteValue(w, t, i);
  w.EndArray();
  w.EndObject();
}

std::string CasesJson(const std::vector<Case>& cases) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("cases");
  w.StartArray();
  for (const Case& c : cases) {
    w.StartObject();
    w.Key("op");
    w.String(c.op.c_str());
    w.Key("inputs");
    w.StartArray();
    for (const Tensor& t : c.inputs) WriteTensor(w, t);
    w.EndArray();
    w.Key("attrs");
    w.RawValue(c.js_attrs.data(), c.js_attrs.size(), rapidjson::kObjectType);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return buf.GetString();
}

std::filesystem::path TfjsDir() { return std::filesystem::path(TFPORT_SOURCE_DIR) / "tests/tfjs"; }

// Runs the cases through TensorFlow.js; empty result when node is missing.
bool RunTfjs(const std::vector<Case>& cases, rapidjson::Document* out) {
  testing::TempDir dir;
  std::string in = dir.Join("cases.json"), res = dir.Join("results.json");
  {
    FILE* f = std::fopen(in.c_str(), "wb");
    std::string json = CasesJson(cases);
    std::fwrite(json.data(), 1, json.size(), f);
    std::fclose(f);
  }
  std::string cmd = "cd '" + TfjsDir().string() + "' && node run_ops.js < '" + in + "' > '" + res +
                    "' 2>/dev/null";
  if (std::system(cmd.c_str()) != 0) return false;
  std::string text = testing::ReadFileOrDie(res);
  out->Parse(text.c_str());
  return !out->HasParseError() && out->HasMember("results");
}

// ---------------------------------------------------------------- tfport side

Result<Tensor> RunTfport(const Case& c) {
  graph::Graph g;
  std::vector<graph::Output> inputs;
  std::vector<std::pair<std::string, Tensor>> feeds;
  for (size_t i = 0; i < c.inputs.size(); ++i) {
    std::string name = "in" + std::to_string(i);
    inputs.push_back(ops::Placeholder(g, c.inputs[i].dtype(), Shape::UnknownRank(), name));
    feeds.emplace_back(name + ":0", c.inputs[i]);
  }
  ops::Op(g, {c.op, inputs, c.attrs, {}, "out"});
  TFPORT_RETURN_IF_ERROR(g.status());
  auto session = kernels::NewSession(g);
  std::vector<Tensor> out;
  TFPORT_RETURN_IF_ERROR(session->Run(feeds, {"out:0"}, {}, &out));
  return out[0];
}

std::string Describe(const Case& c) {
  std::string s = c.op + "(";
  for (const auto& t : c.inputs) s += t.DebugString(8) + ", ";
  return s + "attrs " + c.js_attrs + ")";
}

bool Close(double got, double want, double rtol, double atol) {
  if (std::isnan(want)) return std::isnan(got);
  if (std::isinf(want)) return got == want;
  return std::fabs(got - want) <= atol + rtol * std::fabs(want);
}

double Element(const Tensor& t, size_t i) {
  switch (t.dtype()) {
    case DT_FLOAT: return t.flat<float>()[i];
    case DT_INT32: return t.flat<int32_t>()[i];
    case DT_INT64: return static_cast<double>(t.flat<int64_t>()[i]);
    case DT_BOOL: return t.flat<bool>()[i];
    default: return std::nan("");
  }
}

double JsValue(const rapidjson::Value& v) {
  if (v.IsBool()) return v.GetBool();
  if (v.IsString()) {
    std::string s = v.GetString();
    if (s == "NaN") return std::nan("");
    return s[0] == '-' ? -INFINITY : INFINITY;
  }
  return v.GetDouble();
}

// Compares every case; returns the number of mismatches (reported).
int Compare(const std::vector<Case>& cases) {
  rapidjson::Document js;
  if (!RunTfjs(cases, &js)) {
    ADD_FAILURE() << "TensorFlow.js did not run: run `make deps` (npm ci in tests/tfjs)";
    return 1;
  }
  int bad = 0;
  const auto& results = js["results"];
  for (size_t k = 0; k < cases.size(); ++k) {
    const Case& c = cases[k];
    const auto& want = results[static_cast<rapidjson::SizeType>(k)];
    Result<Tensor> got = RunTfport(c);
    if (want.HasMember("error")) {
      if (got.ok()) {
        ADD_FAILURE() << Describe(c) << ": tfjs failed (" << want["error"].GetString()
                      << ") but tfport succeeded";
        ++bad;
      }
      continue;
    }
    if (!got.ok()) {
      ADD_FAILURE() << Describe(c) << ": " << got.status().ToString();
      ++bad;
      continue;
    }
    std::vector<int64_t> shape;
    for (const auto& d : want["shape"].GetArray()) shape.push_back(d.GetInt64());
    if (got->shape().dims() != shape) {
      ADD_FAILURE() << Describe(c) << ": shape " << got->shape().DebugString() << " vs tfjs "
                    << Shape(shape).DebugString();
      ++bad;
      continue;
    }
    const auto& values = want["values"];
    for (size_t i = 0; i < values.Size(); ++i) {
      double g = Element(*got, i), w = JsValue(values[static_cast<rapidjson::SizeType>(i)]);
      if (!Close(g, w, c.rtol, c.atol)) {
        ADD_FAILURE() << Describe(c) << ": element " << i << " is " << g << ", tfjs says " << w;
        ++bad;
        break;
      }
    }
  }
  return bad;
}

// ---------------------------------------------------------------- case makers

const int kCasesPerOp = 12;

std::vector<Case> Binary(Gen& gen, const std::vector<std::string>& ops, DataType dtype,
                         bool nonzero_rhs = false, bool specials = true) {
  std::vector<Case> out;
  for (const auto& op : ops) {
    for (int k = 0; k < kCasesPerOp; ++k) {
      Shape a = gen.RandomShape();
      Shape b = gen.BroadcastPartner(a);
      if (gen.Coin()) std::swap(a, b);
      Case c{op, {}, {}, "{}"};
      if (dtype == DT_FLOAT) {
        c.inputs = {gen.Floats(a, specials), gen.Floats(b, specials)};
        if (nonzero_rhs)
          for (float& v : c.inputs[1].flat<float>())
            if (v == 0 || std::isnan(v)) v = 1.5f;
      } else if (dtype == DT_INT32) {
        c.inputs = {gen.Ints(a, specials), gen.Ints(b, specials, -20, 20, nonzero_rhs)};
      } else {
        c.inputs = {gen.Bools(a), gen.Bools(b)};
      }
      out.push_back(std::move(c));
    }
  }
  return out;
}

std::vector<Case> Unary(Gen& gen, const std::vector<std::string>& ops, double rtol = 1e-5) {
  std::vector<Case> out;
  for (const auto& op : ops)
    for (int k = 0; k < kCasesPerOp; ++k) {
      Case c{op, {gen.Floats(gen.RandomShape())}, {}, "{}"};
      c.rtol = rtol;
      out.push_back(std::move(c));
    }
  return out;
}

TEST(TfjsDiff, ElementwiseBinaryFloat) {
  Gen gen(1);
  auto cases = Binary(gen, {"Add", "AddV2", "Sub", "Mul", "RealDiv", "SquaredDifference",
                            "Equal", "NotEqual", "Less", "LessEqual", "Greater", "GreaterEqual"},
                      DT_FLOAT);
  auto no_nan = Binary(gen, {"Maximum", "Minimum", "FloorDiv", "FloorMod"}, DT_FLOAT, true, false);
  cases.insert(cases.end(), no_nan.begin(), no_nan.end());
  EXPECT_EQ(Compare(cases), 0);
}

TEST(TfjsDiff, ElementwiseBinaryInt) {
  Gen gen(2);
  auto cases = Binary(gen, {"Add", "Sub", "Mul", "Maximum", "Minimum", "Equal", "Less",
                            "GreaterEqual"},
                      DT_INT32);
  auto div = Binary(gen, {"FloorDiv", "FloorMod"}, DT_INT32, /*nonzero_rhs=*/true, false);
  cases.insert(cases.end(), div.begin(), div.end());
  EXPECT_EQ(Compare(cases), 0);
}

TEST(TfjsDiff, Logical) {
  Gen gen(3);
  auto cases = Binary(gen, {"LogicalAnd", "LogicalOr"}, DT_BOOL);
  for (int k = 0; k < kCasesPerOp; ++k) cases.push_back({"LogicalNot", {gen.Bools(gen.RandomShape())}, {}, "{}"});
  EXPECT_EQ(Compare(cases), 0);
}

TEST(TfjsDiff, ElementwiseUnary) {
  Gen gen(4);
  auto cases = Unary(gen, {"Neg", "Abs", "Sign", "Square", "Sqrt", "Rsqrt", "Reciprocal", "Floor",
                           "Ceil", "Round", "Relu", "Relu6"});
  auto approx = Unary(gen, {"Exp", "Log", "Sigmoid", "Tanh", "Elu", "Selu", "Softplus"}, 2e-5);
  cases.insert(cases.end(), approx.begin(), approx.end());
  for (int k = 0; k < kCasesPerOp; ++k) {
    Case c{"LeakyRelu", {gen.Floats(gen.RandomShape())}, {ops::AttrFloat("alpha", 0.1f)},
           "{\"alpha\": 0.1}"};
    cases.push_back(std::move(c));
  }
  EXPECT_EQ(Compare(cases), 0);
}

TEST(TfjsDiff, SelectAndCast) {
  Gen gen(5);
  std::vector<Case> cases;
  for (int k = 0; k < kCasesPerOp; ++k) {
    Shape s = gen.RandomShape();
    cases.push_back({"SelectV2", {gen.Bools(gen.BroadcastPartner(s)), gen.Floats(s), gen.Floats(gen.BroadcastPartner(s))}, {}, "{}"});
    cases.push_back({"Cast", {gen.Floats(s, false, -100, 100)}, {ops::AttrType("DstT", DT_INT32)},
                     "{\"DstT\": \"int32\"}"});
    cases.push_back({"Cast", {gen.Ints(s)}, {ops::AttrType("DstT", DT_FLOAT)}, "{\"DstT\": \"float32\"}"});
    cases.push_back({"Cast", {gen.Ints(s, false, -2, 2)}, {ops::AttrType("DstT", DT_BOOL)}, "{\"DstT\": \"bool\"}"});
  }
  EXPECT_EQ(Compare(cases), 0);
}

TEST(TfjsDiff, Reductions) {
  Gen gen(6);
  std::vector<Case> cases;
  for (const std::string op : {"Sum", "Mean", "Max", "Min", "Prod", "All", "Any"}) {
    for (int k = 0; k < kCasesPerOp; ++k) {
      Shape s = gen.RandomShape(4, 4, /*allow_empty=*/op != "Max" && op != "Min" && op != "Mean");
      if (s.rank() == 0) s = Shape{3};
      std::vector<int32_t> axes;
      for (int d = 0; d < s.rank(); ++d)
        if (gen.Coin()) axes.push_back(gen.Coin(0.3) ? d - s.rank() : d);
      if (axes.empty()) axes.push_back(0);
      bool keep = gen.Coin();
      std::string js = "{\"axis\": [";
      for (size_t i = 0; i < axes.size(); ++i) js += (i ? "," : "") + std::to_string(axes[i]);
      js += std::string("], \"keep_dims\": ") + (keep ? "true" : "false") + "}";
      bool logical = op == "All" || op == "Any";
      Case c{op, {logical ? gen.Bools(s) : gen.Floats(s, false)}, {ops::AttrBool("keep_dims", keep)}, js};
      c.inputs.push_back(Tensor::FromVector<int32_t>(axes, Shape{static_cast<int64_t>(axes.size())}));
      c.rtol = op == "Prod" ? 1e-4 : 1e-5;
      c.atol = 1e-5;
      cases.push_back(std::move(c));
    }
  }
  for (const std::string op : {"ArgMax", "ArgMin"})
    for (int k = 0; k < kCasesPerOp; ++k) {
      Shape s = gen.RandomShape(3, 5, false);
      if (s.rank() == 0) s = Shape{4};
      int axis = gen.Int(0, s.rank() - 1);
      Case c{op, {gen.Floats(s, false), Tensor::Scalar<int32_t>(axis)},
             {ops::AttrType("output_type", DT_INT32)}, "{\"axis\": " + std::to_string(axis) + "}"};
      cases.push_back(std::move(c));
    }
  EXPECT_EQ(Compare(cases), 0);
}

TEST(TfjsDiff, ArrayOps) {
  Gen gen(7);
  std::vector<Case> cases;
  for (int k = 0; k < kCasesPerOp; ++k) {
    Shape s = gen.RandomShape(4, 4, false);
    if (s.rank() == 0) s = Shape{3};  // TensorFlow.js cannot slice or pad scalars
    std::vector<int32_t> perm(static_cast<size_t>(s.rank()));
    for (int i = 0; i < s.rank(); ++i) perm[static_cast<size_t>(i)] = i;
    std::shuffle(perm.begin(), perm.end(), gen.rng());
    std::string js = "{\"perm\": [";
    for (size_t i = 0; i < perm.size(); ++i) js += (i ? "," : "") + std::to_string(perm[i]);
    cases.push_back({"Transpose", {gen.Floats(s), Tensor::FromVector<int32_t>(perm, Shape{s.rank()})}, {}, js + "]}"});

    std::vector<int32_t> mult, begin, size;
    std::vector<int32_t> pads;
    std::string jm = "{\"multiples\": [", jp = "{\"paddings\": [", jb = "[", jz = "[";
    for (int i = 0; i < s.rank(); ++i) {
      int m = gen.Int(0, 3);
      mult.push_back(m);
      jm += (i ? "," : "") + std::to_string(m);
      int p0 = gen.Int(0, 2), p1 = gen.Int(0, 2);
      pads.push_back(p0);
      pads.push_back(p1);
      jp += (i ? ",[" : "[") + std::to_string(p0) + "," + std::to_string(p1) + "]";
      int b = gen.Int(0, static_cast<int>(s.dim(i)) - 1);
      int z = gen.Coin(0.2) ? -1 : gen.Int(0, static_cast<int>(s.dim(i)) - b);
      begin.push_back(b);
      size.push_back(z);
      jb += (i ? "," : "") + std::to_string(b);
      jz += (i ? "," : "") + std::to_string(z);
    }
    cases.push_back({"Tile", {gen.Ints(s), Tensor::FromVector<int32_t>(mult, Shape{s.rank()})}, {}, jm + "]}"});
    cases.push_back({"Pad", {gen.Floats(s), Tensor::FromVector<int32_t>(pads, Shape{s.rank(), 2})}, {}, jp + "]}"});
    cases.push_back({"Slice", {gen.Floats(s), Tensor::FromVector<int32_t>(begin, Shape{s.rank()}),
                               Tensor::FromVector<int32_t>(size, Shape{s.rank()})},
                     {}, "{\"begin\": " + jb + "], \"size\": " + jz + "]}"});
    if (s.rank() > 0) {
      int axis = gen.Int(0, s.rank() - 1);
      Shape s2 = s;
      std::vector<int64_t> d2 = s.dims();
      d2[static_cast<size_t>(axis)] = gen.Int(0, 3);
      cases.push_back({"ConcatV2", {gen.Floats(s), gen.Floats(Shape(d2)), Tensor::Scalar<int32_t>(axis)}, {},
                       "{\"axis\": " + std::to_string(axis) + "}"});
      int n = static_cast<int>(s.dim(axis));
      Tensor idx = gen.Ints(gen.RandomShape(2, 3), false, 0, n - 1);
      cases.push_back({"GatherV2", {gen.Floats(s), idx, Tensor::Scalar<int32_t>(axis)}, {},
                       "{\"axis\": " + std::to_string(axis) + "}"});
    }
    int pack_axis = gen.Int(0, s.rank());
    cases.push_back({"Pack", {gen.Floats(s), gen.Floats(s), gen.Floats(s)}, {ops::AttrInt("axis", pack_axis)},
                     "{\"axis\": " + std::to_string(pack_axis) + "}"});
    int depth = gen.Int(2, 5);  // TensorFlow.js requires depth >= 2
    cases.push_back({"OneHot", {gen.Ints(gen.RandomShape(2, 4), false, -1, depth), Tensor::Scalar<int32_t>(depth),
                                Tensor::Scalar<float>(1.0f), Tensor::Scalar<float>(0.0f)}, {},
                     "{\"depth\": " + std::to_string(depth) + ", \"on_value\": 1, \"off_value\": 0}"});
  }
  EXPECT_EQ(Compare(cases), 0);
}

TEST(TfjsDiff, NnOps) {
  Gen gen(8);
  std::vector<Case> cases;
  for (int k = 0; k < kCasesPerOp; ++k) {
    int m = gen.Int(0, 6), kk = gen.Int(1, 6), n = gen.Int(1, 6);
    bool ta = gen.Coin(), tb = gen.Coin();
    Case mm{"MatMul", {gen.Floats(ta ? Shape{kk, m} : Shape{m, kk}, false), gen.Floats(tb ? Shape{n, kk} : Shape{kk, n}, false)},
            {ops::AttrBool("transpose_a", ta), ops::AttrBool("transpose_b", tb)},
            std::string("{\"transpose_a\": ") + (ta ? "true" : "false") + ", \"transpose_b\": " + (tb ? "true" : "false") + "}"};
    mm.rtol = 1e-4;
    mm.atol = 1e-4;
    cases.push_back(std::move(mm));
    Shape logits{gen.Int(1, 4), gen.Int(1, 6)};
    cases.push_back({"Softmax", {gen.Floats(logits, false)}, {}, "{}"});
    cases.push_back({"LogSoftmax", {gen.Floats(logits, false)}, {}, "{}"});
    Shape x{gen.Int(1, 2), gen.Int(1, 7), gen.Int(1, 7), gen.Int(1, 3)};
    cases.push_back({"BiasAdd", {gen.Floats(x, false), gen.Floats(Shape{x.dim(3)}, false)}, {}, "{}"});
    int kh = gen.Int(1, 3), kw = gen.Int(1, 3), stride = gen.Int(1, 2), dil = stride == 1 ? gen.Int(1, 2) : 1;
    std::string padding = gen.Coin() ? "SAME" : "VALID";
    if (padding == "VALID" && (x.dim(1) < (kh - 1) * dil + 1 || x.dim(2) < (kw - 1) * dil + 1)) padding = "SAME";
    std::string js = "{\"strides\": [1," + std::to_string(stride) + "," + std::to_string(stride) +
                     ",1], \"padding\": \"" + padding + "\", \"dilations\": [1," + std::to_string(dil) + "," +
                     std::to_string(dil) + ",1]";
    std::vector<ops::Attr> conv_attrs = {ops::AttrInts("strides", {1, stride, stride, 1}),
                                         ops::AttrString("padding", padding),
                                         ops::AttrInts("dilations", {1, dil, dil, 1})};
    Case conv{"Conv2D", {gen.Floats(x, false), gen.Floats(Shape{kh, kw, x.dim(3), gen.Int(1, 3)}, false)}, conv_attrs, js + "}"};
    conv.rtol = 1e-4;
    conv.atol = 1e-4;
    cases.push_back(conv);
    Case dw{"DepthwiseConv2dNative", {gen.Floats(x, false), gen.Floats(Shape{kh, kw, x.dim(3), gen.Int(1, 2)}, false)}, conv_attrs, js + "}"};
    dw.rtol = 1e-4;
    dw.atol = 1e-4;
    cases.push_back(dw);
    std::string pool_js = "{\"ksize\": [1," + std::to_string(kh) + "," + std::to_string(kw) + ",1], \"strides\": [1," +
                          std::to_string(stride) + "," + std::to_string(stride) + ",1], \"padding\": \"" + padding + "\"}";
    std::vector<ops::Attr> pool_attrs = {ops::AttrInts("ksize", {1, kh, kw, 1}),
                                         ops::AttrInts("strides", {1, stride, stride, 1}),
                                         ops::AttrString("padding", padding)};
    if (padding == "VALID" && (x.dim(1) < kh || x.dim(2) < kw)) continue;
    cases.push_back({"MaxPool", {gen.Floats(x, false)}, pool_attrs, pool_js});
    cases.push_back({"AvgPool", {gen.Floats(x, false)}, pool_attrs, pool_js});
  }
  EXPECT_EQ(Compare(cases), 0);
}

}  // namespace
}  // namespace tfport
