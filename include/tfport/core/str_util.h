// tfport: small string helpers shared by several layers.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tfport {

// C-style escaping as protobuf's CEscape (and Python's text_format with
// as_utf8=False): \n \r \t \" \' \\ and octal \ooo for other bytes outside
// printable ASCII. TensorFlow prints string tensors and writes the
// `checkpoint` file this way. keep_utf8: leave bytes >= 0x80 as they are
// (how TF's StringFormat prints string tensors, so UTF-8 stays readable).
std::string CEscape(std::string_view s, bool keep_utf8 = false);

// Splits at every `sep`, dropping empty pieces ("a,,b" -> {"a", "b"}).
std::vector<std::string> SplitNonEmpty(std::string_view s, char sep);

// Splits at every `sep`, keeping empty pieces ("a::b" -> {"a", "", "b"}).
std::vector<std::string> StrSplit(std::string_view s, char sep);

// The pieces with `sep` between them.
std::string StrJoin(const std::vector<std::string>& pieces, std::string_view sep);

}  // namespace tfport
