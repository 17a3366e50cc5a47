/**
 * The int8 QDQ classify graph of npm run quantize (scripts/quantize/): batch norm folding against the original
 * graph, the int8 weights against the float ones, the ONNX checker, and the int8 graph's predictions against the
 * float graph's on held-out digits, all on onnxruntime-node (a second engine: the script itself runs
 * onnxruntime-web).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { calibrate } from '../../../scripts/quantize/calibrate.js';
import { floatGraph, fold, qdqGraph, type FoldedGraph, type Range } from '../../../scripts/quantize/qdq.js';
import { loadData } from '../../../training/data/load.js';
import type { Dataset } from '../../../training/data/dataset.js';
import { decodeModel } from '../../../training/onnx/decode.js';
import { encodeModel, type GraphDef } from '../../../training/onnx/proto.js';
import { argmax } from '../../../training/trainer.js';
import { onnxCheck } from '../helpers/onnx-checker.js';

const dir = 'models/digits';
const SHAPE = [1, 28, 28],
  SIZE = 784,
  TEST = 500;
const weights = new Uint8Array(fs.readFileSync(path.join(dir, 'weights.bin')));
const original = new Uint8Array(fs.readFileSync(path.join(dir, 'classify.onnx')));
const decode = () => decodeModel(original, (loc) => (loc === 'weights.bin' ? weights : undefined));

const session = (g: GraphDef | Uint8Array) =>
  ort.InferenceSession.create(g instanceof Uint8Array ? g : encodeModel({ graph: g }), { logSeverityLevel: 3 });
async function outputs(s: ort.InferenceSession, images: Float32Array, n: number) {
  const out = await s.run({ input: new ort.Tensor('float32', images, [n, ...SHAPE]) });
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.data as Float32Array]));
}

let folded: FoldedGraph, test: Dataset, train: Dataset, ranges: Map<string, Range>;
beforeAll(async () => {
  ({ train, test } = loadData('digits'));
  folded = fold(decode());
  const calib = await session(floatGraph(folded, SHAPE));
  ranges = await calibrate((x, n) => outputs(calib, x, n), folded.input, train.images, SIZE, 300);
});

describe('quantize: the int8 QDQ classify graph', () => {
  it('folds batch norm into the conv before it: logits as the original graph gives them', async () => {
    expect(folded.nodes.map((n) => n.op)).not.toContain('BatchNormalization');
    // The original graph needs weights.bin beside it: its own folder.
    const ref = await outputs(
      await ort.InferenceSession.create(path.join(dir, 'classify.onnx'), { logSeverityLevel: 3 }),
      test.images.subarray(0, 100 * SIZE),
      100,
    );
    const got = await outputs(await session(floatGraph(folded, SHAPE)), test.images.subarray(0, 100 * SIZE), 100);
    const scale = Math.max(...ref.logits.map(Math.abs));
    ref.logits.forEach((v, i) => expect(Math.abs(got.logits[i] - v)).toBeLessThan(1e-5 * scale));
  });

  it('calibrates every activation an int8 kernel reads; post-ReLU ranges start at 0', () => {
    for (const x of ['relu1', 'maxpool1', 'relu2', 'relu3', 'flatten1', 'relu4']) {
      const r = ranges.get(x)!;
      expect(r.min).toBe(0);
      expect(r.max).toBeGreaterThan(0);
    }
    expect(ranges.get('input')).toEqual({ min: 0, max: 1 });
  });

  it('quantises each weight to within half a step of its channel scale, the largest to +-127', () => {
    const g = qdqGraph(folded, SHAPE, ranges);
    const init = new Map(g.initializers.map((t) => [t.name, t]));
    for (const name of ['conv2d1.weight', 'conv2d2.weight', 'conv2d3.weight', 'dense1.weight', 'dense2.weight']) {
      const w = folded.weights.get(name)!;
      const q = init.get(`${name}:q`)!,
        s = init.get(`${name}:scale`)!.data as Float32Array;
      const qi = new Int8Array(q.data.buffer, q.data.byteOffset, q.data.byteLength);
      const axis = name.startsWith('dense') ? 1 : 0,
        channels = w.dims[axis],
        per = w.data.length / channels;
      expect(s.length).toBe(channels);
      for (let c = 0; c < channels; c++) {
        let top = 0;
        for (let j = 0; j < per; j++) {
          const i = axis === 0 ? c * per + j : j * channels + c;
          expect(Math.abs(qi[i] * s[c] - w.data[i])).toBeLessThanOrEqual(s[c] / 2 + 1e-7 * Math.abs(w.data[i]));
          top = Math.max(top, Math.abs(qi[i]));
        }
        expect(top).toBe(127);
      }
    }
  });

  it.each(['uint8', 'int8'] as const)(
    'passes the ONNX checker (IR 8, opset 17) and predicts as the float graph on held-out digits (%s activations)',
    async (activations) => {
      const bytes = encodeModel({ graph: qdqGraph(folded, SHAPE, ranges, { activations }) });
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'quantize-')), 'classify-int8.onnx');
      fs.writeFileSync(file, bytes);
      expect(onnxCheck([file])).toBe(1);
      const int8 = await session(bytes);
      const float = await session(floatGraph(folded, SHAPE));
      const x = test.images.subarray(0, TEST * SIZE);
      const [q, f] = [await outputs(int8, x, TEST), await outputs(float, x, TEST)];
      let same = 0,
        right = 0;
      for (let i = 0; i < TEST; i++) {
        const p = argmax(q.logits, i * 10, 10);
        same += +(p === argmax(f.logits, i * 10, 10));
        right += +(p === test.labels[i]);
      }
      expect(same).toBeGreaterThanOrEqual(0.99 * TEST);
      expect(right).toBeGreaterThanOrEqual(0.97 * TEST);
      // probs is the softmax of the int8 graph's own logits.
      for (let i = 0; i < TEST; i++) {
        const l = q.logits.subarray(i * 10, i * 10 + 10),
          m = Math.max(...l),
          z = l.reduce((a, v) => a + Math.exp(v - m), 0);
        l.forEach((v, k) => expect(q.probs[i * 10 + k]).toBeCloseTo(Math.exp(v - m) / z, 5));
      }
    },
  );

  it('stores int8 activations as the uint8 ones less 128: the same values', () => {
    const [u, s] = (['uint8', 'int8'] as const).map((activations) => qdqGraph(folded, SHAPE, ranges, { activations }));
    // Activations' zero points (weights' are named after their initializer, which has a dot).
    const zp = (g: GraphDef) => g.initializers.filter((t) => /^[^.]*:zp$/.test(t.name));
    const [zu, zs] = [zp(u), zp(s)];
    expect(zu.length).toBeGreaterThan(0);
    zu.forEach((t, i) => {
      expect(zs[i].name).toBe(t.name);
      expect(zs[i].dataType).toBe(3);
      expect(t.dataType).toBe(2);
      expect(new Int8Array(zs[i].data.buffer, zs[i].data.byteOffset, 1)[0]).toBe(Number(t.data[0]) - 128);
    });
  });

  it('keeps a named Conv float and refuses what it cannot quantise, by name', async () => {
    const g = qdqGraph(folded, SHAPE, ranges, { float: new Set(['conv2d1']) });
    expect(g.nodes.find((n) => n.name === 'Conv:conv2d1')!.inputs).toEqual(['input', 'conv2d1.weight', 'conv2d1.bias']);
    expect(() => qdqGraph(folded, SHAPE, ranges, { float: new Set(['conv9']) })).toThrow(/no node conv9/);
    const m = decode();
    m.nodes.push({ name: 'Sigmoid:s', op: 'Sigmoid', domain: '', inputs: ['probs'], outputs: ['s'], attrs: {} });
    expect(() => fold(m)).toThrow(/Sigmoid:s: Sigmoid is not supported/);
  });
});
