/**
 * Activation maximisation: gradient ascent on the input to show what a filter (channel), a single neuron or a
 * class logit responds to. Robustness priors as in Lucid / Olah et al. 2017: random jitter, small rotations and
 * scales each step (the gradient is mapped back through the transform), total variation and L2 decay.
 * A grid of every filter of a layer runs as one batch.
 */
import { warp } from '../../../model-contract/affine.js';
import { capped, ranged } from '../caps.js';
import { badRequest } from '../errors.js';
import { forward, inputSize, logitsLayer, prefixLayers, vjp } from '../gradient.js';
import type { LayerMeta, Model } from '../model.js';
import { Rng } from '../../../model-contract/random.js';
import { tvGradient } from '../fool/regularise.js';

export function parseVisualize(model: Model, o: Record<string, unknown>) {
  const layers = model.meta.layers;
  const layerName =
    (o.layer as string | undefined) ??
    (o.class !== undefined ? logitsLayer(model) : layers.find((l) => l.kind === 'conv2d')!.name);
  const layer = layers.find((l) => l.name === layerName);
  if (!layer)
    throw badRequest(`unknown layer "${layerName}". Should be one of: ${layers.map((l) => l.name).join(', ')}.`);
  const channels = layer.outShape[0];
  let unit: { channel: number; y?: number; x?: number } | 'all';
  if (o.class !== undefined) {
    if (layer.name !== logitsLayer(model))
      throw badRequest(
        `class= visualises a logit of the last layer (${logitsLayer(model)}); drop layer= or use channel=`,
      );
    unit = { channel: capped('class', o.class, 0, 0, channels - 1) };
  } else if (o.neuron !== undefined) {
    const parts = String(o.neuron).split(',').map(Number);
    if (
      layer.outShape.length !== 3 ||
      parts.length !== 3 ||
      parts.some((v) => !Number.isInteger(v) || v < 0) ||
      parts[0] >= channels ||
      parts[1] >= layer.outShape[1] ||
      parts[2] >= layer.outShape[2]
    ) {
      throw badRequest(
        `neuron must be "channel,y,x" inside [${layer.outShape}] of conv-shaped layer ${layer.name}; got ${JSON.stringify(o.neuron)}`,
      );
    }
    unit = { channel: parts[0], y: parts[1], x: parts[2] };
  } else if (o.channel === 'all') {
    if (channels > 128)
      throw badRequest(
        `layer ${layer.name} has ${channels} channels, over the cap of 128 for a grid (visualizeChannels); pick channel=`,
      );
    unit = 'all';
  } else unit = { channel: capped('channel', o.channel, 0, 0, channels - 1) }; // default: the layer's first filter
  return {
    layer,
    unit,
    steps: capped('steps', o.steps, 48, 1, 'visualizeSteps'),
    lr: ranged('lr', o.lr, 0.05, 0, 1),
    jitter: capped('jitter', o.jitter, 1, 0, 4),
    rotate: ranged('rotate', o.rotate, 5, 0, 45),
    scale: ranged('scale', o.scale, 0.05, 0, 0.5),
    tv: ranged('tv', o.tv, 0.002, 0, 1),
    l2: ranged('l2', o.l2, 0.002, 0, 1),
    seed: capped('seed', o.seed, 0, 0, 2 ** 31 - 1),
  };
}
type VisualizeConfig = ReturnType<typeof parseVisualize>;

/** The cotangent that makes the objective "mean of this channel" (or one neuron, or one logit) for image i. */
function objectiveCot(
  layer: LayerMeta,
  n: number,
  unitOf: (i: number) => { channel: number; y?: number; x?: number },
): Float32Array {
  const per = layer.outShape.reduce((a, v) => a * v, 1);
  const cot = new Float32Array(n * per);
  for (let i = 0; i < n; i++) {
    const u = unitOf(i);
    if (layer.outShape.length === 1) {
      cot[i * per + u.channel] = 1;
      continue;
    }
    const [, h, w] = layer.outShape;
    if (u.y !== undefined) cot[i * per + u.channel * h * w + u.y * w + u.x!] = 1;
    else for (let p = 0; p < h * w; p++) cot[i * per + u.channel * h * w + p] = 1 / (h * w);
  }
  return cot;
}

export async function visualize(model: Model, cfg: VisualizeConfig) {
  const [c, h, w] = model.meta.input.shape,
    size = inputSize(model);
  if (c !== 1) throw badRequest('visualize supports single-channel models');
  const units =
    cfg.unit === 'all' ? Array.from({ length: cfg.layer.outShape[0] }, (_, ch) => ({ channel: ch })) : [cfg.unit];
  const n = units.length,
    dims = [n, c, h, w];
  const rng = new Rng(cfg.seed);
  const x = new Float32Array(n * size).map(() => 0.1 + 0.05 * rng.normal());
  const cot = objectiveCot(cfg.layer, n, (i) => units[i]);
  // A ReLU unit that starts inactive has zero gradient; climbing its input (the pre-activation, same shape)
  // gives the same optimum where the unit is active, and a gradient everywhere.
  const layers = model.meta.layers,
    at = layers.indexOf(cfg.layer);
  const climbed = cfg.layer.kind === 'relu' && at > 0 ? layers[at - 1].name : cfg.layer.name;
  // A unit of the convolutional prefix needs only the prefix's backward pass (conv-grad.onnx, a third cheaper).
  const inPrefix = prefixLayers(model).some((l) => l.name === climbed);
  const climbedCot = inPrefix ? { data: cot, dims: [n, ...layers.find((l) => l.name === climbed)!.outShape] } : cot;
  const objective = async () => {
    const acts = (await forward(model, x, n, [cfg.layer.name])).acts[cfg.layer.name].data;
    return Array.from({ length: n }, (_, i) => {
      let s = 0;
      const per = cot.length / n;
      for (let p = 0; p < per; p++) s += cot[i * per + p] * acts[i * per + p];
      return s;
    });
  };
  const before = await objective();
  const moved = new Float32Array(n * size),
    back = new Float32Array(size),
    tv = new Float32Array(size);
  for (let s = 0; s < cfg.steps; s++) {
    // One random transform per step for the whole batch; the gradient is pulled back through its inverse.
    const t = {
      angleDeg: rng.uniform(-cfg.rotate, cfg.rotate),
      scale: 1 + rng.uniform(-cfg.scale, cfg.scale),
      tx: rng.int(2 * cfg.jitter + 1) - cfg.jitter,
      ty: rng.int(2 * cfg.jitter + 1) - cfg.jitter,
    };
    for (let i = 0; i < n; i++)
      warp(x.subarray(i * size, (i + 1) * size), h, w, t, moved.subarray(i * size, (i + 1) * size));
    const { grad } = await vjp(
      model,
      moved,
      dims,
      { [climbed]: climbedCot },
      [],
      inPrefix ? 'conv-grad' : 'input-grad',
    );
    const inv = { angleDeg: -t.angleDeg, scale: 1 / t.scale, tx: 0, ty: 0 };
    for (let i = 0; i < n; i++) {
      const o = i * size;
      const g = grad.subarray(o, o + size);
      // Undo the shift first (it was applied after rotation/scale about the centre), then the rotation/scale.
      const unshifted = warp(g, h, w, { angleDeg: 0, scale: 1, tx: -t.tx, ty: -t.ty });
      warp(unshifted, h, w, inv, back);
      let max = 1e-12;
      for (const v of back) max = Math.max(max, Math.abs(v));
      if (cfg.tv > 0) tvGradient(x.subarray(o, o + size), w, h, tv);
      for (let p = 0; p < size; p++)
        x[o + p] = Math.min(1, Math.max(0, x[o + p] + (cfg.lr * back[p]) / max - cfg.l2 * x[o + p] - cfg.tv * tv[p]));
    }
  }
  const after = await objective();
  return { images: x, n, units, before, after };
}
