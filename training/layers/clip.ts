/**
 * clip: Y = min(max(X, min), max); either bound may be left out. ReLU6 (MobileNet) is clip 0..6.
 *   backward: dX = dY where min < X < max, else 0 (at a bound, the side the clip holds flat, as relu does at 0).
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
  backward({ b, name, spec }, { x, dy }) {
    const above = spec.min === undefined ? undefined : b.o('Greater', [x, b.float(spec.min)]);
    const below = spec.max === undefined ? undefined : b.o('Less', [x, b.float(spec.max)]);
    const inside = above && below ? b.o('And', [above, below]) : (above ?? below)!;
    return { dx: b.o('Where', [inside, dy, b.float(0)], undefined, `${name}_dx`), grads: {} };
  },
};
