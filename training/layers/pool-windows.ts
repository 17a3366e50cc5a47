/**
 * Pooling windows shared by maxpool and avgpool: k x k windows s apart over a map padded by [top, left, bottom,
 * right], output side floor((n + p_begin + p_end - k) / s) + 1 (ceil in ceil mode), as ONNX MaxPool/AveragePool.
 * Backward where the windows do not simply tile the map (overlap, padding, ceil mode): each window's gradient,
 * one column per tap [N*C, taps, Ho, Wo], goes back to the taps it came from by one ConvTranspose (col2im: the
 * kernel routes column t to tap t and sums where windows overlap), cropped by the start padding to X's size.
 */
import type { GraphBuilder } from '../graph/builder.js';

export interface PoolWindowSpec {
  kernel?: number;
  stride?: number;
  /** Padding: the same on every side, or per side [top, left, bottom, right] (ONNX's pads order). */
  padding?: number | [number, number, number, number];
}

export interface PoolGeometry {
  k: number;
  s: number;
  pads: [number, number, number, number];
  ceil: boolean;
  out: [number, number];
}

/** Validates the window against a [C,H,W] input and returns its geometry; throws naming the layer kind. */
export function poolGeometry(kind: string, spec: PoolWindowSpec, inShape: number[], ceil = false): PoolGeometry {
  const k = spec.kernel ?? 2,
    s = spec.stride ?? k,
    p = spec.padding ?? 0,
    pads: [number, number, number, number] = Array.isArray(p) ? [p[0], p[1], p[2], p[3]] : [p, p, p, p];
  const [c, h, w] = inShape;
  if (w === undefined) throw new Error(`${kind} needs a [C,H,W] input, got [${[c, h].filter((v) => v !== undefined)}]`);
  if (Array.isArray(p) && p.length !== 4)
    throw new Error(`${kind} padding per side needs [top, left, bottom, right], got [${p}]`);
  // A pad of k or more would let a window hold padding only (no maximum; an average over nothing).
  if (!(
    Number.isInteger(k) &&
    k >= 1 &&
    Number.isInteger(s) &&
    s >= 1 &&
    pads.every((v) => Number.isInteger(v) && v >= 0 && v < k)
  ))
    throw new Error(
      `${kind} needs an integer kernel >= 1, stride >= 1 and padding 0 .. kernel-1; got ${JSON.stringify(spec)}`,
    );
  const side = (n: number, begin: number, end: number) => {
    const room = n + begin + end - k;
    if (room < 0) throw new Error(`${kind} kernel ${k} (padding [${pads}]) does not fit a ${h}x${w} input`);
    const o = (ceil ? Math.ceil(room / s) : Math.floor(room / s)) + 1;
    // ONNX opset 17 and PyTorch disagree on a ceil-mode window that starts in the end padding; allow none.
    if ((o - 1) * s >= n + begin)
      throw new Error(
        `${kind} ceil mode: the last window would start past the input (${n} + padding ${begin}); pad less`,
      );
    return o;
  };
  return { k, s, pads, ceil, out: [side(h, pads[0], pads[2]), side(w, pads[1], pads[3])] };
}

/** Non-overlapping windows over the map from its corner (stride == kernel, no padding, floor): the simple forms. */
export const tiles = (g: PoolGeometry) => g.s === g.k && g.pads.every((p) => p === 0) && !g.ceil;

/** ONNX pooling attributes; ceil_mode only when set. */
export function poolAttrs(g: PoolGeometry) {
  return { kernel_shape: [g.k, g.k], strides: [g.s, g.s], pads: g.pads, ...(g.ceil && { ceil_mode: 1 }) };
}

/** [N, C, h, w] as [N*C, 1, h, w]: every map pooled alike, so taps become channels. */
export const perMap = (b: GraphBuilder, v: string) => b.o('Reshape', [v, b.ints([-1, 1, 0, 0])]);

/** The spatial size [h, w] of a [N, C, h, w] value, as an int64 tensor (static or symbolic). */
export const spatial = (b: GraphBuilder, v: string) => b.o('Slice', [b.o('Shape', [v]), b.ints([2]), b.ints([4])]);

/** A constant float tensor. */
export function floats(b: GraphBuilder, dims: number[], data: Float32Array): string {
  return b.o('Constant', [], { value: { name: 'value', dataType: 1, dims, data } });
}

/**
 * col2im: sums columns [N*C, T, Ho, Wo] back onto X's grid through `kernel` [T, 1, k, k] (tap t's weights), then
 * reshapes to X's [N, C, H, W]. Rows the windows never reached (floor dropped them) get zero.
 */
export function scatterWindows(
  b: GraphBuilder,
  cols: string,
  kernel: string,
  g: PoolGeometry,
  x: string,
  stem: string,
) {
  const full = b.o('ConvTranspose', [cols, kernel], { kernel_shape: [g.k, g.k], strides: [g.s, g.s] }); // padded grid
  const start = b.ints([g.pads[0], g.pads[1]]);
  const cropped = b.o('Slice', [full, start, b.add(start, spatial(b, x)), b.ints([2, 3])]);
  return b.reshapeLike(b.padSpatialTo(cropped, x), x, stem);
}

/**
 * Backward of a max over windows that tile the map (stride = kernel, no padding) with no indices: dY shared
 * among each window's maxima (ties split evenly), through a mask of the elements equal to their window's maximum.
 * `up` enlarges a pooled map back to window size (nearest); not `exact` (the map's sides are not multiples of the
 * kernel), the mask is taken over the covered part and the caller pads the result back to X's size.
 */
export function tiledMaxDx(b: GraphBuilder, { x, y, dy, kernel: [kh, kw], exact, up, name }: TiledMaxDx): string {
  const yUp = up(y);
  const covered = exact
    ? x
    : b.o('Slice', [x, b.ints([0, 0]), b.o('Slice', [b.o('Shape', [yUp]), b.ints([2]), b.ints([4])]), b.ints([2, 3])]);
  const mask = b.o('Cast', [b.o('Equal', [covered, yUp])], { to: 1 });
  const count = b.mul(b.o('AveragePool', [mask], { kernel_shape: [kh, kw], strides: [kh, kw] }), b.float(kh * kw));
  return b.mul(mask, up(b.div(dy, count)), name);
}

interface TiledMaxDx {
  x: string;
  y: string;
  dy: string;
  kernel: [number, number];
  exact: boolean;
  up: (v: string) => string;
  name?: string;
}
