/** The PNG encoder (native zlib, "Up" filter) read back by two independent decoders, and base64 against Node's. */
import { decode } from 'fast-png';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { encodePng, toBase64, VIRIDIS_LUT, viridis } from '../../../../functions/core/png.js';

const pattern = (n: number, seed: number) =>
  Uint8Array.from({ length: n }, (_, i) => (i * 37 + seed * 101 + ((i * i) >> 3)) & 255);

describe('encodePng', () => {
  for (const [w, h, ch] of [
    [1, 1, 1],
    [28, 28, 1],
    [17, 5, 3],
    [224, 224, 3],
  ] as const) {
    it(`${w}x${h}, ${ch} channel(s): fast-png and sharp decode the same samples`, async () => {
      const samples = pattern(w * h * ch, w + h);
      const png = encodePng(samples, w, h, ch);
      const a = decode(png);
      expect([a.width, a.height, a.channels, a.depth]).toEqual([w, h, ch, 8]);
      expect(Array.from(a.data)).toEqual(Array.from(samples));
      const m = await sharp(png).metadata();
      expect([m.width, m.height, m.channels, m.depth]).toEqual([w, h, ch, 'uchar']);
      const b = await (ch === 1 ? sharp(png).extractChannel(0) : sharp(png))
        .raw()
        .toBuffer({ resolveWithObject: true });
      expect(Array.from(b.data)).toEqual(Array.from(samples));
    });
  }

  it('refuses a sample count that does not match the size', () => {
    expect(() => encodePng(new Uint8Array(10), 3, 3, 1)).toThrow(/10 samples for 3x3x1/);
  });
});

describe('toBase64 and the colour table', () => {
  it('matches Buffer base64 for every padding case', () => {
    for (const n of [0, 1, 2, 3, 4, 5, 1000, 65537]) {
      const b = pattern(n, n);
      expect(toBase64(b)).toBe(Buffer.from(b).toString('base64'));
    }
  });

  it('VIRIDIS_LUT holds viridis at 256 levels', () => {
    for (const l of [0, 1, 100, 128, 254, 255])
      expect(Array.from(VIRIDIS_LUT.subarray(3 * l, 3 * l + 3))).toEqual(viridis(l / 255));
  });
});
