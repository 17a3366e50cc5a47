/**
 * Augmentation by a random affine warp (rotation, scaling, translation) about the image centre, because a CNN
 * is not invariant to them (the warp itself lives in functions/core/image/affine.ts, shared with the edge).
 */
import { warp, type Affine } from '../../model-contract/affine.js';
import type { Rng } from '../../model-contract/random.js';

export { warp };

export interface AugmentOptions {
  maxRotateDeg: number;
  minScale: number;
  maxScale: number;
  maxShift: number;
  /** Shifts by whole pixels: with no rotation or scaling the warp then copies pixels (no interpolation blur). */
  wholePixelShift?: boolean;
}
export const DEFAULT_AUGMENT: AugmentOptions = { maxRotateDeg: 15, minScale: 0.85, maxScale: 1.15, maxShift: 2 };

export function randomAffine(rng: Rng, o: AugmentOptions): Affine {
  return {
    angleDeg: rng.uniform(-o.maxRotateDeg, o.maxRotateDeg),
    scale: Math.exp(rng.uniform(Math.log(o.minScale), Math.log(o.maxScale))),
    tx: o.wholePixelShift ? Math.round(rng.uniform(-o.maxShift, o.maxShift)) : rng.uniform(-o.maxShift, o.maxShift),
    ty: o.wholePixelShift ? Math.round(rng.uniform(-o.maxShift, o.maxShift)) : rng.uniform(-o.maxShift, o.maxShift),
  };
}
