/**
 * Images of C planes (CHW: 1 = gray, 3 = RGB), values in [0,1], held as a Gray whose data is c * width * height
 * long: the single-channel operations of ops.ts applied to each plane. Deep Dream, Deep Style and the synthesis
 * priors work on any number of channels through these.
 */
import { resize, type Gray } from './ops.js';

/**
 * Applies a plane-to-plane function to each of the c planes of `data` (each hw long); the results (each outHw
 * long, default hw) are written one after another into `out`.
 */
export function eachPlane(
  data: Float32Array,
  c: number,
  hw: number,
  fn: (plane: Float32Array, k: number) => Float32Array,
  outHw = hw,
  out = new Float32Array(c * outHw),
): Float32Array {
  for (let k = 0; k < c; k++) out.set(fn(data.subarray(k * hw, (k + 1) * hw), k), k * outHw);
  return out;
}

/** resize() on each of the c planes. */
export function resizePlanes(img: Gray, c: number, w: number, h: number): Gray {
  const { width, height } = img;
  if (width === w && height === h) return { width, height, data: Float32Array.from(img.data) };
  const data = eachPlane(img.data, c, width * height, (p) => resize({ width, height, data: p }, w, h).data, w * h);
  return { width: w, height: h, data };
}
