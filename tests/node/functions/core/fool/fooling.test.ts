/** Nonsense images the model calls a digit with 99.99% confidence, for every class, within the step cap. */
import { describe, expect, it } from 'vitest';
import { CAPS } from '../../../../../functions/core/caps.js';
import * as v from 'valibot';
import { fool } from '../../../../../functions/core/fool/fooling.js';
import { forward } from '../../../../../functions/core/gradient.js';
import { FoolingQuery } from '../../../../../functions/schemas/fool.js';
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

  it('runs only the images still short of their target: a class that has arrived leaves the batch', async () => {
    let images = 0;
    const counting = {
      ...model,
      runner: {
        run: (
          graph: Parameters<typeof model.runner.run>[0],
          feeds: Parameters<typeof model.runner.run>[1],
          out?: string[],
        ) => {
          if (graph === 'loss-grad') images += feeds.input.dims[0];
          return model.runner.run(graph, feeds, out);
        },
      },
    };
    const r = await fool(counting, foolingOpts(model, { target: 'all', seed: 1 }));
    const steps = r.results.map((x) => x.steps);
    expect(r.results.every((x) => x.reached)).toBe(true);
    expect(new Set(steps).size).toBeGreaterThan(1); // the classes arrive at different steps
    // Image i is run at steps 0..steps_i: one run per step until the step it reached the target.
    expect(images).toBe(steps.reduce((a, s) => a + s + 1, 0));
    expect(images).toBeLessThan(10 * (Math.max(...steps) + 1));
  });

  it('the images are not digits: they stay close to their noise start in most pixels', async () => {
    const r = await fool(model, foolingOpts(model, { target: 3, seed: 2 }));
    let same = 0;
    for (let i = 0; i < 784; i++) same += Math.abs(r.images[i] - r.start[i]) < 0.25 ? 1 : 0;
    expect(r.results[0].target.score).toBeGreaterThanOrEqual(0.9999);
    expect(same / 784).toBeGreaterThan(0.5);
  });

  it("a gallery of the neutral start's top classes: those the model scores highest on mid-grey (noise) or black (blank)", async () => {
    for (const [start, grey] of [
      ['noise', 0.5],
      ['blank', 0],
    ] as const) {
      const c = { ...foolingOpts(model, { start, steps: 2, seed: 1 }), gallery: { top: 3 } };
      const r = await fool(model, c);
      const { probs } = await forward(model, new Float32Array(784).fill(grey), 1);
      const best = Array.from(probs.keys())
        .sort((a, b) => probs[b] - probs[a])
        .slice(0, 3);
      expect(
        r.results.map((x) => x.target.index),
        start,
      ).toEqual(best);
      expect(r.n).toBe(3);
    }
    // Classes listed: those, in their order.
    const given = await fool(model, foolingOpts(model, { target: '7,2', steps: 2, seed: 1 }));
    expect(given.results.map((x) => x.target.index)).toEqual([7, 2]);
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
