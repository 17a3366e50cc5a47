/** Per-layer counts follow the lecture's formulas, and agree with the real tensors of the built graphs. */
import { act } from '../../../model-contract/graphs.js';
import { describe, expect, it } from 'vitest';
import { session, tensor } from '../../../training/engine.js';
import { buildInference } from '../../../training/graph/compile.js';
import { convOutSide } from '../../../training/layers/conv2d.js';
import { PRESETS } from '../../../training/presets.js';
import { resolve, type ArchSpec } from '../../../training/spec.js';
import { initWeights } from '../../../training/weights.js';

describe("the lecture's formulas", () => {
  it('without padding, floor((n_in - n_rs)/n_s) + 1 equals ceil((n_in - n_rs + 1)/n_s)', () => {
    for (let nIn = 5; nIn <= 32; nIn++)
      for (let k = 1; k <= 5; k++)
        for (let s = 1; s <= 4; s++) {
          expect(convOutSide(nIn, k, s, 0)).toBe(Math.ceil((nIn - k + 1) / s));
        }
  });

  const arch: ArchSpec = {
    input: [3, 32, 32],
    layers: [
      { kind: 'conv2d', filters: 8, kernel: 5, stride: 2, padding: 1 },
      { kind: 'relu' },
      { kind: 'maxpool', kernel: 2 },
      { kind: 'conv2d', filters: 6, kernel: 3 },
      { kind: 'relu' },
      { kind: 'flatten' },
      { kind: 'dense', units: 10 },
    ],
  };

  it('weights n_f * n_rs^2 * n_ch + n_f biases, neurons from the output formula, receptive fields', () => {
    const [c1, , p1, c2, , , d] = resolve(arch);
    expect(c1.counts.weights).toBe(8 * 5 * 5 * 3);
    expect(c1.counts.biases).toBe(8);
    expect(c1.outShape).toEqual([8, 15, 15]); // floor((32 + 2 - 5)/2) + 1 = 15
    expect(c1.counts.neurons).toBe(15 * 15 * 8);
    expect(c1.counts.connections).toBe(15 * 15 * 8 * 5 * 5 * 3);
    expect(c1.counts.fullyConnectedParams).toBe(32 * 32 * 3 * 15 * 15 * 8 + 15 * 15 * 8);
    expect(p1.outShape).toEqual([8, 7, 7]);
    expect(c2.counts.weights).toBe(6 * 3 * 3 * 8);
    expect(c2.outShape).toEqual([6, 5, 5]);
    // Receptive field on the input: 5; after the pool 5 + (2-1)*2 = 7; after conv2 7 + (3-1)*4 = 15.
    expect([c1.counts.receptiveField, p1.counts.receptiveField, c2.counts.receptiveField]).toEqual([5, 7, 15]);
    expect(d.counts.weights).toBe(150 * 10);
  });

  // Uneven padding [top, left, bottom, right]: each side's output uses its own begin + end sum.
  const uneven: ArchSpec = {
    input: [3, 9, 10],
    layers: [{ kind: 'conv2d', filters: 4, kernel: 3, stride: 2, padding: [0, 1, 2, 3] }, { kind: 'relu' }],
  };

  it('uneven padding: floor((n_in + p_begin + p_end - n_rs)/n_s) + 1 per side', () => {
    const [c] = resolve(uneven);
    expect(c.outShape).toEqual([4, 5, 6]); // floor((9 + 0 + 2 - 3)/2) + 1 = 5, floor((10 + 1 + 3 - 3)/2) + 1 = 6
    expect(c.counts.neurons).toBe(4 * 5 * 6);
    expect(c.counts.connections).toBe(4 * 5 * 6 * 3 * 3 * 3);
  });

  // Depthwise and grouped: each filter sees n_ch = C/groups channels.
  const grouped: ArchSpec = {
    input: [6, 20, 20],
    layers: [
      { kind: 'conv2d', filters: 12, kernel: 3, padding: 1, groups: 6 },
      { kind: 'maxpool', kernel: 3, stride: 2, padding: 1 },
      { kind: 'conv2d', filters: 4, kernel: 3, groups: 2 },
      { kind: 'avgpool', kernel: 3, stride: 1, padding: 1 },
    ],
  };

  it('grouped conv: weights n_f * n_rs^2 * (n_ch / groups); overlapping pools: receptive field by kernel and stride', () => {
    const [dw, pool, g2, avg] = resolve(grouped);
    expect(dw.counts.weights).toBe(12 * 3 * 3 * 1);
    expect(dw.counts.connections).toBe(12 * 20 * 20 * 3 * 3 * 1);
    expect(pool.outShape).toEqual([12, 10, 10]); // floor((20 + 2 - 3)/2) + 1
    expect(g2.counts.weights).toBe(4 * 3 * 3 * 6);
    expect(g2.counts.connections).toBe(4 * 8 * 8 * 3 * 3 * 6);
    expect(avg.outShape).toEqual([4, 8, 8]);
    // 3; + (3-1)*1 = 5 (padding moves windows, not their size); + (3-1)*2 = 9; + (3-1)*2 = 13.
    expect([dw, pool, g2, avg].map((l) => l.counts.receptiveField)).toEqual([3, 5, 9, 13]);
    // Ceil mode adds a window at the end; the field and the step stay: 3; + (2-1)*1 = 4; + (3-1)*2 = 8.
    const fields = (ceil: boolean) =>
      resolve({
        input: [1, 19, 19],
        layers: [
          { kind: 'conv2d', filters: 2, kernel: 3 },
          { kind: 'maxpool', kernel: 2, ceil },
          { kind: 'conv2d', filters: 2, kernel: 3 },
        ],
      }).map((l) => l.counts.receptiveField);
    expect(fields(true)).toEqual([3, 4, 8]);
    expect(fields(false)).toEqual([3, 4, 8]);
  });

  it('a 1x1 conv after a global pool (a MobileNet head) sees the whole input, not NaN', () => {
    const layers = resolve({
      input: [3, 8, 8],
      layers: [
        { kind: 'conv2d', filters: 4, kernel: 3 },
        { kind: 'avgpool', global: true },
        { kind: 'conv2d', filters: 5, kernel: 1 },
      ],
    });
    expect(layers.map((l) => l.counts.receptiveField)).toEqual([3, 8, 8]);
  });

  it('the counts match the tensors of the built ONNX graph, for the test archs and both presets', async () => {
    for (const a of [arch, uneven, grouped, PRESETS.digits.arch, PRESETS.fashion.arch]) {
      const layers = resolve(a);
      const weights = initWeights(layers, 3);
      const model = buildInference(a, weights);
      for (const l of layers) {
        const sizes = model.graph.initializers.filter(
          (t) => t.name.startsWith(`${l.name}.`) && !t.name.includes('running'),
        );
        expect(sizes.reduce((s, t) => s + t.data.length, 0)).toBe(l.counts.weights + l.counts.biases);
      }
      const s = await session(model);
      const out = await s.run({
        input: tensor(new Float32Array(2 * a.input.reduce((x, v) => x * v, 1)), [2, ...a.input]),
      });
      for (const l of layers) {
        expect(out[act(l.name)].dims).toEqual([2, ...l.outShape]);
        expect(out[act(l.name)].data.length / 2).toBe(l.counts.neurons);
      }
      await s.release();
    }
  });

  it('bad specs fail with a message naming the layer and what is valid', () => {
    expect(() => resolve({ input: [1, 4, 4], layers: [{ kind: 'conv2d', filters: 2, kernel: 5 }] })).toThrow(
      /layer 0 \(conv2d1\): conv2d kernel 5 .* does not fit a 4x4 input/,
    );
    expect(() => resolve({ input: [1, 4, 4], layers: [{ kind: 'dense', units: 3 }] })).toThrow(/add a flatten layer/);
    expect(() => resolve({ input: [1, 4, 4], layers: [{ kind: 'lstm' } as never] })).toThrow(
      /Unknown layer kind "lstm". Should be one of: conv2d, relu/,
    );
    expect(() => resolve({ input: [1, 8, 8], layers: [{ kind: 'maxpool', kernel: 3, padding: 3 }] })).toThrow(
      /layer 0 \(maxpool1\): maxpool needs .* padding 0 \.\. kernel-1/,
    );
    // ONNX and PyTorch disagree on a ceil-mode window that starts in the end padding.
    expect(() =>
      resolve({ input: [1, 4, 4], layers: [{ kind: 'maxpool', kernel: 3, stride: 2, padding: 2, ceil: true }] }),
    ).toThrow(/the last window would start past the input/);
    expect(() => resolve({ input: [4, 6, 6], layers: [{ kind: 'conv2d', filters: 6, kernel: 3, groups: 4 }] })).toThrow(
      /groups must be an integer >= 1 dividing both 4 channels and 6 filters; got 4/,
    );
    expect(() => resolve({ input: [1, 4, 4], layers: [{ kind: 'clip', min: 6, max: 0 }] })).toThrow(
      /layer 0 \(clip1\): clip needs a finite min, max or both, with min < max/,
    );
    expect(() => resolve({ input: [1, 4, 4], layers: [{ kind: 'hardsigmoid', alpha: 0 }] })).toThrow(
      /hardsigmoid needs a finite non-zero alpha/,
    );
  });
});
