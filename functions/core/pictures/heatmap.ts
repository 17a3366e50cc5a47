/**
 * Pictures of maps: a saliency map in colour (clipped at a percentile, so a few extreme pixels do not leave the
 * rest dark), the same map laid over the dimmed input, and a colour scale beside them.
 * A signed map is drawn with a diverging colour map centred on 0 (blue below, red above); others as |map| in viridis.
 */
import type { Runs } from '../cost.js';
import { resize } from '../image/ops.js';
import { BLUE_WHITE_RED_LUT, level, VIRIDIS_LUT } from './colour.js';
import { enlarge, enlargement, encodePng } from './png.js';

/** The value of |map| at percentile p (0-100; 100 is the maximum), by nearest rank. */
export function percentile(map: ArrayLike<number>, p: number): number {
  const a = new Float32Array(map.length);
  for (let i = 0; i < a.length; i++) a[i] = Math.abs(map[i]);
  if (!a.length) return 0;
  return select(a, Math.min(a.length - 1, Math.max(0, Math.ceil((p / 100) * a.length) - 1)));
}

/** The k-th smallest value of a (reordering it): Hoare's quickselect, median-of-three pivots, no full sort. */
function select(a: Float32Array, k: number): number {
  let lo = 0,
    hi = a.length - 1;
  while (hi > lo) {
    const mid = (lo + hi) >> 1;
    const pivot = Math.max(Math.min(a[lo], a[mid]), Math.min(Math.max(a[lo], a[mid]), a[hi]));
    let i = lo,
      j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i++] = a[j];
        a[j--] = t;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}

/** |map| / clip clipped to [0,1]; `signed`: map / clip clipped to [-1,1]. */
export function clipNormalise(map: Float32Array, clip: number, signed = false): Float32Array {
  return map.map((v) => (clip > 0 ? Math.max(signed ? -1 : 0, Math.min(1, (signed ? v : Math.abs(v)) / clip)) : 0));
}

export interface HeatmapPictures {
  /** The bare map in viridis. */
  map: Uint8Array;
  /** The map over the input: the input dimmed to gray, the colour opaque where the map is strong. */
  overlay: Uint8Array;
  /** Map, overlay and a vertical colour scale (top: the clip value, bottom: 0, or -clip when signed) side by side: format=png. */
  panel: Uint8Array;
  /** The |map| value at which the colour saturates. */
  clipValue: number;
}

const GAP = 4,
  BAR = 10;

/** The pictures heatmaps() draws for a w x h map, as priced work: the map, the overlay and the panel. */
export function heatmapWork(w: number, h: number, scale = enlargement(w, h)): Runs[] {
  const W = w * scale,
    H = h * scale;
  return [
    { kind: 'png', runs: 2, pixels: W * H },
    { kind: 'png', runs: 1, pixels: (2 * W + 2 * GAP + BAR) * H },
  ];
}

/**
 * The saliency pictures of a w x h map over a single- or multi-channel [C,h,w] input, enlarged by `scale`.
 * `clipPercentile` of |map| maps to the top of the colour scale (and its negative to the bottom when `signed`).
 */
export function heatmaps(
  input: Float32Array,
  map: Float32Array,
  w: number,
  h: number,
  opts: { scale?: number; clipPercentile?: number; signed?: boolean } = {},
): HeatmapPictures {
  const scale = opts.scale ?? enlargement(w, h),
    W = w * scale,
    H = h * scale,
    signed = opts.signed ?? false,
    lut = signed ? BLUE_WHITE_RED_LUT : VIRIDIS_LUT;
  // Drawn smooth (bilinear) at half the size, then each pixel doubled, where the enlargement is even and at least
  // 4x: a map of w x h values loses nothing to 2x2 blocks at 4x, and repeated rows, which "Up" filters to zeros,
  // deflate almost for free (the pictures' deflate was most of a shapes saliency answer's picture time).
  const block = scale >= 4 && scale % 2 === 0 ? 2 : 1,
    sw = W / block,
    sh = H / block;
  const clipValue = percentile(map, opts.clipPercentile ?? 99);
  const heat = resize({ width: w, height: h, data: clipNormalise(map, clipValue, signed) }, sw, sh).data;
  // The input, dimmed, enlarged the same way: gray stays gray, a colour input keeps its hues.
  const c = Math.max(1, Math.round(input.length / (w * h)));
  const base = Array.from(
    { length: Math.min(c, 3) },
    (_, k) => resize({ width: w, height: h, data: input.subarray(k * w * h, (k + 1) * w * h) }, sw, sh).data,
  );
  const mapRgb = new Uint8Array(sw * sh * 3),
    overRgb = new Uint8Array(sw * sh * 3);
  for (let p = 0; p < sw * sh; p++) {
    const t = Math.min(1, Math.max(signed ? -1 : 0, heat[p])),
      l = level(signed ? (t + 1) / 2 : t);
    // Opacity rises fast (sqrt), so the weak half of the map is still seen; the input stays dim beneath it.
    const a = Math.sqrt(Math.abs(t));
    for (let k = 0; k < 3; k++) {
      const g = 0.45 * 255 * Math.min(1, Math.max(0, base[k % base.length][p]));
      mapRgb[p * 3 + k] = lut[3 * l + k];
      overRgb[p * 3 + k] = Math.round((1 - a) * g + a * lut[3 * l + k]);
    }
  }
  const PW = 2 * W + 2 * GAP + BAR,
    panel = new Uint8Array(PW * H * 3).fill(255),
    mapBig = enlarge(mapRgb, sw, sh, 3, block),
    overBig = enlarge(overRgb, sw, sh, 3, block);
  for (let y = 0; y < H; y++) {
    panel.set(mapBig.subarray(y * W * 3, (y + 1) * W * 3), y * PW * 3);
    panel.set(overBig.subarray(y * W * 3, (y + 1) * W * 3), (y * PW + W + GAP) * 3);
    const l = 3 * level(1 - y / Math.max(1, H - 1));
    for (let x = 2 * W + 2 * GAP; x < PW; x++) panel.set(lut.subarray(l, l + 3), (y * PW + x) * 3);
  }
  return {
    map: encodePng(mapBig, W, H, 3),
    overlay: encodePng(overBig, W, H, 3),
    panel: encodePng(panel, PW, H, 3),
    clipValue,
  };
}
