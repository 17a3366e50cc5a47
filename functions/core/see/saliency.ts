/**
 * Saliency: which input pixels the class score is most sensitive to.
 *   gradient            |d logit_c / d x|                               (Simonyan et al. 2014)
 *   gradient-x-input    x * d logit_c / d x                             (Shrikumar et al. 2016)
 *   smoothgrad          |mean_i d logit_c / d x at x + N(0, sigma^2)|   (Smilkov et al. 2017)
 *   integrated-gradients (x - x0) * mean_k d logit_c / d x at x0 + k/m (x - x0), x0 = black (Sundararajan et al. 2017);
 *                       completeness: the map sums to logit_c(x) - logit_c(x0)
 *   grad-cam            ReLU(sum_k alpha_k A_k), alpha_k = mean over the map of d logit_c / d A_k, upsampled (Selvaraju et al. 2017)
 */
import { badRequest } from '../errors.js';
import { argmaxRow, forward, inputSize, logitsLayer, oneHot, vjp } from '../gradient.js';
import { resize } from '../image/ops.js';
import { classScore } from '../classify.js';
import type { Model } from '../model.js';
import { act, gradAct } from '../../../model-contract/graphs.js';
import { Rng } from '../../../model-contract/random.js';

export const SALIENCY_METHODS = [
  'gradient',
  'gradient-x-input',
  'smoothgrad',
  'integrated-gradients',
  'grad-cam',
] as const;

export interface SaliencyOptions {
  method: (typeof SALIENCY_METHODS)[number];
  /** Grad-CAM's layer (default: defaultCamLayer). */
  layer?: string;
  /** The class to explain (default: the prediction). */
  target?: number;
  samples: number;
  noise: number;
  steps: number;
  seed: number;
}

/** Conv-shaped layers Grad-CAM can use ([C,H,W] outputs with more than one position). */
export function camLayers(model: Model) {
  return model.meta.layers.filter((l) => l.outShape.length === 3 && l.outShape[1] > 1);
}

/**
 * The default Grad-CAM layer: the last ReLU whose maps are at least 7x7. Selvaraju et al. use the last conv
 * layer, but at 28x28 input that is 3x3 here, too coarse to show where the evidence lies.
 */
export function defaultCamLayer(model: Model): string {
  const cams = camLayers(model);
  if (!cams.length)
    throw badRequest(
      `Grad-CAM needs a feature map with more than one position ([C,H,W], H > 1); model "${model.meta.name}" has none (its layers: ${model.meta.layers.map((l) => `${l.name} [${l.outShape}]`).join(', ')}): use another method (${SALIENCY_METHODS.filter((m) => m !== 'grad-cam').join(', ')})`,
    );
  return (cams.filter((l) => l.kind === 'relu' && l.outShape[1] >= 7).at(-1) ?? cams[cams.length - 1]).name;
}

export async function saliency(model: Model, x: Float32Array, opts: SaliencyOptions) {
  const [c, h, w] = model.meta.input.shape;
  const size = inputSize(model),
    k = model.meta.labels.length,
    last = logitsLayer(model);
  const f0 = await forward(model, x, 1);
  const predicted = argmaxRow(f0.probs, 0, k);
  const target = opts.target ?? predicted;
  const cot = (n: number) => ({ [last]: oneHot(n, k, target) });
  let map: Float32Array = new Float32Array(h * w);
  const extra: {
    samples?: number;
    noise?: number;
    seed?: number;
    steps?: number;
    completeness?: { sum: number; logitDifference: number };
    layer?: string;
    layerShape?: number[];
    cam?: number[];
  } = {};
  // Per-pixel value of a [C,H,W] gradient: the channel with the largest magnitude.
  const perPixel = (g: Float32Array, combine: (v: number, p: number) => number) => {
    for (let p = 0; p < h * w; p++) {
      let best = 0;
      for (let ch = 0; ch < c; ch++) {
        const v = combine(g[ch * h * w + p], ch * h * w + p);
        if (Math.abs(v) > Math.abs(best)) best = v;
      }
      map[p] = best;
    }
  };
  if (opts.method === 'gradient' || opts.method === 'gradient-x-input') {
    const { grad } = await vjp(model, x, [1, c, h, w], cot(1));
    perPixel(grad, (v, i) => (opts.method === 'gradient' ? Math.abs(v) : v * x[i]));
  } else if (opts.method === 'smoothgrad') {
    const rng = new Rng(opts.seed);
    const n = opts.samples,
      batch = new Float32Array(n * size);
    for (let i = 0; i < n; i++) for (let p = 0; p < size; p++) batch[i * size + p] = x[p] + opts.noise * rng.normal();
    const { grad } = await vjp(model, batch, [n, c, h, w], cot(n));
    const mean = new Float32Array(size);
    for (let i = 0; i < n; i++) for (let p = 0; p < size; p++) mean[p] += grad[i * size + p] / n;
    perPixel(mean, (v) => Math.abs(v));
    extra.samples = n;
    extra.noise = opts.noise;
    extra.seed = opts.seed;
  } else if (opts.method === 'integrated-gradients') {
    const m = opts.steps,
      batch = new Float32Array(m * size);
    // Midpoint Riemann sum along the straight path from the black baseline.
    for (let i = 0; i < m; i++) for (let p = 0; p < size; p++) batch[i * size + p] = ((i + 0.5) / m) * x[p];
    const { grad } = await vjp(model, batch, [m, c, h, w], cot(m));
    const ig = new Float32Array(size);
    for (let i = 0; i < m; i++) for (let p = 0; p < size; p++) ig[p] += (grad[i * size + p] * x[p]) / m;
    perPixel(ig, (v) => v);
    const fb = await forward(model, new Float32Array(size), 1);
    extra.steps = m;
    extra.completeness = { sum: ig.reduce((a, v) => a + v, 0), logitDifference: f0.logits[target] - fb.logits[target] };
  } else {
    const name = opts.layer ?? defaultCamLayer(model);
    const layer = camLayers(model).find((l) => l.name === name);
    if (!layer) throw badRequest(`layer ${name} cannot be used by grad-cam`);
    const { outputs } = await vjp(model, x, [1, c, h, w], cot(1), [act(layer.name), gradAct(layer.name)]);
    const A = outputs[act(layer.name)].data,
      G = outputs[gradAct(layer.name)].data;
    const [C, lh, lw] = layer.outShape,
      hw = lh * lw;
    const cam = new Float32Array(hw);
    const alpha = Array.from({ length: C }, (_, ch) => {
      let s = 0;
      for (let p = 0; p < hw; p++) s += G[ch * hw + p];
      return s / hw;
    });
    for (let ch = 0; ch < C; ch++) for (let p = 0; p < hw; p++) cam[p] += alpha[ch] * A[ch * hw + p];
    for (let p = 0; p < hw; p++) cam[p] = Math.max(0, cam[p]);
    map = resize({ width: lw, height: lh, data: cam }, w, h).data;
    extra.layer = layer.name;
    extra.layerShape = layer.outShape;
    extra.cam = Array.from(cam);
  }
  return {
    target: classScore(model, target, f0.probs),
    prediction: classScore(model, predicted, f0.probs),
    map,
    width: w,
    height: h,
    extra,
  };
}
