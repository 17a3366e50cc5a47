/**
 * Output parity of an imported model with its original: the same [0,1] NCHW images through our classify graph
 * (onnxruntime-web, the edge's engine) and through the original ONNX file (onnxruntime-node, a second engine),
 * fed as the original expects them (channels reordered and scaled, channels-last or flat). Probabilities are compared: the original's
 * softmax output, exp of its log-softmax, or the softmax of its logits.
 */
import * as ortNode from 'onnxruntime-node';
import { graphFile, IO } from '../../model-contract/graphs.js';
import { sessionFromDir, tensor } from '../engine.js';
import type { InputScale, MappedModel } from './map.js';

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

/** onnxruntime-node could not load or run the original file (so there is nothing to compare with). */
export class OriginalUnrunnable extends Error {}

export async function checkParity(
  originalPath: string,
  modelDir: string,
  m: MappedModel,
  scale: InputScale,
  x: Float32Array,
  n: number,
): Promise<Parity> {
  const orig = await ortNode.InferenceSession.create(originalPath, { logSeverityLevel: 3 }).catch((e: Error) => {
    throw new OriginalUnrunnable(e.message);
  });
  const ours = await sessionFromDir(modelDir, graphFile('classify'));
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
    const inp = originalInput(xb, b, m, scale);
    const run = orig
      .run({ [m.inputName]: new ortNode.Tensor('float32', inp.data, inp.dims) }, [m.output.name])
      .catch((e: Error) => {
        throw new OriginalUnrunnable(e.message);
      });
    const raw = (await run)[m.output.name].data as Float32Array;
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
