/** The PNG encoder (native zlib, "Up" filter) read back by two independent decoders, and base64 against Node's. */
import { decode } from 'fast-png';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { VIRIDIS_LUT, viridis } from '../../../../functions/core/pictures/colour.js';
import { mapGrid } from '../../../../functions/core/pictures/grid.js';
import { attackPictures, saliencyPictures } from '../../../../functions/core/pictures/panels.js';
import { encodePng, enlargement, toBase64 } from '../../../../functions/core/pictures/png.js';

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

describe('mapGrid', () => {
  it('numbers each feature map by its channel, in black on a white strip above the tile', () => {
    // 12 maps of 28x28 at 2x (the digits model's conv2d1 picture): 4 columns, tiles 56 pixels, font pixels 2x2.
    const maps = Float32Array.from({ length: 12 * 28 * 28 }, (_, i) => (i % 28) / 27);
    const g = mapGrid(maps, 12, 28, 28, { labels: [...Array(12).keys()] });
    expect([g.columns, g.scale]).toEqual([4, 2]);
    const d = decode(g.png);
    expect([d.width, d.height]).toEqual([4 * 57 + 1, 3 * (56 + 14 + 1) + 1]);
    const rgb = (x: number, y: number) => Array.from(d.data.slice((y * d.width + x) * 3, (y * d.width + x) * 3 + 3));
    // The ink of tile t's label: [x, y] of its black pixels relative to the tile's corner.
    const ink = (t: number) => {
      const ox = 1 + (t % 4) * 57,
        oy = 1 + Math.floor(t / 4) * 71,
        out: string[] = [];
      for (let y = 0; y < 14; y++)
        for (let x = 0; x < 56; x++) {
          const p = rgb(ox + x, oy + y);
          if (p.every((v) => v === 0)) out.push(`${x},${y}`);
          else expect(p).toEqual([255, 255, 255]);
        }
      return out;
    };
    // "1": the stem two font pixels wide over its five rows and the foot: 2 + 1 + 1 + 1 + 3 = 8 font pixels of 2x2.
    expect(ink(1)).toHaveLength(8 * 4);
    // "10" and "11": two digits, each with the ink of its single-digit self, 8 pixels (4 font pixels) apart.
    const shifted = (t: number, dx: number) =>
      ink(t)
        .map((p) => p.split(',').map(Number))
        .map(([x, y]) => `${x + dx},${y}`);
    expect(new Set(ink(11))).toEqual(new Set([...ink(1), ...shifted(1, 8)]));
    expect(new Set(ink(10))).toEqual(new Set([...ink(1), ...shifted(0, 8)]));
    expect(ink(0)).not.toEqual(ink(8));
    // The tile itself starts under the strip: viridis from the first pixel.
    expect(rgb(1, 1 + 14)).toEqual(Array.from(VIRIDIS_LUT.slice(0, 3)));
  });
});

describe('enlargement: the pictures of small inputs enlarged, of large ones not', () => {
  const size = async (png: Uint8Array) => {
    const m = await sharp(png).metadata();
    return [m.width, m.height];
  };
  it('4x up to 64 pixels a side, to about 256 beyond, never shrunk; grids at most 3x', () => {
    expect([28, 32, 64, 96, 128, 224, 500].map((s) => enlargement(s, s))).toEqual([4, 4, 4, 2, 2, 1, 1]);
    expect(enlargement(28, 28, 3)).toBe(3);
    expect(enlargement(300, 20)).toBe(1);
  });
  it('a saliency panel and an attack picture of a 224x224 RGB input stay 224 tall; of a 28x28 one 112', async () => {
    for (const [s, c, want] of [
      [224, 3, 224],
      [28, 1, 112],
    ] as const) {
      const x = Float32Array.from({ length: c * s * s }, (_, i) => (i % 97) / 97);
      const map = Float32Array.from({ length: s * s }, (_, i) => Math.sin(i));
      const pics = saliencyPictures(x, { map, width: s, height: s }, { clip: 99, signed: false });
      expect(await size(pics.map)).toEqual([want, want]);
      expect((await size(pics.panel))[1]).toBe(want);
      expect(
        await size(
          attackPictures(
            x,
            x.map((v) => 1 - v),
            [c, s, s],
          ).adversarial,
        ),
      ).toEqual([want, want]);
    }
  });
});
