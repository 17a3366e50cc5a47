/**
 * The paper estimates the polarity reading shares: both papers from one pass (estimatePapers) and darkness of the
 * inverted picture without its copy must equal what the separate steps give on the inverted copy itself; and an
 * RGB picture whose pixels are all gray reads the same as one channel (ops.ts neutral); both readings' darkness in
 * one pass (darknessPair) is the two separate ones, and the histograms filled as the maps are made are theirs.
 */
import { describe, expect, it } from 'vitest';
import {
  darkness,
  darknessPair,
  estimatePaper,
  estimatePapers,
} from '../../../../../functions/core/image/background.js';
import { decodeImage } from '../../../../../functions/core/image/decode.js';
import { emptyHistogram, histogram, type Histogram } from '../../../../../functions/core/image/histogram.js';
import { neutral } from '../../../../../functions/core/image/ops.js';
import { inverted } from '../../../../../functions/core/image/polarity.js';
import type { Raster } from '../../../../../functions/core/image/types.js';
import { loadData } from '../../../../../training/data/load.js';
import { renderPhoto } from '../../../../fixtures/photo-set.js';

const { test } = loadData('digits');

async function photo(i: number, distortion: 'gradient' | 'tinted' | 'combined', side: number): Promise<Raster> {
  const p = await renderPhoto({
    item: test.images.subarray(i * 784, (i + 1) * 784),
    kind: 'digit',
    distortion,
    seed: i,
  });
  return (await decodeImage(p.bytes, undefined, side)).raster;
}

describe('paper estimates', () => {
  it('estimatePapers and darkness(invert) give what estimatePaper and darkness give on the inverted copy', async () => {
    // Sides 224 (cells of 8 pixels: histograms) and 40 (cells under 16 pixels: sorted).
    for (const [i, distortion, side] of [
      [0, 'gradient', 224],
      [1, 'tinted', 224],
      [2, 'combined', 224],
      [3, 'combined', 40],
    ] as const) {
      const r = await photo(i, distortion, side);
      const both = estimatePapers(r);
      const light = estimatePaper(r, 'closing'),
        dark = estimatePaper(inverted(r), 'closing');
      expect(both.light).toEqual(light);
      expect(both.dark).toEqual(dark);
      // Not the same paper read twice: the inverted picture's paper is its ink's side.
      expect(both.dark.grid.v).not.toEqual(both.light.grid.v);
      expect(darkness(r, both.dark, true)).toEqual(darkness(inverted(r), dark));
      // Both readings in one pass: the same values, bit for bit, in gray and in colour; the histograms filled as the
      // maps are made are the maps' own.
      for (const pic of [r, neutral(r)]) {
        const p = pic === r ? both : estimatePapers(pic);
        const n = pic.width * pic.height,
          hists: [Histogram, Histogram] = [emptyHistogram(n), emptyHistogram(n)];
        const pair = darknessPair(pic, p.light, p.dark, hists);
        expect(pair).toEqual([darkness(pic, p.light), darkness(pic, p.dark, true)]);
        expect(hists).toEqual([histogram(pair[0]), histogram(pair[1])]);
        const h = emptyHistogram(n);
        expect(darkness(pic, p.light, false, h)).toEqual(pair[0]);
        expect(h).toEqual(hists[0]);
      }
    }
  });

  it('an RGB picture with only gray pixels is one channel with the same darkness; a coloured one stays RGB', async () => {
    const colour = await photo(1, 'tinted', 224);
    expect(neutral(colour)).toBe(colour);
    const g = colour.data.filter((_, k) => k % 3 === 1);
    const gray: Raster = { ...colour, data: Uint8Array.from(colour.data, (_, k) => g[(k / 3) | 0]) };
    const one = neutral(gray);
    expect([one.channels, one.data]).toEqual([1, g]);
    expect(darkness(one, estimatePaper(one, 'closing'))).toEqual(darkness(gray, estimatePaper(gray, 'closing')));
  });
});
