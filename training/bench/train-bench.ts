/**
 * npm run bench:train: training images/s, engines measured interleaved step by step so every ratio comes from
 * the same seconds of machine time (this machine's speed swings by up to 2x within seconds):
 *   ours        onnxruntime-web (WASM SIMD, all cores) running our training-step graph + Adam in TypeScript
 *   ours-today  the same with the reference forms (direct Conv, composed batch norm, ReLU before max-pool):
 *               the step as it was before the shape-chosen forms, for a before/after in one run
 *   native      onnxruntime-node running the same training-step graph as ours (the native reference)
 *   tfjs-wasm   TensorFlow.js 4.22 on tfjs-backend-wasm, the same architecture built from the same spec (with a
 *               Conv2DBackpropFilter kernel registered here)
 * Each round runs one step of every engine, starting with a different engine each round; after the warm-up
 * rounds (the first 15-20 WASM steps of a process run 2-3x slower while V8 compiles) it prints per engine the
 * median images/s and per ratio ours/X the median, quartiles and range of the per-round ratios.
 * Options: --nets probe,digits,rgb64  --rounds 30  --warmup 20  --batch 64  --no-tfjs
 */
import os from 'node:os';
import { Rng } from '../../model-contract/random.js';
import type { Forms } from '../layers/types.js';
import { encodeModel, type ModelDef } from '../onnx/proto.js';
import { PRESETS } from '../presets.js';
import { paramCount, resolve, type ArchSpec } from '../spec.js';
import { createTrainStep, type StepEngine } from '../step.js';
import { webEngine } from '../trainer.js';
import { initWeights } from '../weights.js';
import { tfjsStep } from './tfjs-step.js';
import { parseCli } from '../../scripts/cli.js';

const threads = os.availableParallelism?.() ?? os.cpus().length;

const block = (filters: number) =>
  [
    { kind: 'conv2d', filters, kernel: 3, padding: 'same' },
    { kind: 'batchnorm' },
    { kind: 'relu' },
    { kind: 'maxpool', kernel: 2 },
  ] as const;

const NETS: Record<string, { arch: ArchSpec; label: string }> = {
  probe: {
    label: "the issue's probe: Conv32-3x3 > MaxPool > Conv64-3x3 > MaxPool > Dense128 > Dense10, 28x28x1",
    arch: {
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
    },
  },
  digits: { label: 'the committed digits CNN (16-32-64 conv+BN blocks, dropout), 28x28x1', arch: PRESETS.digits.arch },
  rgb64: {
    label: 'colour pictures: 16-32-64-64 conv3x3+BN+ReLU+MaxPool blocks > Dense128 > Dropout > Dense10, 64x64x3',
    arch: {
      input: [3, 64, 64],
      layers: [
        ...block(16),
        ...block(32),
        ...block(64),
        ...block(64),
        { kind: 'flatten' },
        { kind: 'dense', units: 128 },
        { kind: 'relu' },
        { kind: 'dropout', rate: 0.2 },
        { kind: 'dense', units: 10 },
      ],
    },
  },
};

type Step = () => Promise<void>;

/** A fixed batch: pseudo-random pixels, labels 0..k-1 in turn. */
function batchOf(arch: ArchSpec, batch: number) {
  const size = arch.input.reduce((a, v) => a * v, 1);
  const layers = resolve(arch);
  const k = layers.at(-1)!.outShape[0];
  const x = new Float32Array(batch * size).map((_, i) => ((i * 2654435761) % 1000) / 1000);
  const onehot = new Float32Array(batch * k);
  for (let i = 0; i < batch; i++) onehot[i * k + (i % k)] = 1;
  return { x, onehot, k };
}

/** The trainer's own step (training/step.ts: dropout masks, running statistics, AdamW) on any engine. */
async function onnxStep(
  arch: ArchSpec,
  batch: number,
  forms: Forms,
  engine: (model: ModelDef) => Promise<StepEngine>,
): Promise<Step> {
  const { x, onehot } = batchOf(arch, batch);
  const step = await createTrainStep(
    arch,
    initWeights(resolve(arch), 1),
    new Rng(1),
    { poolIndices: true, lr: 1e-3, forms },
    engine,
  );
  return async () => {
    await step.run(x, onehot, batch);
  };
}

const ours = (arch: ArchSpec, batch: number, forms: Forms) => onnxStep(arch, batch, forms, webEngine());

async function native(arch: ArchSpec, batch: number): Promise<Step> {
  const ortNode = await import('onnxruntime-node');
  return onnxStep(arch, batch, 'fast', async (model) => {
    const s = await ortNode.InferenceSession.create(encodeModel(model), {
      intraOpNumThreads: threads,
      logSeverityLevel: 3,
    });
    return {
      async run(f) {
        const out = await s.run(
          Object.fromEntries(Object.entries(f).map(([k, v]) => [k, new ortNode.Tensor('float32', v.data, v.dims)])),
        );
        return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.data as Float32Array]));
      },
    };
  });
}

const PAUSE_MS = 20;
const quantile = (a: number[], q: number) => {
  const s = [...a].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.max(0, Math.round(q * (s.length - 1))))];
};
const fmt = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(2));

/** Runs the engines round-robin: warm-up rounds, then timed rounds; seconds per step per engine per round. */
async function interleave(engines: Record<string, Step>, warmup: number, rounds: number) {
  const names = Object.keys(engines);
  const seconds: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < warmup + rounds; r++)
    for (let i = 0; i < names.length; i++) {
      const name = names[(r + i) % names.length];
      // A pause between engines: onnxruntime's pool threads spin for a while after a run, and would take the
      // next engine's cores (measured: ours' step 37 ms interleaved with itself, 48 ms right after native).
      await new Promise((res) => setTimeout(res, PAUSE_MS));
      const t0 = performance.now();
      await engines[name]();
      if (r >= warmup) seconds[name].push((performance.now() - t0) / 1000);
    }
  return seconds;
}

async function benchNet(name: string, opts: { batch: number; warmup: number; rounds: number; tfjs: boolean }) {
  const { arch, label } = NETS[name];
  const B = opts.batch;
  console.log(`\n${name}: ${label}; ${paramCount(resolve(arch)).toLocaleString('en')} parameters, batch ${B}`);
  const engines: Record<string, Step> = {
    ours: await ours(arch, B, 'fast'),
    'ours-today': await ours(arch, B, 'reference'),
    native: await native(arch, B),
  };
  if (opts.tfjs) engines['tfjs-wasm'] = await tfjsStep(arch, B, threads);
  const t0 = performance.now();
  const s = await interleave(engines, opts.warmup, opts.rounds);
  console.log(
    `  ${opts.warmup} warm-up rounds, ${opts.rounds} timed rounds (${((performance.now() - t0) / 1000).toFixed(0)} s)`,
  );
  for (const [engine, t] of Object.entries(s))
    console.log(
      `  ${engine.padEnd(11)} ${fmt(B / quantile(t, 0.5)).padStart(6)} images/s (median step ${(quantile(t, 0.5) * 1000).toFixed(1)} ms, quartiles ${(quantile(t, 0.25) * 1000).toFixed(1)}-${(quantile(t, 0.75) * 1000).toFixed(1)} ms)`,
    );
  for (const other of Object.keys(s).filter((e) => e !== 'ours')) {
    const ratios = s.ours.map((t, r) => s[other][r] / t); // images/s of ours over theirs, round by round
    console.log(
      `  ours / ${other.padEnd(10)} median ${fmt(quantile(ratios, 0.5))}x  quartiles ${fmt(quantile(ratios, 0.25))}-${fmt(quantile(ratios, 0.75))}  range ${fmt(Math.min(...ratios))}-${fmt(Math.max(...ratios))}`,
    );
  }
}

async function main() {
  const { values } = parseCli({
    name: 'bench:train',
    synopsis: '[--nets probe,digits,rgb64] [--rounds 30] [--warmup 20] [--batch 64] [--no-tfjs]',
    about: 'Training images/s of our engine against onnxruntime-node and TensorFlow.js, interleaved step by step.',
    flags: {
      nets: {
        type: 'string',
        arg: 'A,B',
        default: 'probe,digits,rgb64',
        help: `the networks, among ${Object.keys(NETS).join(', ')}`,
      },
      rounds: { type: 'int', gt: 0, default: 30, help: 'measured rounds (one step of every engine each)' },
      warmup: { type: 'int', min: 0, default: 20, help: 'rounds run before measuring' },
      batch: { type: 'int', gt: 0, default: 64, help: 'images per step' },
      'no-tfjs': { type: 'boolean', help: 'leave TensorFlow.js out' },
    },
  });
  const nets = values.nets.split(',');
  const unknown = nets.filter((n) => !NETS[n]);
  if (unknown.length) {
    console.error(`bench:train: unknown net(s) ${unknown.join(', ')}; should be among ${Object.keys(NETS).join(', ')}`);
    process.exit(2);
  }
  const opts = { batch: values.batch, rounds: values.rounds, warmup: values.warmup, tfjs: !values['no-tfjs'] };
  console.log(
    `bench:train: ${os.cpus()[0].model}, ${threads} cores, Node ${process.version}; engines interleaved step by step`,
  );
  for (const n of nets) await benchNet(n, opts);
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
