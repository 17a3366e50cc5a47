/**
 * PNG (png-decode.ts: 1-16 bit, gray, gray+alpha, RGB, RGBA, palette with tRNS, interlaced), JPEG (jpeg-decode.ts:
 * baseline and progressive, shrunk on load by the scaled inverse DCT) and WebP (webp-decode.ts: libwebp in wasm) to
 * an 8-bit Raster: alpha composited on white (as a viewer shows the image), rows shrunk by a box filter as they are
 * decoded (shrink.ts), EXIF orientation applied. Before any pixel is decoded, the bytes decoding will hold at its
 * peak are estimated from the header and checked against the request's budget (413).
 */
import { Problem, tooLarge, unprocessable, unsupported } from '../errors.js';
import { ORIENTATIONS, orient } from './orient.js';
import { readPng, type PngHeader } from './png-decode.js';
import { Shrinker, shrinkFactor } from './shrink.js';
import { coefficientBytesAt, readJpeg, scaledSize, type Eighths, type JpegFrame } from './jpeg-decode.js';
import { checkDimensions, detectFormat, imageSize, jpegInfo, webpInfo } from './sniff.js';
import { DEFAULT_LIMITS, WORK_SIDE, type ImageFormat, type ImageLimits, type Raster } from './types.js';

const MiB = 1024 * 1024;
const NAMES: Record<ImageFormat, string> = { png: 'PNG', jpeg: 'JPEG', webp: 'WebP' };
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

function overBudget(
  what: string,
  need: number,
  limits: ImageLimits,
  instead = 'a non-interlaced PNG, or a baseline JPEG',
) {
  return tooLarge(
    `decoding this ${what} needs about ${mib(need)}; the memory budget for one request is ${mib(limits.budgetBytes)}. Send a smaller image (or ${instead}).`,
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
    // 8-bit gray or RGB without a transparent colour: the samples are the raster's already.
    if (h.depth === 8 && !h.palette && !h.transparent && (h.channels === 1 || h.channels === 3))
      return (samples) => shrink!.push(samples as Uint8Array);
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

/**
 * The scale (eighths) to decode a JPEG whose longest side is `longest` at, for at most `side`: the smallest that
 * keeps at least side / 2, the least an integer shrink factor leaves (a photo's steps need side / 2: workingSide),
 * so no more pixels are made than the steps use. 8 (full size) within `side`; 1 (1/8) from 4 side up, the box
 * filter doing the rest above 8 side.
 */
const jpegEighths = (longest: number, side: number): Eighths =>
  longest <= side ? 8 : (Math.max(1, Math.min(8, Math.ceil((4 * side) / longest))) as Eighths);

/** m/8 in lowest terms: 1/2, 3/8, 1/4, 1/8. */
const eighthsText = (m: Eighths) => {
  const g = m % 4 === 0 ? 4 : m % 2 === 0 ? 2 : 1;
  return `${m / g}/${8 / g}`;
};

interface DecodedJpeg {
  raster: Raster;
  orientation: number;
  eighths: Eighths;
  /** The size decoded at eighths / 8, before the box filter. */
  scaled: { width: number; height: number };
}

/**
 * Decoded at m/8 by the inverse DCT (shrink-on-load), the rest of the way to `side` by the box filter (only above
 * 8 side), so the budget counts the scaled rows and strips, never a full-size row.
 */
function decodeJpeg(bytes: Uint8Array, limits: ImageLimits, side: number): DecodedJpeg {
  const { orientation } = jpegInfo(bytes);
  let shrink: Shrinker | undefined,
    eighths: Eighths = 8,
    scaled = { width: 0, height: 0 };
  readJpeg(bytes, (f: JpegFrame) => {
    eighths = jpegEighths(Math.max(f.width, f.height), side);
    const s = scaledSize(f, eighths),
      k = shrinkFactor(s.width, s.height, side);
    scaled = s;
    const need =
      bytes.length +
      coefficientBytesAt(f, eighths) +
      s.workBytes +
      (Math.ceil(s.width / k) * (k > 1 ? 4 : 0) + Math.ceil(s.width / k) * Math.ceil(s.height / k)) * f.channels;
    if (need > limits.budgetBytes)
      throw overBudget(`${f.width}x${f.height} ${f.progressive ? 'progressive ' : ''}JPEG`, need, limits);
    const shrinker = new Shrinker(s.width, s.height, f.channels, k);
    shrink = shrinker;
    return { eighths, sink: (row) => shrinker.push(row) };
  });
  return { raster: shrink!.out, orientation, eighths, scaled };
}

/**
 * WebP through libwebp (webp-decode.ts, loaded on the first WebP): whole RGBA images, so the budget counts the file
 * twice (it is copied into wasm memory), the RGBA image twice (in wasm memory and copied out) and as much again for
 * libwebp's own buffers (a lossless image's transforms), before the rows are shrunk like any other.
 */
async function decodeWebpRaster(bytes: Uint8Array, limits: ImageLimits, side: number): Promise<Raster> {
  const info = webpInfo(bytes);
  if (info.animated)
    throw unsupported('animated WebP images are not supported: send one frame as a still PNG, JPEG or WebP', {
      received: 'animated WebP',
    });
  if (bytes.length < info.riffBytes)
    throw unprocessable(
      `WebP could not be decoded: the file is truncated: its data ends at byte ${bytes.length}; its header says ${info.riffBytes} bytes. Send the whole file.`,
    );
  const { width, height } = info,
    f = shrinkFactor(width, height, side);
  const need = 2 * bytes.length + 12 * width * height + Math.ceil(width / f) * Math.ceil(height / f) * 3;
  if (need > limits.budgetBytes) throw overBudget(`${width}x${height} WebP`, need, limits, 'a JPEG');
  const { decodeWebp } = await import('./webp-decode.js');
  const rgba = await decodeWebp(bytes);
  if (rgba.width !== width || rgba.height !== height)
    throw unprocessable(
      `WebP could not be decoded: its header says ${width}x${height} but its image is ${rgba.width}x${rgba.height}`,
    );
  const shrink = new Shrinker(width, height, 3, f),
    row = new Uint8Array(width * 3);
  for (let y = 0; y < height; y++) {
    rowTo8(rgba.data.subarray(y * width * 4, (y + 1) * width * 4), width, 4, 255, row);
    shrink.push(row);
  }
  return shrink.out;
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
 * Detects the format, checks the header's dimensions and memory need against the limits, then decodes to a raster
 * whose longest side is at most `side` (shrunk while decoding).
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
    if (format === 'png' || format === 'webp') {
      raster =
        format === 'png' ? await decodePngRaster(bytes, limits, side) : await decodeWebpRaster(bytes, limits, side);
      const f = shrinkFactor(width, height, side);
      if (f > 1) steps.push(`shrink ${width}x${height} by ${f} while decoding (box filter)`);
    } else {
      const j = decodeJpeg(bytes, limits, side);
      raster = j.raster;
      if (j.eighths < 8) steps.push(`decode ${width}x${height} at ${eighthsText(j.eighths)} size (scaled inverse DCT)`);
      const k = shrinkFactor(j.scaled.width, j.scaled.height, side);
      if (k > 1) steps.push(`shrink ${j.scaled.width}x${j.scaled.height} by ${k} while decoding (box filter)`);
      if (j.orientation !== 1) {
        raster = orient(raster, j.orientation);
        steps.push(`EXIF orientation ${j.orientation}: ${ORIENTATIONS[j.orientation]} to stand upright`);
      }
    }
  } catch (e) {
    // The decoders name what they refuse; anything else a damaged file trips is still the file's fault (422).
    if (e instanceof Problem) throw e;
    throw unprocessable(
      `${NAMES[format]} could not be decoded: the file is damaged (${e instanceof Error ? e.message : String(e)})`,
    );
  }
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
