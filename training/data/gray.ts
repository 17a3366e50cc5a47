/**
 * Gray pictures saved in colour (scans, renders and exports often write R = G = B into an RGB or RGBA file): the
 * file header says 3 channels, the pixels say one. Training them as one plane gives the first convolution a third
 * of the inputs and the augmentation a third of the warping, for the same pictures.
 */
import type { Dataset } from './dataset.js';

/** True when every pixel of every picture of a 3-channel set has its three planes within `tolerance` of each other. */
export function equalPlanes(d: Dataset, tolerance = 0.5 / 255): boolean {
  if (d.shape[0] !== 3) return false;
  const hw = d.shape[1] * d.shape[2],
    x = d.images;
  for (let i = 0; i < d.n; i++) {
    const o = i * 3 * hw;
    for (let p = o; p < o + hw; p++) {
      const r = x[p],
        g = x[p + hw],
        b = x[p + 2 * hw];
      if (Math.abs(r - g) > tolerance || Math.abs(g - b) > tolerance) return false;
    }
  }
  return true;
}

/**
 * The set as one plane, the mean of the three (for equal planes the value itself: sharp's grayscale of an R = G = B
 * picture is that value, so the loader's --channels 1 and this agree byte for byte).
 */
export function onePlane(d: Dataset): Dataset {
  const [c, h, w] = d.shape,
    hw = h * w;
  if (c !== 3) throw new Error(`onePlane wants 3 channels, got ${c}`);
  const images = new Float32Array(d.n * hw);
  for (let i = 0; i < d.n; i++)
    for (let p = 0; p < hw; p++) {
      const o = i * 3 * hw + p;
      images[i * hw + p] = (d.images[o] + d.images[o + hw] + d.images[o + 2 * hw]) / 3;
    }
  return { ...d, images, shape: [1, h, w] };
}
