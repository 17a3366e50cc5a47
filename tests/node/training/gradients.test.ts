/**
 * Every backward rule against central finite differences of the float64 reference (helpers/probe.ts, tolerance in
 * helpers/fd.ts), in training mode
 * (batch statistics, dropout masks) and in inference mode (what the edge's input-gradient graph uses).
 */
import { describe, expect, it } from 'vitest';
import { buildInference, buildInputGrad, buildProbe } from '../../../training/graph/compile.js';
import { registry, type LayerSpec } from '../../../training/layers/registry.js';
import type { Forms, Mode } from '../../../training/layers/types.js';
import type { ModelDef } from '../../../training/onnx/proto.js';
import { resolve, type ArchSpec } from '../../../training/spec.js';
import { initWeights } from '../../../training/weights.js';
import { FD_EPS, FD_EPS_DEEP } from '../helpers/fd.js';
import { probeGradCheck } from '../helpers/probe.js';
import { MULTI_INPUT_RULES } from '../helpers/blocks.js';
import { MORE_RULE_CASES } from '../helpers/more-rule-cases.js';
import { checkArchGraphs } from '../helpers/arch-graphs.js';

/** Every parameter drawn N(0, 0.5^2): a single layer's weights need no fan-in scaling. */
const check = (
  input: [number, number, number],
  layers: LayerSpec[],
  mode: Mode,
  eps: number,
  poolIndices = false,
  forms: Forms = 'reference',
) => probeGradCheck({ input, layers }, mode, { eps, poolIndices, forms, spread: 0.5 });

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
  // Depthwise and grouped: n_ch = C/groups channels per filter.
  [
    'conv2d grouped 3x3 padding 1 (4 channels, 2 groups, 6 filters)',
    [4, 7, 7],
    [{ kind: 'conv2d', filters: 6, kernel: 3, padding: 1, groups: 2 }],
    ['train', 'infer'],
  ],
  [
    'conv2d depthwise 3x3 stride 2 padding 1 (groups = channels)',
    [3, 8, 8],
    [{ kind: 'conv2d', filters: 3, kernel: 3, stride: 2, padding: 1, groups: 3 }],
    ['train', 'infer'],
  ],
  [
    'conv2d depthwise x2 4x4 stride 3, uneven padding [1, 0, 2, 1], 9x10 input',
    [2, 9, 10],
    [{ kind: 'conv2d', filters: 4, kernel: 4, stride: 3, padding: [1, 0, 2, 1], groups: 2 }],
    ['train', 'infer'],
  ],
  // At stride 1, grouped layers take their input gradient as a grouped Conv of dY with each group's block of the
  // kernel transposed and flipped (layers/conv-dx.ts); strided ones keep ConvTranspose.
  [
    'conv2d depthwise 3x3 stride 1 padding 1 (dX as a depthwise Conv)',
    [3, 6, 5],
    [{ kind: 'conv2d', filters: 3, kernel: 3, padding: 1, groups: 3 }],
    ['train', 'infer'],
  ],
  [
    'conv2d grouped 3x3 stride 1 uneven padding [0, 1, 2, 1] (6 channels, 2 groups, 4 filters)',
    [6, 6, 7],
    [{ kind: 'conv2d', filters: 4, kernel: 3, padding: [0, 1, 2, 1], groups: 2 }],
    ['train', 'infer'],
  ],
  [
    'conv2d depthwise x3 5x5 stride 1 padding 2 (channel multiplier 3)',
    [2, 7, 6],
    [{ kind: 'conv2d', filters: 6, kernel: 5, padding: 2, groups: 2 }],
    ['infer'],
  ],
  [
    'conv2d depthwise 3x3 stride 1 padding 3 (more than k-1: ConvTranspose)',
    [2, 4, 5],
    [{ kind: 'conv2d', filters: 2, kernel: 3, padding: 3, groups: 2 }],
    ['infer'],
  ],
  // Dense layers with no fewer input channels than filters take it too, in inference mode.
  [
    'conv2d 3x3 stride 1 padding 1, 4 channels to 3 filters (dX as a Conv)',
    [4, 6, 5],
    [{ kind: 'conv2d', filters: 3, kernel: 3, padding: 1 }],
    ['infer'],
  ],
  [
    'conv2d 2x3 dilation 2, uneven padding [1, 2, 0, 1], 3 channels to 3 filters (dX as a Conv)',
    [3, 8, 7],
    [{ kind: 'conv2d', filters: 3, kernel: [2, 3], dilation: 2, padding: [1, 2, 0, 1] }],
    ['infer'],
  ],
  [
    'conv2d depthwise 3x3 stride 2 padding 1, odd 7x9 input',
    [2, 7, 9],
    [{ kind: 'conv2d', filters: 2, kernel: 3, stride: 2, padding: 1, groups: 2 }],
    ['train', 'infer'],
  ],
  ['conv2d 1x1', [4, 5, 6], [{ kind: 'conv2d', filters: 3, kernel: 1 }], ['train', 'infer']],
  [
    'conv2d 1x1 grouped (6 channels, 3 groups, 3 filters)',
    [6, 4, 5],
    [{ kind: 'conv2d', filters: 3, kernel: 1, groups: 3 }],
    ['infer'],
  ],
  // Inputs scaled by 4 so that every piece of the piecewise activations is reached.
  [
    'clip 0..6 (ReLU6)',
    [2, 4, 4],
    [
      { kind: 'scale', mul: 4, add: 0 },
      { kind: 'clip', min: 0, max: 6 },
    ],
    ['train', 'infer'],
  ],
  ['clip max only', [2, 4, 4], [{ kind: 'clip', max: 0.3 }], ['train', 'infer']],
  ['clip min only', [2, 4, 4], [{ kind: 'clip', min: -0.2 }], ['infer']],
  [
    'hardsigmoid (alpha 0.2, beta 0.5)',
    [2, 4, 4],
    [{ kind: 'scale', mul: 4, add: 0 }, { kind: 'hardsigmoid' }],
    ['train', 'infer'],
  ],
  [
    'hardsigmoid (alpha 1/6, beta 0.4)',
    [2, 4, 4],
    [
      { kind: 'scale', mul: 4, add: 0 },
      { kind: 'hardsigmoid', alpha: 1 / 6, beta: 0.4 },
    ],
    ['train', 'infer'],
  ],
  ['hardswish', [2, 4, 4], [{ kind: 'scale', mul: 4, add: 0 }, { kind: 'hardswish' }], ['train', 'infer']],
  ['silu (swish)', [2, 4, 4], [{ kind: 'scale', mul: 2, add: 0 }, { kind: 'silu' }], ['train', 'infer']],
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
  [
    'channels: a shuffle (a permutation)',
    [6, 3, 3],
    [
      { kind: 'conv2d', filters: 6, kernel: 1 },
      { kind: 'channels', pick: [0, 3, 1, 4, 2, 5] },
    ],
    ['train', 'infer'],
  ],
  ['channels: a run of them (one part of a Split)', [6, 3, 3], [{ kind: 'channels', pick: [2, 3, 4] }], ['infer']],
  ['channels of a vector', [4, 1, 1], [{ kind: 'flatten' }, { kind: 'channels', pick: [3, 0] }], ['infer']],
  [
    'unflatten: a vector as a map of one pixel, then a 1x1 conv',
    [3, 2, 2],
    [{ kind: 'flatten' }, { kind: 'unflatten' }, { kind: 'conv2d', filters: 2, kernel: 1 }],
    ['train', 'infer'],
  ],
  ['relu then maxpool', [2, 6, 6], [{ kind: 'relu' }, { kind: 'maxpool', kernel: 2 }], ['train']],
  [
    'relu then maxpool 3 stride 2 padding 1',
    [2, 7, 7],
    [{ kind: 'relu' }, { kind: 'maxpool', kernel: 3, stride: 2, padding: 1 }],
    ['train'],
  ],
  ['maxpool 2 (even input)', [2, 6, 6], [{ kind: 'maxpool', kernel: 2 }], ['train']],
  ['maxpool 2 (odd input: last row dropped)', [2, 7, 7], [{ kind: 'maxpool', kernel: 2 }], ['train']],
  ['maxpool 3', [1, 9, 9], [{ kind: 'maxpool', kernel: 3 }], ['train']],
  // Overlapping windows, padding (never the maximum: -inf) and ceil mode.
  ['maxpool 3 stride 2 (overlapping)', [2, 9, 8], [{ kind: 'maxpool', kernel: 3, stride: 2 }], ['train', 'infer']],
  [
    'maxpool 3 stride 2 padding 1 (the ResNet stem)',
    [2, 8, 8],
    [{ kind: 'maxpool', kernel: 3, stride: 2, padding: 1 }],
    ['train', 'infer'],
  ],
  [
    'maxpool 3 stride 1 padding 1 (same size)',
    [1, 6, 5],
    [{ kind: 'maxpool', kernel: 3, stride: 1, padding: 1 }],
    ['train'],
  ],
  [
    'maxpool 2 ceil mode (odd input: a last partial window)',
    [2, 7, 7],
    [{ kind: 'maxpool', kernel: 2, ceil: true }],
    ['train'],
  ],
  [
    'maxpool 3 stride 2 padding [1, 0, 0, 1] ceil mode',
    [1, 8, 9],
    [{ kind: 'maxpool', kernel: 3, stride: 2, padding: [1, 0, 0, 1], ceil: true }],
    ['train', 'infer'],
  ],
  ['avgpool 2 (odd input)', [2, 5, 5], [{ kind: 'avgpool', kernel: 2 }], ['train']],
  ['avgpool 2 stride 1 (overlapping)', [2, 5, 4], [{ kind: 'avgpool', kernel: 2, stride: 1 }], ['train', 'infer']],
  [
    'avgpool 3 stride 2 padding 1, border windows average their input cells',
    [2, 7, 8],
    [{ kind: 'avgpool', kernel: 3, stride: 2, padding: 1 }],
    ['train', 'infer'],
  ],
  [
    'avgpool 3 stride 2 padding 1, count_include_pad',
    [2, 7, 8],
    [{ kind: 'avgpool', kernel: 3, stride: 2, padding: 1, countIncludePad: true }],
    ['train', 'infer'],
  ],
  [
    'avgpool 3 stride 1 uneven padding [0, 1, 2, 1]',
    [1, 6, 6],
    [{ kind: 'avgpool', kernel: 3, stride: 1, padding: [0, 1, 2, 1] }],
    ['train'],
  ],
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
    'a depthwise-separable block (depthwise 3x3, ReLU6, pointwise 1x1, hardswish, pools)',
    [3, 10, 9],
    [
      { kind: 'conv2d', filters: 6, kernel: 3, padding: 1, groups: 3 },
      { kind: 'batchnorm' },
      { kind: 'clip', min: 0, max: 6 },
      { kind: 'conv2d', filters: 4, kernel: 1 },
      { kind: 'hardswish' },
      { kind: 'maxpool', kernel: 3, stride: 2, padding: 1 },
      { kind: 'silu' },
      { kind: 'avgpool', global: true },
      { kind: 'flatten' },
      { kind: 'dense', units: 3 },
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
  it('every registered layer kind has a case', () => {
    // The multi-input rules have their cases in layers/multi-input.test.ts, LRN and the e^X activations theirs
    // in layers/more-rules.test.ts.
    const covered = new Set<string>(
      [...cases, ...MULTI_INPUT_RULES, ...MORE_RULE_CASES].flatMap(([, , layers]) => layers.map((l) => l.kind)),
    );
    expect(Object.keys(registry).filter((kind) => !covered.has(kind))).toEqual([]);
  });

  for (const [label, input, layers, modes] of cases) {
    for (const mode of modes) {
      it(`${label} (${mode})`, async () => {
        const { checked, failures } = await check(input, layers, mode, layers.length > 2 ? FD_EPS_DEEP : FD_EPS);
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
      const { checked, failures } = await check(input, layers, 'train', layers.length > 2 ? FD_EPS_DEEP : FD_EPS, true);
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
      const { checked, failures } = await check(input, layers, 'train', eps, label.includes('CNN'), 'all');
      expect(checked.length).toBeGreaterThan(0);
      expect(failures).toEqual({});
    });
  }

  it('every graph the cases build passes the official ONNX checker (full check, IR 8, opset 17)', () => {
    const { total, passed } = checkArchGraphs(
      cases.map(([, input, layers, modes]) => ({ arch: { input, layers }, modes })),
    );
    expect(total).toBeGreaterThan(0);
    expect(passed).toBe(total);
  });

  it("no graph uses MaxPool's Indices output unless poolIndices is set (onnxruntime's WebGPU rejects it)", () => {
    const usesIndices = (m: ModelDef) => m.graph.nodes.some((n) => n.op === 'MaxPool' && n.outputs.length > 1);
    for (const [label, input, layers] of cases) {
      const arch: ArchSpec = { input, layers };
      const weights = initWeights(resolve(arch), 1);
      for (const m of [
        buildProbe(arch, 'train', { forms: 'all' }),
        buildInference(arch, weights),
        buildInputGrad(arch, weights),
      ])
        expect(usesIndices(m), label).toBe(false);
    }
    // The tiling windows use it when allowed; the others never (MaxUnpool cannot add up overlapping windows).
    const withIndices = (spec: LayerSpec) =>
      usesIndices(buildProbe({ input: [1, 8, 8], layers: [spec] }, 'train', { poolIndices: true }));
    expect(withIndices({ kind: 'maxpool', kernel: 2 })).toBe(true);
    expect(withIndices({ kind: 'maxpool', kernel: 3, stride: 2, padding: 1 })).toBe(false);
  });

  it('a layer kind without a backward rule fails the build and names the layer', async () => {
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
