/**
 * dropout (training only): Y = X * M / (1 - rate), M a 0/1 mask (a training input: the rule samples it each step
 * from the trainer's seeded RNG, so runs are reproducible).   backward: dX = dY * M / (1 - rate).
 * At inference it is the identity.
 */
import type { LayerRule } from './types.js';

export interface DropoutSpec {
  kind: 'dropout';
  rate: number;
}

export const dropout: LayerRule<DropoutSpec> = {
  kind: 'dropout',
  outShape(spec, inShape) {
    if (!(spec.rate >= 0 && spec.rate < 1)) throw new Error(`dropout rate must be in [0, 1), got ${spec.rate}`);
    return inShape;
  },
  params: () => [],
  trainInputs: {
    shapes: (_spec, inShape) => ({ mask: inShape }),
    /** Each unit kept with probability 1 - rate. */
    sample(spec, inShape, n, rng) {
      const mask = new Float32Array(n * inShape.reduce((a, v) => a * v, 1));
      for (let i = 0; i < mask.length; i++) mask[i] = rng.next() >= spec.rate ? 1 : 0;
      return { mask };
    },
  },
  forward({ b, mode, spec, extra, name }, x) {
    if (mode === 'infer') return { y: b.o('Identity', [x], undefined, name) };
    const scaled = b.mul(extra('mask'), b.float(1 / (1 - spec.rate)));
    return { y: b.mul(x, scaled, name), cache: { scaled } };
  },
  backward({ b, mode, name }, { dy, cache }) {
    if (mode === 'infer') return { dx: dy, grads: {} };
    return { dx: b.mul(dy, cache.scaled, `${name}_dx`), grads: {} };
  },
};
