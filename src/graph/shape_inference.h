// Internal: static output shapes for the ops tfport knows (TensorFlow's
// shape functions, simplified). Unknown stays unknown; a wrong guess is never
// made, because shapes only inform users (get_operations) and are rechecked
// by kernels at run time.
#pragma once

#include <vector>

#include "tfport/core/shape.h"

namespace tfport::graph {
class Node;
namespace internal {

// REQUIRES: out->size() == node.num_outputs(), every entry unknown rank.
void InferOutputShapes(const Node& node, std::vector<Shape>* out);

// NumPy broadcasting of two static shapes; unknown rank if either is unknown
// or they are incompatible.
Shape BroadcastShapes(const Shape& a, const Shape& b);

}  // namespace internal
}  // namespace tfport::graph
