/**
 * Query schemas of saliency, attack, robustness and fooling, and what each becomes for the core: typed options
 * with the core's own names, model-dependent names (labels, layers) resolved before any work.
 */
import * as v from 'valibot';
import { CAPS } from '../core/caps.js';
import { badRequest } from '../core/errors.js';
import { ATTACKS, MAX_EPS, NORMS, type AttackConfig } from '../core/fool/attack.js';
import type { FoolingConfig } from '../core/fool/fooling.js';
import type { Model } from '../core/model.js';
import { camLayers, SALIENCY_METHODS, type SaliencyOptions } from '../core/see/saliency.js';
import { bool, classRef, FORMAT, int, num, numbers, pick, INVERT, PREPROCESS, SEED, word } from './params.js';
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
    description: 'Grad-CAM: a layer with [C,H,W] maps; default: the last ReLU with maps of at least 7x7',
    example: 'relu1',
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

export function saliencyOptions(model: Model, q: v.InferOutput<typeof SaliencyQuery>): SaliencyOptions {
  return {
    method: q.method,
    layer: q.layer === undefined ? undefined : layerNamed(model, 'layer', q.layer, camLayers(model)).name,
    target: q.target === undefined ? undefined : classIndex(model, 'target', q.target),
    samples: q.samples,
    noise: q.noise,
    steps: q.steps,
    seed: q.seed,
  };
}

export const AttackQuery = v.object({
  preprocess: PREPROCESS,
  invert: INVERT,
  method: pick(ATTACKS, { default: 'pgd', description: 'FGSM (one step), BIM, or PGD (BIM from a random start)' }),
  norm: pick(NORMS, { default: 'linf', description: 'Threat model: the ball the perturbation stays in' }),
  eps: numbers({
    min: 0,
    max: MAX_EPS.l2,
    minItems: 1,
    maxItems: CAPS.attackSweep,
    description: `Perturbation budget: 0.3 by default for linf (at most ${MAX_EPS.linf}), 2 for l2. Several values run a sweep and report the smallest that succeeds`,
    example: [0.05, 0.1, 0.2],
  }),
  steps: int({
    min: 1,
    max: CAPS.attackSteps,
    default: 40,
    cap: 'attackSteps',
    description: 'BIM/PGD iterations (FGSM takes one)',
    example: 10,
  }),
  step_size: num({ min: 0, max: MAX_EPS.l2, description: 'BIM/PGD step; default 2.5 * eps / steps', example: 0.05 }),
  random_start: bool({ default: false, description: 'Start inside the ball at random (PGD always does)' }),
  target: classRef({ description: 'A targeted attack: the class to reach, by index or label', example: 2 }),
  seed: SEED,
  format: FORMAT,
});

/** One configuration per eps (sorted), within the eps cap of the norm and the steps cap of the whole sweep. */
export function attackOptions(model: Model, q: v.InferOutput<typeof AttackQuery>): AttackConfig[] {
  const max = MAX_EPS[q.norm];
  const eps = [...(q.eps ?? [q.norm === 'linf' ? 0.3 : 2])].sort((a, b) => a - b);
  if (eps.some((e) => e > max)) throw badRequest(`eps must be at most ${max} for norm=${q.norm}; got ${eps.join(',')}`);
  const steps = q.method === 'fgsm' ? 1 : q.steps;
  if (steps * eps.length > CAPS.attackSteps * 4)
    throw badRequest(
      `an eps sweep of ${eps.length} values x ${steps} steps is over the cap of ${CAPS.attackSteps * 4} attack steps per request`,
    );
  const target = q.target === undefined ? undefined : classIndex(model, 'target', q.target);
  return eps.map((e) => ({
    method: q.method,
    norm: q.norm,
    eps: e,
    steps,
    stepSize: q.method === 'fgsm' ? e : Math.min(max, q.step_size ?? (2.5 * e) / steps),
    randomStart: q.method === 'pgd' || q.random_start,
    target,
    seed: q.seed,
  }));
}

export const RobustnessQuery = v.object({
  eps: numbers({
    min: 0,
    max: 1,
    minItems: 1,
    maxItems: CAPS.robustnessEps,
    default: [0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3],
    description: 'L-inf budgets, one row each',
    example: [0, 0.1, 0.3],
  }),
  images: int({
    min: 1,
    max: CAPS.robustnessImages,
    default: 100,
    cap: 'robustnessImages',
    description: 'How many of the held-out images bundled with the model',
    example: 20,
  }),
  steps: int({ min: 1, max: 40, default: 20, description: 'PGD steps', example: 5 }),
  methods: v.optional(
    v.pipe(
      v.union([v.string(), v.array(v.string())]),
      v.transform((s) => (Array.isArray(s) ? s : s.split(',').map((m) => m.trim()))),
      v.array(v.picklist(['fgsm', 'pgd'])),
      v.minLength(1),
      v.maxLength(2),
      v.metadata<('fgsm' | 'pgd')[], Record<string, unknown>>({
        description: 'Attacks to run (comma-separated)',
        example: ['fgsm'],
      }),
    ),
    ['fgsm', 'pgd'],
  ),
});

export const FoolingQuery = v.object({
  target: classRef({
    all: true,
    default: 'all',
    description: 'The class to fool the model into (index or label), or all (a gallery)',
    example: 3,
  }),
  start: pick(['noise', 'blank', 'image'], {
    default: 'noise',
    description: 'Start from uniform noise, a blank image, or the uploaded image (then send one)',
  }),
  steps: int({
    min: 1,
    max: CAPS.foolingSteps,
    default: CAPS.foolingSteps,
    cap: 'foolingSteps',
    description: 'Step cap (the run stops as soon as every target is reached)',
    example: 50,
  }),
  lr: num({
    min: 0,
    max: 1,
    default: 0.2,
    description: 'Step size (gradient normalised by its standard deviation, momentum 0.8)',
  }),
  confidence: num({ min: 0, max: 0.999999, default: 0.9999, description: 'Stop when p(target) reaches this' }),
  l2: num({ min: 0, max: 1, default: 0, description: 'L2 decay prior per step' }),
  tv: num({ min: 0, max: 1, default: 0, description: 'Total-variation prior per step' }),
  blur_every: int({ min: 0, max: 100, default: 0, description: 'Blur every k steps (0: never)' }),
  seed: SEED,
  format: FORMAT,
});

export function foolingOptions(model: Model, q: v.InferOutput<typeof FoolingQuery>): FoolingConfig {
  return {
    target: q.target === 'all' ? 'all' : classIndex(model, 'target', q.target),
    start: q.start,
    steps: q.steps,
    lr: q.lr,
    confidence: q.confidence,
    l2: q.l2,
    tv: q.tv,
    blurEvery: q.blur_every,
    seed: q.seed,
  };
}
