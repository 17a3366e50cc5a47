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
import { act, IO } from '../../model-contract/graphs.js';
import type { ModelDef } from '../onnx/proto.js';
import type { ArchSpec } from '../spec.js';
import { GraphBuilder } from './builder.js';
import { forwardNet } from './net.js';
import { activationShape, inputShape, modelDef, selectLayers, type GraphOptions } from './options.js';
import { addInitializers, type Weights } from './weights.js';

export { buildInputGrad, buildLossGrad, buildSynthGrad } from './gradients.js';
export type { ActivityL1, GraphOptions } from './options.js';
export { buildProbe, buildTrainStep, compileTrainStep, type LayerValue } from './train.js';
export { packWeights, type ExternalWeights, type Weights } from './weights.js';

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
