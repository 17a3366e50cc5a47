/** The trainer's graphs: the training step (weights as inputs, parameter gradients out) and the gradient-check
 * probe. */
import { IO, layerValue, paramGrad } from '../../model-contract/graphs.js';
import { ruleFor } from '../layers/registry.js';
import { softmaxCrossEntropy } from '../layers/loss.js';
import { poolBeforeRelu } from '../layers/max-pool.js';
import type { Mode } from '../layers/types.js';
import { DataType, type ModelDef } from '../onnx/proto.js';
import { resolve, type ArchSpec, type ResolvedLayer } from '../spec.js';
import { GraphBuilder } from './builder.js';
import { backwardNet, forwardNet } from './net.js';
import { inputShape, modelDef, type GraphOptions } from './options.js';

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
