/**
 * ONNX ops that become one of our layers: pools, LRN, batch normalization (convolutions: conv.ts; activations:
 * activations.ts).
 */
import type { MapCtx, OpEntry } from './context.js';
import { padsOf, readPadded } from './conv.js';

/** A map no value of which is negative: the output of a ReLU, or of a clip with a bound min >= 0 (ReLU6). */
function nonNegative(c: MapCtx, layer: string): boolean {
  const spec = c.layers.find((l) => l.name === layer);
  return spec?.kind === 'relu' || (spec?.kind === 'clip' && (spec.min ?? -Infinity) >= 0);
}

function pool(kind: 'maxpool' | 'avgpool'): OpEntry {
  return {
    doc:
      'square windows, equal strides, any pads or auto_pad, ceil_mode; non-square windows that tile the map (rectpool)' +
      (kind === 'avgpool'
        ? ' (partial windows: count_include_pad 0, or no pads), count_include_pad'
        : ', a zero Pad before it on a ReLU output') +
      '; a non-square window over the whole map (global)',
    map(c, n) {
      // A zero Pad before a max pool of a non-negative map (Keras ZeroPadding2D after a ReLU) is its padding:
      // every window holds an input cell (pads < kernel), and zeros never exceed its maximum.
      const { x, extra } = readPadded(c);
      if (extra.some((v) => v) && !(kind === 'maxpool' && nonNegative(c, x.layer)))
        throw c.refuse('reads a zero Pad: only a MaxPool of a ReLU (or ReLU6) output may, as its padding');
      const [, h, w] = c.needMap(x);
      const k = c.ints('kernel_shape', []);
      const s = c.ints('strides', [1, 1]);
      if (n.outputs[1] && c.model.nodes.some((m) => m.inputs.includes(n.outputs[1])))
        throw c.refuse('uses its Indices output');
      // A non-square window over the whole unpadded map (torch's F.avg_pool2d(x, x.size()[2:]) on a non-square
      // input): a global pool. A square one stays the windowed pool it is.
      const unpadded = ['NOTSET', 'VALID'].includes(c.str('auto_pad', 'NOTSET')) && c.ints('pads', []).every((v) => !v);
      const undilated = c.ints('dilations', [1, 1]).every((d) => d === 1);
      if (h !== w && k.join() === `${h},${w}` && unpadded && undilated && !extra.some((v) => v))
        return c.out(c.emit({ kind, global: true }, x));
      // Non-square windows that tile the map (strides = kernel, no pads, floor): the rectpool layer.
      const tiling = k.length === 2 && s.join() === k.join() && unpadded && undilated && !c.num('ceil_mode', 0);
      if (k.length === 2 && k[0] !== k[1] && tiling && !extra.some((v) => v))
        return c.out(c.emit({ kind: 'rectpool', op: kind === 'maxpool' ? 'max' : 'avg', kernel: [k[0], k[1]] }, x));
      if (k.length !== 2 || k[0] !== k[1] || s.length !== 2 || s[0] !== s[1])
        throw c.refuse(
          `has kernel [${k}], strides [${s}]: only square windows with equal strides, or non-square windows that tile the map (strides = kernel, no pads, floor)`,
        );
      const dil = c.ints('dilations', [1, 1]);
      if (dil.some((d) => d !== 1)) throw c.refuse(`has dilations [${dil}]: only 1 (no dilation) is supported`);
      const pads = padsOf(c, h, w, [k[0], k[0]], [s[0], s[0]]).map((v, i) => v + extra[i]) as typeof extra;
      const ceil = c.num('ceil_mode', 0) === 1;
      const spec = {
        kernel: k[0],
        stride: s[0],
        ...(pads.some((v) => v) && { padding: pads.every((v) => v === pads[0]) ? pads[0] : pads }),
        ...(ceil && { ceil: true }),
        ...(kind === 'avgpool' && c.num('count_include_pad', 0) === 1 && { countIncludePad: true }),
      };
      if (kind === 'avgpool' && ceil) {
        // Our avgpool has no ceil mode. A partial last window averages the input cells it holds (onnxruntime, as
        // torch): the floor-mode pool over the map padded at the end by the overhang, padding not counted.
        const overhang = (n: number, begin: number, end: number) => {
          const o = Math.ceil((n + begin + end - k[0]) / s[0]) + 1;
          return (o - 1) * s[0] + k[0] - (n + begin + end);
        };
        const [eh, ew] = [overhang(h, pads[0], pads[2]), overhang(w, pads[1], pads[3])];
        delete (spec as { ceil?: boolean }).ceil;
        if (eh || ew) {
          if (spec.countIncludePad && pads.some((v) => v))
            throw c.refuse(
              'has ceil_mode with a partial last window and count_include_pad over pads: only without pads, or with count_include_pad 0',
            );
          delete (spec as { countIncludePad?: boolean }).countIncludePad;
          (spec as { padding?: number[] }).padding = [pads[0], pads[1], pads[2] + eh, pads[3] + ew];
        }
      }
      c.out(c.emit({ kind, ...spec }, x));
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

const globalMaxPool: OpEntry = {
  map(c) {
    const x = c.act(0);
    c.needMap(x);
    c.out(c.emit({ kind: 'maxpool', global: true }, x));
  },
};

/**
 * ReduceMean or ReduceMax over the height and width (tf2onnx's GlobalAveragePooling2D and GlobalMaxPooling2D, on
 * NCHW axes [2,3] or NHWC [1,2]): a global pool, then a flatten unless keepdims. Axes are an attribute before
 * opset 18, an input from it.
 */
function reduce(kind: 'avgpool' | 'maxpool'): OpEntry {
  const verb = kind === 'avgpool' ? 'averages' : 'takes the maximum of';
  return {
    doc: `over height and width (a global ${kind === 'avgpool' ? 'average' : 'max'} pool)`,
    map(c, n) {
      const x = c.act(0);
      if (x.shape.length !== 3 || x.onnx.length !== 3 || x.rowOrder)
        throw c.refuse(`${verb} [N, ${x.onnx}]: only over the height and width of a feature map`);
      const raw = c.model.opset < 18 ? c.ints('axes', []) : n.inputs[1] ? (c.shapeVal(1) as number[]) : [];
      const axes = raw
        .map((a) => (a < 0 ? a + 4 : a))
        .sort()
        .join();
      const spatial = x.channelsLast ? '1,2' : '2,3';
      if (axes !== spatial)
        throw c.refuse(
          `${verb} axes [${raw}] of [N, ${x.onnx}]: only the height and width (axes ${spatial} of this ${x.channelsLast ? 'NHWC' : 'NCHW'} tensor)`,
        );
      const y = c.emit({ kind, global: true }, x);
      const [ch] = x.shape;
      if (c.num('keepdims', 1))
        return c.out({ ...y, onnx: x.channelsLast ? [1, 1, ch] : [ch, 1, 1], channelsLast: x.channelsLast });
      c.out(c.flatten(y));
    },
  };
}

/** The 8 pads [begins, ends] of a rank-4 tensor from pads given for `axes` only (negative axes from the end). */
function onAxes(c: MapCtx, pads: number[], axes: number[]): number[] {
  const at = axes.map((a) => (a < 0 ? a + 4 : a));
  if (pads.length !== 2 * axes.length || at.some((a) => !(a >= 0 && a < 4)) || new Set(at).size !== at.length)
    throw c.refuse(`has pads [${pads}] for axes [${axes}]: two pads for each of distinct axes of an [N,C,H,W] tensor`);
  const full = new Array<number>(8).fill(0);
  at.forEach((a, i) => {
    full[a] = pads[i];
    full[a + 4] = pads[i + at.length];
  });
  return full;
}

/**
 * Pad: zero padding of the spatial axes of a feature map, NCHW or NHWC (tf2onnx's ZeroPadding2D before the
 * Transpose to NCHW), folded into the Conv (or pool) that reads it.
 */
const pad: OpEntry = {
  doc: 'constant 0 on height and width of an NCHW map, or of an NHWC one before its Transpose, before a Conv; pads for every axis or for an axes input',
  map(c, n) {
    const x = c.act(0);
    const layout = x.shape.length === 3 ? c.joinLayout([x]) : undefined;
    if (!layout) c.needMap(x);
    const [ch, h, w] = x.shape;
    const mode = c.str('mode', 'constant');
    const given = c.model.opset < 11 ? c.ints('pads', []) : [...c.constant(1, 'pads').values];
    const value = c.model.opset < 11 ? c.num('value', 0) : n.inputs[2] ? c.constant(2, 'constant_value').values[0] : 0;
    // From opset 18 an axes input names the padded axes (torch writes [2, 3] or [-2, -1]): pads holds their
    // begins then their ends, every other axis unpadded.
    const pads = n.inputs[3] ? onAxes(c, given, [...c.constant(3, 'axes').values]) : given;
    // The height and width: axes 2, 3 of NCHW, 1, 2 of NHWC; the batch and the channels unpadded.
    const [ah, aw] = layout === 'nhwc' ? [1, 2] : [2, 3];
    const spatial = (a: number) => a === ah || a === aw;
    if (
      mode !== 'constant' ||
      value !== 0 ||
      pads.length !== 8 ||
      pads.some((v) => !(Number.isInteger(v) && v >= 0)) ||
      pads.some((v, i) => v && !spatial(i % 4))
    )
      throw c.refuse(
        `pads [${pads}]${n.inputs[3] ? ` (pads [${given}] on axes [${[...c.constant(3, 'axes').values]}])` : ''} (mode ${mode}, value ${value}): only zeros around the height and width of an [N,C,H,W] or [N,H,W,C] map`,
      );
    const [t, l, b, r] = [pads[ah], pads[aw], pads[ah + 4], pads[aw + 4]];
    c.note('(zero padding: folded into the Conv that reads it)');
    const [ph, pw] = [h + t + b, w + l + r];
    c.out({ ...x, onnx: layout === 'nhwc' ? [ph, pw, ch] : [ch, ph, pw], pad: [t, l, b, r] });
  },
};

/**
 * LRN across the channels of an NCHW map (AlexNet, CaffeNet, GoogLeNet in the ONNX model zoo): the lrn layer,
 * odd sizes (onnxruntime runs no other).
 */
const lrnOp: OpEntry = {
  doc: 'across the channels of an NCHW map, odd size',
  map(c) {
    const x = c.act(0);
    c.needMap(x);
    const spec = {
      kind: 'lrn' as const,
      size: c.num('size', 0),
      alpha: c.num('alpha', 1e-4),
      beta: c.num('beta', 0.75),
      bias: c.num('bias', 1),
    };
    c.out(c.emit(spec, x));
  },
};

/**
 * BatchNormalization at inference: one statistic per channel (opsets 7-8's spatial 1, or spatial 0 given per-channel
 * statistics, which onnxruntime runs the same), no training mode.
 */
const batchNormalization: OpEntry = {
  doc: 'inference form, per channel',
  map(c, n) {
    const x = c.act(0);
    if (x.shape.length === 3) c.needMap(x);
    if (x.rowOrder) throw c.refuse('normalises a channels-last flatten before its dense layer');
    // Opset 6 and before say is_test 1 for the inference form (opset 7 dropped it; 14 added training_mode).
    const training = c.num('training_mode', 0) !== 0 || (c.model.opset < 7 && c.num('is_test', 0) !== 1);
    if (training || n.outputs.slice(1).some((o) => o))
      throw c.refuse(
        'runs in training mode (is_test 0, training_mode 1, or outputs its statistics): only the inference form',
      );
    const [g, b, mean, v] = [1, 2, 3, 4].map((k) => c.floats(k, 'statistic'));
    const ch = x.shape[0];
    if ([g, b, mean, v].some((t) => t.length !== ch))
      throw c.refuse(
        `has statistics of ${[g, b, mean, v].map((t) => t.length)} values for ${ch} channels${c.num('spatial', 1) ? '' : ' (spatial 0)'}: only one per channel`,
      );
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
  MaxPool: pool('maxpool'),
  AveragePool: pool('avgpool'),
  GlobalAveragePool: globalAveragePool,
  GlobalMaxPool: globalMaxPool,
  ReduceMean: reduce('avgpool'),
  ReduceMax: reduce('maxpool'),
  Pad: pad,
  LRN: lrnOp,
  BatchNormalization: batchNormalization,
};
