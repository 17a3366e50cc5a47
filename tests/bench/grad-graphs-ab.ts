/**
 * npm run bench:grad-graphs — the lean gradient graphs against input-grad.onnx, A/B in one run: onnxruntime-web
 * (wasm, one thread, as a Worker runs it) on the bundled digits and shapes and on the MobileNetV2-shaped model of
 * bench:imported (imported into a temporary folder), each graph fed as the edge feeds it (functions/core/gradient.ts):
 *   input-grad -> grad_input     a logits cotangent, zeros for every other layer's (what vjp ran before logit-grad)
 *   logit-grad -> grad_input     the logits cotangent alone
 *   input-grad -> CAM maps       grad_input, act.<cam>, grad_act.<cam> (what Grad-CAM ran before cam-grad)
 *   cam-grad   -> CAM maps       act.<cam>, grad_act.<cam>
 *   classify                     a forward pass, for scale
 * Rounds interleave the graphs; medians and ratios against input-grad's, with the load average.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-web';
import { act, camLayer, grad, gradAct, IO } from '../../model-contract/graphs.js';
import type { ModelMeta } from '../../model-contract/meta.js';
import { zeroCotangent } from '../../functions/core/model.js';
import { parseCli } from '../../scripts/cli.js';
import { importMobilenet } from './mobilenet.js';
import { median } from './worker.js';

const { values } = parseCli({
  name: 'bench:grad-graphs',
  synopsis: '',
  about:
    'A/B of logit-grad.onnx and cam-grad.onnx against input-grad.onnx (onnxruntime-web, one thread) on digits,\nshapes and an imported MobileNetV2 (224x224x3, 1,000 classes).',
  flags: {
    repeat: { type: 'int', default: 15, help: 'timed rounds (after 2 warm-up ones)' },
    rows: { type: 'int', default: 32, help: 'batch rows for the small models (C&W and DeepFool run many rows)' },
    'skip-mobilenet': { type: 'boolean', help: 'leave out the imported MobileNetV2' },
  },
});

type Feeds = Record<string, ort.Tensor>;
const t = (data: Float32Array, dims: number[]) => new ort.Tensor('float32', data, dims);

async function sessionOf(dir: string, graph: string) {
  return ort.InferenceSession.create(new Uint8Array(fs.readFileSync(path.join(dir, `${graph}.onnx`))), {
    executionProviders: ['wasm'],
    graphOptimizationLevel: 'all',
    externalData: [{ path: 'weights.bin', data: new Uint8Array(fs.readFileSync(path.join(dir, 'weights.bin'))) }],
  });
}

async function bench(label: string, dir: string, n: number) {
  const meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8')) as ModelMeta;
  const size = meta.input.shape.reduce((a, v) => a * v, 1);
  const K = meta.labels.length;
  const logits = meta.layers.at(-1)!.name,
    cam = camLayer(meta.layers)!.name;
  const x = t(
    Float32Array.from({ length: n * size }, (_, i) => ((i * 7919) % 997) / 997),
    [n, ...meta.input.shape],
  );
  const cot = t(
    Float32Array.from({ length: n * K }, (_, i) => (i % K === 3 ? 1 : 0)),
    [n, K],
  );
  const full: Feeds = { [IO.input]: x };
  for (const l of meta.layers) {
    const z = zeroCotangent(meta, grad(l.name), n);
    full[grad(l.name)] = l.name === logits ? cot : t(z.data, z.dims);
  }
  const lean: Feeds = { [IO.input]: x, [grad(logits)]: cot };
  // cam-grad also takes the predicted class's weight (0: the cotangent as given, as input-grad gets it).
  const camFeeds: Feeds = { ...lean, [IO.predicted]: t(new Float32Array(n), [n, 1]) };
  const [inputGrad, logitGrad, camGrad, classify] = await Promise.all(
    ['input-grad', 'logit-grad', 'cam-grad', 'classify'].map((g) => sessionOf(dir, g)),
  );
  const cases: [string, () => Promise<unknown>][] = [
    ['input-grad -> grad_input', () => inputGrad.run(full, [IO.gradInput])],
    ['logit-grad -> grad_input', () => logitGrad.run(lean, [IO.gradInput])],
    ['input-grad -> CAM maps', () => inputGrad.run(full, [IO.gradInput, act(cam), gradAct(cam)])],
    ['cam-grad -> CAM maps', () => camGrad.run(camFeeds, [act(cam), gradAct(cam)])],
    ['classify', () => classify.run({ [IO.input]: x }, [IO.probs])],
  ];
  const times = cases.map((): number[] => []);
  for (let r = 0; r < values.repeat + 2; r++)
    for (const [i, [, run]] of cases.entries()) {
      const t0 = performance.now();
      await run();
      if (r >= 2) times[i].push(performance.now() - t0);
    }
  const ref = [median(times[0]), median(times[0]), median(times[2]), median(times[2]), median(times[0])];
  console.log(`\n${label} (${n} row${n > 1 ? 's' : ''}, CAM layer ${cam}), median of ${values.repeat}:`);
  cases.forEach(([name], i) => {
    const m = median(times[i]);
    console.log(`  ${name.padEnd(26)} ${m.toFixed(2).padStart(9)} ms  x${(m / ref[i]).toFixed(2)}`);
  });
  await Promise.all([inputGrad, logitGrad, camGrad, classify].map((s) => s.release()));
}

async function main() {
  ort.env.wasm.numThreads = 1;
  ort.env.logLevel = 'error';
  const load = () =>
    os
      .loadavg()
      .map((v) => v.toFixed(2))
      .join(' ');
  console.log(`bench:grad-graphs — onnxruntime-web wasm, 1 thread; load ${load()} (${os.cpus().length} cores)`);
  console.log(
    '  (ratios: each graph against input-grad fed and fetched for the same answer; classify against input-grad)',
  );
  for (const m of ['digits', 'shapes']) {
    await bench(m, path.join('models', m), 1);
    await bench(m, path.join('models', m), values.rows);
  }
  if (!values['skip-mobilenet']) {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'grad-graphs-'));
    try {
      await bench('MobileNetV2 224x224 (imported)', await importMobilenet(tmp, tmp, 'm'), 1);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }
  console.log(`\nload at the end ${load()}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
