/**
 * Weight averaging (training/average.ts): the average of known weight sequences, computed here by the formula in
 * float64, and the trainer's ema option: it returns, scores and exports the average, not the last step's weights.
 */
import { describe, expect, it } from 'vitest';
import { WeightAverage } from '../../../training/average.js';
import type { Weights } from '../../../training/graph/compile.js';
import { accuracy, predict, train, type TrainOptions } from '../../../training/trainer.js';
import { digitSlices, tinyArch as arch } from '../helpers/tiny-run.js';

const copy = (w: Weights): Weights => Object.fromEntries(Object.entries(w).map(([k, v]) => [k, v.slice()]));

describe('WeightAverage', () => {
  it('follows avg <- d_t avg + (1 - d_t) w with d_t = min(decay, (1 + t) / (10 + t))', () => {
    expect(WeightAverage.factor(0.999, 1)).toBeCloseTo(2 / 11, 15);
    expect(WeightAverage.factor(0.999, 100)).toBeCloseTo(101 / 110, 15);
    expect(WeightAverage.factor(0.9, 1000)).toBe(0.9);
    const initial: Weights = { a: new Float32Array([1, -2]), b: new Float32Array([0.5]) };
    const avg = new WeightAverage(initial, 0.8);
    const expected = { a: [1, -2], b: [0.5] };
    const w: Weights = copy(initial);
    for (let t = 1; t <= 60; t++) {
      // A known sequence: w_t = (t, -t / 2) and sin(t).
      w.a[0] = t;
      w.a[1] = -t / 2;
      w.b[0] = Math.sin(t);
      avg.update(w);
      const d = Math.min(0.8, (1 + t) / (10 + t));
      expected.a = expected.a.map((v, i) => d * v + (1 - d) * w.a[i]);
      expected.b = [d * expected.b[0] + (1 - d) * w.b[0]];
    }
    expect(avg.steps).toBe(60);
    for (const k of ['a', 'b'] as const)
      Array.from(avg.weights[k]).forEach((v, i) => expect(v).toBeCloseTo(expected[k][i], 4));
    // Past the warm-up, a linear ramp's average lags it by decay / (1 - decay) steps: 4 at 0.8.
    expect(avg.weights.a[0]).toBeCloseTo(60 - 4, 1);
    // The average owns its arrays: the initial weights are untouched.
    expect(Array.from(initial.a)).toEqual([1, -2]);
  });

  it('averages a constant to itself and refuses a decay outside (0, 1) or changed weights', () => {
    const avg = new WeightAverage({ a: new Float32Array([3]) }, 0.99);
    for (let t = 0; t < 20; t++) avg.update({ a: new Float32Array([3]) });
    expect(avg.weights.a[0]).toBe(3);
    expect(() => new WeightAverage({}, 1)).toThrow(/decay/);
    expect(() => new WeightAverage({}, 0)).toThrow(/decay/);
    expect(() => avg.update({ a: new Float32Array(2) })).toThrow(/"a"/);
    expect(() => avg.update({})).toThrow(/"a"/);
  });
});

describe('train with ema', () => {
  const { data, watched } = digitSlices();

  it('returns and scores the average (batch-norm statistics included) on an unchanged trajectory', async () => {
    const opts: TrainOptions = { arch, epochs: 2, batch: 32, lr: 1e-2, seed: 5, augment: null };
    const plain = await train(opts, data, watched);
    const seen: Weights[] = [];
    const raws: (number | undefined)[] = [];
    const averaged = await train({ ...opts, ema: 0.9 }, data, watched, undefined, (_, w, raw) => {
      seen.push(copy(w));
      raws.push(raw);
    });
    // The average rides along: the run itself (losses, the last step's weights' scores) is the plain one.
    expect(averaged.history.map((h) => h.loss)).toEqual(plain.history.map((h) => h.loss));
    expect(averaged.rawTestAccuracy).toEqual(plain.history.map((h) => h.testAccuracy));
    expect(raws).toEqual(averaged.rawTestAccuracy);
    expect(plain.rawTestAccuracy).toBeUndefined();
    // What it returns, scores and hands to onEpoch is the average, not the last step's weights.
    expect(averaged.weights).toEqual(seen.at(-1));
    expect(averaged.weights['conv2d1.weight']).not.toEqual(plain.weights['conv2d1.weight']);
    expect(averaged.weights['batchnorm1.running_mean']).not.toEqual(plain.weights['batchnorm1.running_mean']);
    const score = accuracy((await predict(arch, averaged.weights, watched)).predictions, watched.labels);
    expect(averaged.history.at(-1)!.testAccuracy).toBe(score);

    // A decay near 0 follows the weights after every step: the average is then the last step's weights.
    const follow = await train({ ...opts, ema: 1e-9 }, data, watched);
    for (const [k, v] of Object.entries(plain.weights))
      Array.from(follow.weights[k]).forEach((x, i) => expect(x, k).toBeCloseTo(v[i], 5));
  });
});
