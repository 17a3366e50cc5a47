/**
 * Format detection from the file signature (never the Content-Type), and the dimensions from the header,
 * read before any decoding so that pixel bombs are refused cheaply.
 */
import { tooLarge, unprocessable, unsupported } from '../errors.js';
import type { ImageFormat, ImageLimits } from './types.js';

const startsWith = (b: Uint8Array, sig: number[]) => sig.every((v, i) => b[i] === v);

export function detectFormat(b: Uint8Array): ImageFormat {
  if (startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(b, [0xff, 0xd8, 0xff])) return 'jpeg';
  const known: [string, number[]][] = [
    ['GIF', [0x47, 0x49, 0x46, 0x38]],
    ['WebP', [0x52, 0x49, 0x46, 0x46]],
    ['BMP', [0x42, 0x4d]],
    ['TIFF', [0x49, 0x49, 0x2a, 0x00]],
    ['TIFF', [0x4d, 0x4d, 0x00, 0x2a]],
  ];
  const other = known.find(([, sig]) => startsWith(b, sig))?.[0];
  const head = Array.from(b.subarray(0, 8), (v) => v.toString(16).padStart(2, '0')).join(' ');
  throw unsupported(
    `${other ? `${other} images are not supported` : `unrecognised image data (first bytes: ${head || 'none'})`}. ` +
      'Send a PNG or JPEG file (detected from its signature), or JSON {"image": [0-255 values], "width", "height"}.',
    { received: other ?? 'unknown', supported: ['image/png', 'image/jpeg', 'application/json'] },
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

export function imageSize(b: Uint8Array, format: ImageFormat): { width: number; height: number } {
  const [width, height] = format === 'png' ? pngSize(b) : [jpegInfo(b).width, jpegInfo(b).height];
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
