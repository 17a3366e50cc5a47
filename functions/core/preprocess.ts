/**
 * Preprocessing: an uploaded image to the model's input tensor [C,H,W] in [0,1], with the steps that ran (the
 * answer lists them). For photos and scans as well as clean drawings, at the working resolution the upload was
 * decoded to (workingSide: a few times the model's input, never the photo's own size):
 *   1. polarity (image/polarity.ts, or the caller's invert=): a dark background (light ink, as MNIST itself) is
 *      inverted so that paper is light;
 *   2. illumination: the paper's colour estimated over the image and divided out (image/background.ts), the ink
 *      taken as the darkness in its most absorbing channel (any ink hue on any paper colour);
 *   3. robust contrast: 0 at the median (the paper), 1 at the 99th percentile of the ink; never min/max;
 *   4. ink mask: Otsu's threshold, with hysteresis down to half of it for soft edges (image/mask.ts);
 *   5. thin straight lines (ruled or grid paper) removed; connected components kept by size and distance from
 *      the main one (specks and stray marks dropped);
 *   6. the model's protocol:
 *      mnist: crop to the ink, fit into 20x20 keeping the aspect ratio, centre by centre of mass in 28x28
 *             (LeCun et al.'s protocol for MNIST);
 *      fit:   the object against a background fitted to the border, crop, fit into the input keeping the aspect
 *             ratio, centred (Fashion-MNIST's protocol).
 *   none: grayscale and resize to the input size only; the caller sends what the model expects.
 */
import { badRequest, unprocessable } from './errors.js';
import { darkness, estimatePaper, refinePaper } from './image/background.js';
import { inverted, lightBorder, readAs, readPolarity } from './image/polarity.js';
import { countInto, emptyHistogram, otsu, quantile } from './image/histogram.js';
import { components, removeLines, selectComponents } from './image/mask.js';
import { dilate, dilateAbove, fillHoles } from './image/morphology.js';
import {
  borderMean,
  centreOfMass,
  invert as invertGray,
  neutral,
  paste,
  resize,
  toGray,
  type Gray,
} from './image/ops.js';
import { shrinkToSide } from './image/shrink.js';
import type { Raster } from './image/types.js';
import { fitInput, planes, type FitProtocol } from './image/fit-input.js';
import { fitSide, inkStages, photoSide, plainStages, workingSide } from './protocol-steps.js';

export { photoSide, workingSide };

export type Protocol = 'mnist' | 'fit' | 'none' | FitProtocol;
interface Preprocessed {
  input: Float32Array;
  shape: [number, number, number];
  steps: string[];
}

/** Below this contrast between paper and ink (after illumination correction) there is nothing to classify. */
const MIN_CONTRAST = 0.06;
const f2 = (v: number) => v.toFixed(2);

/** Polarity: auto (read from the picture), or forced by the caller (invert=true: dark ink on light paper). */
export type Invert = 'auto' | boolean;

/** The polarity step, in the words of the stage table (core/protocol-steps.ts). */
const polarityStep = (said: ReturnType<typeof inkStages>['polarity'], light: boolean, invert: Invert) =>
  (invert === 'auto'
    ? light
      ? said.forms.light
      : said.forms.dark
    : light
      ? said.forms.forcedLight
      : said.forms.forcedDark)();

/** Ink (or object) of a photo or drawing as light-on-dark values in [0,1], cleaned, with the steps taken. */
function extract(
  picture: Raster,
  protocol: 'mnist' | 'fit',
  said: ReturnType<typeof inkStages>,
  invert: Invert,
  steps: string[],
  mark: Mark,
): Gray {
  const { width: w, height: h } = picture;
  let paper,
    d: Float32Array,
    r = picture;
  // The darkness map's histogram, filled as the map is made.
  const hd = emptyHistogram(w * h);
  if (protocol === 'mnist') {
    r = neutral(r);
    // Polarity (image/polarity.ts), unless the caller says which way round the picture is.
    const first = invert === 'auto' ? readPolarity(r) : readAs(r, invert);
    steps.push(polarityStep(said.polarity, first.light, invert));
    // Second pass: the paper re-measured around the ink the first found (its soft edges included): the pixels over
    // half of Otsu's threshold, grown by one (3x3).
    const ink = dilateAbove(first.d, otsu(first.hist) / 2, w, h);
    mark('polarity');
    paper = refinePaper(first.src, ink, first.paper);
    d = darkness(first.src, paper, false, hd);
    mark('illumination (paper re-measured around the ink)');
  } else {
    // An object may fill the frame: its border is compared with its middle.
    const light = invert === 'auto' ? lightBorder(r) : invert;
    steps.push(polarityStep(said.polarity, light, invert));
    r = neutral(r);
    if (!light) r = inverted(r); // light object on dark: read as dark on light
    mark('polarity');
    paper = estimatePaper(r, 'border');
    d = darkness(r, paper, false, hd);
    mark('illumination');
  }
  steps.push(
    paper.model === 'closing'
      ? said.illumination.forms.closing({ window: paper.window })
      : said.illumination.forms.border(),
  );
  steps.push((picture.channels === 3 ? said.ink.forms.colour : said.ink.forms.gray)());

  const lo = quantile(hd, 0.5);
  const t0 = otsu(hd);
  // The ink's 99th percentile above Otsu's threshold (a bin edge: read off the histogram), or above the median.
  const hi = t0 >= lo ? quantile(hd, 0.99, t0) : quantile(d, 0.99, lo);
  if (hi - lo < MIN_CONTRAST)
    throw unprocessable(
      `the image is blank: the darkest ink is ${f2(hi - lo)} below the paper (at least ${MIN_CONTRAST} is needed): there is nothing to classify`,
      { contrast: hi - lo, needed: MIN_CONTRAST },
    );
  // Stretched and clamped to [0, 1], then counted for Otsu's threshold below.
  const k = 1 / (hi - lo),
    hs = emptyHistogram(d.length);
  for (let i = 0; i < d.length; i++) {
    const v = (d[i] - lo) * k;
    d[i] = v > 0 ? (v < 1 ? v : 1) : 0;
  }
  countInto(hs, d);
  steps.push(said.contrast.forms.is({ lo: f2(lo), hi: f2(hi) }));
  mark('robust contrast');

  const t = otsu(hs),
    weak = t / 2,
    faintest = t / 4;
  // Lines are searched in a fainter mask (down to a quarter of the threshold): shrunk to the working resolution, a
  // ruled line a pixel or two wide keeps only part of its darkness, and a line found only in patches is not removed.
  const faint = new Uint8Array(w * h);
  for (let i = 0; i < d.length; i++) faint[i] = d[i] > faintest ? 1 : 0;
  steps.push(said.mask.forms.is({ t: f2(t), weak: f2(weak) }));
  mark('ink masks');
  const lines = removeLines(faint, w, h);
  // The ink mask, less the lines erased from the faint one.
  const mask = new Uint8Array(w * h);
  for (let i = 0; i < d.length; i++) mask[i] = d[i] > weak ? faint[i] : 0;
  mark('line search');
  if (lines.horizontal + lines.vertical > 0) steps.push(said.lines.forms.is(lines));
  const { labels, list } = components(mask, w, h, (i) => d[i] > t);
  const kept = protocol === 'mnist' ? selectComponents(list, 0.05, 0.3) : selectComponents(list, 0.1, 0.5);
  mark('components');
  if (!kept.length)
    throw unprocessable('the image is blank: no ink stands out from the paper: there is nothing to classify');
  const keep = new Uint8Array(list.length + 1);
  for (const c of kept) keep[c.label] = 1;
  const box = { x0: w, y0: h, x1: -1, y1: -1 };
  for (const c of kept) {
    box.x0 = Math.min(box.x0, c.x0);
    box.y0 = Math.min(box.y0, c.y0);
    box.x1 = Math.max(box.x1, c.x1);
    box.y1 = Math.max(box.y1, c.y1);
  }
  const dropped = list.filter((c) => c.strong > 0).length - kept.length;
  if (dropped > 0) steps.push(said.specks.forms.is({ kept: kept.length, dropped }));
  // Only the kept ink or object, with the faint fringe around it (half a model pixel: anti-aliased edges, as
  // MNIST's own); everything else exactly 0. An object keeps its holes (a bag's handle, a pale print on a
  // shirt): whatever the background cannot reach from the border without crossing it.
  // All of it within the box the crop keeps: the kept pixels lie in it, so their holes (reached from the box's
  // edge, which the outside touches) and their growth there are what the whole picture gives.
  const bw = box.x1 - box.x0 + 1,
    bh = box.y1 - box.y0 + 1;
  let inside: Uint8Array = new Uint8Array(bw * bh);
  for (let y = 0, o = 0; y < bh; y++)
    for (let i = (box.y0 + y) * w + box.x0, e = i + bw; i < e; i++, o++) inside[o] = keep[labels[i]];
  if (protocol === 'fit') fillHoles(inside, bw, bh);
  inside = dilate(inside, bw, bh, Math.max(1, Math.round(Math.max(bw - 1, bh - 1) / 40)));
  const g: Gray = { width: bw, height: bh, data: new Float32Array(bw * bh) };
  for (let y = 0, o = 0; y < bh; y++)
    for (let i = (box.y0 + y) * w + box.x0, e = i + bw; i < e; i++, o++) g.data[o] = inside[o] ? d[i] : 0;
  mark('keep, dilate, crop');
  steps.push(said.crop.forms.is({ w: g.width, h: g.height, x: box.x0, y: box.y0 }));
  return g;
}

/** Called after each step with its name (a benchmark's timer: tests/bench/photo-path.ts). */
type Mark = (step: string) => void;

export interface PreprocessOptions {
  /** Polarity (default auto); the image-folder protocols (letterbox, crop) take the picture as it is. */
  invert?: Invert;
  mark?: Mark;
}

export function preprocess(
  r: Raster,
  shape: [number, number, number],
  protocol: Protocol,
  { invert = 'auto', mark = () => {} }: PreprocessOptions = {},
): Preprocessed {
  const [C, H, W] = shape;
  // Image-folder models (and every colour model) see the picture as it is (image/fit-input.ts).
  if (protocol === 'letterbox' || protocol === 'crop' || C !== 1) {
    if (invert !== 'auto')
      throw badRequest(
        `invert=${invert} applies to the mnist, fit and none protocols; ${C !== 1 ? 'a colour model' : `the ${protocol} protocol`} takes the picture as it is: leave invert=auto`,
      );
    return { ...fitInput(r, shape, protocol === 'crop' ? 'crop' : 'letterbox'), shape };
  }
  const steps: string[] = [];
  if (protocol === 'none') {
    const said = plainStages(shape);
    let g = toGray(r);
    steps.push((r.channels === 3 ? said.gray.forms.luma : said.gray.forms.gray)());
    if (invert === true) {
      g = invertGray(g);
      steps.push(said.invert.forms.forced());
    }
    if (g.width !== W || g.height !== H) {
      g = resize(g, W, H);
      steps.push(said.resize.forms.is({ w: r.width, h: r.height }));
    }
    return { input: g.data, shape, steps };
  }
  const said = inkStages(protocol, shape);
  // The photo steps' working resolution; a gray picture read as one channel (a third of the samples to average).
  const work = shrinkToSide(r, photoSide(shape, protocol), true);
  if (work.width < r.width)
    steps.push(said.shrink.forms.is({ w: r.width, h: r.height, tw: work.width, th: work.height }));
  mark('gray check, shrink to the working resolution');
  let g = extract(work, protocol, said, invert, steps, mark);
  const s = fitSide(protocol, shape) / Math.max(g.width, g.height);
  const fw = Math.max(1, Math.round(g.width * s)),
    fh = Math.max(1, Math.round(g.height * s));
  g = resize(g, fw, fh);
  steps.push(said.fit.forms.is({ w: fw, h: fh }));
  if (protocol === 'mnist') {
    const c = centreOfMass(g);
    const ox = Math.round((W - 1) / 2 - c.x + 0.5),
      oy = Math.round((H - 1) / 2 - c.y + 0.5);
    g = paste(g, W, H, ox, oy);
    steps.push(said.centre.forms.is());
  } else {
    g = paste(g, W, H, Math.floor((W - fw) / 2), Math.floor((H - fh) / 2));
    steps.push(said.centre.forms.is());
  }
  mark('fit and centre');
  return { input: g.data, shape, steps };
}

/**
 * Input for the fully convolutional graph (Deep Dream, Deep Style): any size up to `side` on its longest side, no
 * cropping or centring. A single-channel model gets it grayscale, light on dark as it saw in training; a colour
 * model gets its RGB planes as photographed (the image-folder protocols never invert), one after another.
 */
export function anySizeInput(r: Raster, side: number, channels = 1): { img: Gray; steps: string[] } {
  if (channels !== 1) {
    const s = Math.min(1, side / Math.max(r.width, r.height));
    const w = Math.max(1, Math.round(r.width * s)),
      h = Math.max(1, Math.round(r.height * s));
    const data = new Float32Array(channels * w * h);
    planes(r, channels).forEach((p, k) => data.set(s < 1 ? resize(p, w, h).data : p.data, k * w * h));
    const steps = [r.channels === 3 ? 'RGB' : 'gray to RGB (3 equal planes)'];
    if (s < 1) steps.push(`resize to ${w}x${h} (side ${side})`);
    return { img: { width: w, height: h, data }, steps };
  }
  let g = toGray(r);
  const steps = [r.channels === 3 ? 'grayscale (BT.601 luma)' : 'grayscale'];
  if (borderMean(g) > 0.5) {
    g = invertGray(g);
    steps.push('invert (light background; the model sees light on dark)');
  }
  const s = side / Math.max(g.width, g.height);
  if (s < 1) {
    g = resize(g, Math.max(1, Math.round(g.width * s)), Math.max(1, Math.round(g.height * s)));
    steps.push(`resize to ${g.width}x${g.height} (side ${side})`);
  }
  return { img: g, steps };
}
