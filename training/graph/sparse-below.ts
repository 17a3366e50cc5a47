/**
 * The convolutions' input gradients under the sparse top (sparse-top.ts), by their gradient's nonzero positions
 * only: the top convolution's input gradient is its kernels added around one position per (image, channel), so on
 * the map below it the gradient is nonzero at a few positions (on the bundled shapes model about a fifth of the
 * 32x32 map), stays zero through the positionwise layers (ReLU, inference batch norm; ReLU's mask zeroes more)
 * down to the next convolution, and spreads by one kernel at each. There, with P the (image, position) pairs where
 * any channel of dY is nonzero,
 *   rows[p, :] = dY[n, :, yo, xo]                                (GatherND of dY as [N,Ho,Wo,F])
 *   dXpad[n, s yo + d i, s xo + d j, c] += sum_f rows[p, f] W[f,c,i,j]    (one MatMul [P,F] x [F, kh kw C], scatterAdd)
 * the same sums the dense Conv forms, skipping only its products with zeros: P F kh kw C multiply-adds in place of
 * Ho Wo F kh kw C per image (exact for any P: the positions are found at run time). Taken in the same graphs as the
 * sparse top, for the convolutions under it through positionwise layers whose values nothing else reads and no
 * cotangent is added to (SPARSE_BELOW_DEPTH of them).
 */
import type { Conv2dSpec } from '../layers/conv2d.js';
import { convGeometry } from '../layers/conv-geometry.js';
import type { Net } from './net.js';
import { chain, convUnder, kernelTaps, scatterAdd, type SparseTop } from './sparse-top.js';

export interface SparseBelow {
  /** The convolutions whose input gradients are formed here. */
  convs: number[];
  dx(conv: number, dy: string): string;
}

/**
 * How many convolutions under the top take the gathered rows: on shapes (wasm, one thread, a logit gradient of
 * one image) the first saved 9-13% of the run, the second another 9-12%, a third 2-5% (within the noise): each
 * step down, the nonzero positions spread by the kernel and the convolution is cheaper.
 */
export const SPARSE_BELOW_DEPTH = 2;

/** The convolutions under the sparse top's (at most `depth`, each under the one before), or undefined. */
export function sparseBelow(
  s: Net,
  top: SparseTop | undefined,
  cotangent: (i: number) => string | undefined,
  depth = SPARSE_BELOW_DEPTH,
): SparseBelow | undefined {
  if (!top) return undefined;
  const convs: number[] = [];
  for (let above = top.conv; convs.length < depth;) {
    const conv = convUnder(s, above);
    if (conv < 0 || !chain(s, conv, above, cotangent)) break;
    convs.push((above = conv));
  }
  return convs.length ? { convs, dx: (conv, dy) => gatheredRows(s, conv, dy) } : undefined;
}

function gatheredRows(s: Net, conv: number, dy: string): string {
  const b = s.ctxs[conv].b;
  const c = s.layers[conv].inShapes[0][0],
    f = s.layers[conv].outShape[0];
  const { kh, kw, sh, sw } = convGeometry(s.layers[conv].spec as Conv2dSpec);
  const nhwc = b.transpose(dy, [0, 2, 3, 1]);
  const live = b.o('Greater', [b.o('ReduceMax', [b.o('Abs', [nhwc])], { axes: [3], keepdims: 0 }), b.float(0)]);
  const at = b.transpose(b.o('NonZero', [live]), [1, 0]); // [P, 3]: (n, yo, xo)
  const rows = b.o('GatherND', [nhwc, at]); // [P, F]
  const kernels = b.reshape(b.transpose(s.ctxs[conv].param('weight'), [0, 2, 3, 1]), [f, kh * kw * c]);
  const updates = b.reshape(b.o('MatMul', [rows, kernels]), [-1, c]); // rows (p, i, j)
  const base = b.reshape(b.mul(at, b.ints([1, sh, sw], [1, 3])), [-1, 1, 1, 3]);
  const indices = b.reshape(b.add(base, b.reshape(kernelTaps(s, conv), [1, kh, kw, 3])), [-1, 3]);
  const n = b.o('Slice', [b.o('Shape', [dy]), b.ints([0]), b.ints([1])]);
  return scatterAdd(s, conv, n, indices, updates);
}
