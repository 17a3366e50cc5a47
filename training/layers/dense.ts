/**
 * dense (fully connected): Y = X W + b.   X [N,I]  W [I,O]  b [O]  Y [N,O]
 *   backward: dX = dY W^T;  dW = X^T dY;  db = sum of dY over N.
 */
import type { LayerRule } from './types.js';

export interface DenseSpec {
  kind: 'dense';
  units: number;
}

export const dense: LayerRule<DenseSpec> = {
  kind: 'dense',
  outShape(spec, inShape) {
    if (inShape.length !== 1)
      throw new Error(`dense needs a flat [F] input; add a flatten layer before it (got [${inShape}])`);
    if (!(spec.units >= 1)) throw new Error(`dense needs units >= 1, got ${spec.units}`);
    return [spec.units];
  },
  params: (spec, [i]) => [
    {
      suffix: 'weight',
      shape: [i, spec.units],
      init: 'he',
      fanIn: i,
      fanOut: spec.units,
      trainable: true,
      role: 'weight',
    },
    { suffix: 'bias', shape: [spec.units], init: 'zeros', fanIn: i, fanOut: spec.units, trainable: true, role: 'bias' },
  ],
  connections: (_spec, [i], [o]) => i * o,
  forward: ({ b, param, name }, x) => ({ y: b.o('Gemm', [x, param('weight'), param('bias')], undefined, name) }),
  backward({ b, param, name }, { x, dy, needDx, needParamGrads }) {
    const grads: Record<string, string> = {};
    if (needParamGrads) {
      grads.weight = b.o('Gemm', [x, dy], { transA: 1 }, `${name}_dweight`);
      grads.bias = b.reduceSum(dy, [0], 0, `${name}_dbias`);
    }
    const dx = needDx ? b.o('Gemm', [dy, param('weight')], { transB: 1 }, `${name}_dx`) : undefined;
    return { dx, grads };
  },
};
