/**
 * Polarity: is the ink dark on light paper (a photo, a scan, a drawing) or light on dark (MNIST itself)? Both
 * readings are made, each against its own paper estimate (background.ts), and the one whose ink looks like ink wins.
 */
import { darkness, darknessPair, estimatePaper, estimatePapers, type Paper } from './background.js';
import { emptyHistogram, otsu, quantile, type Histogram } from './histogram.js';
import { toGray, type Gray } from './ops.js';
import type { Raster } from './types.js';

export function inverted(r: Raster): Raster {
  const data = new Uint8Array(r.data.length);
  for (let i = 0; i < data.length; i++) data[i] = 255 - r.data[i];
  return { ...r, data };
}

/**
 * Strong and sparse: the ink's strength (99th percentile) times its sparsity (strength over the mean darkness).
 * Read the wrong way round, the "ink" is a weak halo or covers far more. Strength counts twice: bold strokes on
 * unevenly lit paper cover much of the page (not so sparse), while their wrong reading finds the light's own
 * variation, sparse but weak (99th percentile ~0.5 against ~1).
 */
function inkScore(h: Histogram): number {
  const mean = h.sum / h.n;
  const strength = quantile(h, 0.99, otsu(h));
  return (strength * strength) / Math.max(1e-6, mean);
}

export interface Reading {
  /** Dark ink on light paper: the picture is used as it is (and the model's input inverted). */
  light: boolean;
  /** The picture as light paper, dark ink (inverted when the ink was light). */
  src: Raster;
  paper: Paper;
  d: Float32Array;
  /** d's histogram. */
  hist: Histogram;
}

/** One reading: `light` says which way round the picture is taken. */
export function readAs(r: Raster, light: boolean): Reading {
  const src = light ? r : inverted(r);
  const paper = estimatePaper(src, 'closing'),
    hist = emptyHistogram(src.width * src.height);
  const d = darkness(src, paper, false, hist);
  return { light, src, paper, d, hist };
}

/**
 * Both readings; the one whose ink is stronger and sparser wins. As readAs(r, true) and readAs(r, false), with
 * both papers from one pass over the picture and the inverted copy made only when that reading wins.
 */
export function readPolarity(r: Raster): Reading {
  const papers = estimatePapers(r);
  const n = r.width * r.height,
    ha = emptyHistogram(n),
    hb = emptyHistogram(n);
  const [a, b] = darknessPair(r, papers.light, papers.dark, [ha, hb]);
  return inkScore(ha) >= inkScore(hb)
    ? { light: true, src: r, paper: papers.light, d: a, hist: ha }
    : { light: false, src: inverted(r), paper: papers.dark, d: b, hist: hb };
}

/** Whether the border (2% ring) is lighter than the middle half: a light background behind a large object. */
export function lightBorder(r: Raster): boolean {
  const g: Gray = toGray(r);
  const { width: w, height: h, data } = g;
  const ring = Math.max(1, Math.round(0.02 * Math.min(w, h)));
  const border: number[] = [],
    middle: number[] = [];
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      if (x < ring || y < ring || x >= w - ring || y >= h - ring) border.push(data[y * w + x]);
      else if (x >= w / 4 && x < (3 * w) / 4 && y >= h / 4 && y < (3 * h) / 4) middle.push(data[y * w + x]);
    }
  const median = (v: number[]) => v.sort((a, b) => a - b)[v.length >> 1] ?? 0;
  const b = median(border),
    c = middle.length ? median(middle) : b;
  return b === c ? b > 0.5 : b > c;
}
