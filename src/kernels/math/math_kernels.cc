// Math kernels: the family's registration and the helpers the kernel files
// share (broadcast plans, work splitting). The kernels live in binary.cc,
// unary.cc, select.cc and reduction.cc.
#include "kernels/math/math_internal.h"

namespace tfport::kernels {

void RegisterMathKernels(KernelRegistry& r) {
  math::RegisterBinaryKernels(r);
  math::RegisterUnaryKernels(r);
  math::RegisterSelectKernels(r);
  math::RegisterReductionKernels(r);
}

namespace math {

Result<DataType> TypeAttr(const graph::Node& node, const char* name) {
  return graph::GetTypeAttr(node.def(), name);
}

void ParallelRange(OpKernelContext& ctx, int64_t n, int64_t cost,
                   const std::function<void(int64_t, int64_t)>& fn) {
  ThreadPool* pool = ctx.intra_op_pool();
  if (n <= 0) return;
  if (pool == nullptr || pool->num_threads() == 0 || n * cost < kParallelMinElements) {
    fn(0, n);
    return;
  }
  const size_t min_block = static_cast<size_t>(std::max<int64_t>(1, kParallelMinElements / 2 / cost));
  pool->ParallelForRange(static_cast<size_t>(n), min_block, [&](size_t b, size_t e) {
    fn(static_cast<int64_t>(b), static_cast<int64_t>(e));
  });
}

Status IncompatibleShapes(const Shape& a, const Shape& b) {
  return errors::InvalidArgument("Incompatible shapes: ", a.DebugString(), " vs. ", b.DebugString());
}

bool MakeBroadcastPlan(const std::vector<Shape>& shapes, BroadcastPlan* plan) {
  const int n = static_cast<int>(shapes.size());
  int rank = 0;
  for (const Shape& s : shapes) rank = std::max(rank, s.rank());
  // Operand k's size in output dim d (1 where it has no such dim).
  auto in_dim = [&](int k, int d) {
    const Shape& s = shapes[k];
    const int i = d - (rank - s.rank());
    return i < 0 ? int64_t{1} : s.dim(i);
  };
  std::vector<int64_t> out(rank);
  for (int d = 0; d < rank; ++d) {
    int64_t o = 1;
    for (int k = 0; k < n; ++k) {
      const int64_t v = in_dim(k, d);
      if (v == 1) continue;
      if (o != 1 && o != v) return false;
      o = v;
    }
    out[d] = o;
  }
  plan->out_shape = Shape(out);
  plan->total = plan->out_shape.num_elements();
  plan->num_inputs = n;
  plan->dims.clear();
  plan->strides.clear();
  // Merge runs of dims in which every operand is either broadcast throughout
  // or present throughout; dims of size 1 are dropped. Strides are filled in
  // innermost-first afterwards.
  std::vector<std::array<bool, BroadcastPlan::kMaxInputs>> bcast;
  for (int d = 0; d < rank; ++d) {
    if (out[d] == 1) continue;
    std::array<bool, BroadcastPlan::kMaxInputs> b{};
    for (int k = 0; k < n; ++k) b[k] = in_dim(k, d) == 1;
    if (!bcast.empty() && bcast.back() == b) {
      plan->dims.back() *= out[d];
    } else {
      plan->dims.push_back(out[d]);
      bcast.push_back(b);
    }
  }
  if (plan->dims.empty()) {
    plan->dims.push_back(1);
    bcast.push_back({});
  }
  const size_t m = plan->dims.size();
  plan->strides.assign(m, {});
  for (int k = 0; k < n; ++k) {
    int64_t stride = 1;
    for (size_t d = m; d-- > 0;) {
      plan->strides[d][k] = bcast[d][k] ? 0 : stride;
      if (!bcast[d][k]) stride *= plan->dims[d];
    }
    plan->inner_bcast[k] = bcast[m - 1][k];
  }
  return true;
}

}  // namespace math
}  // namespace tfport::kernels
