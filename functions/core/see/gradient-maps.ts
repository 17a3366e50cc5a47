/**
 * Maps from the input gradient:
 *   gradient             |d logit_c / d x|                               (Simonyan et al. 2014)
 *   gradient-x-input     x * d logit_c / d x                             (Shrikumar et al. 2016)
 *   smoothgrad           |mean_i d logit_c / d x at x + N(0, sigma^2)|   (Smilkov et al. 2017)
 *   integrated-gradients (x - x0) * mean_k d logit_c / d x at x0 + k/m (x - x0), x0 = black (Sundararajan et al. 2017);
 *                        completeness: the map sums to logit_c(x) - logit_c(x0)
 * A [C,H,W] gradient becomes one value per pixel: the channel with the largest magnitude.
 */
import { forward, inputSize, logitsLayer, oneHot, vjp } from '../gradient.js';
import type { Model } from '../model.js';
import { Rng } from '../../../model-contract/random.js';
import type { SaliencyMethod } from './method.js';

function perPixel(model: Model, g: Float32Array, combine: (v: number, i: number) => number): Float32Array {
  const [c, h, w] = model.meta.input.shape,
    hw = h * w,
    map = new Float32Array(hw);
  for (let p = 0; p < hw; p++) {
    let best = 0;
    for (let ch = 0; ch < c; ch++) {
      const v = combine(g[ch * hw + p], ch * hw + p);
      if (Math.abs(v) > Math.abs(best)) best = v;
    }
    map[p] = best;
  }
  return map;
}

/** The input gradient of the target logit for a batch of n images. */
async function logitGrad(model: Model, batch: Float32Array, n: number, target: number) {
  const k = model.meta.labels.length;
  const cot = { [logitsLayer(model)]: oneHot(n, k, target) };
  return (await vjp(model, batch, [n, ...model.meta.input.shape], cot)).grad;
}

export const gradient: SaliencyMethod = {
  signed: false,
  layer: false,
  work: () => [{ kind: 'grad', runs: 1 }],
  async run({ model, x, target }) {
    const g = await logitGrad(model, x, 1, target);
    return { map: perPixel(model, g, Math.abs), extra: {} };
  },
};

export const gradientXInput: SaliencyMethod = {
  signed: true,
  layer: false,
  work: () => [{ kind: 'grad', runs: 1 }],
  async run({ model, x, target }) {
    const g = await logitGrad(model, x, 1, target);
    return { map: perPixel(model, g, (v, i) => v * x[i]), extra: {} };
  },
};

export const smoothgrad: SaliencyMethod = {
  signed: false,
  layer: false,
  work: (_, o) => [{ kind: 'grad', runs: 1, images: o.samples }],
  async run({ model, x, target, opts }) {
    const size = inputSize(model),
      n = opts.samples,
      rng = new Rng(opts.seed),
      batch = new Float32Array(n * size);
    for (let i = 0; i < n; i++) for (let p = 0; p < size; p++) batch[i * size + p] = x[p] + opts.noise * rng.normal();
    const grad = await logitGrad(model, batch, n, target);
    const mean = new Float32Array(size);
    for (let i = 0; i < n; i++) for (let p = 0; p < size; p++) mean[p] += grad[i * size + p] / n;
    return { map: perPixel(model, mean, Math.abs), extra: { samples: n, noise: opts.noise, seed: opts.seed } };
  },
};

export const integratedGradients: SaliencyMethod = {
  signed: true,
  layer: false,
  // The path's gradients in one batch, and the black baseline's logits for the completeness check.
  work: (_, o) => [
    { kind: 'grad', runs: 1, images: o.steps },
    { kind: 'forward', runs: 1 },
  ],
  async run({ model, x, target, logits, opts }) {
    const size = inputSize(model),
      m = opts.steps,
      batch = new Float32Array(m * size);
    // Midpoint Riemann sum along the straight path from the black baseline.
    for (let i = 0; i < m; i++) for (let p = 0; p < size; p++) batch[i * size + p] = ((i + 0.5) / m) * x[p];
    const grad = await logitGrad(model, batch, m, target);
    const ig = new Float32Array(size);
    for (let i = 0; i < m; i++) for (let p = 0; p < size; p++) ig[p] += (grad[i * size + p] * x[p]) / m;
    const fb = await forward(model, new Float32Array(size), 1);
    const completeness = { sum: ig.reduce((a, v) => a + v, 0), logitDifference: logits[target] - fb.logits[target] };
    return { map: perPixel(model, ig, (v) => v), extra: { steps: m, completeness } };
  },
};
