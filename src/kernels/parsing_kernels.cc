// Kernels of the parsing family: ParseExample, ParseExampleV2 and
// ParseSingleExample decode serialized tf.Example records (proto/tfport/tf/
// example.proto) into dense, sparse and ragged tensors, with TensorFlow's
// semantics and error texts (example_parsing_ops.cc and
// example_proto_fast_parsing.cc; texts listed next to each check).
//
// Work is done in two passes over the records, split into chunks that run on
// the intra-op pool:
//   1. parse each record (protobuf, on a per-chunk arena that lives until
//      the outputs are written), look up every configured key and check kind
//      and value count; remember the Feature found per (key, record);
//   2. size and allocate the outputs (overflow-checked, under Tensor's
//      allocation ceiling), then copy the values (strings are moved out of
//      the parsed records).
// So nothing is allocated per value, and outputs are sized only after every
// record has been checked: a huge dense shape fails cleanly instead of
// allocating first.
//
// A scalar `serialized` (ParseSingleExample, ParseExampleV2 with a scalar)
// gives outputs without the batch dimension and TensorFlow's single-example
// wording ("Key: x.  ..."); a vector gives "Name: n, Key: x, Index: i.  ...".
#include <google/protobuf/arena.h>

#include <algorithm>
#include <functional>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "kernels/kernels_internal.h"
#include "tfport/tf/example.pb.h"

namespace tfport::kernels {
namespace {

using tf::Feature;

enum class OpKind { kV1, kV2, kSingle };

// One dense feature's static config (from Tdense and dense_shapes).
struct DenseSpec {
  DataType dtype = DT_INVALID;
  Shape shape;                    // dense_shapes[i]; dim 0 may be -1 (variable length)
  bool variable_length = false;
  std::vector<int64_t> row_dims;  // shape of one step: dims after the first when variable
  int64_t stride = 1;             // elements per step
};

struct Spec {
  OpKind op = OpKind::kV1;
  std::vector<DataType> sparse_types, ragged_types, split_types;
  std::vector<DenseSpec> dense;
  std::vector<std::string> sparse_keys, dense_keys;  // ParseSingleExample's attrs
};

Status CheckValidType(DataType t) {
  if (t == DT_FLOAT || t == DT_INT64 || t == DT_STRING) return OkStatus();
  return errors::InvalidArgument("Received input dtype: ", DataTypeString(t));
}

std::vector<std::string> StringListAttr(const graph::Node& node, const char* name) {
  std::vector<std::string> out;
  if (const tf::AttrValue* v = graph::FindAttr(node.def(), name))
    out.assign(v->list().s().begin(), v->list().s().end());
  return out;
}

Result<Spec> ParseSpec(const graph::Node& node, OpKind op) {
  const tf::NodeDef& def = node.def();
  Spec spec;
  spec.op = op;
  TFPORT_ASSIGN_OR_RETURN(spec.sparse_types, graph::GetTypeListAttr(def, "sparse_types"));
  TFPORT_ASSIGN_OR_RETURN(std::vector<DataType> dense_types, graph::GetTypeListAttr(def, "Tdense"));
  const tf::AttrValue* shapes = graph::FindAttr(def, "dense_shapes");
  const int num_shapes = shapes != nullptr ? shapes->list().shape_size() : 0;
  int64_t num_sparse = 0, num_dense = static_cast<int64_t>(dense_types.size());
  if (op == OpKind::kV1) {
    TFPORT_ASSIGN_OR_RETURN(num_sparse, graph::GetIntAttr(def, "Nsparse"));
    TFPORT_ASSIGN_OR_RETURN(num_dense, graph::GetIntAttr(def, "Ndense"));
  } else {
    TFPORT_ASSIGN_OR_RETURN(num_sparse, graph::GetIntAttr(def, "num_sparse"));
  }
  if (op == OpKind::kSingle) {
    spec.sparse_keys = StringListAttr(node, "sparse_keys");
    spec.dense_keys = StringListAttr(node, "dense_keys");
    if (num_sparse != static_cast<int64_t>(spec.sparse_keys.size()))
      return errors::InvalidArgument("num_sparse (", num_sparse,
                                     ") must match the size of sparse_keys (",
                                     spec.sparse_keys.size(), ")");
    num_dense = static_cast<int64_t>(spec.dense_keys.size());
  }
  if (num_sparse != static_cast<int64_t>(spec.sparse_types.size()))
    return errors::InvalidArgument("len(sparse_keys) != len(sparse_types)");
  if (num_dense != static_cast<int64_t>(dense_types.size()))
    return errors::InvalidArgument("len(dense_keys) != len(dense_types)");
  if (num_dense != num_shapes) return errors::InvalidArgument("len(dense_keys) != len(dense_shapes)");
  if (op == OpKind::kV2) {
    TFPORT_ASSIGN_OR_RETURN(spec.ragged_types, graph::GetTypeListAttr(def, "ragged_value_types"));
    TFPORT_ASSIGN_OR_RETURN(spec.split_types, graph::GetTypeListAttr(def, "ragged_split_types"));
    if (spec.ragged_types.size() != spec.split_types.size())
      return errors::InvalidArgument("len(ragged_keys) != len(ragged_split_types)");
  }
  for (DataType t : dense_types) TFPORT_RETURN_IF_ERROR(CheckValidType(t));
  for (DataType t : spec.sparse_types) TFPORT_RETURN_IF_ERROR(CheckValidType(t));
  for (DataType t : spec.ragged_types) TFPORT_RETURN_IF_ERROR(CheckValidType(t));
  for (DataType t : spec.split_types)
    if (t != DT_INT32 && t != DT_INT64)
      return errors::InvalidArgument("Invalid ragged_split_type: ", DataTypeString(t));

  for (int i = 0; i < num_dense; ++i) {
    DenseSpec d;
    d.dtype = dense_types[static_cast<size_t>(i)];
    const tf::TensorShapeProto& proto = shapes->list().shape(i);
    Result<Shape> shape = Shape::FromProto(proto, /*allow_unknown=*/true);
    if (!shape.ok()) return shape.status().WithContext("dense_shapes[", i, "]");
    bool ok = !shape->unknown_rank();
    for (int k = 1; ok && k < shape->rank(); ++k) ok = shape->dim(k) >= 0;
    if (!ok)
      return errors::InvalidArgument("dense_shapes[", i,
                                     "] has unknown rank or unknown inner dimensions: ",
                                     shape->DebugString());
    d.shape = *shape;
    d.variable_length = d.shape.rank() > 0 && d.shape.dim(0) < 0;
    d.row_dims = d.shape.dims();
    if (d.variable_length) d.row_dims.erase(d.row_dims.begin());
    // Validated: every remaining dim >= 0 and the product fits in int64.
    TFPORT_ASSIGN_OR_RETURN(Shape row, Shape::FromDims(d.row_dims));
    d.stride = row.num_elements();
    spec.dense.push_back(std::move(d));
  }
  return spec;
}

// ---------------------------------------------------------------- per run

struct Run {
  const Spec* spec = nullptr;
  bool single = false;  // scalar `serialized`: no batch dimension
  std::span<const std::string> records;
  std::span<const std::string> names;  // empty or one per record
  std::vector<const std::string*> sparse_keys, dense_keys, ragged_keys;
  std::vector<const Tensor*> defaults;

  size_t num_dense() const { return dense_keys.size(); }
  size_t num_sparse() const { return sparse_keys.size(); }
  size_t num_ragged() const { return ragged_keys.size(); }
  std::string_view name(size_t e) const {
    return names.empty() ? std::string_view("<unknown>") : std::string_view(names[e]);
  }
};

// The dtype a Feature holds (DT_INVALID: no kind set, treated as absent).
DataType KindOf(const Feature& f) {
  switch (f.kind_case()) {
    case Feature::kBytesList: return DT_STRING;
    case Feature::kFloatList: return DT_FLOAT;
    case Feature::kInt64List: return DT_INT64;
    default: return DT_INVALID;
  }
}

int64_t CountOf(const Feature& f) {
  switch (f.kind_case()) {
    case Feature::kBytesList: return f.bytes_list().value_size();
    case Feature::kFloatList: return f.float_list().value_size();
    case Feature::kInt64List: return f.int64_list().value_size();
    default: return 0;
  }
}

// TensorFlow names value kinds so in its count errors.
const char* KindWord(DataType t) {
  return t == DT_FLOAT ? "float" : t == DT_INT64 ? "int64" : "bytes";
}

// Calls fn.template operator()<T>() with the element type of a feature dtype.
template <typename F>
void VisitType(DataType t, F&& fn) {
  if (t == DT_FLOAT) {
    fn.template operator()<float>();
  } else if (t == DT_INT64) {
    fn.template operator()<int64_t>();
  } else {
    fn.template operator()<std::string>();
  }
}

template <typename T>
auto& MutableValues(Feature& f) {
  if constexpr (std::is_same_v<T, float>) {
    return *f.mutable_float_list()->mutable_value();
  } else if constexpr (std::is_same_v<T, int64_t>) {
    return *f.mutable_int64_list()->mutable_value();
  } else {
    return *f.mutable_bytes_list()->mutable_value();
  }
}

// Moves (strings) or copies (numbers) the values of f to dst.
template <typename T>
void TakeValues(Feature& f, T* dst) {
  auto& values = MutableValues<T>(f);
  if constexpr (std::is_same_v<T, std::string>) {
    for (std::string& s : values) *dst++ = std::move(s);
  } else {
    std::copy(values.begin(), values.end(), dst);
  }
}

// The record's bytes for the unparsable-record message, cut at 1 KiB.
std::string RecordForMessage(const std::string& record) {
  constexpr size_t kMax = 1024;
  if (record.size() <= kMax) return record;
  return record.substr(0, kMax) + "...";
}

class Parser {
 public:
  explicit Parser(const Run& run)
      : run_(run), n_(run.records.size()),
        found_((run.num_dense() + run.num_sparse() + run.num_ragged()) * n_, nullptr) {}

  Status Parse(OpKernelContext& ctx);

 private:
  Feature*& Found(size_t k, size_t e) { return found_[k * n_ + e]; }
  size_t SparseIndex(size_t s) const { return run_.num_dense() + s; }
  size_t RaggedIndex(size_t r) const { return run_.num_dense() + run_.num_sparse() + r; }

  // "Name: n, Key: k, Index: i.  <what>" or, for a scalar input, "Key: k.  <what>".
  template <typename... Args>
  Status RecordError(size_t e, const std::string& key, const Args&... what) const {
    if (run_.single) return errors::InvalidArgument("Key: ", key, ".  ", what...);
    return errors::InvalidArgument("Name: ", run_.name(e), ", Key: ", key, ", Index: ", e, ".  ",
                                   what...);
  }

  Status ParseRecord(size_t e, google::protobuf::Arena* arena);
  Status CheckDense(size_t d, size_t e, Feature* f) const;
  Status Collect(size_t begin, size_t end, google::protobuf::Arena* arena);
  Status Allocate();
  void Fill(size_t chunk, size_t begin, size_t end);
  void SetOutputs(OpKernelContext& ctx);

  const Run& run_;
  const size_t n_;
  std::vector<Feature*> found_;  // [feature][record]: nullptr = absent or empty kind
  std::vector<size_t> chunk_begin_;
  // Outputs, and for sparse/ragged features the first value of each chunk.
  std::vector<Tensor> dense_, sparse_indices_, sparse_values_, sparse_shapes_, ragged_values_,
      ragged_splits_;
  std::vector<int64_t> dense_rows_;                   // padded rows of variable-length features
  std::vector<std::vector<int64_t>> chunk_offsets_;   // [sparse then ragged][chunk]
};

Status Parser::CheckDense(size_t d, size_t e, Feature* f) const {
  const DenseSpec& spec = run_.spec->dense[d];
  const std::string& key = *run_.dense_keys[d];
  if (f == nullptr) {
    if (spec.variable_length || run_.defaults[d]->num_elements() > 0) return OkStatus();
    if (run_.single)
      return errors::InvalidArgument("Feature: ", key, " (data type: ", DataTypeString(spec.dtype),
                                     ") is required but could not be found.");
    return errors::InvalidArgument("Name: ", run_.name(e), ", Feature: ", key, " (data type: ",
                                   DataTypeString(spec.dtype),
                                   ") is required but could not be found.");
  }
  const DataType got = KindOf(*f);
  if (got != spec.dtype)
    return RecordError(e, key, "Data types don't match. Data type: ", DataTypeString(got),
                       " but expected type: ", DataTypeString(spec.dtype));
  const int64_t count = CountOf(*f);
  if (!spec.variable_length) {
    if (count == spec.stride) return OkStatus();
    if (run_.single)  // TensorFlow's single-example text, with the numbers added
      return RecordError(e, key, "Can't parse serialized Example: Some ", KindWord(spec.dtype),
                         "_list slice was not parsed. (", count, " values, expected ", spec.stride,
                         " for shape ", spec.shape.DebugString(), ")");
    return RecordError(e, key, "Number of ", KindWord(spec.dtype),
                       " values != expected.  Values size: ", count,
                       " but output shape: ", spec.shape.DebugString());
  }
  const bool divisible = spec.stride == 0 ? count == 0 : count % spec.stride == 0;
  if (divisible) return OkStatus();
  if (run_.single)
    return errors::InvalidArgument("Error while parsing feature with key ", key,
                                   ": number of elements should be divisible by ", spec.stride,
                                   ", found ", count, " instead");
  return RecordError(e, key, "Number of ", KindWord(spec.dtype),
                     " values is not a multiple of stride length. Saw ", count,
                     " values but output shape is: ", spec.shape.DebugString());
}

Status Parser::ParseRecord(size_t e, google::protobuf::Arena* arena) {
  const std::string& record = run_.records[e];
  auto* example = google::protobuf::Arena::CreateMessage<tf::Example>(arena);
  if (!example->ParseFromString(record))
    return errors::InvalidArgument("Could not parse example input, value: '",
                                   RecordForMessage(record), "'");
  auto& features = *example->mutable_features()->mutable_feature();
  // A map parse keeps the last of repeated keys, as TensorFlow's parser does.
  auto lookup = [&](const std::string& key) -> Feature* {
    auto it = features.find(key);
    if (it == features.end() || it->second.kind_case() == Feature::KIND_NOT_SET) return nullptr;
    return &it->second;
  };
  for (size_t d = 0; d < run_.num_dense(); ++d) {
    Feature* f = lookup(*run_.dense_keys[d]);
    TFPORT_RETURN_IF_ERROR(CheckDense(d, e, f));
    Found(d, e) = f;
  }
  auto sparse_like = [&](size_t k, const std::string& key, DataType want) -> Status {
    Feature* f = lookup(key);
    if (f != nullptr && KindOf(*f) != want)
      return RecordError(e, key, "Data types don't match. Expected type: ", DataTypeString(want),
                         ", Actual type: ", DataTypeString(KindOf(*f)));
    Found(k, e) = f;
    return OkStatus();
  };
  for (size_t s = 0; s < run_.num_sparse(); ++s)
    TFPORT_RETURN_IF_ERROR(
        sparse_like(SparseIndex(s), *run_.sparse_keys[s], run_.spec->sparse_types[s]));
  for (size_t r = 0; r < run_.num_ragged(); ++r)
    TFPORT_RETURN_IF_ERROR(
        sparse_like(RaggedIndex(r), *run_.ragged_keys[r], run_.spec->ragged_types[r]));
  return OkStatus();
}

Status Parser::Collect(size_t begin, size_t end, google::protobuf::Arena* arena) {
  for (size_t e = begin; e < end; ++e) TFPORT_RETURN_IF_ERROR(ParseRecord(e, arena));
  return OkStatus();
}

// Checked allocation of an output whose dims come from the data.
Result<Tensor> NewOutput(DataType dtype, const std::vector<int64_t>& dims, const std::string& key) {
  Result<Shape> shape = Shape::FromDims(dims);
  if (!shape.ok()) return shape.status().WithContext("output for feature '", key, "'");
  Result<Tensor> t = Tensor::Allocate(dtype, *shape, /*zero=*/dtype != DT_FLOAT && dtype != DT_INT64);
  if (!t.ok()) return t.status().WithContext("output for feature '", key, "'");
  return t;
}

Status Parser::Allocate() {
  const Spec& spec = *run_.spec;
  const int64_t n = static_cast<int64_t>(n_);
  dense_rows_.assign(run_.num_dense(), 0);
  for (size_t d = 0; d < run_.num_dense(); ++d) {
    const DenseSpec& ds = spec.dense[d];
    std::vector<int64_t> dims;
    if (!run_.single) dims.push_back(n);
    if (ds.variable_length) {
      int64_t rows = 0;
      if (ds.stride > 0)
        for (size_t e = 0; e < n_; ++e)
          if (const Feature* f = Found(d, e)) rows = std::max(rows, CountOf(*f) / ds.stride);
      dense_rows_[d] = rows;
      dims.push_back(rows);
      dims.insert(dims.end(), ds.row_dims.begin(), ds.row_dims.end());
    } else {
      dims.insert(dims.end(), ds.shape.dims().begin(), ds.shape.dims().end());
    }
    TFPORT_ASSIGN_OR_RETURN(Tensor t, NewOutput(ds.dtype, dims, *run_.dense_keys[d]));
    if (ds.variable_length) {  // pad with the default's single element
      VisitType(ds.dtype, [&]<typename T>() {
        std::fill_n(t.flat<T>().data(), t.num_elements(), run_.defaults[d]->flat<T>()[0]);
      });
    }
    dense_.push_back(std::move(t));
  }

  // Sparse and ragged: totals per chunk, then each chunk's first value.
  const size_t num_chunks = chunk_begin_.size() - 1;
  auto totals = [&](size_t k, int64_t* total, int64_t* longest) {
    std::vector<int64_t> offsets(num_chunks + 1, 0);
    for (size_t c = 0; c < num_chunks; ++c) {
      int64_t sum = 0;
      for (size_t e = chunk_begin_[c]; e < chunk_begin_[c + 1]; ++e) {
        const int64_t m = Found(k, e) != nullptr ? CountOf(*Found(k, e)) : 0;
        sum += m;
        *longest = std::max(*longest, m);
      }
      offsets[c + 1] = offsets[c] + sum;
    }
    *total = offsets[num_chunks];
    chunk_offsets_.push_back(std::move(offsets));
  };
  const int64_t rank = run_.single ? 1 : 2;
  for (size_t s = 0; s < run_.num_sparse(); ++s) {
    const std::string& key = *run_.sparse_keys[s];
    int64_t total = 0, longest = 0;
    totals(SparseIndex(s), &total, &longest);
    TFPORT_ASSIGN_OR_RETURN(Tensor indices, NewOutput(DT_INT64, {total, rank}, key));
    TFPORT_ASSIGN_OR_RETURN(Tensor values, NewOutput(spec.sparse_types[s], {total}, key));
    Tensor shape(DT_INT64, Shape{rank});
    if (run_.single) {
      shape.flat<int64_t>()[0] = total;
    } else {
      shape.flat<int64_t>()[0] = n;
      shape.flat<int64_t>()[1] = longest;
    }
    sparse_indices_.push_back(std::move(indices));
    sparse_values_.push_back(std::move(values));
    sparse_shapes_.push_back(std::move(shape));
  }
  for (size_t r = 0; r < run_.num_ragged(); ++r) {
    const std::string& key = *run_.ragged_keys[r];
    int64_t total = 0, longest = 0;
    totals(RaggedIndex(r), &total, &longest);
    const DataType split_type = spec.split_types[r];
    if (split_type == DT_INT32 && total > std::numeric_limits<int32_t>::max())
      return errors::InvalidArgument("Key: ", key, ".  ", total,
                                     " ragged values do not fit int32 row splits");
    TFPORT_ASSIGN_OR_RETURN(Tensor values, NewOutput(spec.ragged_types[r], {total}, key));
    // A scalar input has no rows to split: TensorFlow returns empty splits.
    TFPORT_ASSIGN_OR_RETURN(Tensor splits, NewOutput(split_type, {run_.single ? 0 : n + 1}, key));
    if (!run_.single) {
      if (split_type == DT_INT32) splits.flat<int32_t>()[0] = 0;
      else splits.flat<int64_t>()[0] = 0;
    }
    ragged_values_.push_back(std::move(values));
    ragged_splits_.push_back(std::move(splits));
  }
  return OkStatus();
}

// Pass 2 for the records [begin, end) of one chunk.
void Parser::Fill(size_t chunk, size_t begin, size_t end) {
  const Spec& spec = *run_.spec;
  for (size_t d = 0; d < run_.num_dense(); ++d) {
    const DenseSpec& ds = spec.dense[d];
    const int64_t per_record = ds.variable_length ? dense_rows_[d] * ds.stride : ds.stride;
    VisitType(ds.dtype, [&]<typename T>() {
      T* out = dense_[d].flat<T>().data();
      for (size_t e = begin; e < end; ++e) {
        T* dst = out + static_cast<int64_t>(e) * per_record;
        if (Feature* f = Found(d, e)) {
          TakeValues<T>(*f, dst);
        } else if (!ds.variable_length) {
          auto def = run_.defaults[d]->flat<T>();
          std::copy(def.begin(), def.end(), dst);
        }
      }
    });
  }
  for (size_t s = 0; s < run_.num_sparse(); ++s) {
    int64_t offset = chunk_offsets_[s][chunk];
    int64_t* indices = sparse_indices_[s].flat<int64_t>().data();
    VisitType(spec.sparse_types[s], [&]<typename T>() {
      T* values = sparse_values_[s].flat<T>().data();
      for (size_t e = begin; e < end; ++e) {
        Feature* f = Found(SparseIndex(s), e);
        if (f == nullptr) continue;
        const int64_t m = CountOf(*f);
        for (int64_t j = 0; j < m; ++j) {
          if (run_.single) {
            indices[offset + j] = j;
          } else {
            indices[2 * (offset + j)] = static_cast<int64_t>(e);
            indices[2 * (offset + j) + 1] = j;
          }
        }
        TakeValues<T>(*f, values + offset);
        offset += m;
      }
    });
  }
  for (size_t r = 0; r < run_.num_ragged(); ++r) {
    int64_t offset = chunk_offsets_[run_.num_sparse() + r][chunk];
    Tensor& splits = ragged_splits_[r];
    VisitType(spec.ragged_types[r], [&]<typename T>() {
      T* values = ragged_values_[r].flat<T>().data();
      for (size_t e = begin; e < end; ++e) {
        if (Feature* f = Found(RaggedIndex(r), e)) {
          const int64_t m = CountOf(*f);
          TakeValues<T>(*f, values + offset);
          offset += m;
        }
        if (run_.single) continue;
        if (splits.dtype() == DT_INT32) {
          splits.flat<int32_t>()[e + 1] = static_cast<int32_t>(offset);
        } else {
          splits.flat<int64_t>()[e + 1] = offset;
        }
      }
    });
  }
}

void Parser::SetOutputs(OpKernelContext& ctx) {
  const size_t s_n = run_.num_sparse(), d_n = run_.num_dense(), r_n = run_.num_ragged();
  for (size_t s = 0; s < s_n; ++s) {
    ctx.set_output(static_cast<int>(s), std::move(sparse_indices_[s]));
    ctx.set_output(static_cast<int>(s_n + s), std::move(sparse_values_[s]));
    ctx.set_output(static_cast<int>(2 * s_n + s), std::move(sparse_shapes_[s]));
  }
  for (size_t d = 0; d < d_n; ++d) ctx.set_output(static_cast<int>(3 * s_n + d), std::move(dense_[d]));
  for (size_t r = 0; r < r_n; ++r) {
    ctx.set_output(static_cast<int>(3 * s_n + d_n + r), std::move(ragged_values_[r]));
    ctx.set_output(static_cast<int>(3 * s_n + d_n + r_n + r), std::move(ragged_splits_[r]));
  }
}

Status Parser::Parse(OpKernelContext& ctx) {
  // Chunks of at least kMinChunk records, a few per thread.
  constexpr size_t kMinChunk = 64;
  ThreadPool* pool = ctx.intra_op_pool();
  size_t num_chunks = n_ == 0 ? 0 : 1;
  if (pool != nullptr && n_ >= 2 * kMinChunk)
    num_chunks = std::min(n_ / kMinChunk, 4 * (pool->num_threads() + 1));
  chunk_begin_.resize(num_chunks + 1);
  for (size_t c = 0; c <= num_chunks; ++c) chunk_begin_[c] = num_chunks == 0 ? 0 : n_ * c / num_chunks;

  std::vector<std::unique_ptr<google::protobuf::Arena>> arenas(num_chunks);
  std::vector<Status> status(num_chunks);
  auto run_chunks = [&](const std::function<void(size_t)>& fn) {
    if (num_chunks > 1) {
      pool->ParallelFor(num_chunks, fn);
    } else {
      for (size_t c = 0; c < num_chunks; ++c) fn(c);
    }
  };
  run_chunks([&](size_t c) {
    arenas[c] = std::make_unique<google::protobuf::Arena>();
    status[c] = Collect(chunk_begin_[c], chunk_begin_[c + 1], arenas[c].get());
  });
  for (const Status& s : status) TFPORT_RETURN_IF_ERROR(s);  // the first failing record's error
  TFPORT_RETURN_IF_ERROR(Allocate());
  run_chunks([&](size_t c) { Fill(c, chunk_begin_[c], chunk_begin_[c + 1]); });
  SetOutputs(ctx);
  return OkStatus();
}

// ---------------------------------------------------------------- kernel

std::string ShapeString(const Tensor& t) { return t.shape().DebugString(); }

// Scalar string key of a ParseExample (V1) key input.
Result<const std::string*> ScalarKey(const OpKernelContext& ctx, int i, const char* what, int k) {
  const Tensor& t = ctx.input(i);
  if (t.dtype() != DT_STRING || t.num_elements() != 1)
    return errors::InvalidArgument(what, "[", k, "] must be a scalar string, got shape ",
                                   ShapeString(t));
  return &t.flat<std::string>()[0];
}

Status VectorKeys(const OpKernelContext& ctx, int i, std::vector<const std::string*>* keys) {
  const Tensor& t = ctx.input(i);
  if (t.dtype() != DT_STRING || t.shape().rank() > 1)
    return errors::InvalidArgument("Keys of input ", i, " must be a string vector, got shape ",
                                   ShapeString(t));
  for (const std::string& k : t.flat<std::string>()) keys->push_back(&k);
  return OkStatus();
}

class ParseExampleKernel final : public OpKernel {
 public:
  explicit ParseExampleKernel(Spec spec) : spec_(std::move(spec)) {}

  Status Compute(OpKernelContext& ctx) const override {
    Run run;
    run.spec = &spec_;
    const Tensor& serialized = ctx.input(0);
    const size_t num_dense = spec_.dense.size();
    int first_default = 1;
    if (spec_.op == OpKind::kSingle) {
      if (serialized.shape().rank() != 0)
        return errors::InvalidArgument("Expected serialized to be a scalar, got shape: ",
                                       ShapeString(serialized));
      for (const auto& k : spec_.sparse_keys) run.sparse_keys.push_back(&k);
      for (const auto& k : spec_.dense_keys) run.dense_keys.push_back(&k);
    } else {
      const Tensor& names = ctx.input(1);
      if (spec_.op == OpKind::kV1 && serialized.shape().rank() != 1)
        return errors::InvalidArgument("Expected serialized to be a vector, got shape: ",
                                       ShapeString(serialized));
      if (serialized.shape().rank() > 1)
        return errors::InvalidArgument("Expected serialized to be a scalar or vector, got shape: ",
                                       ShapeString(serialized));
      if (names.num_elements() > 0 && !(names.shape() == serialized.shape()))
        return errors::InvalidArgument(
            "Expected names have the same shape as serialized: name.shape=", ShapeString(names),
            ", serialized.shape=", ShapeString(serialized));
      if (names.num_elements() > 0 && serialized.shape().rank() == 1)
        run.names = names.flat<std::string>();
      if (spec_.op == OpKind::kV1) {
        const int num_sparse = static_cast<int>(spec_.sparse_types.size());
        for (int s = 0; s < num_sparse; ++s) {
          TFPORT_ASSIGN_OR_RETURN(const std::string* k, ScalarKey(ctx, 2 + s, "sparse_keys", s));
          run.sparse_keys.push_back(k);
        }
        for (int d = 0; d < static_cast<int>(num_dense); ++d) {
          TFPORT_ASSIGN_OR_RETURN(const std::string* k,
                                  ScalarKey(ctx, 2 + num_sparse + d, "dense_keys", d));
          run.dense_keys.push_back(k);
        }
        first_default = 2 + num_sparse + static_cast<int>(num_dense);
      } else {
        TFPORT_RETURN_IF_ERROR(VectorKeys(ctx, 2, &run.sparse_keys));
        TFPORT_RETURN_IF_ERROR(VectorKeys(ctx, 3, &run.dense_keys));
        TFPORT_RETURN_IF_ERROR(VectorKeys(ctx, 4, &run.ragged_keys));
        if (run.dense_keys.size() != num_dense)
          return errors::InvalidArgument("Expected len(dense_keys) == len(dense_types) but got: ",
                                         run.dense_keys.size(), " vs. ", num_dense);
        if (run.sparse_keys.size() != spec_.sparse_types.size())
          return errors::InvalidArgument("Expected len(sparse_keys) == num_sparse but got: ",
                                         run.sparse_keys.size(), " vs. ", spec_.sparse_types.size());
        if (run.ragged_keys.size() != spec_.ragged_types.size())
          return errors::InvalidArgument(
              "Expected len(ragged_keys) == len(ragged_value_types) but got: ",
              run.ragged_keys.size(), " vs. ", spec_.ragged_types.size());
        first_default = 5;
      }
      run.records = serialized.flat<std::string>();
    }
    if (spec_.op == OpKind::kSingle || serialized.shape().rank() == 0) {
      run.single = true;
      run.records = serialized.flat<std::string>();
      run.names = {};
    }
    if (ctx.num_inputs() - first_default != static_cast<int>(num_dense))
      return errors::InvalidArgument("Expected len(dense_defaults) == len(dense_keys) but got: ",
                                     ctx.num_inputs() - first_default, " vs. ", num_dense);
    TFPORT_RETURN_IF_ERROR(CheckDuplicateKeys(run));
    for (size_t d = 0; d < num_dense; ++d) {
      const Tensor& def = ctx.input(first_default + static_cast<int>(d));
      TFPORT_RETURN_IF_ERROR(CheckDefault(d, def));
      run.defaults.push_back(&def);
    }
    Parser parser(run);
    return parser.Parse(ctx);
  }

 private:
  Status CheckDefault(size_t d, const Tensor& def) const {
    const DenseSpec& ds = spec_.dense[d];
    if (ds.variable_length) {
      if (def.num_elements() != 1)
        return errors::InvalidArgument(
            "dense_shape[", d, "] is a variable length shape: ", ds.shape.DebugString(),
            ", therefore def_value[", d,
            "] must contain a single element (the padding element).  But its shape is: ",
            ShapeString(def));
    } else if (def.num_elements() > 0 && !(def.shape() == ds.shape)) {
      return errors::InvalidArgument("def_value[", d, "].shape() == ", ShapeString(def),
                                     " is not compatible with dense_shapes_[", d,
                                     "] == ", ds.shape.DebugString());
    }
    if (def.dtype() != ds.dtype)
      return errors::InvalidArgument("dense_defaults[", d, "].dtype() == ",
                                     DataTypeString(def.dtype()), " != dense_types_[", d,
                                     "] == ", DataTypeString(ds.dtype));
    return OkStatus();
  }

  // A key may be configured once: each record's values are moved into one
  // output. (TensorFlow fails such a config too, with an internal error.)
  static Status CheckDuplicateKeys(const Run& run) {
    std::vector<std::string_view> keys;
    for (const auto* list : {&run.dense_keys, &run.sparse_keys, &run.ragged_keys})
      for (const std::string* k : *list) keys.push_back(*k);
    std::sort(keys.begin(), keys.end());
    auto dup = std::adjacent_find(keys.begin(), keys.end());
    if (dup != keys.end())
      return errors::InvalidArgument("Feature key '", *dup,
                                     "' is configured more than once (dense, sparse and ragged "
                                     "keys must be distinct)");
    return OkStatus();
  }

  Spec spec_;
};

runtime::KernelFactory Factory(OpKind op) {
  return [op](const graph::Node& node) -> Result<std::unique_ptr<OpKernel>> {
    TFPORT_ASSIGN_OR_RETURN(Spec spec, ParseSpec(node, op));
    return std::unique_ptr<OpKernel>(new ParseExampleKernel(std::move(spec)));
  };
}

}  // namespace

void RegisterParsingKernels(KernelRegistry& r) {
  MustRegister(r, "ParseExample", Factory(OpKind::kV1));
  MustRegister(r, "ParseExampleV2", Factory(OpKind::kV2));
  MustRegister(r, "ParseSingleExample", Factory(OpKind::kSingle));
}

}  // namespace tfport::kernels
