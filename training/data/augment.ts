/**
 * Augmentation by a random affine warp (rotation, scaling, translation) about the image centre, because a CNN
 * is not invariant to them. Bilinear sampling; outside the image reads as background (0).
 * The identity transform returns the image unchanged.
 */
import type { Rng } from '../random.js';

export interface Affine { angleDeg: number; scale: number; tx: number; ty: number }
export interface AugmentOptions { maxRotateDeg: number; minScale: number; maxScale: number; maxShift: number }
export const DEFAULT_AUGMENT: AugmentOptions = { maxRotateDeg: 15, minScale: 0.85, maxScale: 1.15, maxShift: 2 };

/** Warps one single-channel h x w image by `t` into `out` (same size). */
export function warp(src: Float32Array, h: number, w: number, t: Affine, out = new Float32Array(h * w)): Float32Array {
  const a = (t.angleDeg * Math.PI) / 180;
  // Inverse map: for each output pixel, where it comes from in the source.
  const cos = Math.cos(a) / t.scale, sin = Math.sin(a) / t.scale;
  const cx = (w - 1) / 2, cy = (h - 1) / 2;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const dx = x - cx - t.tx, dy = y - cy - t.ty;
      const sx = cos * dx + sin * dy + cx, sy = -sin * dx + cos * dy + cy;
      const x0 = Math.floor(sx), y0 = Math.floor(sy), fx = sx - x0, fy = sy - y0;
      const at = (yy: number, xx: number) => (yy >= 0 && yy < h && xx >= 0 && xx < w ? src[yy * w + xx] : 0);
      out[y * w + x] = fx === 0 && fy === 0 ? at(y0, x0)
        : (1 - fy) * ((1 - fx) * at(y0, x0) + fx * at(y0, x0 + 1)) + fy * ((1 - fx) * at(y0 + 1, x0) + fx * at(y0 + 1, x0 + 1));
    }
  }
  return out;
}

export function randomAffine(rng: Rng, o: AugmentOptions): Affine {
  return {
    angleDeg: rng.uniform(-o.maxRotateDeg, o.maxRotateDeg),
    scale: Math.exp(rng.uniform(Math.log(o.minScale), Math.log(o.maxScale))),
    tx: rng.uniform(-o.maxShift, o.maxShift),
    ty: rng.uniform(-o.maxShift, o.maxShift),
  };
}
