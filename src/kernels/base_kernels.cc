// Kernels of the base ops: Const, Identity and friends, Placeholder, NoOp,
// Assert.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "kernels/kernels_internal.h"
#include "tfport/core/str_util.h"
#include "tfport/core/tensor_proto.h"

namespace tfport::kernels {
namespace {

using graph::NodeLocation;

// Passes every input through (refs stay refs).
Status Forward(OpKernelContext& ctx) {
  for (int i = 0; i < ctx.num_inputs() && i < ctx.num_outputs(); ++i) {
    if (RefVariable* ref = ctx.input_ref(i)) {
      ctx.set_output_ref(i, ref);
    } else {
      ctx.set_output(i, ctx.input(i));
    }
  }
  return OkStatus();
}

Result<std::unique_ptr<OpKernel>> MakeConst(const graph::Node& node) {
  const tf::AttrValue* v = graph::FindAttr(node.def(), "value");
  if (v == nullptr || !v->has_tensor())
    return errors::InvalidArgument(NodeLocation(node.def()), ": Const has no 'value' tensor");
  Result<Tensor> t = TensorFromProto(v->tensor());
  if (!t.ok()) return t.status().WithContext(NodeLocation(node.def()), ": attr 'value'");
  TFPORT_ASSIGN_OR_RETURN(DataType dtype, graph::GetTypeAttr(node.def(), "dtype"));
  if (t->dtype() != dtype)
    return errors::InvalidArgument(NodeLocation(node.def()), ": value has dtype ",
                                   DataTypeName(t->dtype()), " but dtype attr is ",
                                   DataTypeName(dtype));
  Tensor value = *t;
  return std::unique_ptr<OpKernel>(new FunctionKernel([value](OpKernelContext& ctx) {
    ctx.set_output(0, value);
    return OkStatus();
  }));
}

Result<std::unique_ptr<OpKernel>> MakePlaceholder(const graph::Node& node) {
  TFPORT_ASSIGN_OR_RETURN(DataType dtype, graph::GetTypeAttr(node.def(), "dtype"));
  std::string msg = StrCat("You must feed a value for placeholder tensor '", node.name(),
                           "' with dtype ", NumpyName(dtype));
  const tf::AttrValue* shape = graph::FindAttr(node.def(), "shape");
  if (shape && shape->has_shape() && !shape->shape().unknown_rank()) {
    Result<Shape> s = Shape::FromProto(shape->shape(), true);
    if (s.ok()) msg += " and shape " + s->DebugString();
  }
  return std::unique_ptr<OpKernel>(new FunctionKernel([msg](OpKernelContext&) {
    return errors::InvalidArgument(msg);
  }));
}

// ---- Assert: TensorFlow's message "assertion failed: [d0] [d1] ..." with
// each data tensor summarized like Tensor::SummarizeValue: at most
// `summarize` elements (all when negative), nested in brackets from the
// second dimension on ("[1 2][3 4]"), "..." where elements were left out.

// Shortest of %.6g / %.9g (float) or %.15g / %.17g (double) that reads back
// exactly, as TensorFlow's StrCat prints floating point numbers.
std::string FormatFloat(double v, bool is_float) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v < 0 ? "-inf" : "inf";
  char buf[64];
  const int short_digits = is_float ? 6 : 15, long_digits = is_float ? 9 : 17;
  std::snprintf(buf, sizeof buf, "%.*g", short_digits, v);
  const bool exact = is_float ? std::strtof(buf, nullptr) == static_cast<float>(v)
                              : std::strtod(buf, nullptr) == v;
  if (!exact) std::snprintf(buf, sizeof buf, "%.*g", long_digits, v);
  return buf;
}

// Element i of t as text; false for dtypes without a text form.
bool FormatElement(const Tensor& t, int64_t i, std::string* out) {
  const auto k = static_cast<size_t>(i);
  switch (t.dtype()) {
    case DT_FLOAT: *out = FormatFloat(t.flat<float>()[k], true); return true;
    case DT_DOUBLE: *out = FormatFloat(t.flat<double>()[k], false); return true;
    case DT_HALF: *out = FormatFloat(t.flat<Half>()[k].ToFloat(), true); return true;
    case DT_BFLOAT16: *out = FormatFloat(t.flat<BFloat16>()[k].ToFloat(), true); return true;
    case DT_INT32: *out = std::to_string(t.flat<int32_t>()[k]); return true;
    case DT_INT64: *out = std::to_string(t.flat<int64_t>()[k]); return true;
    case DT_INT16: *out = std::to_string(t.flat<int16_t>()[k]); return true;
    case DT_INT8: *out = std::to_string(t.flat<int8_t>()[k]); return true;
    case DT_UINT8: *out = std::to_string(t.flat<uint8_t>()[k]); return true;
    case DT_UINT16: *out = std::to_string(t.flat<uint16_t>()[k]); return true;
    case DT_UINT32: *out = std::to_string(t.flat<uint32_t>()[k]); return true;
    case DT_UINT64: *out = std::to_string(t.flat<uint64_t>()[k]); return true;
    case DT_BOOL: out->assign(1, t.flat<bool>()[k] ? '1' : '0'); return true;
    case DT_STRING: *out = CEscape(t.flat<std::string>()[k]); return true;
    default: return false;
  }
}

void SummarizeDim(const Tensor& t, int dim, int64_t limit, int64_t* next, std::string* out) {
  if (*next >= limit) return;
  const int64_t count = t.shape().dim(dim);
  if (dim == t.shape().rank() - 1) {
    for (int64_t i = 0; i < count; ++i) {
      if (*next >= limit) {
        if (dim != 0) *out += "...";
        return;
      }
      if (i > 0) *out += " ";
      std::string e;
      FormatElement(t, (*next)++, &e);
      *out += e;
    }
    return;
  }
  for (int64_t i = 0; i < count; ++i) {
    const bool opened = *next < limit;
    if (opened) *out += "[";
    SummarizeDim(t, dim + 1, limit, next, out);
    if (*next < limit || opened) *out += "]";
  }
}

std::string SummarizeValue(const Tensor& t, int64_t max_entries) {
  const int64_t n = t.num_elements();
  const int64_t limit = max_entries < 0 ? n : std::min(n, max_entries);
  std::string out, e;
  if (n > 0 && !FormatElement(t, 0, &e)) {
    for (int64_t i = 0; i < limit; ++i) out += " ?";
  } else if (t.shape().rank() == 0) {
    if (limit > 0) FormatElement(t, 0, &out);
  } else {
    int64_t next = 0;
    SummarizeDim(t, 0, limit, &next, &out);
  }
  if (n > limit) out += "...";
  return out;
}

Result<std::unique_ptr<OpKernel>> MakeAssert(const graph::Node& node) {
  TFPORT_ASSIGN_OR_RETURN(int64_t summarize, graph::GetIntAttr(node.def(), "summarize"));
  return std::unique_ptr<OpKernel>(new FunctionKernel([summarize](OpKernelContext& ctx) {
    const Tensor& cond = ctx.input(0);
    if (cond.dtype() != DT_BOOL || cond.num_elements() != 1)
      return errors::InvalidArgument("In[0] should be a scalar: ", cond.shape().DebugString());
    if (cond.flat<bool>()[0]) return OkStatus();
    std::string msg = "assertion failed: ";
    for (int i = 1; i < ctx.num_inputs(); ++i) {
      if (i > 1) msg += " ";
      msg += '[';
      msg += SummarizeValue(ctx.input(i), summarize);
      msg += ']';
    }
    return errors::InvalidArgument(msg);
  }));
}

}  // namespace

void RegisterBaseKernels(KernelRegistry& r) {
  MustRegister(r, "Const", MakeConst);
  for (const char* op : {"Identity", "IdentityN", "Snapshot", "StopGradient", "PreventGradient",
                         "PlaceholderWithDefault"})
    MustRegister(r, op, Simple(Forward));
  MustRegister(r, "Placeholder", MakePlaceholder);
  MustRegister(r, "NoOp", Simple([](OpKernelContext&) { return OkStatus(); }));
  MustRegister(r, "Assert", MakeAssert);
}

}  // namespace tfport::kernels
