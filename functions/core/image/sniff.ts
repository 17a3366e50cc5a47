/**
 * Format detection from the file signature (never the Content-Type), and the dimensions from the header,
 * read before any decoding so that pixel bombs are refused cheaply.
 */
import { tooLarge, unprocessable, unsupported } from '../errors.js';
import type { ImageFormat, ImageLimits } from './types.js';

const startsWith = (b: Uint8Array, sig: number[], at = 0) => sig.every((v, i) => b[at + i] === v);
const ascii = (b: Uint8Array, from: number, to: number) => String.fromCharCode(...b.subarray(from, to));

// ISO BMFF brands (the ftyp box's major and compatible brands) of the HEIF family.
const HEIC_BRANDS = ['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis'];
const AVIF_BRANDS = ['avif', 'avis'];

/** An ISO BMFF file's image brand: AVIF, HEIC, HEIF (mif1/msf1 without either), or none (a video, say). */
function heifFamily(b: Uint8Array): string | undefined {
  if (b.length < 16 || ascii(b, 4, 8) !== 'ftyp') return undefined;
  const size = Math.min(b.length, (b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]);
  const brands = [ascii(b, 8, 12)];
  for (let at = 16; at + 4 <= size; at += 4) brands.push(ascii(b, at, at + 4));
  if (brands.some((x) => AVIF_BRANDS.includes(x))) return 'AVIF';
  if (brands.some((x) => HEIC_BRANDS.includes(x))) return 'HEIC';
  if (brands.includes('mif1') || brands.includes('msf1')) return 'HEIF';
  return undefined;
}

/**
 * The image format the bytes' signature names: one decoded here (png, jpeg, webp), one refused by name (GIF,
 * TIFF, BMP, HEIC, HEIF, AVIF, JPEG XL), or undefined when no known signature starts the data.
 */
export function signature(b: Uint8Array): ImageFormat | string | undefined {
  if (startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(b, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP') return 'webp';
  if (ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a') return 'GIF';
  if (startsWith(b, [0x49, 0x49, 0x2a, 0x00]) || startsWith(b, [0x4d, 0x4d, 0x00, 0x2a])) return 'TIFF';
  // BMP: "BM", then the DIB header's own size at byte 14 (one of the six Windows/OS2 header sizes).
  if (ascii(b, 0, 2) === 'BM' && [12, 40, 52, 56, 108, 124].includes(b[14] | (b[15] << 8))) return 'BMP';
  if (startsWith(b, [0xff, 0x0a]) || startsWith(b, [0, 0, 0, 0x0c, 0x4a, 0x58, 0x4c, 0x20])) return 'JPEG XL';
  return heifFamily(b);
}

/** The first 8 bytes in hex, for a message about data that is no image: "89 50 4e 47 1a 00 00 00", or "none". */
export const firstBytes = (b: Uint8Array): string =>
  Array.from(b.subarray(0, 8), (v) => v.toString(16).padStart(2, '0')).join(' ') || 'none';

const DECODED: readonly string[] = ['png', 'jpeg', 'webp'] satisfies ImageFormat[];

/** The format to decode, from the signature (never the Content-Type); any other format is a 415 that names it. */
export function detectFormat(b: Uint8Array): ImageFormat {
  const found = signature(b);
  if (found && DECODED.includes(found)) return found as ImageFormat;
  throw unsupported(
    `${found ? `${found} images are not supported` : `unrecognised image data (first bytes: ${firstBytes(b)})`}. ` +
      'Send a PNG, JPEG or WebP file (detected from its signature), or JSON {"image": [0-255 values], "width", "height"}.',
    { received: found ?? 'unknown', supported: ['image/png', 'image/jpeg', 'image/webp', 'application/json'] },
  );
}

function pngSize(b: Uint8Array): [number, number] {
  // Signature (8) + IHDR length (4) + "IHDR" (4) + width (4) + height (4).
  if (b.length < 24 || String.fromCharCode(...b.subarray(12, 16)) !== 'IHDR')
    throw unprocessable('PNG file is truncated or has no IHDR chunk first');
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return [v.getUint32(16), v.getUint32(20)];
}

/** What a JPEG's markers say before its scan data: frame size, each component's sampling, EXIF orientation. */
export interface JpegInfo {
  width: number;
  height: number;
  progressive: boolean;
  /** Horizontal and vertical sampling factor of each component. */
  sampling: [number, number][];
  /** EXIF Orientation (1-8; 1 when absent or unreadable). */
  orientation: number;
}

/** EXIF (APP1 "Exif\0\0" + a TIFF header): the Orientation tag (0x0112) of IFD0, or 1. */
function exifOrientation(b: Uint8Array, at: number, end: number): number {
  if (String.fromCharCode(...b.subarray(at, at + 4)) !== 'Exif' || at + 14 > end) return 1;
  const t = at + 6,
    v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const le = b[t] === 0x49; // "II": little-endian; "MM": big-endian
  if (!le && b[t] !== 0x4d) return 1;
  const ifd = t + v.getUint32(t + 4, le);
  if (ifd + 2 > end) return 1;
  const n = v.getUint16(ifd, le);
  for (let e = 0; e < n && ifd + 2 + 12 * (e + 1) <= end; e++) {
    const p = ifd + 2 + 12 * e;
    if (v.getUint16(p, le) === 0x0112) {
      const o = v.getUint16(p + 8, le);
      return o >= 1 && o <= 8 ? o : 1;
    }
  }
  return 1;
}

export function jpegInfo(b: Uint8Array): JpegInfo {
  let i = 2,
    orientation = 1;
  while (i + 4 <= b.length) {
    if (b[i] !== 0xff) {
      i++;
      continue;
    }
    const marker = b[i + 1];
    if (marker === 0xff) {
      i++;
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      i += 2;
      continue;
    }
    const len = (b[i + 2] << 8) | b[i + 3];
    if (marker === 0xe1) orientation = exifOrientation(b, i + 4, Math.min(b.length, i + 2 + len));
    // SOF0..SOF15 carry the frame size, except DHT (C4), JPG (C8) and DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (i + 10 > b.length) break;
      const nc = b[i + 9],
        sampling: [number, number][] = [];
      for (let c = 0; c < nc && i + 12 + 3 * c <= b.length; c++) {
        const s = b[i + 11 + 3 * c];
        sampling.push([s >> 4, s & 15]);
      }
      const width = (b[i + 7] << 8) | b[i + 8],
        height = (b[i + 5] << 8) | b[i + 6];
      return { width, height, progressive: marker === 0xc2 || marker === 0xc6, sampling, orientation };
    }
    if (marker === 0xda) break; // start of scan before any frame header
    i += 2 + len;
  }
  throw unprocessable('JPEG file has no frame header (SOF) before its image data: it is truncated or corrupt');
}

/** What a WebP's RIFF header and first chunk say: the canvas size, and whether it is animated. */
export interface WebpInfo {
  width: number;
  height: number;
  animated: boolean;
  /** Bytes the RIFF header says the file has (its size field + 8). */
  riffBytes: number;
}

/** VP8X (extended: canvas size, 24 bits each, minus 1), VP8L (lossless: 14 bits each, minus 1) or VP8 (lossy). */
export function webpInfo(b: Uint8Array): WebpInfo {
  if (b.length < 30) throw unprocessable(`WebP file is truncated: ${b.length} bytes, too few for its header`);
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const riffBytes = v.getUint32(4, true) + 8,
    chunk = ascii(b, 12, 16),
    d = 20;
  const u24 = (at: number) => b[at] | (b[at + 1] << 8) | (b[at + 2] << 16);
  if (chunk === 'VP8X')
    return { width: u24(d + 4) + 1, height: u24(d + 7) + 1, animated: (b[d] & 0x02) !== 0, riffBytes };
  if (chunk === 'VP8L' && b[d] === 0x2f) {
    const bits = v.getUint32(d + 1, true);
    return { width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1, animated: false, riffBytes };
  }
  if (chunk === 'VP8 ' && startsWith(b, [0x9d, 0x01, 0x2a], d + 3))
    return {
      width: v.getUint16(d + 6, true) & 0x3fff,
      height: v.getUint16(d + 8, true) & 0x3fff,
      animated: false,
      riffBytes,
    };
  throw unprocessable(`WebP file has no VP8, VP8L or VP8X chunk first (found "${chunk}"): it is corrupt`);
}

export function imageSize(b: Uint8Array, format: ImageFormat): { width: number; height: number } {
  const [width, height] =
    format === 'png'
      ? pngSize(b)
      : format === 'webp'
        ? [webpInfo(b).width, webpInfo(b).height]
        : [jpegInfo(b).width, jpegInfo(b).height];
  if (width < 1 || height < 1)
    throw unprocessable(`${format.toUpperCase()} header says ${width}x${height}: an image needs at least 1x1 pixels`);
  return { width, height };
}

export function checkDimensions(width: number, height: number, limits: ImageLimits): void {
  if (width > limits.maxWidth || height > limits.maxHeight || width * height > limits.maxPixels) {
    throw tooLarge(
      `image is ${width}x${height}; the largest accepted is ${limits.maxWidth}x${limits.maxHeight} (${limits.maxPixels} pixels)`,
      {
        width,
        height,
        maxWidth: limits.maxWidth,
        maxHeight: limits.maxHeight,
      },
    );
  }
}
