/**
 * Where the model looks: for each test image with an annotated object mask (annotations.json, e.g. from
 * make-shapes.ts), the share of its Grad-CAM heat (the edge's own saliency code, default layer, predicted class)
 * that falls inside the mask, averaged over the images. Runs the exported graphs on onnxruntime-web in Node.
 */
import type { Model, ModelMeta } from '../../functions/core/model.js';
import { camLayer } from '../../functions/core/see/cam.js';
import { saliency } from '../../functions/core/see/saliency.js';
import { SaliencyQuery, saliencyOptions } from '../../functions/schemas/see.js';
import * as v from 'valibot';
import type { Dataset } from '../data/dataset.js';
import { session } from '../engine.js';
import { nodeRunner } from '../runner.js';
import type { Annotations } from './evaluate.js';

/** A Model over in-memory graphs (file name -> bytes) sharing weights.bin. */
export function memoryModel(meta: ModelMeta, onnx: Record<string, Uint8Array>, weightsBin: Uint8Array): Model {
  return {
    meta,
    runner: nodeRunner(meta, async (graph) => {
      const bytes = onnx[`${graph}.onnx`];
      if (!bytes) throw new Error(`no graph ${graph}`);
      return session(bytes, 'wasm', { 'weights.bin': weightsBin });
    }),
  };
}

/** Unpacks a row-major bit mask (MSB first, base64). */
export function maskOf(b64: string, n: number): Uint8Array {
  const bits = Buffer.from(b64, 'base64'),
    out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (bits[i >> 3] >> (7 - (i & 7))) & 1;
  return out;
}

/** The share of a non-negative map's heat that falls inside the mask; an all-zero map (no evidence) scores 0. */
export function heatInside(map: ArrayLike<number>, mask: Uint8Array): number {
  let all = 0,
    In = 0;
  for (let p = 0; p < mask.length; p++) {
    all += map[p];
    if (mask[p]) In += map[p];
  }
  return all > 0 ? In / all : 0;
}

export interface CamHeat {
  layer: string;
  /** Mean over images of (Grad-CAM heat inside the mask) / (all heat). */
  meanInside: number;
  /** Mean share of the picture the mask covers: what a map spread evenly would score. */
  meanMaskArea: number;
  images: number;
}

export async function gradCamHeat(
  meta: ModelMeta,
  onnx: Record<string, Uint8Array>,
  weightsBin: Uint8Array,
  test: Dataset,
  testFiles: string[],
  ann: Annotations,
  layer?: string,
): Promise<CamHeat | undefined> {
  const [c, h, w] = test.shape,
    size = c * h * w;
  if (!ann.size || ann.size[0] !== w || ann.size[1] !== h) return undefined;
  const model = memoryModel(meta, onnx, weightsBin);
  const opts = saliencyOptions(model, v.parse(SaliencyQuery, { method: 'grad-cam', layer }));
  let inside = 0,
    area = 0,
    images = 0;
  for (let i = 0; i < test.n; i++) {
    const m = ann.images[testFiles[i]]?.mask;
    if (!m) continue;
    const mask = maskOf(m, h * w);
    const r = await saliency(model, test.images.slice(i * size, (i + 1) * size), opts);
    inside += heatInside(r.map, mask);
    area += mask.reduce((a, v) => a + v, 0) / (h * w);
    images++;
  }
  if (!images) return undefined;
  return {
    layer: camLayer(model, opts).name,
    meanInside: inside / images,
    meanMaskArea: area / images,
    images,
  };
}
