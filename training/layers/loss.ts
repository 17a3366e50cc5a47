/**
 * Softmax cross-entropy, the training loss (not a layer of the served graph).
 *   forward:  loss = -mean_n sum_k T[n,k] * log_softmax(Z)[n,k]      Z, T: [N,K] (T one-hot or soft labels)
 *   backward: dZ = (softmax(Z) - T) / N
 * perSample: one loss per image, loss_n = -sum_k T[n,k] * log_softmax(Z)[n,k], and dZ = softmax(Z) - T: each
 * image's gradient then does not depend on the batch (what attacks and fooling images descend).
 */
import type { GraphBuilder } from '../graph/builder.js';

export function softmaxCrossEntropy(
  b: GraphBuilder,
  logits: string,
  targets: string,
  perSample = false,
): { loss: string; dlogits: string } {
  const logp = b.o('LogSoftmax', [logits], { axis: 1 });
  const sums = b.reduceSum(b.mul(targets, logp), [1], 0);
  if (perSample)
    return {
      loss: b.o('Neg', [sums], undefined, 'loss_value'),
      dlogits: b.sub(b.o('Softmax', [logits], { axis: 1 }), targets, 'dlogits'),
    };
  const loss = b.o('Neg', [b.reduceMean(sums, [0], 0)], undefined, 'loss_value');
  const n = b.o('Cast', [b.o('Gather', [b.o('Shape', [logits]), b.ints([0], [])], { axis: 0 })], { to: 1 });
  const dlogits = b.div(b.sub(b.o('Softmax', [logits], { axis: 1 }), targets), n, 'dlogits');
  return { loss, dlogits };
}
