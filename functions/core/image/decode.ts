/**
 * PNG (png-decode.ts: 1-16 bit, gray, gray+alpha, RGB, RGBA, palette with tRNS, interlaced) and JPEG
 * (jpeg-decode.ts: baseline and progressive) to an 8-bit Raster: alpha composited on white (as a viewer shows the image), rows shrunk
 * by a box filter as they are decoded (shrink.ts), EXIF orientation applied. Before any pixel is decoded, the bytes
 * decoding will hold at its peak are estimated from the header and checked against the request's budget (413).
 */
import { Problem, tooLarge, unprocessable } from '../errors.js';
import { ORIENTATIONS, orient } from './orient.js';
import { readPng, type PngHeader } from './png-decode.js';
import { Shrinker, shrinkFactor } from './shrink.js';
import { readJpeg, type JpegFrame } from './jpeg-decode.js';
import { checkDimensions, detectFormat, imageSize, jpegInfo } from './sniff.js';
import { DEFAULT_LIMITS, WORK_SIDE, type ImageFormat, type ImageLimits, type Raster } from './types.js';

const MiB = 1024 * 1024;
const mib = (bytes: number) => `${+(bytes / MiB).toFixed(bytes < MiB ? 2 : 1)} MiB`;

/** One row of samples (gray, gray+alpha, RGB, RGBA; maximum `max`) to 8-bit gray or RGB composited on white. */
function rowTo8(src: ArrayLike<number>, n: number, channels: number, max: number, out: Uint8Array): void {
  const k = 255 / max;
  if (channels === 1 || channels === 3) for (let i = 0; i < n * channels; i++) out[i] = Math.round(src[i] * k);
  else {
    const ch = channels - 1;
    for (let p = 0; p < n; p++) {
      const a = src[p * channels + ch] / max;
      for (let c = 0; c < ch; c++) out[p * ch + c] = Math.round(src[p * channels + c] * k * a + 255 * (1 - a));
    }
  }
}

function overBudget(what: string, need: number, limits: ImageLimits) {
  return tooLarge(
    `decoding this ${what} needs about ${mib(need)}; the memory budget for one request is ${mib(limits.budgetBytes)}. Send a smaller image (or a non-interlaced PNG, or a baseline JPEG).`,
    { needBytes: Math.round(need), budgetBytes: limits.budgetBytes },
  );
}

async function decodePngRaster(bytes: Uint8Array, limits: ImageLimits, side: number): Promise<Raster> {
  let shrink: Shrinker | undefined, row8: Uint8Array;
  let convert: (s: Uint8Array | Uint16Array) => void;
  await readPng(bytes, (h: PngHeader) => {
    const color = h.channels >= 3 || !!h.palette;
    const ch = color ? 3 : 1;
    const f = shrinkFactor(h.width, h.height, side);
    const need = bytes.length + h.workBytes + (h.width * 4 + Math.ceil(h.width / f) * Math.ceil(h.height / f)) * ch;
    if (need > limits.budgetBytes)
      throw overBudget(`${h.width}x${h.height}${h.interlaced ? ' interlaced' : ''} PNG`, need, limits);
    shrink = new Shrinker(h.width, h.height, ch, f);
    row8 = new Uint8Array(h.width * ch);
    const n = h.width,
      max = 2 ** h.depth - 1;
    if (h.palette) {
      const pal = h.palette,
        rgba = new Uint8Array(n * 4);
      convert = (s) => {
        for (let p = 0; p < n; p++) {
          const c = pal[s[p]];
          if (!c)
            throw unprocessable(
              `PNG could not be decoded: the palette has ${pal.length} colours but a pixel uses index ${s[p]}`,
            );
          rgba.set(c, p * 4);
        }
        rowTo8(rgba, n, 4, 255, row8);
      };
    } else if (h.transparent) {
      // tRNS on gray/RGB images names one colour as fully transparent.
      const t = h.transparent,
        c0 = h.channels,
        withAlpha = new Uint16Array(n * (c0 + 1));
      convert = (s) => {
        for (let p = 0; p < n; p++) {
          let transparent = true;
          for (let c = 0; c < c0; c++) {
            const v = s[p * c0 + c];
            withAlpha[p * (c0 + 1) + c] = v;
            transparent &&= v === t[c];
          }
          withAlpha[p * (c0 + 1) + c0] = transparent ? 0 : max;
        }
        rowTo8(withAlpha, n, c0 + 1, max, row8);
      };
    } else convert = (s) => rowTo8(s, n, h.channels, max, row8);
    return (samples) => {
      convert(samples);
      shrink!.push(row8);
    };
  });
  return shrink!.out;
}

function decodeJpeg(bytes: Uint8Array, limits: ImageLimits, side: number): { raster: Raster; orientation: number } {
  const { orientation } = jpegInfo(bytes);
  let shrink: Shrinker | undefined;
  readJpeg(bytes, (f: JpegFrame) => {
    const k = shrinkFactor(f.width, f.height, side);
    const need =
      bytes.length + f.coefficientBytes + (f.width * 4 + Math.ceil(f.width / k) * Math.ceil(f.height / k)) * f.channels;
    if (need > limits.budgetBytes)
      throw overBudget(`${f.width}x${f.height} ${f.progressive ? 'progressive ' : ''}JPEG`, need, limits);
    const s = new Shrinker(f.width, f.height, f.channels, k);
    shrink = s;
    return (row) => s.push(row);
  });
  return { raster: shrink!.out, orientation };
}

interface Decoded {
  raster: Raster;
  format: ImageFormat;
  /** The file's own size, as stored. */
  width: number;
  height: number;
  /** The steps decoding took that a caller should know of: shrinking, an EXIF rotation. */
  steps: string[];
}

/**
 * Detects the format, checks the header's dimensions and memory need against the limits, then decodes, shrunk by
 * the smallest integer factor that brings the longest side to at most `side`.
 */
export async function decodeImage(
  bytes: Uint8Array,
  limits: ImageLimits = DEFAULT_LIMITS,
  side = WORK_SIDE,
): Promise<Decoded> {
  const format = detectFormat(bytes);
  const { width, height } = imageSize(bytes, format);
  checkDimensions(width, height, limits);
  const steps: string[] = [];
  let raster: Raster;
  try {
    if (format === 'png') raster = await decodePngRaster(bytes, limits, side);
    else {
      const j = decodeJpeg(bytes, limits, side);
      raster = j.raster;
      if (j.orientation !== 1) {
        raster = orient(raster, j.orientation);
        steps.push(`EXIF orientation ${j.orientation}: ${ORIENTATIONS[j.orientation]} to stand upright`);
      }
    }
  } catch (e) {
    // The decoders name what they refuse; anything else a damaged file trips is still the file's fault (422).
    if (e instanceof Problem) throw e;
    throw unprocessable(
      `${format.toUpperCase()} could not be decoded: the file is damaged (${e instanceof Error ? e.message : String(e)})`,
    );
  }
  const f = shrinkFactor(width, height, side);
  if (f > 1) steps.unshift(`shrink ${width}x${height} by ${f} while decoding (box filter)`);
  return { raster, format, width, height, steps };
}

/** Raw pixels given as JSON numbers (0-255), 1, 3 or 4 channels interleaved, to a Raster (RGBA on white). */
export function rasterFromPixels(
  values: ArrayLike<number>,
  width: number,
  height: number,
  channels: number,
  side = WORK_SIDE,
): Raster {
  const ch = channels >= 3 ? 3 : 1;
  const shrink = new Shrinker(width, height, ch, shrinkFactor(width, height, side));
  const row = new Uint8Array(width * ch),
    src = new Float64Array(width * channels);
  for (let y = 0; y < height; y++) {
    for (let i = 0; i < src.length; i++) src[i] = values[y * width * channels + i];
    rowTo8(src, width, channels, 255, row);
    shrink.push(row);
  }
  return shrink.out;
}
