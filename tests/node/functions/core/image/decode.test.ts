/** PNG/JPEG decoding and header sniffing against sharp (libvips) as the reference decoder. */
import fs from 'node:fs';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../../../../functions/core/image/decode.js';
import { detectFormat, imageSize, signature } from '../../../../../functions/core/image/sniff.js';
import { toGray } from '../../../../../functions/core/image/ops.js';

const fx = (name: string) => new Uint8Array(fs.readFileSync(`tests/fixtures/images/${name}`));

/** sharp's reading of the same file: grayscale, alpha flattened on white, 0..1. */
async function reference(name: string) {
  const { data, info } = await sharp(fx(name))
    .flatten({ background: '#ffffff' })
    .greyscale()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data: Float32Array.from(data, (v) => v / 255), width: info.width, height: info.height };
}

describe('decodeImage', () => {
  for (const name of [
    'digit-7-280.png',
    'digit-7-16bit.png',
    'digit-7-palette.png',
    'digit-7-interlaced.png',
    'digit-7-alpha.png',
    'digit-7-28.png',
    'digit-7-280.jpg',
    'digit-7-progressive.jpg',
    'digit-7-rgb.jpg',
  ]) {
    it(`${name} decodes to the pixels sharp decodes`, async () => {
      const ref = await reference(name);
      const got = toGray((await decodeImage(fx(name))).raster);
      expect([got.width, got.height]).toEqual([ref.width, ref.height]);
      let worst = 0,
        sum = 0;
      for (let i = 0; i < ref.data.length; i++) {
        const d = Math.abs(got.data[i] - ref.data[i]);
        worst = Math.max(worst, d);
        sum += d;
      }
      // PNG is lossless (rounding only); JPEG decoders differ in IDCT and chroma upsampling by a few levels.
      const jpeg = name.endsWith('.jpg');
      expect(sum / ref.data.length).toBeLessThan(jpeg ? 0.01 : 0.003);
      expect(worst).toBeLessThan(jpeg ? 0.2 : 0.01);
    });
  }
});

describe('sniffing', () => {
  it('detects the format from the signature and reads the size from the header', () => {
    expect(detectFormat(fx('digit-7-280.png'))).toBe('png');
    expect(detectFormat(fx('digit-7-progressive.jpg'))).toBe('jpeg');
    expect(imageSize(fx('digit-7-progressive.jpg'), 'jpeg')).toEqual({ width: 280, height: 280 });
    expect(imageSize(fx('wide-5000.png'), 'png')).toEqual({ width: 5000, height: 10 });
    expect(() => detectFormat(fx('gray.gif'))).toThrow(/GIF images are not supported/);
  });

  it('names the formats it refuses from their signatures, and nothing for text or a video', () => {
    const bytes = (...parts: (string | number[])[]) =>
      Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...p].map((c) => c.charCodeAt(0)) : p)));
    const ftyp = (...brands: string[]) =>
      bytes([0, 0, 0, 8 + 4 * (brands.length + 1)], 'ftyp', brands[0], [0, 0, 0, 0], ...brands.slice(1));
    expect(signature(fx('digit-7-280.webp'))).toBe('webp');
    expect(signature(fx('gray.tiff'))).toBe('TIFF');
    expect(signature(fx('gray.avif'))).toBe('AVIF');
    expect(signature(ftyp('heic', 'mif1', 'heic'))).toBe('HEIC');
    expect(signature(ftyp('mif1', 'mif1', 'miaf'))).toBe('HEIF');
    expect(signature(bytes('BM', [0x46, 0, 0, 0, 0, 0, 0, 0, 0x36, 0, 0, 0, 40, 0, 0, 0]))).toBe('BMP');
    expect(signature(bytes([0xff, 0x0a, 0xfa]))).toBe('JPEG XL');
    expect(signature(ftyp('isom', 'isom', 'mp41'))).toBeUndefined();
    expect(signature(bytes('BMW 3 series, 2004'))).toBeUndefined();
  });

  it('rejects a pixel bomb before decoding', async () => {
    await expect(decodeImage(fx('wide-5000.png'))).rejects.toThrow(
      /image is 5000x10; the largest accepted is 4096x4096/,
    );
  });
});
