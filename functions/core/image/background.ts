/**
 * Illumination correction. The paper's colour is estimated per channel on a coarse grid of cells, then each pixel
 * is divided by it, so that a shadow, a lighting gradient or tinted paper all become "paper = 1". The ink is then
 * how much light a pixel absorbs in its most absorbing channel: 1 - min over R, G, B of pixel / paper. Blue ink on
 * yellow paper, red on pink, pencil on grey: any ink darker than its paper in some channel.
 *
 * Two estimates of the paper, by what the image holds:
 *   closing: thin ink (digits, text): the grid's 80th-percentile cells, closed (max then min filter over a window
 *            wider than a stroke, so strokes vanish from it) and smoothed; follows uneven light closely.
 *   border:  a large object (clothing) that may fill most of the frame: a quadratic surface a + bx + cy + dx² +
 *            exy + fy² fitted to the cells of the border, robustly (cells far off the fit dropped, refitted).
 */
import type { Raster } from './types.js';

const CELLS = 48; // grid cells along the longer side
const MIN_CELL = 8; // pixels: finer cells cost time and see no more of the light

export type PaperModel = 'closing' | 'border';

interface Grid {
  gw: number;
  gh: number;
  cell: number;
  /** gw * gh * channels paper values (0-255). */
  v: Float32Array;
}

/**
 * Per cell and channel, the q-th quantile of the cell's samples (a histogram per cell); with `inverse`, from the
 * same histograms, the q-th quantile of the inverted samples (255 - v) too: the picture read the other way round.
 */
function cellQuantiles(r: Raster, cell: number, q: number, inverse: true): [Grid, Grid];
function cellQuantiles(r: Raster, cell: number, q: number): [Grid];
function cellQuantiles(r: Raster, cell: number, q: number, inverse = false): Grid[] {
  const gw = Math.ceil(r.width / cell),
    gh = Math.ceil(r.height / cell),
    ch = r.channels;
  const v = new Float32Array(gw * gh * ch),
    iv = new Float32Array(inverse ? gw * gh * ch : 0),
    hist = new Uint32Array(256),
    small = new Uint8Array(cell * cell);
  for (let gy = 0; gy < gh; gy++)
    for (let gx = 0; gx < gw; gx++)
      for (let c = 0; c < ch; c++) {
        const y1 = Math.min(r.height, (gy + 1) * cell),
          x1 = Math.min(r.width, (gx + 1) * cell);
        const n = (y1 - gy * cell) * (x1 - gx * cell),
          at = Math.floor(q * (n - 1)),
          // The inverted samples' at-th smallest is 255 minus the (n - 1 - at)-th smallest of the samples.
          iat = n - 1 - at;
        let k = 0,
          ik = 0;
        if (n <= 16) {
          // A small cell: sorting its few samples costs less than a histogram.
          let m = 0;
          for (let y = gy * cell; y < y1; y++)
            for (let x = gx * cell; x < x1; x++) small[m++] = r.data[(y * r.width + x) * ch + c];
          const sorted = small.subarray(0, m).sort(); // as the histogram: the smallest k with more than `at` at or below
          k = sorted[at];
          ik = sorted[iat];
        } else {
          hist.fill(0);
          for (let y = gy * cell; y < y1; y++)
            for (let x = gx * cell, p = (y * r.width + x) * ch + c; x < x1; x++, p += ch) hist[r.data[p]]++;
          let acc = 0;
          for (; k < 255; k++) if ((acc += hist[k]) > at) break;
          if (inverse) {
            acc = 0;
            for (; ik < 255; ik++) if ((acc += hist[ik]) > iat) break;
          }
        }
        v[(gy * gw + gx) * ch + c] = k;
        if (inverse) iv[(gy * gw + gx) * ch + c] = 255 - ik;
      }
  const grid = { gw, gh, cell, v };
  return inverse ? [grid, { gw, gh, cell, v: iv }] : [grid];
}

/**
 * The grid extended by `m` cells on every side by odd reflection (v(-k) = 2 v(0) - v(k)): a linear ramp goes on
 * as a ramp, so filters near the edges are not biased by the clipped window (a dark corner would read as paper).
 */
function pad(g: Grid, ch: number, m: number): Grid {
  const gw = g.gw + 2 * m,
    gh = g.gh + 2 * m,
    v = new Float32Array(gw * gh * ch);
  const odd = (get: (i: number) => number, i: number, n: number) =>
    i < 0
      ? 2 * get(0) - get(Math.min(n - 1, -i))
      : i >= n
        ? 2 * get(n - 1) - get(Math.max(0, 2 * (n - 1) - i))
        : get(i);
  for (let c = 0; c < ch; c++) {
    const row = (x: number, y: number) => odd((i) => g.v[(y * g.gw + i) * ch + c], x, g.gw);
    for (let y = 0; y < gh; y++)
      for (let x = 0; x < gw; x++) v[(y * gw + x) * ch + c] = odd((j) => row(x - m, j), y - m, g.gh);
  }
  return { gw, gh, cell: g.cell, v };
}

function unpad(g: Grid, ch: number, m: number): Float32Array {
  const gw = g.gw - 2 * m,
    gh = g.gh - 2 * m,
    out = new Float32Array(gw * gh * ch);
  for (let y = 0; y < gh; y++)
    out.set(g.v.subarray(((y + m) * g.gw + m) * ch, ((y + m) * g.gw + m + gw) * ch), y * gw * ch);
  return out;
}

/** Max (dilate) or min (erode) over a (2R+1)² window of a grid, per channel. Separable. */
function rankFilter(g: Grid, ch: number, R: number, max: boolean): Float32Array {
  const { gw, gh, v } = g,
    tmp = new Float32Array(v.length),
    out = new Float32Array(v.length),
    sign = max ? 1 : -1; // min(x) = -max(-x): one loop for both
  for (let y = 0; y < gh; y++)
    for (let x = 0; x < gw; x++) {
      const k0 = Math.max(0, x - R),
        k1 = Math.min(gw - 1, x + R);
      for (let c = 0; c < ch; c++) {
        let m = -Infinity;
        for (let k = k0; k <= k1; k++) {
          const t = sign * v[(y * gw + k) * ch + c];
          if (t > m) m = t;
        }
        tmp[(y * gw + x) * ch + c] = sign * m;
      }
    }
  for (let y = 0; y < gh; y++) {
    const k0 = Math.max(0, y - R),
      k1 = Math.min(gh - 1, y + R);
    for (let x = 0; x < gw; x++)
      for (let c = 0; c < ch; c++) {
        let m = -Infinity;
        for (let k = k0; k <= k1; k++) {
          const t = sign * tmp[(k * gw + x) * ch + c];
          if (t > m) m = t;
        }
        out[(y * gw + x) * ch + c] = sign * m;
      }
  }
  return out;
}

function boxBlur(g: Grid, ch: number): Float32Array {
  const { gw, gh, v } = g,
    out = new Float32Array(v.length);
  for (let y = 0; y < gh; y++)
    for (let x = 0; x < gw; x++)
      for (let c = 0; c < ch; c++) {
        let s = 0,
          n = 0;
        for (let dy = -1; dy <= 1; dy++)
          for (let dx = -1; dx <= 1; dx++) {
            const yy = y + dy,
              xx = x + dx;
            if (yy < 0 || yy >= gh || xx < 0 || xx >= gw) continue;
            s += v[(yy * gw + xx) * ch + c];
            n++;
          }
        out[(y * gw + x) * ch + c] = s / n;
      }
  return out;
}

/** Least squares of a quadratic surface over the cells with weight 1 (normal equations, 6x6 Gaussian elimination). */
function fitQuadratic(g: Grid, ch: number, c: number, use: Uint8Array): number[] {
  const A = Array.from({ length: 6 }, () => new Array(7).fill(0));
  for (let y = 0; y < g.gh; y++)
    for (let x = 0; x < g.gw; x++) {
      if (!use[y * g.gw + x]) continue;
      const u = x / g.gw - 0.5,
        w = y / g.gh - 0.5;
      const f = [1, u, w, u * u, u * w, w * w],
        t = g.v[(y * g.gw + x) * ch + c];
      for (let i = 0; i < 6; i++) {
        for (let j = 0; j < 6; j++) A[i][j] += f[i] * f[j];
        A[i][6] += f[i] * t;
      }
    }
  for (let i = 0; i < 6; i++) A[i][i] += 1e-6; // keeps a degenerate border (a few cells) solvable
  for (let i = 0; i < 6; i++) {
    let p = i;
    for (let k = i + 1; k < 6; k++) if (Math.abs(A[k][i]) > Math.abs(A[p][i])) p = k;
    [A[i], A[p]] = [A[p], A[i]];
    for (let k = 0; k < 6; k++) {
      if (k === i) continue;
      const m = A[k][i] / A[i][i];
      for (let j = i; j < 7; j++) A[k][j] -= m * A[i][j];
    }
  }
  return A.map((row, i) => row[6] / row[i]);
}

function borderSurface(g: Grid, ch: number): Float32Array {
  const { gw, gh } = g,
    out = new Float32Array(g.v.length);
  const ring = Math.max(1, Math.round(Math.min(gw, gh) / 12));
  for (let c = 0; c < ch; c++) {
    const use = new Uint8Array(gw * gh);
    for (let y = 0; y < gh; y++)
      for (let x = 0; x < gw; x++) use[y * gw + x] = x < ring || y < ring || x >= gw - ring || y >= gh - ring ? 1 : 0;
    let coef = [0, 0, 0, 0, 0, 0];
    for (let iter = 0; iter < 3; iter++) {
      coef = fitQuadratic(g, ch, c, use);
      // Drop border cells far below the fit (an object touching the border), keep the rest.
      const res: number[] = [];
      const at = (x: number, y: number) => {
        const u = x / gw - 0.5,
          w = y / gh - 0.5;
        return coef[0] + coef[1] * u + coef[2] * w + coef[3] * u * u + coef[4] * u * w + coef[5] * w * w;
      };
      for (let i = 0; i < gw * gh; i++) if (use[i]) res.push(g.v[i * ch + c] - at(i % gw, Math.floor(i / gw)));
      const sorted = res.slice().sort((a, b) => a - b);
      const mad = Math.max(2, sorted[Math.floor(sorted.length / 2)] - sorted[Math.floor(sorted.length / 4)]) * 1.5;
      let k = 0;
      for (let i = 0; i < gw * gh; i++) if (use[i] && res[k++] < -3 * mad) use[i] = 0;
    }
    for (let y = 0; y < gh; y++)
      for (let x = 0; x < gw; x++) {
        const u = x / gw - 0.5,
          w = y / gh - 0.5;
        out[(y * gw + x) * ch + c] =
          coef[0] + coef[1] * u + coef[2] * w + coef[3] * u * u + coef[4] * u * w + coef[5] * w * w;
      }
  }
  return out;
}

export interface Paper {
  grid: Grid;
  model: PaperModel;
  /** Closing window in pixels (closing model). */
  window: number;
}

const cellOf = (r: Raster) => Math.max(MIN_CELL, Math.round(Math.max(r.width, r.height) / CELLS));
// Closing window of 9 cells (3/16 of the longer side): wider than a stroke of a digit that fills the frame.
const R_CLOSING = 4;

/** The closing model's paper from the cells' quantiles: max then min filter, smoothed twice. */
function closing(grid: Grid, ch: number): Paper {
  const R = R_CLOSING,
    m = 2 * R + 2,
    p = pad(grid, ch, m);
  p.v = rankFilter(p, ch, R, true);
  p.v = rankFilter(p, ch, R, false);
  p.v = boxBlur(p, ch);
  p.v = boxBlur(p, ch);
  grid.v = unpad(p, ch, m);
  return { grid, model: 'closing', window: (2 * R + 1) * grid.cell };
}

/** The paper's colour over the image (see the file's header). `r` is light paper, dark ink (invert first if not). */
export function estimatePaper(r: Raster, model: PaperModel): Paper {
  const [grid] = cellQuantiles(r, cellOf(r), 0.8);
  if (model === 'closing') return closing(grid, r.channels);
  grid.v = borderSurface(grid, r.channels);
  return { grid, model, window: cellOf(r) };
}

/**
 * The closing model's paper of `r` and of `r` inverted (255 - v), from one histogram per cell: estimatePaper(r)
 * and estimatePaper(inverted r), without the inverted copy.
 */
export function estimatePapers(r: Raster): { light: Paper; dark: Paper } {
  const [a, b] = cellQuantiles(r, cellOf(r), 0.8, true);
  return { light: closing(a, r.channels), dark: closing(b, r.channels) };
}

/**
 * Darkness against the paper: 1 - min over channels of pixel / paper, in [0,1] (paper bilinear between cells).
 * `invert`: of the picture inverted (each sample 255 - v), as darkness(inverted r) without the copy.
 */
export function darkness(r: Raster, paper: Paper, invert = false): Float32Array {
  const { gw, gh, cell, v } = paper.grid,
    ch = r.channels,
    W = r.width;
  const out = new Float32Array(W * r.height),
    row = new Float32Array(gw * ch);
  // Horizontal interpolation per column, the same for every row.
  const x0s = new Int32Array(W),
    x1s = new Int32Array(W),
    wxs = new Float32Array(W);
  for (let x = 0; x < W; x++) {
    const fx = Math.min(gw - 1, Math.max(0, (x + 0.5) / cell - 0.5));
    x0s[x] = Math.floor(fx) * ch;
    x1s[x] = Math.min(gw - 1, Math.floor(fx) + 1) * ch;
    wxs[x] = fx - Math.floor(fx);
  }
  for (let y = 0; y < r.height; y++) {
    const fy = Math.min(gh - 1, Math.max(0, (y + 0.5) / cell - 0.5)),
      y0 = Math.floor(fy),
      y1 = Math.min(gh - 1, y0 + 1),
      wy = fy - y0;
    for (let g = 0; g < gw * ch; g++) row[g] = (1 - wy) * v[y0 * gw * ch + g] + wy * v[y1 * gw * ch + g];
    for (let x = 0, p = y * W * ch; x < W; x++, p += ch) {
      const wx = wxs[x],
        a = x0s[x],
        b = x1s[x];
      let m = 1;
      for (let c = 0; c < ch; c++) {
        const bg = (1 - wx) * row[a + c] + wx * row[b + c];
        const ratio = (invert ? 255 - r.data[p + c] : r.data[p + c]) / (bg > 8 ? bg : 8);
        if (ratio < m) m = ratio;
      }
      out[y * W + x] = 1 - m;
    }
  }
  return out;
}

/**
 * A second, closer estimate once the ink is known: each cell's mean over its pixels that are not ink (`ink` mask,
 * 1 = ink), cells covered by ink filled in from their neighbours (normalised convolution, growing until every cell
 * has paper), then smoothed once. The paper is measured right up to the strokes, so a shadow's edge next to the ink
 * leaves no halo (the closing can only over-estimate there).
 */
export function refinePaper(r: Raster, ink: Uint8Array, previous: Paper): Paper {
  const { cell } = previous.grid,
    ch = r.channels;
  const gw = Math.ceil(r.width / cell),
    gh = Math.ceil(r.height / cell);
  let sum = new Float32Array(gw * gh * ch),
    count = new Float32Array(gw * gh);
  for (let y = 0; y < r.height; y++)
    for (let x = 0; x < r.width; x++) {
      const p = y * r.width + x;
      if (ink[p]) continue;
      const g = ((y / cell) | 0) * gw + ((x / cell) | 0);
      count[g]++;
      for (let c = 0; c < ch; c++) sum[g * ch + c] += r.data[p * ch + c];
    }
  // Sums and counts over the 3x3 neighbourhood (weights 4 centre, 2 edge, 1 corner); `onlyEmpty` changes only the
  // cells that have no paper yet (filling in), otherwise every cell (smoothing).
  const spread = (onlyEmpty: boolean) => {
    const s2 = sum.slice(),
      c2 = count.slice();
    for (let y = 0; y < gh; y++)
      for (let x = 0; x < gw; x++) {
        const g = y * gw + x;
        if (onlyEmpty && count[g] > 0) continue;
        c2[g] = 0;
        for (let c = 0; c < ch; c++) s2[g * ch + c] = 0;
        for (let dy = -1; dy <= 1; dy++)
          for (let dx = -1; dx <= 1; dx++) {
            const yy = y + dy,
              xx = x + dx;
            if (yy < 0 || yy >= gh || xx < 0 || xx >= gw) continue;
            const q = yy * gw + xx,
              wgt = ((dx === 0 ? 2 : 1) * (dy === 0 ? 2 : 1)) / Math.max(1, count[q]);
            if (!count[q]) continue;
            c2[g] += wgt * count[q];
            for (let c = 0; c < ch; c++) s2[g * ch + c] += wgt * sum[q * ch + c];
          }
      }
    sum = s2;
    count = c2;
  };
  for (let i = 0; i < Math.max(gw, gh) && count.some((n) => n === 0); i++) spread(true);
  spread(false);
  const v = new Float32Array(gw * gh * ch);
  for (let g = 0; g < gw * gh; g++)
    for (let c = 0; c < ch; c++) v[g * ch + c] = count[g] > 0 ? sum[g * ch + c] / count[g] : 255;
  return { grid: { gw, gh, cell, v }, model: previous.model, window: previous.window };
}
