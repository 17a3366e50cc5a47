/**
 * scale: Y = X * mul + add, fixed constants (no parameters). An imported model that expects its input in 0..255
 * or normalised by a mean and standard deviation starts with one, so every graph still takes the edge's [0,1]
 * input and every gradient is with respect to it.   backward: dX = dY * mul.
 */
import type { LayerRule } from './types.js';

export interface ScaleSpec {
  kind: 'scale';
  mul: number;
  add: number;
}

export const scale: LayerRule<ScaleSpec> = {
  kind: 'scale',
  outShape(spec, inShape) {
    if (!Number.isFinite(spec.mul) || !Number.isFinite(spec.add) || spec.mul === 0)
      throw new Error(`scale needs a finite non-zero mul and a finite add, got ${JSON.stringify(spec)}`);
    return inShape;
  },
  params: () => [],
  forward: ({ b, name, spec }, x) => ({
    y: b.o('Add', [b.mul(x, b.float(spec.mul)), b.float(spec.add)], undefined, name),
  }),
  backward: ({ b, name, spec }, { dy }) => ({
    dx: b.o('Mul', [dy, b.float(spec.mul)], undefined, `${name}_dx`),
    grads: {},
  }),
};
