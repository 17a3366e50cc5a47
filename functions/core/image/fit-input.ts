/**
 * The image-folder models' preprocessing (meta.json protocol "letterbox" or "crop", as training/data/image-folder.ts
 * did with sharp): the picture as it is, no inversion or cropping to the object, in C planes (gray or RGB),
 * resized to H x W keeping its aspect ratio. letterbox fits all of it and pads with black; crop fills H x W and cuts
 * the overflow around the centre.
 */
import { paste, resize, toGray, type Gray } from './ops.js';
import type { Raster } from './types.js';

export type FitProtocol = 'letterbox' | 'crop';

/** The raster as `channels` float planes in [0,1]: luma for 1, R, G, B for 3 (a gray raster repeated). */
export function planes(r: Raster, channels: number): Gray[] {
  if (channels === 1) return [toGray(r)];
  const n = r.width * r.height;
  return [0, 1, 2].map((c) => {
    const data = new Float32Array(n),
      k = 1 / 255;
    if (r.channels === 1) for (let p = 0; p < n; p++) data[p] = r.data[p] * k;
    else for (let p = 0; p < n; p++) data[p] = r.data[p * 3 + c] * k;
    return { width: r.width, height: r.height, data };
  });
}

export function fitInput(
  r: Raster,
  shape: [number, number, number],
  protocol: FitProtocol,
): { input: Float32Array; steps: string[] } {
  const [C, H, W] = shape;
  const steps = [C === 3 ? (r.channels === 3 ? 'RGB' : 'gray to RGB (3 equal planes)') : 'grayscale'];
  const s = protocol === 'letterbox' ? Math.min(W / r.width, H / r.height) : Math.max(W / r.width, H / r.height);
  const fw = Math.max(1, Math.round(r.width * s)),
    fh = Math.max(1, Math.round(r.height * s));
  const out = new Float32Array(C * H * W);
  planes(r, C).forEach((g, c) => {
    const p = fw === g.width && fh === g.height ? g : resize(g, fw, fh);
    // Centred: letterbox pads (offsets >= 0), crop cuts (offsets <= 0).
    out.set(paste(p, W, H, Math.floor((W - fw) / 2), Math.floor((H - fh) / 2)).data, c * H * W);
  });
  steps.push(
    protocol === 'letterbox'
      ? `fit ${r.width}x${r.height} into ${W}x${H} keeping the aspect ratio (${fw}x${fh}), black bars`
      : `fill ${W}x${H} keeping the aspect ratio (${fw}x${fh}), cut around the centre`,
    'scale to [0,1]',
  );
  return { input: out, steps };
}
