/**
 * PNG (png-decode.ts: 1-16 bit, gray, gray+alpha, RGB, RGBA, palette with tRNS, interlaced) and JPEG (jpeg-js:
 * baseline and progressive) to a Raster. Alpha is composited on white, as a viewer shows the image.
 */
import jpeg from 'jpeg-js';
import { unprocessable } from '../errors.js';
import { decodePng } from './png-decode.js';
import { checkDimensions, detectFormat, imageSize } from './sniff.js';
import { DEFAULT_LIMITS, type ImageFormat, type ImageLimits, type Raster } from './types.js';

/** Interleaved samples (gray, gray+alpha, RGB or RGBA) with maximum value `max` to an RGB or gray Raster on white. */
function toRaster(samples: ArrayLike<number>, width: number, height: number, channels: number, max: number): Raster {
  const color = channels >= 3;
  const out = new Float32Array(width * height * (color ? 3 : 1));
  const n = width * height,
    k = 1 / max;
  // One loop per layout (no per-pixel branching): this runs on every pixel of every upload.
  if (channels === 1) for (let p = 0; p < n; p++) out[p] = samples[p] * k;
  else if (channels === 3) for (let i = 0; i < 3 * n; i++) out[i] = samples[i] * k;
  else if (channels === 2) {
    for (let p = 0; p < n; p++) {
      const a = samples[2 * p + 1] * k;
      out[p] = samples[2 * p] * k * a + 1 - a;
    }
  } else {
    for (let p = 0; p < n; p++) {
      const a = samples[4 * p + 3] * k;
      for (let c = 0; c < 3; c++) out[3 * p + c] = samples[4 * p + c] * k * a + 1 - a;
    }
  }
  return { width, height, channels: color ? 3 : 1, data: out };
}

async function decodePngRaster(bytes: Uint8Array): Promise<Raster> {
  const png = await decodePng(bytes);
  const { width, height, depth, channels, data } = png;
  if (png.palette) {
    const pal = png.palette,
      rgba = new Uint8Array(width * height * 4);
    for (let p = 0; p < data.length; p++) {
      const c = pal[data[p]];
      if (!c) throw unprocessable(`PNG palette has ${pal.length} colours but a pixel uses index ${data[p]}`);
      rgba.set(c, p * 4);
    }
    return toRaster(rgba, width, height, 4, 255);
  }
  const max = 2 ** depth - 1;
  // tRNS on gray/RGB images names one colour as fully transparent.
  const t = png.transparent;
  if (t) {
    const withAlpha = new Uint16Array(width * height * (channels + 1));
    for (let p = 0; p < width * height; p++) {
      let transparent = true;
      for (let c = 0; c < channels; c++) {
        const v = data[p * channels + c];
        withAlpha[p * (channels + 1) + c] = v;
        transparent &&= v === t[c];
      }
      withAlpha[p * (channels + 1) + channels] = transparent ? 0 : max;
    }
    return toRaster(withAlpha, width, height, channels + 1, max);
  }
  return toRaster(data, width, height, channels, max);
}

function decodeJpeg(bytes: Uint8Array, limits: ImageLimits): Raster {
  let img;
  try {
    img = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: true,
      maxResolutionInMP: limits.maxPixels / 1e6 + 1,
      maxMemoryUsageInMB: 512,
    });
  } catch (e) {
    throw unprocessable(`JPEG could not be decoded: ${(e as Error).message ?? e}`);
  }
  return toRaster(img.data, img.width, img.height, 4, 255);
}

interface Decoded {
  raster: Raster;
  format: ImageFormat;
  width: number;
  height: number;
}

/** Detects the format, checks the header's dimensions against the limits, then decodes. */
export async function decodeImage(bytes: Uint8Array, limits: ImageLimits = DEFAULT_LIMITS): Promise<Decoded> {
  const format = detectFormat(bytes);
  const { width, height } = imageSize(bytes, format);
  checkDimensions(width, height, limits);
  const raster = format === 'png' ? await decodePngRaster(bytes) : decodeJpeg(bytes, limits);
  return { raster, format, width, height };
}

/** Raw pixels given as JSON numbers (0-255), 1, 3 or 4 channels interleaved, to a Raster. */
export function rasterFromPixels(values: ArrayLike<number>, width: number, height: number, channels: number): Raster {
  return toRaster(values, width, height, channels, 255);
}
