/**
 * The layer gradient every gradient CAM weighs (G = d logit_c / d A, the graph's grad_act.<layer>), checked against
 * central finite differences of the inference graph by the chain rule: every path from the input to the logits
 * passes through the layer, so along any direction v, sum G * (A(x + eps v) - A(x - eps v)) / (2 eps) equals
 * (logit_c(x + eps v) - logit_c(x - eps v)) / (2 eps). A few directions may cross a ReLU or max-pool switch
 * within eps (a kink), so most, not all, must agree (float32 sums, eps 1e-4).
 */
import { describe, expect, it } from 'vitest';
import { gradAct } from '../../../../../model-contract/graphs.js';
import { forward, inputSize, logitsLayer, oneHot, vjp } from '../../../../../functions/core/gradient.js';
import { FD_ATOL, FD_RTOL, jitter, randn } from '../../../helpers/fd.js';
import { loadModel } from '../../../helpers/models.js';

/** Small: the relu3 maps of digits lie behind two max-pools, whose switches a step of 1e-3 in every pixel flips. */
const EPS = 1e-4;

async function chainRule(name: string, layer: string, directions: number) {
  const model = loadModel(name);
  const size = inputSize(model),
    k = model.meta.labels.length;
  const x = jitter(model.samples!().x.slice(0, size), 3, 0.05);
  const c = 0;
  const { outputs } = await vjp(model, x, [1, ...model.meta.input.shape], { [logitsLayer(model)]: oneHot(1, k, c) }, [
    gradAct(layer),
  ]);
  const G = outputs[gradAct(layer)].data;
  const rows: { chain: number; fd: number }[] = [];
  for (let d = 0; d < directions; d++) {
    const v = randn(size, 100 + d);
    const batch = new Float32Array(2 * size);
    for (let i = 0; i < size; i++) {
      batch[i] = x[i] + EPS * v[i];
      batch[size + i] = x[i] - EPS * v[i];
    }
    const f = await forward(model, batch, 2, [layer]);
    const A = f.acts[layer].data,
      n = G.length;
    let chain = 0;
    for (let i = 0; i < n; i++) chain += (G[i] * (A[i] - A[n + i])) / (2 * EPS);
    rows.push({ chain, fd: (f.logits[c] - f.logits[k + c]) / (2 * EPS) });
  }
  return rows;
}

describe('d logit / d activations (grad_act), by the chain rule against finite differences', () => {
  // The default CAM layers. (Not relu1 of digits: behind it, max-pool windows of four exact zeros on the
  // background are ties, and any step in every pixel breaks some of them, a switch at every step size.)
  for (const [name, layer] of [
    ['digits', 'relu3'],
    ['fashion', 'silu4'],
    ['shapes', 'relu6'],
  ])
    it(`${name} ${layer}: 8 random directions, at least 6 within ${FD_ATOL} + ${FD_RTOL} x |fd|`, async () => {
      const rows = await chainRule(name, layer, 8);
      const ok = rows.filter((r) => Math.abs(r.chain - r.fd) <= FD_ATOL + FD_RTOL * Math.abs(r.fd));
      console.log(`${name} ${layer}: ${rows.map((r) => `${r.chain.toFixed(4)} vs ${r.fd.toFixed(4)}`).join('; ')}`);
      expect(ok.length).toBeGreaterThanOrEqual(6);
      // Not a trivial agreement: the directional derivatives are not all zero.
      expect(Math.max(...rows.map((r) => Math.abs(r.fd)))).toBeGreaterThan(0.1);
    }, 120_000);
});
