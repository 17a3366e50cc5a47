/**
 * avgpool: the mean of each k x k window, windows s apart (stride, default k), optionally over a zero-padded map
 * (pool-windows.ts); `global: true` averages each whole feature map to 1x1.
 *   count_include_pad (countIncludePad): a window's mean divides by k*k, padding included (true), or by the
 *   number of its input cells (false, ONNX's default: a border window averages only what it sees).
 *   backward, windows that tile the map: dX = up(dY) / (k*k) on the covered area;
 *   otherwise: each window's dY / count spread over its k*k taps by col2im (overlaps add up; padding is dropped);
 *   global: dY / (H*W) broadcast over the map.
 */
import {
  floats,
  perMap,
  poolAttrs,
  poolGeometry,
  scatterWindows,
  spatial,
  tiles,
  type PoolWindowSpec,
} from './pool-windows.js';
import type { LayerRule } from './types.js';

export interface AvgPoolSpec extends PoolWindowSpec {
  kind: 'avgpool';
  countIncludePad?: boolean;
  global?: boolean;
}

const geometry = (spec: AvgPoolSpec, inShape: number[]) => poolGeometry('avgpool', spec, inShape);

export const avgPool: LayerRule<AvgPoolSpec> = {
  kind: 'avgpool',
  outShape(spec, [c, h, w]) {
    if (w === undefined) throw new Error(`avgpool needs a [C,H,W] input, got [${[c, h]}]`);
    if (spec.global) return [c, 1, 1];
    return [c, ...geometry(spec, [c, h, w]).out];
  },
  params: () => [],
  receptive: (spec) => ({
    kernel: spec.global ? Infinity : (spec.kernel ?? 2),
    stride: spec.global ? Infinity : (spec.stride ?? spec.kernel ?? 2),
  }),
  forward({ b, spec, name, inShape }, x) {
    if (spec.global) return { y: b.o('GlobalAveragePool', [x], undefined, name) };
    const g = geometry(spec, inShape);
    if (tiles(g)) return { y: b.o('AveragePool', [x], { kernel_shape: [g.k, g.k], strides: [g.k, g.k] }, name) };
    const attrs = { ...poolAttrs(g), ...(spec.countIncludePad && { count_include_pad: 1 }) };
    return { y: b.o('AveragePool', [x], attrs, name) };
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
    const g = geometry(spec, inShape),
      k = g.k;
    if (!tiles(g)) {
      // Without count_include_pad, each window's count of input cells: k*k times the padded mean of ones [1,1,H,W].
      let cells = b.float(k * k);
      if (!spec.countIncludePad) {
        const ones = b.o('ConstantOfShape', [b.o('Concat', [b.ints([1, 1]), spatial(b, x)], { axis: 0 })], {
          value: { name: 'one', dataType: 1, dims: [1], data: Float32Array.of(1) },
        });
        cells = b.mul(b.o('AveragePool', [ones], { ...poolAttrs(g), count_include_pad: 1 }), cells);
      }
      const spread = floats(b, [1, 1, k, k], new Float32Array(k * k).fill(1));
      return { dx: scatterWindows(b, b.div(perMap(b, dy), cells), spread, g, x, `${name}_dx`), grads: {} };
    }
    const scales = b.o('Constant', [], {
      value: { name: 'scales', dataType: 1, dims: [4], data: Float32Array.of(1, 1, k, k) },
    });
    let dx = b.o('Resize', [b.mul(dy, b.float(1 / (k * k))), '', scales], { mode: 'nearest' }, `${name}_dx`);
    if (dynamic || inShape[1] % k !== 0 || inShape[2] % k !== 0) dx = b.padSpatialTo(dx, x, `${name}_dx_pad`);
    return { dx, grads: {} };
  },
};
