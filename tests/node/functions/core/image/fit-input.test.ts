/** Colour preprocessing for image-folder models: planes in C,H,W order, letterbox bars, centre crop. */
import { describe, expect, it } from 'vitest';
import { fitInput, planes } from '../../../../../functions/core/image/fit-input.js';
import { paste, resize } from '../../../../../functions/core/image/ops.js';
import { preprocess } from '../../../../../functions/core/preprocess.js';
import type { Raster } from '../../../../../functions/core/image/types.js';

/** A w x h RGB raster: left half red, right half blue. */
function halves(w: number, h: number): Raster {
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[(y * w + x) * 3 + (x < w / 2 ? 0 : 2)] = 255;
  return { width: w, height: h, channels: 3, data };
}
const at = (input: Float32Array, c: number, y: number, x: number, H = 8, W = 8) => input[c * H * W + y * W + x];

describe('fitInput', () => {
  it('keeps RGB as three planes at the input size', () => {
    const { input } = fitInput(halves(8, 8), [3, 8, 8], 'letterbox');
    expect(input.length).toBe(3 * 64);
    expect([at(input, 0, 3, 1), at(input, 1, 3, 1), at(input, 2, 3, 1)]).toEqual([1, 0, 0]);
    expect([at(input, 0, 3, 6), at(input, 1, 3, 6), at(input, 2, 3, 6)]).toEqual([0, 0, 1]);
  });

  it('letterbox: a 16x8 picture becomes 8x4 with black bars above and below', () => {
    const { input, steps } = fitInput(halves(16, 8), [3, 8, 8], 'letterbox');
    expect(at(input, 0, 0, 1)).toBe(0); // bar
    expect(at(input, 0, 3, 1)).toBeCloseTo(1, 5); // picture
    expect(at(input, 0, 7, 1)).toBe(0);
    expect(steps.join(' ')).toMatch(/16x8 into 8x8 .* \(8x4\), black bars/);
  });

  it('crop: a 16x8 picture fills 8x8 and loses its left and right quarters', () => {
    const { input } = fitInput(halves(16, 8), [3, 8, 8], 'crop');
    // Columns 4..11 of the original: red for 4..7, blue for 8..11; no bars.
    expect(at(input, 0, 0, 0)).toBeCloseTo(1, 5);
    expect(at(input, 2, 7, 7)).toBeCloseTo(1, 5);
    expect(input.filter((v) => v === 0).length).toBe(2 * 64); // each pixel is pure red or pure blue
  });

  it('resamples in one pass as planes, ops.ts resize and paste would, shrinking and enlarging', () => {
    // The reference: every plane in floats, resized whole (area average or bilinear), then pasted centred.
    const reference = (r: Raster, [C, H, W]: [number, number, number], protocol: 'crop' | 'letterbox') => {
      const s = (protocol === 'crop' ? Math.max : Math.min)(W / r.width, H / r.height);
      const fw = Math.max(1, Math.round(r.width * s)),
        fh = Math.max(1, Math.round(r.height * s));
      const out = new Float32Array(C * H * W);
      planes(r, C).forEach((g, c) =>
        out.set(paste(resize(g, fw, fh), W, H, Math.floor((W - fw) / 2), Math.floor((H - fh) / 2)).data, c * H * W),
      );
      return out;
    };
    let seed = 7;
    const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) >>> 0) % n;
    for (let t = 0; t < 200; t++) {
      const w = 1 + rnd(50),
        h = 1 + rnd(50),
        ch = rnd(2) ? 3 : 1;
      const r: Raster = {
        width: w,
        height: h,
        channels: ch,
        data: Uint8Array.from({ length: w * h * ch }, () => rnd(256)),
      };
      const shape: [number, number, number] = [rnd(2) ? 3 : 1, 1 + rnd(40), 1 + rnd(40)];
      for (const protocol of ['crop', 'letterbox'] as const) {
        const got = fitInput(r, shape, protocol).input,
          want = reference(r, shape, protocol);
        expect(got.length).toBe(want.length);
        let worst = 0;
        for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
        expect(worst, `${w}x${h}x${ch} to ${shape.join('x')} ${protocol}`).toBeLessThan(1e-6);
      }
    }
  });

  it('preprocess sends a colour model through it, with a gray picture copied to three planes', () => {
    const gray: Raster = { width: 4, height: 4, channels: 1, data: new Uint8Array(16).fill(51) };
    const r = preprocess(gray, [3, 4, 4], 'fit');
    expect(r.shape).toEqual([3, 4, 4]);
    for (const v of r.input) expect(v).toBeCloseTo(0.2, 6);
    expect(r.steps[0]).toBe('gray to RGB (3 equal planes)');
  });
});
