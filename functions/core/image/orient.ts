/**
 * EXIF Orientation (TIFF 6.0 tag 0x0112): how the stored pixels must be turned to be seen upright. Applied to the
 * working image after decoding (already shrunk, so the turn costs one small copy).
 *   1 as stored   2 mirrored   3 rotated 180   4 flipped vertically
 *   5 transposed  6 rotated 90 clockwise  7 transversed  8 rotated 90 counter-clockwise
 */
import type { Raster } from './types.js';

export const ORIENTATIONS = [
  '',
  'as stored',
  'mirrored left-right',
  'rotated 180°',
  'flipped top-bottom',
  'transposed (mirrored and rotated 90° counter-clockwise)',
  'rotated 90° clockwise',
  'transversed (mirrored and rotated 90° clockwise)',
  'rotated 90° counter-clockwise',
];

/**
 * Where the pixel seen at (x, y) once upright is stored, per orientation: (sx, sy) = (x0 + xx x + xy y,
 * y0 + yx x + yy y) as [x0 is W - 1 (1) or 0, xx, xy, y0 is H - 1 (1) or 0, yx, yy].
 */
const TURNS: Record<number, number[]> = {
  2: [1, -1, 0, 0, 0, 1],
  3: [1, -1, 0, 1, 0, -1],
  4: [0, 1, 0, 1, 0, -1],
  5: [0, 0, 1, 0, 1, 0],
  6: [0, 0, 1, 1, -1, 0],
  7: [1, 0, -1, 1, -1, 0],
  8: [1, 0, -1, 0, 1, 0],
};

export function orient(r: Raster, o: number): Raster {
  if (o <= 1 || o > 8) return r;
  const { width: W, height: H, channels: ch, data } = r;
  const swap = o >= 5;
  const w = swap ? H : W,
    h = swap ? W : H;
  const [x0, xx, xy, y0, yx, yy] = TURNS[o];
  // The stored sample of (x, y): a start, a step per x and a step per y.
  const start = ((y0 ? H - 1 : 0) * W + (x0 ? W - 1 : 0)) * ch,
    stepX = (yx * W + xx) * ch,
    stepY = (yy * W + xy) * ch;
  const out = new Uint8Array(data.length);
  // Flipped top-bottom: each row whole. Otherwise one output row at a time, its samples copied with constant steps,
  // the three of a pixel at once (an inner loop over the channels took a third longer).
  if (stepX === ch)
    for (let y = 0; y < h; y++) out.set(data.subarray(start + y * stepY, start + y * stepY + w * ch), y * w * ch);
  else if (ch === 3)
    for (let y = 0, d = 0; y < h; y++)
      for (let x = 0, s = start + y * stepY; x < w; x++, s += stepX, d += 3) {
        out[d] = data[s];
        out[d + 1] = data[s + 1];
        out[d + 2] = data[s + 2];
      }
  else
    for (let y = 0, d = 0; y < h; y++)
      for (let x = 0, s = start + y * stepY; x < w; x++, s += stepX) out[d++] = data[s];
  return { width: w, height: h, channels: ch, data: out };
}
