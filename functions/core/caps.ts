/**
 * Hard bounds on the work one request may ask for. The query schemas (functions/schemas/) use them as maxima,
 * so a request over a cap is a 400 that names the cap, and /openapi.json documents each one.
 */
export const CAPS = {
  saliencySamples: 64, // SmoothGrad noisy copies
  saliencySteps: 128, // integrated-gradients path steps
  occlusionWindows: 4096, // occlusion patches in one map
  attackSteps: 200,
  attackSearchSteps: 10, // Carlini-Wagner values of c, tried at once
  attackSweep: 16, // eps values in one sweep
  robustnessImages: 100,
  robustnessEps: 8,
  foolingSteps: 500,
  foolingClasses: 50, // images in one fooling gallery
  visualizeSteps: 300,
  visualizeChannels: 128, // maps in one grid
  dreamSteps: 50, // per octave
  dreamOctaves: 5,
  synthSide: 256, // pixels, longest side of a dream or style image (both synthesise at that size)
  styleSteps: 300,
} as const;

/**
 * What a request that leaves a cost-driving option unset should cost: the default of such an option (occlusion's
 * windows, Score-CAM's channels, DeepFool's and CW's steps, the fooling and visualize step caps) is the richest
 * setting whose estimate (functions/core/cost.ts, from the model's costs.json) fits this budget, never below the
 * option's minimum (functions/core/defaults.ts). The estimate prices the graph runs and the pictures the answer
 * draws; 80 ms leaves room under the 100 ms a request should answer in at its defaults for what it does not price:
 * decoding the upload, preprocessing, the JSON (about 5 ms of a shapes classify), and the estimate's own error.
 * Explicit options still go up to the caps above.
 */
export const DEFAULT_BUDGET_MS = 80;

/**
 * The fooling step cap's budget instead: the loop stops as soon as every target is reached, so its cap bounds only
 * the worst case. On the bundled models most targets arrive in 2-16 steps, but a digits "1" from noise needs 25 to
 * ~330 (with restarts): a cap fitted to 80 ms (6 steps of the gallery) would leave most galleries short of their
 * targets. A third of the default 30 s ceiling keeps the worst case well inside it.
 */
export const FOOLING_BUDGET_MS = 10_000;

/**
 * The robustness table's budget, for a model without the table precomputed at its defaults (robustness.json): the
 * table runs every step of every attack (nothing stops early), so this bounds its actual cost, at a third of the
 * default 30 s ceiling as the fooling cap's worst case is.
 */
export const ROBUSTNESS_BUDGET_MS = 10_000;
