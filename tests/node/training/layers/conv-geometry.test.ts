/**
 * conv2d with a kernel, stride or dilation that differs between the axes (Inception-v3's 1x7 and 7x1, Keras
 * Conv2D((1, 3)), strides (2, 1)) or dilated kernels: every backward form against central finite differences of the
 * float64 reference (helpers/probe.ts), in both modes and in every alternative training-step form, and the graphs
 * through the official checker. A square kernel keeps the number form (the committed models: regenerate.test.ts).
 */
import { describe, expect, it } from 'vitest';
import type { LayerSpec } from '../../../../training/layers/registry.js';
import type { Forms, Mode } from '../../../../training/layers/types.js';
import { resolve } from '../../../../training/spec.js';
import { checkArchGraphs } from '../../helpers/arch-graphs.js';
import { FD_EPS } from '../../helpers/fd.js';
import { probeGradCheck } from '../../helpers/probe.js';

const cases: [string, [number, number, number], LayerSpec][] = [
  [
    '1x7 kernel, padding [0, 3, 0, 3] (Inception-v3)',
    [3, 5, 9],
    { kind: 'conv2d', filters: 2, kernel: [1, 7], padding: [0, 3, 0, 3] },
  ],
  [
    '7x1 kernel, padding [3, 0, 3, 0]',
    [2, 9, 4],
    { kind: 'conv2d', filters: 3, kernel: [7, 1], padding: [3, 0, 3, 0] },
  ],
  ['1x3 kernel, no padding (Keras Conv2D((1, 3)))', [2, 4, 7], { kind: 'conv2d', filters: 2, kernel: [1, 3] }],
  [
    '3x2 kernel, strides [2, 1], padding 1',
    [2, 7, 6],
    { kind: 'conv2d', filters: 2, kernel: [3, 2], stride: [2, 1], padding: 1 },
  ],
  [
    '3x3 kernel, strides [1, 2], uneven padding [1, 0, 1, 1]',
    [2, 6, 8],
    { kind: 'conv2d', filters: 3, kernel: 3, stride: [1, 2], padding: [1, 0, 1, 1] },
  ],
  [
    '2x5 kernel, strides [2, 3], floor drops rows and columns',
    [2, 9, 12],
    { kind: 'conv2d', filters: 2, kernel: [2, 5], stride: [2, 3] },
  ],
  [
    '3x3 dilation 2, padding 2 (same size)',
    [2, 8, 7],
    { kind: 'conv2d', filters: 3, kernel: 3, dilation: 2, padding: 2 },
  ],
  [
    '3x3 dilation [2, 1], stride 2, padding same',
    [2, 9, 8],
    { kind: 'conv2d', filters: 2, kernel: 3, dilation: [2, 1], stride: 2, padding: 'same' },
  ],
  ['3x3 dilation 3, no padding', [1, 10, 9], { kind: 'conv2d', filters: 2, kernel: 3, dilation: 3 }],
  [
    'depthwise 1x5, padding [0, 2, 0, 2] (dX as a grouped Conv)',
    [3, 4, 7],
    { kind: 'conv2d', filters: 3, kernel: [1, 5], padding: [0, 2, 0, 2], groups: 3 },
  ],
  [
    'depthwise 3x3 dilation 2, padding 2',
    [2, 7, 7],
    { kind: 'conv2d', filters: 2, kernel: 3, dilation: 2, padding: 2, groups: 2 },
  ],
  [
    'grouped 3x1 strides [2, 1], dilation [1, 2]',
    [4, 8, 7],
    { kind: 'conv2d', filters: 4, kernel: [3, 1], stride: [2, 1], dilation: [1, 2], groups: 2 },
  ],
];

const check = (input: [number, number, number], spec: LayerSpec, mode: Mode, forms: Forms = 'reference') =>
  probeGradCheck({ input, layers: [spec] }, mode, { eps: FD_EPS, forms, spread: 0.5 });

describe('conv2d with per-axis kernel, stride and dilation', () => {
  for (const [label, input, spec] of cases)
    for (const [mode, forms] of [
      ['train', 'reference'],
      ['train', 'all'],
      ['infer', 'reference'],
    ] as [Mode, Forms][])
      it(`${label} (${mode}, forms ${forms})`, async () => {
        const { checked, failures } = await check(input, spec, mode, forms);
        expect(checked.length).toBe(mode === 'train' ? 3 : 1);
        expect(failures).toEqual({});
      });

  it('output shapes follow each axis (span d(k-1)+1), weights are [F, C/g, kh, kw]', () => {
    const [l] = resolve({
      input: [3, 17, 17],
      layers: [{ kind: 'conv2d', filters: 4, kernel: [1, 7], padding: [0, 3, 0, 3] }],
    });
    expect(l.outShape).toEqual([4, 17, 17]);
    expect(l.params[0].shape).toEqual([4, 3, 1, 7]);
    expect(l.counts.connections).toBe(4 * 17 * 17 * 7 * 3);
    expect(l.counts.receptiveField).toBe(7); // the longer side
    const [d] = resolve({
      input: [2, 9, 12],
      layers: [{ kind: 'conv2d', filters: 1, kernel: 3, dilation: [2, 3], stride: [1, 2] }],
    });
    expect(d.outShape).toEqual([1, 9 - 4, Math.floor((12 - 7) / 2) + 1]);
    expect(() =>
      resolve({ input: [1, 5, 5], layers: [{ kind: 'conv2d', filters: 1, kernel: [2, 3], padding: 'same' }] }),
    ).toThrow('conv2d padding "same" needs an odd kernel, got [2,3]');
    expect(() =>
      resolve({ input: [1, 5, 5], layers: [{ kind: 'conv2d', filters: 1, kernel: 3, dilation: [0, 1] }] }),
    ).toThrow(/dilation integers >= 1/);
  });

  it('every graph passes the official ONNX checker', () => {
    const archs = cases.map(([, input, spec]) => ({ arch: { input, layers: [spec] } }));
    expect(checkArchGraphs(archs)).toEqual({ total: 5 * cases.length, passed: 5 * cases.length });
  });
});
