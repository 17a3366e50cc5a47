/**
 * The graph contract between the compiler (training/graph/compile.ts) and the edge (functions/core/gradient.ts):
 * which graph files a model folder holds, the names of their inputs and outputs, and which prefix graph (cut
 * after which synth layer) serves a request for some layers. Both sides import these names and rules; neither
 * spells them out, so a change here changes both, and a mismatch fails at build or test time, not at the edge.
 *
 * Layers are anything with a name, a kind and a per-sample output shape: the compiler's resolved layers and
 * meta.json's layers alike.
 */

/** What the contract needs to know of a layer. */
export interface ContractLayer {
  name: string;
  kind: string;
  outShape: number[];
  /** The layers it reads ('input' for the model input): the compiler's resolved layers say; meta.json's carry them
   *  in `spec` as the architecture gave them. Neither: the layer before it. */
  inputs?: string[];
  spec?: { inputs?: string[] };
}

/** The graphs with a fixed name; the prefix graphs also come cut (`<base>-<k>`, see cutGraph). */
export const BASE_GRAPHS = [
  'model',
  'classify',
  'input-grad',
  'loss-grad',
  'logit-grad',
  'cam-grad',
  'margin-grad',
  'conv-model',
  'conv-grad',
  'synth-grad',
] as const;
/**
 * The lean gradient graphs (training/graph/lean.ts): logit-grad (the logits' cotangent alone -> grad_input),
 * cam-grad (the same, the backward pass stopping at camLayer) and margin-grad (Carlini-Wagner's margin term, its
 * cotangent formed in the graph). A folder exported before them may lack them: the edge then runs input-grad,
 * which computes the same up to where tied maxima send the gradient (two graphs' float rounding may break a tie
 * differently; the sparse global max gives a tie's gradient to its first place, the dense rule splits it)
 * (margin-grad: a forward run for the margin, then logit-grad).
 */
export const LEAN_GRAPHS = ['logit-grad', 'cam-grad', 'margin-grad'] as const;
export type CutBase = 'conv-grad' | 'synth-grad';
/** `conv-grad-<k>`, `synth-grad-<k>`: the prefix graph cut after the k-th cut point (cutPoints). */
export type Graph = (typeof BASE_GRAPHS)[number] | `${CutBase}-${number}`;

export const graphFile = (g: Graph) => `${g}.onnx`;
/** The weights every graph references (ONNX external data). */
export const WEIGHTS_FILE = 'weights.bin';

/** Graph inputs and outputs with a fixed name. */
export const IO = {
  input: 'input',
  targets: 'targets',
  logits: 'logits',
  probs: 'probs',
  loss: 'loss',
  gradInput: 'grad_input',
  /** cam-grad: [N,1], the weight of the predicted class's one-hot added to the logits' cotangent in the graph. */
  predicted: 'predicted',
  /** margin-grad: [N,K], the one-hot of the class the margin is taken against (to leave, or the target). */
  away: 'away',
  /** margin-grad: [N,1], the margin term's weight c, negated for a targeted row. */
  marginScale: 'scale',
  /** margin-grad: [N,1], kappa: the hinge max(margin, -kappa) stops pushing once the margin passes -kappa. */
  confidence: 'confidence',
  /** synth-grad: the per-layer (content, style, dream) weights [L,3] in, the unweighted losses [L,3] out. */
  synthWeights: 'weights',
  synthLosses: 'losses',
} as const;

/** Names derived from a layer (or, for the training step, a parameter). */
export const act = (layer: string) => `act.${layer}`;
/** The cotangent fed for a layer's activation (input-grad, conv-grad). */
export const grad = (layer: string) => `grad.${layer}`;
/** The gradient with respect to a layer's activation (input-grad, conv-grad). */
export const gradAct = (layer: string) => `grad_act.${layer}`;
export const content = (layer: string) => `content.${layer}`;
export const gram = (layer: string) => `gram.${layer}`;
/** The training step's gradient output for a parameter (`<layer>.<suffix>`). */
export const paramGrad = (param: string) => `grad:${param}`;
/** A layer's per-step training input (e.g. `dropout1.mask`) or state output (e.g. `batchnorm1.batch_mean`). */
export const layerValue = (layer: string, suffix: string) => `${layer}.${suffix}`;

/** The layer an act.<l> or grad_act.<l> output name refers to, if it is one. */
export function actLayer(output: string): string | undefined {
  return /^(grad_)?act\.(.+)$/.exec(output)?.[2];
}

/** Layers a class activation map can use: [C,H,W] outputs with more than one position. */
export const camLayers = <L extends ContractLayer>(layers: L[]): L[] =>
  layers.filter((l) => l.outShape.length === 3 && l.outShape[1] > 1);

/** Maps coarser than this are too coarse to show where the evidence lies (see camLayer). */
export const CAM_MIN_SIDE = 7;

/**
 * The default CAM layer, the one cam-grad.onnx back-propagates to: the last spatial map ([C,H,W], H > 1) of the
 * convolutional prefix, i.e. before the global pool or the flatten, whatever layer makes it (a ReLU, a ReLU6, a
 * residual sum, a squeeze-excite product), as Selvaraju et al. take the last convolutional maps. One exception
 * keeps the maps readable: when that map is under 7x7 while an earlier one is at least 7x7, the last of those.
 * The bundled 28x28 chains end their prefix in a 3x3 max-pool, which would paint the picture in nine blocks; they
 * keep their last 7x7 map (digits' relu3, fashion's silu4). A 224x224 ResNet or MobileNet ends in a 7x7 map, which
 * the rule takes as it is. A model without such a map has none (and no cam-grad.onnx).
 */
export function camLayer<L extends ContractLayer>(layers: L[]): L | undefined {
  const prefix = new Set(prefixLayers(layers));
  const maps = camLayers(layers).filter((l) => prefix.has(l));
  const cams = maps.length ? maps : camLayers(layers);
  const last = cams.at(-1);
  if (!last || Math.min(last.outShape[1], last.outShape[2]) >= CAM_MIN_SIDE) return last;
  return cams.filter((l) => Math.min(l.outShape[1], l.outShape[2]) >= CAM_MIN_SIDE).at(-1) ?? last;
}

/** The fully convolutional prefix: every layer before the first flatten or dense. */
export function prefixLayers<L extends ContractLayer>(layers: L[]): L[] {
  const end = layers.findIndex((l) => l.kind === 'flatten' || l.kind === 'dense');
  return end < 0 ? layers : layers.slice(0, end);
}

/**
 * The activations whose feature maps Deep Dream and Deep Style use: rectifier-like units, unbounded above (or
 * capped, as ReLU6), whose maps mean "this pattern is here": imported models' PReLU, ELU, SELU and softplus too,
 * and GELU (ConvNeXt's; as SiLU, dipping only just below 0). Saturating gates (sigmoid, tanh, hardsigmoid: a
 * squeeze-excite's scale) are not among them.
 */
export const SYNTH_KINDS: readonly string[] = [
  'relu',
  'clip',
  'leakyrelu',
  'prelu',
  'elu',
  'selu',
  'softplus',
  'hardswish',
  'silu',
  'gelu',
];

/** The layers synth-grad puts losses on, in its order: the rectifier-like feature maps of the prefix. */
export function synthLayers<L extends ContractLayer>(layers: L[]): L[] {
  return prefixLayers(layers).filter((l) => SYNTH_KINDS.includes(l.kind) && l.outShape.length === 3);
}

/** The values layer i reads (its `inputs`, else its spec's, else the layer before it: a chain). */
export const inputsOf = (layers: ContractLayer[], i: number): string[] =>
  layers[i].inputs ?? layers[i].spec?.inputs ?? [i === 0 ? IO.input : layers[i - 1].name];

/**
 * Where the prefix may be cut: after a synth layer whose value is the only one a later layer still reads (so
 * never inside a residual block, whose skip keeps its input live). In a chain, after every synth layer.
 */
export function cutPoints<L extends ContractLayer>(layers: L[]): L[] {
  const lastRead = new Map<string, number>();
  layers.forEach((_, j) => inputsOf(layers, j).forEach((v) => lastRead.set(v, j)));
  const synth = new Set<ContractLayer>(synthLayers(layers));
  return prefixLayers(layers).filter((l, i) => {
    if (!synth.has(l)) return false;
    const live = [IO.input, ...layers.slice(0, i + 1).map((m) => m.name)].filter((v) => (lastRead.get(v) ?? -1) > i);
    return live.length === 1 && live[0] === l.name;
  });
}

/** The prefix cut after its k-th cut point (all of it for k = the number of cut points). */
export function cutLayers<L extends ContractLayer>(layers: L[], k: number): L[] {
  const prefix = prefixLayers(layers),
    cuts = cutPoints(layers);
  if (!(k >= 1 && k <= cuts.length) && !(k === 0 && cuts.length === 0))
    throw new Error(`cut depth ${k}: the prefix has ${cuts.length} cut points (depths 1-${cuts.length})`);
  return k === cuts.length ? prefix : prefix.slice(0, prefix.indexOf(cuts[k - 1]) + 1);
}

/**
 * How many cut points the graph serving `names` keeps: the first cut at or above every layer named (all if
 * none is named past the first cut, and at least 1 where there is one). Throws on a name outside the prefix.
 */
export function cutDepth(layers: ContractLayer[], names: string[]): number {
  const prefix = prefixLayers(layers).map((l) => l.name),
    cuts = cutPoints(layers).map((l) => prefix.indexOf(l.name));
  const bad = names.filter((n) => !prefix.includes(n));
  if (bad.length)
    throw new Error(`${bad.join(', ')} not in the convolutional prefix (${prefix.join(', ')}): no prefix graph`);
  const deepest = Math.max(0, ...names.map((n) => prefix.indexOf(n)));
  const k = cuts.findIndex((c) => c >= deepest) + 1;
  return k === 0 ? cuts.length : k;
}

/** The name of the prefix graph cut at depth k (the uncut graph at the full depth). */
export function cutGraphName(layers: ContractLayer[], base: CutBase, k: number): Graph {
  return k === cutPoints(layers).length ? base : `${base}-${k}`;
}

/**
 * The smallest prefix graph that computes every layer named, so no convolution above the deepest runs (a dream on
 * relu2 or a filter of conv2d2 skips the third block).
 */
export function cutGraph(layers: ContractLayer[], base: CutBase, names: string[]): Graph {
  return cutGraphName(layers, base, cutDepth(layers, names));
}

/**
 * Every graph a model folder holds, in export order: the base graphs, then each shallower cut of the prefix
 * (each holding the synth layers before its cut). A model with no rectifier-like feature map in its prefix (an
 * imported MLP, a CNN with tanh units) has no synth-grad; one with no prefix at all, no conv-model or conv-grad: Deep Style and Deep Dream have nothing to put losses on.
 */
export function modelGraphs(layers: ContractLayer[]): { graph: Graph; base: Graph; depth?: number }[] {
  // A model whose first layer flattens (an MLP) has an empty prefix: no prefix graph computes anything (its
  // conv-grad would be a graph whose grad_input comes from no node).
  const none = new Set<Graph>(prefixLayers(layers).length ? [] : ['conv-model', 'conv-grad']);
  if (!synthLayers(layers).length) none.add('synth-grad');
  if (!camLayer(layers)) none.add('cam-grad');
  const bases = BASE_GRAPHS.filter((g) => !none.has(g));
  const all: { graph: Graph; base: Graph; depth?: number }[] = bases.map((g) => ({ graph: g, base: g }));
  for (let k = 1; k < cutPoints(layers).length; k++)
    for (const base of ['conv-grad', 'synth-grad'] as const)
      all.push({ graph: cutGraphName(layers, base, k), base, depth: k });
  return all;
}
