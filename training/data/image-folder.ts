/**
 * An image-folder data set: one subfolder per class (the folder name is the label), PNG/JPEG/WebP/GIF/TIFF files
 * of any size. sharp decodes each file (a GIF's first frame; transparency composited on white), converts it to
 * gray (1 channel) or sRGB (3) and resizes it to H x W: `letterbox` fits the whole picture and pads with black,
 * `crop` fills H x W and cuts the overflow around the centre. Either a seeded stratified train/test split of
 * <dir>/<class>/ or a given <dir>/train/<class>/ + <dir>/test/<class>/ layout.
 *
 * Unreadable files are reported by name and skipped; empty class folders are reported and left out. The decoded
 * pixels are cached (.cache/image-folder/<key>.bin, key = sha256 of the file list with sizes and mtimes and the
 * decode options), so a second run with the same files and options starts without decoding.
 */
import { portablePath } from './portable-path.js';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { Rng } from '../../model-contract/random.js';
import { Progress } from '../progress.js';
import type { Dataset } from './dataset.js';

export type Fit = 'letterbox' | 'crop';

export interface ImageFolderOptions {
  channels: 1 | 3;
  height: number;
  width: number;
  fit?: Fit;
  /** Fraction of each class held out as the test set (ignored with a train/ + test/ layout). */
  testFraction?: number;
  seed?: number;
  /** Where decoded data is cached; null turns the cache off. */
  cacheDir?: string | null;
  /** Progress and problems go here (default stderr); tests pass a collector. */
  log?: (line: string) => void;
  /** A progress bar while decoding (default: on). */
  progress?: boolean;
}

export interface ImageFolderSplit {
  source: string;
  /** The folder as given on the command line (npm run eval reloads the test set from it). */
  dir: string;
  layout: 'split' | 'train/test folders';
  fit: Fit;
  seed?: number;
  testFraction?: number;
  train: number;
  test: number;
  /** sha256 of the test files' paths (relative to the folder, sorted, one per line). */
  testFilesSha256: string;
  skipped: { file: string; reason: string }[];
  emptyClasses: string[];
}

export interface ImageFolderData {
  train: Dataset;
  test: Dataset;
  split: ImageFolderSplit;
  /** Relative path of each test image, in test-set order (for per-image annotations such as a shape's centre). */
  testFiles: string[];
  trainFiles: string[];
}

const CACHE_VERSION = 1;
const isHidden = (n: string) => n.startsWith('.');

/** --data names a folder: else an error that says what is there instead. */
export function checkDataFolder(dir: string): void {
  const st = fs.statSync(dir, { throwIfNoEntry: false });
  if (!st?.isDirectory())
    throw new Error(
      `--data ${dir}: ${st ? 'a file, not a folder' : 'no such folder'}. Want one subfolder per class holding its pictures`,
    );
}

function listClasses(dir: string): { classes: string[]; files: Map<string, string[]> } {
  checkDataFolder(dir);
  const classes = fs
    .readdirSync(dir)
    .filter((n) => !isHidden(n) && fs.statSync(path.join(dir, n)).isDirectory())
    .sort();
  const files = new Map<string, string[]>();
  for (const c of classes)
    files.set(
      c,
      fs
        .readdirSync(path.join(dir, c))
        .filter((n) => !isHidden(n) && fs.statSync(path.join(dir, c, n)).isFile())
        .sort()
        .map((n) => path.join(c, n)),
    );
  return { classes, files };
}

interface Decoded {
  /** uint8 [N, C, H, W] */
  pixels: Uint8Array;
  labels: Uint8Array;
  files: string[];
  skipped: { file: string; reason: string }[];
}

/** Decodes one file to C x H x W bytes with sharp. */
async function decodeFile(file: string, o: ImageFolderOptions): Promise<Uint8Array> {
  let img = sharp(file, { failOn: 'error' }).flatten({ background: '#ffffff' });
  img = o.channels === 1 ? img.greyscale() : img.toColourspace('srgb');
  const { data, info } = await img
    .resize(o.width, o.height, {
      fit: (o.fit ?? 'letterbox') === 'letterbox' ? 'contain' : 'cover',
      position: 'centre',
      background: '#000000',
    })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const c = info.channels;
  if (c < o.channels) throw new Error(`decoded ${c} channels, want ${o.channels}`);
  const hw = o.height * o.width,
    out = new Uint8Array(o.channels * hw);
  // Interleaved HWC from sharp to planar CHW for the network.
  for (let p = 0; p < hw; p++) for (let ch = 0; ch < o.channels; ch++) out[ch * hw + p] = data[p * c + ch];
  return out;
}

async function decodeAll(
  root: string,
  entries: { file: string; label: number }[],
  o: ImageFolderOptions,
  log: (l: string) => void,
): Promise<Decoded> {
  const size = o.channels * o.height * o.width;
  const results: (Uint8Array | Error)[] = new Array(entries.length);
  const bar = o.progress === false ? undefined : new Progress(entries.length, 'decode  ');
  let next = 0,
    done = 0;
  // A few files in flight: sharp decodes on libuv's thread pool.
  const worker = async () => {
    while (next < entries.length) {
      const i = next++;
      try {
        results[i] = await decodeFile(path.join(root, entries[i].file), o);
      } catch (e) {
        results[i] = e as Error;
      }
      bar?.update(++done, { images: `${done}/${entries.length}` });
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  bar?.done();
  const ok = entries.map((_, i) => i).filter((i) => !(results[i] instanceof Error));
  const pixels = new Uint8Array(ok.length * size);
  ok.forEach((i, j) => pixels.set(results[i] as Uint8Array, j * size));
  const skipped = entries
    .map((e, i) => ({ file: e.file, r: results[i] }))
    .filter((x): x is { file: string; r: Error } => x.r instanceof Error)
    .map((x) => ({ file: x.file, reason: x.r.message.split('\n')[0] }));
  for (const s of skipped) log(`skipped ${s.file}: unreadable (${s.reason})`);
  return {
    pixels,
    labels: Uint8Array.from(ok, (i) => entries[i].label),
    files: ok.map((i) => entries[i].file),
    skipped,
  };
}

/** Decodes (or reads from the cache) every file of `entries`, keyed by their sizes, mtimes and the options. */
async function decodeCached(
  root: string,
  entries: { file: string; label: number }[],
  o: ImageFolderOptions,
  log: (l: string) => void,
): Promise<Decoded> {
  const h = createHash('sha256').update(
    JSON.stringify([CACHE_VERSION, path.resolve(root), o.channels, o.height, o.width, o.fit ?? 'letterbox']),
  );
  for (const e of entries) {
    const st = fs.statSync(path.join(root, e.file));
    h.update(`\n${e.file}\t${e.label}\t${st.size}\t${st.mtimeMs}`);
  }
  const key = h.digest('hex').slice(0, 32);
  const dir = o.cacheDir === undefined ? path.resolve('.cache/image-folder') : o.cacheDir;
  const bin = dir && path.join(dir, `${key}.bin`),
    json = dir && path.join(dir, `${key}.json`);
  if (bin && json && fs.existsSync(bin) && fs.existsSync(json)) {
    const info = JSON.parse(fs.readFileSync(json, 'utf8')) as Omit<Decoded, 'pixels' | 'labels'> & {
      labels: number[];
    };
    for (const s of info.skipped) log(`skipped ${s.file}: unreadable (${s.reason}) [cached]`);
    log(`decoded images read from the cache ${bin}`);
    return { ...info, labels: Uint8Array.from(info.labels), pixels: new Uint8Array(fs.readFileSync(bin)) };
  }
  const d = await decodeAll(root, entries, o, log);
  if (bin && json && dir) {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(bin, d.pixels);
    fs.writeFileSync(json, JSON.stringify({ files: d.files, labels: [...d.labels], skipped: d.skipped }));
  }
  return d;
}

function toDataset(d: Decoded, idx: number[], o: ImageFolderOptions, classes: string[]): Dataset {
  const size = o.channels * o.height * o.width;
  const images = new Float32Array(idx.length * size);
  idx.forEach((i, j) => {
    for (let p = 0; p < size; p++) images[j * size + p] = d.pixels[i * size + p] / 255;
  });
  return {
    images,
    labels: Uint8Array.from(idx, (i) => d.labels[i]),
    n: idx.length,
    shape: [o.channels, o.height, o.width],
    classes,
  };
}

/** Loads an image folder as train and test sets (see the file header). */
export async function loadImageFolder(dir: string, o: ImageFolderOptions): Promise<ImageFolderData> {
  const log = o.log ?? ((l: string) => process.stderr.write(l + '\n'));
  const fit = o.fit ?? 'letterbox';
  if (fit !== 'letterbox' && fit !== 'crop') throw new Error(`fit must be letterbox or crop, got "${fit}"`);
  const top = listClasses(dir);
  const given = top.classes.includes('train') && top.classes.includes('test');
  const parts = given ? (['train', 'test'] as const).map((p) => listClasses(path.join(dir, p))) : [top];
  // The labels: every class folder with at least one file (in any part), sorted.
  const all = [...new Set(parts.flatMap((p) => p.classes))].sort();
  const emptyClasses = all.filter((c) => parts.every((p) => !(p.files.get(c)?.length ?? 0)));
  for (const c of emptyClasses) log(`class folder "${c}" holds no files: left out of the labels`);
  const classes = all.filter((c) => !emptyClasses.includes(c));
  if (classes.length < 2)
    throw new Error(
      `--data ${dir}: found ${classes.length} class folder(s) with pictures (${classes.join(', ') || 'none'}); want at least 2 (one subfolder per class${given ? ' under train/ and test/' : ''})`,
    );
  const entries = parts.flatMap((p, part) =>
    classes.flatMap((c, label) =>
      (p.files.get(c) ?? []).map((f) => ({ file: given ? path.join(part ? 'test' : 'train', f) : f, label })),
    ),
  );
  const d = await decodeCached(dir, entries, o, log);
  if (!d.files.length) throw new Error(`--data ${dir}: none of the ${entries.length} files could be decoded`);

  let trainIdx: number[] = [],
    testIdx: number[] = [];
  const seed = o.seed ?? 1,
    testFraction = o.testFraction ?? 0.2;
  if (given) {
    d.files.forEach((f, i) => (f.startsWith(`test${path.sep}`) ? testIdx : trainIdx).push(i));
  } else {
    const rng = new Rng(seed);
    for (let c = 0; c < classes.length; c++) {
      const idx = rng.shuffle(d.files.map((_, i) => i).filter((i) => d.labels[i] === c));
      const cut = Math.round(idx.length * testFraction);
      testIdx.push(...idx.slice(0, cut));
      trainIdx.push(...idx.slice(cut));
    }
    testIdx = testIdx.sort((a, b) => a - b);
    trainIdx = trainIdx.sort((a, b) => a - b);
  }
  if (!trainIdx.length || !testIdx.length)
    throw new Error(`--data ${dir}: ${trainIdx.length} training and ${testIdx.length} test images; want both > 0`);
  const rel = (i: number) => d.files[i].split(path.sep).join('/');
  const testFiles = testIdx.map(rel);
  const split: ImageFolderSplit = {
    source: `image folder ${path.basename(path.resolve(dir))}: ${
      given
        ? 'the given train/ and test/ folders'
        : `seeded stratified split, ${testFraction * 100}% of each class held out`
    }, ${o.channels === 3 ? 'RGB' : 'gray'} ${o.width}x${o.height} (${fit})`,
    dir: portablePath(dir),
    layout: given ? 'train/test folders' : 'split',
    fit,
    ...(given ? {} : { seed, testFraction }),
    train: trainIdx.length,
    test: testIdx.length,
    testFilesSha256: createHash('sha256')
      .update([...testFiles].sort().join('\n'))
      .digest('hex'),
    skipped: d.skipped,
    emptyClasses,
  };
  return {
    train: toDataset(d, trainIdx, o, classes),
    test: toDataset(d, testIdx, o, classes),
    split,
    testFiles,
    trainFiles: trainIdx.map(rel),
  };
}
