/**
 * Image priors used when climbing a class or a neuron: total variation, L2 decay, blur, on one plane at a time
 * (image/planes.ts applies them to each colour plane).
 */

/** Gradient of the (smoothed, L1) total variation sum |x[y][x+1]-x[y][x]| + |x[y+1][x]-x[y][x]|. */
export function tvGradient(img: Float32Array, w: number, h: number, out = new Float32Array(w * h)): Float32Array {
  out.fill(0);
  const s = (d: number) => d / Math.sqrt(d * d + 1e-4);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (x + 1 < w) {
        const g = s(img[i + 1] - img[i]);
        out[i + 1] += g;
        out[i] -= g;
      }
      if (y + 1 < h) {
        const g = s(img[i + w] - img[i]);
        out[i + w] += g;
        out[i] -= g;
      }
    }
  return out;
}

/** 3x3 binomial blur (1 2 1), edges clamped. */
export function blur3(img: Float32Array, w: number, h: number): Float32Array {
  const tmp = new Float32Array(w * h),
    out = new Float32Array(w * h);
  const at = (a: Float32Array, y: number, x: number) =>
    a[Math.min(h - 1, Math.max(0, y)) * w + Math.min(w - 1, Math.max(0, x))];
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) tmp[y * w + x] = (at(img, y, x - 1) + 2 * at(img, y, x) + at(img, y, x + 1)) / 4;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) out[y * w + x] = (at(tmp, y - 1, x) + 2 * at(tmp, y, x) + at(tmp, y + 1, x)) / 4;
  return out;
}
