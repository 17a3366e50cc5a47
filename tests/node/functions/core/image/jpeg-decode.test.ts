/** The JPEG decoder against sharp (libjpeg-turbo) on the layouts cameras and encoders write; and its refusals. */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../../../../functions/core/image/decode.js';
import { readJpeg } from '../../../../../functions/core/image/jpeg-decode.js';
import { DEFAULT_LIMITS } from '../../../../../functions/core/image/types.js';

const W = 83,
  H = 45; // not multiples of 8 or 16: partial MCUs at the right and bottom
const rgb = Buffer.from(
  Uint8Array.from({ length: W * H * 3 }, (_, i) => {
    const p = (i / 3) | 0,
      x = p % W,
      y = (p / W) | 0,
      c = i % 3;
    return c === 0 ? (x * 3 + y) % 256 : c === 1 ? (y * 5 + ((x * y) % 31)) % 256 : 128 + 100 * Math.sin(x / 7 + y / 5);
  }),
);
const src = () => sharp(rgb, { raw: { width: W, height: H, channels: 3 } });

const variants: [string, () => sharp.Sharp, number][] = [
  ['baseline 4:2:0', () => src().jpeg({ quality: 85 }), 1],
  ['baseline 4:4:4', () => src().jpeg({ quality: 85, chromaSubsampling: '4:4:4' }), 3],
  ['progressive 4:2:0', () => src().jpeg({ quality: 85, progressive: true }), 1],
  [
    'progressive 4:4:4, optimised scans',
    () => src().jpeg({ quality: 60, progressive: true, chromaSubsampling: '4:4:4', optimiseScans: true }),
    3,
  ],
  ['gray baseline', () => src().greyscale().jpeg({ quality: 90 }), 1],
  ['gray progressive', () => src().greyscale().jpeg({ quality: 90, progressive: true }), 1],
];

describe('readJpeg', () => {
  for (const [name, make, channels] of variants) {
    it(`${name}: the pixels libjpeg decodes`, async () => {
      const file = await make().toBuffer();
      const ref = await sharp(file).raw().toBuffer({ resolveWithObject: true });
      const rows: Uint8Array[] = [];
      const f = readJpeg(new Uint8Array(file), () => (row) => rows.push(row.slice()));
      expect([f.width, f.height, rows.length]).toEqual([W, H, H]);
      const ch = ref.info.channels;
      let sum = 0,
        worst = 0,
        n = 0;
      for (let y = 0; y < H; y++)
        for (let x = 0; x < W; x++)
          for (let c = 0; c < ch; c++) {
            const d = Math.abs(rows[y][x * f.channels + (f.channels === 1 ? 0 : c)] - ref.data[(y * W + x) * ch + c]);
            sum += d;
            worst = Math.max(worst, d);
            n++;
          }
      // Same coefficients; IDCT rounding differs by a level or two. Subsampled chroma: libjpeg interpolates
      // ("fancy upsampling"), this decoder replicates, so colour edges differ more.
      expect(sum / n).toBeLessThan(channels === 3 || ch === 1 ? 1.5 : 4);
      expect(worst).toBeLessThan(channels === 3 || ch === 1 ? 8 : 100);
    });
  }

  it('holds one MCU row of coefficients for a baseline image, all of them for a progressive one', async () => {
    const big = await sharp({ create: { width: 2000, height: 1500, channels: 3, background: '#808080' } });
    const base = readJpeg(new Uint8Array(await big.clone().jpeg().toBuffer()), () => () => {});
    const prog = readJpeg(new Uint8Array(await big.clone().jpeg({ progressive: true }).toBuffer()), () => () => {});
    expect(base.coefficientBytes).toBeLessThan(2000 * 16 * 2 * 2);
    expect(prog.coefficientBytes).toBeGreaterThanOrEqual(2000 * 1500 * 1.5 * 2);
  });

  it('refuses a file with no frame or no scan, and a progressive image over the memory budget, before decoding', async () => {
    await expect(decodeImage(Uint8Array.of(0xff, 0xd8, 0xff, 0xd9))).rejects.toMatchObject({ status: 422 });
    const file = new Uint8Array(await src().jpeg({ progressive: true }).toBuffer());
    await expect(decodeImage(file, { ...DEFAULT_LIMITS, budgetBytes: 8000 })).rejects.toThrow(
      /decoding this 83x45 progressive JPEG needs about 0\.0\d MiB; the memory budget for one request is 0\.01 MiB/,
    );
  });
});
