/**
 * Affine warp (rotation, scaling, translation about the image centre) of a single-channel image, bilinear,
 * outside reads as 0. Shared by the trainer's augmentation and the edge's transform-robust visualisations.
 * The identity transform returns the image unchanged.
 */
export interface Affine {
  /** Clockwise as displayed (y points down): +90 takes the top centre to the right centre. */
  angleDeg: number;
  scale: number;
  tx: number;
  ty: number;
}

/** Warps one single-channel h x w image by `t` into `out` (same size). */
export function warp(src: Float32Array, h: number, w: number, t: Affine, out = new Float32Array(h * w)): Float32Array {
  const a = (t.angleDeg * Math.PI) / 180;
  // Inverse map: for each output pixel, where it comes from in the source.
  const cos = Math.cos(a) / t.scale,
    sin = Math.sin(a) / t.scale;
  const cx = (w - 1) / 2,
    cy = (h - 1) / 2;
  // Hot in training (every image of every batch): the corner reader is created once, not per pixel.
  const at = (yy: number, xx: number) => (yy >= 0 && yy < h && xx >= 0 && xx < w ? src[yy * w + xx] : 0);
  for (let y = 0; y < h; y++) {
    const dy = y - cy - t.ty;
    for (let x = 0; x < w; x++) {
      const dx = x - cx - t.tx;
      const sx = cos * dx + sin * dy + cx,
        sy = -sin * dx + cos * dy + cy;
      const x0 = Math.floor(sx),
        y0 = Math.floor(sy),
        fx = sx - x0,
        fy = sy - y0;
      out[y * w + x] =
        fx === 0 && fy === 0
          ? at(y0, x0)
          : (1 - fy) * ((1 - fx) * at(y0, x0) + fx * at(y0, x0 + 1)) +
            fy * ((1 - fx) * at(y0 + 1, x0) + fx * at(y0 + 1, x0 + 1));
    }
  }
  return out;
}
