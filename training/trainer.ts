/**
 * The training loop: batches (augmented, seeded) through the training-step graph on onnxruntime-web,
 * Adam in TypeScript on the weights, running batch-norm statistics, cosine learning-rate decay.
 * No CLI here: train.ts wraps it, tests call it on a slice of data.
 */
import { DEFAULT_AUGMENT, randomAffine, warp, type AugmentOptions } from './data/augment.js';
import type { Dataset } from './data/dataset.js';
import { session, tensor, type Backend } from './engine.js';
import { buildInference, buildTrainStep, type Weights } from './graph/compile.js';
import { Rng } from '../functions/core/random.js';
import { resolve, type ArchSpec } from './spec.js';
import { Adam, initWeights } from './weights.js';

export interface TrainOptions {
  arch: ArchSpec;
  epochs: number;
  batch: number;
  lr: number;
  weightDecay?: number;
  seed: number;
  /** null turns augmentation off. */
  augment?: AugmentOptions | null;
  /** Mirror images left-right at random (for classes with that symmetry, e.g. clothes; never digits). */
  flip?: boolean;
  labelSmoothing?: number;
  backend?: Backend;
  bnMomentum?: number;
}

export interface EpochLog {
  epoch: number;
  loss: number;
  trainAccuracy: number;
  testAccuracy?: number;
  imagesPerSecond: number;
  seconds: number;
}
export interface TrainResult {
  weights: Weights;
  history: EpochLog[];
  imagesPerSecond: number;
  seconds: number;
}
export type OnStep = (p: {
  epoch: number;
  step: number;
  steps: number;
  loss: number;
  accuracy: number;
  imagesPerSecond: number;
}) => void;

/** Predicted class of every image (batched inference with the given weights). */
export async function predict(
  arch: ArchSpec,
  weights: Weights,
  data: Dataset,
  batch = 500,
): Promise<{ predictions: Uint8Array; probs: Float32Array }> {
  const s = await session(buildInference(arch, weights));
  const size = data.shape[0] * data.shape[1] * data.shape[2];
  const k = resolve(arch).at(-1)!.outShape[0];
  const predictions = new Uint8Array(data.n),
    probs = new Float32Array(data.n * k);
  for (let i = 0; i < data.n; i += batch) {
    const m = Math.min(batch, data.n - i);
    const out = await s.run({ input: tensor(data.images.subarray(i * size, (i + m) * size), [m, ...data.shape]) }, [
      'probs',
    ]);
    const p = out.probs.data as Float32Array;
    probs.set(p, i * k);
    for (let j = 0; j < m; j++) predictions[i + j] = argmax(p, j * k, k);
  }
  await s.release();
  return { predictions, probs };
}

export function argmax(a: ArrayLike<number>, off: number, k: number): number {
  let best = 0;
  for (let c = 1; c < k; c++) if (a[off + c] > a[off + best]) best = c;
  return best;
}

export function accuracy(pred: Uint8Array, labels: Uint8Array): number {
  let ok = 0;
  for (let i = 0; i < pred.length; i++) ok += pred[i] === labels[i] ? 1 : 0;
  return ok / pred.length;
}

export async function train(opts: TrainOptions, train: Dataset, test?: Dataset, onStep?: OnStep): Promise<TrainResult> {
  const layers = resolve(opts.arch);
  const rng = new Rng(opts.seed);
  const weights = initWeights(layers, opts.seed);
  // WASM may use MaxPool's Indices for the max-pool backward (faster); WebGPU rejects them.
  const step = await session(
    buildTrainStep(opts.arch, { poolIndices: (opts.backend ?? 'wasm') === 'wasm' }),
    opts.backend ?? 'wasm',
  );
  const adam = new Adam({ lr: opts.lr, weightDecay: opts.weightDecay ?? 0 });
  const decay = new Set(
    layers.flatMap((l) =>
      l.kind === 'batchnorm' ? [] : l.params.filter((p) => p.role === 'weight').map((p) => p.name),
    ),
  );
  const params = layers.flatMap((l) => l.params);
  const trainable = params.filter((p) => p.trainable);
  const masks = layers.filter((l) => l.kind === 'dropout');
  const bns = layers.filter((l) => l.kind === 'batchnorm');
  const [c, h, w] = train.shape,
    size = c * h * w,
    k = layers.at(-1)!.outShape[0];
  const augment = opts.augment === undefined ? DEFAULT_AUGMENT : opts.augment;
  const smooth = opts.labelSmoothing ?? 0;
  const momentum = opts.bnMomentum ?? 0.1;
  const steps = Math.floor(train.n / opts.batch);
  const totalSteps = steps * opts.epochs;
  const history: EpochLog[] = [];
  const x = new Float32Array(opts.batch * size),
    t = new Float32Array(opts.batch * k);
  const t0 = Date.now();
  let done = 0;

  for (let epoch = 1; epoch <= opts.epochs; epoch++) {
    const e0 = Date.now();
    const order = rng.shuffle(Array.from({ length: train.n }, (_, i) => i));
    let lossSum = 0,
      correct = 0,
      seen = 0;
    for (let s = 0; s < steps; s++) {
      for (let j = 0; j < opts.batch; j++) {
        const idx = order[s * opts.batch + j];
        const src = train.images.subarray(idx * size, (idx + 1) * size);
        const dst = x.subarray(j * size, (j + 1) * size);
        if (augment) {
          // One random warp per image, the same for each of its channels.
          const t = randomAffine(rng, augment);
          for (let ch = 0; ch < c; ch++)
            warp(src.subarray(ch * h * w, (ch + 1) * h * w), h, w, t, dst.subarray(ch * h * w, (ch + 1) * h * w));
        } else dst.set(src);
        if (opts.flip && rng.next() < 0.5) for (let r = 0; r < c * h; r++) dst.subarray(r * w, (r + 1) * w).reverse();
        t.fill(smooth / k, j * k, (j + 1) * k);
        t[j * k + train.labels[idx]] += 1 - smooth;
      }
      const feeds: Record<string, ReturnType<typeof tensor>> = {
        input: tensor(x, [opts.batch, c, h, w]),
        targets: tensor(t, [opts.batch, k]),
      };
      for (const p of params) feeds[p.name] = tensor(weights[p.name], p.shape);
      for (const l of masks) {
        const rate = (l.spec as { rate: number }).rate,
          n = opts.batch * l.inShape.reduce((a, v) => a * v, 1);
        const m = new Float32Array(n);
        for (let i = 0; i < n; i++) m[i] = rng.next() >= rate ? 1 : 0;
        feeds[`${l.name}.mask`] = tensor(m, [opts.batch, ...l.inShape]);
      }
      const out = await step.run(feeds);
      // Cosine decay of the learning rate over the whole run.
      adam.opts.lr = opts.lr * 0.5 * (1 + Math.cos((Math.PI * done) / totalSteps));
      adam.step(
        weights,
        Object.fromEntries(trainable.map((p) => [p.name, out[`grad:${p.name}`].data as Float32Array])),
        decay,
      );
      // Cumulative average over the first steps (1/t), then an exponential moving average.
      const mom = Math.max(momentum, 1 / (done + 1));
      for (const l of bns) {
        const m = out[`${l.name}.batch_mean`].data as Float32Array,
          v = out[`${l.name}.batch_var`].data as Float32Array;
        const rm = weights[`${l.name}.running_mean`],
          rv = weights[`${l.name}.running_var`];
        const count = opts.batch * (l.inShape.length === 3 ? l.inShape[1] * l.inShape[2] : 1);
        for (let i = 0; i < rm.length; i++) {
          rm[i] = (1 - mom) * rm[i] + mom * m[i];
          rv[i] = (1 - mom) * rv[i] + mom * v[i] * (count / (count - 1));
        }
      }
      const logits = out.logits.data as Float32Array;
      for (let j = 0; j < opts.batch; j++)
        correct += argmax(logits, j * k, k) === train.labels[order[s * opts.batch + j]] ? 1 : 0;
      lossSum += (out.loss.data as Float32Array)[0];
      seen += opts.batch;
      done++;
      onStep?.({
        epoch,
        step: s + 1,
        steps,
        loss: lossSum / (s + 1),
        accuracy: correct / seen,
        imagesPerSecond: (done * opts.batch) / ((Date.now() - t0) / 1000),
      });
    }
    const seconds = (Date.now() - e0) / 1000;
    const log: EpochLog = {
      epoch,
      loss: lossSum / steps,
      trainAccuracy: correct / seen,
      imagesPerSecond: seen / seconds,
      seconds,
    };
    if (test) log.testAccuracy = accuracy((await predict(opts.arch, weights, test)).predictions, test.labels);
    history.push(log);
  }
  await step.release();
  const seconds = (Date.now() - t0) / 1000;
  return { weights, history, imagesPerSecond: (totalSteps * opts.batch) / seconds, seconds };
}
