/**
 * One training step, the same code for the trainer and the benchmark: feed a batch, the weights and every
 * layer's training inputs (sampled by the layer rules: dropout masks), run the training-step graph on the engine
 * given, let the layer rules update their state from its state outputs (batch-norm running statistics), then
 * AdamW on the trainable weights. The engine is injected: onnxruntime-web for training, onnxruntime-node too in
 * bench:train.
 *   x: [N,C,H,W] images, targets: [N,K] distributions; weights are updated in place.
 */
import { IO, paramGrad } from '../model-contract/graphs.js';
import type { Rng } from '../model-contract/random.js';
import { compileTrainStep, type ActivityL1 } from './graph/compile.js';
import { ruleFor } from './layers/registry.js';
import type { Forms, TrainSettings } from './layers/types.js';
import type { ModelDef } from './onnx/proto.js';
import { resolve, type ArchSpec } from './spec.js';
import { Adam } from './weights.js';
import type { Weights } from './graph/compile.js';

export type Feeds = Record<string, { data: Float32Array; dims: number[] }>;
/** Runs the training-step graph: feeds in, every output's data out. */
export interface StepEngine {
  run(feeds: Feeds): Promise<Record<string, Float32Array>>;
  release?(): Promise<void>;
}

export interface StepOptions {
  /** Max-pool backward by MaxPool's Indices (WASM/CPU only). */
  poolIndices?: boolean;
  /** The training step's forms (default 'fast': chosen by shape; 'reference': the direct forms). */
  forms?: Forms;
  /** An L1 penalty on one layer's activations (graph/compile.ts). */
  activityL1?: ActivityL1;
  lr: number;
  weightDecay?: number;
  bnMomentum?: number;
}

export interface StepResult {
  loss: number;
  logits: Float32Array;
  grads: Record<string, Float32Array>;
}

export interface TrainStep {
  /** One step on a batch of n; `lr` overrides the learning rate for this and later steps (schedules). */
  run(x: Float32Array, targets: Float32Array, n: number, lr?: number): Promise<StepResult>;
  release(): Promise<void>;
}

export async function createTrainStep(
  arch: ArchSpec,
  weights: Weights,
  rng: Rng,
  opts: StepOptions,
  engine: (model: ModelDef) => Promise<StepEngine>,
): Promise<TrainStep> {
  const layers = resolve(arch);
  const { model, trainInputs, states } = compileTrainStep(arch, {
    poolIndices: opts.poolIndices,
    forms: opts.forms,
    activityL1: opts.activityL1,
  });
  const e = await engine(model);
  const adam = new Adam({ lr: opts.lr, weightDecay: opts.weightDecay ?? 0 });
  // Weight decay on conv and dense weights only (not on biases or batch-norm scales).
  const decay = new Set(
    layers.flatMap((l) =>
      l.kind === 'batchnorm' ? [] : l.params.filter((p) => p.role === 'weight').map((p) => p.name),
    ),
  );
  const params = layers.flatMap((l) => l.params);
  const trainable = params.filter((p) => p.trainable);
  const settings: TrainSettings = { bnMomentum: opts.bnMomentum ?? 0.1 };
  const [c, h, w] = arch.input,
    k = layers.at(-1)!.outShape[0];
  const sampling = [...new Set(trainInputs.map((t) => t.layer))];
  const updating = [...new Set(states.map((s) => s.layer))];
  let done = 0;

  return {
    async run(x, targets, n, lr) {
      if (lr !== undefined) adam.opts.lr = lr;
      const feeds: Feeds = {
        [IO.input]: { data: x, dims: [n, c, h, w] },
        [IO.targets]: { data: targets, dims: [n, k] },
      };
      for (const p of params) feeds[p.name] = { data: weights[p.name], dims: p.shape };
      for (const layer of sampling) {
        const values = ruleFor(layer.kind).trainInputs!.sample(layer.spec, layer.inShapes, n, rng);
        for (const t of trainInputs.filter((t) => t.layer === layer)) {
          const data = values[t.suffix];
          if (!data) throw new Error(`layer "${layer.name}" sampled no training input "${t.suffix}"`);
          feeds[t.value] = {
            data,
            dims: [n, ...ruleFor(layer.kind).trainInputs!.shapes(layer.spec, layer.inShapes)[t.suffix]],
          };
        }
      }
      const out = await e.run(feeds);
      const grads = Object.fromEntries(trainable.map((p) => [p.name, out[paramGrad(p.name)]]));
      adam.step(weights, grads, decay);
      for (const layer of updating) {
        const state = Object.fromEntries(states.filter((s) => s.layer === layer).map((s) => [s.suffix, out[s.value]]));
        const own = Object.fromEntries(layer.params.map((p) => [p.suffix, weights[p.name]]));
        ruleFor(layer.kind).updateState!({
          spec: layer.spec,
          inShapes: layer.inShapes,
          batch: n,
          step: done,
          state,
          params: own,
          settings,
        });
      }
      done++;
      return { loss: out[IO.loss][0], logits: out[IO.logits], grads };
    },
    release: async () => e.release?.(),
  };
}
