/**
 * Small graphs for tests: the blocks networks are built of (residual, with a 1x1 stride-2 projection,
 * squeeze-excite, two concatenated branches), each between a conv stem and a dense head of 3 classes.
 */
import type { LayerSpec } from '../../../training/layers/registry.js';
import type { ArchSpec } from '../../../training/spec.js';

const stem: LayerSpec[] = [
  { kind: 'conv2d', name: 'stem', filters: 4, kernel: 3, padding: 1 },
  { kind: 'relu', name: 'a' },
];
const head: LayerSpec[] = [{ kind: 'flatten' }, { kind: 'dense', name: 'head', units: 3 }];

export const BLOCKS: Record<string, ArchSpec> = {
  // conv-relu-conv plus the block's input, then ReLU (ResNet's basic block).
  residual: {
    input: [2, 6, 6],
    layers: [
      ...stem,
      { kind: 'conv2d', name: 'c1', filters: 4, kernel: 3, padding: 1 },
      { kind: 'relu', name: 'r1' },
      { kind: 'conv2d', name: 'c2', filters: 4, kernel: 3, padding: 1 },
      { kind: 'add', name: 'sum', inputs: ['c2', 'a'] },
      { kind: 'relu', name: 'out' },
      ...head,
    ],
  },
  // The block halves the map and widens it: the skip becomes a 1x1 stride-2 convolution (odd input: 9 -> 5).
  'residual with a 1x1 stride-2 projection': {
    input: [2, 9, 9],
    layers: [
      ...stem,
      { kind: 'conv2d', name: 'c1', filters: 6, kernel: 3, stride: 2, padding: 1 },
      { kind: 'relu', name: 'r1' },
      { kind: 'conv2d', name: 'c2', filters: 6, kernel: 3, padding: 1 },
      { kind: 'conv2d', name: 'proj', filters: 6, kernel: 1, stride: 2, inputs: ['a'] },
      { kind: 'add', name: 'sum', inputs: ['c2', 'proj'] },
      { kind: 'relu', name: 'out' },
      ...head,
    ],
  },
  // Global average pool, 1x1 squeeze and excite, a sigmoid gate per channel times the map.
  'squeeze-excite': {
    input: [2, 6, 6],
    layers: [
      ...stem,
      { kind: 'avgpool', name: 'squeeze', global: true },
      { kind: 'conv2d', name: 'reduce', filters: 2, kernel: 1 },
      { kind: 'relu', name: 'r1' },
      { kind: 'conv2d', name: 'expand', filters: 4, kernel: 1 },
      { kind: 'sigmoid', name: 'gate' },
      { kind: 'mul', name: 'excite', inputs: ['gate', 'a'] },
      ...head,
    ],
  },
  // Two branches of the same map (1x1 and 3x3), joined along the channels (Inception, SqueezeNet's fire).
  'concat of two branches': {
    input: [2, 6, 6],
    layers: [
      ...stem,
      { kind: 'conv2d', name: 'b1', filters: 2, kernel: 1 },
      { kind: 'relu', name: 'b1r' },
      { kind: 'conv2d', name: 'b2', filters: 3, kernel: 3, padding: 1, inputs: ['a'] },
      { kind: 'relu', name: 'b2r' },
      { kind: 'concat', name: 'cat', inputs: ['b1r', 'b2r'] },
      { kind: 'maxpool', name: 'pool' },
      ...head,
    ],
  },
};

/** One case per multi-input rule (tests/node/training/layers/multi-input.test.ts checks them). */
export const MULTI_INPUT_RULES: [string, [number, number, number], LayerSpec[]][] = [
  // 'a' is read twice by the sum and the input by both layers: dX = dY (1 + 2 W) through the conv.
  [
    'add of 3 inputs, one of them twice',
    [2, 4, 4],
    [
      { kind: 'conv2d', name: 'a', filters: 2, kernel: 1 },
      { kind: 'add', inputs: ['a', 'input', 'a'] },
    ],
  ],
  [
    'concat of the input and a conv of it (channels)',
    [2, 4, 5],
    [
      { kind: 'conv2d', name: 'a', filters: 3, kernel: 3, padding: 1 },
      { kind: 'concat', inputs: ['input', 'a'] },
    ],
  ],
  [
    'concat of vectors',
    [2, 3, 3],
    [
      { kind: 'flatten', name: 'f' },
      { kind: 'dense', name: 'd', units: 3 },
      { kind: 'concat', inputs: ['d', 'f'] },
    ],
  ],
  [
    'mul of a [C,1,1] gate and the [C,H,W] map it is pooled from',
    [3, 4, 5],
    [
      { kind: 'avgpool', name: 'g', global: true },
      { kind: 'sigmoid', name: 's' },
      { kind: 'mul', inputs: ['input', 's'] },
    ],
  ],
  [
    'mul of two maps of one shape',
    [2, 4, 4],
    [
      { kind: 'conv2d', name: 'a', filters: 2, kernel: 3, padding: 1 },
      { kind: 'mul', inputs: ['a', 'input'] },
    ],
  ],
];
