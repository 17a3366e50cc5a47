/**
 * The layer registry: one rule per kind, in the graph form (graph-rule.ts; single-input rules through unary()).
 * A layer without a backward rule fails the graph build, naming it, and so does a backward rule that does not
 * return one gradient per input, or leaves out the gradient of a differentiable input (an input when asked for,
 * every trainable parameter when parameter gradients are asked for): tinygrad's "the number of gradients must
 * equal the number of inputs".
 */
import { leakyRelu, sigmoid, tanh, type LeakyReluSpec, type SigmoidSpec, type TanhSpec } from './activations.js';
import { add, type AddSpec } from './add.js';
import { avgPool, type AvgPoolSpec } from './avg-pool.js';
import { batchNorm, type BatchNormSpec } from './batch-norm.js';
import { channels, type ChannelsSpec } from './channels.js';
import { clip, type ClipSpec } from './clip.js';
import { concat, type ConcatSpec } from './concat.js';
import { conv2d, type Conv2dSpec } from './conv2d.js';
import { dense, type DenseSpec } from './dense.js';
import { dropout, type DropoutSpec } from './dropout.js';
import { elu, selu, softplus, type EluSpec, type SeluSpec, type SoftplusSpec } from './exp-activations.js';
import { flatten, type FlattenSpec } from './flatten.js';
import { gelu, type GeluSpec } from './gelu.js';
import { hardSigmoid, type HardSigmoidSpec } from './hardsigmoid.js';
import { hardSwish, type HardSwishSpec } from './hardswish.js';
import { layerNorm, type LayerNormSpec } from './layer-norm.js';
import { lrn, type LrnSpec } from './lrn.js';
import { maxPool, type MaxPoolSpec } from './max-pool.js';
import { mul, type MulSpec } from './mul.js';
import { prelu, type PReluSpec } from './prelu.js';
import { rectPool, type RectPoolSpec } from './rect-pool.js';
import { relu, type ReluSpec } from './relu.js';
import { scale, type ScaleSpec } from './scale.js';
import { silu, type SiluSpec } from './silu.js';
import { unflatten, type UnflattenSpec } from './unflatten.js';
import {
  unary,
  type GraphBackwardArgs,
  type GraphBackwardResult,
  type GraphCtx,
  type GraphRule,
} from './graph-rule.js';
import type { LayerRule } from './types.js';

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
  | ChannelsSpec
  | UnflattenSpec
  | AddSpec
  | ConcatSpec
  | MulSpec
  | LrnSpec
  | EluSpec
  | SeluSpec
  | SoftplusSpec
  | PReluSpec
  | LayerNormSpec
  | GeluSpec
  | RectPoolSpec
) & {
  name?: string;
  /** The layers this one reads, by name ('input' for the model input); default: the layer before it. */
  inputs?: string[];
};

/** Single-input rules (types.ts LayerRule), then the rules that read several values. */
export const registry: Record<string, GraphRule> = Object.fromEntries(
  [
    ...[
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
      channels,
      unflatten,
      lrn,
      elu,
      selu,
      softplus,
      prelu,
      layerNorm,
      gelu,
      rectPool,
    ].map((r) => unary(r as LayerRule)),
    add,
    concat,
    mul,
  ].map((r) => [r.kind, r as GraphRule]),
);

export function ruleFor(kind: string): GraphRule {
  const rule = registry[kind];
  if (!rule) throw new Error(`Unknown layer kind "${kind}". Should be one of: ${Object.keys(registry).join(', ')}.`);
  return rule;
}

/**
 * The backward rule of a kind, checked: it throws, naming the layer, when the kind has no rule or the rule does not
 * return one gradient per input, or leaves out the gradient of a differentiable input.
 */
export function backwardOf(
  kind: string,
  layerName: string,
): (ctx: GraphCtx<any>, a: GraphBackwardArgs) => GraphBackwardResult {
  const rule = ruleFor(kind);
  const backward = rule.backward;
  if (!backward)
    throw new Error(
      `layer "${layerName}" (kind ${kind}) has no backward rule: cannot build a gradient graph through it`,
    );
  return (ctx, a) => {
    const r = backward(ctx, a);
    if (r.dxs.length !== a.xs.length)
      throw new Error(
        `layer "${layerName}" (kind ${kind}): its backward rule returned ${r.dxs.length} input gradients for ${a.xs.length} inputs`,
      );
    const missing = a.needDx.flatMap((need, j) =>
      need && !r.dxs[j] ? [a.xs.length === 1 ? 'its input' : `its input #${j + 1} (${ctx.inputs[j]})`] : [],
    );
    if (a.needParamGrads)
      for (const p of rule.params(ctx.spec, ctx.inShapes))
        if (p.trainable && !r.grads[p.suffix]) missing.push(`${layerName}.${p.suffix}`);
    if (missing.length)
      throw new Error(
        `layer "${layerName}" (kind ${kind}): its backward rule (${ctx.mode} mode) returned no gradient for ${missing.join(', ')}`,
      );
    return r;
  };
}
