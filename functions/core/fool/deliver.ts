/**
 * The adversarial picture as delivered: an 8-bit PNG, so every value is one of 256 levels. An attack that stops
 * right at the decision boundary (DeepFool, Carlini-Wagner) can be undone by that rounding, so the attacks check
 * the rounded picture, and the answer reports the perturbation of the picture people get.
 */
export const LEVELS = 255;

const level = (v: number) => Math.round(Math.min(1, Math.max(0, v)) * LEVELS) / LEVELS;

/** Each value rounded to its nearest 8-bit level (what encodePng writes). */
export const to8bit = (x: Float32Array) => x.map(level);

/**
 * Rounded inside the L-inf ball around x0: the nearest level within [x0 - eps, x0 + eps] and [0, 1], where the
 * ball holds one (it does for eps >= 1/255), so rounding never breaks the budget.
 */
export function to8bitWithin(adv: Float32Array, x0: Float32Array, eps: number): Float32Array {
  return adv.map((v, p) => {
    const lo = Math.ceil(Math.max(0, x0[p] - eps) * LEVELS - 1e-9),
      hi = Math.floor(Math.min(1, x0[p] + eps) * LEVELS + 1e-9);
    const r = Math.round(Math.min(1, Math.max(0, v)) * LEVELS);
    return (lo <= hi ? Math.min(hi, Math.max(lo, r)) : r) / LEVELS;
  });
}

/**
 * Rounded inside the L2 ball around x0: the change is shrunk (1% at a time) until its rounding stays within
 * eps, which takes a step or two at most where eps is more than the rounding's own L2 (sqrt(size) / 510).
 */
export function to8bitWithinL2(adv: Float32Array, x0: Float32Array, eps: number): Float32Array {
  let q = to8bit(adv);
  for (let f = 0.99, i = 0; i < 100 && perturbationNorms(q, x0).l2 > eps; f *= 0.99, i++)
    q = to8bit(adv.map((v, p) => x0[p] + f * (v - x0[p])));
  return q;
}

/** L-inf, L2 and L0 (values changed by more than half an 8-bit level) of adv - x0. */
export function perturbationNorms(adv: ArrayLike<number>, x0: ArrayLike<number>) {
  let linf = 0,
    l2 = 0,
    l0 = 0;
  for (let p = 0; p < x0.length; p++) {
    const d = Math.abs(adv[p] - x0[p]);
    linf = Math.max(linf, d);
    l2 += d * d;
    l0 += d > 0.5 / LEVELS ? 1 : 0;
  }
  return { linf, l2: Math.sqrt(l2), l0 };
}

/** Whether a row of scores fools the model: another class than `label` (untargeted), or the target. */
export function fools(scores: ArrayLike<number>, row: number, k: number, label: number, target?: number): boolean {
  let best = 0;
  for (let c = 1; c < k; c++) if (scores[row * k + c] > scores[row * k + best]) best = c;
  return target === undefined ? best !== label : best === target;
}
