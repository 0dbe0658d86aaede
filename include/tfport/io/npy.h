// tfport: NumPy .npy files (format version 1.0/2.0/3.0), for feeding and
// saving tensors from the command line and tests.
//
// Reading accepts little-endian numeric dtypes ('<f4', '<i8', '|b1', '|u1',
// '<f2', '<c8', ...), C order; Fortran order and object arrays are rejected.
// Writing produces version 1.0 files as numpy.save does.
#pragma once

#include <string>

#include "tfport/core/tensor.h"

namespace tfport::io {

// Errors: NOT_FOUND, DATA_LOSS (not an .npy file, header or size mismatch,
// naming the file), UNIMPLEMENTED (unsupported dtype or Fortran order).
Result<Tensor> ReadNpy(const std::string& path);
Result<Tensor> ParseNpy(std::string_view bytes, std::string_view origin);
Status WriteNpy(const std::string& path, const Tensor& tensor);

}  // namespace tfport::io
