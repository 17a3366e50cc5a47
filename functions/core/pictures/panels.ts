/**
 * The picture each endpoint answers with, and its scale: a saliency panel, an attack's adversarial image and its
 * perturbation, grids of fooling images and filters, a dream, a style panel. Images are [C,h,w] planes in [0,1]
 * (C = the model's input channels); `shape` is the model's input shape [C,H,W].
 */
import type { Runs } from '../cost.js';
import { labelledGrid, grayGrid } from './grid.js';
import { heatmaps } from './heatmap.js';
import { enlargement, grayPng } from './png.js';

/** A saliency map over its input: panel (map, overlay, colour bar), the two pictures alone and the colour scale. */
export function saliencyPictures(
  x: Float32Array,
  r: { map: Float32Array; width: number; height: number },
  opts: { clip: number; signed: boolean },
) {
  const pics = heatmaps(x, r.map, r.width, r.height, { clipPercentile: opts.clip, signed: opts.signed });
  return {
    panel: pics.panel,
    map: pics.map,
    overlay: pics.overlay,
    // The colour scale runs from 0 (or -clip_value when signed) to clip_value (|map| at the clip percentile);
    // larger values saturate.
    scale: {
      colormap: opts.signed ? 'blue-white-red' : 'viridis',
      signed: opts.signed,
      min: opts.signed ? -pics.clipValue : 0,
      clipValue: pics.clipValue,
      clipPercentile: opts.clip,
    },
  };
}

/** attackPictures' work: two pictures of the enlarged input's size. */
export function attackPicturesWork(shape: number[]): Runs[] {
  const [, h, w] = shape,
    scale = enlargement(w, h);
  return [{ kind: 'png', runs: 2, pixels: w * scale * h * scale }];
}

/** The adversarial image and its change from `x`, both enlarged (4x for small inputs: `enlargement`). */
export function attackPictures(x: Float32Array, adv: Float32Array, shape: number[]) {
  const [ch, h, w] = shape,
    scale = enlargement(w, h);
  const delta = adv.map((v, i) => v - x[i]);
  // A loop, not Math.max(...delta): a spread of a 224x224x3 picture's values overflows the call stack.
  const max = delta.reduce((m, d) => Math.max(m, Math.abs(d)), 1e-6);
  return {
    adversarial: grayPng(adv, w, h, scale, ch),
    // Mid-gray is no change; each colour plane shows its own signed change, on one scale for all planes.
    perturbation: grayPng(
      delta.map((d) => 0.5 + d / (2 * max)),
      w,
      h,
      scale,
      ch,
    ),
  };
}

/** Fooling images: one enlarged (`enlargement`), several in rows of up to ten, each numbered with its target class. */
export function foolingPicture(images: Float32Array, targets: number[], shape: number[]) {
  const [ch, h, w] = shape,
    n = targets.length;
  if (n === 1) return grayPng(images, w, h, enlargement(w, h), ch);
  // A row of up to ten tiles; a larger gallery (a many-class model's) wraps into rows of ten.
  return labelledGrid(images, n, w, h, {
    columns: Math.min(n, 10),
    scale: enlargement(w, h),
    labels: targets,
    channels: ch,
  });
}

/** Filter pictures: one enlarged (`enlargement`); several in a grid (at most 3x), each stretched to its own range and numbered by channel. */
export function filtersPicture(images: Float32Array, channels: number[], shape: number[]) {
  const [ch, h, w] = shape,
    n = channels.length;
  if (n === 1) return grayPng(images, w, h, enlargement(w, h), ch);
  return labelledGrid(images, n, w, h, {
    columns: Math.ceil(Math.sqrt(n)),
    scale: enlargement(w, h, 3),
    labels: channels,
    normalise: true,
    channels: ch,
  });
}

/** A dream, enlarged by whole pixels to about 256 pixels a side. */
export const dreamPicture = (image: Float32Array, width: number, height: number, channels: number) =>
  grayPng(image, width, height, enlargement(width, height, Infinity), channels);

/** Content, style and result side by side, enlarged by whole pixels to about 160 pixels a side each. */
export const stylePicture = (panels: ArrayLike<number>[], width: number, height: number, channels: number) =>
  grayGrid(
    new Float32Array(panels.flatMap((p) => Array.from(p))),
    panels.length,
    width,
    height,
    panels.length,
    Math.max(1, Math.floor(160 / Math.max(width, height))),
    channels,
  );
