/**
 * prelu: a leaky ReLU with a learned slope per channel (torch's nn.PReLU(C), Keras PReLU(shared_axes=[1, 2]),
 * Paddle's channel mode; one slope for all channels imports as leakyrelu).
 *   forward:  Y = X where X > 0, else a[c] X             (ONNX PRelu, a as [C,1,1] for maps, [C] for vectors)
 *   backward: dX = dY where X > 0, else a[c] dY
 *             da[c] = sum over the batch and the map of dY * min(X, 0)
 */
import type { GraphBuilder } from '../graph/builder.js';
import type { LayerRule } from './types.js';

/** The slopes [C] as [C,1,1] over a map (ONNX PRelu broadcasts them from the right). */
const broadcast = (b: GraphBuilder, slope: string, inShape: number[]) =>
  inShape.length === 3 ? b.reshape(slope, [inShape[0], 1, 1]) : slope;

export interface PReluSpec {
  kind: 'prelu';
}

export const prelu: LayerRule<PReluSpec> = {
  kind: 'prelu',
  outShape: (_spec, inShape) => inShape,
  params: (_spec, [c]) => [
    {
      suffix: 'slope',
      shape: [c],
      init: 'zeros',
      fanIn: 1,
      fanOut: 1,
      trainable: true,
      role: 'weight',
    },
  ],
  forward({ b, name, param, inShape }, x) {
    const slope = broadcast(b, param('slope'), inShape);
    return { y: b.o('PRelu', [x, slope], undefined, name), cache: { slope } };
  },
  backward({ b, name, param, inShape }, { x, dy, cache, needDx, needParamGrads }) {
    const positive = b.o('Greater', [x, b.float(0)]);
    const grads: Record<string, string> = {};
    if (needParamGrads) {
      const negative = b.o('Where', [positive, b.float(0), x]); // min(X, 0)
      grads.slope = b.reduceSum(b.mul(dy, negative), inShape.length === 3 ? [0, 2, 3] : [0], 0, `${name}_dslope`);
    }
    const dx = needDx
      ? b.o(
          'Where',
          [positive, dy, b.mul(dy, cache.slope ?? broadcast(b, param('slope'), inShape))],
          undefined,
          `${name}_dx`,
        )
      : undefined;
    return { dx, grads };
  },
};
