/**
 * max-pool: the largest value of each k x k window, windows s apart (stride, default k), optionally over a map
 * padded by -inf and in ceil mode (pool-windows.ts).
 * Windows that tile the map (stride == kernel, no padding, floor):
 *   backward without MaxPool's Indices output (onnxruntime-web's WebGPU backend rejects it):
 *   up(Y) = nearest-neighbour upsampling by k; mask = (X == up(Y)) on the covered area;
 *   ties share the gradient: dX = mask * up(dY / count(mask in window)); rows floor() dropped get 0.
 *   With ctx.poolIndices (graphs for the WASM backend only): forward keeps MaxPool's Indices and backward is
 *   MaxUnpool(dY, Indices) to X's shape: the gradient goes to the first maximum of each window.
 * Overlapping, padded or ceil-mode windows (on any backend: MaxUnpool writes rather than adds at an index two
 * windows share): per tap t of the window, mask_t = (X at tap t == Y) with X padded by -inf, so padding never
 * ties; count = sum_t mask_t; column t = mask_t dY / count, summed back onto X by col2im.
 * `global: true` takes each whole map's maximum (GlobalMaxPool, [C,1,1]): a class score then comes from the one
 * place its evidence is strongest; backward: dX = (X == max) * dY / count(maxima), on any backend.
 */
import {
  floats,
  perMap,
  poolAttrs,
  poolGeometry,
  scatterWindows,
  spatial,
  tiledMaxDx,
  tiles,
  type PoolGeometry,
  type PoolWindowSpec,
} from './pool-windows.js';
import type { GraphBuilder } from '../graph/builder.js';
import type { Forms, LayerRule } from './types.js';

export interface MaxPoolSpec extends PoolWindowSpec {
  kind: 'maxpool';
  /** Output side by ceil instead of floor: a last, partial window covers what floor() would drop. */
  ceil?: boolean;
  global?: boolean;
}

const geometry = (spec: MaxPoolSpec, inShape: number[]) => poolGeometry('maxpool', spec, inShape, !!spec.ceil);

/** The windows' backward by masks and col2im (see the header); x, y and dy in [N, C, *, *]. */
function windowsBackward(b: GraphBuilder, g: PoolGeometry, x: string, y: string, dy: string, stem: string): string {
  const { k, s, pads } = g;
  // End padding grows by s - 1 so that a ceil-mode window past the padded map still slices k taps.
  const end = g.ceil ? s - 1 : 0;
  const xp = b.o('Pad', [
    perMap(b, x),
    b.ints([0, 0, pads[0], pads[1], 0, 0, pads[2] + end, pads[3] + end]),
    b.float(-Infinity),
  ]);
  const yr = perMap(b, y);
  // Tap (i, j) of window (oy, ox) is padded row s*oy + i: a strided slice of Ho x Wo rows from (i, j).
  const last = b.mul(b.sub(spatial(b, y), b.ints([1, 1])), b.ints([s, s]));
  const masks: string[] = [];
  for (let i = 0; i < k; i++)
    for (let j = 0; j < k; j++) {
      const from = b.ints([i, j]);
      const tap = b.o('Slice', [xp, from, b.add(b.add(last, from), b.ints([1, 1])), b.ints([2, 3]), b.ints([s, s])]);
      masks.push(b.o('Cast', [b.o('Equal', [tap, yr])], { to: 1 }));
    }
  const share = b.div(perMap(b, dy), masks.length === 1 ? masks[0] : b.o('Sum', masks));
  // [N*C, k*k, Ho, Wo], routed back by kernels one-hot at their tap.
  const cols = b.o(
    'Concat',
    masks.map((m) => b.mul(m, share)),
    { axis: 1 },
  );
  const route = floats(
    b,
    [k * k, 1, k, k],
    Float32Array.from({ length: k ** 4 }, (_, i) => (i % (k * k + 1) === 0 ? 1 : 0)),
  );
  return scatterWindows(b, cols, route, g, x, stem);
}

export const maxPool: LayerRule<MaxPoolSpec> = {
  kind: 'maxpool',
  outShape(spec, [c, h, w]) {
    if (spec.global) {
      if (w === undefined) throw new Error(`maxpool needs a [C,H,W] input, got [${[c, h]}]`);
      return [c, 1, 1];
    }
    return [c, ...geometry(spec, [c, h, w]).out];
  },
  params: () => [],
  // Padding and ceil mode move windows, not their size or step.
  receptive: (spec) =>
    spec.global
      ? { kernel: Infinity, stride: Infinity }
      : { kernel: spec.kernel ?? 2, stride: spec.stride ?? spec.kernel ?? 2 },
  forward({ b, spec, name, poolIndices, inShape }, x) {
    if (spec.global) return { y: b.o('GlobalMaxPool', [x], undefined, name) };
    const g = geometry(spec, inShape),
      k = g.k;
    if (!tiles(g)) return { y: b.o('MaxPool', [x], poolAttrs(g), name) };
    if (poolIndices) {
      const [y, indices] = b.op('MaxPool', [x], { kernel_shape: [k, k], strides: [k, k] }, name, 2);
      return { y, cache: { indices } };
    }
    return { y: b.o('MaxPool', [x], { kernel_shape: [k, k], strides: [k, k] }, name) };
  },
  backward({ b, spec, name, inShape, dynamic }, { x, y, dy, cache }) {
    if (spec.global) {
      // Y and dY are [N,C,1,1]: they broadcast over the map.
      const mask = b.o('Cast', [b.o('Equal', [x, y])], { to: 1 });
      const count = b.reduceSum(mask, [2, 3], 1);
      return { dx: b.mul(mask, b.div(dy, count), `${name}_dx`), grads: {} };
    }
    const g = geometry(spec, inShape),
      k = g.k;
    if (!tiles(g)) return { dx: windowsBackward(b, g, x, y, dy, `${name}_dx`), grads: {} };
    if (cache.indices)
      return {
        dx: b.o(
          'MaxUnpool',
          [dy, cache.indices, b.o('Shape', [x])],
          { kernel_shape: [k, k], strides: [k, k] },
          `${name}_dx`,
        ),
        grads: {},
      };
    const scales = b.o('Constant', [], {
      value: { name: 'scales', dataType: 1, dims: [4], data: Float32Array.of(1, 1, k, k) },
    });
    const up = (v: string) => b.o('Resize', [v, '', scales], { mode: 'nearest' });
    const exact = !dynamic && inShape[1] % k === 0 && inShape[2] % k === 0;
    let dx = tiledMaxDx(b, { x, y, dy, kernel: [k, k], exact, up, name: exact ? `${name}_dx` : undefined });
    if (!exact) dx = b.padSpatialTo(dx, x, `${name}_dx`);
    return { dx, grads: {} };
  },
};

/**
 * Training graphs with forms 'fast' or 'all': a ReLU straight before a max-pool runs after it instead, on a
 * quarter of the values. max and ReLU commute (ReLU is monotonic), and the gradients agree too: a window whose
 * maximum is positive routes dY to the same element either way; one whose maximum is <= 0 gives 0 either way.
 * Only where the pool is the ReLU's one reader (another would need the ReLU's own map), and not for `keep`, a
 * ReLU whose own maps the step penalises (graph/compile.ts ActivityL1). The names stay put: the pool's readers
 * read the ReLU, which now comes after it.
 */
export function poolBeforeRelu<
  L extends {
    kind: string;
    name: string;
    inputs: string[];
    inShape: number[];
    inShapes: number[][];
    outShape: number[];
  },
>(layers: L[], forms: Forms | undefined, keep?: string): L[] {
  if (forms !== 'fast' && forms !== 'all') return layers;
  const out = [...layers];
  const readers = (name: string) => out.filter((l) => l.inputs.includes(name)).length;
  for (let i = 0; i + 1 < out.length; i++)
    // Not before a pool to 1x1 (a global max: little to save).
    if (
      out[i].kind === 'relu' &&
      out[i].name !== keep &&
      out[i + 1].kind === 'maxpool' &&
      out[i + 1].inputs[0] === out[i].name &&
      readers(out[i].name) === 1 &&
      out[i + 1].outShape[1] * out[i + 1].outShape[2] > 1
    ) {
      const [r, m] = [out[i], out[i + 1]];
      out[i] = { ...m, inputs: r.inputs, inShape: r.inShape, inShapes: r.inShapes };
      out[i + 1] = { ...r, inputs: [m.name], inShape: m.outShape, inShapes: [m.outShape], outShape: m.outShape };
      for (let j = i + 2; j < out.length; j++)
        if (out[j].inputs.includes(m.name))
          out[j] = { ...out[j], inputs: out[j].inputs.map((v) => (v === m.name ? r.name : v)) };
      i++;
    }
  return out;
}
