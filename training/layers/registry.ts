/**
 * The layer registry: one rule per kind. A layer without a backward rule fails the graph build, naming it.
 */
import { avgPool, type AvgPoolSpec } from './avg-pool.js';
import { batchNorm, type BatchNormSpec } from './batch-norm.js';
import { conv2d, type Conv2dSpec } from './conv2d.js';
import { dense, type DenseSpec } from './dense.js';
import { dropout, type DropoutSpec } from './dropout.js';
import { flatten, type FlattenSpec } from './flatten.js';
import { maxPool, type MaxPoolSpec } from './max-pool.js';
import { relu, type ReluSpec } from './relu.js';
import type { LayerRule } from './types.js';

export type LayerSpec = (
  Conv2dSpec | ReluSpec | MaxPoolSpec | AvgPoolSpec | FlattenSpec | DenseSpec | DropoutSpec | BatchNormSpec
) & { name?: string };

export const registry: Record<string, LayerRule> = Object.fromEntries(
  [conv2d, relu, maxPool, avgPool, flatten, dense, dropout, batchNorm].map((r) => [r.kind, r as LayerRule]),
);

export function ruleFor(kind: string): LayerRule {
  const rule = registry[kind];
  if (!rule) throw new Error(`Unknown layer kind "${kind}". Should be one of: ${Object.keys(registry).join(', ')}.`);
  return rule;
}

/** The backward rule of a kind, or an error naming the layer that lacks one. */
export function backwardOf(kind: string, layerName: string): NonNullable<LayerRule['backward']> {
  const rule = ruleFor(kind);
  if (!rule.backward)
    throw new Error(
      `layer "${layerName}" (kind ${kind}) has no backward rule: cannot build a gradient graph through it`,
    );
  return rule.backward;
}
