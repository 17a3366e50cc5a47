/**
 * The training loop: batches (augmented, seeded) through one training step (step.ts: the training-step graph
 * on onnxruntime-web, the layers' training inputs and state, AdamW in TypeScript), the learning-rate schedule
 * (schedule.ts), and optionally the best watched epoch's weights.
 * No CLI here: train.ts wraps it, tests call it on a slice of data.
 */
import { WeightAverage } from './average.js';
import { DEFAULT_AUGMENT, randomAffine, warp, type AugmentOptions } from './data/augment.js';
import type { Dataset } from './data/dataset.js';
import { session, tensor, type Backend } from './engine.js';
import { buildInference, type Weights } from './graph/compile.js';
import { IO } from '../model-contract/graphs.js';
import type { EpochLog } from '../model-contract/meta.js';
import { Rng } from '../model-contract/random.js';
import { resolve, type ArchSpec } from './spec.js';
import { learningRate } from './schedule.js';
import { createTrainStep, type StepEngine } from './step.js';
import { initWeights } from './weights.js';
import type { ModelDef } from './onnx/proto.js';
import type { ActivityL1 } from './graph/compile.js';

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
  /** Share of the steps that warm the learning rate up linearly before the cosine decay (schedule.ts; 0: none). */
  warmup?: number;
  /**
   * Return the weights (batch-norm statistics included) of the epoch that scored best on the watched set instead
   * of the last epoch's; ties go to the later epoch. Only for a watched set carved out of the training data, never
   * for the test set.
   */
  keepBest?: boolean;
  /**
   * Evaluate and return an exponential moving average of the weights with this decay (average.ts; e.g. 0.999)
   * instead of the last step's weights; keepBest then keeps the best epoch's average.
   */
  ema?: number;
  backend?: Backend;
  bnMomentum?: number;
  /** An L1 penalty on one layer's activations (graph/compile.ts ActivityL1). */
  activityL1?: ActivityL1;
}

export type { EpochLog };
export interface TrainResult {
  weights: Weights;
  history: EpochLog[];
  imagesPerSecond: number;
  seconds: number;
  /** With keepBest: the epoch whose weights these are. */
  bestEpoch?: number;
  /** With ema and a watched set: each epoch's accuracy of the last step's weights (history has the average's). */
  rawTestAccuracy?: number[];
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
    const out = await s.run(
      { [IO.input]: tensor(data.images.subarray(i * size, (i + m) * size), [m, ...data.shape]) },
      [IO.probs],
    );
    const p = out[IO.probs].data as Float32Array;
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

/** The training-step graph on onnxruntime-web (the trainer's engine). */
export function webEngine(backend: Backend = 'wasm') {
  return async (model: ModelDef): Promise<StepEngine> => {
    const s = await session(model, backend);
    return {
      async run(feeds) {
        const out = await s.run(Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, tensor(v.data, v.dims)])));
        return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.data as Float32Array]));
      },
      release: () => s.release(),
    };
  };
}

/**
 * Called after each epoch with its log and the weights as they are then, the average with ema (read them; do not
 * change them); with ema and a watched set, also the last step's weights' accuracy.
 */
export type OnEpoch = (log: EpochLog, weights: Weights, rawTestAccuracy?: number) => Promise<void> | void;

export async function train(
  opts: TrainOptions,
  train: Dataset,
  test?: Dataset,
  onStep?: OnStep,
  onEpoch?: OnEpoch,
): Promise<TrainResult> {
  const layers = resolve(opts.arch);
  const rng = new Rng(opts.seed);
  const weights = initWeights(layers, opts.seed);
  const average = opts.ema ? new WeightAverage(weights, opts.ema) : undefined;
  const backend = opts.backend ?? 'wasm';
  // WASM may use MaxPool's Indices for the max-pool backward (faster); WebGPU rejects them.
  const step = await createTrainStep(
    opts.arch,
    weights,
    rng,
    {
      poolIndices: backend === 'wasm',
      lr: opts.lr,
      weightDecay: opts.weightDecay,
      bnMomentum: opts.bnMomentum,
      activityL1: opts.activityL1,
    },
    webEngine(backend),
  );
  const [c, h, w] = train.shape,
    size = c * h * w,
    k = layers.at(-1)!.outShape[0];
  const augment = opts.augment === undefined ? DEFAULT_AUGMENT : opts.augment;
  const smooth = opts.labelSmoothing ?? 0;
  const steps = Math.floor(train.n / opts.batch);
  const totalSteps = steps * opts.epochs;
  const history: EpochLog[] = [];
  const rawTestAccuracy: number[] = [];
  const x = new Float32Array(opts.batch * size),
    t = new Float32Array(opts.batch * k);
  const t0 = Date.now();
  let done = 0;
  let best: { epoch: number; accuracy: number; weights: Weights } | undefined;

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
      const out = await step.run(x, t, opts.batch, learningRate(opts.lr, done, totalSteps, opts.warmup));
      average?.update(weights);
      const logits = out.logits;
      for (let j = 0; j < opts.batch; j++)
        correct += argmax(logits, j * k, k) === train.labels[order[s * opts.batch + j]] ? 1 : 0;
      lossSum += out.loss;
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
    const scored = average ? average.weights : weights;
    const score = async (w: Weights) => accuracy((await predict(opts.arch, w, test!)).predictions, test!.labels);
    if (test) log.testAccuracy = await score(scored);
    const raw = average && test ? await score(weights) : undefined;
    if (raw !== undefined) rawTestAccuracy.push(raw);
    history.push(log);
    await onEpoch?.(log, scored, raw);
    if (opts.keepBest && test && (!best || log.testAccuracy! >= best.accuracy))
      best = { epoch, accuracy: log.testAccuracy!, weights: copyWeights(scored) };
  }
  await step.release();
  if (best) Object.assign(weights, best.weights);
  else if (average) Object.assign(weights, copyWeights(average.weights));
  const seconds = (Date.now() - t0) / 1000;
  return {
    weights,
    history,
    imagesPerSecond: (totalSteps * opts.batch) / seconds,
    seconds,
    bestEpoch: best?.epoch,
    ...(average && test ? { rawTestAccuracy } : {}),
  };
}

const copyWeights = (w: Weights): Weights => Object.fromEntries(Object.entries(w).map(([k, v]) => [k, v.slice()]));
