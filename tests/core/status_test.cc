// Unit tests for tfport/core/status.h.
//
// Expected values come from the documented API contract in status.h and from
// the canonical error space shared by TensorFlow and abseil (code numbers and
// upper-case names, e.g. DATA_LOSS = 15, as in absl/status/status.h).

#include "tfport/core/status.h"

#include <memory>
#include <string>

#include <gtest/gtest.h>

namespace tfport {
namespace {

TEST(StatusTest, DefaultIsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.code(), Code::kOk);
  EXPECT_EQ(s.message(), "");
  EXPECT_EQ(s.ToString(), "OK");  // status.h: "... or \"OK\""
  EXPECT_TRUE(OkStatus().ok());
}

TEST(StatusTest, CanonicalCodeNumbers) {
  // absl::StatusCode / tensorflow::error::Code numbering.
  EXPECT_EQ(static_cast<int>(Code::kOk), 0);
  EXPECT_EQ(static_cast<int>(Code::kInvalidArgument), 3);
  EXPECT_EQ(static_cast<int>(Code::kNotFound), 5);
  EXPECT_EQ(static_cast<int>(Code::kResourceExhausted), 8);
  EXPECT_EQ(static_cast<int>(Code::kUnimplemented), 12);
  EXPECT_EQ(static_cast<int>(Code::kInternal), 13);
  EXPECT_EQ(static_cast<int>(Code::kDataLoss), 15);
  EXPECT_EQ(static_cast<int>(Code::kUnauthenticated), 16);
}

TEST(StatusTest, CodeNames) {
  // Names as TensorFlow prints them (absl::StatusCodeToString).
  EXPECT_EQ(CodeName(Code::kOk), "OK");
  EXPECT_EQ(CodeName(Code::kCancelled), "CANCELLED");
  EXPECT_EQ(CodeName(Code::kInvalidArgument), "INVALID_ARGUMENT");
  EXPECT_EQ(CodeName(Code::kNotFound), "NOT_FOUND");
  EXPECT_EQ(CodeName(Code::kResourceExhausted), "RESOURCE_EXHAUSTED");
  EXPECT_EQ(CodeName(Code::kFailedPrecondition), "FAILED_PRECONDITION");
  EXPECT_EQ(CodeName(Code::kOutOfRange), "OUT_OF_RANGE");
  EXPECT_EQ(CodeName(Code::kUnimplemented), "UNIMPLEMENTED");
  EXPECT_EQ(CodeName(Code::kDataLoss), "DATA_LOSS");
}

TEST(StatusTest, ToStringIsCodeColonMessage) {
  Status s(Code::kDataLoss, "msg");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Code::kDataLoss);
  EXPECT_EQ(s.message(), "msg");
  EXPECT_EQ(s.ToString(), "DATA_LOSS: msg");
}

TEST(StatusTest, ErrorHelpersConcatenateArguments) {
  Status s = errors::InvalidArgument("dim ", 2, " is ", -7);
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(s.message(), "dim 2 is -7");
  EXPECT_EQ(s.ToString(), "INVALID_ARGUMENT: dim 2 is -7");
  EXPECT_EQ(errors::NotFound("x").code(), Code::kNotFound);
  EXPECT_EQ(errors::DataLoss("x").code(), Code::kDataLoss);
  EXPECT_EQ(errors::ResourceExhausted("x").code(), Code::kResourceExhausted);
  EXPECT_EQ(errors::Unimplemented("x").code(), Code::kUnimplemented);
  EXPECT_EQ(errors::OutOfRange("x").code(), Code::kOutOfRange);
  EXPECT_EQ(StrCat("a", 1, 'b', 2.5), "a1b2.5");
}

TEST(StatusTest, WithContextPrefixesMessageAndKeepsCode) {
  // status.h: message becomes "<context>: <old message>".
  Status s = errors::DataLoss("bad crc at offset 12");
  Status file = s.WithContext("file ", "model.index");
  EXPECT_EQ(file.code(), Code::kDataLoss);
  EXPECT_EQ(file.message(), "file model.index: bad crc at offset 12");
  Status node = file.WithContext("tensor w");
  EXPECT_EQ(node.ToString(), "DATA_LOSS: tensor w: file model.index: bad crc at offset 12");
  // The original is unchanged (WithContext returns a copy).
  EXPECT_EQ(s.message(), "bad crc at offset 12");
}

TEST(StatusTest, WithContextOnOkStaysOk) {
  Status s = OkStatus().WithContext("file ", "x");
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.message(), "");
}

TEST(ResultTest, HoldsValue) {
  Result<int> r(42);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.status().ok());
  EXPECT_EQ(r.value(), 42);
  EXPECT_EQ(*r, 42);
  *r = 7;
  EXPECT_EQ(r.value(), 7);

  Result<std::string> s(std::string("abc"));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->size(), 3u);
}

TEST(ResultTest, HoldsError) {
  Result<int> r(errors::NotFound("no such tensor 'w'"));
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kNotFound);
  EXPECT_EQ(r.status().message(), "no such tensor 'w'");
}

TEST(ResultTest, OkStatusWithoutValueBecomesInternalError) {
  // status.h: a Result never holds an OK Status without a value.
  Result<int> r{OkStatus()};
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInternal);
}

TEST(ResultTest, MoveOnlyValue) {
  Result<std::unique_ptr<int>> r(std::make_unique<int>(5));
  ASSERT_TRUE(r.ok());
  std::unique_ptr<int> p = std::move(r).value();
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(*p, 5);
}

// Small helpers exercising the macros the way library code uses them.
Result<int> ParsePositive(int v) {
  if (v <= 0) return errors::InvalidArgument("value ", v, " is not positive");
  return v;
}

Status CheckEven(int v) {
  if (v % 2 != 0) return errors::OutOfRange("value ", v, " is odd");
  return OkStatus();
}

// Parses, checks evenness, and returns half the value.
Result<int> HalfOfPositiveEven(int v) {
  TFPORT_ASSIGN_OR_RETURN(int parsed, ParsePositive(v));
  TFPORT_RETURN_IF_ERROR(CheckEven(parsed));
  return parsed / 2;
}

// Two ASSIGN_OR_RETURN on different lines in one scope must not clash.
Result<std::unique_ptr<int>> SumTwo(int a, int b) {
  TFPORT_ASSIGN_OR_RETURN(int x, ParsePositive(a));
  TFPORT_ASSIGN_OR_RETURN(int y, ParsePositive(b));
  return std::make_unique<int>(x + y);
}

Status CountCalls(int v, int* calls) {
  ++*calls;
  TFPORT_RETURN_IF_ERROR(CheckEven(v));
  ++*calls;
  return OkStatus();
}

TEST(StatusMacrosTest, AssignOrReturnAndReturnIfError) {
  Result<int> ok = HalfOfPositiveEven(8);  // 8 / 2 = 4
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, 4);

  Result<int> neg = HalfOfPositiveEven(-3);  // fails in ParsePositive
  EXPECT_EQ(neg.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(neg.status().message(), "value -3 is not positive");

  Result<int> odd = HalfOfPositiveEven(5);  // fails in CheckEven
  EXPECT_EQ(odd.status().code(), Code::kOutOfRange);
  EXPECT_EQ(odd.status().message(), "value 5 is odd");

  Result<std::unique_ptr<int>> sum = SumTwo(2, 3);
  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(**sum, 5);
  EXPECT_FALSE(SumTwo(2, 0).ok());
}

TEST(StatusMacrosTest, ReturnIfErrorStopsEarly) {
  int calls = 0;
  EXPECT_TRUE(CountCalls(2, &calls).ok());
  EXPECT_EQ(calls, 2);
  calls = 0;
  Status s = CountCalls(3, &calls);
  EXPECT_EQ(s.code(), Code::kOutOfRange);
  EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace tfport
