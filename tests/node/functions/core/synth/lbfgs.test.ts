/** L-BFGS in a box: a known minimum, the evaluation budget, and monotone accepted losses. */
import { describe, expect, it } from 'vitest';
import { lbfgsBox } from '../../../../../functions/core/synth/lbfgs.js';

// f(x) = sum_i a_i (x_i - c_i)^2: badly scaled (a from 1 to 100), minimum at c, partly outside [0,1].
const n = 50;
const a = Float32Array.from({ length: n }, (_, i) => 1 + (99 * i) / (n - 1));
const c = Float32Array.from({ length: n }, (_, i) => -0.3 + (1.6 * i) / (n - 1));
const f = async (x: Float32Array) => {
  let loss = 0;
  const grad = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    loss += a[i] * (x[i] - c[i]) ** 2;
    grad[i] = 2 * a[i] * (x[i] - c[i]);
  }
  return { loss, grad };
};

describe('lbfgsBox', () => {
  it('finds the box-constrained minimum of a badly scaled quadratic (c clipped to [0,1]) to within 0.005', async () => {
    const x = new Float32Array(n).fill(0.5);
    const path = await lbfgsBox(x, f, { evaluations: 60, firstStep: 0.1 });
    for (let i = 0; i < n; i++) expect(x[i]).toBeCloseTo(Math.min(1, Math.max(0, c[i])), 2);
    for (let k = 1; k < path.length; k++) expect(path[k].loss).toBeLessThanOrEqual(path[k - 1].loss);
  });

  it('never evaluates more than its budget, and beats gradient descent with the same budget', async () => {
    let calls = 0;
    const counted = async (x: Float32Array) => {
      calls++;
      return f(x);
    };
    const x = new Float32Array(n).fill(0.5);
    const path = await lbfgsBox(x, counted, { evaluations: 12, firstStep: 0.1 });
    expect(calls).toBeLessThanOrEqual(12);
    // Projected gradient descent with the largest stable step (1 / max curvature) and the same 12 evaluations.
    const y = new Float32Array(n).fill(0.5);
    for (let k = 0; k < 11; k++) {
      const { grad } = await f(y);
      for (let i = 0; i < n; i++) y[i] = Math.min(1, Math.max(0, y[i] - grad[i] / (2 * 100)));
    }
    expect(path[path.length - 1].loss).toBeLessThan((await f(y)).loss);
  });
});
