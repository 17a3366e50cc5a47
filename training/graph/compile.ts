/**
 * Compiles an architecture to its ONNX graphs:
 *   inference:      input -> logits, probs and every layer's activation (named after the layer); without the
 *                   activations, the classification graph (onnxruntime then fuses conv, batch norm and ReLU)
 *   training step:  input, targets, weights (as inputs), dropout masks -> loss, logits, grad:<param>, batch stats
 *   input gradient: input + cotangents for logits and any layer's activation -> grad_input (a VJP)
 *   loss gradient:  input + target distributions -> per-image cross-entropy, probs and its gradient w.r.t. the
 *                   input in one run (what FGSM/PGD and fooling images step along)
 *   synth gradient: the fully convolutional prefix with content, style (Gram) and dream losses on its ReLU maps
 *                   computed in the graph: one run per Deep Style or Deep Dream step
 * Shapes: input [N,C,H,W]; N is symbolic everywhere; H and W too in the fully convolutional graph.
 */
import {
  act,
  content,
  cutLayers,
  grad,
  gradAct,
  gram,
  IO,
  layerValue,
  paramGrad,
  prefixLayers,
  synthLayers,
} from '../../model-contract/graphs.js';
import type { GraphCtx } from '../layers/graph-rule.js';
import { backwardOf, ruleFor } from '../layers/registry.js';
import { featureLoss } from '../layers/feature-loss.js';
import { softmaxCrossEntropy } from '../layers/loss.js';
import { poolBeforeRelu } from '../layers/max-pool.js';
import type { Forms, ForwardResult, Mode } from '../layers/types.js';
import { DataType, type Dim, type ModelDef } from '../onnx/proto.js';
import { INPUT, resolve, type ArchSpec, type ResolvedLayer } from '../spec.js';
import { GraphBuilder } from './builder.js';

export type Weights = Record<string, Float32Array>;

/** A forward pass: per layer (in topological order) its context, the values it read and what it computed. */
interface Net {
  layers: ResolvedLayer[];
  ctxs: GraphCtx<any>[];
  xs: string[][];
  fwd: ForwardResult[];
}

function makeCtx(
  b: GraphBuilder,
  layer: ResolvedLayer,
  mode: Mode,
  dynamic: boolean,
  paramValue: (full: string) => string,
  poolIndices = false,
  forms?: Forms,
): GraphCtx<any> {
  return {
    b,
    mode,
    dynamic,
    poolIndices,
    forms,
    name: layer.name,
    spec: layer.spec,
    inputs: layer.inputs,
    inShapes: layer.inShapes,
    outShape: layer.outShape,
    param: (suffix) => paramValue(`${layer.name}.${suffix}`),
    extra: (suffix) => `${layer.name}.${suffix}`,
  };
}

/** Runs the layers in order, each on the values it names (x as INPUT); the last layer's value is the output. */
function forwardNet(
  b: GraphBuilder,
  layers: ResolvedLayer[],
  mode: Mode,
  dynamic: boolean,
  x: string,
  paramValue: (n: string) => string,
  poolIndices = false,
  forms?: Forms,
): Net {
  const values = new Map([[INPUT, x]]);
  const ctxs: GraphCtx<any>[] = [],
    xs: string[][] = [],
    fwd: ForwardResult[] = [];
  for (const layer of layers) {
    const ctx = makeCtx(b, layer, mode, dynamic, paramValue, poolIndices, forms);
    const ins = layer.inputs.map((v) => {
      const value = values.get(v);
      if (!value) throw new Error(`layer "${layer.name}" reads "${v}", which no earlier layer of this graph computes`);
      return value;
    });
    const r = ruleFor(layer.kind).forward(ctx, ins);
    xs.push(ins);
    ctxs.push(ctx);
    fwd.push(r);
    values.set(layer.name, r.y);
  }
  return { layers, ctxs, xs, fwd };
}

/**
 * Back-propagates dTop from the last layer to the input, in reverse topological order; cotangent(i) adds an
 * upstream gradient at layer i's output. A value read by several layers gets the sum of their gradients
 * (micrograd's +=, llm.c's residual_backward), complete before its own layer is reached. actGrads[i] is the
 * gradient with respect to layer i's activation (what Grad-CAM weighs maps by).
 */
function backwardNet(
  s: Net,
  dTop: string | undefined,
  cotangent: (i: number) => string | undefined,
  needInputGrad: boolean,
  needParamGrads: boolean,
) {
  const grads: Record<string, string> = {};
  const actGrads: (string | undefined)[] = [];
  const dValues = new Map<string, string>();
  const last = s.layers.length - 1;
  if (dTop) dValues.set(s.layers[last].name, dTop);
  for (let i = last; i >= 0; i--) {
    const cot = cotangent(i);
    const b = s.ctxs[i].b;
    const layer = s.layers[i];
    let dy = dValues.get(layer.name);
    // The topmost cotangent may come as a broadcast zero ([1,...,1]): backward rules need it at full shape.
    dy = dy && cot ? b.add(dy, cot) : (dy ?? (cot && b.o('Expand', [cot, b.o('Shape', [s.fwd[i].y])])));
    actGrads[i] = dy;
    if (!dy) continue;
    const r = backwardOf(layer.kind, layer.name)(s.ctxs[i], {
      xs: s.xs[i],
      y: s.fwd[i].y,
      dy,
      cache: s.fwd[i].cache ?? {},
      needDx: layer.inputs.map((v) => v !== INPUT || needInputGrad),
      needParamGrads,
    });
    for (const [suffix, g] of Object.entries(r.grads)) grads[`${layer.name}.${suffix}`] = g;
    r.dxs.forEach((dx, j) => {
      const v = layer.inputs[j],
        sum = dValues.get(v);
      if (dx) dValues.set(v, sum ? b.add(sum, dx, `${v}_dsum`) : dx);
    });
  }
  return { dInput: dValues.get(INPUT), grads, actGrads };
}

function addInitializers(b: GraphBuilder, layers: ResolvedLayer[], weights: Weights, external?: ExternalWeights) {
  for (const p of layers.flatMap((l) => l.params)) {
    const w = weights[p.name];
    if (!w) throw new Error(`missing weights for ${p.name}`);
    if (w.length !== p.shape.reduce((a, v) => a * v, 1))
      throw new Error(`weights ${p.name} have ${w.length} values, expected shape [${p.shape}]`);
    b.initializer(p.name, p.shape, w, external && { location: external.location, offset: external.offsets[p.name] });
  }
}

/**
 * The weights of every graph of a model in one file (ONNX external data): the three graphs then share one copy,
 * which halves what a Worker uploads. Float32 little-endian, parameters in layer order.
 */
interface ExternalWeights {
  location: string;
  offsets: Record<string, number>;
  bytes: Uint8Array;
}

export function packWeights(arch: ArchSpec, weights: Weights, location = 'weights.bin'): ExternalWeights {
  const params = resolve(arch).flatMap((l) => l.params);
  const offsets: Record<string, number> = {};
  let size = 0;
  for (const p of params) {
    offsets[p.name] = size;
    size += weights[p.name].byteLength;
  }
  const bytes = new Uint8Array(size);
  for (const p of params)
    bytes.set(
      new Uint8Array(weights[p.name].buffer, weights[p.name].byteOffset, weights[p.name].byteLength),
      offsets[p.name],
    );
  return { location, offsets, bytes };
}

function inputShape(arch: ArchSpec, dynamic: boolean): Dim[] {
  return dynamic ? ['N', arch.input[0], 'H', 'W'] : ['N', ...arch.input];
}
function activationShape(layer: ResolvedLayer, dynamic: boolean): Dim[] {
  if (!dynamic || layer.outShape.length === 1) return ['N', ...layer.outShape];
  return ['N', layer.outShape[0], `${layer.name}_H`, `${layer.name}_W`];
}

function modelDef(b: GraphBuilder, name: string, doc: string): ModelDef {
  return { graph: b.graph(name, doc), producer: 'edge-cnn', docString: doc };
}

interface GraphOptions {
  /** Only the fully convolutional prefix, with symbolic H and W (for dreams on images larger than the input). */
  fullyConvolutional?: boolean;
  /** Reference the weights in a shared external file instead of embedding them. */
  external?: ExternalWeights;
  /** Expose every layer's activation as act.<layer> (default). Without them onnxruntime can fuse layers. */
  activations?: boolean;
  /** Max-pool backward by MaxUnpool of MaxPool's Indices (WASM/CPU only; onnxruntime's WebGPU rejects Indices). */
  poolIndices?: boolean;
  /**
   * Training-step and probe graphs: equal-valued forms picked by shape for speed ('fast', the training step's
   * default), today's direct forms ('reference'), or every alternative ('all', for tests). See layers/types.ts.
   */
  forms?: Forms;
  /** Prefix graphs only: cut after the depth-th cut point (a ReLU map of the prefix), so nothing above it runs. */
  depth?: number;
  /** Training step only: an L1 penalty on one layer's activations (see ActivityL1). */
  activityL1?: ActivityL1;
}

/**
 * An L1 penalty on a layer's activations, weight x their mean over the batch, channels and positions, added to the
 * loss: the network is asked to fire in as few places as it can, so its evidence gathers where the object is
 * (a sparsity prior on the class-activation maps; no object masks are used). Training only: served graphs never
 * see it. Its gradient is weight / (N C H W) on every activation, summed into that layer's incoming gradient.
 */
export interface ActivityL1 {
  layer: string;
  weight: number;
}

/** The convolutional prefix, cut after its depth-th cut point when depth is given (the contract's cut rule). */
function cutPrefix(arch: ArchSpec, depth?: number) {
  return depth === undefined ? prefixLayers(resolve(arch)) : cutLayers(resolve(arch), depth);
}

function selectLayers(arch: ArchSpec, opts: GraphOptions) {
  return opts.fullyConvolutional ? cutPrefix(arch, opts.depth) : resolve(arch);
}

/** The served inference graph: logits, probs and every activation. */
export function buildInference(arch: ArchSpec, weights: Weights, opts: GraphOptions = {}): ModelDef {
  const dynamic = !!opts.fullyConvolutional;
  const layers = selectLayers(arch, opts);
  const b = new GraphBuilder();
  const x = b.input(IO.input, inputShape(arch, dynamic));
  addInitializers(b, layers, weights, opts.external);
  const s = forwardNet(b, layers, 'infer', dynamic, x, (n) => n);
  if (opts.activations !== false)
    s.fwd.forEach((r, i) => b.exposeAs(r.y, act(layers[i].name), activationShape(layers[i], dynamic)));
  if (!dynamic) {
    const last = layers[layers.length - 1];
    const logits = s.fwd[s.fwd.length - 1].y;
    b.exposeAs(logits, IO.logits, ['N', ...last.outShape]);
    b.output(b.o('Softmax', [logits], { axis: 1 }, IO.probs), ['N', ...last.outShape]);
  }
  return modelDef(
    b,
    'inference',
    'edge-cnn inference: input [N,C,H,W] -> logits, probs and act.<layer> for every layer',
  );
}

/** A training input a layer samples each step (dropout's mask) or a state output it updates from (batch stats). */
export interface LayerValue {
  layer: ResolvedLayer;
  suffix: string;
  /** The graph input or output name. */
  value: string;
}

/** The per-sample training inputs every layer declares, as graph inputs [N, ...shape]. */
function addTrainInputs(b: GraphBuilder, layers: ResolvedLayer[]): LayerValue[] {
  return layers.flatMap((layer) =>
    Object.entries(ruleFor(layer.kind).trainInputs?.shapes(layer.spec, layer.inShapes) ?? {}).map(([suffix, shape]) => {
      const value = b.input(layerValue(layer.name, suffix), ['N', ...shape]);
      return { layer, suffix, value };
    }),
  );
}

/**
 * The training-step graph: weights come in as inputs so the trainer updates them between steps; each layer's
 * training inputs (dropout masks) come in and its state (batch statistics) goes out, listed for the step
 * (training/step.ts), which asks the layer rules to fill and to use them.
 */
export function compileTrainStep(
  arch: ArchSpec,
  opts: Pick<GraphOptions, 'poolIndices' | 'forms' | 'activityL1'> = {},
): { model: ModelDef; trainInputs: LayerValue[]; states: LayerValue[] } {
  const forms = opts.forms ?? 'fast';
  const layers = poolBeforeRelu(resolve(arch), forms, opts.activityL1?.layer);
  const b = new GraphBuilder();
  const x = b.input(IO.input, inputShape(arch, false));
  const classes = layers[layers.length - 1].outShape;
  const targets = b.input(IO.targets, ['N', ...classes], DataType.FLOAT, 'one-hot (or soft) labels');
  for (const p of layers.flatMap((l) => l.params)) b.input(p.name, p.shape);
  const trainInputs = addTrainInputs(b, layers);
  const s = forwardNet(b, layers, 'train', false, x, (n) => n, opts.poolIndices, forms);
  const logits = s.fwd[s.fwd.length - 1].y;
  const ce = softmaxCrossEntropy(b, logits, targets, classes[0]);
  let loss = ce.loss,
    penalised = -1,
    dPenalty: string | undefined;
  if (opts.activityL1) {
    const { layer, weight } = opts.activityL1;
    penalised = layers.findIndex((l) => l.name === layer);
    if (penalised < 0 || penalised === layers.length - 1)
      throw new Error(`activity L1: no hidden layer ${layer} (layers: ${layers.map((l) => l.name).join(', ')})`);
    const a = s.fwd[penalised].y;
    loss = b.add(loss, b.mul(b.float(weight), b.o('ReduceMean', [a], { keepdims: 0 })), 'loss_with_l1');
    dPenalty = b.div(b.float(weight), b.o('Cast', [b.o('Size', [a])], { to: DataType.FLOAT }));
  }
  const { grads } = backwardNet(s, ce.dlogits, (i) => (i === penalised ? dPenalty : undefined), false, true);
  b.exposeAs(loss, IO.loss, []);
  b.exposeAs(logits, IO.logits, ['N', ...classes]);
  for (const p of layers.flatMap((l) => l.params).filter((p) => p.trainable))
    b.exposeAs(grads[p.name], paramGrad(p.name), p.shape);
  const states: LayerValue[] = [];
  s.fwd.forEach((r, i) => {
    const layer = layers[i];
    const entries = Object.entries(r.state ?? {});
    if (entries.length && !ruleFor(layer.kind).updateState)
      throw new Error(`layer "${layer.name}" (kind ${layer.kind}) outputs training state but has no updateState rule`);
    for (const [suffix, v] of entries) {
      const value = layerValue(layer.name, suffix);
      b.exposeAs(v, value, [layer.outShape[0]]);
      states.push({ layer, suffix, value });
    }
  });
  const model = modelDef(
    b,
    'train_step',
    'edge-cnn training step: loss, logits and grad:<param> for every trainable parameter',
  );
  return { model, trainInputs, states };
}

export const buildTrainStep = (
  arch: ArchSpec,
  opts: Pick<GraphOptions, 'poolIndices' | 'forms' | 'activityL1'> = {},
): ModelDef => compileTrainStep(arch, opts).model;

/**
 * The input-gradient graph (vector-Jacobian product): given cotangents g_logits and g_<layer> for any layer's
 * activation, grad_input = sum over them of g^T d(output)/d(input); grad_act.<layer> is the same sum taken with
 * respect to that layer's activation (for Grad-CAM). Every cotangent is an input; one the
 * objective does not use is fed as a broadcast zero of shape [1,...,1].
 */
export function buildInputGrad(arch: ArchSpec, weights: Weights, opts: GraphOptions = {}): ModelDef {
  const dynamic = !!opts.fullyConvolutional;
  const layers = selectLayers(arch, opts);
  const b = new GraphBuilder();
  const x = b.input(IO.input, inputShape(arch, dynamic));
  const cot: string[] = layers.map((l) => {
    const name = grad(l.name);
    // onnxruntime-web cannot feed inputs that have initializers, so every cotangent is required: callers pass
    // zeros of shape [1,...,1] (broadcast) for those their objective does not use.
    const dims = activationShape(l, dynamic).map((_, d) => `${name}_d${d}`);
    b.input(name, dims, DataType.FLOAT, `cotangent for ${act(l.name)}: [N,${l.outShape}] or [1,...,1] zeros`);
    return name;
  });
  addInitializers(b, layers, weights, opts.external);
  const s = forwardNet(b, layers, 'infer', dynamic, x, (n) => n, opts.poolIndices);
  const { dInput, actGrads } = backwardNet(s, undefined, (i) => cot[i], true, false);
  b.exposeAs(dInput!, IO.gradInput, inputShape(arch, dynamic));
  actGrads.forEach((g, i) => b.exposeAs(g!, gradAct(layers[i].name), activationShape(layers[i], dynamic)));
  // The forward values at the same input come for free: objectives that need them (Deep Dream, Gram
  // matrices, cross-entropy) read them from a first run with zero cotangents.
  s.fwd.forEach((r, i) => b.exposeAs(r.y, act(layers[i].name), activationShape(layers[i], dynamic)));
  if (!dynamic) {
    const logits = s.fwd[s.fwd.length - 1].y;
    b.exposeAs(logits, IO.logits, ['N', ...layers[layers.length - 1].outShape]);
    b.output(b.o('Softmax', [logits], { axis: 1 }, IO.probs), ['N', ...layers[layers.length - 1].outShape]);
  }
  return modelDef(
    b,
    'input_gradient',
    'edge-cnn input gradient: input and grad.<layer> cotangents -> grad_input = VJP at input',
  );
}

/**
 * The loss-gradient graph: grad_input = d/dx of sum_n CE(targets_n, softmax(logits(x_n))), with the per-image
 * loss, logits and probs at the same x. An attack or a fooling image takes one run per step with it: the
 * cotangent softmax - targets is computed in the graph from the same forward pass, without cancellation when
 * the model is confident (layers/loss.ts).
 */
export function buildLossGrad(
  arch: ArchSpec,
  weights: Weights,
  opts: Pick<GraphOptions, 'external' | 'poolIndices'> = {},
): ModelDef {
  const layers = resolve(arch);
  const classes = layers[layers.length - 1].outShape;
  const b = new GraphBuilder();
  const x = b.input(IO.input, inputShape(arch, false));
  const targets = b.input(
    IO.targets,
    ['N', ...classes],
    DataType.FLOAT,
    'target distribution per image (one-hot or soft; rows sum to 1)',
  );
  addInitializers(b, layers, weights, opts.external);
  const s = forwardNet(b, layers, 'infer', false, x, (n) => n, opts.poolIndices);
  const logits = s.fwd[s.fwd.length - 1].y;
  const { loss, dlogits } = softmaxCrossEntropy(b, logits, targets, classes[0], true);
  const { dInput } = backwardNet(s, dlogits, () => undefined, true, false);
  b.exposeAs(dInput!, IO.gradInput, inputShape(arch, false));
  b.exposeAs(loss, IO.loss, ['N']);
  b.exposeAs(logits, IO.logits, ['N', ...classes]);
  b.output(b.o('Softmax', [logits], { axis: 1 }, IO.probs), ['N', ...classes]);
  return modelDef(
    b,
    'loss_gradient',
    'edge-cnn loss gradient: input and targets -> loss (cross-entropy per image), grad_input, logits, probs',
  );
}

/**
 * The synth-gradient graph (one image, any H x W): for each synth layer l (in order) feed content.<l> (the
 * content image's map, or [1,1,1,1] zeros) and gram.<l> (the style Gram matrix [C,C], or [1,1] zeros), and
 * weights [L,3] = (content, style, dream) per layer. Out: losses [L,3] (unweighted) and grad_input, the
 * gradient of sum_l weights_l . losses_l (see layers/feature-loss.ts).
 */
export function buildSynthGrad(
  arch: ArchSpec,
  weights: Weights,
  opts: Pick<GraphOptions, 'external' | 'poolIndices' | 'depth'> = {},
): ModelDef {
  const layers = cutPrefix(arch, opts.depth);
  const synth = synthLayers(layers);
  if (!synth.length) throw new Error('synth-grad needs a ReLU feature map in the convolutional prefix');
  const b = new GraphBuilder();
  const shape: Dim[] = [1, arch.input[0], 'H', 'W'];
  const x = b.input(IO.input, shape);
  const w = b.input(
    IO.synthWeights,
    [synth.length, 3],
    DataType.FLOAT,
    'per synth layer: content, style and dream weight',
  );
  const feeds = synth.map((l) => ({
    content: b.input(
      content(l.name),
      [0, 1, 2, 3].map((d) => `${content(l.name)}_d${d}`),
      DataType.FLOAT,
      `the content map [1,${l.outShape[0]},h,w] (or [1,1,1,1] zeros)`,
    ),
    gram: b.input(
      gram(l.name),
      [0, 1].map((d) => `${gram(l.name)}_d${d}`),
      DataType.FLOAT,
      `the style Gram matrix [${l.outShape[0]},${l.outShape[0]}] (or [1,1] zeros)`,
    ),
  }));
  addInitializers(b, layers, weights, opts.external);
  const s = forwardNet(b, layers, 'infer', true, x, (n) => n, opts.poolIndices);
  const losses: string[] = [];
  const cots = new Map<number, string>();
  synth.forEach((l, j) => {
    const i = layers.indexOf(l);
    const r = featureLoss(
      b,
      s.fwd[i].y,
      l.outShape[0],
      feeds[j].content,
      feeds[j].gram,
      b.o('Gather', [w, b.ints([j], [])], { axis: 0 }),
    );
    losses.push(r.losses);
    cots.set(i, r.cot);
  });
  const { dInput } = backwardNet(s, undefined, (i) => cots.get(i), true, false);
  b.exposeAs(dInput!, IO.gradInput, shape);
  b.output(
    b.o(
      'Concat',
      losses.map((v) => b.reshape(v, [1, 3])),
      { axis: 0 },
      IO.synthLosses,
    ),
    [synth.length, 3],
  );
  return modelDef(
    b,
    'synth_gradient',
    `edge-cnn synth gradient: input, content.<l>, gram.<l>, weights -> losses [L,3], grad_input (L = ${synth.map((l) => l.name).join(', ')})`,
  );
}

/**
 * A probe for gradient checks: weights and dropout masks as inputs, a cotangent for the last layer; outputs the
 * last layer's output and the gradient of objective = sum(cotangent * output) (computed by the caller in
 * float64) for the input and every trainable parameter.
 */
export function buildProbe(
  arch: ArchSpec,
  mode: Mode,
  opts: Pick<GraphOptions, 'poolIndices' | 'forms'> = {},
): ModelDef {
  const forms = mode === 'train' ? opts.forms : undefined;
  const layers = poolBeforeRelu(resolve(arch), forms);
  const b = new GraphBuilder();
  const x = b.input(IO.input, inputShape(arch, false));
  for (const p of layers.flatMap((l) => l.params)) b.input(p.name, p.shape);
  if (mode === 'train') addTrainInputs(b, layers);
  const last = layers[layers.length - 1];
  const cot = b.input('cotangent', ['N', ...last.outShape]);
  const s = forwardNet(b, layers, mode, false, x, (n) => n, opts.poolIndices, forms);
  const y = s.fwd[s.fwd.length - 1].y;
  b.exposeAs(y, 'output', ['N', ...last.outShape]);
  const { dInput, grads } = backwardNet(s, cot, () => undefined, true, mode === 'train');
  b.exposeAs(dInput!, IO.gradInput, inputShape(arch, false));
  for (const [name, g] of Object.entries(grads))
    b.exposeAs(g, paramGrad(name), layers.flatMap((l) => l.params).find((p) => p.name === name)!.shape);
  return modelDef(b, 'probe', 'gradient-check probe');
}
