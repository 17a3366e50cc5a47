/**
 * conv2d's input gradient at stride 1 for grouped (depthwise) layers as a plain grouped Conv: onnxruntime's
 * ConvTranspose runs a matrix product and a col2im per group, its grouped Conv a depthwise kernel (in wasm, 2x
 * faster on MobileNet's 3x3 depthwise layers; npm run profile:imported). At stride 1,
 *   Y[n,f,y,x] = sum_{c in f's group, i, j} W[f,c,i,j] X[n,c, y + i - pt, x + j - pl]
 *   dX[n,c,u,v] = sum_{f in c's group, i, j} W[f,c,i,j] dY[n,f, u + pt - i, v + pl - j]
 * and with i' = k-1-i this is a Conv of dY with each group's [F/g, C/g] block of W transposed and the kernel
 * flipped (W' [C, F/g, k, k]), padded k-1-p on each side: the output is X's size (Ho = H + pt + pb - k + 1).
 * Strided layers keep ConvTranspose: dY dilated by zeros, then a Conv, measured 2-3x slower than it.
 */
import type { GraphBuilder } from '../graph/builder.js';
import type { Conv2dSpec } from './conv2d.js';

/** Whether convDx emits this layer's input gradient: grouped, stride 1, each padding at most k-1 (ONNX pads are >= 0). */
export function convDxApplies(spec: Conv2dSpec, pads: [number, number, number, number]): boolean {
  return (spec.groups ?? 1) > 1 && (spec.stride ?? 1) === 1 && pads.every((p) => p <= spec.kernel - 1);
}

/** W [F, C/g, k, k] -> W' [C, F/g, k, k]: each group's block transposed, the kernel flipped in both axes. */
function flippedTranspose(b: GraphBuilder, w: string, f: number, cg: number, g: number, k: number): string {
  const fg = f / g;
  let t = w;
  if (fg > 1 || cg > 1) {
    const blocks = b.transpose(b.reshape(w, [g, fg, cg, k, k]), [0, 2, 1, 3, 4]); // [g, C/g, F/g, k, k]
    t = b.reshape(blocks, [g * cg, fg, k, k]);
  }
  if (k === 1) return t;
  const end = -(2 ** 31); // past the start, backwards
  return b.o('Slice', [t, b.ints([-1, -1]), b.ints([end, end]), b.ints([2, 3]), b.ints([-1, -1])]);
}

export function convDx(
  b: GraphBuilder,
  spec: Conv2dSpec,
  pads: [number, number, number, number],
  channels: number,
  weight: string,
  dy: string,
  name: string,
): string {
  const k = spec.kernel,
    g = spec.groups ?? 1;
  const wt = flippedTranspose(b, weight, spec.filters, channels / g, g, k);
  const [pt, pl, pb, pr] = pads.map((p) => k - 1 - p);
  return b.o('Conv', [dy, wt], { kernel_shape: [k, k], pads: [pt, pl, pb, pr], group: g }, `${name}_dx`);
}
