/**
 * Score-CAM (Wang et al. 2020), as Faster Score-CAM runs it: no gradients. Each channel A_k of a layer, upsampled
 * to the input and normalised to [0,1], masks the input; the target's logit on the masked input scores the channel, and a softmax over the
 * channels turns the scores into weights (the paper's Algorithm 1, as pytorch-grad-cam computes it):
 *   map = ReLU(sum_k softmax_k(logit_c(x * M_k)) A_k), upsampled
 * Only the `channels` channels whose maps vary most on the layer's grid are scored (Faster Score-CAM, Tabayashi's
 * max_N, as tf-keras-vis implements it: the top channels by the standard deviation of their maps); the others weigh
 * 0. A channel with no contrast makes no mask and weighs 0. The masked inputs are scored in batches. The masks blend
 * towards 0 (x * M_k, the paper's Hadamard product): black, the bundled models' own background (MNIST's, and the
 * letterbox bars of the image-folder models). Where a layer's maps are sparse (a few hot positions per channel), each
 * mask keeps little of the picture, the scores differ little and the weights come out near uniform: the map is then
 * close to the plain sum of the layer's maps.
 */
import { resize } from '../image/ops.js';
import type { Model } from '../model.js';
import { batchRuns, scoreVariants } from './batches.js';
import { camLayer, weightedMap } from './cam.js';
import type { SaliencyMethod, SaliencyOptions } from './method.js';

const scoredChannels = (model: Model, o: SaliencyOptions) => Math.min(o.channels, camLayer(model, o).outShape[0]);

/** The `count` channels whose maps have the largest standard deviation over the grid, in channel order. */
export function mostVaried(A: Float32Array, C: number, hw: number, count: number): number[] {
  const sd = Array.from({ length: C }, (_, k) => {
    let s = 0,
      s2 = 0;
    for (let p = k * hw; p < (k + 1) * hw; p++) {
      s += A[p];
      s2 += A[p] * A[p];
    }
    return Math.sqrt(Math.max(0, s2 / hw - (s / hw) ** 2));
  });
  const order = [...sd.keys()].sort((a, b) => sd[b] - sd[a] || a - b);
  return order.slice(0, count).sort((a, b) => a - b);
}

export const scoreCam: SaliencyMethod = {
  signed: false,
  layer: true,
  // The layer's maps come with the prediction; then one masked input per scored channel.
  acts: true,
  work: (model, o) => batchRuns(scoredChannels(model, o)),
  async run({ model, x, target, acts, opts }) {
    const layer = camLayer(model, opts);
    const [C, lh, lw] = layer.outShape,
      hw = lh * lw,
      [c, h, w] = model.meta.input.shape;
    const A = acts[layer.name].data;
    // Masks of the chosen channels with contrast, each min-max normalised at the input's size.
    const masks: { k: number; mask: Float32Array }[] = [];
    for (const k of mostVaried(A, C, hw, scoredChannels(model, opts))) {
      const up = resize({ width: lw, height: lh, data: A.subarray(k * hw, (k + 1) * hw) }, w, h).data;
      let lo = Infinity,
        hi = -Infinity;
      for (const v of up) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      if (hi - lo > 1e-8) masks.push({ k, mask: up.map((v) => (v - lo) / (hi - lo)) });
    }
    const logits = await scoreVariants(model, masks.length, target, (i, into) => {
      const m = masks[i].mask;
      for (let ch = 0; ch < c; ch++) for (let p = 0; p < h * w; p++) into[ch * h * w + p] = x[ch * h * w + p] * m[p];
    });
    // Softmax over the channels of the target's logit on each masked input: shift-invariant, so the paper's
    // baseline term f_c(x_b), the same for every channel, cancels.
    const top = Math.max(...logits);
    let z = 0;
    for (const l of logits) z += Math.exp(l - top);
    const weight = new Float64Array(C);
    masks.forEach(({ k }, i) => (weight[k] = Math.exp(logits[i] - top) / z));
    const r = weightedMap(model, layer, A, (k) => weight[k]);
    return { map: r.map, extra: { ...r.extra, scoredChannels: masks.length } };
  },
};
