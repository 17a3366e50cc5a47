/**
 * The image-folder loader makes each picture into the model's input as the edge makes an upload (training/data/
 * edge-decode.ts): on the fixture's PNG, WebP and JPEG files (sizes from 20x20 to 300x120, so shrinking, enlarging
 * and letterbox bars), gray and RGB, letterbox and crop, the loaded tensor matches the edge's decodeImage at the
 * protocol's working side followed by preprocess(), as classify runs them. sharp's lanczos3 resize, which the loader
 * used before, is far from it on the same files.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../../../../functions/core/image/decode.js';
import { preprocess, workingSide } from '../../../../functions/core/preprocess.js';
import { loadImageFolder, type Fit } from '../../../../training/data/image-folder.js';
import { makeImageFolder } from '../../../fixtures/make-image-folder.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'edge-cnn-edge-decode-'));
const dir = path.join(tmp, 'pictures');
beforeAll(() => makeImageFolder(dir));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const CASES: { channels: 1 | 3; side: number; fit: Fit }[] = [
  { channels: 1, side: 32, fit: 'letterbox' },
  { channels: 3, side: 16, fit: 'letterbox' },
  { channels: 3, side: 32, fit: 'crop' },
];

describe('image-folder pictures as the edge makes them', () => {
  for (const { channels, side, fit } of CASES)
    it(`${channels === 1 ? 'gray' : 'RGB'} ${side}x${side} ${fit}: the loaded tensor is the edge's input`, async () => {
      const shape: [number, number, number] = [channels, side, side];
      const d = await loadImageFolder(dir, {
        channels,
        height: side,
        width: side,
        fit,
        testFraction: 0.5,
        cacheDir: null,
        progress: false,
        log: () => {},
      });
      const size = channels * side * side;
      let compared = 0,
        lanczosFar = 0;
      for (const [i, file] of d.testFiles.entries()) {
        const ext = path.extname(file);
        if (!['.png', '.webp', '.jpg'].includes(ext)) continue;
        const bytes = new Uint8Array(fs.readFileSync(path.join(dir, file)));
        const edge = preprocess((await decodeImage(bytes, undefined, workingSide(shape, fit))).raster, shape, fit);
        const got = d.test.images.subarray(i * size, (i + 1) * size);
        let max = 0,
          sum = 0;
        for (let p = 0; p < size; p++) {
          const e = Math.abs(got[p] - edge.input[p]);
          max = Math.max(max, e);
          sum += e;
        }
        // PNG and lossless WebP: the same samples up to the alpha compositing's rounding; JPEG: another decoder.
        if (ext === '.jpg') expect(sum / size, file).toBeLessThan(0.01);
        else expect(max, file).toBeLessThan(1.5 / 255);
        compared++;
        // sharp's resize of the same file (what the loader did before): a different picture wherever it resamples.
        const { data } = await sharp(bytes)
          .flatten({ background: '#ffffff' })
          [channels === 1 ? 'greyscale' : 'removeAlpha']()
          .resize(side, side, { fit: fit === 'letterbox' ? 'contain' : 'cover', background: '#000000' })
          .raw()
          .toBuffer({ resolveWithObject: true });
        let lanczos = 0;
        for (let p = 0; p < side * side; p++) lanczos = Math.max(lanczos, Math.abs(data[p * channels] / 255 - got[p]));
        if (lanczos > 0.05) lanczosFar++;
      }
      expect(compared).toBeGreaterThanOrEqual(6);
      expect(lanczosFar).toBeGreaterThan(0);
    });
});
