/**
 * A picture file to a model's input the way the edge makes one from an upload, so that an image-folder model trains
 * on what the API will feed it: sharp decodes the file (a GIF's first frame, EXIF orientation applied, alpha
 * composited on white, as the edge's decoder does), the edge's box filter shrinks it to the protocol's working side
 * (functions/core/image/shrink.ts, as the edge does while decoding) and the edge's preprocess() fits it into the
 * input (functions/core/preprocess.ts: letterbox or crop, area-average shrinking, bilinear enlarging, BT.601 gray).
 * sharp's own resize (lanczos3), which the loader used before, differs from the edge's: on 28x28 letters fitted
 * into 32x32 by 2.5% of the range per pixel on average and up to 60%.
 * The edge's decoders themselves are not used here: decode.ts imports the WebP decoder's .wasm, which the test
 * configurations' bundler cannot load; for a PNG they give the same samples, for a JPEG within a few levels.
 */
import sharp from 'sharp';
import { Shrinker, shrinkFactor } from '../../functions/core/image/shrink.js';
import { preprocess, workingSide } from '../../functions/core/preprocess.js';
import type { Fit } from './image-folder.js';

/** The file's bytes as the model's C x H x W input in [0,1], as the edge's classify would make it. */
export async function edgeInput(bytes: Uint8Array, shape: [number, number, number], fit: Fit): Promise<Float32Array> {
  const { data, info } = await sharp(bytes, { failOn: 'error' })
    .rotate()
    .flatten({ background: '#ffffff' })
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  const { width, height, channels } = info;
  if (channels !== 3) throw new Error(`decoded ${channels} channels, want RGB`);
  const shrink = new Shrinker(width, height, 3, shrinkFactor(width, height, workingSide(shape, fit)));
  const row = width * 3;
  for (let y = 0; y < height; y++) shrink.push(data.subarray(y * row, (y + 1) * row));
  return preprocess(shrink.out, shape, fit).input;
}
