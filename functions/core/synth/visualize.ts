/**
 * Activation maximisation: gradient ascent on the input to show what a filter (channel), a single neuron or a
 * class logit responds to. Robustness priors as in Lucid / Olah et al. 2017: random jitter, small rotations and
 * scales each step (the gradient is mapped back through the transform), total variation and L2 decay.
 * A grid of every filter of a layer runs as one batch.
 */
import { warp } from '../../../model-contract/affine.js';
import { inputsOf, SYNTH_KINDS } from '../../../model-contract/graphs.js';
import { forward, inputSize, prefixLayers, vjp } from '../gradient.js';
import type { LayerMeta, Model } from '../model.js';
import { Rng } from '../../../model-contract/random.js';
import { tvGradient } from '../fool/regularise.js';
import { eachPlane } from '../image/planes.js';

export interface VisualizeConfig {
  layer: LayerMeta;
  /** One channel (optionally one neuron y,x of it), or every channel of the layer as a grid. */
  unit: { channel: number; y?: number; x?: number } | 'all';
  steps: number;
  lr: number;
  jitter: number;
  rotate: number;
  scale: number;
  tv: number;
  l2: number;
  seed: number;
}

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

/** Activations climbed through their input, the synth kinds: each is non-decreasing where it matters (silu,
 *  hardswish and gelu dip only just below 0), and flat (ReLU, ReLU6) or nearly so (leaky ReLU, ELU, softplus) where
 *  a unit starts inactive. */
const PRE_ACTIVATED = SYNTH_KINDS;

/**
 * The layer climbed for a unit of `layer`: such an activation's input (the pre-activation, same shape; in a graph
 * the layer it reads, not the one listed before it) has the same optimum where the unit is active and a gradient
 * everywhere, so a unit that starts inactive still moves. A unit of the convolutional prefix needs only the
 * prefix's backward pass (conv-grad.onnx, a third cheaper).
 */
export function climbing(model: Model, layer: LayerMeta): { climbed: string; inPrefix: boolean } {
  const layers = model.meta.layers,
    at = layers.indexOf(layer);
  const from = at >= 0 ? inputsOf(layers, at) : [];
  const pre = from.length === 1 ? layers.find((l) => l.name === from[0]) : undefined;
  const same = pre !== undefined && pre.outShape.join() === layer.outShape.join();
  const climbed = PRE_ACTIVATED.includes(layer.kind) && same ? pre.name : layer.name;
  return { climbed, inPrefix: prefixLayers(model).some((l) => l.name === climbed) };
}

export async function visualize(model: Model, cfg: VisualizeConfig) {
  const [c, h, w] = model.meta.input.shape,
    size = inputSize(model),
    hw = h * w;
  const units =
    cfg.unit === 'all' ? Array.from({ length: cfg.layer.outShape[0] }, (_, ch) => ({ channel: ch })) : [cfg.unit];
  const n = units.length,
    dims = [n, c, h, w];
  const rng = new Rng(cfg.seed);
  const x = new Float32Array(n * size).map(() => 0.1 + 0.05 * rng.normal());
  const cot = objectiveCot(cfg.layer, n, (i) => units[i]);
  const layers = model.meta.layers;
  const { climbed, inPrefix } = climbing(model, cfg.layer);
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
    for (let i = 0; i < n * c; i++)
      warp(x.subarray(i * hw, (i + 1) * hw), h, w, t, moved.subarray(i * hw, (i + 1) * hw));
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
      eachPlane(
        g,
        c,
        hw,
        (p) => warp(warp(p, h, w, { angleDeg: 0, scale: 1, tx: -t.tx, ty: -t.ty }), h, w, inv),
        hw,
        back,
      );
      let max = 1e-12;
      for (const v of back) max = Math.max(max, Math.abs(v));
      // Total variation within each colour plane.
      if (cfg.tv > 0) eachPlane(x.subarray(o, o + size), c, hw, (p) => tvGradient(p, w, h), hw, tv);
      for (let p = 0; p < size; p++)
        x[o + p] = Math.min(1, Math.max(0, x[o + p] + (cfg.lr * back[p]) / max - cfg.l2 * x[o + p] - cfg.tv * tv[p]));
    }
  }
  const after = await objective();
  return { images: x, n, units, before, after };
}
