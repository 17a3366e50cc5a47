/**
 * npm run bench:train: training images/s on one architecture and batch, three engines, one run:
 *   ours        onnxruntime-web (WASM SIMD, all cores) running our training-step graph + Adam in TypeScript
 *   tfjs-wasm   TensorFlow.js 4.22 on tfjs-backend-wasm (with a Conv2DBackpropFilter kernel registered here)
 *   ort-native  onnxruntime-node running the same training-step graph (the native reference)
 * Architecture (the probe): Conv32-3x3 > MaxPool > Conv64-3x3 > MaxPool > Dense128 > Dense10, batch 64.
 * Prints the median of several timed windows per engine and the ratios.
 */
import os from 'node:os';
import { createRequire } from 'node:module';
import * as ortNode from 'onnxruntime-node';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs'; // registers every op's gradient (tfjs-core alone has none)
import { setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { Rng } from '../../model-contract/random.js';
import { encodeModel, type ModelDef } from '../onnx/proto.js';
import { PRESETS } from '../presets.js';
import { resolve, type ArchSpec } from '../spec.js';
import { createTrainStep, type StepEngine } from '../step.js';
import { webEngine } from '../trainer.js';
import { initWeights } from '../weights.js';
import { registerConv2DBackpropFilter } from './tfjs-conv-filter-grad.js';

const B = 64,
  WARMUP = 3,
  STEPS = 8,
  WINDOWS = 5;
const threads = os.availableParallelism?.() ?? os.cpus().length;
const probe: ArchSpec = {
  input: [1, 28, 28],
  layers: [
    { kind: 'conv2d', filters: 32, kernel: 3 },
    { kind: 'relu' },
    { kind: 'maxpool' },
    { kind: 'conv2d', filters: 64, kernel: 3 },
    { kind: 'relu' },
    { kind: 'maxpool' },
    { kind: 'flatten' },
    { kind: 'dense', units: 128 },
    { kind: 'relu' },
    { kind: 'dense', units: 10 },
  ],
};

const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const x = new Float32Array(B * 784).map((_, i) => ((i * 2654435761) % 1000) / 1000);
const labels = Array.from({ length: B }, (_, i) => i % 10);
const onehot = new Float32Array(B * 10);
labels.forEach((l, i) => (onehot[i * 10 + l] = 1));

async function timeSteps(step: () => Promise<void>): Promise<number> {
  for (let i = 0; i < WARMUP; i++) await step();
  const rates: number[] = [];
  for (let w = 0; w < WINDOWS; w++) {
    const t0 = performance.now();
    for (let i = 0; i < STEPS; i++) await step();
    rates.push((B * STEPS) / ((performance.now() - t0) / 1000));
  }
  return median(rates);
}

/** The trainer's own step (training/step.ts: masks, running statistics, AdamW) on any engine. */
async function onnxStep(arch: ArchSpec, engine: (model: ModelDef) => Promise<StepEngine>) {
  const step = await createTrainStep(
    arch,
    initWeights(resolve(arch), 1),
    new Rng(1),
    { poolIndices: true, lr: 1e-3 },
    engine,
  );
  return async () => {
    await step.run(x, onehot, B);
  };
}

const ours = async (arch: ArchSpec) => timeSteps(await onnxStep(arch, webEngine()));

async function native(arch: ArchSpec, intraOpNumThreads: number) {
  return timeSteps(
    await onnxStep(arch, async (model) => {
      const s = await ortNode.InferenceSession.create(encodeModel(model), { intraOpNumThreads, logSeverityLevel: 3 });
      return {
        async run(f) {
          const out = await s.run(
            Object.fromEntries(Object.entries(f).map(([k, v]) => [k, new ortNode.Tensor('float32', v.data, v.dims)])),
          );
          return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.data as Float32Array]));
        },
      };
    }),
  );
}

async function tfjs() {
  const require = createRequire(import.meta.url);
  setWasmPaths(
    require
      .resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')
      .replace(/tfjs-backend-wasm\.wasm$/, ''),
  );
  setThreadsCount(threads);
  await tf.setBackend('wasm');
  registerConv2DBackpropFilter('wasm');
  const v = (shape: number[], fanIn: number) => tf.variable(tf.randomNormal(shape, 0, Math.sqrt(2 / fanIn)));
  const w = {
    c1: v([3, 3, 1, 32], 9),
    b1: tf.variable(tf.zeros([32])),
    c2: v([3, 3, 32, 64], 288),
    b2: tf.variable(tf.zeros([64])),
    d1: v([1600, 128], 1600),
    e1: tf.variable(tf.zeros([128])),
    d2: v([128, 10], 128),
    e2: tf.variable(tf.zeros([10])),
  };
  const opt = tf.train.adam(1e-3);
  const xs = tf.tensor4d(x, [B, 28, 28, 1]),
    ys = tf.tensor2d(onehot, [B, 10]);
  const step = async () => {
    tf.tidy(() => {
      opt.minimize(() => {
        let h: tf.Tensor4D = tf.maxPool(
          tf.relu(tf.add(tf.conv2d(xs, w.c1 as tf.Tensor4D, 1, 'valid'), w.b1)) as tf.Tensor4D,
          2,
          2,
          'valid',
        );
        h = tf.maxPool(
          tf.relu(tf.add(tf.conv2d(h, w.c2 as tf.Tensor4D, 1, 'valid'), w.b2)) as tf.Tensor4D,
          2,
          2,
          'valid',
        );
        const d = tf.relu(
          tf.add(tf.matMul(tf.reshape(h, [B, 1600]) as tf.Tensor2D, w.d1 as tf.Tensor2D), w.e1),
        ) as tf.Tensor2D;
        return tf.losses.softmaxCrossEntropy(ys, tf.add(tf.matMul(d, w.d2 as tf.Tensor2D), w.e2)) as tf.Scalar;
      });
    });
    await tf.nextFrame?.();
  };
  return timeSteps(step);
}

async function main() {
  console.log(
    `bench:train — batch ${B}, ${WINDOWS} windows of ${STEPS} steps after ${WARMUP} warm-up steps, median images/s; ${os.cpus()[0].model}, ${threads} cores, Node ${process.version}`,
  );
  console.log(
    `architecture: Conv32-3x3 > MaxPool > Conv64-3x3 > MaxPool > Dense128 > Dense10 (${resolve(probe)
      .flatMap((l) => l.params)
      .reduce((a, p) => a + p.shape.reduce((x, v) => x * v, 1), 0)} parameters)`,
  );
  const r: Record<string, number> = {};
  r.ours = await ours(probe);
  console.log(`  ours (onnxruntime-web wasm, ${threads} threads)   ${r.ours.toFixed(0)} images/s`);
  r.native = await native(probe, threads);
  console.log(`  onnxruntime-node (native, ${threads} threads)      ${r.native.toFixed(0)} images/s`);
  r.tfjs = await tfjs();
  console.log(`  tfjs 4.22 on tfjs-backend-wasm (${threads} threads) ${r.tfjs.toFixed(0)} images/s`);
  console.log(
    `ratios: ours / tfjs-wasm = ${(r.ours / r.tfjs).toFixed(2)}x (goal >= 3x); ours / native = ${(r.ours / r.native).toFixed(2)} (goal >= 0.5)`,
  );
  const digits = PRESETS.digits.arch;
  const d = { ours: await ours(digits), native: await native(digits, threads) };
  console.log(
    `committed digits architecture (conv+batchnorm+dropout): ours ${d.ours.toFixed(0)} images/s, native ${d.native.toFixed(0)} images/s, ratio ${(d.ours / d.native).toFixed(2)}`,
  );
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
