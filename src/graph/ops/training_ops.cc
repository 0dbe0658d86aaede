// OpDefs of the training family (TensorFlow 1.x attrs):
//  - optimizer updates: ApplyGradientDescent, ApplyMomentum, ApplyAdam and
//    their Resource* forms (ref variables in, ref out; resource handles in,
//    nothing out);
//  - gradient ops: BiasAddGrad, ReluGrad, Relu6Grad, SigmoidGrad, TanhGrad,
//    RsqrtGrad, SqrtGrad, SoftmaxCrossEntropyWithLogits,
//    SparseSoftmaxCrossEntropyWithLogits, Conv2DBackpropInput,
//    Conv2DBackpropFilter, MaxPoolGrad;
// with static shape functions that only state what is certain.
#include <initializer_list>
#include <string>
#include <vector>

#include "graph/ops/ops_internal.h"
#include "tfport/core/tensor_proto.h"
#include "tfport/graph/graph.h"

namespace tfport::graph::internal {
namespace {

Shape InShape(const Node& n, int i) {
  return i < n.num_inputs() ? n.input(i).shape() : Shape::UnknownRank();
}

int64_t DimOr(const Shape& s, int i) {
  if (s.unknown_rank() || i < 0 || i >= s.rank()) return -1;
  return s.dim(i);
}

// The most defined shape among the given inputs (all must agree at run time).
Shape FirstKnown(const Node& n, std::initializer_list<int> inputs) {
  Shape best = Shape::UnknownRank();
  for (int i : inputs) {
    Shape s = InShape(n, i);
    if (s.unknown_rank()) continue;
    if (best.unknown_rank() || (s.IsFullyDefined() && !best.IsFullyDefined())) best = s;
  }
  return best;
}

void SameAsInput0(const Node& n, std::vector<Shape>* out) { (*out)[0] = InShape(n, 0); }

// Ref optimizers: "out" is the variable, shaped like var and the gradient.
ShapeFn RefUpdateShape(int grad_index) {
  return [grad_index](const Node& n, std::vector<Shape>* out) {
    if (out->empty()) return;
    (*out)[0] = FirstKnown(n, {0, grad_index});
  };
}

bool IsNchw(const Node& n) {
  Result<std::string> f = GetStringAttr(n.def(), "data_format");
  return f.ok() && *f == "NCHW";
}

void BiasAddGradShape(const Node& n, std::vector<Shape>* out) {
  Shape g = InShape(n, 0);
  if (g.unknown_rank() || g.rank() < 2) return;
  (*out)[0] = Shape{IsNchw(n) ? g.dim(1) : g.dim(g.rank() - 1)};
}

// loss [batch], backprop [batch, classes] from the 2-D logits and labels
// (the dense op broadcasts size-1 dimensions; lower ranks are left to the
// kernel).
void XentShape(const Node& n, std::vector<Shape>* out, bool sparse) {
  Shape logits = InShape(n, 0), labels = InShape(n, 1);
  int64_t batch = -1, classes = -1;
  if (sparse) {
    if (logits.unknown_rank() || logits.rank() != 2) return;
    batch = logits.dim(0) >= 0 ? logits.dim(0) : DimOr(labels, 0);
    classes = logits.dim(1);
  } else {
    if (logits.unknown_rank() || labels.unknown_rank() || logits.rank() != 2 ||
        labels.rank() != 2)
      return;
    auto merge = [](int64_t a, int64_t b) {
      if (a == 1) return b;
      if (b == 1 || a >= 0) return a;
      return b;
    };
    batch = merge(logits.dim(0), labels.dim(0));
    classes = merge(logits.dim(1), labels.dim(1));
  }
  (*out)[0] = Shape{batch};
  (*out)[1] = Shape{batch, classes};
}

// The value of input i when it is a Const int vector, else empty.
std::vector<int64_t> ConstInts(const Node& n, int i) {
  if (i >= n.num_inputs() || n.input(i).node == nullptr || n.input(i).node->op() != "Const")
    return {};
  const tf::AttrValue* v = FindAttr(n.input(i).node->def(), "value");
  if (v == nullptr || !v->has_tensor()) return {};
  Result<Tensor> t = TensorFromProto(v->tensor());
  if (!t.ok() || t->shape().rank() != 1) return {};
  std::vector<int64_t> out;
  if (t->dtype() == DT_INT32) {
    for (int32_t x : t->flat<int32_t>()) out.push_back(x);
  } else if (t->dtype() == DT_INT64) {
    for (int64_t x : t->flat<int64_t>()) out.push_back(x);
  }
  return out;
}

// Conv2DBackpropInput / Conv2DBackpropFilter: the shape named by the sizes
// input when it is a constant, else a rank-4 (or unknown) shape.
ShapeFn SizesInputShape(int sizes_input) {
  return [sizes_input](const Node& n, std::vector<Shape>* out) {
    std::vector<int64_t> dims = ConstInts(n, sizes_input);
    if (dims.size() == 4) {
      for (int64_t d : dims)
        if (d < 0) return;
      (*out)[0] = Shape(std::move(dims));
      return;
    }
    if (DimOr(InShape(n, sizes_input), 0) == 4 && InShape(n, sizes_input).rank() == 1)
      (*out)[0] = Shape{-1, -1, -1, -1};
  };
}

const char* kFloatTypes = "T: {half, bfloat16, float, double}";
const char* kFloatComplexTypes = "T: {bfloat16, half, float, double, complex64, complex128}";

}  // namespace

void RegisterTrainingOps(OpRegistry& r) {
  // ---- optimizers (TF's training_ops.cc)
  MustRegister(r, OpDefBuilder("ApplyGradientDescent")
                      .Input("var: Ref(T)")
                      .Input("alpha: T")
                      .Input("delta: T")
                      .Output("out: Ref(T)")
                      .Attr("T: numbertype")
                      .Attr("use_locking: bool = false"));
  MustRegister(r, OpDefBuilder("ResourceApplyGradientDescent")
                      .Input("var: resource")
                      .Input("alpha: T")
                      .Input("delta: T")
                      .Attr("T: numbertype")
                      .Attr("use_locking: bool = false"));
  MustSetShapeFn(r, "ApplyGradientDescent", RefUpdateShape(2));

  MustRegister(r, OpDefBuilder("ApplyMomentum")
                      .Input("var: Ref(T)")
                      .Input("accum: Ref(T)")
                      .Input("lr: T")
                      .Input("grad: T")
                      .Input("momentum: T")
                      .Output("out: Ref(T)")
                      .Attr("T: numbertype")
                      .Attr("use_locking: bool = false")
                      .Attr("use_nesterov: bool = false"));
  MustRegister(r, OpDefBuilder("ResourceApplyMomentum")
                      .Input("var: resource")
                      .Input("accum: resource")
                      .Input("lr: T")
                      .Input("grad: T")
                      .Input("momentum: T")
                      .Attr("T: numbertype")
                      .Attr("use_locking: bool = false")
                      .Attr("use_nesterov: bool = false"));
  MustSetShapeFn(r, "ApplyMomentum", RefUpdateShape(3));

  MustRegister(r, OpDefBuilder("ApplyAdam")
                      .Input("var: Ref(T)")
                      .Input("m: Ref(T)")
                      .Input("v: Ref(T)")
                      .Input("beta1_power: T")
                      .Input("beta2_power: T")
                      .Input("lr: T")
                      .Input("beta1: T")
                      .Input("beta2: T")
                      .Input("epsilon: T")
                      .Input("grad: T")
                      .Output("out: Ref(T)")
                      .Attr("T: numbertype")
                      .Attr("use_locking: bool = false")
                      .Attr("use_nesterov: bool = false"));
  MustRegister(r, OpDefBuilder("ResourceApplyAdam")
                      .Input("var: resource")
                      .Input("m: resource")
                      .Input("v: resource")
                      .Input("beta1_power: T")
                      .Input("beta2_power: T")
                      .Input("lr: T")
                      .Input("beta1: T")
                      .Input("beta2: T")
                      .Input("epsilon: T")
                      .Input("grad: T")
                      .Attr("T: numbertype")
                      .Attr("use_locking: bool = false")
                      .Attr("use_nesterov: bool = false"));
  MustSetShapeFn(r, "ApplyAdam", RefUpdateShape(9));

  // ---- gradients of nn ops (TF's nn_ops.cc)
  MustRegister(r, OpDefBuilder("BiasAddGrad")
                      .Input("out_backprop: T")
                      .Output("output: T")
                      .Attr("T: numbertype")
                      .Attr("data_format: {'NHWC', 'NCHW'} = 'NHWC'"));
  MustSetShapeFn(r, "BiasAddGrad", BiasAddGradShape);

  for (const char* op : {"ReluGrad", "Relu6Grad"}) {
    MustRegister(r, OpDefBuilder(op)
                        .Input("gradients: T")
                        .Input("features: T")
                        .Output("backprops: T")
                        .Attr("T: realnumbertype"));
    MustSetShapeFn(r, op, SameAsInput0);
  }

  // ---- gradients of unary math ops, (y, dy) -> z (TF's math_ops.cc)
  for (const char* op : {"SigmoidGrad", "TanhGrad", "RsqrtGrad", "SqrtGrad"}) {
    MustRegister(r, OpDefBuilder(op)
                        .Input("y: T")
                        .Input("dy: T")
                        .Output("z: T")
                        .Attr(kFloatComplexTypes));
    MustSetShapeFn(r, op, SameAsInput0);
  }

  MustRegister(r, OpDefBuilder("SoftmaxCrossEntropyWithLogits")
                      .Input("features: T")
                      .Input("labels: T")
                      .Output("loss: T")
                      .Output("backprop: T")
                      .Attr(kFloatTypes));
  MustSetShapeFn(r, "SoftmaxCrossEntropyWithLogits",
                 [](const Node& n, std::vector<Shape>* out) { XentShape(n, out, false); });
  MustRegister(r, OpDefBuilder("SparseSoftmaxCrossEntropyWithLogits")
                      .Input("features: T")
                      .Input("labels: Tlabels")
                      .Output("loss: T")
                      .Output("backprop: T")
                      .Attr(kFloatTypes)
                      .Attr("Tlabels: {int32, int64} = DT_INT64"));
  MustSetShapeFn(r, "SparseSoftmaxCrossEntropyWithLogits",
                 [](const Node& n, std::vector<Shape>* out) { XentShape(n, out, true); });

  MustRegister(r, OpDefBuilder("Conv2DBackpropInput")
                      .Input("input_sizes: int32")
                      .Input("filter: T")
                      .Input("out_backprop: T")
                      .Output("output: T")
                      .Attr(kFloatTypes)
                      .Attr("strides: list(int)")
                      .Attr("use_cudnn_on_gpu: bool = true")
                      .Attr("padding: {'SAME', 'VALID'}")
                      .Attr("data_format: {'NHWC', 'NCHW'} = 'NHWC'")
                      .Attr("dilations: list(int) = [1, 1, 1, 1]"));
  MustSetShapeFn(r, "Conv2DBackpropInput", SizesInputShape(0));
  MustRegister(r, OpDefBuilder("Conv2DBackpropFilter")
                      .Input("input: T")
                      .Input("filter_sizes: int32")
                      .Input("out_backprop: T")
                      .Output("output: T")
                      .Attr(kFloatTypes)
                      .Attr("strides: list(int)")
                      .Attr("use_cudnn_on_gpu: bool = true")
                      .Attr("padding: {'SAME', 'VALID'}")
                      .Attr("data_format: {'NHWC', 'NCHW'} = 'NHWC'")
                      .Attr("dilations: list(int) = [1, 1, 1, 1]"));
  MustSetShapeFn(r, "Conv2DBackpropFilter", SizesInputShape(1));

  MustRegister(r, OpDefBuilder("MaxPoolGrad")
                      .Attr("ksize: list(int) >= 4")
                      .Attr("strides: list(int) >= 4")
                      .Attr("padding: {'SAME', 'VALID'}")
                      .Attr("data_format: {'NHWC', 'NCHW'} = 'NHWC'")
                      .Input("orig_input: T")
                      .Input("orig_output: T")
                      .Input("grad: T")
                      .Output("output: T")
                      .Attr("T: realnumbertype = DT_FLOAT"));
  MustSetShapeFn(r, "MaxPoolGrad", SameAsInput0);
}

}  // namespace tfport::graph::internal
