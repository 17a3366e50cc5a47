/**
 * A real pretrained network imported end to end: gtsrb_keras_cnn_30 from ../shared/models-from-elsewhere (a Keras
 * traffic-sign CNN through tf2onnx: NHWC RGB input in x/255, batch norm after each ReLU left as Mul + Add, a
 * Transpose before the flatten, MatMul + Add dense layers, a final Softmax). Checked against the original file
 * in onnxruntime-node: its recorded outputs on the ten sample pictures, the input gradient against a float64 copy
 * of the original (itself checked against the file), and a PGD picture that flips the original's prediction too.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ortNode from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attackOne } from '../../../../functions/core/fool/attack.js';
import { forward, logitsLayer, vjp } from '../../../../functions/core/gradient.js';
import { importModel, PARITY_TOLERANCE, parseLabels } from '../../../../training/import/index.js';
import { mapModel } from '../../../../training/import/map.js';
import { decodeModel } from '../../../../training/onnx/decode.js';
import { resolve } from '../../../../training/spec.js';
import { elsewhere, type Sample } from '../../helpers/elsewhere.js';
import { samples } from '../../helpers/elsewhere-samples.js';
import { backward64, forward64 } from '../../helpers/reference64.js';
import { loadModel } from '../../helpers/models.js';

const MODEL = 'gtsrb_keras_cnn_30';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gtsrb-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

let orig: ortNode.InferenceSession;
let pics: (Sample & { x: Float32Array })[];
/** The original's probabilities for one of our [3,30,30] inputs in [0,1], fed NHWC as it takes them. */
async function original(x: Float32Array): Promise<Float32Array> {
  const t = new Float32Array(x.length);
  for (let c = 0; c < 3; c++) for (let p = 0; p < 900; p++) t[p * 3 + c] = x[c * 900 + p];
  const out = await orig.run({ input: new ortNode.Tensor('float32', t, [1, 30, 30, 3]) });
  return out['Identity:0'].data as Float32Array;
}
const argmax = (a: ArrayLike<number>) => Array.from(a).reduce((b, v, i, all) => (v > all[b] ? i : b), 0);

beforeAll(async () => {
  orig = await ortNode.InferenceSession.create(elsewhere(`${MODEL}.onnx`), { logSeverityLevel: 3 });
  pics = await samples(MODEL);
  await importModel({
    file: elsewhere(`${MODEL}.onnx`),
    name: 'gtsrb',
    labels: parseLabels(elsewhere(`${MODEL}.labels.txt`)),
    layout: 'nhwc',
    scale: '0..1',
    root: tmp,
    log: () => {},
  });
});
afterAll(() => orig?.release());

describe(`${MODEL} imported`, () => {
  it('maps onto a chain: batch norm after ReLU, channels-last flatten folded into the dense weights', () => {
    const meta = loadModel('gtsrb', tmp).meta;
    expect(meta.layers.map((l) => l.kind).join(' ')).toBe(
      'conv2d relu batchnorm conv2d relu batchnorm maxpool conv2d relu batchnorm conv2d relu batchnorm maxpool ' +
        'conv2d relu batchnorm conv2d relu batchnorm maxpool flatten dense relu batchnorm dense relu batchnorm dense',
    );
    expect(meta.input.shape).toEqual([3, 30, 30]);
    expect(meta.preprocessing.protocol).toBe('crop');
    expect(meta.labels).toHaveLength(43);
  });

  it("reproduces the original's recorded outputs on the ten samples (expected.json)", async () => {
    const model = loadModel('gtsrb', tmp);
    let worst = 0;
    for (const s of pics) {
      const { probs } = await forward(model, s.x, 1);
      for (let j = 0; j < 43; j++) worst = Math.max(worst, Math.abs(probs[j] - s.output[j]));
      expect(argmax(probs)).toBe(s.predicted_index);
    }
    expect(worst).toBeLessThan(PARITY_TOLERANCE);
  });

  it('has the input gradient of an independent float64 copy of the original, which agrees with the original file', async () => {
    // Finite differences of the original file itself do not resolve here: a step of 1e-3 on one pixel already
    // flips some of the ~60,000 ReLUs and max-pool windows, and a smaller one drowns in the float32 rounding of
    // logits near 17. So the original's weights, as mapped, run in float64 loop by loop (helpers/reference64.ts),
    // which matches the original file's log-probability margins, and its exact gradient is the reference.
    const model = loadModel('gtsrb', tmp);
    const mapped = mapModel(decodeModel(new Uint8Array(fs.readFileSync(elsewhere(`${MODEL}.onnx`)))), {
      layout: 'nhwc',
    });
    const layers = resolve(mapped.arch);
    for (const s of pics.slice(0, 4)) {
      const x = s.x.map((v) => 0.25 + 0.5 * v); // dimmed towards gray: less saturated than p = 1 - 1e-8
      const { logits, caches } = forward64(layers, mapped.weights, x, 1, 'infer');
      const p = await original(x);
      const order = [...logits.keys()].sort((a, b) => logits[b] - logits[a]);
      const [t, second] = order;
      // The float64 copy is the original network: the same margin, to float32 rounding.
      expect(Math.abs(logits[t] - logits[second] - (Math.log(p[t]) - Math.log(p[second])))).toBeLessThan(1e-3);
      const cot = Float64Array.from({ length: 43 }, (_, j) => (j === t ? 1 : 0) - (j === second ? 1 : 0));
      const ref = backward64(layers, mapped.weights, caches, cot, 1, 'infer').dInput;
      const { grad } = await vjp(model, x, [1, 3, 30, 30], { [logitsLayer(model)]: Float32Array.from(cot) });
      const scale = Math.max(...ref.map(Math.abs));
      const worst = Math.max(...ref.map((v, i) => Math.abs(v - grad[i])));
      expect(scale).toBeGreaterThan(1e-2);
      expect(worst / scale).toBeLessThan(1e-4);
    }
  });

  it("PGD's adversarial picture, re-run on the original file, flips its prediction", async () => {
    const model = loadModel('gtsrb', tmp);
    const s = pics[0];
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
    expect(argmax(await original(s.x))).toBe(s.label_index);
    const after = await original(r.adv);
    expect(argmax(after)).not.toBe(s.label_index);
    expect(r.perturbation.linf).toBeLessThanOrEqual(8 / 255 + 1e-6);
  });
});
