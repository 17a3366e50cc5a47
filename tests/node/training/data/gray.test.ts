/**
 * Gray pictures in colour files (training/data/gray.ts and the folder default in training/cli/folder-setup.ts): a
 * folder of RGB and RGBA PNGs and JPEGs whose pixels all have R = G = B trains on one channel, with exactly the
 * pixels --channels 1 loads; one coloured picture, or --channels 3, keeps three.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { folderSetup } from '../../../../training/cli/folder-setup.js';
import type { Dataset } from '../../../../training/data/dataset.js';
import { equalPlanes, onePlane } from '../../../../training/data/gray.js';
import { loadImageFolder } from '../../../../training/data/image-folder.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'edge-cnn-gray-'));
const gray = path.join(tmp, 'gray'),
  mixed = path.join(tmp, 'mixed');

/** A w x h picture of a bar (vertical for class v, horizontal for h) in gray levels, as `channels` equal planes. */
function bar(cls: 'v' | 'h', i: number, channels: 3 | 4, w = 20 + 7 * i, h = 24 + 5 * i): sharp.Sharp {
  const px = Buffer.alloc(w * h * channels, 255);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const on = cls === 'v' ? Math.abs(x - w / 2) < w / 6 : Math.abs(y - h / 2) < h / 6;
      const v = on ? 30 + 10 * (i % 3) : 200 + ((x * 7 + y * 3 + i) % 50);
      for (let c = 0; c < 3; c++) px[(y * w + x) * channels + c] = v;
    }
  return sharp(px, { raw: { width: w, height: h, channels } });
}

async function write(dir: string, colourFile?: string) {
  for (const cls of ['v', 'h'] as const) {
    fs.mkdirSync(path.join(dir, cls), { recursive: true });
    for (let i = 0; i < 6; i++) {
      const file = path.join(dir, cls, `${i}.${i % 3 === 2 ? 'jpg' : 'png'}`);
      const img = bar(cls, i, i % 3 === 1 ? 4 : 3);
      await (i % 3 === 2 ? img.jpeg({ quality: 90 }) : img.png()).toFile(file);
    }
  }
  if (colourFile)
    await sharp({ create: { width: 30, height: 30, channels: 3, background: { r: 200, g: 40, b: 40 } } })
      .png()
      .toFile(path.join(dir, colourFile));
}

beforeAll(async () => {
  await write(gray);
  await write(mixed, 'h/red.png');
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const setup = (dir: string, channels?: 1 | 3) =>
  folderSetup(dir, { seed: 1, size: [16, 16], channels, cacheDir: null, log: () => {} });

describe('equalPlanes and onePlane', () => {
  const set = (planes: number[][]): Dataset => ({
    images: new Float32Array(planes.flat()),
    labels: new Uint8Array([0]),
    n: 1,
    shape: [planes.length, 1, planes[0].length],
    classes: ['a'],
  });

  it('three equal planes are gray and become one; a difference of one level in one pixel is colour', () => {
    const g = set([
      [0.2, 0.6],
      [0.2, 0.6],
      [0.2, 0.6],
    ]);
    expect(equalPlanes(g)).toBe(true);
    expect(onePlane(g)).toMatchObject({ shape: [1, 1, 2], n: 1, images: new Float32Array([0.2, 0.6]) });
    const c = set([
      [0.2, 0.6],
      [0.2, 0.6 + 1 / 255],
      [0.2, 0.6],
    ]);
    expect(equalPlanes(c)).toBe(false);
    expect(equalPlanes(set([[0.2, 0.6]]))).toBe(false); // one channel already: nothing to detect
    expect(() => onePlane(set([[0.2, 0.6]]))).toThrow(/wants 3 channels, got 1/);
  });
});

describe('folderSetup: gray pictures in colour files', () => {
  it('the probe sees colour files, the pixels are gray: one channel, the pixels --channels 1 loads', async () => {
    const s = await setup(gray);
    expect(s.preset.arch.input).toEqual([1, 16, 16]);
    expect(s.data.train.shape).toEqual([1, 16, 16]);
    expect(s.watch.shape).toEqual([1, 16, 16]);
    expect((s.data.split as { source: string }).source).toMatch(/ gray 16x16 \(letterbox\)$/);
    expect(s.preset.description).toMatch(/grayscale/);
    const forced = await loadImageFolder(gray, {
      channels: 1,
      height: 16,
      width: 16,
      seed: 1,
      testFraction: 0.2,
      cacheDir: null,
      progress: false,
      log: () => {},
    });
    expect(s.testFiles).toEqual(forced.testFiles);
    expect(s.data.test.images).toEqual(forced.test.images);
    // The same files as RGB: three equal planes (the default of the previous code), each the one plane.
    const rgb = await setup(gray, 3);
    expect(rgb.preset.arch.input).toEqual([3, 16, 16]);
    expect(equalPlanes(rgb.data.test)).toBe(true);
    expect(onePlane(rgb.data.test).images).toEqual(forced.test.images);
  });

  it('one coloured picture among them keeps three channels', async () => {
    const s = await setup(mixed);
    expect(s.preset.arch.input).toEqual([3, 16, 16]);
    expect((s.data.split as { source: string }).source).toMatch(/ RGB 16x16/);
  });
});
