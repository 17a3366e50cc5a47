/**
 * Many variants of one input scored by forward runs (Score-CAM's masked inputs, occlusion's patched ones), in
 * batches of at most BATCH images: one run per batch keeps the runtime busy, the cap keeps its memory bounded.
 */
import type { Runs } from '../cost.js';
import { forward, inputSize } from '../gradient.js';
import type { Model } from '../model.js';

export const BATCH = 64;

/** The forward runs that score n variants. */
export function batchRuns(n: number): Runs[] {
  const full = Math.floor(n / BATCH),
    rest = n % BATCH;
  const runs: Runs[] = [];
  if (full) runs.push({ kind: 'forward', runs: full, images: BATCH });
  if (rest) runs.push({ kind: 'forward', runs: 1, images: rest });
  return runs;
}

/** The target's logit for each of n variants; `fill(i, into)` writes variant i into a zeroed input-sized array. */
export async function scoreVariants(
  model: Model,
  n: number,
  target: number,
  fill: (i: number, into: Float32Array) => void,
): Promise<Float32Array> {
  const size = inputSize(model),
    k = model.meta.labels.length;
  const logits = new Float32Array(n);
  for (let start = 0; start < n; start += BATCH) {
    const m = Math.min(BATCH, n - start),
      batch = new Float32Array(m * size);
    for (let i = 0; i < m; i++) fill(start + i, batch.subarray(i * size, (i + 1) * size));
    const f = await forward(model, batch, m);
    for (let i = 0; i < m; i++) logits[start + i] = f.logits[i * k + target];
  }
  return logits;
}
