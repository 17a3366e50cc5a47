/**
 * A saliency answer: the chosen method's map (rounded for the wire), what the method adds (a CAM's layer map,
 * completeness, scored channels, occlusion's windows) and the pictures with their colour scale.
 */
import type { Model } from '../model.js';
import { saliencyPictures } from '../pictures/panels.js';
import { saliency, type SaliencyOptions } from './saliency.js';

function round(a: ArrayLike<number>, digits = 5): number[] {
  const scale = 10 ** digits,
    out = new Array<number>(a.length);
  for (let i = 0; i < a.length; i++) out[i] = Math.round(a[i] * scale) / scale;
  return out;
}

/** Saliency of input `x` as the answer shows it; `clip`: the percentile of |map| at the top of the colour scale. */
export async function explain(model: Model, x: Float32Array, opts: SaliencyOptions, clip: number) {
  const r = await saliency(model, x, opts);
  const pics = saliencyPictures(x, r, { clip, signed: opts.signed });
  const { cam, completeness, scoredChannels, occlusion } = r.extra;
  const layerMap = cam && { layer: cam.layer, shape: cam.shape, values: round(cam.values, 6) };
  return {
    target: r.target,
    prediction: r.prediction,
    map: { width: r.width, height: r.height, values: round(r.map, 6) },
    ...(completeness ? { completeness } : {}),
    // Every CAM's map on its layer's grid; Grad-CAM's also under its old name.
    ...(layerMap ? { cam: { method: opts.method, ...layerMap } } : {}),
    ...(layerMap && opts.method === 'grad-cam' ? { gradCam: layerMap } : {}),
    ...(scoredChannels !== undefined ? { scoredChannels } : {}),
    ...(occlusion ? { occlusion } : {}),
    scale: pics.scale,
    panel: pics.panel,
    pictures: { map: pics.map, overlay: pics.overlay },
  };
}
