// The array family run through a Session: shapes, reshaping, joining and
// splitting, slicing, tiling, padding, generators and indexing ops.
//
// Expected values come from TensorFlow's op documentation examples (named
// per test), hand arithmetic shown in comments, or NumPy: those were computed
// with /usr/bin/python3 (numpy 1.24.2) while writing the tests, and the
// command is quoted next to the values.
#include <complex>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/status_matchers.h"
#include "tfport/graph/array_ops.h"
#include "tfport/kernels/kernels.h"

namespace tfport {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using tfport::testing::StatusIs;

class ArrayTest : public ::testing::Test {
 protected:
  template <typename T>
  ops::Output Const(const std::vector<T>& v, Shape s) {
    return ops::Const(g_, Tensor::FromVector<T>(v, std::move(s)));
  }
  ops::Output Ints(const std::vector<int32_t>& v) {
    return Const<int32_t>(v, Shape{static_cast<int64_t>(v.size())});
  }
  ops::Output Int(int32_t v) { return ops::Const(g_, v); }
  // 0, 1, ..., n-1 of dtype T in `shape` (NumPy's arange(n).reshape(shape)).
  template <typename T>
  ops::Output Iota(Shape s) {
    std::vector<T> v(static_cast<size_t>(s.num_elements()));
    for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<T>(i);
    return Const<T>(v, std::move(s));
  }

  Result<std::vector<Tensor>> Run(const std::vector<ops::Output>& fetches) {
    if (!g_.status().ok()) return g_.status();
    std::vector<std::string> names;
    for (const auto& f : fetches) names.push_back(f.name());
    if (!session_) session_ = kernels::NewSession(g_);
    return session_->Run({}, names);
  }
  Result<Tensor> Run1(ops::Output fetch) {
    TFPORT_ASSIGN_OR_RETURN(std::vector<Tensor> out, Run({fetch}));
    return out[0];
  }
  Status RunStatus(ops::Output fetch) { return Run1(fetch).status(); }

  template <typename T>
  static std::vector<T> Values(const Tensor& t) {
    auto f = t.flat<T>();
    return std::vector<T>(f.begin(), f.end());
  }

  graph::Graph g_;
  std::unique_ptr<runtime::Session> session_;
};

#define ASSERT_OK_AND_ASSIGN(lhs, expr)                     \
  auto lhs##_result = (expr);                               \
  ASSERT_TRUE(lhs##_result.ok()) << lhs##_result.status().ToString(); \
  auto lhs = std::move(*lhs##_result)

// ---------------------------------------------------------------- shapes

using ArrayShape = ArrayTest;

TEST_F(ArrayShape, ShapeSizeRank) {
  auto x = Iota<float>(Shape{2, 3});
  auto empty = Const<float>({}, Shape{0, 4});
  auto shape = ops::Shape(g_, x);
  auto shape64 = ops::Shape(g_, x, DT_INT64);
  auto size = ops::Size(g_, x);
  auto rank = ops::Rank(g_, x);
  auto size0 = ops::Size(g_, empty, DT_INT64);
  auto shapes = ops::ShapeN(g_, {x, empty});
  ASSERT_EQ(shapes.size(), 2u);
  // Static shapes: Shape of a rank-2 tensor is a 2-vector; Size/Rank scalars.
  EXPECT_EQ(shape.shape(), (Shape{2}));
  EXPECT_EQ(size.shape(), (Shape{}));
  ASSERT_OK_AND_ASSIGN(out, Run({shape, shape64, size, rank, size0, shapes[0], shapes[1]}));
  EXPECT_THAT(Values<int32_t>(out[0]), ElementsAre(2, 3));
  EXPECT_THAT(Values<int64_t>(out[1]), ElementsAre(2, 3));
  EXPECT_EQ(out[2].scalar<int32_t>(), 6);  // 2 * 3
  EXPECT_EQ(out[3].scalar<int32_t>(), 2);
  EXPECT_EQ(out[4].scalar<int64_t>(), 0);
  EXPECT_THAT(Values<int32_t>(out[5]), ElementsAre(2, 3));
  EXPECT_THAT(Values<int32_t>(out[6]), ElementsAre(0, 4));
}

TEST_F(ArrayShape, ReshapeInfersMinusOneAndSharesTheBuffer) {
  auto x = Iota<float>(Shape{2, 3});
  auto r = ops::Reshape(g_, x, Ints({3, -1}));
  EXPECT_EQ(r.shape(), (Shape{3, 2}));  // static: 6 / 3
  auto scalar = ops::Reshape(g_, Const<int32_t>({7}, Shape{1, 1}), Ints({}));
  ASSERT_OK_AND_ASSIGN(out, Run({x, r, scalar}));
  EXPECT_EQ(out[1].shape(), (Shape{3, 2}));
  EXPECT_THAT(Values<float>(out[1]), ElementsAre(0, 1, 2, 3, 4, 5));
  EXPECT_TRUE(out[1].SharesBufferWith(out[0]));
  EXPECT_EQ(out[2].shape(), (Shape{}));
  EXPECT_EQ(out[2].scalar<int32_t>(), 7);
}

TEST_F(ArrayShape, ReshapeErrors) {
  auto x = Iota<float>(Shape{2, 3});
  // TensorFlow's reshape_op.h wording.
  EXPECT_THAT(RunStatus(ops::Reshape(g_, x, Ints({2, 2}))),
              StatusIs(Code::kInvalidArgument,
                       "Input to reshape is a tensor with 6 values, but the requested shape has 4"));
  EXPECT_THAT(RunStatus(ops::Reshape(g_, x, Ints({4, -1}))),
              StatusIs(Code::kInvalidArgument, "requested shape requires a multiple of 4"));
  EXPECT_THAT(RunStatus(ops::Reshape(g_, x, Ints({-1, -1}))),
              StatusIs(Code::kInvalidArgument, "Only one input size may be -1, not both 0 and 1"));
  EXPECT_THAT(RunStatus(ops::Reshape(g_, x, Ints({-2, 3}))),
              StatusIs(Code::kInvalidArgument, "Size 0 must be non-negative, not -2"));
  EXPECT_THAT(RunStatus(ops::Reshape(g_, Const<float>({}, Shape{0, 2}), Ints({0, -1}))),
              StatusIs(Code::kInvalidArgument, "cannot infer the missing input size"));
  EXPECT_THAT(RunStatus(ops::Reshape(g_, x, Const<int32_t>({6, 1}, Shape{1, 2}))),
              StatusIs(Code::kInvalidArgument, "sizes input must be 1-D, not [1,2]"));
}

TEST_F(ArrayShape, SqueezeAndExpandDims) {
  auto x = Iota<int32_t>(Shape{1, 2, 1, 3});
  auto all = ops::Squeeze(g_, x);
  auto one = ops::Squeeze(g_, x, {-2});
  auto e0 = ops::ExpandDims(g_, Iota<int32_t>(Shape{2, 3}), Int(0));
  auto e_last = ops::ExpandDims(g_, Iota<int32_t>(Shape{2, 3}), Int(-1));
  auto e_scalar = ops::ExpandDims(g_, Int(5), Int(0));
  // tf.squeeze docs: shape [1, 2, 1, 3, 1, 1] squeezes to [2, 3]; with
  // axis [2, 4] to [1, 2, 3, 1]. Same rule here on [1, 2, 1, 3].
  EXPECT_EQ(all.shape(), (Shape{2, 3}));
  EXPECT_EQ(one.shape(), (Shape{1, 2, 3}));
  EXPECT_EQ(e_last.shape(), (Shape{2, 3, 1}));
  ASSERT_OK_AND_ASSIGN(out, Run({all, one, e0, e_last, e_scalar}));
  EXPECT_EQ(out[0].shape(), (Shape{2, 3}));
  EXPECT_EQ(out[1].shape(), (Shape{1, 2, 3}));
  EXPECT_EQ(out[2].shape(), (Shape{1, 2, 3}));
  EXPECT_EQ(out[3].shape(), (Shape{2, 3, 1}));
  EXPECT_EQ(out[4].shape(), (Shape{1}));
  EXPECT_THAT(Values<int32_t>(out[3]), ElementsAre(0, 1, 2, 3, 4, 5));
  EXPECT_THAT(RunStatus(ops::Squeeze(g_, x, {1})),
              StatusIs(Code::kInvalidArgument,
                       "Can not squeeze dim[1], expected a dimension of 1, got 2"));
  EXPECT_THAT(RunStatus(ops::Squeeze(g_, x, {4})),
              StatusIs(Code::kInvalidArgument,
                       "Tried to squeeze dim index 4 for tensor with 4 dimensions."));
  EXPECT_THAT(RunStatus(ops::ExpandDims(g_, Iota<int32_t>(Shape{2, 3}), Int(3))),
              StatusIs(Code::kInvalidArgument,
                       "Tried to expand dim index 3 for tensor with 2 dimensions."));
}

TEST_F(ArrayShape, TransposeAndInvertPermutation) {
  auto x = Iota<float>(Shape{2, 3, 4});
  auto t = ops::Transpose(g_, x, Ints({2, 0, 1}));
  EXPECT_EQ(t.shape(), (Shape{4, 2, 3}));
  auto s = ops::Transpose(g_, Const<std::string>({"a", "b", "c", "d", "e", "f"}, Shape{2, 3}),
                          Ints({1, 0}));
  // tf.math.invert_permutation docs: [3, 4, 0, 2, 1] -> [2, 4, 3, 0, 1].
  auto inv = ops::InvertPermutation(g_, Ints({3, 4, 0, 2, 1}));
  auto empty = ops::Transpose(g_, Const<float>({}, Shape{0, 3}), Ints({1, 0}));
  ASSERT_OK_AND_ASSIGN(out, Run({t, s, inv, empty}));
  // python3 -c "import numpy as np; print(np.arange(24).reshape(2,3,4).transpose(2,0,1).flatten().tolist())"
  EXPECT_EQ(out[0].shape(), (Shape{4, 2, 3}));
  EXPECT_THAT(Values<float>(out[0]),
              ElementsAreArray<float>({0, 4, 8, 12, 16, 20, 1, 5, 9, 13, 17, 21,
                                       2, 6, 10, 14, 18, 22, 3, 7, 11, 15, 19, 23}));
  EXPECT_THAT(Values<std::string>(out[1]), ElementsAre("a", "d", "b", "e", "c", "f"));
  EXPECT_THAT(Values<int32_t>(out[2]), ElementsAre(2, 4, 3, 0, 1));
  EXPECT_EQ(out[3].shape(), (Shape{3, 0}));
  EXPECT_THAT(RunStatus(ops::Transpose(g_, x, Ints({0, 0, 1}))),
              StatusIs(Code::kInvalidArgument, "2 is missing from {0,0,1}."));
  EXPECT_THAT(RunStatus(ops::Transpose(g_, x, Ints({1, 0}))),
              StatusIs(Code::kInvalidArgument,
                       "transpose expects a vector of size 3. But input(1) is a vector of size 2"));
  EXPECT_THAT(RunStatus(ops::Transpose(g_, x, Ints({0, 1, 3}))),
              StatusIs(Code::kInvalidArgument, "3 is out of range [0 .. 3)"));
  EXPECT_THAT(RunStatus(ops::InvertPermutation(g_, Ints({0, 0}))),
              StatusIs(Code::kInvalidArgument, "0 is duplicated in the input."));
}

// ---------------------------------------------------------------- joining and splitting

using ArrayConcat = ArrayTest;

TEST_F(ArrayConcat, ConcatV2DocExamples) {
  // tf.concat docs: t1 = [[1, 2, 3], [4, 5, 6]], t2 = [[7, 8, 9], [10, 11, 12]].
  auto t1 = Const<int32_t>({1, 2, 3, 4, 5, 6}, Shape{2, 3});
  auto t2 = Const<int32_t>({7, 8, 9, 10, 11, 12}, Shape{2, 3});
  auto c0 = ops::ConcatV2(g_, {t1, t2}, Int(0));
  auto c1 = ops::ConcatV2(g_, {t1, t2}, Int(1));
  auto cm1 = ops::ConcatV2(g_, {t1, t2}, Int(-1));
  EXPECT_EQ(c0.shape(), (Shape{4, 3}));
  EXPECT_EQ(c1.shape(), (Shape{2, 6}));
  // Empty pieces contribute nothing.
  auto with_empty = ops::ConcatV2(g_, {Const<int32_t>({}, Shape{2, 0}), t1}, Int(1));
  auto strings = ops::ConcatV2(
      g_, {Const<std::string>({"a"}, Shape{1}), Const<std::string>({"b", "c"}, Shape{2})},
      Int(0));
  ASSERT_OK_AND_ASSIGN(out, Run({c0, c1, cm1, with_empty, strings}));
  EXPECT_THAT(Values<int32_t>(out[0]), ElementsAre(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12));
  EXPECT_EQ(out[1].shape(), (Shape{2, 6}));
  EXPECT_THAT(Values<int32_t>(out[1]), ElementsAre(1, 2, 3, 7, 8, 9, 4, 5, 6, 10, 11, 12));
  EXPECT_THAT(Values<int32_t>(out[2]), ElementsAre(1, 2, 3, 7, 8, 9, 4, 5, 6, 10, 11, 12));
  EXPECT_THAT(Values<int32_t>(out[3]), ElementsAre(1, 2, 3, 4, 5, 6));
  EXPECT_THAT(Values<std::string>(out[4]), ElementsAre("a", "b", "c"));
}

TEST_F(ArrayConcat, ConcatMiddleAxisAndErrors) {
  auto a = Iota<float>(Shape{2, 1, 2});
  std::vector<float> b(8);
  for (int i = 0; i < 8; ++i) b[static_cast<size_t>(i)] = static_cast<float>(10 + i);
  auto c = ops::ConcatV2(g_, {a, Const<float>(b, Shape{2, 2, 2})}, Int(1));
  ASSERT_OK_AND_ASSIGN(out, Run1(c));
  // python3: np.concatenate([np.arange(4).reshape(2,1,2), np.arange(10,18).reshape(2,2,2)], axis=1)
  EXPECT_EQ(out.shape(), (Shape{2, 3, 2}));
  EXPECT_THAT(Values<float>(out), ElementsAre(0, 1, 10, 11, 12, 13, 2, 3, 14, 15, 16, 17));
  EXPECT_THAT(RunStatus(ops::ConcatV2(g_, {a, Iota<float>(Shape{3, 1, 2})}, Int(1))),
              StatusIs(Code::kInvalidArgument,
                       "ConcatOp : Dimensions of inputs should match: shape[0] = [2,1,2] vs. "
                       "shape[1] = [3,1,2]"));
  EXPECT_THAT(RunStatus(ops::ConcatV2(g_, {a, Iota<float>(Shape{2, 2})}, Int(0))),
              StatusIs(Code::kInvalidArgument,
                       "ConcatOp : Ranks of all input tensors should match: shape[0] = [2,1,2] "
                       "vs. shape[1] = [2,2]"));
  EXPECT_THAT(RunStatus(ops::ConcatV2(g_, {a, a}, Int(3))),
              StatusIs(Code::kInvalidArgument,
                       "Expected concatenating dimensions in the range [-3, 3), but got 3"));
}

TEST_F(ArrayConcat, ConcatOffsetDocExample) {
  // ConcatOffset op docs: x = [2, 2, 7], y = [2, 3, 7], z = [2, 9, 7] along
  // dim 1 give offsets [0, 0, 0], [0, 2, 0], [0, 5, 0].
  auto offs = ops::ConcatOffset(g_, Int(1), {Ints({2, 2, 7}), Ints({2, 3, 7}), Ints({2, 9, 7})});
  ASSERT_EQ(offs.size(), 3u);
  ASSERT_OK_AND_ASSIGN(out, Run(offs));
  EXPECT_THAT(Values<int32_t>(out[0]), ElementsAre(0, 0, 0));
  EXPECT_THAT(Values<int32_t>(out[1]), ElementsAre(0, 2, 0));
  EXPECT_THAT(Values<int32_t>(out[2]), ElementsAre(0, 5, 0));
  EXPECT_THAT(RunStatus(ops::ConcatOffset(g_, Int(1), {Ints({2, 2, 7}), Ints({3, 3, 7})})[0]),
              StatusIs(Code::kInvalidArgument, "All dimensions except 1 must match"));
}

using ArraySplit = ArrayTest;

TEST_F(ArraySplit, SplitAndSplitVDocExamples) {
  // tf.split docs: 'value' of shape [5, 30] split 3 ways along axis 1 gives
  // three [5, 10]; split into sizes [4, 15, 11] gives [5, 4], [5, 15], [5, 11].
  auto v = Iota<int32_t>(Shape{5, 30});
  auto even = ops::Split(g_, Int(1), v, 3);
  auto sized = ops::SplitV(g_, v, Const<int64_t>({4, 15, 11}, Shape{3}), Int(-1), 3);
  auto inferred = ops::SplitV(g_, v, Ints({4, -1, 11}), Int(1), 3);
  ASSERT_EQ(even.size(), 3u);
  ASSERT_EQ(sized.size(), 3u);
  EXPECT_EQ(even[0].shape(), (Shape{5, 10}));
  EXPECT_EQ(sized[1].shape(), (Shape{5, 15}));
  EXPECT_EQ(inferred[1].shape(), (Shape{5, 15}));
  ASSERT_OK_AND_ASSIGN(out, Run({even[0], even[1], even[2], sized[0], sized[1], sized[2],
                                 inferred[1]}));
  for (int i = 0; i < 3; ++i) EXPECT_EQ(out[static_cast<size_t>(i)].shape(), (Shape{5, 10}));
  // python3: s = np.split(np.arange(150).reshape(5,30), 3, axis=1); s[1][0], s[2][4]
  auto second = Values<int32_t>(out[1]);
  EXPECT_THAT(std::vector<int32_t>(second.begin(), second.begin() + 10),
              ElementsAre(10, 11, 12, 13, 14, 15, 16, 17, 18, 19));
  auto last = Values<int32_t>(out[2]);
  EXPECT_THAT(std::vector<int32_t>(last.end() - 10, last.end()),
              ElementsAre(140, 141, 142, 143, 144, 145, 146, 147, 148, 149));
  EXPECT_EQ(out[3].shape(), (Shape{5, 4}));
  EXPECT_EQ(out[4].shape(), (Shape{5, 15}));
  EXPECT_EQ(out[5].shape(), (Shape{5, 11}));
  // python3: np.split(np.arange(150).reshape(5,30), [4, 19], axis=1)[1][1]
  auto mid = Values<int32_t>(out[6]);
  EXPECT_THAT(std::vector<int32_t>(mid.begin() + 15, mid.begin() + 30),
              ElementsAre(34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48));
}

TEST_F(ArraySplit, SplitErrors) {
  auto v = Iota<int32_t>(Shape{5, 30});
  EXPECT_THAT(RunStatus(ops::Split(g_, Int(1), v, 4)[0]),
              StatusIs(Code::kInvalidArgument,
                       "Number of ways to split should evenly divide the split dimension, but got "
                       "split_dim 1 (size = 30) and num_split 4"));
  EXPECT_THAT(RunStatus(ops::Split(g_, Int(2), v, 2)[0]),
              StatusIs(Code::kInvalidArgument,
                       "-input rank(-2) <= split_dim < input rank (2), but got 2"));
  EXPECT_THAT(RunStatus(ops::SplitV(g_, v, Ints({4, 15, 12}), Int(1), 3)[0]),
              StatusIs(Code::kInvalidArgument, "Determined shape must either match input shape"));
  EXPECT_THAT(RunStatus(ops::SplitV(g_, v, Ints({-1, -1, 11}), Int(1), 3)[0]),
              StatusIs(Code::kInvalidArgument, "There can only be one -1 in the input."));
  EXPECT_THAT(RunStatus(ops::SplitV(g_, v, Ints({-1, -2, 11}), Int(1), 3)[0]),
              StatusIs(Code::kInvalidArgument, "Split size at index 1 must be >= 0. Got: -2"));
}

TEST_F(ArraySplit, PackUnpackDocExamples) {
  // tf.stack docs: x = [1, 4], y = [2, 5], z = [3, 6];
  // stack([x, y, z]) = [[1, 4], [2, 5], [3, 6]], axis=1: [[1, 2, 3], [4, 5, 6]].
  auto x = Ints({1, 4}), y = Ints({2, 5}), z = Ints({3, 6});
  auto p0 = ops::Pack(g_, {x, y, z});
  auto p1 = ops::Pack(g_, {x, y, z}, 1);
  auto pm1 = ops::Pack(g_, {x, y, z}, -1);
  EXPECT_EQ(p0.shape(), (Shape{3, 2}));
  EXPECT_EQ(p1.shape(), (Shape{2, 3}));
  // tf.unstack is the inverse: unstacking p1 along axis 1 gives x, y, z back.
  auto un = ops::Unpack(g_, p1, 3, 1);
  auto un_rows = ops::Unpack(g_, p0, 3, -2);
  ASSERT_EQ(un.size(), 3u);
  EXPECT_EQ(un[0].shape(), (Shape{2}));
  auto strings = ops::Pack(g_, {ops::Const(g_, std::string("a")), ops::Const(g_, std::string("b"))});
  ASSERT_OK_AND_ASSIGN(out, Run({p0, p1, pm1, un[0], un[1], un[2], un_rows[2], strings}));
  EXPECT_THAT(Values<int32_t>(out[0]), ElementsAre(1, 4, 2, 5, 3, 6));
  EXPECT_THAT(Values<int32_t>(out[1]), ElementsAre(1, 2, 3, 4, 5, 6));
  EXPECT_THAT(Values<int32_t>(out[2]), ElementsAre(1, 2, 3, 4, 5, 6));
  EXPECT_THAT(Values<int32_t>(out[3]), ElementsAre(1, 4));
  EXPECT_THAT(Values<int32_t>(out[4]), ElementsAre(2, 5));
  EXPECT_THAT(Values<int32_t>(out[5]), ElementsAre(3, 6));
  EXPECT_THAT(Values<int32_t>(out[6]), ElementsAre(3, 6));
  EXPECT_EQ(out[7].shape(), (Shape{2}));
  EXPECT_THAT(Values<std::string>(out[7]), ElementsAre("a", "b"));
  EXPECT_THAT(RunStatus(ops::Pack(g_, {x, Ints({1, 2, 3})})),
              StatusIs(Code::kInvalidArgument,
                       "Shapes of all inputs must match: values[0].shape = [2] != "
                       "values[1].shape = [3]"));
  EXPECT_THAT(RunStatus(ops::Pack(g_, {x, y}, 2)),
              StatusIs(Code::kInvalidArgument, "axis = 2 not in [-2, 2)"));
  EXPECT_THAT(RunStatus(ops::Unpack(g_, p0, 2)[0]),
              StatusIs(Code::kInvalidArgument, "Input shape axis 0 must equal 2, got shape [3,2]"));
}

// ---------------------------------------------------------------- slicing

TEST_F(ArraySplit, SinglePieceSharesTheInput) {
  auto v = Iota<float>(Shape{2, 1, 3});
  auto whole = ops::Split(g_, Int(0), v, 1);
  auto un = ops::Unpack(g_, v, 1, 1);  // drops the size-1 axis: [2, 3]
  ASSERT_OK_AND_ASSIGN(out, Run({v, whole[0], un[0]}));
  EXPECT_EQ(out[1].shape(), (Shape{2, 1, 3}));
  EXPECT_EQ(out[2].shape(), (Shape{2, 3}));
  EXPECT_TRUE(out[1].SharesBufferWith(out[0]));
  EXPECT_TRUE(out[2].SharesBufferWith(out[0]));
  EXPECT_THAT(Values<float>(out[2]), ElementsAre(0, 1, 2, 3, 4, 5));
}

using ArraySlice = ArrayTest;

// t from the tf.slice and tf.strided_slice docs:
// [[[1, 1, 1], [2, 2, 2]], [[3, 3, 3], [4, 4, 4]], [[5, 5, 5], [6, 6, 6]]].
std::vector<int32_t> DocT() { return {1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 6}; }

TEST_F(ArraySlice, SliceDocExamples) {
  auto t = Const<int32_t>(DocT(), Shape{3, 2, 3});
  auto a = ops::Slice(g_, t, Ints({1, 0, 0}), Ints({1, 1, 3}));  // [[[3, 3, 3]]]
  auto b = ops::Slice(g_, t, Ints({1, 0, 0}), Ints({1, 2, 3}));  // [[[3, 3, 3], [4, 4, 4]]]
  auto c = ops::Slice(g_, t, Ints({1, 0, 0}), Ints({2, 1, 3}));  // [[[3, 3, 3]], [[5, 5, 5]]]
  auto rest = ops::Slice(g_, t, Ints({2, 1, 0}), Ints({-1, -1, 2}));  // size -1: to the end
  auto empty = ops::Slice(g_, t, Ints({3, 0, 0}), Ints({0, 2, 3}));
  EXPECT_EQ(c.shape(), (Shape{2, 1, 3}));
  EXPECT_EQ(rest.shape(), (Shape{1, 1, 2}));
  ASSERT_OK_AND_ASSIGN(out, Run({a, b, c, rest, empty}));
  EXPECT_EQ(out[0].shape(), (Shape{1, 1, 3}));
  EXPECT_THAT(Values<int32_t>(out[0]), ElementsAre(3, 3, 3));
  EXPECT_THAT(Values<int32_t>(out[1]), ElementsAre(3, 3, 3, 4, 4, 4));
  EXPECT_THAT(Values<int32_t>(out[2]), ElementsAre(3, 3, 3, 5, 5, 5));
  EXPECT_THAT(Values<int32_t>(out[3]), ElementsAre(6, 6));
  EXPECT_EQ(out[4].shape(), (Shape{0, 2, 3}));
  EXPECT_THAT(RunStatus(ops::Slice(g_, t, Ints({1, 0, 0}), Ints({3, 1, 3}))),
              StatusIs(Code::kInvalidArgument, "Expected size[0] in [0, 2], but got 3"));
  EXPECT_THAT(RunStatus(ops::Slice(g_, t, Ints({0, 3, 0}), Ints({1, 1, 3}))),
              StatusIs(Code::kInvalidArgument, "Expected begin[1] in [0, 2], but got 3"));
  EXPECT_THAT(RunStatus(ops::Slice(g_, t, Ints({0, 0}), Ints({1, 1}))),
              StatusIs(Code::kInvalidArgument,
                       "Expected begin and size arguments to be 1-D tensors of size 3, but got "
                       "shapes [2] and [2] instead."));
}

TEST_F(ArraySlice, StridedSliceDocExamples) {
  auto t = Const<int32_t>(DocT(), Shape{3, 2, 3});
  auto ones = Ints({1, 1, 1});
  auto a = ops::StridedSlice(g_, t, Ints({1, 0, 0}), Ints({2, 1, 3}), ones);
  auto b = ops::StridedSlice(g_, t, Ints({1, 0, 0}), Ints({2, 2, 3}), ones);
  auto c = ops::StridedSlice(g_, t, Ints({1, -1, 0}), Ints({2, -3, 3}), Ints({1, -1, 1}));
  ASSERT_OK_AND_ASSIGN(out, Run({a, b, c}));
  EXPECT_EQ(out[0].shape(), (Shape{1, 1, 3}));
  EXPECT_THAT(Values<int32_t>(out[0]), ElementsAre(3, 3, 3));  // [[[3, 3, 3]]]
  EXPECT_EQ(out[1].shape(), (Shape{1, 2, 3}));
  EXPECT_THAT(Values<int32_t>(out[1]), ElementsAre(3, 3, 3, 4, 4, 4));
  EXPECT_EQ(out[2].shape(), (Shape{1, 2, 3}));
  EXPECT_THAT(Values<int32_t>(out[2]), ElementsAre(4, 4, 4, 3, 3, 3));  // [[[4,4,4],[3,3,3]]]
}

TEST_F(ArraySlice, StridedSliceMasks) {
  // x = np.arange(24).reshape(2, 3, 4); each slice is given as the masks
  // TensorFlow's Python indexing builds for it, expected values from NumPy:
  // python3 -c "import numpy as np; x=np.arange(24).reshape(2,3,4); print(x[<slice>].shape, x[<slice>].flatten().tolist())"
  auto x = Iota<int64_t>(Shape{2, 3, 4});
  // x[..., 1]: ellipsis bit 0, shrink bit 1 -> (2, 3) [1, 5, 9, 13, 17, 21]
  auto e1 = ops::StridedSlice(g_, x, Ints({0, 1}), Ints({0, 2}), Ints({1, 1}),
                              {.ellipsis_mask = 1, .shrink_axis_mask = 2});
  // x[:, None, ::-1] -> (2, 1, 3, 4)
  auto na = ops::StridedSlice(g_, x, Ints({0, 0, 0}), Ints({0, 0, 0}), Ints({1, 1, -1}),
                              {.begin_mask = 5, .end_mask = 5, .new_axis_mask = 2});
  // x[-1] -> (3, 4) [12 .. 23]
  auto last = ops::StridedSlice(g_, x, Ints({-1}), Ints({0}), Ints({1}), {.shrink_axis_mask = 1});
  // x[1:, :-1] -> (1, 2, 4) [12 .. 19]
  auto tail = ops::StridedSlice(g_, x, Ints({1, 0}), Ints({0, -1}), Ints({1, 1}),
                                {.begin_mask = 2, .end_mask = 1});
  // x[:, ::2, 3:0:-2] -> (2, 2, 2) [3, 1, 11, 9, 15, 13, 23, 21]
  auto steps = ops::StridedSlice(g_, x, Ints({0, 0, 3}), Ints({0, 0, 0}), Ints({1, 2, -2}),
                                 {.begin_mask = 3, .end_mask = 3});
  // x[0, ..., None, 1:3] -> (3, 1, 2) [1, 2, 5, 6, 9, 10]
  auto mixed = ops::StridedSlice(g_, x, Ints({0, 0, 0, 1}), Ints({1, 0, 0, 3}), Ints({1, 1, 1, 1}),
                                 {.ellipsis_mask = 2, .new_axis_mask = 4, .shrink_axis_mask = 1});
  // x[5:1] -> (0, 3, 4): clamped, empty
  auto empty = ops::StridedSlice(g_, x, Ints({5}), Ints({1}), Ints({1}));
  // x[:] with everything masked is x itself
  auto whole = ops::StridedSlice(g_, x, Ints({0}), Ints({0}), Ints({1}),
                                 {.begin_mask = 1, .end_mask = 1});
  ASSERT_OK_AND_ASSIGN(out, Run({e1, na, last, tail, steps, mixed, empty, whole, x}));
  EXPECT_EQ(out[0].shape(), (Shape{2, 3}));
  EXPECT_THAT(Values<int64_t>(out[0]), ElementsAre(1, 5, 9, 13, 17, 21));
  EXPECT_EQ(out[1].shape(), (Shape{2, 1, 3, 4}));
  EXPECT_THAT(Values<int64_t>(out[1]),
              ElementsAreArray<int64_t>({8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3,
                                         20, 21, 22, 23, 16, 17, 18, 19, 12, 13, 14, 15}));
  EXPECT_EQ(out[2].shape(), (Shape{3, 4}));
  EXPECT_THAT(Values<int64_t>(out[2]),
              ElementsAre(12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23));
  EXPECT_EQ(out[3].shape(), (Shape{1, 2, 4}));
  EXPECT_THAT(Values<int64_t>(out[3]), ElementsAre(12, 13, 14, 15, 16, 17, 18, 19));
  EXPECT_EQ(out[4].shape(), (Shape{2, 2, 2}));
  EXPECT_THAT(Values<int64_t>(out[4]), ElementsAre(3, 1, 11, 9, 15, 13, 23, 21));
  EXPECT_EQ(out[5].shape(), (Shape{3, 1, 2}));
  EXPECT_THAT(Values<int64_t>(out[5]), ElementsAre(1, 2, 5, 6, 9, 10));
  EXPECT_EQ(out[6].shape(), (Shape{0, 3, 4}));
  EXPECT_EQ(out[7].shape(), (Shape{2, 3, 4}));
  EXPECT_TRUE(out[7].SharesBufferWith(out[8]));
}

TEST_F(ArraySlice, StridedSliceErrors) {
  auto x = Iota<float>(Shape{2, 3});
  EXPECT_THAT(RunStatus(ops::StridedSlice(g_, x, Ints({5}), Ints({6}), Ints({1}),
                                          {.shrink_axis_mask = 1})),
              StatusIs(Code::kInvalidArgument, "slice index 5 of dimension 0 out of bounds."));
  EXPECT_THAT(RunStatus(ops::StridedSlice(g_, x, Ints({0}), Ints({1}), Ints({0}))),
              StatusIs(Code::kInvalidArgument, "strides[0] must be non-zero"));
  EXPECT_THAT(RunStatus(ops::StridedSlice(g_, x, Ints({0, 0, 0}), Ints({1, 1, 1}),
                                          Ints({1, 1, 1}))),
              StatusIs(Code::kInvalidArgument,
                       "Index out of range using input dim 2; input has only 2 dims"));
  EXPECT_THAT(RunStatus(ops::StridedSlice(g_, x, Ints({0}), Ints({1, 1}), Ints({1}))),
              StatusIs(Code::kInvalidArgument,
                       "Expected begin, end, and strides to be 1D equal size tensors"));
  EXPECT_THAT(RunStatus(ops::StridedSlice(g_, x, Ints({0, 0}), Ints({1, 1}), Ints({1, 1}),
                                          {.ellipsis_mask = 3})),
              StatusIs(Code::kInvalidArgument, "Multiple ellipses in slice spec not allowed"));
}

TEST_F(ArraySlice, TileDocExamples) {
  // tf.tile docs: a = [[1, 2, 3], [4, 5, 6]];
  // tile(a, [1, 2]) = [[1, 2, 3, 1, 2, 3], [4, 5, 6, 4, 5, 6]],
  // tile(a, [2, 1]) = [[1, 2, 3], [4, 5, 6], [1, 2, 3], [4, 5, 6]].
  auto a = Const<int32_t>({1, 2, 3, 4, 5, 6}, Shape{2, 3});
  auto t12 = ops::Tile(g_, a, Ints({1, 2}));
  auto t21 = ops::Tile(g_, a, Ints({2, 1}));
  auto t22 = ops::Tile(g_, a, Ints({2, 2}));
  auto t0 = ops::Tile(g_, a, Ints({0, 2}));
  auto s = ops::Tile(g_, Const<std::string>({"x", "y"}, Shape{2}), Ints({2}));
  EXPECT_EQ(t22.shape(), (Shape{4, 6}));
  ASSERT_OK_AND_ASSIGN(out, Run({t12, t21, t22, t0, s}));
  EXPECT_THAT(Values<int32_t>(out[0]), ElementsAre(1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6));
  EXPECT_THAT(Values<int32_t>(out[1]), ElementsAre(1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6));
  // python3: np.tile(np.array([[1,2,3],[4,5,6]]), (2,2)).flatten().tolist()
  EXPECT_THAT(Values<int32_t>(out[2]),
              ElementsAreArray<int32_t>({1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6,
                                         1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6}));
  EXPECT_EQ(out[3].shape(), (Shape{0, 6}));
  EXPECT_THAT(Values<std::string>(out[4]), ElementsAre("x", "y", "x", "y"));
  EXPECT_THAT(RunStatus(ops::Tile(g_, a, Ints({2}))),
              StatusIs(Code::kInvalidArgument,
                       "Expected multiples argument to be a vector of length 2 but got length 1"));
  EXPECT_THAT(RunStatus(ops::Tile(g_, a, Ints({1, -1}))),
              StatusIs(Code::kInvalidArgument, "Expected multiples[1] >= 0, but got -1"));
}

TEST_F(ArraySlice, PadDocExamples) {
  // tf.pad docs: t = [[1, 2, 3], [4, 5, 6]], paddings = [[1, 1,], [2, 2]]:
  // [[0, 0, 0, 0, 0, 0, 0], [0, 0, 1, 2, 3, 0, 0], [0, 0, 4, 5, 6, 0, 0],
  //  [0, 0, 0, 0, 0, 0, 0]]
  auto t = Const<int32_t>({1, 2, 3, 4, 5, 6}, Shape{2, 3});
  auto p = ops::Pad(g_, t, Const<int32_t>({1, 1, 2, 2}, Shape{2, 2}));
  EXPECT_EQ(p.shape(), (Shape{4, 7}));
  auto p9 = ops::PadV2(g_, t, Const<int64_t>({0, 1, 2, 0}, Shape{2, 2}), Int(9));
  auto s = ops::Pad(g_, Const<std::string>({"a"}, Shape{1}), Const<int32_t>({1, 1}, Shape{1, 2}));
  ASSERT_OK_AND_ASSIGN(out, Run({p, p9, s}));
  EXPECT_THAT(Values<int32_t>(out[0]),
              ElementsAreArray<int32_t>({0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 0, 0,
                                         0, 0, 4, 5, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
  // python3: np.pad(t, [[0,1],[2,0]], constant_values=9).flatten().tolist()
  EXPECT_EQ(out[1].shape(), (Shape{3, 5}));
  EXPECT_THAT(Values<int32_t>(out[1]),
              ElementsAre(9, 9, 1, 2, 3, 9, 9, 4, 5, 6, 9, 9, 9, 9, 9));
  EXPECT_THAT(Values<std::string>(out[2]), ElementsAre("", "a", ""));
  EXPECT_THAT(RunStatus(ops::Pad(g_, t, Const<int32_t>({1, -1, 0, 0}, Shape{2, 2}))),
              StatusIs(Code::kInvalidArgument, "Paddings must be non-negative: 1 -1"));
  EXPECT_THAT(RunStatus(ops::Pad(g_, t, Const<int32_t>({1, 1}, Shape{1, 2}))),
              StatusIs(Code::kInvalidArgument,
                       "The first dimension of paddings must be the rank of inputs[1,2] [2,3]"));
}

TEST_F(ArraySlice, BroadcastTo) {
  // tf.broadcast_to docs: [1, 2, 3] to [3, 3] gives [[1, 2, 3]] three times.
  auto b = ops::BroadcastTo(g_, Ints({1, 2, 3}), Ints({3, 3}));
  EXPECT_EQ(b.shape(), (Shape{3, 3}));
  auto col = ops::BroadcastTo(g_, Const<float>({1, 2, 3}, Shape{3, 1}), Ints({2, 3, 4}));
  ASSERT_OK_AND_ASSIGN(out, Run({b, col}));
  EXPECT_THAT(Values<int32_t>(out[0]), ElementsAre(1, 2, 3, 1, 2, 3, 1, 2, 3));
  // python3: np.broadcast_to(np.array([[1],[2],[3]]), (2,3,4)).flatten().tolist()
  EXPECT_THAT(Values<float>(out[1]),
              ElementsAreArray<float>({1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3,
                                       1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3}));
  EXPECT_THAT(RunStatus(ops::BroadcastTo(g_, Ints({1, 2, 3}), Ints({3, 2}))),
              StatusIs(Code::kInvalidArgument, "Incompatible shapes: [3] vs. [3,2]"));
  EXPECT_THAT(RunStatus(ops::BroadcastTo(g_, Ints({1, 2, 3}), Ints({1}))),
              StatusIs(Code::kInvalidArgument,
                       "Unable to broadcast tensor of shape [3] to tensor of shape [1]"));
  EXPECT_THAT(RunStatus(ops::BroadcastTo(g_, Iota<int32_t>(Shape{1, 3}), Ints({3}))),
              StatusIs(Code::kInvalidArgument,
                       "Rank of input (2) must be no greater than rank of output shape (1)."));
}

TEST_F(ArraySlice, BroadcastGradientArgs) {
  // TensorFlow's BCast: r0/r1 list the output dims each input was broadcast
  // along; a dim where both are 1 is listed for both; identical shapes
  // list nothing. Hand-derived:
  //   [2,3,5] vs [1]   -> [1] pads to [1,1,1]: r0 = [], r1 = [0,1,2]
  //   [1,3]   vs [1,1] -> dim0 both 1, dim1 y is 1: r0 = [0], r1 = [0,1]
  //   [1,3]   vs [1,3] -> identical: r0 = r1 = []
  auto a = ops::BroadcastGradientArgs(g_, Ints({2, 3, 5}), Ints({1}));
  auto b = ops::BroadcastGradientArgs(g_, Ints({1, 3}), Ints({1, 1}));
  auto c = ops::BroadcastGradientArgs(g_, Ints({1, 3}), Ints({1, 3}));
  ASSERT_OK_AND_ASSIGN(out, Run({a.r0, a.r1, b.r0, b.r1, c.r0, c.r1}));
  EXPECT_THAT(Values<int32_t>(out[0]), ElementsAre());
  EXPECT_THAT(Values<int32_t>(out[1]), ElementsAre(0, 1, 2));
  EXPECT_THAT(Values<int32_t>(out[2]), ElementsAre(0));
  EXPECT_THAT(Values<int32_t>(out[3]), ElementsAre(0, 1));
  EXPECT_THAT(Values<int32_t>(out[4]), ElementsAre());
  EXPECT_THAT(Values<int32_t>(out[5]), ElementsAre());
  EXPECT_THAT(RunStatus(ops::BroadcastGradientArgs(g_, Ints({2, 3}), Ints({4})).r0),
              StatusIs(Code::kInvalidArgument, "Incompatible shapes: [2,3] vs. [4]"));
}

// ---------------------------------------------------------------- generators

using ArrayGenerate = ArrayTest;

TEST_F(ArrayGenerate, FillAndLikes) {
  // tf.fill docs: fill([2, 3], 9) = [[9, 9, 9], [9, 9, 9]].
  auto f = ops::Fill(g_, Ints({2, 3}), Int(9));
  EXPECT_EQ(f.shape(), (Shape{2, 3}));
  auto fs = ops::Fill(g_, Const<int64_t>({2}, Shape{1}), ops::Const(g_, std::string("ab")));
  auto fe = ops::Fill(g_, Ints({0, 3}), ops::Const(g_, 1.5f));
  auto x = Const<double>({-1.5, 2.0}, Shape{2});
  auto z = ops::ZerosLike(g_, x);
  auto o = ops::OnesLike(g_, x);
  auto ob = ops::OnesLike(g_, Const<bool>({false, true, false}, Shape{3}));
  auto oc = ops::OnesLike(g_, Const<std::complex<float>>({{2, 3}}, Shape{1}));
  auto zs = ops::ZerosLike(g_, Const<std::string>({"q"}, Shape{1}));
  ASSERT_OK_AND_ASSIGN(out, Run({f, fs, fe, z, o, ob, oc, zs}));
  EXPECT_THAT(Values<int32_t>(out[0]), ElementsAre(9, 9, 9, 9, 9, 9));
  EXPECT_THAT(Values<std::string>(out[1]), ElementsAre("ab", "ab"));
  EXPECT_EQ(out[2].shape(), (Shape{0, 3}));
  EXPECT_THAT(Values<double>(out[3]), ElementsAre(0.0, 0.0));
  EXPECT_THAT(Values<double>(out[4]), ElementsAre(1.0, 1.0));
  EXPECT_THAT(Values<bool>(out[5]), ElementsAre(true, true, true));
  EXPECT_EQ(Values<std::complex<float>>(out[6])[0], std::complex<float>(1, 0));
  EXPECT_THAT(Values<std::string>(out[7]), ElementsAre(""));
  EXPECT_THAT(RunStatus(ops::Fill(g_, Ints({2, -1}), Int(0))),
              StatusIs(Code::kInvalidArgument, "Dimension -1 must be >= 0"));
  EXPECT_THAT(RunStatus(ops::Fill(g_, Ints({2}), Ints({1, 2}))),
              StatusIs(Code::kInvalidArgument, "value must be a scalar, got shape [2]"));
}

TEST_F(ArrayGenerate, RangeDocExamples) {
  // tf.range docs: range(3, 18, 3) = [3, 6, 9, 12, 15];
  // range(3, 1, -0.5) = [3, 2.5, 2, 1.5]; range(5) = [0, 1, 2, 3, 4].
  auto a = ops::Range(g_, Int(3), Int(18), Int(3));
  auto b = ops::Range(g_, ops::Const(g_, 3.0f), ops::Const(g_, 1.0f), ops::Const(g_, -0.5f));
  auto c = ops::Range(g_, ops::Const<int64_t>(g_, 0), ops::Const<int64_t>(g_, 5),
                      ops::Const<int64_t>(g_, 1));
  auto empty = ops::Range(g_, Int(3), Int(3), Int(1));
  EXPECT_EQ(a.shape(), (Shape{5}));  // ceil((18 - 3) / 3)
  ASSERT_OK_AND_ASSIGN(out, Run({a, b, c, empty}));
  EXPECT_THAT(Values<int32_t>(out[0]), ElementsAre(3, 6, 9, 12, 15));
  EXPECT_THAT(Values<float>(out[1]), ElementsAre(3.0f, 2.5f, 2.0f, 1.5f));
  EXPECT_THAT(Values<int64_t>(out[2]), ElementsAre(0, 1, 2, 3, 4));
  EXPECT_EQ(out[3].shape(), (Shape{0}));
  EXPECT_THAT(RunStatus(ops::Range(g_, Int(5), Int(1), Int(1))),
              StatusIs(Code::kInvalidArgument, "Requires start <= limit when delta > 0: 5/1"));
  EXPECT_THAT(RunStatus(ops::Range(g_, Int(1), Int(5), Int(-1))),
              StatusIs(Code::kInvalidArgument, "Requires start >= limit when delta < 0: 1/5"));
  EXPECT_THAT(RunStatus(ops::Range(g_, Int(1), Int(5), Int(0))),
              StatusIs(Code::kInvalidArgument, "Requires delta != 0: 0"));
  // 2**64 - 1 elements do not fit a shape.
  EXPECT_THAT(RunStatus(ops::Range(g_, ops::Const<int64_t>(g_, INT64_MIN),
                                   ops::Const<int64_t>(g_, INT64_MAX),
                                   ops::Const<int64_t>(g_, 1))),
              StatusIs(Code::kInvalidArgument, "Requires ((limit - start) / delta) <= "));
}

TEST_F(ArrayGenerate, OneHotDocExamples) {
  // tf.one_hot docs: indices [0, 1, 2], depth 3 -> 3x3 identity;
  // indices [0, 2, -1, 1], depth 3, on 5.0, off 0.0 ->
  //   [[5, 0, 0], [0, 0, 5], [0, 0, 0], [0, 5, 0]]  (axis -1)
  // indices [[0, 2], [1, -1]], depth 3, on 1.0, off 0.0 (axis -1) ->
  //   [[[1, 0, 0], [0, 0, 1]], [[0, 1, 0], [0, 0, 0]]]
  auto id = ops::OneHot(g_, Ints({0, 1, 2}), Int(3), ops::Const(g_, 1.0f), ops::Const(g_, 0.0f));
  auto idx = Const<int64_t>({0, 2, -1, 1}, Shape{4});
  auto five = ops::OneHot(g_, idx, Int(3), ops::Const(g_, 5.0f), ops::Const(g_, 0.0f));
  auto axis0 = ops::OneHot(g_, idx, Int(3), ops::Const(g_, 5.0f), ops::Const(g_, 0.0f), 0);
  auto two_d = ops::OneHot(g_, Const<int32_t>({0, 2, 1, -1}, Shape{2, 2}), Int(3),
                           ops::Const(g_, 1.0f), ops::Const(g_, 0.0f));
  auto strings = ops::OneHot(g_, Ints({1}), Int(2), ops::Const(g_, std::string("on")),
                             ops::Const(g_, std::string("off")));
  EXPECT_EQ(axis0.shape(), (Shape{3, 4}));
  ASSERT_OK_AND_ASSIGN(out, Run({id, five, axis0, two_d, strings}));
  EXPECT_THAT(Values<float>(out[0]), ElementsAre(1, 0, 0, 0, 1, 0, 0, 0, 1));
  EXPECT_THAT(Values<float>(out[1]), ElementsAre(5, 0, 0, 0, 0, 5, 0, 0, 0, 0, 5, 0));
  // axis 0 is the transpose: [[5, 0, 0, 0], [0, 0, 0, 5], [0, 5, 0, 0]]
  EXPECT_THAT(Values<float>(out[2]), ElementsAre(5, 0, 0, 0, 0, 0, 0, 5, 0, 5, 0, 0));
  EXPECT_EQ(out[3].shape(), (Shape{2, 2, 3}));
  EXPECT_THAT(Values<float>(out[3]), ElementsAre(1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0));
  EXPECT_THAT(Values<std::string>(out[4]), ElementsAre("off", "on"));
  EXPECT_THAT(RunStatus(ops::OneHot(g_, idx, Int(-1), ops::Const(g_, 1.0f), ops::Const(g_, 0.0f))),
              StatusIs(Code::kInvalidArgument, "depth must be non-negative, got: -1"));
  EXPECT_THAT(RunStatus(ops::OneHot(g_, idx, Int(3), ops::Const(g_, 1.0f), ops::Const(g_, 0.0f), 5)),
              StatusIs(Code::kInvalidArgument, "Expected axis to be -1 or between [0, 2)"));
}

// ---------------------------------------------------------------- indexing

using ArrayIndex = ArrayTest;

TEST_F(ArrayIndex, GatherV2) {
  auto p = Iota<int32_t>(Shape{3, 4});
  auto cols = ops::GatherV2(g_, p, Const<int32_t>({0, 2, 3, 1}, Shape{2, 2}), Int(1));
  auto rows = ops::GatherV2(g_, p, Const<int64_t>({2, 0}, Shape{2}), Int(-2));
  auto scalar = ops::GatherV2(g_, p, Int(1), Int(0));
  auto strings = ops::Gather(g_, Const<std::string>({"a", "b", "c"}, Shape{3}), Ints({2, 2, 0}));
  auto none = ops::GatherV2(g_, p, Const<int32_t>({}, Shape{0}), Int(0));
  EXPECT_EQ(cols.shape(), (Shape{3, 2, 2}));
  ASSERT_OK_AND_ASSIGN(out, Run({cols, rows, scalar, strings, none}));
  // python3 -c "import numpy as np; p=np.arange(12).reshape(3,4); print(np.take(p, [[0,2],[3,1]], axis=1).flatten().tolist())"
  EXPECT_EQ(out[0].shape(), (Shape{3, 2, 2}));
  EXPECT_THAT(Values<int32_t>(out[0]), ElementsAre(0, 2, 3, 1, 4, 6, 7, 5, 8, 10, 11, 9));
  // python3: np.take(p, [2,0], axis=-2).flatten().tolist()
  EXPECT_THAT(Values<int32_t>(out[1]), ElementsAre(8, 9, 10, 11, 0, 1, 2, 3));
  EXPECT_EQ(out[2].shape(), (Shape{4}));
  EXPECT_THAT(Values<int32_t>(out[2]), ElementsAre(4, 5, 6, 7));
  EXPECT_THAT(Values<std::string>(out[3]), ElementsAre("c", "c", "a"));
  EXPECT_EQ(out[4].shape(), (Shape{0, 4}));
  EXPECT_THAT(RunStatus(ops::GatherV2(g_, Iota<float>(Shape{3}), Ints({0, 7}), Int(0))),
              StatusIs(Code::kInvalidArgument, "indices[1] = 7 is not in [0, 3)"));
  EXPECT_THAT(RunStatus(ops::GatherV2(g_, p, Const<int32_t>({0, 1, -1, 2}, Shape{2, 2}), Int(0))),
              StatusIs(Code::kInvalidArgument, "indices[1,0] = -1 is not in [0, 3)"));
  EXPECT_THAT(RunStatus(ops::GatherV2(g_, p, Ints({0}), Int(2))),
              StatusIs(Code::kInvalidArgument, "Expected axis in the range [-2, 2), but got 2"));
}

TEST_F(ArrayIndex, DynamicStitchDocExample) {
  // tf.dynamic_stitch docs: indices[0] = 6, indices[1] = [4, 1],
  // indices[2] = [[5, 2], [0, 3]]; data[0] = [61, 62], data[1] = [[41, 42],
  // [11, 12]], data[2] = [[[51, 52], [21, 22]], [[1, 2], [31, 32]]] ->
  // [[1, 2], [11, 12], [21, 22], [31, 32], [41, 42], [51, 52], [61, 62]].
  auto merged = ops::DynamicStitch(
      g_, {Int(6), Ints({4, 1}), Const<int32_t>({5, 2, 0, 3}, Shape{2, 2})},
      {Const<int32_t>({61, 62}, Shape{2}), Const<int32_t>({41, 42, 11, 12}, Shape{2, 2}),
       Const<int32_t>({51, 52, 21, 22, 1, 2, 31, 32}, Shape{2, 2, 2})});
  // Overlaps: the docs say that when indices[m][i] == indices[n][j] with
  // (m, i) < (n, j), data[n][j] appears in the result; so here 30 wins.
  auto overlap = ops::DynamicStitch(g_, {Ints({0, 1}), Ints({1})},
                                    {Const<float>({10, 20}, Shape{2}), Const<float>({30}, Shape{1})});
  ASSERT_OK_AND_ASSIGN(out, Run({merged, overlap}));
  EXPECT_EQ(out[0].shape(), (Shape{7, 2}));
  EXPECT_THAT(Values<int32_t>(out[0]),
              ElementsAre(1, 2, 11, 12, 21, 22, 31, 32, 41, 42, 51, 52, 61, 62));
  EXPECT_THAT(Values<float>(out[1]), ElementsAre(10, 30));
  EXPECT_THAT(RunStatus(ops::DynamicStitch(g_, {Ints({0, 1})}, {Const<float>({1}, Shape{1})})),
              StatusIs(Code::kInvalidArgument,
                       "data[0].shape = [1] does not start with indices[0].shape = [2]"));
}

TEST_F(ArrayIndex, Where) {
  // tf.where docs (one argument): [True, False, False, True] -> [[0], [3]].
  auto w = ops::Where(g_, Const<bool>({true, false, false, true}, Shape{4}));
  auto w2 = ops::Where(g_, Const<bool>({true, false, false, true, true, true}, Shape{3, 2}));
  // NaN is non-zero and -0.0 is zero:
  auto wf = ops::Where(g_, Const<float>({0.0f, -1.5f, 0.0f, 2.0f, -0.0f, NAN}, Shape{2, 3}));
  auto none = ops::Where(g_, Const<int32_t>({0, 0}, Shape{2}));
  EXPECT_EQ(w2.shape(), (Shape{-1, 2}));
  ASSERT_OK_AND_ASSIGN(out, Run({w, w2, wf, none}));
  EXPECT_EQ(out[0].shape(), (Shape{2, 1}));
  EXPECT_THAT(Values<int64_t>(out[0]), ElementsAre(0, 3));
  // python3: np.argwhere(np.array([[True,False],[False,True],[True,True]])).flatten().tolist()
  EXPECT_THAT(Values<int64_t>(out[1]), ElementsAre(0, 0, 1, 1, 2, 0, 2, 1));
  // python3: np.argwhere(np.array([[0.0,-1.5,0.0],[2.0,-0.0,np.nan]])).flatten().tolist()
  EXPECT_THAT(Values<int64_t>(out[2]), ElementsAre(0, 1, 1, 0, 1, 2));
  EXPECT_EQ(out[3].shape(), (Shape{0, 1}));
}

TEST_F(ArrayIndex, UniqueDocExample) {
  // tf.unique docs: x = [1, 1, 2, 4, 4, 4, 7, 8, 8] ->
  // y = [1, 2, 4, 7, 8], idx = [0, 0, 1, 2, 2, 2, 3, 4, 4].
  auto u = ops::Unique(g_, Const<int32_t>({1, 1, 2, 4, 4, 4, 7, 8, 8}, Shape{9}));
  auto us = ops::Unique(g_, Const<std::string>({"b", "a", "b", "c"}, Shape{4}), DT_INT64);
  auto ue = ops::Unique(g_, Const<float>({}, Shape{0}));
  ASSERT_OK_AND_ASSIGN(out, Run({u.y, u.idx, us.y, us.idx, ue.y, ue.idx}));
  EXPECT_THAT(Values<int32_t>(out[0]), ElementsAre(1, 2, 4, 7, 8));
  EXPECT_THAT(Values<int32_t>(out[1]), ElementsAre(0, 0, 1, 2, 2, 2, 3, 4, 4));
  EXPECT_THAT(Values<std::string>(out[2]), ElementsAre("b", "a", "c"));
  EXPECT_THAT(Values<int64_t>(out[3]), ElementsAre(0, 1, 0, 2));
  EXPECT_EQ(out[4].shape(), (Shape{0}));
  EXPECT_EQ(out[5].shape(), (Shape{0}));
  EXPECT_THAT(RunStatus(ops::Unique(g_, Iota<int32_t>(Shape{2, 2})).y),
              StatusIs(Code::kInvalidArgument, "unique expects a 1D vector."));
}

TEST_F(ArrayIndex, LargeCopiesMatchAcrossThreads) {
  // A transpose big enough to be split across the intra-op pool: element
  // (i, j) of the [300, 500] result is input (j, i) = j * 300 + i.
  auto x = Iota<int32_t>(Shape{500, 300});
  auto t = ops::Transpose(g_, x, Ints({1, 0}));
  ASSERT_OK_AND_ASSIGN(out, Run1(t));
  auto v = Values<int32_t>(out);
  bool ok = true;
  for (int i = 0; i < 300 && ok; ++i)
    for (int j = 0; j < 500 && ok; ++j) ok = v[static_cast<size_t>(i * 500 + j)] == j * 300 + i;
  EXPECT_TRUE(ok);
}

}  // namespace
}  // namespace tfport
