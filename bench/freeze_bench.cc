// Freeze benchmark (issue #5): a graph with 500 MiB of float32 variables
// (20 variables) frozen to one .pb, and that .pb loaded and run once, next to
// the references measured in the same run:
//   ConvertVariablesToConstants + WriteGraph  vs  memcpy / write() of the weights' bytes
//   peak RSS of a fresh freezing process      vs  the weights' size
//   ReadGraph + GraphFromGraphDef + Session::Run once  vs  protobuf's bare
//   parse of the same file (read + ParseFromString)
//   freezing a TF2 SavedModel of the same weights (tfport freeze
//   --saved_model_dir: load, inline the signature's call, convert, write)
//   vs write() of the weights, and the freezing process's peak RSS
// Medians of --reps runs after a warm-up; ratios are tfport_time / reference.
//
// usage: freeze_bench [--dir DIR] [--mib 500] [--vars 20] [--reps 3]
//        freeze_bench --freeze-only DIR MIB VARS   (used for the RSS figure)
//        freeze_bench --freeze-tf2-only MODEL_DIR OUT_DIR (the TF2 RSS figure)
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <google/protobuf/text_format.h>

#include "tfport/freeze/freeze_graph.h"
#include "tfport/freeze/graph_util.h"
#include "tfport/io/proto_io.h"
#include "tfport/saver/checkpoint.h"
#include "tfport/tf/saved_model.pb.h"
#include "tfport/graph/import.h"
#include "bench_util.h"
#include "tfport/graph/ops.h"
#include "tfport/io/file.h"
#include "tfport/kernels/kernels.h"

using namespace tfport;
using bench::Check;
using bench::MaxRssKiB;
using bench::MedianOf;
using Clock = std::chrono::steady_clock;

namespace {

// Variables v00..vNN, each summed; "out" = AddN of the sums. Values are
// loaded through placeholders so the graph holds no constants.
struct Model {
  graph::Graph g;
  std::unique_ptr<runtime::Session> session;
  std::vector<Tensor> values;

  Model(int count, int64_t elements) {
    auto [names, vals, sums] = bench::AddSummedVariables(g, count, elements, 7);
    values = std::move(vals);
    ops::Op(g, {"AddN", sums, {}, {}, "out"});
    Check(g.status());
    session = kernels::NewSession(g);
    Check(bench::LoadFedVariables(*session, names, values));
  }
};

void Freeze(Model& m, const std::string& dir) {
  auto frozen = freeze::ConvertVariablesToConstants(*m.session, m.g.ToGraphDef(), {"out"});
  Check(frozen.status());
  Check(freeze::WriteGraph(frozen->graph_def, dir, "frozen.pb").status());
}

// A TF2 SavedModel as tf.saved_model.save writes one for
//   class M(tf.Module): __call__(x) = x + sum(reduce_sum(v) for v in vars)
// resource variables v00.. captured by the signature's function, the
// object graph naming them, and variables/ written by tf.train.Checkpoint.
void WriteTf2SavedModel(const std::string& dir, const std::vector<Tensor>& values) {
  const int count = static_cast<int>(values.size());
  auto name = [](int i) { return (i < 10 ? "v0" : "v") + std::to_string(i); };
  const int64_t n = values[0].num_elements();
  std::string graph, fn_args, fn_nodes, call_inputs, tin = "type: DT_FLOAT ", addn;
  for (int i = 0; i < count; ++i) {
    const std::string v = name(i);
    graph += "node { name: '" + v + "' op: 'VarHandleOp' attr { key: 'dtype' value { type: DT_FLOAT } } "
             "attr { key: 'shape' value { shape { dim { size: " + std::to_string(n) + " } } } } "
             "attr { key: 'shared_name' value { s: '" + v + "' } } "
             "attr { key: 'container' value { s: '' } } }\n";
    call_inputs += " input: '" + v + "'";
    tin += "type: DT_RESOURCE ";
    fn_args += "input_arg { name: 'r" + std::to_string(i) + "' type: DT_RESOURCE }\n";
    fn_nodes += "node_def { name: 'read" + std::to_string(i) + "' op: 'ReadVariableOp' input: 'r" +
                std::to_string(i) + "' attr { key: 'dtype' value { type: DT_FLOAT } } }\n"
                "node_def { name: 'sum" + std::to_string(i) + "' op: 'Sum' input: 'read" + std::to_string(i) +
                ":value:0' input: 'axis:output:0' attr { key: 'T' value { type: DT_FLOAT } } "
                "attr { key: 'Tidx' value { type: DT_INT32 } } attr { key: 'keep_dims' value { b: false } } }\n";
    addn += " input: 'sum" + std::to_string(i) + ":output:0'";
  }
  graph += "node { name: 'serving_default_x' op: 'Placeholder' attr { key: 'dtype' value { type: DT_FLOAT } } "
           "attr { key: 'shape' value { shape {} } } }\n"
           "node { name: 'StatefulPartitionedCall' op: 'StatefulPartitionedCall' input: 'serving_default_x'" +
           call_inputs + " attr { key: 'Tin' value { list { " + tin + "} } } "
           "attr { key: 'Tout' value { list { type: DT_FLOAT } } } "
           "attr { key: 'f' value { func { name: '__inference_serve_7' } } } }\n"
           "library { function { signature { name: '__inference_serve_7' input_arg { name: 'x' type: DT_FLOAT }\n" +
           fn_args + " output_arg { name: 'identity' type: DT_FLOAT } is_stateful: true }\n" +
           "node_def { name: 'axis' op: 'Const' attr { key: 'dtype' value { type: DT_INT32 } } "
           "attr { key: 'value' value { tensor { dtype: DT_INT32 tensor_shape {} int_val: 0 } } } }\n" + fn_nodes +
           "node_def { name: 'total' op: 'AddN' input: 'x'" + addn + " attr { key: 'N' value { i: " +
           std::to_string(count + 1) + " } } attr { key: 'T' value { type: DT_FLOAT } } }\n"
           "node_def { name: 'result' op: 'Identity' input: 'total:sum:0' attr { key: 'T' value { type: DT_FLOAT } } }\n"
           "ret { key: 'identity' value: 'result:output:0' } } }\n"
           "versions { producer: 1395 min_consumer: 12 }\n";
  tf::SavedModel sm;
  sm.set_saved_model_schema_version(1);
  tf::MetaGraphDef* meta = sm.add_meta_graphs();
  meta->mutable_meta_info_def()->add_tags("serve");
  if (!google::protobuf::TextFormat::ParseFromString(graph, meta->mutable_graph_def())) std::exit(2);
  tf::SignatureDef& sig = (*meta->mutable_signature_def())["serving_default"];
  sig.set_method_name("tensorflow/serving/predict");
  auto& in = (*sig.mutable_inputs())["x"];
  in.set_name("serving_default_x:0");
  in.set_dtype(tf::DT_FLOAT);
  in.mutable_tensor_shape();
  auto& out = (*sig.mutable_outputs())["output_0"];
  out.set_name("StatefulPartitionedCall:0");
  out.set_dtype(tf::DT_FLOAT);
  out.mutable_tensor_shape();
  tf::SavedObjectGraph* objects = meta->mutable_object_graph_def();
  objects->add_nodes()->mutable_user_object()->set_identifier("_generic_user_object");
  auto root = saver::Trackable::Object();
  for (int i = 0; i < count; ++i) {
    auto* child = objects->mutable_nodes(0)->add_children();
    child->set_node_id(i + 1);
    child->set_local_name(name(i));
    auto* var = objects->add_nodes()->mutable_variable();
    var->set_dtype(tf::DT_FLOAT);
    var->mutable_shape()->add_dim()->set_size(n);
    var->set_name(name(i));
    root->Track(name(i), saver::Trackable::Variable(name(i), values[static_cast<size_t>(i)]));
  }
  Check(io::CreateDirectories(dir + "/variables"));
  Check(saver::Checkpoint::ForRoot(root).Write(dir + "/variables/variables").status());
  Check(io::WriteBinaryProto(dir + "/saved_model.pb", sm));
}

void FreezeTf2(const std::string& model_dir, const std::string& out_dir) {
  freeze::FreezeGraphOptions o;
  o.saved_model_dir = model_dir;
  auto frozen = freeze::FreezeGraph(o);
  Check(frozen.status());
  Check(freeze::WriteGraph(frozen->graph_def, out_dir, "frozen_tf2.pb").status());
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir = "bench_data";
  int mib = 500, count = 20, reps = 3;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string(); };
    if (a == "--freeze-only") {
      std::string d = next();
      int m = std::atoi(next().c_str()), c = std::atoi(next().c_str());
      Model model(c, static_cast<int64_t>(m) * (1 << 20) / 4 / c);
      model.values.clear();  // the session's variables hold the only copy
      long before = MaxRssKiB();
      Freeze(model, d);
      std::printf("%ld %ld\n", before, MaxRssKiB());
      return 0;
    }
    if (a == "--freeze-tf2-only") {
      std::string model_dir = next(), out_dir = next();
      FreezeTf2(model_dir, out_dir);
      std::printf("%ld\n", MaxRssKiB());
      return 0;
    }
    if (a == "--dir") dir = next();
    else if (a == "--mib") mib = std::atoi(next().c_str());
    else if (a == "--vars") count = std::atoi(next().c_str());
    else if (a == "--reps") reps = std::atoi(next().c_str());
  }
  Check(io::CreateDirectories(dir));
  const int64_t elements = static_cast<int64_t>(mib) * (1 << 20) / 4 / count;
  const size_t bytes = static_cast<size_t>(elements) * 4 * static_cast<size_t>(count);
  std::printf("tfport freeze benchmark: %d float32 variables, %d MiB, median of %d runs\n\n", count,
              mib, reps);
  Model model(count, elements);

  std::vector<char> copy(bytes);
  std::memset(copy.data(), 1, copy.size());
  double t_memcpy = MedianOf(reps, [&] {
    size_t off = 0;
    for (const Tensor& t : model.values) {
      std::memcpy(copy.data() + off, t.data(), t.byte_size());
      off += t.byte_size();
    }
  });
  copy.clear();
  copy.shrink_to_fit();
  const std::string raw = dir + "/raw.bin";
  double t_write = MedianOf(reps, [&] { bench::RawWrite(raw, model.values, false); });
  double t_freeze = MedianOf(reps, [&] { Freeze(model, dir); });
  std::printf("%-42s %7.3f s   memcpy %.3f s (%.2fx)   write() %.3f s (%.2fx)\n",
              "freeze + write .pb:", t_freeze, t_memcpy, t_freeze / t_memcpy, t_write,
              t_freeze / t_write);

  // The same weights as a TF2 SavedModel, frozen from disk as the CLI does.
  const std::string tf2_dir = dir + "/tf2_model";
  WriteTf2SavedModel(tf2_dir, model.values);
  double t_freeze_tf2 = MedianOf(reps, [&] { FreezeTf2(tf2_dir, dir); });
  std::printf("%-42s %7.3f s   write() %.3f s (%.2fx)\n", "TF2 SavedModel: load + freeze + write .pb:",
              t_freeze_tf2, t_write, t_freeze_tf2 / t_write);
  model.values.clear();
  {
    std::string cmd = std::string("'") + argv[0] + "' --freeze-tf2-only '" + tf2_dir + "' '" + dir + "'";
    FILE* p = popen(cmd.c_str(), "r");
    long peak = 0;
    if (p && std::fscanf(p, "%ld", &peak) == 1)
      std::printf("%-42s %7.2f GiB for %.2f GiB of weights (ratio %.2f)\n", "peak RSS, TF2 freezing process:",
                  peak / 1048576.0, bytes / 1073741824.0, peak * 1024.0 / bytes);
    if (p) pclose(p);
    std::filesystem::remove_all(tf2_dir);
    std::remove((dir + "/frozen_tf2.pb").c_str());
  }

  // Peak RSS of a fresh process that builds the model and freezes it.
  std::string cmd = std::string("'") + argv[0] + "' --freeze-only '" + dir + "' " +
                    std::to_string(mib) + " " + std::to_string(count);
  FILE* p = popen(cmd.c_str(), "r");
  long before = 0, peak = 0;
  if (p && std::fscanf(p, "%ld %ld", &before, &peak) == 2)
    std::printf("%-42s %7.2f GiB for %.2f GiB of weights (ratio %.2f; %.2f before freezing)\n",
                "peak RSS, freezing process:", peak / 1048576.0, bytes / 1073741824.0,
                peak * 1024.0 / bytes, before * 1024.0 / bytes);
  if (p) pclose(p);

  // Loading the frozen file and running it once vs protobuf's bare parse.
  const std::string pb = dir + "/frozen.pb";
  // protobuf's best case: parsing straight from the memory-mapped file.
  auto bare_parse = [&] {
    auto file = io::MappedFile::Open(pb);
    Check(file.status());
    tf::GraphDef g;
    if (!g.ParseFromArray((*file)->view().data(), static_cast<int>((*file)->view().size())))
      std::exit(1);
  };
  double t_parse = MedianOf(reps, bare_parse);
  float result = 0;
  double phase[3] = {0, 0, 0};  // parse, build graph, first run (last rep)
  double t_load = MedianOf(reps, [&] {
    auto t0 = Clock::now();
    auto gd = freeze::ReadGraph(pb);
    Check(gd.status());
    auto t1 = Clock::now();
    auto g = graph::GraphFromGraphDef(std::move(*gd));
    Check(g.status());
    auto t2 = Clock::now();
    auto s = kernels::NewSession(**g);
    std::vector<Tensor> out;
    Check(s->Run({}, {"out:0"}, {}, &out));
    result = out[0].scalar<float>();
    auto t3 = Clock::now();
    phase[0] = std::chrono::duration<double>(t1 - t0).count();
    phase[1] = std::chrono::duration<double>(t2 - t1).count();
    phase[2] = std::chrono::duration<double>(t3 - t2).count();
  });
  // Measured again after the load: glibc's malloc adapts its mmap threshold
  // to the 25 MiB strings, so whichever runs first pays for fresh pages.
  t_parse = std::min(t_parse, MedianOf(reps, bare_parse));
  std::printf("%-42s %7.3f s   bare parse %.3f s   ratio %.2f  (out = %.1f)\n",
              "load .pb + build graph + run once:", t_load, t_parse, t_load / t_parse, result);
  std::printf("%-42s parse %.3f s, build graph %.3f s, first run %.3f s (constants decoded, "
              "every weight summed)\n", "  of which:", phase[0], phase[1], phase[2]);
  std::remove(raw.c_str());
  std::remove(pb.c_str());
  return 0;
}
