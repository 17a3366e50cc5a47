/**
 * npx tsx tests/bench/ema-bn.ts --dir scratch/models/<name> [--batches 100]
 * Are a weight-averaged model's batch-norm statistics consistent with its weights? The trainer's ema averages the
 * running statistics along with the weights (training/average.ts); this recomputes them for the exported weights,
 * as a cumulative average of the batch statistics over `--batches` batches of 128 un-augmented training images
 * (the training-step graph with learning rate 0: the weights stay as they are), and prints the test accuracy with
 * the stored and the recomputed statistics, and the largest relative change of each layer's statistics.
 */
import fs from 'node:fs';
import path from 'node:path';
import { WEIGHTS_FILE } from '../../model-contract/graphs.js';
import { Rng } from '../../model-contract/random.js';
import { loadData } from '../../training/data/load.js';
import type { Weights } from '../../training/graph/compile.js';
import { readInitializers } from '../../training/onnx/decode.js';
import type { ArchSpec } from '../../training/spec.js';
import { createTrainStep } from '../../training/step.js';
import { accuracy, predict, webEngine } from '../../training/trainer.js';
import { parseCli } from '../../scripts/cli.js';

const { values: a } = parseCli({
  name: 'ema-bn',
  synopsis: '--dir DIR [--batches N]',
  about: "A model folder's test accuracy with its stored batch-norm statistics and with statistics recomputed.",
  flags: {
    dir: { type: 'string', arg: 'DIR', help: 'a model folder (meta.json, model.onnx)' },
    batches: { type: 'int', gt: 0, default: 100, help: 'training batches of 128 for the recomputed statistics' },
  },
});

async function main() {
  if (!a.dir) throw new Error('--dir is required');
  const read = (f: string) => new Uint8Array(fs.readFileSync(path.join(a.dir!, f)));
  const meta = JSON.parse(fs.readFileSync(path.join(a.dir, 'meta.json'), 'utf8'));
  const arch = meta.architecture as ArchSpec;
  const stored = readInitializers(read('model.onnx'), { [WEIGHTS_FILE]: read(WEIGHTS_FILE) });
  const data = loadData('fashion');
  const score = async (w: Weights) => accuracy((await predict(arch, w, data.test)).predictions, data.test.labels);

  const fresh: Weights = Object.fromEntries(Object.entries(stored).map(([k, v]) => [k, v.slice()]));
  // bnMomentum ~0: batch norm's 1/(t+1) rule (layers/batch-norm.ts) then holds throughout, a cumulative average.
  const step = await createTrainStep(
    arch,
    fresh,
    new Rng(1),
    { poolIndices: true, lr: 0, bnMomentum: 1e-12 },
    webEngine(),
  );
  const B = 128,
    size = data.train.shape.reduce((x, v) => x * v, 1),
    k = meta.labels.length;
  const order = new Rng(2).shuffle(Array.from({ length: data.train.n }, (_, i) => i));
  const x = new Float32Array(B * size),
    t = new Float32Array(B * k);
  for (let s = 0; s < a.batches; s++) {
    t.fill(0);
    for (let j = 0; j < B; j++) {
      const idx = order[s * B + j];
      x.set(data.train.images.subarray(idx * size, (idx + 1) * size), j * size);
      t[j * k + data.train.labels[idx]] = 1;
    }
    await step.run(x, t, B, 0);
  }
  await step.release();
  for (const [name, v] of Object.entries(stored))
    if (name.endsWith('.weight') || name.endsWith('.bias'))
      if (!v.every((e, i) => e === fresh[name][i]))
        throw new Error(`${name} changed: the learning rate 0 should keep it`);
  for (const name of Object.keys(stored).filter((n) => /running_(mean|var)$/.test(n))) {
    const rel = Math.max(...Array.from(stored[name], (v, i) => Math.abs(fresh[name][i] - v) / (Math.abs(v) + 1e-3)));
    console.log(`${name}: largest relative change ${rel.toFixed(4)}`);
  }
  console.log(`test accuracy, stored statistics:     ${(100 * (await score(stored))).toFixed(2)}%`);
  console.log(`test accuracy, recomputed (${a.batches} x ${B}): ${(100 * (await score(fresh))).toFixed(2)}%`);
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(`error: ${(e as Error).message}`);
    process.exit(1);
  },
);
