/**
 * Adversarial perturbations by gradient steps on the input (batched over n images):
 *   fgsm  one step of size eps along sign(grad) (L-inf) or grad/||grad|| (L2)        (Goodfellow et al. 2015)
 *   bim   `steps` steps of `stepSize`, projected back into the eps-ball              (Kurakin et al. 2017)
 *   pgd   bim from a random start inside the ball                                    (Madry et al. 2018)
 * Untargeted: ascend the cross-entropy of the true (or predicted) class. Targeted: descend the cross-entropy of
 * the target class. Each step is one run of loss-grad.onnx, which returns the cross-entropy's gradient with
 * respect to the image (the cotangent softmax - onehot(y) is formed inside the graph).
 */
import { badRequest } from '../errors.js';
import { argmaxRow, forward, inputSize, lossGrad, oneHot } from '../gradient.js';
import { classScore } from '../classify.js';
import type { Model } from '../model.js';
import { Rng } from '../../../model-contract/random.js';

export const ATTACKS = ['fgsm', 'bim', 'pgd'] as const;
export const NORMS = ['linf', 'l2'] as const;
export type AttackMethod = (typeof ATTACKS)[number];
export type Norm = (typeof NORMS)[number];
/** The largest meaningful eps: the whole [0,1] range per pixel (L-inf), or the 28x28 image's diagonal (L2). */
export const MAX_EPS: Record<Norm, number> = { linf: 1, l2: 28 };

export interface AttackConfig {
  method: AttackMethod;
  norm: Norm;
  eps: number;
  stepSize: number;
  steps: number;
  randomStart: boolean;
  target?: number;
  seed: number;
}

function project(adv: Float32Array, x0: Float32Array, n: number, size: number, norm: Norm, eps: number) {
  for (let i = 0; i < n; i++) {
    const o = i * size;
    if (norm === 'linf') {
      for (let p = o; p < o + size; p++) adv[p] = Math.min(x0[p] + eps, Math.max(x0[p] - eps, adv[p]));
    } else {
      let sq = 0;
      for (let p = o; p < o + size; p++) sq += (adv[p] - x0[p]) ** 2;
      const scale = Math.sqrt(sq) > eps ? eps / Math.sqrt(sq) : 1;
      for (let p = o; p < o + size; p++) adv[p] = x0[p] + (adv[p] - x0[p]) * scale;
    }
    for (let p = o; p < o + size; p++) adv[p] = Math.min(1, Math.max(0, adv[p]));
  }
}

interface AttackResult {
  adv: Float32Array;
  before: Float32Array;
  after: Float32Array;
  labels: number[];
}

/** Attacks n images at once. `labels`: the classes to move away from (untargeted; default: the predictions). */
export async function attackBatch(
  model: Model,
  x0: Float32Array,
  n: number,
  cfg: AttackConfig,
  labels?: number[],
  probsBefore?: Float32Array,
): Promise<AttackResult> {
  const size = inputSize(model),
    k = model.meta.labels.length;
  const before = probsBefore ?? (await forward(model, x0, n)).probs;
  const ys = labels ?? Array.from({ length: n }, (_, i) => argmaxRow(before, i, k));
  const adv = Float32Array.from(x0);
  if (cfg.randomStart) {
    const rng = new Rng(cfg.seed);
    for (let i = 0; i < n; i++) {
      const o = i * size;
      if (cfg.norm === 'linf') for (let p = o; p < o + size; p++) adv[p] += rng.uniform(-cfg.eps, cfg.eps);
      else {
        // Uniform in the L2 ball: a Gaussian direction, radius eps * u^(1/d).
        const d = new Float32Array(size).map(() => rng.normal());
        const r = (cfg.eps * Math.pow(rng.next(), 1 / size)) / Math.hypot(...d);
        for (let p = 0; p < size; p++) adv[o + p] += d[p] * r;
      }
    }
    project(adv, x0, n, size, cfg.norm, cfg.eps);
  }
  const sign = cfg.target === undefined ? 1 : -1;
  const targets = oneHot(n, k, cfg.target === undefined ? ys : ys.map(() => cfg.target!));
  for (let s = 0; s < cfg.steps; s++) {
    const { grad } = await lossGrad(model, adv, n, targets);
    for (let i = 0; i < n; i++) {
      const o = i * size;
      if (cfg.norm === 'linf') for (let p = o; p < o + size; p++) adv[p] += sign * cfg.stepSize * Math.sign(grad[p]);
      else {
        let sq = 0;
        for (let p = o; p < o + size; p++) sq += grad[p] ** 2;
        const g = Math.sqrt(sq) || 1;
        for (let p = o; p < o + size; p++) adv[p] += (sign * cfg.stepSize * grad[p]) / g;
      }
    }
    project(adv, x0, n, size, cfg.norm, cfg.eps);
  }
  return { adv, before, after: (await forward(model, adv, n)).probs, labels: ys };
}

function perturbationNorms(adv: Float32Array, x0: Float32Array) {
  let linf = 0,
    l2 = 0,
    l0 = 0;
  for (let p = 0; p < x0.length; p++) {
    const d = Math.abs(adv[p] - x0[p]);
    linf = Math.max(linf, d);
    l2 += d * d;
    l0 += d > 0.5 / 255 ? 1 : 0;
  }
  return { linf, l2: Math.sqrt(l2), l0 };
}

/** One image: prediction before and after, success, the size of the perturbation. */
export async function attackOne(model: Model, x: Float32Array, cfg: AttackConfig) {
  const k = model.meta.labels.length,
    labels = model.meta.labels;
  const probs = (await forward(model, x, 1)).probs;
  const b = argmaxRow(probs, 0, k);
  if (cfg.target !== undefined && cfg.target === b)
    throw badRequest(
      `target ${cfg.target} (${labels[b]}) is already the prediction: choose another class for a targeted attack`,
    );
  const r = await attackBatch(model, x, 1, cfg, undefined, probs);
  const a = argmaxRow(r.after, 0, k);
  const success = cfg.target === undefined ? a !== r.labels[0] : a === cfg.target;
  return {
    success,
    before: classScore(model, b, r.before),
    after: classScore(model, a, r.after),
    /** The class moved away from (untargeted) or towards (targeted), scored after the attack. */
    targetAfter: classScore(model, cfg.target ?? r.labels[0], r.after),
    perturbation: perturbationNorms(r.adv, x),
    adv: r.adv,
  };
}
