/**
 * Each endpoint's work as graph runs (functions/core/cost.ts prices them), from the options the endpoint's schema
 * resolved, before the body is read. The counts follow the loops in the cores named beside each.
 */
import type { Runs } from './cost.js';
import type { AttackConfig } from './fool/attack.js';
import { deepfoolRows } from './fool/deepfool.js';
import type { FoolingConfig } from './fool/fooling.js';
import type { RobustnessOptions } from './fool/robustness.js';
import { hasGraph, synthLayerNames } from './gradient.js';
import type { Model } from './model.js';
import { heatmapWork } from './pictures/heatmap.js';
import { attackPicturesWork } from './pictures/panels.js';
import { METHODS, type SaliencyOptions } from './see/saliency.js';
import { octaveSizes, type DreamConfig } from './synth/dream.js';
import type { StyleConfig } from './synth/style.js';
import { climbing, type VisualizeConfig } from './synth/visualize.js';

export const classifyWork = (): Runs[] => [{ kind: 'forward', runs: 1 }];

/**
 * see/explain.ts: the prediction (unless the method's own run finds it), then the method's runs (see/method.ts),
 * then the pictures of the map (pictures/heatmap.ts).
 */
export const saliencyWork = (model: Model, o: SaliencyOptions): Runs[] => [
  ...(METHODS[o.method].predicting?.can(model, o) ? [] : [{ kind: 'forward' as const, runs: 1 }]),
  ...METHODS[o.method].work(model, o),
  ...heatmapWork(model.meta.input.shape[2], model.meta.input.shape[1]),
];

/**
 * fool/sweep.ts: attackOne (fool/attack.ts) per configuration, then the pictures of the one shown. attackOne: the
 * prediction before, the method's runs, and checks of the delivered and the unrounded picture, each unless the
 * method's own runs scored it. Budget attacks (attackBatch): `steps` loss gradients, then the unrounded picture's
 * forward run; the delivered one's is a run of its own. DeepFool (deepfool.ts): per step a logit-gradient batch of
 * one row per candidate boundary, whose logits check the step's point; a forward run checks the point after the
 * last step, another the unrounded picture. Carlini-Wagner (cw.ts): per Adam step a margin gradient (fool/margin.ts:
 * one run of margin-grad, or a forward and a logit gradient in a folder without it), each of one row per value of
 * c; the checks of the rounded candidates (fool/candidates.ts) are at most `steps` forward runs of as many rows,
 * usually one; the picture found was scored by those runs, and when none was found the rounded input takes a run
 * of its own.
 */
export const attackWork = (model: Model, cfgs: AttackConfig[]): Runs[] => [
  ...cfgs.flatMap((c): Runs[] => {
    if (c.method === 'deepfool')
      return [
        { kind: 'forward', runs: 3 },
        { kind: 'grad', runs: c.steps, images: deepfoolRows(model.meta.labels.length, c) },
      ];
    if (c.method === 'cw')
      return [
        { kind: 'forward', runs: 2 },
        { kind: 'forward', runs: (hasGraph(model, 'margin-grad') ? 1 : 2) * c.steps, images: c.searchSteps },
        { kind: 'grad', runs: c.steps, images: c.searchSteps },
      ];
    return [
      { kind: 'forward', runs: 3 },
      { kind: 'grad', runs: c.steps },
    ];
  }),
  ...attackPicturesWork(model.meta.input.shape),
];

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

/** The images of a fooling request: one target, or the gallery's classes (every class when unset). */
export const foolingImages = (model: Model, c: FoolingConfig) =>
  c.target !== 'all' ? 1 : Array.isArray(c.gallery) ? c.gallery.length : (c.gallery?.top ?? model.meta.labels.length);

/**
 * fool/fooling.ts: the scores of the neutral start where the gallery is its top classes, then up to steps + 1 loss
 * gradients of every target's image (an upper bound: images leave the batch as they arrive).
 */
export const foolingWork = (model: Model, c: FoolingConfig): Runs[] => [
  ...(c.target === 'all' && c.gallery && !Array.isArray(c.gallery) ? [{ kind: 'forward' as const, runs: 1 }] : []),
  { kind: 'grad', runs: c.steps + 1, images: foolingImages(model, c) },
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
