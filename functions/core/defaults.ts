/**
 * Defaults that fit the model. An option that drives a request's cost, left unset, takes the richest setting of
 * its ladder (richest first, down to the option's minimum) whose work (work.ts), priced by the model's measured
 * costs (cost.ts, models/<name>/costs.json), stays within DEFAULT_BUDGET_MS; when not even the minimum fits, the
 * minimum. So a tiny model keeps the full settings, a costly one gets fewer windows, channels or steps, and the
 * defaults follow costs.json when it is re-measured. Loops that stop early are priced at their step limit, so for
 * them the budget bounds the worst case, not the usual one. Explicit options are not touched (the caps bound them).
 */
import { grayDrawing } from '../../model-contract/attack-defaults.js';
import { CAPS, DEFAULT_BUDGET_MS, FOOLING_BUDGET_MS, ROBUSTNESS_BUDGET_MS } from './caps.js';
import { estimateMs, type Runs } from './cost.js';
import type { CwConfig } from './fool/cw.js';
import { CANDIDATES, type DeepFoolConfig } from './fool/deepfool.js';
import type { FoolingConfig } from './fool/fooling.js';
import { storedTable, type RobustnessOptions } from './fool/robustness.js';
import type { Model } from './model.js';
import { camLayer } from './see/cam.js';
import type { SaliencyOptions } from './see/method.js';
import { gridPatch } from './see/occlusion.js';
import type { VisualizeConfig } from './synth/visualize.js';
import { attackWork, foolingWork, robustnessWork, saliencyWork, visualizeWork } from './work.js';

/** The first setting of `ladder` whose estimated work fits `budgetMs`, else the last (the minimum). */
export function fitting<T>(model: Model, ladder: readonly T[], work: (t: T) => Runs[], budgetMs = DEFAULT_BUDGET_MS) {
  for (const t of ladder) if (estimateMs(model, work(t)) <= budgetMs) return t;
  return ladder[ladder.length - 1];
}

/** Integers from `top` down to `min` (only `top` when it is smaller). */
export const countdown = (top: number, min: number) =>
  Array.from({ length: Math.max(1, top - min + 1) }, (_, i) => top - i);

/** Each default's richest setting and its minimum: those of the papers, or the settings this API always had. */
export const LADDERS = {
  /**
   * Occlusion: windows a side (7: Zeiler & Fergus's overlapping grid; 3: still a centre and its border). Not 2: on
   * held-out shapes four overlapping quadrants failed the deletion test (the map's top 10% of pixels, deleted, dropped
   * the logit less than a random 10%), so 3 x 3 stays the floor where it is over the budget (shapes, estimated 84 ms).
   */
  occlusionGrid: { top: 7, min: 3 },
  /** Score-CAM: the layer's channels at most; 8 of the most varied at least (Faster Score-CAM's max_N ~10). */
  scoreCamChannels: { min: 8 },
  /**
   * DeepFool: the authors' num_classes (10) down to 2, each at steps from 50 down to 20. On 100 held-out digits most
   * pictures flip in 2-6 steps but a few take 10-20: 10 candidates x 50 steps flipped 100 (mean L2 1.43), 4 x 20
   * flipped 100 (1.46), 8 x 10 only 95: steps first, and then as many candidates as fit.
   */
  deepfoolCandidates: { top: CANDIDATES, min: 2 },
  deepfoolSteps: [50, 40, 30, 20],
  /**
   * Then fewer steps, at the fewest candidates only: where even 2 x 20 is over the budget (shapes, 64x64 RGB: a
   * logit gradient costs ~15 ms). On 30 bundled shapes DeepFool flipped 20% within 4 steps, 57% within 5, 80%
   * within 6 and every one within 18; 3 steps flipped none, so 5 is the floor, over the budget there.
   */
  deepfoolLastSteps: [10, 5],
  /**
   * Carlini-Wagner: values of c at once x Adam steps (lr), richest first. On digits one value (c = 1) over 50 steps
   * did as well as five over 50 (99 and 100 of 100 held-out digits flipped, mean L2 1.43 and 1.42) where two or
   * three values over 15-25 steps came out larger (1.7-2.1): steps buy more than values of c, which go first.
   * Adam moves every pixel by about lr x 2x(1 - x) a step whatever its gradient, so a picture of many mid-range
   * pixels (a 64x64 colour shape) crosses the boundary in a few steps at a small lr, where saturated digits need
   * more steps or a larger lr. On 40 held-out digits, 20 and 10 steps at lr 0.3 flipped one fewer than at 0.5 (36 and
   * 33 against 37 and 34) at the same mean L2 (1.91, 2.15); on 60 bundled shapes (tests/bench/cw-ladder.ts)
   * every one flipped at 10 steps with lr 0.5 (mean L2 8.12), 0.3 (5.50), and at 6 steps with lr 0.2 (4.66; 5 steps:
   * 4.71), where 2 steps at 0.5 came out a blot (18.4 on 24). So lr 0.3 throughout, and the floor, for a model whose
   * step is dear (shapes: ~10 ms in workerd), 5 steps at 0.2; but not for gray drawings (cwLadder), whose pixels at 0
   * and 1 sit where tanh is flat: 5 steps at 0.2 flipped 5 of those 40 digits, so their floor stays 10 at 0.3.
   */
  cw: [
    { searchSteps: 5, steps: 50, lr: 0.3 },
    { searchSteps: 3, steps: 50, lr: 0.3 },
    { searchSteps: 2, steps: 50, lr: 0.3 },
    { searchSteps: 1, steps: 50, lr: 0.3 },
    { searchSteps: 1, steps: 40, lr: 0.3 },
    { searchSteps: 1, steps: 30, lr: 0.3 },
    { searchSteps: 1, steps: 20, lr: 0.3 },
    { searchSteps: 1, steps: 10, lr: 0.3 },
    { searchSteps: 1, steps: 5, lr: 0.2 },
  ],
  /**
   * Fooling images: the step cap, from 500 down to 50, fitted to FOOLING_BUDGET_MS (the loop stops early). The
   * gallery is sized first, at the floor of 50 steps: on the bundled models most targets arrive in 2-16 steps.
   */
  foolingSteps: [500, 400, 300, 200, 150, 100, 75, 50],
  /**
   * The robustness table: held-out images x PGD steps, richest first, from the table the API always had (100 x 20;
   * robustness.json, precomputed at export where the model has test samples, is the richest its budget allows) down to 10 x 5; then fewer images at
   * 5 steps, down to one, so that some table fits any model (its accuracy is then coarse, and the answer says on how
   * many images). Fewer steps overstate robust accuracy a little: on 100 held-out pictures PGD at 20, 10 and 5 steps
   * left digits 27%, 29% and 36% at eps 0.1, fashion 2%, 3% and 9% at eps 0.05 (0% or 3% at 0.2 on both).
   */
  robustnessImages: [100, 50, 20, 10],
  robustnessSteps: [20, 10, 5],
  robustnessLastImages: [5, 2, 1],
  /** Feature visualisation: 48 ascent steps down to 16. */
  visualizeSteps: { top: 48, min: 16 },
} as const;

/** Occlusion's patch and stride: the finest grid (windows a side) whose occlusion map fits. */
export function occlusionDefault(model: Model, o: SaliencyOptions) {
  const { top, min } = LADDERS.occlusionGrid;
  const grids = countdown(top, min).map((g) => gridPatch(model, g));
  return fitting(model, grids, (p) => saliencyWork(model, { ...o, method: 'occlusion', ...p }));
}

/** Score-CAM's channels: as many of the layer's as fit. */
export function scoreCamDefault(model: Model, o: SaliencyOptions): number {
  const channels = camLayer(model, o).outShape[0];
  const ladder = countdown(channels, Math.min(channels, LADDERS.scoreCamChannels.min));
  return fitting(model, ladder, (c) => saliencyWork(model, { ...o, channels: c }));
}

/**
 * DeepFool's candidates and steps (those given are kept): the most candidates at no fewer than 20 steps, else the
 * fewest candidates at fewer steps.
 */
export function deepfoolDefault(model: Model, o: DeepFoolConfig, given: { candidates?: number; steps?: number }) {
  const k = model.meta.labels.length,
    { top, min } = LADDERS.deepfoolCandidates;
  const candidates =
    given.candidates === undefined ? countdown(Math.min(k, top), Math.min(k, min)) : [given.candidates];
  const steps = given.steps === undefined ? LADDERS.deepfoolSteps : [given.steps];
  const last = given.steps === undefined ? LADDERS.deepfoolLastSteps : [];
  const ladder = [
    ...candidates.flatMap((c) => steps.map((s) => ({ candidates: c, steps: s }))),
    ...last.map((s) => ({ candidates: candidates[candidates.length - 1], steps: s })),
  ];
  return fitting(model, ladder, (p) => attackWork(model, [{ ...o, ...p }]));
}

/** Carlini-Wagner's ladder for a model: without the last rung (5 steps at lr 0.2) for a gray drawing. */
export const cwLadder = (model: Model) =>
  grayDrawing(model.meta.input.shape, model.meta.preprocessing.protocol) ? LADDERS.cw.slice(0, -1) : LADDERS.cw;

/**
 * Carlini-Wagner's values of c, steps and learning rate (those given are kept) on the ladder that fits. Steps given
 * without a rate take the rate of the richest rung at no more steps (the last rung's below them all).
 */
export function cwDefault(model: Model, o: CwConfig, given: { searchSteps?: number; steps?: number; lr?: number }) {
  const rungs = cwLadder(model);
  const rate = (steps: number) => (rungs.find((p) => p.steps <= steps) ?? rungs[rungs.length - 1]).lr;
  const ladder = rungs.map((p) => ({
    searchSteps: given.searchSteps ?? p.searchSteps,
    steps: given.steps ?? p.steps,
    lr: given.lr ?? (given.steps === undefined ? p.lr : rate(given.steps)),
  }));
  return fitting(model, ladder, (p) => attackWork(model, [{ ...o, ...p }]));
}

/**
 * Fooling images (the step cap kept where given): a gallery whose classes were not given holds every class where
 * the model has at most CAPS.foolingClasses and all of them fit FOOLING_BUDGET_MS at the step cap's floor (or the
 * cap given); else the most of the neutral start's top classes that fit there, at least one. Then the step cap: the
 * largest whose worst case fits FOOLING_BUDGET_MS, for one target or the gallery.
 */
export function foolingDefault(model: Model, o: FoolingConfig, given: { steps?: number }) {
  const floor = given.steps ?? LADDERS.foolingSteps[LADDERS.foolingSteps.length - 1];
  const fits = (c: FoolingConfig) => estimateMs(model, foolingWork(model, c)) <= FOOLING_BUDGET_MS;
  const k = model.meta.labels.length;
  const gallery: FoolingConfig['gallery'] =
    o.target !== 'all' || o.gallery !== undefined || (k <= CAPS.foolingClasses && fits({ ...o, steps: floor }))
      ? o.gallery
      : {
          top: fitting(
            model,
            countdown(Math.min(k, CAPS.foolingClasses), 1),
            (top) => foolingWork(model, { ...o, gallery: { top }, steps: floor }),
            FOOLING_BUDGET_MS,
          ),
        };
  const steps =
    given.steps ??
    fitting(model, LADDERS.foolingSteps, (steps) => foolingWork(model, { ...o, gallery, steps }), FOOLING_BUDGET_MS);
  return { gallery, steps };
}

/** The robustness table's richest setting: the one precomputed at export (robustness.json). */
export const ROBUSTNESS_TOP = { images: LADDERS.robustnessImages[0], steps: LADDERS.robustnessSteps[0] };

/**
 * The robustness table's settings, richest first (those given are kept; images at most the model's `samples`):
 * each of LADDERS.robustnessImages at each of LADDERS.robustnessSteps, then fewer images at the fewest steps. The
 * edge's default walks it, and an export sizes robustness.json on it (training/measure.ts).
 */
export function robustnessLadder(given: { images?: number; steps?: number }, samples: number) {
  const images = [
    ...new Set(given.images === undefined ? LADDERS.robustnessImages.map((i) => Math.min(i, samples)) : [given.images]),
  ];
  const steps = given.steps === undefined ? LADDERS.robustnessSteps : [given.steps];
  const fewest = images[images.length - 1];
  const last = given.images === undefined ? LADDERS.robustnessLastImages.filter((i) => i < fewest) : [];
  return [
    ...images.flatMap((i) => steps.map((s) => ({ images: i, steps: s }))),
    ...last.map((i) => ({ images: i, steps: steps[steps.length - 1] })),
  ];
}

/**
 * The robustness table's images and PGD steps (those given are kept): the first setting of its ladder that was
 * precomputed at export (robustness.json: free to serve, whatever its size) or whose estimate fits
 * ROBUSTNESS_BUDGET_MS. So a model exported with the richest table serves that one, one exported with a smaller
 * table serves it unless a richer one fits the budget, and one without the file gets the richest that fits.
 */
export function robustnessDefault(
  model: Model,
  o: Omit<RobustnessOptions, 'images' | 'steps'>,
  given: { images?: number; steps?: number },
  samples: number,
) {
  return fitting(
    model,
    robustnessLadder(given, samples),
    (p) => (storedTable(model.robustness, { ...o, ...p }) ? [] : robustnessWork({ ...o, ...p })),
    ROBUSTNESS_BUDGET_MS,
  );
}

/** Visualisation steps: as many as fit, for one unit or the layer's grid. */
export function visualizeDefault(model: Model, o: VisualizeConfig) {
  const { top, min } = LADDERS.visualizeSteps;
  return fitting(model, countdown(top, min), (steps) => visualizeWork(model, { ...o, steps }));
}
