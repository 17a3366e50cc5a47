/** The learning-rate schedule: warm-up then cosine, and the plain cosine the committed presets trained with. */
import { describe, expect, it } from 'vitest';
import { learningRate } from '../../../training/schedule.js';

describe('learningRate', () => {
  it('with no warm-up: the plain cosine from the base at step 0 to near 0 at the last step, to the bit', () => {
    const total = 937;
    for (const step of [0, 1, 100, 468, 936])
      expect(learningRate(3e-3, step, total)).toBe(3e-3 * 0.5 * (1 + Math.cos((Math.PI * step) / total)));
    expect(learningRate(3e-3, 0, total)).toBe(3e-3);
    expect(learningRate(3e-3, total - 1, total)).toBeLessThan(3e-3 * 1e-4);
  });

  it('warm-up: rises linearly to the base over the share of the steps, then decays by cosine over the rest', () => {
    const total = 1000,
      base = 2e-3;
    // 5% of 1,000 steps: 50 steps of warm-up, base/50 at the first.
    expect(learningRate(base, 0, total, 0.05)).toBeCloseTo(base / 50, 15);
    expect(learningRate(base, 24, total, 0.05)).toBeCloseTo(base / 2, 15);
    expect(learningRate(base, 49, total, 0.05)).toBeCloseTo(base, 15);
    expect(learningRate(base, 50, total, 0.05)).toBe(base);
    // Half way through the cosine part (50 + 475): half the base.
    expect(learningRate(base, 525, total, 0.05)).toBeCloseTo(base / 2, 15);
    expect(learningRate(base, 999, total, 0.05)).toBeLessThan(base * 1e-4);
    // Strictly up through the warm-up, strictly down after its last step (which already reached the base).
    for (let s = 1; s < total; s++)
      if (s === 50) continue;
      else if (s < 50)
        expect(learningRate(base, s, total, 0.05)).toBeGreaterThan(learningRate(base, s - 1, total, 0.05));
      else expect(learningRate(base, s, total, 0.05)).toBeLessThan(learningRate(base, s - 1, total, 0.05));
  });
});
