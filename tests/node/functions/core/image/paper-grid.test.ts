/**
 * The paper grid's fast paths against the plain definitions they replace, on random grids and pictures of many
 * sizes (every remainder of the block and cell sizes): a quantile read off a sorted cell, the max or min over a
 * clipped (2R+1)² window, odd reflection by its formula, the mean of each clipped 3x3 neighbourhood. All exact.
 */
import { describe, expect, it } from 'vitest';
import { boxBlur, cellQuantiles, pad, rankFilter, type Grid } from '../../../../../functions/core/image/paper-grid.js';
import type { Raster } from '../../../../../functions/core/image/types.js';
import { rng } from '../../../../fixtures/photo-set.js';

function randomGrid(gw: number, gh: number, ch: number, seed: number): Grid {
  const r = rng(seed).next;
  return { gw, gh, cell: 8, v: Float32Array.from({ length: gw * gh * ch }, () => Math.round(r() * 255)) };
}

const at = (g: Grid, ch: number, x: number, y: number, c: number) => g.v[(y * g.gw + x) * ch + c];

function rankReference(g: Grid, ch: number, R: number, max: boolean): Float32Array {
  const out = new Float32Array(g.v.length);
  for (let y = 0; y < g.gh; y++)
    for (let x = 0; x < g.gw; x++)
      for (let c = 0; c < ch; c++) {
        const vals: number[] = [];
        for (let yy = Math.max(0, y - R); yy <= Math.min(g.gh - 1, y + R); yy++)
          for (let xx = Math.max(0, x - R); xx <= Math.min(g.gw - 1, x + R); xx++) vals.push(at(g, ch, xx, yy, c));
        out[(y * g.gw + x) * ch + c] = max ? Math.max(...vals) : Math.min(...vals);
      }
  return out;
}

function blurReference(g: Grid, ch: number): Float32Array {
  const out = new Float32Array(g.v.length);
  for (let y = 0; y < g.gh; y++)
    for (let x = 0; x < g.gw; x++)
      for (let c = 0; c < ch; c++) {
        let s = 0,
          n = 0;
        for (let yy = y - 1; yy <= y + 1; yy++)
          for (let xx = x - 1; xx <= x + 1; xx++)
            if (yy >= 0 && yy < g.gh && xx >= 0 && xx < g.gw) ((s += at(g, ch, xx, yy, c)), n++);
        out[(y * g.gw + x) * ch + c] = s / n;
      }
  return out;
}

/** Odd reflection of one index: v(-k) = 2 v(0) - v(k), v(n - 1 + k) = 2 v(n - 1) - v(n - 1 - k). */
function odd(get: (i: number) => number, i: number, n: number): number {
  if (i < 0) return 2 * get(0) - get(Math.min(n - 1, -i));
  if (i >= n) return 2 * get(n - 1) - get(Math.max(0, 2 * (n - 1) - i));
  return get(i);
}

describe('paper grid', () => {
  it('max and min at the cells whose window lies inside the grid equal the window read directly', () => {
    for (const [gw, gh, ch, R] of [
      [9, 9, 1, 4],
      [10, 19, 3, 4],
      [39, 45, 3, 4],
      [38, 38, 1, 4],
      [17, 23, 3, 2],
      [12, 7, 1, 1],
      [3, 3, 3, 1],
    ])
      for (const max of [true, false]) {
        const g = randomGrid(gw, gh, ch, gw * 100 + gh + R);
        const ref = rankReference(g, ch, R, max),
          w = gw - 2 * R,
          h = gh - 2 * R,
          inner = new Float32Array(w * h * ch);
        for (let y = 0; y < h; y++)
          inner.set(ref.subarray(((y + R) * gw + R) * ch, ((y + R) * gw + R + w) * ch), y * w * ch);
        expect(rankFilter(g, ch, R, max)).toEqual({ gw: w, gh: h, cell: g.cell, v: inner });
      }
  });

  it('the 3x3 mean and odd-reflection padding equal their definitions', () => {
    for (const [gw, gh, ch] of [
      [1, 1, 1],
      [2, 5, 3],
      [18, 18, 1],
      [19, 25, 3],
    ]) {
      const g = randomGrid(gw, gh, ch, gw + gh * 7);
      // Fractional values too, as after a first blur.
      g.v = blurReference(g, ch);
      expect(boxBlur(g, ch)).toEqual(blurReference(g, ch));
      const m = 10,
        p = pad(g, ch, m);
      const want = new Float32Array(p.v.length);
      for (let c = 0; c < ch; c++)
        for (let y = 0; y < p.gh; y++)
          for (let x = 0; x < p.gw; x++)
            want[(y * p.gw + x) * ch + c] = odd((j) => odd((i) => at(g, ch, i, j, c), x - m, gw), y - m, gh);
      expect([p.gw, p.gh]).toEqual([gw + 2 * m, gh + 2 * m]);
      expect(p.v).toEqual(want);
    }
  });

  it("each cell's quantile, and its inverted picture's, are read off the cell's sorted samples", () => {
    for (const [w, h, ch, cell, q] of [
      [37, 29, 3, 8, 0.8],
      [40, 40, 1, 8, 0.8],
      [23, 30, 1, 4, 0.8],
      [50, 21, 3, 9, 0.5],
      [64, 48, 1, 16, 0.99],
    ]) {
      const r = rng(w * h + cell).next;
      // Pictures of mostly light paper with dark marks, and uniform noise.
      const data = Uint8Array.from({ length: w * h * ch }, (_, i) =>
        i % 2 ? Math.round(r() * 255) : r() < 0.2 ? Math.round(r() * 60) : 200 + Math.round(r() * 55),
      );
      const raster: Raster = { width: w, height: h, channels: ch as 1 | 3, data };
      const [a, b] = cellQuantiles(raster, cell, q, true);
      const [only] = cellQuantiles(raster, cell, q);
      expect(only).toEqual(a);
      for (let gy = 0; gy < a.gh; gy++)
        for (let gx = 0; gx < a.gw; gx++)
          for (let c = 0; c < ch; c++) {
            const s: number[] = [];
            for (let y = gy * cell; y < Math.min(h, (gy + 1) * cell); y++)
              for (let x = gx * cell; x < Math.min(w, (gx + 1) * cell); x++) s.push(data[(y * w + x) * ch + c]);
            const inv = s.map((v) => 255 - v);
            s.sort((u, v) => u - v);
            inv.sort((u, v) => u - v);
            const k = Math.floor(q * (s.length - 1));
            expect([at(a, ch, gx, gy, c), at(b, ch, gx, gy, c)]).toEqual([s[k], inv[k]]);
          }
    }
  });
});
