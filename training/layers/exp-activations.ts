/**
 * Activations built on e^X (imported models: Keras's 'elu', 'selu' and 'softplus', torch's nn.ELU, nn.SELU,
 * nn.Softplus; Mish is softplus, tanh and a mul, see the importer), each its ONNX op forward:
 *   elu:      Y = X if X > 0 else alpha (e^X - 1).            backward: dX = dY where X > 0, else dY (Y + alpha).
 *   selu:     Y = gamma (X if X > 0 else alpha (e^X - 1)).    backward: dX = gamma dY where X > 0, else dY (Y + gamma alpha).
 *   softplus: Y = ln(1 + e^X).                                backward: dX = dY sigmoid(X).
 * The backward rules reuse the forward's Y, so no Exp is evaluated twice (and none overflows: e^X only for X <= 0).
 */
import type { GraphBuilder } from '../graph/builder.js';
import type { LayerRule } from './types.js';

export interface EluSpec {
  kind: 'elu';
  /** ONNX's default 1. */
  alpha?: number;
}
export interface SeluSpec {
  kind: 'selu';
  /** ONNX's defaults: the self-normalising constants of Klambauer et al. (2017). */
  alpha?: number;
  gamma?: number;
}
export interface SoftplusSpec {
  kind: 'softplus';
}

const SELU_ALPHA = 1.67326319217681884765625;
const SELU_GAMMA = 1.05070102214813232421875;

/** dY * slope where X > 0, else dY * (Y + offset). */
function piecewise(b: GraphBuilder, x: string, y: string, dy: string, slope: number, offset: number, name: string) {
  const positive = b.o('Greater', [x, b.float(0)]);
  const pos = slope === 1 ? dy : b.mul(dy, b.float(slope));
  return b.o('Where', [positive, pos, b.mul(dy, b.add(y, b.float(offset)))], undefined, `${name}_dx`);
}

export const elu: LayerRule<EluSpec> = {
  kind: 'elu',
  outShape: (_spec, inShape) => inShape,
  params: () => [],
  forward: ({ b, name, spec }, x) => ({ y: b.o('Elu', [x], { alpha: { float: spec.alpha ?? 1 } }, name) }),
  backward: ({ b, name, spec }, { x, y, dy }) => ({ dx: piecewise(b, x, y, dy, 1, spec.alpha ?? 1, name), grads: {} }),
};

export const selu: LayerRule<SeluSpec> = {
  kind: 'selu',
  outShape: (_spec, inShape) => inShape,
  params: () => [],
  forward: ({ b, name, spec }, x) => ({
    y: b.o(
      'Selu',
      [x],
      { alpha: { float: spec.alpha ?? SELU_ALPHA }, gamma: { float: spec.gamma ?? SELU_GAMMA } },
      name,
    ),
  }),
  backward({ b, name, spec }, { x, y, dy }) {
    const alpha = spec.alpha ?? SELU_ALPHA,
      gamma = spec.gamma ?? SELU_GAMMA;
    return { dx: piecewise(b, x, y, dy, gamma, gamma * alpha, name), grads: {} };
  },
};

export const softplus: LayerRule<SoftplusSpec> = {
  kind: 'softplus',
  outShape: (_spec, inShape) => inShape,
  params: () => [],
  forward: ({ b, name }, x) => ({ y: b.o('Softplus', [x], undefined, name) }),
  backward: ({ b, name }, { x, dy }) => ({ dx: b.mul(dy, b.o('Sigmoid', [x]), `${name}_dx`), grads: {} }),
};
