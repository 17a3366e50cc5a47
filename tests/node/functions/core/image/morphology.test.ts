/** Binary morphology: dilate against its definition (any set pixel within r along both axes: a square window). */
import { describe, expect, it } from 'vitest';
import { dilate, dilateAbove } from '../../../../../functions/core/image/morphology.js';

function reference(m: Uint8Array, w: number, h: number, r: number): Uint8Array {
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let yy = Math.max(0, y - r); yy <= Math.min(h - 1, y + r); yy++)
        for (let xx = Math.max(0, x - r); xx <= Math.min(w - 1, x + r); xx++) if (m[yy * w + xx]) out[y * w + x] = 1;
  return out;
}

describe('dilate', () => {
  for (const [w, h, r, density] of [
    [112, 112, 1, 0.02],
    [37, 23, 2, 0.05],
    [5, 9, 3, 0.1],
    [1, 7, 1, 0.3],
    [9, 1, 1, 0.3],
    [2, 2, 1, 0.3],
    [31, 17, 1, 0.2],
    [64, 1, 4, 0.05],
  ] as const)
    it(`${w}x${h}, r = ${r}: set wherever a set pixel lies within the (2r+1)² window`, () => {
      let seed = w * 131 + h * 7 + r;
      const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
      const m = Uint8Array.from({ length: w * h }, () => (rand() < density ? 1 : 0));
      m[0] = 1; // a corner, whatever the draw
      expect(Array.from(dilate(m, w, h, r))).toEqual(Array.from(reference(m, w, h, r)));
      // A map's pixels above a threshold, grown by 1, without their mask.
      if (r === 1) {
        const v = Float32Array.from({ length: w * h }, () => rand()),
          t = 1 - density;
        expect(dilateAbove(v, t, w, h)).toEqual(
          reference(
            Uint8Array.from(v, (x) => (x > t ? 1 : 0)),
            w,
            h,
            1,
          ),
        );
      }
    });
});
