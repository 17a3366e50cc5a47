/**
 * Saliency pictures and filter grids, decoded back: the overlay shows the map (not the input), the clip percentile
 * saturates the colour where it should, and a labelled grid has no black unlabeled tile.
 */
import { decode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { clipNormalise, heatmaps, percentile } from '../../../../../functions/core/pictures/heatmap.js';
import { labelledGrid } from '../../../../../functions/core/pictures/grid.js';
import { foolingPicture } from '../../../../../functions/core/pictures/panels.js';
import { BLUE_WHITE_RED_LUT, VIRIDIS_LUT } from '../../../../../functions/core/pictures/colour.js';

const rgbAt = (png: Uint8Array, x: number, y: number) => {
  const d = decode(png);
  const o = (y * d.width + x) * d.channels;
  return Array.from(d.data.slice(o, o + 3));
};
const viridisTop = Array.from(VIRIDIS_LUT.slice(255 * 3, 256 * 3));
const viridisBottom = Array.from(VIRIDIS_LUT.slice(0, 3));

describe('percentile and clipping', () => {
  it('nearest rank on |values|: the 50th of 1..10 is 5, the 100th the maximum, the 99th of 1..100 is 99', () => {
    const ten = Float32Array.from({ length: 10 }, (_, i) => -(i + 1));
    expect(percentile(ten, 50)).toBe(5);
    expect(percentile(ten, 100)).toBe(10);
    expect(
      percentile(
        Float32Array.from({ length: 100 }, (_, i) => i + 1),
        99,
      ),
    ).toBe(99);
    expect(Array.from(clipNormalise(Float32Array.from([-4, 1, 2, 8]), 4))).toEqual([1, 0.25, 0.5, 1]);
  });

  it('selects what sorting gives, with ties, signs and any length (a seeded draw of 500 maps)', () => {
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let t = 0; t < 500; t++) {
      const map = Float32Array.from({ length: 1 + Math.floor(rand() * 200) }, () =>
        rand() < 0.3 ? Math.round(rand() * 4) - 2 : rand() * 10 - 5,
      );
      const sorted = Float32Array.from(map, Math.abs).sort();
      for (const p of [0, 1, 50, 90, 99, 99.5, 100])
        expect(percentile(map, p)).toBe(
          sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))],
        );
    }
  });
});

describe('heatmaps', () => {
  // A 10x10 input with a bright square at the top left; the map is strong at the bottom right, where the input is black.
  const w = 10,
    h = 10;
  const input = Float32Array.from({ length: w * h }, (_, p) => (p % w < 3 && p < 3 * w ? 1 : 0));
  const map = Float32Array.from({ length: w * h }, (_, p) => (p % w >= 7 && p >= 7 * w ? 5 : 0.01));

  it('the bare map and the overlay show the strong region in the top colour of the scale', () => {
    const pics = heatmaps(input, map, w, h, { scale: 4, clipPercentile: 95 });
    expect(pics.clipValue).toBeCloseTo(5);
    expect(rgbAt(pics.map, 38, 38)).toEqual(viridisTop);
    expect(rgbAt(pics.overlay, 38, 38)).toEqual(viridisTop);
    // Where the map is ~0 (0.01 / 5), the map is the bottom colour and the overlay shows the input as a dim gray.
    rgbAt(pics.map, 1, 1).forEach((v, k) => expect(Math.abs(v - viridisBottom[k])).toBeLessThanOrEqual(1));
    // White input under a nearly zero map: 0.45 x 255 = 115 in every channel, within a faint purple tint.
    for (const v of rgbAt(pics.overlay, 1, 1)) expect(Math.abs(v - 115)).toBeLessThan(8);
  });

  it('clipping at a lower percentile saturates more of a graded map', () => {
    const graded = Float32Array.from({ length: w * h }, (_, p) => p + 1);
    const count = (png: Uint8Array) => {
      const d = decode(png);
      let n = 0;
      for (let i = 0; i < d.width * d.height; i++)
        if (viridisTop.every((v, k) => d.data[i * d.channels + k] === v)) n++;
      return n;
    };
    const at100 = count(heatmaps(input, graded, w, h, { scale: 1, clipPercentile: 100 }).map);
    const at80 = count(heatmaps(input, graded, w, h, { scale: 1, clipPercentile: 80 }).map);
    expect(at100).toBe(1);
    expect(at80).toBe(21);
  });

  it('the panel is map, overlay and a colour scale from the top colour down to the bottom one', () => {
    const pics = heatmaps(input, map, w, h, { scale: 4 });
    const d = decode(pics.panel);
    expect([d.width, d.height]).toEqual([2 * 40 + 8 + 10, 40]);
    expect(rgbAt(pics.panel, d.width - 1, 0)).toEqual(viridisTop);
    expect(rgbAt(pics.panel, d.width - 1, 39)).toEqual(viridisBottom);
  });
});

describe('labelledGrid', () => {
  it('stretches each tile to its range, crosses flat tiles instead of leaving them black, and labels each', () => {
    const n = 3,
      w = 6,
      h = 6;
    const imgs = new Float32Array(n * w * h);
    for (let p = 0; p < w * h; p++) imgs[p] = 0.4 + 0.01 * (p % w); // a faint ramp
    // tile 1 stays all zero (a dead filter); tile 2 is a full-range ramp
    for (let p = 0; p < w * h; p++) imgs[2 * w * h + p] = (p % w) / (w - 1);
    const d = decode(labelledGrid(imgs, n, w, h, { columns: 3, scale: 2, labels: [7, 8, 9], normalise: true }));
    const at = (x: number, y: number) => d.data[y * d.width + x];
    const tw = 12,
      top = 1 + 7; // 1 px border, a 7 px label strip
    // The faint ramp spans black to white after stretching.
    expect(at(1, top)).toBe(0);
    expect(at(1 + tw - 1, top)).toBe(255);
    // The flat tile is gray with a darker cross, never black.
    const flat = Array.from({ length: tw * tw }, (_, i) => at(1 + tw + 1 + (i % tw), top + Math.floor(i / tw)));
    expect(Math.min(...flat)).toBeGreaterThan(0);
    expect(new Set(flat)).toEqual(new Set([64, 128]));
    // Each label strip has dark pixels (its digit) on white.
    for (let t = 0; t < n; t++) {
      const strip = Array.from({ length: 5 * 3 }, (_, i) => at(1 + t * (tw + 1) + 1 + (i % 3), 2 + Math.floor(i / 3)));
      expect(strip.filter((v) => v === 0).length).toBeGreaterThan(5);
    }
  });

  it('the fooling gallery: ten tiles in a row; a larger one (a many-class model) wraps into rows of ten', () => {
    const [w, h, tw] = [28, 28, 112];
    const size = (n: number) => {
      const d = decode(foolingPicture(new Float32Array(n * w * h).fill(0.5), [...Array(n).keys()], [1, h, w]));
      return [d.width, d.height];
    };
    const [row, rowHeight] = size(10);
    expect(row).toBe(10 * (tw + 1) + 1);
    expect(size(6)[0]).toBe(6 * (tw + 1) + 1);
    expect(size(12)[0]).toBe(row);
    expect(size(12)[1]).toBeGreaterThan(rowHeight);
    expect(size(30)[1]).toBeGreaterThan(size(12)[1]);
  });

  it('numbers grow with the tile: 28x28 tiles at 4x (the fooling gallery) get 9x15-pixel digits over a 21-pixel strip', () => {
    const n = 10,
      w = 28,
      h = 28,
      tw = 112;
    const imgs = new Float32Array(n * w * h).fill(0.5);
    const d = decode(labelledGrid(imgs, n, w, h, { columns: n, scale: 4, labels: [...Array(n).keys()] }));
    expect([d.width, d.height]).toEqual([n * (tw + 1) + 1, tw + 21 + 2]);
    // The ink of each tile's number: its dark pixels in the strip, 3x3 per font pixel, 9x15 in all.
    for (const [t, fontPixels] of [
      [0, 12],
      [1, 8],
      [8, 13],
    ]) {
      const ink: [number, number][] = [];
      for (let y = 1; y < 22; y++)
        for (let x = 0; x < tw; x++) if (d.data[y * d.width + 1 + t * (tw + 1) + x] === 0) ink.push([x, y]);
      expect(ink).toHaveLength(9 * fontPixels);
      expect([Math.min(...ink.map((p) => p[1])), Math.max(...ink.map((p) => p[1]))]).toEqual([4, 18]);
      expect([Math.min(...ink.map((p) => p[0])), Math.max(...ink.map((p) => p[0]))]).toEqual([3, 11]);
    }
    // The tiles start under the strip, untouched by it.
    expect(d.data[22 * d.width + 5]).toBe(128);
  });
});

describe('signed heatmaps', () => {
  it('a diverging scale centred on 0: negative blue, positive red, 0 near white; the bar runs from +clip to -clip', () => {
    const w = 10,
      h = 10;
    const input = new Float32Array(w * h);
    const map = Float32Array.from({ length: w * h }, (_, p) => (p % w < 3 ? -4 : p % w >= 7 ? 4 : 0));
    const pics = heatmaps(input, map, w, h, { scale: 1, clipPercentile: 100, signed: true });
    expect(rgbAt(pics.map, 0, 5)).toEqual(Array.from(BLUE_WHITE_RED_LUT.slice(0, 3)));
    expect(rgbAt(pics.map, 9, 5)).toEqual(Array.from(BLUE_WHITE_RED_LUT.slice(255 * 3, 256 * 3)));
    const mid = rgbAt(pics.map, 5, 5);
    for (const v of mid) expect(v).toBeGreaterThan(235);
    // The bar beside the two pictures: red at the top (+clip), blue at the bottom (-clip).
    const bar = 2 * w + 2 * 4 + 5;
    expect(rgbAt(pics.panel, bar, 0)).toEqual(Array.from(BLUE_WHITE_RED_LUT.slice(255 * 3, 256 * 3)));
    expect(rgbAt(pics.panel, bar, h - 1)).toEqual(Array.from(BLUE_WHITE_RED_LUT.slice(0, 3)));
    expect(Array.from(clipNormalise(Float32Array.from([-8, -1, 2, 8]), 4, true))).toEqual([-1, -0.25, 0.5, 1]);
  });
});
