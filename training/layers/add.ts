/**
 * add: the sum of n >= 2 values of one shape (a residual block's skip connection: y = F(x) + x).
 *   forward:  Y = X_1 + ... + X_n            (ONNX Sum)
 *   backward: dX_j = dY for every j          (llm.c residual_backward: each input receives dY whole)
 */
import type { GraphRule } from './graph-rule.js';

export interface AddSpec {
  kind: 'add';
}

export const add: GraphRule<AddSpec> = {
  kind: 'add',
  outShape(_spec, inShapes) {
    if (inShapes.length < 2) throw new Error(`add needs at least 2 inputs, got ${inShapes.length}`);
    const [first] = inShapes;
    if (inShapes.some((s) => s.length !== first.length || s.some((v, d) => v !== first[d])))
      throw new Error(`add needs inputs of one shape, got ${inShapes.map((s) => `[${s}]`).join(', ')}`);
    return first;
  },
  params: () => [],
  forward: ({ b, name }, xs) => ({ y: b.o('Sum', xs, undefined, name) }),
  backward: (_ctx, { dy, needDx }) => ({ dxs: needDx.map((need) => (need ? dy : undefined)), grads: {} }),
};
