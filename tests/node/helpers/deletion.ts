/**
 * The deletion test of a saliency map: zero the pixels (every channel) the map ranks highest and see how far the
 * explained class's logit falls, against zeroing as many pixels at random. A map that finds the evidence makes the
 * first drop larger. All the deleted inputs of one image go through one forward batch.
 */
import { forward, inputSize } from '../../../functions/core/gradient.js';
import type { Model } from '../../../functions/core/model.js';
import { Rng } from '../../../model-contract/random.js';

export interface Deletion {
  /** logit_c(x) - logit_c(x with the map's top pixels zeroed). */
  top: number;
  /** The same for random pixels, averaged over the draws. */
  random: number;
}

export async function deletionDrop(
  model: Model,
  x: Float32Array,
  map: Float32Array,
  target: number,
  o: { fraction?: number; draws?: number; seed?: number } = {},
): Promise<Deletion> {
  const [c, h, w] = model.meta.input.shape,
    hw = h * w,
    size = inputSize(model),
    k = model.meta.labels.length;
  const n = Math.round((o.fraction ?? 0.1) * hw),
    draws = o.draws ?? 8,
    rng = new Rng(o.seed ?? 1);
  // Highest first; equal values in pixel order, so a flat stretch of the map is no advantage.
  const ranked = [...map.keys()].sort((a, b) => map[b] - map[a] || a - b);
  const sets = [ranked.slice(0, n)];
  for (let d = 0; d < draws; d++) {
    const order = [...Array(hw).keys()];
    for (let i = hw - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [order[i], order[j]] = [order[j], order[i]];
    }
    sets.push(order.slice(0, n));
  }
  const batch = new Float32Array((sets.length + 1) * size);
  batch.set(x);
  sets.forEach((pixels, i) => {
    const img = batch.subarray((i + 1) * size, (i + 2) * size);
    img.set(x);
    for (const p of pixels) for (let ch = 0; ch < c; ch++) img[ch * hw + p] = 0;
  });
  const { logits } = await forward(model, batch, sets.length + 1);
  const drop = (i: number) => logits[target] - logits[(i + 1) * k + target];
  let random = 0;
  for (let d = 1; d <= draws; d++) random += drop(d) / draws;
  return { top: drop(0), random };
}
