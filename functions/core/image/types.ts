/**
 * A decoded image: 8-bit samples, `channels` interleaved, row-major (1 = gray, 3 = RGB), alpha already composited
 * on white. Large uploads arrive here already shrunk (box filter while decoding rows) to at most WORK_SIDE a side.
 */
export interface Raster {
  width: number;
  height: number;
  channels: 1 | 3;
  data: Uint8Array;
}

export type ImageFormat = 'png' | 'jpeg' | 'webp';

/** Limits checked from the header, before any decoding work. */
export interface ImageLimits {
  maxWidth: number;
  maxHeight: number;
  maxPixels: number;
  /** Bytes the decoder may hold at its peak for one request (input file, buffers, working image). */
  budgetBytes: number;
}
export const DEFAULT_LIMITS: ImageLimits = {
  maxWidth: 4096,
  maxHeight: 4096,
  maxPixels: 4096 * 4096,
  budgetBytes: 64 * 1024 * 1024,
};

/**
 * Longest side of the working image. The models see 28x28; 1024 keeps a digit that fills a tenth of a 12 MP photo
 * at ~100 pixels, far more than the 20 it is fitted into, while the working copy stays at most 3 MiB (RGB).
 */
export const WORK_SIDE = 1024;
