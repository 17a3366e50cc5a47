/**
 * Gradients with respect to the input, from the exported input-gradient graph: the engine of every "see" and
 * "fool" capability. A batch of n images goes through in one run.
 *   forward(x):      logits, probs and activations at x
 *   vjp(x, cot):     grad_input = sum_l cot_l^T d(act_l)/d(input), plus grad_act.<layer> and the forward values
 *                    (logit-grad.onnx when the only cotangent is the logits' and nothing but logits or probs is
 *                    fetched: no cotangent input per layer, no activation outputs)
 *   layerGrad(x, g): a layer's maps and the gradient of g . logits with respect to them, g optionally plus the
 *                    predicted class's one-hot, and the logits and probs at x (cam-grad.onnx for the default CAM
 *                    layer: the backward pass stops there, and the prediction needs no run of its own)
 *   lossGrad(x, t):  per-image cross-entropy against target distributions t, its gradient w.r.t. x and probs at x,
 *                    in one run (loss-grad.onnx: the cotangent softmax - t is computed in the graph)
 *   synthGrad(x, o): content, style (Gram) and dream losses on rectifier-like maps of the convolutional prefix and the
 *                    gradient of their weighted sum, one image of any size, in one run (synth-grad.onnx)
 * Shapes: x is n * prod(input shape); a cotangent for layer l is n * prod(l.outShape).
 */
import {
  act,
  actLayer,
  camLayer,
  content,
  cutDepth,
  cutGraph as contractCutGraph,
  cutLayers,
  grad,
  gradAct,
  graphFile,
  gram,
  IO,
  prefixLayers as contractPrefix,
  synthLayers,
  type CutBase,
} from '../../model-contract/graphs.js';
import type { Graph, Model, TensorOut } from './model.js';

export interface Forward {
  logits: Float32Array;
  probs: Float32Array;
  acts: Record<string, TensorOut>;
}

export async function forward(model: Model, x: Float32Array, n: number, layers: string[] = []): Promise<Forward> {
  // Without activations the lean classification graph answers (onnxruntime fuses its layers).
  const out = await model.runner.run(
    layers.length ? 'model' : 'classify',
    { [IO.input]: { data: x, dims: [n, ...model.meta.input.shape] } },
    [IO.logits, IO.probs, ...layers.map(act)],
  );
  const acts: Record<string, TensorOut> = {};
  for (const l of layers) acts[l] = out[act(l)];
  return { logits: out[IO.logits].data, probs: out[IO.probs].data, acts };
}

interface Vjp {
  grad: Float32Array;
  outputs: Record<string, TensorOut>;
}
export type Cotangent = Float32Array | TensorOut;

/**
 * The vector-Jacobian product. `dims` is the input's full shape (batch first); with graph 'conv-grad' it may be
 * any H x W (the fully convolutional prefix), and cotangents then carry their dims (read them off act.<l> of a
 * first run). `fetch` names extra outputs (act.<l>, grad_act.<l>, probs).
 */
export async function vjp(
  model: Model,
  x: Float32Array,
  dims: number[],
  cot: Record<string, Cotangent>,
  fetch: string[] = [],
  graph: Graph = 'input-grad',
): Promise<Vjp> {
  // The prefix graph cut after the first cut point that covers every layer named (conv-grad-<k>.onnx).
  if (graph === 'conv-grad')
    graph = cutGraph(model, 'conv-grad', [
      ...Object.keys(cot),
      ...fetch.map(actLayer).filter((l): l is string => l !== undefined),
    ]);
  else if (graph === 'input-grad' && logitsOnly(model, cot, fetch)) graph = 'logit-grad';
  const feeds: Record<string, TensorOut> = { [IO.input]: { data: x, dims } };
  for (const [layer, c] of Object.entries(cot)) {
    const meta = model.meta.layers.find((l) => l.name === layer);
    if (!meta) throw new Error(`no layer ${layer}`);
    feeds[grad(layer)] = c instanceof Float32Array ? { data: c, dims: [dims[0], ...meta.outShape] } : c;
  }
  const out = await model.runner.run(graph, feeds, [IO.gradInput, ...fetch]);
  return { grad: out[IO.gradInput].data, outputs: out };
}

/** Whether the model folder holds a graph (one exported before the lean graphs lacks them: LEAN_GRAPHS). */
export const hasGraph = (model: Model, g: Graph) => !!model.meta.files?.[graphFile(g)];

/** The lean graph's case: a cotangent on the logits alone, nothing fetched but grad_input, logits and probs. */
const logitsOnly = (model: Model, cot: Record<string, Cotangent>, fetch: string[]) =>
  hasGraph(model, 'logit-grad') &&
  Object.keys(cot).join() === logitsLayer(model) &&
  fetch.every((f) => f === IO.logits || f === IO.probs);

/** The graph layerGrad runs for a layer: cam-grad for the default CAM layer (when the folder holds it). */
export const camGraph = (model: Model, layer: string): Graph =>
  layer === camLayer(model.meta.layers)?.name && hasGraph(model, 'cam-grad') ? 'cam-grad' : 'input-grad';

interface LayerGrad {
  act: Float32Array;
  grad: Float32Array;
  /** At x, from the same run. */
  logits: Float32Array;
  probs: Float32Array;
}

/**
 * Layer `layer`'s maps at x (n images) and the gradient of sum_n g_n . logits_n with respect to them (g is n x
 * classes), where `predicted` (n weights, default 0) adds each image's predicted class's one-hot to g_n in the
 * graph: with g = 0 and predicted = 1 one run explains the prediction. The default CAM layer's comes from
 * cam-grad.onnx, whose backward pass stops at that layer (about the cost of a forward pass); any other layer's
 * from the full input gradient (then `predicted` needs the logits first: one forward run more).
 */
export async function layerGrad(
  model: Model,
  x: Float32Array,
  n: number,
  g: Float32Array,
  layer: string,
  predicted?: Float32Array,
): Promise<LayerGrad> {
  const k = model.meta.labels.length,
    dims = [n, ...model.meta.input.shape];
  const fetch = [act(layer), gradAct(layer), IO.logits, IO.probs];
  let out: Record<string, TensorOut>;
  if (camGraph(model, layer) === 'cam-grad')
    out = await model.runner.run(
      'cam-grad',
      {
        [IO.input]: { data: x, dims },
        [grad(logitsLayer(model))]: { data: g, dims: [n, k] },
        [IO.predicted]: { data: predicted ?? new Float32Array(n), dims: [n, 1] },
      },
      fetch,
    );
  else {
    let cot = g;
    if (predicted) {
      const { logits } = await forward(model, x, n);
      cot = Float32Array.from(g);
      for (let i = 0; i < n; i++) cot[i * k + argmaxRow(logits, i, k)] += predicted[i];
    }
    out = (await vjp(model, x, dims, { [logitsLayer(model)]: cot }, fetch)).outputs;
  }
  return {
    act: out[act(layer)].data,
    grad: out[gradAct(layer)].data,
    logits: out[IO.logits].data,
    probs: out[IO.probs].data,
  };
}

interface LossGrad {
  loss: Float32Array;
  grad: Float32Array;
  probs: Float32Array;
}

export async function lossGrad(model: Model, x: Float32Array, n: number, targets: Float32Array): Promise<LossGrad> {
  const out = await model.runner.run(
    'loss-grad',
    {
      [IO.input]: { data: x, dims: [n, ...model.meta.input.shape] },
      [IO.targets]: { data: targets, dims: [n, model.meta.labels.length] },
    },
    [IO.loss, IO.gradInput, IO.probs],
  );
  return { loss: out[IO.loss].data, grad: out[IO.gradInput].data, probs: out[IO.probs].data };
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

/** Layers of the fully convolutional prefix (what conv-model.onnx, conv-grad.onnx and synth-grad.onnx compute). */
export const prefixLayers = (model: Model) => contractPrefix(model.meta.layers);

/** The layers synth-grad.onnx puts losses on, in its order: the rectifier-like maps of the convolutional prefix. */
export const synthLayerNames = (model: Model): string[] => synthLayers(model.meta.layers).map((l) => l.name);

/**
 * The smallest prefix graph (<base>-<k>.onnx, cut after the k-th cut point) that computes every layer named:
 * the same rule the compiler cuts the graphs by (model-contract/graphs.ts).
 */
export const cutGraph = (model: Model, base: CutBase, layers: string[]): Graph =>
  contractCutGraph(model.meta.layers, base, layers);

export interface SynthTerm {
  content?: TensorOut;
  gram?: Float32Array;
  weights: [content: number, style: number, dream: number];
}
interface SynthGrad {
  grad: Float32Array;
  losses: Record<string, [content: number, style: number, dream: number]>;
}

/**
 * One image x (h x w); `terms` maps synth layers to their targets and weights (layers not named weigh 0). Runs
 * the graph cut after the deepest named layer (synth-grad-<k>.onnx), so no convolution above it is computed.
 */
export async function synthGrad(
  model: Model,
  x: Float32Array,
  w: number,
  h: number,
  terms: Record<string, SynthTerm>,
): Promise<SynthGrad> {
  const all = synthLayerNames(model);
  const bad = Object.keys(terms).filter((l) => !all.includes(l));
  if (bad.length) throw new Error(`synth-grad has no losses on ${bad.join(', ')} (only ${all.join(', ')})`);
  // The synth layers of the graph cut for the deepest term: its weights and targets come in for each of them.
  const names = synthLayers(cutLayers(model.meta.layers, cutDepth(model.meta.layers, Object.keys(terms)))).map(
    (l) => l.name,
  );
  const weights = new Float32Array(names.length * 3);
  const feeds: Record<string, TensorOut> = {
    [IO.input]: { data: x, dims: [1, model.meta.input.shape[0], h, w] },
    [IO.synthWeights]: { data: weights, dims: [names.length, 3] },
  };
  names.forEach((l, j) => {
    const t = terms[l];
    if (t) weights.set(t.weights, j * 3);
    const c = model.meta.layers.find((m) => m.name === l)!.outShape[0];
    feeds[content(l)] = t?.content ?? { data: new Float32Array(1), dims: [1, 1, 1, 1] };
    feeds[gram(l)] = t?.gram ? { data: t.gram, dims: [c, c] } : { data: new Float32Array(1), dims: [1, 1] };
  });
  const out = await model.runner.run(cutGraph(model, 'synth-grad', names), feeds, [IO.gradInput, IO.synthLosses]);
  const l3 = out[IO.synthLosses].data;
  const losses: SynthGrad['losses'] = {};
  names.forEach((l, j) => (losses[l] = [l3[j * 3], l3[j * 3 + 1], l3[j * 3 + 2]]));
  return { grad: out[IO.gradInput].data, losses };
}
