/**
 * layernorm over the channels, per sample and per pixel ([C,H,W]: each pixel's C values; [F]: the F features),
 * with a per-channel scale and shift: ConvNeXt's LayerNorm (channels_last after a permute, or its channels_first
 * form written out), torch's nn.LayerNorm on a pooled vector, ONNX's LayerNormalization over the last axis.
 *   forward: mu = mean_c(X); Xc = X - mu; invstd = 1 / sqrt(mean_c(Xc^2) + eps); xhat = Xc * invstd;
 *            Y = xhat * weight + bias. The same in training and at inference: no running statistics.
 *   backward: dxhat = dY * weight; dX = invstd * (dxhat - mean_c(dxhat) - xhat * mean_c(dxhat * xhat))
 *             (batch norm's formula with the mean over the channels instead of the batch);
 *             dweight = sum over N,H,W of dY * xhat; dbias = sum over N,H,W of dY.
 */
import type { LayerCtx, LayerRule } from './types.js';

export interface LayerNormSpec {
  kind: 'layernorm';
  /** torch's and ONNX's default 1e-5 (ConvNeXt: 1e-6). */
  eps?: number;
}

/** The axes the parameters' gradients sum over: everything but the channels. */
const otherAxes = (inShape: number[]) => (inShape.length === 3 ? [0, 2, 3] : [0]);
/** A per-channel [C] parameter as a view that broadcasts against [N, C, ...]. */
const perChannel = ({ b, inShape }: LayerCtx<LayerNormSpec>, v: string) =>
  inShape.length === 3 ? b.reshape(v, [1, inShape[0], 1, 1]) : v;

export const layerNorm: LayerRule<LayerNormSpec> = {
  kind: 'layernorm',
  outShape(spec, inShape) {
    if (inShape.length !== 3 && inShape.length !== 1)
      throw new Error(`layernorm needs a [C,H,W] map or an [F] vector, got [${inShape}]`);
    if (spec.eps !== undefined && !(spec.eps >= 0)) throw new Error(`layernorm eps must be >= 0, got ${spec.eps}`);
    return inShape;
  },
  params(_spec, inShape) {
    const p = (suffix: string, init: 'ones' | 'zeros', role: 'weight' | 'bias') => ({
      suffix,
      shape: [inShape[0]],
      init,
      fanIn: 1,
      fanOut: 1,
      trainable: true,
      role,
    });
    return [p('weight', 'ones', 'weight'), p('bias', 'zeros', 'bias')];
  },
  forward(ctx, x) {
    const { b, spec, param, name } = ctx;
    const xc = b.sub(x, b.reduceMean(x, [1], 1));
    const variance = b.reduceMean(b.mul(xc, xc), [1], 1);
    const invstd = b.o('Reciprocal', [b.o('Sqrt', [b.add(variance, b.float(spec.eps ?? 1e-5))])]);
    const xhat = b.mul(xc, invstd);
    const y = b.add(b.mul(xhat, perChannel(ctx, param('weight'))), perChannel(ctx, param('bias')), name);
    return { y, cache: { xhat, invstd } };
  },
  backward(ctx, { dy, cache, needParamGrads }) {
    const { b, name, param, inShape } = ctx;
    const { xhat, invstd } = cache;
    const dxhat = b.mul(dy, perChannel(ctx, param('weight')));
    const centred = b.sub(dxhat, b.reduceMean(dxhat, [1], 1));
    const dx = b.mul(invstd, b.sub(centred, b.mul(xhat, b.reduceMean(b.mul(dxhat, xhat), [1], 1))), `${name}_dx`);
    const grads: Record<string, string> = {};
    if (needParamGrads) {
      grads.weight = b.reduceSum(b.mul(dy, xhat), otherAxes(inShape), 0, `${name}_dweight`);
      grads.bias = b.reduceSum(dy, otherAxes(inShape), 0, `${name}_dbias`);
    }
    return { dx, grads };
  },
};
