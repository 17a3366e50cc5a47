/**
 * keepBest: the trainer returns the weights of the epoch that scored best on the watched set (ties to the later
 * epoch), batch-norm statistics included, and keeping them does not change the run itself.
 */
import { describe, expect, it } from 'vitest';
import type { Weights } from '../../../training/graph/compile.js';
import { train, type TrainOptions } from '../../../training/trainer.js';
import { Rng } from '../../../model-contract/random.js';
import { digitSlices, tinyArch as arch } from '../helpers/tiny-run.js';

describe('keepBest', () => {
  // A watched set whose labels are shuffled: its accuracy wanders from epoch to epoch, so its best epoch is not
  // simply the last one (checked below: the test fails rather than passes vacuously if it is).
  const { data, watched } = digitSlices();
  watched.labels.set(new Rng(3).shuffle(Array.from(watched.labels)));

  it("returns the best watched epoch's weights (batch-norm statistics too), on an unchanged trajectory", async () => {
    const opts: TrainOptions = { arch, epochs: 6, batch: 32, lr: 1e-2, seed: 5, augment: null };
    const snapshots: Weights[] = [];
    const plain = await train(opts, data, watched, undefined, (_, w) => {
      snapshots.push(Object.fromEntries(Object.entries(w).map(([k, v]) => [k, v.slice()])));
    });
    const acc = plain.history.map((h) => h.testAccuracy!);
    const best = acc.reduce((b, a, i) => (a >= acc[b] ? i : b), 0);
    expect(best, `watched accuracy by epoch ${acc.join(', ')}`).toBeLessThan(opts.epochs - 1);
    expect(plain.bestEpoch).toBeUndefined();

    const kept = await train({ ...opts, keepBest: true }, data, watched);
    expect(kept.bestEpoch).toBe(best + 1);
    expect(kept.history.map((h) => h.testAccuracy)).toEqual(acc);
    expect(kept.weights).toEqual(snapshots[best]);
    expect(kept.weights['batchnorm1.running_mean']).not.toEqual(plain.weights['batchnorm1.running_mean']);
    expect(kept.weights).not.toEqual(plain.weights);
  });
});
