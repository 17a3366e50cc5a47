/**
 * An imported model's original ONNX file in onnxruntime-node (a second engine), fed our [0,1] RGB NCHW images as
 * the original takes them (parity.ts originalFeed: scaled, laid out, in its element type: uint8 pixels rounded), and
 * the input-gradient check against it: central finite differences of the original's log-probability margin along
 * seeded directions (helpers/fd.ts checkGradient).
 */
import * as ortNode from 'onnxruntime-node';
import { logitsLayer, vjp } from '../../../functions/core/gradient.js';
import type { Model } from '../../../functions/core/model.js';
import type { InputScale, MappedModel } from '../../../training/import/map.js';
import { originalFeed, originalScores } from '../../../training/import/parity.js';
import { checkGradient, FD_EPS_DEEP, randn, sampleIndices } from './fd.js';

export interface Original {
  /** The original's output for one image: probabilities, log-probabilities or logits (mapped.output.kind). */
  run(x: Float32Array): Promise<Float32Array>;
  /** Its top class. */
  top(x: Float32Array): Promise<number>;
  release(): Promise<void>;
}

export async function openOriginal(file: string, mapped: MappedModel, scale: InputScale): Promise<Original> {
  const s = await ortNode.InferenceSession.create(file, { logSeverityLevel: 3 });
  const run = async (x: Float32Array) => {
    const out = await s.run({ [mapped.inputName]: originalFeed(x, 1, mapped, scale) });
    return originalScores(out[mapped.output.name]);
  };
  return {
    run,
    async top(x) {
      const o = await run(x);
      return o.reduce((b, v, i) => (v > o[b] ? i : b), 0);
    },
    release: () => s.release(),
  };
}

/**
 * The original's top two classes t, s at x, our input gradient of the logit margin z_t - z_s there, and the
 * original's log p_t - log p_s at any image (the same margin: logits and log-probabilities differ by one constant per
 * image; the log of a float32 probability keeps ~7 digits of p_s, so the margin resolves where the softmax saturates).
 */
async function margin(model: Model, orig: Original, mapped: MappedModel, x: Float32Array) {
  const k = model.meta.labels.length;
  const [ch, h, w] = model.meta.input.shape;
  const p = await orig.run(x);
  const [t, s] = [...p.keys()].sort((a, b) => p[b] - p[a]);
  const cot = Float32Array.from({ length: k }, (_, j) => (j === t ? 1 : 0) - (j === s ? 1 : 0));
  const { grad } = await vjp(model, x, [1, ch, h, w], { [logitsLayer(model)]: cot });
  const log = (v: number) => (mapped.output.kind === 'probs' ? Math.log(v) : v);
  const original = async (xt: Float32Array) => {
    const o = await orig.run(xt);
    return log(o[t]) - log(o[s]);
  };
  return { grad, original };
}

/**
 * The margin's input gradient entry by entry against central differences of the original file (opened here,
 * helpers/fd.ts checkGradient: 24 seeded pixels, a step of FD_EPS_DEEP, kinks skipped) at a seeded image around
 * mid-gray: for small graphs whose float32 logits are precise enough for single entries.
 */
export async function checkMarginEntrywise(model: Model, file: string, mapped: MappedModel, scale: InputScale) {
  const orig = await openOriginal(file, mapped, scale);
  const [ch, h, w] = model.meta.input.shape;
  const x = randn(ch * h * w, 11, 0.15).map((v) => 0.5 + v);
  try {
    const { grad, original } = await margin(model, orig, mapped, x);
    const indices = sampleIndices(x.length, 24, 5);
    const r = await checkGradient(x, grad, () => original(x), indices, FD_EPS_DEEP);
    return { ...r, grad, indices };
  } finally {
    await orig.release();
  }
}

/**
 * Our input gradient of the logit margin (margin above) against central differences of the original's at `coords`
 * seeded pixels, a step of `eps` in [0,1] units.
 * Compared in aggregate: the cosine between the two vectors and the least-squares slope of numeric on analytic.
 * Entry by entry, a step crosses ReLU/ReLU6/max-pool kinks of these deep piecewise-linear networks and the
 * original's float32 logits (up to ~17) add noise, so single entries stray by up to ~20% (measured at eps 3e-4:
 * cosine 0.9991-0.99998 and slope 0.991-1.010 over the five models); a wrong gradient (a residual branch
 * dropped, a scale or layout wrong, a channel order swapped) moves the cosine or the slope far more.
 */
export async function checkAgainstOriginal(
  model: Model,
  orig: Original,
  mapped: MappedModel,
  x: Float32Array,
  coords: number[],
  eps: number,
): Promise<{ cosine: number; slope: number; scale: number; analytic: number[]; numeric: number[] }> {
  const { grad, original } = await margin(model, orig, mapped, x);
  const at = (i: number, d: number) => {
    const xt = Float32Array.from(x);
    xt[i] += d;
    return original(xt);
  };
  const analytic = coords.map((i) => grad[i]);
  const numeric: number[] = [];
  for (const i of coords) numeric.push(((await at(i, eps)) - (await at(i, -eps))) / (2 * eps));
  const dot = (a: number[], b: number[]) => a.reduce((acc, v, j) => acc + v * b[j], 0);
  const cosine = dot(analytic, numeric) / Math.sqrt(dot(analytic, analytic) * dot(numeric, numeric));
  return {
    cosine,
    slope: dot(analytic, numeric) / dot(analytic, analytic),
    scale: Math.max(...analytic.map(Math.abs)),
    analytic,
    numeric,
  };
}
