// The nn kernels: MatMul, BatchMatMul(V2), BiasAdd, Softmax, LogSoftmax,
// Conv2D, DepthwiseConv2dNative, MaxPool, AvgPool, FusedBatchNorm{,V2,V3},
// and their static shapes.
//
// Expected values are hand arithmetic or were computed with NumPy 1.24
// (/usr/bin/python3) while writing these tests, using straightforward loop
// references of the TensorFlow definitions (SAME: out = ceil(in / stride),
// pad_before = max((out-1)*stride + (k-1)*dilation + 1 - in, 0) / 2; AvgPool
// averages the in-bounds elements only). The inputs are multiples of 1/8 or
// 1/4 with small sums, so float results are exact and compared exactly or to
// 1e-6; values that are not (softmax, batch norm, averages) use a relative
// tolerance. The NumPy helper functions (conv2d, depthwise, pool) are quoted
// once below; each test names the call that produced its numbers.
//
//   def same_pad(n, k, s, d=1):
//       out = -(-n // s); eff = (k-1)*d+1
//       tot = max((out-1)*s + eff - n, 0); return out, tot//2
//   def valid(n, k, s, d=1):
//       eff = (k-1)*d+1; return (n - eff + s)//s, 0
//   def conv2d(x, f, strides, padding, dil=(1,1)):   # NHWC, HWIO
//       N,H,W,C = x.shape; KH,KW,_,OC = f.shape
//       geo = same_pad if padding == 'SAME' else valid
//       OH, pt = geo(H, KH, strides[0], dil[0]); OW, pl = geo(W, KW, strides[1], dil[1])
//       out = np.zeros((N,OH,OW,OC))
//       for n, oh, ow:  acc = sum over in-bounds (kh, kw) of
//           x[n, oh*s0-pt+kh*d0, ow*s1-pl+kw*d1, :] @ f[kh, kw, :, :]
//   def depthwise(...): same windows, out[..., c*M+m] = sum x[..., c] * f[kh, kw, c, m]
//   def pool(x, k, s, padding, mode):  window [max(o*s-p,0), min(o*s-p+k,H)) ...;
//       win.max(0) or win.mean(0)
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <random>
#include <string>
#include <vector>

#include "kernels/nn/nn_internal.h"
#include "support/fixtures.h"
#include "support/status_matchers.h"
#include "tfport/graph/import.h"
#include "tfport/graph/nn_ops.h"
#include "tfport/io/checkpoint_reader.h"
#include "tfport/io/proto_io.h"
#include "tfport/graph/ops.h"
#include "tfport/kernels/kernels.h"

namespace tfport {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using tfport::testing::StatusIs;

// ---------------------------------------------------------------- helpers

Tensor F32(const std::vector<float>& v, Shape s) { return Tensor::FromVector<float>(v, std::move(s)); }

// ((i * mul) % mod - off) * scale for i = 0, 1, ... (NumPy:
// ((np.arange(n) * mul) % mod - off) * scale, reshaped).
template <typename T = float>
Tensor Pattern(Shape s, int mul, int mod, int off, double scale) {
  Tensor t(DataTypeOf<T>::value, s);
  auto v = t.flat<T>();
  for (size_t i = 0; i < v.size(); ++i)
    v[i] = static_cast<T>(static_cast<double>((static_cast<int64_t>(i) * mul) % mod - off) * scale);
  return t;
}

Tensor ToHalf(const Tensor& f) {
  Tensor h(DT_HALF, f.shape());
  auto in = f.flat<float>();
  auto out = h.flat<Half>();
  for (size_t i = 0; i < in.size(); ++i) out[i] = Half::FromFloat(in[i]);
  return h;
}

std::vector<double> Values(const Tensor& t) {
  std::vector<double> out;
  switch (t.dtype()) {
    case DT_FLOAT:
      for (float v : t.flat<float>()) out.push_back(v);
      break;
    case DT_DOUBLE:
      for (double v : t.flat<double>()) out.push_back(v);
      break;
    case DT_HALF:
      for (Half v : t.flat<Half>()) out.push_back(v.ToFloat());
      break;
    case DT_BFLOAT16:
      for (BFloat16 v : t.flat<BFloat16>()) out.push_back(v.ToFloat());
      break;
    case DT_INT32:
      for (int32_t v : t.flat<int32_t>()) out.push_back(v);
      break;
    case DT_INT64:
      for (int64_t v : t.flat<int64_t>()) out.push_back(static_cast<double>(v));
      break;
    default:
      ADD_FAILURE() << "unexpected dtype " << DataTypeName(t.dtype());
  }
  return out;
}

// Element-wise |got - want| <= tol * max(1, |want|).
void ExpectClose(const Tensor& got, const std::vector<double>& want, double tol = 1e-6) {
  std::vector<double> g = Values(got);
  ASSERT_EQ(g.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i)
    EXPECT_NEAR(g[i], want[i], tol * std::max(1.0, std::abs(want[i]))) << "element " << i;
}

// Runs the graph once and returns the fetched tensors.
Result<std::vector<Tensor>> RunAll(graph::Graph& g, const std::vector<ops::Output>& fetches) {
  if (!g.status().ok()) return g.status();
  std::vector<std::string> names;
  for (const auto& o : fetches) names.push_back(o.name());
  auto session = kernels::NewSession(g);
  return session->Run({}, names);
}

Result<Tensor> Run1(graph::Graph& g, ops::Output fetch) {
  TFPORT_ASSIGN_OR_RETURN(std::vector<Tensor> out, RunAll(g, {fetch}));
  return out[0];
}

// ---------------------------------------------------------------- MatMul

TEST(NnMatMul, SmallFloatAndTransposes) {
  // Hand arithmetic: [[1,2,3],[4,5,6]] @ [[7,8],[9,10],[11,12]] =
  // [[1*7+2*9+3*11, 1*8+2*10+3*12], [4*7+5*9+6*11, 4*8+5*10+6*12]] = [[58,64],[139,154]].
  graph::Graph g;
  auto a = ops::Const(g, F32({1, 2, 3, 4, 5, 6}, Shape{2, 3}));
  auto b = ops::Const(g, F32({7, 8, 9, 10, 11, 12}, Shape{3, 2}));
  auto at = ops::Const(g, F32({1, 4, 2, 5, 3, 6}, Shape{3, 2}));    // a^T
  auto bt = ops::Const(g, F32({7, 9, 11, 8, 10, 12}, Shape{2, 3}));  // b^T
  auto p = ops::MatMul(g, a, b);
  auto pa = ops::MatMul(g, at, b, true, false);
  auto pb = ops::MatMul(g, a, bt, false, true);
  auto pab = ops::MatMul(g, at, bt, true, true);
  Result<std::vector<Tensor>> out = RunAll(g, {p, pa, pb, pab});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  for (const Tensor& t : *out) {
    EXPECT_EQ(t.shape(), (Shape{2, 2}));
    ExpectClose(t, {58, 64, 139, 154}, 0);
  }
}

TEST(NnMatMul, OtherTypes) {
  // Same hand-computed product in every CPU type TensorFlow registers.
  graph::Graph g;
  auto dbl = ops::MatMul(g, ops::Const(g, Tensor::FromVector<double>({1, 2, 3, 4, 5, 6}, Shape{2, 3})),
                         ops::Const(g, Tensor::FromVector<double>({7, 8, 9, 10, 11, 12}, Shape{3, 2})));
  auto i32 = ops::MatMul(g, ops::Const(g, Tensor::FromVector<int32_t>({1, 2, 3, 4, 5, 6}, Shape{2, 3})),
                         ops::Const(g, Tensor::FromVector<int32_t>({7, 8, 9, 10, 11, 12}, Shape{3, 2})));
  auto i64 = ops::MatMul(g, ops::Const(g, Tensor::FromVector<int64_t>({1, 2, 3, 4, 5, 6}, Shape{2, 3})),
                         ops::Const(g, Tensor::FromVector<int64_t>({7, 8, 9, 10, 11, 12}, Shape{3, 2})),
                         false, false, "i64");
  auto half = ops::MatMul(g, ops::Const(g, ToHalf(F32({1, 2, 3, 4, 5, 6}, Shape{2, 3}))),
                          ops::Const(g, ToHalf(F32({7, 8, 9, 10, 11, 12}, Shape{3, 2}))));
  auto to_bf16 = [](const std::vector<float>& v, Shape s) {
    Tensor t(DT_BFLOAT16, std::move(s));
    for (size_t i = 0; i < v.size(); ++i) t.flat<BFloat16>()[i] = BFloat16::FromFloat(v[i]);
    return t;
  };
  auto bf16 = ops::MatMul(g, ops::Const(g, to_bf16({1, 2, 3, 4, 5, 6}, Shape{2, 3})),
                          ops::Const(g, to_bf16({7, 8, 9, 10, 11, 12}, Shape{3, 2})));
  Result<std::vector<Tensor>> out = RunAll(g, {dbl, i32, i64, half, bf16});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].dtype(), DT_DOUBLE);
  EXPECT_EQ((*out)[1].dtype(), DT_INT32);
  EXPECT_EQ((*out)[2].dtype(), DT_INT64);
  EXPECT_EQ((*out)[3].dtype(), DT_HALF);
  EXPECT_EQ((*out)[4].dtype(), DT_BFLOAT16);  // 58, 64, 139, 154 are exact in bfloat16
  for (const Tensor& t : *out) ExpectClose(t, {58, 64, 139, 154}, 0);

  // complex64, hand arithmetic: [[1+1i, 2]] @ [[3], [1i]] = 3+3i + 2i = 3+5i.
  using C = std::complex<float>;
  graph::Graph gc;
  auto c = ops::MatMul(gc, ops::Const(gc, Tensor::FromVector<C>({C(1, 1), C(2, 0)}, Shape{1, 2})),
                       ops::Const(gc, Tensor::FromVector<C>({C(3, 0), C(0, 1)}, Shape{2, 1})));
  Result<Tensor> ct = Run1(gc, c);
  ASSERT_TRUE(ct.ok()) << ct.status().ToString();
  EXPECT_EQ(ct->flat<C>()[0], C(3, 5));
}

TEST(NnMatMul, IntegerOverflowWraps) {
  // int32 products wrap modulo 2^32 like TensorFlow's: 65536 * 65536 = 2^32 -> 0,
  // plus 1 * 7 = 7.
  graph::Graph g;
  auto p = ops::MatMul(g, ops::Const(g, Tensor::FromVector<int32_t>({65536, 1}, Shape{1, 2})),
                       ops::Const(g, Tensor::FromVector<int32_t>({65536, 7}, Shape{2, 1})));
  Result<Tensor> t = Run1(g, p);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->flat<int32_t>()[0], 7);
}

// A[i,j] = ((7i + 3j) % 11) / 4 - 1 (67 x 129), B[i,j] = ((5i + 2j) % 13) / 8 - 1/2 (129 x 45).
Tensor BigA(bool transposed) {
  Tensor t(DT_FLOAT, transposed ? Shape{129, 67} : Shape{67, 129});
  auto v = t.flat<float>();
  for (int i = 0; i < 67; ++i)
    for (int j = 0; j < 129; ++j)
      v[static_cast<size_t>(transposed ? j * 67 + i : i * 129 + j)] =
          static_cast<float>((i * 7 + j * 3) % 11) * 0.25f - 1.0f;
  return t;
}
Tensor BigB(bool transposed) {
  Tensor t(DT_FLOAT, transposed ? Shape{45, 129} : Shape{129, 45});
  auto v = t.flat<float>();
  for (int i = 0; i < 129; ++i)
    for (int j = 0; j < 45; ++j)
      v[static_cast<size_t>(transposed ? j * 129 + i : i * 45 + j)] =
          static_cast<float>((i * 5 + j * 2) % 13) * 0.125f - 0.5f;
  return t;
}

TEST(NnMatMul, LargerExactFloat) {
  // NumPy (exact: every partial sum is a multiple of 1/32 below 2^15):
  //   i,j = np.meshgrid(np.arange(67), np.arange(129), indexing='ij'); A = ((i*7+j*3)%11)*0.25-1
  //   i,j = np.meshgrid(np.arange(129), np.arange(45), indexing='ij'); B = ((i*5+j*2)%13)*0.125-0.5
  //   C = A @ B -> C[0,0]=8.3125 C[66,44]=8.40625 C[33,20]=9.90625 C[10,3]=9.53125 sum=24302.40625
  for (int variant = 0; variant < 4; ++variant) {
    const bool ta = variant & 1, tb = variant & 2;
    graph::Graph g;
    auto p = ops::MatMul(g, ops::Const(g, BigA(ta)), ops::Const(g, BigB(tb)), ta, tb);
    Result<Tensor> t = Run1(g, p);
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    ASSERT_EQ(t->shape(), (Shape{67, 45}));
    auto v = t->flat<float>();
    EXPECT_EQ(v[0], 8.3125f) << variant;
    EXPECT_EQ(v[66 * 45 + 44], 8.40625f) << variant;
    EXPECT_EQ(v[33 * 45 + 20], 9.90625f) << variant;
    EXPECT_EQ(v[10 * 45 + 3], 9.53125f) << variant;
    double sum = 0;
    for (float x : v) sum += x;
    EXPECT_EQ(sum, 24302.40625) << variant;
  }
}

TEST(NnMatMul, EmptyInnerDimensionGivesZeros) {
  // [2,0] @ [0,3]: every element is an empty sum, 0.
  graph::Graph g;
  auto p = ops::MatMul(g, ops::Const(g, Tensor(DT_FLOAT, Shape{2, 0})),
                       ops::Const(g, Tensor(DT_FLOAT, Shape{0, 3})));
  Result<Tensor> t = Run1(g, p);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->shape(), (Shape{2, 3}));
  ExpectClose(*t, {0, 0, 0, 0, 0, 0}, 0);
}

TEST(NnMatMul, Errors) {
  // TensorFlow's texts: "Matrix size-incompatible: In[0]: [2,3], In[1]: [4,5]" and
  // "In[0] is not a matrix. Instead it has shape [2,3,4]".
  graph::Graph g;
  auto x = ops::Placeholder(g, DT_FLOAT, Shape::UnknownRank(), "x");
  auto y = ops::Placeholder(g, DT_FLOAT, Shape::UnknownRank(), "y");
  ops::MatMul(g, x, y, false, false, "mm");
  ASSERT_TRUE(g.status().ok());
  auto session = kernels::NewSession(g);
  std::vector<Tensor> out;
  EXPECT_THAT(session->Run({{"x", Tensor(DT_FLOAT, Shape{2, 3})}, {"y", Tensor(DT_FLOAT, Shape{4, 5})}},
                           {"mm"}, {}, &out),
              StatusIs(Code::kInvalidArgument,
                       "Matrix size-incompatible: In[0]: [2,3], In[1]: [4,5]"));
  EXPECT_THAT(session->Run({{"x", Tensor(DT_FLOAT, Shape{2, 3, 4})}, {"y", Tensor(DT_FLOAT, Shape{4, 5})}},
                           {"mm"}, {}, &out),
              StatusIs(Code::kInvalidArgument,
                       "In[0] is not a matrix. Instead it has shape [2,3,4]"));
  EXPECT_THAT(session->Run({{"x", Tensor(DT_FLOAT, Shape{2, 3})}, {"y", Tensor(DT_FLOAT, Shape{3})}},
                           {"mm"}, {}, &out),
              StatusIs(Code::kInvalidArgument, "In[1] is not a matrix. Instead it has shape [3]"));
  // The node is named in the error.
  EXPECT_THAT(session->Run({{"x", Tensor(DT_FLOAT, Shape{2, 3})}, {"y", Tensor(DT_FLOAT, Shape{3})}},
                           {"mm"}, {}, &out),
              StatusIs(Code::kInvalidArgument, "{{node mm}}"));
}

// ---------------------------------------------------------------- BatchMatMul

TEST(NnBatchMatMul, BroadcastV2) {
  // NumPy: x = np.arange(12.).reshape(2,1,2,3); y = (np.arange(18.) - 9).reshape(3,3,2)
  //   (x @ y).shape = (2,3,2,2), values below.
  const std::vector<double> want = {-17, -14, -80, -68,  1,    4,    -8,   4,
                                    19,  22,  64,  76,   -143, -122, -206, -176,
                                    -17, 4,   -26, 4,    109,  130,  154,  184};
  graph::Graph g;
  std::vector<float> xv(12), yv(18);
  for (int i = 0; i < 12; ++i) xv[static_cast<size_t>(i)] = static_cast<float>(i);
  for (int i = 0; i < 18; ++i) yv[static_cast<size_t>(i)] = static_cast<float>(i - 9);
  auto x = ops::Const(g, F32(xv, Shape{2, 1, 2, 3}));
  auto y = ops::Const(g, F32(yv, Shape{3, 3, 2}));
  // The same operands stored transposed (np.swapaxes(., -1, -2)), read with adj_x / adj_y.
  auto xt = ops::Const(g, F32({0, 3, 1, 4, 2, 5, 6, 9, 7, 10, 8, 11}, Shape{2, 1, 3, 2}));
  auto yt = ops::Const(g, F32({-9, -7, -5, -8, -6, -4, -3, -1, 1, -2, 0, 2, 3, 5, 7, 4, 6, 8},
                              Shape{3, 2, 3}));
  auto p = ops::BatchMatMul(g, x, y);
  auto pt = ops::BatchMatMul(g, xt, yt, true, true);
  // double takes the reference path.
  auto pd = ops::BatchMatMul(
      g, ops::Const(g, Tensor::FromVector<double>(std::vector<double>(xv.begin(), xv.end()), Shape{2, 1, 2, 3})),
      ops::Const(g, Tensor::FromVector<double>(std::vector<double>(yv.begin(), yv.end()), Shape{3, 3, 2})));
  Result<std::vector<Tensor>> out = RunAll(g, {p, pt, pd});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  for (const Tensor& t : *out) {
    EXPECT_EQ(t.shape(), (Shape{2, 3, 2, 2}));
    ExpectClose(t, want, 0);
  }
  EXPECT_EQ(p.shape(), (Shape{2, 3, 2, 2}));  // static shape
}

TEST(NnBatchMatMul, ComplexAdjointConjugates) {
  // Hand arithmetic: x = [[1+2i, 3-1i]] (1x2), adj_x -> [[1-2i], [3+1i]];
  // y = [[1i, 2]]: (1-2i)*1i = 2+1i, (1-2i)*2 = 2-4i, (3+1i)*1i = -1+3i, (3+1i)*2 = 6+2i.
  using C = std::complex<double>;
  graph::Graph g;
  auto p = ops::BatchMatMul(g, ops::Const(g, Tensor::FromVector<C>({C(1, 2), C(3, -1)}, Shape{1, 2})),
                            ops::Const(g, Tensor::FromVector<C>({C(0, 1), C(2, 0)}, Shape{1, 2})),
                            true, false);
  Result<Tensor> t = Run1(g, p);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->shape(), (Shape{2, 2}));
  auto v = t->flat<C>();
  EXPECT_THAT(std::vector<C>(v.begin(), v.end()), ElementsAre(C(2, 1), C(2, -4), C(-1, 3), C(6, 2)));
}

TEST(NnBatchMatMul, Errors) {
  graph::Graph g;
  auto x = ops::Placeholder(g, DT_FLOAT, Shape::UnknownRank(), "x");
  auto y = ops::Placeholder(g, DT_FLOAT, Shape::UnknownRank(), "y");
  ops::BatchMatMul(g, x, y, false, false, "v2");
  ops::Op(g, {"BatchMatMul", {x, y}, {}, {}, "v1"});
  ASSERT_TRUE(g.status().ok()) << g.status().ToString();
  auto session = kernels::NewSession(g);
  std::vector<Tensor> out;
  auto run = [&](Shape xs, Shape ys, const char* op) {
    return session->Run({{"x", Tensor(DT_FLOAT, xs)}, {"y", Tensor(DT_FLOAT, ys)}}, {op}, {}, &out);
  };
  // TensorFlow's texts.
  EXPECT_THAT(run(Shape{2, 2, 3}, Shape{3, 3, 4}, "v2"),
              StatusIs(Code::kInvalidArgument,
                       "In[0] and In[1] must have compatible batch dimensions: [2,2,3] vs. [3,3,4]"));
  EXPECT_THAT(run(Shape{2, 2, 3}, Shape{2, 4, 4}, "v2"),
              StatusIs(Code::kInvalidArgument,
                       "Matrix size-incompatible: In[0]: [2,2,3], In[1]: [2,4,4]"));
  EXPECT_THAT(run(Shape{3}, Shape{3, 4}, "v2"),
              StatusIs(Code::kInvalidArgument, "In[0] ndims must be >= 2: 1"));
  // v1 does not broadcast.
  EXPECT_THAT(run(Shape{2, 2, 3}, Shape{3, 4}, "v1"),
              StatusIs(Code::kInvalidArgument, "In[0] and In[1] has different ndims"));
  EXPECT_THAT(run(Shape{1, 2, 3}, Shape{2, 3, 4}, "v1"),
              StatusIs(Code::kInvalidArgument, "must be the same"));
  EXPECT_TRUE(run(Shape{2, 2, 3}, Shape{2, 3, 4}, "v1").ok());
  EXPECT_EQ(out[0].shape(), (Shape{2, 2, 4}));
  // v2 broadcasts a batch of 1 and missing batch dims.
  EXPECT_TRUE(run(Shape{1, 2, 3}, Shape{5, 3, 4}, "v2").ok());
  EXPECT_EQ(out[0].shape(), (Shape{5, 2, 4}));
}

// ---------------------------------------------------------------- BiasAdd

TEST(NnBiasAdd, NhwcNchwAndInt) {
  graph::Graph g;
  // Hand arithmetic: [[1,2,3],[4,5,6]] + [10,20,30] = [[11,22,33],[14,25,36]].
  auto a = ops::BiasAdd(g, ops::Const(g, F32({1, 2, 3, 4, 5, 6}, Shape{2, 3})),
                        ops::Const(g, F32({10, 20, 30}, Shape{3})));
  // NCHW [1,2,2,2] = arange(8) + [100, 200] on dim 1 = [100..103, 204..207].
  auto b = ops::BiasAdd(g, ops::Const(g, F32({0, 1, 2, 3, 4, 5, 6, 7}, Shape{1, 2, 2, 2})),
                        ops::Const(g, F32({100, 200}, Shape{2})), "NCHW");
  auto c = ops::BiasAdd(g, ops::Const(g, Tensor::FromVector<int32_t>({1, 2, 3, 4}, Shape{2, 1, 2})),
                        ops::Const(g, Tensor::FromVector<int32_t>({-1, 1}, Shape{2})));
  Result<std::vector<Tensor>> out = RunAll(g, {a, b, c});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ExpectClose((*out)[0], {11, 22, 33, 14, 25, 36}, 0);
  ExpectClose((*out)[1], {100, 101, 102, 103, 204, 205, 206, 207}, 0);
  ExpectClose((*out)[2], {0, 3, 2, 5}, 0);
  EXPECT_EQ((*out)[2].shape(), (Shape{2, 1, 2}));
}

TEST(NnBiasAdd, Errors) {
  graph::Graph g;
  auto x = ops::Placeholder(g, DT_FLOAT, Shape::UnknownRank(), "x");
  auto b = ops::Placeholder(g, DT_FLOAT, Shape::UnknownRank(), "b");
  ops::BiasAdd(g, x, b, "NHWC", "nhwc");
  ops::BiasAdd(g, x, b, "NCHW", "nchw");
  auto session = kernels::NewSession(g);
  std::vector<Tensor> out;
  auto run = [&](Shape xs, Shape bs, const char* op) {
    return session->Run({{"x", Tensor(DT_FLOAT, xs)}, {"b", Tensor(DT_FLOAT, bs)}}, {op}, {}, &out);
  };
  EXPECT_THAT(run(Shape{3}, Shape{3}, "nhwc"),
              StatusIs(Code::kInvalidArgument, "Input tensor must be at least 2D: [3]"));
  EXPECT_THAT(run(Shape{2, 3}, Shape{3, 1}, "nhwc"),
              StatusIs(Code::kInvalidArgument, "Biases must be 1D: [3,1]"));
  EXPECT_THAT(run(Shape{2, 3}, Shape{2}, "nhwc"),
              StatusIs(Code::kInvalidArgument,
                       "Must provide as many biases as the last dimension of the input tensor: "
                       "[2] vs. [2,3]"));
  EXPECT_THAT(run(Shape{2, 3, 4}, Shape{4}, "nchw"),
              StatusIs(Code::kInvalidArgument, "Must provide as many biases as the channel"));
}

// ---------------------------------------------------------------- Softmax

TEST(NnSoftmax, StableSoftmaxAndLogSoftmax) {
  // NumPy: l = np.array([[1.,2.,3.],[1000.,1000.,1001.]])
  //   e = np.exp(l - l.max(-1, keepdims=True)); e / e.sum(-1, keepdims=True)
  //   s = l - l.max(-1, keepdims=True); s - np.log(np.exp(s).sum(-1, keepdims=True))
  const std::vector<double> sm = {0.09003057317038043, 0.24472847105479767, 0.6652409557748218,
                                  0.21194155761708547, 0.21194155761708547, 0.5761168847658291};
  const std::vector<double> lsm = {-2.4076059644443806, -1.4076059644443804, -0.40760596444438035,
                                   -1.551444713932051,  -1.551444713932051,  -0.5514447139320511};
  graph::Graph g;
  auto l = ops::Const(g, F32({1, 2, 3, 1000, 1000, 1001}, Shape{2, 3}));
  auto ld = ops::Const(g, Tensor::FromVector<double>({1, 2, 3, 1000, 1000, 1001}, Shape{2, 3}));
  Result<std::vector<Tensor>> out =
      RunAll(g, {ops::Softmax(g, l), ops::LogSoftmax(g, l), ops::Softmax(g, ld), ops::LogSoftmax(g, ld)});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ExpectClose((*out)[0], sm, 1e-6);
  ExpectClose((*out)[1], lsm, 1e-6);
  ExpectClose((*out)[2], sm, 1e-14);
  ExpectClose((*out)[3], lsm, 1e-14);
}

TEST(NnSoftmax, HigherRankHalfAndErrors) {
  // Rank 3 with rows over the last dim; half computed in float: softmax([0, ln 3]) = [1/4, 3/4].
  graph::Graph g;
  const float ln3 = std::log(3.0f);
  auto s = ops::Softmax(g, ops::Const(g, ToHalf(F32({0, ln3, 0, 0}, Shape{2, 1, 2}))));
  Result<Tensor> t = Run1(g, s);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->dtype(), DT_HALF);
  ExpectClose(*t, {0.25, 0.75, 0.5, 0.5}, 1e-3);

  graph::Graph g2;
  auto e = ops::Softmax(g2, ops::Const(g2, 1.0f));
  EXPECT_THAT(Run1(g2, e), StatusIs(Code::kInvalidArgument, "logits must have >= 1 dimension, got []"));
}

// ---------------------------------------------------------------- Conv2D

// x = ((np.arange(180) * 7) % 13 - 6).reshape(2,5,6,3) / 4.0
Tensor ConvX() { return Pattern(Shape{2, 5, 6, 3}, 7, 13, 6, 0.25); }
// f = ((np.arange(108) * 5) % 11 - 5).reshape(3,3,3,4) / 8.0
Tensor ConvF() { return Pattern(Shape{3, 3, 3, 4}, 5, 11, 5, 0.125); }

TEST(NnConv2D, ValidStride1) {
  // NumPy: conv2d(x, f, (1,1), 'VALID'), shape (2,3,4,4).
  const std::vector<double> want = {
      -1.40625, -0.59375, -1.5,     1.03125,  2,        -2.125,   0.96875,  0.28125,  -1.09375,
      3.25,     -3.0625,  1.96875,  -0.125,   -2.75,    1.84375,  -2.84375, -0.0625,  0.78125,
      -0.09375, -0.625,   1.71875,  0.0625,   1.15625,  -0.15625, -2.59375, -0.25,    0.375,
      0.3125,   3.25,     -1.375,   1.21875,  0.375,    0.875,    -0.28125, 1.3125,   0.15625,
      -1.40625, -0.59375, -1.5,     1.03125,  2,        -2.125,   0.96875,  0.28125,  -1.09375,
      3.25,     -3.0625,  1.96875,  1.25,     0.59375,  -1.78125, 1.6875,   -1.03125, 0.28125,
      -0.125,   -1.90625, -0.0625,  0.78125,  -0.09375, -0.625,   1.71875,  0.0625,   1.15625,
      -0.15625, -1.875,   1.96875,  -0.375,   0.03125,  -0.90625, 0.4375,   0.0625,   -0.3125,
      0.875,    -0.28125, 1.3125,   0.15625,  -1.40625, -0.59375, -1.5,     1.03125,  -0.125,
      -2.75,    1.84375,  -2.84375, 1.25,     0.59375,  -1.78125, 1.6875,   -1.03125, 0.28125,
      -0.125,   -1.90625, -0.0625,  0.78125,  -0.09375, -0.625};
  graph::Graph g;
  auto y = ops::Conv2D(g, ops::Const(g, ConvX()), ops::Const(g, ConvF()), {1, 1, 1, 1}, "VALID");
  EXPECT_EQ(y.shape(), (Shape{2, 3, 4, 4}));
  Result<Tensor> t = Run1(g, y);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->shape(), (Shape{2, 3, 4, 4}));
  ExpectClose(*t, want);
}

TEST(NnConv2D, SameStride2) {
  // NumPy: conv2d(x, f, (2,2), 'SAME'), shape (2,3,3,4); pad top 1 (H: out 3, total 2),
  // pad left 0 (W: out 3, total 1).
  const std::vector<double> want = {
      0.34375, -0.625,   0.46875,  -1.53125, 3.125,    -0.28125, 0.78125,  -0.21875, 0.28125,
      -1.46875, 0.21875, -0.15625, -0.0625,  0.78125,  -0.09375, -0.625,   -2.59375, -0.25,
      0.375,   0.3125,   -1.65625, 3.125,    0,        1.34375,  -0.40625, -0.25,    -0.4375,
      -0.625,  1.625,    0.75,     -0.46875, 1.75,     0.125,    0.25,     -0.3125,  0.15625,
      1.03125, -0.34375, 0.6875,   0.6875,   -1.875,   -1.21875, -0.21875, 0.78125,  -0.0625,
      2.375,   -0.6875,  1.0625,   -1.875,   1.96875,  -0.375,   0.03125,  0.875,    -0.28125,
      1.3125,  0.15625,  0.3125,   -1.8125,  -0.5,     -1.25,    1.625,    -0.6875,  1.125,
      0.875,   -1.21875, -0.09375, 0.6875,   -1.625,   0.25,     0.125,    -0.34375, 0.21875};
  graph::Graph g;
  auto y = ops::Conv2D(g, ops::Const(g, ConvX()), ops::Const(g, ConvF()), {1, 2, 2, 1}, "SAME");
  EXPECT_EQ(y.shape(), (Shape{2, 3, 3, 4}));
  // double and half take the same path with other element types (values are exact in both).
  auto yd = ops::Conv2D(g, ops::Const(g, Pattern<double>(Shape{2, 5, 6, 3}, 7, 13, 6, 0.25)),
                        ops::Const(g, Pattern<double>(Shape{3, 3, 3, 4}, 5, 11, 5, 0.125)),
                        {1, 2, 2, 1}, "SAME");
  auto yh = ops::Conv2D(g, ops::Const(g, ToHalf(ConvX())), ops::Const(g, ToHalf(ConvF())),
                        {1, 2, 2, 1}, "SAME");
  Result<std::vector<Tensor>> out = RunAll(g, {y, yd, yh});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ExpectClose((*out)[0], want);
  ExpectClose((*out)[1], want, 0);
  EXPECT_EQ((*out)[2].dtype(), DT_HALF);
  ExpectClose((*out)[2], want, 0);
}

TEST(NnConv2D, SameDilation2) {
  // NumPy: conv2d(x, f, (1,1), 'SAME', (2,2)), shape (2,5,6,4); effective filter 5, pad 2.
  const std::vector<double> want = {
      -2.21875, -1.28125, 0,        -1.125,   0.46875,  1.84375,  0.8125,   1.84375,  2.5,
      -2.65625, -0.59375, -0.59375, -1.1875,  -0.65625, 1.59375,  0.0625,   0.0625,   1.53125,
      -1.125,   0,        -0.53125, -0.65625, -0.4375,  0.8125,   -1.53125, 2.4375,   -0.8125,
      2.46875,  2.375,    -2.15625, 1.21875,  -2.28125, -1.34375, -2.4375,  1.96875,  -1.53125,
      -0.96875, 3.21875,  -1.53125, 1.96875,  1.375,    -0.625,   -2.28125, 1.21875,  0.78125,
      -0.78125, 2.46875,  -0.8125,  2,        -1.3125,  1.5625,   -1.75,    -1.46875, -2.25,
      0.40625,  -0.375,   0.3125,   3.46875,  -1.28125, 3.25,     0.46875,  -1.3125,  -2.0625,
      -0.75,    0.53125,  -0.0625,  2.09375,  0.46875,  -0.09375, 0.125,    0.34375,  -1.5,
      -0.71875, 0.5,      -0.6875,  -1.53125, -1.5625,  1.8125,   -1.6875,  2.375,    1.25,
      -0.53125, 1.125,    -1.34375, 1.25,     -2.46875, 1.71875,  -0.96875, -1.5625,  1.25,
      0.28125,  1.375,    -0.71875, 0.8125,   -2.46875, 0.78125,  -0.5,     0.65625,  -0.59375,
      1.59375,  1.5,      -1.6875,  1.65625,  -2.21875, -0.375,   -1.59375, 0.625,    0.09375,
      0.4375,   2.15625,  -1.625,   2.5,      -0.5625,  -0.5625,  -1.59375, -0.5625,  1.5,
      0.21875,  1.34375,  0.0625,   0.8125,   1.46875,  0.40625,  1.40625,  -0.15625, -1.09375,
      -2.03125, -0.90625, -0.875,   2.5,      0.03125,  2.03125,  2.75,     -1.59375, 0.59375,
      -3.40625, -0.6875,  -1.53125, 2.4375,   -0.8125,  -1.6875,  2.375,    -2.15625, 1.21875,
      -0.125,   -0.90625, -2.03125, -1.09375, -0.6875,  1.40625,  0.40625,  1.46875,  1.78125,
      0.28125,  0.15625,  -1.34375, -3.125,   -1.375,   0.71875,  -0.28125, -0.59375, 1.59375,
      -0.34375, 0.8125,   1.65625,  -2.21875, -1.28125, 0,        -0.09375, -1.40625, 1.40625,
      0.09375,  1.3125,   0.5,      1.0625,   0.25,     -1.5,     0.1875,   -1.5625,  -0.5625,
      -0.53125, 3.125,    -1.125,   3.5625,   1.28125,  0.28125,  -0.03125, -1.71875, 0.25,
      -1.96875, 2.6875,   -1.25,    1.1875,   0.0625,   1,        -0.125,   -2.5,     0.96875,
      -2.4375,  -0.6875,  0.4375,   0.65625,  -0.15625, 1.78125,  1.25,     -2.5,     1.65625,
      -3.125,   -0.625,   -0.5,     0.65625,  -0.59375, 0.21875,  1.5,      -1.6875,  1.65625,
      -0.625,   0.625,    -0.53125, -0.65625, 0.5625,   -0.5,     0.5,      0.8125,   0.4375,
      -0.8125,  1.375,    -1.25,    -2.40625, 1.3125,   -0.46875, -0.875,   1.1875,   0.9375,
      0,        1.125,    0.8125,   -0.71875, 0.5,      -0.6875};
  graph::Graph g;
  ops::ConvOptions opt;
  opt.dilations = {1, 2, 2, 1};
  auto y = ops::Conv2D(g, ops::Const(g, ConvX()), ops::Const(g, ConvF()), {1, 1, 1, 1}, "SAME",
                       "", opt);
  Result<Tensor> t = Run1(g, y);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->shape(), (Shape{2, 5, 6, 4}));
  ExpectClose(*t, want);
}

TEST(NnConv2D, ValidStride2x1Dilation1x2) {
  // NumPy: conv2d(x, f, (2,1), 'VALID', (1,2)), shape (2,2,2,4).
  const std::vector<double> want = {0.78125, -1.625,   -1.28125, 0.78125,  -2.71875, 1.3125,
                                    -0.84375, 0.4375,  3.0625,   -1.3125,  1.53125,  -0.09375,
                                    0.78125, -1.625,   -1.28125, 0.78125,  1,        1.59375,
                                    0.46875, -1,       -0.46875, 0.0625,   -1.125,   -0.9375,
                                    0.84375, -2.5625,  1.25,     -1.46875, 1,        1.59375,
                                    0.46875, -1};
  graph::Graph g;
  ops::ConvOptions opt;
  opt.dilations = {1, 1, 2, 1};
  auto y = ops::Conv2D(g, ops::Const(g, ConvX()), ops::Const(g, ConvF()), {1, 2, 1, 1}, "VALID",
                       "", opt);
  EXPECT_EQ(y.shape(), (Shape{2, 2, 2, 4}));
  Result<Tensor> t = Run1(g, y);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  ExpectClose(*t, want);
}

TEST(NnConv2D, Pointwise) {
  // f1 = ((np.arange(6) * 5) % 11 - 5).reshape(1,1,3,2) / 2.0
  // NumPy: r = conv2d(x, f1, (1,1), 'VALID'): shape (2,5,6,2), r.sum() = 3.25,
  //   first 12 values and last 4 below. conv2d(x, f1, (2,2), 'SAME'): shape (2,3,3,2) below.
  const std::vector<double> first = {1.875, 1.125, -2.25, -0.25, 3.375, 0,
                                     -0.75, -1.375, -3.25, 0.5,  2.375, 0.75};
  const std::vector<double> last = {-1.75, -0.625, 3.875, -0.375};
  const std::vector<double> strided = {
      1.875, 1.125,  3.375, 0,      -3.25, 0.5,    4.375, -0.75,  -2.25, -0.25,  -0.75, -1.375,
      -1.25, -1,     1.875, 1.125,  3.375, 0,      -3.25, 0.5,    -1.75, -0.625, -6.75, 1.5,
      -0.75, -1.375, 2.375, 0.75,   3.875, -0.375, 3.375, 0,      -3.25, 0.5,    -1.75, -0.625};
  graph::Graph g;
  auto f1 = ops::Const(g, Pattern(Shape{1, 1, 3, 2}, 5, 11, 5, 0.5));
  auto y = ops::Conv2D(g, ops::Const(g, ConvX()), f1, {1, 1, 1, 1}, "VALID");
  auto ys = ops::Conv2D(g, ops::Const(g, ConvX()), f1, {1, 2, 2, 1}, "SAME");
  Result<std::vector<Tensor>> out = RunAll(g, {y, ys});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  const Tensor& t = (*out)[0];
  ASSERT_EQ(t.shape(), (Shape{2, 5, 6, 2}));
  std::vector<double> v = Values(t);
  EXPECT_THAT(std::vector<double>(v.begin(), v.begin() + 12), ElementsAreArray(first));
  EXPECT_THAT(std::vector<double>(v.end() - 4, v.end()), ElementsAreArray(last));
  double sum = 0;
  for (double x : v) sum += x;
  EXPECT_EQ(sum, 3.25);
  EXPECT_EQ((*out)[1].shape(), (Shape{2, 3, 3, 2}));
  ExpectClose((*out)[1], strided, 0);
}

TEST(NnConv2D, Errors) {
  graph::Graph g;
  auto x = ops::Placeholder(g, DT_FLOAT, Shape::UnknownRank(), "x");
  auto f = ops::Placeholder(g, DT_FLOAT, Shape::UnknownRank(), "f");
  ops::Conv2D(g, x, f, {1, 1, 1, 1}, "VALID", "valid");
  ops::Conv2D(g, x, f, {1, 1, 1}, "VALID", "bad_strides");
  ops::Conv2D(g, x, f, {2, 1, 1, 1}, "VALID", "batch_stride");
  ops::ConvOptions nchw;
  nchw.data_format = "NCHW";
  ops::Conv2D(g, x, f, {1, 1, 1, 1}, "VALID", "nchw", nchw);
  ASSERT_TRUE(g.status().ok()) << g.status().ToString();
  auto session = kernels::NewSession(g);
  std::vector<Tensor> out;
  auto run = [&](Shape xs, Shape fs, const char* op) {
    return session->Run({{"x", Tensor(DT_FLOAT, xs)}, {"f", Tensor(DT_FLOAT, fs)}}, {op}, {}, &out);
  };
  // TensorFlow: VALID out = (2 - 4 + 1) / 1 = -1.
  EXPECT_THAT(run(Shape{1, 2, 2, 1}, Shape{4, 4, 1, 1}, "valid"),
              StatusIs(Code::kInvalidArgument,
                       "Computed output size would be negative: -1 [input_size: 2, "
                       "effective_filter_size: 4, stride: 1]"));
  // A window exactly one larger than the input gives an empty output, as in TensorFlow.
  ASSERT_TRUE(run(Shape{1, 2, 2, 1}, Shape{3, 3, 1, 1}, "valid").ok());
  EXPECT_EQ(out[0].shape(), (Shape{1, 0, 0, 1}));
  EXPECT_THAT(run(Shape{1, 4, 4, 3}, Shape{2, 2, 2, 1}, "valid"),
              StatusIs(Code::kInvalidArgument, "input and filter must have the same depth: 3 vs 2"));
  EXPECT_THAT(run(Shape{4, 4, 3}, Shape{2, 2, 3, 1}, "valid"),
              StatusIs(Code::kInvalidArgument, "input must be 4-dimensional[4,4,3]"));
  EXPECT_THAT(run(Shape{1, 4, 4, 3}, Shape{2, 2, 3}, "valid"),
              StatusIs(Code::kInvalidArgument, "filter must be 4-dimensional: [2,2,3]"));
  EXPECT_THAT(run(Shape{1, 4, 4, 3}, Shape{2, 2, 3, 1}, "bad_strides"),
              StatusIs(Code::kInvalidArgument,
                       "Sliding window strides field must specify 4 dimensions"));
  EXPECT_THAT(run(Shape{1, 4, 4, 3}, Shape{2, 2, 3, 1}, "batch_stride"),
              StatusIs(Code::kUnimplemented, "does not yet support strides in the batch"));
  EXPECT_THAT(run(Shape{1, 3, 4, 4}, Shape{2, 2, 3, 1}, "nchw"),
              StatusIs(Code::kUnimplemented, "Conv2D only supports NHWC on CPU"));
}

// ---------------------------------------------------------------- Depthwise

// xd = ((np.arange(40) * 3) % 7 - 3).reshape(1,4,5,2) / 2.0
Tensor DwX() { return Pattern(Shape{1, 4, 5, 2}, 3, 7, 3, 0.5); }
// fd = ((np.arange(36) * 5) % 9 - 4).reshape(3,3,2,2) / 4.0
Tensor DwF() { return Pattern(Shape{3, 3, 2, 2}, 5, 9, 4, 0.25); }

TEST(NnDepthwiseConv2dNative, ChannelMultiplier) {
  // NumPy: depthwise(xd, fd, (2,2), 'SAME') and depthwise(xd, fd, (1,1), 'VALID'),
  // both shape (1,2,3,4) (2 channels x multiplier 2).
  const std::vector<double> same = {1.125, -3.5,   -0.625, 1.75,  -6,    2.5,  1.875,  -2.625,
                                    1.125, -0.5,   1.375,  0.125, 0.5,   0.875, 1.75,  -3.5,
                                    1.25,  0.125,  -1.25,  2.375, 1.25,  -1.375, -0.25, 0.125};
  const std::vector<double> valid = {0.125, -0.125, 1.875, 0.875,  -6,    2.5,   1.875, -2.625,
                                     -2.5,  2.5,    2.75,  -5.25,  1.875, 0.75,  -6,    3.5,
                                     1.875, -2.75,  0.125, 2.625,  0.125, -0.125, 1.875, 0.875};
  graph::Graph g;
  auto x = ops::Const(g, DwX());
  auto f = ops::Const(g, DwF());
  auto ys = ops::DepthwiseConv2dNative(g, x, f, {1, 2, 2, 1}, "SAME");
  auto yv = ops::DepthwiseConv2dNative(g, x, f, {1, 1, 1, 1}, "VALID");
  auto yd = ops::DepthwiseConv2dNative(g, ops::Const(g, Pattern<double>(Shape{1, 4, 5, 2}, 3, 7, 3, 0.5)),
                                       ops::Const(g, Pattern<double>(Shape{3, 3, 2, 2}, 5, 9, 4, 0.25)),
                                       {1, 2, 2, 1}, "SAME");
  EXPECT_EQ(ys.shape(), (Shape{1, 2, 3, 4}));
  EXPECT_EQ(yv.shape(), (Shape{1, 2, 3, 4}));
  Result<std::vector<Tensor>> out = RunAll(g, {ys, yv, yd});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ExpectClose((*out)[0], same, 0);
  ExpectClose((*out)[1], valid, 0);
  ExpectClose((*out)[2], same, 0);
}

TEST(NnDepthwiseConv2dNative, FastPathAgreesWithReference) {
  // Channel multiplier 1 takes the register-blocked fast path; the reference
  // loop and a direct sum written here must agree with it, over channel
  // counts around the 32-wide block, strides, dilations and both paddings.
  struct Case {
    int64_t h, w, c, k, stride, dilation;
    kernels::nn::Padding padding;
  };
  const Case cases[] = {{7, 9, 3, 3, 1, 1, kernels::nn::Padding::kSame},   {8, 8, 32, 3, 2, 1, kernels::nn::Padding::kSame},
                        {9, 7, 45, 3, 1, 2, kernels::nn::Padding::kValid}, {5, 6, 96, 5, 2, 1, kernels::nn::Padding::kSame},
                        {4, 4, 70, 1, 1, 1, kernels::nn::Padding::kValid}, {6, 5, 33, 3, 3, 1, kernels::nn::Padding::kValid}};
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> d(-1.0f, 1.0f);
  for (const Case& c : cases) {
    SCOPED_TRACE(::testing::Message() << c.h << "x" << c.w << "x" << c.c << " k" << c.k << " s" << c.stride
                                      << " d" << c.dilation);
    kernels::nn::Window2D win;
    win.stride_h = win.stride_w = c.stride;
    win.dilation_h = win.dilation_w = c.dilation;
    win.padding = c.padding;
    auto g = kernels::nn::ConvGeometryOf(Shape{2, c.h, c.w, c.c}, Shape{c.k, c.k, c.c, 1}, win);
    ASSERT_TRUE(g.ok()) << g.status().ToString();
    std::vector<float> x(static_cast<size_t>(2 * c.h * c.w * c.c)), f(static_cast<size_t>(c.k * c.k * c.c));
    for (float& v : x) v = d(rng);
    for (float& v : f) v = d(rng);
    const size_t n_out = static_cast<size_t>(g->rows() * c.c);
    std::vector<float> fast(n_out, 7.0f), ref(n_out, -7.0f), direct(n_out, 0.0f);
    kernels::nn::DepthwiseConv2DFloat(*g, x.data(), f.data(), fast.data(), nullptr, /*reference=*/false);
    kernels::nn::DepthwiseConv2DFloat(*g, x.data(), f.data(), ref.data(), nullptr, /*reference=*/true);
    for (int64_t n = 0; n < 2; ++n)
      for (int64_t oh = 0; oh < g->out_h; ++oh)
        for (int64_t ow = 0; ow < g->out_w; ++ow)
          for (int64_t ch = 0; ch < c.c; ++ch) {
            double sum = 0;
            for (int64_t kh = 0; kh < c.k; ++kh)
              for (int64_t kw = 0; kw < c.k; ++kw) {
                const int64_t ih = oh * c.stride - g->pad_top + kh * c.dilation;
                const int64_t iw = ow * c.stride - g->pad_left + kw * c.dilation;
                if (ih < 0 || ih >= c.h || iw < 0 || iw >= c.w) continue;
                sum += double(x[static_cast<size_t>(((n * c.h + ih) * c.w + iw) * c.c + ch)]) *
                       f[static_cast<size_t>((kh * c.k + kw) * c.c + ch)];
              }
            direct[static_cast<size_t>(((n * g->out_h + oh) * g->out_w + ow) * c.c + ch)] = static_cast<float>(sum);
          }
    for (size_t i = 0; i < n_out; ++i) {
      const float tol = 1e-5f * std::max(1.0f, std::abs(direct[i]));
      ASSERT_NEAR(fast[i], ref[i], tol) << i;
      ASSERT_NEAR(fast[i], direct[i], tol) << i;
    }
  }
}

// ---------------------------------------------------------------- Pooling

// xp = ((np.arange(40) * 7) % 17 - 8).reshape(1,4,5,2) / 2.0
Tensor PoolX() { return Pattern(Shape{1, 4, 5, 2}, 7, 17, 8, 0.5); }

TEST(NnPool, MaxAndAvgSameAndValid) {
  // NumPy: pool(xp, (3,3), (2,2), 'SAME', 'max' / 'avg') -> (1,2,3,2);
  //        pool(xp, (2,2), (2,2), 'VALID', 'max' / 'avg') -> (1,2,2,2).
  // SAME: H 4 -> out 2, pad (1*2+3-4)/2 = 0 before; W 5 -> out 3, pad_total 2, 1 before.
  const std::vector<double> max_same = {4, 1.5, 4, 3.5, 2, 4, -1, 2.5, 3.5, 1, 3, 4};
  const std::vector<double> avg_same = {-0.9166666666666666, -0.25, 1.5555555555555556,
                                        -1.5555555555555556, 0.25,  0.9166666666666666,
                                        -2.25, 1.25, -0.25, -1, 1.75, -1.125};
  const std::vector<double> max_valid = {4, 0.5, 2.5, 3.5, -1, 2.5, 3.5, -0.5};
  const std::vector<double> avg_valid = {0, -0.75, 1.25, -1.625, -2.25, 1.25, 1.125, -1.75};
  graph::Graph g;
  auto x = ops::Const(g, PoolX());
  auto ms = ops::MaxPool(g, x, {1, 3, 3, 1}, {1, 2, 2, 1}, "SAME");
  auto as = ops::AvgPool(g, x, {1, 3, 3, 1}, {1, 2, 2, 1}, "SAME");
  auto mv = ops::MaxPool(g, x, {1, 2, 2, 1}, {1, 2, 2, 1}, "VALID");
  auto av = ops::AvgPool(g, x, {1, 2, 2, 1}, {1, 2, 2, 1}, "VALID");
  auto xd = ops::Const(g, Pattern<double>(Shape{1, 4, 5, 2}, 7, 17, 8, 0.5));
  auto asd = ops::AvgPool(g, xd, {1, 3, 3, 1}, {1, 2, 2, 1}, "SAME");
  auto msh = ops::MaxPool(g, ops::Const(g, ToHalf(PoolX())), {1, 3, 3, 1}, {1, 2, 2, 1}, "SAME");
  EXPECT_EQ(ms.shape(), (Shape{1, 2, 3, 2}));
  EXPECT_EQ(mv.shape(), (Shape{1, 2, 2, 2}));
  Result<std::vector<Tensor>> out = RunAll(g, {ms, as, mv, av, asd, msh});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ExpectClose((*out)[0], max_same, 0);
  ExpectClose((*out)[1], avg_same, 1e-6);
  ExpectClose((*out)[2], max_valid, 0);
  ExpectClose((*out)[3], avg_valid, 0);
  ExpectClose((*out)[4], avg_same, 1e-15);
  EXPECT_EQ((*out)[5].dtype(), DT_HALF);
  ExpectClose((*out)[5], max_same, 0);
}

TEST(NnPool, MaxPoolIntegers) {
  // Hand arithmetic: 2x2 max over [[1,-5],[7,3]] = 7; over [[-1,-2],[-3,-4]] = -1.
  graph::Graph g;
  auto x = ops::Const(g, Tensor::FromVector<int32_t>({1, -5, 7, 3, -1, -2, -3, -4}, Shape{2, 2, 2, 1}));
  Result<Tensor> t = Run1(g, ops::MaxPool(g, x, {1, 2, 2, 1}, {1, 1, 1, 1}, "VALID"));
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->shape(), (Shape{2, 1, 1, 1}));
  ExpectClose(*t, {7, -1}, 0);
}

TEST(NnPool, Errors) {
  graph::Graph g;
  auto x = ops::Placeholder(g, DT_FLOAT, Shape::UnknownRank(), "x");
  ops::MaxPool(g, x, {1, 2, 2, 1, 1}, {1, 1, 1, 1}, "VALID", "bad_ksize");
  ops::AvgPool(g, x, {2, 2, 2, 1}, {1, 1, 1, 1}, "VALID", "batch");
  ops::AvgPool(g, x, {1, 2, 2, 1}, {1, 1, 1, 1}, "VALID", "ok");
  ops::MaxPool(g, x, {1, 2, 2, 1}, {1, 1, 1, 1}, "VALID", "nchw", "NCHW");
  ASSERT_TRUE(g.status().ok()) << g.status().ToString();
  auto session = kernels::NewSession(g);
  std::vector<Tensor> out;
  auto run = [&](Shape xs, const char* op) {
    return session->Run({{"x", Tensor(DT_FLOAT, xs)}}, {op}, {}, &out);
  };
  EXPECT_THAT(run(Shape{1, 4, 4, 1}, "bad_ksize"),
              StatusIs(Code::kInvalidArgument, "Sliding window ksize field must specify 4 dimensions"));
  EXPECT_THAT(run(Shape{1, 4, 4, 1}, "batch"),
              StatusIs(Code::kUnimplemented, "Pooling is not yet supported on the batch dimension."));
  EXPECT_THAT(run(Shape{4, 4, 1}, "ok"),
              StatusIs(Code::kInvalidArgument, "input must be 4-dimensional[4,4,1]"));
  EXPECT_THAT(run(Shape{1, 1, 4, 4}, "nchw"),
              StatusIs(Code::kUnimplemented, "MaxPool only supports NHWC on CPU, got data_format=NCHW"));
  // Fewer than 4 entries is rejected by the OpDef ("ksize: list(int) >= 4") when building.
  graph::Graph g2;
  ops::MaxPool(g2, ops::Placeholder(g2, DT_FLOAT), {1, 2, 2}, {1, 1, 1, 1}, "VALID");
  EXPECT_THAT(g2.status(), StatusIs(Code::kInvalidArgument, "must be at least minimum 4"));
}

// ---------------------------------------------------------------- FusedBatchNorm

// xb = ((np.arange(24) * 5) % 7 - 3).reshape(2,2,2,3) * 0.5
Tensor BnX() { return Pattern(Shape{2, 2, 2, 3}, 5, 7, 3, 0.5); }

TEST(NnFusedBatchNorm, Inference) {
  // NumPy: scale=[1,2,.5] offset=[0,1,-1] mean=[1,2,3] var=[.5,1,2] eps=0.001
  //   y = (xb - mean) * scale / np.sqrt(var + eps) + offset
  const std::vector<double> want = {
      -3.532003666504269,  -0.9990007493755464, -2.0603951061323533, -2.8256029332034154,
      0.0004996253122268035, -1.8836625884436278, -2.1192021999025616, -5.996502622814412,
      -1.7069300707549022, -1.4128014666017077, -4.997002248126639,  -1.5301975530661767,
      -0.7064007333008538, -3.997501873438866,  -2.5905926591985304, 0,
      -2.998001498751093,  -2.4138601415098044, 0.7064007333008538,  -1.9985011240633197,
      -2.2371276238210793, -3.532003666504269,  -0.9990007493755464, -2.0603951061323533};
  for (int version : {1, 2, 3}) {
    graph::Graph g;
    ops::FusedBatchNormOptions opt;
    opt.epsilon = 0.001f;
    opt.is_training = false;
    opt.version = version;
    auto bn = ops::FusedBatchNorm(g, ops::Const(g, BnX()), ops::Const(g, F32({1, 2, 0.5f}, Shape{3})),
                                  ops::Const(g, F32({0, 1, -1}, Shape{3})),
                                  ops::Const(g, F32({1, 2, 3}, Shape{3})),
                                  ops::Const(g, F32({0.5f, 1, 2}, Shape{3})), "bn", opt);
    std::vector<ops::Output> fetch = {bn.y, bn.batch_mean, bn.batch_variance, bn.reserve_space_1,
                                      bn.reserve_space_2};
    if (version == 3) fetch.push_back(bn.reserve_space_3);
    Result<std::vector<Tensor>> out = RunAll(g, fetch);
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    ExpectClose((*out)[0], want, 1e-6);
    // Inference passes the population statistics through.
    ExpectClose((*out)[1], {1, 2, 3}, 0);
    ExpectClose((*out)[2], {0.5, 1, 2}, 0);
    ExpectClose((*out)[3], {1, 2, 3}, 0);
    ExpectClose((*out)[4], {0.5, 1, 2}, 0);
    if (version == 3) {
      EXPECT_EQ((*out)[5].shape(), Shape{});
      EXPECT_EQ((*out)[5].scalar<float>(), 0.0f);
    }
  }
}

TEST(NnFusedBatchNorm, TrainingNhwcAndNchw) {
  // NumPy: bm = xb.reshape(-1,3).mean(0) = [-0.1875, 0.125, 0];
  //   bv = xb.reshape(-1,3).var(0) = [1.12109375, 0.984375, 0.875] (biased);
  //   bv * 8/7 = [1.28125, 1.125, 1]; y = (xb - bm) * scale / np.sqrt(bv + eps) + offset.
  const std::vector<double> y = {
      -1.2390383265262834, 2.762938973613674,   -1,                  -0.767023725944842,
      3.770332672821487,   -0.7328913480183199, -0.2950091253634008, -2.274029522425394,
      -0.4657826960366397, 0.17700547521804047, -1.2666358232175803, -0.1986740440549596,
      0.6490200757994817,  -0.25924212400976687, -1.8013259559450403, 1.1210346763809231,
      0.7481515751980465,  -1.5342173039633602, 1.5930492769623643,  1.7555452744058602,
      -1.26710865198168,   -1.2390383265262834, 2.762938973613674,   -1};
  // The same data as NCHW [2,3,2,2]: np.transpose(xb, (0,3,1,2)).
  const std::vector<float> xnchw = {-1.5, -1, -0.5, 0,  1,  1.5, -1.5, -1, 0,  0.5,  1, 1.5,
                                    0.5,  1,  1.5,  -1.5, -0.5, 0, 0.5,  1,  -1.5, -1, -0.5, 0};
  graph::Graph g;
  ops::FusedBatchNormOptions opt;
  opt.epsilon = 0.001f;
  auto scale = ops::Const(g, F32({1, 2, 0.5f}, Shape{3}));
  auto offset = ops::Const(g, F32({0, 1, -1}, Shape{3}));
  auto empty = ops::Const(g, Tensor(DT_FLOAT, Shape{0}));  // what tf.nn.fused_batch_norm passes
  auto bn = ops::FusedBatchNorm(g, ops::Const(g, BnX()), scale, offset, empty, empty, "bn", opt);
  opt.data_format = "NCHW";
  opt.version = 1;
  auto bn1 = ops::FusedBatchNorm(g, ops::Const(g, F32(xnchw, Shape{2, 3, 2, 2})), scale, offset,
                                 empty, empty, "bn_nchw", opt);
  Result<std::vector<Tensor>> out =
      RunAll(g, {bn.y, bn.batch_mean, bn.batch_variance, bn.reserve_space_1, bn.reserve_space_2,
              bn1.y, bn1.batch_mean, bn1.batch_variance});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ExpectClose((*out)[0], y, 1e-6);
  ExpectClose((*out)[1], {-0.1875, 0.125, 0}, 0);
  ExpectClose((*out)[2], {1.28125, 1.125, 1}, 1e-7);
  ExpectClose((*out)[3], {-0.1875, 0.125, 0}, 0);
  ExpectClose((*out)[4], {1.12109375, 0.984375, 0.875}, 1e-7);
  // NCHW y is the NHWC y transposed the same way.
  std::vector<double> y_nchw(24);
  for (int n = 0; n < 2; ++n)
    for (int hw = 0; hw < 4; ++hw)
      for (int c = 0; c < 3; ++c)
        y_nchw[static_cast<size_t>((n * 3 + c) * 4 + hw)] = y[static_cast<size_t>((n * 4 + hw) * 3 + c)];
  ExpectClose((*out)[5], y_nchw, 1e-6);
  ExpectClose((*out)[6], {-0.1875, 0.125, 0}, 0);
  ExpectClose((*out)[7], {1.28125, 1.125, 1}, 1e-7);
}

TEST(NnFusedBatchNorm, HalfInputV2) {
  // x half, statistics float. Hand arithmetic: mean 1, var 0.999, eps 0.001 give
  // sqrt(var + eps) = 1, so y = (x - 1) * 2 + 0.5 for x = [1, 2, 3, 4] -> [0.5, 2.5, 4.5, 6.5].
  graph::Graph g;
  ops::FusedBatchNormOptions opt;
  opt.epsilon = 0.001f;
  opt.is_training = false;
  opt.version = 2;
  auto bn = ops::FusedBatchNorm(g, ops::Const(g, ToHalf(F32({1, 2, 3, 4}, Shape{1, 2, 2, 1}))),
                                ops::Const(g, F32({2}, Shape{1})), ops::Const(g, F32({0.5f}, Shape{1})),
                                ops::Const(g, F32({1}, Shape{1})), ops::Const(g, F32({0.999f}, Shape{1})),
                                "bn", opt);
  Result<Tensor> t = Run1(g, bn.y);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->dtype(), DT_HALF);
  ExpectClose(*t, {0.5, 2.5, 4.5, 6.5}, 1e-3);
}

TEST(NnFusedBatchNorm, Errors) {
  graph::Graph g;
  auto x = ops::Placeholder(g, DT_FLOAT, Shape::UnknownRank(), "x");
  auto s = ops::Placeholder(g, DT_FLOAT, Shape::UnknownRank(), "s");
  auto m = ops::Placeholder(g, DT_FLOAT, Shape::UnknownRank(), "m");
  ops::FusedBatchNormOptions opt;
  opt.is_training = false;
  ops::FusedBatchNorm(g, x, s, s, m, m, "infer", opt);
  ASSERT_TRUE(g.status().ok()) << g.status().ToString();
  auto session = kernels::NewSession(g);
  std::vector<Tensor> out;
  auto run = [&](Shape xs, Shape ss, Shape ms) {
    return session->Run({{"x", Tensor(DT_FLOAT, xs)}, {"s", Tensor(DT_FLOAT, ss)},
                         {"m", Tensor(DT_FLOAT, ms)}},
                        {"infer"}, {}, &out);
  };
  // TensorFlow's texts.
  EXPECT_THAT(run(Shape{2, 3}, Shape{3}, Shape{3}),
              StatusIs(Code::kInvalidArgument, "input must be 4-dimensional[2,3]"));
  EXPECT_THAT(run(Shape{1, 2, 2, 6}, Shape{7}, Shape{6}),
              StatusIs(Code::kInvalidArgument,
                       "scale must have the same number of elements as the channels of x, got 7 and 6"));
  EXPECT_THAT(run(Shape{1, 2, 2, 6}, Shape{6}, Shape{0}),
              StatusIs(Code::kInvalidArgument,
                       "When is_training=false, mean must have the same number of elements as the "
                       "channels of x, got 0 and 6"));
  EXPECT_THAT(run(Shape{1, 2, 2, 6}, Shape{6, 1}, Shape{6}),
              StatusIs(Code::kInvalidArgument, "scale must be 1-dimensional[6,1]"));
  EXPECT_TRUE(run(Shape{1, 2, 2, 6}, Shape{6}, Shape{6}).ok());
}

TEST(NnFusedBatchNorm, TensorFlowReferenceFixture) {
  // tensorflow/models' reference data for tf.layers.batch_normalization(training=True)
  // (TensorFlow 1.8): the GraphDef, a checkpoint holding input_tensor [32,16,16,3] and the
  // layer's variables, and results.json = [shape..., first, last, sum] of the output as
  // TensorFlow computed it: [32,16,16,3, 1.6126631498336792, -1.096894383430481,
  // -0.041595458984375]. The FusedBatchNorm node's variable inputs are fed with the
  // checkpoint values (their /read Identities).
  const std::string dir = "tfmodels_refdata_batch_norm";
  TFPORT_REQUIRE_FIXTURE(dir + "/expected_graph");
  tf::GraphDef gd;
  ASSERT_TRUE(io::ReadBinaryProto(tfport::testing::FixturePath(dir + "/expected_graph").string(), &gd).ok());
  Result<std::unique_ptr<graph::Graph>> g = graph::GraphFromGraphDef(gd);
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  auto ckpt = io::CheckpointReader::Open(tfport::testing::FixturePath(dir + "/model.ckpt").string());
  ASSERT_TRUE(ckpt.ok()) << ckpt.status().ToString();
  const graph::Node* bn = nullptr;
  for (const graph::Node* n : (*g)->nodes())
    if (n->op() == "FusedBatchNorm") bn = n;
  ASSERT_NE(bn, nullptr);
  std::vector<std::pair<std::string, Tensor>> feeds;
  for (int i = 0; i < bn->num_inputs(); ++i) {
    const graph::Node* src = bn->input(i).node;
    if (src->op() != "Identity") continue;  // mean / variance: empty Consts in training
    const graph::Node* var = src->input(0).node;
    ASSERT_EQ(var->op(), "VariableV2") << var->name();
    Result<Tensor> value = (*ckpt)->GetTensor(var->name());
    ASSERT_TRUE(value.ok()) << value.status().ToString();
    feeds.emplace_back(bn->input(i).name(), *value);
  }
  ASSERT_EQ(feeds.size(), 3u);  // x, gamma, beta
  auto session = kernels::NewSession(**g);
  std::vector<Tensor> out;
  ASSERT_TRUE(session->Run(feeds, {bn->name() + ":0"}, {}, &out).ok());
  ASSERT_EQ(out[0].shape(), (Shape{32, 16, 16, 3}));
  auto y = out[0].flat<float>();
  EXPECT_NEAR(y[0], 1.6126631498336792, 1e-5);
  EXPECT_NEAR(y[y.size() - 1], -1.096894383430481, 1e-5);
  double sum = 0;
  for (float v : y) sum += v;
  // With gamma = 1, beta = 0 the exact sum is 0; TensorFlow's -0.0416 reflects its float32
  // batch mean (sum(y) = -n * (mean_tf - mean) * factor per channel, 8192 elements each),
  // i.e. a mean error of ~1e-6. tfport accumulates the statistics in double, so only
  // agreement to that level is expected; first/last above pin the values to 1e-5.
  EXPECT_NEAR(sum, -0.041595458984375, 0.1);
}

// ---------------------------------------------------------------- static shapes

TEST(NnShapes, StaticShapeInference) {
  graph::Graph g;
  auto x = ops::Placeholder(g, DT_FLOAT, Shape{-1, 28, 28, 3}, "x");
  auto f = ops::Placeholder(g, DT_FLOAT, Shape{5, 5, 3, 16}, "f");
  auto c = ops::Conv2D(g, x, f, {1, 2, 2, 1}, "SAME");
  EXPECT_EQ(c.shape(), (Shape{-1, 14, 14, 16}));
  EXPECT_EQ(ops::Conv2D(g, x, f, {1, 1, 1, 1}, "VALID").shape(), (Shape{-1, 24, 24, 16}));
  ops::ConvOptions nchw;
  nchw.data_format = "NCHW";
  auto xn = ops::Placeholder(g, DT_FLOAT, Shape{8, 3, 28, 28}, "xn");
  EXPECT_EQ(ops::Conv2D(g, xn, f, {1, 1, 2, 2}, "SAME", "", nchw).shape(), (Shape{8, 16, 14, 14}));
  auto p = ops::MaxPool(g, c, {1, 2, 2, 1}, {1, 2, 2, 1}, "VALID");
  EXPECT_EQ(p.shape(), (Shape{-1, 7, 7, 16}));
  EXPECT_EQ(ops::AvgPool(g, c, {1, 3, 3, 1}, {1, 2, 2, 1}, "SAME").shape(), (Shape{-1, 7, 7, 16}));
  auto dwf = ops::Placeholder(g, DT_FLOAT, Shape{3, 3, 3, 2}, "dwf");
  EXPECT_EQ(ops::DepthwiseConv2dNative(g, x, dwf, {1, 1, 1, 1}, "SAME").shape(),
            (Shape{-1, 28, 28, 6}));
  auto a = ops::Placeholder(g, DT_FLOAT, Shape{-1, 10}, "a");
  auto w = ops::Placeholder(g, DT_FLOAT, Shape{10, 5}, "w");
  EXPECT_EQ(ops::MatMul(g, a, w).shape(), (Shape{-1, 5}));
  EXPECT_EQ(ops::MatMul(g, w, a, true, true).shape(), (Shape{5, -1}));
  auto bx = ops::Placeholder(g, DT_FLOAT, Shape{2, 1, 3, 4}, "bx");
  auto by = ops::Placeholder(g, DT_FLOAT, Shape{5, 4, 6}, "by");
  EXPECT_EQ(ops::BatchMatMul(g, bx, by).shape(), (Shape{2, 5, 3, 6}));
  auto mm = ops::MatMul(g, a, w);
  auto b = ops::Placeholder(g, DT_FLOAT, Shape{5}, "b");
  EXPECT_EQ(ops::Softmax(g, ops::BiasAdd(g, mm, b)).shape(), (Shape{-1, 5}));
  auto s3 = ops::Placeholder(g, DT_FLOAT, Shape{3}, "s3");
  auto bn = ops::FusedBatchNorm(g, x, s3, s3, s3, s3);
  EXPECT_EQ(bn.y.shape(), (Shape{-1, 28, 28, 3}));
  EXPECT_EQ(bn.batch_mean.shape(), (Shape{3}));
  EXPECT_EQ(bn.reserve_space_2.shape(), (Shape{3}));
  EXPECT_TRUE(bn.reserve_space_3.shape().unknown_rank());  // as TensorFlow
  ASSERT_TRUE(g.status().ok()) << g.status().ToString();
}

TEST(NnShapes, OpDefsKeepTf1Attrs) {
  const graph::OpRegistry& r = graph::OpRegistry::Global();
  const tf::OpDef* conv = r.Find("Conv2D");
  ASSERT_NE(conv, nullptr);
  std::vector<std::string> attrs;
  for (const auto& a : conv->attr()) attrs.push_back(a.name());
  EXPECT_THAT(attrs, ElementsAre("T", "strides", "use_cudnn_on_gpu", "padding", "data_format",
                                 "dilations"));
  const tf::OpDef* bn3 = r.Find("FusedBatchNormV3");
  ASSERT_NE(bn3, nullptr);
  EXPECT_EQ(bn3->output_arg_size(), 6);
  attrs.clear();
  for (const auto& a : bn3->attr()) attrs.push_back(a.name());
  EXPECT_THAT(attrs, ElementsAre("T", "U", "epsilon", "data_format", "is_training"));
  for (const char* op : {"MatMul", "BatchMatMul", "BatchMatMulV2", "BiasAdd", "Softmax",
                         "LogSoftmax", "DepthwiseConv2dNative", "MaxPool", "AvgPool",
                         "FusedBatchNorm", "FusedBatchNormV2"})
    EXPECT_NE(r.Find(op), nullptr) << op;
}

}  // namespace
}  // namespace tfport
