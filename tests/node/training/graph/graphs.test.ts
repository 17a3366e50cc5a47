/**
 * Architectures as graphs: resolve() wires layers by name and checks the wiring; the registry holds every rule
 * to one gradient per input; the training step keeps a ReLU before a max-pool that is not its only reader; the
 * blocks' gradients at confident points (true-class probability above 0.9999) match an independent float64
 * implementation (helpers/reference64.ts); and training steps on a toy residual model reduce its loss.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { IO, paramGrad } from '../../../../model-contract/graphs.js';
import { Rng } from '../../../../model-contract/random.js';
import { session, tensor } from '../../../../training/engine.js';
import { buildLossGrad, buildProbe, compileTrainStep } from '../../../../training/graph/compile.js';
import type { GraphRule } from '../../../../training/layers/graph-rule.js';
import { poolBeforeRelu } from '../../../../training/layers/max-pool.js';
import { registry } from '../../../../training/layers/registry.js';
import { resolve, type ArchSpec } from '../../../../training/spec.js';
import { createTrainStep } from '../../../../training/step.js';
import { webEngine } from '../../../../training/trainer.js';
import { initWeights } from '../../../../training/weights.js';
import { BLOCKS } from '../../helpers/blocks.js';
import { randn } from '../../helpers/fd.js';
import { backward64, crossEntropy64, forward64, relativeErrors, summarise } from '../../helpers/reference64.js';

const projection = BLOCKS['residual with a 1x1 stride-2 projection'];

describe('resolve() wires layers by name', () => {
  it('a chain reads the layer before (the first reads the model input)', () => {
    const layers = resolve({ input: [1, 6, 6], layers: [{ kind: 'conv2d', filters: 2, kernel: 3 }, { kind: 'relu' }] });
    expect(layers.map((l) => l.inputs)).toEqual([['input'], ['conv2d1']]);
    expect(layers[1].inShapes).toEqual([[2, 4, 4]]);
  });

  it('shapes come from the named inputs; receptive field and stride product are the widest over them', () => {
    const byName = Object.fromEntries(resolve(projection).map((l) => [l.name, l]));
    expect(byName.proj.inShape).toEqual([4, 9, 9]);
    expect(byName.sum.inShapes).toEqual([
      [6, 5, 5],
      [6, 5, 5],
    ]);
    // stem 3; c1 3 + 2*1 = 5 (stride product 2); c2 5 + 2*2 = 9; proj 3 + 0 = 3 (2): the sum sees 9.
    const rf = (n: string) => [byName[n].counts.receptiveField, byName[n].strideProduct];
    expect(['stem', 'c1', 'c2', 'proj', 'sum'].map(rf)).toEqual([
      [3, 1],
      [5, 2],
      [9, 2],
      [3, 2],
      [9, 2],
    ]);
    expect(byName.sum.counts).toMatchObject({ weights: 0, connections: 0, neurons: 150, fullyConnectedParams: null });
    expect(byName.proj.counts).toMatchObject({ weights: 6 * 4, connections: 150 * 4 });
  });

  it('bad wiring fails with a message naming the layer and what is valid', () => {
    const arch = (layers: ArchSpec['layers']): ArchSpec => ({ input: [2, 4, 4], layers });
    expect(() =>
      resolve(
        arch([
          { kind: 'relu', name: 'r' },
          { kind: 'add', inputs: ['r', 'x'] },
        ]),
      ),
    ).toThrow(/layer 1 \(add1\): inputs \[r, x\] must name input or earlier layers \(input, r\)/);
    expect(() => resolve(arch([{ kind: 'relu', inputs: ['relu2'] }, { kind: 'relu' }]))).toThrow(/earlier layers/);
    expect(() => resolve(arch([{ kind: 'relu', name: 'input' }]))).toThrow(/name "input" must be unique, not "input"/);
    expect(() =>
      resolve(
        arch([
          { kind: 'relu', name: 'r' },
          { kind: 'sigmoid', inputs: ['input'] },
        ]),
      ),
    ).toThrow(/layers r: no layer reads their output/);
    expect(() => resolve(arch([{ kind: 'relu', inputs: ['input', 'input'] }]))).toThrow(
      /relu1\): relu reads one input, got 2/,
    );
    expect(() => resolve(arch([{ kind: 'add', inputs: ['input'] }]))).toThrow(/add needs at least 2 inputs, got 1/);
    expect(() =>
      resolve(
        arch([
          { kind: 'maxpool', name: 'p' },
          { kind: 'add', inputs: ['p', 'input'] },
        ]),
      ),
    ).toThrow(/add needs inputs of one shape, got \[2,2,2\], \[2,4,4\]/);
    expect(() =>
      resolve(
        arch([
          { kind: 'maxpool', name: 'p' },
          { kind: 'concat', inputs: ['p', 'input'] },
        ]),
      ),
    ).toThrow(/concat joins channels of inputs that agree on every other axis/);
    expect(() =>
      resolve(
        arch([
          { kind: 'flatten', name: 'f' },
          { kind: 'mul', inputs: ['f', 'input'] },
        ]),
      ),
    ).toThrow(/mul needs inputs of one rank whose sizes agree or are 1 .* got \[32\], \[2,4,4\]/);
  });
});

describe('the registry holds every rule to one gradient per input', () => {
  const saved = { ...registry };
  afterEach(() => Object.assign(registry, saved));
  const arch: ArchSpec = {
    input: [2, 3, 3],
    layers: [
      { kind: 'relu', name: 'r' },
      { kind: 'add', inputs: ['r', 'input'] },
    ],
  };

  it('fails the build when a rule returns fewer gradients than inputs', () => {
    const add = registry.add;
    registry.add = { ...add, backward: (ctx, a) => ({ ...add.backward!(ctx, a), dxs: [a.dy] }) } as GraphRule;
    expect(() => buildProbe(arch, 'infer')).toThrow(/layer "add1" \(kind add\).*1 input gradients for 2 inputs/);
  });

  it('fails the build when a needed input gradient is missing, naming the input', () => {
    const add = registry.add;
    registry.add = {
      ...add,
      backward: (ctx, a) => ({ ...add.backward!(ctx, a), dxs: [a.dy, undefined] }),
    } as GraphRule;
    expect(() => buildProbe(arch, 'infer')).toThrow(/no gradient for its input #2 \(input\)/);
  });
});

describe('the training step runs a ReLU after the max-pool only where the pool is its one reader', () => {
  const swapped = (arch: ArchSpec) =>
    poolBeforeRelu(resolve(arch), 'fast').map((l) => `${l.kind} ${l.name}(${l.inputs.join(',')})`);

  it('a chain: the pool reads the ReLU input, the ReLU the pool, the next layer the ReLU', () => {
    const chain: ArchSpec = {
      input: [1, 4, 4],
      layers: [
        { kind: 'conv2d', name: 'c', filters: 2, kernel: 1 },
        { kind: 'relu', name: 'r' },
        { kind: 'maxpool', name: 'p' },
        { kind: 'flatten', name: 'f' },
      ],
    };
    expect(swapped(chain)).toEqual(['conv2d c(input)', 'maxpool p(c)', 'relu r(p)', 'flatten f(r)']);
  });

  it('a ReLU read by two layers stays before the pool', () => {
    const two: ArchSpec = {
      input: [1, 4, 4],
      layers: [
        { kind: 'relu', name: 'r' },
        { kind: 'maxpool', name: 'p' },
        { kind: 'avgpool', name: 'q', inputs: ['r'] },
        { kind: 'add', name: 's', inputs: ['p', 'q'] },
      ],
    };
    expect(swapped(two)).toEqual(['relu r(input)', 'maxpool p(r)', 'avgpool q(r)', 'add s(p,q)']);
  });
});

// The same tolerances as tests/node/training/confident-gradients.test.ts.
const CONFIDENT = 0.9999;
const TOL = 1e-3;
const MIN_WITHIN = 0.99;

/**
 * Weights, inputs and labels at which the model is confident: of 64 random inputs the n whose top-two margins
 * lie closest together, and the head scaled to widen the narrowest to 10 (true class above 1 - 1e-4 with three
 * classes). Margins far apart would push some probabilities of the others below what float32 holds.
 */
function confidentPoint(arch: ArchSpec, n: number) {
  const layers = resolve(arch);
  const weights = initWeights(layers, 11);
  // Nonzero biases, so that no gradient term vanishes by construction.
  for (const l of layers)
    for (const p of l.params) if (p.role === 'bias') weights[p.name] = randn(weights[p.name].length, 5, 0.1);
  const size = arch.input.reduce((a, v) => a * v, 1),
    pool = 64;
  const all = randn(pool * size, 3);
  const k = layers.at(-1)!.outShape[0];
  const { logits } = forward64(layers, weights, all, pool, 'infer');
  const rows = Array.from({ length: pool }, (_, i) => [...logits.subarray(i * k, (i + 1) * k)]);
  const margins = rows.map((r) => {
    const [a, b] = [...r].sort((u, v) => v - u);
    return a - b;
  });
  const order = margins.map((_, i) => i).sort((i, j) => margins[i] - margins[j]);
  let best = 0;
  for (let s = 0; s + n <= pool; s++)
    if (margins[order[s + n - 1]] / margins[order[s]] < margins[order[best + n - 1]] / margins[order[best]]) best = s;
  const picked = order.slice(best, best + n);
  const x = new Float32Array(n * size);
  picked.forEach((i, j) => x.set(all.subarray(i * size, (i + 1) * size), j * size));
  const labels = picked.map((i) => rows[i].indexOf(Math.max(...rows[i])));
  const f = 10 / margins[picked[0]];
  for (const p of layers.at(-1)!.params) weights[p.name] = weights[p.name].map((v) => v * f);
  return { layers, weights, x, labels, k };
}

describe('blocks at confident points match float64', () => {
  for (const [label, arch] of Object.entries(BLOCKS))
    it(`${label}: loss-grad's input gradient and the training step's weight gradients`, async () => {
      const n = 8;
      const { layers, weights, x, labels, k } = confidentPoint(arch, n);
      const t = new Float32Array(n * k);
      labels.forEach((y, i) => (t[i * k + y] = 1));
      const f = forward64(layers, weights, x, n, 'infer');
      const { probs, dz } = crossEntropy64(f.logits, labels, k);
      expect(Math.min(...labels.map((y, i) => probs[i * k + y]))).toBeGreaterThan(CONFIDENT);

      const lossGrad = await session(buildLossGrad(arch, weights, { poolIndices: true }));
      const out = await lossGrad.run({ [IO.input]: tensor(x, [n, ...arch.input]), [IO.targets]: tensor(t, [n, k]) });
      await lossGrad.release();
      const input = summarise(
        relativeErrors(
          out[IO.gradInput].data as Float32Array,
          backward64(layers, weights, f.caches, dz, n, 'infer').dInput,
        ),
        TOL,
      );

      const { model } = compileTrainStep(arch, { poolIndices: true });
      const step = await session(model);
      const feeds = { [IO.input]: tensor(x, [n, ...arch.input]), [IO.targets]: tensor(t, [n, k]) };
      for (const p of layers.flatMap((l) => l.params))
        Object.assign(feeds, { [p.name]: tensor(weights[p.name], p.shape) });
      const got = await step.run(feeds);
      await step.release();
      const ref = backward64(layers, weights, f.caches, crossEntropy64(f.logits, labels, k, n).dz, n, 'train').grads;
      const params = layers.flatMap((l) => l.params).filter((p) => p.trainable);
      const weightErrors = params.flatMap((p) =>
        relativeErrors(got[paramGrad(p.name)].data as Float32Array, ref[p.name]),
      );
      const w = summarise(weightErrors, TOL);
      console.log(`${label} at ${n} confident points: input ${JSON.stringify(input)}, weights ${JSON.stringify(w)}`);
      expect(input.within).toBeGreaterThanOrEqual(MIN_WITHIN);
      expect(w.within).toBeGreaterThanOrEqual(MIN_WITHIN);
      // Every parameter's gradient reached (a skipped branch would leave one at zero).
      for (const p of params) expect(ref[p.name].some((v) => v !== 0)).toBe(true);
    });
});

describe('training a toy residual model', () => {
  it('30 steps on one batch reduce its loss to under half', async () => {
    const layers = resolve(projection);
    const weights = initWeights(layers, 2);
    const n = 24,
      k = 3;
    const x = randn(n * projection.input.reduce((a, v) => a * v, 1), 8);
    const t = new Float32Array(n * k).map((_, i) => (i % k === Math.floor(i / k) % k ? 1 : 0));
    const before = { proj: weights['proj.weight'].slice(), c1: weights['c1.weight'].slice() };
    const step = await createTrainStep(projection, weights, new Rng(1), { lr: 1e-2 }, webEngine());
    const losses: number[] = [];
    for (let i = 0; i < 30; i++) losses.push((await step.run(x, t, n)).loss);
    await step.release();
    console.log(`toy residual model: loss ${losses[0].toFixed(4)} -> ${losses.at(-1)!.toFixed(4)}`);
    expect(losses.at(-1)!).toBeLessThan(losses[0] / 2);
    // Both paths of the block learn.
    expect(weights['proj.weight']).not.toEqual(before.proj);
    expect(weights['c1.weight']).not.toEqual(before.c1);
  });
});
