// Test support: gMock matcher for tfport::Status and Result<T>.
//
//   EXPECT_THAT(reader.status(), StatusIs(Code::kDataLoss, "model.ckpt.index"));
//
// Matches when the code is equal and the message contains the substring.
#pragma once

#include <string>

#include <gmock/gmock.h>

#include "tfport/core/status.h"

namespace tfport::testing {

template <typename T>
const Status& StatusOf(const Result<T>& r) {
  return r.status();
}
inline const Status& StatusOf(const Status& s) { return s; }

MATCHER_P2(StatusIs, code, substr, "") {
  const Status& s = ::tfport::testing::StatusOf(arg);
  *result_listener << "status is " << s.ToString();
  return s.code() == code && s.message().find(substr) != std::string::npos;
}

}  // namespace tfport::testing
