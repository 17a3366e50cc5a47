/** PNG output: grayscale and RGB encoding (fast-png, pure JS) and a perceptual colour map for heatmaps. */
import { encode } from 'fast-png';

export function encodeGray(data: Float32Array, width: number, height: number): Uint8Array {
  const bytes = new Uint8Array(width * height);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Math.round(Math.min(1, Math.max(0, data[i])) * 255);
  return encode({ width, height, data: bytes, depth: 8, channels: 1 });
}

export function encodeRgb(rgb: Uint8Array, width: number, height: number): Uint8Array {
  return encode({ width, height, data: rgb, depth: 8, channels: 3 });
}

// Viridis, sampled at 9 stops (matplotlib's colour map, CC0).
const VIRIDIS = [[68, 1, 84], [71, 44, 122], [59, 81, 139], [44, 113, 142], [33, 144, 141], [39, 173, 129], [92, 200, 99], [170, 220, 50], [253, 231, 37]];

export function viridis(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x)), f = x - i;
  const a = VIRIDIS[i], b = VIRIDIS[i + 1];
  return [Math.round(a[0] + (b[0] - a[0]) * f), Math.round(a[1] + (b[1] - a[1]) * f), Math.round(a[2] + (b[2] - a[2]) * f)];
}

/**
 * Tiles `maps` (count x h x w values, each map normalised to its own min..max) into a grid PNG with the colour map,
 * each map enlarged by an integer factor and separated by a 1 px white line.
 */
export function mapGrid(maps: Float32Array, count: number, h: number, w: number, opts: { columns?: number; scale?: number } = {}): { png: Uint8Array; width: number; height: number; columns: number; scale: number } {
  const columns = opts.columns ?? Math.ceil(Math.sqrt(count));
  const rows = Math.ceil(count / columns);
  const scale = opts.scale ?? Math.max(1, Math.ceil(48 / Math.max(h, w)));
  const tw = w * scale, th = h * scale;
  const width = columns * (tw + 1) + 1, height = rows * (th + 1) + 1;
  const rgb = new Uint8Array(width * height * 3).fill(255);
  for (let m = 0; m < count; m++) {
    const map = maps.subarray(m * h * w, (m + 1) * h * w);
    let lo = Infinity, hi = -Infinity;
    for (const v of map) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    const ox = 1 + (m % columns) * (tw + 1), oy = 1 + Math.floor(m / columns) * (th + 1);
    for (let y = 0; y < th; y++) for (let x = 0; x < tw; x++) {
      const v = map[Math.floor(y / scale) * w + Math.floor(x / scale)];
      rgb.set(viridis(hi > lo ? (v - lo) / (hi - lo) : 0), ((oy + y) * width + ox + x) * 3);
    }
  }
  return { png: encodeRgb(rgb, width, height), width, height, columns, scale };
}

export function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}
