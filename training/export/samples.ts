/**
 * samples.json: a fixed stride through the held-out test set, as bytes (the page, the examples and the robustness
 * table draw from it). Written by train (artifacts.ts) and by import given --data (import/index.ts).
 */
import type { Dataset } from '../data/dataset.js';

export const SAMPLE_COUNT = 100;

/**
 * SAMPLE_COUNT test images (all of them where the set is smaller), taken at a fixed stride through the set (so
 * spread over it, stratified where the set is ordered by class), as bytes.
 */
export function samples(d: Dataset) {
  const size = d.shape[0] * d.shape[1] * d.shape[2];
  const count = Math.min(SAMPLE_COUNT, d.n);
  const stride = Math.floor(d.n / count);
  const bytes = new Uint8Array(count * size),
    labels: number[] = [],
    indices: number[] = [];
  for (let i = 0; i < count; i++) {
    const j = i * stride;
    for (let p = 0; p < size; p++) bytes[i * size + p] = Math.round(d.images[j * size + p] * 255);
    labels.push(d.labels[j]);
    indices.push(j);
  }
  return {
    shape: d.shape,
    labels,
    testIndices: indices,
    pixels: Buffer.from(bytes).toString('base64'),
    encoding: 'uint8 row-major, base64',
  };
}
