/** Inside workerd: the gradient the edge computes agrees with finite differences of the inference graph. */
import { describe, expect, it } from 'vitest';
import { argmaxRow, forward, inputSize, logitsLayer, oneHot, vjp } from '../../../functions/core/gradient.js';
import { getModel } from '../../../functions/runtime/models.js';
import { checkGradient, FD_EPS_DEEP, jitter, sampleIndices } from '../../node/helpers/fd.js';

describe('input gradients in workerd', () => {
  for (const name of ['digits', 'fashion']) {
    it(`${name}: d logit / d input from input-grad.onnx matches central differences of model.onnx`, async () => {
      const model = getModel(name)!;
      const s = model.samples!();
      const size = inputSize(model), k = model.meta.labels.length;
      const x = jitter(s.x.slice(0, size), 5); // a held-out image moved to a generic point
      const target = argmaxRow((await forward(model, x, 1)).probs, 0, k);
      const { grad } = await vjp(model, x, [1, ...model.meta.input.shape], { [logitsLayer(model)]: oneHot(1, k, target) });
      const logit = async () => (await forward(model, x, 1)).logits[target];
      const bright = [...x.keys()].filter((i) => x[i] > 0.2);
      const r = await checkGradient(x, grad, logit, sampleIndices(bright.length, 20, 3).map((i) => bright[i]), FD_EPS_DEEP);
      expect(r.mismatches).toEqual([]);
      expect(r.kinks).toBeLessThanOrEqual(5);
    });
  }
});
