/**
 * The contract every single-input layer rule fulfils: shapes, parameters, counts, and forward and backward ONNX
 * nodes. Shapes are per sample (no batch axis): [C, H, W] for images and feature maps, [F] for vectors. The
 * registry holds rules in the graph form (graph-rule.ts), where a layer may read several values; unary() adapts
 * these.
 */
import type { Rng } from '../../model-contract/random.js';
import type { GraphBuilder } from '../graph/builder.js';

export type Mode = 'train' | 'infer';

/**
 * Which of equivalent forms (equal values and gradients) a rule emits in training mode; ignored otherwise, so the
 * exported and served graphs never change with it:
 *   'reference' the direct forms (Conv, batch norm from elementwise ops, ReLU before max-pool);
 *   'fast'      each rule picks by shape the form onnxruntime's WASM kernels run fastest (the training step);
 *   'all'       every alternative form whatever the shape (tests compare it with 'reference').
 */
export type Forms = 'reference' | 'fast' | 'all';

export interface ParamSpec {
  /** Suffix; the full name is `${layer}.${suffix}`. */
  suffix: string;
  shape: number[];
  init: 'he' | 'glorot' | 'zeros' | 'ones';
  fanIn: number;
  fanOut: number;
  /** Weights the optimizer updates; running statistics are state, not trainable. */
  trainable: boolean;
  role: 'weight' | 'bias' | 'state';
}

export interface LayerCtx<S> {
  b: GraphBuilder;
  mode: Mode;
  name: string;
  spec: S;
  inShape: number[];
  outShape: number[];
  /** The spatial size is symbolic (fully convolutional graphs): no static shape shortcuts. */
  dynamic: boolean;
  /**
   * The graph may use MaxPool's Indices output (onnxruntime's CPU/WASM kernels have it; its WebGPU backend does
   * not). Off by default; the WASM trainer and the gradient graphs the edge runs turn it on.
   */
  poolIndices?: boolean;
  /** Training mode only: which equivalent forms to emit ('reference' when absent). */
  forms?: Forms;
  /** Value name of a parameter of this layer (a graph input when training, an initializer otherwise). */
  param(suffix: string): string;
  /** Value names of the extra training inputs declared by trainInputs.shapes(). */
  extra(suffix: string): string;
}

export interface ForwardResult {
  y: string;
  /** Values the backward pass reuses (llm.c style: forward caches what backward needs). */
  cache?: Record<string, string>;
  /** Training-only outputs such as batch statistics, keyed by a suffix: the step hands them to updateState(). */
  state?: Record<string, string>;
}

export interface BackwardArgs {
  x: string;
  y: string;
  dy: string;
  cache: Record<string, string>;
  needDx: boolean;
  needParamGrads: boolean;
}
export interface BackwardResult {
  dx?: string;
  grads: Record<string, string>;
}

/** One training step's state outputs (ForwardResult.state) and the layer's parameters, both by suffix. */
export interface StateUpdate<S> {
  spec: S;
  inShape: number[];
  /** Images in the step. */
  batch: number;
  /** Steps done before this one (0 for the first). */
  step: number;
  state: Record<string, Float32Array>;
  /** Updated in place (the 'state' role parameters, e.g. running statistics). */
  params: Record<string, Float32Array>;
  settings: TrainSettings;
}
/** Trainer settings a layer's training behaviour reads. */
export interface TrainSettings {
  /** Weight of the newest batch in running statistics (after the first 1/momentum steps, which average). */
  bnMomentum: number;
}

export interface LayerRule<S = any> {
  kind: string;
  /** Validates the spec against the input shape and returns the output shape; throws a message naming the problem. */
  outShape(spec: S, inShape: number[]): number[];
  params(spec: S, inShape: number[]): ParamSpec[];
  /** Side of the receptive field in this layer's input units and the step between neighbouring outputs. */
  receptive?(spec: S): { kernel: number; stride: number };
  /** Weighted connections (conv: each output neuron sees n_rs^2 * n_ch inputs); layers without weights have none. */
  connections?(spec: S, inShape: number[], outShape: number[]): number;
  /**
   * Per-sample graph inputs of the training step (e.g. dropout's mask): their shapes (suffix -> per-sample shape)
   * and how each step fills them for a batch of n from the trainer's seeded RNG.
   */
  trainInputs?: {
    shapes(spec: S, inShape: number[]): Record<string, number[]>;
    sample(spec: S, inShape: number[], n: number, rng: Rng): Record<string, Float32Array>;
  };
  /** What a training step does with the layer's state outputs (ForwardResult.state): update its state params. */
  updateState?(u: StateUpdate<S>): void;
  forward(ctx: LayerCtx<S>, x: string): ForwardResult;
  backward?(ctx: LayerCtx<S>, a: BackwardArgs): BackwardResult;
}
