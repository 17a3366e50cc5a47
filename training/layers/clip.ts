/**
 * clip: Y = min(max(X, min), max); either bound may be left out. ReLU6 (MobileNet) is clip 0..6.
 *   backward: dX = dY where Y = X (min <= X <= max), else 0: two elementwise nodes (Equal, Where) where the
 *   strict min < X < max took four (Greater, Less, And, Where), ReLU6's backward being the costliest op of an
 *   imported MobileNetV2's input gradient. At X exactly on a bound it passes dY: the derivative from inside, a
 *   valid subgradient at the kink (gradients are checked away from kinks).
 */
import type { LayerRule } from './types.js';

export interface ClipSpec {
  kind: 'clip';
  min?: number;
  max?: number;
}

export const clip: LayerRule<ClipSpec> = {
  kind: 'clip',
  outShape(spec, inShape) {
    const { min, max } = spec;
    const ok = (v: number | undefined) => v === undefined || Number.isFinite(v);
    if (!ok(min) || !ok(max) || (min === undefined && max === undefined) || (min ?? -Infinity) >= (max ?? Infinity))
      throw new Error(`clip needs a finite min, max or both, with min < max; got ${JSON.stringify(spec)}`);
    return inShape;
  },
  params: () => [],
  forward: ({ b, name, spec }, x) => ({
    // Clip (opset 11+) takes its bounds as optional inputs; '' leaves one out.
    y: b.o(
      'Clip',
      [x, spec.min === undefined ? '' : b.float(spec.min), spec.max === undefined ? '' : b.float(spec.max)],
      undefined,
      name,
    ),
  }),
  backward({ b, name }, { x, y, dy }) {
    const inside = b.o('Equal', [y, x]);
    return { dx: b.o('Where', [inside, dy, b.float(0)], undefined, `${name}_dx`), grads: {} };
  },
};
