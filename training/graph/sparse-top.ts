/**
 * The backward pass of a global max-pool's windows down to the convolution under them, without a dense
 * convolution: below GlobalMaxPool each (image, channel) has its gradient at one position, so the convolution's
 * input gradient is its kernels, each scaled by one number, added at one place each.
 *   conv2d (groups 1) -> positionwise layers (relu, inference batch norm) -> global maxpool
 * p[n,f] = the first position of the pool's input maximum (ArgMax: the gradient goes to the first maximum, as
 * MaxUnpool routes the tiling windows' in the graphs the WASM backend runs); g[n,f] = the pool's dY times each
 * positionwise layer's derivative at p (its own backward rule run on the values at p, [N,F,1,1]); and with
 * (yo, xo) = p's row and column, for stride s and dilation d,
 *   dXpad[n, s yo + d i, s xo + d j, c] += g[n,f] W[f,c,i,j]     (scatterAdd, over the padded map)
 * then dX = dXpad without its padding, as [N,C,H,W]. F kh kw C additions in place of a Conv over every position
 * (shapes' last layer: 37,000 for 38 million multiply-adds). Taken only where nothing else reads the values in
 * between and no cotangent is added to them (input-grad adds one at every layer: it keeps the dense rules), in
 * inference mode without parameter gradients, static shapes, and graphs that may use MaxPool's Indices.
 */
import { ruleFor } from '../layers/registry.js';
import type { Conv2dSpec } from '../layers/conv2d.js';
import { convGeometry } from '../layers/conv-geometry.js';
import type { Net } from './net.js';

const POSITIONWISE = new Set(['relu', 'batchnorm']);

export interface SparseTop {
  /** The global max-pool's layer index and the convolution's: the backward pass jumps from one to the other. */
  pool: number;
  conv: number;
  /** The convolution's input gradient from the pool's dY [N,F,1,1]. */
  dx(dy: string): string;
}

/** The pattern above, at the net's last global max-pool, or undefined. */
export function sparseTop(s: Net, cotangent: (i: number) => string | undefined): SparseTop | undefined {
  let pool = s.layers.length - 1;
  while (pool > 0 && !(s.layers[pool].kind === 'maxpool' && (s.layers[pool].spec as { global?: boolean }).global))
    pool--;
  if (pool < 1) return undefined;
  const ctx = s.ctxs[pool];
  if (ctx.mode !== 'infer' || !ctx.poolIndices || ctx.dynamic) return undefined;
  const conv = convUnder(s, pool);
  if (conv < 0) return undefined;
  if (!chain(s, conv, pool, cotangent)) return undefined;
  return { pool, conv, dx: (dy) => scatterKernels(s, conv, pool, dy) };
}

/** Whether each value from layer `from` up to layer `to`'s input is read by the next layer alone, with no cotangent. */
export function chain(s: Net, from: number, to: number, cotangent: (i: number) => string | undefined): boolean {
  for (let i = from; i < to; i++) {
    const readers = s.layers.filter((l) => l.inputs.includes(s.layers[i].name));
    if (readers.length !== 1 || readers[0] !== s.layers[i + 1] || s.layers[i + 1].inputs.length !== 1) return false;
    if (cotangent(i) !== undefined) return false;
  }
  return true;
}

/** The positionwise layers between a convolution and the layer at `top` (exclusive): its index, or -1. */
export function convUnder(s: Net, top: number): number {
  let conv = top - 1;
  while (conv > 0 && POSITIONWISE.has(s.layers[conv].kind)) conv--;
  const spec = s.layers[conv]?.spec as Conv2dSpec | undefined;
  return s.layers[conv]?.kind === 'conv2d' && (spec?.groups ?? 1) === 1 ? conv : -1;
}

function scatterKernels(s: Net, conv: number, pool: number, dyPool: string): string {
  const b = s.ctxs[pool].b;
  const spec = s.layers[conv].spec as Conv2dSpec;
  const c = s.layers[conv].inShapes[0][0],
    [f, ho, wo] = s.layers[conv].outShape;
  const { kh, kw, sh, sw } = convGeometry(spec);
  // Every value of the chain at p, as [N,F,1,1]: what the positionwise rules read.
  const at = (v: string, p: string) =>
    b.reshape(b.o('GatherElements', [b.reshape(v, [0, f, ho * wo]), p], { axis: 2 }), [0, f, 1, 1]);
  const p = b.o('ArgMax', [b.reshape(s.xs[pool][0], [0, f, ho * wo])], { axis: 2, keepdims: 1 }); // [N,F,1]
  let g = dyPool;
  for (let i = pool - 1; i > conv; i--) {
    const r = ruleFor(s.layers[i].kind).backward!(s.ctxs[i], {
      xs: [at(s.xs[i][0], p)],
      y: at(s.fwd[i].y, p),
      dy: g,
      cache: {},
      needDx: [true],
      needParamGrads: false,
    });
    g = r.dxs[0]!;
  }
  // Indices (n, s yo + d i, s xo + d j) into the padded map [N, Hp, Wp, C], one row per (n, f, i, j).
  const yo = b.o('Div', [p, b.ints([wo], [])]),
    xo = b.o('Mod', [p, b.ints([wo], [])]);
  const n = b.o('Slice', [b.o('Shape', [dyPool]), b.ints([0]), b.ints([1])]);
  const images = b.o('Expand', [
    b.reshape(b.o('Range', [b.ints([0], []), b.o('Squeeze', [n]), b.ints([1], [])]), [-1, 1, 1, 1, 1]),
    b.ints([1, f, 1, 1, 1]),
  ]);
  const base = b.o(
    'Concat',
    [
      images,
      b.reshape(b.mul(yo, b.ints([sh], [])), [0, f, 1, 1, 1]),
      b.reshape(b.mul(xo, b.ints([sw], [])), [0, f, 1, 1, 1]),
    ],
    { axis: 4 },
  );
  const indices = b.reshape(b.add(base, kernelTaps(s, conv)), [-1, 3]);
  // Updates g[n,f] W[f,:,i,j], rows in the indices' order: W as [1, F, kh, kw, C].
  const kernels = b.transpose(b.reshape(s.ctxs[conv].param('weight'), [1, f, c, kh, kw]), [0, 1, 3, 4, 2]);
  const updates = b.reshape(b.mul(b.reshape(g, [0, f, 1, 1, 1]), kernels), [-1, c]);
  return scatterAdd(s, conv, n, indices, updates);
}

/** The kernel taps' offsets (0, d i, d j) in the padded map, as [1, 1, kh, kw, 3]. */
export function kernelTaps(s: Net, conv: number): string {
  const { kh, kw, dh, dw } = convGeometry(s.layers[conv].spec as Conv2dSpec);
  const taps = Array.from({ length: kh * kw }, (_, t) => [0, dh * Math.floor(t / kw), dw * (t % kw)]).flat();
  return s.ctxs[conv].b.ints(taps, [1, 1, kh, kw, 3]);
}

/**
 * The convolution's input gradient from `updates` [R, C] added at `indices` [R, 3] (n, row, column of the padded
 * map [N, Hp, Wp, C]; `n` the batch size, [1]), the padding cropped, as [N,C,H,W]. Rows repeat places (kernels
 * overlap), so the sum is ScatterElements' (reduction add) over the flattened map, one index per value:
 * onnxruntime's ScatterND splits its rows between threads, and rows adding into one place then race (in Node,
 * where onnxruntime-web runs two threads, the sums came out different from run to run).
 */
export function scatterAdd(s: Net, conv: number, n: string, indices: string, updates: string): string {
  const b = s.ctxs[conv].b;
  const [c, h, w] = s.layers[conv].inShapes[0];
  const [pt, pl, pb, pr] = convGeometry(s.layers[conv].spec as Conv2dSpec).pads;
  const [hp, wp] = [h + pt + pb, w + pl + pr];
  const mapShape = b.o('Concat', [n, b.ints([hp, wp, c])], { axis: 0 });
  const zeros = b.o('ConstantOfShape', [b.o('ReduceProd', [mapShape], { keepdims: 1 })]);
  // Each row's first value's offset in the flattened map, then one offset per channel.
  const rowAt = b.o('ReduceSum', [b.mul(indices, b.ints([hp * wp * c, wp * c, c], [1, 3])), b.ints([1])], {
    keepdims: 1,
  });
  const at = b.reshape(
    b.add(
      rowAt,
      b.ints(
        Array.from({ length: c }, (_, i) => i),
        [1, c],
      ),
    ),
    [-1],
  );
  const flat = b.o('ScatterElements', [zeros, at, b.reshape(updates, [-1])], { axis: 0, reduction: 'add' });
  const padded = b.o('Reshape', [flat, mapShape]);
  const crop = b.o('Slice', [padded, b.ints([pt, pl]), b.ints([pt + h, pl + w]), b.ints([1, 2])]);
  return b.transpose(crop, [0, 3, 1, 2], `${s.layers[conv].name}_dx`);
}
