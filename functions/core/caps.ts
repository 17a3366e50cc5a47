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
  visualizeSteps: 300,
  visualizeChannels: 128, // maps in one grid
  dreamSteps: 50, // per octave
  dreamOctaves: 5,
  synthSide: 256, // pixels, longest side of a dream or style image (both synthesise at that size)
  styleSteps: 300,
} as const;
