/**
 * The rule registry's checks, and the training-time behaviour the layer rules own (dropout's masks, batch norm's
 * running statistics) as the one training step (training/step.ts) uses it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Rng } from '../../../../model-contract/random.js';
import { buildProbe, buildTrainStep } from '../../../../training/graph/compile.js';
import { registry } from '../../../../training/layers/registry.js';
import type { GraphRule } from '../../../../training/layers/graph-rule.js';
import type { ArchSpec } from '../../../../training/spec.js';
import { createTrainStep, type StepEngine } from '../../../../training/step.js';
import { webEngine } from '../../../../training/trainer.js';
import { initWeights } from '../../../../training/weights.js';
import { resolve } from '../../../../training/spec.js';

const arch: ArchSpec = {
  input: [1, 6, 6],
  layers: [
    { kind: 'conv2d', filters: 3, kernel: 3 },
    { kind: 'batchnorm' },
    { kind: 'relu' },
    { kind: 'flatten' },
    { kind: 'dropout', rate: 0.5 },
    { kind: 'dense', units: 4 },
  ],
};

describe('the rule registry', () => {
  const saved = { ...registry };
  afterEach(() => Object.assign(registry, saved));

  it('fails loudly when a backward rule returns no gradient for a trainable parameter', () => {
    const dense = registry.dense;
    registry.dense = { ...dense, backward: (ctx, a) => ({ ...dense.backward!(ctx, a), grads: {} }) } as GraphRule;
    expect(() => buildTrainStep(arch)).toThrow(
      /layer "dense1" \(kind dense\).*no gradient for dense1.weight, dense1.bias/,
    );
  });

  it('fails loudly when a backward rule returns no input gradient where one is needed', () => {
    const relu = registry.relu;
    registry.relu = { ...relu, backward: (ctx, a) => ({ ...relu.backward!(ctx, a), dxs: [undefined] }) } as GraphRule;
    expect(() => buildProbe(arch, 'infer')).toThrow(/layer "relu1" \(kind relu\).*no gradient for its input/);
  });

  it('fails loudly when a layer outputs training state it has no rule to update', () => {
    const bn = registry.batchnorm;
    registry.batchnorm = { ...bn, updateState: undefined } as GraphRule;
    expect(() => buildTrainStep(arch)).toThrow(/"batchnorm1".*no updateState rule/);
  });
});

describe('training behaviour owned by the layer rules', () => {
  it('dropout samples each mask entry with keep probability 1 - rate', () => {
    const { mask } = registry.dropout.trainInputs!.sample({ kind: 'dropout', rate: 0.3 }, [[100]], 100, new Rng(3));
    expect(mask.length).toBe(10_000);
    expect(mask.every((v) => v === 0 || v === 1)).toBe(true);
    expect(Math.abs(mask.reduce((a, v) => a + v, 0) / mask.length - 0.7)).toBeLessThan(0.02);
  });

  it('one step feeds the sampled masks and moves batch norm running statistics towards the batch', async () => {
    const layers = resolve(arch);
    const weights = initWeights(layers, 1);
    const fed: Record<string, { data: Float32Array; dims: number[] }>[] = [];
    const states: Record<string, Float32Array>[] = [];
    const engine = async (m: Parameters<ReturnType<typeof webEngine>>[0]): Promise<StepEngine> => {
      const inner = await webEngine()(m);
      return {
        async run(feeds) {
          fed.push(feeds);
          const out = await inner.run(feeds);
          states.push(out);
          return out;
        },
      };
    };
    const step = await createTrainStep(arch, weights, new Rng(5), { lr: 1e-3, bnMomentum: 0.1 }, engine);
    const n = 8,
      x = new Float32Array(n * 36).map((_, i) => Math.sin(i)),
      t = new Float32Array(n * 4).map((_, i) => (i % 4 === 0 ? 1 : 0));
    await step.run(x, t, n);
    const mask = fed[0]['dropout1.mask'];
    expect(mask.dims).toEqual([n, 48]);
    expect(new Set(mask.data)).toEqual(new Set([0, 1]));
    // The first step takes the batch statistics whole (the 1/t average), with the unbiased variance.
    const count = n * 16;
    expect([...weights['batchnorm1.running_mean']]).toEqual([...states[0]['batchnorm1.batch_mean']]);
    [...weights['batchnorm1.running_var']].forEach((v, i) =>
      expect(v).toBeCloseTo((states[0]['batchnorm1.batch_var'][i] * count) / (count - 1), 6),
    );
    await step.run(x, t, n);
    // A fresh mask each step.
    expect([...fed[1]['dropout1.mask'].data]).not.toEqual([...mask.data]);
    await step.release();
  });
});
