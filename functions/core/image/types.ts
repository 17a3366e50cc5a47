/** A decoded image: `channels` interleaved float planes in [0,1], row-major (1 = gray, 3 = RGB). */
export interface Raster {
  width: number;
  height: number;
  channels: 1 | 3;
  data: Float32Array;
}

export type ImageFormat = 'png' | 'jpeg';

/** Limits checked before any decoding work. */
export interface ImageLimits {
  maxWidth: number;
  maxHeight: number;
  maxPixels: number;
}
export const DEFAULT_LIMITS: ImageLimits = { maxWidth: 4096, maxHeight: 4096, maxPixels: 4096 * 4096 };
