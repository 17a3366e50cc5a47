/** The served gradient graphs: input-grad (a VJP for any layer's cotangent), loss-grad (cross-entropy) and
 * synth-grad (Deep Style and Deep Dream losses). */
import { act, content, grad, gradAct, gram, IO, synthLayers } from '../../model-contract/graphs.js';
import { featureLoss } from '../layers/feature-loss.js';
import { softmaxCrossEntropy } from '../layers/loss.js';
import { DataType, type Dim, type ModelDef } from '../onnx/proto.js';
import { resolve, type ArchSpec } from '../spec.js';
import { GraphBuilder } from './builder.js';
import { backwardNet, forwardNet } from './net.js';
import { activationShape, cutPrefix, inputShape, modelDef, selectLayers, type GraphOptions } from './options.js';
import { addInitializers, type Weights } from './weights.js';

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
