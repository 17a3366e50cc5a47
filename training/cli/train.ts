/**
 * npm run train -- --help prints the usage (train-flags.ts). Trains on onnxruntime-web (WASM SIMD, all cores),
 * evaluates, and exports models/<name>/ atomically, never over an existing folder unless --force; then measures its
 * graphs' costs and, unless --no-robustness, a robustness table sized to a small share of the run (measure.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { buildArtifacts } from '../artifacts.js';
import { stratifiedSubset, type Dataset } from '../data/dataset.js';
import { checkDataFolder, type Fit } from '../data/image-folder.js';
import { loadData, type LoadedData } from '../data/load.js';
import { ensureBackend } from '../engine.js';
import { writeModelDir } from '../export.js';
import { PRESETS, type Preset } from '../presets.js';
import { checkModelName, slugName } from '../../model-contract/name.js';
import { trainRobustnessBudgetMs, writeMeasurements } from '../measure.js';
import { counted, Progress } from '../progress.js';
import { paramCount, resolve } from '../spec.js';
import { fail, parseCli, runMain } from '../../scripts/cli.js';
import { folderSetup } from './folder-setup.js';
import { TRAIN_CLI } from './train-flags.js';
import { train, type TrainOptions } from '../trainer.js';

const { values: a } = parseCli(TRAIN_CLI);

if (a.flip && (a['no-flip'] || a['no-augment']))
  fail(TRAIN_CLI.name, `--flip contradicts --${a['no-flip'] ? 'no-flip' : 'no-augment'}: give one of them`, 2);

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
  checkDataFolder(dir);
  const name = modelName();
  const setup = await folderSetup(dir, {
    seed,
    size: a.size ? parseSize(a.size) : undefined,
    channels: a.channels === undefined ? undefined : a.channels === '3' ? 3 : 1,
    fit: a.fit satisfies Fit,
    testFraction: a['test-fraction'],
    valFraction: a['val-fraction'],
    cacheDir: a.cache === 'none' ? null : a.cache,
    arch: {
      arch: a.arch,
      lastMap: a['last-map'],
      extraBlocks: a['extra-blocks'],
      extraFilters: a['extra-filters'],
      globalPool: a['global-pool'],
    },
    flip: a.flip ? true : a['no-flip'] || a['no-augment'] ? false : 'auto',
  });
  return { name, ...setup };
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
    warmup: a.warmup ?? preset.warmup,
    ema: (a.ema ?? preset.ema) || undefined,
    // The best epoch by a share carved out of the training set; never by the test set a bundled model watches.
    keepBest: preset.keepBest && watch !== data.test,
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
    `${name}: ${paramCount(layers)} parameters, input ${opts.arch.input.join('x')}, ${counted(trainSet.n, 'training image')}, ${counted(data.test.n, 'test image')}, ${counted(opts.epochs, 'epoch')}, batch ${opts.batch}, ${a.backend}`,
  );

  const what = watch === data.test ? 'test' : 'validation';
  const pct = (v: number) => `${(v * 100).toFixed(2)}%`;
  const run = async (label: string, o: TrainOptions) => {
    const bar = new Progress(Math.floor(trainSet.n / o.batch) * o.epochs, label);
    const lines: string[] = [];
    const r = await train(
      o,
      trainSet,
      watch,
      (p) => {
        bar.update((p.epoch - 1) * p.steps + p.step, {
          epoch: `${p.epoch}/${o.epochs}`,
          loss: p.loss.toFixed(4),
          acc: `${(p.accuracy * 100).toFixed(1)}%`,
          'img/s': p.imagesPerSecond.toFixed(0),
        });
      },
      (h, _, raw) => {
        const line = `  epoch ${h.epoch}: loss ${h.loss.toFixed(4)}  train ${pct(h.trainAccuracy)}  ${what} ${pct(h.testAccuracy ?? 0)}${raw === undefined ? '' : ` (last step's weights ${pct(raw)})`}  ${h.imagesPerSecond.toFixed(0)} img/s`;
        lines.push(line);
        // Each epoch as it ends where the progress bar is not drawn (a log file); all of them after it otherwise.
        if (!process.stderr.isTTY) console.error(line);
      },
    );
    bar.done();
    if (process.stderr.isTTY) for (const line of lines) console.error(line);
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
  const seconds = main.seconds + (baseline?.seconds ?? 0);
  await writeMeasurements(a.out, name, (l) => console.error(l), {
    robustness: !a['no-robustness'],
    robustnessBudgetMs: trainRobustnessBudgetMs(seconds),
  });
  console.error(
    `wrote ${dir}: test accuracy ${(artifacts.meta.metrics.testAccuracy * 100).toFixed(2)}% in ${main.seconds.toFixed(0)} s (${main.imagesPerSecond.toFixed(0)} img/s)`,
  );
}

runMain(TRAIN_CLI.name, main);
