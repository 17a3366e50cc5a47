/**
 * Carlini & Wagner (2017), L2, batched over n images. The image lives in tanh space, x = (tanh(w) + 1) / 2, so
 * it stays in [0, 1] without clipping; Adam minimises ||x - x0||^2 + c * max(z_o - max_{j != o} z_j, -kappa)
 * (untargeted: leave o) or c * max(max_{j != t} z_j - z_t, -kappa) (targeted), kappa the `confidence` margin in
 * logits. A binary search over c per image (`searchSteps` rounds of `steps` Adam steps from x0) finds the
 * smallest c that fools: c shrinks after a round that fooled, grows tenfold (then bisects) after one that did not.
 * A candidate counts only when its 8-bit rounding (the picture as delivered) fools the model too (a round
 * fooled when one did); the smallest such picture by L2 is kept. Each step is a forward run (the margin, hence the cotangent), an input-gradient run
 * of the logits, and a forward run of the rounded candidates that beat the best so far.
 */
import { forward, inputSize, logitsLayer, vjp } from '../gradient.js';
import type { Model } from '../model.js';
import { fools, to8bit } from './deliver.js';

export interface CwConfig {
  method: 'cw';
  /** Adam steps per binary-search round. */
  steps: number;
  searchSteps: number;
  /** kappa: the logit margin the loss asks for beyond the boundary. */
  confidence: number;
  /** Adam's learning rate in tanh space. */
  lr: number;
  initialC: number;
  target?: number;
}

const ADAM = { beta1: 0.9, beta2: 0.999, eps: 1e-8 };

/** The margin the loss hinges on and the class it is taken against (> 0: not yet fooled). */
function margin(z: Float32Array, row: number, k: number, label: number, target?: number) {
  const away = target ?? label;
  let other = -1;
  for (let c = 0; c < k; c++) if (c !== away && (other < 0 || z[row * k + c] > z[row * k + other])) other = c;
  const m = z[row * k + away] - z[row * k + other];
  return { value: target === undefined ? m : -m, other };
}

/**
 * `labels`: the classes to leave (untargeted). Returns the 8-bit adversarial pictures (x0 rounded where none was
 * found), the unrounded points they came from, the c each was found at (null: none) and the Adam steps run.
 */
export async function cw(model: Model, x0: Float32Array, n: number, cfg: CwConfig, labels: number[]) {
  const size = inputSize(model),
    k = model.meta.labels.length,
    shape = model.meta.input.shape;
  const w0 = x0.map((v) => Math.atanh((2 * v - 1) * (1 - 1e-6)));
  const c = new Array<number>(n).fill(cfg.initialC),
    lo = new Array<number>(n).fill(0),
    hi = new Array<number>(n).fill(Infinity);
  const adv = to8bit(x0),
    unrounded = Float32Array.from(x0),
    bestL2 = new Array<number>(n).fill(Infinity),
    foundAt = new Array<number | null>(n).fill(null);
  let steps = 0;
  for (let round = 0; round < cfg.searchSteps; round++) {
    const w = Float32Array.from(w0),
      m1 = new Float32Array(n * size),
      m2 = new Float32Array(n * size),
      roundL2 = new Array<number>(n).fill(Infinity);
    for (let s = 1; s <= cfg.steps; s++, steps++) {
      const x = w.map((v) => (Math.tanh(v) + 1) / 2);
      const z = (await forward(model, x, n)).logits;
      const cot = new Float32Array(n * k),
        better: number[] = [];
      for (let i = 0; i < n; i++) {
        const mg = margin(z, i, k, labels[i], cfg.target);
        if (mg.value > -cfg.confidence) {
          // d/dz of c * margin: untargeted z_o - z_j; targeted z_j - z_t.
          const away = cfg.target ?? labels[i],
            sign = cfg.target === undefined ? 1 : -1;
          cot[i * k + away] = sign * c[i];
          cot[i * k + mg.other] = -sign * c[i];
        }
        if (mg.value < 0 && l2(x, x0, i * size, size) < roundL2[i]) better.push(i);
      }
      if (better.length) {
        const q = new Float32Array(better.length * size);
        better.forEach((i, b) => q.set(to8bit(x.subarray(i * size, (i + 1) * size)), b * size));
        const zq = (await forward(model, q, better.length)).logits;
        better.forEach((i, b) => {
          if (!fools(zq, b, k, labels[i], cfg.target)) return;
          const rounded = q.subarray(b * size, (b + 1) * size),
            d = l2(rounded, x0.subarray(i * size, (i + 1) * size), 0, size);
          roundL2[i] = Math.min(roundL2[i], d);
          if (d >= bestL2[i]) return;
          bestL2[i] = d;
          foundAt[i] = c[i];
          adv.set(rounded, i * size);
          unrounded.set(x.subarray(i * size, (i + 1) * size), i * size);
        });
      }
      const { grad } = await vjp(model, x, [n, ...shape], { [logitsLayer(model)]: cot });
      const b1 = 1 - ADAM.beta1 ** s,
        b2 = 1 - ADAM.beta2 ** s;
      for (let p = 0; p < n * size; p++) {
        // d/dx of ||x - x0||^2 + c * margin, then dx/dw = (1 - tanh(w)^2) / 2 = 2x(1 - x).
        const g = (2 * (x[p] - x0[p]) + grad[p]) * 2 * x[p] * (1 - x[p]);
        m1[p] = ADAM.beta1 * m1[p] + (1 - ADAM.beta1) * g;
        m2[p] = ADAM.beta2 * m2[p] + (1 - ADAM.beta2) * g * g;
        w[p] -= (cfg.lr * (m1[p] / b1)) / (Math.sqrt(m2[p] / b2) + ADAM.eps);
      }
    }
    for (let i = 0; i < n; i++) {
      if (roundL2[i] < Infinity) hi[i] = Math.min(hi[i], c[i]);
      else lo[i] = Math.max(lo[i], c[i]);
      c[i] = hi[i] < Infinity ? (lo[i] + hi[i]) / 2 : c[i] * 10;
    }
  }
  return { adv, unrounded, c: foundAt, steps };
}

function l2(a: ArrayLike<number>, b: ArrayLike<number>, o: number, size: number) {
  let s = 0;
  for (let p = o; p < o + size; p++) s += (a[p] - b[p]) ** 2;
  return Math.sqrt(s);
}
