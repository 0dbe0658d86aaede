// The training kernels: optimizer updates (ApplyGradientDescent, ApplyMomentum,
// ApplyAdam and their Resource* forms) and gradient ops (BiasAddGrad,
// Relu/Relu6/Sigmoid/Tanh/Rsqrt/Sqrt grads, the softmax cross entropies,
// Conv2DBackpropInput/Filter, MaxPoolGrad), plus one TF1 training graph
// (cppflow's MNIST MLP) trained for a few steps.
//
// Expected values:
//  - optimizers: hand arithmetic written next to each test (Adam's numbers
//    were checked with NumPy 1.24, /usr/bin/python3, expression quoted);
//  - gradient ops: central differences (double precision) of the forward
//    kernels tfport already has (Sigmoid, Tanh, Sqrt, Rsqrt, Relu, Relu6,
//    BiasAdd, Conv2D, MaxPool) and of the cross-entropy loss output itself,
//    for L(x) = sum(forward(x) * w) with a fixed weight tensor w, plus a few
//    hand-computed values.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "support/fixtures.h"
#include "support/status_matchers.h"
#include "tfport/graph/import.h"
#include "tfport/graph/math_ops.h"
#include "tfport/graph/nn_ops.h"
#include "tfport/graph/ops.h"
#include "tfport/io/proto_io.h"
#include "tfport/kernels/kernels.h"
#include "tfport/runtime/session.h"
#include "tfport/tf/meta_graph.pb.h"

namespace tfport {
namespace {

using tfport::testing::StatusIs;

// ---------------------------------------------------------------- helpers

Tensor F32(const std::vector<float>& v, Shape s) { return Tensor::FromVector<float>(v, std::move(s)); }
Tensor F64(const std::vector<double>& v, Shape s) {
  return Tensor::FromVector<double>(v, std::move(s));
}

// ((i * mul) % mod - off) * scale for i = 0, 1, ... as doubles.
Tensor Pattern(Shape s, int mul, int mod, int off, double scale) {
  Tensor t(DT_DOUBLE, s);
  auto v = t.flat<double>();
  for (size_t i = 0; i < v.size(); ++i)
    v[i] = static_cast<double>((static_cast<int64_t>(i) * mul) % mod - off) * scale;
  return t;
}

Tensor ToF32(const Tensor& d) {
  Tensor f(DT_FLOAT, d.shape());
  auto in = d.flat<double>();
  auto out = f.flat<float>();
  for (size_t i = 0; i < in.size(); ++i) out[i] = static_cast<float>(in[i]);
  return f;
}

std::vector<double> Values(const Tensor& t) {
  std::vector<double> out;
  if (t.dtype() == DT_FLOAT) {
    for (float v : t.flat<float>()) out.push_back(v);
  } else if (t.dtype() == DT_DOUBLE) {
    for (double v : t.flat<double>()) out.push_back(v);
  } else {
    ADD_FAILURE() << "unexpected dtype " << DataTypeName(t.dtype());
  }
  return out;
}

// Element-wise |got - want| <= tol * max(1, |want|).
void ExpectClose(const std::vector<double>& got, const std::vector<double>& want,
                 double tol = 1e-6) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i)
    EXPECT_NEAR(got[i], want[i], tol * std::max(1.0, std::abs(want[i]))) << "element " << i;
}
void ExpectClose(const Tensor& got, const std::vector<double>& want, double tol = 1e-6) {
  ExpectClose(Values(got), want, tol);
}

// Gradient of L(x) = sum(f(x) * w) by central differences with step h.
std::vector<double> NumericGrad(const std::function<Tensor(const Tensor&)>& f, const Tensor& x,
                                const Tensor& w, double h) {
  auto loss = [&](const Tensor& xv) {
    Tensor y = f(xv);
    EXPECT_EQ(y.shape(), w.shape());
    if (!(y.shape() == w.shape())) return 0.0;
    double s = 0;
    auto yv = y.flat<double>();
    auto wv = w.flat<double>();
    for (size_t i = 0; i < yv.size(); ++i) s += yv[i] * wv[i];
    return s;
  };
  std::vector<double> grad;
  for (int64_t i = 0; i < x.num_elements(); ++i) {
    Tensor xp = x.DeepCopy(), xm = x.DeepCopy();
    xp.flat<double>()[static_cast<size_t>(i)] += h;
    xm.flat<double>()[static_cast<size_t>(i)] -= h;
    grad.push_back((loss(xp) - loss(xm)) / (2 * h));
  }
  return grad;
}

// A session over a graph the caller keeps alive; Run1 feeds and fetches one tensor.
struct Runner {
  explicit Runner(graph::Graph& graph) : g(graph) {}
  Tensor Run1(const std::vector<std::pair<std::string, Tensor>>& feeds, const std::string& fetch) {
    if (!session) {
      EXPECT_TRUE(g.status().ok()) << g.status().ToString();
      session = kernels::NewSession(g);
    }
    std::vector<Tensor> out;
    Status s = session->Run(feeds, {fetch}, {}, &out);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return s.ok() ? out[0] : Tensor();
  }
  graph::Graph& g;
  std::unique_ptr<runtime::Session> session;
};

Status RunTargets(runtime::Session& s, const std::vector<std::string>& targets) {
  std::vector<Tensor> out;
  return s.Run({}, {}, targets, &out);
}

Result<Tensor> Fetch(runtime::Session& s, const std::string& name) {
  std::vector<Tensor> out;
  TFPORT_RETURN_IF_ERROR(s.Run({}, {name}, {}, &out));
  return out[0];
}

// ---------------------------------------------------------------- optimizers

TEST(TrainingApply, GradientDescentRefVariable) {
  graph::Graph g;
  auto var = ops::Variable(g, F32({1, 2, 3}, Shape{3}), "v");
  auto alpha = ops::Const(g, 0.5f, "alpha");
  auto delta = ops::Const(g, F32({2, 4, -2}, Shape{3}), "delta");
  auto upd = ops::Op(g, {"ApplyGradientDescent", {var.variable, alpha, delta}, {}, {}, "sgd"});
  ASSERT_TRUE(g.status().ok()) << g.status().ToString();
  EXPECT_EQ(upd.shape(), (Shape{3}));
  auto session = kernels::NewSession(g);
  ASSERT_TRUE(RunTargets(*session, {var.initializer->name()}).ok());
  // var - alpha * delta = [1 - 1, 2 - 2, 3 + 1] = [0, 0, 4]; again: [-1, -2, 5].
  auto out = Fetch(*session, upd.name());
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(Values(*out), (std::vector<double>{0, 0, 4}));
  out = Fetch(*session, upd.name());
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(Values(*out), (std::vector<double>{-1, -2, 5}));
  EXPECT_EQ(Values(*Fetch(*session, var.value.name())), (std::vector<double>{-1, -2, 5}));
  // The initial value's constant buffer was never written (copy-on-write).
  EXPECT_EQ(Values(*Fetch(*session, var.initial_value.name())), (std::vector<double>{1, 2, 3}));
}

TEST(TrainingApply, GradientDescentResourceVariableDouble) {
  graph::Graph g;
  auto var = ops::Variable(g, F64({1, 2, 3, 4}, Shape{2, 2}), "v", {.resource = true});
  auto alpha = ops::Const(g, 0.25, "alpha");
  auto delta = ops::Const(g, F64({4, -4, 2, 0}, Shape{2, 2}), "delta");
  graph::Node* upd =
      ops::AddOp(g, {"ResourceApplyGradientDescent", {var.variable, alpha, delta}, {}, {}, "sgd"});
  ASSERT_TRUE(g.status().ok()) << g.status().ToString();
  ASSERT_NE(upd, nullptr);
  EXPECT_EQ(upd->num_outputs(), 0);
  auto session = kernels::NewSession(g);
  ASSERT_TRUE(RunTargets(*session, {var.initializer->name()}).ok());
  auto before = Fetch(*session, var.value.name());
  ASSERT_TRUE(before.ok());
  Status s = RunTargets(*session, {"sgd"});
  ASSERT_TRUE(s.ok()) << s.ToString();
  // [1 - 1, 2 + 1, 3 - 0.5, 4 - 0] = [0, 3, 2.5, 4].
  auto after = Fetch(*session, var.value.name());
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_EQ(after->dtype(), DT_DOUBLE);
  EXPECT_EQ(Values(*after), (std::vector<double>{0, 3, 2.5, 4}));
  // A value read before the update is unchanged.
  EXPECT_EQ(Values(*before), (std::vector<double>{1, 2, 3, 4}));
}

// Adam on var = [1, 2], m = [0.1, -0.2], v = [0.01, 0.04], grad = [0.5, -1],
// beta1_power = 0.81, beta2_power = 0.998001, lr = 0.01, beta1 = 0.9,
// beta2 = 0.999, epsilon = 1e-8:
//   lr_t = 0.01 * sqrt(1 - 0.998001) / (1 - 0.81) = 0.0023531672532745274
//   m = m + (g - m) * 0.1 = [0.14, -0.28]; v = v + (g*g - v) * 0.001 = [0.01024, 0.04096]
//   var - lr_t * m / (sqrt(v) + eps) = [0.9967444017186166, 2.0032555984422444]
//   nesterov: var - lr_t * (m * 0.9 + 0.1 * g) / (sqrt(v) + eps)
//           = [0.9959072478748322, 2.0040927523273933]
// NumPy: lr_t = lr*np.sqrt(1-b2p)/(1-b1p); m2 = m+(g-m)*(1-b1); v2 = v+(g*g-v)*(1-b2);
//        var - lr_t*m2/(np.sqrt(v2)+eps); var - lr_t*(m2*b1+(1-b1)*g)/(np.sqrt(v2)+eps)
struct AdamGraph {
  graph::Graph g;
  ops::Var var, m, v;
  graph::Node* update = nullptr;
  ops::Output out;
  AdamGraph(bool resource, bool nesterov, DataType dtype) {
    auto t = [&](const std::vector<double>& values, Shape s) {
      Tensor d = F64(values, std::move(s));
      return dtype == DT_FLOAT ? ToF32(d) : d;
    };
    auto c = [&](double value, const char* name) { return ops::Const(g, t({value}, Shape{}), name); };
    ops::VariableOptions opts{.resource = resource};
    var = ops::Variable(g, t({1, 2}, Shape{2}), "var", opts);
    m = ops::Variable(g, t({0.1, -0.2}, Shape{2}), "m", opts);
    v = ops::Variable(g, t({0.01, 0.04}, Shape{2}), "v", opts);
    update = ops::AddOp(
        g, {resource ? "ResourceApplyAdam" : "ApplyAdam",
            {var.variable, m.variable, v.variable, c(0.81, "b1p"), c(0.998001, "b2p"),
             c(0.01, "lr"), c(0.9, "b1"), c(0.999, "b2"), c(1e-8, "eps"),
             ops::Const(g, t({0.5, -1}, Shape{2}), "grad")},
            {ops::AttrBool("use_nesterov", nesterov)},
            {},
            "adam"});
    if (update != nullptr && !resource) out = update->output(0);
  }
};

void CheckAdam(bool resource, bool nesterov, DataType dtype) {
  SCOPED_TRACE(std::string(resource ? "resource" : "ref") + (nesterov ? " nesterov " : " ") +
               DataTypeName(dtype));
  AdamGraph a(resource, nesterov, dtype);
  ASSERT_TRUE(a.g.status().ok()) << a.g.status().ToString();
  auto session = kernels::NewSession(a.g);
  ASSERT_TRUE(RunTargets(*session, {a.var.initializer->name(), a.m.initializer->name(),
                                    a.v.initializer->name()})
                  .ok());
  // One step: the ref form's "out" is fetched from the same run (fetching it again would
  // run the update again).
  std::vector<Tensor> outs;
  Status s = resource ? session->Run({}, {}, {"adam"}, &outs)
                      : session->Run({}, {a.out.name()}, {}, &outs);
  ASSERT_TRUE(s.ok()) << s.ToString();
  const double tol = dtype == DT_FLOAT ? 1e-6 : 1e-12;
  std::vector<double> want = nesterov ? std::vector<double>{0.9959072478748322, 2.0040927523273933}
                                      : std::vector<double>{0.9967444017186166, 2.0032555984422444};
  ExpectClose(*Fetch(*session, a.var.value.name()), want, tol);
  ExpectClose(*Fetch(*session, a.m.value.name()), {0.14, -0.28}, tol);
  ExpectClose(*Fetch(*session, a.v.value.name()), {0.01024, 0.04096}, tol);
  if (!resource) {
    EXPECT_EQ(a.out.dtype(), dtype == DT_FLOAT ? DT_FLOAT_REF : DT_DOUBLE_REF);
    ASSERT_EQ(outs.size(), 1u);
    ExpectClose(outs[0], want, tol);
  }
}

TEST(TrainingApply, AdamRefAndResourceFloatAndDouble) {
  for (bool resource : {false, true})
    for (bool nesterov : {false, true})
      for (DataType dtype : {DT_FLOAT, DT_DOUBLE}) CheckAdam(resource, nesterov, dtype);
}

// Momentum on var = [1, 2], accum = [0.5, -1], lr = 0.1, grad = [1, 1], momentum = 0.9:
//   accum = accum * 0.9 + grad = [1.45, 0.1]
//   plain:    var - lr * accum = [1 - 0.145, 2 - 0.01] = [0.855, 1.99]
//   nesterov: var - (grad * lr + accum * momentum * lr)
//           = [1 - (0.1 + 0.1305), 2 - (0.1 + 0.009)] = [0.7695, 1.891]
TEST(TrainingApply, MomentumRefAndResource) {
  for (bool resource : {false, true}) {
    for (bool nesterov : {false, true}) {
      SCOPED_TRACE(std::string(resource ? "resource" : "ref") + (nesterov ? " nesterov" : ""));
      graph::Graph g;
      ops::VariableOptions opts{.resource = resource};
      auto var = ops::Variable(g, F64({1, 2}, Shape{2}), "var", opts);
      auto accum = ops::Variable(g, F64({0.5, -1}, Shape{2}), "accum", opts);
      ops::AddOp(g, {resource ? "ResourceApplyMomentum" : "ApplyMomentum",
                     {var.variable, accum.variable, ops::Const(g, 0.1), ops::Const(g, F64({1, 1}, Shape{2})),
                      ops::Const(g, 0.9)},
                     {ops::AttrBool("use_nesterov", nesterov)},
                     {},
                     "momentum"});
      ASSERT_TRUE(g.status().ok()) << g.status().ToString();
      auto session = kernels::NewSession(g);
      ASSERT_TRUE(RunTargets(*session, {var.initializer->name(), accum.initializer->name()}).ok());
      Status s = RunTargets(*session, {"momentum"});
      ASSERT_TRUE(s.ok()) << s.ToString();
      ExpectClose(*Fetch(*session, accum.value.name()), {1.45, 0.1}, 1e-12);
      ExpectClose(*Fetch(*session, var.value.name()),
                  nesterov ? std::vector<double>{0.7695, 1.891} : std::vector<double>{0.855, 1.99},
                  1e-12);
    }
  }
}

TEST(TrainingApply, Errors) {
  graph::Graph g;
  auto var = ops::Variable(g, F32({1, 2, 3}, Shape{3}), "v");
  auto rvar = ops::Variable(g, F32({1, 2, 3}, Shape{3}), "rv", {.resource = true});
  auto alpha = ops::Const(g, 0.5f, "alpha");
  auto alpha2 = ops::Const(g, F32({0.5f, 0.5f}, Shape{2}), "alpha2");
  auto delta = ops::Const(g, F32({2, 4, -2}, Shape{3}), "delta");
  auto delta2 = ops::Const(g, F32({2, 4}, Shape{2}), "delta2");
  ops::AddOp(g, {"ApplyGradientDescent", {var.variable, alpha, delta}, {}, {}, "ok"});
  ops::AddOp(g, {"ApplyGradientDescent", {var.variable, alpha, delta2}, {}, {}, "bad_delta"});
  ops::AddOp(g, {"ApplyGradientDescent", {var.variable, alpha2, delta}, {}, {}, "bad_alpha"});
  ops::AddOp(g, {"ResourceApplyGradientDescent", {rvar.variable, alpha, delta}, {}, {}, "rok"});
  ASSERT_TRUE(g.status().ok()) << g.status().ToString();
  auto session = kernels::NewSession(g);
  EXPECT_THAT(RunTargets(*session, {"ok"}),
              StatusIs(Code::kFailedPrecondition, "Attempting to use uninitialized value v"));
  EXPECT_THAT(RunTargets(*session, {"rok"}),
              StatusIs(Code::kFailedPrecondition, "Error while reading resource variable rv"));
  ASSERT_TRUE(RunTargets(*session, {var.initializer->name()}).ok());
  EXPECT_THAT(RunTargets(*session, {"bad_delta"}),
              StatusIs(Code::kInvalidArgument, "var and delta do not have the same shape[3] [2]"));
  EXPECT_THAT(RunTargets(*session, {"bad_delta"}),
              StatusIs(Code::kInvalidArgument, "{{node bad_delta}}"));
  EXPECT_THAT(RunTargets(*session, {"bad_alpha"}),
              StatusIs(Code::kInvalidArgument, "alpha is not a scalar: [2]"));
  // The failed updates left the variable alone.
  EXPECT_EQ(Values(*Fetch(*session, var.value.name())), (std::vector<double>{1, 2, 3}));

  // Unsupported dtype: a clear kernel error, not a crash.
  graph::Graph gi;
  auto ivar = ops::Variable(gi, Tensor::FromVector<int32_t>({1, 2}, Shape{2}), "iv");
  ops::AddOp(gi, {"ApplyGradientDescent",
                  {ivar.variable, ops::Const(gi, int32_t{1}),
                   ops::Const(gi, Tensor::FromVector<int32_t>({1, 1}, Shape{2}))},
                  {}, {}, "isgd"});
  ASSERT_TRUE(gi.status().ok()) << gi.status().ToString();
  auto si = kernels::NewSession(gi);
  ASSERT_TRUE(RunTargets(*si, {ivar.initializer->name()}).ok());
  EXPECT_THAT(RunTargets(*si, {"isgd"}),
              StatusIs(Code::kInvalidArgument, "No OpKernel was registered to support Op "
                                               "'ApplyGradientDescent'"));
}

// ---------------------------------------------------------------- elementwise gradients

TEST(TrainingGrads, ElementwiseHandValues) {
  graph::Graph g;
  auto c = [&](std::vector<float> v) {
    const auto n = static_cast<int64_t>(v.size());
    return ops::Const(g, F32(v, Shape{n}));
  };
  // SigmoidGrad: dy * y * (1 - y) = 2 * 0.5 * 0.5 = 0.5; TanhGrad: dy * (1 - y^2) = 2 * 0.75
  // = 1.5; RsqrtGrad: dy * -0.5 * y^3 = 2 * -0.5 * 0.125 = -0.125; SqrtGrad: dy * 0.5 / y
  // = 3 * 0.5 / 2 = 0.75.
  auto sg = ops::Op(g, {"SigmoidGrad", {c({0.5f, 0.25f}), c({2, 4})}});
  auto tg = ops::Op(g, {"TanhGrad", {c({0.5f, -0.5f}), c({2, 1})}});
  auto rg = ops::Op(g, {"RsqrtGrad", {c({0.5f}), c({2})}});
  auto qg = ops::Op(g, {"SqrtGrad", {c({2}), c({3})}});
  // ReluGrad passes gradients where features > 0; Relu6Grad where 0 < features < 6.
  auto relu = ops::Op(g, {"ReluGrad", {c({1, 2, 3}), c({-1, 0, 2})}});
  auto relu6 = ops::Op(g, {"Relu6Grad", {c({1, 2, 3, 4}), c({-1, 3, 6, 7})}});
  Runner r(g);
  ExpectClose(r.Run1({}, sg.name()), {0.5, 4 * 0.25 * 0.75});
  ExpectClose(r.Run1({}, tg.name()), {1.5, 0.75});
  ExpectClose(r.Run1({}, rg.name()), {-0.125});
  ExpectClose(r.Run1({}, qg.name()), {0.75});
  EXPECT_EQ(Values(r.Run1({}, relu.name())), (std::vector<double>{0, 0, 3}));
  EXPECT_EQ(Values(r.Run1({}, relu6.name())), (std::vector<double>{0, 2, 0, 0}));
}

// For each unary op f with gradient op G: G(y = f(x), dy) (or ReluGrad(dy, x)) equals the
// central difference of sum(f(x) * dy), using tfport's forward kernels.
TEST(TrainingGrads, ElementwiseMatchFiniteDifferences) {
  struct Case {
    const char* forward;
    const char* grad;
    bool grad_takes_features;  // Relu grads take (gradients, features)
    double lo, hi;             // x range (kept away from kinks)
  };
  const Case cases[] = {
      {"Sigmoid", "SigmoidGrad", false, -3, 3}, {"Tanh", "TanhGrad", false, -2, 2},
      {"Sqrt", "SqrtGrad", false, 0.5, 4},      {"Rsqrt", "RsqrtGrad", false, 0.5, 4},
      {"Relu", "ReluGrad", true, -3, 3},        {"Relu6", "Relu6Grad", true, -3, 9},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.grad);
    const int n = 12;
    std::vector<double> xs, ws;
    for (int i = 0; i < n; ++i) {
      // Evenly spaced, shifted off the kinks at 0 and 6.
      xs.push_back(c.lo + (c.hi - c.lo) * (i + 0.37) / n);
      ws.push_back(0.5 + 0.25 * (i % 5) - 0.6 * (i % 2));
    }
    Tensor x = F64(xs, Shape{3, 4}), w = F64(ws, Shape{3, 4});
    graph::Graph g;
    auto xp = ops::Placeholder(g, DT_DOUBLE, Shape{3, 4}, "x");
    auto y = ops::Op(g, {c.forward, {xp}});
    auto dy = ops::Const(g, w, "dy");
    auto grad = c.grad_takes_features ? ops::Op(g, {c.grad, {dy, xp}})
                                      : ops::Op(g, {c.grad, {y, dy}});
    Runner r(g);
    std::vector<double> want =
        NumericGrad([&](const Tensor& xv) { return r.Run1({{"x", xv}}, y.name()); }, x, w, 1e-5);
    ExpectClose(r.Run1({{"x", x}}, grad.name()), want, 1e-7);
  }
}

TEST(TrainingGrads, ElementwiseShapeMismatchIsAnError) {
  graph::Graph g;
  auto a = ops::Const(g, F32({1, 2, 3}, Shape{3}));
  auto b = ops::Const(g, F32({1, 2}, Shape{2}));
  auto sg = ops::Op(g, {"SigmoidGrad", {a, b}, {}, {}, "sg"});
  ASSERT_TRUE(g.status().ok());
  auto session = kernels::NewSession(g);
  EXPECT_THAT(Fetch(*session, sg.name()).status(),
              StatusIs(Code::kInvalidArgument, "y and dy must have the same shape: [3] vs [2]"));
}

// ---------------------------------------------------------------- BiasAddGrad

TEST(TrainingGrads, BiasAddGradMatchesFiniteDifferences) {
  for (const std::string format : {"NHWC", "NCHW"}) {
    SCOPED_TRACE(format);
    const Shape vs = format == "NHWC" ? Shape{2, 3, 4} : Shape{2, 3, 2, 2};
    const int64_t channels = format == "NHWC" ? 4 : 3;
    Tensor value = Pattern(vs, 5, 7, 3, 0.25);
    Tensor bias = Pattern(Shape{channels}, 3, 5, 2, 0.5);
    Tensor w = Pattern(vs, 7, 11, 5, 0.125);
    graph::Graph g;
    auto b = ops::Placeholder(g, DT_DOUBLE, Shape{channels}, "b");
    auto y = ops::BiasAdd(g, ops::Const(g, value), b, format);
    auto grad = ops::Op(g, {"BiasAddGrad", {ops::Const(g, w)},
                            {ops::AttrString("data_format", format)}});
    EXPECT_EQ(grad.shape(), (Shape{channels}));
    Runner r(g);
    std::vector<double> want =
        NumericGrad([&](const Tensor& bv) { return r.Run1({{"b", bv}}, y.name()); }, bias, w, 1e-3);
    ExpectClose(r.Run1({}, grad.name()), want, 1e-9);
  }
  // Hand values: [[1, 2], [3, 4], [5, 6]] NHWC sums the columns: [9, 12].
  graph::Graph g;
  auto grad = ops::Op(g, {"BiasAddGrad", {ops::Const(g, F32({1, 2, 3, 4, 5, 6}, Shape{3, 2}))}});
  auto bad = ops::Op(g, {"BiasAddGrad", {ops::Const(g, F32({1, 2}, Shape{2}))}, {}, {}, "bad"});
  Runner r(g);
  EXPECT_EQ(Values(r.Run1({}, grad.name())), (std::vector<double>{9, 12}));
  EXPECT_THAT(Fetch(*r.session, bad.name()).status(),
              StatusIs(Code::kInvalidArgument, "Input tensor must be at least 2D: [2]"));
}

// ---------------------------------------------------------------- cross entropy

// loss_b = -sum_j labels_bj * log(softmax(logits)_bj), checked against tfport's Softmax
// kernel; backprop must be softmax - labels and the central difference of sum_b loss_b
// over the logits.
TEST(TrainingGrads, SoftmaxCrossEntropyMatchesSoftmaxAndFiniteDifferences) {
  Tensor logits = Pattern(Shape{3, 4}, 5, 9, 4, 0.5);
  Tensor labels = F64({0.25, 0.25, 0.5, 0, 1, 0, 0, 0, 0.1, 0.2, 0.3, 0.4}, Shape{3, 4});
  graph::Graph g;
  auto x = ops::Placeholder(g, DT_DOUBLE, Shape{3, 4}, "x");
  graph::Node* xent = ops::AddOp(g, {"SoftmaxCrossEntropyWithLogits", {x, ops::Const(g, labels)}});
  ASSERT_NE(xent, nullptr);
  auto sm = ops::Softmax(g, x);
  EXPECT_EQ(xent->output_shape(0), (Shape{3}));
  EXPECT_EQ(xent->output_shape(1), (Shape{3, 4}));
  Runner r(g);
  Tensor loss = r.Run1({{"x", logits}}, xent->name() + ":0");
  Tensor probs = r.Run1({{"x", logits}}, sm.name());
  std::vector<double> want_loss(3, 0.0);
  for (int b = 0; b < 3; ++b)
    for (int j = 0; j < 4; ++j)
      want_loss[static_cast<size_t>(b)] -= labels.flat<double>()[static_cast<size_t>(b * 4 + j)] *
                                           std::log(probs.flat<double>()[static_cast<size_t>(b * 4 + j)]);
  ExpectClose(loss, want_loss, 1e-12);
  // backprop = softmax - labels.
  std::vector<double> want_back;
  for (int i = 0; i < 12; ++i)
    want_back.push_back(probs.flat<double>()[static_cast<size_t>(i)] -
                        labels.flat<double>()[static_cast<size_t>(i)]);
  Tensor back = r.Run1({{"x", logits}}, xent->name() + ":1");
  ExpectClose(back, want_back, 1e-12);
  std::vector<double> numeric = NumericGrad(
      [&](const Tensor& xv) { return r.Run1({{"x", xv}}, xent->name() + ":0"); }, logits,
      F64({1, 1, 1}, Shape{3}), 1e-5);
  ExpectClose(back, numeric, 1e-7);

  // Hand values: logits [0, 0] with labels [1, 0]: loss = log 2, backprop = [-0.5, 0.5].
  graph::Graph g2;
  graph::Node* h = ops::AddOp(g2, {"SoftmaxCrossEntropyWithLogits",
                                   {ops::Const(g2, F32({0, 0}, Shape{1, 2})),
                                    ops::Const(g2, F32({1, 0}, Shape{1, 2}))}});
  Runner r2(g2);
  ExpectClose(r2.Run1({}, h->name() + ":0"), {std::log(2.0)});
  ExpectClose(r2.Run1({}, h->name() + ":1"), {-0.5, 0.5});
}

TEST(TrainingGrads, SoftmaxCrossEntropyBroadcastsLabels) {
  Tensor logits = Pattern(Shape{3, 4}, 5, 9, 4, 0.5);
  graph::Graph g;
  auto lx = ops::Const(g, logits);
  // Labels [1, 4] broadcast over the batch == the same row tiled 3 times; rank-1 labels too.
  graph::Node* b1 = ops::AddOp(g, {"SoftmaxCrossEntropyWithLogits",
                                   {lx, ops::Const(g, F64({0.1, 0.2, 0.3, 0.4}, Shape{1, 4}))}});
  graph::Node* b2 = ops::AddOp(g, {"SoftmaxCrossEntropyWithLogits",
                                   {lx, ops::Const(g, F64({0.1, 0.2, 0.3, 0.4}, Shape{4}))}});
  graph::Node* full = ops::AddOp(
      g, {"SoftmaxCrossEntropyWithLogits",
          {lx, ops::Const(g, F64({0.1, 0.2, 0.3, 0.4, 0.1, 0.2, 0.3, 0.4, 0.1, 0.2, 0.3, 0.4},
                                 Shape{3, 4}))}});
  graph::Node* bad = ops::AddOp(g, {"SoftmaxCrossEntropyWithLogits",
                                    {lx, ops::Const(g, F64({0.5, 0.5}, Shape{1, 2}))}, {}, {}, "bad"});
  graph::Node* bad3 = ops::AddOp(
      g, {"SoftmaxCrossEntropyWithLogits",
          {ops::Const(g, F64({0, 0}, Shape{1, 1, 2})), ops::Const(g, F64({1, 0}, Shape{1, 1, 2}))},
          {}, {}, "bad3"});
  ASSERT_TRUE(g.status().ok()) << g.status().ToString();
  Runner r(g);
  for (int o = 0; o < 2; ++o) {
    std::vector<double> want = Values(r.Run1({}, full->name() + ":" + std::to_string(o)));
    ExpectClose(r.Run1({}, b1->name() + ":" + std::to_string(o)), want, 1e-15);
    ExpectClose(r.Run1({}, b2->name() + ":" + std::to_string(o)), want, 1e-15);
  }
  EXPECT_THAT(Fetch(*r.session, bad->name() + ":0").status(),
              StatusIs(Code::kInvalidArgument,
                       "logits and labels must be broadcastable: logits_size=[3,4] "
                       "labels_size=[1,2]"));
  EXPECT_THAT(Fetch(*r.session, bad3->name() + ":0").status(),
              StatusIs(Code::kInvalidArgument,
                       "logits and labels must be either 2-dimensional, or broadcasted to be "
                       "2-dimensional"));
}

TEST(TrainingGrads, SparseSoftmaxCrossEntropyMatchesDenseOneHot) {
  Tensor logits = Pattern(Shape{3, 4}, 5, 9, 4, 0.5);
  // One-hot of labels {0, 3, 1}.
  Tensor onehot = F64({1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0}, Shape{3, 4});
  for (DataType label_type : {DT_INT32, DT_INT64}) {
    SCOPED_TRACE(DataTypeName(label_type));
    graph::Graph g;
    auto x = ops::Placeholder(g, DT_DOUBLE, Shape{3, 4}, "x");
    Tensor labels = label_type == DT_INT32 ? Tensor::FromVector<int32_t>({0, 3, 1}, Shape{3})
                                           : Tensor::FromVector<int64_t>({0, 3, 1}, Shape{3});
    graph::Node* sparse =
        ops::AddOp(g, {"SparseSoftmaxCrossEntropyWithLogits", {x, ops::Const(g, labels)}});
    graph::Node* dense =
        ops::AddOp(g, {"SoftmaxCrossEntropyWithLogits", {x, ops::Const(g, onehot)}});
    ASSERT_TRUE(g.status().ok()) << g.status().ToString();
    EXPECT_EQ(sparse->output_shape(1), (Shape{3, 4}));
    Runner r(g);
    for (int o = 0; o < 2; ++o)
      ExpectClose(r.Run1({{"x", logits}}, sparse->name() + ":" + std::to_string(o)),
                  Values(r.Run1({{"x", logits}}, dense->name() + ":" + std::to_string(o))), 1e-15);
    std::vector<double> numeric = NumericGrad(
        [&](const Tensor& xv) { return r.Run1({{"x", xv}}, sparse->name() + ":0"); }, logits,
        F64({1, 1, 1}, Shape{3}), 1e-5);
    ExpectClose(r.Run1({{"x", logits}}, sparse->name() + ":1"), numeric, 1e-7);
  }
  // float: logits [0, 0, 0, 0], label 2: loss = log 4, backprop = [0.25, 0.25, -0.75, 0.25].
  graph::Graph g;
  graph::Node* f = ops::AddOp(g, {"SparseSoftmaxCrossEntropyWithLogits",
                                  {ops::Const(g, F32({0, 0, 0, 0}, Shape{1, 4})),
                                   ops::Const(g, Tensor::FromVector<int32_t>({2}, Shape{1}))}});
  Runner r(g);
  ExpectClose(r.Run1({}, f->name() + ":0"), {std::log(4.0)});
  ExpectClose(r.Run1({}, f->name() + ":1"), {0.25, 0.25, -0.75, 0.25});
}

TEST(TrainingGrads, SparseSoftmaxCrossEntropyErrors) {
  graph::Graph g;
  auto logits = ops::Const(g, F32({0, 0, 0, 0, 0, 0, 0, 0}, Shape{2, 4}));
  auto out_of_range = ops::Const(g, Tensor::FromVector<int32_t>({1, 4}, Shape{2}));
  auto negative = ops::Const(g, Tensor::FromVector<int64_t>({-1, 0}, Shape{2}));
  auto short_labels = ops::Const(g, Tensor::FromVector<int32_t>({1}, Shape{1}));
  ops::AddOp(g, {"SparseSoftmaxCrossEntropyWithLogits", {logits, out_of_range}, {}, {}, "a"});
  ops::AddOp(g, {"SparseSoftmaxCrossEntropyWithLogits", {logits, negative}, {}, {}, "b"});
  ops::AddOp(g, {"SparseSoftmaxCrossEntropyWithLogits", {logits, short_labels}, {}, {}, "c"});
  ASSERT_TRUE(g.status().ok()) << g.status().ToString();
  auto s = kernels::NewSession(g);
  EXPECT_THAT(Fetch(*s, "a:0").status(),
              StatusIs(Code::kInvalidArgument,
                       "Received a label value of 4 which is outside the valid range of [0, 4)"));
  EXPECT_THAT(Fetch(*s, "b:0").status(),
              StatusIs(Code::kInvalidArgument,
                       "Received a label value of -1 which is outside the valid range of [0, 4)"));
  EXPECT_THAT(Fetch(*s, "c:0").status(),
              StatusIs(Code::kInvalidArgument,
                       "logits and labels must have the same first dimension"));
}

// ---------------------------------------------------------------- convolution gradients

struct ConvCase {
  Shape x, f;
  std::vector<int64_t> strides;
  std::string padding;
  std::vector<int64_t> dilations;
};

TEST(TrainingGrads, Conv2DBackpropMatchesFiniteDifferences) {
  const ConvCase cases[] = {
      {Shape{2, 5, 6, 3}, Shape{3, 2, 3, 4}, {1, 2, 2, 1}, "SAME", {1, 1, 1, 1}},
      {Shape{2, 5, 6, 3}, Shape{3, 2, 3, 4}, {1, 1, 1, 1}, "VALID", {1, 2, 1, 1}},
      {Shape{1, 6, 5, 2}, Shape{2, 3, 2, 3}, {1, 1, 2, 1}, "SAME", {1, 2, 2, 1}},
      {Shape{1, 4, 4, 2}, Shape{1, 1, 2, 3}, {1, 1, 1, 1}, "VALID", {1, 1, 1, 1}},
      {Shape{1, 7, 7, 1}, Shape{3, 3, 1, 2}, {1, 3, 2, 1}, "VALID", {1, 1, 1, 1}},
  };
  for (const ConvCase& c : cases) {
    SCOPED_TRACE(c.x.DebugString() + " " + c.f.DebugString() + " " + c.padding);
    Tensor x = Pattern(c.x, 7, 13, 6, 0.125);
    Tensor f = Pattern(c.f, 5, 11, 5, 0.25);
    graph::Graph g;
    auto xp = ops::Placeholder(g, DT_DOUBLE, c.x, "x");
    auto fp = ops::Placeholder(g, DT_DOUBLE, c.f, "f");
    ops::ConvOptions opts;
    opts.dilations = c.dilations;
    auto y = ops::Conv2D(g, xp, fp, c.strides, c.padding, "conv", opts);
    ASSERT_TRUE(g.status().ok()) << g.status().ToString();
    Runner r(g);
    Tensor y0 = r.Run1({{"x", x}, {"f", f}}, y.name());
    Tensor w = Pattern(y0.shape(), 3, 7, 3, 0.5);
    auto sizes = [&](const Shape& s) {
      std::vector<int32_t> v(s.dims().begin(), s.dims().end());
      return ops::Const(g, Tensor::FromVector<int32_t>(v, Shape{4}));
    };
    std::vector<ops::Attr> attrs = {ops::AttrInts("strides", c.strides),
                                    ops::AttrString("padding", c.padding),
                                    ops::AttrInts("dilations", c.dilations)};
    auto wc = ops::Const(g, w, "w");
    auto dx = ops::Op(g, {"Conv2DBackpropInput", {sizes(c.x), fp, wc}, attrs});
    auto df = ops::Op(g, {"Conv2DBackpropFilter", {xp, sizes(c.f), wc}, attrs});
    ASSERT_TRUE(g.status().ok()) << g.status().ToString();
    EXPECT_EQ(dx.shape(), c.x);
    EXPECT_EQ(df.shape(), c.f);
    Runner r2(g);
    std::vector<double> want_dx = NumericGrad(
        [&](const Tensor& xv) { return r2.Run1({{"x", xv}, {"f", f}}, y.name()); }, x, w, 1e-3);
    std::vector<double> want_df = NumericGrad(
        [&](const Tensor& fv) { return r2.Run1({{"x", x}, {"f", fv}}, y.name()); }, f, w, 1e-3);
    ExpectClose(r2.Run1({{"x", x}, {"f", f}}, dx.name()), want_dx, 1e-9);
    ExpectClose(r2.Run1({{"x", x}, {"f", f}}, df.name()), want_df, 1e-9);

    // float gives the same numbers to float precision.
    graph::Graph gf;
    std::vector<int32_t> xs(c.x.dims().begin(), c.x.dims().end());
    std::vector<int32_t> fs(c.f.dims().begin(), c.f.dims().end());
    auto fdx = ops::Op(gf, {"Conv2DBackpropInput",
                            {ops::Const(gf, Tensor::FromVector<int32_t>(xs, Shape{4})),
                             ops::Const(gf, ToF32(f)), ops::Const(gf, ToF32(w))},
                            attrs});
    auto fdf = ops::Op(gf, {"Conv2DBackpropFilter",
                            {ops::Const(gf, ToF32(x)),
                             ops::Const(gf, Tensor::FromVector<int32_t>(fs, Shape{4})),
                             ops::Const(gf, ToF32(w))},
                            attrs});
    Runner rf(gf);
    ExpectClose(rf.Run1({}, fdx.name()), want_dx, 1e-5);
    ExpectClose(rf.Run1({}, fdf.name()), want_df, 1e-5);
  }
}

TEST(TrainingGrads, Conv2DBackpropHandValues) {
  // 1x1 filter [[2]] on a [1,2,2,1] input, stride 1 VALID: dx = dy * 2, df = sum(x * dy).
  // x = [1, 2, 3, 4], dy = [1, 0, -1, 0.5]: dx = [2, 0, -2, 1], df = 1 - 3 + 2 = 0.
  graph::Graph g;
  std::vector<ops::Attr> attrs = {ops::AttrInts("strides", {1, 1, 1, 1}),
                                  ops::AttrString("padding", "VALID")};
  auto dy = ops::Const(g, F32({1, 0, -1, 0.5f}, Shape{1, 2, 2, 1}));
  auto dx = ops::Op(g, {"Conv2DBackpropInput",
                        {ops::Const(g, Tensor::FromVector<int32_t>({1, 2, 2, 1}, Shape{4})),
                         ops::Const(g, F32({2}, Shape{1, 1, 1, 1})), dy},
                        attrs});
  auto df = ops::Op(g, {"Conv2DBackpropFilter",
                        {ops::Const(g, F32({1, 2, 3, 4}, Shape{1, 2, 2, 1})),
                         ops::Const(g, Tensor::FromVector<int32_t>({1, 1, 1, 1}, Shape{4})), dy},
                        attrs});
  // Errors: out_backprop of the wrong shape; input_sizes of the wrong length.
  ops::Op(g, {"Conv2DBackpropInput",
              {ops::Const(g, Tensor::FromVector<int32_t>({1, 3, 3, 1}, Shape{4})),
               ops::Const(g, F32({2}, Shape{1, 1, 1, 1})), dy},
              attrs, {}, "bad_dy"});
  ops::Op(g, {"Conv2DBackpropInput",
              {ops::Const(g, Tensor::FromVector<int32_t>({2, 2, 1}, Shape{3})),
               ops::Const(g, F32({2}, Shape{1, 1, 1, 1})), dy},
              attrs, {}, "bad_sizes"});
  ASSERT_TRUE(g.status().ok()) << g.status().ToString();
  Runner r(g);
  EXPECT_EQ(Values(r.Run1({}, dx.name())), (std::vector<double>{2, 0, -2, 1}));
  EXPECT_EQ(Values(r.Run1({}, df.name())), (std::vector<double>{0}));
  EXPECT_THAT(Fetch(*r.session, "bad_dy:0").status(),
              StatusIs(Code::kInvalidArgument, "out_backprop has shape [1,2,2,1]"));
  EXPECT_THAT(Fetch(*r.session, "bad_sizes:0").status(),
              StatusIs(Code::kInvalidArgument, "input_sizes must have 4 elements"));
}

// ---------------------------------------------------------------- MaxPoolGrad

TEST(TrainingGrads, MaxPoolGradMatchesFiniteDifferences) {
  struct Case {
    std::vector<int64_t> ksize, strides;
    std::string padding;
  };
  const Case cases[] = {{{1, 2, 2, 1}, {1, 2, 2, 1}, "VALID"},
                        {{1, 3, 3, 1}, {1, 2, 2, 1}, "SAME"},
                        {{1, 3, 2, 1}, {1, 1, 1, 1}, "VALID"}};
  // Distinct values 0.01 apart (a permutation), so a 1e-4 step never changes a window's max.
  const Shape xs{2, 5, 6, 3};
  Tensor x(DT_DOUBLE, xs);
  for (int64_t i = 0; i < x.num_elements(); ++i)
    x.flat<double>()[static_cast<size_t>(i)] = static_cast<double>((i * 37) % 180) * 0.01 - 0.9;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.padding);
    graph::Graph g;
    auto xp = ops::Placeholder(g, DT_DOUBLE, xs, "x");
    auto y = ops::MaxPool(g, xp, c.ksize, c.strides, c.padding);
    Runner r(g);
    Tensor y0 = r.Run1({{"x", x}}, y.name());
    Tensor w = Pattern(y0.shape(), 3, 7, 3, 0.5);
    auto grad = ops::Op(g, {"MaxPoolGrad", {xp, y, ops::Const(g, w)},
                            {ops::AttrInts("ksize", c.ksize), ops::AttrInts("strides", c.strides),
                             ops::AttrString("padding", c.padding)}});
    ASSERT_TRUE(g.status().ok()) << g.status().ToString();
    Runner r2(g);
    std::vector<double> want =
        NumericGrad([&](const Tensor& xv) { return r2.Run1({{"x", xv}}, y.name()); }, x, w, 1e-4);
    ExpectClose(r2.Run1({{"x", x}}, grad.name()), want, 1e-9);
  }
}

TEST(TrainingGrads, MaxPoolGradTiesGoToTheFirstMax) {
  // One 2x2 window over [[1, 3], [3, 2]]: the gradient 5 goes to the first 3 (row 0, col 1).
  // A window of equal values gives it to its first element.
  graph::Graph g;
  std::vector<ops::Attr> attrs = {ops::AttrInts("ksize", {1, 2, 2, 1}),
                                  ops::AttrInts("strides", {1, 2, 2, 1}),
                                  ops::AttrString("padding", "VALID")};
  auto g1 = ops::Op(g, {"MaxPoolGrad",
                        {ops::Const(g, F32({1, 3, 3, 2}, Shape{1, 2, 2, 1})),
                         ops::Const(g, F32({3}, Shape{1, 1, 1, 1})),
                         ops::Const(g, F32({5}, Shape{1, 1, 1, 1}))},
                        attrs});
  auto g2 = ops::Op(g, {"MaxPoolGrad",
                        {ops::Const(g, F32({7, 7, 7, 7}, Shape{1, 2, 2, 1})),
                         ops::Const(g, F32({7}, Shape{1, 1, 1, 1})),
                         ops::Const(g, F32({2}, Shape{1, 1, 1, 1}))},
                        attrs});
  ops::Op(g, {"MaxPoolGrad",
              {ops::Const(g, F32({7, 7, 7, 7}, Shape{1, 2, 2, 1})),
               ops::Const(g, F32({7}, Shape{1, 1, 1, 1})),
               ops::Const(g, F32({2, 2}, Shape{1, 1, 2, 1}))},
              attrs, {}, "bad_grad"});
  ASSERT_TRUE(g.status().ok()) << g.status().ToString();
  Runner r(g);
  EXPECT_EQ(Values(r.Run1({}, g1.name())), (std::vector<double>{0, 5, 0, 0}));
  EXPECT_EQ(Values(r.Run1({}, g2.name())), (std::vector<double>{2, 0, 0, 0}));
  EXPECT_THAT(Fetch(*r.session, "bad_grad:0").status(),
              StatusIs(Code::kInvalidArgument,
                       "Expected grad shape to be [1,1,1,1], but got [1,1,2,1]"));
}

// ---------------------------------------------------------------- a TF1 training graph

// cppflow's MNIST MLP (float64, resource variables, GradientDescentOptimizer, Keras-style
// clipped cross entropy "Mean"): the variables are restored from its checkpoint through
// the graph's own saver (save/Const <- prefix, save/restore_all) and a fixed synthetic
// batch of 8 MNIST-like rows is fed. Checks: (1) the gradients the graph feeds to
// ResourceApplyGradientDescent for dense_2/bias and dense/bias equal central differences
// of the loss (bias values set through AssignVariableOp nodes added to the graph);
// (2) running the train_op collection's op applies var -= lr * delta exactly and the loss
// goes down over 6 steps.
TEST(TrainingFixture, CppflowMnistTrainsAfterRestore) {
  const std::string dir = "cppflow_v1_mnist_ckpt/checkpoint";
  TFPORT_REQUIRE_FIXTURE(dir + "/train.ckpt.meta");
  tf::MetaGraphDef meta;
  ASSERT_TRUE(
      io::ReadBinaryProto(tfport::testing::FixturePath(dir + "/train.ckpt.meta").string(), &meta)
          .ok());
  auto g = graph::GraphFromGraphDef(meta.graph_def());
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  ASSERT_TRUE(meta.collection_def().count("train_op"));
  const auto& train_ops = meta.collection_def().at("train_op").node_list().value();
  ASSERT_EQ(train_ops.size(), 1);
  const std::string train_op = train_ops[0];

  // The update of dense_2/bias and its inputs.
  const graph::Node* bias_update = nullptr;
  int applies = 0;
  for (const graph::Node* n : (*g)->nodes()) {
    if (n->op() != "ResourceApplyGradientDescent") continue;
    ++applies;
    if (n->input(0).node->name() == "dense_2/bias") bias_update = n;
  }
  EXPECT_EQ(applies, 6);
  ASSERT_NE(bias_update, nullptr);
  const std::string alpha = bias_update->input(1).name();
  const std::string delta = bias_update->input(2).name();

  std::unique_ptr<runtime::Session> session;
  const std::string prefix = tfport::testing::FixturePath(dir + "/train.ckpt").string();
  std::vector<Tensor> out;
  Status s;

  // 8 synthetic MNIST-like rows (about one pixel in five lit, values in [0, 1]) and
  // one-hot labels 0..7.
  Tensor x(DT_DOUBLE, Shape{8, 784});
  Tensor y(DT_DOUBLE, Shape{8, 10});
  for (int64_t i = 0; i < x.num_elements(); ++i) {
    const int64_t row = i / 784;
    if ((i * 7 + row * 3) % 5 == 0)
      x.flat<double>()[static_cast<size_t>(i)] = static_cast<double>((i * 131 + row * 17) % 255) / 255.0;
  }
  for (int r = 0; r < 8; ++r) y.flat<double>()[static_cast<size_t>(r * 10 + r)] = 1;
  const std::vector<std::pair<std::string, Tensor>> feeds = {{"input:0", x}, {"label:0", y}};

  const std::string bias_read = "dense_2/bias/Read/ReadVariableOp:0";
  ASSERT_NE((*g)->FindNode("Mean"), nullptr);
  ASSERT_NE((*g)->FindNode(bias_read.substr(0, bias_read.size() - 2)), nullptr);

  // 1. The gradients the graph computes (MatMul/BiasAdd/Relu gradients, BiasAddGrad,
  //    ReluGrad, ...) match central differences of the loss: set one bias element to
  //    value +- h through an AssignVariableOp added to the graph, re-evaluate Mean.
  struct Probe {
    const graph::Node* apply;
    std::string var;
    int64_t size;
  };
  std::vector<Probe> probes;
  for (const graph::Node* n : (*g)->nodes()) {
    if (n->op() != "ResourceApplyGradientDescent") continue;
    const std::string var = n->input(0).node->name();
    if (var == "dense_2/bias") probes.push_back({n, var, 10});
    if (var == "dense/bias") probes.push_back({n, var, 128});
  }
  ASSERT_EQ(probes.size(), 2u);
  std::vector<std::string> assign_names;
  for (const Probe& p : probes) {
    auto value = ops::Placeholder(**g, DT_DOUBLE, Shape{p.size}, p.var + "/fd_value");
    graph::Node* assign =
        ops::AssignVariableOp(**g, (*g)->FindNode(p.var)->output(0), value, p.var + "/fd_assign");
    ASSERT_NE(assign, nullptr);
    assign_names.push_back(assign->name());
  }
  ASSERT_TRUE((*g)->status().ok()) << (*g)->status().ToString();
  session = kernels::NewSession(**g);
  s = session->Run({{meta.saver_def().filename_tensor_name(), Tensor::Scalar<std::string>(prefix)}},
                   {}, {meta.saver_def().restore_op_name()}, &out);
  ASSERT_TRUE(s.ok()) << s.ToString();
  auto loss_at = [&]() {
    EXPECT_TRUE(session->Run(feeds, {"Mean:0"}, {}, &out).ok());
    return out[0].scalar<double>();
  };
  for (size_t k = 0; k < probes.size(); ++k) {
    SCOPED_TRACE(probes[k].var);
    const std::string read = probes[k].var + "/Read/ReadVariableOp:0";
    ASSERT_TRUE(session->Run(feeds, {read, probes[k].apply->input(2).name()}, {}, &out).ok());
    const Tensor base = out[0];
    const std::vector<double> analytic = Values(out[1]);
    ASSERT_EQ(static_cast<int64_t>(analytic.size()), probes[k].size);
    const double h = 1e-6;
    for (int64_t i = 0; i < probes[k].size; i += probes[k].size > 10 ? 9 : 1) {
      double l[2];
      for (int sign = 0; sign < 2; ++sign) {
        Tensor v = base.DeepCopy();
        v.flat<double>()[static_cast<size_t>(i)] += sign == 0 ? h : -h;
        ASSERT_TRUE(session->Run({{probes[k].var + "/fd_value", v}}, {}, {assign_names[k]}, &out).ok());
        l[sign] = loss_at();
      }
      ASSERT_TRUE(session->Run({{probes[k].var + "/fd_value", base}}, {}, {assign_names[k]}, &out).ok());
      const double numeric = (l[0] - l[1]) / (2 * h);
      EXPECT_NEAR(analytic[static_cast<size_t>(i)], numeric, 1e-6 + 1e-5 * std::abs(numeric))
          << "element " << i;
    }
  }

  // 2. Training: each step applies var -= alpha * delta exactly (checked on dense_2/bias)
  //    and the loss goes down. The graph's learning rate (0.5) makes this unfamiliar batch
  //    overshoot, so a smaller one is fed in its place.
  // TF1's GradientDescentOptimizer casts its one learning-rate tensor to each variable's
  // dtype (".../Cast"), so the tensor fed is the Cast's input.
  std::vector<std::pair<std::string, Tensor>> train_feeds = feeds;
  const graph::Node* alpha_node = bias_update->input(1).node;
  if (alpha_node->op() == "Cast") {
    const graph::Output lr = alpha_node->input(0);
    ASSERT_EQ(lr.dtype(), DT_FLOAT);
    train_feeds.emplace_back(lr.name(), Tensor::Scalar<float>(0.02f));
  } else {
    train_feeds.emplace_back(alpha, Tensor::Scalar<double>(0.02));
  }
  std::vector<double> losses;
  for (int step = 0; step < 6; ++step) {
    ASSERT_TRUE(session->Run(feeds, {"Mean:0", bias_read}, {}, &out).ok());
    losses.push_back(out[0].scalar<double>());
    std::vector<double> before = Values(out[1]);
    s = session->Run(train_feeds, {delta}, {train_op}, &out);
    ASSERT_TRUE(s.ok()) << s.ToString();
    std::vector<double> d = Values(out[0]);
    ASSERT_TRUE(session->Run({}, {bias_read}, {}, &out).ok());
    std::vector<double> after = Values(out[0]);
    ASSERT_EQ(after.size(), 10u);
    const double lr = static_cast<double>(0.02f);
    for (size_t i = 0; i < after.size(); ++i) EXPECT_EQ(after[i], before[i] - lr * d[i]) << i;
  }
  for (size_t i = 1; i < losses.size(); ++i) EXPECT_LT(losses[i], losses[i - 1]) << "step " << i;
  EXPECT_LT(losses.back(), losses.front() * 0.9);
}

}  // namespace
}  // namespace tfport
