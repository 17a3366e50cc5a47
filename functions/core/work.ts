/**
 * Each endpoint's work as graph runs (functions/core/cost.ts prices them), from the options the endpoint's schema
 * resolved, before the body is read. The counts follow the loops in the cores named beside each.
 */
import type { Runs } from './cost.js';
import type { AttackConfig } from './fool/attack.js';
import type { FoolingConfig } from './fool/fooling.js';
import type { RobustnessOptions } from './fool/robustness.js';
import { synthLayerNames } from './gradient.js';
import type { Model } from './model.js';
import type { SaliencyOptions } from './see/saliency.js';
import { octaveSizes, type DreamConfig } from './synth/dream.js';
import type { StyleConfig } from './synth/style.js';
import { climbing, type VisualizeConfig } from './synth/visualize.js';

export const classifyWork = (): Runs[] => [{ kind: 'forward', runs: 1 }];

/**
 * see/saliency.ts: the prediction (and integrated gradients' baseline), then one gradient batch (SmoothGrad's
 * samples, the path's steps).
 */
export function saliencyWork(o: SaliencyOptions): Runs[] {
  const images = o.method === 'smoothgrad' ? o.samples : o.method === 'integrated-gradients' ? o.steps : 1;
  return [
    { kind: 'forward', runs: o.method === 'integrated-gradients' ? 2 : 1 },
    { kind: 'grad', runs: 1, images },
  ];
}

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

/**
 * synth/visualize.ts: the objective before and after, and a gradient per step (through the convolutional prefix
 * when the climbed layer lies in it), for each unit of the grid.
 */
export function visualizeWork(model: Model, c: VisualizeConfig): Runs[] {
  const images = c.unit === 'all' ? (c.layer.outShape[0] ?? 1) : 1;
  return [
    { kind: 'forward', runs: 2, images },
    { kind: climbing(model, c.layer).inPrefix ? 'synth' : 'grad', runs: c.steps, images },
  ];
}

/** Runs per synthesis step: one of synth-grad.onnx when every layer is a ReLU map, else conv-model then conv-grad. */
const perStep = (model: Model, layers: string[]) => (layers.every((l) => synthLayerNames(model).includes(l)) ? 1 : 2);

/**
 * synth/dream.ts: the objective before and after at full size (conv-model.onnx), and `steps` synthesis gradients
 * per octave (the largest at `side`).
 */
export function dreamWork(model: Model, c: DreamConfig, side: number): Runs[] {
  const work: Runs[] = [{ kind: 'synth', runs: 2, pixels: side * side }];
  for (const { w, h } of octaveSizes(side, side, c))
    work.push({ kind: 'synth', runs: c.steps * perStep(model, c.layers), pixels: w * h });
  return work;
}

/** synth/style.ts: the two targets (conv-model.onnx), then steps + 1 evaluations (loss and gradient). */
export const styleWork = (model: Model, c: StyleConfig): Runs[] => [
  { kind: 'synth', runs: 2, pixels: c.side * c.side },
  {
    kind: 'synth',
    runs: (c.steps + 1) * perStep(model, [...new Set([...c.styleLayers, c.contentLayer])]),
    pixels: c.side * c.side,
  },
];
