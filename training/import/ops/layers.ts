/**
 * ONNX ops that become one of our layers: convolutions, pools, activations, batch normalization.
 */
import type { MapCtx, OpEntry } from './context.js';

type Pads = [number, number, number, number];

/**
 * A conv's or pool's padding as [top, left, bottom, right] (ONNX's pads order) from its pads or auto_pad: SAME
 * gives an output of ceil(n / s), the odd pad at the end (SAME_UPPER) or the start (SAME_LOWER).
 */
function padsOf(c: MapCtx, h: number, w: number, k: number, s: number): Pads {
  const autoPad = c.str('auto_pad', 'NOTSET');
  if (autoPad === 'VALID') return [0, 0, 0, 0];
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    const split = (n: number): [number, number] => {
      const total = Math.max((Math.ceil(n / s) - 1) * s + k - n, 0);
      const begin = autoPad === 'SAME_UPPER' ? Math.floor(total / 2) : Math.ceil(total / 2);
      return [begin, total - begin];
    };
    const [pt, pb] = split(h),
      [pl, pr] = split(w);
    return [pt, pl, pb, pr];
  }
  if (autoPad !== 'NOTSET')
    throw c.refuse(`has auto_pad ${autoPad}: NOTSET, VALID, SAME_UPPER and SAME_LOWER are supported`);
  const pads = c.ints('pads', [0, 0, 0, 0]);
  if (pads.length !== 4 || pads.some((v) => !(Number.isInteger(v) && v >= 0)))
    throw c.refuse(`has pads [${pads}]: only 4 non-negative pads [top, left, bottom, right] are supported`);
  return pads as Pads;
}

const conv: OpEntry = {
  doc: 'group 1, square kernel, equal strides, no dilation; any pads or auto_pad',
  map(c) {
    const x = c.act(0);
    const [ch, h, wd] = c.needMap(x);
    const w = c.constant(1, 'weight');
    const [f, cin, kh, kw] = w.dims;
    const strides = c.ints('strides', [1, 1]);
    const group = c.num('group', 1);
    if (group !== 1) throw c.refuse(`has group ${group}: only group 1 convolutions are supported`);
    if (c.ints('dilations', [1, 1]).some((d) => d !== 1)) throw c.refuse('has dilations: only 1 is supported');
    if (cin !== ch) throw c.refuse(`takes ${cin} channels, the chain has ${ch}`);
    if (kh !== kw || strides[0] !== strides[1])
      throw c.refuse(`has kernel ${kh}x${kw}, strides [${strides}]: only square kernels and equal strides`);
    const pad = padsOf(c, h, wd, kh, strides[0]);
    // The same padding on every side stays a number (the form our own models use); uneven goes per side.
    const padding = pad.every((v) => v === pad[0]) ? pad[0] : pad;
    const bias = c.node.inputs[2] ? c.floats(2, 'bias') : new Float32Array(f);
    c.out(
      c.emit({ kind: 'conv2d', filters: f, kernel: kh, stride: strides[0], padding }, x, {
        weight: Float32Array.from(w.values),
        bias,
      }),
    );
  },
};

function pool(kind: 'maxpool' | 'avgpool'): OpEntry {
  return {
    doc: 'square windows, stride = kernel, no padding',
    map(c, n) {
      const x = c.act(0);
      const [, h, w] = c.needMap(x);
      const k = c.ints('kernel_shape', []);
      const s = c.ints('strides', k);
      const pads = padsOf(c, h, w, k[0] ?? 1, s[0] ?? 1);
      const ceil = c.num('ceil_mode', 0);
      if (n.outputs[1]) throw c.refuse('uses its Indices output');
      if (
        k.length !== 2 ||
        k[0] !== k[1] ||
        s[0] !== k[0] ||
        s[1] !== k[0] ||
        pads.some((v) => v) ||
        (ceil && (h % k[0] || w % k[0])) ||
        c.ints('dilations', [1, 1]).some((d) => d !== 1)
      )
        throw c.refuse(
          `has kernel [${k}], strides [${s}], pads [${pads}]${ceil ? ', ceil_mode' : ''}: only square windows with stride == kernel and no padding are supported`,
        );
      c.out(c.emit({ kind, kernel: k[0] }, x));
    },
  };
}

const globalAveragePool: OpEntry = {
  map(c) {
    const x = c.act(0);
    c.needMap(x);
    c.out(c.emit({ kind: 'avgpool', global: true }, x));
  },
};

const elementwise = (kind: 'relu' | 'sigmoid' | 'tanh'): OpEntry => ({
  map: (c) => c.out(c.emit({ kind }, c.act(0))),
});

const leakyRelu: OpEntry = {
  map: (c) => c.out(c.emit({ kind: 'leakyrelu', alpha: c.num('alpha', 0.01) }, c.act(0))),
};

/** Clip with min 0 and no max is a ReLU; min/max are attributes before opset 11, optional inputs from it. */
const clip: OpEntry = {
  doc: 'min 0, no max: a ReLU',
  map(c, n) {
    const x = c.act(0);
    const bound = (k: number, attr: string, dflt: number) => {
      if (c.model.opset < 11) return c.num(attr, dflt);
      if (!n.inputs[k]) return dflt;
      return c.constant(k, attr).values[0];
    };
    const lo = bound(1, 'min', -Infinity),
      hi = bound(2, 'max', Infinity);
    if (lo !== 0 || hi < 3.4e38)
      throw c.refuse(
        `clips to [${lo}, ${hi}]: only min 0 with no max (a ReLU) is supported; other bounds (ReLU6) need the clip layer`,
      );
    c.out(c.emit({ kind: 'relu' }, x));
  },
};

const batchNormalization: OpEntry = {
  doc: 'inference form',
  map(c) {
    const x = c.act(0);
    if (x.shape.length === 3) c.needMap(x);
    if (x.rowOrder) throw c.refuse('normalises a channels-last flatten before its dense layer');
    const [g, b, mean, v] = [1, 2, 3, 4].map((k) => c.floats(k, 'statistic'));
    c.out(
      c.emit({ kind: 'batchnorm', eps: c.num('epsilon', 1e-5) }, x, {
        weight: g,
        bias: b,
        running_mean: mean,
        running_var: v,
      }),
    );
  },
};

export const layerOps: Record<string, OpEntry> = {
  Conv: conv,
  MaxPool: pool('maxpool'),
  AveragePool: pool('avgpool'),
  GlobalAveragePool: globalAveragePool,
  Relu: elementwise('relu'),
  LeakyRelu: leakyRelu,
  Sigmoid: elementwise('sigmoid'),
  Tanh: elementwise('tanh'),
  Clip: clip,
  BatchNormalization: batchNormalization,
};
