// Kernels of StaticRegexFullMatch, StringFormat, PrintV2 and
// DisableCopyOnRead (src/graph/ops/string_ops.cc), plus the full-match
// helpers RegexFullMatch shares (regex_match.h).
//
// StringFormat renders each input the way tf.print / tf.strings.format do
// (TensorFlow's Tensor::SummarizeValue in its "v2" form):
//   * a scalar is its value; a tensor is nested brackets, elements of the
//     innermost dimension separated by " ", rows by "\n" plus one space per
//     nesting level (and an extra blank line per level above the rows);
//   * at most `summarize` leading and trailing entries of every dimension are
//     shown, "..." standing for the rest (summarize < 0: everything);
//   * numbers print as C++ StrCat does: integers in decimal, floats with the
//     shortest of 6 / 9 significant digits (doubles 15 / 17) that reads back,
//     bool as 1 / 0, strings double-quoted with C escapes;
//   * dtypes TensorFlow does not pretty-print (complex, qint32, ...) show "?"
//     per element, variants "<value>".
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <mutex>
#include <string>
#include <vector>

#include "kernels/kernels_internal.h"
#include "tfport/core/str_util.h"
#include "kernels/regex_match.h"

namespace tfport::kernels {

Result<std::shared_ptr<const std::regex>> CompileFullMatchPattern(const std::string& pattern) {
  try {
    return std::shared_ptr<const std::regex>(
        std::make_shared<const std::regex>(pattern, std::regex::ECMAScript));
  } catch (const std::regex_error& e) {
    return errors::InvalidArgument("Invalid pattern: ", pattern, ", error: ", e.what());
  }
}

Result<Tensor> FullMatchAll(const std::regex& re, const Tensor& input) {
  if (input.dtype() != DT_STRING)
    return errors::InvalidArgument("input must be a string tensor, got ",
                                   DataTypeString(input.dtype()));
  Tensor out(DT_BOOL, input.shape());
  auto src = input.flat<std::string>();
  auto dst = out.flat<bool>();
  for (size_t k = 0; k < src.size(); ++k) dst[k] = std::regex_match(src[k], re);
  return out;
}

namespace {

// ---- tensor summaries (tf.print's formatting)

// Shortest of the two precisions that reads back as the same value.
template <typename F>
std::string FloatText(F v, int digits, int more_digits) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*g", digits, static_cast<double>(v));
  F back;
  if constexpr (sizeof(F) == sizeof(float))
    back = std::strtof(buf, nullptr);
  else
    back = std::strtod(buf, nullptr);
  if (back != v) std::snprintf(buf, sizeof buf, "%.*g", more_digits, static_cast<double>(v));
  return buf;
}

// The dtypes TensorFlow prints value by value; others (complex, qint32,
// float8 in tfport, resource, variant) take Summarize's flat fallback.
bool PrettyPrinted(DataType dtype) {
  switch (dtype) {
    case DT_FLOAT: case DT_DOUBLE: case DT_HALF: case DT_BFLOAT16:
    case DT_INT32: case DT_INT64: case DT_INT16: case DT_INT8:
    case DT_UINT8: case DT_UINT16: case DT_UINT32: case DT_UINT64:
    case DT_QUINT8: case DT_QINT8: case DT_QUINT16: case DT_QINT16:
    case DT_INT4: case DT_UINT4: case DT_BOOL: case DT_STRING:
      return true;
    default:
      return false;
  }
}

// Element i of t as text. REQUIRES: PrettyPrinted(t.dtype()).
void ElementText(const Tensor& t, int64_t i, std::string* out) {
  const auto k = static_cast<size_t>(i);
  switch (t.dtype()) {
    case DT_FLOAT: *out = FloatText(t.flat<float>()[k], 6, 9); return;
    case DT_DOUBLE: *out = FloatText(t.flat<double>()[k], 15, 17); return;
    case DT_HALF: *out = FloatText(t.flat<Half>()[k].ToFloat(), 6, 9); return;
    case DT_BFLOAT16: *out = FloatText(t.flat<BFloat16>()[k].ToFloat(), 6, 9); return;
    case DT_INT32: *out = std::to_string(t.flat<int32_t>()[k]); return;
    case DT_INT64: *out = std::to_string(t.flat<int64_t>()[k]); return;
    case DT_INT16: *out = std::to_string(t.flat<int16_t>()[k]); return;
    case DT_INT8: *out = std::to_string(t.flat<int8_t>()[k]); return;
    case DT_UINT8: *out = std::to_string(t.flat<uint8_t>()[k]); return;
    case DT_UINT16: *out = std::to_string(t.flat<uint16_t>()[k]); return;
    case DT_UINT32: *out = std::to_string(t.flat<uint32_t>()[k]); return;
    case DT_UINT64: *out = std::to_string(t.flat<uint64_t>()[k]); return;
    case DT_QUINT8: *out = std::to_string(t.flat<QUInt8>()[k].value); return;
    case DT_QINT8: *out = std::to_string(t.flat<QInt8>()[k].value); return;
    case DT_QUINT16: *out = std::to_string(t.flat<QUInt16>()[k].value); return;
    case DT_QINT16: *out = std::to_string(t.flat<QInt16>()[k].value); return;
    case DT_INT4: {  // one element per byte, sign-extended from 4 bits
      auto b = static_cast<uint8_t>(t.bytes()[k]) & 0x0f;
      *out = std::to_string(b >= 8 ? static_cast<int>(b) - 16 : static_cast<int>(b));
      return;
    }
    case DT_UINT4:
      *out = std::to_string(static_cast<uint8_t>(t.bytes()[k]) & 0x0f);
      return;
    case DT_BOOL: *out = t.flat<bool>()[k] ? "1" : "0"; return;
    case DT_STRING: *out = "\"" + CEscape(t.flat<std::string>()[k], /*keep_utf8=*/true) + "\""; return;
    default: *out = "?";
  }
}

// Appends the separator printed between two entries of dimension `dim`.
void AppendSpacing(int dim, int rank, std::string* out) {
  if (dim == rank - 1) {
    *out += ' ';
    return;
  }
  out->append(static_cast<size_t>(rank - dim - 1), '\n');
  out->append(static_cast<size_t>(dim + 1), ' ');
}

// Prints the block of `t` at dimension `dim` whose first element is `base`,
// showing `ends` entries at each end of every dimension.
void AppendBlock(const Tensor& t, int dim, int64_t base, int64_t ends, std::string* out) {
  const int rank = t.shape().rank();
  if (dim == rank) {
    std::string e;
    ElementText(t, base, &e);
    *out += e;
    return;
  }
  const int64_t count = t.shape().dim(dim);
  int64_t stride = 1;
  for (int d = dim + 1; d < rank; ++d) stride *= t.shape().dim(d);
  *out += '[';
  const int64_t head = std::min(ends, count);
  for (int64_t i = 0; i < head; ++i) {
    if (i > 0) AppendSpacing(dim, rank, out);
    AppendBlock(t, dim + 1, base + i * stride, ends, out);
  }
  if (count > 2 * ends) {
    AppendSpacing(dim, rank, out);
    *out += "...";
  }
  for (int64_t i = std::max(ends, count - ends); i < count; ++i) {
    AppendSpacing(dim, rank, out);
    AppendBlock(t, dim + 1, base + i * stride, ends, out);
  }
  *out += ']';
}

std::string Summarize(const Tensor& t, int64_t summarize) {
  const int64_t n = t.num_elements();
  const int64_t max_entries = summarize < 0 ? n : summarize;
  const int64_t limit = std::min(max_entries, n);
  if (!PrettyPrinted(t.dtype())) {
    // The flat fallback: "?" (or "<value>") per element.
    std::string out = t.shape().rank() > 0 ? "[" : "";
    for (int64_t i = 0; i < limit; ++i) {
      if (i > 0) out += ' ';
      if (t.dtype() == DT_VARIANT)
        out += "<" + t.flat<Variant>()[static_cast<size_t>(i)].DebugString() + ">";
      else if (t.dtype() == DT_RESOURCE)
        out += "<ResourceHandle(name=\"" + t.flat<ResourceHandle>()[static_cast<size_t>(i)].name +
               "\")>";
      else
        out += '?';
    }
    if (max_entries < n) out += "...";
    if (t.shape().rank() > 0) out += ']';
    return out;
  }
  if (t.shape().rank() == 0) {
    std::string out;
    if (limit > 0) ElementText(t, 0, &out);
    if (n > limit) out += "...";
    return out;
  }
  std::string out;
  AppendBlock(t, 0, 0, limit, &out);
  return out;
}

// Splits `text` at every occurrence of `sep` (an empty separator splits
// between characters, as absl::StrSplit does).
std::vector<std::string> SplitAll(const std::string& text, const std::string& sep) {
  std::vector<std::string> parts;
  if (sep.empty()) {
    if (text.empty()) return {""};
    for (char c : text) parts.emplace_back(1, c);
    return parts;
  }
  size_t start = 0;
  while (true) {
    size_t at = text.find(sep, start);
    if (at == std::string::npos) break;
    parts.push_back(text.substr(start, at - start));
    start = at + sep.size();
  }
  parts.push_back(text.substr(start));
  return parts;
}

// ---- kernels

Result<std::unique_ptr<OpKernel>> MakeStaticRegexFullMatch(const graph::Node& node) {
  TFPORT_ASSIGN_OR_RETURN(std::string pattern, graph::GetStringAttr(node.def(), "pattern"));
  Result<std::shared_ptr<const std::regex>> compiled = CompileFullMatchPattern(pattern);
  if (!compiled.ok()) return compiled.status().WithContext(graph::NodeLocation(node.def()));
  std::shared_ptr<const std::regex> re = *compiled;
  return std::unique_ptr<OpKernel>(new FunctionKernel([re](OpKernelContext& ctx) -> Status {
    TFPORT_ASSIGN_OR_RETURN(Tensor out, FullMatchAll(*re, ctx.input(0)));
    ctx.set_output(0, std::move(out));
    return OkStatus();
  }));
}

Result<std::unique_ptr<OpKernel>> MakeStringFormat(const graph::Node& node) {
  TFPORT_ASSIGN_OR_RETURN(std::string tmpl, graph::GetStringAttr(node.def(), "template"));
  TFPORT_ASSIGN_OR_RETURN(std::string placeholder, graph::GetStringAttr(node.def(), "placeholder"));
  TFPORT_ASSIGN_OR_RETURN(int64_t summarize, graph::GetIntAttr(node.def(), "summarize"));
  std::vector<std::string> pieces = SplitAll(tmpl, placeholder);
  const auto placeholders = static_cast<int64_t>(pieces.size()) - 1;
  if (placeholders != node.num_inputs())
    return errors::InvalidArgument(graph::NodeLocation(node.def()),
                                   ": num placeholders in template and num inputs must match: ",
                                   placeholders, " vs. ", node.num_inputs());
  return std::unique_ptr<OpKernel>(
      new FunctionKernel([pieces, summarize](OpKernelContext& ctx) -> Status {
        std::string msg = pieces[0];
        for (int i = 0; i < ctx.num_inputs(); ++i) {
          msg += Summarize(ctx.input(i), summarize);
          msg += pieces[static_cast<size_t>(i) + 1];
        }
        ctx.set_output(0, Tensor::Scalar<std::string>(std::move(msg)));
        return OkStatus();
      }));
}

constexpr const char* kOutputStreams[] = {"stdout", "stderr", "log(info)", "log(warning)",
                                          "log(error)"};
constexpr char kFilePrefix[] = "file://";

// Serialises prints from concurrent runs so messages do not interleave.
std::mutex& PrintMutex() {
  static std::mutex* mu = new std::mutex();
  return *mu;
}

Status AppendToFile(const std::string& path, const std::string& text) {
  std::FILE* f = std::fopen(path.c_str(), "ab");
  if (f == nullptr) {
    const int err = errno;
    std::string why = std::strerror(err);
    if (err == ENOENT) return errors::NotFound(path, ": ", why);
    if (err == EACCES) return errors::PermissionDenied(path, ": ", why);
    return errors::Unknown(path, ": ", why);
  }
  const size_t wrote = std::fwrite(text.data(), 1, text.size(), f);
  const bool closed = std::fclose(f) == 0;
  if (wrote != text.size() || !closed)
    return errors::Unknown(path, ": write failed: ", std::strerror(errno));
  return OkStatus();
}

Result<std::unique_ptr<OpKernel>> MakePrintV2(const graph::Node& node) {
  TFPORT_ASSIGN_OR_RETURN(std::string stream, graph::GetStringAttr(node.def(), "output_stream"));
  TFPORT_ASSIGN_OR_RETURN(std::string end, graph::GetStringAttr(node.def(), "end"));
  std::string file;
  if (stream.rfind(kFilePrefix, 0) == 0) {
    file = stream.substr(std::strlen(kFilePrefix));
  } else if (std::find(std::begin(kOutputStreams), std::end(kOutputStreams), stream) ==
             std::end(kOutputStreams)) {
    std::string msg = "Unknown output stream: " + stream + ", Valid streams are:";
    for (const char* s : kOutputStreams) msg += std::string(" ") + s;
    return errors::InvalidArgument(graph::NodeLocation(node.def()), ": ", msg);
  }
  return std::unique_ptr<OpKernel>(
      new FunctionKernel([stream, end, file](OpKernelContext& ctx) -> Status {
        const Tensor& in = ctx.input(0);
        if (in.dtype() != DT_STRING || in.shape().rank() != 0)
          return errors::InvalidArgument("Input is expected to be scalar, but got ",
                                         in.shape().DebugString());
        const std::string text = in.scalar<std::string>() + end;
        std::lock_guard<std::mutex> lock(PrintMutex());
        if (!file.empty()) return AppendToFile(file, text);
        // tfport has no logging library: the log(...) streams go to stderr.
        std::ostream& os = stream == "stdout" ? std::cout : std::cerr;
        os << text << std::flush;
        return OkStatus();
      }));
}

// TensorFlow switches a resource variable out of "copy-on-read" mode, an
// aliasing optimisation of its own. tfport's variables always hand out
// immutable snapshots, so there is nothing to switch: the kernel only checks
// that the variable exists, with TensorFlow's error when it does not.
Status DisableCopyOnRead(OpKernelContext& ctx) {
  const Tensor& t = ctx.input(0);
  if (t.dtype() != DT_RESOURCE || t.num_elements() != 1)
    return errors::InvalidArgument("expected a scalar resource handle, got ",
                                   DataTypeName(t.dtype()), " ", t.shape().DebugString());
  const ResourceHandle& h = t.flat<ResourceHandle>()[0];
  if (ctx.resources().Lookup<runtime::ResourceVariable>(h.container, h.name) == nullptr) {
    const std::string container = h.container.empty() ? "localhost" : h.container;
    return errors::FailedPrecondition(
        "Could not find variable ", h.name, ". This could mean that the variable has been "
        "deleted. In TF1, it can also mean the variable is uninitialized. Debug info: container=",
        container, ", status error message=Resource ", container, "/", h.name,
        "/Var does not exist.");
  }
  return OkStatus();
}

}  // namespace

void RegisterStringKernels(KernelRegistry& r) {
  MustRegister(r, "StaticRegexFullMatch", MakeStaticRegexFullMatch);
  MustRegister(r, "StringFormat", MakeStringFormat);
  MustRegister(r, "PrintV2", MakePrintV2);
  MustRegister(r, "DisableCopyOnRead", Simple(DisableCopyOnRead));
}

}  // namespace tfport::kernels
