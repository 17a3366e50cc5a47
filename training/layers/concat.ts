/**
 * concat: n >= 2 values side by side along the channel axis (Inception and SqueezeNet join their branches so):
 * [C_1,H,W], ..., [C_n,H,W] -> [C_1 + ... + C_n, H, W]; vectors [F_j] join likewise.
 *   forward:  Y = Concat(X_1, ..., X_n) on axis 1
 *   backward: dX_j = dY[:, offset_j : offset_j + C_j]   (offset_j = C_1 + ... + C_(j-1))
 */
import type { GraphRule } from './graph-rule.js';

export interface ConcatSpec {
  kind: 'concat';
}

export const concat: GraphRule<ConcatSpec> = {
  kind: 'concat',
  outShape(_spec, inShapes) {
    if (inShapes.length < 2) throw new Error(`concat needs at least 2 inputs, got ${inShapes.length}`);
    const [first] = inShapes;
    if (inShapes.some((s) => s.length !== first.length || s.some((v, d) => d > 0 && v !== first[d])))
      throw new Error(
        `concat joins channels of inputs that agree on every other axis, got ${inShapes.map((s) => `[${s}]`).join(', ')}`,
      );
    return [inShapes.reduce((a, s) => a + s[0], 0), ...first.slice(1)];
  },
  params: () => [],
  forward: ({ b, name }, xs) => ({ y: b.o('Concat', xs, { axis: 1 }, name) }),
  backward({ b, name, inShapes }, { dy, needDx }) {
    let offset = 0;
    const dxs = inShapes.map(([c], j) => {
      const start = offset;
      offset += c;
      if (!needDx[j]) return undefined;
      return b.o('Slice', [dy, b.ints([start]), b.ints([start + c]), b.ints([1])], undefined, `${name}_dx${j + 1}`);
    });
    return { dxs, grads: {} };
  },
};
