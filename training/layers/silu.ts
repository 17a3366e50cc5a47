/**
 * silu (swish): Y = X sigmoid(X). ONNX has no operator for it before opset 24, so it is Sigmoid and Mul.
 *   backward: dX = dY s (1 + X (1 - s)), s = sigmoid(X) (kept from the forward pass).
 */
import type { LayerRule } from './types.js';

export interface SiluSpec {
  kind: 'silu';
}

export const silu: LayerRule<SiluSpec> = {
  kind: 'silu',
  outShape: (_spec, inShape) => inShape,
  params: () => [],
  forward({ b, name }, x) {
    const s = b.o('Sigmoid', [x]);
    return { y: b.mul(x, s, name), cache: { sigmoid: s } };
  },
  backward({ b, name }, { x, dy, cache }) {
    const s = cache.sigmoid;
    const slope = b.mul(s, b.add(b.float(1), b.mul(x, b.sub(b.float(1), s))));
    return { dx: b.mul(dy, slope, `${name}_dx`), grads: {} };
  },
};
