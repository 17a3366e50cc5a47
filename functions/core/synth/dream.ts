/**
 * Deep Dream (Mordvintsev et al. 2015): run the CNN on an image, pick layer(s), and change the image by gradient
 * ascent so those layers' activations grow: objective sum_l mean(A_l^2) / 2, whose gradient with respect to A_l
 * is A_l / numel (the cotangent). Each step: x += stepSize * g / std(g). Octaves: the image is dreamed at
 * 1/scale^k sizes, smallest first, and the detail added at each size is carried up to the next.
 * Runs the fully convolutional graphs, so any image size within the cap works: one run of synth-grad.onnx per
 * step when every chosen layer is a ReLU map (the loss is computed in the graph), else a forward run of
 * conv-model.onnx for the activations and a run of conv-grad.onnx with them as cotangents.
 */
import { CAPS } from '../caps.js';
import { badRequest } from '../errors.js';
import { prefixLayers, synthGrad, synthLayerNames, vjp, type Cotangent } from '../gradient.js';
import type { Gray } from '../image/ops.js';
import { eachPlane, resizePlanes } from '../image/planes.js';
import type { Model, TensorOut } from '../model.js';
import { act, IO } from '../../../model-contract/graphs.js';
import { Rng } from '../../../model-contract/random.js';

export interface DreamConfig {
  /** Layers of the convolutional prefix whose activations grow. */
  layers: string[];
  steps: number;
  stepSize: number;
  octaves: number;
  octaveScale: number;
  jitter: number;
  seed: number;
}

/**
 * The smallest input side the prefix accepts: each of its maps must keep >= 1 pixel, taken as the largest stride
 * product over the prefix's maps (meta.json strideProduct: the product of the strides on the longest path to a
 * map; a global pool's [C,1,1] has none). Exact for chains of padded convolutions and non-overlapping pools (the
 * trainer's presets and the bundled models); more than needed where a padded strided convolution keeps a 1-pixel
 * map (a side of 1 passes it); too little only where an unpadded window is wider than its stride (a valid 3x3
 * convolution needs 3), which the trainer's presets do not have. tests/node/functions/core/synth/min-side.test.ts
 * compares it with the layer rules. Folders written before meta.json carried stride products: the product of the
 * pooling kernels, as then.
 */
export function minSide(model: Model): number {
  // Written at export from the layer rules (training/spec.ts prefixMinSide): exact for any graph.
  if (model.meta.prefixMinSide) return model.meta.prefixMinSide;
  const prefix = prefixLayers(model);
  if (prefix.every((l) => l.strideProduct !== undefined))
    return Math.max(1, ...prefix.map((l) => l.strideProduct ?? 1));
  return prefix.reduce(
    (s, l) => s * (l.kind === 'maxpool' || l.kind === 'avgpool' ? Number(l.spec.kernel ?? 2) : 1),
    1,
  );
}

/**
 * An image of c planes with a side under the prefix's minimum, padded with the background (0: the model sees
 * light on dark; black bars for a colour model, as its letterbox) to that minimum, centred; larger images are
 * returned as they are.
 */
export function padToMin(img: Gray, min: number, c = 1): { img: Gray; padded: boolean } {
  if (img.width >= min && img.height >= min) return { img, padded: false };
  const w = Math.max(min, img.width),
    h = Math.max(min, img.height);
  const ox = Math.floor((w - img.width) / 2),
    oy = Math.floor((h - img.height) / 2);
  const data = eachPlane(
    img.data,
    c,
    img.width * img.height,
    (p) => {
      const out = new Float32Array(w * h);
      for (let y = 0; y < img.height; y++) out.set(p.subarray(y * img.width, (y + 1) * img.width), (y + oy) * w + ox);
      return out;
    },
    w * h,
  );
  return { img: { width: w, height: h, data }, padded: true };
}

/** The input channels of the model: every image handed to the synthesis graphs holds this many planes. */
export const channelsOf = (model: Model) => model.meta.input.shape[0];

/** Refuses an image whose data is not c planes of its width x height (a caller's bug, not a user's). */
export function checkPlanes(img: Gray, c: number, what: string) {
  if (img.data.length !== c * img.width * img.height)
    throw new Error(`${what}: ${img.data.length} values for ${c} planes of ${img.width}x${img.height}`);
}

/** Objective value and activations of the chosen layers at x (C x h x w), from the forward-only conv graph. */
export async function layerActs(model: Model, x: Float32Array, w: number, h: number, layers: string[]) {
  const outputs = await model.runner.run(
    'conv-model',
    { [IO.input]: { data: x, dims: [1, channelsOf(model), h, w] } },
    layers.map(act),
  );
  const acts: Record<string, TensorOut> = {};
  let objective = 0;
  for (const l of layers) {
    acts[l] = outputs[act(l)];
    let s = 0;
    for (const v of acts[l].data) s += v * v;
    objective += s / (2 * acts[l].data.length);
  }
  return { acts, objective };
}

/** The octaves' sizes, smallest first: 1/scale^k of the image, at least `min` on a side. */
export function octaveSizes(width: number, height: number, cfg: Pick<DreamConfig, 'octaves' | 'octaveScale'>, min = 1) {
  return Array.from({ length: cfg.octaves }, (_, k) => {
    const f = cfg.octaveScale ** (cfg.octaves - 1 - k);
    return { w: Math.max(min, Math.round(width / f)), h: Math.max(min, Math.round(height / f)) };
  });
}

export async function dream(model: Model, upload: Gray, cfg: DreamConfig) {
  if (Math.max(upload.width, upload.height) > CAPS.synthSide)
    throw badRequest(
      `dream images are at most ${CAPS.synthSide} pixels on a side (synthSide); got ${upload.width}x${upload.height}`,
    );
  const min = minSide(model),
    c = channelsOf(model);
  checkPlanes(upload, c, 'dream');
  const { img: image, padded } = padToMin(upload, min, c);
  const rng = new Rng(cfg.seed);
  const sizes = octaveSizes(image.width, image.height, cfg, min);
  const before = (await layerActs(model, image.data, image.width, image.height, cfg.layers)).objective;
  let detail: Gray = { width: sizes[0].w, height: sizes[0].h, data: new Float32Array(c * sizes[0].w * sizes[0].h) };
  let x = image.data;
  const inGraph = cfg.layers.every((l) => synthLayerNames(model).includes(l));
  const gradient = async (img: Float32Array, w: number, h: number): Promise<Float32Array> => {
    if (inGraph)
      return (await synthGrad(model, img, w, h, Object.fromEntries(cfg.layers.map((l) => [l, { weights: [0, 0, 1] }]))))
        .grad;
    const { acts } = await layerActs(model, img, w, h, cfg.layers);
    const cot: Record<string, Cotangent> = {};
    for (const l of cfg.layers) cot[l] = { data: acts[l].data.map((v) => v / acts[l].data.length), dims: acts[l].dims };
    return (await vjp(model, img, [1, c, h, w], cot, [], 'conv-grad')).grad;
  };
  for (const { w, h } of sizes) {
    const base = resizePlanes(image, c, w, h).data;
    const d = resizePlanes(detail, c, w, h).data;
    x = base.map((v, i) => v + d[i]);
    for (let s = 0; s < cfg.steps; s++) {
      // Random roll (jitter) so the dream does not lock onto the pixel grid.
      const jx = rng.int(2 * cfg.jitter + 1) - cfg.jitter,
        jy = rng.int(2 * cfg.jitter + 1) - cfg.jitter;
      const rolled = eachPlane(x, c, w * h, (p) => roll(p, w, h, jx, jy));
      const g = eachPlane(await gradient(rolled, w, h), c, w * h, (p) => roll(p, w, h, -jx, -jy));
      let mean = 0,
        sq = 0;
      for (const v of g) {
        mean += v;
        sq += v * v;
      }
      mean /= g.length;
      const std = Math.sqrt(Math.max(1e-20, sq / g.length - mean * mean));
      for (let i = 0; i < x.length; i++) x[i] = Math.min(1, Math.max(0, x[i] + (cfg.stepSize * g[i]) / std));
    }
    detail = { width: w, height: h, data: x.map((v, i) => v - base[i]) };
  }
  const after = (await layerActs(model, x, image.width, image.height, cfg.layers)).objective;
  return { image: x, width: image.width, height: image.height, before, after, octaves: sizes, padded };
}

function roll(a: Float32Array, w: number, h: number, dx: number, dy: number): Float32Array {
  if (dx === 0 && dy === 0) return Float32Array.from(a);
  const out = new Float32Array(a.length);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) out[((y + dy + h) % h) * w + ((x + dx + w) % w)] = a[y * w + x];
  return out;
}
