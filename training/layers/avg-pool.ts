/**
 * avgpool: the mean of each k x k window, k apart; `global: true` averages each whole feature map to 1x1.
 *   backward: dX = up(dY) / (k*k) on the covered area (global: dY / (H*W) broadcast over the map).
 */
import type { LayerRule } from './types.js';

export interface AvgPoolSpec {
  kind: 'avgpool';
  kernel?: number;
  global?: boolean;
}

export const avgPool: LayerRule<AvgPoolSpec> = {
  kind: 'avgpool',
  outShape(spec, [c, h, w]) {
    if (w === undefined) throw new Error(`avgpool needs a [C,H,W] input, got [${[c, h]}]`);
    if (spec.global) return [c, 1, 1];
    const k = spec.kernel ?? 2;
    if (h < k || w < k) throw new Error(`avgpool kernel ${k} does not fit a ${h}x${w} input`);
    return [c, Math.floor(h / k), Math.floor(w / k)];
  },
  params: () => [],
  receptive: (spec) => ({
    kernel: spec.global ? Infinity : (spec.kernel ?? 2),
    stride: spec.global ? Infinity : (spec.kernel ?? 2),
  }),
  forward({ b, spec, name }, x) {
    if (spec.global) return { y: b.o('GlobalAveragePool', [x], undefined, name) };
    const k = spec.kernel ?? 2;
    return { y: b.o('AveragePool', [x], { kernel_shape: [k, k], strides: [k, k] }, name) };
  },
  backward({ b, spec, name, inShape, dynamic }, { x, dy }) {
    if (spec.global) {
      // dX[n,c,i,j] = dY[n,c] / (H*W); Expand broadcasts to X's (possibly symbolic) shape.
      const area = b.o(
        'Cast',
        [b.o('ReduceProd', [b.o('Slice', [b.o('Shape', [x]), b.ints([2]), b.ints([4])])], { keepdims: 0 })],
        { to: 1 },
      );
      return { dx: b.o('Expand', [b.div(dy, area), b.o('Shape', [x])], undefined, `${name}_dx`), grads: {} };
    }
    const k = spec.kernel ?? 2;
    const scales = b.o('Constant', [], {
      value: { name: 'scales', dataType: 1, dims: [4], data: Float32Array.of(1, 1, k, k) },
    });
    let dx = b.o('Resize', [b.mul(dy, b.float(1 / (k * k))), '', scales], { mode: 'nearest' }, `${name}_dx`);
    if (dynamic || inShape[1] % k !== 0 || inShape[2] % k !== 0) dx = b.padSpatialTo(dx, x, `${name}_dx_pad`);
    return { dx, grads: {} };
  },
};
