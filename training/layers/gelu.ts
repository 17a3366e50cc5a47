/**
 * gelu: the Gaussian error linear unit (ConvNeXt, ViT-style heads), exact or by its tanh approximation, as torch's
 * nn.GELU(approximate='none' | 'tanh') and ONNX's Gelu (opset 20) define them:
 *   exact:  Y = X Phi(X), Phi(X) = (1 + erf(X / sqrt 2)) / 2;  backward: dX = dY (Phi(X) + X phi(X)),
 *           phi(X) = e^(-X^2 / 2) / sqrt(2 pi).
 *   tanh:   Y = X (1 + t) / 2, t = tanh(u), u = sqrt(2 / pi) (X + 0.044715 X^3);
 *           backward: dX = dY ((1 + t) / 2 + X (1 - t^2) / 2 * sqrt(2 / pi) (1 + 3 * 0.044715 X^2)).
 * The forward caches Phi (or t) for the backward.
 */
import type { ForwardResult, LayerRule } from './types.js';

export interface GeluSpec {
  kind: 'gelu';
  /** 'tanh': the approximation; absent: the exact form (erf). */
  approximate?: 'tanh';
}

const K = Math.sqrt(2 / Math.PI);
const C = 0.044715;

export const gelu: LayerRule<GeluSpec> = {
  kind: 'gelu',
  outShape(spec, inShape) {
    if (spec.approximate !== undefined && spec.approximate !== 'tanh')
      throw new Error(`gelu approximate must be 'tanh' or absent (exact), got ${JSON.stringify(spec.approximate)}`);
    return inShape;
  },
  params: () => [],
  forward({ b, name, spec }, x): ForwardResult {
    if (spec.approximate === 'tanh') {
      const u = b.mul(b.add(x, b.mul(b.float(C), b.mul(x, b.mul(x, x)))), b.float(K));
      const half = b.mul(b.add(b.o('Tanh', [u]), b.float(1)), b.float(0.5)); // (1 + t) / 2
      return { y: b.mul(x, half, name), cache: { half } };
    }
    const phi = b.mul(b.add(b.o('Erf', [b.mul(x, b.float(Math.SQRT1_2))]), b.float(1)), b.float(0.5));
    return { y: b.mul(x, phi, name), cache: { phi } };
  },
  backward({ b, name, spec }, { x, dy, cache }) {
    const xx = b.mul(x, x);
    if (spec.approximate === 'tanh') {
      // 1 - t^2 = 4 half (1 - half), with half = (1 + t) / 2.
      const { half } = cache;
      const sech2 = b.mul(b.mul(half, b.sub(b.float(1), half)), b.float(4));
      const du = b.mul(b.add(b.mul(xx, b.float(3 * C)), b.float(1)), b.float(K / 2));
      return { dx: b.mul(dy, b.add(half, b.mul(b.mul(x, sech2), du)), `${name}_dx`), grads: {} };
    }
    const density = b.mul(b.o('Exp', [b.mul(xx, b.float(-0.5))]), b.float(1 / Math.sqrt(2 * Math.PI)));
    return { dx: b.mul(dy, b.add(cache.phi, b.mul(x, density)), `${name}_dx`), grads: {} };
  },
};
