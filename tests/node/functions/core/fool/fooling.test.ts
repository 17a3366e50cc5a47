/** Nonsense images the model calls a digit with 99.99% confidence, for every class, within the step cap. */
import { describe, expect, it } from 'vitest';
import { CAPS } from '../../../../../functions/core/caps.js';
import { fool, parseFooling } from '../../../../../functions/core/fool/fooling.js';
import { loadModel } from '../../../helpers/models.js';

const model = loadModel('digits');

describe('fooling images from noise', () => {
  it('every class reaches >= 0.9999 within the step cap, in one batch', async () => {
    const r = await fool(model, parseFooling(model, { target: 'all', steps: CAPS.foolingSteps, seed: 1 }));
    for (const res of r.results) {
      expect(res.probability, res.target.label).toBeGreaterThanOrEqual(0.9999);
      expect(res.reached).toBe(true);
      expect(res.prediction.index).toBe(res.target.index);
    }
  });

  it('the images are not digits: they stay close to their noise start in most pixels', async () => {
    const r = await fool(model, parseFooling(model, { target: 3, seed: 2 }));
    let same = 0;
    for (let i = 0; i < 784; i++) same += Math.abs(r.images[i] - r.start[i]) < 0.25 ? 1 : 0;
    expect(r.results[0].probability).toBeGreaterThanOrEqual(0.9999);
    expect(same / 784).toBeGreaterThan(0.5);
  });

  it('seeded and bounded', async () => {
    const a = await fool(model, parseFooling(model, { target: 1, steps: 3, seed: 5 }));
    const b = await fool(model, parseFooling(model, { target: 1, steps: 3, seed: 5 }));
    expect([...a.images]).toEqual([...b.images]);
    expect(() => parseFooling(model, { steps: CAPS.foolingSteps + 1 })).toThrow(/over the cap of 500/);
    expect(() => parseFooling(model, { start: 'cat' })).toThrow(/start must be one of noise, blank, image/);
  });
});
