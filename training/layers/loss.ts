/**
 * Softmax cross-entropy, the training loss (not a layer of the served graph).
 *   forward:  loss = -mean_n sum_k T[n,k] * log_softmax(Z)[n,k]      Z, T: [N,K] (T one-hot or soft labels)
 *   backward: dZ = (softmax(Z) - T) / N
 */
import type { GraphBuilder } from '../graph/builder.js';

export function softmaxCrossEntropy(b: GraphBuilder, logits: string, targets: string): { loss: string; dlogits: string } {
  const logp = b.o('LogSoftmax', [logits], { axis: 1 });
  const perSample = b.reduceSum(b.mul(targets, logp), [1], 0);
  const loss = b.o('Neg', [b.reduceMean(perSample, [0], 0)], undefined, 'loss_value');
  const n = b.o('Cast', [b.o('Gather', [b.o('Shape', [logits]), b.ints([0], [])], { axis: 0 })], { to: 1 });
  const dlogits = b.div(b.sub(b.o('Softmax', [logits], { axis: 1 }), targets), n, 'dlogits');
  return { loss, dlogits };
}
