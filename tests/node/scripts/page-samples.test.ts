/**
 * The playground's held-out pictures (scripts/page-samples.ts): one PNG per class from each model's samples.json, the
 * model's input as it is (decoded back, the same 8-bit samples), and the index the page reads.
 */
import { decode } from 'fast-png';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writePageSamples } from '../../../scripts/page-samples.js';

describe('samples:page', () => {
  it('writes the first held-out picture of each class of every model, as the model takes it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'page-samples-')),
      out = path.join(dir, 'models');
    try {
      const index = writePageSamples('models', out);
      expect(JSON.parse(fs.readFileSync(`${out}.json`, 'utf8'))).toEqual(index);
      for (const name of ['digits', 'fashion', 'shapes']) {
        const meta = JSON.parse(fs.readFileSync(`models/${name}/meta.json`, 'utf8')) as { labels: string[] };
        const s = JSON.parse(fs.readFileSync(`models/${name}/samples.json`, 'utf8')) as {
          shape: [number, number, number];
          labels: number[];
          pixels: string;
        };
        // Every class the samples hold, in class order, titled by its label.
        const held = meta.labels.filter((_, k) => s.labels.includes(k));
        expect(index[name].map((x) => x.title)).toEqual(held.map((l) => `${l} (held out, ${name})`));
        const [c, h, w] = s.shape,
          size = c * h * w,
          pixels = Buffer.from(s.pixels, 'base64');
        for (const { file } of index[name]) {
          const k = Number(path.basename(file).split('-')[0]);
          const png = decode(fs.readFileSync(path.join(dir, file)));
          expect([png.width, png.height, png.channels]).toEqual([w, h, c]);
          const first = s.labels.indexOf(k);
          // Interleaved rows back to the planes the model takes.
          const planes = Uint8Array.from(
            { length: size },
            (_, i) => png.data[(i % (h * w)) * c + Math.floor(i / (h * w))],
          );
          expect(Buffer.from(planes).equals(pixels.subarray(first * size, (first + 1) * size))).toBe(true);
        }
      }
      expect(index.shapes.map((x) => x.file)).toContain('models/shapes/4-star.png');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
