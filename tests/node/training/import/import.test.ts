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
import { forward } from '../../../../functions/core/gradient.js';
import { saliency } from '../../../../functions/core/see/saliency.js';
import { decodeModel } from '../../../../training/onnx/decode.js';
import { scanModels } from '../../../../scripts/registry.js';
import {
  defaultProtocol,
  importModel,
  PARITY_TOLERANCE,
  parseScale,
  parseSize,
} from '../../../../training/import/index.js';
import { mapModel } from '../../../../training/import/map.js';
import { checkParity } from '../../../../training/import/parity.js';
import { encodeGraphs } from '../../../../training/export/graphs.js';
import { spawnTsx } from '../../helpers/cli.js';
import { randn } from '../../helpers/fd.js';
import { loadModel } from '../../helpers/models.js';
import { checkMarginEntrywise } from '../../helpers/original.js';
import { deriveAttackDefaults } from '../../../../model-contract/attack-defaults.js';
import { parseFile, SamplesSchema } from '../../../../model-contract/folder.js';

const PYTHON = '/usr/bin/python3';
const EXPORTERS = path.resolve('tests/node/helpers/foreign-models.py');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'import-test-'));
const root = path.join(tmp, 'models');
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

// The builder writes the same file for the same arguments (seeded weights): each is built once, at its first name.
const built = new Map<string, string>();
function build(file: string, ...args: string[]): string {
  const key = args.join(' ');
  if (built.has(key)) return built.get(key)!;
  const out = path.join(tmp, file);
  execFileSync(PYTHON, [EXPORTERS, args[0], out, ...args.slice(1)]);
  built.set(key, out);
  return out;
}
const digits = '0,1,2,3,4,5,6,7,8,9'.split(',');

interface Case {
  name: string;
  build: () => string;
  labels: string[];
  scale?: string;
  layout?: 'nchw' | 'nhwc' | 'flat';
  bgr?: boolean;
  size?: [number, number];
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
  {
    // Keras batch norm after a ReLU, as tf2onnx leaves it: Mul + Add by per-channel constants, on maps and vectors.
    name: 'keras-bn',
    build: () => build('keras-bn.onnx', 'keras-bn'),
    labels: 'abcdef'.split(''),
    layers: 'conv2d1 relu1 batchnorm1 maxpool1 flatten1 dense1 relu2 batchnorm2 dense2',
  },
  {
    // Gray NHWC: a Reshape to [N,1,H,W] stands in for the Transpose; GlobalAveragePool + Squeeze (axes an input).
    name: 'gray-nhwc',
    build: () => build('gray-nhwc.onnx', 'gray-nhwc'),
    labels: ['a', 'b', 'c', 'd'],
    scale: '-1..1',
    layers: 'scale1 conv2d1 relu1 avgpool1 flatten1 dense1',
  },
  {
    // Height and width open in the file: imported at --size, non-square; BGR with per-channel mean and std.
    name: 'open-size',
    build: () => build('open-size.onnx', 'open-size'),
    labels: ['a', 'b', 'c', 'd', 'e'],
    scale: 'mean-std:0.406,0.456,0.485/0.225,0.224,0.229',
    bgr: true,
    size: [20, 24],
    layers: 'scale1 conv2d1 relu1 avgpool1 flatten1 dense1',
  },
  {
    // In-graph input normalisation: Sub and Div per channel, a scalar Mul, each a batchnorm layer (y = x * w + b).
    name: 'normalise-in-graph',
    build: () => build('normalise-in-graph.onnx', 'normalise-in-graph'),
    labels: ['a', 'b', 'c'],
    layers: 'batchnorm1 batchnorm2 batchnorm3 conv2d1 relu1 maxpool1 flatten1 dense1',
  },
  ...(
    [
      [9, 'squeeze'],
      [11, 'squeeze'],
      [13, 'squeeze'],
      [13, 'reshape'],
    ] as const
  ).map(([opset, head]) => ({
    // Weights as Constant nodes; Clip(min 0) as a ReLU; GlobalAveragePool + two Squeezes or a Reshape.
    name: `torch-clip${opset}-${head}`,
    build: () => build(`torch-clip${opset}-${head}.onnx`, 'torch-clip', String(opset), head),
    labels: ['a', 'b', 'c'],
    layers: 'conv2d1 relu1 avgpool1 flatten1 dense1',
  })),
];

// torch17 is imported as npm run import does, measuring its graphs' costs (training/measure.ts: the cost command in
// a child process, ~4 s of CPU, nearly all of it that process's start); the other cases are measured together
// afterwards by one run of the same command (imported folders are model folders, below).
const MEASURED = 'torch17';

describe.each(cases)('import $name', (c) => {
  let file = '';
  it('maps every node onto a layer and reproduces the original (onnxruntime-node) within the tolerance', async () => {
    file = c.build();
    const r = await importModel({
      file,
      name: c.name,
      labels: c.labels,
      scale: c.scale,
      bgr: c.bgr,
      size: c.size,
      layout: c.layout,
      root,
      ...(c.name !== MEASURED && { measure: false }),
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
    // The attack budgets are stated for the new model, by the rule its input calls for.
    expect(r.meta.attackDefaults).toEqual(deriveAttackDefaults(r.meta.input.shape, r.meta.preprocessing.protocol));
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
    const mapped = mapModel(decoded, { layout: c.layout, size: c.size });
    const scale = { ...parseScale(c.scale), ...(c.bgr && { order: [2, 1, 0] }) };
    // The original's top two classes: log p_t - log p_s = z_t - z_s stays informative where the softmax saturates.
    const { grad, indices, ...r } = await checkMarginEntrywise(model, file, mapped, scale);
    expect(r.mismatches).toEqual([]);
    expect(r.kinks).toBeLessThanOrEqual(6);
    // The gradient is not trivially zero where it is compared.
    expect(Math.max(...indices.map((i) => Math.abs(grad[i])))).toBeGreaterThan(1e-3);
  });
});

describe('imported folders are model folders', () => {
  it('the registry accepts every one; the MLP (no ReLU map before its dense layers) has no synth-grad', async () => {
    // The cases import did not measure, measured by the command it runs for that (npm run costs), in one process.
    const rest = cases.map((c) => c.name).filter((n) => n !== MEASURED);
    const costs = await spawnTsx(['scripts/graph-costs.ts', '--root', root, '--models', rest.join(',')]);
    expect(costs.status, costs.stderr).toBe(0);
    const entries = scanModels(root);
    expect(entries.map((e) => e.name)).toEqual(expect.arrayContaining(cases.map((c) => c.name)));
    expect(entries.find((e) => e.name === 'mlp')!.graphs).not.toContain('synth-grad');
    expect(entries.find((e) => e.name === 'torch17')!.graphs).toContain('synth-grad');
    // The lean graphs come with every import.
    expect(entries.find((e) => e.name === 'torch17')!.graphs).toEqual(
      expect.arrayContaining(['logit-grad', 'cam-grad']),
    );
    expect(entries.find((e) => e.name === 'mlp')!.graphs).toContain('logit-grad');
    // Each folder has its graphs' costs for the edge's cost model (no samples: no robustness table).
    expect(entries.filter((e) => cases.some((c) => c.name === e.name)).every((e) => e.costs && !e.robustness)).toBe(
      true,
    );
    const measured = JSON.parse(fs.readFileSync(path.join(root, MEASURED, 'costs.json'), 'utf8'));
    expect(Object.keys(measured).sort()).toEqual(['cam', 'forward', 'grad', 'synth']);
    expect(measured.forward.perImageMs).toBeGreaterThan(0);
  });
});

describe('Grad-CAM on an imported model without a feature map', () => {
  it('is a 400 that says so (not a 500); the input gradient still answers', async () => {
    const file = build('flat.onnx', 'mlp');
    await importModel({ file, name: 'flat', labels: digits, layout: 'flat', root, measure: false, log: () => {} });
    const model = loadModel('flat', root);
    const x = new Float32Array(784).fill(0.5);
    const opts = {
      method: 'grad-cam' as const,
      samples: 1,
      noise: 0,
      steps: 1,
      seed: 1,
      patch: 4,
      stride: 4,
      channels: 10,
      signed: false,
    };
    await expect(saliency(model, x, opts)).rejects.toMatchObject({
      status: 400,
      detail: expect.stringMatching(/method grad-cam needs a layer with \[C,H,W\] maps; model flat has none/),
    });
    await expect(saliency(model, x, { ...opts, method: 'gradient' })).resolves.toBeDefined();
  });
});

describe('import refuses what it cannot map', () => {
  it('names the node, its op and what is supported', async () => {
    const file = build('uns.onnx', 'unsupported');
    await expect(importModel({ file, name: 'uns', labels: ['a', 'b', 'c'], root, log: () => {} })).rejects.toThrow(
      /node "the_softsign" \(op Softsign\): is not supported\. Supported: Conv \(.*\), MaxPool.*LeakyRelu, Sigmoid, Tanh, Clip/,
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

describe('import refuses patterns it cannot map, saying why', () => {
  it('ReLU6 (Clip 0..6, bounds as initializer inputs) is no longer refused: it becomes the clip layer', async () => {
    const file = build('clip6.onnx', 'clip6');
    const r = await importModel({ file, name: 'clip6', labels: ['a', 'b', 'c'], root, measure: false, log: () => {} });
    expect(r.meta.layers.map((l) => l.kind)).toEqual(['conv2d', 'clip', 'flatten', 'dense']);
    expect(r.meta.architecture.layers[1]).toMatchObject({ kind: 'clip', min: 0, max: 6 });
    expect(r.random.maxAbsDiff).toBeLessThan(PARITY_TOLERANCE);
  });

  it('an open height and width without --size, and a --size against a fixed input', async () => {
    const file = build('open.onnx', 'open-size');
    const labels = 'abcde'.split('');
    await expect(importModel({ file, name: 'open', labels, root, log: () => {} })).rejects.toThrow(
      /input "input" has shape \[batch,3,height,width\]: its height and width are open; give the size to import it at, --size HxW/,
    );
    const fixed = build('fixed.onnx', 'keras-bn');
    await expect(
      importModel({ file: fixed, name: 'fixed', labels: 'abcdef'.split(''), size: [8, 8], root, log: () => {} }),
    ).rejects.toThrow(/--size 8x8: the model's input is fixed at 9x9/);
  });

  it('per-channel --scale values that do not match the channels, and --bgr on a gray model', async () => {
    const file = build('gray.onnx', 'gray-nhwc');
    const labels = ['a', 'b', 'c', 'd'];
    await expect(
      importModel({ file, name: 'g1', labels, scale: 'mean-std:0.1,0.2,0.3/1,1,1', root, log: () => {} }),
    ).rejects.toThrow(/--scale gives 3 values per channel; the model's input has 1 channel\(s\)/);
    await expect(importModel({ file, name: 'g2', labels, bgr: true, root, log: () => {} })).rejects.toThrow(
      /--bgr needs a 3-channel input; the model's has 1/,
    );
  });
});

describe('import options', () => {
  it('--scale reads 0..1, 0..255, 0..65535, -1..1, one mean and std, or one per channel, and names the valid forms', () => {
    expect(parseScale()).toEqual({ mul: 1, add: 0 });
    expect(parseScale('0..255')).toEqual({ mul: 255, add: 0 });
    expect(parseScale('-1..1')).toEqual({ mul: 2, add: -1 });
    expect(parseScale('mean-std:0.5,0.25')).toEqual({ mul: 4, add: -2 });
    const s = parseScale('mean-std:0.485,0.456,0.406/0.229,0.224,0.225');
    expect(s.mul).toEqual([1 / 0.229, 1 / 0.224, 1 / 0.225]);
    expect(s.add).toEqual([-0.485 / 0.229, -0.456 / 0.224, -0.406 / 0.225]);
    expect(() => parseScale('mean-std:0.5,0.5/0.2,0')).toThrow(
      /--scale "mean-std:0.5,0.5\/0.2,0": should be one of 0..1, 0..255, 0..65535, -1..1, mean-std:M,S or per channel mean-std:M1,M2,M3\/S1,S2,S3/,
    );
    expect(() => parseScale('0..2')).toThrow(/should be one of/);
  });

  it('--size reads HxW', () => {
    expect(parseSize('224x192')).toEqual([224, 192]);
    expect(() => parseSize('224')).toThrow(/--size "224": should be HEIGHTxWIDTH in pixels/);
  });

  it('chooses mnist for 28x28 gray 10-class models, fit for other 28x28 gray ones, crop for photo models', () => {
    expect(defaultProtocol([1, 28, 28], 10).protocol).toBe('mnist');
    expect(defaultProtocol([1, 28, 28], 5).protocol).toBe('fit');
    expect(defaultProtocol([3, 30, 30], 43).protocol).toBe('crop');
    expect(defaultProtocol([1, 64, 64], 7).protocol).toBe('crop');
  });

  it('--bgr and per-channel mean-std reach the graph: our RGB [0,1] input matches the original fed BGR by hand', async () => {
    const file = build('open-size.onnx', 'open-size');
    const model = loadModel('open-size', root);
    expect(model.meta.preprocessing.protocol).toBe('crop');
    expect(model.meta.preprocessing.steps.join('\n')).toMatch(/RGB to BGR/);
    const [h, w] = [20, 24];
    // A reddish picture (R bright, B dark): read as BGR it is another picture.
    const x = randn(3 * h * w, 21, 0.05).map((v, i) => [0.9, 0.5, 0.1][Math.floor(i / (h * w))] + v);
    const { probs } = await forward(model, x, 1);
    const mean = [0.406, 0.456, 0.485],
      std = [0.225, 0.224, 0.229];
    const orig = await ortNode.InferenceSession.create(file, { logSeverityLevel: 3 });
    const run = async (swap: boolean) => {
      const bgr = new Float32Array(x.length);
      for (let c = 0; c < 3; c++)
        for (let p = 0; p < h * w; p++) bgr[c * h * w + p] = (x[(swap ? 2 - c : c) * h * w + p] - mean[c]) / std[c];
      const z = (await orig.run({ input: new ortNode.Tensor('float32', bgr, [1, 3, h, w]) })).logits
        .data as Float32Array;
      const e = z.map((v) => Math.exp(v - Math.max(...z)));
      return e.map((v) => v / e.reduce((a, b) => a + b, 0));
    };
    const diff = (p: Float32Array) => Math.max(...p.map((v, i) => Math.abs(v - probs[i])));
    expect(diff(await run(true))).toBeLessThan(PARITY_TOLERANCE);
    // Fed RGB instead, the original answers differently: the check can fail.
    expect(diff(await run(false))).toBeGreaterThan(100 * PARITY_TOLERANCE);
    await orig.release();
  });

  it('refuses to replace an existing folder without force, and replaces it with force', async () => {
    const file = build('again.onnx', 'gray-nhwc');
    const a = { file, name: 'again', labels: ['a', 'b', 'c', 'd'], root, measure: false, log: () => {} };
    await importModel(a);
    await expect(importModel(a)).rejects.toThrow(/again already exists: pass --force to replace it, or --name/);
    await expect(importModel({ ...a, force: true })).resolves.toMatchObject({ dir: path.join(root, 'again') });
    await expect(importModel({ ...a, name: 'a/../b' })).rejects.toThrow(
      /--name "a\/..\/b": a model's name is its folder/,
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
      measure: false,
      log: () => {},
    });
    expect(r.data!.images).toBe(10_000);
    expect(r.data!.maxAbsDiff).toBeLessThan(PARITY_TOLERANCE);
    expect(r.meta.metrics.testImages).toBe(10_000);
    expect(r.meta.metrics.testAccuracy).toBeGreaterThanOrEqual(0);
    // No absolute path of this machine: the data folder by name, the source file by name.
    expect(r.meta.split.source).toBe('evaluated on fashion-mnist');
    // Its held-out pictures, kept as train keeps them: 100 at a stride of 100 through the 10,000, valid by the contract.
    const kept = parseFile(SamplesSchema, JSON.parse(fs.readFileSync(path.join(r.dir, 'samples.json'), 'utf8')), 'x');
    expect(kept.shape).toEqual([1, 28, 28]);
    expect(kept.labels).toHaveLength(100);
    expect(Buffer.from(kept.pixels, 'base64')).toHaveLength(100 * 784);
    expect(fs.readFileSync(path.join(r.dir, 'meta.json'), 'utf8')).not.toMatch(/"\/(usr|tmp|home|work|root)\//);
  });
});
