import { describe, expect, it } from 'vitest';
import { checkGradient, switches } from './fd.js';

const layers = [
  { name: 'relu1', kind: 'relu' },
  { name: 'pool1', kind: 'maxpool', spec: { kernel: 2 } },
  { name: 'pool2', kind: 'maxpool', spec: { global: true } },
];
const relu = { data: [0, 0, 0, 0, 0.5, 0.2, 0, 0.7], dims: [1, 2, 2, 2] };
const pooled = { data: [0, 0.7], dims: [1, 2, 1, 1] };

describe('switches', () => {
  it('lists which ReLUs pass and which input each max-pool window takes (none for a window of zeros after a ReLU)', () => {
    const s = switches(layers, { relu1: relu, pool1: pooled, pool2: { data: [0, 0.7], dims: [1, 2, 1, 1] } });
    // relu1's 8 units; pool1 (after the ReLU): channel 0 all zero (-1), channel 1 takes index 7 (0.7); pool2 (after
    // a pool, so zeros count) takes each 1x1 map's one input, indices 0 and 1.
    expect([...s]).toEqual([0, 0, 0, 0, 1, 1, 0, 1, -1, 7, 0, 1]);
  });

  it('takes windows that overlap, pad (padding never wins) and run in ceil mode, per image', () => {
    // One 3x3 map per image; kernel 2, stride 2, padding 1: windows start at rows and columns -1 and 1.
    const x = { data: [1, 9, 2, 3, 4, 5, 6, 7, 8, -1, -9, -2, -3, -4, -5, -6, -7, -8], dims: [2, 1, 3, 3] };
    const pool = { name: 'pool', kind: 'maxpool', spec: { kernel: 2, stride: 2, padding: 1 } };
    const y = { data: new Array(8).fill(0), dims: [2, 1, 2, 2] };
    expect([...switches([{ name: 'x', kind: 'input' }, pool], { x, pool: y })]).toEqual([0, 1, 6, 8, 9, 11, 12, 13]);
    // Kernel 3, stride 2 on 3x4 in ceil mode: windows at columns 0 and 2 (the second holds columns 2 and 3).
    const wide = { data: [0, 1, 2, 3, 4, 5, 7, 6, 8, 9, 11, 10], dims: [1, 1, 3, 4] };
    const ceil = { name: 'pool', kind: 'maxpool', spec: { kernel: 3, stride: 2 } };
    expect([
      ...switches([{ name: 'x', kind: 'input' }, ceil], { x: wide, pool: { data: [0, 0], dims: [1, 1, 1, 2] } }),
    ]).toEqual([10, 10]);
  });

  it('lists the piece each unit of clip, hardsigmoid (by output) and hardswish (by input) is on', () => {
    const layers = [
      { name: 'x', kind: 'input' },
      { name: 'hswish', kind: 'hardswish' },
      { name: 'clip', kind: 'clip', spec: { min: 0, max: 6 } },
      { name: 'hsig', kind: 'hardsigmoid' },
    ];
    const v = (data: number[]) => ({ data, dims: [1, data.length] });
    const s = switches(layers, {
      x: v([-4, -1, 0.5, 7]),
      hswish: v([0, -0.33, 0.29, 7]),
      clip: v([0, 0.5, 6, 3]),
      hsig: v([0, 0.2, 1, 0.99]),
    });
    // hardswish by its input x (-3 and 3 bound its curved piece); clip and hardsigmoid by their outputs.
    expect([...s]).toEqual([0, 1, 1, 2, 0, 1, 2, 1, 0, 1, 2, 1]);
  });

  it('skips layers without activations', () => {
    expect([...switches(layers, { relu1: relu })]).toEqual([0, 0, 0, 0, 1, 1, 0, 1]);
  });
});

describe('checkGradient with switches', () => {
  // f(x) = relu(x - k) + 0.3 x: a kink at k; the switch is whether x - k > 0.
  const at = (k: number) => {
    const x = new Float32Array([0.5]);
    const f = async () => ({ value: Math.max(0, x[0] - k) + 0.3 * x[0], switches: Int32Array.of(x[0] > k ? 1 : 0) });
    return { x, f };
  };

  it('compares over a narrower step when the kink is within eps, where the slope is exact', async () => {
    const { x, f } = at(0.5 + 3e-3); // within eps 1e-2, beyond eps/10
    const r = await checkGradient(x, [0.3], f, [0], 1e-2);
    expect(r).toEqual({ mismatches: [], kinks: 0, checked: 1 });
    const wrong = await checkGradient(x, [1.3], f, [0], 1e-2);
    expect(wrong.mismatches).toHaveLength(1);
  });

  it('counts a kink closer than the narrowest step (eps/100) as a kink, not a comparison', async () => {
    const { x, f } = at(0.5 + 2e-5);
    const r = await checkGradient(x, [1.3], f, [0], 1e-2);
    expect(r).toEqual({ mismatches: [], kinks: 1, checked: 1 });
  });
});
