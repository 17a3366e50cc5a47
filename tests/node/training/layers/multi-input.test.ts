/**
 * The rules that read several values (add, concat, mul) and the blocks built with them, against central finite
 * differences (helpers/probe.ts): input gradient, and every weight gradient in training mode. The graphs read
 * some values more than once (fan-out), so the gradient sums over readers are checked too.
 */
import { describe, expect, it } from 'vitest';
import type { Mode } from '../../../../training/layers/types.js';
import type { ArchSpec } from '../../../../training/spec.js';
import { BLOCKS, MULTI_INPUT_RULES as rules } from '../../helpers/blocks.js';
import { FD_EPS } from '../../helpers/fd.js';
import { probeGradCheck } from '../../helpers/probe.js';

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
