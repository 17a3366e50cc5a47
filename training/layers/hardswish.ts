/**
 * hardswish (ONNX HardSwish, MobileNetV3): Y = X max(0, min(1, X/6 + 1/2)): 0 below -3, X above 3.
 *   backward: dX = dY (X/3 + 1/2) for -3 < X < 3; dY above 3; 0 below -3.
 */
import type { LayerRule } from './types.js';

export interface HardSwishSpec {
  kind: 'hardswish';
}

export const hardSwish: LayerRule<HardSwishSpec> = {
  kind: 'hardswish',
  outShape: (_spec, inShape) => inShape,
  params: () => [],
  forward: ({ b, name }, x) => ({ y: b.o('HardSwish', [x], undefined, name) }),
  backward({ b, name }, { x, dy }) {
    const slope = b.o('Where', [
      b.o('Less', [x, b.float(-3)]),
      b.float(0),
      b.o('Where', [b.o('Greater', [x, b.float(3)]), b.float(1), b.add(b.mul(x, b.float(1 / 3)), b.float(0.5))]),
    ]);
    return { dx: b.mul(dy, slope, `${name}_dx`), grads: {} };
  },
};
