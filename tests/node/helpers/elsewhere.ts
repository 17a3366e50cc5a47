/**
 * The real pretrained models of ../shared/models-from-elsewhere (its README.md gives each one's source, options
 * and samples), reached by a path relative to the repository root: CI has shared/ beside its checkout. Absent,
 * the tests fail saying where it should be, never skip.
 */
import fs from 'node:fs';
import path from 'node:path';
import { decodeImage } from '../../../functions/core/image/decode.js';

export const ELSEWHERE = path.resolve('../shared/models-from-elsewhere');

export function elsewhere(file: string): string {
  const p = path.join(ELSEWHERE, file);
  if (!fs.existsSync(p))
    throw new Error(
      `${p} is missing: the tests of real pretrained models need ../shared/models-from-elsewhere beside the repository (see its README.md)`,
    );
  return p;
}

export interface Sample {
  file: string;
  label_index: number;
  predicted_index: number;
  /** The original's output on it (onnxruntime-node 1.30.0, 6 significant digits). */
  output: number[];
}

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
