/**
 * Deep Style (Gatys et al. 2015): find an image whose deep features match a content image and whose feature
 * correlations (Gram matrices G = F F^T / M of F = [C channels x M positions]) match a style image.
 *   content loss  mean((F - P)^2)                      dL/dF = 2 (F - P) / (C M)
 *   style loss    sum_l mean((G_l - A_l)^2)            dL/dF = 4 (G - A) F / (C^2 M)
 * When every chosen layer is a ReLU map, synth-grad.onnx computes the losses and their gradient in one run per
 * step; otherwise the gradients with respect to the activations are computed here and pushed through the fully
 * convolutional input-gradient graph. L-BFGS (or Adam) updates the pixels, starting from the content image.
 */
import { CAPS } from '../caps.js';
import { badRequest } from '../errors.js';
import { synthGrad, synthLayerNames, vjp, type Cotangent, type SynthTerm } from '../gradient.js';
import type { Gray } from '../image/ops.js';
import { resizePlanes } from '../image/planes.js';
import type { Model, TensorOut } from '../model.js';
import { channelsOf, checkPlanes, layerActs, minSide, padToMin } from './dream.js';
import { lbfgsBox } from './lbfgs.js';

export interface StyleConfig {
  styleLayers: string[];
  contentLayer: string;
  contentWeight: number;
  styleWeight: number;
  /** L-BFGS (as Gatys et al.) or Adam; `lr` is Adam's step, or L-BFGS's largest first pixel change. */
  optimizer: 'lbfgs' | 'adam';
  steps: number;
  lr: number;
  /** The working size: the content image's longest side. */
  side: number;
}

function gram(f: TensorOut): Float32Array {
  const [, C, h, w] = f.dims,
    M = h * w,
    g = new Float32Array(C * C);
  for (let a = 0; a < C; a++)
    for (let b = a; b < C; b++) {
      let s = 0;
      for (let p = 0; p < M; p++) s += f.data[a * M + p] * f.data[b * M + p];
      g[a * C + b] = g[b * C + a] = s / M;
    }
  return g;
}

function fit(img: Gray, c: number, side: number): Gray {
  const s = side / Math.max(img.width, img.height);
  return resizePlanes(img, c, Math.max(1, Math.round(img.width * s)), Math.max(1, Math.round(img.height * s)));
}

export async function stylise(model: Model, content: Gray, style: Gray, cfg: StyleConfig) {
  if (cfg.side > CAPS.synthSide) throw badRequest(`side is at most ${CAPS.synthSide}`);
  const ch = channelsOf(model);
  checkPlanes(content, ch, 'style content');
  checkPlanes(style, ch, 'style image');
  // A side under the prefix's minimum (a thin strip, a tiny upload) is padded up to it.
  const { img: c, padded } = padToMin(fit(content, ch, cfg.side), minSide(model), ch);
  const s = resizePlanes(style, ch, c.width, c.height);
  const { width: w, height: h } = c;
  const all = [...new Set([...cfg.styleLayers, cfg.contentLayer])];
  const target = (await layerActs(model, s.data, w, h, cfg.styleLayers)).acts;
  const grams = Object.fromEntries(cfg.styleLayers.map((l) => [l, gram(target[l])]));
  const { data: P, dims: contentDims } = (await layerActs(model, c.data, w, h, [cfg.contentLayer])).acts[
    cfg.contentLayer
  ];
  const x = Float32Array.from(c.data);
  const m = new Float32Array(x.length),
    v = new Float32Array(x.length);
  const losses: { content: number; style: number }[] = [];
  // Every loss on a ReLU map: one run of synth-grad.onnx per step (losses and Gram gradients in the graph).
  const inGraph = all.every((l) => synthLayerNames(model).includes(l));
  const terms: Record<string, SynthTerm> = {};
  for (const l of cfg.styleLayers) terms[l] = { gram: grams[l], weights: [0, cfg.styleWeight, 0] };
  terms[cfg.contentLayer] = {
    ...terms[cfg.contentLayer],
    content: { data: P, dims: contentDims },
    weights: [cfg.contentWeight, terms[cfg.contentLayer]?.weights[1] ?? 0, 0],
  };
  const lossesAndGrad = async (
    x: Float32Array,
    last: boolean,
  ): Promise<{ content: number; style: number; grad?: Float32Array }> => {
    if (inGraph) {
      const r = await synthGrad(model, x, w, h, terms);
      return {
        content: r.losses[cfg.contentLayer][0],
        style: cfg.styleLayers.reduce((a, l) => a + r.losses[l][1], 0),
        grad: r.grad,
      };
    }
    const { acts } = await layerActs(model, x, w, h, all);
    const cot: Record<string, Cotangent> = {};
    let contentLoss = 0,
      styleLoss = 0;
    {
      const F = acts[cfg.contentLayer],
        [, C, lh, lw] = F.dims,
        n = C * lh * lw;
      const d = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        const e = F.data[i] - P[i];
        contentLoss += (e * e) / n;
        d[i] = (cfg.contentWeight * 2 * e) / n;
      }
      cot[cfg.contentLayer] = { data: d, dims: F.dims };
    }
    for (const l of cfg.styleLayers) {
      const F = acts[l],
        [, C, lh, lw] = F.dims,
        M = lh * lw,
        G = gram(F),
        A = grams[l];
      const diff = G.map((g, i) => g - A[i]);
      for (const e of diff) styleLoss += (e * e) / (C * C);
      const d = (cot[l] as TensorOut | undefined)?.data ?? new Float32Array(C * M);
      for (let a = 0; a < C; a++)
        for (let p = 0; p < M; p++) {
          let sum = 0;
          for (let b = 0; b < C; b++) sum += diff[a * C + b] * F.data[b * M + p];
          d[a * M + p] += (cfg.styleWeight * 4 * sum) / (C * C * M);
        }
      cot[l] = { data: d, dims: F.dims };
    }
    return {
      content: contentLoss,
      style: styleLoss,
      grad: last ? undefined : (await vjp(model, x, [1, ch, h, w], cot, [], 'conv-grad')).grad,
    };
  };
  if (cfg.optimizer === 'lbfgs') {
    // cfg.steps + 1 evaluations, as Adam's steps plus its final loss: the same number of graph runs.
    const evaluate = async (img: Float32Array) => {
      const { content, style, grad } = await lossesAndGrad(img, false);
      return { loss: cfg.contentWeight * content + cfg.styleWeight * style, grad: grad!, content, style };
    };
    const path = await lbfgsBox(x, evaluate, { evaluations: cfg.steps + 1, firstStep: cfg.lr });
    const [first, last] = [path[0], path[path.length - 1]].map(({ content, style }) => ({ content, style }));
    return { image: x, width: w, height: h, content: c, style: s, losses: { first, last }, padded };
  }
  for (let step = 1; step <= cfg.steps + 1; step++) {
    const { content: contentLoss, style: styleLoss, grad } = await lossesAndGrad(x, step > cfg.steps);
    losses.push({ content: contentLoss, style: styleLoss });
    if (step > cfg.steps || !grad) break;
    // Adam on the pixels (descending the loss), kept in [0,1].
    for (let i = 0; i < x.length; i++) {
      m[i] = 0.9 * m[i] + 0.1 * grad[i];
      v[i] = 0.999 * v[i] + 0.001 * grad[i] * grad[i];
      const mh = m[i] / (1 - 0.9 ** step),
        vh = v[i] / (1 - 0.999 ** step);
      x[i] = Math.min(1, Math.max(0, x[i] - (cfg.lr * mh) / (Math.sqrt(vh) + 1e-8)));
    }
  }
  return {
    image: x,
    width: w,
    height: h,
    content: c,
    style: s,
    losses: { first: losses[0], last: losses[losses.length - 1] },
    padded,
  };
}
