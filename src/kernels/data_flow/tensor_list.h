// Internal: TensorList, the value of the DT_VARIANT tensors that TensorFlow
// 2.x's list ops (TensorListReserve, TensorListSetItem, ...; see
// list_kernels.cc) pass between nodes — what tf.TensorArray and while_v2
// accumulators compile to.
//
// A list is a vector of Tensor handles plus the dtype every element has and
// a partial shape every element is compatible with. An element that was
// never set is an uninitialized Tensor (DT_INVALID); readers turn it into
// zeros when the element shape is fully known.
//
// Lists are immutable once stored in a tensor (Variant holds a pointer to a
// const value): an op that "modifies" a list builds a new TensorList, which
// only copies the vector of handles, never element data.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tfport/core/tensor.h"

namespace tfport::kernels {

class TensorList final : public VariantValue {
 public:
  static constexpr const char* kTypeName = "tensorflow::TensorList";

  DataType element_dtype = DT_INVALID;
  // Every element is compatible with this (unknown rank / -1 dims allowed).
  Shape element_shape = Shape::UnknownRank();
  // One entry per list position; !initialized() = unset.
  std::vector<Tensor> tensors;
  // Upper bound on tensors.size() that pushes respect; -1 = unlimited.
  int64_t max_num_elements = -1;

  std::string TypeName() const override { return kTypeName; }
  // "TensorList<dtype: float element_shape: [2] length: 3>".
  std::string DebugString() const override;
};

// A scalar DT_VARIANT tensor holding `list`.
Tensor TensorListToTensor(TensorList list);

// The list held by a scalar DT_VARIANT tensor; nullptr if the tensor is not a
// variant scalar or holds something else.
const TensorList* TensorListFromTensor(const Tensor& t);

// ZerosLike of a DT_VARIANT tensor (used by the ZerosLike kernel): for a
// scalar holding a TensorList, a new list of the same length, dtype and
// element shape whose set elements are zeros of their shapes (unset elements
// stay unset). Errors: INVALID_ARGUMENT for non-scalars (TensorFlow's text)
// and for variant values other than TensorList.
Result<Tensor> ZerosLikeVariant(const Tensor& t);

}  // namespace tfport::kernels
