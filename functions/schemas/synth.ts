/** Query schemas of visualize, dream and style, and the typed options the core receives. */
import * as v from 'valibot';
import { CAPS } from '../core/caps.js';
import { LADDERS, visualizeDefault } from '../core/defaults.js';
import { badRequest } from '../core/errors.js';
import { logitsLayer, prefixLayers, synthLayerNames } from '../core/gradient.js';
import type { Model } from '../core/model.js';
import type { DreamConfig } from '../core/synth/dream.js';
import type { StyleConfig } from '../core/synth/style.js';
import type { VisualizeConfig } from '../core/synth/visualize.js';
import { classRef, costDefault, FORMAT, int, intOrAll, ints, num, pick, SEED, word, words } from './params.js';
import { classIndex, layerNamed } from './resolve.js';
import { SYNTH_KINDS } from '../../model-contract/graphs.js';

const regularisers = {
  steps: int({
    min: 1,
    max: CAPS.visualizeSteps,
    cap: 'visualizeSteps',
    description: `Ascent steps; ${costDefault(`the most up to ${LADDERS.visualizeSteps.top} (for one unit, or the layer's grid)`, `${LADDERS.visualizeSteps.min}`)}`,
    example: 16,
  }),
  lr: num({ min: 0, max: 1, default: 0.05, description: 'Step size (the gradient scaled to a largest value of 1)' }),
  jitter: int({ min: 0, max: 4, default: 1, description: 'Random shift each step, in pixels' }),
  rotate: num({ min: 0, max: 45, default: 5, description: 'Random rotation each step, in degrees (either way)' }),
  scale: num({ min: 0, max: 0.5, default: 0.05, description: 'Random scaling each step (1 +- scale)' }),
  tv: num({ min: 0, max: 1, default: 0.002, description: 'Total-variation prior' }),
  l2: num({ min: 0, max: 1, default: 0.002, description: 'L2 decay prior' }),
};

export const VisualizeQuery = v.object({
  layer: word({
    description: 'The layer; default: the first conv layer (the last layer with class=)',
    example: 'relu2',
  }),
  channel: intOrAll({
    default: 0,
    description: `One filter of the layer, or all of them as a grid (at most ${CAPS.visualizeChannels} maps)`,
    example: 'all',
  }),
  neuron: ints({
    count: 3,
    description: "One neuron: channel,y,x inside the layer's [C,H,W] maps",
    example: [3, 7, 7],
  }),
  class: classRef({ description: 'A class logit of the last layer, by index or label', example: 8 }),
  ...regularisers,
  seed: SEED,
  format: FORMAT,
});

export function visualizeOptions(model: Model, q: v.InferOutput<typeof VisualizeQuery>): VisualizeConfig {
  const layers = model.meta.layers,
    logits = logitsLayer(model);
  const layer =
    q.layer !== undefined
      ? layerNamed(model, 'layer', q.layer)
      : q.class !== undefined
        ? layerNamed(model, 'layer', logits)
        : // The first convolution's filters; a model without one (an imported MLP): its class logits.
          (layers.find((l) => l.kind === 'conv2d') ?? layerNamed(model, 'layer', logits));
  const channels = layer.outShape[0];
  let unit: VisualizeConfig['unit'];
  if (q.class !== undefined) {
    if (layer.name !== logits)
      throw badRequest(`class= visualises a logit of the last layer (${logits}); drop layer= or use channel=`);
    unit = { channel: classIndex(model, 'class', q.class) };
  } else if (q.neuron !== undefined) {
    const [ch, y, x] = q.neuron;
    if (layer.outShape.length !== 3 || ch >= channels || y >= layer.outShape[1] || x >= layer.outShape[2])
      throw badRequest(
        `neuron must be "channel,y,x" inside [${layer.outShape}] of conv-shaped layer ${layer.name}; got ${q.neuron.join(',')}`,
      );
    unit = { channel: ch, y, x };
  } else if (q.channel === 'all') {
    if (channels > CAPS.visualizeChannels)
      throw badRequest(
        `layer ${layer.name} has ${channels} channels, over the cap of ${CAPS.visualizeChannels} for a grid (visualizeChannels); pick channel=`,
      );
    unit = 'all';
  } else {
    if (q.channel >= channels)
      throw badRequest(`channel must be from 0 to ${channels - 1} for layer ${layer.name}, or all; got ${q.channel}`);
    unit = { channel: q.channel };
  }
  const { lr, jitter, rotate, scale, tv, l2, seed } = q;
  const cfg = { layer, unit, steps: q.steps ?? 0, lr, jitter, rotate, scale, tv, l2, seed };
  return q.steps === undefined ? { ...cfg, steps: visualizeDefault(model, cfg) } : cfg;
}

/** Layers of the convolutional prefix (the graphs dream and style run), checked by name. */
function prefixNames(model: Model, param: string, list: string[]): string[] {
  return list.map((l) => layerNamed(model, param, l, prefixLayers(model)).name);
}

export const DreamQuery = v.object({
  layers: words({
    maxItems: 8,
    description: `Convolutional-prefix layers whose activations grow (comma-separated); default: the second synth layer (a map of ${SYNTH_KINDS.join(', ')})`,
    example: ['relu1', 'relu2'],
  }),
  steps: int({
    min: 1,
    max: CAPS.dreamSteps,
    default: 5,
    cap: 'dreamSteps',
    description: 'Steps per octave',
    example: 3,
  }),
  step_size: num({
    min: 0,
    max: 1,
    default: 0.04,
    description: 'Step (the gradient scaled to unit standard deviation)',
  }),
  octaves: int({
    min: 1,
    max: CAPS.dreamOctaves,
    default: 3,
    cap: 'dreamOctaves',
    description: 'Sizes the image is dreamed at, smallest first',
    example: 2,
  }),
  octave_scale: num({ min: 1.05, max: 2, default: 1.3, description: 'Scale between octaves' }),
  jitter: int({ min: 0, max: 8, default: 1, description: 'Random shift each step, in pixels' }),
  side: int({
    min: 8,
    max: CAPS.synthSide,
    default: 64,
    cap: 'synthSide',
    description:
      'Longest side the upload is shrunk to (a smaller one is kept; one under the network minimum is padded)',
    example: 32,
  }),
  seed: SEED,
  format: FORMAT,
});

/** Dream and style work on the convolutional prefix's rectifier-like maps: a model without one (an MLP) is a 400. */
function featureMaps(model: Model, what: string): string[] {
  const relus = synthLayerNames(model);
  if (!relus.length)
    throw badRequest(
      `${what} needs a ReLU feature map (or one of ${SYNTH_KINDS.filter((k) => k !== 'relu').join(', ')}) before the first dense layer; ${model.meta.name} has none (a model without convolutions): saliency, attack, fooling and visualize work on it`,
    );
  return relus;
}

export function dreamOptions(model: Model, q: v.InferOutput<typeof DreamQuery>): DreamConfig {
  featureMaps(model, 'dream');
  const relus = synthLayerNames(model);
  return {
    layers: prefixNames(model, 'layers', q.layers ?? [relus[Math.min(1, relus.length - 1)]]),
    steps: q.steps,
    stepSize: q.step_size,
    octaves: q.octaves,
    octaveScale: q.octave_scale,
    jitter: q.jitter,
    seed: q.seed,
  };
}

export const StyleQuery = v.object({
  style_layers: words({
    maxItems: 8,
    description:
      'Layers whose Gram matrices are matched (comma-separated); default: every synth layer (rectifier-like map) of the convolutional prefix',
    example: ['relu1', 'relu2'],
  }),
  content_layer: word({
    description: 'The layer whose features are matched; default: the deepest synth layer',
    example: 'relu2',
  }),
  content_weight: num({ min: 0, max: 1e6, default: 1, description: 'Weight of the content loss' }),
  style_weight: num({ min: 0, max: 1e9, default: 100, description: 'Weight of the style loss' }),
  optimizer: pick(['lbfgs', 'adam'], {
    default: 'lbfgs',
    description: 'L-BFGS (as Gatys et al.) or Adam, on the pixels',
    example: 'adam',
  }),
  steps: int({
    min: 1,
    max: CAPS.styleSteps,
    cap: 'styleSteps',
    description: 'Steps, each one graph run (L-BFGS line-search tries count); default 10 for L-BFGS, 20 for Adam',
    example: 5,
  }),
  lr: num({
    min: 0,
    max: 1,
    description: "Adam's step size (default 0.04), or the largest pixel change of L-BFGS's first step (default 0.1)",
  }),
  side: int({
    min: 8,
    max: CAPS.synthSide,
    default: 48,
    cap: 'synthSide',
    description: "The working size: the content image's longest side",
    example: 32,
  }),
  format: FORMAT,
});

export function styleOptions(model: Model, q: v.InferOutput<typeof StyleQuery>): StyleConfig {
  featureMaps(model, 'style');
  const relus = synthLayerNames(model),
    lbfgs = q.optimizer === 'lbfgs';
  return {
    styleLayers: prefixNames(model, 'style_layers', q.style_layers ?? relus),
    contentLayer: prefixNames(model, 'content_layer', [q.content_layer ?? relus[relus.length - 1]])[0],
    contentWeight: q.content_weight,
    styleWeight: q.style_weight,
    optimizer: q.optimizer,
    steps: q.steps ?? (lbfgs ? 10 : 20),
    lr: q.lr ?? (lbfgs ? 0.1 : 0.04),
    side: q.side,
  };
}
