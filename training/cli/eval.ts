/**
 * npm run eval -- --model <name> [--dir models] [--data DIR] [--engine web|node] [--graph FILE]   (--help: usage)
 * Checks the sha256 of every exported ONNX file against meta.json, then runs model.onnx (or --graph, e.g.
 * classify.onnx) on the test set with onnxruntime-web (or onnxruntime-node: a second engine, native code) and
 * prints accuracy (overall and per class) next to the figure meta.json recorded.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as ortNode from 'onnxruntime-node';
import type { ModelMeta } from '../../functions/core/model.js';
import type { Dataset } from '../data/dataset.js';
import { loadImageFolder, type ImageFolderSplit } from '../data/image-folder.js';
import { loadData } from '../data/load.js';
import { sessionFromDir, tensor } from '../engine.js';
import { sha256 } from '../export.js';
import { PRESETS } from '../presets.js';
import { argmax } from '../trainer.js';
import { parseCli, runMain } from '../../scripts/cli.js';

const { values: a } = parseCli({
  name: 'eval',
  synopsis: '--model <name> [--dir models] [--data DIR] [--engine web|node] [--graph FILE]',
  about:
    'Checks the sha256 of every model file against meta.json, then scores model.onnx (or --graph) on the test set.',
  flags: {
    model: { type: 'string', arg: 'NAME', default: 'digits', help: 'a folder under --dir' },
    dir: { type: 'string', arg: 'DIR', default: 'models', help: 'where model folders are' },
    data: {
      type: 'string',
      arg: 'DIR',
      help: 'the data: IDX files for digits/fashion; for an image-folder model the folder it was trained on\n(default: the folder recorded in meta.json), split again with the recorded seed',
    },
    engine: {
      type: 'string',
      choices: ['web', 'node'],
      default: 'web',
      help: 'onnxruntime-web (WASM, what the edge runs) or onnxruntime-node (native: a second engine)',
    },
    graph: {
      type: 'string',
      arg: 'FILE',
      default: 'model.onnx',
      help: 'the graph to score: model.onnx or classify.onnx (input -> probs)',
    },
  },
});

/** Runs the graph on a batch and returns its probabilities, on the engine asked for. */
type Classify = (x: Float32Array, dims: number[]) => Promise<Float32Array>;
async function classifier(dir: string): Promise<Classify> {
  if (a.engine === 'node') {
    // From the path, so that onnxruntime-node finds weights.bin (external data) beside the graph.
    const s = await ortNode.InferenceSession.create(path.join(dir, a.graph), { logSeverityLevel: 3 });
    return async (x, dims) =>
      (await s.run({ input: new ortNode.Tensor('float32', x, dims) }, ['probs'])).probs.data as Float32Array;
  }
  const s = await sessionFromDir(dir, a.graph);
  return async (x, dims) => (await s.run({ input: tensor(x, dims) }, ['probs'])).probs.data as Float32Array;
}

async function testSet(meta: ModelMeta & { split?: Partial<ImageFolderSplit> }): Promise<Dataset> {
  const protocol = meta.preprocessing.protocol as string;
  if (protocol !== 'letterbox' && protocol !== 'crop') {
    // A bundled model by its name, or one trained from a preset under another --name by the preset's description.
    const preset = PRESETS[a.model] ?? Object.values(PRESETS).find((p) => p.description === meta.description);
    return loadData(preset?.data === 'fashion' ? 'fashion' : 'digits', a.data).test;
  }
  const dir = a.data ?? meta.split?.dir;
  if (!dir) throw new Error(`${a.model} was trained on an image folder: pass it with --data <folder>`);
  const [channels, height, width] = meta.input.shape;
  return (
    await loadImageFolder(dir, {
      channels: channels as 1 | 3,
      height,
      width,
      fit: protocol,
      seed: meta.split?.seed,
      testFraction: meta.split?.testFraction,
    })
  ).test;
}

async function main() {
  const dir = path.join(a.dir, a.model);
  const metaPath = path.join(dir, 'meta.json');
  if (!fs.existsSync(metaPath)) {
    // Only a bundled model can be retrained by name; any other needs its pictures (--data).
    const have = fs.existsSync(a.dir)
      ? fs.readdirSync(a.dir).filter((d) => fs.existsSync(path.join(a.dir, d, 'meta.json')))
      : [];
    const out = a.dir === 'models' ? '' : ` --out ${a.dir}`;
    const how = PRESETS[a.model]
      ? `train it with npm run train -- --model ${a.model}${out}`
      : `train one with npm run train -- --data <folder> --name ${a.model}${out}`;
    throw new Error(
      `no model "${a.model}" in ${a.dir}/ (${have.length ? `models there: ${have.join(', ')}` : 'none there'}); ${how}`,
    );
  }
  const meta = JSON.parse(fs.readFileSync(metaPath, 'utf8'));
  for (const [file, info] of Object.entries<{ sha256: string }>(meta.files)) {
    const got = sha256(fs.readFileSync(path.join(dir, file)));
    if (got !== info.sha256) throw new Error(`${file}: sha256 ${got} does not match meta.json (${info.sha256})`);
  }
  const test = await testSet(meta);
  const classify = await classifier(dir);
  const size = test.shape.reduce((x, v) => x * v, 1),
    k = test.classes.length;
  let correct = 0;
  const perClass = new Array(k).fill(0),
    counts = new Array(k).fill(0);
  const t0 = performance.now();
  for (let i = 0; i < test.n; i += 500) {
    const m = Math.min(500, test.n - i);
    const probs = await classify(test.images.subarray(i * size, (i + m) * size), [m, ...test.shape]);
    for (let j = 0; j < m; j++) {
      const label = test.labels[i + j];
      const ok = argmax(probs, j * k, k) === label;
      correct += +ok;
      perClass[label] += +ok;
      counts[label]++;
    }
  }
  const ms = performance.now() - t0;
  console.log(
    `${a.model}: sha256 of ${Object.keys(meta.files).length} model files ok; ${a.graph} on onnxruntime-${a.engine}`,
  );
  console.log(
    `test accuracy ${((100 * correct) / test.n).toFixed(2)}% on ${test.n} images (meta.json: ${(100 * meta.metrics.testAccuracy).toFixed(2)}%), ${(test.n / (ms / 1000)).toFixed(0)} images/s`,
  );
  test.classes.forEach((c, i) =>
    console.log(`  ${c.padEnd(12)} ${((100 * perClass[i]) / counts[i]).toFixed(2)}%  (${counts[i]})`),
  );
}

runMain('eval', main);
