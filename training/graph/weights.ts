/** A model's weights as graph initializers, embedded or in one shared external file (weights.bin). */
import { resolve, type ArchSpec, type ResolvedLayer } from '../spec.js';
import type { GraphBuilder } from './builder.js';

export type Weights = Record<string, Float32Array>;

export function addInitializers(
  b: GraphBuilder,
  layers: ResolvedLayer[],
  weights: Weights,
  external?: ExternalWeights,
) {
  for (const p of layers.flatMap((l) => l.params)) {
    const w = weights[p.name];
    if (!w) throw new Error(`missing weights for ${p.name}`);
    if (w.length !== p.shape.reduce((a, v) => a * v, 1))
      throw new Error(`weights ${p.name} have ${w.length} values, expected shape [${p.shape}]`);
    b.initializer(p.name, p.shape, w, external && { location: external.location, offset: external.offsets[p.name] });
  }
}

/**
 * The weights of every graph of a model in one file (ONNX external data): the three graphs then share one copy,
 * which halves what a Worker uploads. Float32 little-endian, parameters in layer order.
 */
export interface ExternalWeights {
  location: string;
  offsets: Record<string, number>;
  bytes: Uint8Array;
}

export function packWeights(arch: ArchSpec, weights: Weights, location = 'weights.bin'): ExternalWeights {
  const params = resolve(arch).flatMap((l) => l.params);
  const offsets: Record<string, number> = {};
  let size = 0;
  for (const p of params) {
    offsets[p.name] = size;
    size += weights[p.name].byteLength;
  }
  const bytes = new Uint8Array(size);
  for (const p of params)
    bytes.set(
      new Uint8Array(weights[p.name].buffer, weights[p.name].byteOffset, weights[p.name].byteLength),
      offsets[p.name],
    );
  return { location, offsets, bytes };
}
