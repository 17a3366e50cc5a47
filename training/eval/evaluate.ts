/** Test-set metrics: accuracy, per-class accuracy, confusion, and robustness to rotation and scaling. */
import { warp } from '../data/augment.js';
import type { Dataset } from '../data/dataset.js';
import type { Weights } from '../graph/compile.js';
import { confusion } from '../report.js';
import type { ArchSpec } from '../spec.js';
import { accuracy, predict } from '../trainer.js';

export const ROTATIONS = [-30, -20, -10, 0, 10, 20, 30];
export const SCALES = [0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3];

export async function metrics(arch: ArchSpec, weights: Weights, test: Dataset) {
  const { predictions } = await predict(arch, weights, test);
  const k = test.classes.length;
  const m = confusion(predictions, test.labels, k);
  return {
    testAccuracy: accuracy(predictions, test.labels),
    testImages: test.n,
    perClassAccuracy: Object.fromEntries(
      test.classes.map((c, i) => [c, m[i][i] / (m[i].reduce((a, v) => a + v, 0) || 1)]),
    ),
    confusion: m,
  };
}

export function transformed(d: Dataset, t: { angleDeg?: number; scale?: number }): Dataset {
  const [c, h, w] = d.shape,
    size = h * w;
  const images = new Float32Array(d.images.length);
  // Each channel plane of each image warped alike.
  for (let i = 0; i < d.n * c; i++)
    warp(
      d.images.subarray(i * size, (i + 1) * size),
      h,
      w,
      { angleDeg: t.angleDeg ?? 0, scale: t.scale ?? 1, tx: 0, ty: 0 },
      images.subarray(i * size, (i + 1) * size),
    );
  return { ...d, images };
}

export interface Robustness {
  rotation: Record<string, number>;
  scale: Record<string, number>;
}

export async function robustness(arch: ArchSpec, weights: Weights, test: Dataset): Promise<Robustness> {
  const acc = async (t: { angleDeg?: number; scale?: number }) =>
    accuracy((await predict(arch, weights, transformed(test, t))).predictions, test.labels);
  const rotation: Record<string, number> = {},
    scale: Record<string, number> = {};
  for (const a of ROTATIONS) rotation[String(a)] = await acc({ angleDeg: a });
  for (const s of SCALES) scale[s.toFixed(1)] = await acc({ scale: s });
  return { rotation, scale };
}

/** Per-image annotations of an image folder (annotations.json, e.g. from make-shapes.ts), keyed by relative path. */
export interface Annotations {
  /** [width, height] of the masks: they count only when it is the model's input size. */
  size?: [number, number];
  images: Record<string, { centre?: [number, number]; mask?: string }>;
}

/**
 * Test accuracy by where the object's centre lies: the picture split into a 3x3 grid (row-major, top-left first).
 * Only images with an annotated centre count.
 */
export async function positionGrid(
  arch: ArchSpec,
  weights: Weights,
  test: Dataset,
  testFiles: string[],
  ann: Annotations,
): Promise<{ accuracy: number; images: number }[]> {
  const { predictions } = await predict(arch, weights, test);
  const ok = new Array(9).fill(0),
    count = new Array(9).fill(0);
  testFiles.forEach((f, i) => {
    const c = ann.images[f]?.centre;
    if (!c) return;
    const cell = Math.min(2, Math.floor(c[1] * 3)) * 3 + Math.min(2, Math.floor(c[0] * 3));
    count[cell]++;
    ok[cell] += predictions[i] === test.labels[i] ? 1 : 0;
  });
  return count.map((n, i) => ({ accuracy: n ? ok[i] / n : NaN, images: n }));
}
