/**
 * The learning rate at each step: an optional linear warm-up from base/warm to base over the first `warm` steps,
 * then cosine decay from base towards 0 over the rest (Loshchilov & Hutter 2017, SGDR without restarts; the warm-up
 * of Goyal et al. 2017 keeps Adam's first steps, when its second-moment estimate is still poor, from being too large).
 *   step: 0-based; total: steps in the whole run; warmup: share of them spent warming up (0: none).
 * With no warm-up this is the plain cosine the committed presets were trained with, to the bit.
 */
export function learningRate(base: number, step: number, total: number, warmup = 0): number {
  const warm = Math.round(warmup * total);
  if (step < warm) return (base * (step + 1)) / warm;
  return base * 0.5 * (1 + Math.cos((Math.PI * (step - warm)) / (total - warm)));
}
