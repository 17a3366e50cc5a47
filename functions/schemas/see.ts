/**
 * The query schema of saliency, and what it becomes for the core: typed options with the core's own names,
 * model-dependent names (labels, layers) resolved before any work.
 */
import * as v from 'valibot';
import { CAPS } from '../core/caps.js';
import { badRequest } from '../core/errors.js';
import type { Model } from '../core/model.js';
import { camLayers, defaultCamLayer } from '../core/see/cam.js';
import { LADDERS, occlusionDefault, scoreCamDefault } from '../core/defaults.js';
import { defaultStride, windowCount } from '../core/see/occlusion.js';
import { METHODS, SALIENCY_METHODS, type SaliencyOptions } from '../core/see/saliency.js';
import type { OwnOptions } from './echo.js';
import { bool, classRef, costDefault, FORMAT, int, INVERT, num, pick, PREPROCESS, SEED, word } from './params.js';
import { classIndex, layerNamed } from './resolve.js';

export const SaliencyQuery = v.object({
  preprocess: PREPROCESS,
  invert: INVERT,
  method: pick(SALIENCY_METHODS, { default: 'gradient', description: 'The saliency method', example: 'grad-cam' }),
  target: classRef({ description: 'The class to explain, by index or label; default: the prediction', example: 3 }),
  samples: int({
    min: 1,
    max: CAPS.saliencySamples,
    default: 25,
    cap: 'saliencySamples',
    description: 'SmoothGrad: noisy copies averaged',
    example: 8,
  }),
  noise: num({ min: 0, max: 1, default: 0.15, description: 'SmoothGrad: noise standard deviation in pixel units' }),
  steps: int({
    min: 1,
    max: CAPS.saliencySteps,
    default: 32,
    cap: 'saliencySteps',
    description: 'Integrated gradients: steps on the path from a black baseline',
    example: 16,
  }),
  layer: word({
    description:
      'Grad-CAM, Grad-CAM++, Score-CAM, LayerCAM: a layer with [C,H,W] maps; default: the last ReLU with maps of at least 7x7',
    example: 'relu1',
  }),
  patch: int({
    min: 1,
    max: 1024,
    description: `Occlusion: the patch's side in input pixels, at most the input's; ${costDefault(`the finest grid of g x g windows (patch 2/(g+1) of the input's side, stride half of it, g up to ${LADDERS.occlusionGrid.top})`, `${LADDERS.occlusionGrid.min} x ${LADDERS.occlusionGrid.min}`)}`,
    example: 7,
  }),
  stride: int({
    min: 1,
    max: 1024,
    description:
      "Occlusion: the step between patches, at most the patch; default: half the patch, rounded up (without patch: the model's grid, see patch)",
    example: 3,
  }),
  channels: int({
    min: 1,
    max: 4096,
    description: `Score-CAM: the layer's channels scored, those whose maps vary most (Faster Score-CAM); up to the layer's channels; ${costDefault("the most of the layer's channels", `${LADDERS.scoreCamChannels.min} (or the layer's, if fewer)`)}`,
    example: 64,
  }),
  signed: bool({
    description:
      'Pictures: a diverging colour map centred on 0 (blue below, red above); default: true for the signed maps (gradient-x-input, integrated-gradients, occlusion)',
    example: false,
  }),
  clip: num({
    min: 50,
    max: 100,
    default: 99,
    description: 'Pictures: the percentile of |map| where the colour scale saturates (100: the maximum)',
    example: 95,
  }),
  seed: SEED,
  format: FORMAT,
});

/** Each method's own options (the answer echoes no other method's). */
export const SALIENCY_OWN_OPTIONS: OwnOptions<v.InferOutput<typeof SaliencyQuery>> = {
  gradient: [],
  'gradient-x-input': [],
  smoothgrad: ['samples', 'noise'],
  'integrated-gradients': ['steps'],
  'grad-cam': ['layer'],
  'grad-cam-plus-plus': ['layer'],
  'score-cam': ['layer', 'channels'],
  'layer-cam': ['layer'],
  occlusion: ['patch', 'stride'],
};

export function saliencyOptions(model: Model, q: v.InferOutput<typeof SaliencyQuery>): SaliencyOptions {
  const method = METHODS[q.method];
  const cams = camLayers(model);
  if (method.layer && !cams.length)
    throw badRequest(
      `method ${q.method} needs a layer with [C,H,W] maps of more than one position; model ${model.meta.name} has none. Methods that need no layer: ${SALIENCY_METHODS.filter((m) => !METHODS[m].layer).join(', ')}`,
    );
  const layer = q.layer === undefined ? undefined : layerNamed(model, 'layer', q.layer, cams).name;
  const [, h, w] = model.meta.input.shape;
  const o: SaliencyOptions = {
    method: q.method,
    layer: method.layer ? (layer ?? defaultCamLayer(model)) : layer,
    target: q.target === undefined ? undefined : classIndex(model, 'target', q.target),
    samples: q.samples,
    noise: q.noise,
    steps: q.steps,
    seed: q.seed,
    patch: q.patch ?? 0,
    stride: q.stride ?? (q.patch === undefined ? 0 : defaultStride(q.patch)),
    channels: q.channels ?? 0,
    signed: q.signed ?? method.signed,
  };
  // Unset: the model's own (functions/core/defaults.ts). Score-CAM's channels only for Score-CAM, the one method
  // that reads them (0 for the others); the patch for every method, so a stride alone is checked against it.
  if (q.patch === undefined) {
    const grid = occlusionDefault(model, o);
    o.patch = grid.patch;
    o.stride = q.stride ?? grid.stride;
  }
  if (q.channels === undefined && q.method === 'score-cam') o.channels = scoreCamDefault(model, o);
  const { patch, stride } = o;
  if (patch > Math.min(h, w))
    throw badRequest(
      `patch is ${patch}, larger than the input of model ${model.meta.name} (${w}x${h}): patch must be from 1 to ${Math.min(h, w)}`,
    );
  if (stride > patch)
    throw badRequest(
      `stride is ${stride}, larger than patch (${patch}): stride must be from 1 to ${patch}, so that every pixel is covered`,
    );
  const windows = windowCount(model, { patch, stride });
  if (q.method === 'occlusion' && windows > CAPS.occlusionWindows)
    throw badRequest(
      `occlusion with patch ${patch} and stride ${stride} makes ${windows} windows on ${w}x${h}, over the cap of ${CAPS.occlusionWindows} (occlusionWindows): use a larger stride or patch`,
    );
  return o;
}

/** The query as the method understood it: the patch, stride and channels it used (the model's, when unset). */
export const saliencyUsed = (q: v.InferOutput<typeof SaliencyQuery>, o: SaliencyOptions) => ({
  ...q,
  patch: o.patch,
  stride: o.stride,
  channels: o.channels,
});
