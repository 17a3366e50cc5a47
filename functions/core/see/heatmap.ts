/**
 * Pictures of maps: a saliency map in colour (clipped at a percentile, so a few extreme pixels do not leave the
 * rest dark), the same map laid over the dimmed input, a colour scale; plain gray images and labelled grids.
 * A signed map is drawn with a diverging colour map centred on 0 (blue below, red above); others as |map| in viridis.
 */
import { resize } from '../image/ops.js';
import { BLUE_WHITE_RED_LUT, drawNumber, encodePlanes, encodePng, labelStrip, level, VIRIDIS_LUT } from '../png.js';

/** The value of |map| at percentile p (0-100; 100 is the maximum), by nearest rank. */
export function percentile(map: ArrayLike<number>, p: number): number {
  const a = Float32Array.from(map, Math.abs).sort();
  if (!a.length) return 0;
  return a[Math.min(a.length - 1, Math.max(0, Math.ceil((p / 100) * a.length) - 1))];
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
  const scale = opts.scale ?? 4,
    W = w * scale,
    H = h * scale,
    signed = opts.signed ?? false,
    lut = signed ? BLUE_WHITE_RED_LUT : VIRIDIS_LUT;
  const clipValue = percentile(map, opts.clipPercentile ?? 99);
  const heat = resize({ width: w, height: h, data: clipNormalise(map, clipValue, signed) }, W, H).data;
  // The input, dimmed, enlarged the same way: gray stays gray, a colour input keeps its hues.
  const c = Math.max(1, Math.round(input.length / (w * h)));
  const base = Array.from(
    { length: Math.min(c, 3) },
    (_, k) => resize({ width: w, height: h, data: input.subarray(k * w * h, (k + 1) * w * h) }, W, H).data,
  );
  const mapRgb = new Uint8Array(W * H * 3),
    overRgb = new Uint8Array(W * H * 3);
  for (let p = 0; p < W * H; p++) {
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
    panel = new Uint8Array(PW * H * 3).fill(255);
  for (let y = 0; y < H; y++) {
    panel.set(mapRgb.subarray(y * W * 3, (y + 1) * W * 3), y * PW * 3);
    panel.set(overRgb.subarray(y * W * 3, (y + 1) * W * 3), (y * PW + W + GAP) * 3);
    const l = 3 * level(1 - y / Math.max(1, H - 1));
    for (let x = 2 * W + 2 * GAP; x < PW; x++) panel.set(lut.subarray(l, l + 3), (y * PW + x) * 3);
  }
  return {
    map: encodePng(mapRgb, W, H, 3),
    overlay: encodePng(overRgb, W, H, 3),
    panel: encodePng(panel, PW, H, 3),
    clipValue,
  };
}

/** An image (gray or RGB planes, CHW) enlarged by an integer factor with nearest-neighbour pixels (pixels stay visible). */
export function grayPng(img: Float32Array, w: number, h: number, scale = 1, channels = 1): Uint8Array {
  if (scale === 1) return encodePlanes(img, channels, w, h);
  const W = w * scale,
    H = h * scale,
    out = new Float32Array(channels * W * H);
  for (let k = 0; k < channels; k++)
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++)
        out[k * W * H + y * W + x] = img[k * w * h + Math.floor(y / scale) * w + Math.floor(x / scale)];
  return encodePlanes(out, channels, W, H);
}

/** A model input ([C,H,W] in [0,1]; 1 channel gray, 3 RGB) as a PNG enlarged by whole pixels. */
export function inputPng(x: Float32Array, shape: number[], scale = 4): Uint8Array {
  const [c, h, w] = shape;
  if (c !== 3) return grayPng(x.subarray(0, h * w), w, h, scale);
  const W = w * scale,
    H = h * scale,
    rgb = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++)
    for (let xx = 0; xx < W; xx++) {
      const p = Math.floor(y / scale) * w + Math.floor(xx / scale);
      for (let k = 0; k < 3; k++)
        rgb[(y * W + xx) * 3 + k] = Math.round(255 * Math.min(1, Math.max(0, x[k * h * w + p])));
    }
  return encodePng(rgb, W, H, 3);
}

/** Tiles n images (each C x h x w, values in [0,1]) in a grid with 1 px gaps, enlarged by `scale`. */
export function grayGrid(
  imgs: Float32Array,
  n: number,
  w: number,
  h: number,
  columns: number,
  scale = 2,
  channels = 1,
): Uint8Array {
  return labelledGrid(imgs, n, w, h, { columns, scale, channels });
}

/**
 * Tiles n images (each C x h x w planes, values in [0,1]; C = `channels`, 1 gray or 3 RGB) in a grid with 1 px
 * gaps, enlarged by `scale`. With `labels` (numbers), each tile gets a white strip above it with its number in
 * black, sized to the tile (png.ts labelStrip). With `normalise`, each tile is stretched to its own min..max, and a
 * tile with no contrast at all is drawn mid-gray with a diagonal cross (so a filter that never responds reads as
 * "flat", not as a black tile).
 */
export function labelledGrid(
  imgs: Float32Array,
  n: number,
  w: number,
  h: number,
  opts: { columns: number; scale?: number; labels?: number[]; normalise?: boolean; channels?: number },
): Uint8Array {
  const { columns, labels } = opts,
    scale = opts.scale ?? 2,
    C = opts.channels ?? 1;
  const rows = Math.ceil(n / columns),
    tw = w * scale,
    th = h * scale,
    strip = labelStrip(th),
    lh = labels ? strip.height : 0;
  const W = columns * (tw + 1) + 1,
    H = rows * (th + lh + 1) + 1;
  const out = new Float32Array(C * W * H).fill(1);
  for (let i = 0; i < n; i++) {
    // One range over all of a tile's planes, so a colour tile keeps its hues.
    const tile = imgs.subarray(i * C * w * h, (i + 1) * C * w * h);
    let lo = 0,
      k = 1;
    if (opts.normalise) {
      lo = Infinity;
      let hi = -Infinity;
      for (const v of tile) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      k = hi - lo > 1e-6 ? 1 / (hi - lo) : 0;
    }
    const ox = 1 + (i % columns) * (tw + 1),
      oy = 1 + Math.floor(i / columns) * (th + lh + 1);
    for (let c = 0; c < C; c++)
      for (let y = 0; y < th; y++)
        for (let x = 0; x < tw; x++) {
          const v = tile[c * w * h + Math.floor(y / scale) * w + Math.floor(x / scale)];
          const flat = opts.normalise && k === 0;
          const cross = flat && (Math.abs(x * th - y * tw) < tw || Math.abs((tw - 1 - x) * th - y * tw) < tw);
          out[c * W * H + (oy + lh + y) * W + ox + x] = flat ? (cross ? 0.25 : 0.5) : (v - lo) * k;
        }
    if (labels)
      drawNumber(labels[i], ox + strip.font, oy + strip.font, strip.font, tw - strip.font, (x, y) => {
        for (let c = 0; c < C; c++) out[c * W * H + y * W + x] = 0;
      });
  }
  return encodePlanes(out, C, W, H);
}
