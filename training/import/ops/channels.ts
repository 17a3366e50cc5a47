/**
 * ONNX ops that move whole channels of an activation, each output channel a copy of one input channel (the
 * channels layer): Split and Slice along the channels (torch's x.chunk(2, dim=1) in ShuffleNetV2, x[:, a:b]),
 * and ShuffleNet's channel shuffle, x.view(N, g, C/g, H, W).transpose(1, 2).view(N, C, H, W): the Reshape to five
 * axes is a view (layout.ts), the Transpose of its two channel axes the permutation, the Reshape back a view again.
 */
import type { Act, MapCtx, OpEntry } from './context.js';

/** The channel axis of x's ONNX tensor (1 for NCHW maps and vectors, 3 for NHWC maps) from an op's axis. */
function channelAxis(c: MapCtx, x: Act, axis: number, what: string): 'nchw' | 'nhwc' {
  const layout = c.joinLayout([x]);
  const rank = x.onnx.length + 1;
  const a = axis < 0 ? axis + rank : axis;
  if (!layout || a !== (layout === 'nhwc' ? 3 : 1))
    throw c.refuse(
      `${what} [N, ${x.onnx}] along axis ${axis}: only along the channels (axis 1 of NCHW or of a vector, 3 of NHWC)`,
    );
  return layout;
}

/** Output k of the node: channels `pick` of x, laid out as x. */
function pickOut(c: MapCtx, x: Act, pick: number[], layout: 'nchw' | 'nhwc', k: number) {
  const y = c.emit({ kind: 'channels', pick }, x);
  c.out(c.laidOut(y, layout), k);
}
const run = (from: number, n: number, step = 1) => Array.from({ length: n }, (_, i) => from + i * step);

/** Split along the channels: sizes from the split attribute (before 13) or input, or num_outputs (18), else equal. */
const split: OpEntry = {
  doc: 'of activations along the channels (channels)',
  map(c, n) {
    const x = c.act(0);
    const layout = channelAxis(c, x, c.num('axis', 0), 'splits');
    const ch = x.shape[0];
    const parts = n.outputs.length;
    const given = c.model.opset < 13 ? c.ints('split', []) : n.inputs[1] ? (c.shapeVal(1) as number[]) : [];
    const sizes = given.length
      ? given
      : Array.from({ length: parts }, (_, i) => Math.min(Math.ceil(ch / parts), ch - i * Math.ceil(ch / parts)));
    if (sizes.length !== parts || sizes.reduce((a, v) => a + v, 0) !== ch || sizes.some((v) => !(v > 0)))
      throw c.refuse(`splits ${ch} channels into [${sizes}] for ${parts} outputs`);
    let from = 0;
    sizes.forEach((size, k) => {
      pickOut(c, x, run(from, size), layout, k);
      from += size;
    });
  },
};

/**
 * The indices a Slice takes along an axis of length n: negative starts and ends count from the end, then ONNX
 * clamps starts to [0, n] ([0, n-1] going backwards) and ends to [0, n] ([-1, n-1]).
 */
export function sliceRange(n: number, start: number, end: number, step: number): number[] {
  const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v < 0 ? v + n : v, lo), hi);
  const from = step > 0 ? clamp(start, 0, n) : clamp(start, 0, n - 1);
  const to = step > 0 ? clamp(end, 0, n) : clamp(end, -1, n - 1);
  return run(from, Math.max(0, Math.ceil((to - from) / step)), step);
}

/** Slice of an activation along the channels (any step); the other axes whole. */
export function sliceChannels(c: MapCtx, starts: number[], ends: number[], axes: number[], steps: number[]) {
  const x = c.act(0);
  if (axes.length !== 1) throw c.refuse(`slices axes [${axes}] of [N, ${x.onnx}]: only the channels`);
  const layout = channelAxis(c, x, axes[0], 'slices');
  const step = steps[0] ?? 1;
  if (step === 0) throw c.refuse('slices with step 0');
  const pick = sliceRange(x.shape[0], starts[0], ends[0], step);
  if (!pick.length) throw c.refuse(`slices no channel of [N, ${x.onnx}]`);
  pickOut(c, x, pick, layout, 0);
}

/** The channel shuffle's Transpose: [N, g, C/g, H, W] with perm [0,2,1,3,4], after a Reshape of an NCHW map. */
export function shuffle(c: MapCtx, x: Act, perm: string): boolean {
  const [g, per, h, w] = x.onnx;
  if (perm !== '0,2,1,3,4' || x.onnx.length !== 4 || x.shape.join() !== [g * per, h, w].join()) return false;
  // Output channel j * g + i is input channel i * per + j.
  const pick = Array.from({ length: g * per }, (_, o) => (o % g) * per + Math.floor(o / g));
  const y = c.emit({ kind: 'channels', pick }, x);
  c.out({ ...y, onnx: [per, g, h, w] });
  return true;
}

/**
 * Gather of an activation along the channels by constant indices: a scalar index picks one channel and drops the
 * axis (torch's x[:, 0], as torchvision's Inception-v3 transform_input reads each colour), a vector of them picks
 * those channels, the axis kept.
 */
export function gatherChannels(c: MapCtx, axis: number) {
  const x = c.act(0);
  const layout = channelAxis(c, x, axis, 'gathers');
  const t = c.constant(1, 'indices');
  const ch = x.shape[0];
  const pick = [...t.values].map((v) => (v < 0 ? v + ch : v));
  if (t.dims.length > 1 || pick.some((v) => !(Number.isInteger(v) && v >= 0 && v < ch)))
    throw c.refuse(
      `gathers indices [${[...t.values]}] (dims [${t.dims}]) of ${ch} channels: only one index or a list of them`,
    );
  if (t.dims.length === 1) return pickOut(c, x, pick, layout, 0);
  if (x.shape.length !== 3) throw c.refuse(`gathers one feature of a vector of ${ch}: only one channel of a map`);
  // One channel of a map: [N, H, W], the same numbers in either layout.
  const y = c.emit({ kind: 'channels', pick }, x);
  c.out({ ...y, onnx: y.shape.slice(1) });
}

export const channelOps: Record<string, OpEntry> = { Split: split };
