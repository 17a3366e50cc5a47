/**
 * The lean gradient graphs against input-grad.onnx in one model folder: logit-grad's grad_input and cam-grad's
 * act.<cam> and grad_act.<cam> equal input-grad's for the same random logits cotangent (zeros for every other
 * layer's), within 1e-5 of the largest value; each takes the input and the logits' cotangent and nothing else
 * (cam-grad also the predicted class's weight: 0, then random weights, against input-grad fed the cotangent plus
 * each weight times the one-hot of the class input-grad's logits put first); margin-grad's grad_input equals
 * input-grad's for the cotangent the edge's JavaScript forms from the logits (fool/margin.ts).
 */
import { expect } from 'vitest';
import { act, camLayer, grad, gradAct, IO, type ContractLayer } from '../../../model-contract/graphs.js';
import { margin } from '../../../functions/core/fool/margin.js';
import { oneHot } from '../../../functions/core/gradient.js';
import { sessionFromDir, tensor } from '../../../training/engine.js';
import { randn } from './fd.js';

function close(a: unknown, b: unknown, what: string) {
  const [p, q] = [a as Float32Array, b as Float32Array];
  expect(p.length, what).toBe(q.length);
  let scale = 0,
    diff = 0;
  for (let i = 0; i < q.length; i++) {
    scale = Math.max(scale, Math.abs(q[i]));
    diff = Math.max(diff, Math.abs(p[i] - q[i]));
  }
  expect(scale, `${what} is not all zeros`).toBeGreaterThan(1e-6);
  expect(diff, what).toBeLessThanOrEqual(1e-5 * Math.max(1, scale));
}

export async function expectLeanGraphsMatch(
  dir: string,
  layers: ContractLayer[],
  x: Float32Array,
  dims: number[],
  seed: number,
) {
  const n = dims[0],
    last = layers.at(-1)!,
    K = last.outShape[0];
  const cot = tensor(randn(n * K, seed), [n, K]);
  const feeds: Record<string, ReturnType<typeof tensor>> = { [IO.input]: tensor(x, dims), [grad(last.name)]: cot };
  for (const l of layers.slice(0, -1))
    feeds[grad(l.name)] =
      l.outShape.length === 1
        ? tensor(new Float32Array(n * l.outShape[0]), [n, l.outShape[0]])
        : tensor(new Float32Array(1), [1, 1, 1, 1]);
  const full = await sessionFromDir(dir, 'input-grad.onnx');
  const ref = await full.run(feeds);
  const lean = { [IO.input]: feeds[IO.input], [grad(last.name)]: cot };
  const inputs = [IO.input, grad(last.name)].sort();
  const logit = await sessionFromDir(dir, 'logit-grad.onnx');
  expect([...logit.inputNames].sort()).toEqual(inputs);
  const lg = await logit.run(lean);
  close(lg[IO.gradInput].data, ref[IO.gradInput].data, 'logit-grad grad_input');
  close(lg[IO.probs].data, ref[IO.probs].data, 'logit-grad probs');
  const cam = camLayer(layers)!.name;
  const camSession = await sessionFromDir(dir, 'cam-grad.onnx');
  expect([...camSession.inputNames].sort()).toEqual([...inputs, IO.predicted].sort());
  const cg = await camSession.run({ ...lean, [IO.predicted]: tensor(new Float32Array(n), [n, 1]) });
  close(cg[act(cam)].data, ref[act(cam)].data, `cam-grad ${act(cam)}`);
  close(cg[gradAct(cam)].data, ref[gradAct(cam)].data, `cam-grad ${gradAct(cam)}`);
  close(cg[IO.logits].data, ref[IO.logits].data, 'cam-grad logits');
  // The predicted class's one-hot, weighted per image, added in the graph.
  const weights = randn(n, seed + 1),
    logits = ref[IO.logits].data as Float32Array,
    plus = Float32Array.from(cot.data as Float32Array);
  for (let i = 0; i < n; i++) {
    const row = logits.subarray(i * K, (i + 1) * K);
    plus[i * K + row.indexOf(Math.max(...row))] += weights[i];
  }
  const refPlus = await full.run({ ...feeds, [grad(last.name)]: tensor(plus, [n, K]) });
  const cp = await camSession.run({ ...lean, [IO.predicted]: tensor(weights, [n, 1]) });
  close(cp[gradAct(cam)].data, refPlus[gradAct(cam)].data, `cam-grad ${gradAct(cam)} with the predicted class`);
  // margin-grad: C&W's margin term, its cotangent formed in the graph, against input-grad fed the cotangent the
  // edge's JavaScript forms from input-grad's logits (fool/margin.ts); a random class and signed c per image,
  // kappa 1000 (the hinge on) or 0 (on only where the margin is still positive).
  const away = Array.from({ length: n }, (_, i) => (i * 7 + seed) % K),
    scale = randn(n, seed + 2),
    kappa = Float32Array.from({ length: n }, (_, i) => (i % 2 ? 0 : 1000));
  const margined = new Float32Array(n * K);
  for (let i = 0; i < n; i++) {
    const mg = margin(logits, i, K, away[i], scale[i] < 0 ? away[i] : undefined);
    if (mg.value > -kappa[i]) [margined[i * K + away[i]], margined[i * K + mg.other]] = [scale[i], -scale[i]];
  }
  const refMargin = await full.run({ ...feeds, [grad(last.name)]: tensor(margined, [n, K]) });
  const marginSession = await sessionFromDir(dir, 'margin-grad.onnx');
  expect([...marginSession.inputNames].sort()).toEqual([IO.input, IO.away, IO.marginScale, IO.confidence].sort());
  const mr = await marginSession.run({
    [IO.input]: feeds[IO.input],
    [IO.away]: tensor(oneHot(n, K, away), [n, K]),
    [IO.marginScale]: tensor(scale, [n, 1]),
    [IO.confidence]: tensor(kappa, [n, 1]),
  });
  close(mr[IO.gradInput].data, refMargin[IO.gradInput].data, 'margin-grad grad_input');
  close(mr[IO.logits].data, ref[IO.logits].data, 'margin-grad logits');
  await Promise.all([full, logit, camSession, marginSession].map((s) => s.release()));
}
