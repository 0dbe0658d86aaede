// Function runtime benchmark (issue #10), each figure next to a reference
// measured in the same run:
//   Signature::Run of the TF2 half_plus_two (StatefulPartitionedCall into a
//     library function)  vs  Signature::Run of the TF1 half_plus_two (the
//     same Mul/Add kernels on variables, no function call); the difference is
//     the per-call cost of the function machinery (target <= 5 us)
//   a 100-step StatelessWhile (cond and body are functions)  vs  the same
//     loop body unrolled 100 times in one TF1 graph (target <= 1.5x)
// Medians of --reps rounds after a warm-up; interleaved rounds, best of 3.
//
// usage: function_bench [--reps 5] [--calls 20000]
#include <google/protobuf/text_format.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "bench_util.h"
#include "tfport/graph/import.h"
#include "tfport/io/file.h"
#include "tfport/kernels/kernels.h"
#include "tfport/saved_model/loader.h"

using namespace tfport;
using bench::Check;
using bench::MedianMicros;

namespace {

const std::string kFixtures = std::string(TFPORT_SOURCE_DIR) + "/../shared/fixtures/";

void SignatureOverhead(int reps, int calls) {
  const std::string tf2 = kFixtures + "serving_saved_model_half_plus_two_tf2_cpu/00000123";
  const std::string tf1 = kFixtures + "serving_saved_model_half_plus_two_cpu/00000123";
  if (!io::IsDirectory(tf2) || !io::IsDirectory(tf1)) {
    std::printf("half_plus_two fixtures not found under %s: signature overhead not measured\n",
                kFixtures.c_str());
    return;
  }
  auto b2 = saved_model::Load({}, {"serve"}, tf2);
  auto b1 = saved_model::Load({}, {"serve"}, tf1);
  Check(b2.status());
  Check(b1.status());
  auto s2 = (*b2)->GetSignature("serving_default");
  auto s1 = (*b1)->GetSignature("serving_default");
  Check(s2.status());
  Check(s1.status());
  std::vector<Tensor> in2 = {Tensor::FromVector<float>({3}, Shape{1})};
  std::vector<Tensor> in1 = {Tensor::FromVector<float>({3}, Shape{1, 1})};
  std::vector<Tensor> out;
  Check((*s2)->Run(in2, &out));
  if (out[0].flat<float>()[0] != 3.5f) std::exit(1);  // 0.5 * 3 + 2
  Check((*s1)->Run(in1, &out));
  if (out[0].flat<float>()[0] != 3.5f) std::exit(1);
  double t2 = 1e9, t1 = 1e9;
  for (int round = 0; round < 3; ++round) {
    t1 = std::min(t1, MedianMicros(reps, calls, [&] { (void)(*s1)->Run(in1, &out); }));
    t2 = std::min(t2, MedianMicros(reps, calls, [&] { (void)(*s2)->Run(in2, &out); }));
  }
  std::printf("%-44s %6.2f us/call   TF1 graph %.2f us/call   overhead %.2f us (target <= 5 us)\n",
              "half_plus_two TF2 Signature::Run:", t2, t1, t2 - t1);
}

std::unique_ptr<graph::Graph> Parse(const std::string& text) {
  tf::GraphDef gd;
  if (!google::protobuf::TextFormat::ParseFromString(text, &gd)) std::exit(1);
  auto g = graph::GraphFromGraphDef(gd);
  Check(g.status());
  return std::move(*g);
}

std::string Const(const std::string& name, const char* dtype, const std::string& value) {
  const bool is_int = std::strcmp(dtype, "DT_INT32") == 0;
  return "node { name: '" + name + "' op: 'Const' attr { key: 'dtype' value { type: " + dtype +
         " } } attr { key: 'value' value { tensor { dtype: " + dtype + " tensor_shape {} " +
         (is_int ? "int_val: " : "float_val: ") + value + " } } } }\n";
}

// The loop: (i, acc) -> (i + 1, acc * 0.5 + 1) while i < 100.
std::string WhileGraph() {
  return R"pb(
    node { name: 'i0' op: 'Placeholder' attr { key: 'dtype' value { type: DT_INT32 } } }
    node { name: 'acc0' op: 'Placeholder' attr { key: 'dtype' value { type: DT_FLOAT } } }
    node { name: 'loop' op: 'StatelessWhile' input: 'i0' input: 'acc0'
      attr { key: 'T' value { list { type: DT_INT32 type: DT_FLOAT } } }
      attr { key: 'cond' value { func { name: 'cond' } } }
      attr { key: 'body' value { func { name: 'body' } } } }
    library {
      function {
        signature { name: 'cond' input_arg { name: 'i' type: DT_INT32 } input_arg { name: 'acc' type: DT_FLOAT }
                    output_arg { name: 'ok' type: DT_BOOL } }
        node_def { name: 'n' op: 'Const' attr { key: 'dtype' value { type: DT_INT32 } }
                   attr { key: 'value' value { tensor { dtype: DT_INT32 tensor_shape {} int_val: 100 } } } }
        node_def { name: 'less' op: 'Less' input: 'i' input: 'n:output:0' attr { key: 'T' value { type: DT_INT32 } } }
        ret { key: 'ok' value: 'less:z:0' }
      }
      function {
        signature { name: 'body' input_arg { name: 'i' type: DT_INT32 } input_arg { name: 'acc' type: DT_FLOAT }
                    output_arg { name: 'i_next' type: DT_INT32 } output_arg { name: 'acc_next' type: DT_FLOAT } }
        node_def { name: 'one' op: 'Const' attr { key: 'dtype' value { type: DT_INT32 } }
                   attr { key: 'value' value { tensor { dtype: DT_INT32 tensor_shape {} int_val: 1 } } } }
        node_def { name: 'half' op: 'Const' attr { key: 'dtype' value { type: DT_FLOAT } }
                   attr { key: 'value' value { tensor { dtype: DT_FLOAT tensor_shape {} float_val: 0.5 } } } }
        node_def { name: 'fone' op: 'Const' attr { key: 'dtype' value { type: DT_FLOAT } }
                   attr { key: 'value' value { tensor { dtype: DT_FLOAT tensor_shape {} float_val: 1 } } } }
        node_def { name: 'inc' op: 'AddV2' input: 'i' input: 'one:output:0' attr { key: 'T' value { type: DT_INT32 } } }
        node_def { name: 'm' op: 'Mul' input: 'acc' input: 'half:output:0' attr { key: 'T' value { type: DT_FLOAT } } }
        node_def { name: 'a' op: 'AddV2' input: 'm:z:0' input: 'fone:output:0' attr { key: 'T' value { type: DT_FLOAT } } }
        ret { key: 'i_next' value: 'inc:z:0' }
        ret { key: 'acc_next' value: 'a:z:0' }
      }
    })pb";
}

// The same 100 steps written out (the loop condition is not needed).
std::string UnrolledGraph() {
  std::string s = "node { name: 'i0' op: 'Placeholder' attr { key: 'dtype' value { type: DT_INT32 } } }\n"
                  "node { name: 'acc0' op: 'Placeholder' attr { key: 'dtype' value { type: DT_FLOAT } } }\n";
  s += Const("one", "DT_INT32", "1") + Const("half", "DT_FLOAT", "0.5") + Const("fone", "DT_FLOAT", "1");
  std::string i = "i0", acc = "acc0";
  for (int k = 0; k < 100; ++k) {
    const std::string n = std::to_string(k);
    s += "node { name: 'inc" + n + "' op: 'AddV2' input: '" + i +
         "' input: 'one' attr { key: 'T' value { type: DT_INT32 } } }\n";
    s += "node { name: 'm" + n + "' op: 'Mul' input: '" + acc +
         "' input: 'half' attr { key: 'T' value { type: DT_FLOAT } } }\n";
    s += "node { name: 'a" + n + "' op: 'AddV2' input: 'm" + n +
         "' input: 'fone' attr { key: 'T' value { type: DT_FLOAT } } }\n";
    i = "inc" + n;
    acc = "a" + n;
  }
  return s + "node { name: 'i_out' op: 'Identity' input: '" + i +
         "' attr { key: 'T' value { type: DT_INT32 } } }\n"
         "node { name: 'acc_out' op: 'Identity' input: '" + acc +
         "' attr { key: 'T' value { type: DT_FLOAT } } }\n";
}

void WhileVsUnrolled(int reps, int calls) {
  auto gw = Parse(WhileGraph());
  auto gu = Parse(UnrolledGraph());
  auto sw = kernels::NewSession(*gw);
  auto su = kernels::NewSession(*gu);
  auto cw = sw->MakeCallable({"i0", "acc0"}, {"loop:0", "loop:1"}, {});
  auto cu = su->MakeCallable({"i0", "acc0"}, {"i_out:0", "acc_out:0"}, {});
  Check(cw.status());
  Check(cu.status());
  std::vector<Tensor> in = {Tensor::Scalar<int32_t>(0), Tensor::Scalar<float>(0)}, ow, ou;
  Check(sw->RunCallable(**cw, in, &ow));
  Check(su->RunCallable(**cu, in, &ou));
  // Both must agree: i = 100, acc -> 2 (fixed point of acc/2 + 1).
  if (ow[0].scalar<int32_t>() != 100 || ou[0].scalar<int32_t>() != 100 ||
      ow[1].scalar<float>() != ou[1].scalar<float>()) {
    std::printf("while and unrolled loop disagree\n");
    std::exit(1);
  }
  double tw = 1e9, tu = 1e9;
  for (int round = 0; round < 3; ++round) {
    tu = std::min(tu, MedianMicros(reps, calls, [&] { (void)su->RunCallable(**cu, in, &ou); }));
    tw = std::min(tw, MedianMicros(reps, calls, [&] { (void)sw->RunCallable(**cw, in, &ow); }));
  }
  std::printf("%-44s %6.1f us/run   unrolled TF1 graph %.1f us/run   %.2fx (target <= 1.5x)\n",
              "100-step StatelessWhile:", tw, tu, tw / tu);
}

}  // namespace

int main(int argc, char** argv) {
  int reps = 5, calls = 20000;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--reps")) reps = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--calls")) calls = std::atoi(argv[i + 1]);
  }
  SignatureOverhead(reps, calls);
  WhileVsUnrolled(reps, std::max(1, calls / 100));
  return 0;
}
