/**
 * The training step's alternative forms (conv by patches + Gemm, batch norm through BatchNormalization with the
 * closed-form backward, max-pool before ReLU) against today's direct forms: the same loss, logits, gradients and
 * batch statistics on random shapes, at generic points and at confident ones (softmax near 1 on the target, where
 * the gradients are tiny and only relative error says anything). Finite differences for the forms themselves are
 * in gradients.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { buildProbe, buildTrainStep } from '../../../../training/graph/compile.js';
import { convForms } from '../../../../training/layers/conv2d.js';
import { ruleFor, type LayerSpec } from '../../../../training/layers/registry.js';
import type { Forms } from '../../../../training/layers/types.js';
import { resolve, type ArchSpec } from '../../../../training/spec.js';
import { PRESETS } from '../../../../training/presets.js';
import { randn } from '../../helpers/fd.js';
import { runGraph, type Feeds } from '../../helpers/graphs.js';

/** max |a - b| over max |b|, per output: float32 sums in another order differ by a few ulps of the largest term. */
const REL_TOL = 2e-5;
const N = 4;

/** A seeded random architecture: conv blocks of random sizes over a random input, then dense to `classes`. */
function randomArch(seed: number): ArchSpec {
  let s = seed >>> 0;
  const int = (lo: number, hi: number) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return lo + (s % (hi - lo + 1));
  };
  const side = int(7, 16);
  const layers: LayerSpec[] = [];
  let h = side;
  for (let blocks = int(1, 3), i = 0; i < blocks && h >= 4; i++) {
    const kernel = int(1, Math.min(5, h));
    const stride = int(1, 2),
      padding = int(0, Math.floor(kernel / 2));
    layers.push({ kind: 'conv2d', filters: int(1, 24), kernel, stride, padding });
    h = Math.floor((h + 2 * padding - kernel) / stride) + 1;
    if (int(0, 1)) layers.push({ kind: 'batchnorm' });
    layers.push({ kind: 'relu' });
    if (h >= 2 && int(0, 2)) {
      layers.push({ kind: 'maxpool', kernel: 2 });
      h = Math.floor(h / 2);
    }
  }
  layers.push({ kind: 'flatten' }, { kind: 'dense', units: int(3, 12) });
  if (int(0, 1)) layers.push({ kind: 'batchnorm' });
  layers.push({ kind: 'relu' }, { kind: 'dense', units: int(2, 10) });
  return { input: [int(1, 3), side, side], layers };
}

/** Random weights (He scale, batch-norm scales near 1), an input batch, one-hot targets and dropout masks. */
function stepFeeds(arch: ArchSpec, seed: number): Feeds {
  const layers = resolve(arch);
  const k = layers.at(-1)!.outShape[0];
  const feeds: Feeds = {
    input: { data: randn(N * arch.input.reduce((a, v) => a * v), seed), dims: [N, ...arch.input] },
  };
  let s = seed * 7;
  for (const l of layers)
    for (const p of l.params) {
      const n = p.shape.reduce((a, v) => a * v, 1);
      const data = p.init === 'ones' ? randn(n, s++).map((v) => 1 + 0.2 * v) : randn(n, s++, Math.sqrt(2 / p.fanIn));
      feeds[p.name] = { data, dims: p.shape };
    }
  for (const l of layers)
    for (const [suffix, shape] of Object.entries(ruleFor(l.kind).trainInputs?.shapes(l.spec, l.inShapes) ?? {})) {
      const n = N * shape.reduce((a, v) => a * v, 1);
      feeds[`${l.name}.${suffix}`] = { data: randn(n, s++).map((v) => (v > -0.5 ? 1 : 0)), dims: [N, ...shape] };
    }
  const targets = new Float32Array(N * k);
  for (let i = 0; i < N; i++) targets[i * k + (i % k)] = 1;
  feeds.targets = { data: targets, dims: [N, k] };
  return feeds;
}

/**
 * Per output: max |alt - ref| over max |ref|. A bias straight under a batch norm has zero gradient in exact
 * arithmetic (the norm removes any per-channel shift): both forms give rounding noise there, compared against the
 * largest gradient of the step instead.
 */
function errors(arch: ArchSpec, alt: Record<string, Float32Array>, ref: Record<string, Float32Array>) {
  const layers = resolve(arch);
  const zero = new Set(
    layers.filter((l, i) => layers[i + 1]?.kind === 'batchnorm' && l.params.length).map((l) => `grad:${l.name}.bias`),
  );
  const maxAbs = (a: Float32Array) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const largest = Math.max(
    ...Object.keys(ref)
      .filter((k) => k.startsWith('grad'))
      .map((k) => maxAbs(ref[k])),
  );
  const bad: Record<string, number> = {};
  for (const k of Object.keys(ref)) {
    let diff = 0;
    for (let i = 0; i < ref[k].length; i++) diff = Math.max(diff, Math.abs(alt[k][i] - ref[k][i]));
    const err = diff / Math.max(zero.has(k) ? largest : maxAbs(ref[k]), 1e-30);
    if (!(err <= REL_TOL)) bad[k] = err;
  }
  return bad;
}

/** The whole training step (loss, logits, gradients, batch statistics) at a generic point. */
async function compareStep(arch: ArchSpec, forms: Forms, seed: number, poolIndices: boolean) {
  const feeds = stepFeeds(arch, seed);
  const ref = await runGraph(buildTrainStep(arch, { forms: 'reference', poolIndices }), feeds);
  const alt = await runGraph(buildTrainStep(arch, { forms, poolIndices }), feeds);
  expect(Object.keys(alt).sort()).toEqual(Object.keys(ref).sort());
  return errors(arch, alt, ref);
}

/**
 * At a confident point: the last layer scaled until softmax gives the predicted class > 0.9999, and the
 * backward fed the cross-entropy cotangent softmax - onehot(prediction) computed in float64 (so its own float32
 * rounding, the same for both forms, does not drown what the forms do with tiny gradients).
 */
async function compareConfident(arch: ArchSpec, forms: Forms, seed: number, poolIndices: boolean) {
  const layers = resolve(arch),
    k = layers.at(-1)!.outShape[0];
  const feeds = stepFeeds(arch, seed);
  feeds.cotangent = { data: new Float32Array(N * k), dims: [N, k] };
  const probe = (f: Forms) => buildProbe(arch, 'train', { forms: f, poolIndices });
  const logits = (await runGraph(probe('reference'), feeds)).output;
  let gap = Infinity;
  for (let i = 0; i < N; i++) {
    const row = Array.from(logits.subarray(i * k, (i + 1) * k)).sort((a, b) => b - a);
    gap = Math.min(gap, row[0] - row[1]);
  }
  const scale = Math.max(1, 12 / Math.max(gap, 1e-3));
  for (const p of layers.at(-1)!.params) feeds[p.name].data = feeds[p.name].data.map((v) => v * scale);
  const z = (await runGraph(probe('reference'), feeds)).output;
  let largest = 0;
  for (let i = 0; i < N; i++) {
    const row = Array.from(z.subarray(i * k, (i + 1) * k), Number);
    const top = row.indexOf(Math.max(...row));
    const e = row.map((v) => Math.exp(v - row[top]));
    const sum = e.reduce((a, v) => a + v, 0);
    for (let c = 0; c < k; c++) {
      const g = e[c] / sum - (c === top ? 1 : 0);
      feeds.cotangent.data[i * k + c] = g;
      largest = Math.max(largest, Math.abs(g));
    }
  }
  expect(largest).toBeLessThan(1e-4);
  const ref = await runGraph(probe('reference'), feeds);
  const alt = await runGraph(probe(forms), feeds);
  return errors(arch, alt, ref);
}

describe('training-step forms give the gradients of the direct forms', () => {
  for (let seed = 1; seed <= 8; seed++)
    for (const confident of [false, true])
      it(`random architecture ${seed}, every alternative form, ${confident ? 'confident' : 'generic'} point`, async () => {
        const arch = randomArch(seed);
        const compare = confident ? compareConfident : compareStep;
        expect(await compare(arch, 'all', seed, seed % 2 === 0), JSON.stringify(arch)).toEqual({});
      });

  for (const name of Object.keys(PRESETS))
    for (const confident of [false, true])
      it(`the ${name} preset, the forms the training step picks, ${confident ? 'confident' : 'generic'} point`, async () => {
        const compare = confident ? compareConfident : compareStep;
        expect(await compare(PRESETS[name].arch, 'fast', 3, true)).toEqual({});
      });

  // Grouped convs (direct forms only) beside dense ones, and a ReLU before an overlapping padded max-pool (swapped).
  const separable: ArchSpec = {
    input: [3, 10, 10],
    layers: [
      { kind: 'conv2d', filters: 6, kernel: 3, padding: 1, groups: 3 },
      { kind: 'batchnorm' },
      { kind: 'clip', min: 0, max: 6 },
      { kind: 'conv2d', filters: 8, kernel: 1 },
      { kind: 'relu' },
      { kind: 'maxpool', kernel: 3, stride: 2, padding: 1 },
      { kind: 'conv2d', filters: 8, kernel: 3, groups: 4 },
      { kind: 'hardswish' },
      { kind: 'avgpool', kernel: 2, stride: 1, padding: 1, countIncludePad: true },
      { kind: 'flatten' },
      { kind: 'dense', units: 4 },
    ],
  };
  for (const confident of [false, true])
    it(`a depthwise-separable network, every alternative form, ${confident ? 'confident' : 'generic'} point`, async () => {
      const compare = confident ? compareConfident : compareStep;
      expect(await compare(separable, 'all', 5, true)).toEqual({});
    });

  it('the fast forms differ from the reference graph (the comparison above is not vacuous)', () => {
    const ops = (forms: Forms) => buildTrainStep(PRESETS.digits.arch, { forms }).graph.nodes.map((n) => n.op);
    expect(ops('fast').filter((o) => o === 'Gemm').length).toBeGreaterThan(
      ops('reference').filter((o) => o === 'Gemm').length,
    );
    expect(ops('fast')).toContain('BatchNormalization');
    expect(ops('reference')).not.toContain('BatchNormalization');
  });
});

describe('convForms picks the patches form by shape', () => {
  const conv = (filters: number, kernel: number) => ({ kind: 'conv2d' as const, filters, kernel });
  it('a small map or more filters than output positions: patches forward and weight gradient', () => {
    expect(convForms(conv(64, 3), [64, 7, 7], 'fast')).toEqual({ forward: true, weightGrad: true });
    expect(convForms(conv(200, 3), [200, 12, 12], 'fast')).toEqual({ forward: true, weightGrad: true });
  });
  it('a large map: the direct forward; the weight gradient by patches only when filters outnumber the taps', () => {
    expect(convForms(conv(32, 3), [32, 14, 14], 'fast')).toEqual({ forward: false, weightGrad: true });
    expect(convForms(conv(16, 5), [16, 28, 28], 'fast')).toEqual({ forward: false, weightGrad: false });
  });
  it('grouped and depthwise convs: never (the patches form is for dense convs)', () => {
    expect(convForms({ ...conv(64, 3), groups: 2 }, [64, 7, 7], 'fast')).toEqual({ forward: false, weightGrad: false });
    expect(convForms({ ...conv(8, 3), groups: 8 }, [8, 7, 7], 'all')).toEqual({ forward: false, weightGrad: false });
  });
  it('reference forms never, "all" always', () => {
    expect(convForms(conv(64, 3), [64, 7, 7], 'reference')).toEqual({ forward: false, weightGrad: false });
    expect(convForms(conv(1, 5), [1, 28, 28], 'all')).toEqual({ forward: true, weightGrad: true });
  });
});
