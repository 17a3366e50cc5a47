/**
 * Carlini & Wagner (2017), L2, batched over n images. The image lives in tanh space, x = (tanh(w) + 1) / 2, so
 * it stays in [0, 1] without clipping; Adam minimises ||x - x0||^2 + c * max(z_o - max_{j != o} z_j, -kappa)
 * (untargeted: leave o) or c * max(max_{j != t} z_j - z_t, -kappa) (targeted), kappa the `confidence` margin in
 * logits. The search over c runs at once: each image gets `searchSteps` rows, one per c on a grid a decade apart
 * centred on `initialC` (0.01 to 100 for five from 1), all in one
 * batch, for `steps` Adam steps each: one run per step for every c, where a sequential binary search ran a round
 * of steps per c. (The authors' early abort, a row stopping when its loss fell by less
 * than 0.01% over a tenth of its steps, is left out: meant for 10,000 iterations, at 50 it stops rows still
 * closing in on the boundary, and the pictures came out larger.) A candidate counts only when its 8-bit rounding (the
 * picture as delivered) fools the model too; the smallest such picture by L2 over all rows and steps is kept.
 * Each step is one run of every row that gives the loss's gradient and the logits at once (margin.ts: the margin,
 * hence the cotangent, is formed in the graph). The points that fool the model unrounded are kept and their
 * roundings checked smallest first, when an image has many and at the end (candidates.ts): usually one forward run
 * in all, where a check on every step that beat the best so far cost one on most steps.
 */
import { inputSize } from '../gradient.js';
import type { Model } from '../model.js';
import { CandidatePool, l2 } from './candidates.js';
import { to8bit } from './deliver.js';
import { margin, marginGrad } from './margin.js';

export interface CwConfig {
  method: 'cw';
  /** Adam steps, for every c at once. */
  steps: number;
  /** Values of c tried per image, a decade apart, in one batch. */
  searchSteps: number;
  /** kappa: the logit margin the loss asks for beyond the boundary. */
  confidence: number;
  /** Adam's learning rate in tanh space. */
  lr: number;
  initialC: number;
  target?: number;
}

const ADAM = { beta1: 0.9, beta2: 0.999, eps: 1e-8 };

/** The c of each of `m` rows: a decade apart, centred on c0 (the lower middle for an even m). */
export const cGrid = (c0: number, m: number) =>
  Array.from({ length: m }, (_, j) => c0 * 10 ** (j - Math.floor((m - 1) / 2)));

/**
 * `labels`: the classes to leave (untargeted); `p0`: x0's probabilities, when the caller has them. Returns the
 * 8-bit adversarial pictures (x0 rounded where none was found), the unrounded points they came from, the c each was
 * found at (null: none) and the Adam steps run; and, from the runs that found them, the probabilities of the
 * pictures (`after`, when every image found one) and of the unrounded points (`afterUnrounded`, x0's from p0 where
 * none was found).
 */
export async function cw(
  model: Model,
  x0: Float32Array,
  n: number,
  cfg: CwConfig,
  labels: number[],
  p0?: Float32Array,
) {
  const size = inputSize(model),
    k = model.meta.labels.length,
    cs = cGrid(cfg.initialC, cfg.searchSteps),
    m = cs.length;
  // Row r: image floor(r / m) at c = cs[r % m].
  const image = (r: number) => Math.floor(r / m);
  const w = new Float32Array(n * m * size);
  for (let r = 0; r < n * m; r++)
    for (let p = 0; p < size; p++) w[r * size + p] = Math.atanh((2 * x0[image(r) * size + p] - 1) * (1 - 1e-6));
  const m1 = new Float32Array(n * m * size),
    m2 = new Float32Array(n * m * size);
  const pool = new CandidatePool(model, x0, labels, cfg.target, m, cfg.steps * n),
    rows = Array.from({ length: n * m }, (_, r) => r);
  let steps = 0;
  for (let s = 1; s <= cfg.steps; s++, steps++) {
    const a = rows.length,
      x = new Float32Array(a * size),
      xr = new Float32Array(a * size);
    rows.forEach((r, i) => {
      for (let p = 0; p < size; p++) x[i * size + p] = (Math.tanh(w[r * size + p]) + 1) / 2;
      xr.set(x0.subarray(image(r) * size, (image(r) + 1) * size), i * size);
    });
    const fx = await marginGrad(
        model,
        x,
        rows.map((r) => ({
          away: cfg.target ?? labels[image(r)],
          scale: (cfg.target === undefined ? 1 : -1) * cs[r % m],
        })),
        cfg.confidence,
      ),
      z = fx.logits;
    for (const [i, r] of rows.entries()) {
      if (margin(z, i, k, labels[image(r)], cfg.target).value >= 0) continue;
      const d = l2(x, xr.subarray(i * size, (i + 1) * size), i * size, size);
      if (d < pool.bar(image(r)))
        await pool.add(image(r), {
          x: x.slice(i * size, (i + 1) * size),
          l2: d,
          probs: fx.probs.slice(i * k, (i + 1) * k),
          c: cs[r % m],
        });
    }
    const grad = fx.grad,
      b1 = 1 - ADAM.beta1 ** s,
      b2 = 1 - ADAM.beta2 ** s;
    rows.forEach((r, i) => {
      for (let t = 0; t < size; t++) {
        // d/dx of ||x - x0||^2 + c * margin, then dx/dw = (1 - tanh(w)^2) / 2 = 2x(1 - x).
        const p = r * size + t,
          xv = x[i * size + t];
        const g = (2 * (xv - xr[i * size + t]) + grad[i * size + t]) * 2 * xv * (1 - xv);
        m1[p] = ADAM.beta1 * m1[p] + (1 - ADAM.beta1) * g;
        m2[p] = ADAM.beta2 * m2[p] + (1 - ADAM.beta2) * g * g;
        w[p] -= (cfg.lr * (m1[p] / b1)) / (Math.sqrt(m2[p] / b2) + ADAM.eps);
      }
    });
  }
  await pool.check();
  const adv = to8bit(x0),
    unrounded = Float32Array.from(x0),
    after = new Float32Array(n * k),
    afterUnrounded = p0 ? Float32Array.from(p0) : new Float32Array(n * k);
  pool.best.forEach((b, img) => {
    if (!b) return;
    adv.set(b.rounded, img * size);
    unrounded.set(b.x, img * size);
    after.set(b.roundedProbs, img * k);
    afterUnrounded.set(b.probs, img * k);
  });
  const all = pool.best.every((b) => b !== null);
  return {
    adv,
    unrounded,
    c: pool.best.map((b) => b?.c ?? null),
    steps,
    after: all ? after : undefined,
    afterUnrounded: all || p0 ? afterUnrounded : undefined,
  };
}
