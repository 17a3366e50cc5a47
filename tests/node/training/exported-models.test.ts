/**
 * Every committed model in models/: hashes match meta.json, the official ONNX checker accepts each graph,
 * onnxruntime-web and onnxruntime-node agree on the probabilities, and the input-gradient graphs agree with
 * central finite differences of the inference graph.
 */
import { act, content, grad, gram, SYNTH_KINDS } from '../../../model-contract/graphs.js';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import * as ortNode from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { sessionFromDir, tensor } from '../../../training/engine.js';
import { sha256 } from '../../../training/export.js';
import { REQUIRED_GRAPHS } from '../../../scripts/registry.js';
import { bundledModels } from '../helpers/bundled.js';
import { expectLeanGraphsMatch } from '../helpers/lean-graphs.js';
import {
  checkGradient,
  FD_EPS_DEEP,
  jitter,
  randn,
  sampleIndices,
  switches,
  type BatchObjective,
  type Evaluation,
} from '../helpers/fd.js';

const ROOT = path.resolve('models');
const models = bundledModels();
const PYTHON_ONNX = '/usr/bin/python3'; // Debian's python3-onnx 1.12 (installed by .ci/run)

function samples(dir: string, count: number) {
  const s = JSON.parse(fs.readFileSync(path.join(dir, 'samples.json'), 'utf8'));
  const size = s.shape.reduce((a: number, v: number) => a * v, 1);
  const bytes = Buffer.from(s.pixels, 'base64');
  return {
    x: Float32Array.from(bytes.subarray(0, count * size), (v) => v / 255),
    labels: s.labels.slice(0, count) as number[],
    shape: s.shape as number[],
  };
}

type Outputs = Record<string, { data: Float32Array; dims: readonly number[] }>;
type Session = Awaited<ReturnType<typeof sessionFromDir>>;

/**
 * The finite differences' objective as batched runs of a forward graph: the points (each `rows` images [C,H,W])
 * stacked CHUNK at a time into one input, each point's outputs cut back out of the run's and evaluated alone.
 */
const CHUNK = 10; // two coordinates of five points each: a coordinate's points always share a run
function batched(session: Session, dims: number[], evaluate: (out: Outputs) => Evaluation): BatchObjective {
  const [rows, ...image] = dims;
  return {
    batch: async (points) => {
      const all: Evaluation[] = [];
      for (let s = 0; s < points.length; s += CHUNK) {
        const part = points.slice(s, s + CHUNK),
          size = part[0].length;
        const input = new Float32Array(part.length * size);
        part.forEach((p, j) => input.set(p, j * size));
        const out = await session.run({ input: tensor(input, [part.length * rows, ...image]) });
        part.forEach((_, j) => {
          const own: Outputs = {};
          for (const [name, t] of Object.entries(out)) {
            const per = t.data.length / part.length;
            own[name] = {
              data: (t.data as Float32Array).subarray(j * per, (j + 1) * per),
              dims: [rows, ...t.dims.slice(1)],
            };
          }
          all.push(evaluate(own));
        });
      }
      return all;
    },
  };
}

it('the bundled models exist', () => {
  expect(models).toEqual(expect.arrayContaining(['digits', 'fashion']));
});

describe.each(models)('models/%s', (name) => {
  const dir = path.join(ROOT, name);
  const meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8'));
  const C: number = meta.input.shape[0]; // channels: 1 (gray) or 3 (RGB)
  // The ReLUs and max-pool windows that switch at one input, from a run's act.<layer> outputs.
  const switchesOf = (out: Record<string, { data: unknown; dims: readonly number[] }>) =>
    switches(
      meta.layers,
      Object.fromEntries(
        meta.layers.map((l: { name: string }) => {
          const t = out[act(l.name)];
          return [l.name, t && { data: t.data as Float32Array, dims: t.dims }];
        }),
      ),
    );
  const K: number = meta.labels.length;

  it('sha256 of every file matches meta.json; the graphs share one weights.bin', () => {
    // Every graph file present is hashed in meta.json, and the fixed graphs are there; the number of prefix cuts
    // (conv-grad-<k>, synth-grad-<k>) follows the architecture's synth layers.
    const present = fs.readdirSync(dir).filter((f) => f.endsWith('.onnx') || f === 'weights.bin');
    expect(Object.keys(meta.files).sort()).toEqual(present.sort());
    expect(present).toEqual(expect.arrayContaining([...REQUIRED_GRAPHS.map((g) => `${g}.onnx`), 'weights.bin']));
    const cuts = present.filter((f) => /^conv-grad-\d+\.onnx$/.test(f)).length;
    expect(present.filter((f) => /^synth-grad-\d+\.onnx$/.test(f))).toHaveLength(cuts);
    expect(cuts).toBe(
      meta.layers.filter((l: { kind: string; outShape: number[] }, i: number) => {
        const prefixEnd = meta.layers.findIndex((m: { kind: string }) => m.kind === 'flatten' || m.kind === 'dense');
        return SYNTH_KINDS.includes(l.kind) && l.outShape.length === 3 && (prefixEnd < 0 || i < prefixEnd);
      }).length - 1,
    );
    for (const [file, info] of Object.entries<{ sha256: string }>(meta.files))
      expect(sha256(fs.readFileSync(path.join(dir, file))), file).toBe(info.sha256);
  });

  it('passes the official ONNX checker (full check, IR 8, opset 17)', () => {
    const script = `import onnx, sys
for p in sys.argv[1:]:
    m = onnx.load(p)
    onnx.checker.check_model(m, full_check=True)
    assert m.ir_version == 8 and m.opset_import[0].version == 17, (m.ir_version, m.opset_import)
print('ok', onnx.__version__)`;
    const files = Object.keys(meta.files)
      .filter((f) => f.endsWith('.onnx'))
      .map((f) => path.join(dir, f));
    expect(execFileSync(PYTHON_ONNX, ['-c', script, ...files], { encoding: 'utf8' })).toMatch(/^ok 1\./);
  });

  it('onnxruntime-web and onnxruntime-node give the same probabilities (max abs diff < 1e-5) and the recorded accuracy holds', async () => {
    const { x, labels, shape } = samples(dir, 100);
    const web = await sessionFromDir(dir, 'model.onnx');
    // From its path, so onnxruntime-node finds weights.bin beside the model.
    const native = await ortNode.InferenceSession.create(path.join(dir, 'model.onnx'), { logSeverityLevel: 3 });
    const a = (await web.run({ input: tensor(x, [100, ...shape]) })).probs.data as Float32Array;
    const b = (await native.run({ input: new ortNode.Tensor('float32', x, [100, ...shape]) })).probs
      .data as Float32Array;
    let diff = 0,
      correct = 0;
    for (let i = 0; i < a.length; i++) diff = Math.max(diff, Math.abs(a[i] - b[i]));
    for (let i = 0; i < 100; i++)
      correct +=
        labels[i] === [...a.subarray(i * K, i * K + K)].indexOf(Math.max(...a.subarray(i * K, i * K + K))) ? 1 : 0;
    expect(diff).toBeLessThan(1e-5);
    expect(correct / 100).toBeGreaterThanOrEqual(meta.metrics.testAccuracy - 0.05);
    // The classification graph (no activation outputs, layers fused by onnxruntime) gives the same answer.
    const lean = await sessionFromDir(dir, 'classify.onnx');
    expect(lean.outputNames).toEqual(['logits', 'probs']);
    const c = (await lean.run({ input: tensor(x, [100, ...shape]) })).probs.data as Float32Array;
    let leanDiff = 0;
    for (let i = 0; i < a.length; i++) leanDiff = Math.max(leanDiff, Math.abs(a[i] - c[i]));
    expect(leanDiff).toBeLessThan(1e-5);
    await web.release();
    await lean.release();
  });

  it('input-grad.onnx gives the gradient of logits and hidden activations that finite differences of model.onnx give', async () => {
    const { x: digit, shape } = samples(dir, 1);
    const x = jitter(digit, 17); // a generic point near the image, where the derivative exists
    const inf = await sessionFromDir(dir, 'model.onnx');
    const gradSession = await sessionFromDir(dir, 'input-grad.onnx');
    const layers: { name: string; kind: string; outShape: number[] }[] = meta.layers;
    const hidden = layers.find((l) => SYNTH_KINDS.includes(l.kind))!; // the first feature maps after a nonlinearity
    const last = layers.at(-1)!;
    const cots: Record<string, Float32Array> = {
      [last.name]: randn(last.outShape[0], 11),
      [hidden.name]: randn(
        hidden.outShape.reduce((a, v) => a * v, 1),
        12,
        0.1,
      ),
    };
    const feeds: Record<string, ReturnType<typeof tensor>> = { input: tensor(x, [1, ...shape]) };
    for (const l of layers)
      feeds[grad(l.name)] = cots[l.name]
        ? tensor(cots[l.name], [1, ...l.outShape])
        : tensor(new Float32Array(1), l.outShape.map(() => 1).concat(1));
    const analytic = (await gradSession.run(feeds)).grad_input.data as Float32Array;
    const objective = batched(inf, [1, ...shape], (out) => {
      let s = 0;
      for (const [n, c] of Object.entries(cots)) {
        const a = out[act(n)].data;
        for (let i = 0; i < c.length; i++) s += a[i] * c[i];
      }
      return { value: s, switches: switchesOf(out) };
    });
    // Sample where the image has ink or its edge, where gradients are non-trivial, plus random pixels.
    const ink = [...x.keys()].filter((i) => digit[i] > 0.1);
    const idx = [
      ...new Set([...sampleIndices(ink.length, 32, 5).map((i) => ink[i]), ...sampleIndices(x.length, 8, 9)]),
    ];
    const r = await checkGradient(x, analytic, objective, idx, FD_EPS_DEEP);
    expect(r.mismatches).toEqual([]);
    // A cotangent on relu1 (12,544 units, each a kink within reach of a pixel) skips more coordinates than the
    // logits alone would; at least 16 smooth ones must be compared.
    expect(r.checked - r.kinks).toBeGreaterThanOrEqual(16);
    expect(Math.max(...analytic.map(Math.abs))).toBeGreaterThan(1e-3);
  });

  it('logit-grad.onnx, cam-grad.onnx and margin-grad.onnx give what input-grad.onnx gives for the same cotangent on the logits (within 1e-5), with no other cotangent input', async () => {
    const { x, shape } = samples(dir, 3);
    await expectLeanGraphsMatch(dir, meta.layers, jitter(x, 29), [3, ...shape], 41);
  });

  it('loss-grad.onnx gives the per-image cross-entropy and its input gradient that finite differences of model.onnx give', async () => {
    const { x: digits, shape, labels } = samples(dir, 2);
    const size = shape.reduce((a, v) => a * v, 1);
    const x = jitter(digits, 23);
    const k = meta.labels.length;
    // Image 0 against its own label (a one-hot), image 1 against a soft target spread over two other classes.
    const t = new Float32Array(2 * k);
    t[labels[0]] = 1;
    t[k + ((labels[1] + 1) % k)] = 0.7;
    t[k + ((labels[1] + 2) % k)] = 0.3;
    const lg = await sessionFromDir(dir, 'loss-grad.onnx');
    const inf = await sessionFromDir(dir, 'model.onnx');
    const out = await lg.run({ input: tensor(x, [2, ...shape]), targets: tensor(t, [2, k]) });
    const ce = (p: Float32Array) =>
      [0, 1].map(
        (i) => -t.subarray(i * k, (i + 1) * k).reduce((s, ti, c) => s + (ti ? ti * Math.log(p[i * k + c]) : 0), 0),
      );
    const loss = out.loss.data as Float32Array;
    const ref = ce((await inf.run({ input: tensor(x, [2, ...shape]) })).probs.data as Float32Array);
    expect(loss[0]).toBeCloseTo(ref[0], 4);
    expect(loss[1]).toBeCloseTo(ref[1], 4);
    // The objective is the sum over the batch: each image's gradient is its own loss's (no 1/N).
    const analytic = out.grad_input.data as Float32Array;
    const ink = [...x.keys()].filter((i) => digits[i] > 0.1);
    const idx = [
      ...new Set([
        ...sampleIndices(ink.length, 24, 5).map((i) => ink[i]),
        ...sampleIndices(size, 4, 9),
        ...sampleIndices(size, 4, 10).map((i) => size + i),
      ]),
    ];
    const objective = batched(inf, [2, ...shape], (out) => ({
      value: ce(out.probs.data).reduce((a, v) => a + v, 0),
      switches: switchesOf(out),
    }));
    const r = await checkGradient(x, analytic, objective, idx, FD_EPS_DEEP);
    expect(r.mismatches).toEqual([]);
    expect(r.checked - r.kinks).toBeGreaterThanOrEqual(16);
    expect(Math.max(...analytic.map(Math.abs))).toBeGreaterThan(1e-3);
  });

  it('synth-grad.onnx gives the content, style (Gram) and dream losses, and their input gradient, that conv-model.onnx and finite differences give', async () => {
    const H = 36,
      W = 40;
    const x = randn(C * H * W, 31).map((v) => 0.5 + 0.2 * v);
    const conv = await sessionFromDir(dir, 'conv-model.onnx');
    const synth = await sessionFromDir(dir, 'synth-grad.onnx');
    const names = synth.inputNames.filter((n) => n.startsWith('gram.')).map((n) => n.slice('gram.'.length));
    expect(names.length).toBeGreaterThan(0);
    const run = async (img: Float32Array) => (await conv.run({ input: tensor(img, [1, C, H, W]) })) as Outputs;
    const acts = (out: Outputs) => names.map((l) => out[act(l)]);
    const gramOf = (f: Float32Array, C: number) => {
      const M = f.length / C,
        g = new Float64Array(C * C);
      for (let a = 0; a < C; a++)
        for (let b = 0; b < C; b++) {
          let s = 0;
          for (let p = 0; p < M; p++) s += f[a * M + p] * f[b * M + p];
          g[a * C + b] = s / M;
        }
      return g;
    };
    // Targets: the maps and Gram matrices of another image; every weight non-zero.
    const other = acts(await run(randn(C * H * W, 32).map((v) => 0.5 + 0.2 * v)));
    const P = other.map((t) => t.data);
    const A = other.map((t) => Float32Array.from(gramOf(t.data, t.dims[1])));
    const w = Float32Array.from(names.flatMap((_, j) => [0.5 + j, 2 + j, 0.3 * (j + 1)]));
    const lossesOf = (out: Outputs) =>
      acts(out).map((t, j) => {
        const f = t.data,
          C = t.dims[1],
          n = f.length,
          g = gramOf(f, C);
        let content = 0,
          style = 0,
          dream = 0;
        for (let i = 0; i < n; i++) {
          content += (f[i] - P[j][i]) ** 2 / n;
          dream += f[i] ** 2 / (2 * n);
        }
        for (let i = 0; i < C * C; i++) style += (g[i] - A[j][i]) ** 2 / (C * C);
        return [content, style, dream];
      });
    const feeds: Record<string, ReturnType<typeof tensor>> = {
      input: tensor(x, [1, C, H, W]),
      weights: tensor(w, [names.length, 3]),
    };
    other.forEach((t, j) => {
      feeds[content(names[j])] = tensor(P[j], t.dims);
      feeds[gram(names[j])] = tensor(A[j], [t.dims[1], t.dims[1]]);
    });
    const out = await synth.run(feeds);
    const ref = lossesOf(await run(x));
    const got = out.losses.data as Float32Array;
    ref.flat().forEach((v, i) => expect(Math.abs(got[i] - v)).toBeLessThanOrEqual(1e-4 * Math.abs(v) + 1e-7));
    const objective = batched(conv, [1, C, H, W], (out) => ({
      value: lossesOf(out)
        .flat()
        .reduce((s, v, i) => s + w[i] * v, 0),
      switches: switchesOf(out),
    }));
    const analytic = out.grad_input.data as Float32Array;
    const r = await checkGradient(x, analytic, objective, sampleIndices(x.length, 16, 33), FD_EPS_DEEP);
    expect(r.mismatches).toEqual([]);
    expect(r.checked - r.kinks).toBeGreaterThanOrEqual(8);
    expect(Math.max(...analytic.map(Math.abs))).toBeGreaterThan(1e-4);
  });

  it('synth-grad-<k>.onnx gives what synth-grad.onnx gives with every layer above the k-th weighted 0', async () => {
    const H = 30,
      W = 34;
    const x = randn(C * H * W, 41).map((v) => 0.5 + 0.2 * v);
    const full = await sessionFromDir(dir, 'synth-grad.onnx');
    const names = full.inputNames.filter((n) => n.startsWith('gram.')).map((n) => n.slice('gram.'.length));
    const conv = await sessionFromDir(dir, 'conv-model.onnx');
    const maps = await conv.run(
      {
        input: tensor(
          randn(C * H * W, 42).map((v) => 0.5 + 0.2 * v),
          [1, C, H, W],
        ),
      },
      names.map((l) => act(l)),
    );
    const feedsFor = (k: number, w: Float32Array) => {
      const f: Record<string, ReturnType<typeof tensor>> = {
        input: tensor(x, [1, C, H, W]),
        weights: tensor(w.subarray(0, 3 * k), [k, 3]),
      };
      names.slice(0, k).forEach((l) => {
        const t = maps[act(l)];
        f[content(l)] = t;
        f[gram(l)] = tensor(new Float32Array(t.dims[1] ** 2).fill(0.01), [t.dims[1], t.dims[1]]);
      });
      return f;
    };
    for (let k = 1; k < names.length; k++) {
      const w = Float32Array.from(names.flatMap((_, j) => (j < k ? [1 + j, 2, 0.5] : [0, 0, 0])));
      const ref = await full.run(feedsFor(names.length, w));
      const cut = await (await sessionFromDir(dir, `synth-grad-${k}.onnx`)).run(feedsFor(k, w));
      expect(cut.losses.dims).toEqual([k, 3]);
      Array.from(cut.losses.data as Float32Array).forEach((v, i) =>
        expect(v).toBeCloseTo((ref.losses.data as Float32Array)[i], 6),
      );
      const a = cut.grad_input.data as Float32Array,
        b = ref.grad_input.data as Float32Array;
      let worst = 0;
      for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
      expect(worst).toBeLessThan(1e-6 * Math.max(...b.map(Math.abs)) + 1e-9);
    }
  });

  it('conv-grad-<k>.onnx gives the input gradient conv-grad.onnx gives for cotangents at or below its cut', async () => {
    const H = 30,
      W = 34;
    const x = randn(C * H * W, 51).map((v) => 0.5 + 0.2 * v);
    const full = await sessionFromDir(dir, 'conv-grad.onnx');
    const zeros = (s: { inputNames: readonly string[] }) =>
      Object.fromEntries(s.inputNames.slice(1).map((n) => [n, tensor(new Float32Array(1), [1, 1, 1, 1])]));
    for (let k = 1; fs.existsSync(path.join(dir, `conv-grad-${k}.onnx`)); k++) {
      const cut = await sessionFromDir(dir, `conv-grad-${k}.onnx`);
      const layers = cut.inputNames.slice(1).map((n) => n.slice('grad.'.length));
      expect(layers.length).toBeLessThan(full.inputNames.length - 1);
      const first = await cut.run({ input: tensor(x, [1, C, H, W]), ...zeros(cut) });
      // Cotangents on the cut's top layer and on its first layer.
      const cots = Object.fromEntries(
        [layers[0], layers.at(-1)!].map((l, j) => [
          grad(l),
          tensor(randn(first[act(l)].data.length, 52 + j), first[act(l)].dims),
        ]),
      );
      const a = (await cut.run({ input: tensor(x, [1, C, H, W]), ...zeros(cut), ...cots })).grad_input
        .data as Float32Array;
      const b = (await full.run({ input: tensor(x, [1, C, H, W]), ...zeros(full), ...cots })).grad_input
        .data as Float32Array;
      let worst = 0;
      for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
      expect(worst).toBeLessThan(1e-6 * Math.max(...b.map(Math.abs)) + 1e-9);
    }
  });

  it('conv-grad.onnx runs on an image larger than the model input and agrees with finite differences of conv-model.onnx', async () => {
    const s = await sessionFromDir(dir, 'conv-grad.onnx');
    // The differences run the forward graph alone (the same act.<layer> outputs, a fraction of the work).
    const fwd = await sessionFromDir(dir, 'conv-model.onnx');
    const H = 44,
      W = 60;
    const x = randn(C * H * W, 21).map((v) => 0.5 + 0.2 * v); // no clipping: clipped plateaus tie in max-pool
    const zero = () => tensor(new Float32Array(1), [1, 1, 1, 1].slice(0, 4));
    const feeds: Record<string, ReturnType<typeof tensor>> = { input: tensor(x, [1, C, H, W]) };
    for (const n of s.inputNames.slice(1)) feeds[n] = zero();
    const first = await s.run(feeds);
    // The deepest layer whose maps grow with the image (a global average pool's stay 1x1).
    const target = s.inputNames
      .slice(1)
      .map((n) => n.slice('grad.'.length))
      .filter((l) => first[act(l)].dims[2] > 1)
      .at(-1)!;
    const a0 = first[act(target)];
    expect(a0.dims.slice(2)).not.toEqual(
      meta.layers.find((l: { name: string }) => l.name === target).outShape.slice(1),
    );
    const cot = randn(a0.data.length, 22);
    feeds[grad(target)] = tensor(cot, a0.dims);
    const analytic = (await s.run(feeds)).grad_input.data as Float32Array;
    const objective = batched(fwd, [1, C, H, W], (out) => {
      const a = out[act(target)].data;
      let t = 0;
      for (let i = 0; i < a.length; i++) t += a[i] * cot[i];
      return { value: t, switches: switchesOf(out) };
    });
    // A noise image puts many units of a deep stack near 0: sample 32 pixels, compare at least 12 kink-free ones.
    const r = await checkGradient(x, analytic, objective, sampleIndices(x.length, 32, 3), FD_EPS_DEEP);
    expect(r.mismatches).toEqual([]);
    expect(r.checked - r.kinks).toBeGreaterThanOrEqual(12);
  });
});
