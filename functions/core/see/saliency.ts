/**
 * Saliency: which input pixels a class score rests on. One table of methods (each declares its work and whether
 * its map is signed or needs a layer); saliency() runs the prediction and then the chosen method:
 *   gradient, gradient-x-input, smoothgrad, integrated-gradients    the input gradient (gradient-maps.ts)
 *   grad-cam, grad-cam-plus-plus, layer-cam                          a layer's maps and gradient (cam.ts)
 *   score-cam                                                        a layer's maps as masks (score-cam.ts)
 *   occlusion                                                        a sliding patch (occlusion.ts)
 */
import { classScore } from '../classify.js';
import { argmaxRow, forward } from '../gradient.js';
import type { Model } from '../model.js';
import { camLayer, gradCam, gradCamPlusPlus, layerCam } from './cam.js';
import { gradient, gradientXInput, integratedGradients, smoothgrad } from './gradient-maps.js';
import type { MethodResult, SaliencyMethod, SaliencyOptions } from './method.js';
import { occlusion } from './occlusion.js';
import { scoreCam } from './score-cam.js';

export type { SaliencyOptions } from './method.js';

export const SALIENCY_METHODS = [
  'gradient',
  'gradient-x-input',
  'smoothgrad',
  'integrated-gradients',
  'grad-cam',
  'grad-cam-plus-plus',
  'score-cam',
  'layer-cam',
  'occlusion',
] as const;
export type SaliencyMethodName = (typeof SALIENCY_METHODS)[number];

export const METHODS: Record<SaliencyMethodName, SaliencyMethod> = {
  gradient,
  'gradient-x-input': gradientXInput,
  smoothgrad,
  'integrated-gradients': integratedGradients,
  'grad-cam': gradCam,
  'grad-cam-plus-plus': gradCamPlusPlus,
  'score-cam': scoreCam,
  'layer-cam': layerCam,
  occlusion,
};

export async function saliency(model: Model, x: Float32Array, opts: SaliencyOptions) {
  const [, h, w] = model.meta.input.shape,
    k = model.meta.labels.length;
  const method = METHODS[opts.method];
  const answer = (logits: Float32Array, probs: Float32Array, target: number, r: MethodResult) => {
    const predicted = argmaxRow(logits, 0, k);
    return {
      target: classScore(model, target, probs),
      prediction: classScore(model, predicted, probs),
      map: r.map,
      width: w,
      height: h,
      extra: r.extra,
    };
  };
  // A method whose own graph run finds the prediction needs no forward run first.
  if (method.predicting?.can(model, opts)) {
    const r = await method.predicting.run(model, x, opts);
    return answer(r.logits, r.probs, opts.target ?? argmaxRow(r.logits, 0, k), r);
  }
  const f0 = await forward(model, x, 1, method.acts ? [camLayer(model, opts).name] : []);
  const target = opts.target ?? argmaxRow(f0.logits, 0, k);
  const r = await method.run({ model, x, target, logits: f0.logits, acts: f0.acts, opts });
  return answer(f0.logits, f0.probs, target, r);
}
