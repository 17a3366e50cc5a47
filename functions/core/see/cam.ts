/**
 * Class activation maps from a layer's maps A_k (k < C, p over its H x W grid) and the target logit's gradient
 * G_k = d logit_c / d A_k, all from one gradient run:
 *   grad-cam            ReLU(sum_k alpha_k A_k), alpha_k = mean_p G_k[p]                      (Selvaraju et al. 2017)
 *   grad-cam-plus-plus  ReLU(sum_k w_k A_k), w_k = sum_p a_k[p] ReLU(G_k[p]),
 *                       a_k[p] = G_k[p]^2 / (2 G_k[p]^2 + sum_q A_k[q] G_k[p]^3)            (Chattopadhyay et al. 2018)
 *   layer-cam           ReLU(sum_k ReLU(G_k[p]) A_k[p]): a weight per position, so any layer,
 *                       shallow ones too, gives a map as fine as its grid                       (Jiang et al. 2021)
 * The map on the layer's grid is upsampled bilinearly to the input. Grad-CAM++'s higher derivatives are those of
 * exp(logit_c), whose common factor exp(logit_c) cancels in a_k and only scales the map.
 */
import { camLayer as contractCamLayer, camLayers as contractCamLayers } from '../../../model-contract/graphs.js';
import { badRequest } from '../errors.js';
import { camGraph, layerGrad, oneHot } from '../gradient.js';
import { resize } from '../image/ops.js';
import type { LayerMeta, Model } from '../model.js';
import type { MethodResult, SaliencyMethod, SaliencyOptions } from './method.js';

/** Layers a CAM can use: [C,H,W] outputs with more than one position. */
export const camLayers = (model: Model): LayerMeta[] => contractCamLayers(model.meta.layers);

/** The default CAM layer (the contract's rule, model-contract/graphs.ts camLayer: cam-grad.onnx's layer). */
export const defaultCamLayer = (model: Model): string | undefined => contractCamLayer(model.meta.layers)?.name;

/** The layer named in the options (the schema resolved it), as the model describes it. */
export function camLayer(model: Model, o: SaliencyOptions): LayerMeta {
  const name = o.layer ?? defaultCamLayer(model);
  const layer = camLayers(model).find((l) => l.name === name);
  if (!layer) throw badRequest(`method ${o.method} needs a layer with [C,H,W] maps; model ${model.meta.name} has none`);
  return layer;
}

/** ReLU(sum_k weight(k, p) A_k[p]) on the layer's grid, and the same upsampled to the input. */
export function weightedMap(
  model: Model,
  layer: LayerMeta,
  A: Float32Array,
  weight: (k: number, p: number) => number,
): MethodResult {
  const [C, lh, lw] = layer.outShape,
    hw = lh * lw,
    [, h, w] = model.meta.input.shape;
  const cam = new Float32Array(hw);
  for (let k = 0; k < C; k++) for (let p = 0; p < hw; p++) cam[p] += weight(k, p) * A[k * hw + p];
  for (let p = 0; p < hw; p++) cam[p] = Math.max(0, cam[p]);
  return {
    map: resize({ width: lw, height: lh, data: cam }, w, h).data,
    extra: { cam: { layer: layer.name, shape: layer.outShape, values: cam } },
  };
}

type Weights = (A: Float32Array, G: Float32Array, C: number, hw: number) => (k: number, p: number) => number;

const channelWeights = (C: number, f: (k: number) => number) => {
  const w = Float64Array.from({ length: C }, (_, k) => f(k));
  return (k: number) => w[k];
};

const GRAD_CAM: Weights = (_A, G, C, hw) =>
  channelWeights(C, (k) => {
    let s = 0;
    for (let p = 0; p < hw; p++) s += G[k * hw + p];
    return s / hw;
  });

const GRAD_CAM_PLUS_PLUS: Weights = (A, G, C, hw) =>
  channelWeights(C, (k) => {
    let sumA = 0,
      w = 0;
    for (let p = 0; p < hw; p++) sumA += A[k * hw + p];
    for (let p = 0; p < hw; p++) {
      const g = G[k * hw + p];
      if (g <= 0) continue; // ReLU(G) is 0 there, whatever a is
      const d = 2 * g * g + sumA * g * g * g;
      if (d !== 0) w += ((g * g) / d) * g;
    }
    return w;
  });

const LAYER_CAM: Weights = (_A, G, _C, hw) => (k, p) => Math.max(0, G[k * hw + p]);

/** The default CAM layer's cam-grad.onnx is in the folder: one run gives the maps, their gradient and the prediction. */
const onePass = (model: Model, o: SaliencyOptions) => {
  const layer = o.layer ?? defaultCamLayer(model);
  return layer !== undefined && camGraph(model, layer) === 'cam-grad';
};

function gradientCam(weights: Weights): SaliencyMethod {
  const map = (model: Model, layer: LayerMeta, A: Float32Array, G: Float32Array) => {
    const [C, lh, lw] = layer.outShape;
    return weightedMap(model, layer, A, weights(A, G, C, lh * lw));
  };
  return {
    signed: false,
    layer: true,
    // One run of cam-grad on the default CAM layer (the prediction comes from it), of the full input gradient on any
    // other (after the prediction's forward run).
    work: (model, o) => [{ kind: onePass(model, o) ? 'cam' : 'grad', runs: 1 }],
    async run({ model, x, target, opts }) {
      const layer = camLayer(model, opts);
      const { act: A, grad: G } = await layerGrad(model, x, 1, oneHot(1, model.meta.labels.length, target), layer.name);
      return map(model, layer, A, G);
    },
    predicting: {
      can: onePass,
      async run(model, x, opts) {
        const layer = camLayer(model, opts),
          k = model.meta.labels.length;
        // The class given, or the predicted one's one-hot added in the graph.
        const r =
          opts.target !== undefined
            ? await layerGrad(model, x, 1, oneHot(1, k, opts.target), layer.name)
            : await layerGrad(model, x, 1, new Float32Array(k), layer.name, Float32Array.of(1));
        return { ...map(model, layer, r.act, r.grad), logits: r.logits, probs: r.probs };
      },
    },
  };
}

export const gradCam = gradientCam(GRAD_CAM);
export const gradCamPlusPlus = gradientCam(GRAD_CAM_PLUS_PLUS);
export const layerCam = gradientCam(LAYER_CAM);
