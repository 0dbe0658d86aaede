// Kernels of the io family (formats.md §1, §3, §4.2): the Saver's save and
// restore ops over V2 bundles and V1 tensor-slice files, and the string ops
// that build checkpoint file names.
//
// RestoreV2 reads V2 bundles and, when "<prefix>.index" does not exist, V1
// files, as TensorFlow's does. Restored numeric tensors may view the
// memory-mapped data file (no copy); kernels never write into them.
#include <cstdio>
#include <cstring>

#include "kernels/kernels_internal.h"
#include "kernels/regex_match.h"
#include "tfport/io/bundle.h"
#include "tfport/io/checkpoint_reader.h"
#include "tfport/io/file.h"
#include "tfport/io/tensor_slice.h"
#include "tfport/io/v1_checkpoint_writer.h"

namespace tfport::kernels {
namespace {

using graph::NodeLocation;

Result<std::string> ScalarString(const OpKernelContext& ctx, int i, const char* what) {
  const Tensor& t = ctx.input(i);
  if (t.dtype() != DT_STRING || t.num_elements() != 1)
    return errors::InvalidArgument("Input ", what, " should have a single element, got ",
                                   t.num_elements(), " elements of shape ",
                                   t.shape().DebugString());
  return t.flat<std::string>()[0];
}

Result<int32_t> ScalarInt(const OpKernelContext& ctx, int i, const char* what) {
  const Tensor& t = ctx.input(i);
  if (t.dtype() != DT_INT32 || t.shape().rank() != 0)
    return errors::InvalidArgument(what, " must be an int32 scalar, got shape ",
                                   t.shape().DebugString());
  return t.scalar<int32_t>();
}

// Checks that input i is a string vector of n elements.
Status CheckNames(const OpKernelContext& ctx, int i, int64_t n, const char* what) {
  const Tensor& t = ctx.input(i);
  if (t.dtype() != DT_STRING || t.shape().rank() > 1 || t.num_elements() != n)
    return errors::InvalidArgument("Input ", what, " should be a vector of ", n,
                                   " strings, got shape ", t.shape().DebugString());
  return OkStatus();
}

// The part of `full` that `slice` selects (row-major copy).
Result<Tensor> ExtractSlice(const Tensor& full, const io::TensorSlice& slice) {
  TFPORT_ASSIGN_OR_RETURN(Shape part_shape, slice.SliceShape(full.shape()));
  if (slice.IsFullIn(full.shape())) return full;
  TFPORT_ASSIGN_OR_RETURN(Tensor part, Tensor::Allocate(full.dtype(), part_shape, false));
  const size_t rank = static_cast<size_t>(full.shape().rank());
  std::vector<int64_t> start(rank), strides(rank), idx(rank, 0);
  int64_t stride = 1;
  for (size_t d = rank; d-- > 0;) {
    const auto& e = slice.extents()[d];
    start[d] = e.length < 0 ? 0 : e.start;
    strides[d] = stride;
    stride *= full.shape().dim(static_cast<int>(d));
  }
  const bool strings = full.dtype() == DT_STRING;
  const size_t es = strings ? 0 : DataTypeSize(full.dtype());
  const auto* src = static_cast<const unsigned char*>(full.data());
  auto* dst = static_cast<unsigned char*>(part.data());
  for (int64_t k = 0; k < part.num_elements(); ++k) {
    int64_t off = 0;
    for (size_t d = 0; d < rank; ++d) off += (start[d] + idx[d]) * strides[d];
    if (strings) {
      part.flat<std::string>()[static_cast<size_t>(k)] = full.flat<std::string>()[static_cast<size_t>(off)];
    } else {
      std::memcpy(dst + static_cast<size_t>(k) * es, src + static_cast<size_t>(off) * es, es);
    }
    for (size_t d = rank; d-- > 0;) {
      if (++idx[d] < part_shape.dim(static_cast<int>(d))) break;
      idx[d] = 0;
    }
  }
  return part;
}

// Opens what a restore op names: a V2 prefix, else a V1 file or pattern.
Result<std::unique_ptr<io::CheckpointReader>> OpenForRestore(const std::string& prefix) {
  if (!io::FileExists(io::BundleIndexPath(prefix)) && io::Glob(prefix).empty())
    return errors::NotFound(
        "Unsuccessful TensorSliceReader constructor: Failed to find any matching files for ",
        prefix);
  return io::CheckpointReader::Open(prefix);
}

// Reads one tensor (or a slice of it) and checks its dtype.
Result<Tensor> RestoreOne(const io::CheckpointReader& reader, const std::string& name,
                          const std::string& spec, DataType want) {
  TFPORT_ASSIGN_OR_RETURN(Tensor full, reader.GetTensor(name));
  if (full.dtype() != want)
    return errors::InvalidArgument("tensor_name = ", name, "; expected dtype ",
                                   DataTypeString(want), " does not equal original dtype ",
                                   DataTypeString(full.dtype()));
  if (spec.empty()) return full;
  Shape full_shape;
  io::TensorSlice slice;
  TFPORT_RETURN_IF_ERROR(io::TensorSlice::ParseShapeAndSlice(spec, &full_shape, &slice)
                             .WithContext("tensor_name = ", name));
  if (!(full_shape == full.shape()))
    return errors::InvalidArgument("tensor_name = ", name, "; shape in shape_and_slice spec ",
                                   full_shape.DebugString(),
                                   " does not match the shape stored in checkpoint: ",
                                   full.shape().DebugString());
  return ExtractSlice(full, slice);
}

// ---------------------------------------------------------------- V2

Status SaveV2(OpKernelContext& ctx) {
  const int n = ctx.num_inputs() - 3;
  TFPORT_ASSIGN_OR_RETURN(std::string prefix, ScalarString(ctx, 0, "prefix"));
  TFPORT_RETURN_IF_ERROR(CheckNames(ctx, 1, n, "tensor_names"));
  TFPORT_RETURN_IF_ERROR(CheckNames(ctx, 2, n, "shape_and_slices"));
  auto names = ctx.input(1).flat<std::string>();
  auto specs = ctx.input(2).flat<std::string>();
  TFPORT_ASSIGN_OR_RETURN(auto writer, io::BundleWriter::Create(prefix));
  for (int i = 0; i < n; ++i) {
    const std::string& name = names[static_cast<size_t>(i)];
    const std::string& spec = specs[static_cast<size_t>(i)];
    const Tensor& value = ctx.input(3 + i);
    if (spec.empty()) {
      TFPORT_RETURN_IF_ERROR(writer->Add(name, value));
    } else {
      Shape full_shape;
      io::TensorSlice slice;
      TFPORT_RETURN_IF_ERROR(io::TensorSlice::ParseShapeAndSlice(spec, &full_shape, &slice)
                                 .WithContext("tensor_name = ", name));
      TFPORT_RETURN_IF_ERROR(writer->AddSlice(name, full_shape, slice, value));
    }
  }
  return writer->Finish();
}

Result<std::unique_ptr<OpKernel>> MakeRestoreV2(const graph::Node& node) {
  TFPORT_ASSIGN_OR_RETURN(std::vector<DataType> dtypes, graph::GetTypeListAttr(node.def(), "dtypes"));
  return std::unique_ptr<OpKernel>(new FunctionKernel([dtypes](OpKernelContext& ctx) -> Status {
    const int64_t n = static_cast<int64_t>(dtypes.size());
    TFPORT_ASSIGN_OR_RETURN(std::string prefix, ScalarString(ctx, 0, "prefix"));
    TFPORT_RETURN_IF_ERROR(CheckNames(ctx, 1, n, "tensor_names"));
    TFPORT_RETURN_IF_ERROR(CheckNames(ctx, 2, n, "shape_and_slices"));
    TFPORT_ASSIGN_OR_RETURN(auto reader, OpenForRestore(prefix));
    auto names = ctx.input(1).flat<std::string>();
    auto specs = ctx.input(2).flat<std::string>();
    for (int64_t i = 0; i < n; ++i) {
      TFPORT_ASSIGN_OR_RETURN(Tensor t, RestoreOne(*reader, names[static_cast<size_t>(i)],
                                                   specs[static_cast<size_t>(i)],
                                                   dtypes[static_cast<size_t>(i)]));
      ctx.set_output(static_cast<int>(i), std::move(t));
    }
    return OkStatus();
  }));
}

Result<std::unique_ptr<OpKernel>> MakeMergeV2Checkpoints(const graph::Node& node) {
  TFPORT_ASSIGN_OR_RETURN(bool delete_old_dirs, graph::GetBoolAttr(node.def(), "delete_old_dirs"));
  return std::unique_ptr<OpKernel>(new FunctionKernel([delete_old_dirs](OpKernelContext& ctx) -> Status {
    const Tensor& parts = ctx.input(0);
    if (parts.dtype() != DT_STRING || parts.shape().rank() != 1)
      return errors::InvalidArgument("Input checkpoint_prefixes should be a vector, got shape ",
                                     parts.shape().DebugString());
    TFPORT_ASSIGN_OR_RETURN(std::string dest, ScalarString(ctx, 1, "destination_prefix"));
    std::vector<std::string> srcs(parts.flat<std::string>().begin(), parts.flat<std::string>().end());
    return io::MergeBundles(srcs, dest, delete_old_dirs);
  }));
}

// ---------------------------------------------------------------- V1

// Save (no slices) and SaveSlices: one V1 table file named `filename`.
Status SaveV1(OpKernelContext& ctx, bool with_slices) {
  const int first_data = with_slices ? 3 : 2;
  const int n = ctx.num_inputs() - first_data;
  TFPORT_ASSIGN_OR_RETURN(std::string filename, ScalarString(ctx, 0, "filename"));
  TFPORT_RETURN_IF_ERROR(CheckNames(ctx, 1, n, "tensor_names"));
  if (with_slices) TFPORT_RETURN_IF_ERROR(CheckNames(ctx, 2, n, "shapes_and_slices"));
  io::V1CheckpointWriter writer(filename);
  for (int i = 0; i < n; ++i) {
    const std::string& name = ctx.input(1).flat<std::string>()[static_cast<size_t>(i)];
    const Tensor& value = ctx.input(first_data + i);
    std::string spec = with_slices ? ctx.input(2).flat<std::string>()[static_cast<size_t>(i)] : "";
    Shape full_shape = value.shape();
    io::TensorSlice slice = io::TensorSlice::Full(value.shape().rank());
    if (!spec.empty())
      TFPORT_RETURN_IF_ERROR(io::TensorSlice::ParseShapeAndSlice(spec, &full_shape, &slice)
                                 .WithContext("tensor_name = ", name));
    TFPORT_RETURN_IF_ERROR(writer.Add(name, full_shape, slice, value));
  }
  return writer.Finish();
}

// Restore and RestoreSlice: one tensor from a V1 file or pattern.
Result<std::unique_ptr<OpKernel>> MakeRestoreV1(const graph::Node& node, bool with_slice) {
  TFPORT_ASSIGN_OR_RETURN(DataType dt, graph::GetTypeAttr(node.def(), "dt"));
  return std::unique_ptr<OpKernel>(new FunctionKernel([dt, with_slice](OpKernelContext& ctx) -> Status {
    TFPORT_ASSIGN_OR_RETURN(std::string pattern, ScalarString(ctx, 0, "file_pattern"));
    TFPORT_ASSIGN_OR_RETURN(std::string name, ScalarString(ctx, 1, "tensor_name"));
    std::string spec;
    if (with_slice) {
      TFPORT_ASSIGN_OR_RETURN(spec, ScalarString(ctx, 2, "shape_and_slice"));
    }
    TFPORT_ASSIGN_OR_RETURN(auto reader, OpenForRestore(pattern));
    TFPORT_ASSIGN_OR_RETURN(Tensor t, RestoreOne(*reader, name, spec, dt));
    ctx.set_output(0, std::move(t));
    return OkStatus();
  }));
}

// ---------------------------------------------------------------- names

Status ShardedFilename(OpKernelContext& ctx) {
  TFPORT_ASSIGN_OR_RETURN(std::string base, ScalarString(ctx, 0, "basename"));
  TFPORT_ASSIGN_OR_RETURN(int32_t shard, ScalarInt(ctx, 1, "shard"));
  TFPORT_ASSIGN_OR_RETURN(int32_t num, ScalarInt(ctx, 2, "num_shards"));
  char buf[64];
  std::snprintf(buf, sizeof buf, "-%05d-of-%05d", shard, num);
  ctx.set_output(0, Tensor::Scalar<std::string>(base + buf));
  return OkStatus();
}

Status ShardedFilespec(OpKernelContext& ctx) {
  TFPORT_ASSIGN_OR_RETURN(std::string base, ScalarString(ctx, 0, "basename"));
  TFPORT_ASSIGN_OR_RETURN(int32_t num, ScalarInt(ctx, 1, "num_shards"));
  char buf[64];
  std::snprintf(buf, sizeof buf, "-\?\?\?\?\?-of-%05d", num);
  ctx.set_output(0, Tensor::Scalar<std::string>(base + buf));
  return OkStatus();
}

Result<std::unique_ptr<OpKernel>> MakeStringJoin(const graph::Node& node) {
  TFPORT_ASSIGN_OR_RETURN(std::string sep, graph::GetStringAttr(node.def(), "separator"));
  return std::unique_ptr<OpKernel>(new FunctionKernel([sep](OpKernelContext& ctx) -> Status {
    // Scalars broadcast over the common shape of the other inputs.
    const Tensor* shaped = nullptr;
    for (int i = 0; i < ctx.num_inputs(); ++i) {
      const Tensor& t = ctx.input(i);
      if (t.shape().rank() == 0) continue;
      if (shaped && !(shaped->shape() == t.shape()))
        return errors::InvalidArgument("Inputs must be of the same shape or scalars: ",
                                       shaped->shape().DebugString(), " vs ",
                                       t.shape().DebugString(), " (input ", i, ")");
      shaped = &t;
    }
    Tensor out(DT_STRING, shaped ? shaped->shape() : Shape{});
    auto o = out.flat<std::string>();
    for (size_t k = 0; k < o.size(); ++k) {
      for (int i = 0; i < ctx.num_inputs(); ++i) {
        const Tensor& t = ctx.input(i);
        if (i > 0) o[k] += sep;
        o[k] += t.flat<std::string>()[t.shape().rank() == 0 ? 0 : k];
      }
    }
    ctx.set_output(0, std::move(out));
    return OkStatus();
  }));
}

// The pattern is an input, so it is compiled on every run (StaticRegexFullMatch
// compiles its attr once). Matching rules: regex_match.h.
Status RegexFullMatch(OpKernelContext& ctx) {
  TFPORT_ASSIGN_OR_RETURN(std::string pattern, ScalarString(ctx, 1, "pattern"));
  TFPORT_ASSIGN_OR_RETURN(std::shared_ptr<const std::regex> re, CompileFullMatchPattern(pattern));
  TFPORT_ASSIGN_OR_RETURN(Tensor out, FullMatchAll(*re, ctx.input(0)));
  ctx.set_output(0, std::move(out));
  return OkStatus();
}

}  // namespace

void RegisterIoKernels(KernelRegistry& r) {
  MustRegister(r, "SaveV2", Simple(SaveV2));
  MustRegister(r, "RestoreV2", MakeRestoreV2);
  MustRegister(r, "MergeV2Checkpoints", MakeMergeV2Checkpoints);
  MustRegister(r, "Save", Simple([](OpKernelContext& ctx) { return SaveV1(ctx, false); }));
  MustRegister(r, "SaveSlices", Simple([](OpKernelContext& ctx) { return SaveV1(ctx, true); }));
  MustRegister(r, "Restore", [](const graph::Node& n) { return MakeRestoreV1(n, false); });
  MustRegister(r, "RestoreSlice", [](const graph::Node& n) { return MakeRestoreV1(n, true); });
  MustRegister(r, "ShardedFilename", Simple(ShardedFilename));
  MustRegister(r, "ShardedFilespec", Simple(ShardedFilespec));
  MustRegister(r, "StringJoin", MakeStringJoin);
  MustRegister(r, "RegexFullMatch", Simple(RegexFullMatch));
}

}  // namespace tfport::kernels
