/**
 * Knowledge distillation from a trained model's test-time ensemble (Hinton et al. 2015; "born again" networks,
 * Furlanello et al. 2018): the teacher scores each training image in ten views (itself and its mirror image, each
 * unshifted and shifted one pixel up, down, left and right), its logits are averaged and softened by a
 * temperature, and the student's target becomes (1 - weight) x the label + weight x that distribution. The views
 * are the augmentations a bright-object-on-black preset trains with, so one target per image serves every
 * augmented copy of it. The student is an ordinary single-view model: the ensemble's agreement is learned, not run.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Dataset } from './data/dataset.js';
import { sessionFromDir, tensor } from './engine.js';
import { IO } from '../model-contract/graphs.js';

export interface DistillSettings {
  /** The teacher's share of each target (0..1]. */
  weight: number;
  /** Softens the teacher's averaged logits (1: as they are). */
  temperature: number;
}

/** [mirror, rows down, columns right]: the ten views. */
export const TEACHER_VIEWS: readonly (readonly [boolean, number, number])[] = [false, true].flatMap((m) =>
  (
    [
      [0, 0],
      [0, 1],
      [0, -1],
      [1, 0],
      [-1, 0],
    ] as const
  ).map(([dy, dx]) => [m, dy, dx] as const),
);

/** One view of n images [n,C,H,W]: mirrored left-right, then shifted with zeros (black) coming in. */
export function view(
  x: Float32Array,
  n: number,
  [c, h, w]: readonly number[],
  [mirror, dy, dx]: readonly [boolean, number, number],
) {
  const out = new Float32Array(x.length);
  for (let p = 0; p < n * c; p++)
    for (let r = 0; r < h; r++) {
      const sr = r - dy;
      if (sr < 0 || sr >= h) continue;
      for (let col = 0; col < w; col++) {
        const sc = col - dx;
        if (sc < 0 || sc >= w) continue;
        out[(p * h + r) * w + col] = x[(p * h + sr) * w + (mirror ? w - 1 - sc : sc)];
      }
    }
  return out;
}

/**
 * The teacher's targets for every image of `data` ([n,K] distributions) and its accuracy on them, from the model
 * folder `dir` (its classify.onnx and weights.bin). Refuses a teacher whose labels differ from the data's.
 */
export async function teacherTargets(
  dir: string,
  data: Dataset,
  { temperature }: DistillSettings,
  batch = 500,
): Promise<{ targets: Float32Array; accuracy: number; singleViewAccuracy: number }> {
  const metaFile = path.join(dir, 'meta.json');
  if (!fs.existsSync(metaFile)) throw new Error(`--teacher ${dir}: no meta.json there (want a trained model's folder)`);
  const meta = JSON.parse(fs.readFileSync(metaFile, 'utf8'));
  const labels: string[] = meta.labels;
  if (JSON.stringify(labels) !== JSON.stringify(data.classes))
    throw new Error(`--teacher ${dir}: its labels [${labels}] are not the data's [${data.classes}]`);
  if (JSON.stringify(meta.input?.shape) !== JSON.stringify(data.shape))
    throw new Error(`--teacher ${dir}: its input [${meta.input?.shape}] is not the data's [${data.shape}]`);
  const s = await sessionFromDir(dir, 'classify.onnx');
  const k = data.classes.length,
    size = data.shape[0] * data.shape[1] * data.shape[2];
  const sum = new Float32Array(data.n * k);
  let single = 0;
  for (let i = 0; i < data.n; i += batch) {
    const m = Math.min(batch, data.n - i);
    const x = data.images.subarray(i * size, (i + m) * size);
    for (const [v, t] of TEACHER_VIEWS.entries()) {
      const out = await s.run({ [IO.input]: tensor(view(x, m, data.shape, t), [m, ...data.shape]) }, [IO.logits]);
      const logits = out[IO.logits].data as Float32Array;
      for (let j = 0; j < m * k; j++) sum[i * k + j] += logits[j] / TEACHER_VIEWS.length;
      if (v === 0) for (let j = 0; j < m; j++) single += argmax(logits, j * k, k) === data.labels[i + j] ? 1 : 0;
    }
  }
  await s.release();
  let correct = 0;
  for (let i = 0; i < data.n; i++) {
    const row = sum.subarray(i * k, (i + 1) * k);
    if (argmax(row, 0, k) === data.labels[i]) correct++;
    softmaxInPlace(row, temperature);
  }
  return { targets: sum, accuracy: correct / data.n, singleViewAccuracy: single / data.n };
}

function argmax(a: ArrayLike<number>, off: number, k: number) {
  let b = 0;
  for (let c = 1; c < k; c++) if (a[off + c] > a[off + b]) b = c;
  return b;
}

function softmaxInPlace(row: Float32Array, temperature: number) {
  let max = -Infinity,
    z = 0;
  for (const v of row) max = Math.max(max, v);
  for (let c = 0; c < row.length; c++) z += row[c] = Math.exp((row[c] - max) / temperature);
  for (let c = 0; c < row.length; c++) row[c] /= z;
}
