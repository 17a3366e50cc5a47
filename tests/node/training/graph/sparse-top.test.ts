/**
 * The global max-pool's backward straight to the convolution's input (training/graph/sparse-top.ts): against
 * central finite differences of the float64 reference (helpers/probe.ts), for the heads it takes (strides,
 * dilation, uneven padding, with and without batch norm and ReLU between) in a batch of 3; where the graphs use it
 * (logit-grad and loss-grad with MaxPool Indices allowed) and where they must not (a cotangent at the layers in
 * between, as input-grad takes; a grouped conv; a map read twice; WebGPU graphs); and logit-grad through it equals
 * input-grad through the dense rules. The convolutions under it by their gradient's nonzero positions
 * (sparse-below.ts) likewise: finite differences, where they are taken, input-grad's dense rules, and a batch
 * with nothing nonzero.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildInputGrad, buildLossGrad, buildProbe } from '../../../../training/graph/compile.js';
import { buildLogitGrad } from '../../../../training/graph/lean.js';
import type { LayerSpec } from '../../../../training/layers/registry.js';
import { encodeModel, type ModelDef } from '../../../../training/onnx/proto.js';
import { resolve, type ArchSpec } from '../../../../training/spec.js';
import { initWeights } from '../../../../training/weights.js';
import { FD_EPS_DEEP, randn } from '../../helpers/fd.js';
import { runGraph } from '../../helpers/graphs.js';
import { onnxCheck } from '../../helpers/onnx-checker.js';
import { probeGradCheck } from '../../helpers/probe.js';

const head = (conv: LayerSpec, between: LayerSpec[]): LayerSpec[] => [
  conv,
  ...between,
  { kind: 'maxpool', global: true },
  { kind: 'flatten' },
  { kind: 'dense', units: 3 },
];
const bnRelu: LayerSpec[] = [{ kind: 'batchnorm' }, { kind: 'relu' }];

const cases: [string, [number, number, number], LayerSpec[]][] = [
  [
    'conv 3x3 padding 1, batch norm, ReLU (the shapes head)',
    [2, 6, 5],
    head({ kind: 'conv2d', filters: 4, kernel: 3, padding: 1 }, bnRelu),
  ],
  ['conv 3x3 no padding, straight into the pool', [3, 6, 6], head({ kind: 'conv2d', filters: 3, kernel: 3 }, [])],
  [
    'conv 3x3 stride 2, uneven padding [0, 1, 2, 1], ReLU',
    [2, 8, 7],
    head({ kind: 'conv2d', filters: 3, kernel: 3, stride: 2, padding: [0, 1, 2, 1] }, [{ kind: 'relu' }]),
  ],
  [
    'conv 2x3 dilation 2 padding 1, ReLU, batch norm',
    [2, 7, 8],
    head({ kind: 'conv2d', filters: 3, kernel: [2, 3], dilation: 2, padding: 1 }, [
      { kind: 'relu' },
      { kind: 'batchnorm' },
    ]),
  ],
  [
    "two convs below it (the lower one by its gradient's nonzero positions, sparse-below.ts)",
    [2, 7, 7],
    [
      { kind: 'conv2d', filters: 3, kernel: 3, padding: 1 },
      { kind: 'relu' },
      ...head({ kind: 'conv2d', filters: 4, kernel: 3, padding: 1 }, bnRelu),
    ],
  ],
  [
    'four convs: two under the top by nonzero positions (stride 2 uneven padding, dilation 2), the lowest dense',
    [2, 13, 12],
    [
      { kind: 'conv2d', filters: 3, kernel: 3, padding: 1 },
      { kind: 'relu' },
      { kind: 'conv2d', filters: 4, kernel: 3, stride: 2, padding: [0, 1, 2, 1] },
      { kind: 'batchnorm' },
      { kind: 'relu' },
      { kind: 'conv2d', filters: 3, kernel: [2, 3], dilation: 2, padding: 1 },
      { kind: 'relu' },
      ...head({ kind: 'conv2d', filters: 4, kernel: 3, padding: 1 }, bnRelu),
    ],
  ],
];

const ops = (m: ModelDef) => new Set(m.graph.nodes.map((n) => n.op));
const sparse = (m: ModelDef) => ops(m).has('ScatterElements');
/** Convolutions under the top by their gradient's nonzero positions (sparse-below.ts): one NonZero each. */
const gathered = (m: ModelDef) => m.graph.nodes.filter((n) => n.op === 'NonZero').length;

describe('global max-pool backward by scattered kernels', () => {
  for (const [label, input, layers] of cases)
    it(`${label}: agrees with finite differences`, async () => {
      const arch: ArchSpec = { input, layers };
      const probe = buildProbe(arch, 'infer', { poolIndices: true });
      expect(sparse(probe)).toBe(true);
      expect(gathered(probe)).toBe(Math.min(2, layers.filter((l) => l.kind === 'conv2d').length - 1));
      const { checked, failures } = await probeGradCheck(arch, 'infer', {
        eps: FD_EPS_DEEP,
        poolIndices: true,
        spread: 0.5,
      });
      expect(checked).toEqual(['input']);
      expect(failures).toEqual({});
    });

  it('every graph with it passes the official ONNX checker (full check, IR 8, opset 17)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sparse-top-'));
    try {
      const files = cases.flatMap(([, input, layers], i) => {
        const arch: ArchSpec = { input, layers };
        const w = initWeights(resolve(arch), 1);
        const graphs = [
          buildProbe(arch, 'infer', { poolIndices: true }),
          buildLogitGrad(arch, w, { poolIndices: true }),
          buildLossGrad(arch, w, { poolIndices: true }),
        ];
        return graphs.map((m, j) => {
          expect(sparse(m)).toBe(true);
          const file = path.join(dir, `case${i}-${j}.onnx`);
          fs.writeFileSync(file, encodeModel(m));
          return file;
        });
      });
      expect(onnxCheck(files)).toBe(files.length);
    } finally {
      fs.rmSync(dir, { recursive: true });
    }
  });

  it('is used by logit-grad and loss-grad with MaxPool Indices allowed, and nowhere it would be wrong', () => {
    const arch: ArchSpec = { input: [2, 6, 6], layers: cases[0][2] };
    const w = initWeights(resolve(arch), 3);
    expect(sparse(buildLogitGrad(arch, w, { poolIndices: true }))).toBe(true);
    expect(sparse(buildLossGrad(arch, w, { poolIndices: true }))).toBe(true);
    // Under the top: none below a single conv; one below two; two (SPARSE_BELOW_DEPTH) below four.
    expect(gathered(buildLogitGrad(arch, w, { poolIndices: true }))).toBe(0);
    for (const [c, want] of [
      [4, 1],
      [5, 2],
    ] as const) {
      const deep: ArchSpec = { input: cases[c][1], layers: cases[c][2] };
      const wd = initWeights(resolve(deep), 3);
      expect(gathered(buildLogitGrad(deep, wd, { poolIndices: true }))).toBe(want);
      expect(gathered(buildLossGrad(deep, wd, { poolIndices: true }))).toBe(want);
      expect(gathered(buildInputGrad(deep, wd, { poolIndices: true }))).toBe(0);
    }
    // WebGPU graphs (no Indices), and input-grad's cotangent at every layer (the ReLU's would be dense).
    expect(sparse(buildLogitGrad(arch, w))).toBe(false);
    expect(sparse(buildInputGrad(arch, w, { poolIndices: true }))).toBe(false);
    expect(sparse(buildProbe(arch, 'train', { poolIndices: true }))).toBe(false);
    const grouped: ArchSpec = {
      input: [4, 6, 6],
      layers: head({ kind: 'conv2d', filters: 4, kernel: 3, groups: 2 }, []),
    };
    expect(sparse(buildProbe(grouped, 'infer', { poolIndices: true }))).toBe(false);
    // The conv's map read twice (by the ReLU under the pool and by a global average): its gradient is not one
    // position per channel.
    const twice: ArchSpec = {
      input: [2, 6, 6],
      layers: [
        { kind: 'conv2d', filters: 2, kernel: 3, padding: 1, name: 'c' },
        { kind: 'relu', name: 'r' },
        { kind: 'maxpool', global: true, name: 'p' },
        { kind: 'avgpool', global: true, name: 'a', inputs: ['c'] },
        { kind: 'add', name: 's', inputs: ['p', 'a'] },
        { kind: 'flatten' },
        { kind: 'dense', units: 2 },
      ] as LayerSpec[],
    };
    expect(sparse(buildProbe(twice, 'infer', { poolIndices: true }))).toBe(false);
  });

  for (const c of [4, 5])
    it(`logit-grad's grad_input through it equals input-grad's through the dense rules (3 images; ${cases[c][0].split(' (')[0]})`, async () => {
      const arch: ArchSpec = { input: cases[c][1], layers: cases[c][2] };
      const layers = resolve(arch);
      const w = initWeights(layers, 5);
      const n = 3,
        size = cases[c][1].reduce((a, v) => a * v, 1),
        x = { data: randn(n * size, 6), dims: [n, ...cases[c][1]] },
        cot = { data: randn(n * 3, 7), dims: [n, 3] };
      // Image 2's cotangent zero: its rows have no nonzero position (an inactive C&W hinge).
      cot.data.fill(0, 6, 9);
      const last = layers.at(-1)!.name;
      const lean = await runGraph(buildLogitGrad(arch, w, { poolIndices: true }), { input: x, [`grad.${last}`]: cot });
      const feeds: Parameters<typeof runGraph>[1] = { input: x, [`grad.${last}`]: cot };
      for (const l of layers.slice(0, -1))
        feeds[`grad.${l.name}`] = { data: new Float32Array(1), dims: l.outShape.map(() => 1).concat(1) };
      const full = await runGraph(buildInputGrad(arch, w, { poolIndices: true }), feeds);
      const [a, b] = [lean.grad_input, full.grad_input];
      const scale = Math.max(...b.map(Math.abs));
      expect(scale).toBeGreaterThan(1e-3);
      expect(Math.max(...a.map((v, i) => Math.abs(v - b[i])))).toBeLessThanOrEqual(1e-5 * scale);
      expect(Math.max(...a.slice(2 * size).map(Math.abs))).toBe(0);
    });

  it('a batch with no nonzero position anywhere (every cotangent zero) gives zeros', async () => {
    const arch: ArchSpec = { input: cases[5][1], layers: cases[5][2] };
    const w = initWeights(resolve(arch), 5);
    const size = cases[5][1].reduce((a, v) => a * v, 1);
    const r = await runGraph(buildLogitGrad(arch, w, { poolIndices: true }), {
      input: { data: randn(2 * size, 8), dims: [2, ...cases[5][1]] },
      [`grad.${resolve(arch).at(-1)!.name}`]: { data: new Float32Array(6), dims: [2, 3] },
    });
    expect(r.grad_input.length).toBe(2 * size);
    expect(Math.max(...r.grad_input.map(Math.abs))).toBe(0);
  });
});
