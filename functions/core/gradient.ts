/**
 * Gradients with respect to the input, from the exported input-gradient graph: the engine of every "see" and
 * "fool" capability. A batch of n images goes through in one run.
 *   forward(x):      logits, probs and activations at x
 *   vjp(x, cot):     grad_input = sum_l cot_l^T d(act_l)/d(input), plus grad_act.<layer> and the forward values
 * Shapes: x is n * prod(input shape); a cotangent for layer l is n * prod(l.outShape).
 */
import type { Graph, Model, TensorOut } from './model.js';

export interface Forward { logits: Float32Array; probs: Float32Array; acts: Record<string, TensorOut> }

export async function forward(model: Model, x: Float32Array, n: number, layers: string[] = []): Promise<Forward> {
  const out = await model.runner.run('model', { input: { data: x, dims: [n, ...model.meta.input.shape] } }, ['logits', 'probs', ...layers.map((l) => `act.${l}`)]);
  const acts: Record<string, TensorOut> = {};
  for (const l of layers) acts[l] = out[`act.${l}`];
  return { logits: out.logits.data, probs: out.probs.data, acts };
}

export interface Vjp { grad: Float32Array; outputs: Record<string, TensorOut> }
export type Cotangent = Float32Array | TensorOut;

/**
 * The vector-Jacobian product. `dims` is the input's full shape (batch first); with graph 'conv-grad' it may be
 * any H x W (the fully convolutional prefix), and cotangents then carry their dims (read them off act.<l> of a
 * first run). `fetch` names extra outputs (act.<l>, grad_act.<l>, probs).
 */
export async function vjp(model: Model, x: Float32Array, dims: number[], cot: Record<string, Cotangent>, fetch: string[] = [], graph: Graph = 'input-grad'): Promise<Vjp> {
  const feeds: Record<string, TensorOut> = { input: { data: x, dims } };
  for (const [layer, c] of Object.entries(cot)) {
    const meta = model.meta.layers.find((l) => l.name === layer);
    if (!meta) throw new Error(`no layer ${layer}`);
    feeds[`grad.${layer}`] = c instanceof Float32Array ? { data: c, dims: [dims[0], ...meta.outShape] } : c;
  }
  const out = await model.runner.run(graph, feeds, ['grad_input', ...fetch]);
  return { grad: out.grad_input.data, outputs: out };
}

export function oneHot(n: number, k: number, classes: number[] | number): Float32Array {
  const out = new Float32Array(n * k);
  for (let i = 0; i < n; i++) out[i * k + (Array.isArray(classes) ? classes[i] : classes)] = 1;
  return out;
}

export function argmaxRow(a: ArrayLike<number>, row: number, k: number): number {
  let best = 0;
  for (let c = 1; c < k; c++) if (a[row * k + c] > a[row * k + best]) best = c;
  return best;
}

/** The name of the layer that outputs the logits (the last layer). */
export const logitsLayer = (model: Model) => model.meta.layers[model.meta.layers.length - 1].name;
export const inputSize = (model: Model) => model.meta.input.shape.reduce((a, v) => a * v, 1);
