/**
 * DeepFool (Moosavi-Dezfooli et al. 2016), L2, batched over n images: at the current point q, linearise each
 * candidate class k against the class to leave o, f_k = z_k - z_o and w_k = grad f_k, and step onto the nearest
 * linearised boundary, r = (|f_l| + tiny) / ||w_l||^2 * w_l for l = argmin |f_k| / ||w_k||. The total step is
 * overshot, x = clip(x0 + (1 + overshoot) * sum r), and the loop stops when q, x rounded to 8 bits (the picture
 * as delivered), fools the model: when rounding undoes the crossing, the next step starts from the rounded point.
 * Targeted: the one boundary between the target t and the current top class c, f = z_t - z_c.
 * Each step is one input-gradient run of the logits at q with one row per candidate (cotangent e_k - e_o), which
 * also returns q's logits: they are the check, so a picture that already fools costs that run and no other, and
 * only the check after the last step is a forward run of its own. Candidates: the top `candidates` classes at x0
 * (the original class among them), the authors' num_classes (10 in their code, as in Foolbox), so the work is
 * bounded on models with many classes. Targeted, the boundary is the one between the target and the top class as
 * the run before saw it (x0's at first): q's own top class is known only from the run that linearises at q.
 */
import { IO } from '../../../model-contract/graphs.js';
import { argmaxRow, forward, inputSize, logitsLayer, vjp } from '../gradient.js';
import type { Model } from '../model.js';
import { fools, to8bit } from './deliver.js';

/** The authors' num_classes: the classes at the top of x0's logits that DeepFool linearises. */
export const CANDIDATES = 10;

export interface DeepFoolConfig {
  method: 'deepfool';
  /** Linearisation steps at most (each image stops as soon as its rounded picture fools the model). */
  steps: number;
  overshoot: number;
  /** The top classes at x0 whose boundaries are linearised, the original class among them (num_classes). */
  candidates: number;
  target?: number;
}

/** Rows of the logit-gradient batch per image still to fool: its candidates (untargeted), or 1 (targeted). */
export const deepfoolRows = (k: number, cfg: Pick<DeepFoolConfig, 'candidates' | 'target'>) =>
  cfg.target !== undefined ? 1 : Math.max(1, Math.min(k, cfg.candidates) - 1);

/** The top `count` classes of a row of logits other than `skip`. */
function topClasses(z: Float32Array, row: number, k: number, skip: number, count: number): number[] {
  const classes = Array.from({ length: k }, (_, c) => c).filter((c) => c !== skip);
  return classes.sort((a, b) => z[row * k + b] - z[row * k + a]).slice(0, count);
}

/** One logit-gradient run at the active images' points: a row per boundary, with the logits at each row's point. */
async function linearise(
  model: Model,
  adv: Float32Array,
  active: number[],
  labels: number[],
  candidates: number[][],
  top: number[],
  cfg: DeepFoolConfig,
  shape: number[],
) {
  const size = inputSize(model),
    k = model.meta.labels.length;
  // One gradient row per (image, boundary): e_k - e_o, or e_t - e_c towards a target.
  const pairs: { image: number; to: number; from: number }[] = [];
  for (const i of active)
    if (cfg.target === undefined) for (const c of candidates[i]) pairs.push({ image: i, to: c, from: labels[i] });
    else pairs.push({ image: i, to: cfg.target, from: top[i] === cfg.target ? labels[i] : top[i] });
  const xs = new Float32Array(pairs.length * size),
    cot = new Float32Array(pairs.length * k);
  pairs.forEach((p, j) => {
    xs.set(adv.subarray(p.image * size, (p.image + 1) * size), j * size);
    cot[j * k + p.to] = 1;
    cot[j * k + p.from] = -1;
  });
  const r = await vjp(model, xs, [pairs.length, ...shape], { [logitsLayer(model)]: cot }, [IO.logits, IO.probs]);
  return { pairs, grad: r.grad, z: r.outputs[IO.logits].data, p: r.outputs[IO.probs].data };
}

/**
 * `labels`: the classes to leave (untargeted); `z0`: x0's logits when the caller has them (else one forward run).
 * Returns the 8-bit adversarial pictures, the unrounded points they were rounded from, the linearisation steps
 * each image took, and the probabilities of the pictures returned (from the run that checked them last).
 */
export async function deepfool(
  model: Model,
  x0: Float32Array,
  n: number,
  cfg: DeepFoolConfig,
  labels: number[],
  z0?: Float32Array,
) {
  const size = inputSize(model),
    k = model.meta.labels.length,
    shape = model.meta.input.shape;
  const rows = deepfoolRows(k, cfg);
  const z0s = z0 ?? (await forward(model, x0, n)).logits;
  const candidates = labels.map((o, i) => topClasses(z0s, i, k, o, rows));
  const total = new Float32Array(n * size),
    unrounded = Float32Array.from(x0),
    adv = to8bit(x0),
    probs = new Float32Array(n * k),
    steps = new Array<number>(n).fill(0);
  // The top class at each image's point as last seen (targeted: the boundary each step linearises).
  const top = labels.map((_, i) => argmaxRow(z0s, i, k));
  let active = Array.from({ length: n }, (_, i) => i);
  for (let s = 0; active.length; s++) {
    if (s === cfg.steps) {
      // The last step's pictures: checked by a forward run, no gradient to follow.
      const q = new Float32Array(active.length * size);
      active.forEach((i, a) => q.set(adv.subarray(i * size, (i + 1) * size), a * size));
      const p = (await forward(model, q, active.length)).probs;
      active.forEach((i, a) => probs.set(p.subarray(a * k, (a + 1) * k), i * k));
      break;
    }
    const { pairs, grad, z, p } = await linearise(model, adv, active, labels, candidates, top, cfg, shape);
    // The check: each image's logits at its point, from its first row.
    const first = new Map<number, number>();
    pairs.forEach((p, j) => first.has(p.image) || first.set(p.image, j));
    const next: number[] = [];
    for (const i of active) {
      const row = first.get(i)!;
      probs.set(p.subarray(row * k, (row + 1) * k), i * k);
      top[i] = argmaxRow(z, row, k);
      if (!fools(z, row, k, labels[i], cfg.target)) next.push(i);
    }
    const going = new Set(next),
      best = new Map<number, { j: number; f: number; norm2: number; dist: number }>();
    pairs.forEach((p, j) => {
      if (!going.has(p.image)) return;
      const o = p.image * size,
        g = j * size;
      // A pixel at 0 or 1 cannot move further out: its component of the step is dropped.
      let norm2 = 0;
      for (let t = 0; t < size; t++) {
        const v = adv[o + t];
        if ((v <= 0 && grad[g + t] < 0) || (v >= 1 && grad[g + t] > 0)) grad[g + t] = 0;
        norm2 += grad[g + t] ** 2;
      }
      const f = Math.abs(z[j * k + p.to] - z[j * k + p.from]);
      const dist = norm2 > 0 ? f / Math.sqrt(norm2) : Infinity;
      if (dist < (best.get(p.image)?.dist ?? Infinity)) best.set(p.image, { j, f, norm2, dist });
    });
    for (const [i, b] of best) {
      const o = i * size,
        g = b.j * size,
        scale = (b.f + 1e-4) / b.norm2;
      for (let t = 0; t < size; t++) {
        total[o + t] += scale * grad[g + t];
        unrounded[o + t] = Math.min(1, Math.max(0, x0[o + t] + (1 + cfg.overshoot) * total[o + t]));
      }
      adv.set(to8bit(unrounded.subarray(o, o + size)), o);
      steps[i]++;
    }
    active = next;
  }
  return { adv, unrounded, steps, probs };
}
