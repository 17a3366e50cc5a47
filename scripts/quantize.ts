/**
 * npm run quantize -- --model digits [--calibration 1000] [--out FILE]
 * Builds an int8 QDQ classification graph from a model's classify.onnx (scripts/quantize/qdq.ts): batch norm
 * folded, per-channel int8 weights, uint8 activations calibrated on training images (their min and max). Then, on
 * onnxruntime-web in Node (the Worker's engine and wasm, one thread): the held-out accuracy of the float graph and
 * of the int8 one, and session.run at batch 1 of each, interleaved. Writes the graph only with --out.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-web';
import type { ModelMeta } from '../functions/core/model.js';
import type { Dataset } from '../training/data/dataset.js';
import { loadData } from '../training/data/load.js';
import { decodeModel } from '../training/onnx/decode.js';
import { encodeModel } from '../training/onnx/proto.js';
import { PRESETS } from '../training/presets.js';
import { argmax } from '../training/trainer.js';
import { parseCli, runMain } from './cli.js';
import { calibrate } from './quantize/calibrate.js';
import { floatGraph, fold, qdqGraph } from './quantize/qdq.js';

const { values: a } = parseCli({
  name: 'quantize',
  synopsis: '--model <name> [--dir models] [--calibration N] [--float NODES] [--activations uint8|int8] [--out FILE]',
  about:
    "An int8 QDQ classify graph: held-out accuracy and session.run against the float graph on onnxruntime-web's wasm.",
  flags: {
    model: { type: 'string', arg: 'NAME', default: 'digits', help: 'a bundled model trained on IDX data' },
    dir: { type: 'string', arg: 'DIR', default: 'models', help: 'where model folders are' },
    calibration: { type: 'int', min: 10, default: 1000, help: 'training images whose activations set the scales' },
    runs: { type: 'int', min: 10, default: 1000, help: 'session.run calls per timed round' },
    float: { type: 'string', arg: 'NODES', default: '', help: 'Conv or Gemm nodes to keep float, comma-separated' },
    activations: {
      type: 'string',
      choices: ['uint8', 'int8'],
      default: 'uint8',
      help: 'how activations are stored (int8: zero point shifted by -128)',
    },
    out: { type: 'string', arg: 'FILE', help: 'where to write the int8 graph (not written without it)' },
  },
});

ort.env.wasm.numThreads = 1;
ort.env.logLevel = 'error';
const median = (v: number[]) => [...v].sort((x, y) => x - y)[v.length >> 1];
const batch = (d: Dataset, i: number, m: number) => {
  const size = d.shape[0] * d.shape[1] * d.shape[2];
  return new ort.Tensor('float32', d.images.subarray(i * size, (i + m) * size), [m, ...d.shape]);
};
const create = (bytes: Uint8Array, external: Record<string, Uint8Array> = {}) =>
  ort.InferenceSession.create(bytes, {
    executionProviders: ['wasm'],
    graphOptimizationLevel: 'all',
    externalData: Object.entries(external).map(([p, data]) => ({ path: p, data })),
  });

async function predictions(s: ort.InferenceSession, d: Dataset): Promise<{ labels: number[]; logits: Float32Array }> {
  const k = d.classes.length;
  const labels: number[] = [],
    logits = new Float32Array(d.n * k);
  for (let i = 0; i < d.n; i += 250) {
    const m = Math.min(250, d.n - i);
    const out = await s.run({ input: batch(d, i, m) }, ['logits']);
    const l = out.logits.data as Float32Array;
    logits.set(l, i * k);
    for (let j = 0; j < m; j++) labels.push(argmax(l, j * k, k));
  }
  return { labels, logits };
}

async function main() {
  const dir = path.join(a.dir, a.model);
  const meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8')) as ModelMeta;
  const kind = PRESETS[a.model]?.data;
  if (kind !== 'digits' && kind !== 'fashion')
    throw new Error(`--model ${a.model}: only the IDX-trained presets (digits, fashion) have their data here`);
  const { train, test } = loadData(kind);
  const bytes = new Uint8Array(fs.readFileSync(path.join(dir, 'classify.onnx')));
  const weights = new Uint8Array(fs.readFileSync(path.join(dir, 'weights.bin')));
  const folded = fold(decodeModel(bytes, (loc) => (loc === 'weights.bin' ? weights : undefined)));
  const shape = [...meta.input.shape];
  const float = await create(bytes, { 'weights.bin': weights });
  const calib = await create(encodeModel({ graph: floatGraph(folded, shape) }));
  const size = shape.reduce((x, v) => x * v, 1);
  const run = async (images: Float32Array, n: number) =>
    Object.fromEntries(
      Object.entries(await calib.run({ [folded.input]: new ort.Tensor('float32', images, [n, ...shape]) })).map(
        ([k, v]) => [k, v.data as Float32Array],
      ),
    );
  const ranges = await calibrate(run, folded.input, train.images, size, a.calibration);
  const int8Bytes = encodeModel({
    graph: qdqGraph(folded, shape, ranges, {
      float: new Set(a.float.split(',').filter(Boolean)),
      activations: a.activations,
    }),
    producer: 'edge-cnn quantize',
    docString: `int8 QDQ of ${a.model}/classify.onnx, activations calibrated on ${a.calibration} training images`,
  });
  const int8 = await create(int8Bytes);

  const [pf, pq, pfold] = [
    await predictions(float, test),
    await predictions(int8, test),
    await predictions(calib, test),
  ];
  const acc = (p: number[]) => p.filter((v, i) => v === test.labels[i]).length / test.n;
  const maxDiff = (x: Float32Array, y: Float32Array) => x.reduce((m, v, i) => Math.max(m, Math.abs(v - y[i])), 0);
  const agree = pf.labels.filter((v, i) => v === pq.labels[i]).length;
  console.log(`${a.model}: ${test.n} held-out images; int8 graph ${(int8Bytes.length / 1024).toFixed(0)} KiB`);
  console.log(
    `  batch norm folded (float): same predictions ${pfold.labels.every((v, i) => v === pf.labels[i])}, logits max |diff| ${maxDiff(pf.logits, pfold.logits).toExponential(2)}`,
  );
  console.log(
    `  accuracy float ${(100 * acc(pf.labels)).toFixed(2)}%, int8 ${(100 * acc(pq.labels)).toFixed(2)}% (${(100 * (acc(pq.labels) - acc(pf.labels))).toFixed(2)} points); same prediction on ${agree} of ${test.n}; logits max |diff| ${maxDiff(pf.logits, pq.logits).toFixed(3)}`,
  );

  // session.run at batch 1, probs fetched, the two graphs interleaved round by round.
  const one = { input: batch(test, 0, 1) };
  const time = async (s: ort.InferenceSession) => {
    const t0 = process.cpuUsage();
    for (let i = 0; i < a.runs; i++) await s.run(one, ['probs']);
    const t = process.cpuUsage(t0);
    return (t.user + t.system) / a.runs;
  };
  const t: { float: number[]; int8: number[] } = { float: [], int8: [] };
  for (let i = 0; i < 200; i++) await Promise.all([float.run(one, ['probs']), int8.run(one, ['probs'])]);
  for (let r = 0; r < 7; r++) {
    t.float.push(await time(float));
    t.int8.push(await time(int8));
  }
  console.log(
    `  session.run batch 1 (onnxruntime-web wasm in Node, 1 thread, CPU time, medians of 7 interleaved rounds of ${a.runs}; npm run bench:session times it in workerd): float ${median(t.float).toFixed(1)} us, int8 ${median(t.int8).toFixed(1)} us (${(median(t.int8) / median(t.float)).toFixed(2)}x)`,
  );
  if (a.out) {
    fs.writeFileSync(a.out, int8Bytes);
    console.log(`  wrote ${a.out}`);
  }
}

runMain('quantize', main);
