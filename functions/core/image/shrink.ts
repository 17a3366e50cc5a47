/**
 * Early downscaling: rows of 8-bit samples go in as a decoder produces them, and only the shrunk image is kept.
 * An integer factor f averages each f x f block (a box filter, the area average for whole blocks; the last row and
 * column of blocks average what they have), so a 4096x4096 upload never exists at full size after decoding.
 */
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
      for (let ox = 0; ox < W; ox++) {
        const n = rows * (Math.min(width, (ox + 1) * f) - ox * f);
        for (let c = 0; c < ch; c++) this.out.data[base + ox * ch + c] = Math.round(acc[ox * ch + c] / n);
      }
      acc.fill(0);
    }
  }
}
