/** An in-memory image classification set: N images of [C,H,W] floats in [0,1] (ink/bright = 1). */
import { Rng } from '../../model-contract/random.js';
export interface Dataset {
  images: Float32Array;
  labels: Uint8Array;
  n: number;
  shape: [number, number, number];
  classes: string[];
}

export function subset(d: Dataset, indices: ArrayLike<number>): Dataset {
  const size = d.shape[0] * d.shape[1] * d.shape[2];
  const images = new Float32Array(indices.length * size);
  const labels = new Uint8Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const j = indices[i];
    images.set(d.images.subarray(j * size, (j + 1) * size), i * size);
    labels[i] = d.labels[j];
  }
  return { images, labels, n: indices.length, shape: d.shape, classes: d.classes };
}

/**
 * A seeded random subset of `n` images with every class in its original proportion (largest remainders decide
 * the rounding), in the original order.
 */
export function stratifiedSubset(d: Dataset, n: number, seed: number): Dataset {
  if (n >= d.n) return d;
  const rng = new Rng(seed);
  const byClass = d.classes.map((_, c) => rng.shuffle(Array.from(d.labels.keys()).filter((i) => d.labels[i] === c)));
  const exact = byClass.map((idx) => (idx.length * n) / d.n);
  const take = exact.map(Math.floor);
  const order = exact.map((v, c) => [v - Math.floor(v), c]).sort((a, b) => b[0] - a[0]);
  for (let i = 0, left = n - take.reduce((a, v) => a + v, 0); i < left; i++) take[order[i][1]]++;
  return subset(
    d,
    byClass.flatMap((idx, c) => idx.slice(0, take[c])).sort((a, b) => a - b),
  );
}
