/**
 * Weight averaging: an exponential moving average (EMA) of the weights over the training steps, which the trainer
 * evaluates and exports instead of the last step's weights (Polyak averaging; timm's ModelEmaV2 does the same).
 *   avg <- d_t * avg + (1 - d_t) * w after each step t = 1, 2, ..., avg starting as the initial weights, with
 *   d_t = min(decay, (1 + t) / (10 + t)): early on the average follows the fast-moving weights closely (d_1 = 2/11)
 *   instead of dragging the random initialisation along for thousands of steps.
 * Every entry of the weights is averaged, batch-norm running statistics included: they are themselves averages
 * over recent batches, so their average is the statistics of recent weights, as the averaged weights are (with the
 * decay's horizon, 1 / (1 - decay) steps, far longer than batch norm's momentum's, those statistics barely lag).
 */
import type { Weights } from './graph/compile.js';

export class WeightAverage {
  private avg: Weights;
  private t = 0;
  constructor(
    initial: Weights,
    public readonly decay: number,
  ) {
    if (!(decay > 0 && decay < 1)) throw new Error(`weight averaging: the decay must be in (0, 1), got ${decay}`);
    this.avg = Object.fromEntries(Object.entries(initial).map(([k, v]) => [k, v.slice()]));
  }

  /** The factor of step t's update: min(decay, (1 + t) / (10 + t)). */
  static factor(decay: number, t: number): number {
    return Math.min(decay, (1 + t) / (10 + t));
  }

  /** Moves the average towards the weights as they are after one more step. */
  update(weights: Weights): void {
    const d = WeightAverage.factor(this.decay, ++this.t);
    for (const [k, a] of Object.entries(this.avg)) {
      const w = weights[k];
      if (!w || w.length !== a.length) throw new Error(`weight averaging: "${k}" missing or resized`);
      for (let i = 0; i < a.length; i++) a[i] = d * a[i] + (1 - d) * w[i];
    }
  }

  /** The averaged weights (the average's own arrays: copy them to keep them past later updates). */
  get weights(): Weights {
    return this.avg;
  }

  get steps(): number {
    return this.t;
  }
}
