/**
 * npm run import on ONNX classifiers shaped like torch.onnx.export and tf2onnx output (built by
 * tests/node/helpers/foreign-models.py with python3-onnx and its checker): each import reproduces the original's
 * probabilities (onnxruntime-node runs the original) and its input gradient agrees with central finite differences
 * of the ORIGINAL model's log-probability margin of its top two classes, so the backward graphs our layer rules wrote are checked against the
 * foreign model itself. An unsupported operator is refused, naming the node and its op.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ortNode from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { forward, logitsLayer, vjp } from '../../../../functions/core/gradient.js';
import { decodeModel } from '../../../../training/onnx/decode.js';
import { scanModels } from '../../../../scripts/registry.js';
import { importModel, PARITY_TOLERANCE, parseScale } from '../../../../training/import/index.js';
import { mapModel } from '../../../../training/import/map.js';
import { checkParity, originalInput } from '../../../../training/import/parity.js';
import { encodeGraphs } from '../../../../training/artifacts.js';
import { checkGradient, FD_EPS_DEEP, randn, sampleIndices } from '../../helpers/fd.js';
import { loadModel } from '../../helpers/models.js';

const PYTHON = '/usr/bin/python3';
const EXPORTERS = path.resolve('tests/node/helpers/foreign-models.py');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'import-test-'));
const root = path.join(tmp, 'models');
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function build(file: string, ...args: string[]): string {
  const out = path.join(tmp, file);
  execFileSync(PYTHON, [EXPORTERS, args[0], out, ...args.slice(1)]);
  return out;
}
const digits = '0,1,2,3,4,5,6,7,8,9'.split(',');

interface Case {
  name: string;
  build: () => string;
  labels: string[];
  scale?: string;
  layout?: 'nchw' | 'nhwc' | 'flat';
  layers: string;
}
const cases: Case[] = [
  {
    name: 'torch17',
    build: () => build('torch17.onnx', 'torch', '17', 'dynamic'),
    labels: digits,
    scale: 'mean-std:0.2860,0.3530',
    layers: 'scale1 conv2d1 leakyrelu1 maxpool1 conv2d2 batchnorm1 relu1 flatten1 dense1 relu2 dense2',
  },
  {
    name: 'torch9-static',
    build: () => build('torch9.onnx', 'torch', '9', 'static'),
    labels: digits,
    scale: '0..255',
    layers: 'scale1 conv2d1 leakyrelu1 maxpool1 conv2d2 batchnorm1 relu1 flatten1 dense1 relu2 dense2',
  },
  {
    name: 'torch-external',
    build: () => build('ext.onnx', 'torch', '17', 'static', 'external'),
    labels: digits,
    layers: 'conv2d1 leakyrelu1 maxpool1 conv2d2 batchnorm1 relu1 flatten1 dense1 relu2 dense2',
  },
  {
    name: 'keras',
    build: () => build('keras.onnx', 'keras'),
    labels: ['a', 'b', 'c', 'd', 'e'],
    scale: '0..255',
    layers: 'scale1 conv2d1 relu1 maxpool1 flatten1 dense1 tanh1 dense2',
  },
  {
    // Keras stride-2 'same' convs: tf2onnx's explicit uneven pads [0,0,1,1], and auto_pad SAME_LOWER with stride 2.
    name: 'keras-strided',
    build: () => build('keras-strided.onnx', 'keras-strided'),
    labels: ['a', 'b', 'c', 'd', 'e'],
    scale: '0..255',
    layers: 'scale1 conv2d1 relu1 conv2d2 relu2 flatten1 dense1',
  },
  {
    name: 'mlp',
    build: () => build('mlp.onnx', 'mlp'),
    labels: digits,
    scale: 'mean-std:0.1307,0.3081',
    layout: 'flat',
    layers: 'scale1 flatten1 dense1 sigmoid1 dense2',
  },
];

describe.each(cases)('import $name', (c) => {
  let file = '';
  it('maps every node onto a layer and reproduces the original (onnxruntime-node) within the tolerance', async () => {
    file = c.build();
    const r = await importModel({
      file,
      name: c.name,
      labels: c.labels,
      scale: c.scale,
      layout: c.layout,
      root,
      log: () => {},
    });
    expect(r.meta.layers.map((l) => l.name).join(' ')).toBe(c.layers);
    expect(r.random.images).toBe(64);
    expect(r.random.maxAbsDiff).toBeLessThan(PARITY_TOLERANCE);
    expect(r.random.argmaxDisagreements).toBe(0);
    // The parity is recorded where the model card and meta.json say it.
    expect(
      (r.meta.training as unknown as { parity: { random: { maxAbsDiff: number } } }).parity.random.maxAbsDiff,
    ).toBe(r.random.maxAbsDiff);
    expect(fs.readFileSync(path.join(r.dir, 'report.md'), 'utf8')).toMatch(/Parity with the original/);
  });

  it('writes graphs the official ONNX checker accepts', () => {
    const dir = path.join(root, c.name);
    const graphs = fs.readdirSync(dir).filter((f) => f.endsWith('.onnx'));
    expect(graphs).toEqual(expect.arrayContaining(['classify.onnx', 'input-grad.onnx', 'loss-grad.onnx']));
    const script = 'import onnx,sys\nfor f in sys.argv[1:]: onnx.checker.check_model(f)\nprint("ok")';
    expect(execFileSync(PYTHON, ['-c', script, ...graphs.map((g) => path.join(dir, g))], { encoding: 'utf8' })).toMatch(
      /ok/,
    );
  });

  it("has an input gradient that matches finite differences of the original's log-probability margin", async () => {
    const model = loadModel(c.name, root);
    const decoded = decodeModel(
      new Uint8Array(fs.readFileSync(file)),
      (loc) => new Uint8Array(fs.readFileSync(path.join(path.dirname(file), loc))),
    );
    const mapped = mapModel(decoded, { layout: c.layout });
    const scale = parseScale(c.scale);
    const orig = await ortNode.InferenceSession.create(file, { logSeverityLevel: 3 });
    const [ch, h, w] = model.meta.input.shape;
    const x = randn(ch * h * w, 11, 0.15).map((v) => 0.5 + v);
    const k = c.labels.length;
    const { probs } = await forward(model, x, 1);
    // The top two classes: log p_t - log p_r = z_t - z_r stays informative where the softmax saturates.
    const order = [...probs.keys()].sort((a, b) => probs[b] - probs[a]);
    const [t, second] = order;
    const cot = Float32Array.from({ length: k }, (_, j) => (j === t ? 1 : 0) - (j === second ? 1 : 0));
    const { grad } = await vjp(model, x, [1, ch, h, w], { [logitsLayer(model)]: cot });
    const margin = async () => {
      const inp = originalInput(x, 1, mapped, scale);
      const out = (await orig.run({ [mapped.inputName]: new ortNode.Tensor('float32', inp.data, inp.dims) }))[
        mapped.output.name
      ].data as Float32Array;
      const log = (v: number) => (mapped.output.kind === 'logprobs' ? v : Math.log(v));
      return log(out[t]) - log(out[second]);
    };
    const indices = sampleIndices(x.length, 24, 5);
    const r = await checkGradient(x, grad, margin, indices, FD_EPS_DEEP);
    await orig.release();
    expect(r.mismatches).toEqual([]);
    expect(r.kinks).toBeLessThanOrEqual(6);
    // The gradient is not trivially zero where it is compared.
    expect(Math.max(...indices.map((i) => Math.abs(grad[i])))).toBeGreaterThan(1e-3);
  });
});

describe('imported folders are model folders', () => {
  it('the registry accepts every one; the MLP (no ReLU map before its dense layers) has no synth-grad', () => {
    const entries = scanModels(root);
    expect(entries.map((e) => e.name)).toEqual(expect.arrayContaining(cases.map((c) => c.name)));
    expect(entries.find((e) => e.name === 'mlp')!.graphs).not.toContain('synth-grad');
    expect(entries.find((e) => e.name === 'torch17')!.graphs).toContain('synth-grad');
  });
});

describe('import refuses what it cannot map', () => {
  it('names the node, its op and what is supported', async () => {
    const file = build('uns.onnx', 'unsupported');
    await expect(importModel({ file, name: 'uns', labels: ['a', 'b', 'c'], root, log: () => {} })).rejects.toThrow(
      /node "the_elu" \(op Elu\): is not supported\. Supported: Conv \(.*\), MaxPool.*LeakyRelu, Sigmoid, Tanh, Clip/,
    );
    expect(fs.existsSync(path.join(root, 'uns'))).toBe(false);
  });

  it('refuses a wrong number of labels, saying how many outputs the model has', async () => {
    const file = build('mlp2.onnx', 'mlp');
    await expect(importModel({ file, name: 'bad', labels: ['a', 'b'], root, log: () => {} })).rejects.toThrow(
      /--labels gives 2 labels; the model has 10 outputs/,
    );
  });
});

describe('the parity check can fail', () => {
  it('sees one weight changed by 0.05 in the imported graphs', async () => {
    const file = build('torch-parity.onnx', 'torch', '17', 'dynamic');
    const mapped = mapModel(decodeModel(new Uint8Array(fs.readFileSync(file))));
    const dir = path.join(tmp, 'tampered');
    fs.mkdirSync(dir, { recursive: true });
    mapped.weights['dense2.bias'][3] += 0.05;
    const { onnx, weightsBin } = encodeGraphs(mapped.arch, mapped.weights);
    fs.writeFileSync(path.join(dir, 'classify.onnx'), onnx['classify.onnx']);
    fs.writeFileSync(path.join(dir, 'weights.bin'), weightsBin);
    const x = Float32Array.from({ length: 8 * 784 }, (_, i) => (i % 97) / 97);
    const p = await checkParity(file, dir, mapped, { mul: 1, add: 0 }, x, 8);
    expect(p.maxAbsDiff).toBeGreaterThan(PARITY_TOLERANCE);
  });
});

describe('import with --data', () => {
  it('measures accuracy and parity on real images (Fashion-MNIST IDX test set)', async () => {
    const file = build('torch-data.onnx', 'torch', '17', 'dynamic');
    const r = await importModel({
      file,
      name: 'withdata',
      labels: digits,
      scale: 'mean-std:0.2860,0.3530',
      data: '/usr/share/datasets/fashion-mnist',
      root,
      log: () => {},
    });
    expect(r.data!.images).toBe(10_000);
    expect(r.data!.maxAbsDiff).toBeLessThan(PARITY_TOLERANCE);
    expect(r.meta.metrics.testImages).toBe(10_000);
    expect(r.meta.metrics.testAccuracy).toBeGreaterThanOrEqual(0);
  });
});
