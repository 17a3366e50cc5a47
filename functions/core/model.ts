/**
 * What the core knows of a model: its meta.json (written by the trainer) and a runner for its graphs.
 * The runner is injected: onnxruntime-web in the Worker, anything equivalent in Node tests.
 */
import { grad, type Graph } from '../../model-contract/graphs.js';
import type { ModelMeta } from '../../model-contract/meta.js';
import type { GraphCosts } from './cost.js';
import type { StoredRobustness } from './fool/robustness.js';

export type { Graph } from '../../model-contract/graphs.js';
export type { LayerMeta, ModelMeta } from '../../model-contract/meta.js';

export interface TensorOut {
  data: Float32Array;
  dims: number[];
}
export interface ModelRunner {
  /** Runs one of the model's graphs; `outputs` limits what is fetched. */
  run(
    graph: Graph,
    feeds: Record<string, { data: Float32Array; dims: number[] }>,
    outputs?: string[],
  ): Promise<Record<string, TensorOut>>;
}

/** Held-out test images bundled with the model (models/<name>/samples.json), in [0,1]. */
export interface Samples {
  x: Float32Array;
  labels: number[];
  n: number;
}

export interface Model {
  meta: ModelMeta;
  runner: ModelRunner;
  samples?: () => Samples;
  /** The robustness table at the endpoint's defaults (models/<name>/robustness.json), when exported. */
  robustness?: StoredRobustness;
  /** Measured milliseconds per graph run (models/<name>/costs.json, npm run costs) for the cost model. */
  costs?: GraphCosts;
}

/**
 * A cotangent the objective does not use: a broadcast zero [1,1,1,1] for feature maps; vector layers get a full
 * [N,F] zero because Gemm (dense backward) does not broadcast.
 */
export function zeroCotangent(meta: ModelMeta, input: string, n: number): TensorOut {
  const layer = meta.layers.find((l) => grad(l.name) === input);
  if (!layer) throw new Error(`graph input ${input} was not fed`);
  if (layer.outShape.length === 1)
    return { data: new Float32Array(n * layer.outShape[0]), dims: [n, layer.outShape[0]] };
  return { data: new Float32Array(1), dims: [1, 1, 1, 1] };
}
