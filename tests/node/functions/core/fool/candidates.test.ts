/**
 * Carlini-Wagner's candidate pool (fool/candidates.ts) on the digits model: candidates of a held-out digit made by
 * mixing it with a digit of another class, so some fool the model and some do not. The pool confirms the smallest
 * candidate whose 8-bit rounding fools the model (the same as checking every candidate and taking the smallest that
 * fools), keeps the L2 bar, and stops at its cap on runs.
 */
import { describe, expect, it } from 'vitest';
import { CandidatePool, l2 } from '../../../../../functions/core/fool/candidates.js';
import { fools, to8bit } from '../../../../../functions/core/fool/deliver.js';
import { argmaxRow, forward, inputSize } from '../../../../../functions/core/gradient.js';
import { loadModel } from '../../../helpers/models.js';

const model = loadModel('digits');
const s = model.samples!();
const size = inputSize(model),
  k = model.meta.labels.length;
const digit = (i: number) => s.x.slice(i * size, (i + 1) * size);

/** Digit 0 and the first held-out digit the model gives another class. */
async function pair() {
  const p = (await forward(model, s.x.slice(0, 20 * size), 20)).probs;
  const label = argmaxRow(p, 0, k);
  const other = Array.from({ length: 20 }, (_, i) => i).find((i) => argmaxRow(p, i, k) !== label)!;
  return { x0: digit(0), x1: digit(other), label };
}

/** The mix (1 - t) x0 + t x1 for each t, as candidates (probabilities and c are not used by the checks). */
const mixes = (x0: Float32Array, x1: Float32Array, ts: number[]) =>
  ts.map((t, j) => {
    const x = x0.map((v, p) => (1 - t) * v + t * x1[p]);
    return { x, l2: l2(x, x0), probs: new Float32Array(k), c: j };
  });

describe('CandidatePool', () => {
  it('confirms the smallest candidate whose rounding fools the model, whatever the order they came in', async () => {
    const { x0, x1, label } = await pair();
    const ts = [0.9, 0.2, 0.6, 0.45, 0.3, 0.75, 0.55, 0.35, 1];
    const cands = mixes(x0, x1, ts);
    // The reference: every candidate's rounding checked, the smallest that fools.
    const q = new Float32Array(cands.length * size);
    cands.forEach((c, j) => q.set(to8bit(c.x), j * size));
    const z = (await forward(model, q, cands.length)).logits;
    const fooling = cands.filter((_, j) => fools(z, j, k, label));
    expect(fooling.length).toBeGreaterThan(0);
    expect(fooling.length).toBeLessThan(cands.length);
    const smallest = fooling.reduce((a, c) => (c.l2 < a.l2 ? c : a));

    for (const width of [1, 3]) {
      const pool = new CandidatePool(model, x0, [label], undefined, width, 100);
      for (const c of cands) await pool.add(0, c);
      await pool.check();
      const best = pool.best[0]!;
      expect(best.c).toBe(smallest.c);
      expect(best.rounded).toEqual(to8bit(smallest.x));
      expect(best.roundedL2).toBeCloseTo(l2(to8bit(smallest.x), x0), 5);
      const f = await forward(model, best.rounded, 1);
      expect(fools(f.logits, 0, k, label)).toBe(true);
      expect(Array.from(best.roundedProbs)).toEqual(Array.from(f.probs));
      // Nothing at or above the confirmed picture's L2 is taken any more.
      expect(pool.bar(0)).toBe(best.roundedL2);
      await pool.add(0, { ...cands[0], l2: best.roundedL2 + 1 });
      await pool.check();
      expect(pool.best[0]!.c).toBe(smallest.c);
    }
  });

  it('checks a full pool before it takes more, and stops at its cap on runs', async () => {
    const { x0, x1, label } = await pair();
    // 40 candidates that all fail (too close to x0): the pool (cap 32 at 28x28) is checked when full.
    const near = mixes(
      x0,
      x1,
      Array.from({ length: 40 }, (_, j) => 0.001 * (j + 1)),
    );
    const capped = new CandidatePool(model, x0, [label], undefined, 1, 3);
    for (const c of near) await capped.add(0, c);
    await capped.check();
    expect(capped.best[0]).toBeNull();
    // With room for every run, a fooling candidate after the failures is still found.
    const far = mixes(x0, x1, [1]).map((c) => ({ ...c, c: 99 }));
    const pool = new CandidatePool(model, x0, [label], undefined, 1, 1000);
    for (const c of [...near, ...far]) await pool.add(0, c);
    await pool.check();
    expect(pool.best[0]?.c).toBe(99);
    // The capped pool ran out of checks before reaching it.
    const short = new CandidatePool(model, x0, [label], undefined, 1, 2);
    for (const c of [...near, ...far]) await short.add(0, c);
    await short.check();
    expect(short.best[0]).toBeNull();
  });
});
