// The function library runtime and the functional ops on it: calls
// (PartitionedCall, StatefulPartitionedCall, call by op name), If, Case,
// While, attr binding, implementation selection, and the hostile cases
// (recursion, runaway loops, unbound placeholders, oversized libraries).
// Graphs are written as GraphDef text in the form TF 2.x serializes
// tf.function graphs; expected values are hand arithmetic, and the semantics
// checked (out-of-range Case index runs the last branch, non-bool predicates,
// stateful nodes running without a path to an output) are TensorFlow's
// documented ones.
#include <google/protobuf/text_format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/status_matchers.h"
#include "tfport/graph/import.h"
#include "tfport/kernels/kernels.h"
#include "tfport/runtime/function.h"

namespace tfport {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using tfport::testing::StatusIs;

std::unique_ptr<graph::Graph> Parse(const std::string& text) {
  tf::GraphDef gd;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &gd)) << text;
  auto g = graph::GraphFromGraphDef(gd);
  EXPECT_TRUE(g.ok()) << g.status().ToString();
  return g.ok() ? std::move(*g) : nullptr;
}

// f(x, y) = x * y + x over floats, as tf.function writes it.
const char* kMulAdd = R"pb(
  function {
    signature {
      name: "mul_add"
      input_arg { name: "x" type: DT_FLOAT }
      input_arg { name: "y" type: DT_FLOAT }
      output_arg { name: "identity" type: DT_FLOAT }
    }
    node_def { name: "mul" op: "Mul" input: "x" input: "y" attr { key: "T" value { type: DT_FLOAT } } }
    node_def {
      name: "add" op: "AddV2" input: "mul:z:0" input: "x"
      attr { key: "T" value { type: DT_FLOAT } }
    }
    node_def { name: "Identity" op: "Identity" input: "add:z:0" attr { key: "T" value { type: DT_FLOAT } } }
    ret { key: "identity" value: "Identity:output:0" }
  }
)pb";

std::string Placeholder(const std::string& name, const std::string& dtype = "DT_FLOAT") {
  return "node { name: '" + name + "' op: 'Placeholder' attr { key: 'dtype' value { type: " +
         dtype + " } } }\n";
}

TEST(Function, PartitionedCallRunsTheBody) {
  auto g = Parse(Placeholder("x") + Placeholder("y") + R"pb(
    node {
      name: "call" op: "StatefulPartitionedCall" input: "x" input: "y"
      attr { key: "Tin" value { list { type: DT_FLOAT type: DT_FLOAT } } }
      attr { key: "Tout" value { list { type: DT_FLOAT } } }
      attr { key: "f" value { func { name: "mul_add" } } }
    }
    node {
      name: "call2" op: "PartitionedCall" input: "call" input: "y"
      attr { key: "Tin" value { list { type: DT_FLOAT type: DT_FLOAT } } }
      attr { key: "Tout" value { list { type: DT_FLOAT } } }
      attr { key: "f" value { func { name: "mul_add" } } }
    }
    library {)pb" + std::string(kMulAdd) + "}");
  ASSERT_NE(g, nullptr);
  auto s = kernels::NewSession(*g);
  auto out = s->Run({{"x", Tensor::FromVector<float>({3, -1}, Shape{2})},
                     {"y", Tensor::FromVector<float>({4, 2}, Shape{2})}},
                    {"call:0", "call2:0"});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  // 3*4+3 = 15, -1*2-1 = -3; then 15*4+15 = 75, -3*2-3 = -9.
  EXPECT_THAT((*out)[0].flat<float>(), ElementsAre(15, -3));
  EXPECT_THAT((*out)[1].flat<float>(), ElementsAre(75, -9));
}

TEST(Function, CallByOpNameAndAttrPlaceholders) {
  // square(x: T) = x * x with T bound at the call site (TF1 Defun style).
  auto g = Parse(Placeholder("x", "DT_INT32") + R"pb(
    node { name: "sq" op: "square" input: "x" attr { key: "T" value { type: DT_INT32 } } }
    library {
      function {
        signature {
          name: "square"
          input_arg { name: "x" type_attr: "T" }
          output_arg { name: "y" type_attr: "T" }
          attr { name: "T" type: "type" }
        }
        node_def { name: "m" op: "Mul" input: "x" input: "x" attr { key: "T" value { placeholder: "T" } } }
        ret { key: "y" value: "m:z:0" }
      }
    })pb");
  ASSERT_NE(g, nullptr);
  auto out = kernels::NewSession(*g)->Run({{"x", Tensor::FromVector<int32_t>({-3, 7}, Shape{2})}},
                                          {"sq:0"});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_THAT((*out)[0].flat<int32_t>(), ElementsAre(9, 49));
}

TEST(Function, UnboundPlaceholderNamesFunctionAndNode) {
  graph::Graph g;
  tf::FunctionDef* f = g.library().add_function();
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(R"pb(
    signature { name: "needs_u" input_arg { name: "x" type: DT_FLOAT } output_arg { name: "y" type: DT_FLOAT } }
    node_def { name: "c" op: "Cast" input: "x" attr { key: "SrcT" value { type: DT_FLOAT } }
               attr { key: "DstT" value { placeholder: "U" } } }
    ret { key: "y" value: "c:y:0" }
  )pb", f));
  runtime::FunctionLibraryRuntime lib(g, &kernels::DefaultKernels());
  auto inst = lib.Instantiate("needs_u", {});
  EXPECT_THAT(inst.status(), StatusIs(Code::kInvalidArgument, "attr placeholder $U is never bound"));
  EXPECT_THAT(inst.status().message(), HasSubstr("{{function_node needs_u}} {{node c}}"));
}

TEST(Function, SelfRecursionIsRejectedBeforeRunning) {
  auto g = Parse(Placeholder("x") + R"pb(
    node {
      name: "call" op: "PartitionedCall" input: "x"
      attr { key: "Tin" value { list { type: DT_FLOAT } } }
      attr { key: "Tout" value { list { type: DT_FLOAT } } }
      attr { key: "f" value { func { name: "ping" } } }
    }
    library {
      function {
        signature { name: "ping" input_arg { name: "x" type: DT_FLOAT } output_arg { name: "y" type: DT_FLOAT } }
        node_def { name: "c" op: "PartitionedCall" input: "x"
          attr { key: "Tin" value { list { type: DT_FLOAT } } }
          attr { key: "Tout" value { list { type: DT_FLOAT } } }
          attr { key: "f" value { func { name: "pong" } } } }
        ret { key: "y" value: "c:output:0" }
      }
      function {
        signature { name: "pong" input_arg { name: "x" type: DT_FLOAT } output_arg { name: "y" type: DT_FLOAT } }
        node_def { name: "c" op: "PartitionedCall" input: "x"
          attr { key: "Tin" value { list { type: DT_FLOAT } } }
          attr { key: "Tout" value { list { type: DT_FLOAT } } }
          attr { key: "f" value { func { name: "ping" } } } }
        ret { key: "y" value: "c:output:0" }
      }
    })pb");
  ASSERT_NE(g, nullptr);
  auto out = kernels::NewSession(*g)->Run({{"x", Tensor::Scalar<float>(1)}}, {"call:0"});
  EXPECT_THAT(out.status(), StatusIs(Code::kInvalidArgument, "calls itself (ping -> pong -> ping)"));
}

// cond(i, acc) = i < n; body(i, acc) = (i + 1, acc * 2).
std::string LoopGraph(const std::string& op, int n) {
  return Placeholder("i0", "DT_INT32") + Placeholder("acc0") + R"pb(
    node {
      name: "loop" op: ")pb" + op + R"pb(" input: "i0" input: "acc0"
      attr { key: "T" value { list { type: DT_INT32 type: DT_FLOAT } } }
      attr { key: "cond" value { func { name: "cond" } } }
      attr { key: "body" value { func { name: "body" } } }
    }
    library {
      function {
        signature { name: "cond" input_arg { name: "i" type: DT_INT32 } input_arg { name: "acc" type: DT_FLOAT }
                    output_arg { name: "ok" type: DT_BOOL } }
        node_def { name: "n" op: "Const" attr { key: "dtype" value { type: DT_INT32 } }
                   attr { key: "value" value { tensor { dtype: DT_INT32 tensor_shape {} int_val: )pb" +
         std::to_string(n) + R"pb( } } } }
        node_def { name: "less" op: "Less" input: "i" input: "n:output:0" attr { key: "T" value { type: DT_INT32 } } }
        ret { key: "ok" value: "less:z:0" }
      }
      function {
        signature { name: "body" input_arg { name: "i" type: DT_INT32 } input_arg { name: "acc" type: DT_FLOAT }
                    output_arg { name: "i_next" type: DT_INT32 } output_arg { name: "acc_next" type: DT_FLOAT } }
        node_def { name: "one" op: "Const" attr { key: "dtype" value { type: DT_INT32 } }
                   attr { key: "value" value { tensor { dtype: DT_INT32 tensor_shape {} int_val: 1 } } } }
        node_def { name: "two" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } }
                   attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape {} float_val: 2 } } } }
        node_def { name: "inc" op: "AddV2" input: "i" input: "one:output:0" attr { key: "T" value { type: DT_INT32 } } }
        node_def { name: "dbl" op: "Mul" input: "acc" input: "two:output:0" attr { key: "T" value { type: DT_FLOAT } } }
        ret { key: "i_next" value: "inc:z:0" }
        ret { key: "acc_next" value: "dbl:z:0" }
      }
    })pb";
}

TEST(Function, StatelessWhileLoops) {
  auto g = Parse(LoopGraph("StatelessWhile", 10));
  ASSERT_NE(g, nullptr);
  auto out = kernels::NewSession(*g)->Run(
      {{"i0", Tensor::Scalar<int32_t>(0)}, {"acc0", Tensor::Scalar<float>(1)}}, {"loop:0", "loop:1"});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].scalar<int32_t>(), 10);
  EXPECT_EQ((*out)[1].scalar<float>(), 1024.0f);  // 2^10
  // Starting past the bound runs the body zero times.
  out = kernels::NewSession(*g)->Run(
      {{"i0", Tensor::Scalar<int32_t>(12)}, {"acc0", Tensor::Scalar<float>(3)}}, {"loop:0", "loop:1"});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].scalar<int32_t>(), 12);
  EXPECT_EQ((*out)[1].scalar<float>(), 3.0f);
}

TEST(Function, WhilePastTheIterationLimitFails) {
  auto g = Parse(LoopGraph("While", 1000));
  ASSERT_NE(g, nullptr);
  runtime::SessionOptions opts;
  opts.functions.max_while_iterations = 100;
  auto s = kernels::NewSession(*g, opts);
  auto out = s->Run({{"i0", Tensor::Scalar<int32_t>(0)}, {"acc0", Tensor::Scalar<float>(1)}}, {"loop:0"});
  EXPECT_THAT(out.status(), StatusIs(Code::kResourceExhausted, "iteration limit of 100"));
  EXPECT_THAT(out.status().message(), HasSubstr("body function body"));
  EXPECT_THAT(out.status().message(), HasSubstr("{{node loop}}"));
  // Under the limit the same session succeeds.
  opts.functions.max_while_iterations = 1000;
  out = kernels::NewSession(*g, opts)->Run(
      {{"i0", Tensor::Scalar<int32_t>(0)}, {"acc0", Tensor::Scalar<float>(1)}}, {"loop:0"});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].scalar<int32_t>(), 1000);
}

// Branches: neg(x) = -x, sq(x) = x * x, id(x) = x.
const char* kBranches = R"pb(
  function {
    signature { name: "neg" input_arg { name: "x" type: DT_FLOAT } output_arg { name: "y" type: DT_FLOAT } }
    node_def { name: "n" op: "Neg" input: "x" attr { key: "T" value { type: DT_FLOAT } } }
    ret { key: "y" value: "n:y:0" }
  }
  function {
    signature { name: "sq" input_arg { name: "x" type: DT_FLOAT } output_arg { name: "y" type: DT_FLOAT } }
    node_def { name: "m" op: "Mul" input: "x" input: "x" attr { key: "T" value { type: DT_FLOAT } } }
    ret { key: "y" value: "m:z:0" }
  }
  function {
    signature { name: "id" input_arg { name: "x" type: DT_FLOAT } output_arg { name: "y" type: DT_FLOAT } }
    ret { key: "y" value: "x" }
  }
)pb";

TEST(Function, IfAndCaseChooseBranches) {
  auto g = Parse(Placeholder("p", "DT_INT32") + Placeholder("b", "DT_INT32") + Placeholder("x") + R"pb(
    node {
      name: "if" op: "StatelessIf" input: "p" input: "x"
      attr { key: "Tcond" value { type: DT_INT32 } }
      attr { key: "Tin" value { list { type: DT_FLOAT } } }
      attr { key: "Tout" value { list { type: DT_FLOAT } } }
      attr { key: "then_branch" value { func { name: "neg" } } }
      attr { key: "else_branch" value { func { name: "sq" } } }
    }
    node {
      name: "case" op: "Case" input: "b" input: "x"
      attr { key: "Tin" value { list { type: DT_FLOAT } } }
      attr { key: "Tout" value { list { type: DT_FLOAT } } }
      attr { key: "branches" value { list { func { name: "neg" } func { name: "sq" } func { name: "id" } } } }
    }
    library {)pb" + std::string(kBranches) + "}");
  ASSERT_NE(g, nullptr);
  auto s = kernels::NewSession(*g);
  auto run = [&](int32_t p, int32_t b) {
    auto out = s->Run({{"p", Tensor::Scalar<int32_t>(p)}, {"b", Tensor::Scalar<int32_t>(b)},
                       {"x", Tensor::Scalar<float>(3)}},
                      {"if:0", "case:0"});
    EXPECT_TRUE(out.ok()) << out.status().ToString();
    return out.ok() ? std::vector<float>{(*out)[0].scalar<float>(), (*out)[1].scalar<float>()}
                    : std::vector<float>{};
  };
  // A nonzero int32 predicate is true (TF's rule for non-bool scalars).
  EXPECT_THAT(run(5, 0), ElementsAre(-3, -3));
  EXPECT_THAT(run(0, 1), ElementsAre(9, 9));
  EXPECT_THAT(run(1, 2), ElementsAre(-3, 3));
  // Out-of-range branch indices run the last branch.
  EXPECT_THAT(run(1, 7), ElementsAre(-3, 3));
  EXPECT_THAT(run(1, -1), ElementsAre(-3, 3));
}

TEST(Function, ErrorsInsideAFunctionNameFunctionAndNode) {
  auto g = Parse(Placeholder("x") + R"pb(
    node {
      name: "call" op: "StatefulPartitionedCall" input: "x"
      attr { key: "Tin" value { list { type: DT_FLOAT } } }
      attr { key: "Tout" value { list { type: DT_FLOAT } } }
      attr { key: "f" value { func { name: "bad_reshape" } } }
    }
    library {
      function {
        signature { name: "bad_reshape" input_arg { name: "x" type: DT_FLOAT } output_arg { name: "y" type: DT_FLOAT } }
        node_def { name: "shape" op: "Const" attr { key: "dtype" value { type: DT_INT32 } }
                   attr { key: "value" value { tensor { dtype: DT_INT32 tensor_shape { dim { size: 1 } } int_val: 5 } } } }
        node_def { name: "r" op: "Reshape" input: "x" input: "shape:output:0"
                   attr { key: "T" value { type: DT_FLOAT } } attr { key: "Tshape" value { type: DT_INT32 } } }
        ret { key: "y" value: "r:output:0" }
      }
    })pb");
  ASSERT_NE(g, nullptr);
  auto out = kernels::NewSession(*g)->Run({{"x", Tensor::FromVector<float>({1, 2, 3}, Shape{3})}},
                                          {"call:0"});
  ASSERT_FALSE(out.ok());
  EXPECT_THAT(out.status().message(), HasSubstr("{{function_node bad_reshape}}"));
  EXPECT_THAT(out.status().message(), HasSubstr("{{node r}}"));
  // A wrong argument dtype is TensorFlow's "Expects arg[0] ..." text.
  auto lib = std::make_unique<runtime::FunctionLibraryRuntime>(*g, &kernels::DefaultKernels());
  auto f = lib->Instantiate("bad_reshape", {});
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  std::vector<Tensor> rets;
  runtime::ResourceMgr rm;
  runtime::RunEnv env;
  env.resources = &rm;
  std::vector<Tensor> args = {Tensor::Scalar<int32_t>(1)};
  EXPECT_THAT(lib->Run(**f, env, args, &rets),
              StatusIs(Code::kInvalidArgument, "Expects arg[0] to be float but int32 is provided"));
}

TEST(Function, LibraryOverTheSizeLimitIsRejected) {
  auto g = Parse(Placeholder("x") + Placeholder("y") + R"pb(
    node {
      name: "call" op: "PartitionedCall" input: "x" input: "y"
      attr { key: "Tin" value { list { type: DT_FLOAT type: DT_FLOAT } } }
      attr { key: "Tout" value { list { type: DT_FLOAT } } }
      attr { key: "f" value { func { name: "mul_add" } } }
    }
    library {)pb" + std::string(kMulAdd) + "}");
  ASSERT_NE(g, nullptr);
  runtime::SessionOptions opts;
  opts.functions.max_library_bytes = 64;
  auto out = kernels::NewSession(*g, opts)->Run(
      {{"x", Tensor::Scalar<float>(1)}, {"y", Tensor::Scalar<float>(1)}}, {"call:0"});
  EXPECT_THAT(out.status(), StatusIs(Code::kResourceExhausted, "over the limit of 64 bytes"));
}

TEST(Function, CpuImplementationIsPreferred) {
  // Two implementations of one API, as Keras writes its LSTM: the call site
  // names the GPU one (which uses an op with no CPU kernel).
  auto g = Parse(Placeholder("x") + R"pb(
    node {
      name: "call" op: "PartitionedCall" input: "x"
      attr { key: "Tin" value { list { type: DT_FLOAT } } }
      attr { key: "Tout" value { list { type: DT_FLOAT } } }
      attr { key: "f" value { func { name: "gpu_impl" } } }
    }
    library {
      function {
        signature { name: "gpu_impl" input_arg { name: "x" type: DT_FLOAT } output_arg { name: "y" type: DT_FLOAT } }
        attr { key: "api_implements" value { s: "double_it" } }
        attr { key: "api_preferred_device" value { s: "GPU" } }
        node_def { name: "g" op: "CudnnRNN" input: "x" }
        ret { key: "y" value: "g:output:0" }
      }
      function {
        signature { name: "cpu_impl" input_arg { name: "x" type: DT_FLOAT } output_arg { name: "y" type: DT_FLOAT } }
        attr { key: "api_implements" value { s: "double_it" } }
        attr { key: "api_preferred_device" value { s: "CPU" } }
        node_def { name: "a" op: "AddV2" input: "x" input: "x" attr { key: "T" value { type: DT_FLOAT } } }
        ret { key: "y" value: "a:z:0" }
      }
    })pb");
  ASSERT_NE(g, nullptr);
  auto s = kernels::NewSession(*g);
  EXPECT_EQ(s->functions().SelectImplementation("gpu_impl"), "cpu_impl");
  EXPECT_THAT(s->functions().MissingKernels({"gpu_impl"}), ::testing::IsEmpty());
  auto out = s->Run({{"x", Tensor::Scalar<float>(21)}}, {"call:0"});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].scalar<float>(), 42.0f);
}

TEST(Function, MissingKernelsListsOpAndFunction) {
  graph::Graph g;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(R"pb(
    function {
      signature { name: "outer" input_arg { name: "x" type: DT_FLOAT } output_arg { name: "y" type: DT_FLOAT } }
      node_def { name: "c" op: "PartitionedCall" input: "x"
        attr { key: "Tin" value { list { type: DT_FLOAT } } }
        attr { key: "Tout" value { list { type: DT_FLOAT } } }
        attr { key: "f" value { func { name: "inner" } } } }
      node_def { name: "w" op: "NoSuchOpAnywhere" input: "c:output:0" }
      ret { key: "y" value: "c:output:0" }
    }
    function {
      signature { name: "inner" input_arg { name: "x" type: DT_FLOAT } output_arg { name: "y" type: DT_FLOAT } }
      node_def { name: "fft" op: "FFT2D" input: "x" }
      ret { key: "y" value: "x" }
    }
  )pb", &g.library()));
  runtime::FunctionLibraryRuntime lib(g, &kernels::DefaultKernels());
  EXPECT_THAT(lib.MissingKernels({"outer"}),
              ::testing::UnorderedElementsAre("NoSuchOpAnywhere (in function outer, node w)",
                                              "FFT2D (in function inner, node fft)"));
}

TEST(Function, StatefulNodesRunAndVariablesAreShared) {
  // A function that assigns to a resource variable passed as an argument and
  // returns nothing, as TF 2's restore functions do; then a second call reads.
  auto g = Parse(Placeholder("v0") + R"pb(
    node { name: "var" op: "VarHandleOp" attr { key: "dtype" value { type: DT_FLOAT } }
           attr { key: "shape" value { shape {} } } attr { key: "shared_name" value { s: "var" } } }
    node {
      name: "assign" op: "StatefulPartitionedCall" input: "var" input: "v0"
      attr { key: "Tin" value { list { type: DT_RESOURCE type: DT_FLOAT } } }
      attr { key: "Tout" value { list { } } }
      attr { key: "f" value { func { name: "set" } } }
    }
    node {
      name: "read" op: "StatefulPartitionedCall" input: "var"
      attr { key: "Tin" value { list { type: DT_RESOURCE } } }
      attr { key: "Tout" value { list { type: DT_FLOAT } } }
      attr { key: "f" value { func { name: "get_times_ten" } } }
    }
    library {
      function {
        signature { name: "set" input_arg { name: "h" type: DT_RESOURCE } input_arg { name: "v" type: DT_FLOAT }
                    is_stateful: true }
        node_def { name: "a" op: "AssignVariableOp" input: "h" input: "v" attr { key: "dtype" value { type: DT_FLOAT } } }
      }
      function {
        signature { name: "get_times_ten" input_arg { name: "h" type: DT_RESOURCE } output_arg { name: "y" type: DT_FLOAT }
                    is_stateful: true }
        node_def { name: "r" op: "ReadVariableOp" input: "h" attr { key: "dtype" value { type: DT_FLOAT } } }
        node_def { name: "ten" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } }
                   attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape {} float_val: 10 } } } }
        node_def { name: "m" op: "Mul" input: "r:value:0" input: "ten:output:0" attr { key: "T" value { type: DT_FLOAT } } }
        ret { key: "y" value: "m:z:0" }
      }
    })pb");
  ASSERT_NE(g, nullptr);
  auto s = kernels::NewSession(*g);
  std::vector<Tensor> out;
  ASSERT_TRUE(s->Run({{"v0", Tensor::Scalar<float>(4.5f)}}, {}, {"assign"}, &out).ok());
  auto r = s->Run({}, {"read:0"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)[0].scalar<float>(), 45.0f);
}

TEST(Executor, CallableRunsWithoutNames) {
  auto g = Parse(Placeholder("x") + Placeholder("y") + R"pb(
    node { name: "sum" op: "AddV2" input: "x" input: "y" attr { key: "T" value { type: DT_FLOAT } } }
  )pb");
  ASSERT_NE(g, nullptr);
  auto s = kernels::NewSession(*g);
  auto c = s->MakeCallable({"x", "y"}, {"sum:0", "x:0"}, {});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  std::vector<Tensor> feeds = {Tensor::Scalar<float>(1.5f), Tensor::Scalar<float>(2)};
  std::vector<Tensor> out;
  for (int rep = 0; rep < 3; ++rep) {
    ASSERT_TRUE(s->RunCallable(**c, feeds, &out).ok());
    EXPECT_EQ(out[0].scalar<float>(), 3.5f);
    EXPECT_EQ(out[1].scalar<float>(), 1.5f);  // a fed tensor fetched back
  }
  std::vector<Tensor> wrong = {Tensor::Scalar<int32_t>(1), Tensor::Scalar<float>(2)};
  EXPECT_THAT(s->RunCallable(**c, wrong, &out),
              StatusIs(Code::kInvalidArgument, "Cannot feed value of dtype DT_INT32"));
}

}  // namespace
}  // namespace tfport
