/**
 * npm run train -- --help prints the usage below. Trains on onnxruntime-web (WASM SIMD, all cores), evaluates,
 * and exports models/<name>/ atomically, never over an existing folder unless --force; then measures its graphs'
 * costs and its default robustness table (measure.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { buildArtifacts } from './artifacts.js';
import { stratifiedSubset, type Dataset } from './data/dataset.js';
import { loadImageFolder, type Fit } from './data/image-folder.js';
import { stratifiedSplit } from './data/digits.js';
import { loadData, type LoadedData } from './data/load.js';
import { ensureBackend, type Backend } from './engine.js';
import { writeModelDir } from './export.js';
import { folderPreset, PRESETS, type Preset } from './presets.js';
import { checkModelName, slugName } from '../model-contract/name.js';
import { writeMeasurements } from './measure.js';
import { Progress } from './progress.js';
import { paramCount, resolve } from './spec.js';
import { train, type TrainOptions } from './trainer.js';

const USAGE = `usage:
  npm run train -- --data <folder> --name <name> [options]   train on your own pictures
  npm run train -- --model digits|fashion [options]          reproduce a bundled model

An image folder holds one subfolder per class (the folder name is the label) with PNG, JPEG, WebP, GIF or TIFF
files of any size, or train/<class>/ and test/<class>/ for a given split. The model goes to <out>/<name>/.

options:
  --name NAME            model name and folder (default: the --model name, or the data folder's name)
  --force                replace an existing <out>/<name>/ (otherwise training refuses to start)
  --out DIR              where model folders go (default: models)
  --epochs N  --batch N  --lr X  --seed N
  --limit N              train on a seeded random subset of N images, every class in proportion
  --no-augment           no random rotation, scaling, shifts or mirrors
  --no-flip              no left-right mirrors (for classes a mirror changes)
  --no-baseline          skip the comparison run without augmentation (bundled models only)
  --baseline-epochs N
  --backend wasm|webgpu  (default: wasm)
image folders only:
  --size N | HxW         input size (default: 64 if most pictures are at least 64 pixels on their short side, else 32)
  --channels 1|3         gray or RGB (default: 3 if the pictures are in colour)
  --fit letterbox|crop   keep the whole picture padded with black, or fill and cut around the centre (default: letterbox)
  --test-fraction X      held-out share of each class (default: 0.2; ignored with train/ + test/)
  --val-fraction X       share of the training images watched during training (default: 0.1)
  --cache DIR|none       decoded-image cache (default: .cache/image-folder)
  --last-map N           pool only until the maps are N x N (e.g. 16 for 64x64: a finer Grad-CAM; default: under 8x8)
  --extra-blocks N       N more conv blocks at the last map's size (each sees 2 cells further; default: 0)
  --global-pool avg|max  how the last maps become class scores: their mean or their maximum (default: avg)
  --activity-l1 X        add X times the mean of the last ReLU's maps to the loss: a sparsity prior that gathers
                         the evidence (and Grad-CAM's heat) where the object is (default: 0, none)
bundled models only:
  --data DIR             a folder of MNIST-layout IDX files instead of the default source
`;

const { values: a } = parseArgs({
  options: {
    help: { type: 'boolean', short: 'h', default: false },
    model: { type: 'string' },
    name: { type: 'string' },
    force: { type: 'boolean', default: false },
    epochs: { type: 'string' },
    batch: { type: 'string' },
    lr: { type: 'string' },
    seed: { type: 'string', default: '1' },
    'no-augment': { type: 'boolean', default: false },
    'no-flip': { type: 'boolean', default: false },
    'no-baseline': { type: 'boolean', default: false },
    'baseline-epochs': { type: 'string' },
    limit: { type: 'string' },
    data: { type: 'string' },
    backend: { type: 'string', default: 'wasm' },
    out: { type: 'string', default: 'models' },
    size: { type: 'string' },
    channels: { type: 'string' },
    fit: { type: 'string', default: 'letterbox' },
    'test-fraction': { type: 'string', default: '0.2' },
    'val-fraction': { type: 'string', default: '0.1' },
    cache: { type: 'string' },
    'last-map': { type: 'string' },
    'activity-l1': { type: 'string' },
    'extra-blocks': { type: 'string' },
    'global-pool': { type: 'string' },
  },
});

function num(name: string, v: string | undefined, fallback: number, { integer = false, max = Infinity } = {}): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || n > max || (integer && !Number.isInteger(n)))
    throw new Error(
      `--${name} must be a positive ${integer ? 'integer' : 'number'}${max < Infinity ? ` up to ${max}` : ''}, got "${v}"`,
    );
  return n;
}
const fraction = (name: string, v: string | undefined, fallback: number) => {
  const f = num(name, v, fallback);
  if (f >= 1) throw new Error(`--${name} must be between 0 and 1, got "${v}"`);
  return f;
};

/** Guesses channels and size from up to 64 of the folder's pictures (sharp reads only their headers). */
async function probeFolder(dir: string): Promise<{ colour: boolean; shortSide: number }> {
  const files: string[] = [];
  const walk = (d: string, depth: number) => {
    for (const n of fs.readdirSync(d).sort()) {
      if (n.startsWith('.') || files.length >= 64) continue;
      const p = path.join(d, n);
      if (fs.statSync(p).isDirectory()) {
        if (depth < 2) walk(p, depth + 1);
      } else if (depth > 0) files.push(p);
    }
  };
  walk(dir, 0);
  const sides: number[] = [];
  let colour = false;
  for (const f of files) {
    try {
      const m = await sharp(f).metadata();
      sides.push(Math.min(m.width ?? 0, m.height ?? 0));
      if ((m.channels ?? 1) - (m.hasAlpha ? 1 : 0) >= 3 && m.space !== 'b-w') colour = true;
    } catch {
      // Unreadable files are reported by the loader.
    }
  }
  sides.sort((x, y) => x - y);
  return { colour, shortSide: sides[Math.floor(sides.length / 2)] ?? 64 };
}

function parseSize(v: string): [number, number] {
  const m = /^(\d+)(?:x(\d+))?$/.exec(v);
  const h = m ? Number(m[1]) : NaN,
    w = m ? Number(m[2] ?? m[1]) : NaN;
  if (!(h >= 8 && w >= 8 && h <= 256 && w <= 256))
    throw new Error(`--size must be N or HxW with sides from 8 to 256, got "${v}"`);
  return [h, w];
}

/** The data set and the preset for it: a bundled model's, or one chosen for an image folder. */
async function dataAndPreset(seed: number): Promise<{
  name: string;
  preset: Preset;
  data: LoadedData;
  watch: Dataset;
  testFiles?: string[];
}> {
  if (a.model || !a.data) {
    const model = a.model ?? 'digits';
    const preset = PRESETS[model];
    if (!preset) throw new Error(`Unknown --model "${model}". Should be one of: ${Object.keys(PRESETS).join(', ')}.`);
    const data = loadData(preset.data as 'digits' | 'fashion', a.data);
    return { name: modelName(), preset, data, watch: data.test };
  }
  const dir = a.data;
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory())
    throw new Error(`--data ${dir}: not a folder. Want one subfolder per class holding its pictures`);
  const name = modelName();
  const probe = a.size && a.channels ? undefined : await probeFolder(dir);
  const channels = a.channels === undefined ? (probe!.colour ? 3 : 1) : Number(a.channels);
  if (channels !== 1 && channels !== 3) throw new Error(`--channels must be 1 or 3, got "${a.channels}"`);
  const [h, w] = a.size ? parseSize(a.size) : probe!.shortSide >= 64 ? [64, 64] : [32, 32];
  if (a.fit !== 'letterbox' && a.fit !== 'crop') throw new Error(`--fit must be letterbox or crop, got "${a.fit}"`);
  const loaded = await loadImageFolder(dir, {
    channels,
    height: h,
    width: w,
    fit: a.fit as Fit,
    seed,
    testFraction: fraction('test-fraction', a['test-fraction'], 0.2),
    cacheDir: a.cache === 'none' ? null : a.cache,
  });
  // The images watched during training (the curve and its accuracy per epoch) come out of the training set; the
  // test set is scored once, at the end.
  const valFraction = fraction('val-fraction', a['val-fraction'], 0.1);
  const { train, test: watch } = stratifiedSplit(loaded.train, valFraction, seed + 1);
  const lastMap = a['last-map'] === undefined ? undefined : num('last-map', a['last-map'], 0, { integer: true });
  const globalPool = a['global-pool'] ?? 'avg';
  if (globalPool !== 'avg' && globalPool !== 'max')
    throw new Error(`--global-pool is avg or max; got ${JSON.stringify(globalPool)}`);
  const preset = folderPreset([channels, h, w], train.classes.length, train.n, {
    lastMap,
    extraBlocks: num('extra-blocks', a['extra-blocks'], 0, { integer: true, max: 8 }),
    globalPool,
  });
  return {
    name,
    preset,
    data: { train, test: loaded.test, split: { ...loaded.split, train: train.n, validation: watch.n } },
    watch,
    testFiles: loaded.testFiles,
  };
}

/**
 * The model's name, decided before any work: --name as given (refused unless valid), else the --model's or the data
 * folder's name made into one ("My Letters" -> my-letters).
 */
function modelName(): string {
  if (a.name !== undefined) return checkModelName(a.name);
  return slugName(a.model ?? (a.data ? path.basename(path.resolve(a.data)) : 'digits'));
}

async function main() {
  if (a.help) {
    process.stdout.write(USAGE);
    return;
  }
  if (a.backend !== 'wasm' && a.backend !== 'webgpu')
    throw new Error(`--backend must be wasm or webgpu, got "${a.backend}"`);
  const seed = num('seed', a.seed, 1, { integer: true });
  // Refuse before any work: a bundled or earlier model is never overwritten by accident.
  const target = path.join(a.out!, modelName());
  if (fs.existsSync(target) && !a.force)
    throw new Error(`${target} already exists: pass --force to replace it, or --name <new name> to train beside it`);
  await ensureBackend(a.backend as Backend);
  const { name, preset, data, watch, testFiles } = await dataAndPreset(seed);
  const trainSet = a.limit
    ? stratifiedSubset(data.train, num('limit', a.limit, 0, { integer: true }), seed)
    : data.train;
  const opts: TrainOptions = {
    arch: preset.arch,
    epochs: num('epochs', a.epochs, preset.epochs, { integer: true }),
    batch: num('batch', a.batch, preset.batch, { integer: true, max: trainSet.n }),
    lr: num('lr', a.lr, preset.lr),
    weightDecay: preset.weightDecay,
    labelSmoothing: preset.labelSmoothing,
    seed,
    augment: a['no-augment'] ? null : preset.augment,
    flip: a['no-augment'] || a['no-flip'] ? false : preset.flip,
    backend: a.backend as Backend,
  };
  const layers = resolve(opts.arch);
  const l1 = num('activity-l1', a['activity-l1'], 0);
  if (l1 > 0) {
    // The last ReLU with maps: Grad-CAM's default layer on a global-average-pooling net.
    const last = layers.filter((l) => l.kind === 'relu' && l.outShape.length === 3).at(-1);
    if (!last) throw new Error('--activity-l1 needs a ReLU with [C,H,W] maps');
    opts.activityL1 = { layer: last.name, weight: l1 };
  }
  console.error(
    `${name}: ${paramCount(layers)} parameters, input ${opts.arch.input.join('x')}, ${trainSet.n} training images, ${data.test.n} test images, ${opts.epochs} epochs, batch ${opts.batch}, ${a.backend}`,
  );

  const run = async (label: string, o: TrainOptions) => {
    const bar = new Progress(Math.floor(trainSet.n / o.batch) * o.epochs, label);
    const r = await train(o, trainSet, watch, (p) => {
      bar.update((p.epoch - 1) * p.steps + p.step, {
        epoch: `${p.epoch}/${o.epochs}`,
        loss: p.loss.toFixed(4),
        acc: `${(p.accuracy * 100).toFixed(1)}%`,
        'img/s': p.imagesPerSecond.toFixed(0),
      });
    });
    bar.done();
    const what = watch === data.test ? 'test' : 'validation';
    for (const h of r.history)
      console.error(
        `  epoch ${h.epoch}: loss ${h.loss.toFixed(4)}  train ${(h.trainAccuracy * 100).toFixed(2)}%  ${what} ${((h.testAccuracy ?? 0) * 100).toFixed(2)}%  ${h.imagesPerSecond.toFixed(0)} img/s`,
      );
    return r;
  };
  const main = await run('train   ', opts);
  const baseline =
    a['no-baseline'] || preset.data === 'folder'
      ? undefined
      : await run('baseline', {
          ...opts,
          augment: null,
          flip: false,
          epochs: num('baseline-epochs', a['baseline-epochs'], opts.epochs, { integer: true }),
        });
  const artifacts = await buildArtifacts({
    name,
    preset,
    opts,
    data,
    trainImages: trainSet.n,
    main,
    baseline,
    watched: watch === data.test ? 'test' : 'validation',
    dataDir: preset.data === 'folder' ? a.data : undefined,
    testFiles,
  });
  const dir = writeModelDir(a.out!, name, artifacts.files);
  await writeMeasurements(a.out!, name, (l) => console.error(l));
  console.error(
    `wrote ${dir}: test accuracy ${(artifacts.meta.metrics.testAccuracy * 100).toFixed(2)}% in ${main.seconds.toFixed(0)} s (${main.imagesPerSecond.toFixed(0)} img/s)`,
  );
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(`error: ${(e as Error).message}`);
    process.exit(1);
  },
);
