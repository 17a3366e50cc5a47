/**
 * Each endpoint's work as graph runs (functions/core/cost.ts prices them), from the options the endpoint's schema
 * resolved, before the body is read. The counts follow the loops in the cores named beside each.
 */
import type { Runs } from './cost.js';
import type { AttackConfig } from './fool/attack.js';
import type { FoolingConfig } from './fool/fooling.js';
import type { RobustnessOptions } from './fool/robustness.js';
import type { Model } from './model.js';
import { METHODS, type SaliencyOptions } from './see/saliency.js';
import type { DreamConfig } from './synth/dream.js';
import type { StyleConfig } from './synth/style.js';
import type { VisualizeConfig } from './synth/visualize.js';

export const classifyWork = (): Runs[] => [{ kind: 'forward', runs: 1 }];

/** see/saliency.ts: the prediction, then the method's own runs (see/method.ts). */
export const saliencyWork = (model: Model, o: SaliencyOptions): Runs[] => [
  { kind: 'forward', runs: 1 },
  ...METHODS[o.method].work(model, o),
];

/** fool/attack.ts attackOne per eps of a sweep: before, `steps` loss gradients, after. */
export const attackWork = (cfgs: AttackConfig[]): Runs[] =>
  cfgs.flatMap((c) => [
    { kind: 'forward' as const, runs: 2 },
    { kind: 'grad' as const, runs: c.steps },
  ]);

/** fool/robustness.ts: the clean batch, then per method and non-zero eps an attack batch and its check. */
export function robustnessWork(o: RobustnessOptions): Runs[] {
  const work: Runs[] = [{ kind: 'forward', runs: 1, images: o.images }];
  for (const m of o.methods)
    for (const e of o.eps)
      if (e !== 0)
        work.push(
          { kind: 'grad', runs: m === 'fgsm' ? 1 : o.steps, images: o.images },
          { kind: 'forward', runs: 1, images: o.images },
        );
  return work;
}

/** fool/fooling.ts: up to steps + 1 loss gradients of every target's image (an upper bound: images leave the batch as they arrive). */
export const foolingWork = (model: Model, c: FoolingConfig): Runs[] => [
  { kind: 'grad', runs: c.steps + 1, images: c.target === 'all' ? model.meta.labels.length : 1 },
];

/** synth/visualize.ts: the objective before and after, and a gradient per step, for each unit of the grid. */
export function visualizeWork(c: VisualizeConfig): Runs[] {
  const images = c.unit === 'all' ? (c.layer.outShape[0] ?? 1) : 1;
  return [
    { kind: 'forward', runs: 2, images },
    { kind: 'grad', runs: c.steps, images },
  ];
}

/** synth/dream.ts: `steps` synthesis gradients per octave (the largest octave at `side`), objectives at full size. */
export function dreamWork(c: DreamConfig, side: number): Runs[] {
  const work: Runs[] = [{ kind: 'forward', runs: 2, pixels: side * side }];
  for (let k = 0; k < c.octaves; k++) {
    const s = side / c.octaveScale ** k;
    work.push({ kind: 'synth', runs: c.steps, pixels: s * s });
  }
  return work;
}

/** synth/style.ts: the two targets, then steps + 1 evaluations (loss and gradient) at the working size. */
export const styleWork = (c: StyleConfig): Runs[] => [
  { kind: 'forward', runs: 2, pixels: c.side * c.side },
  { kind: 'synth', runs: c.steps + 1, pixels: c.side * c.side },
];
