/**
 * An ImageNet-size network imported: torchvision's MobileNetV2 shape (224x224x3, 1,000 classes, random weights;
 * tests/node/helpers/graph-models.py mobilenetv2) maps onto the layer graph, reproduces the original in
 * onnxruntime-node and writes graphs the official checker accepts. Its speed at the edge: npm run bench:imported.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { importModel, PARITY_TOLERANCE } from '../../../../training/import/index.js';
import type { LayerSpec } from '../../../../training/layers/registry.js';
import { onnxCheck, PYTHON_ONNX } from '../../helpers/onnx-checker.js';
import { IO } from '../../../../model-contract/graphs.js';
import { sessionFromDir, tensor } from '../../../../training/engine.js';
import { decodeModel } from '../../../../training/onnx/decode.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'imagenet-size-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

it('a MobileNetV2 at 224x224x3 with 1,000 classes imports with parity', async () => {
  const file = path.join(tmp, 'mobilenetv2.onnx');
  execFileSync(PYTHON_ONNX, [path.resolve('tests/node/helpers/graph-models.py'), 'mobilenetv2', file]);
  const r = await importModel({
    file,
    name: 'mobilenetv2',
    labels: Array.from({ length: 1000 }, (_, i) => `class ${i}`),
    scale: 'mean-std:0.485,0.456,0.406/0.229,0.224,0.225',
    root: tmp,
    measure: false,
    log: () => {},
  });
  expect(r.random.maxAbsDiff).toBeLessThan(PARITY_TOLERANCE);
  const layers = r.meta.architecture.layers as (LayerSpec & { groups?: number })[];
  const count = (kind: string) => layers.filter((l) => l.kind === kind).length;
  // 1 stem + 2 (first block) + 16 x 3 + 1 head convs, 17 of them depthwise; 10 residual adds; 35 ReLU6.
  expect([count('conv2d'), layers.filter((l) => (l.groups ?? 1) > 1).length, count('add'), count('clip')]).toEqual([
    52, 17, 10, 35,
  ]);
  expect(r.meta.input.shape).toEqual([3, 224, 224]);
  expect(r.meta.preprocessing.protocol).toBe('crop');
  const graphs = fs.readdirSync(r.dir).filter((f) => f.endsWith('.onnx'));
  expect(onnxCheck(graphs.map((f) => path.join(r.dir, f)))).toBe(graphs.length);

  // classify.onnx has its 112x112 stride-2 block by phases (training/import/phases.ts): the 1x1 conv on four Slices
  // of its input, the strided depthwise gone; the other three strided depthwise convs (56, 28, 14) stay.
  const weights = new Uint8Array(fs.readFileSync(path.join(r.dir, 'weights.bin')));
  const nodes = (f: string) => decodeModel(new Uint8Array(fs.readFileSync(path.join(r.dir, f))), () => weights).nodes;
  const strided = (f: string) =>
    nodes(f).filter((n) => n.op === 'Conv' && Number(n.attrs.group ?? 1) > 1 && (n.attrs.strides as number[])[0] === 2);
  expect([strided('classify.onnx').length, strided('model.onnx').length]).toEqual([3, 4]);
  expect(nodes('classify.onnx').filter((n) => n.op === 'Slice').length).toBe(4);
  // The same function as model.onnx (the same layers, unrewritten) up to float rounding.
  const x = Float32Array.from({ length: 3 * 224 * 224 }, (_, i) => ((i * 7919) % 997) / 997);
  const probs = async (f: string) =>
    (await (await sessionFromDir(r.dir, f)).run({ [IO.input]: tensor(x, [1, 3, 224, 224]) }))[IO.probs]
      .data as Float32Array;
  const [a, b] = [await probs('classify.onnx'), await probs('model.onnx')];
  expect(Math.max(...a.map((p, i) => Math.abs(p - b[i])))).toBeLessThan(1e-5);
}, 300_000);
