/**
 * An image folder made ready to train (train.ts with --data, and the folder-defaults benches): the input size and
 * channels (from the flags or probe-folder.ts), the loaded and split pictures, the watched share carved out of the
 * training set, the preset chosen for them (presets.ts folderPreset) and the mirror test's verdict.
 */
import type { Dataset } from '../data/dataset.js';
import { stratifiedSplit } from '../data/digits.js';
import { equalPlanes, onePlane } from '../data/gray.js';
import { loadImageFolder, type Fit } from '../data/image-folder.js';
import type { LoadedData } from '../data/load.js';
import { MIRROR_RATIO, mirrorRatio } from '../data/mirror-test.js';
import { folderPreset, type ArchOptions, type Preset } from '../presets.js';
import { probeFolder } from './probe-folder.js';

export interface FolderSetupOptions {
  seed: number;
  /** [height, width] (default: 64x64 if most pictures are at least 64 pixels on their short side, else 32x32). */
  size?: [number, number];
  /** Default: 1 for gray files and for colour files whose every picture is gray (R = G = B), else 3. */
  channels?: 1 | 3;
  fit?: Fit;
  testFraction?: number;
  valFraction?: number;
  cacheDir?: string | null;
  arch?: ArchOptions;
  /** 'auto' (default): the mirror test decides; true or false: forced (--flip, --no-flip). */
  flip?: boolean | 'auto';
  log?: (line: string) => void;
}

export interface FolderSetup {
  preset: Preset;
  data: LoadedData;
  /** The images watched during training (the curve and its accuracy per epoch), out of the training set. */
  watch: Dataset;
  testFiles: string[];
}

export async function folderSetup(dir: string, o: FolderSetupOptions): Promise<FolderSetup> {
  const log = o.log ?? ((l: string) => console.error(l));
  const probe = o.size && o.channels ? undefined : await probeFolder(dir);
  let channels = o.channels ?? (probe!.colour ? 3 : 1);
  const [h, w] = o.size ?? (probe!.shortSide >= 64 ? [64, 64] : [32, 32]);
  let loaded = await loadImageFolder(dir, {
    channels,
    height: h,
    width: w,
    fit: o.fit ?? 'letterbox',
    seed: o.seed,
    testFraction: o.testFraction ?? 0.2,
    cacheDir: o.cacheDir,
  });
  // Files in colour, pictures in gray (data/gray.ts): one plane, as --channels 1 would load them.
  if (o.channels === undefined && channels === 3 && equalPlanes(loaded.train) && equalPlanes(loaded.test)) {
    channels = 1;
    const source = loaded.split.source.replace(/ RGB (\d+x\d+)/, ' gray $1');
    loaded = {
      ...loaded,
      train: onePlane(loaded.train),
      test: onePlane(loaded.test),
      split: { ...loaded.split, source },
    };
    log('gray pictures in colour files (R = G = B in every one): trained on one channel; --channels 3 keeps three');
  }
  // The test set is scored once, at the end; the watched images come out of the training set.
  const { train, test: watch } = stratifiedSplit(loaded.train, o.valFraction ?? 0.1, o.seed + 1);
  const preset = folderPreset([channels, h, w], train.classes.length, train.n, o.arch);
  // Mirrors only where a mirrored picture still looks like its class (data/mirror-test.ts): not for letters or digits.
  if (o.flip === undefined || o.flip === 'auto') {
    const ratio = mirrorRatio(train);
    preset.flip = ratio >= MIRROR_RATIO;
    log(
      `mirror test: mirrored pictures score ${ratio.toFixed(2)} of the pictures' accuracy by class means (${preset.flip ? `at least ${MIRROR_RATIO}: left-right mirrors on; --no-flip turns them off` : `under ${MIRROR_RATIO}: a mirror changes the class, no mirrors; --flip forces them`})`,
    );
  } else preset.flip = o.flip;
  return {
    preset,
    data: { train, test: loaded.test, split: { ...loaded.split, train: train.n, validation: watch.n } },
    watch,
    testFiles: loaded.testFiles,
  };
}
