/**
 * The lean gradient graphs: one cotangent, on the logits, and nothing else as input, so that no zero cotangent is
 * added at every layer and no activation is copied out (onnxruntime runs every node of a graph, whatever is
 * fetched).
 *   logit-grad: input, grad.<logits layer> -> grad_input, logits, probs (DeepFool, C&W, gradient saliency maps)
 *   cam-grad:   input, grad.<logits layer>, predicted -> act.<cam>, grad_act.<cam>, logits, probs: the backward
 *               pass stops at the default CAM layer (model-contract/graphs.ts camLayer), so it costs about one
 *               forward pass; the cotangent is grad.<logits> + predicted * onehot(argmax logits), so one run
 *               explains the predicted class without a forward run first to find it
 *   margin-grad: input, away, scale, confidence -> grad_input, logits, probs: the gradient of Carlini & Wagner's
 *               scale * max(z_a - max_{j != a} z_j, -kappa) (a the class in `away`; scale = -c for a targeted row
 *               flips the margin), its cotangent formed from the logits in the graph, so an Adam step of C&W is
 *               one run and not a forward run (for the margin) and then a gradient run
 */
import { act, camLayer, grad, gradAct, IO } from '../../model-contract/graphs.js';
import { DataType, type ModelDef } from '../onnx/proto.js';
import { resolve, type ArchSpec } from '../spec.js';
import { GraphBuilder } from './builder.js';
import { backwardNet, forwardNet } from './net.js';
import { activationShape, inputShape, modelDef, type GraphOptions } from './options.js';
import { addInitializers, type Weights } from './weights.js';

type LeanOptions = Pick<GraphOptions, 'external' | 'poolIndices'>;

/** The forward pass with the logits' cotangent as the only other input, and logits and probs as outputs. */
function logitsVjp(arch: ArchSpec, weights: Weights, opts: LeanOptions) {
  const layers = resolve(arch);
  const last = layers[layers.length - 1];
  const b = new GraphBuilder();
  const x = b.input(IO.input, inputShape(arch, false));
  const cot = b.input(grad(last.name), ['N', ...last.outShape], DataType.FLOAT, `cotangent for the logits`);
  addInitializers(b, layers, weights, opts.external);
  const s = forwardNet(b, layers, 'infer', false, x, (n) => n, opts.poolIndices);
  const logits = s.fwd[s.fwd.length - 1].y;
  b.exposeAs(logits, IO.logits, ['N', ...last.outShape]);
  b.output(b.o('Softmax', [logits], { axis: 1 }, IO.probs), ['N', ...last.outShape]);
  return { layers, b, s, cot };
}

/** grad_input = cot^T d(logits)/d(input), with logits and probs at the same input. */
export function buildLogitGrad(arch: ArchSpec, weights: Weights, opts: LeanOptions = {}): ModelDef {
  const { b, s, cot } = logitsVjp(arch, weights, opts);
  const { dInput } = backwardNet(s, cot, () => undefined, true, false);
  b.exposeAs(dInput!, IO.gradInput, inputShape(arch, false));
  return modelDef(
    b,
    'logit_gradient',
    'edge-cnn logit gradient: input and the logits cotangent -> grad_input = VJP at input, logits, probs',
  );
}

/**
 * The margin term of Carlini-Wagner per image: m = sign(scale) * (z_a - z_o), o = argmax_{j != a} z_j (the first
 * on a tie, as ArgMax and the edge's JavaScript take it); where m > -kappa the cotangent is scale * (e_a - e_o),
 * else 0 (the hinge is flat).
 */
export function buildMarginGrad(arch: ArchSpec, weights: Weights, opts: LeanOptions = {}): ModelDef {
  const layers = resolve(arch);
  const last = layers[layers.length - 1];
  const k = last.outShape[0];
  const b = new GraphBuilder();
  const x = b.input(IO.input, inputShape(arch, false));
  const away = b.input(IO.away, ['N', k], DataType.FLOAT, 'one-hot of the class the margin is taken against');
  const scale = b.input(IO.marginScale, ['N', 1], DataType.FLOAT, 'c per image, negated for a targeted one');
  const kappa = b.input(IO.confidence, ['N', 1], DataType.FLOAT, 'the margin kappa asks for beyond the boundary');
  addInitializers(b, layers, weights, opts.external);
  const s = forwardNet(b, layers, 'infer', false, x, (n) => n, opts.poolIndices);
  const logits = s.fwd[s.fwd.length - 1].y;
  b.exposeAs(logits, IO.logits, ['N', k]);
  b.output(b.o('Softmax', [logits], { axis: 1 }, IO.probs), ['N', k]);
  // The other classes' logits, the away class pushed far below any logit; o is their argmax.
  const others = b.sub(logits, b.mul(away, b.float(1e30)));
  const o = b.o('ArgMax', [others], { axis: 1, keepdims: 1 });
  const hot = b.o('Cast', [b.o('Equal', [b.ints([...Array(k).keys()], [1, k]), o])], { to: DataType.FLOAT });
  const za = b.reduceSum(b.mul(logits, away), [1], 1);
  const zo = b.o('ReduceMax', [others], { axes: [1], keepdims: 1 });
  const margin = b.mul(b.o('Sign', [scale]), b.sub(za, zo));
  const active = b.o('Cast', [b.o('Greater', [margin, b.o('Neg', [kappa])])], { to: DataType.FLOAT });
  const cot = b.mul(b.mul(scale, active), b.sub(away, hot));
  const { dInput } = backwardNet(s, cot, () => undefined, true, false);
  b.exposeAs(dInput!, IO.gradInput, inputShape(arch, false));
  return modelDef(
    b,
    'margin_gradient',
    "edge-cnn margin gradient: input, away, scale, confidence -> grad_input of Carlini-Wagner's margin term, logits, probs",
  );
}

/** The CAM layer's maps and cot^T d(logits)/d(maps): nothing below that layer back-propagates. */
export function buildCamGrad(arch: ArchSpec, weights: Weights, opts: LeanOptions = {}): ModelDef {
  const { layers, b, s, cot } = logitsVjp(arch, weights, opts);
  const cam = camLayer(layers);
  if (!cam) throw new Error('cam-grad needs a [C,H,W] map with H > 1');
  const i = layers.indexOf(cam);
  // cot + predicted * [logits == max logits]: the predicted class's one-hot (ties share), weighted per image.
  const predicted = b.input(IO.predicted, ['N', 1], DataType.FLOAT, "the predicted class's weight in the cotangent");
  const logits = s.fwd[s.fwd.length - 1].y;
  const top = b.o('ReduceMax', [logits], { axes: [1], keepdims: 1 });
  const hot = b.o('Cast', [b.o('Equal', [logits, top])], { to: DataType.FLOAT });
  const { actGrads } = backwardNet(s, b.add(cot, b.mul(predicted, hot)), () => undefined, false, false, i);
  b.exposeAs(s.fwd[i].y, act(cam.name), activationShape(cam, false));
  b.exposeAs(actGrads[i]!, gradAct(cam.name), activationShape(cam, false));
  return modelDef(
    b,
    'cam_gradient',
    `edge-cnn CAM gradient: input, the logits cotangent and the predicted class's weight -> ${act(cam.name)}, ${gradAct(cam.name)}, logits, probs`,
  );
}
