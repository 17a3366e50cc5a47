/**
 * npm run train -- --model digits|fashion [--epochs N] [--batch N] [--lr X] [--seed N] [--no-augment]
 *                  [--no-baseline] [--baseline-epochs N] [--limit N] [--data DIR] [--backend wasm|webgpu] [--out models]
 * Trains on onnxruntime-web (WASM SIMD, all cores), evaluates, and exports models/<name>/ atomically.
 */
import { parseArgs } from 'node:util';
import { buildArtifacts } from './artifacts.js';
import { loadData } from './data/load.js';
import { subset } from './data/dataset.js';
import { ensureBackend, type Backend } from './engine.js';
import { writeModelDir } from './export.js';
import { PRESETS } from './presets.js';
import { Progress } from './progress.js';
import { paramCount, resolve } from './spec.js';
import { train, type TrainOptions } from './trainer.js';

const { values: a } = parseArgs({
  options: {
    model: { type: 'string', default: 'digits' },
    epochs: { type: 'string' },
    batch: { type: 'string' },
    lr: { type: 'string' },
    seed: { type: 'string', default: '1' },
    'no-augment': { type: 'boolean', default: false },
    'no-baseline': { type: 'boolean', default: false },
    'baseline-epochs': { type: 'string' },
    limit: { type: 'string' },
    data: { type: 'string' },
    backend: { type: 'string', default: 'wasm' },
    out: { type: 'string', default: 'models' },
    name: { type: 'string' },
  },
});

function num(name: string, v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got "${v}"`);
  return n;
}

async function main() {
  const preset = PRESETS[a.model!];
  if (!preset) throw new Error(`Unknown --model "${a.model}". Should be one of: ${Object.keys(PRESETS).join(', ')}.`);
  if (a.backend !== 'wasm' && a.backend !== 'webgpu')
    throw new Error(`--backend must be wasm or webgpu, got "${a.backend}"`);
  await ensureBackend(a.backend as Backend);
  const data = loadData(preset.data, a.data);
  const trainSet = a.limit
    ? subset(
        data.train,
        Array.from({ length: Math.min(data.train.n, num('limit', a.limit, 0)) }, (_, i) => i),
      )
    : data.train;
  const opts: TrainOptions = {
    arch: preset.arch,
    epochs: num('epochs', a.epochs, preset.epochs),
    batch: num('batch', a.batch, preset.batch),
    lr: num('lr', a.lr, preset.lr),
    weightDecay: preset.weightDecay,
    labelSmoothing: preset.labelSmoothing,
    seed: num('seed', a.seed, 1),
    augment: a['no-augment'] ? null : preset.augment,
    flip: a['no-augment'] ? false : preset.flip,
    backend: a.backend as Backend,
  };
  const layers = resolve(opts.arch);
  console.error(
    `${a.model}: ${paramCount(layers)} parameters, ${trainSet.n} training images, ${data.test.n} test images, ${opts.epochs} epochs, batch ${opts.batch}, ${a.backend}`,
  );

  const run = async (label: string, o: TrainOptions) => {
    const bar = new Progress(Math.floor(trainSet.n / o.batch) * o.epochs, label);
    let base = 0;
    const r = await train(o, trainSet, data.test, (p) => {
      base = (p.epoch - 1) * p.steps;
      bar.update(base + p.step, {
        epoch: `${p.epoch}/${o.epochs}`,
        loss: p.loss.toFixed(4),
        acc: `${(p.accuracy * 100).toFixed(1)}%`,
        'img/s': p.imagesPerSecond.toFixed(0),
      });
    });
    bar.done();
    for (const h of r.history)
      console.error(
        `  epoch ${h.epoch}: loss ${h.loss.toFixed(4)}  train ${(h.trainAccuracy * 100).toFixed(2)}%  test ${((h.testAccuracy ?? 0) * 100).toFixed(2)}%  ${h.imagesPerSecond.toFixed(0)} img/s`,
      );
    return r;
  };
  const main = await run('train   ', opts);
  const baseline = a['no-baseline']
    ? undefined
    : await run('baseline', {
        ...opts,
        augment: null,
        flip: false,
        epochs: num('baseline-epochs', a['baseline-epochs'], opts.epochs),
      });
  const artifacts = await buildArtifacts({
    name: a.name ?? a.model!,
    preset,
    opts,
    data,
    trainImages: trainSet.n,
    main,
    baseline,
  });
  const dir = writeModelDir(a.out!, a.name ?? a.model!, artifacts.files);
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
