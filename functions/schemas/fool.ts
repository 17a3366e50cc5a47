/**
 * Query schemas of attack, robustness and fooling, and what each becomes for the core: typed options with the
 * core's own names, model-dependent names (labels) resolved before any work.
 */
import * as v from 'valibot';
import { CAPS, FOOLING_BUDGET_MS, ROBUSTNESS_BUDGET_MS } from '../core/caps.js';
import { badRequest } from '../core/errors.js';
import { attackDefaults } from '../../model-contract/attack-defaults.js';
import { ATTACKS, maxEps, NORMS, type AttackConfig } from '../core/fool/attack.js';
import {
  cwDefault,
  deepfoolDefault,
  foolingDefault,
  LADDERS,
  robustnessDefault,
  ROBUSTNESS_TOP,
} from '../core/defaults.js';
import type { FoolingConfig } from '../core/fool/fooling.js';
import { defaultEps, ROBUSTNESS_EPS_ROWS, type RobustnessOptions } from '../core/fool/robustness.js';
import type { Model } from '../core/model.js';
import type { OwnOptions } from './echo.js';
import { bool, classRef, costDefault, FORMAT, int, INVERT, num, numbers, pick, PREPROCESS, SEED } from './params.js';
import { classIndex, classList } from './resolve.js';

export const AttackQuery = v.object({
  preprocess: PREPROCESS,
  invert: INVERT,
  method: pick(ATTACKS, {
    default: 'pgd',
    description:
      'Within a budget eps: FGSM (one step), BIM, or PGD (BIM from a random start). The smallest L2 change that flips the prediction: deepfool (linearised boundaries) or cw (Carlini-Wagner)',
  }),
  norm: pick(NORMS, {
    description:
      'Threat model: the ball the perturbation stays in; default linf (fgsm, bim, pgd); deepfool and cw are l2',
  }),
  eps: numbers({
    minItems: 1,
    maxItems: CAPS.attackSweep,
    description:
      "fgsm, bim, pgd: the perturbation budget, from 0 to 1 for linf, to the input's diagonal sqrt(C*H*W) for l2 (28 for 28x28 gray); default the model's (GET /models/{model}: attack_defaults; 0.3 and 2 for gray drawings, 8/255 for colour photos). Several values run a sweep and report the smallest that succeeds",
    example: [0.05, 0.1, 0.2],
  }),
  steps: int({
    min: 1,
    max: CAPS.attackSteps,
    cap: 'attackSteps',
    description: `bim, pgd: iterations (default 40; fgsm takes one). deepfool: linearisation steps at most. cw: Adam steps, every value of c at once. For deepfool and cw, ${costDefault(`the most steps (deepfool: ${LADDERS.deepfoolSteps.join(', ')}, then ${LADDERS.deepfoolLastSteps.join(', ')} at the fewest candidates; cw: see search_steps)`, `${LADDERS.deepfoolLastSteps.at(-1)} (deepfool), ${LADDERS.cw.at(-1)!.steps} (cw; ${LADDERS.cw.at(-2)!.steps} on gray drawings)`)}`,
    example: 10,
  }),
  step_size: num({
    min: 0,
    max: 1000,
    description: `bim, pgd: the step (default 2.5 * eps / steps). cw: Adam's learning rate in tanh space (default: the model's, ${[...new Set(LADDERS.cw.map((c) => c.lr))].join(' or ')} with its steps, see search_steps; 0.2 only below 10 steps on colour pictures)`,
    example: 0.05,
  }),
  random_start: bool({ default: false, description: 'Start inside the ball at random (PGD always does)' }),
  overshoot: num({
    min: 0,
    max: 1,
    default: 0.02,
    description: 'deepfool: each total step is overshot by this fraction, to land past the boundary',
  }),
  candidates: int({
    min: 2,
    max: 1000,
    description: `deepfool: the classes at the top of the model's scores whose boundaries it linearises, the predicted one among them (the authors' num_classes); each costs a gradient row per step; ${costDefault(`the most candidates (up to ${LADDERS.deepfoolCandidates.top} and the model's classes) with at least ${LADDERS.deepfoolSteps.at(-1)} steps`, `${LADDERS.deepfoolCandidates.min}`)}`,
    example: 3,
  }),
  confidence: num({
    min: 0,
    max: 100,
    default: 0,
    description: 'cw: kappa, the logit margin past the boundary the loss asks for (larger: surer, larger change)',
  }),
  search_steps: int({
    min: 1,
    max: CAPS.attackSearchSteps,
    cap: 'attackSearchSteps',
    description: `cw: values of c, the weight of the misclassification term, tried at once: a decade apart around 1 (5: 0.01 to 100); ${costDefault(`the first of (values of c x Adam steps, learning rate) ${LADDERS.cw.map((c) => `${c.searchSteps} x ${c.steps}, ${c.lr}`).join('; ')}`, `${LADDERS.cw.at(-1)!.searchSteps} x ${LADDERS.cw.at(-1)!.steps} (${LADDERS.cw.at(-2)!.searchSteps} x ${LADDERS.cw.at(-2)!.steps} on gray drawings: one channel, protocol mnist or fit)`)}`,
    example: 3,
  }),
  target: classRef({ description: 'A targeted attack: the class to reach, by index or label', example: 2 }),
  seed: SEED,
  format: FORMAT,
});

/** Each method's own options (the answer echoes no other method's); PGD always starts at random. */
export const ATTACK_OWN_OPTIONS: OwnOptions<v.InferOutput<typeof AttackQuery>> = {
  fgsm: ['norm', 'eps', 'random_start'],
  bim: ['norm', 'eps', 'steps', 'step_size', 'random_start'],
  pgd: ['norm', 'eps', 'steps', 'step_size'],
  deepfool: ['norm', 'steps', 'overshoot', 'candidates'],
  cw: ['norm', 'steps', 'step_size', 'confidence', 'search_steps'],
};

/** Attack steps one request may run in all (an eps sweep's, or Carlini-Wagner's steps times its values of c). */
export const ATTACK_STEPS_PER_REQUEST = CAPS.attackSteps * 4;
const STEPS = { bim: 40, pgd: 40 } as const;

/**
 * One configuration per eps (sorted) for the budget attacks, within the eps range of the norm and the steps cap
 * of the whole sweep; one for deepfool and cw (L2, no budget), within the same cap over cw's values of c.
 */
export function attackOptions(model: Model, q: v.InferOutput<typeof AttackQuery>): AttackConfig[] {
  const target = q.target === undefined ? undefined : classIndex(model, 'target', q.target);
  const method = q.method;
  if (method === 'deepfool' || method === 'cw') {
    if (q.norm === 'linf')
      throw badRequest(`method=${method} finds the smallest L2 change: leave norm out or give norm=l2; got norm=linf`);
    if (q.eps !== undefined)
      throw badRequest(
        `eps is the budget of fgsm, bim and pgd; method=${method} has none (it finds the smallest change); got eps=${q.eps.join(',')}`,
      );
    if (method === 'deepfool') {
      const cfg = { method, steps: 0, overshoot: q.overshoot, candidates: 0, target };
      return [{ ...cfg, ...deepfoolDefault(model, cfg, { candidates: q.candidates, steps: q.steps }) }];
    }
    const cfg = { method, steps: 0, searchSteps: 0, confidence: q.confidence, lr: 0, initialC: 1, target };
    const c = { ...cfg, ...cwDefault(model, cfg, { searchSteps: q.search_steps, steps: q.steps, lr: q.step_size }) };
    if (c.steps * c.searchSteps > ATTACK_STEPS_PER_REQUEST)
      throw badRequest(
        `cw with ${c.searchSteps} search_steps x ${c.steps} steps is over the cap of ${ATTACK_STEPS_PER_REQUEST} attack steps per request`,
      );
    return [c];
  }
  const norm = q.norm ?? 'linf';
  const max = maxEps(model, norm);
  const eps = [...(q.eps ?? [attackDefaults(model.meta)[norm].eps])].sort((a, b) => a - b);
  if (eps.some((e) => e < 0 || e > max))
    throw badRequest(
      `eps must be from 0 to ${Number(max.toFixed(4))} for norm=${norm} (${norm === 'linf' ? 'the whole range of a value' : "the input's diagonal"}); got ${eps.join(',')}`,
    );
  const steps = method === 'fgsm' ? 1 : (q.steps ?? STEPS[method]);
  if (steps * eps.length > ATTACK_STEPS_PER_REQUEST)
    throw badRequest(
      `an eps sweep of ${eps.length} values x ${steps} steps is over the cap of ${ATTACK_STEPS_PER_REQUEST} attack steps per request`,
    );
  return eps.map((e) => ({
    method,
    norm,
    eps: e,
    steps,
    stepSize: method === 'fgsm' ? e : Math.min(max, q.step_size ?? (2.5 * e) / steps),
    randomStart: method === 'pgd' || q.random_start,
    target,
    seed: q.seed,
  }));
}

/** The words for the table's images and steps left unset (functions/core/defaults.ts robustnessDefault). */
const ROBUSTNESS_DEFAULT = `images and steps left unset: ${costDefault(
  `the first of (images x PGD steps) ${LADDERS.robustnessImages.flatMap((i) => LADDERS.robustnessSteps.map((st) => `${i} x ${st}`)).join(', ')}, then ${LADDERS.robustnessLastImages.map((i) => `${i} x ${LADDERS.robustnessSteps.at(-1)}`).join(', ')} that the model has precomputed (robustness.json, made at export from its test samples: ${ROBUSTNESS_TOP.images} x ${ROBUSTNESS_TOP.steps}, or the richest that the export's budget allowed) or`,
  `${LADDERS.robustnessLastImages.at(-1)} x ${LADDERS.robustnessSteps.at(-1)}`,
  ROBUSTNESS_BUDGET_MS,
)}`;

export const RobustnessQuery = v.object({
  eps: numbers({
    min: 0,
    max: 1,
    minItems: 1,
    maxItems: CAPS.robustnessEps,
    description: `L-inf budgets, one row each; default: ${ROBUSTNESS_EPS_ROWS} from 0 to the model's default L-inf eps (its attack defaults: 0, 0.05, ... 0.3 for gray drawings, 0 to 8/255 in steps of 4/3 of a level for colour photos)`,
    example: [0, 0.1, 0.3],
  }),
  images: int({
    min: 1,
    max: CAPS.robustnessImages,
    cap: 'robustnessImages',
    description: `How many of the held-out images bundled with the model (at most as many as it has); ${ROBUSTNESS_DEFAULT}`,
    example: 20,
  }),
  steps: int({ min: 1, max: 40, description: `PGD steps; ${ROBUSTNESS_DEFAULT}`, example: 5 }),
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

/**
 * The table's options: the eps and methods asked, images and steps given or fitted to the model (at most the
 * images it has); a model without test samples has no table.
 */
export function robustnessOptions(model: Model, q: v.InferOutput<typeof RobustnessQuery>): RobustnessOptions {
  if (!model.samples)
    throw badRequest(
      `model ${model.meta.name} has no bundled test samples (samples.json) to measure robust accuracy on`,
    );
  const n = model.samples().n;
  const o = { eps: [...(q.eps ?? defaultEps(model.meta))].sort((a, b) => a - b), methods: q.methods };
  const given = { images: q.images === undefined ? undefined : Math.min(q.images, n), steps: q.steps };
  return { ...o, ...robustnessDefault(model, o, given, n) };
}

export const FoolingQuery = v.object({
  target: classRef({
    all: true,
    default: 'all',
    description: `The class to fool the model into (index or label); a gallery of classes, comma-separated (at most ${CAPS.foolingClasses}; a label holding commas is matched whole: the whole value, any run of the list that is a label, or a label in double quotes, as target="tench, Tinca tinca",3; indices always work); or all: a gallery of every class where the model has at most ${CAPS.foolingClasses} and they fit (see steps) at ${LADDERS.foolingSteps.at(-1)} steps or the steps given, else of the classes the model scores highest on the neutral start (mid-grey for noise, black for blank, the upload), as many as fit (at least one); the answer's gallery says which and why`,
    example: 3,
  }),
  start: pick(['noise', 'blank', 'image'], {
    default: 'noise',
    description: 'Start from uniform noise, a blank image, or the uploaded image (then send one)',
  }),
  steps: int({
    min: 1,
    max: CAPS.foolingSteps,
    cap: 'foolingSteps',
    description: `Step cap (the run stops as soon as every target is reached); ${costDefault(`the largest of ${LADDERS.foolingSteps.join(', ')} (for the targets asked: one, or the gallery; at the cap, the worst case)`, `${LADDERS.foolingSteps.at(-1)}`, FOOLING_BUDGET_MS)}`,
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

/**
 * The target: all, a class (the whole value one label, commas and all), or a gallery of the classes listed
 * (resolve.ts classList: quoted labels whole, the longest run of pieces that is a label, else indices or labels).
 */
function foolingTargets(model: Model, t: number | string): Pick<FoolingConfig, 'target' | 'gallery'> {
  if (t === 'all') return { target: 'all' };
  const labels = model.meta.labels.map((l) => l.toLowerCase());
  if (typeof t === 'number' || labels.includes(t.trim().toLowerCase()) || (!t.includes(',') && !t.includes('"')))
    return { target: classIndex(model, 'target', typeof t === 'number' ? t : t.trim()) };
  const refs = classList(model, 'target', t, CAPS.foolingClasses);
  if (refs.length > CAPS.foolingClasses)
    throw badRequest(`target lists ${refs.length} classes, over the cap of ${CAPS.foolingClasses} in a gallery`);
  return refs.length === 1 ? { target: refs[0] } : { target: 'all', gallery: [...new Set(refs)] };
}

export function foolingOptions(model: Model, q: v.InferOutput<typeof FoolingQuery>): FoolingConfig {
  const cfg: FoolingConfig = {
    ...foolingTargets(model, q.target),
    start: q.start,
    steps: q.steps ?? 0,
    lr: q.lr,
    confidence: q.confidence,
    l2: q.l2,
    tv: q.tv,
    blurEvery: q.blur_every,
    seed: q.seed,
  };
  return { ...cfg, ...foolingDefault(model, cfg, { steps: q.steps }) };
}

/** Which classes a gallery holds and why (the answer's `gallery`): given, every class, or the start's top ones. */
export function galleryChoice(model: Model, cfg: FoolingConfig, classes: number[]) {
  const k = model.meta.labels.length,
    g = cfg.gallery;
  if (Array.isArray(g)) return { classes, chosen: 'given' as const, why: 'the classes listed (target=)' };
  if (!g) return { classes, chosen: 'every class' as const, why: `every class of the model (${k})` };
  const start = { noise: 'mid-grey, the mean of the noise', blank: 'the blank', image: 'the upload' }[cfg.start];
  const top = `the ${g.top} classes the model scores highest on the neutral start (${start})`;
  return {
    classes,
    chosen: 'top of the start' as const,
    why: `${
      g.top === CAPS.foolingClasses
        ? `a gallery holds at most ${CAPS.foolingClasses} of the model's ${k} classes: ${top}`
        : `${top}, the most whose worst case fits the fooling budget of ${FOOLING_BUDGET_MS} ms (all ${k} would not)`
    }; target= a list of classes picks others`,
  };
}

/** The query as the attack understood it: the norm, eps, steps and each method's settings it used. */
export function attackUsed(q: v.InferOutput<typeof AttackQuery>, cfgs: AttackConfig[]) {
  const c = cfgs[0];
  if (c.method === 'deepfool') return { ...q, norm: 'l2' as const, steps: c.steps, candidates: c.candidates };
  if (c.method === 'cw')
    return { ...q, norm: 'l2' as const, steps: c.steps, search_steps: c.searchSteps, step_size: c.lr };
  return { ...q, norm: c.norm, eps: cfgs.map((x) => ('eps' in x ? x.eps : 0)), steps: c.steps };
}
