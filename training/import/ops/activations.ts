/**
 * ONNX activations, each an elementwise layer whose output keeps its input's layout (channels-last, a view).
 */
import type { LayerSpec } from '../../layers/registry.js';
import type { MapCtx, OpEntry } from './context.js';

/** An elementwise layer on x, its output laid out as x (channels-last or a view stays so). */
const unary = (c: MapCtx, spec: LayerSpec, k = 0) => {
  const x = c.act(k);
  c.out(c.keep(x, c.emit(spec, x)));
};

const elementwise = (kind: 'relu' | 'sigmoid' | 'tanh' | 'hardswish' | 'softplus'): OpEntry => ({
  map: (c) => unary(c, { kind }),
});

const elu: OpEntry = { map: (c) => unary(c, { kind: 'elu', alpha: c.num('alpha', 1) }) };

/** Selu with its alpha and gamma (ONNX's float32 defaults when absent: the layer's own). */
const selu: OpEntry = {
  map(c, n) {
    const given = ['alpha', 'gamma'].filter((a) => n.attrs[a] !== undefined);
    unary(c, { kind: 'selu', ...Object.fromEntries(given.map((a) => [a, c.num(a, 0)])) });
  },
};

/** Mish (opset 18): x * tanh(softplus(x)), as exporters before it write it: softplus, tanh and mul layers. */
const mish: OpEntry = {
  doc: 'as softplus, tanh and mul',
  map(c) {
    const x = c.act(0);
    const t = c.keep(x, c.emit({ kind: 'tanh' }, c.keep(x, c.emit({ kind: 'softplus' }, x))));
    const layout = c.joinLayout([x, t]);
    if (!layout) throw c.refuse(`runs on a [N, ${x.onnx}] view: only on NCHW or NHWC maps and vectors`);
    c.out(c.laidOut(c.emit({ kind: 'mul' }, [x, t]), layout));
  },
};

/** PRelu with one slope for every channel (a leaky ReLU), or one per channel (the prelu layer). */
const pRelu: OpEntry = {
  doc: 'one slope, or one per channel',
  map(c) {
    const x = c.act(0);
    const t = c.constant(1, 'slope');
    const slope = t.values;
    if (slope.every((v) => v === slope[0])) return c.out(c.keep(x, c.emit({ kind: 'leakyrelu', alpha: slope[0] }, x)));
    const perChannel = c.perChannel(t, x);
    if (!perChannel || x.rowOrder)
      throw c.refuse(
        `has slopes of dims [${t.dims}] for [N, ${x.onnx}]: only one slope, or one per channel (Keras PReLU with shared_axes=[1, 2])`,
      );
    c.out(c.keep(x, c.emit({ kind: 'prelu' }, x, { slope: perChannel })));
  },
};

const leakyRelu: OpEntry = {
  map: (c) => unary(c, { kind: 'leakyrelu', alpha: c.num('alpha', 0.01) }),
};

/** Clip: min 0 and no max is a ReLU, other bounds (ReLU6) the clip layer; attributes before opset 11, inputs from it. */
const clip: OpEntry = {
  doc: 'constant bounds (min 0, no max: relu)',
  map(c, n) {
    const x = c.act(0);
    const bound = (k: number, attr: string, dflt: number) => {
      if (c.model.opset < 11) return c.num(attr, dflt);
      if (!n.inputs[k]) return dflt;
      return c.constant(k, attr).values[0];
    };
    const lo = bound(1, 'min', -Infinity),
      hi = bound(2, 'max', Infinity);
    const open = (v: number) => !Number.isFinite(v) || Math.abs(v) >= 3.4e38;
    if (lo === 0 && open(hi)) return unary(c, { kind: 'relu' });
    if (open(lo) && open(hi)) {
      c.note('(identity: no bounds)');
      return c.out(x);
    }
    unary(c, { kind: 'clip', ...(!open(lo) && { min: lo }), ...(!open(hi) && { max: hi }) });
  },
};

/**
 * Max or Min of an activation and one constant number, as caffe2, paddle2onnx and hand-written graphs spell a
 * rectifier: Max(x, 0) is a ReLU, Max(x, a) and Min(x, b) a clip (Min(Max(x, 0), 6): a ReLU, then a clip at 6).
 */
const bound = (op: 'Max' | 'Min'): OpEntry => ({
  doc: 'of an activation and one constant number (relu, clip)',
  map(c, n) {
    const k = n.inputs.findIndex((_, i) => c.isAct(i));
    const t = n.inputs.length === 2 && k >= 0 ? c.maybeConst(1 - k) : undefined;
    if (!t || t.values.length !== 1) {
      const what = (i: number) =>
        c.isAct(i) ? 'an activation' : `a constant of dims [${c.maybeConst(i)?.dims ?? '?'}]`;
      throw c.refuse(
        `takes the ${op === 'Max' ? 'maximum' : 'minimum'} of ${n.inputs.map((_, i) => what(i)).join(' and ')}: only of one activation and one constant number`,
      );
    }
    const v = t.values[0];
    if (op === 'Max' && v === 0) return unary(c, { kind: 'relu' }, k);
    unary(c, { kind: 'clip', ...(op === 'Max' ? { min: v } : { max: v }) }, k);
  },
});

/** HardSigmoid: max(0, min(1, alpha x + beta)). */
const hardSigmoid: OpEntry = {
  map: (c) => unary(c, { kind: 'hardsigmoid', alpha: c.num('alpha', 0.2), beta: c.num('beta', 0.5) }),
};

export const activationOps: Record<string, OpEntry> = {
  PRelu: pRelu,
  Relu: elementwise('relu'),
  LeakyRelu: leakyRelu,
  Sigmoid: elementwise('sigmoid'),
  Tanh: elementwise('tanh'),
  Clip: clip,
  HardSigmoid: hardSigmoid,
  HardSwish: elementwise('hardswish'),
  Elu: elu,
  Selu: selu,
  Softplus: elementwise('softplus'),
  Mish: mish,
  Max: bound('Max'),
  Min: bound('Min'),
};
