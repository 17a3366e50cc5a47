/** The JPEG decoder against sharp (libjpeg-turbo) on the layouts cameras and encoders write; and its refusals. */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../../../../functions/core/image/decode.js';
import { coefficientBytesAt, readJpeg, type Eighths } from '../../../../../functions/core/image/jpeg-decode.js';
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
      const f = readJpeg(new Uint8Array(file), () => ({ eighths: 8, sink: (row) => rows.push(row.slice()) }));
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

  it("noise at quality 100: Huffman codes up to 16 bits long (the second-level lookahead) decode to libjpeg's pixels", async () => {
    const noise = sharp({
      create: {
        width: 64,
        height: 40,
        channels: 3,
        background: '#808080',
        noise: { type: 'gaussian', mean: 128, sigma: 60 },
      },
    });
    for (const progressive of [false, true]) {
      const file = await noise
        .clone()
        .jpeg({ quality: 100, chromaSubsampling: '4:4:4', progressive, optimiseCoding: false })
        .toBuffer();
      const ref = await sharp(file).raw().toBuffer();
      const bytes = new Uint8Array(file);
      // Its Huffman tables (DHT segments: class/id, 16 code counts by length, symbols) have codes over 9 bits.
      let long = 0;
      for (let i = 2; i + 4 < bytes.length && bytes[i + 1] !== 0xda; i += 2 + ((bytes[i + 2] << 8) | bytes[i + 3]))
        if (bytes[i + 1] === 0xc4)
          for (let p = i + 4; p < i + 2 + ((bytes[i + 2] << 8) | bytes[i + 3]);) {
            const counts = bytes.subarray(p + 1, p + 17);
            long += counts.subarray(9).reduce((n, c) => n + c, 0);
            p += 17 + counts.reduce((n, c) => n + c, 0);
          }
      // (The standard tables of T.81 K.3 have them; a progressive file's tables come with its scans.)
      if (!progressive) expect(long).toBeGreaterThan(0);
      const rows: Uint8Array[] = [];
      readJpeg(bytes, () => ({ eighths: 8, sink: (row) => rows.push(row.slice()) }));
      let worst = 0;
      rows.forEach((row, y) => row.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - ref[y * 64 * 3 + i])))));
      expect(rows.length).toBe(40);
      expect(worst).toBeLessThanOrEqual(3);
    }
  });

  // libjpeg's scaled decoding through sharp: resizing to half the 1/d size makes sharp load the JPEG at 1/d (its
  // shrink-on-load picks 2d, then halves it "for known libjpeg rounding errors" when the factor is exactly 2d)
  // and reduce by the rest (175 / 44 / 2, just under 2) with the nearest kernel, which then keeps the samples at even
  // rows and columns of the 1/d image. 175x111: ceil(size / d) is even for d = 2, 4, 8, and the MCUs at the right
  // and bottom are partial.
  const SW = 175,
    SH = 111;
  const smooth = Buffer.from(
    Uint8Array.from({ length: SW * SH * 3 }, (_, i) => {
      const p = (i / 3) | 0,
        x = p % SW,
        y = (p / SW) | 0,
        c = i % 3;
      const v = 128 + 60 * Math.sin(x / 13 + c) + 50 * Math.cos(y / 9 - c) + ((x * 7 + y * 13) % 17) - 8;
      return Math.max(0, Math.min(255, Math.round(v)));
    }),
  );
  const scaledVariants: [string, sharp.JpegOptions][] = [
    ['baseline 4:2:0', { quality: 90 }],
    ['baseline 4:4:4', { quality: 90, chromaSubsampling: '4:4:4' }],
    ['progressive 4:2:0', { quality: 90, progressive: true }],
    ['progressive 4:4:4', { quality: 75, progressive: true, chromaSubsampling: '4:4:4' }],
  ];
  for (const [name, options] of scaledVariants)
    for (const scale of [2, 4, 8] as const)
      it(`${name} at 1/${scale}: the pixels of libjpeg's scaled inverse DCT`, async () => {
        const eighths = (8 / scale) as Eighths;
        const file = await sharp(smooth, { raw: { width: SW, height: SH, channels: 3 } })
          .jpeg(options)
          .toBuffer();
        const w = Math.ceil(SW / scale),
          h = Math.ceil(SH / scale);
        const ref = await sharp(file)
          .resize(w / 2, h / 2, { kernel: 'nearest', fit: 'fill' })
          .raw()
          .toBuffer();
        const rows: Uint8Array[] = [];
        readJpeg(new Uint8Array(file), () => ({ eighths, sink: (row) => rows.push(row.slice()) }));
        expect([rows.length, rows[0].length]).toEqual([h, w * 3]);
        let sum = 0,
          worst = 0;
        for (let y = 0; y < h / 2; y++)
          for (let x = 0; x < w / 2; x++)
            for (let c = 0; c < 3; c++) {
              const d = Math.abs(rows[2 * y][2 * x * 3 + c] - ref[(y * (w / 2) + x) * 3 + c]);
              sum += d;
              worst = Math.max(worst, d);
            }
        // Same arithmetic in float and in libjpeg's fixed point: a level now and then.
        expect(sum / ref.length).toBeLessThan(0.1);
        expect(worst).toBeLessThanOrEqual(3);
      });

  // At 3/8 (which sharp does not decode at), libjpeg-turbo's jpeg_idct_3x3: the 3-point IDCT of each block's first
  // 3x3 coefficients. The reference: each whole 8x8 block of libjpeg's full-size pixels taken back to its
  // coefficients by the forward DCT (float64), then that 3-point IDCT. Gray and 4:4:4, where every channel's blocks
  // are the image's (libjpeg interpolates 4:2:0 chroma at full size; the 4:2:0 case follows).
  const C = (u: number) => (u === 0 ? Math.SQRT1_2 : 1) / 2;
  function idct3Reference(full: Buffer, ch: number, c: number, bx: number, by: number): number[] {
    const F: number[] = [];
    for (let v = 0; v < 3; v++)
      for (let u = 0; u < 3; u++) {
        let sum = 0;
        for (let y = 0; y < 8; y++)
          for (let x = 0; x < 8; x++)
            sum +=
              (full[((8 * by + y) * SW + 8 * bx + x) * ch + c] - 128) *
              Math.cos(((2 * x + 1) * u * Math.PI) / 16) *
              Math.cos(((2 * y + 1) * v * Math.PI) / 16);
        F.push(C(u) * C(v) * sum);
      }
    const out: number[] = [];
    for (let y = 0; y < 3; y++)
      for (let x = 0; x < 3; x++) {
        let sum = 128;
        for (let v = 0; v < 3; v++)
          for (let u = 0; u < 3; u++)
            sum +=
              C(u) *
              C(v) *
              F[v * 3 + u] *
              Math.cos(((2 * x + 1) * u * Math.PI) / 6) *
              Math.cos(((2 * y + 1) * v * Math.PI) / 6);
        out.push(sum);
      }
    return out;
  }
  const variants38: [string, (s: sharp.Sharp) => sharp.Sharp, number, number][] = [
    ['gray baseline', (s) => s.greyscale().jpeg({ quality: 90 }), 0.35, 1],
    ['baseline 4:4:4', (s) => s.jpeg({ quality: 90, chromaSubsampling: '4:4:4' }), 0.6, 3],
    ['progressive 4:4:4', (s) => s.jpeg({ quality: 75, progressive: true, chromaSubsampling: '4:4:4' }), 0.6, 3],
  ];
  for (const [name, encode, meanBound, worstBound] of variants38)
    it(`${name} at 3/8: libjpeg's 3-point inverse DCT of each block's first 3x3 coefficients`, async () => {
      const file = await encode(sharp(smooth, { raw: { width: SW, height: SH, channels: 3 } })).toBuffer();
      const full = await sharp(file).raw().toBuffer({ resolveWithObject: true });
      const ch = full.info.channels;
      const rows: Uint8Array[] = [];
      const f = readJpeg(new Uint8Array(file), () => ({ eighths: 3, sink: (row) => rows.push(row.slice()) }));
      expect([rows.length, rows[0].length]).toEqual([Math.ceil((SH * 3) / 8), Math.ceil((SW * 3) / 8) * f.channels]);
      let sum = 0,
        worst = 0,
        n = 0;
      for (let by = 0; by < Math.floor(SH / 8); by++)
        for (let bx = 0; bx < Math.floor(SW / 8); bx++)
          for (let c = 0; c < ch; c++) {
            const ref = idct3Reference(full.data, ch, c, bx, by);
            for (let k = 0; k < 9; k++) {
              const got = rows[3 * by + ((k / 3) | 0)][(3 * bx + (k % 3)) * f.channels + (f.channels === 1 ? 0 : c)];
              const d = Math.abs(got - ref[k]);
              sum += d;
              worst = Math.max(worst, d);
              n++;
            }
          }
      // The reference's pixels are libjpeg's, rounded (in colour, Y, Cb, Cr each rounded, then RGB): a level or two.
      expect(sum / n).toBeLessThan(meanBound);
      expect(worst).toBeLessThan(worstBound);
    });

  it('baseline 4:2:0 at 3/8: chroma by its 6-point IDCT, near the area average of the full-size pixels', async () => {
    const file = await sharp(smooth, { raw: { width: SW, height: SH, channels: 3 } })
      .jpeg({ quality: 90 })
      .toBuffer();
    const full = await sharp(file).raw().toBuffer();
    const rows: Uint8Array[] = [];
    readJpeg(new Uint8Array(file), () => ({ eighths: 3, sink: (row) => rows.push(row.slice()) }));
    const cell = 8 / 3,
      share = (i: number, t: number) => Math.max(0, Math.min(i + 1, (t + 1) * cell) - Math.max(i, t * cell));
    let sum = 0,
      n = 0;
    for (let y = 0; (y + 1) * cell <= SH; y++)
      for (let x = 0; (x + 1) * cell <= SW; x++)
        for (let c = 0; c < 3; c++) {
          let ref = 0;
          for (let sy = Math.floor(y * cell); sy < Math.ceil((y + 1) * cell); sy++)
            for (let sx = Math.floor(x * cell); sx < Math.ceil((x + 1) * cell); sx++)
              ref += share(sx, x) * share(sy, y) * full[(sy * SW + sx) * 3 + c];
          sum += Math.abs(rows[y][x * 3 + c] - ref / (cell * cell));
          n++;
        }
    // Sampled, not averaged, and libjpeg's chroma interpolated: about a level on average on this texture.
    expect(sum / n).toBeLessThan(1.5);
  });

  it('a file cut off in its scan data, or before its end marker, is a 422 that says where the data ends', async () => {
    for (const progressive of [false, true]) {
      const file = new Uint8Array(await src().jpeg({ quality: 90, progressive }).toBuffer());
      const scan = file.findIndex((v, i) => v === 0xff && file[i + 1] === 0xda);
      const marker = (i: number) => file[i] === 0xff && file[i + 1] !== 0 && (file[i + 1] & 0xf8) !== 0xd0;
      const next = file.findIndex((_, i) => i > scan + 2 && marker(i));
      const cut = Math.round((scan + next) / 2); // halfway through the first scan's data
      await expect(decodeImage(file.subarray(0, cut))).rejects.toMatchObject({
        status: 422,
        detail: expect.stringMatching(
          new RegExp(
            `^JPEG could not be decoded: the file is truncated: its data ends at byte ${cut}, in scan 1, \\d+% of the way through its 18 MCUs\\. Send the whole file\\.$`,
          ),
        ),
      });
      // Only the end-of-image marker missing: every scan may not be there (a progressive file's detail).
      await expect(decodeImage(file.subarray(0, file.length - 2))).rejects.toThrow(
        /its data ends at byte \d+, after scan \d+, before the end-of-image marker \(FFD9\)/,
      );
      await expect(decodeImage(file.subarray(0, scan + 3))).rejects.toThrow(
        `its data ends at byte ${scan + 3}, inside marker 0xda, which starts at byte ${scan}`,
      );
    }
  });

  it('holds one MCU row of coefficients for a baseline image, all of them for a progressive one', async () => {
    const none = () => ({ eighths: 8, sink: () => {} }) as const;
    const big = await sharp({ create: { width: 2000, height: 1500, channels: 3, background: '#808080' } });
    const base = readJpeg(new Uint8Array(await big.clone().jpeg().toBuffer()), none);
    const prog = readJpeg(new Uint8Array(await big.clone().jpeg({ progressive: true }).toBuffer()), none);
    expect(base.coefficientBytes).toBeLessThan(2000 * 16 * 2 * 2);
    expect(prog.coefficientBytes).toBeGreaterThanOrEqual(2000 * 1500 * 1.5 * 2);
  });

  it('keeps only the DC of a progressive image a component needs at 1/8 (its AC scans skipped), and says so first', async () => {
    const big = await sharp({ create: { width: 2000, height: 1504, channels: 3, background: '#808080' } });
    const blocks = (2000 / 8) * (1504 / 8);
    for (const [subsampling, bytes] of [
      // 4:4:4: every component 1x1 a block; 4:2:0: luma 1x1, chroma (a quarter of the blocks) 2x2, from all 64.
      ['4:4:4', 3 * blocks * 2],
      ['4:2:0', blocks * 2 + 2 * (blocks / 4) * 128],
    ] as const) {
      const file = new Uint8Array(
        await big.clone().jpeg({ progressive: true, chromaSubsampling: subsampling }).toBuffer(),
      );
      let estimate = 0;
      const f = readJpeg(file, (frame) => {
        estimate = coefficientBytesAt(frame, 1);
        return { eighths: 1, sink: () => {} };
      });
      expect([estimate, f.coefficientBytes]).toEqual([bytes, bytes]);
      // At 1/4 every block is 2x2 pixels, made from its AC too: all coefficients are kept.
      const all = readJpeg(file, () => ({ eighths: 2, sink: () => {} }));
      expect(all.coefficientBytes).toBe(subsampling === '4:4:4' ? 3 * blocks * 128 : 1.5 * blocks * 128);
    }
  });

  it('refuses a file with no frame or no scan, and a progressive image over the memory budget, before decoding', async () => {
    await expect(decodeImage(Uint8Array.of(0xff, 0xd8, 0xff, 0xd9))).rejects.toMatchObject({ status: 422 });
    const file = new Uint8Array(await src().jpeg({ progressive: true }).toBuffer());
    await expect(decodeImage(file, { ...DEFAULT_LIMITS, budgetBytes: 8000 })).rejects.toThrow(
      /decoding this 83x45 progressive JPEG needs about 0\.0\d MiB; the memory budget for one request is 0\.01 MiB/,
    );
  });
});
