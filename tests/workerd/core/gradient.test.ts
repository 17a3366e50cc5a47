/** Inside workerd: the gradient the edge computes agrees with finite differences of the inference graph. */
import { describe, expect, it } from 'vitest';
import { inputSize } from '../../../functions/core/gradient.js';
import { getModel } from '../../../functions/runtime/models.js';
import { jitter } from '../../node/helpers/fd.js';
import { checkLogitGradient } from '../../node/helpers/logit-gradient.js';

describe('input gradients in workerd', () => {
  for (const name of ['digits', 'fashion']) {
    it(`${name}: d logit / d input from input-grad.onnx matches central differences of model.onnx`, async () => {
      const model = getModel(name)!;
      const s = model.samples!();
      const x = jitter(s.x.slice(0, inputSize(model)), 5); // a held-out image moved to a generic point
      const r = await checkLogitGradient(model, x, { threshold: 0.2, count: 20, seed: 3 });
      expect(r.mismatches).toEqual([]);
      // Coordinates within eps of a ReLU or max-pool kink are skipped (fashion's 32 filters at 28x28 put more of
      // them near each pixel than digits' 16); at least half must be compared.
      expect(r.checked - r.kinks).toBeGreaterThanOrEqual(10);
    });
  }
});
