/**
 * Real pretrained networks imported end to end, every model of ../shared/models-from-elsewhere with the options
 * its README gives (tests/node/helpers/elsewhere-models.ts): MobileNetV2-style (depthwise convs, unfolded batch
 * norm, ReLU6 as Clip with Constant bounds, inverted residual adds), ResNet-8 from TFLite (0..255 input, asymmetric
 * pads, AveragePool VALID, a Transpose before the flatten), ResNet-56 (27 residual adds), mini-Xception (NHWC gray
 * made NCHW by a Reshape, depthwise-separable blocks, strided projections, MaxPool pads [0,0,1,1]) and the Keras
 * traffic-sign chain (batch norm after ReLU as Mul + Add). Each against the original file in onnxruntime-node:
 * its recorded outputs on the ten sample pictures (expected.json), its input gradient by finite differences, and
 * a PGD picture (8-bit, as the edge returns it) that flips the original's prediction too.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attackOne } from '../../../../functions/core/fool/attack.js';
import { forward, logitsLayer, vjp } from '../../../../functions/core/gradient.js';
import { importModel, PARITY_TOLERANCE, parseLabels, parseScale } from '../../../../training/import/index.js';
import { mapModel } from '../../../../training/import/map.js';
import { decodeModel } from '../../../../training/onnx/decode.js';
import { resolve, type ArchSpec } from '../../../../training/spec.js';
import { backward64, forward64 } from '../../helpers/reference64.js';
import { ELSEWHERE_MODELS } from '../../helpers/elsewhere-models.js';
import { elsewhere, type Sample } from '../../helpers/elsewhere.js';
import { samples } from '../../helpers/elsewhere-samples.js';
import { loadModel } from '../../helpers/models.js';
import { sampleIndices } from '../../helpers/fd.js';
import { onnxCheck } from '../../helpers/onnx-checker.js';
import { checkAgainstOriginal, openOriginal, type Original } from '../../helpers/original.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'elsewhere-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const argmax = (a: ArrayLike<number>) => Array.from(a).reduce((b, v, i, all) => (v > all[b] ? i : b), 0);

describe.each(ELSEWHERE_MODELS)('$file imported', (m) => {
  const file = () => elsewhere(`${m.file}.onnx`);
  let orig: Original;
  let pics: (Sample & { x: Float32Array })[];
  let mapped: ReturnType<typeof mapModel>;
  /** The weights as mapped (the scale layer's constants included), for the float64 copy. */
  let weights: ReturnType<typeof mapModel>['weights'];

  beforeAll(async () => {
    pics = await samples(m.file);
    const r = await importModel({
      file: file(),
      name: m.name,
      labels: parseLabels(elsewhere(`${m.file}.labels.txt`)),
      ...m.options,
      root: tmp,
      measure: false,
      log: () => {},
    });
    expect(r.random.maxAbsDiff).toBeLessThan(PARITY_TOLERANCE);
    const scale = parseScale(m.options.scale);
    mapped = mapModel(decodeModel(new Uint8Array(fs.readFileSync(file()))), { layout: m.options.layout, scale });
    weights = mapped.weights;
    orig = await openOriginal(file(), mapped, scale);
  });
  afterAll(() => orig?.release());

  it('maps onto the layer graph the README describes, and the official checker accepts its graphs', () => {
    const meta = loadModel(m.name, tmp).meta;
    const kinds = meta.layers.map((l) => l.kind);
    for (const [kind, count] of Object.entries(m.layers)) expect(kinds.filter((k) => k === kind).length).toBe(count);
    const graphs = fs.readdirSync(path.join(tmp, m.name)).filter((f) => f.endsWith('.onnx'));
    expect(onnxCheck(graphs.map((f) => path.join(tmp, m.name, f)))).toBe(graphs.length);
  });

  it("reproduces the original's recorded outputs on the ten samples (expected.json)", async () => {
    const model = loadModel(m.name, tmp);
    let worst = 0;
    for (const s of pics) {
      const { probs } = await forward(model, s.x, 1);
      // expected.json holds the original's output: probabilities, or logits for the torch models.
      const theirs = mapped.output.kind === 'probs' ? s.output : softmax(s.output);
      for (let j = 0; j < probs.length; j++) worst = Math.max(worst, Math.abs(probs[j] - theirs[j]));
      expect(argmax(probs)).toBe(s.predicted_index);
    }
    expect(worst).toBeLessThan(PARITY_TOLERANCE);
  });

  it('has the input gradient of the original file (central differences at 16 pixels)', async () => {
    const model = loadModel(m.name, tmp);
    // Dimmed towards gray, so the original's top two classes are both resolvable (helpers/original.ts).
    const x = pics[1].x.map((v) => 0.25 + 0.5 * v);
    const r = await checkAgainstOriginal(model, orig, mapped, x, sampleIndices(x.length, 16, 5), 3e-4);
    expect(r.scale).toBeGreaterThan(1e-2);
    // Tolerances justified in helpers/original.ts (kinks and float32 noise per entry; measured 0.9991+, 1 +- 0.011).
    expect(r.cosine).toBeGreaterThan(0.995);
    expect(Math.abs(r.slope - 1)).toBeLessThan(0.03);
  });

  it('has the exact input gradient of a float64 copy of the original, which agrees with the original file', async () => {
    // Entry by entry and tight: the weights as mapped, run loop by loop in float64 (helpers/reference64.ts), match
    // the original file's log-probability margin to its float32 rounding, and their exact gradient is the reference.
    const model = loadModel(m.name, tmp);
    const layers = resolve(model.meta.architecture as ArchSpec);
    for (const s of pics.slice(0, 1)) {
      const x = s.x.map((v) => 0.25 + 0.5 * v);
      const { logits, caches } = forward64(layers, weights, x, 1, 'infer');
      const p = await orig.run(x);
      const [t, second] = [...logits.keys()].sort((a, b) => logits[b] - logits[a]);
      const log = (v: number) => (mapped.output.kind === 'probs' ? Math.log(v) : v);
      expect(Math.abs(logits[t] - logits[second] - (log(p[t]) - log(p[second])))).toBeLessThan(1e-3);
      const cot = Float64Array.from({ length: logits.length }, (_, j) => (j === t ? 1 : 0) - (j === second ? 1 : 0));
      const ref = backward64(layers, weights, caches, cot, 1, 'infer').dInput;
      const { grad } = await vjp(model, x, [1, ...model.meta.input.shape], {
        [logitsLayer(model)]: Float32Array.from(cot),
      });
      const scale = Math.max(...ref.map(Math.abs));
      expect(scale).toBeGreaterThan(1e-2);
      expect(Math.max(...ref.map((v, i) => Math.abs(v - grad[i]))) / scale).toBeLessThan(1e-4);
    }
  });

  it("PGD's adversarial picture, re-run on the original file, flips its prediction", async () => {
    const model = loadModel(m.name, tmp);
    const s = pics.find((p) => p.predicted_index === p.label_index)!;
    expect(await orig.top(s.x)).toBe(s.label_index);
    const r = await attackOne(model, s.x, {
      method: 'pgd',
      norm: 'linf',
      eps: 8 / 255,
      stepSize: 1 / 255,
      steps: 20,
      randomStart: true,
      seed: 1,
    });
    expect(r.success).toBe(true);
    expect(r.perturbation.linf).toBeLessThanOrEqual(8 / 255 + 1e-6);
    expect(await orig.top(r.adv)).not.toBe(s.label_index);
  });
});

function softmax(z: number[]): number[] {
  const mx = Math.max(...z);
  const e = z.map((v) => Math.exp(v - mx));
  const sum = e.reduce((a, v) => a + v, 0);
  return e.map((v) => v / sum);
}
