/**
 * The image a request carries, whatever its form:
 *   - file bytes (PNG/JPEG/WebP, detected by signature), as the body or a multipart field "image";
 *   - JSON {"image": [0-255 values], "width", "height", "channels"?}: raw pixels;
 *   - JSON {"image": [bytes of a PNG/JPEG file]}: the form Workers AI image models take;
 *   - JSON {"image": "<base64 of a PNG/JPEG file>"} or {"image": "data:image/png;base64,..."} (what browsers make).
 */
import { Problem, badRequest, unsupported } from './errors.js';
import { decodeImage, rasterFromPixels } from './image/decode.js';
import { checkDimensions, firstBytes, signature } from './image/sniff.js';
import { DEFAULT_LIMITS, WORK_SIDE, type ImageFormat, type ImageLimits, type Raster } from './image/types.js';

export interface Source {
  raster: Raster;
  format: ImageFormat | 'pixels';
  /** The image's own size (before any shrinking while decoding). */
  width: number;
  height: number;
  /** What decoding did that changes the pixels: shrinking a large image, an EXIF rotation. */
  steps: string[];
}

const FORMS =
  'send a PNG, JPEG or WebP file as the body (--data-binary @file.png) or as multipart field "image" (-F image=@file.png), or application/json {"image": [bytes of the file]}, {"image": "<base64>"}, {"image": "data:image/png;base64,..."} or raw pixels {"image": [0-255 values], "width", "height"}';

/** `side`: the longest side the decoded raster may have (shrunk while decoding; the working resolution). */
export async function fromBytes(
  bytes: Uint8Array,
  limits: ImageLimits = DEFAULT_LIMITS,
  side = WORK_SIDE,
): Promise<Source> {
  if (bytes.length === 0) throw badRequest(`the request body is empty: ${FORMS}`);
  const d = await decodeImage(bytes, limits, side);
  return { raster: d.raster, format: d.format, width: d.width, height: d.height, steps: d.steps };
}

/** Base64 (standard or URL-safe alphabet, padding optional) or a data: URL carrying base64, to bytes. */
function fromBase64(s: string): Uint8Array {
  let b64 = s.trim();
  if (b64.startsWith('data:')) {
    const comma = b64.indexOf(',');
    const head = b64.slice(5, comma < 0 ? undefined : comma);
    if (comma < 0 || !/;base64$/i.test(head))
      throw badRequest(
        `"image" is a data URL without base64 data ("data:${head.slice(0, 40)}..."): expected "data:image/png;base64,..." or "data:image/jpeg;base64,..."`,
      );
    b64 = b64.slice(comma + 1);
  }
  b64 = b64.replace(/\s+/g, '').replace(/-/g, '+').replace(/_/g, '/');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 === 1)
    throw badRequest(
      '"image" is a string but not base64: send the file base64-encoded, or "data:image/png;base64,..."',
    );
  let bin: string;
  try {
    bin = atob(b64.padEnd(Math.ceil(b64.length / 4) * 4, '='));
  } catch {
    throw badRequest('"image" is a string but not valid base64');
  }
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function checkByteValues(values: unknown[], what: string): void {
  const bad = values.findIndex((v) => typeof v !== 'number' || !(v >= 0 && v <= 255));
  if (bad >= 0)
    throw badRequest(`"image"[${bad}] is ${JSON.stringify(values[bad])}; every ${what} must be a number from 0 to 255`);
}

export async function fromJson(body: unknown, limits: ImageLimits = DEFAULT_LIMITS, side = WORK_SIDE): Promise<Source> {
  const b = body as { image?: unknown; width?: unknown; height?: unknown; channels?: unknown };
  if (typeof b !== 'object' || b === null || (!Array.isArray(b.image) && typeof b.image !== 'string')) {
    throw badRequest(
      'JSON body must be {"image": [bytes of a PNG/JPEG file]}, {"image": "<base64 or data URL>"} or raw pixels {"image": [0-255 values, row-major], "width": int, "height": int, "channels"?: 1|3|4}',
      { received: typeof b === 'object' && b ? Object.keys(b) : typeof b },
    );
  }
  if (typeof b.image === 'string') return fromBytes(fromBase64(b.image), limits, side);
  if (b.width === undefined && b.height === undefined) {
    // Workers AI form: the encoded file's bytes as numbers. Without width/height they cannot be raw pixels.
    checkByteValues(b.image, 'byte');
    return fromBytes(Uint8Array.from(b.image as number[]), limits, side);
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
  checkByteValues(b.image, 'value');
  const raster = rasterFromPixels(b.image as number[], w, h, channels as number, side);
  const steps = raster.width < w ? [`shrink ${w}x${h} to ${raster.width}x${raster.height} (box filter)`] : [];
  return { raster, format: 'pixels', width: w, height: h, steps };
}

const looksLikeJson = (bytes: Uint8Array) => {
  let i = 0;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09)) i++;
  return bytes[i] === 0x7b || bytes[i] === 0x5b; // { or [
};

const CURL_D =
  'curl -d/--data sets that type and strips newlines from a file, which corrupts an image; send the file with --data-binary @file or -F image=@file';

/**
 * File bytes labelled application/x-www-form-urlencoded, as curl's -d and --data-binary both send them. -d keeps a
 * JPEG's signature (it holds no CR or LF) but strips those bytes inside, so the decoder's 422 says how it may
 * have happened.
 */
async function fromFormBytes(bytes: Uint8Array, limits: ImageLimits, side: number): Promise<Source> {
  try {
    return await fromBytes(bytes, limits, side);
  } catch (e) {
    if (!(e instanceof Problem) || e.status !== 422) throw e;
    throw new Problem(422, e.title, `${e.detail} (it came as application/x-www-form-urlencoded: ${CURL_D})`, e.extra);
  }
}

/** A non-multipart body by its Content-Type: JSON, or file bytes; the common mistakes get a 4xx that says what to do. */
export async function fromBody(
  type: string,
  bytes: Uint8Array,
  limits: ImageLimits = DEFAULT_LIMITS,
  side = WORK_SIDE,
): Promise<Source> {
  if (bytes.length === 0) return fromBytes(bytes, limits, side); // the empty-body 400
  if (type.startsWith('application/json') || /^application\/[\w.+-]+\+json/.test(type)) {
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(bytes));
    } catch (e) {
      throw badRequest(`malformed JSON in request body: ${(e as Error).message}`);
    }
    return fromJson(json, limits, side);
  }
  // An intact image signature is an image whatever the label says (curl --data-binary labels a file
  // application/x-www-form-urlencoded, and leaves its bytes intact; curl -d strips the PNG signature's CR LF): a
  // format decoded here is decoded, any other (GIF, TIFF, HEIC, AVIF...) is a 415 that names it.
  const form = type.startsWith('application/x-www-form-urlencoded');
  if (signature(bytes)) return form ? fromFormBytes(bytes, limits, side) : fromBytes(bytes, limits, side);
  const json = looksLikeJson(bytes);
  if (form)
    throw unsupported(
      json
        ? 'the body is JSON sent as application/x-www-form-urlencoded (curl -d sets that type): add -H "content-type: application/json"'
        : `the body is no PNG, JPEG or WebP file (first bytes: ${firstBytes(bytes)}) and came as application/x-www-form-urlencoded: ${CURL_D}`,
      { received: type },
    );
  if (json)
    throw unsupported(
      `the body looks like JSON but its Content-Type is ${type ? `"${type}"` : 'missing'}: send it with "content-type: application/json"`,
      { received: type || null },
    );
  if (type.startsWith('text/')) throw unsupported(`Content-Type ${type} is not an image: ${FORMS}`);
  return fromBytes(bytes, limits, side);
}
