/**
 * conv2d's window geometry per axis: kernel k, stride s and dilation d as [height, width] (a number is both: the
 * square form our own models use), the span of a dilated kernel, e = d(k-1) + 1 input cells, and the zero padding
 * per side [top, left, bottom, right].
 */

/** One number for both axes, or [height, width] (Inception's 1x7 and 7x1, Keras Conv2D((1, 3)), strides (2, 1)). */
export type Pair = number | [number, number];

export interface ConvWindow {
  kernel: Pair;
  stride?: Pair;
  dilation?: Pair;
  padding?: number | 'same' | 'valid' | [number, number, number, number];
}

export interface ConvGeometry {
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  dh: number;
  dw: number;
  /** Spans of the dilated kernel: d(k-1) + 1. */
  eh: number;
  ew: number;
  dilated: boolean;
  pads: [number, number, number, number];
}

export const pair = (v: Pair | undefined, dflt: number): [number, number] =>
  v === undefined ? [dflt, dflt] : Array.isArray(v) ? [v[0], v[1]] : [v, v];

/** The dilated kernel's spans [eh, ew]. */
function spans(spec: ConvWindow): [number, number] {
  const [kh, kw] = pair(spec.kernel, 1),
    [dh, dw] = pair(spec.dilation, 1);
  return [dh * (kh - 1) + 1, dw * (kw - 1) + 1];
}

export function convGeometry(spec: ConvWindow): ConvGeometry {
  const [kh, kw] = pair(spec.kernel, 1),
    [sh, sw] = pair(spec.stride, 1),
    [dh, dw] = pair(spec.dilation, 1),
    [eh, ew] = spans(spec);
  return { kh, kw, sh, sw, dh, dw, eh, ew, dilated: dh !== 1 || dw !== 1, pads: convPads(spec) };
}

/** Per-side padding [top, left, bottom, right]; 'same' needs odd spans (the dilated kernel's). */
export function convPads(spec: ConvWindow): [number, number, number, number] {
  const p = spec.padding ?? 0;
  if (Array.isArray(p)) {
    if (p.length !== 4) throw new Error(`conv2d padding per side needs [top, left, bottom, right], got [${p}]`);
    return [p[0], p[1], p[2], p[3]];
  }
  if (p === 'valid') return [0, 0, 0, 0];
  if (p === 'same') {
    const [eh, ew] = spans(spec);
    if (eh % 2 === 0 || ew % 2 === 0)
      throw new Error(`conv2d padding "same" needs an odd kernel, got ${JSON.stringify(spec.kernel)}`);
    const [h, w] = [(eh - 1) / 2, (ew - 1) / 2];
    return [h, w, h, w];
  }
  return [p, p, p, p];
}

/**
 * Output side: floor((n_in + p_begin + p_end - n_rs) / n_s) + 1 (p_begin = p_end = p: the lecture's 2p; n_rs the
 * kernel's span); with no padding this is the lecture's ceil((n_in - n_rs + 1) / n_s).
 */
export function convOutSide(nIn: number, k: number, s: number, pBegin: number, pEnd = pBegin): number {
  return Math.floor((nIn + pBegin + pEnd - k) / s) + 1;
}
