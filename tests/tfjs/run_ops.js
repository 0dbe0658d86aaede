// Independent reference for tfport's kernel tests: evaluates ops with
// TensorFlow.js's CPU backend (npm @tensorflow/tfjs-core + tfjs-backend-cpu).
//
// stdin:  {"cases": [{"op": "add", "inputs": [T, ...], "attrs": {...}}, ...]}
// stdout: {"results": [T | {"error": "..."}, ...]}
// where T = {"dtype": "float32"|"int32"|"bool", "shape": [..], "values": [flat]}
// and non-finite floats travel as the strings "NaN", "Infinity", "-Infinity".
'use strict';
// tfjs prints a banner with console.log; keep stdout for the JSON answer.
console.log = (...args) => process.stderr.write(args.join(' ') + '\n');
const tf = require('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-backend-cpu');

function decode(v) {
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  return v;
}
function encode(v) {
  if (typeof v === 'boolean') return v;
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  return v;
}
function toTensor(t) {
  const values = t.values.map(decode);
  if (t.dtype === 'bool') return tf.tensor(values.map(Boolean), t.shape, 'bool');
  return tf.tensor(values, t.shape, t.dtype);
}

// tfport op name (TensorFlow's) -> function of (inputs, attrs).
const OPS = {
  Add: (x) => tf.add(x[0], x[1]), AddV2: (x) => tf.add(x[0], x[1]),
  Sub: (x) => tf.sub(x[0], x[1]), Mul: (x) => tf.mul(x[0], x[1]),
  RealDiv: (x) => tf.div(x[0], x[1]), FloorDiv: (x) => tf.floorDiv(x[0], x[1]),
  FloorMod: (x) => tf.mod(x[0], x[1]), Maximum: (x) => tf.maximum(x[0], x[1]),
  Minimum: (x) => tf.minimum(x[0], x[1]), Pow: (x) => tf.pow(x[0], x[1]),
  SquaredDifference: (x) => tf.squaredDifference(x[0], x[1]),
  DivNoNan: (x) => tf.divNoNan(x[0], x[1]),
  Neg: (x) => tf.neg(x[0]), Abs: (x) => tf.abs(x[0]), Sign: (x) => tf.sign(x[0]),
  Square: (x) => tf.square(x[0]), Sqrt: (x) => tf.sqrt(x[0]), Rsqrt: (x) => tf.rsqrt(x[0]),
  Reciprocal: (x) => tf.reciprocal(x[0]), Exp: (x) => tf.exp(x[0]), Log: (x) => tf.log(x[0]),
  Floor: (x) => tf.floor(x[0]), Ceil: (x) => tf.ceil(x[0]), Round: (x) => tf.round(x[0]),
  Sigmoid: (x) => tf.sigmoid(x[0]), Tanh: (x) => tf.tanh(x[0]), Relu: (x) => tf.relu(x[0]),
  Relu6: (x) => tf.relu6(x[0]), Elu: (x) => tf.elu(x[0]), Selu: (x) => tf.selu(x[0]),
  LeakyRelu: (x, a) => tf.leakyRelu(x[0], a.alpha === undefined ? 0.2 : a.alpha),
  Softplus: (x) => tf.softplus(x[0]),
  Equal: (x) => tf.equal(x[0], x[1]), NotEqual: (x) => tf.notEqual(x[0], x[1]),
  Less: (x) => tf.less(x[0], x[1]), LessEqual: (x) => tf.lessEqual(x[0], x[1]),
  Greater: (x) => tf.greater(x[0], x[1]), GreaterEqual: (x) => tf.greaterEqual(x[0], x[1]),
  LogicalAnd: (x) => tf.logicalAnd(x[0], x[1]), LogicalOr: (x) => tf.logicalOr(x[0], x[1]),
  LogicalNot: (x) => tf.logicalNot(x[0]),
  SelectV2: (x) => tf.where(x[0], x[1], x[2]),
  Cast: (x, a) => tf.cast(x[0], a.DstT),
  Sum: (x, a) => tf.sum(x[0], a.axis, a.keep_dims), Mean: (x, a) => tf.mean(x[0], a.axis, a.keep_dims),
  Max: (x, a) => tf.max(x[0], a.axis, a.keep_dims), Min: (x, a) => tf.min(x[0], a.axis, a.keep_dims),
  Prod: (x, a) => tf.prod(x[0], a.axis, a.keep_dims), All: (x, a) => tf.all(x[0], a.axis, a.keep_dims),
  Any: (x, a) => tf.any(x[0], a.axis, a.keep_dims),
  ArgMax: (x, a) => tf.argMax(x[0], a.axis), ArgMin: (x, a) => tf.argMin(x[0], a.axis),
  Transpose: (x, a) => tf.transpose(x[0], a.perm), Tile: (x, a) => tf.tile(x[0], a.multiples),
  Pad: (x, a) => tf.pad(x[0], a.paddings), Slice: (x, a) => tf.slice(x[0], a.begin, a.size),
  StridedSlice: (x, a) => tf.stridedSlice(x[0], a.begin, a.end, a.strides, a.begin_mask,
                                           a.end_mask, a.ellipsis_mask, a.new_axis_mask,
                                           a.shrink_axis_mask),
  ConcatV2: (x, a) => tf.concat(x.slice(0, -1), a.axis), Pack: (x, a) => tf.stack(x, a.axis),
  GatherV2: (x, a) => tf.gather(x[0], x[1], a.axis), Reverse: (x, a) => tf.reverse(x[0], a.axis),
  OneHot: (x, a) => tf.oneHot(x[0], a.depth, a.on_value, a.off_value),
  MatMul: (x, a) => tf.matMul(x[0], x[1], a.transpose_a, a.transpose_b),
  BatchMatMulV2: (x, a) => tf.matMul(x[0], x[1], a.adj_x, a.adj_y),
  Softmax: (x) => tf.softmax(x[0]), LogSoftmax: (x) => tf.logSoftmax(x[0]),
  BiasAdd: (x) => tf.add(x[0], x[1]),
  Conv2D: (x, a) => tf.conv2d(x[0], x[1], [a.strides[1], a.strides[2]], a.padding.toLowerCase(), 'NHWC',
                              [a.dilations[1], a.dilations[2]]),
  DepthwiseConv2dNative: (x, a) => tf.depthwiseConv2d(x[0], x[1], [a.strides[1], a.strides[2]],
                                                       a.padding.toLowerCase(), 'NHWC',
                                                       [a.dilations[1], a.dilations[2]]),
  MaxPool: (x, a) => tf.maxPool(x[0], [a.ksize[1], a.ksize[2]], [a.strides[1], a.strides[2]], a.padding.toLowerCase()),
  AvgPool: (x, a) => tf.avgPool(x[0], [a.ksize[1], a.ksize[2]], [a.strides[1], a.strides[2]], a.padding.toLowerCase()),
};

async function main() {
  await tf.setBackend('cpu');
  let text = '';
  for await (const chunk of process.stdin) text += chunk;
  const request = JSON.parse(text);
  const results = [];
  for (const c of request.cases) {
    try {
      const fn = OPS[c.op];
      if (!fn) throw new Error('no tfjs mapping for op ' + c.op);
      const out = tf.tidy(() => fn(c.inputs.map(toTensor), c.attrs || {}));
      const values = Array.from(out.dataSync()).map(v => (out.dtype === 'bool' ? v !== 0 : v));
      results.push({dtype: out.dtype, shape: out.shape, values: values.map(encode)});
      out.dispose();
    } catch (e) {
      results.push({error: String(e.message || e)});
    }
  }
  process.stdout.write(JSON.stringify({results}));
}
main().catch((e) => { process.stderr.write(String(e.stack || e) + '\n'); process.exit(1); });
