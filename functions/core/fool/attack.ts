/**
 * Adversarial perturbations by gradient steps on the input. Within a budget eps (batched over n images here):
 *   fgsm  one step of size eps along sign(grad) (L-inf) or grad/||grad|| (L2)        (Goodfellow et al. 2015)
 *   bim   `steps` steps of `stepSize`, projected back into the eps-ball              (Kurakin et al. 2017)
 *   pgd   bim from a random start inside the ball                                    (Madry et al. 2018)
 * Untargeted, they ascend the cross-entropy of the true (or predicted) class; targeted, they descend that of the
 * target. Each step is one run of loss-grad.onnx, which returns the cross-entropy's gradient with respect to the
 * image (the cotangent softmax - onehot(y) is formed inside the graph).
 * The smallest L2 change that flips the prediction, with no budget:
 *   deepfool  steps onto the nearest linearised boundary (deepfool.ts)          (Moosavi-Dezfooli et al. 2016)
 *   cw        Adam on distance + c * margin in tanh space, a search over c (cw.ts)    (Carlini & Wagner 2017)
 * attackOne runs any of them on one image and answers for the picture as delivered, rounded to 8 bits.
 */
import { badRequest } from '../errors.js';
import { argmaxRow, forward, inputSize, lossGrad, oneHot, type Forward } from '../gradient.js';
import { classScore } from '../classify.js';
import type { Model } from '../model.js';
import { Rng } from '../../../model-contract/random.js';
import { cw, type CwConfig } from './cw.js';
import { deepfool, type DeepFoolConfig } from './deepfool.js';
import { fools, perturbationNorms, to8bitWithin, to8bitWithinL2 } from './deliver.js';

export const BUDGET_ATTACKS = ['fgsm', 'bim', 'pgd'] as const;
export const MINIMAL_ATTACKS = ['deepfool', 'cw'] as const;
export const ATTACKS = [...BUDGET_ATTACKS, ...MINIMAL_ATTACKS] as const;
export const NORMS = ['linf', 'l2'] as const;
export type Norm = (typeof NORMS)[number];

/** The largest meaningful eps: the whole [0,1] range per value (L-inf), or the input's diagonal (L2). */
export const maxEps = (model: Model, norm: Norm) =>
  norm === 'linf' ? 1 : Math.sqrt(model.meta.input.shape.reduce((a, v) => a * v, 1));

export interface BudgetConfig {
  method: (typeof BUDGET_ATTACKS)[number];
  norm: Norm;
  eps: number;
  stepSize: number;
  steps: number;
  randomStart: boolean;
  target?: number;
  seed: number;
}
export type AttackConfig = BudgetConfig | DeepFoolConfig | CwConfig;
export type { CwConfig, DeepFoolConfig };

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
  cfg: BudgetConfig,
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

/**
 * The adversarial picture of one image by any method, unrounded and as delivered (8 bits), with the probabilities
 * of either that the method's own runs computed (the caller runs the others).
 */
async function find(model: Model, x: Float32Array, cfg: AttackConfig, label: number, f0: Forward) {
  if (cfg.method === 'deepfool') {
    const r = await deepfool(model, x, 1, cfg, [label], f0.logits);
    return { unrounded: r.unrounded, adv: r.adv, after: r.probs, steps: r.steps[0] };
  }
  if (cfg.method === 'cw') {
    const r = await cw(model, x, 1, cfg, [label], f0.probs);
    return {
      unrounded: r.unrounded,
      adv: r.adv,
      after: r.after,
      afterUnrounded: r.afterUnrounded,
      steps: r.steps,
      c: r.c[0],
    };
  }
  const r = await attackBatch(model, x, 1, cfg, [label], f0.probs);
  // Rounded within the budget: the delivered picture keeps to eps as the unrounded one does.
  return {
    unrounded: r.adv,
    adv: cfg.norm === 'linf' ? to8bitWithin(r.adv, x, cfg.eps) : to8bitWithinL2(r.adv, x, cfg.eps),
    afterUnrounded: r.after,
  };
}

/**
 * One image: prediction before and after, success and the size of the perturbation, all of the picture as
 * delivered (8-bit), and whether the unrounded picture fooled the model too.
 */
export async function attackOne(model: Model, x: Float32Array, cfg: AttackConfig) {
  const k = model.meta.labels.length,
    labels = model.meta.labels;
  const f0 = await forward(model, x, 1),
    probs = f0.probs;
  const b = argmaxRow(probs, 0, k);
  if (cfg.target !== undefined && cfg.target === b)
    throw badRequest(
      `target ${cfg.target} (${labels[b]}) is already the prediction: choose another class for a targeted attack`,
    );
  const { unrounded, adv, after: seen, afterUnrounded: seenUnrounded, ...found } = await find(model, x, cfg, b, f0);
  const after = seen ?? (await forward(model, adv, 1)).probs,
    afterUnrounded = seenUnrounded ?? (await forward(model, unrounded, 1)).probs;
  const a = argmaxRow(after, 0, k);
  const success = fools(after, 0, k, b, cfg.target);
  return {
    success,
    before: classScore(model, b, probs),
    after: classScore(model, a, after),
    /** The class moved away from (untargeted) or towards (targeted), scored after the attack. */
    targetAfter: classScore(model, cfg.target ?? b, after),
    perturbation: perturbationNorms(adv, x),
    rounding: { bits: 8, fools: success, unroundedFools: fools(afterUnrounded, 0, k, b, cfg.target) },
    ...found,
    adv,
  };
}
