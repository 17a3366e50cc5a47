/**
 * L-BFGS on pixels kept in [0,1] (Gatys et al. optimise Deep Style with L-BFGS): the direction comes from the
 * last `memory` steps and gradient changes (the two-loop recursion, Nocedal & Wright, Algorithm 7.4), the step
 * is projected back into the box, and a backtracking (Armijo) line search halves it until the loss falls.
 * Work is bounded by `evaluations`: each is one run of the loss-and-gradient function, line-search tries included.
 */
interface Evaluation {
  loss: number;
  grad: Float32Array;
}

interface LbfgsOptions {
  /** Loss-and-gradient evaluations allowed, the first included. */
  evaluations: number;
  /** Largest pixel change of the first step, before any curvature is known. */
  firstStep: number;
  memory?: number;
}

const dot = (a: Float32Array, b: Float32Array) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

/**
 * Minimises in place; returns every accepted evaluation (the first is at the starting point), with whatever else
 * `evaluate` put in it.
 */
export async function lbfgsBox<E extends Evaluation>(
  x: Float32Array,
  evaluate: (x: Float32Array) => Promise<E>,
  o: LbfgsOptions,
): Promise<E[]> {
  const m = o.memory ?? 6,
    n = x.length;
  const pairs: { s: Float32Array; y: Float32Array; rho: number }[] = [];
  let cur = await evaluate(x);
  const accepted = [cur];
  let used = 1;
  while (used < o.evaluations) {
    // Two-loop recursion: d = -H g.
    const q = Float32Array.from(cur.grad);
    const alphas: number[] = [];
    for (let k = pairs.length - 1; k >= 0; k--) {
      const { s, y, rho } = pairs[k],
        a = rho * dot(s, q);
      alphas[k] = a;
      for (let i = 0; i < n; i++) q[i] -= a * y[i];
    }
    let scale: number;
    if (pairs.length) {
      const { s, y } = pairs[pairs.length - 1];
      scale = dot(s, y) / dot(y, y);
    } else {
      let gmax = 0;
      for (let i = 0; i < n; i++) gmax = Math.max(gmax, Math.abs(q[i]));
      scale = gmax > 0 ? o.firstStep / gmax : 0;
    }
    for (let i = 0; i < n; i++) q[i] *= scale;
    for (let k = 0; k < pairs.length; k++) {
      const { s, y, rho } = pairs[k],
        b = rho * dot(y, q);
      for (let i = 0; i < n; i++) q[i] += s[i] * (alphas[k] - b);
    }
    // Backtracking on the projected step x(t) = clip(x - t d).
    let t = 1,
      next: E | undefined,
      xt = x;
    while (used < o.evaluations) {
      xt = new Float32Array(n);
      for (let i = 0; i < n; i++) xt[i] = Math.min(1, Math.max(0, x[i] - t * q[i]));
      let decrease = 0;
      for (let i = 0; i < n; i++) decrease += cur.grad[i] * (xt[i] - x[i]);
      const e = await evaluate(xt);
      used++;
      if (e.loss <= cur.loss + 1e-4 * decrease) {
        next = e;
        break;
      }
      t /= 2;
    }
    if (!next) break;
    const s = new Float32Array(n),
      y = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = xt[i] - x[i];
      y[i] = next.grad[i] - cur.grad[i];
    }
    const sy = dot(s, y);
    // Keep only pairs with positive curvature, so H stays positive definite.
    if (sy > 1e-12) {
      pairs.push({ s, y, rho: 1 / sy });
      if (pairs.length > m) pairs.shift();
    }
    x.set(xt);
    cur = next;
    accepted.push(cur);
  }
  return accepted;
}
