/** Large uploads are shrunk while their rows are decoded (box filter), and refused from the header over budget. */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../../../../functions/core/image/decode.js';
import { Shrinker } from '../../../../../functions/core/image/shrink.js';
import { DEFAULT_LIMITS } from '../../../../../functions/core/image/types.js';

describe('shrinking while decoding', () => {
  it('averages whole f x f blocks, and what is left at the right and bottom edges', () => {
    const s = new Shrinker(5, 3, 1, 2);
    for (const row of [
      [0, 2, 4, 6, 8],
      [2, 4, 6, 8, 10],
      [9, 9, 9, 9, 1],
    ])
      s.push(Uint8Array.from(row));
    expect([s.out.width, s.out.height]).toEqual([3, 2]);
    expect(Array.from(s.out.data)).toEqual([2, 6, 9, 9, 9, 1]);
  });

  it('a 3000x2000 PNG arrives as 1000x667, the area average libvips computes', async () => {
    const W = 3000,
      H = 2000;
    const raw = Buffer.from(Uint8Array.from({ length: W * H }, (_, i) => ((i % W) * 7 + ((i / W) | 0) * 3) % 251));
    const png = await sharp(raw, { raw: { width: W, height: H, channels: 1 } })
      .png()
      .toBuffer();
    const d = await decodeImage(new Uint8Array(png));
    expect([d.raster.width, d.raster.height, d.width, d.height]).toEqual([1000, 667, 3000, 2000]);
    expect(d.steps).toEqual(['shrink 3000x2000 by 3 while decoding (box filter)']);
    const ref = await sharp(png)
      .extract({ left: 0, top: 0, width: 3000, height: 1998 })
      .resize(1000, 666, { kernel: 'linear', fastShrinkOnLoad: false })
      .raw()
      .toBuffer();
    let sum = 0;
    for (let i = 0; i < ref.length; i++) sum += Math.abs(ref[i] - d.raster.data[i]);
    expect(sum / ref.length).toBeLessThan(2);
  });

  it('a 2400x1800 JPEG is decoded at 1/2 by the inverse DCT, then box-shrunk by 2: the area average libvips computes', async () => {
    const W = 2400,
      H = 1800;
    const raw = Buffer.from(
      Uint8Array.from({ length: W * H }, (_, i) => 128 + Math.round(100 * Math.sin((i % W) / 40 + ((i / W) | 0) / 30))),
    );
    const jpeg = await sharp(raw, { raw: { width: W, height: H, channels: 1 } })
      .jpeg({ quality: 90 })
      .toBuffer();
    const d = await decodeImage(new Uint8Array(jpeg));
    expect([d.raster.width, d.raster.height]).toEqual([600, 450]);
    expect(d.steps).toEqual([
      'decode 2400x1800 at 1/2 size (scaled inverse DCT)',
      'shrink 1200x900 by 2 while decoding (box filter)',
    ]);
    // At side 300 the factor is 8: all of it by the inverse DCT.
    const small = await decodeImage(new Uint8Array(jpeg), DEFAULT_LIMITS, 300);
    expect([small.raster.width, small.raster.height, ...small.steps]).toEqual([
      300,
      225,
      'decode 2400x1800 at 1/8 size (scaled inverse DCT)',
    ]);
    const ref = await sharp(jpeg).resize(600, 450, { kernel: 'linear', fastShrinkOnLoad: false }).raw().toBuffer();
    let sum = 0;
    for (let i = 0; i < ref.length; i++) sum += Math.abs(ref[i] - d.raster.data[i]);
    expect(sum / ref.length).toBeLessThan(1);
  });

  it('refuses, from the header, an interlaced PNG whose decoding would exceed the budget: a 413 that says it', async () => {
    const png = await sharp({ create: { width: 1200, height: 1200, channels: 4, background: '#ffffff80' } })
      .png({ progressive: true })
      .toBuffer();
    await expect(
      decodeImage(new Uint8Array(png), { ...DEFAULT_LIMITS, budgetBytes: 4 * 1024 * 1024 }),
    ).rejects.toMatchObject({
      status: 413,
      detail: expect.stringMatching(
        /decoding this 1200x1200 interlaced PNG needs about 6\.\d MiB; the memory budget for one request is 4 MiB/,
      ),
    });
    // The same picture not interlaced streams row by row: well within the same budget.
    const flat = await sharp(png).png().toBuffer();
    expect(
      (await decodeImage(new Uint8Array(flat), { ...DEFAULT_LIMITS, budgetBytes: 4 * 1024 * 1024 })).raster.width,
    ).toBe(1024 > 1200 ? 1200 : 600);
  });
});
