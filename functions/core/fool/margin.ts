/**
 * Carlini-Wagner's margin term and its gradient, one row per (image, c): scale * max(m, -kappa), where m = z_a -
 * max_{j != a} z_j leaves class a (untargeted) and scale = -c turns it into max_{j != t} z_j - z_t towards a target
 * a = t. One run of margin-grad.onnx, which forms the cotangent from the logits in the graph; a folder exported
 * before that graph takes a forward run for the margin and then a logit-gradient run (the same numbers).
 */
import { IO } from '../../../model-contract/graphs.js';
import { forward, hasGraph, logitsLayer, vjp } from '../gradient.js';
import type { Model } from '../model.js';

/** The margin the loss hinges on, signed so that > 0 is not yet fooled, and the class o it is taken against. */
export function margin(z: ArrayLike<number>, row: number, k: number, label: number, target?: number) {
  const away = target ?? label;
  let other = -1;
  for (let c = 0; c < k; c++) if (c !== away && (other < 0 || z[row * k + c] > z[row * k + other])) other = c;
  const m = z[row * k + away] - z[row * k + other];
  return { value: target === undefined ? m : -m, other };
}

export interface MarginRow {
  /** The class to leave (untargeted) or the target. */
  away: number;
  /** c, negated for a targeted row. */
  scale: number;
}

/** The margin term's gradient at x (one image a row) with the logits and probabilities there. */
export async function marginGrad(model: Model, x: Float32Array, rows: MarginRow[], confidence: number) {
  const n = rows.length,
    k = model.meta.labels.length,
    dims = [n, ...model.meta.input.shape];
  if (hasGraph(model, 'margin-grad')) {
    const away = new Float32Array(n * k);
    rows.forEach((r, i) => (away[i * k + r.away] = 1));
    const out = await model.runner.run(
      'margin-grad',
      {
        [IO.input]: { data: x, dims },
        [IO.away]: { data: away, dims: [n, k] },
        [IO.marginScale]: { data: Float32Array.from(rows, (r) => r.scale), dims: [n, 1] },
        [IO.confidence]: { data: new Float32Array(n).fill(confidence), dims: [n, 1] },
      },
      [IO.gradInput, IO.logits, IO.probs],
    );
    return { grad: out[IO.gradInput].data, logits: out[IO.logits].data, probs: out[IO.probs].data };
  }
  const { logits, probs } = await forward(model, x, n);
  const cot = new Float32Array(n * k);
  rows.forEach((r, i) => {
    const sign = Math.sign(r.scale),
      mg = margin(logits, i, k, r.away, sign < 0 ? r.away : undefined);
    // d/dz of scale * (z_a - z_o) while the hinge is active.
    if (mg.value > -confidence) {
      cot[i * k + r.away] = r.scale;
      cot[i * k + mg.other] = -r.scale;
    }
  });
  const { grad } = await vjp(model, x, dims, { [logitsLayer(model)]: cot });
  return { grad, logits, probs };
}
