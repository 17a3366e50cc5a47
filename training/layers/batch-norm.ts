/**
 * batchnorm over channels ([C,H,W] input: per channel over N,H,W; [F] input: per feature over N).
 *   train:  mu, var from the batch; xhat = (X - mu) / sqrt(var + eps); Y = gamma * xhat + beta.
 *           The batch mu and var leave the graph as state; updateState() moves the running statistics towards
 *           them after each step (unbiased variance, as PyTorch keeps it).
 *   infer:  the ONNX BatchNormalization op with the running statistics.
 *   backward (train): dxhat = dY * gamma;
 *           dX = invstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat));
 *           dgamma = sum(dY * xhat); dbeta = sum(dY).
 *   backward (infer): a per-channel scale, dX = dY * gamma / sqrt(running_var + eps).
 */
import type { LayerCtx, LayerRule } from './types.js';

export interface BatchNormSpec {
  kind: 'batchnorm';
  eps?: number;
}

const axesFor = (inShape: number[]) => (inShape.length === 3 ? [0, 2, 3] : [0]);
/** Broadcastable view of a per-channel [C] parameter against the layer input. */
function perChannel(ctx: LayerCtx<BatchNormSpec>, v: string): string {
  return ctx.inShape.length === 3 ? ctx.b.reshape(v, [1, ctx.inShape[0], 1, 1]) : v;
}

export const batchNorm: LayerRule<BatchNormSpec> = {
  kind: 'batchnorm',
  outShape: (_spec, inShape) => inShape,
  params(_spec, inShape) {
    const c = inShape[0];
    const p = (suffix: string, init: 'ones' | 'zeros', trainable: boolean, role: 'weight' | 'bias' | 'state') => ({
      suffix,
      shape: [c],
      init,
      fanIn: 1,
      fanOut: 1,
      trainable,
      role,
    });
    return [
      p('weight', 'ones', true, 'weight'),
      p('bias', 'zeros', true, 'bias'),
      p('running_mean', 'zeros', false, 'state'),
      p('running_var', 'ones', false, 'state'),
    ];
  },
  forward(ctx, x) {
    const { b, mode, spec, param, name, inShape } = ctx;
    const eps = spec.eps ?? 1e-5;
    if (mode === 'infer') {
      const y = b.o(
        'BatchNormalization',
        [x, param('weight'), param('bias'), param('running_mean'), param('running_var')],
        { epsilon: { float: eps } },
        name,
      );
      return { y };
    }
    const axes = axesFor(inShape);
    const mean = b.reduceMean(x, axes, 1);
    const xc = b.sub(x, mean);
    const variance = b.reduceMean(b.mul(xc, xc), axes, 1);
    const invstd = b.o('Reciprocal', [b.o('Sqrt', [b.add(variance, b.float(eps))])]);
    const xhat = b.mul(xc, invstd);
    const y = b.add(b.mul(xhat, perChannel(ctx, param('weight'))), perChannel(ctx, param('bias')), name);
    const c = inShape[0];
    return {
      y,
      cache: { xhat, invstd },
      state: { batch_mean: b.reshape(mean, [c]), batch_var: b.reshape(variance, [c]) },
    };
  },
  // Cumulative average over the first steps (1/t), then an exponential moving average.
  updateState({ inShape, batch, step, state, params, settings }) {
    const mom = Math.max(settings.bnMomentum, 1 / (step + 1));
    const { batch_mean: m, batch_var: v } = state,
      { running_mean: rm, running_var: rv } = params;
    const count = batch * (inShape.length === 3 ? inShape[1] * inShape[2] : 1);
    for (let i = 0; i < rm.length; i++) {
      rm[i] = (1 - mom) * rm[i] + mom * m[i];
      rv[i] = (1 - mom) * rv[i] + mom * v[i] * (count / (count - 1));
    }
  },
  backward(ctx, { dy, cache, needParamGrads }) {
    const { b, mode, spec, param, name, inShape } = ctx;
    if (mode === 'infer') {
      const eps = spec.eps ?? 1e-5;
      const scale = b.div(param('weight'), b.o('Sqrt', [b.add(param('running_var'), b.float(eps))]));
      return { dx: b.mul(dy, perChannel(ctx, scale), `${name}_dx`), grads: {} };
    }
    const axes = axesFor(inShape);
    const { xhat, invstd } = cache;
    const dxhat = b.mul(dy, perChannel(ctx, param('weight')));
    const meanDxhat = b.reduceMean(dxhat, axes, 1);
    const meanDxhatXhat = b.reduceMean(b.mul(dxhat, xhat), axes, 1);
    const dx = b.mul(invstd, b.sub(b.sub(dxhat, meanDxhat), b.mul(xhat, meanDxhatXhat)), `${name}_dx`);
    const grads: Record<string, string> = {};
    if (needParamGrads) {
      grads.weight = b.reduceSum(b.mul(dy, xhat), axes, 0, `${name}_dweight`);
      grads.bias = b.reduceSum(dy, axes, 0, `${name}_dbias`);
    }
    return { dx, grads };
  },
};
