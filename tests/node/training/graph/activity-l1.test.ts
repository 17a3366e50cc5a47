/**
 * The activity L1 penalty of the training step (graph/compile.ts ActivityL1) against a float64 reference written
 * here: the loss grows by exactly weight x mean(activations), the penalised layer's parameters get the penalty's
 * gradient on top of the cross-entropy's, and the layers above it are untouched.
 */
import { describe, expect, it } from 'vitest';
import { paramGrad } from '../../../../model-contract/graphs.js';
import { buildTrainStep } from '../../../../training/graph/compile.js';
import { resolve, type ArchSpec } from '../../../../training/spec.js';
import { randn } from '../../helpers/fd.js';
import { runGraph, type Feeds } from '../../helpers/graphs.js';

const N = 3,
  C = 2,
  S = 6,
  F = 4,
  K = 3,
  WEIGHT = 0.7;
const arch: ArchSpec = {
  input: [C, S, S],
  layers: [
    { kind: 'conv2d', filters: F, kernel: 3, padding: 'same' },
    { kind: 'relu' },
    { kind: 'avgpool', global: true },
    { kind: 'flatten' },
    { kind: 'dense', units: K },
  ],
};

/** Input x, each parameter random (seeds from paramSeed on), one-hot targets i % K. */
function feedsFor(layers: ReturnType<typeof resolve>, x: Float32Array, paramSeed: number): Feeds {
  const feeds: Feeds = { input: { data: x, dims: [N, C, S, S] } };
  let seed = paramSeed;
  for (const l of layers)
    for (const p of l.params)
      feeds[p.name] = {
        data: randn(
          p.shape.reduce((a, v) => a * v, 1),
          seed++,
          0.5,
        ),
        dims: p.shape,
      };
  const t = new Float32Array(N * K);
  for (let i = 0; i < N; i++) t[i * K + (i % K)] = 1;
  feeds.targets = { data: t, dims: [N, K] };
  return feeds;
}

describe('activity L1 penalty', () => {
  it('adds weight x mean(A) to the loss and its exact gradient to the penalised layer only', async () => {
    const layers = resolve(arch);
    const [conv, relu] = layers;
    const x = randn(N * C * S * S, 1);
    const w = randn(F * C * 9, 2, 0.5),
      bias = randn(F, 3, 0.3);
    const feeds = feedsFor(layers, x, 10);
    feeds[`${conv.name}.weight`].data = w;
    feeds[`${conv.name}.bias`].data = bias;

    const plain = await runGraph(buildTrainStep(arch), feeds);
    const penalised = await runGraph(buildTrainStep(arch, { activityL1: { layer: relu.name, weight: WEIGHT } }), feeds);

    // float64: the conv's pre-activations, the mean of the ReLU maps, and d mean / d weight, d mean / d bias.
    const count = N * F * S * S;
    let sum = 0;
    const dw = new Float64Array(F * C * 9),
      db = new Float64Array(F);
    for (let n = 0; n < N; n++)
      for (let f = 0; f < F; f++)
        for (let y = 0; y < S; y++)
          for (let xx = 0; xx < S; xx++) {
            let pre = bias[f];
            const taps: [number, number][] = [];
            for (let c = 0; c < C; c++)
              for (let i = 0; i < 3; i++)
                for (let j = 0; j < 3; j++) {
                  const yy = y + i - 1,
                    xj = xx + j - 1;
                  if (yy < 0 || yy >= S || xj < 0 || xj >= S) continue;
                  const v = x[((n * C + c) * S + yy) * S + xj];
                  pre += w[((f * C + c) * 3 + i) * 3 + j] * v;
                  taps.push([((f * C + c) * 3 + i) * 3 + j, v]);
                }
            if (pre <= 0) continue;
            sum += pre;
            db[f] += 1 / count;
            for (const [k, v] of taps) dw[k] += v / count;
          }
    const mean = sum / count;
    expect(mean).toBeGreaterThan(0.05);
    expect(penalised.loss[0] - plain.loss[0]).toBeCloseTo(WEIGHT * mean, 5);

    const g = (o: Record<string, Float32Array>, name: string) => o[paramGrad(name)];
    const gw = (o: Record<string, Float32Array>) => g(o, `${conv.name}.weight`);
    const gb = (o: Record<string, Float32Array>) => g(o, `${conv.name}.bias`);
    expect(gw(plain)).toBeDefined();
    let worst = 0;
    for (let k = 0; k < dw.length; k++)
      worst = Math.max(worst, Math.abs(gw(penalised)[k] - gw(plain)[k] - WEIGHT * dw[k]));
    for (let f = 0; f < F; f++) worst = Math.max(worst, Math.abs(gb(penalised)[f] - gb(plain)[f] - WEIGHT * db[f]));
    expect(worst).toBeLessThan(1e-5);
    // The dense layer above the penalised maps: the same gradient as without the penalty.
    const dense = layers[4].name;
    expect([...g(penalised, `${dense}.weight`)]).toEqual([...g(plain, `${dense}.weight`)]);
  });

  it('a ReLU before a max-pool keeps its own maps penalised in the fast forms (no pool-before-ReLU swap)', async () => {
    const pooled: ArchSpec = {
      input: [C, S, S],
      layers: [
        { kind: 'conv2d', filters: F, kernel: 3, padding: 'same' },
        { kind: 'relu' },
        { kind: 'maxpool', kernel: 2 },
        { kind: 'flatten' },
        { kind: 'dense', units: K },
      ],
    };
    const layers = resolve(pooled);
    const feeds = feedsFor(layers, randn(N * C * S * S, 4), 20);
    const activityL1 = { layer: layers[1].name, weight: WEIGHT };
    const fast = await runGraph(buildTrainStep(pooled, { forms: 'fast', activityL1 }), feeds);
    const reference = await runGraph(buildTrainStep(pooled, { forms: 'reference', activityL1 }), feeds);
    expect(Math.abs(fast.loss[0] - reference.loss[0])).toBeLessThan(1e-5);
  });

  it('refuses a layer that is not a hidden layer of the net', () => {
    expect(() => buildTrainStep(arch, { activityL1: { layer: 'relu9', weight: 1 } })).toThrow(/no hidden layer relu9/);
  });
});
