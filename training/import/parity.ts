/**
 * Output parity of an imported model with its original: the same [0,1] NCHW images through our classify graph
 * (onnxruntime-web, the edge's engine) and through the original ONNX file (onnxruntime-node, a second engine),
 * fed as the original expects them (channels reordered and scaled, channels-last or flat). Probabilities are compared: the original's
 * softmax output, exp of its log-softmax, or the softmax of its logits.
 */
import * as ortNode from 'onnxruntime-node';
import { graphFile, IO } from '../../model-contract/graphs.js';
import { sessionFromDir, tensor } from '../engine.js';
import { half } from '../onnx/elements.js';
import type { InputScale, MappedModel } from './map.js';
import { roundTo, typedPixels } from './pixels.js';

export interface Parity {
  images: number;
  /** max |p_ours - p_original| over every image and class. */
  maxAbsDiff: number;
  /** Images whose top class differs. */
  argmaxDisagreements: number;
  /** Our probabilities, [images, K]. */
  probs: Float32Array;
}

function softmaxRows(a: Float32Array, k: number, log: boolean): Float32Array {
  const out = new Float32Array(a.length);
  for (let r = 0; r < a.length / k; r++) {
    const row = a.subarray(r * k, (r + 1) * k);
    if (log) {
      for (let j = 0; j < k; j++) out[r * k + j] = Math.exp(row[j]);
      continue;
    }
    const mx = Math.max(...row);
    let sum = 0;
    for (let j = 0; j < k; j++) sum += Math.exp(row[j] - mx);
    for (let j = 0; j < k; j++) out[r * k + j] = Math.exp(row[j] - mx) / sum;
  }
  return out;
}

const argmax = (a: Float32Array, off: number, k: number) => {
  let best = 0;
  for (let j = 1; j < k; j++) if (a[off + j] > a[off + best]) best = j;
  return best;
};

/** The original's input for one batch of our [0,1] RGB NCHW images: channels reordered and scaled, laid out as it takes them. */
export function originalInput(x: Float32Array, n: number, m: MappedModel, scale: InputScale) {
  const [c, h, w] = m.arch.input;
  const hw = h * w;
  const at = (v: number | number[], ch: number) => (typeof v === 'number' ? v : v[ch]);
  const s = new Float32Array(x.length);
  for (let i = 0; i < n; i++)
    for (let ch = 0; ch < c; ch++) {
      const from = (i * c + (scale.order?.[ch] ?? ch)) * hw;
      const mul = at(scale.mul, ch),
        add = at(scale.add, ch);
      for (let p = 0; p < hw; p++) s[(i * c + ch) * hw + p] = x[from + p] * mul + add;
    }
  if (m.layout === 'nchw') return { data: s, dims: [n, c, h, w] };
  if (m.layout === 'flat') return { data: s, dims: [n, c * h * w] };
  const t = new Float32Array(s.length);
  for (let i = 0; i < n; i++)
    for (let ch = 0; ch < c; ch++) for (let p = 0; p < hw; p++) t[(i * hw + p) * c + ch] = s[(i * c + ch) * hw + p];
  return { data: t, dims: [n, h, w, c] };
}

/** The original's input tensor for our images: originalInput in the original's element type (uint8 pixels, say). */
export function originalFeed(x: Float32Array, n: number, m: MappedModel, scale: InputScale): ortNode.Tensor {
  const inp = originalInput(x, n, m, scale);
  return new ortNode.Tensor(m.inputType, typedPixels(inp.data, m.inputType), inp.dims);
}

/** The original's scores as float32 (a float16 output read from its bits, a double one narrowed). */
export function originalScores(t: ortNode.Tensor): Float32Array {
  if (t.type === 'float32') return t.data as Float32Array;
  if (t.type === 'float16' && t.data instanceof Uint16Array) return Float32Array.from(t.data, half);
  return Float32Array.from(t.data as ArrayLike<number>);
}

/**
 * Our images as the original's input type can hold them: each pixel through --scale, rounded to the type (uint8:
 * the 8-bit grid k / 255 under 0..255) and back, so both engines see the same pixels.
 */
export function representable(x: Float32Array, n: number, m: MappedModel, scale: InputScale): Float32Array {
  if (m.inputType === 'float32' || m.inputType === 'float64') return x;
  const round = roundTo(m.inputType);
  const [c, h, w] = m.arch.input;
  const hw = h * w;
  const at = (v: number | number[], ch: number) => (typeof v === 'number' ? v : v[ch]);
  const out = new Float32Array(x.length);
  for (let q = 0; q < c; q++) {
    // Our channel q is the original's channel o (--bgr reorders), scaled by its mul and add.
    const o = scale.order ? scale.order.indexOf(q) : q;
    const mul = at(scale.mul, o),
      add = at(scale.add, o);
    for (let i = 0; i < n; i++)
      for (let p = (i * c + q) * hw, e = p + hw; p < e; p++) out[p] = (round(x[p] * mul + add) - add) / mul;
  }
  return out;
}

/** onnxruntime-node could not load or run the original file (so there is nothing to compare with). */
export class OriginalUnrunnable extends Error {}

export async function checkParity(
  originalPath: string,
  modelDir: string,
  m: MappedModel,
  scale: InputScale,
  images: Float32Array,
  n: number,
): Promise<Parity> {
  const orig = await ortNode.InferenceSession.create(originalPath, { logSeverityLevel: 3 }).catch((e: Error) => {
    throw new OriginalUnrunnable(e.message);
  });
  const ours = await sessionFromDir(modelDir, graphFile('classify'));
  // An integer or float16 input sees our pixels rounded to its type: both engines get those.
  const x = representable(images, n, m, scale);
  const size = x.length / n;
  const batch = m.staticBatch ? 1 : 256;
  let maxAbsDiff = 0,
    argmaxDisagreements = 0;
  let probs = new Float32Array(0);
  for (let i = 0; i < n; i += batch) {
    const b = Math.min(batch, n - i);
    const xb = x.subarray(i * size, (i + b) * size);
    const mine = (await ours.run({ [IO.input]: tensor(xb, [b, ...m.arch.input]) }, [IO.probs]))[IO.probs]
      .data as Float32Array;
    const k = mine.length / b;
    const run = orig.run({ [m.inputName]: originalFeed(xb, b, m, scale) }, [m.output.name]).catch((e: Error) => {
      throw new OriginalUnrunnable(e.message);
    });
    const raw = originalScores((await run)[m.output.name]);
    const theirs = m.output.kind === 'probs' ? raw : softmaxRows(raw, k, m.output.kind === 'logprobs');
    if (theirs.length !== mine.length)
      throw new Error(`the original gives ${theirs.length / b} scores per image, the import ${k}`);
    for (let j = 0; j < mine.length; j++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(mine[j] - theirs[j]));
    for (let r = 0; r < b; r++) if (argmax(mine, r * k, k) !== argmax(theirs, r * k, k)) argmaxDisagreements++;
    const grown = new Float32Array(probs.length + mine.length);
    grown.set(probs);
    grown.set(mine, probs.length);
    probs = grown;
  }
  await ours.release();
  await orig.release();
  return { images: n, maxAbsDiff, argmaxDisagreements, probs };
}
