/**
 * PNG output: a small encoder (8-bit gray or RGB, every row filtered by "Up", fflate's fastest deflate), a
 * perceptual colour map for heatmaps, and base64 for data URLs. The pictures are enlarged by whole pixels, so
 * rows repeat and "Up" leaves runs of zeros that deflate at level 1 packs as well as level 6 would.
 * (CompressionStream is no faster inside workerd, and would make every picture asynchronous.)
 */
import { zlibSync } from 'fflate';

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(bytes: Uint8Array, start: number, end: number): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** 8-bit samples (1 = gray, 3 = RGB), row-major and interleaved, to a PNG file. */
export function encodePng(samples: Uint8Array, width: number, height: number, channels: 1 | 3): Uint8Array {
  const row = width * channels;
  if (samples.length !== row * height)
    throw new Error(`encodePng: ${samples.length} samples for ${width}x${height}x${channels}`);
  // Filter "Up" (type 2): each byte minus the one above. Enlarged pictures repeat rows, which then deflate to nothing.
  const raw = new Uint8Array(height * (row + 1));
  for (let y = 0; y < height; y++) {
    const o = y * (row + 1),
      s = y * row;
    raw[o] = 2;
    if (y === 0) raw.set(samples.subarray(0, row), 1);
    else for (let i = 0; i < row; i++) raw[o + 1 + i] = samples[s + i] - samples[s - row + i];
  }
  const idat = zlibSync(raw, { level: 1 });
  const png = new Uint8Array(8 + (12 + 13) + (12 + idat.length) + 12);
  const view = new DataView(png.buffer);
  png.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  let at = 8;
  const chunk = (type: string, data: Uint8Array) => {
    view.setUint32(at, data.length);
    for (let i = 0; i < 4; i++) png[at + 4 + i] = type.charCodeAt(i);
    png.set(data, at + 8);
    view.setUint32(at + 8 + data.length, crc32(png, at + 4, at + 8 + data.length));
    at += 12 + data.length;
  };
  const ihdr = new Uint8Array(13);
  new DataView(ihdr.buffer).setUint32(0, width);
  new DataView(ihdr.buffer).setUint32(4, height);
  ihdr.set([8, channels === 1 ? 0 : 2, 0, 0, 0], 8); // depth 8, gray or RGB, deflate, adaptive filtering, no interlace
  chunk('IHDR', ihdr);
  chunk('IDAT', idat);
  chunk('IEND', new Uint8Array(0));
  return png;
}

export function encodeGray(data: Float32Array, width: number, height: number): Uint8Array {
  const bytes = new Uint8Array(width * height);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Math.round(Math.min(1, Math.max(0, data[i])) * 255);
  return encodePng(bytes, width, height, 1);
}

/** C planes of [0,1] floats (CHW: 1 = gray, 3 = RGB) to a PNG file. */
export function encodePlanes(data: Float32Array, channels: number, width: number, height: number): Uint8Array {
  if (channels === 1) return encodeGray(data, width, height);
  if (channels !== 3) throw new Error(`encodePlanes: ${channels} channels (1 or 3)`);
  const n = width * height,
    rgb = new Uint8Array(n * 3);
  for (let k = 0; k < 3; k++)
    for (let p = 0; p < n; p++) rgb[p * 3 + k] = Math.round(Math.min(1, Math.max(0, data[k * n + p])) * 255);
  return encodeRgb(rgb, width, height);
}

export function encodeRgb(rgb: Uint8Array, width: number, height: number): Uint8Array {
  return encodePng(rgb, width, height, 3);
}

// Viridis, sampled at 9 stops (matplotlib's colour map, CC0).
const VIRIDIS = [
  [68, 1, 84],
  [71, 44, 122],
  [59, 81, 139],
  [44, 113, 142],
  [33, 144, 141],
  [39, 173, 129],
  [92, 200, 99],
  [170, 220, 50],
  [253, 231, 37],
];

/** The colour at t in [0, 1] along evenly spaced stops, interpolated linearly (NaN counts as 0). */
function ramp(stops: number[][], t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x)),
    f = x - i;
  const a = stops[i],
    b = stops[i + 1];
  return [
    Math.round(a[0] + (b[0] - a[0]) * f),
    Math.round(a[1] + (b[1] - a[1]) * f),
    Math.round(a[2] + (b[2] - a[2]) * f),
  ];
}

export const viridis = (t: number) => ramp(VIRIDIS, t);

// ColorBrewer's RdBu at 11 stops, reversed: blue for negative, near-white at the centre, red for positive.
const BLUE_WHITE_RED = [
  [5, 48, 97],
  [33, 102, 172],
  [67, 147, 195],
  [146, 197, 222],
  [209, 229, 240],
  [247, 247, 247],
  [253, 219, 199],
  [244, 165, 130],
  [214, 96, 77],
  [178, 24, 43],
  [103, 0, 31],
];

/** viridis at 256 levels, RGB interleaved: VIRIDIS_LUT[3 * round(255 t) + k]. */
export const VIRIDIS_LUT = Uint8Array.from({ length: 256 * 3 }, (_, i) => viridis(Math.floor(i / 3) / 255)[i % 3]);

/** The diverging map at 256 levels (level 127.5 is 0), laid out like VIRIDIS_LUT. */
export const BLUE_WHITE_RED_LUT = Uint8Array.from(
  { length: 256 * 3 },
  (_, i) => ramp(BLUE_WHITE_RED, Math.floor(i / 3) / 255)[i % 3],
);

/** The colour-map level (0-255) of t in [0, 1] (NaN counts as 0). */
export const level = (t: number) => (t > 0 ? (t < 1 ? Math.round(t * 255) : 255) : 0);

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

const B64 = new TextEncoder().encode('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/');

/** Standard base64 with padding (a table walk: btoa needs a binary string first, and Node's btoa is slow). */
export function toBase64(bytes: Uint8Array): string {
  const n = bytes.length,
    out = new Uint8Array(Math.ceil(n / 3) * 4);
  let o = 0,
    i = 0;
  for (; i + 2 < n; i += 3) {
    const v = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out[o++] = B64[v >> 18];
    out[o++] = B64[(v >> 12) & 63];
    out[o++] = B64[(v >> 6) & 63];
    out[o++] = B64[v & 63];
  }
  if (i < n) {
    const v = (bytes[i] << 16) | (i + 1 < n ? bytes[i + 1] << 8 : 0);
    out[o++] = B64[v >> 18];
    out[o++] = B64[(v >> 12) & 63];
    out[o++] = i + 1 < n ? B64[(v >> 6) & 63] : 61;
    out[o++] = 61; // '='
  }
  return new TextDecoder().decode(out);
}
