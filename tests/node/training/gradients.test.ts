/**
 * Every backward rule against central finite differences (tolerance in helpers/fd.ts), in training mode
 * (batch statistics, dropout masks) and in inference mode (what the edge's input-gradient graph uses).
 */
import { describe, expect, it } from 'vitest';
import { session, tensor } from '../../../training/engine.js';
import { buildProbe } from '../../../training/graph/compile.js';
import type { LayerSpec } from '../../../training/layers/registry.js';
import type { Forms, Mode } from '../../../training/layers/types.js';
import { resolve, type ArchSpec } from '../../../training/spec.js';
import { checkGradient, FD_EPS, FD_EPS_DEEP, randn, sampleIndices } from '../helpers/fd.js';

const N = 3;

async function gradCheck(
  input: [number, number, number],
  layers: LayerSpec[],
  mode: Mode,
  eps = FD_EPS,
  poolIndices = false,
  forms: Forms = 'reference',
) {
  const arch: ArchSpec = { input, layers };
  const resolved = resolve(arch);
  const s = await session(buildProbe(arch, mode, { poolIndices, forms }));
  const size = input.reduce((a, v) => a * v, 1);
  const x = randn(N * size, 1);
  const values: Record<string, { data: Float32Array; dims: number[] }> = { input: { data: x, dims: [N, ...input] } };
  let seed = 2;
  for (const l of resolved) {
    for (const p of l.params) {
      const n = p.shape.reduce((a, v) => a * v, 1);
      // Running variance must stay positive; everything else is a random normal.
      const data = p.suffix === 'running_var' ? randn(n, seed++).map((v) => 0.5 + v * v) : randn(n, seed++, 0.5);
      values[p.name] = { data, dims: p.shape };
    }
    if (mode === 'train' && l.kind === 'dropout') {
      const n = N * l.inShape.reduce((a, v) => a * v, 1);
      values[`${l.name}.mask`] = { data: randn(n, seed++).map((v) => (v > 0 ? 1 : 0)), dims: [N, ...l.inShape] };
    }
  }
  const out = resolved.at(-1)!.outShape;
  values.cotangent = { data: randn(N * out.reduce((a, v) => a * v, 1), 99), dims: [N, ...out] };
  const feeds = () => Object.fromEntries(Object.entries(values).map(([k, v]) => [k, tensor(v.data, v.dims)]));
  const result = await s.run(feeds());
  const cot = values.cotangent.data;
  const objective = async () => {
    const y = (await s.run(feeds(), ['output'])).output.data as Float32Array;
    let sum = 0;
    for (let i = 0; i < y.length; i++) sum += y[i] * cot[i];
    return sum;
  };
  const checked: string[] = [];
  const failures: Record<string, unknown> = {};
  for (const name of [
    'input',
    ...resolved.flatMap((l) => l.params.filter((p) => p.trainable && mode === 'train').map((p) => p.name)),
  ]) {
    const gradName = name === 'input' ? 'grad_input' : `grad:${name}`;
    const analytic = result[gradName].data as Float32Array;
    const r = await checkGradient(
      values[name].data,
      analytic,
      objective,
      sampleIndices(analytic.length, 24, name.length),
      eps,
    );
    checked.push(name);
    // Kinks are skipped, but a check that skipped most of its coordinates checked nothing.
    if (r.mismatches.length || r.kinks > Math.max(1, r.checked / 4))
      failures[name] = { kinks: r.kinks, of: r.checked, mismatches: r.mismatches.slice(0, 3) };
  }
  await s.release();
  return { checked, failures };
}

const cases: [string, [number, number, number], LayerSpec[], Mode[]][] = [
  ['conv2d 3x3 stride 1 no padding', [2, 7, 7], [{ kind: 'conv2d', filters: 3, kernel: 3 }], ['train', 'infer']],
  [
    'conv2d 3x3 stride 2 padding 1 (odd input)',
    [2, 7, 7],
    [{ kind: 'conv2d', filters: 3, kernel: 3, stride: 2, padding: 1 }],
    ['train'],
  ],
  [
    'conv2d 4x4 stride 3 (floor drops a column)',
    [1, 9, 9],
    [{ kind: 'conv2d', filters: 2, kernel: 4, stride: 3 }],
    ['train'],
  ],
  ['conv2d 5x5 same padding', [1, 8, 8], [{ kind: 'conv2d', filters: 2, kernel: 5, padding: 'same' }], ['train']],
  // Colour: n_ch = 3 input channels (RGB), square and non-square pictures.
  [
    'conv2d 3x3 same padding over 3 channels (RGB)',
    [3, 8, 8],
    [{ kind: 'conv2d', filters: 4, kernel: 3, padding: 'same' }],
    ['train', 'infer'],
  ],
  [
    'conv2d 5x5 stride 2 over 3 channels, 9x12 input',
    [3, 9, 12],
    [{ kind: 'conv2d', filters: 2, kernel: 5, stride: 2, padding: 1 }],
    ['train', 'infer'],
  ],
  [
    'conv2d 3x3 stride 2 padding 1 (even input: the last row is read, the bottom padding is not)',
    [1, 8, 8],
    [{ kind: 'conv2d', filters: 2, kernel: 3, stride: 2, padding: 1 }],
    ['train', 'infer'],
  ],
  // Uneven padding [top, left, bottom, right], as tf2onnx writes for a Keras stride-2 'same' conv.
  [
    'conv2d 3x3 stride 1 uneven padding [0, 1, 2, 1]',
    [2, 6, 7],
    [{ kind: 'conv2d', filters: 3, kernel: 3, padding: [0, 1, 2, 1] }],
    ['train', 'infer'],
  ],
  [
    'conv2d 3x3 stride 2 uneven padding [0, 0, 1, 1] (Keras same, even input)',
    [2, 8, 8],
    [{ kind: 'conv2d', filters: 3, kernel: 3, stride: 2, padding: [0, 0, 1, 1] }],
    ['train', 'infer'],
  ],
  [
    'conv2d 4x4 stride 2 uneven padding [2, 1, 0, 3], 9x8 input',
    [2, 9, 8],
    [{ kind: 'conv2d', filters: 2, kernel: 4, stride: 2, padding: [2, 1, 0, 3] }],
    ['train', 'infer'],
  ],
  ['relu', [2, 4, 4], [{ kind: 'relu' }], ['train']],
  ['leakyrelu (alpha 0.1)', [2, 4, 4], [{ kind: 'leakyrelu', alpha: 0.1 }], ['train', 'infer']],
  ['sigmoid', [2, 4, 4], [{ kind: 'sigmoid' }], ['train', 'infer']],
  ['tanh', [2, 4, 4], [{ kind: 'tanh' }], ['train', 'infer']],
  ["scale (an imported model's input normalisation)", [2, 3, 3], [{ kind: 'scale', mul: 3.2, add: -0.4 }], ['infer']],
  [
    'scale per channel in BGR order (mean-std normalisation of a BGR model)',
    [3, 3, 3],
    [{ kind: 'scale', mul: [4.4, -2, 0.5], add: [-2.1, 0.3, 1], order: [2, 1, 0] }],
    ['infer'],
  ],
  [
    'scale per channel on a vector, order rotated',
    [3, 1, 1],
    [{ kind: 'flatten' }, { kind: 'scale', mul: [1.5, 2, 3], add: 0.25, order: [1, 2, 0] }],
    ['infer'],
  ],
  ['relu then maxpool', [2, 6, 6], [{ kind: 'relu' }, { kind: 'maxpool', kernel: 2 }], ['train']],
  ['maxpool 2 (even input)', [2, 6, 6], [{ kind: 'maxpool', kernel: 2 }], ['train']],
  ['maxpool 2 (odd input: last row dropped)', [2, 7, 7], [{ kind: 'maxpool', kernel: 2 }], ['train']],
  ['maxpool 3', [1, 9, 9], [{ kind: 'maxpool', kernel: 3 }], ['train']],
  ['avgpool 2 (odd input)', [2, 5, 5], [{ kind: 'avgpool', kernel: 2 }], ['train']],
  ['global avgpool', [3, 5, 5], [{ kind: 'avgpool', global: true }], ['train']],
  ['global maxpool', [3, 5, 4], [{ kind: 'maxpool', global: true }], ['train', 'infer']],
  [
    'relu then global maxpool, then dense',
    [2, 4, 4],
    [{ kind: 'relu' }, { kind: 'maxpool', global: true }, { kind: 'flatten' }, { kind: 'dense', units: 3 }],
    ['train', 'infer'],
  ],
  ['flatten + dense', [2, 3, 3], [{ kind: 'flatten' }, { kind: 'dense', units: 4 }], ['train', 'infer']],
  ['batchnorm over feature maps', [3, 4, 4], [{ kind: 'batchnorm' }], ['train', 'infer']],
  ['batchnorm over a vector', [2, 2, 2], [{ kind: 'flatten' }, { kind: 'batchnorm' }], ['train', 'infer']],
  ['dropout', [2, 3, 3], [{ kind: 'dropout', rate: 0.5 }], ['train', 'infer']],
  [
    'a whole small CNN',
    [1, 10, 10],
    [
      { kind: 'conv2d', filters: 3, kernel: 3, padding: 1 },
      { kind: 'batchnorm' },
      { kind: 'relu' },
      { kind: 'maxpool' },
      { kind: 'conv2d', filters: 4, kernel: 3, stride: 2 },
      { kind: 'relu' },
      { kind: 'flatten' },
      { kind: 'dropout', rate: 0.25 },
      { kind: 'dense', units: 5 },
    ],
    ['train', 'infer'],
  ],
  [
    'a small colour CNN (3x12x10 input)',
    [3, 12, 10],
    [
      { kind: 'conv2d', filters: 2, kernel: 3, padding: 'same' },
      { kind: 'maxpool' },
      { kind: 'relu' },
      { kind: 'flatten' },
      { kind: 'dense', units: 3 },
    ],
    ['train', 'infer'],
  ],
];

describe('backward rules agree with central finite differences', () => {
  for (const [label, input, layers, modes] of cases) {
    for (const mode of modes) {
      it(`${label} (${mode})`, async () => {
        const { checked, failures } = await gradCheck(input, layers, mode, layers.length > 2 ? FD_EPS_DEEP : FD_EPS);
        expect(checked.length).toBeGreaterThan(0);
        expect(failures).toEqual({});
      });
    }
  }

  // The WASM trainer's max-pool backward: MaxUnpool of MaxPool's Indices (WebGPU rejects Indices).
  for (const [label, input, layers] of cases.filter(
    ([l]) => l.startsWith('maxpool') || l === 'a whole small CNN' || l.startsWith('a small colour CNN'),
  )) {
    it(`${label} (train, by MaxPool Indices and MaxUnpool)`, async () => {
      const { checked, failures } = await gradCheck(
        input,
        layers,
        'train',
        layers.length > 2 ? FD_EPS_DEEP : FD_EPS,
        true,
      );
      expect(checked.length).toBeGreaterThan(0);
      expect(failures).toEqual({});
    });
  }

  // The training step's alternative forms (patches + Gemm conv, fused batch norm, max-pool before ReLU), forced
  // whatever the shape.
  const alternative = /^(conv2d|batchnorm|relu then maxpool|a whole small CNN)/;
  for (const [label, input, layers] of cases.filter(([l]) => alternative.test(l))) {
    it(`${label} (train, every alternative training-step form)`, async () => {
      const eps = layers.length > 2 ? FD_EPS_DEEP : FD_EPS;
      const { checked, failures } = await gradCheck(input, layers, 'train', eps, label.includes('CNN'), 'all');
      expect(checked.length).toBeGreaterThan(0);
      expect(failures).toEqual({});
    });
  }

  it('a layer kind without a backward rule fails the build and names the layer', async () => {
    const { registry } = await import('../../../training/layers/registry.js');
    const saved = registry.relu.backward;
    delete (registry.relu as { backward?: unknown }).backward;
    try {
      expect(() => buildProbe({ input: [1, 4, 4], layers: [{ kind: 'relu' }] }, 'train')).toThrow(
        /layer "relu1" \(kind relu\) has no backward rule/,
      );
    } finally {
      registry.relu.backward = saved;
    }
  });
});
