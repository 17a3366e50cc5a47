/**
 * Fooling images (Nguyen et al. 2015): start from noise (or blank, or an upload) and climb log p(target) by
 * gradient ascent on the input (one run of loss-grad.onnx per step: log p(target) = -CE) until the model is `confidence` sure or the step cap is reached. Optional priors
 * (L2 decay, total variation, blur) make the result smoother, more digit-like; without them it stays nonsense.
 * A gallery (target all) runs as one batch: every class, the classes given, or the top classes of the model's
 * scores on the neutral start (the noise's mean, mid-grey; the blank; the upload), for a model with more classes than
 * fit (functions/core/defaults.ts foolingDefault).
 */
import { argmaxRow, forward, inputSize, lossGrad, oneHot } from '../gradient.js';
import { classScore } from '../classify.js';
import type { Model } from '../model.js';
import { Rng } from '../../../model-contract/random.js';
import { blur3, tvGradient } from './regularise.js';
import { eachPlane } from '../image/planes.js';

const MOMENTUM = 0.8;
const STALL = 40;

export interface FoolingConfig {
  /** One class index, or every class as a batch. */
  target: number | 'all';
  /** The gallery's classes (target all): these, the `top` of the neutral start, or (unset) every class. */
  gallery?: number[] | { top: number };
  start: 'noise' | 'blank' | 'image';
  steps: number;
  lr: number;
  confidence: number;
  l2: number;
  tv: number;
  blurEvery: number;
  seed: number;
}

/** The gallery's classes: those given, every class, or the `top` the model scores highest on the neutral start. */
async function galleryClasses(model: Model, cfg: FoolingConfig, image?: Float32Array): Promise<number[]> {
  const k = model.meta.labels.length,
    g = cfg.gallery;
  if (Array.isArray(g)) return g;
  if (!g) return Array.from({ length: k }, (_, i) => i);
  // The neutral start: the upload, or the mean of the start (mid-grey for uniform noise, black for the blank).
  const x =
    cfg.start === 'image' && image ? image : new Float32Array(inputSize(model)).fill(cfg.start === 'noise' ? 0.5 : 0);
  const { probs } = await forward(model, x, 1);
  return Array.from({ length: k }, (_, i) => i)
    .sort((a, b) => probs[b] - probs[a] || a - b)
    .slice(0, g.top);
}

export async function fool(model: Model, cfg: FoolingConfig, image?: Float32Array) {
  const k = model.meta.labels.length,
    size = inputSize(model);
  const [c, h, w] = model.meta.input.shape,
    hw = h * w;
  const targets = cfg.target === 'all' ? await galleryClasses(model, cfg, image) : [cfg.target];
  const n = targets.length;
  const rng = new Rng(cfg.seed);
  const x = new Float32Array(n * size);
  for (let i = 0; i < n; i++)
    for (let p = 0; p < size; p++)
      x[i * size + p] = cfg.start === 'image' && image ? image[p] : cfg.start === 'noise' ? rng.next() : 0;
  const start = Float32Array.from(x);
  const probs = new Float32Array(n * k),
    onehot = oneHot(n, k, targets);
  const reached = new Array<number | null>(n).fill(null);
  let steps = 0;
  const tv = new Float32Array(size);
  const velocity = new Float32Array(n * size);
  const best = new Array<number>(n).fill(-Infinity),
    since = new Array<number>(n).fill(0),
    restarts = new Array<number>(n).fill(0);
  for (; steps <= cfg.steps; steps++) {
    // The gradient of log p_t is minus that of the cross-entropy against onehot(t); probs are p(x_t) exactly.
    // Only the images still short of their target are run: an image that has reached it no longer moves, and its
    // probabilities stay those of the step it reached them (the batch shrinks as the gallery fills).
    const active = targets.map((_, i) => i).filter((i) => reached[i] === null);
    const all = active.length === n;
    const xa = all ? x : new Float32Array(active.length * size),
      ta = all ? onehot : new Float32Array(active.length * k);
    if (!all)
      active.forEach((i, j) => {
        xa.set(x.subarray(i * size, (i + 1) * size), j * size);
        ta.set(onehot.subarray(i * k, (i + 1) * k), j * k);
      });
    const r = await lossGrad(model, xa, active.length, ta);
    const grad = new Float32Array(n * size);
    active.forEach((i, j) => {
      probs.set(r.probs.subarray(j * k, (j + 1) * k), i * k);
      for (let p = 0; p < size; p++) grad[i * size + p] = -r.grad[j * size + p];
    });
    targets.forEach((t, i) => {
      if (reached[i] === null && probs[i * k + t] >= cfg.confidence) reached[i] = steps;
    });
    if (reached.every((r) => r !== null) || steps === cfg.steps) break;
    // Random restarts (as for PGD): an image whose log-odds of the target have not risen by 0.5 in STALL steps
    // starts again from fresh noise; a few basins of the input space stall below the target confidence.
    const restarted = new Set<number>();
    targets.forEach((t, i) => {
      if (reached[i] !== null) return;
      const p = probs[i * k + t],
        logOdds = Math.log(p) - Math.log1p(-Math.min(p, 1 - 1e-12));
      if (logOdds > best[i] + 0.5) {
        best[i] = logOdds;
        since[i] = 0;
        return;
      }
      if (++since[i] < STALL) return;
      for (let q = i * size; q < (i + 1) * size; q++)
        x[q] = cfg.start === 'noise' ? rng.next() : Math.min(1, Math.max(0, x[q] + 0.25 * (rng.next() - 0.5)));
      velocity.fill(0, i * size, (i + 1) * size);
      best[i] = -Infinity;
      since[i] = 0;
      restarts[i]++;
      restarted.add(i);
    });
    // Steps of the gradient normalised by its standard deviation (as in Deep Dream), with momentum: the step
    // size stays meaningful while the gradient of log p vanishes near p = 1, and momentum carries the image
    // through the plateaus where p(target) stalls.
    for (let i = 0; i < n; i++) {
      if (reached[i] !== null || restarted.has(i)) continue;
      const o = i * size;
      // Projected gradient: a pixel already at 0 (or 1) that the gradient pushes further out cannot move, so it
      // neither moves nor counts in the normalisation (for a "1", most pixels sit at 0).
      let sq = 0,
        free = 0;
      for (let p = o; p < o + size; p++) {
        if ((x[p] <= 0 && grad[p] < 0) || (x[p] >= 1 && grad[p] > 0)) grad[p] = 0;
        else {
          sq += grad[p] * grad[p];
          free++;
        }
      }
      const std = Math.sqrt(sq / Math.max(1, free)) + 1e-12;
      // The priors act within each colour plane.
      if (cfg.tv > 0) eachPlane(x.subarray(o, o + size), c, hw, (p) => tvGradient(p, w, h), hw, tv);
      for (let p = 0; p < size; p++) {
        velocity[o + p] = MOMENTUM * velocity[o + p] + grad[o + p] / std;
        const v =
          x[o + p] + cfg.lr * (1 - MOMENTUM) * velocity[o + p] - cfg.l2 * x[o + p] - (cfg.tv > 0 ? cfg.tv * tv[p] : 0);
        x[o + p] = Math.min(1, Math.max(0, v));
      }
      if (cfg.blurEvery > 0 && (steps + 1) % cfg.blurEvery === 0)
        x.set(
          eachPlane(x.subarray(o, o + size), c, hw, (p) => blur3(p, w, h)),
          o,
        );
    }
  }
  const results = targets.map((t, i) => {
    const p = argmaxRow(probs, i, k);
    return {
      target: classScore(model, t, probs, i),
      prediction: classScore(model, p, probs, i),
      reached: reached[i] !== null,
      steps: reached[i] ?? steps,
      restarts: restarts[i],
    };
  });
  return { images: x, start, results, steps, n };
}
