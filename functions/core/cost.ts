/**
 * The cost model: a request's work, estimated from its options before any of it starts, as graph runs times the
 * model's measured cost per run (models/<name>/costs.json, written by npm run costs: milliseconds per run of each
 * graph kind, fixed part plus per image at the model's input size). Synthesis on larger images scales by pixels.
 * Over the ceiling (MAX_COST_MS) a request is a 400 that says the estimate and the ceiling. Loops that stop early
 * (fooling, attacks) are counted at their step limit: the estimate is an upper bound.
 */
import { badRequest } from './errors.js';
import type { Model } from './model.js';

/** Graph kinds with distinct costs: a forward pass, the input gradient, and the conv-prefix synthesis gradient. */
export type GraphKind = 'forward' | 'grad' | 'synth';
export type GraphCosts = Record<GraphKind, { fixedMs: number; perImageMs: number }>;

/** One batch of graph runs: `runs` runs of `kind` on `images` images of `pixels` pixels (default: the model's). */
export interface Runs {
  kind: GraphKind;
  runs: number;
  images?: number;
  pixels?: number;
}

/** Used when a model folder has no costs.json: a 28x28 CNN's figures on a 2-core x86 (npm run costs). */
export const FALLBACK: GraphCosts = {
  forward: { fixedMs: 0.3, perImageMs: 0.3 },
  grad: { fixedMs: 0.6, perImageMs: 0.9 },
  synth: { fixedMs: 0.6, perImageMs: 0.9 },
};

export function estimateMs(model: Model, work: Runs[]): number {
  const costs = model.costs ?? FALLBACK;
  const [, h, w] = model.meta.input.shape;
  const own = h * w;
  let ms = 0;
  for (const r of work) {
    const k = costs[r.kind];
    const scale = Math.max(1, (r.pixels ?? own) / own);
    ms += r.runs * (k.fixedMs + k.perImageMs * (r.images ?? 1) * scale);
  }
  return Math.ceil(ms);
}

/** Refuses work estimated over `ceilingMs`, naming the estimate, the ceiling, and what drives the cost. */
export function checkCost(model: Model, work: Runs[], ceilingMs: number, hint: string): number {
  const ms = estimateMs(model, work);
  if (ms > ceilingMs)
    throw badRequest(
      `this request is estimated at ${ms} ms of compute on model ${model.meta.name}; the ceiling is ${ceilingMs} ms. ${hint}`,
      { estimate_ms: ms, ceiling_ms: ceilingMs },
    );
  return ms;
}
