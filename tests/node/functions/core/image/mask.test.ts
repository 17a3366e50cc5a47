/** Thin straight lines (ruled or grid paper) found at their slope and erased; strokes across them, and lines too short, stay. */
import { describe, expect, it } from 'vitest';
import { removeLines } from '../../../../../functions/core/image/mask.js';

const W = 120,
  H = 90;

/** A 1-pixel line at `deg` degrees through row 40 (drawn from x0 to x1), and a 6-pixel-wide bar across it. */
function page(deg: number, x0 = 0, x1 = W) {
  const m = new Uint8Array(W * H);
  const line: number[] = [];
  for (let x = x0; x < x1; x++) {
    const y = Math.round(40 + (x - W / 2) * Math.tan((deg * Math.PI) / 180));
    m[y * W + x] = 1;
    line.push(y * W + x);
  }
  const bar: number[] = [];
  for (let y = 10; y < 80; y++) for (let x = 57; x < 63; x++) bar.push(y * W + x);
  for (const p of bar) m[p] = 1;
  return { m, line: line.filter((p) => !bar.includes(p)), bar };
}

const transpose = (m: Uint8Array) => Uint8Array.from({ length: W * H }, (_, i) => m[(i % H) * W + Math.floor(i / H)]);

describe('removeLines', () => {
  for (const deg of [0, 1.5, -2.5])
    it(`erases a thin line at ${deg} degrees, horizontal or vertical, and keeps the stroke crossing it`, () => {
      const { m, line, bar } = page(deg);
      const h = m.slice();
      expect(removeLines(h, W, H)).toEqual({ horizontal: 1, vertical: 0 });
      expect(line.filter((p) => h[p])).toEqual([]);
      expect(bar.every((p) => h[p])).toBe(true);
      // The same page turned a quarter: the line is vertical (the mask is H wide, W high).
      const v = transpose(m);
      expect(removeLines(v, H, W)).toEqual({ horizontal: 0, vertical: 1 });
      expect(v).toEqual(transpose(h));
    });

  it('keeps a line that covers less than 60% of the page, and one steeper than 3 degrees', () => {
    for (const { m } of [page(0, 0, 66), page(6)]) {
      const before = m.slice();
      expect(removeLines(m, W, H)).toEqual({ horizontal: 0, vertical: 0 });
      expect(m).toEqual(before);
    }
  });
});
