/**
 * relu: Y = max(X, 0).   backward: dX = dY where Y > 0, else 0.
 */
import type { LayerRule } from './types.js';

export interface ReluSpec {
  kind: 'relu';
}

export const relu: LayerRule<ReluSpec> = {
  kind: 'relu',
  outShape: (_spec, inShape) => inShape,
  params: () => [],
  forward: ({ b, name }, x) => ({ y: b.o('Relu', [x], undefined, name) }),
  backward({ b, name }, { y, dy }) {
    const positive = b.o('Greater', [y, b.float(0)]);
    return { dx: b.o('Where', [positive, dy, b.float(0)], undefined, `${name}_dx`), grads: {} };
  },
};
