/** WebP through libwebp in wasm against sharp's libwebp; the header read first (size, animation, truncation). */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../../../../functions/core/image/decode.js';
import { detectFormat, webpInfo } from '../../../../../functions/core/image/sniff.js';
import { DEFAULT_LIMITS } from '../../../../../functions/core/image/types.js';

const W = 83,
  H = 45;
const rgba = Buffer.from(
  Uint8Array.from({ length: W * H * 4 }, (_, i) => {
    const p = (i / 4) | 0,
      x = p % W,
      y = (p / W) | 0,
      c = i % 4;
    return c === 3 ? (x < 20 ? 128 : 255) : c === 0 ? (x * 3 + y) % 256 : c === 1 ? (y * 5) % 256 : 200 - x;
  }),
);
const src = () => sharp(rgba, { raw: { width: W, height: H, channels: 4 } });

describe('WebP', () => {
  for (const [name, options] of [
    ['lossy', { quality: 80 }],
    ['lossless', { lossless: true }],
    ['lossy with alpha', { quality: 80, alphaQuality: 100 }],
  ] as const)
    it(`${name}: the pixels libwebp (sharp) decodes, alpha on white`, async () => {
      const file = new Uint8Array(await src().webp(options).toBuffer());
      expect(detectFormat(file)).toBe('webp');
      expect(webpInfo(file)).toMatchObject({ width: W, height: H, animated: false, riffBytes: file.length });
      const ref = await sharp(file).flatten({ background: '#ffffff' }).removeAlpha().raw().toBuffer();
      const d = await decodeImage(file);
      expect([d.format, d.raster.width, d.raster.height, d.raster.channels]).toEqual(['webp', W, H, 3]);
      let sum = 0,
        worst = 0;
      for (let i = 0; i < ref.length; i++) {
        const e = Math.abs(ref[i] - d.raster.data[i]);
        sum += e;
        worst = Math.max(worst, e);
      }
      // The same decoder; compositing on white rounds once here and once in libvips.
      expect(sum / ref.length).toBeLessThan(0.6);
      expect(worst).toBeLessThanOrEqual(2);
    });

  it('a large WebP is shrunk to the working side; over the budget it is refused from its header', async () => {
    const file = new Uint8Array(
      await sharp({ create: { width: 2100, height: 900, channels: 3, background: '#406080' } })
        .webp({ quality: 70 })
        .toBuffer(),
    );
    const d = await decodeImage(file);
    expect([d.raster.width, d.raster.height, d.steps]).toEqual([
      700,
      300,
      ['shrink 2100x900 by 3 while decoding (box filter)'],
    ]);
    expect(Array.from(d.raster.data.subarray(0, 3)).map((v) => Math.round(v / 8))).toEqual([8, 12, 16]);
    await expect(decodeImage(file, { ...DEFAULT_LIMITS, budgetBytes: 16 * 1024 * 1024 })).rejects.toMatchObject({
      status: 413,
      detail: expect.stringMatching(
        /^decoding this 2100x900 WebP needs about 2\d\.\d MiB; the memory budget for one request is 16 MiB\. Send a smaller image \(or a JPEG\)\.$/,
      ),
    });
  });

  it('a truncated WebP is a 422 that says where its data ends; an animated one a 415', async () => {
    const file = new Uint8Array(await src().webp({ quality: 80 }).toBuffer());
    await expect(decodeImage(file.subarray(0, 200))).rejects.toMatchObject({
      status: 422,
      detail: `WebP could not be decoded: the file is truncated: its data ends at byte 200; its header says ${file.length} bytes. Send the whole file.`,
    });
    const frame = (background: string) =>
      sharp({ create: { width: 20, height: 10, channels: 3, background } })
        .png()
        .toBuffer();
    const animated = new Uint8Array(
      await sharp([await frame('#ff0000'), await frame('#00ff00')], { join: { animated: true } })
        .webp()
        .toBuffer(),
    );
    expect(webpInfo(animated).animated).toBe(true);
    await expect(decodeImage(animated)).rejects.toMatchObject({
      status: 415,
      detail: expect.stringMatching(/^animated WebP images are not supported/),
    });
  });
});
