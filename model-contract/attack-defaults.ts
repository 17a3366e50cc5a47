/**
 * Attack budgets that fit a model's inputs, per threat model: the default eps, the largest eps worth offering
 * (the playground's slider ends there) and the slider's granularity. meta.json may state them (attackDefaults,
 * written by the trainer and the importer); a folder whose meta.json lacks them gets them from this rule, so the
 * committed models need no regeneration:
 *   gray drawings (1 channel, protocol mnist or fit): L-inf 0.3, the budget Madry et al. (2018) use on MNIST; L2 2
 *   anything else (colour photos): L-inf 8/255, the CIFAR/ImageNet convention (one 8-bit level per slider step);
 *     L2 a quarter of the L-inf ball's corner distance, eps_inf * sqrt(C * H * W) / 4 (0.43 for CIFAR-sized inputs,
 *     near the robustness literature's 0.5), so the budget grows with the picture.
 */
import type { MetaProtocol } from './meta.js';

export interface EpsRange {
  eps: number;
  max: number;
  step: number;
}
export interface AttackDefaults {
  linf: EpsRange;
  l2: EpsRange;
}

/** Two significant digits: a budget people can read and type. */
const nice = (v: number) => Number(v.toPrecision(2));

/** A gray drawing: one channel read as ink on a background (protocol mnist or fit), most pixels at 0 or 1. */
export const grayDrawing = (shape: readonly number[], protocol: MetaProtocol) =>
  shape[0] === 1 && (protocol === 'mnist' || protocol === 'fit');

export function deriveAttackDefaults(shape: [number, number, number], protocol: MetaProtocol): AttackDefaults {
  const [c, h, w] = shape;
  if (grayDrawing(shape, protocol))
    return { linf: { eps: 0.3, max: 0.5, step: 0.01 }, l2: { eps: 2, max: 5, step: 0.1 } };
  const linf = 8 / 255;
  const l2 = nice((linf * Math.sqrt(c * h * w)) / 4);
  return { linf: { eps: linf, max: 32 / 255, step: 1 / 255 }, l2: { eps: l2, max: nice(4 * l2), step: nice(l2 / 20) } };
}

/** The model's stated defaults, else the rule's. */
export const attackDefaults = (meta: {
  input: { shape: [number, number, number] };
  preprocessing: { protocol: MetaProtocol };
  attackDefaults?: AttackDefaults;
}): AttackDefaults => meta.attackDefaults ?? deriveAttackDefaults(meta.input.shape, meta.preprocessing.protocol);
