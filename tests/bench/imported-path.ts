/**
 * npm run bench:imported-path — where the milliseconds of a classify request to the MobileNetV2-shaped model of
 * bench:imported (224x224x3, 1,000 classes, random weights, protocol crop) go, in Node with the Worker's own core
 * functions and engine (onnxruntime-web, wasm, one thread): per-stage medians of decoding the photo bench:imported
 * posts (its EXIF orientation included), the crop protocol's tensor, session.run, top-k and the answer's JSON, as
 * this process's CPU time (what the other jobs of a shared machine take is left out). Node is not workerd: read the
 * figures as shares.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { classify } from '../../functions/core/classify.js';
import { fromBytes } from '../../functions/core/input.js';
import { modelSide, prepare } from '../../functions/core/model-input.js';
import { IO } from '../../model-contract/graphs.js';
import { parseCli } from '../../scripts/cli.js';
import { configure } from '../../training/engine.js';
import { loadModel } from '../node/helpers/models.js';
import { importMobilenet } from './mobilenet.js';
import { median } from './worker.js';

const { values: args } = parseCli({
  name: 'bench:imported-path',
  synopsis: '[--rounds 21]',
  about: "Per-stage medians of a classify request's work on the imported MobileNetV2-shaped model, in Node.",
  flags: { rounds: { type: 'int', gt: 0, default: 21, help: 'runs (median)' } },
});

/** This process's CPU time in ms (getrusage: exact, unlike /proc's schedstat, which advances by scheduler ticks). */
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

const PHOTO = 'tests/fixtures/images/photo-sneaker-exif.jpg';

async function main() {
  configure(1); // a Worker has one thread
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'imported-path-'));
  try {
    await importMobilenet(tmp, tmp, 'mnv2');
    const model = loadModel('mnv2', tmp);
    const bytes = new Uint8Array(fs.readFileSync(PHOTO));
    const opts = { preprocess: 'auto' as const };
    const side = modelSide(model, 'auto');
    const times = new Map<string, number[]>();
    const add = (k: string, ms: number) => (times.get(k) ?? times.set(k, []).get(k)!).push(ms);
    for (let r = 0; r < args.rounds + 3; r++) {
      const keep = r >= 3; // the first runs warm the JIT and the session
      const t0 = cpu();
      const source = await fromBytes(bytes, undefined, side);
      const t1 = cpu();
      const pre = prepare(model, source, opts);
      const t2 = cpu();
      const dims = [1, ...model.meta.input.shape];
      const out = await model.runner.run('classify', { [IO.input]: { data: pre.input, dims } }, [IO.probs, IO.logits]);
      const t3 = cpu();
      const whole = await classify(model, async () => source, { ...opts, topK: 5 });
      const t4 = cpu();
      const json = JSON.stringify(whole);
      const t5 = cpu();
      if (!out[IO.probs] || json.length === 0) throw new Error('no answer');
      if (!keep) continue;
      add(`decode ${source.width}x${source.height} JPEG at side ${side} (with its EXIF turn)`, t1 - t0);
      add('crop protocol: the input tensor', t2 - t1);
      add('session.run (probs, logits)', t3 - t2);
      add('classify() of the decoded source (all but decode)', t4 - t3);
      add('answer JSON', t5 - t4);
    }
    console.log(`bench:imported-path — medians of ${args.rounds} runs (load ${os.loadavg()[0].toFixed(2)}):`);
    for (const [k, v] of times) console.log(`  ${k.padEnd(62)} ${median(v).toFixed(2).padStart(8)} ms`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
