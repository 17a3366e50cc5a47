/**
 * mul: the elementwise product of two values, one of which may hold 1 where the other holds a size (broadcast
 * per sample, as numpy): a squeeze-excite gate [C,1,1] times a map [C,H,W] scales each channel by its gate.
 *   forward:  Y = A * B                       (ONNX Mul, broadcasting)
 *   backward: dA = sum of dY * B over the axes A was broadcast along (kept as size 1), dB likewise with A
 */
import type { GraphRule } from './graph-rule.js';

export interface MulSpec {
  kind: 'mul';
}

export const mul: GraphRule<MulSpec> = {
  kind: 'mul',
  outShape(_spec, inShapes) {
    const [a, b] = inShapes;
    if (inShapes.length !== 2) throw new Error(`mul needs 2 inputs, got ${inShapes.length}`);
    if (a.length !== b.length || a.some((v, d) => v !== b[d] && v !== 1 && b[d] !== 1))
      throw new Error(
        `mul needs inputs of one rank whose sizes agree or are 1 (a gate [C,1,1] and a map [C,H,W]), got [${a}], [${b}]`,
      );
    return a.map((v, d) => Math.max(v, b[d]));
  },
  params: () => [],
  forward: ({ b, name }, [x1, x2]) => ({ y: b.o('Mul', [x1, x2], undefined, name) }),
  backward({ b, name, inShapes, outShape, dynamic }, { xs: [x1, x2], dy, needDx }) {
    const dxs = [x2, x1].map((other, j) => {
      if (!needDx[j]) return undefined;
      // Broadcast axes: size 1 here but not in Y. With symbolic H and W (dynamic) a 1 at the nominal size may
      // grow, so every spatial 1 is summed over (a no-op where Y has 1 too).
      const axes = inShapes[j].flatMap((v, d) => (v === 1 && (outShape[d] > 1 || (dynamic && d > 0)) ? [d + 1] : []));
      const g = b.mul(dy, other);
      return axes.length ? b.reduceSum(g, axes, 1, `${name}_dx${j + 1}`) : g;
    });
    return { dxs, grads: {} };
  },
};
