// tfport: small string helpers shared by several layers.
#pragma once

#include <string>
#include <string_view>

namespace tfport {

// C-style escaping as protobuf's CEscape (and Python's text_format with
// as_utf8=False): \n \r \t \" \' \\ and octal \ooo for other bytes outside
// printable ASCII. TensorFlow prints string tensors and writes the
// `checkpoint` file this way.
std::string CEscape(std::string_view s);

}  // namespace tfport
