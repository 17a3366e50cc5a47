/**
 * Attack budgets per model: meta.json's attackDefaults when stated, else the rule (gray drawings: MNIST's 0.3 and
 * 2; colour photos: 8/255 and an L2 budget that grows with the input). The committed models state none, so they
 * get the rule without regeneration, and the attack endpoint defaults to it.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { attackDefaults, deriveAttackDefaults } from '../../../model-contract/attack-defaults.js';
import type { ModelMeta } from '../../../model-contract/meta.js';
import { loadModel } from '../helpers/models.js';
import { budgetOpts } from '../helpers/options.js';

const meta = (name: string) => JSON.parse(fs.readFileSync(`models/${name}/meta.json`, 'utf8')) as ModelMeta;

describe('attack defaults', () => {
  it('gray drawings (mnist, fit) get 0.3 / 2; colour photos 8/255 in 8-bit levels', () => {
    for (const protocol of ['mnist', 'fit'] as const)
      expect(deriveAttackDefaults([1, 28, 28], protocol)).toEqual({
        linf: { eps: 0.3, max: 0.5, step: 0.01 },
        l2: { eps: 2, max: 5, step: 0.1 },
      });
    const photo = deriveAttackDefaults([3, 32, 32], 'letterbox');
    expect(photo.linf).toEqual({ eps: 8 / 255, max: 32 / 255, step: 1 / 255 });
    // CIFAR-sized: 8/255 * sqrt(3072) / 4 = 0.43 (the literature uses 0.5); 224x224 photos: 3.0.
    expect(photo.l2.eps).toBe(0.43);
    expect(deriveAttackDefaults([3, 224, 224], 'crop').l2.eps).toBe(3);
    // A gray picture that is not a drawing (an image folder) is a photo too.
    expect(deriveAttackDefaults([1, 64, 64], 'letterbox').linf.eps).toBe(8 / 255);
  });

  it('a stated attackDefaults wins over the rule; the committed models get the rule (stated by the export since it derives them, or not stated)', () => {
    const stated = { linf: { eps: 0.1, max: 0.2, step: 0.005 }, l2: { eps: 1, max: 3, step: 0.05 } };
    expect(attackDefaults({ ...meta('digits'), attackDefaults: stated })).toEqual(stated);
    for (const name of ['digits', 'fashion', 'shapes']) {
      const m = meta(name);
      const rule = deriveAttackDefaults(m.input.shape, m.preprocessing.protocol);
      if (m.attackDefaults !== undefined) expect(m.attackDefaults, name).toEqual(rule);
      expect(attackDefaults(m)).toEqual(rule);
    }
  });

  it("the attack's default eps is the model's, per norm", () => {
    expect(budgetOpts(loadModel('digits')).eps).toBe(0.3);
    expect(budgetOpts(loadModel('shapes')).eps).toBe(8 / 255);
    expect(budgetOpts(loadModel('shapes'), { norm: 'l2' }).eps).toBe(0.87);
  });
});
