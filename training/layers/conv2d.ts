/**
 * conv2d: n_f filters of n_rs x n_rs over n_ch input channels, stride n_s, zero padding p (or per side
 * [top, left, bottom, right]: uneven, as exporters write for a strided 'same' conv). Kernel, stride and dilation
 * may differ between the axes ([height, width]: Inception's 1x7 and 7x1; conv-geometry.ts); a kernel dilated by d
 * reads every d-th cell.
 * Weight sharing: one [n_f, n_ch, n_rs, n_rs] kernel slides over every receptive field.
 *   forward:  Y = Conv(X, W) + b                      X [N,C,H,W]  W [F,C,kh,kw]  Y [N,F,Ho,Wo]
 *   backward: dX = a Conv of dY with W flipped and transposed at stride 1, for grouped (depthwise) layers and in
 *             inference mode for dense ones with no fewer input channels than filters (conv-dx.ts: there
 *             onnxruntime's ConvTranspose runs slower in wasm);
 *             otherwise dX = ConvTranspose(dY, W) (zero-padded at bottom/right when floor() dropped input rows; with stride
 *             and padding, or uneven padding, only the start padding is cropped by it and the result fitted to X's
 *             size)
 *             dW = Conv(X^T, dY^T, dilation = stride, stride = dilation)^T  (X^T: [C,N,H,W] as batch=C; dY^T as
 *             the kernel)
 *             db = sum of dY over N, Ho, Wo
 * Training step, patches form (im2col), chosen by convForms() where onnxruntime's WASM Conv runs many small
 * matrix products (more filters than output positions, or a small map):
 *   P = patches(X)  [kh*kw*C, N*Ho*Wo], row (i*kw + j)*C + c holds X[n, c, sh*y + dh*i - top, sw*x + dw*j - left]
 *   W2 = W as [F, kh*kw*C] (columns in P's row order)
 *   forward:  Y = Gemm(W2, P) + b as [F, N, Ho, Wo], transposed to [N, F, Ho, Wo]
 *   backward: dW2 = Gemm(dY^T as [F, N*Ho*Wo], P^T): one matrix product for the whole batch
 *   dX stays ConvTranspose: Gemm(W2^T, dY^T) with col2im by Split, Pad and Sum measured slower on the digits net.
 */
import type { GraphBuilder } from '../graph/builder.js';
import { convDx, convDxApplies } from './conv-dx.js';
import { convGeometry, convOutSide, type ConvGeometry, type Pair } from './conv-geometry.js';
import type { Forms, LayerRule } from './types.js';

export { convOutSide, convPads } from './conv-geometry.js';

export interface Conv2dSpec {
  kind: 'conv2d';
  filters: number;
  /** Side of the square kernel, or [height, width]. */
  kernel: Pair;
  /** One stride for both axes (default 1), or [height, width]. */
  stride?: Pair;
  /** Dilation (default 1: no holes), or [height, width]. */
  dilation?: Pair;
  /** Zero padding: the same on every side (a number, 'same' for odd kernels, 'valid' = 0) or per side
   *  [top, left, bottom, right] (ONNX Conv's pads order), as tf2onnx writes for a stride-2 'same' conv. */
  padding?: number | 'same' | 'valid' | [number, number, number, number];
  /** Channel groups (default 1); both the input channels and the filters must split evenly into them. */
  groups?: number;
}

/** Maps of at most this many output positions are small: the direct Conv runs them image by image, slowly. */
const SMALL_MAP = 64;

/**
 * Where the training step uses the patches form: the forward where the filters outnumber the output positions
 * or the map is small; the weight gradient (a Conv whose output positions are the k x k taps and whose filters
 * are the layer's) where the filters outnumber the taps, or the forward built the patches anyway.
 */
export function convForms(
  spec: Conv2dSpec,
  outShape: number[],
  forms: Forms | undefined,
): { forward: boolean; weightGrad: boolean } {
  if ((spec.groups ?? 1) > 1) return { forward: false, weightGrad: false }; // the patches form is dense-only
  if (forms === 'all') return { forward: true, weightGrad: true };
  if (forms !== 'fast') return { forward: false, weightGrad: false };
  const positions = outShape[1] * outShape[2];
  const forward = spec.filters > positions || positions <= SMALL_MAP;
  const { kh, kw } = convGeometry(spec);
  return { forward, weightGrad: forward || spec.filters > kh * kw };
}

/** im2col: X [N,C,H,W] -> P [kh*kw*C, N*Ho*Wo] (see the header), from kh*kw strided slices of padded X^T. */
function patches(b: GraphBuilder, x: string, geo: ConvGeometry, inShape: number[], outShape: number[]): string {
  const { kh, kw, sh, sw, dh, dw } = geo,
    [pt, pl, pb, pr] = geo.pads,
    [, ho, wo] = outShape;
  let xt = b.transpose(x, [1, 0, 2, 3]); // [C, N, H, W]
  if (pt || pl || pb || pr) xt = b.o('Pad', [xt, b.ints([0, 0, pt, pl, 0, 0, pb, pr])], { mode: 'constant' });
  const taps: string[] = [];
  for (let i = 0; i < kh; i++)
    for (let j = 0; j < kw; j++)
      taps.push(
        b.o('Slice', [
          xt,
          b.ints([dh * i, dw * j]),
          b.ints([dh * i + sh * (ho - 1) + 1, dw * j + sw * (wo - 1) + 1]),
          b.ints([2, 3]),
          b.ints([sh, sw]),
        ]),
      );
  const cols = taps.length === 1 ? taps[0] : b.o('Concat', taps, { axis: 0 }); // [kh*kw*C, N, Ho, Wo]
  return b.reshape(cols, [kh * kw * inShape[0], -1]);
}

/** W [F,C,kh,kw] as [F, kh*kw*C] with columns in the patches' row order. */
const weightMatrix = (b: GraphBuilder, w: string, f: number) => b.reshape(b.transpose(w, [0, 2, 3, 1]), [f, -1]);

/**
 * X [N, C, H, W] as [C/g, g*N, H, W]: channel j of group i of image n at [j, i*N + n], so that a Conv with
 * group = g pairs group i's channels with group i's filters (dY^T's output channels i*F/g .. (i+1)*F/g - 1).
 */
function groupedBatch(b: GraphBuilder, x: string, perGroup: number, g: number): string {
  const byGroup = b.transpose(b.o('Reshape', [x, b.ints([0, g, perGroup, -1])]), [2, 1, 0, 3]); // [C/g, g, N, H*W]
  const hw = b.o('Slice', [b.o('Shape', [x]), b.ints([2]), b.ints([4])]);
  return b.o('Reshape', [byGroup, b.o('Concat', [b.ints([perGroup, -1]), hw], { axis: 0 })]);
}

export const conv2d: LayerRule<Conv2dSpec> = {
  kind: 'conv2d',
  outShape(spec, [c, h, w]) {
    const geo = convGeometry(spec),
      { kh, kw, sh, sw, dh, dw, pads } = geo,
      [pt, pl, pb, pr] = pads;
    const counts = [spec.filters, kh, kw, sh, sw, dh, dw];
    if (!(counts.every((v) => Number.isInteger(v) && v >= 1) && pads.every((p) => Number.isInteger(p) && p >= 0)))
      throw new Error(
        `conv2d needs filters, kernel, stride and dilation integers >= 1, padding >= 0; got ${JSON.stringify(spec)}`,
      );
    if (w === undefined)
      throw new Error(`conv2d needs a [C,H,W] input, got [${[c, h].filter((v) => v !== undefined)}]`);
    const g = spec.groups ?? 1;
    if (!(Number.isInteger(g) && g >= 1 && c % g === 0 && spec.filters % g === 0))
      throw new Error(
        `conv2d groups must be an integer >= 1 dividing both ${c} channels and ${spec.filters} filters; got ${g}`,
      );
    const ho = convOutSide(h, geo.eh, sh, pt, pb),
      wo = convOutSide(w, geo.ew, sw, pl, pr);
    if (ho < 1 || wo < 1)
      throw new Error(
        `conv2d kernel ${JSON.stringify(spec.kernel)} (padding [${pads}]) does not fit a ${h}x${w} input`,
      );
    return [spec.filters, ho, wo];
  },
  params(spec, [c]) {
    const { kh, kw } = convGeometry(spec),
      g = spec.groups ?? 1,
      fanIn = (c / g) * kh * kw,
      fanOut = (spec.filters / g) * kh * kw;
    return [
      {
        suffix: 'weight',
        shape: [spec.filters, c / g, kh, kw],
        init: 'he',
        fanIn,
        fanOut,
        trainable: true,
        role: 'weight',
      },
      { suffix: 'bias', shape: [spec.filters], init: 'zeros', fanIn, fanOut, trainable: true, role: 'bias' },
    ];
  },
  // A single side: the longer one (a 1x7 kernel widens the field by 6 steps along the width only).
  receptive: (spec) => {
    const { eh, ew, sh, sw } = convGeometry(spec);
    return { kernel: Math.max(eh, ew), stride: Math.max(sh, sw) };
  },
  // n_ch = C / groups: each filter sees its own group's channels.
  connections: (spec, [c], [f, ho, wo]) => {
    const { kh, kw } = convGeometry(spec);
    return f * ho * wo * kh * kw * (c / (spec.groups ?? 1));
  },
  forward({ b, spec, param, name, mode, forms, inShape, outShape }, x) {
    const geo = convGeometry(spec),
      { kh, kw, sh, sw, dh, dw, pads } = geo;
    if (mode === 'train' && convForms(spec, outShape, forms).forward) {
      const f = spec.filters,
        cols = patches(b, x, geo, inShape, outShape);
      const y2 = b.o('Gemm', [weightMatrix(b, param('weight'), f), cols, b.reshape(param('bias'), [f, 1])]);
      const y = b.transpose(b.reshape(y2, [f, -1, outShape[1], outShape[2]]), [1, 0, 2, 3], name);
      return { y, cache: { patches: cols } };
    }
    const g = spec.groups ?? 1;
    const y = b.o(
      'Conv',
      [x, param('weight'), param('bias')],
      {
        kernel_shape: [kh, kw],
        strides: [sh, sw],
        pads,
        ...(geo.dilated && { dilations: [dh, dw] }),
        ...(g > 1 && { group: g }),
      },
      name,
    );
    return { y };
  },
  backward(ctx, { x, dy, cache, needDx, needParamGrads }) {
    const { b, spec, param, inShape, outShape, name, dynamic } = ctx;
    const geo = convGeometry(spec),
      { kh, kw, sh, sw, dh, dw, eh, ew, pads } = geo,
      [pt, pl, pb, pr] = pads,
      even = pt === pl && pt === pb && pt === pr,
      p = pt,
      strided = sh > 1 || sw > 1,
      f = spec.filters,
      g = spec.groups ?? 1,
      dilations: Record<string, number[]> = geo.dilated ? { dilations: [dh, dw] } : {},
      group: Record<string, number> = g > 1 ? { group: g } : {};
    const forms = ctx.mode === 'train' ? convForms(spec, outShape, ctx.forms) : undefined;
    const grads: Record<string, string> = {};
    let dx: string | undefined;
    if (needDx && convDxApplies(spec, pads, ctx.mode, inShape[0]))
      dx = convDx(b, spec, pads, inShape[0], param('weight'), dy, name);
    else if (needDx && (!even || (strided && p > 0))) {
      // Strided and padded, or padded unevenly: ConvTranspose's end pads would crop real rows along with the unused
      // padding whenever floor() dropped fewer rows than the padding holds. Crop only the start padding, then fit
      // to X's size: rows past X are padding (cut off), rows the windows never reached get zero gradient (padded).
      const full = b.o('ConvTranspose', [dy, param('weight')], {
        kernel_shape: [kh, kw],
        strides: [sh, sw],
        pads: [pt, pl, 0, 0],
        ...dilations,
        ...group,
      });
      const hw = b.o('Slice', [b.o('Shape', [x]), b.ints([2]), b.ints([4])]);
      dx = b.padSpatialTo(b.o('Slice', [full, b.ints([0, 0]), hw, b.ints([2, 3])]), x, `${name}_dx`);
    } else if (needDx) {
      dx = b.o(
        'ConvTranspose',
        [dy, param('weight')],
        { kernel_shape: [kh, kw], strides: [sh, sw], pads: [p, p, p, p], ...dilations, ...group },
        `${name}_dx`,
      );
      // floor() in the output size may drop the last rows/columns of X: they get zero gradient.
      if (strided && (dynamic || (inShape[1] + 2 * p - eh) % sh !== 0 || (inShape[2] + 2 * p - ew) % sw !== 0))
        dx = b.padSpatialTo(dx, x, `${name}_dx_pad`);
    }
    if (needParamGrads && forms?.weightGrad) {
      const cols = cache.patches ?? patches(b, x, geo, inShape, outShape);
      const dy2 = b.reshape(b.transpose(dy, [1, 0, 2, 3]), [f, -1]); // [F, N*Ho*Wo]
      const dw2 = b.o('Gemm', [dy2, cols], { transB: 1 }); // [F, kh*kw*C]
      grads.weight = b.transpose(b.reshape(dw2, [f, kh, kw, inShape[0]]), [0, 3, 1, 2], `${name}_dweight`);
    } else if (needParamGrads) {
      const xt = g > 1 ? groupedBatch(b, x, inShape[0] / g, g) : b.transpose(x, [1, 0, 2, 3]);
      const dyt = b.transpose(dy, [1, 0, 2, 3]);
      // [C/g, F, kh', kw'] with kh' >= kh: tap i of the kernel reads X from row dh * i on, in steps of the stride.
      let dW = b.o('Conv', [xt, dyt], { strides: [dh, dw], dilations: [sh, sw], pads, ...group });
      const side = (n: number, pBegin: number, pEnd: number, s: number, d: number, o: number) =>
        Math.floor((n + pBegin + pEnd - s * (o - 1) - 1) / d) + 1;
      if (side(inShape[1], pt, pb, sh, dh, outShape[1]) !== kh || side(inShape[2], pl, pr, sw, dw, outShape[2]) !== kw)
        dW = b.o('Slice', [dW, b.ints([0, 0]), b.ints([kh, kw]), b.ints([2, 3])]);
      grads.weight = b.transpose(dW, [1, 0, 2, 3], `${name}_dweight`);
    }
    if (needParamGrads) grads.bias = b.reduceSum(dy, [0, 2, 3], 0, `${name}_dbias`);
    return { dx, grads };
  },
};
