/**
 * ONNX ops that are affine in the activation: Gemm and MatMul (a dense layer), and Add/Sub/Mul/Div by a constant.
 * A per-channel constant added right after a layer with a bias folds into that bias (MatMul + Add is one dense
 * layer, a Conv's separate bias Add disappears); any other per-channel multiply or add becomes a batchnorm layer
 * in its inference form with mean 0, variance 1 and eps 0, i.e. exactly y = x * weight + bias (Keras batch
 * normalization after a ReLU, which tf2onnx writes as Mul + Add).
 */
import { INPUT } from '../../spec.js';
import type { Act, MapCtx, OpEntry } from './context.js';
import { arith } from './shape.js';

/** The dense layer for x (a vector) times W [inF, outF] plus bias; a channels-last flatten reorders W's rows. */
function dense(c: MapCtx, x: Act, wIO: Float32Array, inF: number, outF: number, bias: Float32Array) {
  if (x.shape.length !== 1 || x.onnx.length !== 1)
    throw c.refuse(`needs a flat input, got [N, ${x.onnx}] (Flatten or Reshape first)`);
  if (inF !== x.shape[0]) throw c.refuse(`its weight takes ${inF} inputs, the chain has ${x.shape[0]}`);
  let w = wIO;
  if (x.rowOrder) {
    w = new Float32Array(wIO.length);
    for (let r = 0; r < inF; r++) w.set(wIO.subarray(x.rowOrder[r] * outF, (x.rowOrder[r] + 1) * outF), r * outF);
  }
  c.out(c.emit({ kind: 'dense', units: outF }, x, { weight: w, bias }));
}

const gemm: OpEntry = {
  doc: 'the activation as A (transA: a batch-1 vector as a column), a constant B',
  map(c) {
    let x = c.act(0);
    if (c.num('transA', 0)) {
      // The transpose of a vector is a reshape: a batch-1 vector held as a column [F, 1] is the row [1, F].
      if (!x.column)
        throw c.refuse(
          `has transA = 1 on [N, ${x.onnx}]: only on a vector of a batch-1 model held as a column [F, 1] (the batch must be A's first axis)`,
        );
      x = { ...x, column: undefined };
    }
    const transB = c.num('transB', 0),
      alpha = c.num('alpha', 1),
      beta = c.num('beta', 1);
    const b = c.constant(1, 'B');
    if (b.dims.length !== 2) throw c.refuse(`its B has dims [${b.dims}], not a matrix`);
    const [inF, outF] = transB ? [b.dims[1], b.dims[0]] : [b.dims[0], b.dims[1]];
    const w = new Float32Array(inF * outF);
    for (let r = 0; r < inF; r++)
      for (let o = 0; o < outF; o++) w[r * outF + o] = alpha * b.values[transB ? o * inF + r : r * outF + o];
    const bias = new Float32Array(outF);
    if (c.node.inputs[2]) {
      const cv = c.floats(2, 'C');
      for (let o = 0; o < outF; o++) bias[o] = beta * cv[cv.length === 1 ? 0 : o];
    }
    dense(c, x, w, inF, outF, bias);
  },
};

const matMul: OpEntry = {
  doc: 'the activation times a constant matrix (+ Add: dense; on an NHWC map: a 1x1 conv2d)',
  map(c) {
    if (!c.isAct(0)) throw c.refuse('multiplies a constant by the activation: the activation must come first');
    const x = c.act(0);
    const b = c.constant(1, 'B');
    if (b.dims.length !== 2) throw c.refuse(`its B has dims [${b.dims}], not a matrix`);
    if (x.shape.length === 3 && c.joinLayout([x]) === 'nhwc') return pointwise(c, x, b.values, b.dims[0], b.dims[1]);
    dense(c, x, Float32Array.from(b.values), b.dims[0], b.dims[1], new Float32Array(b.dims[1]));
  },
};

/**
 * A channels-last map [H,W,C] times [C, F] (ConvNeXt's nn.Linear after its permute to NHWC): every pixel's
 * channels through the same matrix, a 1x1 conv2d whose weight [F, C, 1, 1] is B transposed; the output stays NHWC.
 */
function pointwise(c: MapCtx, x: Act, b: ArrayLike<number>, inF: number, outF: number) {
  if (inF !== x.shape[0]) throw c.refuse(`its weight takes ${inF} channels, the map [N, ${x.onnx}] has ${x.shape[0]}`);
  const w = new Float32Array(inF * outF);
  for (let i = 0; i < inF; i++) for (let o = 0; o < outF; o++) w[o * inF + i] = b[i * outF + o];
  const y = c.emit({ kind: 'conv2d', filters: outF, kernel: 1, stride: 1, padding: 0 }, x, {
    weight: w,
    bias: new Float32Array(outF),
  });
  c.out(c.laidOut(y, 'nhwc'));
}

/**
 * Two activations joined elementwise: Add is a residual join (add), Mul a product (mul: a squeeze-excite gate
 * [C,1,1] times a map, a written-out swish x * sigmoid(x) or hard-swish x * relu6(x + 3)). Both must be laid out
 * alike: as ours, or both feature maps channels-last (the output keeps it); no view, no pending row order.
 */
function join(c: MapCtx, kind: 'add' | 'mul') {
  const [a, b] = [c.act(0), c.act(1)];
  const layout = c.joinLayout([a, b]);
  if (!layout)
    throw c.refuse(
      `joins [N, ${a.onnx}] and [N, ${b.onnx}]: only activations laid out alike, both NCHW (or vectors) or both NHWC maps`,
    );
  // x * sigmoid(x), the sigmoid read by nothing else: SiLU (swish), one layer; x * HardSigmoid(x) with torch's
  // alpha 1/6 and beta 0.5 (its hardswish before opset 14): hardswish. The gate is left unread and dropped.
  if (kind === 'mul')
    for (const k of [0, 1]) {
      const x = k ? a : b;
      const gate = c.foldable(k);
      const spec = gate && c.readsOf(gate).join() === (x.layer || INPUT) && c.layers.find((l) => l.name === gate);
      const fused =
        spec && spec.kind === 'sigmoid'
          ? 'silu'
          : spec && spec.kind === 'hardsigmoid' && Math.abs((spec.alpha ?? 0.2) - 1 / 6) < 1e-6 && spec.beta === 0.5
            ? 'hardswish'
            : undefined;
      if (fused) {
        const m = c.mapping.find((r) => r.became === gate);
        if (m) m.became = `(fused into the next ${fused})`;
        return c.out(c.laidOut(c.emit({ kind: fused }, x), layout));
      }
    }
  c.out(c.laidOut(c.emit({ kind }, [a, b]), layout));
}

/** y = x * mul + add for one activation and one constant; `op` says how the constant enters. */
function affine(op: 'Add' | 'Sub' | 'Mul' | 'Div'): OpEntry {
  return {
    doc:
      op === 'Add' || op === 'Mul'
        ? `by a per-channel constant, or of two activations (${op === 'Add' ? 'residual add' : 'gate or product: mul'})`
        : 'by a per-channel constant',
    map(c) {
      const k = c.isAct(0) ? 0 : 1;
      if (!c.isAct(k)) return arith(c, op);
      if (c.isAct(1 - k)) {
        if (op === 'Add' || op === 'Mul') return join(c, op === 'Add' ? 'add' : 'mul');
        throw c.refuse(`${op === 'Sub' ? 'subtracts' : 'divides'} two activations: only Add and Mul join two`);
      }
      if (k === 1 && (op === 'Sub' || op === 'Div'))
        throw c.refuse(`computes constant ${op === 'Sub' ? '-' : '/'} activation: only activation ${op} constant`);
      const x = c.act(k);
      const t = c.constant(1 - k, 'operand');
      const v = c.perChannel(t, x);
      if (!v)
        throw c.refuse(`its constant has dims [${t.dims}]: only a scalar or one value per channel of [N, ${x.onnx}]`);
      if (op === 'Div' && v.some((d) => d === 0)) throw c.refuse('divides by 0');
      const ch = v.length;
      const mul = op === 'Mul' ? v : op === 'Div' ? v.map((d) => 1 / d) : new Float32Array(ch).fill(1);
      const add = op === 'Add' ? v : op === 'Sub' ? v.map((d) => -d) : new Float32Array(ch);
      const into = c.foldable(k);
      const bias = into ? c.weights[`${into}.bias`] : undefined;
      if (bias && (op === 'Add' || op === 'Sub') && !x.rowOrder && bias.length === ch) {
        for (let i = 0; i < ch; i++) bias[i] += add[i];
        c.note(`(bias of ${into})`);
        c.out(x);
        return;
      }
      // Ours holds a channels-last flatten's features in another order.
      const ours = (a: Float32Array) => (x.rowOrder ? Float32Array.from(x.rowOrder, (r) => a[r]) : a);
      const y = c.emit({ kind: 'batchnorm', eps: 0 }, x, {
        weight: ours(mul),
        bias: ours(add),
        running_mean: new Float32Array(ch),
        running_var: new Float32Array(ch).fill(1),
      });
      // The ONNX tensor keeps x's layout and row order: an elementwise op moves no data.
      c.out({ ...y, onnx: x.onnx, channelsLast: x.channelsLast, rowOrder: x.rowOrder });
    },
  };
}

/** Sum of activations (two or more): one add layer. */
const sum: OpEntry = {
  doc: 'of activations (add)',
  map(c, n) {
    if (n.inputs.some((_, k) => !c.isAct(k))) throw c.refuse('sums a constant: only activations');
    if (n.inputs.length === 1) {
      c.note('(identity: one input)');
      return c.out(c.act(0));
    }
    const xs = n.inputs.map((_, k) => c.act(k));
    const layout = c.joinLayout(xs);
    if (!layout) throw c.refuse('sums activations laid out differently: only all NCHW (or vectors) or all NHWC maps');
    c.out(c.laidOut(c.emit({ kind: 'add' }, xs), layout));
  },
};

export const linearOps: Record<string, OpEntry> = {
  Sum: sum,
  Gemm: gemm,
  MatMul: matMul,
  Add: affine('Add'),
  Sub: affine('Sub'),
  Mul: affine('Mul'),
  Div: affine('Div'),
};
