/** EXIF orientation 1-8: the decoded picture stands as sharp (libvips autorotate) turns it, and the steps say so. */
import fs from 'node:fs';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../../../../functions/core/image/decode.js';
import { jpegInfo } from '../../../../../functions/core/image/sniff.js';
import { toGray } from '../../../../../functions/core/image/ops.js';
import { orient } from '../../../../../functions/core/image/orient.js';

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

describe('orient', () => {
  it('moves every sample where the TIFF orientation puts it, for 1 and 3 channels (a naive reference)', () => {
    // The stored (sx, sy) of the upright (x, y), from TIFF 6.0's wording of each orientation.
    const stored = (o: number, x: number, y: number, W: number, H: number): [number, number] =>
      [
        [x, y],
        [x, y],
        [W - 1 - x, y],
        [W - 1 - x, H - 1 - y],
        [x, H - 1 - y],
        [y, x],
        [y, H - 1 - x],
        [W - 1 - y, H - 1 - x],
        [W - 1 - y, x],
      ][o] as [number, number];
    for (const ch of [1, 3] as const)
      for (let o = 1; o <= 8; o++) {
        const W = 5,
          H = 3;
        const r = { width: W, height: H, channels: ch, data: Uint8Array.from({ length: W * H * ch }, (_, i) => i) };
        const t = orient(r, o);
        const [w, h] = o >= 5 ? [H, W] : [W, H];
        expect([t.width, t.height, t.channels]).toEqual([w, h, ch]);
        const want = new Uint8Array(W * H * ch);
        for (let y = 0; y < h; y++)
          for (let x = 0; x < w; x++) {
            const [sx, sy] = stored(o, x, y, W, H);
            for (let c = 0; c < ch; c++) want[(y * w + x) * ch + c] = r.data[(sy * W + sx) * ch + c];
          }
        expect(Array.from(t.data), `orientation ${o}, ${ch} channel(s)`).toEqual(Array.from(want));
      }
  });
});
