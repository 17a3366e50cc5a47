/**
 * Pictures of maps: a heatmap laid over the input, enlarged; and plain images. Images are C planes (CHW, values in
 * [0,1]): `channels` 1 draws gray, 3 draws RGB.
 */
import { resize } from '../image/ops.js';
import { encodePlanes, encodeRgb, level, VIRIDIS_LUT } from '../png.js';

/** Normalises |map| (or a map already >= 0) to [0,1] by its maximum. */
function normalise(map: Float32Array): Float32Array {
  let max = 0;
  for (const v of map) max = Math.max(max, Math.abs(v));
  return map.map((v) => (max > 0 ? Math.abs(v) / max : 0));
}

/** The input (gray or RGB) with the heatmap blended over it (alpha grows with the map), enlarged by `scale`. */
export function overlay(
  input: Float32Array,
  map: Float32Array,
  w: number,
  h: number,
  scale = 4,
  channels = 1,
): Uint8Array {
  const big = (a: Float32Array) => resize({ width: w, height: h, data: a }, w * scale, h * scale).data;
  const planes = Array.from({ length: 3 }, (_, k) =>
    big(input.subarray((k % channels) * w * h, ((k % channels) + 1) * w * h)),
  );
  const heat = big(normalise(map));
  const W = w * scale,
    H = h * scale,
    rgb = new Uint8Array(W * H * 3);
  for (let p = 0; p < W * H; p++) {
    const l = level(heat[p]),
      a = 0.75 * (l / 255);
    for (let k = 0; k < 3; k++)
      rgb[p * 3 + k] = Math.round((1 - a) * 255 * Math.min(1, Math.max(0, planes[k][p])) + a * VIRIDIS_LUT[3 * l + k]);
  }
  return encodeRgb(rgb, W, H);
}

/** An image (gray or RGB planes) enlarged by an integer factor with nearest-neighbour pixels (so pixels stay visible). */
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

/** Tiles n images (each C x h x w, values in [0,1]) in a grid with 1 px white gaps, enlarged by `scale`. */
export function grayGrid(
  imgs: Float32Array,
  n: number,
  w: number,
  h: number,
  columns: number,
  scale = 2,
  channels = 1,
): Uint8Array {
  const rows = Math.ceil(n / columns),
    tw = w * scale,
    th = h * scale;
  const W = columns * (tw + 1) + 1,
    H = rows * (th + 1) + 1;
  const out = new Float32Array(channels * W * H).fill(1);
  for (let i = 0; i < n; i++) {
    const ox = 1 + (i % columns) * (tw + 1),
      oy = 1 + Math.floor(i / columns) * (th + 1);
    for (let k = 0; k < channels; k++)
      for (let y = 0; y < th; y++)
        for (let x = 0; x < tw; x++)
          out[k * W * H + (oy + y) * W + ox + x] =
            imgs[(i * channels + k) * w * h + Math.floor(y / scale) * w + Math.floor(x / scale)];
  }
  return encodePlanes(out, channels, W, H);
}
