import { describe, expect, it } from 'vitest';
import { randomAffine, warp, DEFAULT_AUGMENT } from '../../../../training/data/augment.js';
import { loadDigits } from '../../../../training/data/digits.js';
import { Rng } from '../../../../model-contract/random.js';

const digits = loadDigits();
const first = digits.images.subarray(0, 784);

describe('augmentation (affine warp)', () => {
  it('the zero transform is the identity, exactly', () => {
    expect([...warp(first, 28, 28, { angleDeg: 0, scale: 1, tx: 0, ty: 0 })]).toEqual([...first]);
  });

  it('a positive angle turns the picture clockwise as displayed (y down): +90 takes the top centre to the right', () => {
    const img = new Float32Array(25);
    img[0 * 5 + 2] = 1; // top centre of a 5x5 image
    const at = (angleDeg: number) => {
      const r = warp(img, 5, 5, { angleDeg, scale: 1, tx: 0, ty: 0 });
      expect(r.reduce((a, v) => a + v, 0)).toBeCloseTo(1, 5); // one whole pixel moved, nothing blurred away
      return [...r].findIndex((v) => v > 0.99);
    };
    expect(at(90)).toBe(2 * 5 + 4); // right centre
    expect(at(-90)).toBe(2 * 5 + 0); // left centre
    expect(at(180)).toBe(4 * 5 + 2); // bottom centre
  });

  it('an integer shift translates the image', () => {
    const r = warp(first, 28, 28, { angleDeg: 0, scale: 1, tx: 2, ty: -1 });
    for (let y = 1; y < 27; y++) for (let x = 2; x < 28; x++) expect(r[(y - 1) * 28 + x]).toBe(first[y * 28 + x - 2]);
  });

  it('scaling up grows the ink, scaling down shrinks it; a seed reproduces the transform', () => {
    const ink = (a: Float32Array) => a.reduce((s, v) => s + v, 0);
    expect(ink(warp(first, 28, 28, { angleDeg: 0, scale: 1.3, tx: 0, ty: 0 }))).toBeGreaterThan(ink(first) * 1.3);
    expect(ink(warp(first, 28, 28, { angleDeg: 0, scale: 0.7, tx: 0, ty: 0 }))).toBeLessThan(ink(first) * 0.7);
    expect(randomAffine(new Rng(5), DEFAULT_AUGMENT)).toEqual(randomAffine(new Rng(5), DEFAULT_AUGMENT));
  });

  it('whole-pixel shifts without rotation or scaling copy pixels (no interpolation blur)', () => {
    const rng = new Rng(9);
    const values = new Set(first);
    for (let i = 0; i < 20; i++) {
      const t = randomAffine(rng, { maxRotateDeg: 0, minScale: 1, maxScale: 1, maxShift: 2, wholePixelShift: true });
      expect(Number.isInteger(t.tx) && Number.isInteger(t.ty) && Math.abs(t.tx) <= 2 && Math.abs(t.ty) <= 2).toBe(true);
      for (const v of warp(first, 28, 28, t)) expect(v === 0 || values.has(v)).toBe(true);
    }
  });
});
