/** Nonsense images the model calls a digit with 99.99% confidence, for every class, within the step cap. */
import { describe, expect, it } from 'vitest';
import { CAPS } from '../../../../../functions/core/caps.js';
import * as v from 'valibot';
import { fool } from '../../../../../functions/core/fool/fooling.js';
import { FoolingQuery } from '../../../../../functions/schemas/see.js';
import { loadModel } from '../../../helpers/models.js';
import { foolingOpts } from '../../../helpers/options.js';

const model = loadModel('digits');

describe('fooling images from noise', () => {
  it('every class reaches >= 0.9999 within the step cap, in one batch', async () => {
    const r = await fool(model, foolingOpts(model, { target: 'all', steps: CAPS.foolingSteps, seed: 1 }));
    for (const res of r.results) {
      expect(res.target.score, res.target.label).toBeGreaterThanOrEqual(0.9999);
      expect(res.reached).toBe(true);
      expect(res.prediction.index).toBe(res.target.index);
    }
  });

  it('the images are not digits: they stay close to their noise start in most pixels', async () => {
    const r = await fool(model, foolingOpts(model, { target: 3, seed: 2 }));
    let same = 0;
    for (let i = 0; i < 784; i++) same += Math.abs(r.images[i] - r.start[i]) < 0.25 ? 1 : 0;
    expect(r.results[0].target.score).toBeGreaterThanOrEqual(0.9999);
    expect(same / 784).toBeGreaterThan(0.5);
  });

  it('seeded and bounded', async () => {
    const a = await fool(model, foolingOpts(model, { target: 1, steps: 3, seed: 5 }));
    const b = await fool(model, foolingOpts(model, { target: 1, steps: 3, seed: 5 }));
    expect([...a.images]).toEqual([...b.images]);
    expect(v.safeParse(FoolingQuery, { steps: CAPS.foolingSteps + 1 }).success).toBe(false);
    expect(v.safeParse(FoolingQuery, { start: 'cat' }).success).toBe(false);
    expect(foolingOpts(model, { target: '7' }).target).toBe(7);
    expect(() => foolingOpts(model, { target: 'seven' })).toThrow(/target "seven" is not a label of model digits/);
  });
});
