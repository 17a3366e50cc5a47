/**
 * The cost model: a request's work, estimated from its options before any of it starts, as graph runs times the
 * model's measured cost per run (models/<name>/costs.json, written by npm run costs: milliseconds per run of each
 * graph kind, fixed part plus per image at the model's input size), plus the pictures the answer draws, by size. Synthesis on larger images scales by pixels.
 * Over the ceiling (MAX_COST_MS) a request is a 400 that says the estimate and the ceiling. Loops that stop early
 * (fooling, attacks) are counted at their step limit: the estimate is an upper bound.
 */
import { badRequest } from './errors.js';
import type { Model } from './model.js';

/**
 * Graph kinds with distinct costs: a forward pass, the input gradient, the conv-prefix synthesis gradient, and
 * the CAM gradient (cam-grad.onnx: a forward pass and the head's backward). A costs.json without `cam` prices a
 * CAM as a gradient.
 */
export type GraphKind = 'forward' | 'grad' | 'synth' | 'cam';
type Cost = { fixedMs: number; perImageMs: number };
export type GraphCosts = Record<Exclude<GraphKind, 'cam'>, Cost> & { cam?: Cost };

/**
 * One batch of graph runs: `runs` runs of `kind` on `images` images of `pixels` pixels (default: the model's); or,
 * with kind 'png', `runs` pictures of `pixels` pixels each, drawn and encoded for the answer (pictures/).
 */
export interface Runs {
  kind: GraphKind | 'png';
  runs: number;
  images?: number;
  pixels?: number;
}

/**
 * A picture's cost per million pixels: colouring, filtering and deflating (fflate, level 1) an RGB PNG, measured in
 * Node (CPU time, 60 calls) on the 2-core x86 that measured the bundled costs.json: a shapes saliency answer's three
 * pictures (266k pixels) 14.5 ms, 54 ms per million; its attack's two (131k) 6.2 ms, 47; a digits saliency answer's
 * (52k) 5.1 ms, 98, where fixed costs weigh more. It does not depend on the model, only on the size.
 */
export const PNG_MS_PER_MEGAPIXEL = 60;

/** Used when a model folder has no costs.json: a 28x28 CNN's figures on a 2-core x86 (npm run costs). */
export const FALLBACK: GraphCosts = {
  forward: { fixedMs: 0.3, perImageMs: 0.3 },
  grad: { fixedMs: 0.6, perImageMs: 0.9 },
  synth: { fixedMs: 0.6, perImageMs: 0.9 },
};

/** The kind of a graph file: classify and model are forwards; the prefix graphs (conv-, synth-) synthesis. */
export function graphKind(graph: string): GraphKind {
  if (graph === 'classify' || graph === 'model') return 'forward';
  if (graph === 'cam-grad') return 'cam';
  if (graph.startsWith('conv-') || graph.startsWith('synth-')) return 'synth';
  return 'grad';
}

/** One run's estimate: `images` images, each `scale` times the model's input pixels (at least 1). */
export function runMs(costs: GraphCosts, kind: GraphKind, images: number, scale = 1): number {
  const k = costs[kind] ?? costs.grad;
  return k.fixedMs + k.perImageMs * images * Math.max(1, scale);
}

export function estimateMs(model: Model, work: Runs[]): number {
  const costs = model.costs ?? FALLBACK;
  const [, h, w] = model.meta.input.shape;
  const own = h * w;
  let ms = 0;
  for (const r of work)
    ms +=
      r.kind === 'png'
        ? (r.runs * (r.pixels ?? own) * PNG_MS_PER_MEGAPIXEL) / 1e6
        : r.runs * runMs(costs, r.kind, r.images ?? 1, (r.pixels ?? own) / own);
  return Math.ceil(ms);
}

/** What a refusal says besides the estimate: a hint, or one worked out from the ceiling (see fitHint). */
export type Hint = string | ((ceilingMs: number) => { hint: string; extra?: Record<string, unknown> });

/** Refuses work estimated over `ceilingMs`, naming the estimate, the ceiling, and what drives the cost. */
export function checkCost(model: Model, work: Runs[], ceilingMs: number, hint: Hint): number {
  const ms = estimateMs(model, work);
  if (ms > ceilingMs) {
    const h = typeof hint === 'string' ? { hint } : hint(ceilingMs);
    throw badRequest(
      `this request is estimated at ${ms} ms of compute on model ${model.meta.name}; the ceiling is ${ceilingMs} ms. ${h.hint}`,
      { estimate_ms: ms, ceiling_ms: ceilingMs, ...h.extra },
    );
  }
  return ms;
}

/** The largest n from `max` down to 1 whose work fits `ceilingMs`, 0 where not even 1 does (work grows with n). */
export function largestFitting(model: Model, max: number, work: (n: number) => Runs[], ceilingMs: number): number {
  let lo = 0,
    hi = max;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (estimateMs(model, work(mid)) <= ceilingMs) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * A refusal's hint naming, for each option that drives the cost, the largest value that fits the ceiling with the
 * others as asked (`largest_fitting` in the answer); `work(n)` is the request with that option at n.
 */
export const fitHint =
  (model: Model, options: Record<string, { value: number; work: (n: number) => Runs[] }>, rest = ''): Hint =>
  (ceilingMs) => {
    const largest = Object.fromEntries(
      Object.entries(options).map(([name, o]) => [name, largestFitting(model, o.value, o.work, ceilingMs)]),
    );
    const said = Object.entries(largest).map(([name, n]) => (n > 0 ? `at most ${n} ${name} fit` : `no ${name} fit`));
    return {
      hint: `With the other options as asked, ${said.join('; ')}.${rest && ` ${rest}`}`,
      extra: { largest_fitting: largest },
    };
  };
