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
 * Training step with forms 'fast' or 'all' (the same values, fewer full-size passes, which onnxruntime's WASM
 * kernels run slowly): Y = BatchNormalization(X, gamma, beta, mu, var) fed the batch statistics, and with
 * Xc = X - mu, M = the count per channel, g = gamma * invstd, dbeta = sum(dY), dgamma = invstd * sum(dY * Xc):
 *   dX = g * dY + a * Xc + c,  a = -g * invstd * dgamma / M,  c = -g * dbeta / M
 * (the formula above expanded); a * Xc + c runs as one per-channel BatchNormalization (mean 0, var 1, eps 0).
 */
import type { ForwardResult, LayerCtx, LayerRule } from './types.js';

export interface BatchNormSpec {
  kind: 'batchnorm';
  eps?: number;
}

const axesFor = (inShape: number[]) => (inShape.length === 3 ? [0, 2, 3] : [0]);
const fused = (ctx: LayerCtx<BatchNormSpec>) => ctx.mode === 'train' && (ctx.forms === 'fast' || ctx.forms === 'all');
/** A constant [C] vector. */
const filled = (ctx: LayerCtx<BatchNormSpec>, v: number) =>
  ctx.b.o('Constant', [], {
    value: { name: `fill${v}`, dataType: 1, dims: [ctx.inShape[0]], data: new Float32Array(ctx.inShape[0]).fill(v) },
  });
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
  forward(ctx, x): ForwardResult {
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
    const c = inShape[0];
    if (fused(ctx)) {
      const [batchMean, batchVar] = [b.reshape(mean, [c]), b.reshape(variance, [c])];
      const y = b.o(
        'BatchNormalization',
        [x, param('weight'), param('bias'), batchMean, batchVar],
        { epsilon: { float: eps } },
        name,
      );
      return { y, cache: { xc, invstd }, state: { batch_mean: batchMean, batch_var: batchVar } };
    }
    const xhat = b.mul(xc, invstd);
    const y = b.add(b.mul(xhat, perChannel(ctx, param('weight'))), perChannel(ctx, param('bias')), name);
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
    if (fused(ctx)) return fusedBackward(ctx, dy, cache, needParamGrads);
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

/** The training backward of the fused form (see the header): three full-size passes and two reductions. */
function fusedBackward(
  ctx: LayerCtx<BatchNormSpec>,
  dy: string,
  cache: Record<string, string>,
  needParamGrads: boolean,
) {
  const { b, param, name, inShape } = ctx;
  const axes = axesFor(inShape),
    c = inShape[0];
  const { xc, invstd } = cache;
  // M = N * H * W at run time (the batch is symbolic).
  const count = b.div(b.o('Cast', [b.o('Size', [dy])], { to: 1 }), b.float(c));
  const dbeta = b.reduceSum(dy, axes, 0); // [C]
  const istd = b.reshape(invstd, [c]);
  const dgamma = b.mul(istd, b.reduceSum(b.mul(dy, xc), axes, 0));
  const g = b.mul(param('weight'), istd);
  const gm = b.o('Neg', [b.div(g, count)]);
  const a = b.mul(b.mul(gm, istd), dgamma),
    shift = b.mul(gm, dbeta);
  const affine = b.o('BatchNormalization', [xc, a, shift, filled(ctx, 0), filled(ctx, 1)], { epsilon: { float: 0 } });
  const dx = b.add(b.mul(dy, perChannel(ctx, g)), affine, `${name}_dx`);
  const grads: Record<string, string> = {};
  if (needParamGrads) {
    grads.weight = b.o('Identity', [dgamma], undefined, `${name}_dweight`);
    grads.bias = b.o('Identity', [dbeta], undefined, `${name}_dbias`);
  }
  return { dx, grads };
}
