/**
 * The image-folder loader on a fixture made by tests/fixtures/make-image-folder.ts: mixed formats and sizes, a
 * corrupt file (reported by name, skipped) and an empty class folder (reported, left out); colours, letterbox
 * and crop, the seeded stratified split, a given train/ + test/ layout and the decoded-data cache.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stratifiedSubset } from '../../../../training/data/dataset.js';
import { loadImageFolder, type ImageFolderOptions } from '../../../../training/data/image-folder.js';
import { FIXTURE_COLOURS, makeImageFolder } from '../../../fixtures/make-image-folder.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'edge-cnn-folder-'));
const dir = path.join(tmp, 'pictures');
const cacheDir = path.join(tmp, 'cache');
let made: Record<string, string[]>;

const load = (o: Partial<ImageFolderOptions> = {}, folder = dir) => {
  const lines: string[] = [];
  const data = loadImageFolder(folder, {
    channels: 3,
    height: 16,
    width: 16,
    cacheDir: null,
    progress: false,
    log: (l) => lines.push(l),
    ...o,
  });
  return data.then((d) => ({ ...d, lines }));
};

beforeAll(async () => {
  made = await makeImageFolder(dir);
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Mean of channel `ch` of image i over the pixels whose mask is true. */
function mean(
  d: { images: Float32Array; shape: number[] },
  i: number,
  ch: number,
  where = (_y: number, _x: number) => true,
) {
  const [c, h, w] = d.shape;
  let s = 0,
    n = 0;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      if (where(y, x)) {
        s += d.images[i * c * h * w + ch * h * w + y * w + x];
        n++;
      }
  return s / n;
}

describe('loadImageFolder', () => {
  it('reads every format and size, reports the corrupt file by name and the empty class folder, and goes on', async () => {
    const r = await load();
    expect(r.train.classes).toEqual(['blue', 'green', 'red']);
    expect(r.lines).toContainEqual(expect.stringMatching(/^skipped blue\/broken\.png: unreadable \(.+\)$/));
    expect(r.lines).toContainEqual('class folder "empty" holds no files: left out of the labels');
    expect(r.split.skipped.map((s) => s.file)).toEqual(['blue/broken.png']);
    expect(r.split.emptyClasses).toEqual(['empty']);
    const readable = Object.values(made).flat().length;
    expect(r.train.n + r.test.n).toBe(readable);
    expect(r.train.shape).toEqual([3, 16, 16]);
  });

  it('RGB pictures keep their colours in planar C,H,W order; transparency is composited on white', async () => {
    const r = await load({ testFraction: 0.5 });
    const all = [r.train, r.test];
    for (const d of all)
      for (let i = 0; i < d.n; i++) {
        const cls = d.classes[d.labels[i]] as keyof typeof FIXTURE_COLOURS;
        const rgb = [0, 1, 2].map((ch) => mean(d, i, ch, (y, x) => y >= 7 && y <= 9 && x >= 9 && x <= 11));
        // Solid colour inside the picture (letterboxed or not), away from the corner square; the transparent PNG is white.
        const transparent = rgb.every((v) => v > 0.95);
        if (transparent) {
          expect(cls).toBe('green');
          continue;
        }
        // Within 0.12: GIF's palette and JPEG's chroma subsampling move colours a little.
        FIXTURE_COLOURS[cls].forEach((v, ch) => expect(Math.abs(rgb[ch] - v / 255)).toBeLessThan(0.12));
      }
    // The transparent PNG is there, on white.
    expect(all.some((d) => [...Array(d.n).keys()].some((i) => mean(d, i, 0) > 0.95 && mean(d, i, 2) > 0.95))).toBe(
      true,
    );
  });

  it('gray: one channel, the luminance of the colour', async () => {
    const r = await load({ channels: 1, testFraction: 0.5 });
    expect(r.train.shape).toEqual([1, 16, 16]);
    const i = r.train.labels.indexOf(r.train.classes.indexOf('blue'));
    // Rec. 601 / sRGB luminance of (30, 40, 220) is about 0.2; never the blue channel's 0.86.
    expect(mean(r.train, i, 0, (y, x) => y > 10 && x > 10)).toBeLessThan(0.35);
  });

  it('letterbox pads a wide picture with black bars; crop fills the square', async () => {
    const wide = made.red.findIndex((f) => f.endsWith('-2.webp')); // 300x120
    expect(wide).toBeGreaterThanOrEqual(0);
    const picture = async (fit: 'letterbox' | 'crop') => {
      const r = await load({ fit });
      const k = r.testFiles.indexOf(made.red[wide]);
      return k >= 0 ? { d: r.test, i: k, r } : { d: r.train, i: r.trainFiles.indexOf(made.red[wide]), r };
    };
    const lb = await picture('letterbox'),
      cr = await picture('crop');
    expect(lb.i).toBeGreaterThanOrEqual(0);
    // 300x120 into 16x16: 16x6.4 of picture, about 5 rows of black above and below.
    expect(mean(lb.d, lb.i, 0, (y) => y < 4)).toBeLessThan(0.02);
    expect(mean(lb.d, lb.i, 0, (y, x) => y === 8 && x > 8)).toBeGreaterThan(0.8);
    expect(mean(cr.d, cr.i, 0, (y, x) => y < 4 && x > 8)).toBeGreaterThan(0.8);
    expect(lb.r.split.fit).toBe('letterbox');
    expect(cr.r.split.fit).toBe('crop');
  });

  it('the split is stratified and seeded: the same seed gives the same test files, another seed others', async () => {
    const a = await load({ seed: 5, testFraction: 0.3 }),
      b = await load({ seed: 5, testFraction: 0.3 }),
      c = await load({ seed: 6, testFraction: 0.3 });
    expect(a.testFiles).toEqual(b.testFiles);
    expect(a.split.testFilesSha256).toBe(b.split.testFilesSha256);
    expect(c.split.testFilesSha256).not.toBe(a.split.testFilesSha256);
    // 3 of each class's 10 (blue: 10 readable, green: 11) to the test set.
    const counts = a.test.classes.map((_, k) => a.test.labels.filter((l) => l === k).length);
    expect(counts).toEqual([3, 3, 3]);
    expect(a.split).toMatchObject({ layout: 'split', seed: 5, testFraction: 0.3, test: 9 });
  });

  it('a given train/ + test/ layout is used as it is', async () => {
    const given = path.join(tmp, 'given');
    for (const part of ['train', 'test'])
      for (const cls of ['red', 'blue']) {
        fs.mkdirSync(path.join(given, part, cls), { recursive: true });
        for (const f of made[cls].slice(part === 'train' ? 0 : 7, part === 'train' ? 7 : 10))
          fs.copyFileSync(path.join(dir, f), path.join(given, part, cls, path.basename(f)));
      }
    const r = await load({}, given);
    expect(r.split.layout).toBe('train/test folders');
    expect([r.train.n, r.test.n]).toEqual([14, 6]);
    expect(r.testFiles.every((f) => f.startsWith('test/'))).toBe(true);
  });

  it('a second load reads the decoded pictures from the cache; a changed file decodes again', async () => {
    const first = await load({ cacheDir });
    expect(first.lines.some((l) => l.includes('from the cache'))).toBe(false);
    const second = await load({ cacheDir });
    expect(second.lines).toContainEqual(expect.stringMatching(/read from the cache/));
    expect(second.lines).toContainEqual(expect.stringMatching(/^skipped blue\/broken\.png: unreadable .*\[cached\]$/));
    expect(second.train.images).toEqual(first.train.images);
    expect(second.testFiles).toEqual(first.testFiles);
    const f = path.join(dir, made.red[0]);
    const t = new Date(Date.now() + 5000);
    fs.utimesSync(f, t, t);
    const third = await load({ cacheDir });
    expect(third.lines.some((l) => l.includes('from the cache'))).toBe(false);
  });

  it('too few classes is a clear error', async () => {
    const one = path.join(tmp, 'one');
    fs.mkdirSync(path.join(one, 'red'), { recursive: true });
    fs.copyFileSync(path.join(dir, made.red[0]), path.join(one, 'red', 'a.png'));
    await expect(load({}, one)).rejects.toThrow(/found 1 class folder\(s\) with pictures \(red\); want at least 2/);
    await expect(load({}, path.join(tmp, 'nothing-here'))).rejects.toThrow(/nothing-here: no such folder\. Want one/);
    await expect(load({}, path.join(one, 'red', 'a.png'))).rejects.toThrow(/a\.png: a file, not a folder\. Want one/);
  });
});

describe('stratifiedSubset (--limit)', () => {
  it('keeps every class in proportion, seeded', () => {
    const n = 1000;
    // Sorted by class, as the MNIST split is: the first 100 would be all zeros.
    const labels = Uint8Array.from({ length: n }, (_, i) => (i < 500 ? 0 : i < 800 ? 1 : 2));
    const d = {
      images: Float32Array.from(labels.keys()),
      labels,
      n,
      shape: [1, 1, 1] as [number, number, number],
      classes: ['a', 'b', 'c'],
    };
    const s = stratifiedSubset(d, 100, 7);
    expect([0, 1, 2].map((c) => s.labels.filter((l) => l === c).length)).toEqual([50, 30, 20]);
    expect(Array.from(s.images, (i) => labels[i])).toEqual(Array.from(s.labels)); // images travel with their labels
    expect(stratifiedSubset(d, 100, 7).images).toEqual(s.images);
    expect(stratifiedSubset(d, 100, 8).images).not.toEqual(s.images);
  });
});
