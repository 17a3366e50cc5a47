/**
 * Occlusion (Zeiler & Fergus 2014): a square patch of the baseline (0, black) slides over the input with a stride;
 * each pixel's value is the mean drop of the target logit over the patches that cover it,
 *   map[p] = mean over windows W containing p of logit_c(x) - logit_c(x with W set to 0)
 * (Captum's convention). Positive: hiding the pixel lowers the score. Only forward runs, batched, so it works on
 * any model. The last window in a row or column is clipped at the edge, so every pixel is covered when stride <= patch.
 */
import { batchRuns, scoreVariants } from './batches.js';
import type { SaliencyMethod, SaliencyOptions } from './method.js';
import type { Model } from '../model.js';

/** Window starts along a side: 0, stride, ... until a window reaches the edge. */
export function windowStarts(side: number, patch: number, stride: number): number[] {
  const starts = [];
  for (let s = 0; ; s += stride) {
    starts.push(s);
    if (s + patch >= side) return starts;
  }
}

export function windowCount(model: Model, o: Pick<SaliencyOptions, 'patch' | 'stride'>): number {
  const [, h, w] = model.meta.input.shape;
  return windowStarts(h, o.patch, o.stride).length * windowStarts(w, o.patch, o.stride).length;
}

/**
 * The patch and stride that make `g` windows a side on the input, whatever its size: a patch of 2/(g+1) of the
 * shorter side and half that as stride, both rounded up, so neighbouring windows overlap by half, as Zeiler &
 * Fergus's did (g = 7: a 7-pixel patch at 28x28, 16 at 64x64). The default grid is the finest that fits the
 * model's cost budget (functions/core/defaults.ts).
 */
export function gridPatch(model: Model, g: number): { patch: number; stride: number } {
  const [, h, w] = model.meta.input.shape;
  const patch = Math.max(1, Math.ceil((2 * Math.min(h, w)) / (g + 1)));
  return { patch, stride: defaultStride(patch) };
}

/** The stride for a patch given without one: half the patch, rounded up. */
export const defaultStride = (patch: number) => Math.max(1, Math.ceil(patch / 2));

export const occlusion: SaliencyMethod = {
  signed: true,
  layer: false,
  work: (model, o) => batchRuns(windowCount(model, o)),
  async run({ model, x, target, logits, opts }) {
    const [c, h, w] = model.meta.input.shape,
      hw = h * w,
      { patch, stride } = opts;
    const windows = windowStarts(h, patch, stride).flatMap((y) => windowStarts(w, patch, stride).map((xx) => [y, xx]));
    const each = (i: number, f: (p: number) => void) => {
      const [y0, x0] = windows[i];
      for (let y = y0; y < Math.min(h, y0 + patch); y++)
        for (let xx = x0; xx < Math.min(w, x0 + patch); xx++) f(y * w + xx);
    };
    const scores = await scoreVariants(model, windows.length, target, (i, into) => {
      into.set(x);
      each(i, (p) => {
        for (let ch = 0; ch < c; ch++) into[ch * hw + p] = 0;
      });
    });
    const sum = new Float64Array(hw),
      count = new Float64Array(hw);
    for (let i = 0; i < windows.length; i++) {
      const drop = logits[target] - scores[i];
      each(i, (p) => {
        sum[p] += drop;
        count[p]++;
      });
    }
    const map = Float32Array.from(sum, (s, p) => (count[p] ? s / count[p] : 0));
    return { map, extra: { occlusion: { patch, stride, windows: windows.length, baseline: 0 } } };
  },
};
