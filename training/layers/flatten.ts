/**
 * flatten: [N,C,H,W] -> [N, C*H*W] (row-major, as ONNX Flatten).   backward: reshape dY to X's shape.
 */
import type { LayerRule } from './types.js';

export interface FlattenSpec {
  kind: 'flatten';
}

export const flatten: LayerRule<FlattenSpec> = {
  kind: 'flatten',
  outShape: (_spec, inShape) => [inShape.reduce((a, v) => a * v, 1)],
  params: () => [],
  forward: ({ b, name }, x) => ({ y: b.o('Flatten', [x], { axis: 1 }, name) }),
  backward: ({ b, name }, { x, dy }) => ({ dx: b.reshapeLike(dy, x, `${name}_dx`), grads: {} }),
};
