/** Pixel operations on single-channel float images (row-major, h x w). */
import type { Raster } from './types.js';

export interface Gray {
  width: number;
  height: number;
  data: Float32Array;
}

/**
 * An RGB raster whose every pixel is gray (R = G = B: a scan, a drawing, a PNG saved as RGB) as one channel, so
 * per-channel work is done once; any other raster as it is. Per-channel steps give the same values either way.
 */
export function neutral(r: Raster): Raster {
  if (r.channels !== 3) return r;
  const d = r.data,
    n = r.width * r.height,
    data = new Uint8Array(n);
  // One pass: each pixel's sample copied while checking it, the copy dropped at the first coloured pixel.
  for (let p = 0, i = 0; p < n; p++, i += 3) {
    const v = d[i];
    if (v !== d[i + 1] || v !== d[i + 2]) return r;
    data[p] = v;
  }
  return { width: r.width, height: r.height, channels: 1, data };
}

/** ITU-R BT.601 luma: 0.299 R + 0.587 G + 0.114 B, in [0,1]. */
export function toGray(r: Raster): Gray {
  const n = r.width * r.height,
    out = new Float32Array(n),
    d = r.data,
    k = 1 / 255;
  if (r.channels === 1) for (let p = 0; p < n; p++) out[p] = d[p] * k;
  else for (let p = 0; p < n; p++) out[p] = (0.299 * d[p * 3] + 0.587 * d[p * 3 + 1] + 0.114 * d[p * 3 + 2]) * k;
  return { width: r.width, height: r.height, data: out };
}

/**
 * Resamples to dw x dh. Shrinking integrates the exact area each target pixel covers (anti-aliased, as
 * MNIST's own preprocessing); enlarging interpolates bilinearly.
 */
export function resize(src: Gray, dw: number, dh: number): Gray {
  const { width: sw, height: sh, data } = src;
  const out = new Float32Array(dw * dh);
  if (dw <= sw && dh <= sh) {
    const fx = sw / dw,
      fy = sh / dh;
    for (let y = 0; y < dh; y++) {
      const y0 = y * fy,
        y1 = y0 + fy;
      for (let x = 0; x < dw; x++) {
        const x0 = x * fx,
          x1 = x0 + fx;
        let sum = 0;
        for (let sy = Math.floor(y0); sy < Math.min(sh, Math.ceil(y1)); sy++) {
          const wy = Math.min(y1, sy + 1) - Math.max(y0, sy);
          for (let sx = Math.floor(x0); sx < Math.min(sw, Math.ceil(x1)); sx++)
            sum += data[sy * sw + sx] * wy * (Math.min(x1, sx + 1) - Math.max(x0, sx));
        }
        out[y * dw + x] = sum / (fx * fy);
      }
    }
    return { width: dw, height: dh, data: out };
  }
  for (let y = 0; y < dh; y++) {
    const sy = Math.min(sh - 1, Math.max(0, ((y + 0.5) * sh) / dh - 0.5));
    const y0 = Math.floor(sy),
      y1 = Math.min(sh - 1, y0 + 1),
      wy = sy - y0;
    for (let x = 0; x < dw; x++) {
      const sx = Math.min(sw - 1, Math.max(0, ((x + 0.5) * sw) / dw - 0.5));
      const x0 = Math.floor(sx),
        x1 = Math.min(sw - 1, x0 + 1),
        wx = sx - x0;
      out[y * dw + x] =
        (1 - wy) * ((1 - wx) * data[y0 * sw + x0] + wx * data[y0 * sw + x1]) +
        wy * ((1 - wx) * data[y1 * sw + x0] + wx * data[y1 * sw + x1]);
    }
  }
  return { width: dw, height: dh, data: out };
}

/** Mean of the outermost ring of pixels: tells a light background from a dark one. */
export function borderMean(g: Gray): number {
  const { width: w, height: h, data } = g;
  let sum = 0,
    n = 0;
  for (let x = 0; x < w; x++) {
    sum += data[x] + data[(h - 1) * w + x];
    n += 2;
  }
  for (let y = 1; y < h - 1; y++) {
    sum += data[y * w] + data[y * w + w - 1];
    n += 2;
  }
  return sum / n;
}

export function invert(g: Gray): Gray {
  const out = new Float32Array(g.data.length);
  for (let i = 0; i < out.length; i++) out[i] = 1 - g.data[i];
  return { ...g, data: out };
}

/** Bounding box of pixels above `threshold`, or null when there are none. */
export function inkBox(g: Gray, threshold: number): { x0: number; y0: number; x1: number; y1: number } | null {
  let x0 = g.width,
    y0 = g.height,
    x1 = -1,
    y1 = -1;
  const { width: w, height: h, data } = g;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      if (data[y * w + x] > threshold) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        y1 = y;
      }
    }
  return x1 < 0 ? null : { x0, y0, x1, y1 };
}

export function crop(g: Gray, box: { x0: number; y0: number; x1: number; y1: number }): Gray {
  const w = box.x1 - box.x0 + 1,
    h = box.y1 - box.y0 + 1,
    out = new Float32Array(w * h);
  for (let y = 0; y < h; y++)
    out.set(g.data.subarray((box.y0 + y) * g.width + box.x0, (box.y0 + y) * g.width + box.x0 + w), y * w);
  return { width: w, height: h, data: out };
}

/** Pastes `src` into a blank w x h canvas with its top-left corner at (ox, oy); what falls outside is cut. */
export function paste(src: Gray, w: number, h: number, ox: number, oy: number): Gray {
  const out = new Float32Array(w * h);
  for (let y = 0; y < src.height; y++)
    for (let x = 0; x < src.width; x++) {
      const tx = x + ox,
        ty = y + oy;
      if (tx >= 0 && tx < w && ty >= 0 && ty < h) out[ty * w + tx] = src.data[y * src.width + x];
    }
  return { width: w, height: h, data: out };
}

export function centreOfMass(g: Gray): { x: number; y: number } {
  let m = 0,
    mx = 0,
    my = 0;
  for (let y = 0; y < g.height; y++)
    for (let x = 0; x < g.width; x++) {
      const v = g.data[y * g.width + x];
      m += v;
      mx += v * x;
      my += v * y;
    }
  return m > 0 ? { x: mx / m, y: my / m } : { x: (g.width - 1) / 2, y: (g.height - 1) / 2 };
}
