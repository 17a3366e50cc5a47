/**
 * The rules that read several values (add, concat, mul) and the blocks built with them, against central finite
 * differences (helpers/probe.ts): input gradient, and every weight gradient in training mode. The graphs read
 * some values more than once (fan-out), so the gradient sums over readers are checked too.
 */
import { describe, expect, it } from 'vitest';
import type { LayerSpec } from '../../../../training/layers/registry.js';
import type { Mode } from '../../../../training/layers/types.js';
import type { ArchSpec } from '../../../../training/spec.js';
import { BLOCKS } from '../../helpers/blocks.js';
import { FD_EPS } from '../../helpers/fd.js';
import { probeGradCheck } from '../../helpers/probe.js';

const rules: [string, [number, number, number], LayerSpec[]][] = [
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

const check = async (arch: ArchSpec, mode: Mode, eps: number, forms?: 'all') => {
  const { checked, failures } = await probeGradCheck(arch, mode, { eps, forms, poolIndices: !!forms });
  expect(checked.length).toBeGreaterThan(0);
  expect(failures).toEqual({});
};

describe('multi-input rules agree with central finite differences', () => {
  for (const [label, input, layers] of rules)
    for (const mode of ['train', 'infer'] as const)
      it(`${label} (${mode})`, () => check({ input, layers }, mode, FD_EPS));
});

describe('blocks agree with central finite differences', () => {
  for (const [label, arch] of Object.entries(BLOCKS)) {
    for (const mode of ['train', 'infer'] as const) it(`${label} (${mode})`, () => check(arch, mode, FD_EPS));
    it(`${label} (train, every alternative training-step form, MaxPool Indices)`, () =>
      check(arch, 'train', FD_EPS, 'all'));
  }

  // The ReLU feeds a max-pool and another layer: the training step must not run it after the pool.
  it('a ReLU read by a max-pool and by a second branch (train, every alternative form)', () =>
    check(
      {
        input: [2, 6, 6],
        layers: [
          { kind: 'conv2d', name: 'c', filters: 3, kernel: 3, padding: 1 },
          { kind: 'relu', name: 'r' },
          { kind: 'maxpool', name: 'p' },
          { kind: 'conv2d', name: 'q', filters: 3, kernel: 2, stride: 2, inputs: ['r'] },
          { kind: 'add', inputs: ['p', 'q'] },
          { kind: 'flatten' },
          { kind: 'dense', units: 3 },
        ],
      },
      'train',
      FD_EPS,
      'all',
    ));
});
