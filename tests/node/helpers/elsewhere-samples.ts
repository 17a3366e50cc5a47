/** The sample pictures of a model from ../shared/models-from-elsewhere, decoded as the edge decodes uploads. */
import fs from 'node:fs';
import path from 'node:path';
import { decodeImage } from '../../../functions/core/image/decode.js';
import { elsewhere, type Sample } from './elsewhere.js';

/** A model's samples: expected.json's entries and each PNG as our [C,H,W] input in [0,1]. */
export async function samples(model: string): Promise<(Sample & { bytes: Uint8Array; x: Float32Array })[]> {
  const dir = elsewhere(path.join('samples', model));
  const expected = JSON.parse(fs.readFileSync(path.join(dir, 'expected.json'), 'utf8')) as { samples: Sample[] };
  return Promise.all(
    expected.samples.map(async (s) => {
      const bytes = new Uint8Array(fs.readFileSync(path.join(dir, s.file)));
      const { raster: r } = await decodeImage(bytes);
      const x = new Float32Array(r.channels * r.width * r.height);
      for (let p = 0; p < r.width * r.height; p++)
        for (let c = 0; c < r.channels; c++) x[c * r.width * r.height + p] = r.data[p * r.channels + c] / 255;
      return { ...s, bytes, x };
    }),
  );
}
