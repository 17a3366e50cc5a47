/**
 * The new layer rules in one network against the independent float64 classifier (helpers/reference64.ts): a
 * depthwise-separable stack with grouped convs, clip (ReLU6), hardswish, silu, hardsigmoid and pools that
 * overlap, pad, run in ceil mode and count padding either way. The probe's input and weight gradients (training
 * mode: batch statistics) agree with float64 to a relative 1e-3 on at least 99% of the coordinates, in the direct
 * forms and in every alternative training-step form.
 */
import { describe, expect, it } from 'vitest';
import { IO, paramGrad } from '../../../../model-contract/graphs.js';
import { buildProbe } from '../../../../training/graph/compile.js';
import type { Forms } from '../../../../training/layers/types.js';
import { resolve, type ArchSpec } from '../../../../training/spec.js';
import { randn } from '../../helpers/fd.js';
import { runGraph, type Feeds } from '../../helpers/graphs.js';
import { backward64, forward64, relativeErrors, summarise } from '../../helpers/reference64.js';

const N = 4,
  TOL = 1e-3,
  MIN_WITHIN = 0.99;

const arch: ArchSpec = {
  input: [3, 12, 11],
  layers: [
    { kind: 'conv2d', filters: 6, kernel: 3, padding: 1, groups: 3 },
    { kind: 'clip', min: 0, max: 6 },
    { kind: 'batchnorm' },
    { kind: 'conv2d', filters: 4, kernel: 1 },
    { kind: 'hardswish' },
    { kind: 'maxpool', kernel: 3, stride: 2, padding: 1 },
    { kind: 'conv2d', filters: 4, kernel: 3, padding: [1, 0, 1, 2], groups: 2 },
    { kind: 'silu' },
    { kind: 'avgpool', kernel: 3, stride: 2, padding: 1 },
    { kind: 'hardsigmoid', alpha: 0.5 },
    { kind: 'maxpool', kernel: 2, ceil: true },
    { kind: 'avgpool', kernel: 3, stride: 1, padding: 1, countIncludePad: true },
    { kind: 'flatten' },
    { kind: 'dense', units: 5 },
  ],
};

describe('the new layers against float64', () => {
  for (const forms of ['reference', 'all'] as Forms[])
    it(`input and weight gradients (forms ${forms})`, async () => {
      const layers = resolve(arch);
      expect(layers.at(-3)!.outShape).toEqual([4, 2, 2]);
      const x = randn(N * 3 * 12 * 11, 3, 2);
      const feeds: Feeds = { [IO.input]: { data: x, dims: [N, ...arch.input] } };
      const weights: Record<string, Float32Array> = {};
      let seed = 10;
      for (const p of layers.flatMap((l) => l.params)) {
        weights[p.name] = randn(
          p.shape.reduce((a, v) => a * v, 1),
          seed++,
          p.suffix === 'weight' ? 1 : 0.3,
        );
        feeds[p.name] = { data: weights[p.name], dims: p.shape };
      }
      const cot = randn(N * 5, 99);
      feeds.cotangent = { data: cot, dims: [N, 5] };
      const out = await runGraph(buildProbe(arch, 'train', { forms }), feeds);
      const f = forward64(layers, weights, x, N, 'train');
      const ref = backward64(layers, weights, f.caches, Float64Array.from(cot), N, 'train');
      const report: Record<string, ReturnType<typeof summarise>> = {
        input: summarise(relativeErrors(out[IO.gradInput], ref.dInput), TOL),
      };
      for (const p of layers.flatMap((l) => l.params).filter((p) => p.trainable))
        report[p.name] = summarise(relativeErrors(out[paramGrad(p.name)], ref.grads[p.name]), TOL);
      console.log(`float64 (forms ${forms}): ${JSON.stringify(report)}`);
      for (const [name, r] of Object.entries(report)) expect(r.within, name).toBeGreaterThanOrEqual(MIN_WITHIN);
    });
});
