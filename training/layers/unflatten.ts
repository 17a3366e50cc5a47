/**
 * unflatten: [N, F] -> [N, F, 1, 1], a vector as a map of one pixel, as Keras's squeeze-excite writes
 * Reshape((1, 1, C)) after its Dense gate, so the gate can multiply a map or feed a 1x1 conv. No parameters.
 *   backward: reshape dY to X's shape.
 */
import type { LayerRule } from './types.js';

export interface UnflattenSpec {
  kind: 'unflatten';
}

export const unflatten: LayerRule<UnflattenSpec> = {
  kind: 'unflatten',
  outShape(_spec, inShape) {
    if (inShape.length !== 1) throw new Error(`unflatten reads a vector [F], got [${inShape}]`);
    return [inShape[0], 1, 1];
  },
  params: () => [],
  forward: ({ b, name, inShape }, x) => ({ y: b.reshape(x, [-1, inShape[0], 1, 1], name) }),
  backward: ({ b, name }, { x, dy }) => ({ dx: b.reshapeLike(dy, x, `${name}_dx`), grads: {} }),
};
