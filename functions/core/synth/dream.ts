/**
 * Deep Dream (Mordvintsev et al. 2015): run the CNN on an image, pick layer(s), and change the image by gradient
 * ascent so those layers' activations grow: objective sum_l mean(A_l^2) / 2, whose gradient with respect to A_l
 * is A_l / numel (the cotangent). Each step: x += stepSize * g / std(g). Octaves: the image is dreamed at
 * 1/scale^k sizes, smallest first, and the detail added at each size is carried up to the next.
 * Runs the fully convolutional graphs, so any image size within the cap works: one run of synth-grad.onnx per
 * step when every chosen layer is a ReLU map (the loss is computed in the graph), else a forward run of
 * conv-model.onnx for the activations and a run of conv-grad.onnx with them as cotangents.
 */
import { capped, CAPS, ranged } from '../caps.js';
import { badRequest } from '../errors.js';
import { prefixLayers, synthGrad, synthLayerNames, vjp, type Cotangent } from '../gradient.js';
import { resize, type Gray } from '../image/ops.js';
import type { Model, TensorOut } from '../model.js';
import { Rng } from '../random.js';

/** The smallest input side the prefix accepts: every pooling halves it, and each map must keep >= 1 pixel. */
function minSide(model: Model): number {
  return prefixLayers(model).reduce(
    (s, l) => s * (l.kind === 'maxpool' || l.kind === 'avgpool' ? Number(l.spec.kernel ?? 2) : 1),
    1,
  );
}

export function parseLayers(model: Model, raw: unknown, def: string[]): string[] {
  const names = prefixLayers(model).map((l) => l.name);
  const list =
    raw === undefined || raw === ''
      ? def
      : String(raw)
          .split(',')
          .map((s) => s.trim());
  const bad = list.filter((l) => !names.includes(l));
  if (bad.length || list.length === 0)
    throw badRequest(
      `layers must be a comma-separated list of convolutional-prefix layers: ${names.join(', ')}; got ${JSON.stringify(raw)}`,
    );
  return list;
}

export function parseDream(model: Model, o: Record<string, unknown>) {
  // Colour models: not yet (the any-size input and the picture are single-channel).
  if (model.meta.input.shape[0] !== 1)
    throw badRequest(
      `dream supports single-channel models; ${model.meta.name} has ${model.meta.input.shape[0]} channels`,
    );
  const relus = synthLayerNames(model);
  return {
    layers: parseLayers(model, o.layers ?? o.layer, [relus[Math.min(1, relus.length - 1)]]),
    steps: capped('steps', o.steps, 5, 1, 'dreamSteps'),
    stepSize: ranged('step_size', o.step_size ?? o.stepSize, 0.04, 0, 1),
    octaves: capped('octaves', o.octaves, 3, 1, 'dreamOctaves'),
    octaveScale: ranged('octave_scale', o.octave_scale ?? o.octaveScale, 1.3, 1.05, 2),
    jitter: capped('jitter', o.jitter, 1, 0, 8),
    seed: capped('seed', o.seed, 0, 0, 2 ** 31 - 1),
  };
}
type DreamConfig = ReturnType<typeof parseDream>;

/** Objective value and activations of the chosen layers at x (h x w), from the forward-only conv graph. */
export async function layerActs(model: Model, x: Float32Array, w: number, h: number, layers: string[]) {
  const outputs = await model.runner.run(
    'conv-model',
    { input: { data: x, dims: [1, 1, h, w] } },
    layers.map((l) => `act.${l}`),
  );
  const acts: Record<string, TensorOut> = {};
  let objective = 0;
  for (const l of layers) {
    acts[l] = outputs[`act.${l}`];
    let s = 0;
    for (const v of acts[l].data) s += v * v;
    objective += s / (2 * acts[l].data.length);
  }
  return { acts, objective };
}

export async function dream(model: Model, image: Gray, cfg: DreamConfig) {
  if (Math.max(image.width, image.height) > CAPS.dreamSide)
    throw badRequest(
      `dream images are at most ${CAPS.dreamSide} pixels on a side (dreamSide); got ${image.width}x${image.height}`,
    );
  const min = minSide(model);
  const rng = new Rng(cfg.seed);
  const sizes = Array.from({ length: cfg.octaves }, (_, k) => {
    const f = cfg.octaveScale ** (cfg.octaves - 1 - k);
    return { w: Math.max(min, Math.round(image.width / f)), h: Math.max(min, Math.round(image.height / f)) };
  });
  const before = (await layerActs(model, image.data, image.width, image.height, cfg.layers)).objective;
  let detail: Gray = { width: sizes[0].w, height: sizes[0].h, data: new Float32Array(sizes[0].w * sizes[0].h) };
  let x = image.data;
  const inGraph = cfg.layers.every((l) => synthLayerNames(model).includes(l));
  const gradient = async (img: Float32Array, w: number, h: number): Promise<Float32Array> => {
    if (inGraph)
      return (await synthGrad(model, img, w, h, Object.fromEntries(cfg.layers.map((l) => [l, { weights: [0, 0, 1] }]))))
        .grad;
    const { acts } = await layerActs(model, img, w, h, cfg.layers);
    const cot: Record<string, Cotangent> = {};
    for (const l of cfg.layers) cot[l] = { data: acts[l].data.map((v) => v / acts[l].data.length), dims: acts[l].dims };
    return (await vjp(model, img, [1, 1, h, w], cot, [], 'conv-grad')).grad;
  };
  for (const { w, h } of sizes) {
    const base = resize(image, w, h).data;
    const d = detail.width === w && detail.height === h ? detail.data : resize(detail, w, h).data;
    x = base.map((v, i) => v + d[i]);
    for (let s = 0; s < cfg.steps; s++) {
      // Random roll (jitter) so the dream does not lock onto the pixel grid.
      const jx = rng.int(2 * cfg.jitter + 1) - cfg.jitter,
        jy = rng.int(2 * cfg.jitter + 1) - cfg.jitter;
      const rolled = roll(x, w, h, jx, jy);
      const g = roll(await gradient(rolled, w, h), w, h, -jx, -jy);
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
  return { image: x, width: image.width, height: image.height, before, after, octaves: sizes };
}

function roll(a: Float32Array, w: number, h: number, dx: number, dy: number): Float32Array {
  if (dx === 0 && dy === 0) return Float32Array.from(a);
  const out = new Float32Array(a.length);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) out[((y + dy + h) % h) * w + ((x + dx + w) % w)] = a[y * w + x];
  return out;
}
