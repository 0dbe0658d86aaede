// tfport: Status and Result, the error-reporting types of every tfport API.
//
// A Status is a code plus a one-line message that names where the problem is
// (file, byte offset, tensor, node) and what is wrong. Codes and their numbers
// follow TensorFlow's (and abseil's) canonical error space, so they can be
// mapped to HTTP statuses or handed to other languages unchanged.
//
// Result<T> holds either a value or a non-OK Status (never an OK Status
// without a value). Both are cheap to move and [[nodiscard]].
//
// Thread-safety: plain value types; distinct objects may be used concurrently.
#pragma once

#include <cstdint>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace tfport {

enum class Code : int {
  kOk = 0,
  kCancelled = 1,
  kUnknown = 2,
  kInvalidArgument = 3,
  kDeadlineExceeded = 4,
  kNotFound = 5,
  kAlreadyExists = 6,
  kPermissionDenied = 7,
  kResourceExhausted = 8,
  kFailedPrecondition = 9,
  kAborted = 10,
  kOutOfRange = 11,
  kUnimplemented = 12,
  kInternal = 13,
  kUnavailable = 14,
  kDataLoss = 15,
  kUnauthenticated = 16,
};

// "DATA_LOSS", "NOT_FOUND", ... as TensorFlow prints them.
std::string_view CodeName(Code code);

// Concatenates any streamable values into one string.
template <typename... Args>
std::string StrCat(const Args&... args) {
  std::ostringstream out;
  (out << ... << args);
  return out.str();
}

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  // "DATA_LOSS: <message>", or "OK".
  std::string ToString() const;

  // Returns a copy whose message is "<context>: <old message>". Each layer adds
  // only the location it knows (offset -> file -> tensor -> node).
  template <typename... Args>
  Status WithContext(const Args&... args) const {
    if (ok()) return *this;
    return Status(code_, StrCat(args..., ": ", message_));
  }

  void IgnoreError() const {}

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

inline Status OkStatus() { return Status(); }

// Variadic constructors named like TensorFlow's errors:: helpers.
namespace errors {
#define TFPORT_ERROR_CTOR(Name, CodeValue)          \
  template <typename... Args>                       \
  Status Name(const Args&... args) {                \
    return Status(CodeValue, StrCat(args...));      \
  }
TFPORT_ERROR_CTOR(InvalidArgument, Code::kInvalidArgument)
TFPORT_ERROR_CTOR(NotFound, Code::kNotFound)
TFPORT_ERROR_CTOR(AlreadyExists, Code::kAlreadyExists)
TFPORT_ERROR_CTOR(PermissionDenied, Code::kPermissionDenied)
TFPORT_ERROR_CTOR(ResourceExhausted, Code::kResourceExhausted)
TFPORT_ERROR_CTOR(FailedPrecondition, Code::kFailedPrecondition)
TFPORT_ERROR_CTOR(OutOfRange, Code::kOutOfRange)
TFPORT_ERROR_CTOR(Unimplemented, Code::kUnimplemented)
TFPORT_ERROR_CTOR(Internal, Code::kInternal)
TFPORT_ERROR_CTOR(Unknown, Code::kUnknown)
TFPORT_ERROR_CTOR(DataLoss, Code::kDataLoss)
#undef TFPORT_ERROR_CTOR
}  // namespace errors

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT
    if (status_.ok()) status_ = errors::Internal("Result constructed from an OK Status");
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  // REQUIRES: ok().
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }
  T&& operator*() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace tfport

#define TFPORT_CONCAT_INNER_(a, b) a##b
#define TFPORT_CONCAT_(a, b) TFPORT_CONCAT_INNER_(a, b)

// Returns the Status of `expr` from the enclosing function if it is not OK.
#define TFPORT_RETURN_IF_ERROR(expr)                        \
  do {                                                      \
    ::tfport::Status tfport_status_ = (expr);               \
    if (!tfport_status_.ok()) return tfport_status_;        \
  } while (0)

// `lhs = *expr` when `expr` (a Result) is OK, else returns its Status.
#define TFPORT_ASSIGN_OR_RETURN(lhs, expr) \
  TFPORT_ASSIGN_OR_RETURN_IMPL_(TFPORT_CONCAT_(tfport_result_, __LINE__), lhs, expr)
#define TFPORT_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.ok()) return tmp.status();                 \
  lhs = std::move(*tmp)
