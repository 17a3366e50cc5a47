/**
 * lrn: local response normalisation across channels (AlexNet, CaffeNet, GoogLeNet), ONNX LRN's definition:
 *   S[c]  = sum of X[c']^2 over c' in [c - lo, c + hi]  (lo = floor((size-1)/2), hi = ceil((size-1)/2), clipped to
 *           the channels)
 *   s[c]  = bias + alpha / size * S[c]
 *   forward:  Y[c] = X[c] s[c]^-beta                           (ONNX LRN)
 *   backward: dX[j] = dY[j] s[j]^-beta  (the direct term)
 *                   - 2 alpha beta / size * X[j] * sum over the c whose window holds j of dY[c] X[c] s[c]^(-beta-1)
 *   j is in c's window when c in [j - hi, j + lo]: the window mirrored. A window sum over the channels is an
 *   AveragePool of [N, 1, C, H*W] with a size x 1 kernel, padded lo before and hi after (count_include_pad: the mean
 *   is the sum over size), so s = bias + alpha * pool(X^2) and the mirrored sum a pool padded hi before, lo after.
 */
import type { GraphBuilder } from '../graph/builder.js';
import type { LayerRule } from './types.js';

export interface LrnSpec {
  kind: 'lrn';
  /** Channels in each window, odd (AlexNet's 5; onnxruntime's LRN refuses even sizes). */
  size: number;
  /** ONNX's defaults: alpha 1e-4, beta 0.75, bias 1. */
  alpha?: number;
  beta?: number;
  bias?: number;
}

const settings = (spec: LrnSpec) => ({
  alpha: spec.alpha ?? 1e-4,
  beta: spec.beta ?? 0.75,
  bias: spec.bias ?? 1,
  lo: Math.floor((spec.size - 1) / 2),
  hi: Math.ceil((spec.size - 1) / 2),
});

/** The mean over a window of channels [c - before, c + after] (zeros past the ends count), shaped like v. */
function channelWindowMean(b: GraphBuilder, v: string, channels: number, size: number, before: number, after: number) {
  const rows = b.o('Reshape', [v, b.ints([0, 1, channels, -1])]); // [N, 1, C, H*W]
  const mean = b.o('AveragePool', [rows], {
    kernel_shape: [size, 1],
    pads: [before, 0, after, 0],
    count_include_pad: 1,
  });
  return b.reshapeLike(mean, v);
}

export const lrn: LayerRule<LrnSpec> = {
  kind: 'lrn',
  outShape(spec, inShape) {
    if (inShape.length !== 3) throw new Error(`lrn needs a [C,H,W] feature map, got [${inShape}]`);
    if (!(Number.isInteger(spec.size) && spec.size >= 1 && spec.size % 2 === 1))
      throw new Error(`lrn size must be an odd integer >= 1 (onnxruntime's LRN takes no other), got ${spec.size}`);
    const { bias, beta } = settings(spec);
    if (!(bias > 0) || !Number.isFinite(beta))
      throw new Error(`lrn needs bias > 0 and a finite beta, got ${JSON.stringify(spec)}`);
    return inShape;
  },
  params: () => [],
  forward({ b, name, spec }, x) {
    const { alpha, beta, bias } = settings(spec);
    return {
      y: b.o(
        'LRN',
        [x],
        { alpha: { float: alpha }, beta: { float: beta }, bias: { float: bias }, size: spec.size },
        name,
      ),
    };
  },
  backward({ b, name, spec, inShape }, { x, dy }) {
    const { alpha, beta, bias, lo, hi } = settings(spec);
    const c = inShape[0];
    const s = b.add(b.float(bias), b.mul(b.float(alpha), channelWindowMean(b, b.mul(x, x), c, spec.size, lo, hi)));
    const r = b.o('Pow', [s, b.float(-beta)]); // s^-beta
    const q = b.div(b.mul(b.mul(dy, x), r), s); // dY X s^(-beta-1)
    const spread = channelWindowMean(b, q, c, spec.size, hi, lo); // the mirrored window's sum / size
    const cross = b.mul(b.mul(x, spread), b.float(2 * alpha * beta));
    return { dx: b.sub(b.mul(dy, r), cross, `${name}_dx`), grads: {} };
  },
};
