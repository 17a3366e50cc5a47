/**
 * The image-folder graph presets (--arch resnet, --arch mobilenet): their wiring at the sizes they are made for
 * (64x64 colour, 28x28 gray), depthwise weights by the lecture's formula (n_ch = 1 per group), one training step
 * without NaN, and the exported graphs: the official ONNX checker, and onnxruntime-node's logits against
 * onnxruntime-web's and the independent float64 forward (helpers/reference64.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ortNode from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { WEIGHTS_FILE } from '../../../model-contract/graphs.js';
import { encodeGraphs } from '../../../training/export/graphs.js';
import { sessionFromDir, tensor } from '../../../training/engine.js';
import { ARCHS } from '../../../training/graph-archs.js';
import { folderArch } from '../../../training/presets.js';
import { paramCount, resolve, type ResolvedLayer } from '../../../training/spec.js';
import { train } from '../../../training/trainer.js';
import { initWeights } from '../../../training/weights.js';
import { randn } from '../helpers/fd.js';
import { expectLeanGraphsMatch } from '../helpers/lean-graphs.js';
import { onnxCheck } from '../helpers/onnx-checker.js';
import { forward64 } from '../helpers/reference64.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'edge-cnn-graph-archs-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const byName = (layers: ResolvedLayer[], name: string) => layers.find((l) => l.name === name)!;

describe('resnet: basic blocks, a 1x1 stride-2 projection where the shape changes', () => {
  it.each([
    [
      [3, 64, 64],
      [16, 32, 32],
    ],
    [
      [1, 28, 28],
      [16, 28, 28],
    ],
  ] as [[number, number, number], number[]][])(
    'input %j: stem map %j, then 32, 16, 8 or 28, 14, 7',
    (input, stemShape) => {
      const layers = resolve(folderArch(input, 10, { arch: 'resnet' }));
      expect(byName(layers, 'stem_act').outShape).toEqual(stemShape);
      const side = stemShape[1];
      expect(['b1_out', 'b2_out', 'b3_out'].map((n) => byName(layers, n).outShape)).toEqual([
        [16, side, side],
        [32, side / 2, side / 2],
        [64, Math.ceil(side / 4), Math.ceil(side / 4)],
      ]);
      // The first block keeps the shape: the skip is the block's input itself. The others project it.
      expect(byName(layers, 'b1_add').inputs).toEqual(['b1_bn2', 'stem_act']);
      expect(layers.some((l) => l.name === 'b1_skip')).toBe(false);
      for (const b of ['b2', 'b3']) {
        expect(byName(layers, `${b}_add`).inputs).toEqual([`${b}_bn2`, `${b}_skip_bn`]);
        const skip = byName(layers, `${b}_skip`);
        expect(skip.spec).toMatchObject({ kernel: 1, stride: 2 });
        expect(skip.inputs).toEqual([b === 'b2' ? 'b1_out' : 'b2_out']);
      }
      expect(layers.map((l) => l.kind).slice(-3)).toEqual(['avgpool', 'flatten', 'dense']);
      expect(paramCount(layers)).toBeLessThan(100_000);
    },
  );
});

describe('mobilenet: inverted residuals, depthwise 3x3, ReLU6', () => {
  it.each([
    [[3, 64, 64], 32],
    [[1, 28, 28], 28],
  ] as [[number, number, number], number][])('input %j (stem map %i)', (input, side) => {
    const layers = resolve(folderArch(input, 10, { arch: 'mobilenet' }));
    expect(byName(layers, 'stem_act').outShape).toEqual([16, side, side]);
    // b1 and b3 halve the map and change the channels (no add); b2 and b4 keep both and add their input.
    expect(layers.filter((l) => l.kind === 'add').map((l) => [l.name, l.inputs])).toEqual([
      ['b2_add', ['b2_project_bn', 'b1_project_bn']],
      ['b4_add', ['b4_project_bn', 'b3_project_bn']],
    ]);
    expect(byName(layers, 'b4_add').outShape).toEqual([48, Math.ceil(side / 4), Math.ceil(side / 4)]);
    // ReLU6 after the expansion and the depthwise conv; the projection is linear (batch norm, no activation).
    expect(byName(layers, 'b1_dw_act').spec).toMatchObject({ kind: 'clip', min: 0, max: 6 });
    expect(layers[layers.indexOf(byName(layers, 'b1_project_bn')) + 1].name).toBe('b2_expand');
    // Depthwise: groups = channels, so each filter sees n_ch = 1 channel. Lecture: weights = n_f * n_ch * n_rs^2,
    // connections = output neurons * n_ch * n_rs^2. b1 expands 16 channels 4 times: 64 filters of 3x3x1.
    const dw = byName(layers, 'b1_dw');
    expect(dw.spec).toMatchObject({ groups: 64, filters: 64, kernel: 3 });
    expect(dw.params.find((p) => p.role === 'weight')!.shape).toEqual([64, 1, 3, 3]);
    expect(dw.counts.weights).toBe(64 * 1 * 3 * 3);
    expect(dw.counts.biases).toBe(64);
    expect(dw.counts.neurons).toBe(64 * (side / 2) ** 2);
    expect(dw.counts.connections).toBe(64 * (side / 2) ** 2 * 1 * 3 * 3);
    // The dense 1x1 expansion beside it: n_ch = 16.
    expect(byName(layers, 'b1_expand').counts.weights).toBe(64 * 16);
    expect(paramCount(layers)).toBeLessThan(100_000);
  });
});

it('an option of the plain architecture with another is refused, naming the flag', () => {
  expect(() => folderArch([3, 64, 64], 4, { arch: 'resnet', lastMap: 16 })).toThrow(
    '--last-map: for --arch plain only, not resnet',
  );
  expect(() => folderArch([3, 64, 64], 4, { arch: 'mobilenet', extraBlocks: 0, globalPool: 'avg' })).not.toThrow();
});

// Small inputs keep this quick: 16x16 gray runs the same blocks (maps of 16, 8 and 4).
describe.each(ARCHS)('%s: one training step, then the exported graphs', (arch) => {
  const spec = folderArch([1, 16, 16], 3, { arch });
  const layers = resolve(spec);
  const dir = path.join(tmp, arch);
  const n = 4;
  const x = randn(n * 256, 3).map((v) => Math.min(1, Math.max(0, 0.5 + 0.3 * v)));

  it('trains one step of 4 images: a finite loss, finite weights, and the weights move', async () => {
    const data = { images: x, labels: Uint8Array.from([0, 1, 2, 0]), n, shape: [1, 16, 16], classes: ['a', 'b', 'c'] };
    const losses: number[] = [];
    const r = await train(
      { arch: spec, epochs: 1, batch: n, lr: 1e-2, seed: 2, augment: null },
      data as Parameters<typeof train>[1],
      undefined,
      (p) => losses.push(p.loss),
    );
    expect(losses).toHaveLength(1);
    expect(Number.isFinite(losses[0])).toBe(true);
    expect(losses[0]).toBeGreaterThan(0);
    const untrained = initWeights(layers, 2); // the trainer's initial weights (seed 2)
    let moved = 0;
    for (const [name, w] of Object.entries(r.weights)) {
      expect(w.every(Number.isFinite), name).toBe(true);
      if (w.some((v, i) => v !== untrained[name][i])) moved++;
    }
    expect(moved).toBeGreaterThan(layers.filter((l) => l.params.length).length / 2);
    // The trained weights, exported: every graph of the model contract and weights.bin.
    const { onnx, weightsBin } = encodeGraphs(spec, r.weights);
    fs.mkdirSync(dir, { recursive: true });
    for (const [f, b] of Object.entries(onnx)) fs.writeFileSync(path.join(dir, f), b);
    fs.writeFileSync(path.join(dir, WEIGHTS_FILE), weightsBin);
    weights = r.weights;
  }, 60_000);
  let weights: Record<string, Float32Array> = {};

  it('every exported graph passes the official ONNX checker (IR 8, opset 17)', () => {
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.onnx'));
    expect(files).toEqual(expect.arrayContaining(['model.onnx', 'classify.onnx', 'input-grad.onnx', 'loss-grad.onnx']));
    expect(onnxCheck(files.map((f) => path.join(dir, f)))).toBe(files.length);
  });

  it('logit-grad.onnx, cam-grad.onnx and margin-grad.onnx give what input-grad.onnx gives for a logits cotangent (within 1e-5)', async () => {
    await expectLeanGraphsMatch(dir, layers, x, [n, 1, 16, 16], 7);
  });

  it('onnxruntime-node agrees with onnxruntime-web and the float64 forward', async () => {
    const native = await ortNode.InferenceSession.create(path.join(dir, 'classify.onnx'), { logSeverityLevel: 3 });
    const web = await sessionFromDir(dir, 'classify.onnx');
    const a = (await native.run({ input: new ortNode.Tensor('float32', x, [n, 1, 16, 16]) })).logits
      .data as Float32Array;
    const b = (await web.run({ input: tensor(x, [n, 1, 16, 16]) })).logits.data as Float32Array;
    await web.release();
    const ref = forward64(layers, weights, x, n, 'infer').logits;
    expect(a.length).toBe(n * 3);
    const scale = Math.max(...ref.map(Math.abs));
    for (let i = 0; i < a.length; i++) {
      expect(Math.abs(a[i] - b[i])).toBeLessThan(1e-4 * scale);
      expect(Math.abs(a[i] - ref[i])).toBeLessThan(1e-4 * scale);
    }
  });
});
