/**
 * conv2d's input gradient at stride 1 as a plain Conv, for grouped (depthwise) layers and, in the inference-mode
 * gradient graphs the edge runs, for dense ones with at least as many input channels as filters: onnxruntime's
 * ConvTranspose runs a matrix product and a col2im per group, its grouped Conv a depthwise kernel (in wasm, 2x
 * faster on MobileNet's 3x3 depthwise layers; npm run profile:imported), and its dense Conv an im2col of dY and one
 * matrix product with a row per input channel. Alone in wasm (one thread, batch 1 and 32), a 3x3 64 -> 64 layer's
 * backward at 32x32 ran 7-12% faster as the Conv; with fewer input channels than filters (digits' 5x5 1 -> 16 at
 * 28x28: 2.5x slower at batch 32, 3x3 32 -> 64: 1.2-1.4x) the im2col of dY outgrows ConvTranspose's col2im and
 * the Conv's few rows use the matrix kernels poorly, so those keep ConvTranspose. At stride 1,
 *   Y[n,f,y,x] = sum_{c in f's group, i, j} W[f,c,i,j] X[n,c, y + i - pt, x + j - pl]
 *   dX[n,c,u,v] = sum_{f in c's group, i, j} W[f,c,i,j] dY[n,f, u + pt - i, v + pl - j]
 * and with i' = k-1-i this is a Conv of dY with each group's [F/g, C/g] block of W transposed and the kernel
 * flipped (W' [C, F/g, k, k]), padded k-1-p on each side: the output is X's size (Ho = H + pt + pb - k + 1). A kernel
 * dilated by d reads dY[u + pt - d i] the same way: the flipped kernel keeps the dilation, the padding e-1-p (e, the
 * span d(k-1) + 1, for k). The weight's transpose and flip are constants in the inference graphs (folded when the
 * session loads).
 * Strided layers keep ConvTranspose: dY dilated by zeros, then a Conv, measured 2-3x slower than it.
 */
import type { GraphBuilder } from '../graph/builder.js';
import type { Conv2dSpec } from './conv2d.js';
import { convGeometry } from './conv-geometry.js';
import type { Mode } from './types.js';

/**
 * Whether convDx emits this layer's input gradient: stride 1, each padding at most e-1 (ONNX pads are >= 0), and
 * grouped, or dense with `channels` (the layer's input channels) >= its filters in inference mode (the training
 * step's dense layers keep ConvTranspose: their weights are inputs there).
 */
export function convDxApplies(
  spec: Conv2dSpec,
  pads: [number, number, number, number],
  mode: Mode,
  channels: number,
): boolean {
  const { sh, sw, eh, ew } = convGeometry(spec);
  const [pt, pl, pb, pr] = pads;
  return (
    ((spec.groups ?? 1) > 1 || (mode === 'infer' && channels >= spec.filters)) &&
    sh === 1 &&
    sw === 1 &&
    Math.max(pt, pb) <= eh - 1 &&
    Math.max(pl, pr) <= ew - 1
  );
}

/** W [F, C/g, kh, kw] -> W' [C, F/g, kh, kw]: each group's block transposed, the kernel flipped in both axes. */
function flippedTranspose(b: GraphBuilder, w: string, f: number, cg: number, g: number, kh: number, kw: number) {
  const fg = f / g;
  let t = w;
  if (fg > 1 || cg > 1) {
    const blocks = b.transpose(b.reshape(w, [g, fg, cg, kh, kw]), [0, 2, 1, 3, 4]); // [g, C/g, F/g, kh, kw]
    t = b.reshape(blocks, [g * cg, fg, kh, kw]);
  }
  if (kh === 1 && kw === 1) return t;
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
  const { kh, kw, dh, dw, eh, ew, dilated } = convGeometry(spec),
    g = spec.groups ?? 1;
  const wt = flippedTranspose(b, weight, spec.filters, channels / g, g, kh, kw);
  const [pt, pl, pb, pr] = [eh - 1 - pads[0], ew - 1 - pads[1], eh - 1 - pads[2], ew - 1 - pads[3]];
  return b.o(
    'Conv',
    [dy, wt],
    { kernel_shape: [kh, kw], pads: [pt, pl, pb, pr], ...(dilated && { dilations: [dh, dw] }), group: g },
    `${name}_dx`,
  );
}
