/**
 * Preprocessing: an uploaded image to the model's input tensor [C,H,W] in [0,1], with the steps that ran.
 *   mnist: grayscale, invert a light background, stretch contrast, crop to the ink, fit into 20x20 keeping the
 *          aspect ratio, centre by centre of mass in 28x28 (LeCun et al.'s protocol for MNIST).
 *   fit:   grayscale, invert a light background, crop to the object, fit into the input keeping the aspect
 *          ratio, centred (Fashion-MNIST's protocol).
 *   none:  grayscale and resize to the input size only; the caller sends what the model expects.
 */
import { unprocessable } from './errors.js';
import { borderMean, centreOfMass, crop, inkBox, invert, paste, resize, toGray, type Gray } from './image/ops.js';
import type { Raster } from './image/types.js';
import { fitInput, type FitProtocol } from './image/fit-input.js';

export type Protocol = 'mnist' | 'fit' | 'none' | FitProtocol;
interface Preprocessed {
  input: Float32Array;
  shape: [number, number, number];
  steps: string[];
}

const INK = 0.2; // a pixel counts as ink/object above this after contrast stretching

/** Contrast stretched to [0,1], inverted first when `invert` (one pass: 1 - v stretched is (hi - v) / (hi - lo)). */
function stretch(g: Gray, invert: boolean): Gray {
  const d = g.data,
    n = d.length;
  let lo = Infinity,
    hi = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = d[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (hi - lo < 1e-3)
    throw unprocessable(
      `the image is blank (every pixel is ${(invert ? 1 - lo : lo).toFixed(3)}): there is nothing to classify`,
    );
  const out = new Float32Array(n),
    k = 1 / (hi - lo);
  if (invert) for (let i = 0; i < n; i++) out[i] = (hi - d[i]) * k;
  else for (let i = 0; i < n; i++) out[i] = (d[i] - lo) * k;
  return { ...g, data: out };
}

export function preprocess(r: Raster, shape: [number, number, number], protocol: Protocol): Preprocessed {
  const [C, H, W] = shape;
  // Image-folder models (and every colour model) see the picture as it is (image/fit-input.ts).
  if (protocol === 'letterbox' || protocol === 'crop' || C !== 1)
    return { ...fitInput(r, shape, protocol === 'crop' ? 'crop' : 'letterbox'), shape };
  const steps: string[] = [];
  let g = toGray(r);
  steps.push(r.channels === 3 ? 'grayscale (BT.601 luma)' : 'grayscale');
  if (protocol === 'none') {
    if (g.width !== W || g.height !== H) {
      g = resize(g, W, H);
      steps.push(`resize ${r.width}x${r.height} to ${W}x${H}`);
    }
    return { input: g.data, shape, steps };
  }
  const light = borderMean(g) > 0.5;
  if (light) steps.push('invert (light background)');
  g = stretch(g, light);
  steps.push('stretch contrast to [0,1]');
  const box = inkBox(g, INK)!;
  g = crop(g, box);
  steps.push(`crop to the ${protocol === 'mnist' ? 'ink' : 'object'}: ${g.width}x${g.height} at (${box.x0},${box.y0})`);
  const fitSide = protocol === 'mnist' ? Math.round((20 / 28) * Math.min(W, H)) : Math.min(W, H);
  const s = fitSide / Math.max(g.width, g.height);
  const fw = Math.max(1, Math.round(g.width * s)),
    fh = Math.max(1, Math.round(g.height * s));
  g = resize(g, fw, fh);
  steps.push(`fit into ${fitSide}x${fitSide} keeping the aspect ratio: ${fw}x${fh}`);
  if (protocol === 'mnist') {
    const c = centreOfMass(g);
    const ox = Math.round((W - 1) / 2 - c.x + 0.5),
      oy = Math.round((H - 1) / 2 - c.y + 0.5);
    g = paste(g, W, H, ox, oy);
    steps.push(`centre by centre of mass in ${W}x${H}`);
  } else {
    g = paste(g, W, H, Math.floor((W - fw) / 2), Math.floor((H - fh) / 2));
    steps.push(`centre in ${W}x${H}`);
  }
  return { input: g.data, shape, steps };
}

/**
 * Input for the fully convolutional graph (Deep Dream, Deep Style): any size up to `side` on its longest side,
 * grayscale, light on dark as the model saw in training; no cropping or centring.
 */
export function anySizeInput(r: Raster, side: number): { img: Gray; steps: string[] } {
  let g = toGray(r);
  const steps = [r.channels === 3 ? 'grayscale (BT.601 luma)' : 'grayscale'];
  if (borderMean(g) > 0.5) {
    g = invert(g);
    steps.push('invert (light background; the model sees light on dark)');
  }
  const s = side / Math.max(g.width, g.height);
  if (s < 1) {
    g = resize(g, Math.max(1, Math.round(g.width * s)), Math.max(1, Math.round(g.height * s)));
    steps.push(`resize to ${g.width}x${g.height} (side ${side})`);
  }
  return { img: g, steps };
}
