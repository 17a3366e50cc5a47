/**
 * npm run bench:grad-graphs — the lean gradient graphs against input-grad.onnx, A/B in one run: onnxruntime-web
 * (wasm, one thread, as a Worker runs it) on the bundled digits and shapes and on the MobileNetV2-shaped model of
 * bench:imported (imported into a temporary folder), each graph fed as the edge feeds it (functions/core/gradient.ts):
 *   input-grad -> grad_input     a logits cotangent, zeros for every other layer's (what vjp ran before logit-grad)
 *   logit-grad -> grad_input     the logits cotangent alone
 *   input-grad -> CAM maps       grad_input, act.<cam>, grad_act.<cam> (what Grad-CAM ran before cam-grad)
 *   cam-grad   -> CAM maps       act.<cam>, grad_act.<cam>
 *   classify                     a forward pass, for scale
 *   loss-grad  -> grad_input     the cross-entropy gradient (FGSM, PGD), for scale
 * With --baseline DIR (model folders as an earlier commit wrote them: `git archive REV models | tar -x -C DIR
 * --strip-components=1`), that folder's logit-grad and loss-grad run interleaved too, as rows of their own: a
 * before/after A/B in one run.
 * Rounds interleave the graphs; medians and ratios against input-grad's (the baseline rows: against the same
 * graph's baseline), with the load average. Each run's process CPU time is printed beside its wall time: the
 * single-threaded run's own work, which waiting for a core on a loaded machine does not inflate.
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
    baseline: {
      type: 'string',
      arg: 'DIR',
      help: 'a folder of earlier model folders (digits, shapes): their logit-grad and loss-grad A/B against these',
    },
  },
});

type Feeds = Record<string, ort.Tensor>;
const t = (data: Float32Array, dims: number[]) => new ort.Tensor('float32', data, dims);

async function sessionOf(dir: string, graph: string) {
  if (!fs.existsSync(path.join(dir, `${graph}.onnx`))) throw new Error(`no ${graph}.onnx in ${dir}`);
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
  const lossFeeds: Feeds = { [IO.input]: x, [IO.targets]: cot };
  const graphs = ['input-grad', 'logit-grad', 'cam-grad', 'classify', 'loss-grad'];
  const [inputGrad, logitGrad, camGrad, classify, lossGrad] = await Promise.all(graphs.map((g) => sessionOf(dir, g)));
  // [name, run, index of the row its ratio is against]
  const cases: [string, () => Promise<unknown>, number][] = [
    ['input-grad -> grad_input', () => inputGrad.run(full, [IO.gradInput]), 0],
    ['logit-grad -> grad_input', () => logitGrad.run(lean, [IO.gradInput]), 0],
    ['input-grad -> CAM maps', () => inputGrad.run(full, [IO.gradInput, act(cam), gradAct(cam)]), 2],
    ['cam-grad -> CAM maps', () => camGrad.run(camFeeds, [act(cam), gradAct(cam)]), 2],
    ['classify', () => classify.run({ [IO.input]: x }, [IO.probs]), 0],
    ['loss-grad -> grad_input', () => lossGrad.run(lossFeeds, [IO.gradInput]), 0],
  ];
  const sessions = [inputGrad, logitGrad, camGrad, classify, lossGrad];
  // A folder the baseline lacks (the imported MobileNetV2) runs without baseline rows.
  const base = values.baseline && path.join(values.baseline, path.basename(dir));
  if (base && !fs.existsSync(base)) console.log(`\n(no ${base}: ${label} without baseline rows)`);
  if (base && fs.existsSync(base)) {
    const [logitBase, lossBase] = await Promise.all(['logit-grad', 'loss-grad'].map((g) => sessionOf(base, g)));
    sessions.push(logitBase, lossBase);
    cases.push(
      ['logit-grad (baseline)', () => logitBase.run(lean, [IO.gradInput]), 6],
      ['loss-grad (baseline)', () => lossBase.run(lossFeeds, [IO.gradInput]), 7],
    );
    // Each graph's ratio against its baseline.
    cases[1][2] = 6;
    cases[5][2] = 7;
  }
  const wall = cases.map((): number[] => []),
    cpu = cases.map((): number[] => []);
  for (let r = 0; r < values.repeat + 2; r++)
    for (const [i, [, run]] of cases.entries()) {
      const [t0, c0] = [performance.now(), process.cpuUsage()];
      await run();
      const c = process.cpuUsage(c0);
      if (r >= 2) {
        wall[i].push(performance.now() - t0);
        cpu[i].push((c.user + c.system) / 1000);
      }
    }
  console.log(
    `\n${label} (${n} row${n > 1 ? 's' : ''}, CAM layer ${cam}), median of ${values.repeat}: wall ms, process CPU ms`,
  );
  cases.forEach(([name, , against], i) => {
    const [w, c] = [median(wall[i]), median(cpu[i])];
    const ratio = (t: number[][], m: number) => `x${(m / median(t[against])).toFixed(2)}`;
    console.log(
      `  ${name.padEnd(26)} ${w.toFixed(2).padStart(9)} ms ${ratio(wall, w).padEnd(6)} ${c.toFixed(2).padStart(9)} ms cpu ${ratio(cpu, c)}`,
    );
  });
  await Promise.all(sessions.map((s) => s.release()));
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
