/**
 * Adversarial attacks on held-out digits: FGSM at eps 0.3 flips most, PGD flips all, and beats FGSM where FGSM
 * leaves some standing (eps 0.1); targeted attacks hit.
 */
import { describe, expect, it } from 'vitest';
import * as v from 'valibot';
import { attackBatch, attackOne } from '../../../../../functions/core/fool/attack.js';
import { robustness } from '../../../../../functions/core/fool/robustness.js';
import { argmaxRow, inputSize } from '../../../../../functions/core/gradient.js';
import { AttackQuery } from '../../../../../functions/schemas/fool.js';
import { loadModel } from '../../../helpers/models.js';
import { attackOpts, budgetOpts } from '../../../helpers/options.js';

const model = loadModel('digits');
const s = model.samples!();
const size = inputSize(model);
const N = 50;
const x = s.x.subarray(0, N * size),
  labels = s.labels.slice(0, N);
const accuracy = (p: Float32Array) => labels.reduce((a, y, i) => a + (argmaxRow(p, i, 10) === y ? 1 : 0), 0) / N;

describe('attacks (L-inf, eps 0.3, on 50 bundled held-out digits)', () => {
  it('FGSM flips the prediction of most digits; PGD (40 steps) beats FGSM', async () => {
    const fgsm = await attackBatch(model, x, N, budgetOpts(model, { method: 'fgsm', eps: 0.3 }), labels);
    const pgd = await attackBatch(model, x, N, budgetOpts(model, { method: 'pgd', eps: 0.3 }), labels);
    expect(accuracy(fgsm.before)).toBeGreaterThan(0.95);
    expect(accuracy(fgsm.after)).toBeLessThan(0.5);
    expect(accuracy(pgd.after)).toBeLessThanOrEqual(accuracy(fgsm.after));
    expect(accuracy(pgd.after)).toBeLessThanOrEqual(0.05);
    // At eps 0.3 the stable cross-entropy gradient lets FGSM alone flip (nearly) every digit; at eps 0.1 it
    // leaves most standing, and PGD's 40 steps find what one step misses.
    const fgsm01 = await attackBatch(model, x, N, budgetOpts(model, { method: 'fgsm', eps: 0.1 }), labels);
    const pgd01 = await attackBatch(model, x, N, budgetOpts(model, { method: 'pgd', eps: 0.1 }), labels);
    expect(accuracy(pgd01.after)).toBeLessThan(accuracy(fgsm01.after) - 0.2);
    for (const adv of [fgsm.adv, pgd.adv])
      for (let i = 0; i < x.length; i++) {
        expect(Math.abs(adv[i] - x[i])).toBeLessThanOrEqual(0.3 + 1e-6);
        expect(adv[i]).toBeGreaterThanOrEqual(0);
        expect(adv[i]).toBeLessThanOrEqual(1);
      }
  });

  it('L2 PGD stays inside its ball; a targeted attack reaches its target', async () => {
    const one = s.x.slice(0, size);
    const l2 = await attackOne(model, one, attackOpts(model, { method: 'pgd', norm: 'l2', eps: 3 }));
    expect(l2.perturbation.l2).toBeLessThanOrEqual(3 + 1e-4);
    const t = (s.labels[0] + 3) % 10;
    const targeted = await attackOne(model, one, attackOpts(model, { method: 'pgd', eps: 0.3, target: t }));
    expect(targeted.success).toBe(true);
    expect(targeted.after.index).toBe(t);
  });

  it('the robustness table falls with eps, PGD at or below FGSM', async () => {
    const r = await robustness(model, { eps: [0, 0.1, 0.3], images: 30, steps: 10, methods: ['fgsm', 'pgd'] });
    const at = (m: string, e: number) => r.table.find((row) => row.method === m && row.eps === e)!.accuracy;
    expect(at('fgsm', 0)).toBeGreaterThan(0.9);
    expect(at('fgsm', 0.3)).toBeLessThan(at('fgsm', 0.1) + 1e-9);
    expect(at('pgd', 0.3)).toBeLessThanOrEqual(at('fgsm', 0.3));
  });

  it('bad parameters and caps are refused by the schema; eps by the norm', () => {
    for (const q of [{ method: 'jsma' }, { steps: 201 }, { norm: 'l1' }, { eps: '0.1,x' }, { random_start: 'yes' }])
      expect(v.safeParse(AttackQuery, q).success, JSON.stringify(q)).toBe(false);
    expect(() => attackOpts(model, { eps: 2 })).toThrow(/eps must be from 0 to 1 for norm=linf/);
    expect(budgetOpts(model, { norm: 'l2', eps: 2 }).eps).toBe(2);
    expect(budgetOpts(model, { method: 'bim' }).randomStart).toBe(false);
    expect(budgetOpts(model, { method: 'bim', random_start: '1' }).randomStart).toBe(true);
  });
});
