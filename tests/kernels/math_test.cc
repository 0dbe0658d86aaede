// Math family: elementwise ops with broadcasting, Select, Cast, AddN,
// reductions and ArgMax/ArgMin, run through a Session.
//
// Expected values come from TensorFlow's documented examples, hand
// arithmetic shown in the comments, or NumPy 1.24 (Debian python3-numpy),
// whose elementwise semantics equal TensorFlow's for the ops used; the
// NumPy expressions are quoted next to the values they produced.
#include <cmath>
#include <limits>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/status_matchers.h"
#include "tfport/graph/math_ops.h"
#include "tfport/kernels/kernels.h"

namespace tfport {
namespace {

using graph::Graph;
using ops::Output;
using tfport::testing::StatusIs;

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

template <typename T>
Tensor Vec(std::vector<T> v, Shape shape) {
  return Tensor::FromVector<T>(v, std::move(shape));
}
template <typename T>
Tensor Vec(std::vector<T> v) {
  const auto n = static_cast<int64_t>(v.size());
  return Tensor::FromVector<T>(v, Shape{n});
}
template <typename T>
Output C(Graph& g, std::vector<T> v, Shape shape) {
  return ops::Const(g, Vec<T>(std::move(v), std::move(shape)));
}
template <typename T>
Output C(Graph& g, std::vector<T> v) {
  return ops::Const(g, Vec<T>(std::move(v)));
}

// Runs the graph and fetches `out`.
Result<Tensor> Eval(const Graph& g, Output out,
                    const std::vector<std::pair<std::string, Tensor>>& feeds = {}) {
  if (!g.status().ok()) return g.status();
  auto session = kernels::NewSession(g);
  std::vector<Tensor> outs;
  Status s = session->Run(feeds, {out.name()}, {}, &outs);
  if (!s.ok()) return s;
  return outs[0];
}

// Checks dtype, shape and values; floats match within `rel` relative
// tolerance (0: exactly), NaN matches NaN.
template <typename T>
void Expect(const Result<Tensor>& r, const Shape& shape, const std::vector<T>& want,
            double rel = 0) {
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const Tensor& t = *r;
  ASSERT_EQ(t.dtype(), DataTypeOf<T>::value) << DataTypeName(t.dtype());
  ASSERT_EQ(t.shape(), shape) << t.shape().DebugString() << " vs " << shape.DebugString();
  auto got = t.flat<T>();
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    if constexpr (std::is_floating_point_v<T>) {
      if (std::isnan(want[i])) {
        EXPECT_TRUE(std::isnan(got[i])) << "element " << i << ": " << got[i];
      } else if (rel == 0 || std::isinf(want[i])) {
        EXPECT_EQ(got[i], want[i]) << "element " << i;
      } else {
        EXPECT_NEAR(got[i], want[i], rel * std::max<double>(1e-30, std::fabs(want[i])))
            << "element " << i;
      }
    } else {
      EXPECT_EQ(got[i], want[i]) << "element " << i;
    }
  }
}

// ------------------------------------------------------------------ binary

TEST(MathBinary, AddBroadcastsRowAndColumn) {
  Graph g;
  // np.array([[1.5,-2,3],[4,5.25,-6]],f32) + np.array([10,-20,0.5],f32)
  auto add = ops::Add(g, C<float>(g, {1.5f, -2, 3, 4, 5.25f, -6}, Shape{2, 3}),
                      C<float>(g, {10, -20, 0.5f}));
  Expect<float>(Eval(g, add), Shape{2, 3}, {11.5f, -22, 3.5f, 14, -14.75f, -5.5f});
  // np.array([[1],[2],[3]]) - np.array([[10,20,30,40]]): both sides broadcast.
  auto sub = ops::Sub(g, C<float>(g, {1, 2, 3}, Shape{3, 1}), C<float>(g, {10, 20, 30, 40}, Shape{1, 4}));
  Expect<float>(Eval(g, sub), Shape{3, 4},
                {-9, -19, -29, -39, -8, -18, -28, -38, -7, -17, -27, -37});
  // Scalar on the left: 2.5 * [1,-2,4,0.5].
  auto mul = ops::Mul(g, ops::Const(g, 2.5f), C<float>(g, {1, -2, 4, 0.5f}));
  Expect<float>(Eval(g, mul), Shape{4}, {2.5f, -5, 10, 1.25f});
  // np.arange(6,dtype=int32).reshape(2,1,3) + np.array([[10],[20],[30],[40]]) -> (2,4,3)
  auto add3 = ops::AddV2(g, C<int32_t>(g, {0, 1, 2, 3, 4, 5}, Shape{2, 1, 3}),
                         C<int32_t>(g, {10, 20, 30, 40}, Shape{4, 1}));
  Expect<int32_t>(Eval(g, add3), Shape{2, 4, 3},
                  {10, 11, 12, 20, 21, 22, 30, 31, 32, 40, 41, 42,
                   13, 14, 15, 23, 24, 25, 33, 34, 35, 43, 44, 45});
}

TEST(MathBinary, EmptyAndScalarShapes) {
  Graph g;
  // [0,3] + [3] -> [0,3]; [2,0] * [1] -> [2,0]; scalar + scalar -> scalar.
  auto a = ops::Add(g, C<float>(g, {}, Shape{0, 3}), C<float>(g, {1, 2, 3}));
  Expect<float>(Eval(g, a), Shape{0, 3}, {});
  auto b = ops::Mul(g, C<int32_t>(g, {}, Shape{2, 0}), C<int32_t>(g, {7}));
  Expect<int32_t>(Eval(g, b), Shape{2, 0}, {});
  auto c = ops::Sub(g, ops::Const(g, int64_t{5}), ops::Const(g, int64_t{7}));
  Expect<int64_t>(Eval(g, c), Shape{}, {-2});
  // An empty output never divides: no "Integer division by zero".
  auto d = ops::FloorDiv(g, C<int32_t>(g, {}, Shape{0}), C<int32_t>(g, {0}));
  Expect<int32_t>(Eval(g, d), Shape{0}, {});
}

TEST(MathBinary, IncompatibleShapes) {
  Graph g;
  auto x = ops::Placeholder(g, DT_FLOAT, Shape::UnknownRank(), "x");
  auto y = ops::Placeholder(g, DT_FLOAT, Shape::UnknownRank(), "y");
  auto add = ops::Add(g, x, y, "add");
  // TensorFlow: "Incompatible shapes: [2,3] vs. [4]" from the BinaryOp kernel.
  EXPECT_THAT(Eval(g, add, {{"x", Tensor(DT_FLOAT, Shape{2, 3})}, {"y", Tensor(DT_FLOAT, Shape{4})}}),
              StatusIs(Code::kInvalidArgument, "Incompatible shapes: [2,3] vs. [4]"));
  EXPECT_THAT(Eval(g, add, {{"x", Tensor(DT_FLOAT, Shape{0})}, {"y", Tensor(DT_FLOAT, Shape{2})}}),
              StatusIs(Code::kInvalidArgument, "{{node add}}"));
}

TEST(MathBinary, StringAdd) {
  Graph g;
  // tf.add on strings concatenates, broadcasting like numbers.
  auto s = ops::Add(g, C<std::string>(g, {"a", "bc"}), ops::Const(g, Tensor::Scalar<std::string>("!")));
  Expect<std::string>(Eval(g, s), Shape{2}, {"a!", "bc!"});
}

TEST(MathBinary, IntegerDivisionSigns) {
  Graph g;
  auto x = C<int32_t>(g, {7, -7, 7, -7, 0, 6});
  auto y = C<int32_t>(g, {2, 2, -2, -2, 3, -4});
  // np.floor_divide(X,Y) -> [3,-4,-4,3,0,-2]; np.mod(X,Y) -> [1,1,-1,-1,0,-2]
  // np.trunc(X/Y) -> [3,-3,-3,3,0,-1] (Div truncates toward zero).
  Expect<int32_t>(Eval(g, ops::FloorDiv(g, x, y)), Shape{6}, {3, -4, -4, 3, 0, -2});
  Expect<int32_t>(Eval(g, ops::FloorMod(g, x, y)), Shape{6}, {1, 1, -1, -1, 0, -2});
  Expect<int32_t>(Eval(g, ops::Div(g, x, y)), Shape{6}, {3, -3, -3, 3, 0, -1});
  // Unsigned: plain division. 250 / 7 = 35, 250 // 7 = 35.
  auto u = ops::FloorDiv(g, C<uint8_t>(g, {250, 6}), C<uint8_t>(g, {7}));
  Expect<uint8_t>(Eval(g, u), Shape{2}, {35, 0});
}

TEST(MathBinary, IntegerDivisionByZeroIsAnError) {
  Graph g;
  auto x = C<int32_t>(g, {1, 2});
  auto zero = C<int32_t>(g, {1, 0});
  for (Output out : {ops::Div(g, x, zero), ops::FloorDiv(g, x, zero), ops::FloorMod(g, x, zero),
                     ops::Div(g, ops::Cast(g, x, DT_INT64), ops::Cast(g, zero, DT_INT64))})
    EXPECT_THAT(Eval(g, out), StatusIs(Code::kInvalidArgument, "Integer division by zero"));
  // Floats divide by zero as IEEE: [1,-1,0,3]/[0,0,0,2] -> [inf,-inf,nan,1.5].
  auto f = ops::RealDiv(g, C<float>(g, {1, -1, 0, 3}), C<float>(g, {0, 0, 0, 2}));
  Expect<float>(Eval(g, f), Shape{4}, {kInf, -kInf, kNaN, 1.5f});
  // DivNoNan: 0 wherever y == 0, even for x = NaN. 6/3 = 2.
  auto n = ops::DivNoNan(g, C<float>(g, {1, 0, kNaN, 6}), C<float>(g, {0, 0, 0, 3}));
  Expect<float>(Eval(g, n), Shape{4}, {0, 0, 0, 2});
}

TEST(MathBinary, IntegerEdgeValuesWrap) {
  Graph g;
  const int32_t kMin = std::numeric_limits<int32_t>::min(), kMax = std::numeric_limits<int32_t>::max();
  // np.array([2**31-1],int32) + int32(1) -> [-2147483648]
  Expect<int32_t>(Eval(g, ops::Add(g, C<int32_t>(g, {kMax}), C<int32_t>(g, {1}))), Shape{1}, {kMin});
  // np.array([250],uint8) + uint8(10) -> [4]; np.array([100],int8) * int8(3) -> [44]
  Expect<uint8_t>(Eval(g, ops::Add(g, C<uint8_t>(g, {250}), C<uint8_t>(g, {10}))), Shape{1}, {4});
  Expect<int8_t>(Eval(g, ops::Mul(g, C<int8_t>(g, {100}), C<int8_t>(g, {3}))), Shape{1}, {44});
  // kMin / -1 overflows; two's complement wraps back to kMin, and the
  // remainder is 0 (hand arithmetic; must not trap).
  auto m = C<int32_t>(g, {kMin});
  auto neg1 = C<int32_t>(g, {-1});
  Expect<int32_t>(Eval(g, ops::Div(g, m, neg1)), Shape{1}, {kMin});
  Expect<int32_t>(Eval(g, ops::FloorDiv(g, m, neg1)), Shape{1}, {kMin});
  Expect<int32_t>(Eval(g, ops::FloorMod(g, m, neg1)), Shape{1}, {0});
}

TEST(MathBinary, FloatFloorDivAndMod) {
  Graph g;
  auto x = C<float>(g, {-7.5f, 7.5f, -7.5f, 7.5f, 6});
  auto y = C<float>(g, {2, -2, -2, 2, -3});
  // FloorDiv on floats is floor(x / y): np.floor(X/Y) -> [-4,-4,3,3,-2]
  Expect<float>(Eval(g, ops::FloorDiv(g, x, y)), Shape{5}, {-4, -4, 3, 3, -2});
  // np.mod(X,Y) -> [0.5,-0.5,-1.5,1.5,-0.0]: the result takes y's sign.
  Expect<float>(Eval(g, ops::FloorMod(g, x, y)), Shape{5}, {0.5f, -0.5f, -1.5f, 1.5f, 0});
}

TEST(MathBinary, MaximumMinimumPropagateNaN) {
  Graph g;
  auto x = C<float>(g, {kNaN, 1, 2, -1});
  auto y = C<float>(g, {1, kNaN, 3, -kInf});
  // np.maximum -> [nan,nan,3,-1]; np.minimum -> [nan,nan,2,-inf]
  Expect<float>(Eval(g, ops::Maximum(g, x, y)), Shape{4}, {kNaN, kNaN, 3, -1});
  Expect<float>(Eval(g, ops::Minimum(g, x, y)), Shape{4}, {kNaN, kNaN, 2, -kInf});
  // Broadcast scalar, int64: max([-5,0,9], 1) -> [1,1,9].
  auto i = ops::Maximum(g, C<int64_t>(g, {-5, 0, 9}), ops::Const(g, int64_t{1}));
  Expect<int64_t>(Eval(g, i), Shape{3}, {1, 1, 9});
}

TEST(MathBinary, PowAndSquaredDifference) {
  Graph g;
  // TensorFlow's Pow doc: [[2,2],[3,3]] ^ [[8,16],[2,3]] = [[256,65536],[9,27]].
  auto p = ops::Pow(g, C<int32_t>(g, {2, 2, 3, 3}, Shape{2, 2}), C<int32_t>(g, {8, 16, 2, 3}, Shape{2, 2}));
  Expect<int32_t>(Eval(g, p), Shape{2, 2}, {256, 65536, 9, 27});
  // np.power([2,-2,0.25,4],[0.5,3,-1,0]) in float32 -> [1.4142135,-8,4,1]
  auto pf = ops::Pow(g, C<float>(g, {2, -2, 0.25f, 4}), C<float>(g, {0.5f, 3, -1, 0}));
  Expect<float>(Eval(g, pf), Shape{4}, {1.4142135381698608f, -8, 4, 1}, 1e-7);
  // TensorFlow: "Integers to negative integer powers are not allowed".
  auto bad = ops::Pow(g, C<int64_t>(g, {2}), C<int64_t>(g, {-1}));
  EXPECT_THAT(Eval(g, bad),
              StatusIs(Code::kInvalidArgument, "Integers to negative integer powers are not allowed"));
  // np.square(np.array([1,5,-3]) - 4) -> [9,1,49]
  auto sd = ops::SquaredDifference(g, C<int32_t>(g, {1, 5, -3}), C<int32_t>(g, {4}));
  Expect<int32_t>(Eval(g, sd), Shape{3}, {9, 1, 49});
  // np.square(np.array([1.5,-2]) - np.array([[0.5],[1]])) -> [[1,6.25],[0.25,9]]
  auto sdf = ops::SquaredDifference(g, C<float>(g, {1.5f, -2}), C<float>(g, {0.5f, 1}, Shape{2, 1}));
  Expect<float>(Eval(g, sdf), Shape{2, 2}, {1, 6.25f, 0.25f, 9});
}

TEST(MathBinary, LargeBroadcastUsesAllThreads) {
  // 300 x 1000 elements: above the split threshold. Expected by definition:
  // z[i][j] = x[i][j] + y[j] and w[i][j] = x[i][j] * c[i].
  const int64_t rows = 300, cols = 1000;
  std::vector<int64_t> xv(rows * cols), yv(cols), cv(rows);
  for (int64_t i = 0; i < rows * cols; ++i) xv[i] = i;
  for (int64_t j = 0; j < cols; ++j) yv[j] = 7 * j;
  for (int64_t i = 0; i < rows; ++i) cv[i] = i % 5 - 2;
  Graph g;
  auto x = C<int64_t>(g, xv, Shape{rows, cols});
  auto z = ops::Add(g, x, C<int64_t>(g, yv, Shape{cols}));
  auto w = ops::Mul(g, x, C<int64_t>(g, cv, Shape{rows, 1}));
  std::vector<int64_t> zv(rows * cols), wv(rows * cols);
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) {
      zv[i * cols + j] = xv[i * cols + j] + yv[j];
      wv[i * cols + j] = xv[i * cols + j] * cv[i];
    }
  Expect<int64_t>(Eval(g, z), Shape{rows, cols}, zv);
  Expect<int64_t>(Eval(g, w), Shape{rows, cols}, wv);
}

// ------------------------------------------------------------- comparisons

TEST(MathCompare, ComparisonsBroadcastAndNaN) {
  Graph g;
  auto x = C<float>(g, {1, 2, 3, kNaN}, Shape{2, 2});
  auto y = C<float>(g, {2, kNaN});
  // x = [[1,2],[3,nan]], y = [2,nan] (row): any comparison with NaN is false
  // except !=.
  Expect<bool>(Eval(g, ops::Less(g, x, y)), Shape{2, 2}, {true, false, false, false});
  Expect<bool>(Eval(g, ops::LessEqual(g, x, y)), Shape{2, 2}, {true, false, false, false});
  Expect<bool>(Eval(g, ops::Greater(g, x, y)), Shape{2, 2}, {false, false, true, false});
  Expect<bool>(Eval(g, ops::GreaterEqual(g, x, y)), Shape{2, 2}, {false, false, true, false});
  Expect<bool>(Eval(g, ops::Equal(g, x, y)), Shape{2, 2}, {false, false, false, false});
  Expect<bool>(Eval(g, ops::NotEqual(g, x, y)), Shape{2, 2}, {true, true, true, true});
  // Integers, strings and bools.
  Expect<bool>(Eval(g, ops::Less(g, C<int64_t>(g, {-1, 0, 1}), ops::Const(g, int64_t{0}))), Shape{3},
               {true, false, false});
  Expect<bool>(Eval(g, ops::Equal(g, C<std::string>(g, {"a", "b"}), C<std::string>(g, {"a", "c"}))),
               Shape{2}, {true, false});
  Expect<bool>(Eval(g, ops::NotEqual(g, C<bool>(g, {true, false}), C<bool>(g, {true}))), Shape{2},
               {false, true});
}

TEST(MathCompare, LogicalOps) {
  Graph g;
  auto a = C<bool>(g, {true, true, false, false}, Shape{2, 2});
  auto b = C<bool>(g, {true, false});
  // Truth tables, b broadcast as a row: a = [[T,T],[F,F]], b = [T,F].
  Expect<bool>(Eval(g, ops::LogicalAnd(g, a, b)), Shape{2, 2}, {true, false, false, false});
  Expect<bool>(Eval(g, ops::LogicalOr(g, a, b)), Shape{2, 2}, {true, true, true, false});
  Expect<bool>(Eval(g, ops::LogicalNot(g, b)), Shape{2}, {false, true});
}

// ------------------------------------------------------------------- unary

TEST(MathUnary, FloatFunctions) {
  Graph g;
  // NumPy float32: np.sqrt([0.25,1,4,100]) -> [0.5,1,2,10]; 1/np.sqrt -> [2,1,0.5,0.1]
  auto x = C<float>(g, {0.25f, 1, 4, 100});
  Expect<float>(Eval(g, ops::Sqrt(g, x)), Shape{4}, {0.5f, 1, 2, 10});
  Expect<float>(Eval(g, ops::Rsqrt(g, x)), Shape{4}, {2, 1, 0.5f, 0.10000000149011612f}, 1e-7);
  // 1/[4,-0.5,0,-0] -> [0.25,-2,inf,-inf]
  auto r = C<float>(g, {4, -0.5f, 0, -0.0f});
  Expect<float>(Eval(g, ops::Reciprocal(g, r)), Shape{4}, {0.25f, -2, kInf, -kInf});
  Expect<float>(Eval(g, ops::Inv(g, r)), Shape{4}, {0.25f, -2, kInf, -kInf});
  // np.exp([-1,0,1.5,-inf,inf,20]) -> [0.36787942,1,4.481689,0,inf,485165216]
  Expect<float>(Eval(g, ops::Exp(g, C<float>(g, {-1, 0, 1.5f, -kInf, kInf, 20}))), Shape{6},
                {0.3678794205188751f, 1, 4.481688976287842f, 0, kInf, 485165216.0f}, 1e-6);
  // np.log([1,0.5,0,-1,inf,10]) -> [0,-0.6931472,-inf,nan,inf,2.3025851]
  Expect<float>(Eval(g, ops::Log(g, C<float>(g, {1, 0.5f, 0, -1, kInf, 10}))), Shape{6},
                {0, -0.6931471824645996f, -kInf, kNaN, kInf, 2.3025851249694824f}, 1e-6);
  // np.sqrt(-1) -> nan
  Expect<float>(Eval(g, ops::Sqrt(g, C<float>(g, {-1}))), Shape{1}, {kNaN});
}

TEST(MathUnary, RoundingHalfToEven) {
  Graph g;
  auto x = C<float>(g, {0.5f, 1.5f, 2.5f, -0.5f, -1.5f, -2.5f, 2.4f, -2.6f, kNaN});
  // np.round (half to even, as tf.round) -> [0,2,2,-0,-2,-2,2,-3,nan]
  Expect<float>(Eval(g, ops::Round(g, x)), Shape{9}, {0, 2, 2, -0.0f, -2, -2, 2, -3, kNaN});
  // np.floor -> [0,1,2,-1,-2,-3,2,-3,nan]; np.ceil -> [1,2,3,-0,-1,-2,3,-2,nan]
  Expect<float>(Eval(g, ops::Floor(g, x)), Shape{9}, {0, 1, 2, -1, -2, -3, 2, -3, kNaN});
  Expect<float>(Eval(g, ops::Ceil(g, x)), Shape{9}, {1, 2, 3, -0.0f, -1, -2, 3, -2, kNaN});
  // Round on integers is the identity.
  Expect<int32_t>(Eval(g, ops::Round(g, C<int32_t>(g, {-3, 7}))), Shape{2}, {-3, 7});
}

TEST(MathUnary, SigmoidAndTanh) {
  Graph g;
  auto x = C<float>(g, {-2, 0, 1, 20, -100, kInf, -kInf});
  // float32 1/(1+np.exp(-x)) -> [0.11920293,0.5,0.7310586,1,0,1,0]
  Expect<float>(Eval(g, ops::Sigmoid(g, x)), Shape{7},
                {0.11920293420553207f, 0.5f, 0.7310585975646973f, 1, 0, 1, 0}, 1e-6);
  // np.tanh -> [-0.9640276,0,0.7615942,1,-1,1,-1]
  Expect<float>(Eval(g, ops::Tanh(g, x)), Shape{7},
                {-0.9640275835990906f, 0, 0.7615941762924194f, 1, -1, 1, -1}, 1e-6);
  // float64: 1/(1+np.exp(-[-2,0,1])) -> [0.11920292202211755,0.5,0.7310585786300049]
  Expect<double>(Eval(g, ops::Sigmoid(g, C<double>(g, {-2, 0, 1}))), Shape{3},
                 {0.11920292202211755, 0.5, 0.7310585786300049}, 1e-15);
}

TEST(MathUnary, IntegerNegAbsSignSquare) {
  Graph g;
  const int32_t kMin = std::numeric_limits<int32_t>::min(), kMax = std::numeric_limits<int32_t>::max();
  auto x = C<int32_t>(g, {1, -2, kMax, kMin});
  // NumPy int32: -x -> [-1,2,-2147483647,-2147483648]; np.abs -> [1,2,2147483647,-2147483648]
  Expect<int32_t>(Eval(g, ops::Neg(g, x)), Shape{4}, {-1, 2, -kMax, kMin});
  Expect<int32_t>(Eval(g, ops::Abs(g, x)), Shape{4}, {1, 2, kMax, kMin});
  Expect<int32_t>(Eval(g, ops::Sign(g, x)), Shape{4}, {1, -1, 1, -1});
  // np.square(int32 [3,-4,46341]) -> [9,16,-2147479015] (wraps)
  Expect<int32_t>(Eval(g, ops::Square(g, C<int32_t>(g, {3, -4, 46341}))), Shape{3}, {9, 16, -2147479015});
  // Float sign: np.sign([-2.5,0,3,-inf]) -> [-1,0,1,-1]. Sign(NaN) is 0 in
  // TensorFlow 1.x (Eigen computes (x > 0) - (x < 0), both false for NaN).
  Expect<float>(Eval(g, ops::Sign(g, C<float>(g, {-2.5f, 0, 3, -kInf, kNaN}))), Shape{5},
                {-1, 0, 1, -1, 0});
  Expect<float>(Eval(g, ops::Abs(g, C<float>(g, {-0.0f, -kInf, kNaN}))), Shape{3}, {0, kInf, kNaN});
}

TEST(MathUnary, Activations) {
  Graph g;
  auto x = C<float>(g, {-2, -0.5f, 0, 1.5f, kNaN});
  // Relu keeps NaN; relu([-2,-0.5,0,1.5,nan]) -> [0,0,0,1.5,nan]
  Expect<float>(Eval(g, ops::Relu(g, x)), Shape{5}, {0, 0, 0, 1.5f, kNaN});
  // relu6([-1,3,7,nan]) -> [0,3,6,nan]
  Expect<float>(Eval(g, ops::Relu6(g, C<float>(g, {-1, 3, 7, kNaN}))), Shape{4}, {0, 3, 6, kNaN});
  Expect<int32_t>(Eval(g, ops::Relu(g, C<int32_t>(g, {-3, 4}))), Shape{2}, {0, 4});
  // np.where(a<0, np.exp(a)-1, a) -> [-0.86466473,-0.39346933,0,1.5,nan]
  Expect<float>(Eval(g, ops::Elu(g, x)), Shape{5},
                {-0.8646647334098816f, -0.39346933364868164f, 0, 1.5f, kNaN}, 1e-6);
  // np.where(a<0, 1.7580993*(np.exp(a)-1), 1.0507009*a) -> [-1.5201665,-0.69175816,0,1.5760515,nan]
  Expect<float>(Eval(g, ops::Selu(g, x)), Shape{5},
                {-1.5201665163040161f, -0.6917581558227539f, 0, 1.5760514736175537f, kNaN}, 1e-6);
  // np.where(a>0, a, a*alpha): alpha 0.2 (default) and 0.1.
  Expect<float>(Eval(g, ops::LeakyRelu(g, x)), Shape{5}, {-0.4f, -0.1f, 0, 1.5f, kNaN}, 1e-7);
  Expect<float>(Eval(g, ops::LeakyRelu(g, x, 0.1f)), Shape{5}, {-0.2f, -0.05f, 0, 1.5f, kNaN}, 1e-7);
  // np.logaddexp(0, [-100,-20,-1,0,1,20,100]) in float32.
  Expect<float>(Eval(g, ops::Softplus(g, C<float>(g, {-100, -20, -1, 0, 1, 20, 100}))), Shape{7},
                {3.783505853677006e-44f, 2.06115369216775e-09f, 0.3132616877555847f,
                 0.6931471824645996f, 1.3132617473602295f, 20, 100},
                1e-6);
}

TEST(MathUnary, EmptyAndUnsupported) {
  Graph g;
  Expect<float>(Eval(g, ops::Exp(g, C<float>(g, {}, Shape{0, 2}))), Shape{0, 2}, {});
  // Exp allows half in its OpDef but tfport has no half kernel.
  auto h = ops::Placeholder(g, DT_HALF, Shape::UnknownRank(), "h");
  EXPECT_THAT(Eval(g, ops::Exp(g, h), {{"h", Tensor(DT_HALF, Shape{1})}}),
              StatusIs(Code::kInvalidArgument, "No OpKernel was registered to support Op 'Exp'"));
}

TEST(MathUnary, LargeInputUsesAllThreads) {
  // Expected by definition: relu(x) = max(x, 0), neg(x) = -x.
  const int64_t n = 200000;
  std::vector<float> x(n), relu(n), neg(n);
  for (int64_t i = 0; i < n; ++i) {
    x[i] = static_cast<float>(i % 7) - 3.0f;
    relu[i] = x[i] > 0 ? x[i] : 0;
    neg[i] = -x[i];
  }
  Graph g;
  auto c = C<float>(g, x, Shape{n});
  Expect<float>(Eval(g, ops::Relu(g, c)), Shape{n}, relu);
  Expect<float>(Eval(g, ops::Neg(g, c)), Shape{n}, neg);
}

// ------------------------------------------------------ Select, AddN, Cast

TEST(MathSelect, DocumentedExamples) {
  Graph g;
  // tf.where / Select documentation (TF1):
  // condition [[T,F],[F,T]], t [[1,2],[3,4]], e [[5,6],[7,8]] -> [[1,6],[7,4]]
  // condition [T,F] (one per row)                               -> [[1,2],[7,8]]
  auto t = C<int32_t>(g, {1, 2, 3, 4}, Shape{2, 2});
  auto e = C<int32_t>(g, {5, 6, 7, 8}, Shape{2, 2});
  auto same = ops::Select(g, C<bool>(g, {true, false, false, true}, Shape{2, 2}), t, e);
  Expect<int32_t>(Eval(g, same), Shape{2, 2}, {1, 6, 7, 4});
  auto rows = ops::Select(g, C<bool>(g, {true, false}), t, e);
  Expect<int32_t>(Eval(g, rows), Shape{2, 2}, {1, 2, 7, 8});
  // A scalar condition picks a whole tensor.
  auto scalar = ops::Select(g, ops::Const(g, false), t, e);
  Expect<int32_t>(Eval(g, scalar), Shape{2, 2}, {5, 6, 7, 8});
  // Strings and doubles go through the same paths.
  auto s = ops::Select(g, C<bool>(g, {false, true}), C<std::string>(g, {"a", "b"}),
                       C<std::string>(g, {"c", "d"}));
  Expect<std::string>(Eval(g, s), Shape{2}, {"c", "b"});
  auto d = ops::Select(g, C<bool>(g, {true, false}), C<double>(g, {1.5, 2.5}), C<double>(g, {-1, -2}));
  Expect<double>(Eval(g, d), Shape{2}, {1.5, -2});
}

TEST(MathSelect, Errors) {
  Graph g;
  auto c = ops::Placeholder(g, DT_BOOL, Shape::UnknownRank(), "c");
  auto t = ops::Placeholder(g, DT_FLOAT, Shape::UnknownRank(), "t");
  auto e = ops::Placeholder(g, DT_FLOAT, Shape::UnknownRank(), "e");
  auto sel = ops::Select(g, c, t, e, "sel");
  auto feeds = [](Shape cs, Shape ts, Shape es) {
    return std::vector<std::pair<std::string, Tensor>>{
        {"c", Tensor(DT_BOOL, cs)}, {"t", Tensor(DT_FLOAT, ts)}, {"e", Tensor(DT_FLOAT, es)}};
  };
  // TensorFlow's SelectOp messages.
  EXPECT_THAT(Eval(g, sel, feeds(Shape{}, Shape{2}, Shape{3})),
              StatusIs(Code::kInvalidArgument,
                       "'then' and 'else' must have the same size.  but received: [2] vs. [3]"));
  EXPECT_THAT(Eval(g, sel, feeds(Shape{3}, Shape{2, 2}, Shape{2, 2})),
              StatusIs(Code::kInvalidArgument,
                       "Number of batches of 'then' must match size of 'cond', but saw: 2 vs. 3"));
  EXPECT_THAT(Eval(g, sel, feeds(Shape{2, 2}, Shape{2, 3}, Shape{2, 3})),
              StatusIs(Code::kInvalidArgument,
                       "Inputs to operation sel of type Select must have the same size and shape.  "
                       "Input 0: [2,2] != input 1: [2,3]"));
  EXPECT_THAT(Eval(g, sel, feeds(Shape{2}, Shape{2}, Shape{3})),
              StatusIs(Code::kInvalidArgument, "Input 0: [2] != input 2: [3]"));
}

TEST(MathSelect, SelectV2Broadcasts) {
  Graph g;
  // np.where([[True],[False]], [[1,2,3]], -1) -> [[1,2,3],[-1,-1,-1]]
  auto out = ops::SelectV2(g, C<bool>(g, {true, false}, Shape{2, 1}), C<int32_t>(g, {1, 2, 3}, Shape{1, 3}),
                           ops::Const(g, int32_t{-1}));
  Expect<int32_t>(Eval(g, out), Shape{2, 3}, {1, 2, 3, -1, -1, -1});
  // Per-element condition against scalar branches: [T,F,T] -> [1,0,1].
  auto out2 = ops::SelectV2(g, C<bool>(g, {true, false, true}), ops::Const(g, 1.0f), ops::Const(g, 0.0f));
  Expect<float>(Eval(g, out2), Shape{3}, {1, 0, 1});
  auto bad = ops::SelectV2(g, C<bool>(g, {true, false}), C<float>(g, {1, 2, 3}), ops::Const(g, 0.0f));
  EXPECT_THAT(Eval(g, bad), StatusIs(Code::kInvalidArgument,
                                     "condition [2], then [3], and else [] must be broadcastable"));
}

TEST(MathSelect, AddN) {
  Graph g;
  // [1,2] + [10,20] + [100,200] = [111,222]
  auto sum = ops::AddN(g, {C<int32_t>(g, {1, 2}), C<int32_t>(g, {10, 20}), C<int32_t>(g, {100, 200})});
  Expect<int32_t>(Eval(g, sum), Shape{2}, {111, 222});
  auto one = ops::AddN(g, {C<float>(g, {1.5f})});
  Expect<float>(Eval(g, one), Shape{1}, {1.5f});
  auto a = ops::Placeholder(g, DT_FLOAT, Shape::UnknownRank(), "a");
  auto b = ops::Placeholder(g, DT_FLOAT, Shape::UnknownRank(), "b");
  auto bad = ops::AddN(g, {a, b}, "sum_ab");
  EXPECT_THAT(Eval(g, bad, {{"a", Tensor(DT_FLOAT, Shape{2})}, {"b", Tensor(DT_FLOAT, Shape{3})}}),
              StatusIs(Code::kInvalidArgument,
                       "Inputs to operation sum_ab of type AddN must have the same size and shape.  "
                       "Input 0: [2] != input 1: [3]"));
}

TEST(MathCast, FloatToIntegers) {
  Graph g;
  // np.array([1.9,-1.9,0.5,-0.5,2147483520],f32).astype(int32) -> [1,-1,0,0,2147483520]
  Expect<int32_t>(Eval(g, ops::Cast(g, C<float>(g, {1.9f, -1.9f, 0.5f, -0.5f, 2147483520.0f}), DT_INT32)),
                  Shape{5}, {1, -1, 0, 0, 2147483520});
  // NaN, inf and out-of-range values: x86-64's conversion result, as NumPy
  // (np.array([nan,inf,-inf,3e9],f32).astype(int32)) -> all -2147483648.
  const int32_t kMin = std::numeric_limits<int32_t>::min();
  Expect<int32_t>(Eval(g, ops::Cast(g, C<float>(g, {kNaN, kInf, -kInf, 3e9f}), DT_INT32)), Shape{4},
                  {kMin, kMin, kMin, kMin});
  // .astype(int8) of [300,-129,127.9] -> [44,127,127]; .astype(uint8) of [255.9,256,-1] -> [255,0,255]
  Expect<int8_t>(Eval(g, ops::Cast(g, C<float>(g, {300, -129, 127.9f}), DT_INT8)), Shape{3}, {44, 127, 127});
  Expect<uint8_t>(Eval(g, ops::Cast(g, C<float>(g, {255.9f, 256, -1}), DT_UINT8)), Shape{3}, {255, 0, 255});
  // .astype(uint64) of float32 [1.5, 2**64, -1] -> [1, 0, 18446744073709551615]
  Expect<uint64_t>(Eval(g, ops::Cast(g, C<float>(g, {1.5f, 18446744073709551616.0f, -1}), DT_UINT64)),
                   Shape{3}, {1, 0, 18446744073709551615ull});
  // float64 [2**32+512, -1].astype(uint32) -> [512, 4294967295]
  Expect<uint32_t>(Eval(g, ops::Cast(g, C<double>(g, {4294967808.0, -1}), DT_UINT32)), Shape{2},
                   {512, 4294967295u});
}

TEST(MathCast, IntegersBoolsAndFloats) {
  Graph g;
  // np.array([300,-1,255],int32).astype(uint8) -> [44,255,255]
  Expect<uint8_t>(Eval(g, ops::Cast(g, C<int32_t>(g, {300, -1, 255}), DT_UINT8)), Shape{3}, {44, 255, 255});
  // .astype(bool) of [0,-0.0,0.1,nan] -> [F,F,T,T]; bool -> float: [1,0]
  Expect<bool>(Eval(g, ops::Cast(g, C<float>(g, {0, -0.0f, 0.1f, kNaN}), DT_BOOL)), Shape{4},
               {false, false, true, true});
  Expect<float>(Eval(g, ops::Cast(g, C<bool>(g, {true, false}), DT_FLOAT)), Shape{2}, {1, 0});
  Expect<bool>(Eval(g, ops::Cast(g, C<int64_t>(g, {0, -5}), DT_BOOL)), Shape{2}, {false, true});
  // int64 [2**24+1, -(2**53)-1].astype(float32) -> [16777216, -9007199254740992]
  Expect<float>(Eval(g, ops::Cast(g, C<int64_t>(g, {16777217, -9007199254740993}), DT_FLOAT)), Shape{2},
                {16777216.0f, -9007199254740992.0f});
  // float64 [1/3, 1e40, -1e-50].astype(float32) -> [0.33333334, inf, -0]
  Expect<float>(Eval(g, ops::Cast(g, C<double>(g, {1.0 / 3, 1e40, -1e-50}), DT_FLOAT)), Shape{3},
                {0.3333333432674408f, kInf, -0.0f});
  // Same type: the input passes through.
  Expect<int32_t>(Eval(g, ops::Cast(g, C<int32_t>(g, {4}), DT_INT32)), Shape{1}, {4});
}

TEST(MathCast, HalfAndTruncate) {
  Graph g;
  // np.array([1/3, 65520, 1e-8],f32).astype(float16).view(uint16) -> [13653, 31744, 0]
  auto h = ops::Cast(g, C<float>(g, {1.0f / 3, 65520, 1e-8f}), DT_HALF);
  Result<Tensor> hr = Eval(g, h);
  ASSERT_TRUE(hr.ok()) << hr.status().ToString();
  ASSERT_EQ(hr->dtype(), DT_HALF);
  const auto* bits = static_cast<const uint16_t*>(hr->data());
  EXPECT_EQ(bits[0], 13653);
  EXPECT_EQ(bits[1], 31744);
  EXPECT_EQ(bits[2], 0);
  // Back to float: np.array([0x3555, 0x7c00],uint16).view(float16).astype(f32) -> [0.33325195, inf]
  Expect<float>(Eval(g, ops::Cast(g, h, DT_FLOAT)), Shape{3}, {0.333251953125f, kInf, 0});
  // Truncate=true drops the bits float cannot hold instead of rounding:
  // (np.array([1/3,2/3]).view(uint64) & ~(2**29-1)).view(float64).astype(f32)
  //   -> [0.33333331, 0.66666663]; rounding gives 0.33333334, 0.6666667.
  auto t = ops::Cast(g, C<double>(g, {1.0 / 3, 2.0 / 3}), DT_FLOAT, "", /*truncate=*/true);
  Expect<float>(Eval(g, t), Shape{2}, {0.3333333134651184f, 0.6666666269302368f});
}

TEST(MathCast, UnsupportedTypes) {
  Graph g;
  auto s = ops::Cast(g, C<std::string>(g, {"1"}), DT_FLOAT);
  // TensorFlow: "Cast string to float is not supported" (UNIMPLEMENTED).
  EXPECT_THAT(Eval(g, s), StatusIs(Code::kUnimplemented, "Cast string to float is not supported"));
}

// -------------------------------------------------------------- reductions

TEST(MathReduce, SumAxesAndKeepDims) {
  Graph g;
  auto x = C<float>(g, {1, 2, 3, 4, 5, 6}, Shape{2, 3});
  // x.sum(0) -> [5,7,9]; x.sum(1) -> [6,15]; x.sum() -> 21; x.sum(-1, keepdims=True) -> [[6],[15]]
  Expect<float>(Eval(g, ops::Sum(g, x, 0)), Shape{3}, {5, 7, 9});
  Expect<float>(Eval(g, ops::Sum(g, x, {1})), Shape{2}, {6, 15});
  Expect<float>(Eval(g, ops::Sum(g, x, {0, 1})), Shape{}, {21});
  Expect<float>(Eval(g, ops::Sum(g, x, {-1}, true)), Shape{2, 1}, {6, 15});
  Expect<float>(Eval(g, ops::Sum(g, x, {1, 0}, true)), Shape{1, 1}, {21});
  // No axes: the input unchanged.
  Expect<float>(Eval(g, ops::Sum(g, x, std::vector<int64_t>{})), Shape{2, 3}, {1, 2, 3, 4, 5, 6});
  // int64 reduction indices.
  auto axes64 = ops::Const(g, Tensor::Scalar<int64_t>(1));
  Expect<float>(Eval(g, ops::Sum(g, x, axes64)), Shape{2}, {6, 15});
  // Size-1 dims: np.array([[[1],[2],[3]]]).sum(0) -> [[1],[2],[3]]
  Expect<float>(Eval(g, ops::Sum(g, C<float>(g, {1, 2, 3}, Shape{1, 3, 1}), 0)), Shape{3, 1}, {1, 2, 3});
}

TEST(MathReduce, InterleavedAxes) {
  Graph g;
  std::vector<int32_t> v(24);
  for (int i = 0; i < 24; ++i) v[i] = i;
  auto a = C<int32_t>(g, v, Shape{2, 3, 4});  // np.arange(24).reshape(2,3,4)
  // a.sum((0,2)) -> [60,92,124]; a.sum(1) -> [[12,15,18,21],[48,51,54,57]]
  Expect<int32_t>(Eval(g, ops::Sum(g, a, {0, 2})), Shape{3}, {60, 92, 124});
  Expect<int32_t>(Eval(g, ops::Sum(g, a, 1)), Shape{2, 4}, {12, 15, 18, 21, 48, 51, 54, 57});
  // (a+1).prod(2) -> [[24,1680,11880],[43680,116280,255024]]
  auto a1 = ops::Add(g, a, ops::Const(g, int32_t{1}));
  Expect<int32_t>(Eval(g, ops::Prod(g, a1, 2)), Shape{2, 3}, {24, 1680, 11880, 43680, 116280, 255024});
  // a.max((0,1)) -> [20,21,22,23]; a.min(2, keepdims=True) -> [[[0],[4],[8]],[[12],[16],[20]]]
  Expect<int32_t>(Eval(g, ops::Max(g, a, {0, 1})), Shape{4}, {20, 21, 22, 23});
  Expect<int32_t>(Eval(g, ops::Min(g, a, 2, true)), Shape{2, 3, 1}, {0, 4, 8, 12, 16, 20});
}

TEST(MathReduce, MeanFloatAndInteger) {
  Graph g;
  // np.array([[1,2],[3,5]],f32).mean(0) -> [2,3.5]
  Expect<float>(Eval(g, ops::Mean(g, C<float>(g, {1, 2, 3, 5}, Shape{2, 2}), 0)), Shape{2}, {2, 3.5f});
  // Integer mean divides integrally: [[1,2],[3,4]] -> axis 0: [4/2, 6/2] = [2,3];
  // axis 1: [3/2, 7/2] = [1,3]; [-3,-4] -> -7/2 truncates to -3.
  auto m = C<int32_t>(g, {1, 2, 3, 4}, Shape{2, 2});
  Expect<int32_t>(Eval(g, ops::Mean(g, m, 0)), Shape{2}, {2, 3});
  Expect<int32_t>(Eval(g, ops::Mean(g, m, 1)), Shape{2}, {1, 3});
  Expect<int32_t>(Eval(g, ops::Mean(g, C<int32_t>(g, {-3, -4}), 0)), Shape{}, {-3});
}

TEST(MathReduce, MaxMinPropagateNaN) {
  Graph g;
  auto x = C<float>(g, {1, kNaN, 3, 4, 5, 6}, Shape{2, 3});
  // np.max(..., axis=1) -> [nan,6]; np.min(..., axis=1) -> [nan,4]
  Expect<float>(Eval(g, ops::Max(g, x, 1)), Shape{2}, {kNaN, 6});
  Expect<float>(Eval(g, ops::Min(g, x, 1)), Shape{2}, {kNaN, 4});
}

TEST(MathReduce, EmptyReductionsGiveIdentity) {
  Graph g;
  auto f = C<float>(g, {}, Shape{0, 3});
  // np.zeros((0,3)).sum(0) -> [0,0,0]; .prod(0) -> [1,1,1]; max/min of
  // nothing: the reducer's identity -inf / +inf; mean 0/0 = NaN.
  Expect<float>(Eval(g, ops::Sum(g, f, 0)), Shape{3}, {0, 0, 0});
  Expect<float>(Eval(g, ops::Prod(g, f, 0)), Shape{3}, {1, 1, 1});
  Expect<float>(Eval(g, ops::Max(g, f, 0)), Shape{3}, {-kInf, -kInf, -kInf});
  Expect<float>(Eval(g, ops::Min(g, f, 0)), Shape{3}, {kInf, kInf, kInf});
  Expect<float>(Eval(g, ops::Mean(g, f, 0)), Shape{3}, {kNaN, kNaN, kNaN});
  // Integers: lowest / highest; Mean of nothing is 0.
  auto i = C<int32_t>(g, {}, Shape{0});
  Expect<int32_t>(Eval(g, ops::Max(g, i, 0)), Shape{}, {std::numeric_limits<int32_t>::min()});
  Expect<int32_t>(Eval(g, ops::Min(g, i, 0)), Shape{}, {std::numeric_limits<int32_t>::max()});
  Expect<int32_t>(Eval(g, ops::Mean(g, i, 0)), Shape{}, {0});
  // Reducing the non-empty axis of an empty tensor gives an empty output.
  Expect<float>(Eval(g, ops::Sum(g, f, 1)), Shape{0}, {});
  // All of nothing is true, Any of nothing is false.
  auto b = C<bool>(g, {}, Shape{0});
  Expect<bool>(Eval(g, ops::All(g, b, 0)), Shape{}, {true});
  Expect<bool>(Eval(g, ops::Any(g, b, 0)), Shape{}, {false});
}

TEST(MathReduce, AllAny) {
  Graph g;
  auto b = C<bool>(g, {true, false, true, true, true, true}, Shape{2, 3});
  // b.all(1) -> [F,T]; b.any(0) -> [T,T,T]; b.all() -> F
  Expect<bool>(Eval(g, ops::All(g, b, 1)), Shape{2}, {false, true});
  Expect<bool>(Eval(g, ops::Any(g, b, 0)), Shape{3}, {true, true, true});
  Expect<bool>(Eval(g, ops::All(g, b, {0, 1})), Shape{}, {false});
}

TEST(MathReduce, Errors) {
  Graph g;
  auto x = C<float>(g, {1, 2, 3, 4}, Shape{2, 2});
  // TensorFlow's ReductionHelper messages (the missing ')' is theirs).
  EXPECT_THAT(Eval(g, ops::Sum(g, x, 2)),
              StatusIs(Code::kInvalidArgument, "Invalid reduction dimension (2 for input with 2 dimension(s)"));
  EXPECT_THAT(Eval(g, ops::Max(g, x, -3)),
              StatusIs(Code::kInvalidArgument, "Invalid reduction dimension (-3 for input with 2 dimension(s)"));
  EXPECT_THAT(Eval(g, ops::Sum(g, x, {0, -2})),
              StatusIs(Code::kInvalidArgument,
                       "Invalid reduction arguments: Axes contains duplicate dimension: 0"));
  EXPECT_THAT(Eval(g, ops::Sum(g, ops::Const(g, 1.0f), 0)),
              StatusIs(Code::kInvalidArgument, "Invalid reduction dimension (0 for input with 0 dimension(s)"));
}

TEST(MathReduce, LargeInputsUseAllThreads) {
  // Expected by arithmetic: sum(0..n-1) = n(n-1)/2; column j of the
  // [rows, cols] matrix v[i][j] = i*cols + j sums to cols*rows(rows-1)/2 + rows*j;
  // row i sums to cols*(i*cols) + cols(cols-1)/2.
  const int64_t rows = 1000, cols = 300, n = rows * cols;
  std::vector<int64_t> v(n);
  for (int64_t i = 0; i < n; ++i) v[i] = i;
  Graph g;
  auto flat = C<int64_t>(g, v, Shape{n});
  auto m = C<int64_t>(g, v, Shape{rows, cols});
  Expect<int64_t>(Eval(g, ops::Sum(g, flat, 0)), Shape{}, {n * (n - 1) / 2});
  std::vector<int64_t> col(cols), row(rows), colmax(cols);
  for (int64_t j = 0; j < cols; ++j) {
    col[j] = cols * rows * (rows - 1) / 2 + rows * j;
    colmax[j] = (rows - 1) * cols + j;
  }
  for (int64_t i = 0; i < rows; ++i) row[i] = cols * (i * cols) + cols * (cols - 1) / 2;
  Expect<int64_t>(Eval(g, ops::Sum(g, m, 0)), Shape{cols}, col);
  Expect<int64_t>(Eval(g, ops::Sum(g, m, 1)), Shape{rows}, row);
  Expect<int64_t>(Eval(g, ops::Max(g, m, 0)), Shape{cols}, colmax);
  // A [2, n/2] matrix reduced over its long axis splits the reduced axis.
  auto wide = C<int64_t>(g, v, Shape{2, n / 2});
  const int64_t h = n / 2;
  Expect<int64_t>(Eval(g, ops::Sum(g, wide, 1)), Shape{2}, {h * (h - 1) / 2, h * h + h * (h - 1) / 2});
  // A NaN anywhere in a large float reduction comes out.
  std::vector<float> f(n, 1.0f);
  f[n / 2 + 17] = kNaN;
  Expect<float>(Eval(g, ops::Max(g, C<float>(g, f, Shape{n}), 0)), Shape{}, {kNaN});
  // Float sum of n ones is exactly n (all partial sums are small integers).
  f[n / 2 + 17] = 1.0f;
  Expect<float>(Eval(g, ops::Sum(g, C<float>(g, f, Shape{n}), 0)), Shape{}, {static_cast<float>(n)});
}

// ---------------------------------------------------------- ArgMax/ArgMin

TEST(MathArgMax, DocumentedExample) {
  Graph g;
  // tf.math.argmax documentation: A = [2,20,30,3,6] -> 2;
  // B = [[2,20,30,3,6],[3,11,16,1,8],[14,45,23,5,27]]: axis 0 -> [2,2,0,2,2], axis 1 -> [2,2,1].
  Expect<int64_t>(Eval(g, ops::ArgMax(g, C<int32_t>(g, {2, 20, 30, 3, 6}), 0)), Shape{}, {2});
  auto b = C<int32_t>(g, {2, 20, 30, 3, 6, 3, 11, 16, 1, 8, 14, 45, 23, 5, 27}, Shape{3, 5});
  Expect<int64_t>(Eval(g, ops::ArgMax(g, b, 0)), Shape{5}, {2, 2, 0, 2, 2});
  Expect<int64_t>(Eval(g, ops::ArgMax(g, b, 1)), Shape{3}, {2, 2, 1});
  // B.argmin(0) -> [0,1,1,1,0]; B.argmin(-1) -> [0,3,3], output_type int32.
  Expect<int64_t>(Eval(g, ops::ArgMin(g, b, 0)), Shape{5}, {0, 1, 1, 1, 0});
  Expect<int32_t>(Eval(g, ops::ArgMin(g, b, -1, DT_INT32)), Shape{3}, {0, 3, 3});
}

TEST(MathArgMax, TiesNaNAndMiddleAxis) {
  Graph g;
  // Ties: the first occurrence.
  Expect<int64_t>(Eval(g, ops::ArgMax(g, C<float>(g, {1, 3, 3}), 0)), Shape{}, {1});
  Expect<int64_t>(Eval(g, ops::ArgMin(g, C<float>(g, {2, 1, 1}), 0)), Shape{}, {1});
  // NaN never compares greater, so TensorFlow's reducer skips it; all-NaN
  // keeps the initial index 0 (hand-traced from its "replace when strictly
  // greater" rule).
  Expect<int64_t>(Eval(g, ops::ArgMax(g, C<float>(g, {1, kNaN, 3, kNaN}), 0)), Shape{}, {2});
  Expect<int64_t>(Eval(g, ops::ArgMax(g, C<float>(g, {kNaN, kNaN}), 0)), Shape{}, {0});
  // C = np.arange(24).reshape(2,3,4) % 5: C.argmax(1) -> [[1,2,0,0],[0,0,0,1]],
  // C.argmin(1) -> [[0,1,2,2],[2,2,2,0]].
  std::vector<float> c(24);
  for (int i = 0; i < 24; ++i) c[i] = static_cast<float>(i % 5);
  auto cc = C<float>(g, c, Shape{2, 3, 4});
  Expect<int64_t>(Eval(g, ops::ArgMax(g, cc, 1)), Shape{2, 4}, {1, 2, 0, 0, 0, 0, 0, 1});
  Expect<int64_t>(Eval(g, ops::ArgMin(g, cc, 1)), Shape{2, 4}, {0, 1, 2, 2, 2, 2, 2, 0});
}

TEST(MathArgMax, Errors) {
  Graph g;
  auto x = C<float>(g, {1, 2, 3, 4}, Shape{2, 2});
  // TensorFlow's ArgOp messages.
  EXPECT_THAT(Eval(g, ops::ArgMax(g, x, 2)),
              StatusIs(Code::kInvalidArgument, "Expected dimension in the range [-2, 2), but got 2"));
  EXPECT_THAT(Eval(g, ops::ArgMax(g, x, {0, 1})),
              StatusIs(Code::kInvalidArgument, "dim must be a scalar, but received tensor of shape: [2]"));
  EXPECT_THAT(Eval(g, ops::ArgMin(g, C<float>(g, {}, Shape{2, 0}), 1)),
              StatusIs(Code::kInvalidArgument, "Reduction axis 1 is empty in shape [2,0]"));
}

TEST(MathArgMax, LargeInputsUseAllThreads) {
  // v[i][j] = (i * 7 + j * 3) % 1000 over [400, 300]: expected computed by
  // the definition (first index of the extreme value).
  const int64_t rows = 400, cols = 300;
  std::vector<int32_t> v(rows * cols);
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) v[i * cols + j] = static_cast<int32_t>((i * 7 + j * 3) % 1000);
  std::vector<int64_t> by_col(cols), by_row(rows);
  for (int64_t j = 0; j < cols; ++j) {
    int64_t best = 0;
    for (int64_t i = 1; i < rows; ++i)
      if (v[i * cols + j] > v[best * cols + j]) best = i;
    by_col[j] = best;
  }
  for (int64_t i = 0; i < rows; ++i) {
    int64_t best = 0;
    for (int64_t j = 1; j < cols; ++j)
      if (v[i * cols + j] < v[i * cols + best]) best = j;
    by_row[i] = best;
  }
  Graph g;
  auto m = C<int32_t>(g, v, Shape{rows, cols});
  Expect<int64_t>(Eval(g, ops::ArgMax(g, m, 0)), Shape{cols}, by_col);
  Expect<int64_t>(Eval(g, ops::ArgMin(g, m, 1)), Shape{rows}, by_row);
}

// ------------------------------------------------------ graph construction

TEST(MathGraph, DefaultsNamesAndShapes) {
  Graph g;
  auto x = ops::Placeholder(g, DT_FLOAT, Shape{4, 3, 2}, "x");
  auto sum = ops::Sum(g, x, {0, 2}, true);
  auto mean = ops::Mean(g, x, {-1});
  auto arg = ops::ArgMax(g, x, 1);
  auto cast = ops::Cast(g, x, DT_INT32);
  auto leaky = ops::LeakyRelu(g, x);
  auto sel = ops::SelectV2(g, ops::Placeholder(g, DT_BOOL, Shape{3, 1}), x, ops::Const(g, 0.0f));
  ASSERT_TRUE(g.status().ok()) << g.status().ToString();
  // TF1 Python names the axes Const inside the op's scope.
  EXPECT_EQ(sum.node->name(), "Sum");
  EXPECT_EQ(sum.node->input(1).node->name(), "Sum/reduction_indices");
  EXPECT_EQ(arg.node->input(1).node->name(), "ArgMax/dimension");
  // OpDef defaults (TF 1.x): keep_dims=false, Tidx=int32, output_type=int64,
  // Truncate=false, alpha=0.2.
  EXPECT_FALSE(graph::GetBoolAttr(mean.node->def(), "keep_dims").value());
  EXPECT_EQ(graph::GetTypeAttr(sum.node->def(), "Tidx").value(), DT_INT32);
  EXPECT_EQ(arg.dtype(), DT_INT64);
  EXPECT_FALSE(graph::GetBoolAttr(cast.node->def(), "Truncate").value());
  EXPECT_EQ(graph::GetTypeAttr(cast.node->def(), "SrcT").value(), DT_FLOAT);
  EXPECT_FLOAT_EQ(graph::GetFloatAttr(leaky.node->def(), "alpha").value(), 0.2f);
  // Static shapes.
  EXPECT_EQ(sum.shape(), (Shape{1, 3, 1}));
  EXPECT_EQ(mean.shape(), (Shape{4, 3}));
  EXPECT_EQ(arg.shape(), (Shape{4, 2}));
  EXPECT_EQ(sel.shape(), (Shape{4, 3, 2}));
  EXPECT_EQ(cast.dtype(), DT_INT32);
  // A dtype the OpDef does not allow is rejected while building.
  Graph g2;
  ops::Sqrt(g2, ops::Const(g2, int32_t{4}));
  EXPECT_THAT(g2.status(), StatusIs(Code::kInvalidArgument, "Sqrt"));
}

}  // namespace
}  // namespace tfport
