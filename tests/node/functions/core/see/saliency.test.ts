/** Saliency maps from the edge's gradient path, checked against finite differences and their own invariants. */
import { describe, expect, it } from 'vitest';
import { inputSize } from '../../../../../functions/core/gradient.js';
import * as v from 'valibot';
import { saliency } from '../../../../../functions/core/see/saliency.js';
import { SaliencyQuery } from '../../../../../functions/schemas/see.js';
import { jitter } from '../../../helpers/fd.js';
import { checkLogitGradient } from '../../../helpers/logit-gradient.js';
import { loadModel } from '../../../helpers/models.js';
import { saliencyOpts } from '../../../helpers/options.js';

const model = loadModel('digits');
const s = model.samples!();
const size = inputSize(model);
const x = s.x.slice(0, size); // a held-out digit

describe('the gradient the edge uses', () => {
  it('agrees with central finite differences of the inference graph (target logit)', async () => {
    // A generic point near the digit, where the derivative exists.
    const r = await checkLogitGradient(model, jitter(x, 9), { threshold: 0.05, count: 24, seed: 1 });
    expect(r.mismatches).toEqual([]);
    expect(r.kinks).toBeLessThanOrEqual(6);
  });
});

describe('saliency methods', () => {
  it('vanilla gradient: a non-negative map, largest on or near the ink', async () => {
    const r = await saliency(model, x, saliencyOpts(model, {}));
    expect(r.target.index).toBe(r.prediction.index);
    expect(Math.min(...r.map)).toBeGreaterThanOrEqual(0);
    const near = (i: number) => {
      const yy = Math.floor(i / 28),
        xx = i % 28;
      for (let dy = -2; dy <= 2; dy++)
        for (let dx = -2; dx <= 2; dx++) if (x[(yy + dy) * 28 + xx + dx] > 0.1) return true;
      return false;
    };
    const top = [...r.map.keys()].sort((a, b) => r.map[b] - r.map[a]).slice(0, 20);
    expect(top.filter(near).length).toBeGreaterThanOrEqual(15);
  });

  it('integrated gradients satisfy completeness: the map sums to logit(x) - logit(black)', async () => {
    const r = await saliency(model, x, saliencyOpts(model, { method: 'integrated-gradients', steps: 64 }));
    const c = r.extra.completeness!;
    expect(Math.abs(c.sum - c.logitDifference)).toBeLessThan(0.05 * Math.abs(c.logitDifference) + 0.05);
  });

  it('SmoothGrad is reproducible from its seed and differs across seeds; gradient x input is zero off the ink', async () => {
    const a = await saliency(model, x, saliencyOpts(model, { method: 'smoothgrad', samples: 8, seed: 3 }));
    const b = await saliency(model, x, saliencyOpts(model, { method: 'smoothgrad', samples: 8, seed: 3 }));
    const c = await saliency(model, x, saliencyOpts(model, { method: 'smoothgrad', samples: 8, seed: 4 }));
    expect([...a.map]).toEqual([...b.map]);
    expect([...a.map]).not.toEqual([...c.map]);
    const gxi = await saliency(model, x, saliencyOpts(model, { method: 'gradient-x-input' }));
    for (let i = 0; i < size; i++) if (x[i] === 0) expect(gxi.map[i]).toBe(0);
  });

  it('Grad-CAM: a non-negative map from a chosen conv layer, and other classes give other maps', async () => {
    const r = await saliency(model, x, saliencyOpts(model, { method: 'grad-cam' }));
    expect(Math.min(...r.map)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...r.map)).toBeGreaterThan(0);
    const other = await saliency(
      model,
      x,
      saliencyOpts(model, { method: 'grad-cam', target: (r.target.index + 1) % 10, layer: r.extra.cam!.layer }),
    );
    expect([...other.map]).not.toEqual([...r.map]);
  });

  it('bad parameters and caps are refused by the schema; names by the model', () => {
    for (const q of [{ method: 'lime' }, { method: 'smoothgrad', samples: 65 }, { steps: 1000 }, { noise: 'x' }])
      expect(v.safeParse(SaliencyQuery, q).success, JSON.stringify(q)).toBe(false);
    expect(() => saliencyOpts(model, { target: 10 })).toThrow(/target must be a class index from 0 to 9 or a label/);
    expect(() => saliencyOpts(model, { method: 'grad-cam', layer: 'dense1' })).toThrow(
      /unknown layer "dense1" for layer of model digits. Should be one of: conv2d1/,
    );
  });
});
