/**
 * Smooth and leaky activations (imported models use them; the trainer's presets use relu):
 *   leakyrelu: Y = X if X > 0 else alpha X.   backward: dX = dY where X > 0, else alpha dY.
 *   sigmoid:   Y = 1 / (1 + e^-X).             backward: dX = dY Y (1 - Y)  (reuses the forward's Y).
 *   tanh:      Y = tanh(X).                    backward: dX = dY (1 - Y^2).
 */
import type { LayerRule } from './types.js';

export interface LeakyReluSpec {
  kind: 'leakyrelu';
  /** Slope for X <= 0 (ONNX LeakyRelu's default 0.01). */
  alpha?: number;
}
export interface SigmoidSpec {
  kind: 'sigmoid';
}
export interface TanhSpec {
  kind: 'tanh';
}

export const leakyRelu: LayerRule<LeakyReluSpec> = {
  kind: 'leakyrelu',
  outShape: (_spec, inShape) => inShape,
  params: () => [],
  forward: ({ b, name, spec }, x) => ({ y: b.o('LeakyRelu', [x], { alpha: { float: spec.alpha ?? 0.01 } }, name) }),
  backward({ b, name, spec }, { x, dy }) {
    const positive = b.o('Greater', [x, b.float(0)]);
    return {
      dx: b.o('Where', [positive, dy, b.mul(dy, b.float(spec.alpha ?? 0.01))], undefined, `${name}_dx`),
      grads: {},
    };
  },
};

export const sigmoid: LayerRule<SigmoidSpec> = {
  kind: 'sigmoid',
  outShape: (_spec, inShape) => inShape,
  params: () => [],
  forward: ({ b, name }, x) => ({ y: b.o('Sigmoid', [x], undefined, name) }),
  backward: ({ b, name }, { y, dy }) => ({
    dx: b.o('Mul', [b.mul(dy, y), b.o('Sub', [b.float(1), y])], undefined, `${name}_dx`),
    grads: {},
  }),
};

export const tanh: LayerRule<TanhSpec> = {
  kind: 'tanh',
  outShape: (_spec, inShape) => inShape,
  params: () => [],
  forward: ({ b, name }, x) => ({ y: b.o('Tanh', [x], undefined, name) }),
  backward: ({ b, name }, { y, dy }) => ({
    dx: b.o('Mul', [dy, b.o('Sub', [b.float(1), b.mul(y, y)])], undefined, `${name}_dx`),
    grads: {},
  }),
};
