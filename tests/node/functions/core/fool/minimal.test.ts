/**
 * DeepFool and Carlini-Wagner on held-out digits (the digits model's bundled test images), at the endpoint's
 * defaults: each flips >= 90% with pictures that still fool the model after rounding to 8 bits (checked here by a
 * separate forward run of the returned picture), with a smaller mean L2 than PGD-L2 needs for the same success
 * (PGD's smallest eps on a grid that flips as many, its delivered pictures rounded the same way). Targeted runs
 * reach their target.
 */
import { describe, expect, it } from 'vitest';
import { attackBatch, attackOne } from '../../../../../functions/core/fool/attack.js';
import { cGrid, cw } from '../../../../../functions/core/fool/cw.js';
import { deepfool, deepfoolRows } from '../../../../../functions/core/fool/deepfool.js';
import { fools, perturbationNorms, to8bit } from '../../../../../functions/core/fool/deliver.js';
import { argmaxRow, forward, inputSize } from '../../../../../functions/core/gradient.js';
import { loadModel } from '../../../helpers/models.js';
import { attackOpts, budgetOpts, minimalOpts } from '../../../helpers/options.js';

const model = loadModel('digits');
const s = model.samples!();
const size = inputSize(model),
  k = model.meta.labels.length;
const images = (n: number) => s.x.slice(0, n * size);
const predicted = async (x: Float32Array, n: number) => {
  const p = (await forward(model, x, n)).probs;
  return Array.from({ length: n }, (_, i) => argmaxRow(p, i, k));
};

/** Flips and mean L2 of the flipped, from a fresh forward run of the pictures as given. */
async function flips(x: Float32Array, adv: Float32Array, n: number, labels: number[]) {
  const p = (await forward(model, adv, n)).probs;
  const flipped = labels.map((y, i) => fools(p, i, k, y)).flatMap((f, i) => (f ? [i] : []));
  const l2 = flipped.map(
    (i) => perturbationNorms(adv.subarray(i * size, (i + 1) * size), x.subarray(i * size, (i + 1) * size)).l2,
  );
  return { count: flipped.length, meanL2: l2.reduce((a, v) => a + v, 0) / Math.max(1, l2.length) };
}

const onGrid = (a: Float32Array) => a.every((v) => Math.abs(v * 255 - Math.round(v * 255)) < 1e-3);

/**
 * PGD-L2's 8-bit pictures of the first PGD_N digits at one eps, each attack run once and shared by the tests: a
 * picture's attack depends on it alone (its random start is drawn in picture order, its steps follow its own
 * gradient), so the first n of them are PGD-L2 of the first n digits.
 */
const PGD_N = 50;
const pgdRuns = new Map<number, Promise<Float32Array>>();
function pgdPictures(eps: number, labels: number[]): Promise<Float32Array> {
  if (!pgdRuns.has(eps))
    pgdRuns.set(
      eps,
      attackBatch(model, images(PGD_N), PGD_N, budgetOpts(model, { method: 'pgd', norm: 'l2', eps }), labels).then(
        (r) => to8bit(r.adv),
      ),
    );
  return pgdRuns.get(eps)!;
}

/** PGD-L2 (the endpoint's 40 steps) at the smallest eps of a grid that flips at least `count` of the first n. */
async function pgdFor(n: number, count: number) {
  const x = images(n),
    labels = await predicted(images(PGD_N), PGD_N);
  for (const eps of [1, 1.25, 1.5, 1.75, 2, 2.5, 3, 4]) {
    const adv = (await pgdPictures(eps, labels)).subarray(0, n * size);
    const f = await flips(x, adv, n, labels.slice(0, n));
    if (f.count >= count) return { eps, ...f };
  }
  throw new Error(`PGD-L2 up to eps 4 flips fewer than ${count}`);
}

describe('smallest-change attacks on held-out digits (L2, 8-bit pictures)', () => {
  it('DeepFool flips >= 90% of 50 with a smaller mean L2 than PGD-L2 needs', async () => {
    const n = 50,
      x = images(n),
      labels = await predicted(x, n);
    const r = await deepfool(model, x, n, minimalOpts(model, 'deepfool'), labels);
    expect(onGrid(r.adv)).toBe(true);
    const df = await flips(x, r.adv, n, labels);
    const pgd = await pgdFor(n, df.count);
    console.log(
      `DeepFool: ${df.count}/${n} flipped, mean L2 ${df.meanL2.toFixed(3)}; PGD-L2 at eps ${pgd.eps}: ${pgd.count}/${n}, mean L2 ${pgd.meanL2.toFixed(3)}`,
    );
    expect(df.count).toBeGreaterThanOrEqual(0.9 * n);
    expect(df.meanL2).toBeLessThan(pgd.meanL2);
  }, 600_000);

  it('Carlini-Wagner flips >= 90% of 20 with a smaller mean L2 than PGD-L2 needs', async () => {
    const n = 20,
      x = images(n),
      labels = await predicted(x, n);
    const r = await cw(model, x, n, minimalOpts(model, 'cw'), labels);
    expect(onGrid(r.adv)).toBe(true);
    const c = await flips(x, r.adv, n, labels);
    const pgd = await pgdFor(n, c.count);
    console.log(
      `CW: ${c.count}/${n} flipped, mean L2 ${c.meanL2.toFixed(3)}; PGD-L2 at eps ${pgd.eps}: ${pgd.count}/${n}, mean L2 ${pgd.meanL2.toFixed(3)}`,
    );
    expect(c.count).toBeGreaterThanOrEqual(0.9 * n);
    expect(c.meanL2).toBeLessThan(pgd.meanL2);
  }, 600_000);

  it('targeted DeepFool and CW reach the target; the answer says the 8-bit picture fools the model', async () => {
    for (const method of ['deepfool', 'cw']) {
      for (let i = 0; i < 3; i++) {
        const x = s.x.slice(i * size, (i + 1) * size);
        const target = (s.labels[i] + 1 + i) % k;
        const r = await attackOne(
          model,
          x,
          // CW towards a target: three values of c over 50 steps (a default fitted to the cost has fewer).
          attackOpts(model, { method, target, ...(method === 'cw' ? { search_steps: 3, steps: 50 } : {}) }),
        );
        expect(r.success, `${method} image ${i} -> ${target}`).toBe(true);
        expect(r.after.index).toBe(target);
        expect(r.rounding).toMatchObject({ bits: 8, fools: true });
        expect(onGrid(r.adv)).toBe(true);
        // The reported size is the delivered picture's.
        expect(r.perturbation.l2).toBeCloseTo(perturbationNorms(r.adv, x).l2, 6);
      }
    }
  }, 600_000);

  it('deepfool and cw refuse eps and norm=linf; the eps range follows the norm and the model', () => {
    expect(() => attackOpts(model, { method: 'deepfool', eps: 0.3 })).toThrow(/eps is the budget of fgsm, bim and pgd/);
    expect(() => attackOpts(model, { method: 'cw', norm: 'linf' })).toThrow(/smallest L2 change/);
    expect(() => attackOpts(model, { method: 'cw', steps: 200, search_steps: 5 })).toThrow(/over the cap of 800/);
    expect(() => attackOpts(model, { eps: -0.1 })).toThrow(/eps must be from 0 to 1 for norm=linf/);
    expect(() => attackOpts(model, { norm: 'l2', eps: 29 })).toThrow(/eps must be from 0 to 28 for norm=l2/);
    // Steps, candidates, values of c and Adam's rate fit the model's cost (tests/node/functions/core/defaults.test.ts).
    expect(attackOpts(model, { method: 'deepfool', steps: 50, candidates: 10 })).toMatchObject({
      steps: 50,
      overshoot: 0.02,
      candidates: 10,
    });
    expect(attackOpts(model, { method: 'cw', steps: 50, search_steps: 5, step_size: 0.3 })).toMatchObject({
      steps: 50,
      searchSteps: 5,
      lr: 0.3,
      initialC: 1,
    });
    expect(cGrid(1, 3)).toEqual([0.1, 1, 10]);
    // DeepFool's gradient rows per step: the candidates other than the class left, 1 towards a target.
    expect(deepfoolRows(10, minimalOpts(model, 'deepfool', { candidates: 10 }))).toBe(9);
    expect(deepfoolRows(10, minimalOpts(model, 'deepfool', { candidates: 3 }))).toBe(2);
    expect(deepfoolRows(10, minimalOpts(model, 'deepfool', { candidates: 3, target: 4 }))).toBe(1);
    expect(deepfoolRows(6, minimalOpts(model, 'deepfool', { candidates: 10 }))).toBe(5);
    expect(cGrid(1, 5).map((c) => +c.toPrecision(6))).toEqual([0.01, 0.1, 1, 10, 100]);
  });
});
