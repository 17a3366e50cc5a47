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
import { borderSurface } from './border-surface.js';
import { countInto, type Histogram } from './histogram.js';
import { boxBlur, cellQuantiles, pad, rankFilter, unpad, type Grid } from './paper-grid.js';
import type { Raster } from './types.js';

const CELLS = 48; // grid cells along the longer side
const MIN_CELL = 6; // pixels: finer cells cost time and see no more of the light

export type PaperModel = 'closing' | 'border';

export interface Paper {
  grid: Grid;
  model: PaperModel;
  /** Closing window in pixels (closing model). */
  window: number;
}

const cellOf = (r: Raster) => Math.max(MIN_CELL, Math.round(Math.max(r.width, r.height) / CELLS));
// Closing window of 9 cells (3/16 of the longer side of a picture of 48 cells or more; about half of it at the
// photo steps' 112 px, cells of 6 px): wider than a stroke of a digit that fills the frame.
const R_CLOSING = 4;

/**
 * The closing model's paper from the cells' quantiles: max then min filter, smoothed twice, on the grid padded by
 * what the four reach (2R + 2). Each filter gives only the cells whose window lay wholly inside (the grid cut by
 * its reach): the next one reads no more, and the cells left at the end are the grid's own.
 */
function closing(grid: Grid, ch: number): Paper {
  const R = R_CLOSING;
  let p = pad(grid, ch, 2 * R + 2);
  const keepInner = (v: Float32Array, k: number) =>
    (p = { gw: p.gw - 2 * k, gh: p.gh - 2 * k, cell: p.cell, v: unpad({ ...p, v }, ch, k) });
  p = rankFilter(rankFilter(p, ch, R, true), ch, R, false);
  keepInner(boxBlur(p, ch), 1);
  keepInner(boxBlur(p, ch), 1);
  grid.v = p.v;
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

/** Where each column's paper comes from: the two grid cells either side (times ch) and their weights. */
function columns(W: number, gw: number, cell: number, ch: number) {
  const x0 = new Int32Array(W),
    x1 = new Int32Array(W),
    wx = new Float32Array(W),
    ux = new Float64Array(W); // 1 - wx, as the expression gives it
  for (let x = 0; x < W; x++) {
    const fx = Math.min(gw - 1, Math.max(0, (x + 0.5) / cell - 0.5));
    x0[x] = Math.floor(fx) * ch;
    x1[x] = Math.min(gw - 1, Math.floor(fx) + 1) * ch;
    wx[x] = fx - Math.floor(fx);
    ux[x] = 1 - wx[x];
  }
  return { x0, x1, wx, ux };
}

/** The paper of row y between the grid's rows (vertical interpolation), per cell and channel, into `row`. */
function paperRow(g: Paper['grid'], ch: number, y: number, row: Float32Array): void {
  const { gw, gh, cell, v } = g,
    fy = Math.min(gh - 1, Math.max(0, (y + 0.5) / cell - 0.5)),
    y0 = Math.floor(fy),
    y1 = Math.min(gh - 1, y0 + 1),
    wy = fy - y0;
  for (let i = 0; i < gw * ch; i++) row[i] = (1 - wy) * v[y0 * gw * ch + i] + wy * v[y1 * gw * ch + i];
}

/**
 * Darkness against the paper: 1 - min over channels of pixel / paper, in [0,1] (paper bilinear between cells).
 * `invert`: of the picture inverted (each sample 255 - v), as darkness(inverted r) without the copy. `hist`, an
 * empty histogram (emptyHistogram), is filled with the values as they are made: histogram(darkness(...)).
 */
export function darkness(r: Raster, paper: Paper, invert = false, hist?: Histogram): Float32Array {
  const ch = r.channels,
    W = r.width;
  const out = new Float32Array(W * r.height),
    row = new Float32Array(paper.grid.gw * ch),
    { x0: x0s, x1: x1s, wx: wxs, ux: uxs } = columns(W, paper.grid.gw, paper.grid.cell, ch);
  const data = r.data,
    flip = invert ? 255 : 0,
    sign = invert ? -1 : 1; // sample = flip + sign * v: exact in both readings
  for (let y = 0; y < r.height; y++) {
    paperRow(paper.grid, ch, y, row);
    const o = y * W;
    if (ch === 1)
      for (let x = 0; x < W; x++) {
        const bg = uxs[x] * row[x0s[x]] + wxs[x] * row[x1s[x]];
        const ratio = (flip + sign * data[o + x]) / (bg > 8 ? bg : 8);
        out[o + x] = 1 - (ratio < 1 ? ratio : 1);
      }
    else
      for (let x = 0, p = o * 3; x < W; x++, p += 3) {
        const ux = uxs[x],
          wx = wxs[x],
          a = x0s[x],
          b = x1s[x];
        const r0 = ux * row[a] + wx * row[b],
          g0 = ux * row[a + 1] + wx * row[b + 1],
          b0 = ux * row[a + 2] + wx * row[b + 2];
        let m = (flip + sign * data[p]) / (r0 > 8 ? r0 : 8);
        const mg = (flip + sign * data[p + 1]) / (g0 > 8 ? g0 : 8),
          mb = (flip + sign * data[p + 2]) / (b0 > 8 ? b0 : 8);
        if (mg < m) m = mg;
        if (mb < m) m = mb;
        out[o + x] = 1 - (m < 1 ? m : 1);
      }
    if (hist) countInto(hist, out, o, o + W);
  }
  return out;
}

/**
 * Both polarity readings in one pass over the picture: [darkness(r, light), darkness(r, dark, true)], the same
 * values, and their histograms filled as darkness() fills one. The two papers share their grid's geometry
 * (estimatePapers).
 */
export function darknessPair(
  r: Raster,
  light: Paper,
  dark: Paper,
  hists?: [Histogram, Histogram],
): [Float32Array, Float32Array] {
  const ch = r.channels,
    W = r.width,
    { gw, cell } = light.grid;
  if (dark.grid.gw !== gw || dark.grid.gh !== light.grid.gh || dark.grid.cell !== cell)
    throw new Error('darknessPair: the two papers are on different grids');
  const a = new Float32Array(W * r.height),
    b = new Float32Array(W * r.height),
    ra = new Float32Array(gw * ch),
    rb = new Float32Array(gw * ch),
    { x0: x0s, x1: x1s, wx: wxs, ux: uxs } = columns(W, gw, cell, ch),
    data = r.data;
  // Each expression as darkness() writes it, so both maps are bit for bit its own.
  const ratio = (s: number, bg: number) => s / (bg > 8 ? bg : 8);
  for (let y = 0; y < r.height; y++) {
    paperRow(light.grid, ch, y, ra);
    paperRow(dark.grid, ch, y, rb);
    const o = y * W;
    if (ch === 1)
      for (let x = 0; x < W; x++) {
        const ux = uxs[x],
          wx = wxs[x],
          i = x0s[x],
          j = x1s[x],
          s = data[o + x];
        const qa = ratio(s, ux * ra[i] + wx * ra[j]),
          qb = ratio(255 - s, ux * rb[i] + wx * rb[j]);
        a[o + x] = 1 - (qa < 1 ? qa : 1);
        b[o + x] = 1 - (qb < 1 ? qb : 1);
      }
    else
      for (let x = 0, p = o * 3; x < W; x++, p += 3) {
        const ux = uxs[x],
          wx = wxs[x],
          i = x0s[x],
          j = x1s[x],
          s0 = data[p],
          s1 = data[p + 1],
          s2 = data[p + 2];
        let qa = ratio(s0, ux * ra[i] + wx * ra[j]),
          qb = ratio(255 - s0, ux * rb[i] + wx * rb[j]);
        const ga = ratio(s1, ux * ra[i + 1] + wx * ra[j + 1]),
          gb = ratio(255 - s1, ux * rb[i + 1] + wx * rb[j + 1]),
          ba = ratio(s2, ux * ra[i + 2] + wx * ra[j + 2]),
          bb = ratio(255 - s2, ux * rb[i + 2] + wx * rb[j + 2]);
        if (ga < qa) qa = ga;
        if (ba < qa) qa = ba;
        if (gb < qb) qb = gb;
        if (bb < qb) qb = bb;
        a[o + x] = 1 - (qa < 1 ? qa : 1);
        b[o + x] = 1 - (qb < 1 ? qb : 1);
      }
    if (hists) {
      countInto(hists[0], a, o, o + W);
      countInto(hists[1], b, o, o + W);
    }
  }
  return [a, b];
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
  // Integer sums (a cell's at most 255 x its pixels: exact in float32 too).
  const gx = Int32Array.from({ length: r.width }, (_, x) => (x / cell) | 0),
    data = r.data;
  for (let y = 0, p = 0; y < r.height; y++) {
    const g0 = ((y / cell) | 0) * gw;
    for (let x = 0; x < r.width; x++, p++) {
      if (ink[p]) continue;
      const g = g0 + gx[x];
      count[g]++;
      if (ch === 1) sum[g] += data[p];
      else {
        sum[3 * g] += data[3 * p];
        sum[3 * g + 1] += data[3 * p + 1];
        sum[3 * g + 2] += data[3 * p + 2];
      }
    }
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
