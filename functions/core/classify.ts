/** Classification: preprocess -> run the model -> top-k labels. */
import { IO } from '../../model-contract/graphs.js';
import type { Model } from './model.js';

interface Prediction {
  label: string;
  index: number;
  score: number;
}

function topK(probs: ArrayLike<number>, labels: string[], k: number): Prediction[] {
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
