/**
 * ConvNeXt's ops (and any transformer-style head's): LayerNormalization over the channels (the layernorm layer) and
 * Gelu (the gelu layer), as opset 17 and 20 write them or as fuse.ts finds them written out of several nodes.
 */
import type { Act, MapCtx, OpEntry } from './context.js';

/** The axis holding x's channels in its ONNX tensor: 1 for NCHW maps and vectors, 3 for NHWC maps. */
function channelAxis(c: MapCtx, x: Act): number | undefined {
  if (x.shape.length === 1) return x.onnx.length === 1 ? 1 : undefined;
  const layout = c.joinLayout([x]);
  return layout === 'nhwc' ? 3 : layout === 'nchw' ? 1 : undefined;
}

/** A per-channel constant (input k) in our channel order, or `fill` for every channel when the input is absent. */
function perChannel(c: MapCtx, x: Act, k: number, what: string, fill: number): Float32Array {
  const ch = x.shape[0];
  if (!c.node.inputs[k]) return new Float32Array(ch).fill(fill);
  const t = c.constant(k, what);
  const v = c.perChannel(t, x);
  if (!v) throw c.refuse(`has a ${what} of dims [${t.dims}]: only one value, or one per channel of [N, ${x.onnx}]`);
  return x.rowOrder ? Float32Array.from(x.rowOrder, (r) => v[r]) : v;
}

const layerNormalization: OpEntry = {
  doc:
    'over the channels: the last axis of an NHWC map or a vector (opset 17), or written out as ReduceMean, Sub, ' +
    'Pow, ReduceMean, Add, Sqrt, Div (then Mul, Add by constants) over the channels of an NCHW or NHWC map or a ' +
    'vector (layernorm)',
  map(c, n) {
    const x = c.act(0);
    const rank = x.onnx.length + 1;
    const norm = (a: number) => (a < 0 ? a + rank : a);
    // The fused form names its reduced axes; the op normalises from `axis` to the last.
    const given = n.attrs.axes as number[] | undefined;
    const from = norm(c.num('axis', -1));
    const axes = given ? given.map(norm).sort() : Array.from({ length: rank - from }, (_, i) => from + i);
    const ch = channelAxis(c, x);
    if (ch === undefined || axes.join() !== `${ch}`)
      throw c.refuse(
        `normalises axes [${axes}] of [N, ${x.onnx}]: only over the channels (axis 1 of NCHW or of a vector, 3 of NHWC)`,
      );
    if (n.outputs.slice(1).some((o) => o && c.model.nodes.some((m) => m.inputs.includes(o))))
      throw c.refuse('uses its Mean or InvStdDev output');
    const weights = { weight: perChannel(c, x, 1, 'scale', 1), bias: perChannel(c, x, 2, 'bias', 0) };
    c.out(c.keep(x, c.emit({ kind: 'layernorm', eps: c.num('epsilon', 1e-5) }, x, weights)));
  },
};

const gelu: OpEntry = {
  doc: 'exact or tanh (opset 20, or written out with Erf: x * 0.5 * (1 + Erf(x / sqrt 2)), or with Tanh)',
  map(c) {
    const approximate = c.str('approximate', 'none');
    if (approximate !== 'none' && approximate !== 'tanh')
      throw c.refuse(`has approximate "${approximate}": only "none" and "tanh"`);
    const x = c.act(0);
    c.out(c.keep(x, c.emit({ kind: 'gelu', ...(approximate === 'tanh' && { approximate }) }, x)));
  },
};

export const normOps: Record<string, OpEntry> = { LayerNormalization: layerNormalization, Gelu: gelu };
