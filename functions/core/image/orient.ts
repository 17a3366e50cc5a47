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

export function orient(r: Raster, o: number): Raster {
  if (o <= 1 || o > 8) return r;
  const { width: W, height: H, channels: ch, data } = r;
  const swap = o >= 5;
  const w = swap ? H : W,
    h = swap ? W : H;
  const out = new Uint8Array(data.length);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      // The stored pixel (sx, sy) seen at (x, y) once turned upright.
      const [sx, sy] =
        o === 2
          ? [W - 1 - x, y]
          : o === 3
            ? [W - 1 - x, H - 1 - y]
            : o === 4
              ? [x, H - 1 - y]
              : o === 5
                ? [y, x]
                : o === 6
                  ? [y, H - 1 - x]
                  : o === 7
                    ? [W - 1 - y, H - 1 - x]
                    : [W - 1 - y, x];
      const s = (sy * W + sx) * ch,
        d = (y * w + x) * ch;
      for (let c = 0; c < ch; c++) out[d + c] = data[s + c];
    }
  return { width: w, height: h, channels: ch, data: out };
}
