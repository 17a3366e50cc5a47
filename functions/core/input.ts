/**
 * The image a request carries, whatever its form: file bytes (PNG/JPEG, detected by signature) or JSON raw
 * pixels {"image": [0-255 values], "width", "height", "channels"?} (the shape Workers AI image models take).
 */
import { badRequest, tooLarge } from './errors.js';
import { decodeImage, rasterFromPixels } from './image/decode.js';
import { checkDimensions } from './image/sniff.js';
import { DEFAULT_LIMITS, type ImageLimits, type Raster } from './image/types.js';

export interface Source {
  raster: Raster;
  format: 'png' | 'jpeg' | 'pixels';
  width: number;
  height: number;
}

export async function fromBytes(bytes: Uint8Array, limits: ImageLimits = DEFAULT_LIMITS): Promise<Source> {
  if (bytes.length === 0)
    throw badRequest(
      'the request body is empty: send a PNG or JPEG file, a multipart field "image", or JSON {"image": [...], "width", "height"}',
    );
  const d = await decodeImage(bytes, limits);
  return { raster: d.raster, format: d.format, width: d.width, height: d.height };
}

export function fromJson(body: unknown, limits: ImageLimits = DEFAULT_LIMITS): Source {
  const b = body as { image?: unknown; width?: unknown; height?: unknown; channels?: unknown };
  if (typeof b !== 'object' || b === null || !Array.isArray(b.image)) {
    throw badRequest(
      'JSON body must be {"image": [0-255 values, row-major], "width": int, "height": int, "channels"?: 1|3|4}',
      { received: typeof b === 'object' && b ? Object.keys(b) : typeof b },
    );
  }
  const { width, height } = b;
  if (!Number.isInteger(width) || !Number.isInteger(height) || (width as number) < 1 || (height as number) < 1) {
    throw badRequest(
      `"width" and "height" must be positive integers, got width=${JSON.stringify(width)} height=${JSON.stringify(height)}`,
    );
  }
  const w = width as number,
    h = height as number;
  checkDimensions(w, h, limits);
  const n = b.image.length;
  const channels = b.channels ?? n / (w * h);
  if (![1, 3, 4].includes(channels as number) || n !== w * h * (channels as number)) {
    throw badRequest(
      `"image" has ${n} values; for ${w}x${h} it needs ${w * h} (gray), ${w * h * 3} (RGB) or ${w * h * 4} (RGBA)${b.channels !== undefined ? `, and channels=${JSON.stringify(b.channels)} must be 1, 3 or 4` : ''}`,
    );
  }
  const bad = b.image.findIndex((v) => typeof v !== 'number' || !(v >= 0 && v <= 255));
  if (bad >= 0)
    throw badRequest(`"image"[${bad}] is ${JSON.stringify(b.image[bad])}; every value must be a number from 0 to 255`);
  return {
    raster: rasterFromPixels(b.image as number[], w, h, channels as number),
    format: 'pixels',
    width: w,
    height: h,
  };
}

export function checkBodySize(bytes: number, max: number): void {
  if (bytes > max)
    throw tooLarge(`request body is ${bytes} bytes; the limit is ${max} bytes (${(max / 1048576).toFixed(1)} MiB)`, {
      received: bytes,
      limit: max,
    });
}
