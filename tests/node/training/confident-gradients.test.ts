/**
 * Gradients where the model is confident (true-class probability above 0.9999, where softmax - onehot in float32
 * used to be rounding error), against an independent float64 re-implementation of the classifier
 * (helpers/reference64.ts) with the committed weights: loss-grad.onnx's input gradient, and the training step's
 * weight gradients on a batch of such images. Relative error < 1e-3 on at least 99% of the coordinates.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { graphFile, IO, paramGrad, WEIGHTS_FILE } from '../../../model-contract/graphs.js';
import type { ModelMeta } from '../../../model-contract/meta.js';
import { Rng } from '../../../model-contract/random.js';
import { session, sessionFromDir, tensor } from '../../../training/engine.js';
import { compileTrainStep } from '../../../training/graph/compile.js';
import { ruleFor } from '../../../training/layers/registry.js';
import { readInitializers } from '../../../training/onnx/decode.js';
import { resolve, type ArchSpec } from '../../../training/spec.js';
import { loadModel } from '../helpers/models.js';
import { backward64, crossEntropy64, forward64, relativeErrors, summarise } from '../helpers/reference64.js';

const CONFIDENT = 0.9999;
const TOL = 1e-3;
const MIN_WITHIN = 0.99;
const TRAIN_BATCH = 32;

const loaded = new Map<string, Awaited<ReturnType<typeof load>>>();

/** The model's weights and its confident samples (by loss-grad.onnx's probs), with loss-grad's answer for them. */
async function load(name: string) {
  const dir = path.resolve('models', name);
  const meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8')) as ModelMeta;
  const read = (f: string) => new Uint8Array(fs.readFileSync(path.join(dir, f)));
  const weights = readInitializers(read(graphFile('model')), { [WEIGHTS_FILE]: read(WEIGHTS_FILE) });
  const layers = resolve(meta.architecture as ArchSpec);
  const s = loadModel(name).samples!();
  const size = s.x.length / s.n,
    k = meta.labels.length;
  const t = new Float32Array(s.n * k);
  s.labels.forEach((y, i) => (t[i * k + y] = 1));
  const sess = await sessionFromDir(dir, graphFile('loss-grad'));
  const out = await sess.run(
    { [IO.input]: tensor(s.x, [s.n, ...meta.input.shape]), [IO.targets]: tensor(t, [s.n, k]) },
    [IO.gradInput, IO.probs],
  );
  await sess.release();
  const probs = out[IO.probs].data as Float32Array,
    grad = out[IO.gradInput].data as Float32Array;
  const idx = s.labels.map((y, i) => (probs[i * k + y] > CONFIDENT ? i : -1)).filter((i) => i >= 0);
  const rows = (a: Float32Array, ids: number[], w: number) => {
    const o = new Float32Array(ids.length * w);
    ids.forEach((i, j) => o.set(a.subarray(i * w, (i + 1) * w), j * w));
    return o;
  };
  const pick = (ids: number[]) => ({
    x: rows(s.x, ids, size),
    t: rows(t, ids, k),
    labels: ids.map((i) => s.labels[i]),
    grad: rows(grad, ids, size),
  });
  return { meta, weights, layers, k, idx, pick };
}
const confident = async (name: string) => {
  if (!loaded.has(name)) loaded.set(name, await load(name));
  return loaded.get(name)!;
};

describe.each(['digits', 'fashion'])('%s at confident points', (name) => {
  it('loss-grad.onnx input gradient matches float64', async () => {
    const m = await confident(name);
    expect(m.idx.length).toBeGreaterThanOrEqual(30);
    const { x, labels, grad } = m.pick(m.idx);
    const n = labels.length;
    const f = forward64(m.layers, m.weights, x, n, 'infer');
    const { dz } = crossEntropy64(f.logits, labels, m.k);
    const ref = backward64(m.layers, m.weights, f.caches, dz, n, 'infer').dInput;
    const r = summarise(relativeErrors(grad, ref), TOL);
    console.log(`${name} loss-grad at ${n} confident samples: ${JSON.stringify(r)}`);
    expect(r.within).toBeGreaterThanOrEqual(MIN_WITHIN);
  });

  it("the training step's weight gradients match float64", async () => {
    const m = await confident(name);
    const { x, labels, t } = m.pick(m.idx.slice(0, TRAIN_BATCH));
    const n = labels.length;
    const { model: step, trainInputs } = compileTrainStep(m.meta.architecture as ArchSpec, { poolIndices: true });
    const feeds: Record<string, ReturnType<typeof tensor>> = {
      [IO.input]: tensor(x, [n, ...m.meta.input.shape]),
      [IO.targets]: tensor(t, [n, m.k]),
    };
    for (const p of m.layers.flatMap((l) => l.params)) feeds[p.name] = tensor(m.weights[p.name], p.shape);
    // Dropout masks as the trainer samples them (the layer rule, a seeded RNG).
    const masks: Record<string, Float32Array> = {};
    const rng = new Rng(7);
    for (const { layer, suffix, value } of trainInputs) {
      const rule = ruleFor(layer.kind).trainInputs!;
      masks[value] = rule.sample(layer.spec, layer.inShapes, n, rng)[suffix];
      feeds[value] = tensor(masks[value], [n, ...rule.shapes(layer.spec, layer.inShapes)[suffix]]);
    }
    const s = await session(step);
    const out = await s.run(feeds);
    await s.release();
    const f = forward64(m.layers, m.weights, x, n, 'train', masks);
    const { probs, dz } = crossEntropy64(f.logits, labels, m.k, n);
    const sure = labels.filter((y, i) => probs[i * m.k + y] > CONFIDENT).length;
    const ref = backward64(m.layers, m.weights, f.caches, dz, n, 'train', masks).grads;
    const errors: number[] = [];
    for (const p of m.layers.flatMap((l) => l.params).filter((p) => p.trainable))
      errors.push(...relativeErrors(out[paramGrad(p.name)].data as Float32Array, ref[p.name]));
    const r = summarise(errors, TOL);
    console.log(`${name} training step, batch ${n} (${sure} confident in training mode): ${JSON.stringify(r)}`);
    expect(sure).toBeGreaterThanOrEqual(n / 2);
    expect(r.within).toBeGreaterThanOrEqual(MIN_WITHIN);
  });
});
