/**
 * The edge's input gradient of the predicted logit, checked against central finite differences of the
 * inference graph, on `count` pixels brighter than `threshold`. Shared by the node and workerd tests.
 */
import { argmaxRow, forward, logitsLayer, oneHot, vjp } from '../../../functions/core/gradient.js';
import type { Model } from '../../../functions/core/model.js';
import { checkGradient, FD_EPS_DEEP, sampleIndices, type GradCheck } from './fd.js';

export async function checkLogitGradient(
  model: Model,
  x: Float32Array,
  o: { threshold: number; count: number; seed: number },
): Promise<GradCheck> {
  const k = model.meta.labels.length;
  const target = argmaxRow((await forward(model, x, 1)).probs, 0, k);
  const { grad } = await vjp(model, x, [1, ...model.meta.input.shape], { [logitsLayer(model)]: oneHot(1, k, target) });
  const logit = async () => (await forward(model, x, 1)).logits[target];
  const bright = [...x.keys()].filter((i) => x[i] > o.threshold);
  return checkGradient(
    x,
    grad,
    logit,
    sampleIndices(bright.length, o.count, o.seed).map((i) => bright[i]),
    FD_EPS_DEEP,
  );
}
