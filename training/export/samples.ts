/** samples.json: a fixed stride through the test set, as bytes (the page and the examples draw from it). */
import type { LoadedData } from '../data/load.js';

export const SAMPLE_COUNT = 100;

/** The first SAMPLE_COUNT test images (stratified by taking them in order of a fixed stride), as bytes. */
export function samples(d: LoadedData['test']) {
  const size = d.shape[0] * d.shape[1] * d.shape[2];
  const stride = Math.floor(d.n / SAMPLE_COUNT);
  const bytes = new Uint8Array(SAMPLE_COUNT * size),
    labels: number[] = [],
    indices: number[] = [];
  for (let i = 0; i < SAMPLE_COUNT; i++) {
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
