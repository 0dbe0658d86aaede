// Internal: whole-string regular-expression matching shared by RegexFullMatch
// (io_kernels.cc) and StaticRegexFullMatch (string_kernels.cc).
//
// TensorFlow matches with RE2; tfport uses std::regex in ECMAScript mode.
// The two agree on the patterns TensorFlow's savers and tf.function graphs
// use ("^s3://.*", character classes, alternation, repetition, anchors), but
// differ at the edges:
//   * RE2-only syntax is rejected as an invalid pattern: inline flags
//     "(?i)", "(?s)", named groups "(?P<name>...)", \A, \z, \C, \pN classes;
//   * ECMAScript-only features are accepted where RE2 would reject them:
//     backreferences (\1) and lookahead (?=...), (?!...);
//   * std::regex works on bytes, RE2 on UTF-8 code points: "." matches one
//     byte of a multi-byte character here (ASCII patterns are unaffected);
//   * std::regex backtracks, so pathological patterns can be slow where RE2
//     guarantees linear time.
#pragma once

#include <memory>
#include <regex>
#include <string>

#include "tfport/core/tensor.h"

namespace tfport::kernels {

// Compiles `pattern`. Errors: INVALID_ARGUMENT "Invalid pattern: P, error:
// ..." (TensorFlow's wording, with std::regex's reason).
Result<std::shared_ptr<const std::regex>> CompileFullMatchPattern(const std::string& pattern);

// A DT_BOOL tensor of input's shape: element k is whether the whole of
// input[k] matches `re`. Errors: INVALID_ARGUMENT unless input is DT_STRING.
Result<Tensor> FullMatchAll(const std::regex& re, const Tensor& input);

}  // namespace tfport::kernels
