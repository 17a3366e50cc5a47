/**
 * Deep Dream and Deep Style on uploads, as the endpoints answer them: each upload fitted to the working side (the
 * steps reported), padded when under the network's smallest input, and the picture made (core/pictures/panels.ts).
 */
import type { Source } from '../input.js';
import type { Model } from '../model.js';
import { anySize } from '../model-input.js';
import { dreamPicture, stylePicture } from '../pictures/panels.js';
import { dream, type DreamConfig } from './dream.js';
import { stylise, type StyleConfig } from './style.js';

/** Deep Dream of `source` at most `side` pixels a side. */
export async function dreamUpload(model: Model, source: Source, cfg: DreamConfig, side: number) {
  const ch = model.meta.input.shape[0];
  const { img, steps } = anySize(source, side, ch);
  const r = await dream(model, img, cfg);
  if (r.padded) steps.push(`pad ${img.width}x${img.height} to ${r.width}x${r.height} (the network's smallest input)`);
  return {
    preprocessing: { protocol: 'any-size', steps },
    width: r.width,
    height: r.height,
    octaveSizes: r.octaves.map(({ w, h }) => ({ width: w, height: h })),
    objective: { before: r.before, after: r.after },
    png: dreamPicture(r.image, r.width, r.height, ch),
  };
}

/** `style`'s look on `content`'s layout: the result beside both, with the losses. */
export async function styleUploads(model: Model, content: Source, style: Source, cfg: StyleConfig) {
  const ch = model.meta.input.shape[0];
  const c = anySize(content, cfg.side, ch, 'content'),
    s = anySize(style, cfg.side, ch, 'style');
  const r = await stylise(model, c.img, s.img, cfg);
  const steps = [...c.steps, ...s.steps];
  if (r.padded) steps.push(`pad to ${r.width}x${r.height} (the network's smallest input)`);
  return {
    preprocessing: { protocol: 'any-size', steps },
    width: r.width,
    height: r.height,
    losses: r.losses,
    panels: ['content', 'style', 'result'],
    png: stylePicture([r.content.data, r.style.data, r.image], r.width, r.height, ch),
  };
}
