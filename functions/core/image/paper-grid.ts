/**
 * The coarse grid the paper is estimated on (background.ts): per cell and channel, a quantile of the cell's
 * samples; and the filters run over it (odd-reflection padding, max/min over a square window, a 3x3 mean).
 * Values are 0-255, `ch` channels interleaved, row-major over gw x gh cells of `cell` pixels.
 */
import type { Raster } from './types.js';

export interface Grid {
  gw: number;
  gh: number;
  cell: number;
  /** gw * gh * channels paper values (0-255). */
  v: Float32Array;
}

// Two-level histogram: 16 coarse bins of 16 values, so a quantile is found in at most 16 + 16 steps.
const FINE = new Uint32Array(256 * 3),
  COARSE = new Uint32Array(16 * 3),
  SMALL = new Uint8Array(16);

/** The smallest value with more than `at` samples at or below it, from channel c's histograms. */
function fromBelow(c: number, at: number): number {
  let acc = 0,
    b = 0;
  for (; b < 15; b++) {
    const n = COARSE[c * 16 + b];
    if (acc + n > at) break;
    acc += n;
  }
  let k = b * 16;
  for (; k < 255; k++) if ((acc += FINE[c * 256 + k]) > at) break;
  return k;
}

/**
 * Per cell and channel, the q-th quantile of the cell's samples; with `inverse`, from the same histograms, the q-th
 * quantile of the inverted samples (255 - v) too: the picture read the other way round.
 */
export function cellQuantiles(r: Raster, cell: number, q: number, inverse: true): [Grid, Grid];
export function cellQuantiles(r: Raster, cell: number, q: number): [Grid];
export function cellQuantiles(r: Raster, cell: number, q: number, inverse = false): Grid[] {
  const gw = Math.ceil(r.width / cell),
    gh = Math.ceil(r.height / cell),
    ch = r.channels,
    W = r.width,
    d = r.data;
  const v = new Float32Array(gw * gh * ch),
    iv = new Float32Array(inverse ? gw * gh * ch : 0);
  for (let gy = 0; gy < gh; gy++)
    for (let gx = 0; gx < gw; gx++) {
      const y0 = gy * cell,
        x0 = gx * cell,
        y1 = Math.min(r.height, y0 + cell),
        x1 = Math.min(W, x0 + cell);
      const n = (y1 - y0) * (x1 - x0),
        at = Math.floor(q * (n - 1)),
        // The inverted samples' at-th smallest is 255 minus the (n - 1 - at)-th smallest of the samples.
        iat = n - 1 - at,
        o = (gy * gw + gx) * ch;
      if (n <= 16) {
        // A small cell: sorting its few samples costs less than a histogram.
        for (let c = 0; c < ch; c++) {
          let m = 0;
          for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) SMALL[m++] = d[(y * W + x) * ch + c];
          const sorted = SMALL.subarray(0, m).sort();
          v[o + c] = sorted[at];
          if (inverse) iv[o + c] = 255 - sorted[iat];
        }
        continue;
      }
      for (let y = y0; y < y1; y++)
        if (ch === 1)
          for (let p = y * W + x0, e = y * W + x1; p < e; p++) {
            const s = d[p];
            FINE[s]++;
            COARSE[s >> 4]++;
          }
        else
          for (let p = (y * W + x0) * ch, e = (y * W + x1) * ch; p < e; p += ch)
            for (let c = 0; c < ch; c++) {
              const s = d[p + c];
              FINE[c * 256 + s]++;
              COARSE[c * 16 + (s >> 4)]++;
            }
      for (let c = 0; c < ch; c++) {
        v[o + c] = fromBelow(c, at);
        if (inverse) iv[o + c] = 255 - fromBelow(c, iat);
      }
      // Clear only the bins this cell touched.
      for (let y = y0; y < y1; y++)
        if (ch === 1) for (let p = y * W + x0, e = y * W + x1; p < e; p++) FINE[d[p]] = 0;
        else
          for (let p = (y * W + x0) * ch, e = (y * W + x1) * ch; p < e; p += ch)
            for (let c = 0; c < ch; c++) FINE[c * 256 + d[p + c]] = 0;
      COARSE.fill(0, 0, 16 * ch);
    }
  const grid = { gw, gh, cell, v };
  return inverse ? [grid, { gw, gh, cell, v: iv }] : [grid];
}

/** Index map of odd reflection: position i of n extended by m either side, as the pair (a, b): 2 v(a) - v(b). */
function reflect(n: number, m: number): Int32Array {
  const out = new Int32Array(2 * (n + 2 * m));
  for (let j = 0; j < n + 2 * m; j++) {
    const i = j - m;
    // v(-k) = 2 v(0) - v(k), v(n - 1 + k) = 2 v(n - 1) - v(n - 1 - k); inside, v(i) = 2 v(i) - v(i).
    if (i < 0) ((out[2 * j] = 0), (out[2 * j + 1] = Math.min(n - 1, -i)));
    else if (i >= n) ((out[2 * j] = n - 1), (out[2 * j + 1] = Math.max(0, 2 * (n - 1) - i)));
    else ((out[2 * j] = i), (out[2 * j + 1] = -1));
  }
  return out;
}

/**
 * The grid extended by `m` cells on every side by odd reflection (v(-k) = 2 v(0) - v(k)): a linear ramp goes on
 * as a ramp, so filters near the edges are not biased by the clipped window (a dark corner would read as paper).
 * Rows are extended first (kept in float64, so a corner is the reflection of exact values), then columns.
 */
export function pad(g: Grid, ch: number, m: number): Grid {
  const gw = g.gw + 2 * m,
    gh = g.gh + 2 * m,
    rx = reflect(g.gw, m),
    ry = reflect(g.gh, m);
  const rows = new Float64Array(gw * g.gh * ch),
    v = new Float32Array(gw * gh * ch);
  for (let y = 0; y < g.gh; y++)
    for (let x = 0; x < gw; x++) {
      const a = (y * g.gw + rx[2 * x]) * ch,
        b = rx[2 * x + 1],
        o = (y * gw + x) * ch;
      if (b < 0) for (let c = 0; c < ch; c++) rows[o + c] = g.v[a + c];
      else for (let c = 0; c < ch; c++) rows[o + c] = 2 * g.v[a + c] - g.v[(y * g.gw + b) * ch + c];
    }
  const rowLen = gw * ch;
  for (let y = 0; y < gh; y++) {
    const a = ry[2 * y] * rowLen,
      b = ry[2 * y + 1],
      o = y * rowLen;
    if (b < 0) for (let i = 0; i < rowLen; i++) v[o + i] = rows[a + i];
    else for (let i = 0, bb = b * rowLen; i < rowLen; i++) v[o + i] = 2 * rows[a + i] - rows[bb + i];
  }
  return { gw, gh, cell: g.cell, v };
}

export function unpad(g: Grid, ch: number, m: number): Float32Array {
  const gw = g.gw - 2 * m,
    gh = g.gh - 2 * m,
    out = new Float32Array(gw * gh * ch);
  for (let y = 0; y < gh; y++)
    out.set(g.v.subarray(((y + m) * g.gw + m) * ch, ((y + m) * g.gw + m + gw) * ch), y * gw * ch);
  return out;
}

/**
 * Running max over a window of 2R+1 of a line's n values (src[s0 + i * stride]), for the positions R .. n - R - 1
 * only: those whose window lies wholly in the line, written to dst[d0 + (i - R) * dStride]. van Herk / Gil-Werman:
 * a prefix max and a suffix max within blocks of 2R+1, so each output is the max of two, whatever R. A running min
 * is the same on negated values (rankFilter negates the grid first and the result back).
 */
function runningMax(
  src: Float32Array,
  s0: number,
  stride: number,
  dst: Float32Array,
  d0: number,
  dStride: number,
  n: number,
  R: number,
  fwd: Float32Array,
  bwd: Float32Array,
) {
  const k = 2 * R + 1;
  for (let b0 = 0; b0 < n; b0 += k) {
    const b1 = Math.min(n, b0 + k);
    let m = (fwd[b0] = src[s0 + b0 * stride]);
    for (let i = b0 + 1, p = s0 + i * stride; i < b1; i++, p += stride) {
      const v = src[p];
      fwd[i] = m = v > m ? v : m;
    }
    m = bwd[b1 - 1] = src[s0 + (b1 - 1) * stride];
    for (let i = b1 - 2, p = s0 + i * stride; i >= b0; i--, p -= stride) {
      const v = src[p];
      bwd[i] = m = v > m ? v : m;
    }
  }
  // [i - R, i + R] spans two blocks (or is one): the suffix max of the first from its start, the prefix max of the
  // second up to its end.
  for (let i = R, o = d0; i < n - R; i++, o += dStride) {
    const a = bwd[i - R],
      b = fwd[i + R];
    dst[o] = a > b ? a : b;
  }
}

/**
 * Max (dilate) or min (erode) over a (2R+1)² window of a grid, per channel (min(x) = -max(-x), exact), at the cells
 * whose window lies wholly in the grid: a grid R cells smaller on every side. Separable: along the rows (the columns
 * kept only), then down the columns, each line read in place.
 */
export function rankFilter(g: Grid, ch: number, R: number, max: boolean): Grid {
  const { gw, gh } = g,
    w = gw - 2 * R,
    h = gh - 2 * R,
    tmp = new Float32Array(w * gh * ch),
    out = new Float32Array(w * h * ch),
    n = Math.max(gw, gh),
    fwd = new Float32Array(n),
    bwd = new Float32Array(n);
  let src = g.v;
  if (!max) {
    src = new Float32Array(g.v.length);
    for (let i = 0; i < src.length; i++) src[i] = -g.v[i];
  }
  for (let y = 0; y < gh; y++)
    for (let c = 0; c < ch; c++) runningMax(src, y * gw * ch + c, ch, tmp, y * w * ch + c, ch, gw, R, fwd, bwd);
  for (let x = 0; x < w; x++)
    for (let c = 0; c < ch; c++) runningMax(tmp, x * ch + c, w * ch, out, x * ch + c, w * ch, gh, R, fwd, bwd);
  if (!max) for (let i = 0; i < out.length; i++) out[i] = -out[i];
  return { gw: w, gh: h, cell: g.cell, v: out };
}

/** Mean over each cell's 3x3 neighbourhood (the part inside the grid), per channel: row sums, then column sums. */
export function boxBlur(g: Grid, ch: number): Float32Array {
  const { gw, gh, v } = g,
    rows = new Float64Array(v.length),
    out = new Float32Array(v.length);
  for (let y = 0; y < gh; y++)
    for (let x = 0; x < gw; x++)
      for (let c = 0; c < ch; c++) {
        const o = (y * gw + x) * ch + c;
        let s = v[o];
        if (x > 0) s += v[o - ch];
        if (x < gw - 1) s += v[o + ch];
        rows[o] = s;
      }
  const row = gw * ch;
  for (let y = 0; y < gh; y++) {
    const ny = (y > 0 ? 1 : 0) + 1 + (y < gh - 1 ? 1 : 0);
    for (let x = 0; x < gw; x++) {
      const n = ny * ((x > 0 ? 1 : 0) + 1 + (x < gw - 1 ? 1 : 0));
      for (let c = 0; c < ch; c++) {
        const o = (y * gw + x) * ch + c;
        let s = rows[o];
        if (y > 0) s += rows[o - row];
        if (y < gh - 1) s += rows[o + row];
        out[o] = s / n;
      }
    }
  }
  return out;
}
