/**
 * Colour pictures through the single-channel operations: every plane of a CHW image resized, padded and drawn on
 * its own, checked against the same operation run plane by plane, and the PNGs read back by fast-png.
 */
import { decode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { resize } from '../../../../../functions/core/image/ops.js';
import { resizePlanes } from '../../../../../functions/core/image/planes.js';
import { anySizeInput } from '../../../../../functions/core/preprocess.js';
import { grayGrid } from '../../../../../functions/core/pictures/grid.js';
import { heatmaps } from '../../../../../functions/core/pictures/heatmap.js';
import { grayPng } from '../../../../../functions/core/pictures/png.js';
import { padToMin } from '../../../../../functions/core/synth/dream.js';

const W = 7,
  H = 5;
/** Three distinct planes: a ramp in x (R), a ramp in y (G), a checkerboard (B). */
const rgb = Float32Array.from({ length: 3 * W * H }, (_, i) => {
  const k = Math.floor(i / (W * H)),
    p = i % (W * H),
    x = p % W,
    y = Math.floor(p / W);
  return k === 0 ? x / (W - 1) : k === 1 ? y / (H - 1) : (x + y) % 2;
});
const plane = (a: Float32Array, k: number, n: number) => a.subarray(k * n, (k + 1) * n);

describe('planes', () => {
  it('resizePlanes is resize() on each plane, in both directions', () => {
    for (const [w, h] of [
      [3, 2],
      [15, 11],
    ]) {
      const r = resizePlanes({ width: W, height: H, data: rgb }, 3, w, h);
      expect(r.data.length).toBe(3 * w * h);
      for (let k = 0; k < 3; k++)
        expect(Array.from(plane(r.data, k, w * h))).toEqual(
          Array.from(resize({ width: W, height: H, data: plane(rgb, k, W * H) }, w, h).data),
        );
    }
  });

  it('padToMin centres every plane on black', () => {
    const { img, padded } = padToMin({ width: W, height: H, data: rgb }, 8, 3);
    expect([padded, img.width, img.height]).toEqual([true, 8, 8]);
    for (let k = 0; k < 3; k++)
      for (let y = 0; y < 8; y++)
        for (let x = 0; x < 8; x++) {
          const sx = x, // ox = floor((8 - 7) / 2) = 0
            sy = y - 1; // oy = floor((8 - 5) / 2) = 1
          const want = sx < W && sy >= 0 && sy < H ? rgb[k * W * H + sy * W + sx] : 0;
          expect(img.data[k * 64 + y * 8 + x]).toBe(want);
        }
  });

  it('anySizeInput keeps RGB for a colour model (no inversion) and shrinks each plane to the side', () => {
    const data = new Uint8Array(40 * 20 * 3);
    for (let p = 0; p < 800; p++) data.set([250, 10, 128], p * 3);
    const { img, steps } = anySizeInput({ width: 40, height: 20, channels: 3, data }, 10, 3);
    expect([img.width, img.height, img.data.length]).toEqual([10, 5, 150]);
    expect(steps).toEqual(['RGB', 'resize to 10x5 (side 10)']);
    for (const [k, v] of [250, 10, 128].entries())
      for (const got of plane(img.data, k, 50)) expect(got).toBeCloseTo(v / 255, 5);
  });
});

describe('colour pictures', () => {
  it('grayPng with 3 channels draws RGB pixels, enlarged by whole pixels', () => {
    const png = decode(grayPng(rgb, W, H, 2, 3));
    expect([png.width, png.height, png.channels]).toEqual([14, 10, 3]);
    for (let y = 0; y < 10; y++)
      for (let x = 0; x < 14; x++)
        for (let k = 0; k < 3; k++)
          expect(png.data[(y * 14 + x) * 3 + k]).toBe(
            Math.round(rgb[k * W * H + Math.floor(y / 2) * W + Math.floor(x / 2)] * 255),
          );
  });

  it('grayGrid tiles colour images with white gaps', () => {
    const two = new Float32Array([...rgb, ...rgb.map((v) => 1 - v)]);
    const png = decode(grayGrid(two, 2, W, H, 2, 1, 3));
    expect([png.width, png.height]).toEqual([2 * (W + 1) + 1, H + 2]);
    const at = (x: number, y: number) =>
      Array.from(png.data.subarray((y * png.width + x) * 3, (y * png.width + x) * 3 + 3));
    expect(at(0, 0)).toEqual([255, 255, 255]);
    // Pixel (3, 2) of each tile: the second tile is the first's negative.
    const v = [0, 1, 2].map((k) => rgb[k * W * H + 2 * W + 3]);
    expect(at(1 + 3, 1 + 2)).toEqual(v.map((c) => Math.round(c * 255)));
    expect(at(1 + W + 1 + 3, 1 + 2)).toEqual(v.map((c) => Math.round((1 - c) * 255)));
  });

  it('the overlay over a colour input keeps its colours (dimmed) where the map is cold', () => {
    const map = new Float32Array(W * H);
    map[0] = 1;
    const png = decode(heatmaps(rgb, map, W, H, { scale: 1 }).overlay);
    const p = (H - 1) * W + (W - 1); // far from the hot pixel: the map is 0 there
    expect(Array.from(png.data.subarray(p * 3, p * 3 + 3))).toEqual(
      [0, 1, 2].map((k) => Math.round(0.45 * 255 * rgb[k * W * H + p])),
    );
  });
});
