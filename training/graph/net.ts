/** The forward and backward passes every graph of a model is assembled from (layer rules in order, then their
 * backward rules in reverse). */
import type { GraphCtx } from '../layers/graph-rule.js';
import { backwardOf, ruleFor } from '../layers/registry.js';
import type { Forms, ForwardResult, Mode } from '../layers/types.js';
import { INPUT, type ResolvedLayer } from '../spec.js';
import type { GraphBuilder } from './builder.js';
import { sparseBelow } from './sparse-below.js';
import { sparseTop } from './sparse-top.js';

/** A forward pass: per layer (in topological order) its context, the values it read and what it computed. */
export interface Net {
  layers: ResolvedLayer[];
  ctxs: GraphCtx<any>[];
  xs: string[][];
  fwd: ForwardResult[];
}

function makeCtx(
  b: GraphBuilder,
  layer: ResolvedLayer,
  mode: Mode,
  dynamic: boolean,
  paramValue: (full: string) => string,
  poolIndices = false,
  forms?: Forms,
): GraphCtx<any> {
  return {
    b,
    mode,
    dynamic,
    poolIndices,
    forms,
    name: layer.name,
    spec: layer.spec,
    inputs: layer.inputs,
    inShapes: layer.inShapes,
    outShape: layer.outShape,
    param: (suffix) => paramValue(`${layer.name}.${suffix}`),
    extra: (suffix) => `${layer.name}.${suffix}`,
  };
}

/** Runs the layers in order, each on the values it names (x as INPUT); the last layer's value is the output. */
export function forwardNet(
  b: GraphBuilder,
  layers: ResolvedLayer[],
  mode: Mode,
  dynamic: boolean,
  x: string,
  paramValue: (n: string) => string,
  poolIndices = false,
  forms?: Forms,
): Net {
  const values = new Map([[INPUT, x]]);
  const ctxs: GraphCtx<any>[] = [],
    xs: string[][] = [],
    fwd: ForwardResult[] = [];
  for (const layer of layers) {
    const ctx = makeCtx(b, layer, mode, dynamic, paramValue, poolIndices, forms);
    const ins = layer.inputs.map((v) => {
      const value = values.get(v);
      if (!value) throw new Error(`layer "${layer.name}" reads "${v}", which no earlier layer of this graph computes`);
      return value;
    });
    const r = ruleFor(layer.kind).forward(ctx, ins);
    xs.push(ins);
    ctxs.push(ctx);
    fwd.push(r);
    values.set(layer.name, r.y);
  }
  return { layers, ctxs, xs, fwd };
}

/**
 * Back-propagates dTop from the last layer to the input, in reverse topological order; cotangent(i) adds an
 * upstream gradient at layer i's output. A value read by several layers gets the sum of their gradients
 * (micrograd's +=, llm.c's residual_backward), complete before its own layer is reached. actGrads[i] is the
 * gradient with respect to layer i's activation (what Grad-CAM weighs maps by). With `stop`, the backward pass
 * ends at layer stop's activation gradient: no layer at or below it back-propagates, nor does any gradient flow
 * into a value computed below it. Without parameter gradients or a stop, a global max-pool over a convolution's
 * maps back-propagates to the convolution's input in one step (sparse-top.ts) where the graph allows it, and the
 * convolutions under that one (up to SPARSE_BELOW_DEPTH of them) by their gradients' nonzero positions alone
 * (sparse-below.ts).
 */
export function backwardNet(
  s: Net,
  dTop: string | undefined,
  cotangent: (i: number) => string | undefined,
  needInputGrad: boolean,
  needParamGrads: boolean,
  stop?: number,
) {
  const grads: Record<string, string> = {};
  const actGrads: (string | undefined)[] = [];
  const dValues = new Map<string, string>();
  const last = s.layers.length - 1;
  if (dTop) dValues.set(s.layers[last].name, dTop);
  const index = new Map(s.layers.map((l, i) => [l.name, i]));
  const wanted = (v: string) => (v === INPUT ? needInputGrad : stop === undefined || index.get(v)! >= stop);
  const sparse = stop === undefined && !needParamGrads ? sparseTop(s, cotangent) : undefined;
  const below = sparseBelow(s, sparse, cotangent);
  for (let i = last; i >= (stop ?? 0); i--) {
    const cot = cotangent(i);
    const b = s.ctxs[i].b;
    const layer = s.layers[i];
    let dy = dValues.get(layer.name);
    // The topmost cotangent may come as a broadcast zero ([1,...,1]): backward rules need it at full shape.
    dy = dy && cot ? b.add(dy, cot) : (dy ?? (cot && b.o('Expand', [cot, b.o('Shape', [s.fwd[i].y])])));
    actGrads[i] = dy;
    if (!dy || i === stop) continue;
    if (sparse && i === sparse.pool) {
      const v = s.layers[sparse.conv].inputs[0];
      if (wanted(v)) dValues.set(v, sumInto(b, dValues.get(v), sparse.dx(dy), v));
      i = sparse.conv; // the layers in between and the convolution are done
      continue;
    }
    if (below?.convs.includes(i)) {
      const v = layer.inputs[0];
      if (wanted(v)) dValues.set(v, sumInto(b, dValues.get(v), below.dx(i, dy), v));
      continue;
    }
    const r = backwardOf(layer.kind, layer.name)(s.ctxs[i], {
      xs: s.xs[i],
      y: s.fwd[i].y,
      dy,
      cache: s.fwd[i].cache ?? {},
      needDx: layer.inputs.map(wanted),
      needParamGrads,
    });
    for (const [suffix, g] of Object.entries(r.grads)) grads[`${layer.name}.${suffix}`] = g;
    r.dxs.forEach((dx, j) => {
      const v = layer.inputs[j];
      if (dx) dValues.set(v, sumInto(b, dValues.get(v), dx, v));
    });
  }
  return { dInput: dValues.get(INPUT), grads, actGrads };
}

const sumInto = (b: GraphBuilder, sum: string | undefined, dx: string, v: string) =>
  sum ? b.add(sum, dx, `${v}_dsum`) : dx;
