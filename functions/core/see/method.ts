/**
 * What a saliency method is: a rule that turns an input and a class into a map over the input's pixels, with the
 * work it needs declared up front (functions/core/work.ts prices it before the body is read). The methods live in
 * one table (saliency.ts); each file beside this one holds one family.
 */
import type { Runs } from '../cost.js';
import type { Model, TensorOut } from '../model.js';
import type { SaliencyMethodName } from './saliency.js';

export interface SaliencyOptions {
  method: SaliencyMethodName;
  /** The CAM methods' layer: a [C,H,W] layer, resolved by the schema (default: defaultCamLayer). */
  layer?: string;
  /** The class to explain (default: the prediction). */
  target?: number;
  samples: number;
  noise: number;
  steps: number;
  seed: number;
  /** Occlusion: the square patch's side and the step between patches, in input pixels (default: core/defaults.ts). */
  patch: number;
  stride: number;
  /** Score-CAM: the channels scored (those whose maps vary most; default: core/defaults.ts; 0 for other methods). */
  channels: number;
  /** Draw the map with a diverging colour map centred on 0 (default: the method's `signed`). */
  signed: boolean;
}

/** What one run explains: the input, the class, and the logits the prediction already computed. */
export interface MethodInput {
  model: Model;
  x: Float32Array;
  target: number;
  logits: Float32Array;
  /** The CAM layer's maps from the prediction's run, for a method that asks for them (`acts`). */
  acts: Record<string, TensorOut>;
  opts: SaliencyOptions;
}

/** Numbers a method reports beside its map (snake_cased on the wire). */
export interface SaliencyExtra {
  samples?: number;
  noise?: number;
  seed?: number;
  steps?: number;
  completeness?: { sum: number; logitDifference: number };
  /** The CAM methods' map on the layer's own grid, before upsampling. */
  cam?: { layer: string; shape: number[]; values: Float32Array };
  /** Score-CAM: channels scored by a forward run (flat channels, which make no mask, are skipped). */
  scoredChannels?: number;
  occlusion?: { patch: number; stride: number; windows: number; baseline: number };
}

export interface MethodResult {
  /** h x w values over the input's pixels. */
  map: Float32Array;
  extra: SaliencyExtra;
}

export interface SaliencyMethod {
  /** The map takes both signs (drawn with a diverging colour map unless signed=false). */
  signed: boolean;
  /** Needs a layer with [C,H,W] maps (a 400 names the method when the model has none). */
  layer: boolean;
  /** Wants the layer's maps from the prediction's forward run (which then runs the full graph). */
  acts?: boolean;
  /** Graph runs after the prediction (or in all, where `predicting` can). */
  work(model: Model, o: SaliencyOptions): Runs[];
  run(input: MethodInput): Promise<MethodResult>;
  /** Where it can, the method's own graph run finds the prediction too: saliency() then runs no forward first. */
  predicting?: {
    can(model: Model, o: SaliencyOptions): boolean;
    run(
      model: Model,
      x: Float32Array,
      o: SaliencyOptions,
    ): Promise<MethodResult & { logits: Float32Array; probs: Float32Array }>;
  };
}
