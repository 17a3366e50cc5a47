/**
 * The PNG decoder on every bit depth, colour type, filter and interlacing sharp (libvips) writes, against sharp's
 * own reading of the same file; and its refusals of broken files.
 */
import { decode } from 'fast-png';
import { zlibSync } from 'fflate';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../../../../functions/core/image/decode.js';
import { decodePng } from '../../../../../functions/core/image/png-decode.js';

const W = 37,
  H = 23; // odd sizes: partial bytes at low bit depths and partial Adam7 blocks
const rgba = Buffer.from(
  Uint8Array.from({ length: W * H * 4 }, (_, i) => {
    const p = i >> 2,
      x = p % W,
      y = Math.floor(p / W),
      c = i & 3;
    return c === 3 ? (x * 7 + y * 3) % 256 : (x * 11 + y * 5 + c * 80 + ((x * y) % 17)) % 256;
  }),
);

/** An 8-bit gray PNG around the given zlib stream (CRCs left zero). */
function pngFile(w: number, h: number, z: Uint8Array): Uint8Array {
  const chunk = (type: string, data: Uint8Array) => {
    const c = new Uint8Array(12 + data.length);
    new DataView(c.buffer).setUint32(0, data.length);
    c.set(
      [...type].map((ch) => ch.charCodeAt(0)),
      4,
    );
    c.set(data, 8);
    return c;
  };
  const ihdr = new Uint8Array(13);
  new DataView(ihdr.buffer).setUint32(0, w);
  new DataView(ihdr.buffer).setUint32(4, h);
  ihdr.set([8, 0, 0, 0, 0], 8);
  return Uint8Array.from([
    137,
    80,
    78,
    71,
    13,
    10,
    26,
    10,
    ...chunk('IHDR', ihdr),
    ...chunk('IDAT', z),
    ...chunk('IEND', new Uint8Array(0)),
  ]);
}

async function rgbOf(png: Buffer) {
  const { data } = await sharp(png)
    .flatten({ background: '#ffffff' })
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  return data;
}

const variants: [string, () => sharp.Sharp][] = [
  ['RGBA 8-bit', () => sharp(rgba, { raw: { width: W, height: H, channels: 4 } }).png()],
  [
    'RGB 8-bit, adaptive filters',
    () =>
      sharp(rgba, { raw: { width: W, height: H, channels: 4 } })
        .removeAlpha()
        .png({ adaptiveFiltering: true }),
  ],
  [
    'RGB 8-bit, interlaced',
    () =>
      sharp(rgba, { raw: { width: W, height: H, channels: 4 } })
        .removeAlpha()
        .png({ progressive: true }),
  ],
  [
    'gray 8-bit',
    () =>
      sharp(rgba, { raw: { width: W, height: H, channels: 4 } })
        .removeAlpha()
        .greyscale()
        .png(),
  ],
  [
    'gray+alpha 8-bit, interlaced',
    () =>
      sharp(rgba, { raw: { width: W, height: H, channels: 4 } })
        .greyscale()
        .png({ progressive: true }),
  ],
  [
    'RGBA 16-bit',
    () =>
      sharp(rgba, { raw: { width: W, height: H, channels: 4 } })
        .toColourspace('rgb16')
        .png(),
  ],
  [
    'gray 16-bit, interlaced',
    () =>
      sharp(rgba, { raw: { width: W, height: H, channels: 4 } })
        .removeAlpha()
        .toColourspace('grey16')
        .png({ progressive: true }),
  ],
  ...([1, 2, 4, 8] as const).map((bits): [string, () => sharp.Sharp] => [
    `palette of ${2 ** bits} colours with alpha`,
    () =>
      sharp(rgba, { raw: { width: W, height: H, channels: 4 } }).png({ palette: true, colours: 2 ** bits, dither: 0 }),
  ]),
  [
    'palette 2-bit, interlaced',
    () =>
      sharp(rgba, { raw: { width: W, height: H, channels: 4 } })
        .removeAlpha()
        .png({ palette: true, colours: 4, progressive: true, dither: 0 }),
  ],
];

describe('decodePng', () => {
  for (const [name, make] of variants) {
    it(`${name}: the pixels sharp reads`, async () => {
      const png = await make().toBuffer();
      const ref = await rgbOf(png);
      const { raster } = await decodeImage(new Uint8Array(png));
      expect([raster.width, raster.height]).toEqual([W, H]);
      let worst = 0;
      for (let p = 0; p < W * H; p++)
        for (let c = 0; c < 3; c++) {
          const v = raster.channels === 3 ? raster.data[p * 3 + c] : raster.data[p];
          worst = Math.max(worst, Math.abs(v - ref[p * 3 + c]));
        }
      expect(worst).toBeLessThanOrEqual(1); // lossless: rounding of alpha compositing only
    });
  }

  it('reads the bit depth libvips picks for the palette size, and the palette', async () => {
    for (const [colours, depth] of [
      [2, 1],
      [4, 2],
      [16, 4],
      [256, 8],
    ]) {
      const png = await sharp(rgba, { raw: { width: W, height: H, channels: 4 } })
        .png({ palette: true, colours, dither: 0 })
        .toBuffer();
      const img = await decodePng(new Uint8Array(png));
      expect([img.depth, img.channels]).toEqual([depth, 1]);
      expect(img.palette!.length).toBeGreaterThan(1);
      expect(Math.max(...img.data)).toBeLessThan(img.palette!.length);
    }
  });

  it('refuses truncated image data, a bad filter type and a bad depth with 422s that say so', async () => {
    const png = new Uint8Array(
      await sharp(rgba, { raw: { width: W, height: H, channels: 4 } })
        .removeAlpha()
        .png({ compressionLevel: 0 })
        .toBuffer(),
    );
    const v = new DataView(png.buffer);
    let at = 8;
    while (String.fromCharCode(...png.subarray(at + 4, at + 8)) !== 'IDAT') at += 12 + v.getUint32(at);
    const len = v.getUint32(at);
    // Cut the IDAT chunk short (declared length and all): the stream ends before the last row.
    const cut = new Uint8Array([
      ...png.subarray(0, at),
      0,
      0,
      0,
      0,
      ...png.subarray(at + 4, at + 8 + len / 2),
      0,
      0,
      0,
      0,
      ...png.subarray(png.length - 12),
    ]);
    new DataView(cut.buffer).setUint32(at, len / 2);
    await expect(decodePng(cut)).rejects.toMatchObject({ status: 422 });
    // A file cut off (an upload that stopped): the answer says where its data ends.
    await expect(decodePng(png.subarray(0, at + 100))).rejects.toMatchObject({
      status: 422,
      detail: `PNG could not be decoded: the file is truncated: its data ends at byte ${at + 100}, inside chunk IDAT (bytes ${at}-${at + 11 + len}). Send the whole file.`,
    });
    // A 4x2 gray image whose first row names filter type 9 (the decoder does not check CRCs: left zero).
    const badFilter = pngFile(4, 2, zlibSync(Uint8Array.of(9, 1, 2, 3, 4, 0, 5, 6, 7, 8)));
    await expect(decodePng(badFilter)).rejects.toThrow(/filter type 9; valid types are 0-4/);
    // Sub then Paeth, checked against fast-png (a second decoder) on the same file.
    const subPaeth = pngFile(4, 2, zlibSync(Uint8Array.of(1, 1, 2, 3, 4, 4, 5, 6, 7, 8)));
    expect(Array.from((await decodePng(subPaeth)).data)).toEqual(Array.from(decode(subPaeth).data));
    // Image data that inflates to more than the header's rows: the rows are read, the excess ignored.
    const rows = Uint8Array.of(0, 1, 2, 3, 4, 0, 5, 6, 7, 8);
    const long = pngFile(4, 2, zlibSync(Uint8Array.from([...rows, ...new Uint8Array(70000).fill(7)])));
    expect(Array.from((await decodePng(long)).data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    // Damaged image data (a byte of the deflate stream flipped): a 422 that says it could not be inflated.
    const z = zlibSync(new Uint8Array(10 * 11).fill(3));
    z[4] ^= 0xff;
    await expect(decodePng(pngFile(10, 10, z))).rejects.toMatchObject({ status: 422 });
    const badDepth = png.slice();
    badDepth[8 + 8 + 8] = 3; // IHDR bit depth
    await expect(decodePng(badDepth)).rejects.toThrow(/colour type 2 with bit depth 3 is not a valid combination/);
  });
});
