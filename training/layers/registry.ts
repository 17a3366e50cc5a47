/**
 * The layer registry: one rule per kind. A layer without a backward rule fails the graph build, naming it, and
 * so does a backward rule that returns no gradient for a differentiable input (the layer input when asked for,
 * every trainable parameter when parameter gradients are asked for): tinygrad's "the number of gradients must
 * equal the number of inputs".
 */
import { leakyRelu, sigmoid, tanh, type LeakyReluSpec, type SigmoidSpec, type TanhSpec } from './activations.js';
import { avgPool, type AvgPoolSpec } from './avg-pool.js';
import { batchNorm, type BatchNormSpec } from './batch-norm.js';
import { clip, type ClipSpec } from './clip.js';
import { conv2d, type Conv2dSpec } from './conv2d.js';
import { dense, type DenseSpec } from './dense.js';
import { dropout, type DropoutSpec } from './dropout.js';
import { flatten, type FlattenSpec } from './flatten.js';
import { hardSigmoid, type HardSigmoidSpec } from './hardsigmoid.js';
import { hardSwish, type HardSwishSpec } from './hardswish.js';
import { maxPool, type MaxPoolSpec } from './max-pool.js';
import { relu, type ReluSpec } from './relu.js';
import { scale, type ScaleSpec } from './scale.js';
import { silu, type SiluSpec } from './silu.js';
import type { BackwardArgs, BackwardResult, LayerCtx, LayerRule } from './types.js';

export type LayerSpec = (
  | Conv2dSpec
  | ReluSpec
  | MaxPoolSpec
  | AvgPoolSpec
  | FlattenSpec
  | DenseSpec
  | DropoutSpec
  | BatchNormSpec
  | LeakyReluSpec
  | SigmoidSpec
  | TanhSpec
  | ScaleSpec
  | ClipSpec
  | HardSigmoidSpec
  | HardSwishSpec
  | SiluSpec
) & { name?: string };

export const registry: Record<string, LayerRule> = Object.fromEntries(
  [
    conv2d,
    relu,
    maxPool,
    avgPool,
    flatten,
    dense,
    dropout,
    batchNorm,
    leakyRelu,
    sigmoid,
    tanh,
    scale,
    clip,
    hardSigmoid,
    hardSwish,
    silu,
  ].map((r) => [r.kind, r as LayerRule]),
);

export function ruleFor(kind: string): LayerRule {
  const rule = registry[kind];
  if (!rule) throw new Error(`Unknown layer kind "${kind}". Should be one of: ${Object.keys(registry).join(', ')}.`);
  return rule;
}

/**
 * The backward rule of a kind, checked: it throws, naming the layer, when the kind has no rule or the rule leaves
 * out the gradient of a differentiable input.
 */
export function backwardOf(kind: string, layerName: string): (ctx: LayerCtx<any>, a: BackwardArgs) => BackwardResult {
  const rule = ruleFor(kind);
  const backward = rule.backward;
  if (!backward)
    throw new Error(
      `layer "${layerName}" (kind ${kind}) has no backward rule: cannot build a gradient graph through it`,
    );
  return (ctx, a) => {
    const r = backward(ctx, a);
    const missing = a.needDx && !r.dx ? ['its input'] : [];
    if (a.needParamGrads)
      for (const p of rule.params(ctx.spec, ctx.inShape))
        if (p.trainable && !r.grads[p.suffix]) missing.push(`${layerName}.${p.suffix}`);
    if (missing.length)
      throw new Error(
        `layer "${layerName}" (kind ${kind}): its backward rule (${ctx.mode} mode) returned no gradient for ${missing.join(', ')}`,
      );
    return r;
  };
}
