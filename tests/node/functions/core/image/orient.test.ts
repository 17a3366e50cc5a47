/** EXIF orientation 1-8: the decoded picture stands as sharp (libvips autorotate) turns it, and the steps say so. */
import fs from 'node:fs';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../../../../functions/core/image/decode.js';
import { jpegInfo } from '../../../../../functions/core/image/sniff.js';
import { toGray } from '../../../../../functions/core/image/ops.js';

const fx = (name: string) => new Uint8Array(fs.readFileSync(`tests/fixtures/images/${name}`));

describe('EXIF orientation', () => {
  for (let o = 1; o <= 8; o++) {
    it(`orientation ${o}: upright as libvips turns it`, async () => {
      const file = fx(`photo-7-exif-${o}.jpg`);
      expect(jpegInfo(file).orientation).toBe(o);
      const ref = await sharp(file).rotate().greyscale().raw().toBuffer({ resolveWithObject: true });
      const d = await decodeImage(file);
      const g = toGray(d.raster);
      // The file is stored turned for 5-8 (400x300); upright it is 300x400, as it was drawn.
      expect([g.width, g.height]).toEqual([300, 400]);
      expect([ref.info.width, ref.info.height]).toEqual([300, 400]);
      let sum = 0;
      for (let i = 0; i < ref.data.length; i++) sum += Math.abs(g.data[i] * 255 - ref.data[i]);
      expect(sum / ref.data.length).toBeLessThan(1.5);
      if (o === 1) expect(d.steps).toEqual([]);
      else expect(d.steps).toEqual([expect.stringMatching(new RegExp(`^EXIF orientation ${o}: .* to stand upright$`))]);
    });
  }
});
