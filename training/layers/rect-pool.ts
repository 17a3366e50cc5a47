/**
 * rectpool: max or mean of kh x kw windows that tile the map (stride = kernel per axis, no padding, floor), for the
 * non-square windows imported models pool by (a text recogniser's MaxPool (2, 1), an audio CNN's (1, 2)); square
 * windows are maxpool's and avgpool's. Shapes [C,H,W] -> [C, floor(H / kh), floor(W / kw)].
 *   forward: ONNX MaxPool / AveragePool with kernel_shape = strides = [kh, kw].
 *   backward: up(v) = nearest-neighbour upsampling by [kh, kw]; rows and columns floor() dropped get 0.
 *     avg: dX = up(dY) / (kh kw).
 *     max: mask = (X == up(Y)) on the covered area; ties share: dX = mask * up(dY / count(mask in window)).
 */
import type { GraphBuilder } from '../graph/builder.js';
import { tiledMaxDx } from './pool-windows.js';
import type { LayerRule } from './types.js';

export interface RectPoolSpec {
  kind: 'rectpool';
  op: 'max' | 'avg';
  /** [height, width] of each window, also the step between them. */
  kernel: [number, number];
}

/** v upsampled by [kh, kw] (nearest). */
function up(b: GraphBuilder, v: string, [kh, kw]: [number, number]) {
  const scales = b.o('Constant', [], {
    value: { name: 'scales', dataType: 1, dims: [4], data: Float32Array.of(1, 1, kh, kw) },
  });
  return b.o('Resize', [v, '', scales], { mode: 'nearest' });
}

export const rectPool: LayerRule<RectPoolSpec> = {
  kind: 'rectpool',
  outShape(spec, [c, h, w]) {
    const [kh, kw] = spec.kernel ?? [];
    if (w === undefined) throw new Error(`rectpool needs a [C,H,W] input, got [${[c, h]}]`);
    if (spec.op !== 'max' && spec.op !== 'avg') throw new Error(`rectpool op must be 'max' or 'avg', got ${spec.op}`);
    if (!(Number.isInteger(kh) && Number.isInteger(kw) && kh >= 1 && kw >= 1 && kh <= h && kw <= w))
      throw new Error(`rectpool kernel must be [kh, kw], integers from 1 to the ${h}x${w} map, got [${spec.kernel}]`);
    return [c, Math.floor(h / kh), Math.floor(w / kw)];
  },
  params: () => [],
  receptive: (spec) => ({ kernel: Math.max(...spec.kernel), stride: Math.max(...spec.kernel) }),
  forward: ({ b, spec, name }, x) => ({
    y: b.o(
      spec.op === 'max' ? 'MaxPool' : 'AveragePool',
      [x],
      { kernel_shape: spec.kernel, strides: spec.kernel },
      name,
    ),
  }),
  backward({ b, spec, name, inShape, dynamic }, { x, y, dy }) {
    const [kh, kw] = spec.kernel;
    const exact = !dynamic && inShape[1] % kh === 0 && inShape[2] % kw === 0;
    const done = (dx: string) => ({
      dx: exact ? b.o('Identity', [dx], undefined, `${name}_dx`) : b.padSpatialTo(dx, x, `${name}_dx`),
      grads: {},
    });
    if (spec.op === 'avg') return done(up(b, b.mul(dy, b.float(1 / (kh * kw))), spec.kernel));
    const upK = (v: string) => up(b, v, spec.kernel);
    return done(tiledMaxDx(b, { x, y, dy, kernel: spec.kernel, exact, up: upK }));
  },
};
