/**
 * npm run train -- --help prints the usage below. Trains on onnxruntime-web (WASM SIMD, all cores), evaluates,
 * and exports models/<name>/ atomically, never over an existing folder unless --force; then measures its graphs'
 * costs and its default robustness table (measure.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { buildArtifacts } from '../artifacts.js';
import { stratifiedSubset, type Dataset } from '../data/dataset.js';
import { loadImageFolder, type Fit } from '../data/image-folder.js';
import { stratifiedSplit } from '../data/digits.js';
import { loadData, type LoadedData } from '../data/load.js';
import { MIRROR_RATIO, mirrorRatio } from '../data/mirror-test.js';
import { ensureBackend } from '../engine.js';
import { writeModelDir } from '../export.js';
import { ARCHS } from '../graph-archs.js';
import { folderPreset, PRESETS, type Preset } from '../presets.js';
import { checkModelName, slugName } from '../../model-contract/name.js';
import { writeMeasurements } from '../measure.js';
import { Progress } from '../progress.js';
import { paramCount, resolve } from '../spec.js';
import { parseCli } from '../../scripts/cli.js';
import { train, type TrainOptions } from '../trainer.js';

const { values: a } = parseCli({
  name: 'train',
  synopsis: [
    '--data <folder> --name <name> [options]   train on your own pictures',
    '--model digits|fashion [options]          reproduce a bundled model',
  ],
  about: `An image folder holds one subfolder per class (the folder name is the label) with PNG, JPEG, WebP, GIF or TIFF
files of any size, or train/<class>/ and test/<class>/ for a given split. The model goes to <out>/<name>/.`,
  flags: {
    name: {
      type: 'string',
      arg: 'NAME',
      help: "model name and folder (default: the --model name, or the data folder's name)",
    },
    model: { type: 'string', arg: 'NAME', help: `a bundled model to reproduce: ${Object.keys(PRESETS).join(', ')}` },
    force: { type: 'boolean', help: 'replace an existing <out>/<name>/ (otherwise training refuses to start)' },
    out: { type: 'string', arg: 'DIR', default: 'models', help: 'where model folders go' },
    epochs: { type: 'int', gt: 0, help: "passes over the training set (default: the preset's)" },
    batch: { type: 'int', gt: 0, help: "images per step (default: the preset's)" },
    lr: { type: 'number', gt: 0, help: "learning rate (default: the preset's)" },
    seed: { type: 'int', gt: 0, default: 1, help: 'seed of the initial weights, the shuffles and the split' },
    limit: { type: 'int', gt: 0, help: 'train on a seeded random subset of N images, every class in proportion' },
    'no-augment': { type: 'boolean', help: 'no random rotation, scaling, shifts or mirrors' },
    'no-flip': { type: 'boolean', help: 'no left-right mirrors (for classes a mirror changes)' },
    flip: {
      type: 'boolean',
      help: "left-right mirrors even where an image folder's mirror test says a mirror changes the class",
    },
    'no-baseline': { type: 'boolean', help: 'skip the comparison run without augmentation (bundled models only)' },
    'baseline-epochs': { type: 'int', gt: 0, help: 'epochs of the comparison run (default: --epochs)' },
    backend: {
      type: 'string',
      choices: ['wasm', 'webgpu'],
      default: 'wasm',
      help: 'onnxruntime-web execution provider',
    },
    size: {
      type: 'string',
      arg: 'N|HxW',
      group: 'image folders only',
      help: 'input size (default: 64 if most pictures are at least 64 pixels on their short side, else 32)',
    },
    arch: {
      type: 'string',
      choices: ARCHS,
      help: 'plain: conv-pool blocks; resnet: residual blocks; mobilenet: inverted residuals with\ndepthwise 3x3 and ReLU6 (default: plain)',
    },
    channels: { type: 'string', choices: ['1', '3'], help: 'gray or RGB (default: 3 if the pictures are in colour)' },
    fit: {
      type: 'string',
      choices: ['letterbox', 'crop'],
      default: 'letterbox',
      help: 'keep the whole picture padded with black, or fill and cut around the centre',
    },
    'test-fraction': {
      type: 'number',
      gt: 0,
      lt: 1,
      default: 0.2,
      help: 'held-out share of each class (ignored with train/ + test/)',
    },
    'val-fraction': {
      type: 'number',
      gt: 0,
      lt: 1,
      default: 0.1,
      help: 'share of the training images watched during training',
    },
    cache: { type: 'string', arg: 'DIR|none', help: 'decoded-image cache (default: .cache/image-folder)' },
    'last-map': {
      type: 'int',
      gt: 0,
      help: 'pool only until the maps are N x N (e.g. 16 for 64x64: a finer Grad-CAM; default: under 8x8)',
    },
    'extra-blocks': {
      type: 'int',
      min: 0,
      max: 8,
      default: 0,
      help: "N more conv blocks at the last map's size (each sees 2 cells further)",
    },
    'global-pool': {
      type: 'string',
      choices: ['avg', 'max'],
      default: 'avg',
      help: 'how the last maps become class scores: their mean or their maximum',
    },
    'activity-l1': {
      type: 'number',
      min: 0,
      default: 0,
      help: "add X times the mean of the last ReLU's maps to the loss: a sparsity prior that gathers\nthe evidence (and Grad-CAM's heat) where the object is (0: none)",
    },
    data: {
      type: 'string',
      arg: 'DIR',
      group: 'the data',
      help: 'an image folder (see above); for a bundled model, a folder of MNIST-layout IDX files\ninstead of the default source',
    },
  },
});

if (a.flip && (a['no-flip'] || a['no-augment'])) {
  process.stderr.write(`train: --flip contradicts --${a['no-flip'] ? 'no-flip' : 'no-augment'}: give one of them\n`);
  process.exit(2);
}

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
    if (a.arch) throw new Error(`--arch is for image folders (--data); --model ${a.model ?? 'digits'} has its own`);
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
  const channels = a.channels === undefined ? (probe!.colour ? 3 : 1) : a.channels === '3' ? 3 : 1;
  const [h, w] = a.size ? parseSize(a.size) : probe!.shortSide >= 64 ? [64, 64] : [32, 32];
  const loaded = await loadImageFolder(dir, {
    channels,
    height: h,
    width: w,
    fit: a.fit satisfies Fit,
    seed,
    testFraction: a['test-fraction'],
    cacheDir: a.cache === 'none' ? null : a.cache,
  });
  // The images watched during training (the curve and its accuracy per epoch) come out of the training set; the
  // test set is scored once, at the end.
  const valFraction = a['val-fraction'];
  const { train, test: watch } = stratifiedSplit(loaded.train, valFraction, seed + 1);
  const preset = folderPreset([channels, h, w], train.classes.length, train.n, {
    arch: a.arch,
    lastMap: a['last-map'],
    extraBlocks: a['extra-blocks'],
    globalPool: a['global-pool'],
  });
  // Mirrors only where a mirrored picture still looks like its class (data/mirror-test.ts): not for letters or digits.
  if (!a['no-flip'] && !a['no-augment'] && !a.flip) {
    const ratio = mirrorRatio(train);
    preset.flip = ratio >= MIRROR_RATIO;
    console.error(
      `mirror test: mirrored pictures score ${ratio.toFixed(2)} of the pictures' accuracy by class means (${preset.flip ? `at least ${MIRROR_RATIO}: left-right mirrors on; --no-flip turns them off` : `under ${MIRROR_RATIO}: a mirror changes the class, no mirrors; --flip forces them`})`,
    );
  }
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
  const seed = a.seed;
  // Refuse before any work: a bundled or earlier model is never overwritten by accident.
  const target = path.join(a.out, modelName());
  if (fs.existsSync(target) && !a.force)
    throw new Error(`${target} already exists: pass --force to replace it, or --name <new name> to train beside it`);
  await ensureBackend(a.backend);
  const { name, preset, data, watch, testFiles } = await dataAndPreset(seed);
  const trainSet = a.limit ? stratifiedSubset(data.train, a.limit, seed) : data.train;
  if (a.batch !== undefined && a.batch > trainSet.n)
    throw new Error(`--batch must be a positive integer up to ${trainSet.n} (the training images), got "${a.batch}"`);
  const opts: TrainOptions = {
    arch: preset.arch,
    epochs: a.epochs ?? preset.epochs,
    batch: a.batch ?? preset.batch,
    lr: a.lr ?? preset.lr,
    weightDecay: preset.weightDecay,
    labelSmoothing: preset.labelSmoothing,
    seed,
    augment: a['no-augment'] ? null : preset.augment,
    flip: a['no-augment'] || a['no-flip'] ? false : a.flip || preset.flip,
    backend: a.backend,
  };
  const layers = resolve(opts.arch);
  const l1 = a['activity-l1'];
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
          epochs: a['baseline-epochs'] ?? opts.epochs,
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
  const dir = writeModelDir(a.out, name, artifacts.files);
  await writeMeasurements(a.out, name, (l) => console.error(l));
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
