/** Large uploads are shrunk while their rows are decoded (box filter), and refused from the header over budget. */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../../../../functions/core/image/decode.js';
import { Shrinker, shrinkTo, shrinkToSide } from '../../../../../functions/core/image/shrink.js';
import { neutral } from '../../../../../functions/core/image/ops.js';
import { DEFAULT_LIMITS, type Raster } from '../../../../../functions/core/image/types.js';

/** The area average by its definition, in float64: each target pixel's rectangle integrated over the samples. */
function areaReference(data: Uint8Array, W: number, H: number, ch: number, w: number, h: number): number[] {
  const fx = W / w,
    fy = H / h,
    out: number[] = [];
  const overlap = (a0: number, a1: number, b0: number, b1: number) => Math.max(0, Math.min(a1, b1) - Math.max(a0, b0));
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let c = 0; c < ch; c++) {
        let s = 0;
        for (let sy = Math.floor(y * fy); sy < Math.min(H, Math.ceil((y + 1) * fy)); sy++)
          for (let sx = Math.floor(x * fx); sx < Math.min(W, Math.ceil((x + 1) * fx)); sx++)
            s +=
              overlap(y * fy, (y + 1) * fy, sy, sy + 1) *
              overlap(x * fx, (x + 1) * fx, sx, sx + 1) *
              data[(sy * W + sx) * ch + c];
        out.push(s / (fx * fy));
      }
  return out;
}

describe('shrinking to any size (area average)', () => {
  for (const [W, H, ch, w, h] of [
    [13, 7, 1, 5, 3],
    [150, 200, 3, 84, 112],
    [140, 140, 1, 112, 112],
    [9, 9, 3, 9, 4],
  ] as const)
    it(`${W}x${H}x${ch} to ${w}x${h}: each pixel the mean of the area it covers, to the nearest integer`, () => {
      const data = Uint8Array.from({ length: W * H * ch }, (_, i) => (i * 37 + ((i / 7) | 0) * 11) % 256);
      const got = shrinkTo({ width: W, height: H, channels: ch, data }, w, h);
      expect([got.width, got.height, got.channels]).toEqual([w, h, ch]);
      const ref = areaReference(data, W, H, ch, w, h);
      // Rounded to 8 bits: within half a level plus float32 rounding of the sums.
      for (let i = 0; i < ref.length; i++) expect(Math.abs(got.data[i] - ref[i])).toBeLessThanOrEqual(0.5 + 1e-3);
    });

  it('shrinkToSide(gray) of an RGB picture is shrinkToSide(neutral(picture)): one channel where every pixel is gray', () => {
    const W = 140,
      H = 97;
    const g = Uint8Array.from({ length: W * H }, (_, i) => (i * 37 + ((i / 7) | 0) * 11) % 256);
    const gray: Raster = {
      width: W,
      height: H,
      channels: 3,
      data: Uint8Array.from({ length: 3 * W * H }, (_, k) => g[(k / 3) | 0]),
    };
    // Coloured only at the last pixel, or the first: read as gray until then, then as RGB.
    const late: Raster = { ...gray, data: gray.data.slice() },
      early: Raster = { ...gray, data: gray.data.slice() };
    late.data[3 * W * H - 1] ^= 1;
    early.data[1] ^= 1;
    for (const r of [gray, late, early])
      for (const side of [112, 50, 140, 200]) {
        const got = shrinkToSide(r, side, true);
        expect(got).toEqual(shrinkToSide(neutral(r), side));
        expect(got.channels).toBe(r === gray ? 1 : 3);
      }
  });

  it('shrinkToSide keeps the aspect ratio and leaves a picture within the side as it is', () => {
    const r = { width: 300, height: 120, channels: 1 as const, data: new Uint8Array(300 * 120).fill(200) };
    const s = shrinkToSide(r, 112);
    expect([s.width, s.height]).toEqual([112, 45]);
    expect(s.data.every((v) => v === 200)).toBe(true);
    expect(shrinkToSide(r, 300)).toBe(r);
  });
});

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

  for (const [W, H, ch, f] of [
    [280, 280, 3, 2],
    [281, 7, 3, 2],
    [13, 5, 1, 2],
    [14, 9, 1, 3],
    [11, 10, 3, 4],
  ] as const)
    it(`${W}x${H}x${ch} by ${f}: each pixel the rounded mean of its block's samples (edge blocks what they have)`, () => {
      const data = Uint8Array.from({ length: W * H * ch }, (_, i) => (i * 37 + ((i / 7) | 0) * 11) % 256);
      const s = new Shrinker(W, H, ch, f);
      for (let y = 0; y < H; y++) s.push(data.subarray(y * W * ch, (y + 1) * W * ch));
      const w = Math.ceil(W / f),
        h = Math.ceil(H / f),
        want: number[] = [];
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++)
          for (let c = 0; c < ch; c++) {
            let sum = 0,
              n = 0;
            for (let sy = y * f; sy < Math.min(H, (y + 1) * f); sy++)
              for (let sx = x * f; sx < Math.min(W, (x + 1) * f); sx++, n++) sum += data[(sy * W + sx) * ch + c];
            want.push(Math.round(sum / n));
          }
      expect([s.out.width, s.out.height]).toEqual([w, h]);
      expect(Array.from(s.out.data)).toEqual(want);
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

  it('a 2400x1800 JPEG is decoded at 1/4 by the inverse DCT: the area average libvips computes', async () => {
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
    // At most 1024 a side, at least 512 (the least an integer factor would leave): 1/4, all by the inverse DCT.
    expect(d.steps).toEqual(['decode 2400x1800 at 1/4 size (scaled inverse DCT)']);
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
