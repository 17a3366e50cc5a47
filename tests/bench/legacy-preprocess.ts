/**
 * The preprocessing this project used before photos were handled (commit 18fb57a, functions/core/preprocess.ts),
 * kept only as the benchmark's reference: luma, invert a light background (border mean), contrast stretched by the
 * single darkest and brightest pixel, crop to pixels above 0.2, fit into 20x20, centre by centre of mass.
 */
import { borderMean, centreOfMass, crop, inkBox, paste, resize, toGray } from '../../functions/core/image/ops.js';
import type { Raster } from '../../functions/core/image/types.js';

export function legacyMnist(r: Raster): Float32Array {
  const g = toGray(r);
  const light = borderMean(g) > 0.5;
  let lo = Infinity,
    hi = -Infinity;
  for (const v of g.data) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const d = g.data.map((v) => (light ? hi - v : v - lo) / Math.max(1e-3, hi - lo));
  const box = inkBox({ ...g, data: d }, 0.2) ?? { x0: 0, y0: 0, x1: g.width - 1, y1: g.height - 1 };
  let c = crop({ ...g, data: d }, box);
  const s = 20 / Math.max(c.width, c.height);
  c = resize(c, Math.max(1, Math.round(c.width * s)), Math.max(1, Math.round(c.height * s)));
  const m = centreOfMass(c);
  return paste(c, 28, 28, Math.round(13.5 - m.x + 0.5), Math.round(13.5 - m.y + 0.5)).data;
}
