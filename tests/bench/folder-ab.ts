/**
 * npx tsx tests/bench/folder-ab.ts --data DIR[,DIR...] --variants 'label:key=value,key=value|...' [--images N]
 * The fast screen of the image-folder defaults: each folder is loaded and split once, exactly as
 * `npm run train -- --data DIR` does (training/cli/folder-setup.ts), then every variant trains in this process on
 * the same split, one after the other, and is scored on the held-out test pictures (the trainer's loader; the API
 * path is bench/folder-defaults.ts, which runs the whole command). A variant overrides the folder preset:
 *   epochs, batch, lr, weightDecay, labelSmoothing, warmup (share of steps), keepBest (0|1), rotate (degrees),
 *   scale (s: from 1/s to s), shift (pixels), arch (plain|resnet|mobilenet), extraBlocks (plain: conv blocks at
 *   the last map's size), extraFilters (their filters), ema (decay of a moving average of the weights, what is
 *   scored), flip (0|1: left-right mirrors; default: the mirror test's verdict), images (epochs for about N
 *   images), channels (1|3: the folder loaded as gray or RGB, the
 *   same files and split; default: what folder-setup.ts chooses).
 * --images N gives every variant without its own epochs about N training images (a shorter screen than the
 * defaults' 120,000). Prints a table: folder, variant, epochs, test accuracy after the last epoch and after the epoch that
 * scored best on the watched share (what keepBest returns), seconds (training and the scoring after each epoch), load.
 */
import os from 'node:os';
import path from 'node:path';
import { folderSetup } from '../../training/cli/folder-setup.js';
import { ARCHS, type ArchName } from '../../training/graph-archs.js';
import { folderArch } from '../../training/presets.js';
import { accuracy, predict, train, type TrainOptions } from '../../training/trainer.js';
import { parseCli } from '../../scripts/cli.js';

const { values: a } = parseCli({
  name: 'folder-ab',
  synopsis: "--data DIR[,DIR] --variants 'label:key=value,key=value|...' [--images N]",
  about: 'Trains every variant of the image-folder defaults on the same split of each folder, in one process.',
  flags: {
    data: { type: 'string', arg: 'DIR,DIR', required: true, help: 'image folders, comma-separated' },
    variants: { type: 'string', arg: 'SPEC', default: 'defaults:', help: "label:key=value,..., '|'-separated" },
    images: { type: 'int', gt: 0, help: 'training images per run for variants without epochs (default: the preset)' },
    seed: { type: 'int', gt: 0, default: 1, help: 'seed of the split and the training runs' },
  },
});

const KEYS = [
  'epochs',
  'batch',
  'lr',
  'weightDecay',
  'labelSmoothing',
  'warmup',
  'keepBest',
  'rotate',
  'scale',
  'shift',
  'images',
  'arch',
  'extraBlocks',
  'extraFilters',
  'ema',
  'flip',
  'channels',
];
const variants = a.variants.split('|').map((v) => {
  const [label, rest = ''] = v.split(/:(.*)/s);
  const set = Object.fromEntries(
    rest
      .split(',')
      .filter((kv) => kv.trim())
      .map((kv) => {
        const [k, val] = kv.trim().split('=');
        if (!KEYS.includes(k))
          throw new Error(`variant "${label}": unknown key "${k}". Should be one of: ${KEYS.join(', ')}.`);
        const ok =
          k === 'arch'
            ? ARCHS.includes(val as ArchName)
            : k === 'channels'
              ? ['1', '3'].includes(val)
              : k === 'flip' || k === 'keepBest'
                ? ['0', '1'].includes(val)
                : Number.isFinite(Number(val));
        if (!ok) throw new Error(`variant "${label}": ${k}=${val} is not a valid value`);
        return [k, val];
      }),
  );
  return { label, set };
});

const rows = [
  '| folder | variant | epochs | test | at the best watched epoch | s | load |',
  '|---|---|---|---|---|---|---|',
];
for (const dir of a.data.split(',')) {
  const setups = new Map<string, Awaited<ReturnType<typeof folderSetup>>>();
  for (const { label, set } of variants) {
    const key = set.channels ?? 'auto';
    if (!setups.has(key))
      setups.set(
        key,
        await folderSetup(dir, {
          seed: a.seed,
          channels: set.channels ? (Number(set.channels) as 1 | 3) : undefined,
          log: () => {},
        }),
      );
    const { preset, data, watch } = setups.get(key)!;
    const n = data.train.n;
    const num = (k: string) => (set[k] === undefined ? undefined : Number(set[k]));
    const images = num('images') ?? a.images;
    const aug = { ...preset.augment };
    if (set.rotate !== undefined) aug.maxRotateDeg = num('rotate')!;
    if (set.scale !== undefined) [aug.minScale, aug.maxScale] = [1 / num('scale')!, num('scale')!];
    if (set.shift !== undefined) aug.maxShift = num('shift')!;
    const opts: TrainOptions = {
      arch:
        set.arch || set.extraBlocks || set.extraFilters
          ? folderArch(preset.arch.input, data.train.classes.length, {
              arch: set.arch as ArchName | undefined,
              extraBlocks: num('extraBlocks'),
              extraFilters: num('extraFilters'),
            })
          : preset.arch,
      epochs: num('epochs') ?? (images ? Math.max(1, Math.round(images / n)) : preset.epochs),
      batch: num('batch') ?? preset.batch,
      lr: num('lr') ?? preset.lr,
      weightDecay: num('weightDecay') ?? preset.weightDecay,
      labelSmoothing: num('labelSmoothing') ?? preset.labelSmoothing,
      warmup: num('warmup') ?? preset.warmup,
      keepBest: set.keepBest === undefined ? preset.keepBest : set.keepBest === '1',
      ema: num('ema') ?? preset.ema,
      seed: a.seed,
      augment: aug,
      flip: set.flip === undefined ? preset.flip : set.flip === '1',
    };
    // The test accuracy after every epoch: the last is the run's; the one after the epoch that scored best on the
    // watched share (ties to the later) is what keepBest would return.
    const curve: { watched: number; test: number }[] = [];
    const r = await train(opts, data.train, watch, undefined, async (log, w) => {
      const test = accuracy((await predict(opts.arch, w, data.test)).predictions, data.test.labels);
      curve.push({ watched: log.testAccuracy!, test });
    });
    const best = curve.reduce((b, c, i) => (c.watched >= curve[b].watched ? i : b), 0);
    const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
    const row = `| ${path.basename(dir)} | ${label} | ${opts.epochs} | ${pct(curve.at(-1)!.test)} | ${pct(curve[best].test)} (${best + 1}) | ${r.seconds.toFixed(0)} | ${os.loadavg()[0].toFixed(1)} |`;
    console.error(`  test by epoch: ${curve.map((c) => (100 * c.test).toFixed(1)).join(' ')}`);
    console.error(row);
    rows.push(row);
  }
}
console.log(rows.join('\n'));
