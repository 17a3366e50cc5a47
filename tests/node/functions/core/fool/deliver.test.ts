/** The 8-bit rounding of adversarial pictures: on the 256 levels, and inside the budget where one is given. */
import { describe, expect, it } from 'vitest';
import { perturbationNorms, to8bit, to8bitWithin, to8bitWithinL2 } from '../../../../../functions/core/fool/deliver.js';
import { Rng } from '../../../../../model-contract/random.js';

const rng = new Rng(3);
const size = 784;
/** x0 off the 8-bit grid (as a resampled upload is), adv a change of up to `d` per value, clipped to [0, 1]. */
const pair = (d: number) => {
  const x0 = new Float32Array(size).map(() => rng.next());
  const adv = x0.map((v) => Math.min(1, Math.max(0, v + rng.uniform(-d, d))));
  return { x0, adv };
};
const onGrid = (a: Float32Array) => a.every((v) => v >= 0 && v <= 1 && Math.abs(v * 255 - Math.round(v * 255)) < 1e-4);

describe('8-bit delivery', () => {
  it('nearest rounding moves each value by at most half a level', () => {
    const { adv } = pair(0.1);
    const q = to8bit(adv);
    expect(onGrid(q)).toBe(true);
    expect(perturbationNorms(q, adv).linf).toBeLessThanOrEqual(0.5 / 255 + 1e-6);
  });

  it('inside the L-inf ball: never over eps (eps >= 1/255), within a level of the nearest rounding', () => {
    for (const eps of [1 / 255, 2 / 255, 8 / 255, 0.1, 0.3]) {
      const { x0, adv } = pair(eps);
      const q = to8bitWithin(adv, x0, eps);
      expect(onGrid(q)).toBe(true);
      expect(perturbationNorms(q, x0).linf, `eps ${eps}`).toBeLessThanOrEqual(eps + 1e-6);
      expect(perturbationNorms(q, adv).linf).toBeLessThanOrEqual(1 / 255 + 1e-6);
    }
  });

  it('inside the L2 ball: a change on its boundary rounds to one within eps', () => {
    for (const eps of [0.5, 2, 3]) {
      const { x0, adv } = pair(1);
      // Put the change exactly on the sphere of radius eps, where plain rounding goes over about half the time.
      const l2 = perturbationNorms(adv, x0).l2;
      const onSphere = adv.map((v, p) => x0[p] + ((v - x0[p]) * eps) / l2);
      const q = to8bitWithinL2(onSphere, x0, eps);
      expect(onGrid(q)).toBe(true);
      expect(perturbationNorms(q, x0).l2, `eps ${eps}`).toBeLessThanOrEqual(eps + 1e-6);
      expect(perturbationNorms(q, x0).l2).toBeGreaterThan(0.95 * eps);
    }
  });
});
