/**
 * Softmax cross-entropy, the training loss (not a layer of the served graph).   Z, T, P: [N,K]
 *   forward:  loss = -mean_n sum_k T[n,k] * log_softmax(Z)[n,k]      (T one-hot or soft labels; rows sum to 1)
 *   backward: dZ = (P - T) / N,  P = softmax(Z)
 * perSample: one loss per image, loss_n = -sum_k T[n,k] * log_softmax(Z)[n,k], and dZ = P - T: each image's
 * gradient then does not depend on the batch (what attacks and fooling images descend).
 *
 * P - T is never formed by subtracting: P[y] carries float32 rounding error of about 1e-7, so when the model is
 * confident P[y] - 1 is mostly that error (more than 1e-3 of it above P[y] = 1 - 6e-5), or 0 where P[y] rounds to
 * 1, and the push on the true logit vanishes. With rows of T summing to 1 the same value is
 *   P_k - T_k = (1 - T_k) P_k - T_k Q_k,   Q_k = sum_{j != k} P_j   (= 1 - P_k, summed from the small terms)
 * and Q = P (1 - I) is one [K,K] MatMul: every term is a product or a sum of non-negative numbers, so the
 * gradient keeps its relative precision however close P[y] is to 1 (one-hot: dZ_y = -Q_y, dZ_k = P_k).
 */
import type { GraphBuilder } from '../graph/builder.js';

/** (1 - T) * P - T * (P (1 - I)): softmax minus targets without cancellation (see above). */
function softmaxMinusTargets(b: GraphBuilder, logits: string, targets: string, classes: number, stem: string) {
  const p = b.o('Softmax', [logits], { axis: 1 });
  const offDiagonal = b.matrix(classes, classes, (i, j) => (i === j ? 0 : 1));
  const others = b.o('MatMul', [p, offDiagonal], undefined, 'p_others');
  const keep = b.sub(b.float(1), targets);
  return b.sub(b.mul(keep, p), b.mul(targets, others), stem);
}

export function softmaxCrossEntropy(
  b: GraphBuilder,
  logits: string,
  targets: string,
  classes: number,
  perSample = false,
): { loss: string; dlogits: string } {
  const logp = b.o('LogSoftmax', [logits], { axis: 1 });
  const sums = b.reduceSum(b.mul(targets, logp), [1], 0);
  if (perSample)
    return {
      loss: b.o('Neg', [sums], undefined, 'loss_value'),
      dlogits: softmaxMinusTargets(b, logits, targets, classes, 'dlogits'),
    };
  const loss = b.o('Neg', [b.reduceMean(sums, [0], 0)], undefined, 'loss_value');
  const n = b.o('Cast', [b.o('Gather', [b.o('Shape', [logits]), b.ints([0], [])], { axis: 0 })], { to: 1 });
  const dlogits = b.div(softmaxMinusTargets(b, logits, targets, classes, 'p_minus_t'), n, 'dlogits');
  return { loss, dlogits };
}
