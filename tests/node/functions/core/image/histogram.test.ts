/**
 * Quantiles and Otsu's threshold read off one Histogram equal those read from the values, including values that
 * sit exactly on a bin's edge (k / 256: "above Otsu's threshold" must leave them out), and the mean from its sum.
 */
import { describe, expect, it } from 'vitest';
import { histogram, otsu, quantile } from '../../../../../functions/core/image/histogram.js';
import { rng } from '../../../../fixtures/photo-set.js';

/** The q-quantile of the values above `above` by sorting them, to the 1/256 bin centre (the contract). */
function sortedQuantile(v: Float32Array, q: number, above = -1): number {
  const s = Array.from(v)
    .filter((x) => x > above)
    .sort((a, b) => a - b);
  if (!s.length) return 0;
  const x = s[Math.floor(q * (s.length - 1))];
  return (Math.min(255, Math.floor(x * 256)) + 0.5) / 256;
}

function sample(seed: number, n: number): Float32Array {
  const r = rng(seed).next;
  // Paper near 0, ink spread up to 1, and many values exactly on bin edges (k / 256), 0 and 1 among them.
  return Float32Array.from({ length: n }, () => {
    const u = r();
    if (u < 0.3) return Math.floor(r() * 257) / 256;
    if (u < 0.8) return r() * 0.1;
    return r();
  });
}

describe('histogram', () => {
  it('gives the quantiles, Otsu threshold and mean that the values give', () => {
    for (const [seed, n] of [
      [1, 1],
      [2, 50],
      [3, 1000],
      [4, 20000],
    ]) {
      const v = sample(seed, n),
        h = histogram(v);
      let sum = 0;
      for (const x of v) sum += x;
      expect([h.n, h.sum]).toEqual([n, sum]);
      const t = otsu(v);
      expect(otsu(h)).toBe(t);
      for (const q of [0, 0.5, 0.99, 1]) {
        expect(quantile(h, q)).toBe(quantile(v, q));
        expect(quantile(v, q)).toBe(sortedQuantile(v, q));
        // Above a bin edge (Otsu's threshold, and every other edge): values on the edge itself are not above it.
        for (const above of [t, 0, 1 / 256, 128 / 256, 255 / 256]) {
          expect(quantile(h, q, above)).toBe(quantile(v, q, above));
          expect(quantile(v, q, above)).toBe(sortedQuantile(v, q, above));
        }
      }
    }
  });

  it('refuses a threshold between edges from a histogram (it needs the values)', () => {
    expect(() => quantile(histogram(sample(5, 100)), 0.99, 0.5 / 256)).toThrow(/needs the values/);
  });
});
