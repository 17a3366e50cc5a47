/**
 * Architecture specs: a layer stack over a [C,H,W] input. resolve() names each layer, infers shapes and
 * counts weights and neurons with the lecture's formulas (see counts in ResolvedLayer).
 */
import type { LayerCounts } from '../model-contract/meta.js';
import { ruleFor, type LayerSpec } from './layers/registry.js';
import type { ParamSpec } from './layers/types.js';

export interface ArchSpec {
  /** [channels, height, width] of the model input. */
  input: [number, number, number];
  layers: LayerSpec[];
}

export type { LayerCounts };

export interface ResolvedLayer {
  name: string;
  kind: string;
  spec: LayerSpec;
  inShape: number[];
  outShape: number[];
  params: (ParamSpec & { name: string })[];
  counts: LayerCounts;
}

const prod = (s: number[]) => s.reduce((a, v) => a * v, 1);

export function resolve(arch: ArchSpec): ResolvedLayer[] {
  const seen = new Map<string, number>();
  const names = new Set<string>();
  let shape: number[] = [...arch.input];
  let rf = 1,
    jump = 1;
  return arch.layers.map((spec, i) => {
    const rule = ruleFor(spec.kind);
    const n = (seen.get(spec.kind) ?? 0) + 1;
    seen.set(spec.kind, n);
    const name = spec.name ?? `${spec.kind}${n}`;
    if (!/^[a-z][a-z0-9_]*$/i.test(name) || names.has(name))
      throw new Error(`layer ${i}: name "${name}" must be unique and match [a-z][a-z0-9_]*`);
    names.add(name);
    let outShape: number[];
    try {
      outShape = rule.outShape(spec, shape);
    } catch (e) {
      throw new Error(`layer ${i} (${name}): ${(e as Error).message}`);
    }
    const params = rule.params(spec, shape).map((p) => ({ ...p, name: `${name}.${p.suffix}` }));
    const rec = rule.receptive?.(spec);
    if (rec) {
      rf = rf + (rec.kernel - 1) * jump;
      jump *= rec.stride;
    } else if (outShape.length === 1 && shape.length === 3) rf = Infinity;
    const trainable = params.filter((p) => p.trainable);
    const weights = trainable.filter((p) => p.role === 'weight').reduce((a, p) => a + prod(p.shape), 0);
    const biases = trainable.filter((p) => p.role === 'bias').reduce((a, p) => a + prod(p.shape), 0);
    const neurons = prod(outShape);
    const connections =
      spec.kind === 'conv2d'
        ? neurons * spec.kernel ** 2 * (shape[0] / (spec.groups ?? 1)) // n_ch = C/groups per group
        : spec.kind === 'dense'
          ? prod(shape) * neurons
          : 0;
    const hasWeights = spec.kind === 'conv2d' || spec.kind === 'dense';
    const counts: LayerCounts = {
      weights,
      biases,
      neurons,
      connections,
      receptiveField: Math.min(rf, Math.max(arch.input[1], arch.input[2])),
      fullyConnectedParams: hasWeights ? prod(shape) * neurons + neurons : null,
    };
    const layer: ResolvedLayer = { name, kind: spec.kind, spec, inShape: shape, outShape, params, counts };
    shape = outShape;
    return layer;
  });
}

export function paramCount(layers: ResolvedLayer[], trainableOnly = true): number {
  return layers
    .flatMap((l) => l.params)
    .filter((p) => !trainableOnly || p.trainable)
    .reduce((a, p) => a + prod(p.shape), 0);
}
