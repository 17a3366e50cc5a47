/**
 * The image-folder models' preprocessing (meta.json protocol "letterbox" or "crop", as training/data/image-folder.ts
 * did with sharp): the picture as it is, no inversion or cropping to the object, in C planes (gray or RGB),
 * resized to H x W keeping its aspect ratio. letterbox fits all of it and pads with black; crop fills H x W and cuts
 * the overflow around the centre.
 *
 * One pass from the 8-bit raster into the C x H x W tensor: the resize (ops.ts resize's resampling: the exact area
 * average when shrinking, bilinear when enlarging) is separable, so each kept output row sums its source rows
 * once, then each kept output pixel its columns; only the part the crop keeps is computed, and no float copy of
 * the picture is made.
 */
import { toGray, type Gray } from './ops.js';
import type { Raster } from './types.js';

export type FitProtocol = 'letterbox' | 'crop';

/** The raster as `channels` float planes in [0,1]: luma for 1, R, G, B for 3 (a gray raster repeated). */
export function planes(r: Raster, channels: number): Gray[] {
  if (channels === 1) return [toGray(r)];
  const n = r.width * r.height;
  return [0, 1, 2].map((c) => {
    const data = new Float32Array(n),
      k = 1 / 255;
    if (r.channels === 1) for (let p = 0; p < n; p++) data[p] = r.data[p] * k;
    else for (let p = 0; p < n; p++) data[p] = r.data[p * 3 + c] * k;
    return { width: r.width, height: r.height, data };
  });
}

/**
 * One axis of a resize from `src` to `dst` samples, for the outputs from..to-1: output i is the sum over its taps
 * j < count[i] of source first[i] + j times weight[i * per + j] (ops.ts resize's weights, the area ones divided by
 * the factor).
 */
interface Taps {
  first: Int32Array;
  count: Int32Array;
  weight: Float64Array;
  per: number;
}

function taps(src: number, dst: number, area: boolean, from: number, to: number): Taps {
  const n = dst,
    f = src / dst,
    per = area ? Math.ceil(f) + 1 : 2;
  const t: Taps = { first: new Int32Array(n), count: new Int32Array(n), weight: new Float64Array(n * per), per };
  for (let i = from; i < to; i++) {
    if (area) {
      const a = i * f,
        b = a + f,
        s0 = Math.floor(a),
        s1 = Math.min(src, Math.ceil(b));
      t.first[i] = s0;
      t.count[i] = s1 - s0;
      for (let s = s0; s < s1; s++) t.weight[i * per + s - s0] = (Math.min(b, s + 1) - Math.max(a, s)) / f;
    } else {
      const s = Math.min(src - 1, Math.max(0, ((i + 0.5) * src) / dst - 0.5)),
        s0 = Math.floor(s),
        w = s - s0;
      t.first[i] = s0;
      t.count[i] = s0 + 1 < src ? 2 : 1;
      t.weight[i * per] = t.count[i] === 2 ? 1 - w : 1;
      if (t.count[i] === 2) t.weight[i * per + 1] = w;
    }
  }
  return t;
}

export function fitInput(
  r: Raster,
  shape: [number, number, number],
  protocol: FitProtocol,
): { input: Float32Array; steps: string[] } {
  const [C, H, W] = shape;
  const steps = [C === 3 ? (r.channels === 3 ? 'RGB' : 'gray to RGB (3 equal planes)') : 'grayscale'];
  const s = protocol === 'letterbox' ? Math.min(W / r.width, H / r.height) : Math.max(W / r.width, H / r.height);
  const fw = Math.max(1, Math.round(r.width * s)),
    fh = Math.max(1, Math.round(r.height * s));
  // Centred: letterbox pads (offsets >= 0), crop cuts (offsets <= 0); the resized picture's columns x0..x1-1 and
  // rows y0..y1-1 are kept.
  const ox = Math.floor((W - fw) / 2),
    oy = Math.floor((H - fh) / 2);
  const x0 = Math.max(0, -ox),
    x1 = Math.min(fw, W - ox),
    y0 = Math.max(0, -oy),
    y1 = Math.min(fh, H - oy);
  const out = new Float32Array(C * H * W);
  resample(r, fw, fh, { x0, x1, y0, y1 }, { ox, oy, W, C, plane: H * W }, out);
  steps.push(
    protocol === 'letterbox'
      ? `fit ${r.width}x${r.height} into ${W}x${H} keeping the aspect ratio (${fw}x${fh}), black bars`
      : `fill ${W}x${H} keeping the aspect ratio (${fw}x${fh}), cut around the centre`,
    'scale to [0,1]',
  );
  return { input: out, steps };
}

/** Luma weights (ops.ts toGray, ITU-R BT.601) for a single-plane output of an RGB raster. */
const LUMA = [0.299, 0.587, 0.114];

/**
 * The raster resized to fw x fh (area average when neither side grows, else bilinear, as ops.ts resize), of which
 * the window x0..x1-1, y0..y1-1 is written, /255, at (x + ox, y + oy) of each of the C planes (W wide, `plane` long).
 * The sums are those of a loop over each output's taps, in the same order, so the values are the same to the bit.
 */
function resample(
  r: Raster,
  fw: number,
  fh: number,
  win: { x0: number; x1: number; y0: number; y1: number },
  to: { ox: number; oy: number; W: number; C: number; plane: number },
  out: Float32Array,
) {
  const { width: sw, height: sh, channels: ch, data } = r;
  const area = fw <= sw && fh <= sh;
  const tx = taps(sw, fw, area, win.x0, win.x1),
    ty = taps(sh, fh, area, win.y0, win.y1);
  // The source columns the kept outputs read.
  const c0 = tx.first[win.x0],
    c1 = tx.first[win.x1 - 1] + tx.count[win.x1 - 1];
  // Padded by a pixel's taps: an output reads all `per` of them, those past its count weighing 0.
  const row = new Float64Array((sw + tx.per) * ch);
  for (let y = win.y0; y < win.y1; y++) {
    vertical(data, sw * ch, ty, y, c0 * ch, c1 * ch, row);
    across(row, ch, tx, win.x0, win.x1, (y + to.oy) * to.W + to.ox, to.C, to.plane, out);
  }
}

/** Output row y of the vertical pass: its source rows' samples i0..i1-1, weighted (and scaled to [0,1]), in `row`. */
function vertical(data: Uint8Array, stride: number, ty: Taps, y: number, i0: number, i1: number, row: Float64Array) {
  const n = ty.count[y],
    k = y * ty.per,
    b = ty.first[y] * stride;
  // Two or three source rows in one pass (an output row of a shrink by up to 2, or of an enlargement).
  if (n === 2 || n === 3) {
    const w0 = ty.weight[k] / 255,
      w1 = ty.weight[k + 1] / 255,
      b1 = b + stride;
    if (n === 2) for (let i = i0; i < i1; i++) row[i] = data[b + i] * w0 + data[b1 + i] * w1;
    else {
      const w2 = ty.weight[k + 2] / 255,
        b2 = b1 + stride;
      for (let i = i0; i < i1; i++) row[i] = data[b + i] * w0 + data[b1 + i] * w1 + data[b2 + i] * w2;
    }
    return;
  }
  for (let j = 0; j < n; j++) {
    const wy = ty.weight[k + j] / 255,
      base = b + j * stride;
    if (j === 0) for (let i = i0; i < i1; i++) row[i] = data[base + i] * wy;
    else for (let i = i0; i < i1; i++) row[i] += data[base + i] * wy;
  }
}

/** Each kept output pixel x0..x1-1 of a vertically resampled row from its columns, into every plane at `o`. */
function across(
  row: Float64Array,
  ch: number,
  tx: Taps,
  x0: number,
  x1: number,
  o: number,
  C: number,
  plane: number,
  out: Float32Array,
) {
  const { first, weight, per } = tx;
  if (ch === 3 && C === 3 && (per === 2 || per === 3)) {
    // RGB to three planes, every tap of every pixel (0 + a sum of products, as the loop over each count).
    for (let x = x0; x < x1; x++) {
      const s = first[x] * 3,
        k = x * per,
        w0 = weight[k],
        w1 = weight[k + 1];
      let rr = 0 + row[s] * w0 + row[s + 3] * w1,
        gg = 0 + row[s + 1] * w0 + row[s + 4] * w1,
        bb = 0 + row[s + 2] * w0 + row[s + 5] * w1;
      if (per === 3) {
        const w2 = weight[k + 2];
        rr += row[s + 6] * w2;
        gg += row[s + 7] * w2;
        bb += row[s + 8] * w2;
      }
      out[o + x] = rr;
      out[plane + o + x] = gg;
      out[2 * plane + o + x] = bb;
    }
    return;
  }
  for (let x = x0; x < x1; x++) {
    const n = tx.count[x],
      w0 = x * per,
      s0 = first[x] * ch;
    if (ch === 1) {
      let v = 0;
      for (let j = 0; j < n; j++) v += row[s0 + j] * weight[w0 + j];
      for (let p = 0; p < C; p++) out[p * plane + o + x] = v;
      continue;
    }
    let rr = 0,
      gg = 0,
      bb = 0;
    for (let j = 0, i = s0; j < n; j++, i += 3) {
      const w = weight[w0 + j];
      rr += row[i] * w;
      gg += row[i + 1] * w;
      bb += row[i + 2] * w;
    }
    if (C === 1) out[o + x] = LUMA[0] * rr + LUMA[1] * gg + LUMA[2] * bb;
    else {
      out[o + x] = rr;
      out[plane + o + x] = gg;
      out[2 * plane + o + x] = bb;
    }
  }
}
