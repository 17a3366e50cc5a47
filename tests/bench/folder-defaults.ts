/**
 * npx tsx tests/bench/folder-defaults.ts --data DIR[,DIR...] --variants 'label:flags|label:@ROOT flags|...'
 * The image-folder defaults A/B: for each folder, each variant trains `npm run train -- --data DIR` (with its extra
 * flags; `@ROOT` runs another checkout's trainer, e.g. an unpacked earlier commit) one after the other, then scores
 * the model on its held-out test pictures the way the API does: each file's bytes through the edge's decoder
 * (functions/core/image/decode.ts, at the protocol's working side) and preprocess() (functions/core/preprocess.ts),
 * then model.onnx. Prints a table: folder, variant, the trainer's test accuracy, the API-path accuracy, the
 * command's wall time, and the load (uptime). Folders are made by tests/bench/make-folders.ts.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeImage } from '../../functions/core/image/decode.js';
import { DEFAULT_LIMITS } from '../../functions/core/image/types.js';
import { preprocess, workingSide, type Protocol } from '../../functions/core/preprocess.js';
import { loadImageFolder, type Fit } from '../../training/data/image-folder.js';
import { sessionFromDir, tensor } from '../../training/engine.js';
import { argmax } from '../../training/trainer.js';
import { parseCli } from '../../scripts/cli.js';

const { values: a } = parseCli({
  name: 'folder-defaults',
  synopsis: "--data DIR[,DIR] --variants 'label:flags|label:@ROOT flags'",
  about: 'Trains each folder with each variant of the defaults and scores the test pictures through the API path.',
  flags: {
    data: { type: 'string', arg: 'DIR,DIR', required: true, help: 'image folders, comma-separated' },
    variants: { type: 'string', arg: 'SPEC', default: 'defaults:', help: "label:flags, '|'-separated" },
    out: { type: 'string', arg: 'DIR', default: path.join(os.tmpdir(), 'folder-defaults'), help: 'model folders' },
  },
});

/** Accuracy of a trained folder model on its test files, each decoded and preprocessed as the API does. */
export async function apiAccuracy(modelDir: string, dataDir: string): Promise<{ accuracy: number; n: number }> {
  const meta = JSON.parse(fs.readFileSync(path.join(modelDir, 'meta.json'), 'utf8'));
  const shape = meta.input.shape as [number, number, number];
  const protocol = meta.preprocessing.protocol as Protocol;
  const { testFiles, test } = await loadImageFolder(dataDir, {
    channels: shape[0] as 1 | 3,
    height: shape[1],
    width: shape[2],
    fit: protocol as Fit,
    seed: meta.split.seed,
    testFraction: meta.split.testFraction,
    progress: false,
    log: () => {},
  });
  const s = await sessionFromDir(modelDir, 'model.onnx');
  const size = shape[0] * shape[1] * shape[2],
    k = meta.labels.length;
  let correct = 0;
  for (let i = 0; i < testFiles.length; i += 256) {
    const files = testFiles.slice(i, i + 256);
    const x = new Float32Array(files.length * size);
    for (const [j, f] of files.entries()) {
      const { raster } = await decodeImage(
        new Uint8Array(fs.readFileSync(path.join(dataDir, f))),
        DEFAULT_LIMITS,
        workingSide(shape, protocol),
      );
      x.set(preprocess(raster, shape, protocol).input, j * size);
    }
    const probs = (await s.run({ input: tensor(x, [files.length, ...shape]) }, ['probs'])).probs.data as Float32Array;
    files.forEach((_, j) => (correct += +(argmax(probs, j * k, k) === test.labels[i + j])));
  }
  await s.release();
  return { accuracy: correct / testFiles.length, n: testFiles.length };
}

const variants = a.variants.split('|').map((v) => {
  const [label, ...rest] = v.split(':');
  let flags = rest.join(':').trim().split(/\s+/).filter(Boolean);
  let root = process.cwd();
  if (flags[0]?.startsWith('@')) [root, flags] = [path.resolve(flags[0].slice(1)), flags.slice(1)];
  return { label, root, flags };
});

const rows: string[] = ['| folder | variant | trainer test | API path | wall s | load |', '|---|---|---|---|---|---|'];
for (const data of a.data.split(',')) {
  for (const v of variants) {
    const name = `${path.basename(data)}-${v.label}`.toLowerCase().replace(/[^a-z0-9-]/g, '-');
    const t0 = Date.now();
    const run = spawnSync(
      'npx',
      [
        'tsx',
        'training/cli/train.ts',
        '--data',
        path.resolve(data),
        '--name',
        name,
        '--out',
        a.out,
        '--force',
        ...v.flags,
      ],
      { cwd: v.root, encoding: 'utf8', maxBuffer: 1 << 28 },
    );
    const wall = (Date.now() - t0) / 1000;
    const load = os.loadavg()[0].toFixed(1);
    if (run.status !== 0) {
      console.error(run.stderr.slice(-3000));
      rows.push(`| ${data} | ${v.label} | failed | | ${wall.toFixed(0)} | ${load} |`);
      continue;
    }
    const epochs = run.stderr.split('\n').filter((l) => /^ {2}epoch \d+:/.test(l));
    console.error(`${name}: ${epochs.at(-1)?.trim()}`);
    const dir = path.join(a.out, name);
    const meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8'));
    const api = await apiAccuracy(dir, data);
    const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
    const row = `| ${path.basename(data)} | ${v.label} | ${pct(meta.metrics.testAccuracy)} | ${pct(api.accuracy)} (${api.n}) | ${wall.toFixed(0)} | ${load} |`;
    console.error(row);
    rows.push(row);
  }
}
console.log(rows.join('\n'));
