/**
 * hardsigmoid (ONNX HardSigmoid): Y = max(0, min(1, alpha X + beta)), alpha 0.2 and beta 0.5 by default (Keras';
 * MobileNetV3's is alpha 1/6).
 *   backward: dX = alpha dY where 0 < Y < 1 (the linear part), else 0.
 */
import type { LayerRule } from './types.js';

export interface HardSigmoidSpec {
  kind: 'hardsigmoid';
  alpha?: number;
  beta?: number;
}

const coefficients = (spec: HardSigmoidSpec) => ({ alpha: spec.alpha ?? 0.2, beta: spec.beta ?? 0.5 });

export const hardSigmoid: LayerRule<HardSigmoidSpec> = {
  kind: 'hardsigmoid',
  outShape(spec, inShape) {
    const { alpha, beta } = coefficients(spec);
    if (!(Number.isFinite(alpha) && alpha !== 0 && Number.isFinite(beta)))
      throw new Error(`hardsigmoid needs a finite non-zero alpha and a finite beta, got ${JSON.stringify(spec)}`);
    return inShape;
  },
  params: () => [],
  forward({ b, name, spec }, x) {
    const { alpha, beta } = coefficients(spec);
    return { y: b.o('HardSigmoid', [x], { alpha: { float: alpha }, beta: { float: beta } }, name) };
  },
  backward({ b, name, spec }, { y, dy }) {
    const linear = b.o('And', [b.o('Greater', [y, b.float(0)]), b.o('Less', [y, b.float(1)])]);
    const dx = b.o(
      'Where',
      [linear, b.mul(dy, b.float(coefficients(spec).alpha)), b.float(0)],
      undefined,
      `${name}_dx`,
    );
    return { dx, grads: {} };
  },
};
