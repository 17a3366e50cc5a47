/**
 * Architecture specs: a graph of layers over a [C,H,W] input, listed in topological order. Each layer reads the
 * values it names in `inputs` (default: the layer before it; the model input is INPUT), so a chain needs no names.
 * resolve() names each layer, infers shapes from the named inputs and asks each rule for its counts (the lecture's
 * formulas; see counts in ResolvedLayer).
 */
import { IO } from '../model-contract/graphs.js';
import type { LayerCounts } from '../model-contract/meta.js';
import { ruleFor, type LayerSpec } from './layers/registry.js';
import type { ParamSpec } from './layers/types.js';

export interface ArchSpec {
  /** [channels, height, width] of the model input. */
  input: [number, number, number];
  layers: LayerSpec[];
}

export type { LayerCounts };

/** The name layers read the model input by (the graphs' input value). No layer may take it. */
export const INPUT: string = IO.input;

export interface ResolvedLayer {
  name: string;
  kind: string;
  spec: LayerSpec;
  /** The values this layer reads: earlier layers by name, or INPUT. */
  inputs: string[];
  /** Their per-sample shapes, in order. */
  inShapes: number[][];
  /** The first input's shape (a single-input layer's only one). */
  inShape: number[];
  outShape: number[];
  params: (ParamSpec & { name: string })[];
  counts: LayerCounts;
  /** Input pixels between neighbouring outputs (the product of strides; the maximum over paths). */
  strideProduct: number;
}

const prod = (s: number[]) => s.reduce((a, v) => a * v, 1);

export function resolve(arch: ArchSpec): ResolvedLayer[] {
  const seen = new Map<string, number>();
  // Per value: its shape, receptive field (uncapped) and stride product.
  const values = new Map([[INPUT, { shape: [...arch.input] as number[], rf: 1, jump: 1 }]]);
  const unread = new Set<string>();
  let prev = INPUT;
  const layers = arch.layers.map((spec, i) => {
    const rule = ruleFor(spec.kind);
    const n = (seen.get(spec.kind) ?? 0) + 1;
    seen.set(spec.kind, n);
    const name = spec.name ?? `${spec.kind}${n}`;
    if (!/^[a-z][a-z0-9_]*$/i.test(name) || values.has(name))
      throw new Error(`layer ${i}: name "${name}" must be unique, not "${INPUT}", and match [a-z][a-z0-9_]*`);
    const inputs = spec.inputs ?? [prev];
    const bad = inputs.filter((v) => !values.has(v));
    if (!inputs.length || bad.length)
      throw new Error(
        `layer ${i} (${name}): inputs [${inputs.join(', ')}] must name ${INPUT} or earlier layers (${[...values.keys()].join(', ')})`,
      );
    const ins = inputs.map((v) => values.get(v)!);
    const inShapes = ins.map((v) => v.shape);
    let outShape: number[];
    try {
      outShape = rule.outShape(spec, inShapes);
    } catch (e) {
      throw new Error(`layer ${i} (${name}): ${(e as Error).message}`);
    }
    for (const v of inputs) unread.delete(v);
    unread.add(name);
    const params = rule.params(spec, inShapes).map((p) => ({ ...p, name: `${name}.${p.suffix}` }));
    // Receptive field and stride product: the widest over the inputs, then this layer's window.
    let rf = Math.max(...ins.map((v) => v.rf)),
      jump = Math.max(...ins.map((v) => v.jump));
    const rec = rule.receptive?.(spec);
    if (rec) {
      // A 1x1 window adds nothing, even after a global pool (jump Infinity: 0 * Infinity would be NaN).
      if (rec.kernel > 1) rf = rf + (rec.kernel - 1) * jump;
      jump *= rec.stride;
    } else if (outShape.length === 1 && inShapes.some((s) => s.length === 3)) rf = Infinity;
    values.set(name, { shape: outShape, rf, jump });
    prev = name;
    const trainable = params.filter((p) => p.trainable);
    const weights = trainable.filter((p) => p.role === 'weight').reduce((a, p) => a + prod(p.shape), 0);
    const biases = trainable.filter((p) => p.role === 'bias').reduce((a, p) => a + prod(p.shape), 0);
    const neurons = prod(outShape);
    const counts: LayerCounts = {
      weights,
      biases,
      neurons,
      connections: rule.connections?.(spec, inShapes, outShape) ?? 0,
      receptiveField: Math.min(rf, Math.max(arch.input[1], arch.input[2])),
      fullyConnectedParams: rule.connections ? inShapes.reduce((a, s) => a + prod(s), 0) * neurons + neurons : null,
    };
    const layer: ResolvedLayer = {
      name,
      kind: spec.kind,
      spec,
      inputs,
      inShapes,
      inShape: inShapes[0],
      outShape,
      params,
      counts,
      strideProduct: jump,
    };
    return layer;
  });
  // Every value but the output (the last layer) feeds something: a layer nobody reads is a wiring mistake.
  unread.delete(layers.at(-1)?.name ?? INPUT);
  if (unread.size) throw new Error(`layers ${[...unread].join(', ')}: no layer reads their output`);
  return layers;
}

export function paramCount(layers: ResolvedLayer[], trainableOnly = true): number {
  return layers
    .flatMap((l) => l.params)
    .filter((p) => !trainableOnly || p.trainable)
    .reduce((a, p) => a + prod(p.shape), 0);
}
