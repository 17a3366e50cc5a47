/**
 * Held-out shapes with their masks: pictures drawn like the shapes model's training set (training/data/make-shapes.ts)
 * from another seed, rendered by sharp in memory, as model inputs ([3,64,64] in [0,1]) beside their shape masks.
 */
import sharp from 'sharp';
import { Rng } from '../../../model-contract/random.js';
import { randomShape, SHAPE_KINDS, type ShapeKind } from '../../../training/data/make-shapes.js';

export interface ShapePicture {
  kind: ShapeKind;
  x: Float32Array;
  mask: Uint8Array;
}

export async function heldOutShapes(perKind: number, seed: number, size = 64): Promise<ShapePicture[]> {
  const rng = new Rng(seed),
    out: ShapePicture[] = [];
  for (let i = 0; i < perKind; i++)
    for (const kind of SHAPE_KINDS) {
      const s = randomShape(rng, kind, rng.int(9), size);
      const rgb = await sharp(Buffer.from(s.svg)).removeAlpha().raw().toBuffer();
      const gray = await sharp(Buffer.from(s.maskSvg)).greyscale().raw().toBuffer();
      const x = new Float32Array(3 * size * size);
      for (let p = 0; p < size * size; p++) for (let k = 0; k < 3; k++) x[k * size * size + p] = rgb[p * 3 + k] / 255;
      out.push({ kind, x, mask: Uint8Array.from(gray.subarray(0, size * size), (v) => (v > 127 ? 1 : 0)) });
    }
  return out;
}
