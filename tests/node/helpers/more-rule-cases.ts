/**
 * Gradient cases of the layer rules imported classifiers brought in (LRN; the e^X activations; per-channel PReLU;
 * ConvNeXt's layer norm over the channels and GELU;
 * non-square pooling windows), run by
 * tests/node/training/layers/more-rules.test.ts and counted by gradients.test.ts's every-kind check.
 */
import type { LayerSpec } from '../../../training/layers/registry.js';
import type { Mode } from '../../../training/layers/types.js';

/** Inputs scaled so that the cross-channel term (alpha) and every piece of the activations are reached. */
const scaled = (mul: number): LayerSpec => ({ kind: 'scale', mul, add: 0 });

export const MORE_RULE_CASES: [string, [number, number, number], LayerSpec[], Mode[]][] = [
  [
    'lrn size 5 (AlexNet), alpha 2: the cross-channel term large',
    [7, 3, 3],
    [{ kind: 'lrn', size: 5, alpha: 2 }],
    ['train', 'infer'],
  ],
  [
    'lrn size 5, ONNX defaults (alpha 1e-4, beta 0.75, bias 1)',
    [6, 2, 3],
    [scaled(4), { kind: 'lrn', size: 5 }],
    ['infer'],
  ],
  [
    'lrn size 3, beta 0.5, bias 2',
    [5, 3, 2],
    [{ kind: 'lrn', size: 3, alpha: 3, beta: 0.5, bias: 2 }],
    ['train', 'infer'],
  ],
  [
    'lrn size 7 over 3 channels (windows clipped)',
    [3, 3, 3],
    [{ kind: 'lrn', size: 7, alpha: 1.5, beta: 1.2, bias: 0.5 }],
    ['infer'],
  ],
  [
    'conv2d then lrn then relu (CaffeNet)',
    [2, 6, 6],
    [{ kind: 'conv2d', filters: 6, kernel: 3 }, { kind: 'lrn', size: 3, alpha: 1 }, { kind: 'relu' }],
    ['train', 'infer'],
  ],
  ['elu (alpha 1)', [2, 4, 4], [scaled(3), { kind: 'elu' }], ['train', 'infer']],
  ['elu (alpha 0.4)', [2, 4, 4], [scaled(3), { kind: 'elu', alpha: 0.4 }], ['infer']],
  ['selu (defaults)', [2, 4, 4], [scaled(3), { kind: 'selu' }], ['train', 'infer']],
  ['selu (alpha 1.2, gamma 0.8)', [2, 4, 4], [scaled(3), { kind: 'selu', alpha: 1.2, gamma: 0.8 }], ['infer']],
  ['prelu, a slope per channel of a map', [3, 4, 3], [{ kind: 'prelu' }], ['train', 'infer']],
  ['prelu of a vector', [4, 1, 1], [{ kind: 'flatten' }, { kind: 'prelu' }], ['train', 'infer']],
  ['softplus', [2, 4, 4], [scaled(4), { kind: 'softplus' }], ['train', 'infer']],
  ['gelu (exact, erf)', [2, 4, 4], [scaled(3), { kind: 'gelu' }], ['train', 'infer']],
  ['gelu (tanh approximation)', [2, 4, 4], [scaled(3), { kind: 'gelu', approximate: 'tanh' }], ['train', 'infer']],
  ['layernorm over the channels of a map', [5, 3, 2], [{ kind: 'layernorm' }], ['train', 'infer']],
  ['layernorm (eps 1e-6) of a vector', [6, 1, 1], [{ kind: 'flatten' }, { kind: 'layernorm', eps: 1e-6 }], ['train']],
  [
    'depthwise 7x7 then layernorm then gelu (a ConvNeXt block)',
    [4, 7, 7],
    [
      { kind: 'conv2d', filters: 4, kernel: 7, padding: 3, groups: 4 },
      { kind: 'layernorm', eps: 1e-6 },
      { kind: 'conv2d', filters: 8, kernel: 1 },
      { kind: 'gelu' },
    ],
    ['train', 'infer'],
  ],
  [
    "rectpool max 2x1 (a text recogniser's)",
    [3, 6, 4],
    [{ kind: 'rectpool', op: 'max', kernel: [2, 1] }],
    ['train', 'infer'],
  ],
  [
    'rectpool max 1x3 over 5 columns (the last dropped)',
    [2, 3, 5],
    [{ kind: 'rectpool', op: 'max', kernel: [1, 3] }],
    ['infer'],
  ],
  [
    'rectpool avg 3x2 over 7x5 (rows and a column dropped)',
    [2, 7, 5],
    [{ kind: 'rectpool', op: 'avg', kernel: [3, 2] }],
    ['train', 'infer'],
  ],
  [
    'conv2d, relu, rectpool max 1x2',
    [2, 4, 6],
    [
      { kind: 'conv2d', filters: 3, kernel: 3, padding: 1 },
      { kind: 'relu' },
      { kind: 'rectpool', op: 'max', kernel: [1, 2] },
    ],
    ['train'],
  ],
];
