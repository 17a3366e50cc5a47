/**
 * npm run bench:photo-path — where a classify request's milliseconds go, in Node with the Worker's own core
 * functions (functions/core) and engine (onnxruntime-web, wasm): per-step medians of decode, each preprocessing
 * step (preprocess's `mark` hook), the tensor and session.run (classifyInput), and the answer's JSON, for the
 * fixtures bench:edge posts (28x28 and 280x280 PNG, 280x280 JPEG, a photo-like JPEG) and for 12 MP phone JPEGs
 * (baseline and progressive; decode only). Node is not workerd: read the figures as shares and ratios.
 * `--rounds` sets the runs per case (medians); the whole bench stays under a minute on a shared 2-core machine.
 */
import fs from 'node:fs';
import { classifyInput } from '../../functions/core/classify.js';
import { decodeImage } from '../../functions/core/image/decode.js';
import { DEFAULT_LIMITS } from '../../functions/core/image/types.js';
import { preprocess, workingSide } from '../../functions/core/preprocess.js';
import { parseCli } from '../../scripts/cli.js';
import { loadModel } from '../node/helpers/models.js';
import { phonePhoto } from './phone-photo.js';
import { median } from './worker.js';

const { values: args } = parseCli({
  name: 'bench:photo-path',
  synopsis: '[--rounds 31] [--big-rounds 5]',
  about: "Per-step medians of a classify request's work in Node (decode, preprocessing steps, session.run, JSON).",
  flags: {
    rounds: { type: 'int', gt: 0, default: 31, help: 'runs per small image (median)' },
    'big-rounds': { type: 'int', min: 0, default: 5, help: 'decodes per 12 MP JPEG (median); 0 skips them' },
  },
});

const us = (ms: number) => `${(ms * 1000).toFixed(0).padStart(6)} us`;

async function smallCases() {
  const model = loadModel('digits');
  const shape = model.meta.input.shape;
  const protocol = model.meta.preprocessing.protocol;
  const side = workingSide(shape, protocol);
  const files: [string, string][] = [
    ['28x28 PNG', 'digit-7-28.png'],
    ['280x280 PNG', 'digit-7-280.png'],
    ['280x280 JPEG', 'digit-7-280.jpg'],
    ['photo-like JPEG', 'photo-4-combined.jpg'],
  ];
  console.log(`digits (${protocol}, working side ${side}); per-step medians of ${args.rounds} runs:`);
  for (const [label, file] of files) {
    const bytes = new Uint8Array(fs.readFileSync(`tests/fixtures/images/${file}`));
    const times = new Map<string, number[]>();
    const add = (k: string, ms: number) => (times.get(k) ?? times.set(k, []).get(k)!).push(ms);
    for (let r = 0; r < args.rounds + 3; r++) {
      const keep = r >= 3; // the first runs warm the JIT and the session
      const t0 = performance.now();
      const d = await decodeImage(bytes, DEFAULT_LIMITS, side);
      const t1 = performance.now();
      let last = t1;
      const pre = preprocess(d.raster, shape, protocol, {
        mark: (step) => {
          const now = performance.now();
          if (keep) add(`  ${step}`, now - last);
          last = now;
        },
      });
      const t2 = performance.now();
      const { predictions } = await classifyInput(model, pre.input, 3);
      const t3 = performance.now();
      const json = JSON.stringify({ predictions, preprocessing: { steps: pre.steps } });
      const t4 = performance.now();
      if (json.length === 0) throw new Error('empty answer');
      if (!keep) continue;
      add('decode', t1 - t0);
      add('preprocess', t2 - t1);
      add('classify (tensor, session.run, top-k)', t3 - t2);
      add('answer JSON', t4 - t3);
      add('total', t4 - t0);
    }
    console.log(`\n${label} (${file}):`);
    for (const [k, v] of times) console.log(`  ${k.padEnd(44)} ${us(median(v))}  max ${us(Math.max(...v))}`);
  }
}

async function bigCases() {
  if (args['big-rounds'] === 0) return;
  const photo = await phonePhoto();
  console.log(`\n4000x3000 JPEG (q90, 4:2:0, sensor noise) decoded for digits; medians of ${args['big-rounds']}:`);
  for (const progressive of [false, true]) {
    const bytes = await photo.jpeg(progressive);
    for (const side of [224, 56, 1024]) {
      const t: number[] = [];
      let out = '';
      for (let r = 0; r < args['big-rounds'] + 1; r++) {
        const t0 = performance.now();
        const d = await decodeImage(bytes, DEFAULT_LIMITS, side);
        if (r > 0) t.push(performance.now() - t0);
        out = `${d.raster.width}x${d.raster.height}`;
      }
      console.log(
        `  ${progressive ? 'progressive' : 'baseline   '} ${(bytes.length / 2 ** 20).toFixed(1)} MiB, side ${String(side).padStart(4)} -> ${out.padEnd(9)} ${median(t).toFixed(1).padStart(7)} ms`,
      );
    }
  }
}

async function main() {
  await smallCases();
  await bigCases();
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
