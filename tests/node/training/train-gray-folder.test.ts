/**
 * npm run train -- --data <folder> on gray letters saved as RGB and RGBA files (R = G = B): with no --channels the
 * model takes one channel (training/data/gray.ts), meta.json says so, and the Worker app serves it from a model
 * store (the R2 binding's interface over the model folder) through its own decoder and preprocess. With
 * --no-robustness the run says so and leaves robustness.json out.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import app from '../../../functions/index.js';
import type { Bucket } from '../../../functions/runtime/store.js';
import { TSX } from '../helpers/tsx.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'edge-cnn-train-gray-'));
const data = path.join(tmp, 'letters'),
  out = path.join(tmp, 'models');
let run: ReturnType<typeof spawnSync>;

/** One letter, dark on light or light on dark, drawn by sharp from SVG text and saved in colour. */
const letter = (ch: string, i: number) => {
  const [fg, bg] = i % 2 ? ['#202020', '#f0f0f0'] : ['#e8e8e8', '#181818'];
  const side = 24 + 4 * i;
  return sharp(
    Buffer.from(
      `<svg xmlns="http://www.w3.org/2000/svg" width="${side}" height="${side}"><rect width="100%" height="100%" fill="${bg}"/><text x="50%" y="50%" font-family="DejaVu Sans" font-size="${side * 0.7}" fill="${fg}" text-anchor="middle" dominant-baseline="central">${ch}</text></svg>`,
    ),
  );
};

/** The R2 bucket's interface (functions/runtime/store.ts Bucket) over a folder of model folders. */
const folderBucket = (root: string): Bucket => ({
  list: async () => ({
    delimitedPrefixes: fs.readdirSync(root).map((n) => `${n}/`),
    truncated: false,
  }),
  get: async (key) => {
    const file = path.join(root, key);
    if (!fs.existsSync(file)) return null;
    const b = fs.readFileSync(file);
    return { arrayBuffer: async () => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) };
  },
});

beforeAll(async () => {
  for (const ch of ['L', 'T', 'O']) {
    fs.mkdirSync(path.join(data, ch), { recursive: true });
    for (let i = 0; i < 8; i++) {
      const img = letter(ch, i);
      // RGB and RGBA PNGs and JPEGs, every one gray.
      const file = path.join(data, ch, `${i}.${i % 4 === 3 ? 'jpg' : 'png'}`);
      await (i % 4 === 3 ? img.jpeg({ quality: 90 }) : i % 2 ? img.png() : img.removeAlpha().png()).toFile(file);
    }
  }
  expect((await sharp(path.join(data, 'L', '0.png')).metadata()).channels).toBe(3);
  run = spawnSync(
    TSX,
    [
      'training/cli/train.ts',
      ...['--data', data, '--name', 'gray-letters', '--out', out, '--size', '16', '--epochs', '1', '--no-robustness'],
    ],
    { encoding: 'utf8' },
  );
}, 300_000);
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('train on gray pictures in colour files', () => {
  it('one input channel, said by the run and by meta.json', () => {
    expect(run.status, String(run.stderr)).toBe(0);
    expect(run.stderr).toMatch(/gray pictures in colour files \(R = G = B in every one\): trained on one channel/);
    const meta = JSON.parse(fs.readFileSync(path.join(out, 'gray-letters', 'meta.json'), 'utf8'));
    expect(meta.input.shape).toEqual([1, 16, 16]);
    expect(meta.split.source).toMatch(/ gray 16x16 \(letterbox\)$/);
    expect(meta.preprocessing.protocol).toBe('letterbox');
    expect(run.stderr).toMatch(/, 1 epoch, batch /);
  });

  it('--no-robustness: held-out samples but no robustness.json, and the run says so', () => {
    const dir = path.join(out, 'gray-letters');
    expect(fs.existsSync(path.join(dir, 'samples.json'))).toBe(true);
    expect(fs.existsSync(path.join(dir, 'robustness.json'))).toBe(false);
    expect(run.stderr).toMatch(
      /\nrobustness\.json not made \(--no-robustness\): the edge fits a table per request to 10 s\n/,
    );
  });

  it('the Worker app serves it from the store: a colour upload of a letter is read as one gray plane', async () => {
    const env = { MODELS: folderBucket(out) };
    const card = await app.request('/models/gray-letters', {}, env);
    expect(card.status).toBe(200);
    const bytes = await letter('T', 3).png().toBuffer();
    const r = await app.request('/models/gray-letters/classify', { method: 'POST', body: bytes }, env);
    expect(r.status, await r.clone().text()).toBe(200);
    const body = (await r.json()) as {
      predictions: { label: string; score: number }[];
      preprocessing: { steps: string[] };
    };
    expect(body.predictions.map((p) => p.label).sort()).toEqual(['L', 'O', 'T']);
    expect(body.preprocessing.steps).toContain('grayscale');
  });
});
