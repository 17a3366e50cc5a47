/**
 * Early downscaling: rows of 8-bit samples go in as a decoder produces them, and only the shrunk image is kept.
 * An integer factor f averages each f x f block (a box filter, the area average for whole blocks; the last row and
 * column of blocks average what they have), so a 4096x4096 upload never exists at full size after decoding.
 */
import { neutral } from './ops.js';
import { WORK_SIDE, type Raster } from './types.js';

/** The smallest integer factor that brings the longest side to at most `side`. */
export const shrinkFactor = (width: number, height: number, side = WORK_SIDE) =>
  Math.max(1, Math.ceil(Math.max(width, height) / side));

export class Shrinker {
  readonly out: Raster;
  private readonly acc: Uint32Array;
  private rowsIn = 0;

  constructor(
    readonly width: number,
    readonly height: number,
    readonly channels: 1 | 3,
    readonly f: number,
  ) {
    const w = Math.ceil(width / f),
      h = Math.ceil(height / f);
    this.out = { width: w, height: h, channels, data: new Uint8Array(w * h * channels) };
    this.acc = new Uint32Array(f > 1 ? w * channels : 0);
  }

  /** The next source row: width * channels 8-bit samples. */
  push(row: Uint8Array): void {
    const { f, channels: ch, width } = this,
      y = this.rowsIn++;
    const W = this.out.width;
    if (f === 1) {
      this.out.data.set(row.subarray(0, width * ch), y * width * ch);
      return;
    }
    const acc = this.acc;
    if (f === 2) {
      // The first row of a pair is held as its column pairs' sums; the second completes the block and is written out.
      if ((y & 1) === 0 && y + 1 < this.height) this.pairs(row);
      else this.pairsOut(row, y);
      return;
    }
    // Source column x adds to output column floor(x / f): o steps on every f columns.
    if (ch === 3)
      for (let x = 0, i = 0, o = 0, k = 0; x < width; x++, i += 3) {
        acc[o] += row[i];
        acc[o + 1] += row[i + 1];
        acc[o + 2] += row[i + 2];
        if (++k === f) {
          k = 0;
          o += 3;
        }
      }
    else
      for (let x = 0, o = 0, k = 0; x < width; x++) {
        acc[o] += row[x];
        if (++k === f) {
          k = 0;
          o++;
        }
      }
    if ((y + 1) % f === 0 || y + 1 === this.height) {
      const oy = (y / f) | 0,
        rows = y - oy * f + 1,
        base = oy * W * ch;
      const out = this.out.data,
        whole = Math.floor(width / f) * ch; // sums of f columns; a last, narrower column after them
      for (let i = 0; i < whole; i++) out[base + i] = Math.round(acc[i] / (rows * f));
      for (let i = whole, n = rows * (width - (whole / ch) * f); i < W * ch; i++)
        out[base + i] = Math.round(acc[i] / n);
      acc.fill(0);
    }
  }

  /**
   * The first row of a block pair, a factor of 2 (a 280 px upload's case): the sums of its column pairs (the odd
   * last column alone) into acc, each pair of columns at once.
   */
  private pairs(row: Uint8Array): void {
    const acc = this.acc,
      n = this.width >> 1;
    if (this.channels === 3) {
      for (let o = 0, i = 0; o < 3 * n; o += 3, i += 6) {
        acc[o] = row[i] + row[i + 3];
        acc[o + 1] = row[i + 1] + row[i + 4];
        acc[o + 2] = row[i + 2] + row[i + 5];
      }
      if (this.width & 1) for (let c = 0; c < 3; c++) acc[3 * n + c] = row[6 * n + c];
    } else {
      for (let o = 0; o < n; o++) acc[o] = row[2 * o] + row[2 * o + 1];
      if (this.width & 1) acc[n] = row[2 * n];
    }
  }

  /**
   * The row that ends a block row of a factor of 2, written out: each block the rounded mean of its samples, the
   * held row's sums (acc) and this row's pairs, in integers (round(s / 4) = (s + 2) >> 2, half up as Math.round);
   * a lone last row (odd height) and the odd last column average the samples they have.
   */
  private pairsOut(row: Uint8Array, y: number): void {
    const acc = this.acc,
      n = this.width >> 1,
      out = this.out.data,
      ch = this.channels,
      base = (y >> 1) * this.out.width * ch;
    if ((y & 1) === 0) {
      // A lone last row: blocks of 2 samples (half up: (s + 1) >> 1), a last lone sample as it is.
      for (let o = 0, i = 0; o < ch * n; o += ch, i += 2 * ch)
        for (let c = 0; c < ch; c++) out[base + o + c] = (row[i + c] + row[i + ch + c] + 1) >> 1;
      if (this.width & 1) for (let c = 0; c < ch; c++) out[base + ch * n + c] = row[2 * ch * n + c];
      return;
    }
    if (ch === 3)
      for (let o = 0, i = 0; o < 3 * n; o += 3, i += 6) {
        out[base + o] = (acc[o] + row[i] + row[i + 3] + 2) >> 2;
        out[base + o + 1] = (acc[o + 1] + row[i + 1] + row[i + 4] + 2) >> 2;
        out[base + o + 2] = (acc[o + 2] + row[i + 2] + row[i + 5] + 2) >> 2;
      }
    else for (let o = 0; o < n; o++) out[base + o] = (acc[o] + row[2 * o] + row[2 * o + 1] + 2) >> 2;
    // The odd last column: a block of 2 samples.
    if (this.width & 1)
      for (let c = 0; c < ch; c++) out[base + ch * n + c] = (acc[ch * n + c] + row[2 * ch * n + c] + 1) >> 1;
  }
}

/**
 * A 1-D area average from n samples to m (m < n): source sample i covers [i, i + 1), target t covers
 * [t f, (t + 1) f) with f = n / m > 1, so a sample falls in at most two targets: `to[i]` and the next, with
 * `w[i]` and 1/f - w[i] of its value (the share of it in each, over the target's span f).
 */
function areaSplit(n: number, m: number) {
  const f = n / m,
    to = new Int32Array(n),
    w = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const t = Math.min(m - 1, Math.floor(i / f));
    to[i] = t;
    w[i] = Math.min(1, (t + 1) * f - i) / f;
  }
  return { to, w, inv: 1 / f };
}

/**
 * The raster shrunk to exactly w x h (smaller than its own size) by the area average: each target pixel the mean
 * of the source area it covers, partial pixels weighted by their share (a box filter of any factor, not only whole
 * ones). Separable, in one pass over the rows: each row averaged across, then added into the (at most two) target
 * rows it falls in.
 */
export function shrinkTo(r: Raster, w: number, h: number): Raster {
  return area(r, w, h, false)!;
}

/**
 * shrinkTo; with `grayOfRgb`, of an RGB raster read as one channel, each pixel checked to be gray (R = G = B) as it
 * is read: shrinkTo(neutral(r)) without the gray copy, or null at the first coloured pixel.
 */
function area(r: Raster, w: number, h: number, grayOfRgb: boolean): Raster | null {
  const { width: W, height: H, data } = r,
    ch = grayOfRgb ? 1 : r.channels,
    step = grayOfRgb ? 3 : 1;
  const { to: tx, w: wx, inv: ix } = areaSplit(W, w),
    { to: ty, w: wy, inv: iy } = areaSplit(H, h);
  const line = new Float64Array((w + 1) * ch),
    L = w * ch,
    out = new Uint8Array(w * h * ch);
  // Target rows `row` (upper) and row + 1 (lower): a source row falls in these two at most, and rows come in order,
  // so a target row is whole once a source row starts in the next one, and is written out then.
  let upper = new Float64Array(L),
    lower = new Float64Array(L),
    row = 0;
  const emit = () => {
    for (let i = 0, o = row * L; i < L; i++) out[o + i] = Math.round(upper[i]);
    [upper, lower] = [lower, upper.fill(0)];
    row++;
  };
  // Across: target t is the sum, in source order, of the second parts of the samples that start in t - 1, then
  // of the first parts of those that start in t (as adding each sample's parts into the targets would make it),
  // gathered in registers.
  for (let y = 0, p = 0; y < H; y++) {
    let t = 0;
    if (ch === 1) {
      let s = 0,
        next = 0;
      for (let x = 0; x < W; x++, p += step) {
        const v = data[p];
        if (grayOfRgb && (data[p + 1] !== v || data[p + 2] !== v)) return null;
        const to = tx[x],
          a = wx[x] * v;
        if (to !== t) {
          line[t] = s;
          s = next;
          next = 0;
          t = to;
        }
        s += a;
        next += ix * v - a;
      }
      line[t] = s;
      line[t + 1] = next;
    } else {
      let r = 0,
        g = 0,
        b = 0,
        nr = 0,
        ng = 0,
        nb = 0;
      for (let x = 0; x < W; x++, p += 3) {
        const to = tx[x];
        if (to !== t) {
          line[3 * t] = r;
          line[3 * t + 1] = g;
          line[3 * t + 2] = b;
          r = nr;
          g = ng;
          b = nb;
          nr = ng = nb = 0;
          t = to;
        }
        const k = wx[x],
          j = ix - k,
          r0 = data[p],
          g0 = data[p + 1],
          b0 = data[p + 2];
        r += k * r0;
        g += k * g0;
        b += k * b0;
        nr += j * r0;
        ng += j * g0;
        nb += j * b0;
      }
      line.set([r, g, b, nr, ng, nb], 3 * t);
    }
    while (row < ty[y]) emit();
    const k = wy[y],
      j = iy - k;
    for (let i = 0; i < L; i++) {
      const v = line[i];
      upper[i] += k * v;
      lower[i] += j * v;
    }
  }
  while (row < h) emit();
  return { width: w, height: h, channels: ch, data: out };
}

/**
 * The raster with its longest side brought down to `side` (shrinkTo, the aspect ratio kept); as it is if within.
 * `gray`: an RGB raster whose every pixel is gray comes out as one channel, as shrinkToSide(neutral(r), side), its
 * gray copy never made.
 */
export function shrinkToSide(r: Raster, side: number, gray = false): Raster {
  const s = side / Math.max(r.width, r.height);
  if (s >= 1) return gray ? neutral(r) : r;
  const w = Math.max(1, Math.round(r.width * s)),
    h = Math.max(1, Math.round(r.height * s));
  return (gray && r.channels === 3 && area(r, w, h, true)) || shrinkTo(r, w, h);
}
