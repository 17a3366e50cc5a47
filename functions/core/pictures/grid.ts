/**
 * Grids of tiles: feature maps in a colour map (mapGrid) and images (labelledGrid), each tile numbered in a small
 * bitmap font on a white strip above it.
 */
import { level, VIRIDIS_LUT } from './colour.js';
import { encodePlanes, encodeRgb } from './png.js';

// 3x5 digits, one row of 3 bits per line, top to bottom.
const DIGITS = [
  [7, 5, 5, 5, 7],
  [2, 6, 2, 2, 7],
  [7, 1, 7, 4, 7],
  [7, 1, 7, 1, 7],
  [5, 5, 7, 1, 1],
  [7, 4, 7, 1, 7],
  [7, 4, 7, 5, 7],
  [7, 1, 2, 2, 2],
  [7, 5, 7, 5, 7],
  [7, 5, 7, 1, 7],
];

/**
 * The label strip over a grid's tiles `tileHeight` pixels tall: the font's pixel size (1 to 4 image pixels, about a
 * fortieth of the tile's height, so a number stays readable when a large grid is shown shrunk) and the strip's height
 * (the 5-pixel digit with one font pixel of margin above and below).
 */
export function labelStrip(tileHeight: number): { font: number; height: number } {
  const font = Math.min(4, Math.max(1, Math.ceil(tileHeight / 40)));
  return { font, height: 7 * font };
}

/**
 * Writes `n` in the 3x5 font with its top-left corner at (x, y), each font pixel `font` x `font`, as many digits as
 * fit in `width` pixels; `ink(x, y)` paints one pixel.
 */
export function drawNumber(
  n: number,
  x: number,
  y: number,
  font: number,
  width: number,
  ink: (x: number, y: number) => void,
) {
  const text = String(n);
  for (let d = 0; d < text.length && (d * 4 + 3) * font <= width; d++) {
    const glyph = DIGITS[text.charCodeAt(d) - 48];
    if (!glyph) continue;
    for (let gy = 0; gy < 5 * font; gy++)
      for (let gx = 0; gx < 3 * font; gx++)
        if (glyph[Math.floor(gy / font)] & (4 >> Math.floor(gx / font))) ink(x + d * 4 * font + gx, y + gy);
  }
}

/**
 * Tiles `maps` (count x h x w values, each map normalised to its own min..max) into a grid PNG with the colour map,
 * each map enlarged by an integer factor and separated by a 1 px white line. With `labels`, each tile gets a white
 * strip above it with its number in black (labelStrip, drawNumber).
 */
export function mapGrid(
  maps: Float32Array,
  count: number,
  h: number,
  w: number,
  opts: { columns?: number; scale?: number; labels?: number[] } = {},
): { png: Uint8Array; width: number; height: number; columns: number; scale: number } {
  const columns = opts.columns ?? Math.ceil(Math.sqrt(count));
  const rows = Math.ceil(count / columns);
  const scale = opts.scale ?? Math.max(1, Math.ceil(48 / Math.max(h, w)));
  const tw = w * scale,
    th = h * scale,
    strip = labelStrip(th),
    lh = opts.labels ? strip.height : 0;
  const width = columns * (tw + 1) + 1,
    height = rows * (th + lh + 1) + 1;
  const rgb = new Uint8Array(width * height * 3).fill(255);
  for (let m = 0; m < count; m++) {
    const map = maps.subarray(m * h * w, (m + 1) * h * w);
    let lo = Infinity,
      hi = -Infinity;
    for (const v of map) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    const ox = 1 + (m % columns) * (tw + 1),
      oy = 1 + Math.floor(m / columns) * (th + lh + 1) + lh;
    if (opts.labels)
      drawNumber(opts.labels[m], ox + strip.font, oy - lh + strip.font, strip.font, tw - strip.font, (x, y) =>
        rgb.fill(0, (y * width + x) * 3, (y * width + x) * 3 + 3),
      );
    const k = hi > lo ? 1 / (hi - lo) : 0;
    for (let y = 0; y < th; y++)
      for (let x = 0; x < tw; x++) {
        const l = 3 * level((map[Math.floor(y / scale) * w + Math.floor(x / scale)] - lo) * k),
          o = ((oy + y) * width + ox + x) * 3;
        rgb[o] = VIRIDIS_LUT[l];
        rgb[o + 1] = VIRIDIS_LUT[l + 1];
        rgb[o + 2] = VIRIDIS_LUT[l + 2];
      }
  }
  return { png: encodeRgb(rgb, width, height), width, height, columns, scale };
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
 * black, sized to the tile (labelStrip). With `normalise`, each tile is stretched to its own min..max, and a
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
