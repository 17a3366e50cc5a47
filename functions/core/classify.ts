/** Classification: read -> preprocess -> run the model -> top-k labels. */
import { IO } from '../../model-contract/graphs.js';
import { badRequest } from './errors.js';
import type { Model } from './model.js';
import { modelSide, prepare, type InputOptions, type ReadImage } from './model-input.js';

/** A class with its confidence: the one shape every answer uses. */
export interface ClassScore {
  label: string;
  index: number;
  score: number;
}

export const classScore = (model: Model, index: number, probs: ArrayLike<number>, row = 0): ClassScore => ({
  label: model.meta.labels[index],
  index,
  score: probs[row * model.meta.labels.length + index],
});

/**
 * The k highest scores, best first, ties in index order (as a stable sort): a few kept in order in one pass over the
 * scores, many by sorting them all.
 */
function topK(probs: ArrayLike<number>, labels: string[], k: number): ClassScore[] {
  const score = (index: number) => ({ label: labels[index], index, score: probs[index] });
  if (k > 16)
    return Array.from(probs, (_, i) => score(i))
      .sort((a, b) => b.score - a.score)
      .slice(0, k);
  const best: number[] = [];
  for (let i = 0; i < probs.length; i++) {
    const p = probs[i];
    if (best.length === k) {
      if (!(p > probs[best[k - 1]])) continue;
      best.pop();
    }
    let j = best.length;
    while (j > 0 && p > probs[best[j - 1]]) j--;
    best.splice(j, 0, i);
  }
  return best.map(score);
}

/** The classify graph on one model-ready input: its probabilities, and the logits when asked for. */
async function run(model: Model, input: Float32Array, outputs: string[]) {
  const dims = [1, ...model.meta.input.shape];
  return model.runner.run('classify', { [IO.input]: { data: input, dims } }, outputs);
}

export async function classifyInput(model: Model, input: Float32Array, k: number) {
  const out = await run(model, input, [IO.probs, IO.logits]);
  return { predictions: topK(out[IO.probs].data, model.meta.labels, k), logits: Array.from(out[IO.logits].data) };
}

const ms = (t: number) => Math.round(t * 1000) / 1000;

/**
 * Classification of an upload: read -> preprocess -> run the model -> the `topK` most likely classes ('all': every
 * class), with what preprocessing did and how long each stage took.
 */
export async function classify(model: Model, read: ReadImage, opts: InputOptions & { topK: number | 'all' }) {
  const t0 = performance.now();
  const k = model.meta.labels.length;
  if (opts.topK !== 'all' && opts.topK > k)
    throw badRequest(`top_k must be from 1 to ${k} (the labels of model ${model.meta.name}) or all; got ${opts.topK}`);
  const source = await read(modelSide(model, opts.preprocess));
  const t1 = performance.now();
  const pre = prepare(model, source, opts);
  const t2 = performance.now();
  const probs = (await run(model, pre.input, [IO.probs]))[IO.probs].data;
  const predictions = topK(probs, model.meta.labels, opts.topK === 'all' ? k : opts.topK);
  const t3 = performance.now();
  return {
    predictions,
    input: { format: source.format, width: source.width, height: source.height },
    preprocessing: { protocol: pre.protocol, steps: pre.steps },
    // Workers coarsen the clock (whole ms locally; in production it advances only on I/O): rough figures only.
    timings: { decodeMs: ms(t1 - t0), preprocessMs: ms(t2 - t1), inferenceMs: ms(t3 - t2), totalMs: ms(t3 - t0) },
  };
}
