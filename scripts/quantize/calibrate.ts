/**
 * Activation ranges for quantisation: the min and max of the input and of every activation a graph outputs (the
 * folded float graph of qdq.ts, every activation an output) over calibration images taken evenly across a set.
 * The engine is the caller's: `run` maps a batch [n, ...shape] to its outputs.
 */
import type { Range } from './qdq.js';

export type Run = (images: Float32Array, n: number) => Promise<Record<string, Float32Array>>;

export function minMax(v: Float32Array): Range {
  let min = Infinity,
    max = -Infinity;
  for (const x of v) {
    if (x < min) min = x;
    if (x > max) max = x;
  }
  return { min, max };
}

/** Ranges of `input` and every output over `count` of the `total` images (each `size` values), in batches of 100. */
export async function calibrate(
  run: Run,
  input: string,
  images: Float32Array,
  size: number,
  count: number,
): Promise<Map<string, Range>> {
  const total = images.length / size,
    n = Math.min(count, total),
    step = Math.floor(total / n);
  const picked = new Float32Array(n * size);
  for (let i = 0; i < n; i++) picked.set(images.subarray(i * step * size, (i * step + 1) * size), i * size);
  const ranges = new Map<string, Range>([[input, minMax(picked)]]);
  for (let i = 0; i < n; i += 100) {
    const m = Math.min(100, n - i);
    for (const [k, v] of Object.entries(await run(picked.subarray(i * size, (i + m) * size), m))) {
      const r = minMax(v),
        o = ranges.get(k);
      ranges.set(k, o ? { min: Math.min(o.min, r.min), max: Math.max(o.max, r.max) } : r);
    }
  }
  return ranges;
}
