/**
 * The mirror test that decides an image folder's left-right mirrors: classes a mirror swaps or changes score far
 * worse mirrored; mirror-symmetric classes score the same. On the real sets: digits under the threshold, clothes
 * over it (the bundled presets' flip settings: digits false, fashion true).
 */
import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../../../training/data/dataset.js';
import { loadDigits } from '../../../../training/data/digits.js';
import { loadData } from '../../../../training/data/load.js';
import { MIRROR_RATIO, backgroundDark, mirrorRatio } from '../../../../training/data/mirror-test.js';
import { randn } from '../../helpers/fd.js';

/**
 * n noisy 8x8 pictures per class, each class a mask of lit pixels (x, y) drawn by `lit`; with `bothPolarities`,
 * every other picture of each class inverted (1 - x: dark on light).
 */
function synthetic(lit: ((x: number, y: number) => boolean)[], n = 40, bothPolarities = false): Dataset {
  const k = lit.length,
    images = new Float32Array(k * n * 64),
    labels = new Uint8Array(k * n),
    noise = randn(k * n * 64, 9);
  for (let i = 0; i < k * n; i++) {
    labels[i] = i % k;
    for (let p = 0; p < 64; p++) {
      const v = (lit[i % k](p % 8, Math.floor(p / 8)) ? 1 : 0) + 0.3 * noise[i * 64 + p];
      images[i * 64 + p] = bothPolarities && Math.floor(i / k) % 2 ? 1 - v : v;
    }
  }
  return { images, labels, n: k * n, shape: [1, 8, 8], classes: lit.map((_, c) => String(c)) };
}

describe('mirrorRatio', () => {
  it('a mirror that turns one class into another (a bar on the left, one on the right, a corner): near 0', () => {
    const d = synthetic([(x) => x === 1, (x) => x === 6, (x, y) => x < 3 && y < 3]);
    expect(mirrorRatio(d)).toBeLessThan(0.4);
  });

  it('mirror-symmetric classes (a centre bar, a ring, a top row): 1, mirrors stay on', () => {
    const d = synthetic([
      (x) => x === 3 || x === 4,
      (x, y) => Math.abs(Math.hypot(x - 3.5, y - 3.5) - 3) < 0.8,
      (_, y) => y === 0,
    ]);
    expect(mirrorRatio(d)).toBeGreaterThan(0.95);
    expect(mirrorRatio(d)).toBeGreaterThanOrEqual(MIRROR_RATIO);
  });

  it('both polarities (half the pictures dark on light): the same verdicts, not flat grey class means', () => {
    const swapped = [(x: number) => x === 1, (x: number) => x === 6, (x: number, y: number) => x < 3 && y < 3];
    const symmetric = [
      (x: number) => x === 3 || x === 4,
      (x: number, y: number) => Math.abs(Math.hypot(x - 3.5, y - 3.5) - 3) < 0.8,
      (_: number, y: number) => y === 0,
    ];
    expect(mirrorRatio(synthetic(swapped, 40, true))).toBeLessThan(0.4);
    expect(mirrorRatio(synthetic(symmetric, 40, true))).toBeGreaterThan(0.95);
  });

  it('backgroundDark inverts a picture whose median is brighter than its mean, and only that one', () => {
    const light = [0.9, 0.9, 0.9, 0.1],
      dark = [0.1, 0.1, 0.1, 0.9];
    const out = backgroundDark(Float32Array.from([...light, ...dark]), 4);
    expect(Array.from(out, (v) => +v.toFixed(6))).toEqual([0.1, 0.1, 0.1, 0.9, 0.1, 0.1, 0.1, 0.9]);
  });

  it('MNIST digits fall under the threshold, Fashion-MNIST clothes over it', () => {
    const digits = mirrorRatio(loadDigits()),
      fashion = mirrorRatio(loadData('fashion').train);
    expect(digits).toBeLessThan(MIRROR_RATIO);
    expect(fashion).toBeGreaterThanOrEqual(MIRROR_RATIO);
    expect([digits, fashion].map((r) => r.toFixed(2))).toEqual(['0.54', '0.84']); // the values data/mirror-test.ts cites
  });
});
