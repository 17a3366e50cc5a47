/**
 * The real pretrained models of ../shared/models-from-elsewhere (its README.md gives each one's source, options
 * and samples), reached by a path relative to the repository root: CI has shared/ beside its checkout. Absent,
 * the tests fail saying where it should be, never skip. (No image decoding here: the workerd config imports it.)
 */
import fs from 'node:fs';
import path from 'node:path';

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
