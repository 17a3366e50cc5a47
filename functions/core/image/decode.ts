/**
 * PNG (fast-png: 1-16 bit, gray, gray+alpha, RGB, RGBA, palette with tRNS, interlaced) and JPEG (jpeg-js:
 * baseline and progressive) to a Raster. Alpha is composited on white, as a viewer shows the image.
 */
import { decode as decodePngFile } from 'fast-png';
import jpeg from 'jpeg-js';
import { unprocessable } from '../errors.js';
import { checkDimensions, detectFormat, imageSize } from './sniff.js';
import { DEFAULT_LIMITS, type ImageFormat, type ImageLimits, type Raster } from './types.js';

/** Unpacks 1/2/4-bit samples (rows padded to whole bytes) to one value per sample. */
function unpack(data: Uint8Array, width: number, height: number, samplesPerPixel: number, depth: number): Uint8Array {
  if (depth === 8) return data;
  const rowBytes = Math.ceil((width * samplesPerPixel * depth) / 8);
  const out = new Uint8Array(width * height * samplesPerPixel);
  const mask = (1 << depth) - 1;
  for (let y = 0; y < height; y++) {
    for (let i = 0; i < width * samplesPerPixel; i++) {
      const bit = i * depth;
      out[y * width * samplesPerPixel + i] = (data[y * rowBytes + (bit >> 3)] >> (8 - depth - (bit & 7))) & mask;
    }
  }
  return out;
}

/** Interleaved samples (gray, gray+alpha, RGB or RGBA) with maximum value `max` to an RGB or gray Raster on white. */
function toRaster(samples: ArrayLike<number>, width: number, height: number, channels: number, max: number): Raster {
  const hasAlpha = channels === 2 || channels === 4;
  const color = channels >= 3;
  const out = new Float32Array(width * height * (color ? 3 : 1));
  const n = width * height;
  for (let p = 0; p < n; p++) {
    const a = hasAlpha ? samples[p * channels + channels - 1] / max : 1;
    if (color) {
      for (let c = 0; c < 3; c++) out[p * 3 + c] = (samples[p * channels + c] / max) * a + (1 - a);
    } else out[p] = (samples[p * channels] / max) * a + (1 - a);
  }
  return { width, height, channels: color ? 3 : 1, data: out };
}

function decodePng(bytes: Uint8Array): Raster {
  let png;
  try { png = decodePngFile(bytes); } catch (e) { throw unprocessable(`PNG could not be decoded: ${(e as Error).message}`); }
  const { width, height, depth, channels } = png;
  if (png.palette) {
    const idx = unpack(png.data as Uint8Array, width, height, 1, depth);
    const entry = png.palette[0]?.length ?? 3;
    const rgba = new Uint8Array(width * height * 4);
    for (let p = 0; p < idx.length; p++) {
      const c = png.palette[idx[p]];
      if (!c) throw unprocessable(`PNG palette has ${png.palette.length} colours but a pixel uses index ${idx[p]}`);
      rgba.set([c[0], c[1], c[2], entry === 4 ? c[3] : (png.transparency?.[idx[p]] ?? 255)], p * 4);
    }
    return toRaster(rgba, width, height, 4, 255);
  }
  const samples = depth < 8 ? unpack(png.data as Uint8Array, width, height, channels, depth) : png.data;
  // tRNS on gray/RGB images names one colour as fully transparent.
  if (png.transparency?.length && (channels === 1 || channels === 3)) {
    const withAlpha = new Uint16Array(width * height * (channels + 1));
    const t = png.transparency;
    for (let p = 0; p < width * height; p++) {
      let transparent = true;
      for (let c = 0; c < channels; c++) { const v = samples[p * channels + c]; withAlpha[p * (channels + 1) + c] = v; transparent &&= v === t[c]; }
      withAlpha[p * (channels + 1) + channels] = transparent ? 0 : (1 << depth) - 1;
    }
    return toRaster(withAlpha, width, height, channels + 1, (1 << depth) - 1);
  }
  return toRaster(samples, width, height, channels, (1 << depth) - 1);
}

function decodeJpeg(bytes: Uint8Array, limits: ImageLimits): Raster {
  let img;
  try {
    img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: limits.maxPixels / 1e6 + 1, maxMemoryUsageInMB: 512 });
  } catch (e) {
    throw unprocessable(`JPEG could not be decoded: ${(e as Error).message ?? e}`);
  }
  return toRaster(img.data, img.width, img.height, 4, 255);
}

export interface Decoded { raster: Raster; format: ImageFormat; width: number; height: number }

/** Detects the format, checks the header's dimensions against the limits, then decodes. */
export function decodeImage(bytes: Uint8Array, limits: ImageLimits = DEFAULT_LIMITS): Decoded {
  const format = detectFormat(bytes);
  const { width, height } = imageSize(bytes, format);
  checkDimensions(width, height, limits);
  const raster = format === 'png' ? decodePng(bytes) : decodeJpeg(bytes, limits);
  return { raster, format, width, height };
}

/** Raw pixels given as JSON numbers (0-255), 1, 3 or 4 channels interleaved, to a Raster. */
export function rasterFromPixels(values: ArrayLike<number>, width: number, height: number, channels: number): Raster {
  return toRaster(values, width, height, channels, 255);
}
