/**
 * The form the registry holds every rule in: a layer of a graph reads one or more named values (ResolvedLayer
 * inputs) and writes one. forward(ctx, xs) -> y; backward returns one gradient per input, in the inputs' order
 * (tinygrad's invariant; registry.ts backwardOf checks it). Most layers read one value and are written in the
 * single-input form of types.ts (LayerRule); unary() adapts them, so their bodies never see arrays.
 */
import type { Rng } from '../../model-contract/random.js';
import type { BackwardArgs, ForwardResult, LayerCtx, LayerRule, ParamSpec, StateUpdate } from './types.js';

export interface GraphCtx<S> extends Omit<LayerCtx<S>, 'inShape'> {
  /** The layers this one reads (the model input as 'input'), and their per-sample shapes, in order. */
  inputs: string[];
  inShapes: number[][];
}

export interface GraphBackwardArgs extends Omit<BackwardArgs, 'x' | 'needDx'> {
  xs: string[];
  /** Per input: whether its gradient is needed (the model input's only when the graph asks for it). */
  needDx: boolean[];
}
export interface GraphBackwardResult {
  /** One entry per input; undefined only where needDx is false. */
  dxs: (string | undefined)[];
  grads: Record<string, string>;
}

export interface GraphRule<S = any> {
  kind: string;
  /** Validates the spec against the input shapes (their number too) and returns the output shape. */
  outShape(spec: S, inShapes: number[][]): number[];
  params(spec: S, inShapes: number[][]): ParamSpec[];
  receptive?(spec: S): { kernel: number; stride: number };
  connections?(spec: S, inShapes: number[][], outShape: number[]): number;
  trainInputs?: {
    shapes(spec: S, inShapes: number[][]): Record<string, number[]>;
    sample(spec: S, inShapes: number[][], n: number, rng: Rng): Record<string, Float32Array>;
  };
  updateState?(u: Omit<StateUpdate<S>, 'inShape'> & { inShapes: number[][] }): void;
  forward(ctx: GraphCtx<S>, xs: string[]): ForwardResult;
  backward?(ctx: GraphCtx<S>, a: GraphBackwardArgs): GraphBackwardResult;
}

/** A single-input rule in the graph form: it checks that the layer reads exactly one value. */
export function unary<S>(rule: LayerRule<S>): GraphRule<S> {
  const only = (inShapes: number[][]) => {
    if (inShapes.length !== 1) throw new Error(`${rule.kind} reads one input, got ${inShapes.length}`);
    return inShapes[0];
  };
  const one = ({ inputs: _, inShapes, ...ctx }: GraphCtx<S>): LayerCtx<S> => ({ ...ctx, inShape: inShapes[0] });
  const { trainInputs, updateState, backward, receptive, connections } = rule;
  return {
    kind: rule.kind,
    outShape: (spec, inShapes) => rule.outShape(spec, only(inShapes)),
    params: (spec, inShapes) => rule.params(spec, only(inShapes)),
    ...(receptive && { receptive: (spec: S) => receptive(spec) }),
    ...(connections && {
      connections: (spec: S, inShapes: number[][], outShape: number[]) => connections(spec, only(inShapes), outShape),
    }),
    ...(trainInputs && {
      trainInputs: {
        shapes: (spec: S, inShapes: number[][]) => trainInputs.shapes(spec, only(inShapes)),
        sample: (spec: S, inShapes: number[][], n: number, rng: Rng) =>
          trainInputs.sample(spec, only(inShapes), n, rng),
      },
    }),
    ...(updateState && {
      updateState: ({ inShapes, ...u }: Omit<StateUpdate<S>, 'inShape'> & { inShapes: number[][] }) =>
        updateState({ ...u, inShape: only(inShapes) }),
    }),
    forward: (ctx, xs) => rule.forward(one(ctx), xs[0]),
    ...(backward && {
      backward: (ctx: GraphCtx<S>, { xs, needDx, ...a }: GraphBackwardArgs): GraphBackwardResult => {
        const r = backward(one(ctx), { ...a, x: xs[0], needDx: needDx[0] });
        return { dxs: [r.dx], grads: r.grads };
      },
    }),
  };
}
