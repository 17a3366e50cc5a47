/** Classification: preprocess -> run the model -> top-k labels. */
import { IO } from '../../model-contract/graphs.js';
import type { Model } from './model.js';

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

function topK(probs: ArrayLike<number>, labels: string[], k: number): ClassScore[] {
  return Array.from(probs, (score, index) => ({ label: labels[index], index, score }))
    .sort((a, b) => b.score - a.score)
    .slice(0, k);
}

export async function classifyInput(model: Model, input: Float32Array, k: number) {
  const shape = model.meta.input.shape;
  const out = await model.runner.run('classify', { [IO.input]: { data: input, dims: [1, ...shape] } }, [
    IO.probs,
    IO.logits,
  ]);
  return { predictions: topK(out[IO.probs].data, model.meta.labels, k), logits: Array.from(out[IO.logits].data) };
}
